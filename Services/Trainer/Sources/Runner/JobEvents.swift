import Bus
import Contracts
import Foundation
import JSON
import TrainerDomain

/// Publishes a job's live events on `trainer.job.<id>` (pub/sub: may drop;
/// the rows and the log file are the record). `data` is the SSE event's JSON.
struct JobEvents: Sendable {
    let publisher: BusPublisher

    func publish(_ jobID: Int64, _ kind: String, _ fields: [String: JSONValue]) {
        var data = fields
        data["job_id"] = .int(jobID)
        if data["time"] == nil { data["time"] = .double(Date().timeIntervalSince1970) }
        var event = Mlops_V1_Trainer_JobEvent()
        event.jobID = jobID
        event.kind = kind
        event.dataJson = JSONValue(object: data).serialized
        guard let body: [UInt8] = try? event.serializedBytes() else { return }
        publisher.publish(topic: TrainerMethods.jobEventTopic(jobID), body: body)
    }

    func state(_ jobID: Int64, _ state: JobState, reason: String) {
        publish(jobID, "state", ["status": .string(state.rawValue), "reason": .string(reason)])
    }
}

/// Appends human-readable lines to a job's log file (the runner's stderr goes
/// to the same file, with O_APPEND, so lines interleave whole).
final class JobLog: Sendable {
    let path: String
    private let fd: Int32

    init(path: String) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    }

    deinit { if fd >= 0 { close(fd) } }

    func write(_ level: String, _ message: String, time: Double? = nil) {
        guard fd >= 0 else { return }
        let date = Date(timeIntervalSince1970: time ?? Date().timeIntervalSince1970)
        let line = "\(JobLog.timestamp(date)) \(level.uppercased()) \(message)\n"
        _ = line.utf8CString.withUnsafeBufferPointer { Foundation.write(fd, $0.baseAddress, $0.count - 1) }
    }

    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, Int(millis % 1000))
    }

    /// The last `count` lines of a file, reading backwards in chunks (a log can be large).
    static func tail(path: String, count: Int) throws -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        var offset = size
        var data = Data()
        let chunk: UInt64 = 64 * 1024
        while offset > 0 {
            let start = offset > chunk ? offset - chunk : 0
            try handle.seek(toOffset: start)
            let piece = handle.readData(ofLength: Int(offset - start))
            data.insert(contentsOf: piece, at: 0)
            offset = start
            if data.reduce(0, { $0 + ($1 == 10 ? 1 : 0) }) > count { break }
        }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return Array(lines.suffix(count))
    }
}
