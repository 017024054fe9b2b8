import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One Server-Sent Event: its `event:` name ("message" when none was given),
/// its `data:` lines joined by newlines, and the last `id:` seen.
struct ServerSentEvent: Sendable, Equatable {
    var event = "message"
    var data = ""
    var id: String?
}

/// The `text/event-stream` framing: `field: value` lines, a blank line ends an
/// event, lines starting with `:` are comments (keepalives). Bytes go in as
/// they arrive, in chunks of any size; events come out when complete.
struct ServerSentEventParser {
    private var buffer: [UInt8] = []
    private var event: String?
    private var data: [String] = []
    private var lastID: String?

    mutating func feed(_ chunk: Data) -> [ServerSentEvent] {
        buffer.append(contentsOf: chunk)
        var events: [ServerSentEvent] = []
        var start = 0
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var end = newline
            if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if let event = line(String(decoding: buffer[start..<end], as: UTF8.self)) { events.append(event) }
            start = newline + 1
        }
        buffer.removeFirst(start)
        return events
    }

    /// The end of the stream: an event not closed by a blank line is dropped (as the spec says).
    mutating func finish() {
        buffer.removeAll()
        event = nil
        data.removeAll()
    }

    private mutating func line(_ line: String) -> ServerSentEvent? {
        if line.isEmpty {
            defer {
                event = nil
                data.removeAll()
            }
            guard !data.isEmpty else { return nil }
            return ServerSentEvent(event: event ?? "message", data: data.joined(separator: "\n"), id: lastID)
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = Substring(line)
            value = ""
        }
        switch field {
        case "event": event = String(value)
        case "data": data.append(String(value))
        case "id" where !value.contains("\0"): lastID = String(value)
        default: break // `retry:` and unknown fields
        }
        return nil
    }
}

/// A streaming GET of `text/event-stream`. FoundationNetworking on Linux has no
/// `URLSession.bytes(for:)`, so a data delegate feeds each chunk through the
/// parser into an AsyncThrowingStream. A non-2xx answer ends the stream with
/// the same readable error `APIClient.send` throws; ending the iteration
/// cancels the request.
enum EventStream {
    static func events(_ request: URLRequest) -> AsyncThrowingStream<ServerSentEvent, any Error> {
        AsyncThrowingStream { continuation in
            let delegate = Delegate(continuation: continuation, method: request.httpMethod ?? "GET", path: request.url?.path ?? "")
            let queue = OperationQueue()
            queue.maxConcurrentOperationCount = 1
            let configuration = URLSessionConfiguration.default
            // The idle limit between chunks; the server's keepalive comments reset it.
            configuration.timeoutIntervalForRequest = request.timeoutInterval
            configuration.timeoutIntervalForResource = 7 * 24 * 3600
            let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
            let task = session.dataTask(with: request)
            continuation.onTermination = { _ in
                task.cancel()
                session.invalidateAndCancel()
            }
            task.resume()
            session.finishTasksAndInvalidate()
        }
    }

    /// Runs only on the session's serial delegate queue, hence unchecked.
    private final class Delegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        let continuation: AsyncThrowingStream<ServerSentEvent, any Error>.Continuation
        let method: String
        let path: String
        private var parser = ServerSentEventParser()
        /// The body of a non-2xx answer (a problem+json), collected for the error.
        private var failure: (status: Int, body: Data)?

        init(continuation: AsyncThrowingStream<ServerSentEvent, any Error>.Continuation, method: String, path: String) {
            self.continuation = continuation
            self.method = method
            self.path = path
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            if !(200..<300).contains(status) { failure = (status, Data()) }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            if failure != nil {
                failure?.body.append(data)
                return
            }
            for event in parser.feed(data) { continuation.yield(event) }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            parser.finish()
            if let failure {
                continuation.finish(throwing: APIClient.failure(method, path, status: failure.status, body: failure.body))
            } else if let error {
                continuation.finish(throwing: error)
            } else {
                continuation.finish()
            }
        }
    }
}
