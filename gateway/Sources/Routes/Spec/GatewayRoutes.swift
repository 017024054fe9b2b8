import HTTPTypes
/// Every route of the gateway, by its spec: the access policy, the OpenAPI
/// document and the check that the router serves exactly these derive from
/// this list.
enum GatewayRoutes {
    static let specs: [RouteSpec] =
        SystemSpecs.all + AuthSpecs.all + ModelSpecs.all + UploadSpecs.all + DatasetSpecs.all + JobSpecs.all + GroundTruthSpecs.all
}

extension GatewayRoutes {
    /// The methods served on a concrete path (`/api/v1/admin/models/7`), for
    /// a 405's `Allow` header; empty when no route has that path.
    static func allowedMethods(path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var methods: [String] = []
        for (method, pattern) in patterns where pattern.count == segments.count
            && zip(pattern, segments).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) {
            if !methods.contains(method) { methods.append(method) }
        }
        // HEAD is answered wherever GET is.
        if methods.contains("GET") { methods.append("HEAD") }
        return methods
    }

    private static let patterns: [(String, [Substring])] = specs.map {
        ($0.method.rawValue, $0.path.split(separator: "/", omittingEmptySubsequences: false))
    }
}

extension GatewayRoutes {
    /// The spec serving `method` on the router's `pattern` (HEAD: GET's).
    static func spec(method: HTTPRequest.Method, pattern: String) -> RouteSpec? {
        byRoute["\(method == .head ? "GET" : method.rawValue) \(pattern)"]
    }

    private static let byRoute: [String: RouteSpec] = Dictionary(specs.map { ("\($0.method.rawValue) \($0.path)", $0) }, uniquingKeysWith: { first, _ in first })
}
