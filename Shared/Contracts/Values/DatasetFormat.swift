// Hand-written, unlike the generated *.pb.swift files.

/// The file formats a training dataset is uploaded in: the values of the
/// `format` field that crosses the bus in `CreateDatasetRequest` (seed 003
/// §4.1). The one place the gateway, mlopsctl and the dataset service learn
/// the set and tell a format from a file name.
public enum DatasetFormat: String, Sendable, CaseIterable {
    case jsonl, json, csv, parquet

    /// The format a file name's extension names, case-insensitively (`.ndjson`
    /// is JSON Lines); nil when it names none.
    public init?(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".ndjson") {
            self = .jsonl
            return
        }
        guard let format = Self.allCases.first(where: { lower.hasSuffix(".\($0.rawValue)") }) else { return nil }
        self = format
    }

    /// "jsonl, json, csv, parquet": for messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

extension DatasetFormat {
    /// How the format crosses the bus.
    public var sourceFormat: Mlops_V1_Dataset_SourceFormat {
        switch self {
        case .jsonl: .jsonl
        case .json: .json
        case .csv: .csv
        case .parquet: .parquet
        }
    }

    /// nil for derived and unspecified: not an upload format.
    public init?(_ sourceFormat: Mlops_V1_Dataset_SourceFormat) {
        guard let format = Self.allCases.first(where: { $0.sourceFormat == sourceFormat }) else { return nil }
        self = format
    }
}
