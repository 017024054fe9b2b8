import SwiftProtobuf

// Hand-written, unlike the generated *.pb.swift files beside this folder.

/// A typed bus method: which service answers it, its name, and its message
/// types. Each service's contract declares these once, and both the worker's
/// router and every caller use the same value, so a name cannot drift.
public struct BusMethod<Input: SwiftProtobuf.Message & Sendable, Output: SwiftProtobuf.Message & Sendable>: Sendable {
    public let service: String
    public let name: String
    /// Whether the method changes state; mutating calls must carry an idempotency key.
    public let isMutating: Bool

    public init(service: String, name: String, isMutating: Bool) {
        self.service = service
        self.name = name
        self.isMutating = isMutating
    }
}
