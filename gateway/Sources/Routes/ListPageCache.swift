import Contracts
import NIOCore
import Synchronization

/// The last rendered JSON of each list query, with the registry's catalog
/// version it was rendered from. Every request still asks the registry, but
/// with `if_catalog_version`: when nothing changed, the registry answers with a
/// one-row read and the gateway reuses the bytes, instead of a 100-row query,
/// a 50 KB protobuf and a 50 KB JSON rendering per request. Correct across
/// registry instances, since the version lives in PostgreSQL and changes in
/// the same transaction as the rows.
final class ListPageCache: Sendable {
    struct Entry: Sendable {
        var catalogVersion: Int64
        var body: ByteBuffer
    }

    private let entries = Mutex<[Mlops_V1_Registry_ListModelsRequest: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 512) {
        self.capacity = capacity
    }

    func lookup(_ query: Mlops_V1_Registry_ListModelsRequest) -> Entry? {
        entries.withLock { $0[query] }
    }

    func store(_ query: Mlops_V1_Registry_ListModelsRequest, _ entry: Entry) {
        entries.withLock { entries in
            // Bounded: many distinct queries (searches) must not grow memory without end.
            if entries.count >= capacity, entries[query] == nil { entries.removeAll(keepingCapacity: true) }
            entries[query] = entry
        }
    }
}
