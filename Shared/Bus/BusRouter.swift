import Foundation
import Contracts
import Logging
import Metrics
import SwiftProtobuf
import Synchronization

/// Maps method names to typed handlers. Built before the worker starts, then
/// read concurrently by every slot.
public struct BusRouter: Sendable {
    // The body is read in place from the received envelope (a slice of it) and
    // the output is written once, then framed by `ResponseEnvelope`: no copy of
    // either into a generated envelope message and back out.
    typealias RawHandler = @Sendable (_ body: ArraySlice<UInt8>, _ context: BusContext) async throws -> [UInt8]
    typealias ImmediateRawHandler = @Sendable (_ body: ArraySlice<UInt8>, _ context: BusContext) throws -> [UInt8]

    public let service: String
    private var handlers: [String: RawHandler] = [:]
    private var immediateHandlers: [String: ImmediateRawHandler] = [:]
    private let timers = HandlerTimers()

    public init(service: String) {
        self.service = service
    }

    public var methods: [String] { (Array(handlers.keys) + Array(immediateHandlers.keys)).sorted() }

    /// Registers a handler that never suspends and finishes in microseconds
    /// (a lookup, a small computation): it runs on the worker's I/O thread as
    /// the request arrives, with no hand-off to Swift concurrency and back.
    /// Anything that awaits or may take long belongs in `on`.
    public mutating func onImmediate<Input, Output>(
        _ method: BusMethod<Input, Output>,
        _ handler: @escaping @Sendable (Input, BusContext) throws -> Output
    ) {
        precondition(method.service == service, "method \(method.name) belongs to \(method.service), not \(service)")
        precondition(handlers[method.name] == nil && immediateHandlers[method.name] == nil, "method \(method.name) registered twice")
        let mutating = method.isMutating
        immediateHandlers[method.name] = { body, context in
            let input: Input = try Self.decode(body)
            if mutating { _ = try context.requireIdempotencyKey() }
            return try handler(input, context).serializedBytes()
        }
    }

    /// Registers the handler of one method: decode, run, encode.
    public mutating func on<Input, Output>(
        _ method: BusMethod<Input, Output>,
        _ handler: @escaping @Sendable (Input, BusContext) async throws -> Output
    ) {
        precondition(method.service == service, "method \(method.name) belongs to \(method.service), not \(service)")
        precondition(handlers[method.name] == nil && immediateHandlers[method.name] == nil, "method \(method.name) registered twice")
        let mutating = method.isMutating
        handlers[method.name] = { body, context in
            let input: Input = try Self.decode(body)
            if mutating { _ = try context.requireIdempotencyKey() }
            let output = try await handler(input, context)
            return try output.serializedBytes()
        }
    }

    private static func decode<Input: SwiftProtobuf.Message>(_ body: ArraySlice<UInt8>) throws -> Input {
        var input = Input()
        do {
            try input.merge(serializedBytes: body.span.bytes)
        } catch {
            throw BusError.invalidArgument(field: "body", "not a valid \(Input.protoMessageName): \(error)")
        }
        return input
    }

    /// Serves one serialized Request and always produces a serialized Response.
    public func handle(requestBytes: [UInt8], logger: Logger) async -> [UInt8] {
        var call = Call(service: service, logger: logger, timers: timers)
        call.logsEachCall = true
        do {
            let (request, context) = try call.begin(requestBytes)
            let body = requestBytes[request.body]
            if let immediate = immediateHandlers[request.method] {
                return call.finish(.success(try immediate(body, context)))
            }
            guard let handler = handlers[request.method] else { throw call.unknownMethod() }
            return call.finish(.success(try await handler(body, context)))
        } catch {
            return call.finish(.failure(error))
        }
    }

    /// The response, when the request's method was registered with
    /// `onImmediate`: served right here, on the caller's thread. nil otherwise.
    public func handleImmediately(requestBytes: [UInt8], logger: Logger) -> [UInt8]? {
        guard !immediateHandlers.isEmpty else { return nil }
        var call = Call(service: service, logger: logger, timers: timers)
        do {
            let (request, context) = try call.begin(requestBytes)
            guard let immediate = immediateHandlers[request.method] else { return nil }
            return call.finish(.success(try immediate(requestBytes[request.body], context)))
        } catch {
            // A bad envelope or a passed deadline: answered here like anywhere else.
            return call.finish(.failure(error))
        }
    }
}

/// One request's way through the router: decode and check the envelope, then
/// turn the handler's result into a Response (errors mapped once, here) and
/// record its duration.
private struct Call {
    let service: String
    let logger: Logger
    let timers: HandlerTimers
    let start = ContinuousClock.now
    var requestId = ""
    var traceId = ""
    var methodLabel = "?"
    /// Set on the async path: each call it serves is logged at debug level with
    /// its trace id, so one gateway request can be followed through every
    /// service's log. (The immediate path, the bus benchmark's, stays quiet.)
    var logsEachCall = false

    init(service: String, logger: Logger, timers: HandlerTimers) {
        self.service = service
        self.logger = logger
        self.timers = timers
    }

    mutating func begin(_ requestBytes: [UInt8]) throws -> (EnvelopePeek, BusContext) {
        guard let request = EnvelopePeek(requestBytes) else { throw Self.invalidEnvelope }
        requestId = request.requestId
        methodLabel = request.method
        var metadata = Mlops_V1_Metadata()
        if let range = request.metadata {
            do { try metadata.merge(serializedBytes: requestBytes[range].span.bytes) } catch { throw Self.invalidEnvelope }
        }
        traceId = metadata.traceID
        let context = BusContext(requestId: request.requestId, method: request.method, metadata: metadata, logger: logger)
        let deadline = request.deadlineUnixMs
        if deadline != 0 && deadline <= unixMillisNow() {
            throw BusError.deadlineExceeded("deadline passed before the handler started")
        }
        return (request, context)
    }

    mutating func unknownMethod() -> BusError {
        let method = methodLabel
        methodLabel = "unknown"
        return BusError(.unimplemented, "service '\(service)' has no method '\(method)'")
    }

    static let invalidEnvelope = BusError.invalidArgument(field: "request", "not a valid bus Request envelope")

    mutating func finish(_ result: Result<[UInt8], any Error>) -> [UInt8] {
        let status: Mlops_V1_Status
        switch result {
        case .success(let body):
            record(.ok)
            return ResponseEnvelope.ok(id: requestId, body: body)
        case .failure(let error as BusError):
            status = error.status
            if error.code == .internal { logger.error("handler failed", metadata: callMetadata(["error": .string(error.message)])) }
        case .failure(is SwiftProtobuf.BinaryDecodingError):
            status = Self.invalidEnvelope.status
        case .failure(let error):
            // An unexpected error: log the detail here, send only a generic message out.
            logger.error("handler failed", metadata: callMetadata(["error": .string(String(reflecting: error))]))
            status = BusError.internal("internal error while handling \(methodLabel)").status
        }
        record(status.code)
        var response = Mlops_V1_Response()
        response.id = requestId
        response.status = status
        return (try? response.serializedBytes()) ?? []
    }

    private func record(_ code: Mlops_V1_StatusCode) {
        let elapsed = start.duration(to: .now)
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        timers.timer(service: service, method: methodLabel, code: code).recordNanoseconds(nanoseconds)
        if logsEachCall {
            logger.debug("handled", metadata: callMetadata([
                "code": .string("\(code)"), "duration_ms": .stringConvertible(Double(nanoseconds / 1000) / 1000),
            ]))
        }
    }

    /// The call's method, request id and (when the caller sent one) trace id, beside `extra`.
    private func callMetadata(_ extra: Logger.Metadata) -> Logger.Metadata {
        var metadata = extra
        metadata["method"] = .string(methodLabel)
        metadata["request_id"] = .string(requestId)
        if !traceId.isEmpty { metadata["trace_id"] = .string(traceId) }
        return metadata
    }
}

/// `bus_handler_duration_seconds` per method and status, made once each:
/// making a metric looks it up by label and dimensions in the backend.
private final class HandlerTimers: Sendable {
    private struct Key: Hashable {
        var method: String
        var code: Mlops_V1_StatusCode
    }

    private let timers = Mutex<[Key: Timer]>([:])

    func timer(service: String, method: String, code: Mlops_V1_StatusCode) -> Timer {
        let key = Key(method: method, code: code)
        if let timer = timers.withLock({ $0[key] }) { return timer }
        let timer = Timer(label: "bus_handler_duration_seconds", dimensions: [("service", service), ("method", method), ("code", "\(code)")])
        timers.withLock { $0[key] = timer }
        return timer
    }
}
