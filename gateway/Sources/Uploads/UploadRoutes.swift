import Foundation
import Hummingbird
import JSON
import NIOCore
import NIOPosix
import ServiceKit

/// Resumable chunked uploads (gateway/API.md, Uploads).
struct UploadRoutes {
    let store: UploadStore
    let blobs: BlobStore
    let maxUploadBytes: Int64
    let maxBodyBytes: Int

    func register(_ table: RouteTable) {
        table.add(UploadSpecs.create, create)
        table.add(UploadSpecs.putChunk, putChunk)
        table.add(UploadSpecs.get, get)
        table.add(UploadSpecs.complete, complete)
    }

    @Sendable func create(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(["filename", "size_bytes"])
        let filename = body.string("filename", required: true, length: 1...255, pattern: .printable)
        if let filename, filename.contains("/") || filename == "." || filename == ".." {
            body.fail("filename", "must be a file name, not a path")
        }
        let size = body.int("size_bytes", required: true, range: 0...maxUploadBytes)
        try body.finish()
        guard let filename, let size else { throw GatewayError.internal() }
        let upload = try await store.create(filename: filename, sizeBytes: size, createdBy: try context.caller().subject)
        context.audit?.resource = "uploads/\(upload.id.uuidString.lowercased())"
        return uploadResponse(upload, status: .created)
    }

    @Sendable func get(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try uploadId(context)
        guard let upload = try await store.get(id) else { throw GatewayError.notFound("no upload \(id.uuidString.lowercased())") }
        return uploadResponse(upload)
    }

    @Sendable func putChunk(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try uploadId(context)
        let range = try ContentRange.parse(request.headers[.contentRange])
        return try await store.exclusive(id) {
            guard let upload = try await store.get(id) else { throw GatewayError.notFound("no upload \(id.uuidString.lowercased())") }
            guard upload.status == "open" else { throw GatewayError.conflict("the upload is already complete") }
            guard range.total == upload.sizeBytes else {
                throw GatewayError.invalid("Content-Range", "total must equal the upload's size_bytes (\(upload.sizeBytes))")
            }
            guard range.end < upload.sizeBytes else {
                throw GatewayError.invalid("Content-Range", "end must be below size_bytes (\(upload.sizeBytes))")
            }
            guard range.start == upload.receivedBytes else {
                throw GatewayError.conflict("the chunk must start at received_bytes (\(upload.receivedBytes))",
                                            extensions: [("received_bytes", .int(upload.receivedBytes))])
            }
            if let length = request.headers[.contentLength], Int64(length) != range.length {
                throw GatewayError.invalid("Content-Length", "must equal the Content-Range's length (\(range.length))")
            }
            let file = try await PartFile.open(store.partURL(id), truncateTo: range.start)
            var written: Int64 = 0
            do {
                var pending = ByteBuffer()
                for try await chunk in request.body {
                    written += Int64(chunk.readableBytes)
                    guard written <= range.length else {
                        throw GatewayError.invalid("Content-Range", "the body is longer than the range (\(range.length) bytes)")
                    }
                    var chunk = chunk
                    pending.writeBuffer(&chunk)
                    if pending.readableBytes >= 1 << 20 {
                        try await file.write(pending, at: range.start + written - Int64(pending.readableBytes))
                        pending.clear()
                    }
                }
                if pending.readableBytes > 0 {
                    try await file.write(pending, at: range.start + written - Int64(pending.readableBytes))
                }
                guard written == range.length else {
                    throw GatewayError.invalid("Content-Range", "the body has \(written) bytes; the range announces \(range.length)")
                }
                try await file.syncAndClose()
            } catch {
                // Interrupted or refused: the file goes back to the last recorded offset.
                await file.truncate(to: range.start)
                await file.close()
                if error is GatewayError { throw error }
                throw GatewayError.invalid("body", "the chunk ended after \(written) of \(range.length) bytes; resume from received_bytes (\(range.start))")
            }
            guard try await store.advance(id, from: range.start, to: range.end + 1) else {
                throw GatewayError.conflict("the upload changed while this chunk was written")
            }
            var updated = upload
            updated.receivedBytes = range.end + 1
            return uploadResponse(updated)
        }
    }

    @Sendable func complete(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try uploadId(context)
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(["sha256"])
        let sha = body.string("sha256", required: true, length: 64...64).map { $0.lowercased() }
        if let sha, !StringPattern.sha256.matches(sha) { body.fail("sha256", StringPattern.sha256.message) }
        try body.finish()
        guard let sha else { throw GatewayError.internal() }
        return try await store.exclusive(id) {
            guard let upload = try await store.get(id) else { throw GatewayError.notFound("no upload \(id.uuidString.lowercased())") }
            if upload.status == "complete" {
                guard upload.sha256 == sha else { throw GatewayError.conflict("the upload is already complete with another sha256") }
                return completeResponse(upload, sha: sha)
            }
            guard upload.receivedBytes == upload.sizeBytes else {
                throw GatewayError.conflict("the upload is incomplete: \(upload.receivedBytes) of \(upload.sizeBytes) bytes received",
                                            extensions: [("received_bytes", .int(upload.receivedBytes))])
            }
            let part = store.partURL(id)
            let blobs = self.blobs
            do {
                try await NIOThreadPool.singleton.runIfActive {
                    _ = try blobs.put(contentsOf: part, move: true, expectedSHA256: sha)
                }
            } catch let mismatch as BlobDigestMismatch {
                try await store.discard(id)
                throw GatewayError.unprocessable("sha256", "does not match the uploaded data (got \(mismatch.actual)); the upload was deleted")
            }
            try await store.markComplete(id, sha256: sha)
            return completeResponse(upload, sha: sha)
        }
    }

    private func completeResponse(_ upload: UploadRecord, sha: String) -> Response {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id"); writer.string(upload.id.uuidString.lowercased())
        writer.key("sha256"); writer.string(sha)
        writer.key("size_bytes"); writer.int(upload.sizeBytes)
        writer.key("status"); writer.string("complete")
        writer.endObject()
        return jsonResponse(writer)
    }

    private func uploadResponse(_ upload: UploadRecord, status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id"); writer.string(upload.id.uuidString.lowercased())
        writer.key("filename"); writer.string(upload.filename)
        writer.key("size_bytes"); writer.int(upload.sizeBytes)
        writer.key("received_bytes"); writer.int(upload.receivedBytes)
        writer.key("status"); writer.string(upload.status)
        writer.key("sha256")
        if let sha = upload.sha256 { writer.string(sha) } else { writer.null() }
        writer.endObject()
        return jsonResponse(writer, status: status)
    }

    private func uploadId(_ context: GatewayContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw GatewayError.invalid("id", "must be an upload id (a UUID)")
        }
        return id
    }
}

/// `Content-Range: bytes START-END/TOTAL` (inclusive END).
struct ContentRange: Equatable {
    var start: Int64
    var end: Int64
    var total: Int64
    var length: Int64 { end - start + 1 }

    static func parse(_ header: String?) throws -> ContentRange {
        let message = "must be 'bytes START-END/TOTAL' with START ≤ END < TOTAL"
        guard let header else { throw GatewayError.invalid("Content-Range", "is required: \(message)") }
        guard header.hasPrefix("bytes ") else { throw GatewayError.invalid("Content-Range", message) }
        let spec = header.dropFirst(6)
        let parts = spec.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw GatewayError.invalid("Content-Range", message) }
        let bounds = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              let start = Int64(bounds[0]), let end = Int64(bounds[1]), let total = Int64(parts[1]),
              start <= end, end < total else {
            throw GatewayError.invalid("Content-Range", message)
        }
        return ContentRange(start: start, end: end, total: total)
    }
}
