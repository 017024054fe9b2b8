import Bus
import Foundation
import ServiceKit

/// Checks an uploaded artifact in the blob store and reads its size.
enum ArtifactLookup {
    static func sizeBytes(of address: BlobAddress, in blobs: BlobStore) throws(BusError) -> Int64 {
        let path = blobs.url(for: address).path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.int64Value else {
            throw .invalidArgument(field: "artifact_sha256", "no uploaded blob \(address) in the blob store")
        }
        return size
    }
}
