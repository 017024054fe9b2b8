import Contracts
import Foundation
import Logging
import PostgresNIO
import TrainerDomain

/// SQL for the device inventory and device leases. Lease times are the
/// database's clock, so instances with skewed clocks still agree on expiry.
enum LeaseStore {
    /// Records this instance's devices and makes sure each has a lease row.
    static func report(_ inventory: DeviceInventory, instance: String, on client: PostgresClient, logger: Logger) async throws {
        for device in inventory.devices {
            try await client.query("""
                INSERT INTO trainer.devices (id, kind, name, memory_total_mib, memory_used_mib, utilization_percent, reported_by, reported_at)
                VALUES (\(device.id.description), \(device.id.kind.rawValue), \(device.name), \(device.memoryTotalMiB.map(Int64.init))::int8,
                    \(device.memoryUsedMiB.map(Int64.init))::int8, \(device.utilizationPercent.map(Int32.init))::int4, \(instance), now())
                ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, memory_total_mib = EXCLUDED.memory_total_mib,
                    memory_used_mib = EXCLUDED.memory_used_mib, utilization_percent = EXCLUDED.utilization_percent,
                    reported_by = EXCLUDED.reported_by, reported_at = now()
                """, logger: logger)
            try await client.query("INSERT INTO trainer.device_leases (device) VALUES (\(device.id.description)) ON CONFLICT DO NOTHING", logger: logger)
        }
    }

    /// Every device any instance reported: what `gpu_ids` may name.
    static func knownDevices(on client: PostgresClient, logger: Logger) async throws -> [DeviceID] {
        let rows = try await client.query("SELECT id FROM trainer.devices", logger: logger)
        var ids: [DeviceID] = []
        for try await id in rows.decode(String.self) { if let device = DeviceID(id) { ids.append(device) } }
        return ids.sorted()
    }

    static func devices(on client: PostgresClient, logger: Logger) async throws -> [Mlops_V1_Trainer_Device] {
        let rows = try await client.query("""
            SELECT d.id, d.kind, d.name, d.memory_total_mib, d.memory_used_mib, d.utilization_percent::int8, d.reported_by,
                floor(extract(epoch FROM d.reported_at) * 1000)::int8,
                CASE WHEN l.expires_at > now() THEN l.job_id END, l.holder,
                floor(extract(epoch FROM l.acquired_at) * 1000)::int8, floor(extract(epoch FROM l.expires_at) * 1000)::int8
            FROM trainer.devices d LEFT JOIN trainer.device_leases l ON l.device = d.id
            """, logger: logger)
        var out: [Mlops_V1_Trainer_Device] = []
        for try await (id, kind, name, total, used, util, by, at, job, holder, acquired, expires) in rows.decode(
            (String, String, String, Int64?, Int64?, Int64?, String, Int64, Int64?, String?, Int64?, Int64?).self) {
            var d = Mlops_V1_Trainer_Device()
            d.id = id
            d.kind = kind
            d.name = name
            if let total { d.memoryTotalMib = total }
            if let used { d.memoryUsedMib = used }
            if let util { d.utilizationPercent = util }
            d.reportedBy = by
            d.reportedAtUnixMs = at
            if let job {
                var lease = Mlops_V1_Trainer_Lease()
                lease.jobID = job
                lease.holder = holder ?? ""
                lease.acquiredAtUnixMs = acquired ?? 0
                lease.expiresAtUnixMs = expires ?? 0
                d.lease = lease
            }
            out.append(d)
        }
        return out.sorted { (DeviceID($0.id) ?? .cpu(0)) < (DeviceID($1.id) ?? .cpu(0)) }
    }

    /// A lease row this transaction locked.
    struct LockedLease {
        var device: DeviceID
        var jobID: Int64?
        var active: Bool
    }

    /// Locks the lease rows of `devices` that no other transaction holds
    /// (FOR UPDATE SKIP LOCKED): another instance's scheduling pass keeps its
    /// rows, and ours counts them as busy.
    static func lockLeases(_ devices: [DeviceID], on connection: PostgresConnection, logger: Logger) async throws -> [LockedLease] {
        let names = devices.map(\.description)
        let rows = try await connection.query("""
            SELECT device, job_id, COALESCE(expires_at > now(), false) FROM trainer.device_leases
            WHERE device = ANY(\(names)) ORDER BY device FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var out: [LockedLease] = []
        for try await (device, job, active) in rows.decode((String, Int64?, Bool).self) {
            if let id = DeviceID(device) { out.append(LockedLease(device: id, jobID: job, active: active && job != nil)) }
        }
        return out
    }

    /// Queued jobs in queue order that no other pass holds.
    static func lockQueue(limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [QueuedJob] {
        let rows = try await connection.query("""
            SELECT id, priority, floor(extract(epoch FROM COALESCE(queued_at, created_at)) * 1000)::int8, gpu_request
            FROM trainer.finetuning_jobs WHERE status = 'queued'
            ORDER BY priority DESC, queued_at, id LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var out: [QueuedJob] = []
        for try await (id, priority, queuedMs, request) in rows.decode((Int64, Int32, Int64, String).self) {
            out.append(QueuedJob(id: id, priority: Int(priority), createdAt: Date(timeIntervalSince1970: Double(queuedMs) / 1000),
                                 request: parseRequest(request)))
        }
        return out
    }

    /// The `gpu_request` column back into a request (`count=2` or `gpu0,gpu1`).
    static func parseRequest(_ text: String) -> DeviceRequest {
        if text.hasPrefix("count="), let n = Int(text.dropFirst(6)) { return .count(n) }
        return .ids(text.split(separator: ",").compactMap { DeviceID(String($0)) }.sorted())
    }

    /// Takes `devices` for `job` (rows locked by this transaction), closing the
    /// history of any expired lease they replace, and marks the job running.
    static func grant(job: Int64, devices: [DeviceID], holder: String, ttl: Duration, on connection: PostgresConnection, logger: Logger) async throws {
        let names = devices.map(\.description)
        let ttlSeconds = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
        try await connection.query("""
            UPDATE trainer.lease_history h SET released_at = l.expires_at, release_reason = 'expired'
            FROM trainer.device_leases l
            WHERE h.device = l.device AND h.job_id = l.job_id AND h.released_at IS NULL AND l.device = ANY(\(names))
            """, logger: logger)
        try await connection.query("""
            UPDATE trainer.device_leases SET job_id = \(job), holder = \(holder), acquired_at = clock_timestamp(),
                expires_at = clock_timestamp() + make_interval(secs => \(ttlSeconds))
            WHERE device = ANY(\(names))
            """, logger: logger)
        try await connection.query("""
            INSERT INTO trainer.lease_history (device, job_id, holder, acquired_at)
            SELECT device, job_id, holder, acquired_at FROM trainer.device_leases WHERE device = ANY(\(names))
            """, logger: logger)
        try await connection.query("""
            UPDATE trainer.finetuning_jobs SET status = 'running', owner = \(holder), gpu_ids = \(names.joined(separator: ",")),
                attempts = attempts + 1, start_time = COALESCE(start_time, now()), end_time = NULL,
                status_reason = 'running on ' || \(names.joined(separator: ", ")), updated_at = now()
            WHERE id = \(job)
            """, logger: logger)
    }

    /// Renews this holder's leases of `jobs` that have not expired; returns
    /// the (device, job) pairs still held.
    static func heartbeat(holder: String, jobs: [Int64], ttl: Duration, on client: PostgresClient, logger: Logger) async throws -> [Lease] {
        guard !jobs.isEmpty else { return [] }
        let ttlSeconds = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
        let rows = try await client.query("""
            UPDATE trainer.device_leases SET expires_at = clock_timestamp() + make_interval(secs => \(ttlSeconds))
            WHERE holder = \(holder) AND job_id = ANY(\(jobs)) AND expires_at > clock_timestamp()
            RETURNING device, job_id
            """, logger: logger)
        var held: [Lease] = []
        for try await (device, job) in rows.decode((String, Int64).self) {
            if let id = DeviceID(device) { held.append(Lease(device: id, jobID: job, expiresAt: .distantFuture)) }
        }
        return held
    }

    /// Frees the leases `holder` has for `job` and closes their history.
    static func release(job: Int64, holder: String, reason: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE trainer.lease_history SET released_at = clock_timestamp(), release_reason = \(reason)
            WHERE job_id = \(job) AND holder = \(holder) AND released_at IS NULL
            """, logger: logger)
        try await connection.query("""
            UPDATE trainer.device_leases SET job_id = NULL, holder = NULL, acquired_at = NULL, expires_at = NULL
            WHERE job_id = \(job) AND holder = \(holder)
            """, logger: logger)
    }

    /// Running or stopping jobs of other holders with no active lease left:
    /// their trainer died or lost the database. Locked for this transaction.
    static func lockOrphans(except holder: String, on connection: PostgresConnection, logger: Logger) async throws -> [(id: Int64, state: JobState, owner: String)] {
        let rows = try await connection.query("""
            SELECT j.id, j.status, COALESCE(j.owner, '') FROM trainer.finetuning_jobs j
            WHERE j.status IN ('running', 'stopping') AND j.owner IS DISTINCT FROM \(holder)
              AND NOT EXISTS (SELECT 1 FROM trainer.device_leases l WHERE l.job_id = j.id AND l.expires_at > clock_timestamp())
            ORDER BY j.id FOR UPDATE OF j SKIP LOCKED
            """, logger: logger)
        var out: [(Int64, JobState, String)] = []
        for try await (id, status, owner) in rows.decode((Int64, String, String).self) {
            if let state = JobState(rawValue: status) { out.append((id, state, owner)) }
        }
        return out
    }

    /// Closes the history of a dead holder's expired leases of `job` (at their
    /// expiry) and frees the rows.
    static func expire(job: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE trainer.lease_history h SET released_at = COALESCE(l.expires_at, clock_timestamp()), release_reason = 'expired'
            FROM trainer.lease_history h2 LEFT JOIN trainer.device_leases l ON l.device = h2.device AND l.job_id = h2.job_id
            WHERE h.id = h2.id AND h.job_id = \(job) AND h.released_at IS NULL
            """, logger: logger)
        try await connection.query("""
            UPDATE trainer.device_leases SET job_id = NULL, holder = NULL, acquired_at = NULL, expires_at = NULL
            WHERE job_id = \(job) AND expires_at <= clock_timestamp()
            """, logger: logger)
    }
}
