import Foundation
@testable import GatewayApp
import HTTPTypes
import TestKit
import Testing

/// The route specs are the one source of the router, the access policy, the
/// query validation and the OpenAPI document: these tests hold the derived
/// parts to the specs.
@Suite("Gateway route specs", .serialized)
struct RouteSpecTests {
    /// A URI of the spec's path with valid path parameters.
    static func uri(_ spec: RouteSpec, query: String = "") -> String {
        let path = spec.path.replacingOccurrences(of: "{id}", with: spec.path.contains("uploads") ? UUID().uuidString.lowercased() : "999999")
            .replacingOccurrences(of: "{from}", with: "v1.0").replacingOccurrences(of: "{to}", with: "v1.1")
        return query.isEmpty ? path : "\(path)?\(query)"
    }

    /// Each operation in /openapi.json has exactly the spec's path and query
    /// parameters, with the spec's limits and defaults, and the spec's security.
    @Test func openAPIParametersAreTheSpecs() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPI.document.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        var seen = 0
        for spec in GatewayRoutes.specs {
            let operation = try #require(paths[spec.path]?[spec.method.rawValue.lowercased()], "\(spec.rule.action) is not in the document")
            seen += 1
            let parameters = operation["parameters"] as? [[String: Any]] ?? []
            let query = parameters.filter { $0["in"] as? String == "query" }
            #expect(query.compactMap { $0["name"] as? String } == spec.query.map(\.name), "\(spec.operationId)")
            for (described, declared) in zip(query, spec.query) {
                let schema = described["schema"] as? [String: Any] ?? [:]
                if case .integer(let range, let defaultValue) = declared.kind {
                    #expect(schema["minimum"] as? Int == range.lowerBound, "\(spec.operationId) \(declared.name)")
                    #expect(schema["maximum"] as? Int == (range.upperBound == Int.max ? nil : range.upperBound), "\(spec.operationId) \(declared.name)")
                    #expect(schema["default"] as? Int == defaultValue, "\(spec.operationId) \(declared.name)")
                }
            }
            let path = parameters.filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String }
            #expect(path == spec.pathParameterNames, "\(spec.operationId)")
            let headers = parameters.filter { $0["in"] as? String == "header" }.compactMap { $0["name"] as? String }
            #expect(headers.contains("Idempotency-Key") == spec.mutates, "\(spec.operationId)")
            let security = operation["security"] as? [Any] ?? []
            #expect(security.isEmpty == (spec.access == .public), "\(spec.operationId)")
            #expect((operation["requestBody"] != nil) == (spec.body != nil), "\(spec.operationId)")
            if spec.isList {
                let ok = (operation["responses"] as? [String: Any])?["200"] as? [String: Any]
                let schema = ((ok?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any]
                #expect(Set(schema?["required"] as? [String] ?? []) == ["items", "total", "skip", "limit"], "\(spec.operationId)")
            }
        }
        #expect(seen == paths.values.reduce(0) { $0 + $1.count }, "the document has operations without a spec")
    }

    /// Every list declares skip and limit, and they are the ones of a `ListLimits` family.
    @Test func everyListIsPaged() {
        let lists = GatewayRoutes.specs.filter(\.isList)
        #expect(lists.count >= 12)
        for spec in lists {
            guard case .integer(let skip, 0)? = spec.queryParameter("skip")?.kind,
                  case .integer(let limit, let defaultLimit?)? = spec.queryParameter("limit")?.kind else {
                Issue.record("\(spec.operationId) answers a list without skip and limit")
                continue
            }
            #expect(skip == 0...Int(Int32.max))
            #expect(limit.lowerBound == 1 && limit.contains(defaultLimit), "\(spec.operationId)")
        }
    }

    /// An integer query parameter outside the range its spec declares is
    /// refused with 400 naming it, on every route, before any service is asked
    /// (no broker runs here); so is a limit above the family's maximum.
    @Test func outOfRangeQueryIsRefusedNamingIt() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            var checked = 0
            for spec in GatewayRoutes.specs where spec.access != .public {
                for parameter in spec.query {
                    guard case .integer(let range, _) = parameter.kind else { continue }
                    var bad = ["\(range.lowerBound - 1)", "x"]
                    if range.upperBound != Int.max { bad.append("\(range.upperBound + 1)") }
                    for value in bad {
                        let body = spec.method == .get || spec.method == .delete ? nil : "{}"
                        let response = try await gateway.call(spec.method, Self.uri(spec, query: "\(parameter.name)=\(value)"), token: admin, json: body)
                        #expect(response.status == .badRequest, "\(spec.rule.action) \(parameter.name)=\(value) → \(response.status)")
                        response.expectProblem(.badRequest, fields: [parameter.name])
                        checked += 1
                    }
                }
            }
            #expect(checked > 40)
        }
    }

    /// A choice or boolean outside its spec is refused naming it too.
    @Test func badChoiceIsRefusedNamingIt() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            for spec in GatewayRoutes.specs where spec.method == .get && spec.access != .public {
                for parameter in spec.query {
                    switch parameter.kind {
                    case .choice, .boolean, .timestamp:
                        let response = try await gateway.call(.get, Self.uri(spec, query: "\(parameter.name)=not-a-value"), token: admin)
                        response.expectProblem(.badRequest, fields: [parameter.name])
                    default: continue
                    }
                }
            }
        }
    }

    /// Lists served by the gateway and the dataset service answer the
    /// envelope, echoing the page asked for and the spec's default limit.
    @Test func listsAnswerTheEnvelope() async throws {
        try await Gateway.withDataset { gateway, _ in
            let admin = try await gateway.login("admin", adminPassword)
            let served = GatewayRoutes.specs.filter { $0.isList && !$0.path.contains("{") && $0.tag != "models" && $0.tag != "finetuning" }
            #expect(served.count >= 6)
            for spec in served {
                guard case .integer(_, let defaultLimit?)? = spec.queryParameter("limit")?.kind else { continue }
                let plain = try await gateway.call(.get, Self.uri(spec), token: admin)
                #expect(plain.status == .ok, "\(spec.rule.action): \(plain.text.prefix(300))")
                #expect(plain.object["items"] is [Any] && plain.object["total"] is Int, "\(spec.rule.action): \(plain.text.prefix(300))")
                #expect(plain.object["skip"] as? Int == 0 && plain.object["limit"] as? Int == defaultLimit, "\(spec.rule.action): \(plain.text.prefix(300))")
                let paged = try await gateway.call(.get, Self.uri(spec, query: "skip=1&limit=1"), token: admin)
                #expect(paged.object["skip"] as? Int == 1 && paged.object["limit"] as? Int == 1, "\(spec.rule.action): \(paged.text.prefix(300))")
                #expect((paged.object["items"] as? [Any])?.count ?? 2 <= 1)
            }
        }
    }
}
