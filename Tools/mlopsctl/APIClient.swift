import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSON

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// ~/.config/mlopsctl/config.json, overridden by MLOPS_URL / MLOPS_TOKEN.
struct CLIConfig: Codable {
    var url: String
    var token: String?

    static var path: URL {
        let base = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("mlopsctl/config.json")
    }

    static func load() throws -> CLIConfig {
        let environment = ProcessInfo.processInfo.environment
        var config = (try? JSONDecoder().decode(CLIConfig.self, from: Data(contentsOf: path))) ?? CLIConfig(url: "http://127.0.0.1:8080", token: nil)
        if let url = environment["MLOPS_URL"] { config.url = url }
        if let token = environment["MLOPS_TOKEN"] { config.token = token }
        guard config.token != nil else { throw CLIError("not logged in: run `mlopsctl login --username NAME` or set MLOPS_TOKEN") }
        return config
    }

    func save() throws {
        try FileManager.default.createDirectory(at: Self.path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONEncoder().encode(self).write(to: Self.path, options: .atomic)
        // The token is a credential: owner-only.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: Self.path.path)
    }
}

/// JSON over HTTP to the gateway; a problem+json answer becomes a readable error.
struct APIClient {
    let config: CLIConfig
    let base: URL

    init(config: CLIConfig) throws {
        guard let base = URL(string: config.url), base.scheme == "http" || base.scheme == "https" else {
            throw CLIError("'\(config.url)' is not an http(s) URL")
        }
        self.config = config
        self.base = base
    }

    func send(_ method: String, _ path: String, query: [URLQueryItem] = [], json: JSONValue? = nil, body: Data? = nil, headers: [String: String] = [:], authenticated: Bool = true,
              timeout: TimeInterval = 60, accept: Set<Int> = []) async throws -> JSONValue {
        var request = self.request(method, path, query: query, authenticated: authenticated, timeout: timeout)
        if let json {
            request.httpBody = Data(json.serializedBytes)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) || accept.contains(status) else {
            throw Self.failure(method, path, status: status, body: data)
        }
        // An empty answer (a chunk PUT) reads as an empty object.
        return (try? JSONValue.parse(data)) ?? .object([])
    }

    /// The request `send` makes, without a body: URL and query, method,
    /// timeout and the Authorization header. For callers that read the answer
    /// themselves (the job event stream).
    func request(_ method: String, _ path: String, query: [URLQueryItem] = [], authenticated: Bool = true, timeout: TimeInterval = 60) -> URLRequest {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if !query.isEmpty { components.queryItems = query }
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if authenticated, let token = config.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
    }

    /// A non-2xx answer as a readable error: the problem+json title, detail
    /// and field errors when the body is one.
    static func failure(_ method: String, _ path: String, status: Int, body: Data) -> CLIError {
        let problem = (try? JSONValue.parse(body)) ?? .null
        var message = "\(method) \(path): \(status) \(problem["title"]?.stringValue ?? "")"
        if let detail = problem["detail"]?.stringValue { message += ": \(detail)" }
        for error in problem["errors"]?.arrayValue ?? [] {
            message += "\n  \(error["field"]?.displayText ?? "?"): \(error["message"]?.displayText ?? "")"
        }
        return CLIError(message)
    }
}

/// `--json` output: indented, keys sorted, as JSONSerialization printed it before.
func printJSON(_ value: JSONValue) {
    print(value.prettyPrinted(sortKeys: true))
}

extension JSONValue {
    /// A reply value as a table cell or message shows it: a string as itself,
    /// anything else as its JSON (`3`, `0.5`, `true`); nil for null, so the
    /// caller's placeholder ("-", "?") stands for null and missing alike.
    var displayText: String? {
        switch self {
        case .null: return nil
        case .string(let text): return text
        default: return serialized
        }
    }
}

func printTable(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    for row in [header] + rows {
        print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
}
