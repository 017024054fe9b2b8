import Bus
import Contracts
import Logging
import PostgresNIO
import ServiceKit

/// Ground-truth datasets, versions and events (seed 002): the test sets the
/// evaluator scores models against. A version is written once with all its
/// events and never changes afterwards.
enum GroundTruthStore {
    static let datasetColumns = """
        g.id, g.name, g.description, g.created_by, floor(extract(epoch FROM g.created_at) * 1000)::int8 AS created_ms, \
        (SELECT count(*) FROM dataset.ground_truth_dataset_versions c WHERE c.ground_truth_dataset_id = g.id)::int4 AS version_count
        """

    static func createDataset(name: String, description: String, createdBy: String, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Dataset_GroundTruthDataset? {
        let rows = try await connection.query("""
            WITH g AS (
                INSERT INTO dataset.ground_truth_datasets (name, description, created_by)
                VALUES (\(name), \(description)::text, \(createdBy)::text) ON CONFLICT (name) DO NOTHING RETURNING *
            )
            SELECT g.id, g.name, g.description, g.created_by, floor(extract(epoch FROM g.created_at) * 1000)::int8 AS created_ms, 0::int4 AS version_count FROM g
            """, logger: logger)
        return try await decodeDatasets(rows).first
    }

    static func dataset(id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Dataset_GroundTruthDataset? {
        let rows = try await connection.query("SELECT \(unescaped: datasetColumns) FROM dataset.ground_truth_datasets g WHERE g.id = \(id)", logger: logger)
        return try await decodeDatasets(rows).first
    }

    static func listDatasets(search: String?, skip: Int, limit: Int, on client: PostgresClient, logger: Logger) async throws -> ([Mlops_V1_Dataset_GroundTruthDataset], Int64) {
        let pattern = search.map(SQLText.containsPattern)
        let rows = try await client.query("""
            SELECT \(unescaped: datasetColumns) FROM dataset.ground_truth_datasets g
            WHERE \(pattern)::text IS NULL OR g.name ILIKE \(pattern)::text ESCAPE '\\' OR g.description ILIKE \(pattern)::text ESCAPE '\\'
            ORDER BY g.id DESC OFFSET \(Int64(skip)) LIMIT \(Int64(limit))
            """, logger: logger)
        let items = try await decodeDatasets(rows)
        let count = try await client.query("""
            SELECT count(*) FROM dataset.ground_truth_datasets g
            WHERE \(pattern)::text IS NULL OR g.name ILIKE \(pattern)::text ESCAPE '\\' OR g.description ILIKE \(pattern)::text ESCAPE '\\'
            """, logger: logger)
        var total: Int64 = 0
        for try await n in count.decode(Int64.self) { total = n }
        return (items, total)
    }

    /// Inserts the version and all its events in the caller's transaction; nil when the label is taken.
    static func createVersion(datasetId: Int64, label: String, description: String, events: [Mlops_V1_Dataset_GroundTruthEvent],
                              statisticsJSON: String, createdBy: String, on connection: PostgresConnection, logger: Logger) async throws -> Int64? {
        let rows = try await connection.query("""
            INSERT INTO dataset.ground_truth_dataset_versions (ground_truth_dataset_id, version, description, event_count, statistics, created_by)
            VALUES (\(datasetId), \(label), \(description)::text, \(Int32(events.count)), \(statisticsJSON)::jsonb, \(createdBy)::text)
            ON CONFLICT (ground_truth_dataset_id, version) DO NOTHING RETURNING id
            """, logger: logger)
        var versionId: Int64?
        for try await id in rows.decode(Int64.self) { versionId = id }
        guard let versionId else { return nil }
        // One statement per 5,000 events: arrays bound as parameters, never spliced.
        var start = 0
        while start < events.count {
            let slice = events[start..<min(start + 5000, events.count)]
            let types = slice.map(\.dataType)
            let data = slice.map(\.dataJson)
            let units = slice.map(\.dataUnitJson)
            let metadata = slice.map(\.metadataJson)
            try await connection.query("""
                INSERT INTO dataset.ground_truth_events (ground_truth_dataset_version_id, data_type, data, data_unit, metadata)
                SELECT \(versionId), t, d::jsonb, NULLIF(u, '')::jsonb, NULLIF(m, '')::jsonb
                FROM unnest(\(types)::text[], \(data)::text[], \(units)::text[], \(metadata)::text[]) WITH ORDINALITY AS x(t, d, u, m, n)
                ORDER BY n
                """, logger: logger)
            start += 5000
        }
        return versionId
    }

    static func version(id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Dataset_GroundTruthVersion? {
        let rows = try await connection.query("""
            SELECT v.id, v.ground_truth_dataset_id, v.version, v.description, v.is_active, v.event_count, v.statistics::text,
                floor(extract(epoch FROM v.created_at) * 1000)::int8
            FROM dataset.ground_truth_dataset_versions v WHERE v.id = \(id)
            """, logger: logger)
        for try await (id, datasetId, label, description, active, count, statistics, created) in rows.decode((Int64, Int64, String, String?, Bool, Int32, String, Int64).self) {
            var version = Mlops_V1_Dataset_GroundTruthVersion()
            version.id = id
            version.version = label
            version.description_p = description ?? ""
            version.isActive = active
            version.eventCount = Int64(count)
            version.statisticsJson = statistics
            version.createdAtUnixMs = created
            if let dataset = try await dataset(id: datasetId, on: connection, logger: logger) { version.groundTruthDataset = dataset }
            return version
        }
        return nil
    }

    struct EventQuery: Sendable {
        var versionIds: [Int64]
        var createdAfterUnixMs: Int64?
        var dataType: String?
        var search: String?
        var skip: Int
        var limit: Int
    }

    static func events(_ query: EventQuery, on client: PostgresClient, logger: Logger) async throws -> ([Mlops_V1_Dataset_GroundTruthEvent], Int64) {
        let filterVersions = !query.versionIds.isEmpty
        let after = query.createdAfterUnixMs.map { Double($0) / 1000 }
        let pattern = query.search.map(SQLText.containsPattern)
        let rows = try await client.query("""
            SELECT e.id, e.ground_truth_dataset_version_id, e.data_type, e.data::text, COALESCE(e.data_unit::text, ''),
                COALESCE(e.metadata::text, ''), floor(extract(epoch FROM e.created_at) * 1000)::int8, count(*) OVER ()
            FROM dataset.ground_truth_events e
            WHERE (NOT \(filterVersions) OR e.ground_truth_dataset_version_id = ANY(\(query.versionIds)))
              AND (\(after)::float8 IS NULL OR e.created_at > to_timestamp(\(after)::float8))
              AND (\(query.dataType)::text IS NULL OR e.data_type = \(query.dataType)::text)
              AND (\(pattern)::text IS NULL OR e.data::text ILIKE \(pattern)::text ESCAPE '\\' OR e.metadata::text ILIKE \(pattern)::text ESCAPE '\\')
            ORDER BY e.id OFFSET \(Int64(query.skip)) LIMIT \(Int64(query.limit))
            """, logger: logger)
        var items: [Mlops_V1_Dataset_GroundTruthEvent] = []
        var total: Int64 = 0
        for try await (id, version, type, data, unit, metadata, created, count) in rows.decode((Int64, Int64, String, String, String, String, Int64, Int64).self) {
            var event = Mlops_V1_Dataset_GroundTruthEvent()
            event.id = id
            event.groundTruthDatasetVersion = version
            event.dataType = type
            event.dataJson = data
            event.dataUnitJson = unit
            event.metadataJson = metadata
            event.createdAtUnixMs = created
            items.append(event)
            total = count
        }
        if items.isEmpty {
            let rows = try await client.query("""
                SELECT count(*) FROM dataset.ground_truth_events e
                WHERE (NOT \(filterVersions) OR e.ground_truth_dataset_version_id = ANY(\(query.versionIds)))
                  AND (\(after)::float8 IS NULL OR e.created_at > to_timestamp(\(after)::float8))
                  AND (\(query.dataType)::text IS NULL OR e.data_type = \(query.dataType)::text)
                  AND (\(pattern)::text IS NULL OR e.data::text ILIKE \(pattern)::text ESCAPE '\\' OR e.metadata::text ILIKE \(pattern)::text ESCAPE '\\')
                """, logger: logger)
            for try await n in rows.decode(Int64.self) { total = n }
        }
        return (items, total)
    }

    static func decodeDatasets(_ rows: PostgresRowSequence) async throws -> [Mlops_V1_Dataset_GroundTruthDataset] {
        var out: [Mlops_V1_Dataset_GroundTruthDataset] = []
        for try await (id, name, description, createdBy, created, versions) in rows.decode((Int64, String, String?, String?, Int64, Int32).self) {
            var dataset = Mlops_V1_Dataset_GroundTruthDataset()
            dataset.id = id
            dataset.name = name
            dataset.description_p = description ?? ""
            dataset.createdBy = createdBy ?? ""
            dataset.createdAtUnixMs = created
            dataset.versionCount = versions
            out.append(dataset)
        }
        return out
    }
}
