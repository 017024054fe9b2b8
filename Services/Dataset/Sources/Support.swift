import Foundation
import JSON

/// The process's peak resident set so far (VmHWM), for the processing logs.
enum ProcessMemory {
    static var peakMB: Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}

/// Shorthands for the documents this service writes (statistics, issues, parameters).
extension JSONValue {
    static func integer(_ value: Int) -> JSONValue { .int(Int64(value)) }

    static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    /// Counts by name (findings by kind, hits by category), members sorted by name.
    static func counts(_ counts: [String: Int]) -> JSONValue { JSONValue(object: counts.mapValues(integer)) }
}

/// Adds `key: value` to a JSON object text (replacing a member of that name);
/// the object as it was when either text is not valid JSON.
func mergeJSON(_ object: String, key: String, valueJSON: String) -> String {
    guard case .object(var members)? = try? JSONValue.parse(object), let value = try? JSONValue.parse(valueJSON) else { return object }
    members.removeAll { $0.0 == key }
    members.append((key, value))
    return JSONValue.object(members).serialized
}
