import Foundation

/// Every problem found in the environment, reported together.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String {
        "invalid configuration (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Reads typed settings from environment variables, collecting every bad or
/// missing one instead of stopping at the first; `validate()` then throws them all.
public struct EnvironmentReader {
    public let values: [String: String]
    public private(set) var problems: [String] = []

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    private func raw(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    public mutating func problem(_ name: String, _ reason: String) {
        problems.append("\(name): \(reason)")
    }

    /// A required string when `default` is nil.
    public mutating func string(_ name: String, default defaultValue: String? = nil) -> String {
        if let value = raw(name) { return value }
        if let defaultValue { return defaultValue }
        problem(name, "required but not set")
        return ""
    }

    public mutating func optionalString(_ name: String) -> String? { raw(name) }

    public mutating func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Int(text) else {
            problem(name, "'\(text)' is not an integer")
            return defaultValue
        }
        guard range.contains(value) else {
            problem(name, "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
            return defaultValue
        }
        return value
    }

    public mutating func bool(_ name: String, default defaultValue: Bool) -> Bool {
        guard let text = raw(name)?.lowercased() else { return defaultValue }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problem(name, "'\(text)' is not a boolean (true/false)")
            return defaultValue
        }
    }

    public mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, default defaultValue: T) -> T where T.RawValue == String {
        guard let text = raw(name) else { return defaultValue }
        guard let value = T(rawValue: text.lowercased()) else {
            problem(name, "'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return defaultValue
        }
        return value
    }

    /// A ZeroMQ endpoint: tcp://host:port, ipc://path or inproc://name.
    public mutating func zmqEndpoint(_ name: String, default defaultValue: String) -> String {
        let value = string(name, default: defaultValue)
        let pattern = #"^(tcp://[^:/\s]+:[0-9]{1,5}|ipc://\S+|inproc://\S+)$"#
        if value.range(of: pattern, options: .regularExpression) == nil {
            problem(name, "'\(value)' is not a ZeroMQ endpoint like tcp://127.0.0.1:5555")
        }
        return value
    }

    /// A directory that exists or can be created.
    public mutating func directory(_ name: String, default defaultValue: String) -> URL {
        let path = string(name, default: defaultValue)
        let url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            problem(name, "cannot create directory '\(path)': \(error.localizedDescription)")
        }
        return url
    }

    public func validate() throws(ConfigurationError) {
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }
}
