import Contracts
import Foundation
import Logging
import PostgresNIO
import SwiftProtobuf

/// dataset_quality_logs: one row per check run, with its issues (seed 003 §7.1).
enum QualityStore {
    static func insert(datasetId: Int64, versionId: Int64, checkType: String, passed: Bool, issuesJSON: String,
                       on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Dataset_QualityCheck {
        let rows = try await connection.query("""
            INSERT INTO dataset.dataset_quality_logs (dataset_id, version_id, check_type, passed, issues)
            VALUES (\(datasetId), \(versionId), \(checkType), \(passed), \(issuesJSON)::jsonb)
            RETURNING id, floor(extract(epoch FROM created_at) * 1000)::int8
            """, logger: logger)
        var check = Mlops_V1_Dataset_QualityCheck()
        for try await (id, created) in rows.decode((Int64, Int64).self) {
            check.id = id
            check.createdAtUnixMs = created
        }
        check.checkType = checkType
        check.passed = passed
        check.issuesJson = issuesJSON
        check.versionID = versionId
        return check
    }

    /// The latest run of each check on a version.
    static func latest(versionId: Int64, on client: PostgresClient, logger: Logger) async throws -> [Mlops_V1_Dataset_QualityCheck] {
        let rows = try await client.query("""
            SELECT DISTINCT ON (check_type) id, check_type, passed, issues::text, floor(extract(epoch FROM created_at) * 1000)::int8
            FROM dataset.dataset_quality_logs WHERE version_id = \(versionId) ORDER BY check_type, id DESC
            """, logger: logger)
        var out: [Mlops_V1_Dataset_QualityCheck] = []
        for try await (id, type, passed, issues, created) in rows.decode((Int64, String, Bool, String, Int64).self) {
            var check = Mlops_V1_Dataset_QualityCheck()
            check.id = id
            check.checkType = type
            check.passed = passed
            check.issuesJson = issues
            check.versionID = versionId
            check.createdAtUnixMs = created
            out.append(check)
        }
        return out
    }
}

/// dataset_splits: the current split of a version and its encrypted part files.
enum SplitStore {
    struct Split: Sendable {
        var seed: UInt64
        var ratios: (train: Double, val: Double, test: Double)
        var counts: (train: Int, val: Int, test: Int)
        var blobs: (train: String, val: String, test: String)
        var strataJSON: String
    }

    static func upsert(versionId: Int64, _ split: Split, createdBy: String, on connection: PostgresConnection, logger: Logger) async throws {
        let seed = String(split.seed)
        try await connection.query("""
            INSERT INTO dataset.dataset_splits (version_id, seed, train_ratio, val_ratio, test_ratio, train_samples, val_samples,
                test_samples, train_blob, val_blob, test_blob, strata, created_by)
            VALUES (\(versionId), \(seed)::numeric, \(split.ratios.train), \(split.ratios.val), \(split.ratios.test),
                \(Int32(split.counts.train)), \(Int32(split.counts.val)), \(Int32(split.counts.test)),
                \(split.blobs.train), \(split.blobs.val), \(split.blobs.test), \(split.strataJSON)::jsonb, \(createdBy)::text)
            ON CONFLICT (version_id) DO UPDATE SET seed = EXCLUDED.seed, train_ratio = EXCLUDED.train_ratio,
                val_ratio = EXCLUDED.val_ratio, test_ratio = EXCLUDED.test_ratio, train_samples = EXCLUDED.train_samples,
                val_samples = EXCLUDED.val_samples, test_samples = EXCLUDED.test_samples, train_blob = EXCLUDED.train_blob,
                val_blob = EXCLUDED.val_blob, test_blob = EXCLUDED.test_blob, strata = EXCLUDED.strata,
                created_by = EXCLUDED.created_by, created_at = date_trunc('milliseconds', now())
            """, logger: logger)
    }

    /// The blob of one part (train, val, test) and its sample count.
    static func part(versionId: Int64, _ part: String, on client: PostgresClient, logger: Logger) async throws -> (blob: String, samples: Int)? {
        let rows = try await client.query("""
            SELECT train_blob, val_blob, test_blob, train_samples, val_samples, test_samples
            FROM dataset.dataset_splits WHERE version_id = \(versionId)
            """, logger: logger)
        for try await (train, val, test, nTrain, nVal, nTest) in rows.decode((String, String, String, Int32, Int32, Int32).self) {
            switch part {
            case "train": return (train, Int(nTrain))
            case "val": return (val, Int(nVal))
            default: return (test, Int(nTest))
            }
        }
        return nil
    }
}

/// The ingest report as stored in training_datasets.rejection.
enum IngestReportJSON {
    static let options: JSONEncodingOptions = {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        return options
    }()

    static func encode(_ report: Mlops_V1_Dataset_IngestReport) -> String {
        (try? report.jsonString(options: options)) ?? "{}"
    }

    static func decode(_ json: String) -> Mlops_V1_Dataset_IngestReport {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return (try? Mlops_V1_Dataset_IngestReport(jsonString: json, options: options)) ?? Mlops_V1_Dataset_IngestReport()
    }
}
