import Hummingbird
import JSON
import NIOCore

/// The page a list request asked for.
struct ListPage: Sendable, Equatable {
    var skip: Int
    var limit: Int

    /// This page of a list the service returns whole.
    func slice<C: Collection>(_ items: C) -> C.SubSequence {
        items.dropFirst(skip).prefix(limit)
    }
}

/// THE list answer: `{"items": [...], "total": N, "skip": S, "limit": L}`.
enum ListEnvelope {
    /// The rendered body; `bytesPerItem` sizes the buffer once (no regrowth on
    /// the registry's hot list).
    static func render<Items: Sequence>(
        _ items: Items, count: Int, total: some BinaryInteger, page: ListPage, bytesPerItem: Int,
        _ write: (Items.Element, inout JSONWriter) -> Void
    ) -> ByteBuffer {
        var writer = JSONWriter(capacity: 128 + count * bytesPerItem)
        writer.beginObject()
        writer.key("items")
        writer.beginArray()
        for item in items { write(item, &writer) }
        writer.endArray()
        writer.key("total"); writer.int(total)
        writer.key("skip"); writer.int(page.skip)
        writer.key("limit"); writer.int(page.limit)
        writer.endObject()
        return writer.buffer
    }

    static func response<Items: Collection>(
        _ items: Items, total: some BinaryInteger, page: ListPage, bytesPerItem: Int,
        _ write: (Items.Element, inout JSONWriter) -> Void
    ) -> Response {
        response(body: render(items, count: items.count, total: total, page: page, bytesPerItem: bytesPerItem, write))
    }

    /// Every item of a list the service returns whole, paged here.
    static func paged<Items: Collection>(
        _ all: Items, page: ListPage, bytesPerItem: Int, _ write: (Items.Element, inout JSONWriter) -> Void
    ) -> Response {
        response(page.slice(all), total: all.count, page: page, bytesPerItem: bytesPerItem, write)
    }

    static func response(body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
