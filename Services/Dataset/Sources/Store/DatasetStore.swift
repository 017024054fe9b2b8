import Bus
import Contracts
import Logging
import PostgresNIO
import ServiceKit

/// SQL for datasets and their versions. Values are always bound; only fixed
/// column lists are spliced in.
enum DatasetStore {
    static let datasetColumns = """
        d.id, d.name, d.description, d.status, d.rejection::text AS rejection, d.created_by, \
        floor(extract(epoch FROM d.created_at) * 1000)::int8 AS created_ms, \
        floor(extract(epoch FROM d.updated_at) * 1000)::int8 AS updated_ms, \
        (SELECT count(*) FROM dataset.dataset_versions c WHERE c.dataset_id = d.id)::int4 AS version_count
        """

    /// Creates the dataset row; nil when the name is taken.
    static func insertDataset(name: String, description: String, status: Mlops_V1_Dataset_DatasetStatus, rejectionJSON: String?, createdBy: String,
                              on connection: PostgresConnection, logger: Logger) async throws -> Int64? {
        let rows = try await connection.query("""
            INSERT INTO dataset.training_datasets (name, description, status, rejection, created_by)
            VALUES (\(name), \(description)::text, \(status.name), \(rejectionJSON)::jsonb, \(createdBy)::text)
            ON CONFLICT (name) DO NOTHING RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    struct NewVersion: Sendable {
        var datasetId: Int64
        var label: String
        var sha256: String
        var blobSHA256: String
        var sizeBytes: Int64
        var sourceFormat: Mlops_V1_Dataset_SourceFormat
        var totalSamples: Int
        var parentVersionId: Int64?
        var transformation: String
        var parametersJSON: String
        var droppedLines: Int64
        var qualityScore: Double?
        var statsJSON: String?
        var validated: Bool
        var createdBy: String
    }

    static func insertVersion(_ new: NewVersion, on connection: PostgresConnection, logger: Logger) async throws -> StoredVersion {
        let rows = try await connection.query("""
            WITH v AS (
                INSERT INTO dataset.dataset_versions (dataset_id, version, sha256, blob_sha256, size_bytes, source_format,
                    total_samples, parent_version_id, transformation, parameters, dropped_lines, quality_score, stats,
                    validated, created_by)
                VALUES (\(new.datasetId), \(new.label), \(new.sha256), \(new.blobSHA256), \(new.sizeBytes), \(new.sourceFormat.name),
                    \(Int32(new.totalSamples)), \(new.parentVersionId)::int8, \(new.transformation), \(new.parametersJSON)::jsonb,
                    \(new.droppedLines), \(new.qualityScore)::float8, \(new.statsJSON)::jsonb, \(new.validated), \(new.createdBy)::text)
                RETURNING *
            ), touch AS (
                UPDATE dataset.training_datasets SET updated_at = date_trunc('milliseconds', now()) WHERE id = \(new.datasetId)
            )
            SELECT \(unescaped: VersionRow.columns) FROM v LEFT JOIN dataset.dataset_splits s ON s.version_id = v.id
            """, logger: logger)
        guard let stored = try await VersionRow.decodeAll(rows).first else { throw BusError.internal("version insert returned nothing") }
        return stored
    }

    /// The labels of a dataset's versions, to pick the next one.
    static func labels(datasetId: Int64, on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query("SELECT version FROM dataset.dataset_versions WHERE dataset_id = \(datasetId) FOR UPDATE", logger: logger)
        var labels: [String] = []
        for try await label in rows.decode(String.self) { labels.append(label) }
        return labels
    }

    /// Locks the dataset row so two derivations of one dataset pick distinct labels.
    static func lockDataset(_ id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Dataset_DatasetStatus? {
        let rows = try await connection.query("SELECT status FROM dataset.training_datasets WHERE id = \(id) FOR UPDATE", logger: logger)
        for try await status in rows.decode(String.self) { return try .stored(status, column: "training_datasets.status") }
        return nil
    }

    /// An earlier version with the same plaintext: its encrypted blob can be reused.
    static func blobForContent(sha256: String, on client: PostgresClient, logger: Logger) async throws -> String? {
        let rows = try await client.query("SELECT blob_sha256 FROM dataset.dataset_versions WHERE sha256 = \(sha256) LIMIT 1", logger: logger)
        for try await blob in rows.decode(String.self) { return blob }
        return nil
    }

    static func datasetId(named name: String, on client: PostgresClient, logger: Logger) async throws -> Int64? {
        let rows = try await client.query("SELECT id FROM dataset.training_datasets WHERE name = \(name)", logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    static func dataset(id: Int64, on client: PostgresClient, logger: Logger) async throws -> Mlops_V1_Dataset_Dataset? {
        try await client.withConnection { connection in try await dataset(id: id, on: connection, logger: logger) }
    }

    /// The dataset with its latest version; inside a transaction it sees the transaction's own rows.
    static func dataset(id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Dataset_Dataset? {
        let rows = try await connection.query("SELECT \(unescaped: datasetColumns) FROM dataset.training_datasets d WHERE d.id = \(id)", logger: logger)
        guard var dataset = try await decodeDatasets(rows).first else { return nil }
        let latest = try await connection.query("""
            SELECT \(unescaped: VersionRow.columns) FROM \(unescaped: VersionRow.from) WHERE v.dataset_id = \(id) ORDER BY v.id DESC LIMIT 1
            """, logger: logger)
        if let version = try await VersionRow.decodeAll(latest).first { dataset.latest = version.proto }
        return dataset
    }

    static func list(status: Mlops_V1_Dataset_DatasetStatus?, search: String?, skip: Int, limit: Int, on client: PostgresClient, logger: Logger)
        async throws -> (items: [Mlops_V1_Dataset_Dataset], total: Int64) {
        let pattern = search.map(SQLText.containsPattern)
        let status = status?.name
        let rows = try await client.query("""
            SELECT \(unescaped: datasetColumns), count(*) OVER () AS total FROM dataset.training_datasets d
            WHERE (\(status)::text IS NULL OR d.status = \(status)::text)
              AND (\(pattern)::text IS NULL OR d.name ILIKE \(pattern)::text ESCAPE '\\' OR d.description ILIKE \(pattern)::text ESCAPE '\\')
            ORDER BY d.created_at DESC, d.id DESC OFFSET \(Int64(skip)) LIMIT \(Int64(limit))
            """, logger: logger)
        var items: [Mlops_V1_Dataset_Dataset] = []
        var total: Int64 = 0
        for try await row in rows {
            let random = row.makeRandomAccess()
            items.append(try decodeDataset(random))
            total = try random["total"].decode(Int64.self)
        }
        if items.isEmpty, skip > 0 {
            let count = try await client.query("""
                SELECT count(*) FROM dataset.training_datasets d
                WHERE (\(status)::text IS NULL OR d.status = \(status)::text)
                  AND (\(pattern)::text IS NULL OR d.name ILIKE \(pattern)::text ESCAPE '\\' OR d.description ILIKE \(pattern)::text ESCAPE '\\')
                """, logger: logger)
            for try await n in count.decode(Int64.self) { total = n }
        }
        // The latest version of each listed dataset, in one query.
        let ids = items.map(\.id)
        if !ids.isEmpty {
            let latest = try await client.query("""
                SELECT DISTINCT ON (v.dataset_id) \(unescaped: VersionRow.columns) FROM \(unescaped: VersionRow.from)
                WHERE v.dataset_id = ANY(\(ids)) ORDER BY v.dataset_id, v.id DESC
                """, logger: logger)
            let versions = Dictionary(uniqueKeysWithValues: try await VersionRow.decodeAll(latest).map { ($0.proto.datasetID, $0.proto) })
            for index in items.indices { if let v = versions[items[index].id] { items[index].latest = v } }
        }
        return (items, total)
    }

    static func updateStatus(id: Int64, status: Mlops_V1_Dataset_DatasetStatus?, description: String??, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let status = status?.name
        let setsDescription = description != nil
        let text = description ?? nil
        let rows = try await connection.query("""
            UPDATE dataset.training_datasets SET
                status = COALESCE(\(status)::text, status),
                description = CASE WHEN \(setsDescription) THEN \(text)::text ELSE description END,
                updated_at = date_trunc('milliseconds', now())
            WHERE id = \(id) AND status <> 'rejected' RETURNING 1
            """, logger: logger)
        return try await rows.collect().count == 1
    }

    static func latestVersion(datasetId: Int64, on client: PostgresClient, logger: Logger) async throws -> StoredVersion? {
        let rows = try await client.query("""
            SELECT \(unescaped: VersionRow.columns) FROM \(unescaped: VersionRow.from)
            WHERE v.dataset_id = \(datasetId) ORDER BY v.id DESC LIMIT 1
            """, logger: logger)
        return try await VersionRow.decodeAll(rows).first
    }

    /// The version a request names: by label, or the latest when the label is empty.
    static func version(_ ref: Mlops_V1_Dataset_VersionRef, on client: PostgresClient, logger: Logger) async throws -> StoredVersion {
        guard ref.datasetID > 0 else { throw BusError.invalidArgument(field: "dataset_id", "must be a positive integer") }
        let found: StoredVersion?
        if ref.version.isEmpty {
            found = try await latestVersion(datasetId: ref.datasetID, on: client, logger: logger)
        } else {
            let rows = try await client.query("""
                SELECT \(unescaped: VersionRow.columns) FROM \(unescaped: VersionRow.from)
                WHERE v.dataset_id = \(ref.datasetID) AND v.version = \(ref.version)
                """, logger: logger)
            found = try await VersionRow.decodeAll(rows).first
        }
        if let found { return found }
        if try await dataset(id: ref.datasetID, on: client, logger: logger) == nil {
            throw BusError.notFound("dataset \(ref.datasetID) not found")
        }
        throw BusError.notFound(ref.version.isEmpty ? "dataset \(ref.datasetID) has no version (it was rejected)" : "dataset \(ref.datasetID) has no version '\(ref.version)'")
    }

    static func versions(datasetId: Int64, on client: PostgresClient, logger: Logger) async throws -> [StoredVersion] {
        let rows = try await client.query("""
            SELECT \(unescaped: VersionRow.columns) FROM \(unescaped: VersionRow.from)
            WHERE v.dataset_id = \(datasetId) ORDER BY v.id
            """, logger: logger)
        return try await VersionRow.decodeAll(rows)
    }

    static func stats(versionId: Int64, on client: PostgresClient, logger: Logger) async throws -> String? {
        let rows = try await client.query("SELECT stats::text FROM dataset.dataset_versions WHERE id = \(versionId)", logger: logger)
        for try await stats in rows.decode(String?.self) { return stats }
        return nil
    }

    /// Marks a version validated with its full statistics and quality score.
    static func recordValidation(versionId: Int64, statsJSON: String, qualityScore: Double?, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE dataset.dataset_versions SET stats = \(statsJSON)::jsonb, quality_score = \(qualityScore)::float8, validated = true
            WHERE id = \(versionId)
            """, logger: logger)
    }

    static func decodeDataset(_ row: PostgresRandomAccessRow) throws -> Mlops_V1_Dataset_Dataset {
        var dataset = Mlops_V1_Dataset_Dataset()
        dataset.id = try row["id"].decode(Int64.self)
        dataset.name = try row["name"].decode(String.self)
        dataset.description_p = try row["description"].decode(String?.self) ?? ""
        dataset.status = try .stored(try row["status"].decode(String.self), column: "training_datasets.status")
        dataset.createdBy = try row["created_by"].decode(String?.self) ?? ""
        dataset.createdAtUnixMs = try row["created_ms"].decode(Int64.self)
        dataset.updatedAtUnixMs = try row["updated_ms"].decode(Int64.self)
        dataset.versionCount = try row["version_count"].decode(Int32.self)
        if let rejection = try row["rejection"].decode(String?.self) {
            dataset.rejection = IngestReportJSON.decode(rejection)
        }
        return dataset
    }

    static func decodeDatasets(_ rows: PostgresRowSequence) async throws -> [Mlops_V1_Dataset_Dataset] {
        var out: [Mlops_V1_Dataset_Dataset] = []
        for try await row in rows { out.append(try decodeDataset(row.makeRandomAccess())) }
        return out
    }
}
