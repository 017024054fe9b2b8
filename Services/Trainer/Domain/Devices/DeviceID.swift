/// One schedulable device: `gpu0`, `gpu1`, … (CUDA index) or `cpu0`, `cpu1`, …
/// (CPU slots, used when there is no GPU). At most one job runs on a device.
///
/// Ordered GPUs first, then by index (`gpu2` < `gpu10` < `cpu0`).
public struct DeviceID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case gpu, cpu
    }

    public let kind: Kind
    public let index: Int

    public init(kind: Kind, index: Int) {
        precondition(index >= 0, "device index must be ≥ 0")
        self.kind = kind
        self.index = index
    }

    public static func gpu(_ index: Int) -> DeviceID { DeviceID(kind: .gpu, index: index) }
    public static func cpu(_ index: Int) -> DeviceID { DeviceID(kind: .cpu, index: index) }

    /// Parses `gpu0` / `cpu3` exactly (lowercase, decimal index without sign or leading zeros).
    public init?(_ text: String) {
        let kind: Kind
        if text.hasPrefix("gpu") { kind = .gpu } else if text.hasPrefix("cpu") { kind = .cpu } else { return nil }
        guard let index = DeviceID.parseIndex(String(text.dropFirst(3))) else { return nil }
        self.init(kind: kind, index: index)
    }

    /// A decimal index: digits only, no leading zeros (except "0"), at most 6 digits.
    static func parseIndex(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 6, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              text == "0" || !text.hasPrefix("0") else { return nil }
        return Int(text)
    }

    public var description: String { "\(kind.rawValue)\(index)" }

    public static func < (lhs: DeviceID, rhs: DeviceID) -> Bool {
        if lhs.kind != rhs.kind { return lhs.kind == .gpu }
        return lhs.index < rhs.index
    }

    /// The `CUDA_VISIBLE_DEVICES` value for a job on these devices: the GPU
    /// indices in order, comma-separated; "" (no GPU visible) for CPU slots.
    public static func cudaVisibleDevices(_ devices: [DeviceID]) -> String {
        devices.filter { $0.kind == .gpu }.sorted().map { String($0.index) }.joined(separator: ",")
    }
}

extension DeviceID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = DeviceID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a device id: \(text)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
