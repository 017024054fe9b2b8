import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

    func send(_ method: String, _ path: String, query: [URLQueryItem] = [], json: [String: Any]? = nil, body: Data? = nil, headers: [String: String] = [:], authenticated: Bool = true,
              timeout: TimeInterval = 60, accept: Set<Int> = []) async throws -> [String: Any] {
        var request = self.request(method, path, query: query, authenticated: authenticated, timeout: timeout)
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        guard (200..<300).contains(status) || accept.contains(status) else {
            throw Self.failure(method, path, status: status, body: data)
        }
        return object
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
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        var message = "\(method) \(path): \(status) \(object["title"] as? String ?? "")"
        if let detail = object["detail"] as? String { message += ": \(detail)" }
        for error in object["errors"] as? [[String: Any]] ?? [] {
            message += "\n  \(error["field"] ?? "?"): \(error["message"] ?? "")"
        }
        return CLIError(message)
    }
}

func printJSON(_ object: [String: Any]) {
    if let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) {
        print(String(decoding: data, as: UTF8.self))
    }
}

func printTable(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    for row in [header] + rows {
        print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
}
