import Foundation
import Testing
@testable import DatasetService
import DatasetDomain

/// The at-rest format: segmented AES-256-GCM, streamed both ways.
struct EncryptedFileTests {
    let key = DataKey(encoded: String(repeating: "ab", count: 32))!

    func roundTrip(_ plain: [UInt8], segment: Int) throws -> (URL, [UInt8]) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("enc-\(UUID().uuidString)")
        let writer = try EncryptedFileWriter(url: url, key: key, segmentSize: segment)
        // Odd-sized writes straddle segment boundaries.
        var offset = 0
        var step = 1
        while offset < plain.count {
            let end = min(plain.count, offset + step)
            try writer.write(Array(plain[offset..<end]))
            offset = end
            step = step * 3 % 97 + 1
        }
        _ = try writer.finish()
        let reader = try EncryptedFileReader(url: url, key: key)
        var out: [UInt8] = []
        while let segment = try reader.next() { out += segment }
        return (url, out)
    }

    @Test(arguments: [0, 1, 63, 64, 65, 1000])
    func roundTripsAnySize(size: Int) throws {
        let plain = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let (url, out) = try roundTrip(plain, segment: 64)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(out == plain)
        let stored = try [UInt8](Data(contentsOf: url))
        if size >= 16 { #expect(stored.firstRange(of: plain.prefix(16)) == nil, "the file must not contain the plaintext") }
    }

    @Test func tamperingTruncationAndWrongKeysFail() throws {
        let plain = Array("개인정보가 담긴 학습 데이터 ".utf8) + (0..<500).map { UInt8($0 % 251) }
        let (url, _) = try roundTrip(plain, segment: 128)
        defer { try? FileManager.default.removeItem(at: url) }
        let original = try Data(contentsOf: url)

        func readAll(_ data: Data, key: DataKey) throws {
            try data.write(to: url)
            let reader = try EncryptedFileReader(url: url, key: key)
            while try reader.next() != nil {}
        }
        var flipped = original
        flipped[40] ^= 0x01
        #expect(throws: EncryptedFileError.self) { try readAll(flipped, key: key) }
        // Dropping the final segment must not pass as a shorter file.
        #expect(throws: EncryptedFileError.self) { try readAll(original.prefix(20 + 2 * (128 + 16)), key: key) }
        let other = DataKey(encoded: String(repeating: "cd", count: 32))!
        #expect(throws: EncryptedFileError.self) { try readAll(original, key: other) }
        try readAll(original, key: key)
    }

    @Test func keysMustBe32Bytes() {
        #expect(DataKey(encoded: String(repeating: "a", count: 63)) == nil)
        #expect(DataKey(encoded: Data(repeating: 7, count: 16).base64EncodedString()) == nil)
        #expect(DataKey(encoded: Data(repeating: 7, count: 32).base64EncodedString()) != nil)
    }

    @Test func versionLabelsFollowLineage() {
        #expect(VersionLabels.nextMajor(after: []) == "v1.0")
        #expect(VersionLabels.nextMajor(after: ["v1.0", "v1.3", "v2.0"]) == "v3.0")
        #expect(VersionLabels.nextMinor(of: "v1.0", among: ["v1.0"]) == "v1.1")
        #expect(VersionLabels.nextMinor(of: "v1.1", among: ["v1.0", "v1.1", "v1.2", "v2.0"]) == "v1.3")
        #expect(VersionLabels.nextMinor(of: "v2.0", among: ["v1.0", "v1.1", "v2.0"]) == "v2.1")
    }
}
