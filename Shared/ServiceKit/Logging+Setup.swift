import Foundation
import JSON
import Logging

public enum LogFormat: String, CaseIterable, Sendable {
    case json
    case text
}

public enum LogSetup {
    /// Bootstraps swift-log once per process.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

/// One JSON object per line on standard error, for log shippers.
public struct JSONLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = render(event)
        line.append(0x0A)
        FileHandle.standardError.write(Data(line))
    }

    /// One event as a JSON object with sorted keys (metadata of the handler,
    /// then the event's, which wins).
    func render(_ event: LogEvent) -> [UInt8] {
        var fields: [String: JSONValue] = [
            "time": .string(Self.timestamp()),
            "level": .string(event.level.rawValue),
            "logger": .string(label),
            "message": .string(event.message.description),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = Self.json(value)
        }
        if let error = event.error { fields["error"] = .string(String(reflecting: error)) }
        return JSONValue(object: fields).serializedBytes
    }

    /// Metadata as JSON: nested dictionaries with sorted keys, like the top level.
    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let string): return .string(string)
        case .stringConvertible(let convertible): return .string(convertible.description)
        case .array(let array): return .array(array.map(json))
        case .dictionary(let dictionary): return JSONValue(object: dictionary.mapValues(json))
        }
    }

    private static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var tmValue = tm()
        var seconds = ts.tv_sec
        gmtime_r(&seconds, &tmValue)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tmValue.tm_year + 1900, tmValue.tm_mon + 1, tmValue.tm_mday, tmValue.tm_hour, tmValue.tm_min, tmValue.tm_sec, Int(ts.tv_nsec / 1_000_000))
    }
}
