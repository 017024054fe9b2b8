import Bus
import Foundation
import ServiceKit

/// Checks an uploaded artifact in the blob store and reads its size.
enum ArtifactLookup {
    static func sizeBytes(sha256: String, in blobs: BlobStore) throws(BusError) -> Int64 {
        guard let address = BlobAddress(sha256: sha256) else {
            throw .invalidArgument(field: "artifact_sha256", "must be 64 hexadecimal digits (a sha256)")
        }
        let path = blobs.url(for: address).path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.int64Value else {
            throw .invalidArgument(field: "artifact_sha256", "no uploaded blob \(address) in the blob store")
        }
        return size
    }
}
