import Foundation

/// Decides which queued jobs start on which devices (pure: the service reads
/// leases and queued jobs, calls `plan`, inserts the leases in one
/// transaction, then launches the runners).
///
/// Rules:
/// - **Queue order**: higher `priority` first, then older `createdAt`, then lower id.
/// - **Free device**: in the inventory and with no active lease (an expired
///   lease counts as free). Leases on devices outside the inventory are ignored.
/// - `gpu_ids` jobs wait for exactly those devices; `count` jobs take any free
///   ones, preferring devices fewer waiting `gpu_ids` jobs ask for (then the
///   lowest id), so a count job does not needlessly block a pinned one.
/// - Never two jobs on one device.
/// - **Unsatisfiable** (reported, never blocks others): unknown device ids, a
///   count larger than the inventory, an empty request.
/// - **Reservation (no starvation)**: a satisfiable job that cannot start now
///   holds back the free devices it could use, so jobs behind it in queue
///   order cannot take them: a `gpu_ids` job reserves its free requested
///   devices; a `count` job reserves every remaining free device (it needs more
///   than are free). A big job at the head thus collects devices as they free
///   up instead of being overtaken forever by later small jobs; jobs behind it
///   still start on devices it cannot use (another `gpu_ids` job on other
///   devices). Only a job ahead in queue order — higher priority, or same
///   priority and older — can take a device before it. Without run-time
///   estimates there is no backfilling onto reserved devices.
public enum LeaseScheduler {
    /// Queue order: `a` goes before `b`.
    public static func precedes(_ a: QueuedJob, _ b: QueuedJob) -> Bool {
        if a.priority != b.priority { return a.priority > b.priority }
        if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
        return a.id < b.id
    }

    /// Devices of the inventory with no active lease, sorted.
    public static func freeDevices(inventory: [DeviceID], leases: [Lease], now: Date) -> [DeviceID] {
        let busy = Set(leases.filter { $0.isActive(at: now) }.map(\.device))
        return Set(inventory).subtracting(busy).sorted()
    }

    /// Why `request` can never be satisfied by `inventory`, or nil.
    public static func unsatisfiableReason(_ request: DeviceRequest, inventory: Set<DeviceID>) -> String? {
        switch request {
        case .ids(let ids):
            if ids.isEmpty { return "asks for no device" }
            let unknown = Set(ids).subtracting(inventory).sorted()
            if unknown.isEmpty { return nil }
            let names = unknown.map(\.description).joined(separator: ", ")
            return "\(names) \(unknown.count == 1 ? "is" : "are") not in the inventory (\(inventoryList(inventory)))"
        case .count(let count):
            if count < 1 { return "asks for no device" }
            if count > inventory.count {
                return "asks for \(count) device\(count == 1 ? "" : "s"); the inventory has \(inventory.count) (\(inventoryList(inventory)))"
            }
            return nil
        }
    }

    /// One scheduling pass at `now`. Duplicate job ids in `queue` count once
    /// (the first in queue order).
    public static func plan(inventory: [DeviceID], leases: [Lease], queue: [QueuedJob], now: Date) -> SchedulePlan {
        let inventorySet = Set(inventory)
        var free = Set(freeDevices(inventory: inventory, leases: leases, now: now))
        var seen = Set<Int64>()
        let ordered = queue.sorted(by: precedes).filter { seen.insert($0.id).inserted }
        let reasons = ordered.map { unsatisfiableReason($0.request, inventory: inventorySet) }

        // How many not-yet-placed gpu_ids jobs want each device.
        var demand: [DeviceID: Int] = [:]
        for (job, reason) in zip(ordered, reasons) where reason == nil {
            if case .ids(let ids) = job.request { for id in Set(ids) { demand[id, default: 0] += 1 } }
        }

        var plan = SchedulePlan(starts: [], waiting: [], unsatisfiable: [])
        for (job, reason) in zip(ordered, reasons) {
            if let reason {
                plan.unsatisfiable.append(.init(jobID: job.id, reason: reason))
                continue
            }
            switch job.request {
            case .ids(let requested):
                let ids = Set(requested)
                for id in ids { demand[id, default: 1] -= 1 }
                if ids.isSubset(of: free) {
                    free.subtract(ids)
                    plan.starts.append(.init(jobID: job.id, devices: ids.sorted()))
                } else {
                    let reserved = ids.intersection(free)
                    free.subtract(reserved)
                    plan.waiting.append(.init(jobID: job.id, reserved: reserved.sorted()))
                }
            case .count(let count):
                if free.count >= count {
                    let chosen = free.sorted { (demand[$0] ?? 0, $0) < (demand[$1] ?? 0, $1) }.prefix(count)
                    free.subtract(chosen)
                    plan.starts.append(.init(jobID: job.id, devices: chosen.sorted()))
                } else {
                    plan.waiting.append(.init(jobID: job.id, reserved: free.sorted()))
                    free.removeAll()
                }
            }
        }
        return plan
    }

    /// Running jobs that lost a lease: some device of theirs has no active
    /// lease held by that job (expired, taken over, or missing). They are
    /// re-queued and resume from their last checkpoint. Input order is kept.
    public static func lostJobs(running: [RunningJob], leases: [Lease], now: Date) -> [Int64] {
        struct Hold: Hashable { let device: DeviceID; let jobID: Int64 }
        let held = Set(leases.filter { $0.isActive(at: now) }.map { Hold(device: $0.device, jobID: $0.jobID) })
        return running.filter { job in
            job.devices.isEmpty || job.devices.contains { !held.contains(Hold(device: $0, jobID: job.id)) }
        }.map(\.id)
    }

    /// Leases expired at `now` (to delete).
    public static func expiredLeases(_ leases: [Lease], now: Date) -> [Lease] {
        leases.filter { !$0.isActive(at: now) }
    }

    private static func inventoryList(_ inventory: Set<DeviceID>) -> String {
        inventory.isEmpty ? "empty" : inventory.sorted().map(\.description).joined(separator: ", ")
    }
}
