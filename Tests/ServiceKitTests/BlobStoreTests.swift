import Foundation
import ServiceKit
import Testing

@Suite struct BlobStoreTests {
    func temporaryRoot() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func storesByContentAndDeduplicates() throws {
        let store = try BlobStore(dataRoot: try temporaryRoot())
        let (first, size) = try store.put(Data("hello".utf8))
        // sha256("hello")
        #expect(first.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(size == 5)
        let (second, _) = try store.put(Data("hello".utf8))
        #expect(first == second)
        #expect(try Data(contentsOf: store.url(for: first)) == Data("hello".utf8))
        #expect(store.url(for: first).path.hasPrefix(store.root.path + "/2c/f2/"))
    }

    @Test func streamsAFileIntoTheStore() throws {
        let root = try temporaryRoot()
        let store = try BlobStore(dataRoot: root)
        let file = root.appendingPathComponent("upload.bin")
        let payload = Data((0..<3_000_000).map { UInt8($0 % 251) })
        try payload.write(to: file)
        let (address, size) = try store.put(contentsOf: file, move: true)
        #expect(size == payload.count)
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(try Data(contentsOf: store.url(for: address)) == payload)
        #expect(try store.put(payload).address == address)
    }

    @Test func addressesAreOnlyHex() {
        #expect(BlobAddress(sha256: "../../etc/passwd") == nil)
        #expect(BlobAddress(sha256: String(repeating: "A", count: 64)) == nil)
        #expect(BlobAddress(sha256: String(repeating: "a", count: 64)) != nil)
    }

    @Test func dataRootRefusesPathsOutsideIt() throws {
        let root = DataRoot(try temporaryRoot())
        #expect(try root.resolve("uploads/x.bin").path.hasPrefix(root.url.path + "/"))
        #expect(throws: (any Error).self) { try root.resolve("../outside") }
        #expect(throws: (any Error).self) { try root.resolve("/etc/passwd") }
        #expect(throws: (any Error).self) { try root.resolve("a/../../b") }
    }
}
