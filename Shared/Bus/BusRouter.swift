import Foundation
import Contracts
import Logging
import Metrics
import SwiftProtobuf

/// Maps method names to typed handlers. Built before the worker starts, then
/// read concurrently by every slot.
public struct BusRouter: Sendable {
    public typealias RawHandler = @Sendable (_ body: [UInt8], _ context: BusContext) async throws -> [UInt8]

    public let service: String
    private var handlers: [String: RawHandler] = [:]

    public init(service: String) {
        self.service = service
    }

    public var methods: [String] { handlers.keys.sorted() }

    /// Registers the handler of one method: decode, run, encode.
    public mutating func on<Input, Output>(
        _ method: BusMethod<Input, Output>,
        _ handler: @escaping @Sendable (Input, BusContext) async throws -> Output
    ) {
        precondition(method.service == service, "method \(method.name) belongs to \(method.service), not \(service)")
        precondition(handlers[method.name] == nil, "method \(method.name) registered twice")
        let mutating = method.isMutating
        handlers[method.name] = { body, context in
            let input: Input
            do {
                input = try Input(serializedBytes: body)
            } catch {
                throw BusError.invalidArgument(field: "body", "not a valid \(Input.protoMessageName): \(error)")
            }
            if mutating { _ = try context.requireIdempotencyKey() }
            let output = try await handler(input, context)
            return try output.serializedBytes()
        }
    }

    /// Serves one serialized Request and always produces a serialized Response.
    public func handle(requestBytes: [UInt8], logger: Logger) async -> [UInt8] {
        var response = Mlops_V1_Response()
        let start = ContinuousClock.now
        var methodLabel = "?"
        do {
            let request = try Mlops_V1_Request(serializedBytes: requestBytes)
            response.id = request.id
            methodLabel = request.method
            var context = BusContext(requestId: request.id, method: request.method, metadata: request.metadata, logger: logger)
            context.logger[metadataKey: "request_id"] = .string(request.id)
            if !request.metadata.traceID.isEmpty { context.logger[metadataKey: "trace_id"] = .string(request.metadata.traceID) }
            let deadline = request.metadata.deadlineUnixMs
            if deadline != 0 && deadline <= unixMillisNow() {
                throw BusError.deadlineExceeded("deadline passed before the handler started")
            }
            guard let handler = handlers[request.method] else {
                methodLabel = "unknown"
                throw BusError(.unimplemented, "service '\(service)' has no method '\(request.method)'")
            }
            response.body = Data(try await handler(Array(request.body), context))
            response.status.code = .ok
        } catch let error as BusError {
            response.status = error.status
            if error.code == .internal { logger.error("handler failed", metadata: ["method": .string(methodLabel), "error": .string(error.message)]) }
        } catch is SwiftProtobuf.BinaryDecodingError {
            response.status = BusError.invalidArgument(field: "request", "not a valid bus Request envelope").status
        } catch {
            // An unexpected error: log the detail here, send only a generic message out.
            logger.error("handler failed", metadata: ["method": .string(methodLabel), "error": .string(String(reflecting: error))])
            response.status = BusError.internal("internal error while handling \(methodLabel)").status
        }
        let elapsed = start.duration(to: .now)
        Timer(label: "bus_handler_duration_seconds", dimensions: [("service", service), ("method", methodLabel), ("code", "\(response.status.code)")])
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return (try? response.serializedBytes()) ?? []
    }
}

