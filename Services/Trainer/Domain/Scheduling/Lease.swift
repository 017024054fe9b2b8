import Foundation

/// A device lease row: `jobID` may use `device` until `expiresAt`; the
/// owning trainer renews it by heartbeat. Once expired the device is free
/// and the job counts as lost (ARCHITECTURE.md, Reliability).
public struct Lease: Sendable, Hashable {
    public var device: DeviceID
    public var jobID: Int64
    public var expiresAt: Date

    public init(device: DeviceID, jobID: Int64, expiresAt: Date) {
        self.device = device
        self.jobID = jobID
        self.expiresAt = expiresAt
    }

    /// Held until strictly before `expiresAt`; at `expiresAt` it is expired.
    public func isActive(at now: Date) -> Bool { now < expiresAt }

    /// The lease extended to `now + ttl` (a heartbeat).
    public func renewed(at now: Date, ttl: TimeInterval) -> Lease {
        Lease(device: device, jobID: jobID, expiresAt: now.addingTimeInterval(ttl))
    }
}

/// A job waiting for devices.
public struct QueuedJob: Sendable, Hashable {
    public var id: Int64
    /// Higher runs first.
    public var priority: Int
    /// Older runs first among equal priorities (then the lower id).
    public var createdAt: Date
    public var request: DeviceRequest

    public init(id: Int64, priority: Int, createdAt: Date, request: DeviceRequest) {
        self.id = id
        self.priority = priority
        self.createdAt = createdAt
        self.request = request
    }
}

/// A job this trainer believes is running on `devices`.
public struct RunningJob: Sendable, Hashable {
    public var id: Int64
    public var devices: [DeviceID]

    public init(id: Int64, devices: [DeviceID]) {
        self.id = id
        self.devices = devices
    }
}

/// The scheduler's decision for one pass.
public struct SchedulePlan: Sendable, Hashable {
    /// Jobs to start now, in queue order, each with its devices (sorted).
    public var starts: [Start]
    /// Satisfiable jobs that must wait, in queue order, with the free devices
    /// held back for them (see `LeaseScheduler`).
    public var waiting: [Waiting]
    /// Jobs whose request no inventory state can ever satisfy, in queue order.
    public var unsatisfiable: [Unsatisfiable]

    public struct Start: Sendable, Hashable {
        public var jobID: Int64
        public var devices: [DeviceID]
    }

    public struct Waiting: Sendable, Hashable {
        public var jobID: Int64
        public var reserved: [DeviceID]
    }

    public struct Unsatisfiable: Sendable, Hashable {
        public var jobID: Int64
        public var reason: String
    }

    /// The lease rows to insert for `starts`, expiring at `now + ttl`.
    public func leases(now: Date, ttl: TimeInterval) -> [Lease] {
        starts.flatMap { start in
            start.devices.map { Lease(device: $0, jobID: start.jobID, expiresAt: now.addingTimeInterval(ttl)) }
        }
    }
}
