import Foundation

/// The process's peak resident set so far (VmHWM), for the processing logs.
enum ProcessMemory {
    static var peakMB: Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}

func jsonText(_ object: Any) -> String {
    (try? String(decoding: JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)) ?? "{}"
}

func jsonString(_ text: String) -> String {
    (try? String(decoding: JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed]), as: UTF8.self)) ?? "\"\""
}

/// Adds `key: value` to a JSON object text.
func mergeJSON(_ object: String, key: String, valueJSON: String) -> String {
    guard var dictionary = (try? JSONSerialization.jsonObject(with: Data(object.utf8))) as? [String: Any],
          let value = try? JSONSerialization.jsonObject(with: Data(valueJSON.utf8), options: [.fragmentsAllowed]) else { return object }
    dictionary[key] = value
    return jsonText(dictionary)
}
