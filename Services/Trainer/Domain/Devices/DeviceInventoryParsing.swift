/// Why a device inventory could not be read.
public enum DeviceInventoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `nvidia-smi` printed no device line.
    case noGPUs
    /// Line `line` (1-based) of the `nvidia-smi` output is not `index, name, total, used, util`.
    case malformedNvidiaSMILine(line: Int, text: String, reason: String)
    /// The same device appears twice.
    case duplicateDevice(DeviceID)
    /// `TRAINER_DEVICES` is not `cpu:N` or `gpu:I,J,…`.
    case invalidTrainerDevices(value: String, reason: String)

    public var description: String {
        switch self {
        case .noGPUs:
            "no GPU listed"
        case .malformedNvidiaSMILine(let line, let text, let reason):
            "line \(line) \"\(text)\": \(reason)"
        case .duplicateDevice(let id):
            "\(id) is listed twice"
        case .invalidTrainerDevices(let value, let reason):
            "TRAINER_DEVICES=\"\(value)\": \(reason)"
        }
    }
}

extension DeviceInventory {
    /// The largest `cpu:N`.
    public static let maxCPUSlots = 256

    /// Parses the output of
    /// `nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu --format=csv,noheader,nounits`,
    /// one GPU a line: `0, NVIDIA H100 80GB HBM3, 81559, 0, 0`. Blank lines are
    /// skipped; memory (MiB) and utilization (%) may be `[N/A]` / `[Not Supported]`
    /// (→ nil); a name containing commas is kept whole.
    public static func parse(nvidiaSMI output: String) throws(DeviceInventoryError) -> DeviceInventory {
        var devices: [Device] = []
        let lines = output.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (offset, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingASCIIWhitespace()
            if line.isEmpty { continue }
            let device = try parseNvidiaSMILine(line, number: offset + 1)
            if devices.contains(where: { $0.id == device.id }) { throw .duplicateDevice(device.id) }
            devices.append(device)
        }
        guard !devices.isEmpty else { throw .noGPUs }
        return DeviceInventory(devices: devices, source: .nvidiaSMI)
    }

    private static func parseNvidiaSMILine(_ line: String, number: Int) throws(DeviceInventoryError) -> Device {
        func bad(_ reason: String) -> DeviceInventoryError {
            .malformedNvidiaSMILine(line: number, text: line, reason: reason)
        }
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingASCIIWhitespace() }
        guard fields.count >= 5 else { throw bad("expected 5 comma-separated fields, got \(fields.count)") }
        guard let index = DeviceID.parseIndex(fields[0]) else { throw bad("index \"\(fields[0])\" is not a number") }
        let name = fields[1..<(fields.count - 3)].joined(separator: ", ")
        var numbers: [Int?] = []
        for (label, text) in zip(["memory.total", "memory.used", "utilization.gpu"], fields.suffix(3)) {
            if text.hasPrefix("[") || text == "N/A" {
                numbers.append(nil)
            } else if let value = Int(text), value >= 0 {
                numbers.append(value)
            } else {
                throw bad("\(label) \"\(text)\" is not a number")
            }
        }
        return Device(id: .gpu(index), name: name.isEmpty ? "GPU" : name,
                      memoryTotalMiB: numbers[0], memoryUsedMiB: numbers[1], utilizationPercent: numbers[2])
    }

    /// Parses `TRAINER_DEVICES`: `cpu:N` (N CPU slots, 1…256) or `gpu:I,J,…`
    /// (those GPU indices). Spaces around parts are ignored.
    public static func parse(trainerDevices value: String) throws(DeviceInventoryError) -> DeviceInventory {
        func bad(_ reason: String) -> DeviceInventoryError { .invalidTrainerDevices(value: value, reason: reason) }
        let text = value.trimmingASCIIWhitespace()
        guard !text.isEmpty else { throw bad("is empty") }
        guard let colon = text.firstIndex(of: ":") else { throw bad("expected cpu:N or gpu:I,J,…") }
        let kind = text[..<colon].trimmingASCIIWhitespace().lowercased()
        let rest = text[text.index(after: colon)...].trimmingASCIIWhitespace()
        switch kind {
        case "cpu":
            guard let count = DeviceID.parseIndex(rest), (1...maxCPUSlots).contains(count) else {
                throw bad("cpu needs a slot count from 1 to \(maxCPUSlots), got \"\(rest)\"")
            }
            return cpuSlots(count, source: .configured)
        case "gpu":
            var devices: [Device] = []
            for part in rest.split(separator: ",", omittingEmptySubsequences: false) {
                let token = part.trimmingASCIIWhitespace()
                guard let index = DeviceID.parseIndex(token) else {
                    throw bad("GPU index \"\(token)\" is not a number")
                }
                if devices.contains(where: { $0.id == .gpu(index) }) { throw .duplicateDevice(.gpu(index)) }
                devices.append(Device(id: .gpu(index), name: "GPU \(index) (configured)"))
            }
            return DeviceInventory(devices: devices, source: .configured)
        default:
            throw bad("unknown device kind \"\(kind)\" (use cpu or gpu)")
        }
    }
}
