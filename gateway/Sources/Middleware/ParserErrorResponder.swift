import HTTPTypes
import JSON
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import ServiceKit

/// A request the HTTP parser refuses (a 1 MB header, a malformed request
/// line) never reaches the router; Hummingbird would answer a bare 400. This
/// handler sits after the codec and answers it like every other refusal:
/// problem+json with an `X-Request-Id`, then closes the connection (the
/// parser's state is gone).
final class ParserErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !answered else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !answered else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        let (status, slug, detail) = Self.describe(parserError)
        let requestId = Self.requestId()
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("type"); writer.string("https://mlops.dev/problems/\(slug)")
        writer.key("title"); writer.string(status.reasonPhrase)
        writer.key("status"); writer.int(status.code)
        writer.key("detail"); writer.string(detail)
        writer.key("instance"); writer.string("")
        writer.key("request_id"); writer.string(requestId)
        writer.endObject()
        let body = ByteBuffer(bytes: writer.bytes)
        let head = HTTPResponse(status: status, headerFields: [
            .contentType: "application/problem+json", .contentLength: String(body.readableBytes),
            .connection: "close", HTTPField.Name("X-Request-Id")!: requestId,
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    static func describe(_ error: HTTPParserError) -> (HTTPResponse.Status, String, String) {
        switch error {
        case .headerOverflow:
            return (.init(code: 431, reasonPhrase: "Request Header Fields Too Large"), "header-too-large",
                    "the request's headers are larger than the server accepts (80 KiB in all)")
        default:
            return (.badRequest, "bad-request", "the request is not valid HTTP/1.1 (\(error))")
        }
    }

    private static func requestId() -> String {
        var generator = SystemRandomNumberGenerator()
        return hexString((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
