import ArgumentParser
import Crypto
import Foundation
import JSON

/// Resumable chunked upload with a progress bar; prints the sha256 to register with.
struct Upload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Upload a model file in chunks (resumable); prints its sha256.")

    @Argument(help: "The file to upload.") var file: String
    @Option(help: "Chunk size in MiB.") var chunkMib = 8
    @Option(help: "Resume this upload id instead of starting a new one.") var resume: String?

    func run() async throws {
        let (id, digest, size) = try await chunkedUpload(file: file, chunkMib: chunkMib, resume: resume)
        print("uploaded \(size) bytes, sha256 \(digest) (upload \(id))")
        print("register it with: mlopsctl models register --name NAME --version VERSION --artifact \(digest)")
    }
}

/// Uploads a file in chunks with a progress bar (resumable); returns the
/// upload id, the sha256 and the size.
func chunkedUpload(file: String, chunkMib: Int, resume: String?) async throws -> (id: String, sha256: String, size: Int64) {
        let url = URL(fileURLWithPath: file)
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let client = try APIClient(config: CLIConfig.load())
        let upload: JSONValue
        if let resume {
            upload = try await client.send("GET", "/api/v1/admin/uploads/\(resume)")
        } else {
            upload = try await client.send("POST", "/api/v1/admin/uploads", json: .object([("filename", .string(url.lastPathComponent)), ("size_bytes", .int(size))]))
        }
        guard let id = upload["id"]?.stringValue else { throw CLIError("the gateway did not return an upload id") }
        var offset = upload["received_bytes"]?.intValue ?? 0
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }

        // Hash everything already sent, then the rest as it goes.
        var hasher = SHA256()
        var hashed: Int64 = 0
        while hashed < offset, let chunk = try handle.read(upToCount: Int(min(Int64(1 << 20), offset - hashed))), !chunk.isEmpty {
            hasher.update(data: chunk)
            hashed += Int64(chunk.count)
        }
        let progress = ProgressBar(total: size, label: url.lastPathComponent)
        progress.update(offset)
        let chunkSize = chunkMib * 1 << 20
        while offset < size {
            guard let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty else { break }
            hasher.update(data: chunk)
            let end = offset + Int64(chunk.count) - 1
            _ = try await client.send("PUT", "/api/v1/admin/uploads/\(id)", body: chunk, headers: ["Content-Range": "bytes \(offset)-\(end)/\(size)", "Content-Type": "application/octet-stream"])
            offset = end + 1
            progress.update(offset)
        }
        progress.finish()
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        _ = try await client.send("POST", "/api/v1/admin/uploads/\(id)/complete", json: .object([("sha256", .string(digest))]))
        return (id, digest, size)
}

/// A one-line progress bar on standard error.
final class ProgressBar {
    let total: Int64
    let label: String
    private var last = -1

    init(total: Int64, label: String) {
        self.total = total
        self.label = label
    }

    func update(_ done: Int64) {
        let percent = total == 0 ? 100 : Int(done * 100 / total)
        guard percent != last else { return }
        last = percent
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(percent)% \(done)/\(total) bytes".utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
}
