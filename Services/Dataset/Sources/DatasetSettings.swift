import Foundation
import ServiceKit

/// The dataset service's own environment (beside ServiceSettings).
public struct DatasetSettings: Sendable {
    /// DATASET_ENCRYPTION_KEY: 32 bytes, base64 or hex; encrypts every stored version.
    public var key: DataKey
    /// DATASET_WORKERS: threads for the per-sample checks (default: the cores).
    public var workers: Int
    /// ML_PYTHON: the ml runtime's interpreter, for Parquet and real tokenizers.
    public var mlPython: String
    /// DATASET_MAX_RECORD_BYTES: the largest accepted line/record.
    public var maxRecordBytes: Int

    public static func read(from environment: inout EnvironmentReader) -> DatasetSettings? {
        let encoded = environment.string("DATASET_ENCRYPTION_KEY")
        let key = DataKey(encoded: encoded)
        if key == nil && !encoded.isEmpty {
            environment.problem("DATASET_ENCRYPTION_KEY", "must be 32 bytes as base64 (44 characters) or 64 hex digits")
        }
        let workers = environment.int("DATASET_WORKERS", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256)
        let python = environment.string("ML_PYTHON", default: ".data/ml-venv/bin/python")
        let maxRecord = environment.int("DATASET_MAX_RECORD_BYTES", default: 4 << 20, range: 1024...(256 << 20))
        guard let key else { return nil }
        return DatasetSettings(key: key, workers: workers, mlPython: python, maxRecordBytes: maxRecord)
    }
}
