/// One device of the inventory, with what `nvidia-smi` reported (nil where
/// unknown: configured devices, CPU slots, `[N/A]`).
public struct Device: Sendable, Hashable {
    public var id: DeviceID
    public var name: String
    public var memoryTotalMiB: Int?
    public var memoryUsedMiB: Int?
    public var utilizationPercent: Int?

    public init(id: DeviceID, name: String, memoryTotalMiB: Int? = nil, memoryUsedMiB: Int? = nil,
                utilizationPercent: Int? = nil) {
        self.id = id
        self.name = name
        self.memoryTotalMiB = memoryTotalMiB
        self.memoryUsedMiB = memoryUsedMiB
        self.utilizationPercent = utilizationPercent
    }
}

/// The devices this trainer instance schedules jobs on (at most one job per
/// device). Built by `parse(nvidiaSMI:)`, `parse(trainerDevices:)` or
/// `resolve(trainerDevices:nvidiaSMI:)`.
public struct DeviceInventory: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// `TRAINER_DEVICES` was set.
        case configured
        /// Detected with `nvidia-smi`.
        case nvidiaSMI
        /// No GPU found (the reason says why): CPU slots.
        case cpuFallback(reason: String)
    }

    /// Sorted by id, distinct.
    public let devices: [Device]
    public let source: Source

    public init(devices: [Device], source: Source) {
        self.devices = devices.sorted { $0.id < $1.id }
        self.source = source
    }

    public var ids: [DeviceID] { devices.map(\.id) }

    public func device(_ id: DeviceID) -> Device? { devices.first { $0.id == id } }

    /// `n` CPU slots `cpu0 … cpu(n-1)`.
    public static func cpuSlots(_ count: Int, source: Source = .configured) -> DeviceInventory {
        DeviceInventory(devices: (0..<count).map { Device(id: .cpu($0), name: "CPU slot") }, source: source)
    }

    /// Picks the inventory the way the service starts:
    /// 1. `TRAINER_DEVICES` set and not blank → that (a bad value is an error,
    ///    never silently replaced);
    /// 2. else `nvidia-smi` output that lists at least one GPU → those GPUs;
    /// 3. else `cpuFallbackSlots` CPU slots (default 1), with the reason.
    ///
    /// `nvidiaSMI` is nil when the command is missing or failed.
    public static func resolve(trainerDevices: String?, nvidiaSMI: String?,
                               cpuFallbackSlots: Int = 1) throws(DeviceInventoryError) -> DeviceInventory {
        if let configured = trainerDevices, !configured.trimmingASCIIWhitespace().isEmpty {
            return try parse(trainerDevices: configured)
        }
        let reason: String
        if let output = nvidiaSMI {
            do {
                return try parse(nvidiaSMI: output)
            } catch {
                reason = "nvidia-smi: \(error)"
            }
        } else {
            reason = "nvidia-smi is not available"
        }
        return cpuSlots(max(1, cpuFallbackSlots), source: .cpuFallback(reason: reason))
    }
}

extension StringProtocol {
    /// Without leading/trailing spaces, tabs, CR, LF (no Foundation needed).
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
