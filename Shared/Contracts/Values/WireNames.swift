// Hand-written, unlike the generated *.pb.swift files.

/// A proto enum's spelling in REST, in the database and in the services'
/// rules: the one table per enum, so no layer keeps its own copy of the set.
/// The unspecified value has no name (an empty filter, a field not given).
public protocol WireNamed: Sendable, Equatable {
    /// Every named value, in declaration order.
    static var named: [(name: String, value: Self)] { get }
}

extension WireNamed {
    /// nil for the unspecified value and for values this build does not know.
    public var name: String? { Self.named.first { $0.value == self }?.name }

    public init?(name: String) {
        guard let value = Self.named.first(where: { $0.name == name })?.value else { return nil }
        self = value
    }

    public static var names: [String] { named.map(\.name) }

    /// "a, b, c": for messages that list the choices.
    public static var namesList: String { names.joined(separator: ", ") }
}

extension Mlops_V1_Dataset_DatasetStatus: WireNamed {
    public static let named: [(name: String, value: Self)] = [
        ("active", .active), ("deprecated", .deprecated), ("archived", .archived), ("rejected", .rejected),
    ]
    /// The statuses a user may set (rejected is the ingest's verdict).
    public static let settable: [Self] = [.active, .deprecated, .archived]
}

extension Mlops_V1_Dataset_SourceFormat: WireNamed {
    public static let named: [(name: String, value: Self)] = [
        ("jsonl", .jsonl), ("json", .json), ("csv", .csv), ("parquet", .parquet), ("derived", .derived),
    ]
}

extension Mlops_V1_Trainer_JobStatus: WireNamed {
    public static let named: [(name: String, value: Self)] = [
        ("pending", .pending), ("queued", .queued), ("running", .running), ("stopping", .stopping),
        ("completed", .completed), ("failed", .failed), ("stopped", .stopped),
    ]
    /// No runner and no lease any more: what a log follower waits for.
    public var isTerminal: Bool { self == .completed || self == .failed || self == .stopped }
}

extension Mlops_V1_Registry_ModelFormat: WireNamed {
    public static let named: [(name: String, value: Self)] = [
        ("huggingface", .huggingface), ("gguf", .gguf), ("awq", .awq), ("safetensors", .safetensors),
    ]
    /// What an unspecified format means.
    public static let standard: Self = .huggingface
}

extension Mlops_V1_Registry_Stage: WireNamed {
    public static let named: [(name: String, value: Self)] = [
        ("staging", .staging), ("production", .production), ("archived", .archived),
    ]
}
