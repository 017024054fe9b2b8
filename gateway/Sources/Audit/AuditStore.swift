import Foundation
import Logging
import PostgresNIO

/// Reads the audit log (GET /api/v1/admin/audit).
struct AuditStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    struct Filter: Sendable {
        var subject: String?
        var action: String?
        var resource: String?
        var status: Int?
        var since: Int64?
        var until: Int64?
    }

    func list(_ filter: Filter, skip: Int, limit: Int) async throws -> (items: [(id: Int64, entry: AuditEntry)], total: Int) {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func add(_ sql: (Int) -> String, _ append: (inout PostgresBindings) -> Void) {
            append(&binds)
            conditions.append(sql(binds.count))
        }
        if let subject = filter.subject { add({ "subject = $\($0)" }) { $0.append(subject) } }
        if let action = filter.action { add({ "action = $\($0)" }) { $0.append(action) } }
        if let resource = filter.resource { add({ "resource = $\($0)" }) { $0.append(resource) } }
        if let status = filter.status { add({ "status = $\($0)" }) { $0.append(status) } }
        if let since = filter.since { add({ "created_at >= $\($0)" }) { $0.append(Date(timeIntervalSince1970: Double(since) / 1000)) } }
        if let until = filter.until { add({ "created_at < $\($0)" }) { $0.append(Date(timeIntervalSince1970: Double(until) / 1000)) } }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        var total = 0
        for try await count in try await postgres.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM audit_log \(whereClause)", binds: binds), logger: logger).decode(Int.self) {
            total = count
        }
        var pageBinds = binds
        pageBinds.append(limit)
        pageBinds.append(skip)
        let sql = """
            SELECT id, subject, role, action, resource, client_ip, request_id, status, created_at FROM audit_log \(whereClause)
            ORDER BY created_at DESC, id DESC LIMIT $\(binds.count + 1) OFFSET $\(binds.count + 2)
            """
        var items: [(Int64, AuditEntry)] = []
        let rows = try await postgres.query(PostgresQuery(unsafeSQL: sql, binds: pageBinds), logger: logger)
        for try await (id, subject, role, action, resource, ip, requestId, status, created) in rows.decode((Int64, String, String, String, String, String, String, Int, Date).self) {
            items.append((id, AuditEntry(subject: subject, role: role, action: action, resource: resource, clientIP: ip, requestId: requestId, status: status, createdAt: created)))
        }
        return (items.map { (id: $0.0, entry: $0.1) }, total)
    }
}
