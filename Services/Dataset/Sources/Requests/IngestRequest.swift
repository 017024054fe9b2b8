import Bus
import Contracts
import DatasetDomain

extension DatasetFormat {
    /// The parser that reads it (Parquet is converted to JSON Lines first).
    var domain: InputFormat {
        switch self {
        case .jsonl, .parquet: return .jsonl
        case .json: return .json
        case .csv: return .csv
        }
    }
}

/// The request's format names.
enum IngestRequest {
    static func format(_ value: Mlops_V1_Dataset_SourceFormat) throws -> DatasetFormat {
        guard let format = value == .unspecified ? .jsonl : DatasetFormat(value) else {
            throw BusError.invalidArgument(field: "format", "must be one of \(DatasetFormat.names)")
        }
        return format
    }

    static let columnRoles: Set<String> = ["question", "answer", "system", "category", "source", "id", "quality_score"]

    static func mapping(_ columns: [String: String]) throws -> CSVColumnMapping {
        var mapping = CSVColumnMapping()
        for (role, column) in columns {
            guard columnRoles.contains(role) else {
                throw BusError.invalidArgument(field: "columns.\(role)", "unknown; map question, answer, system, category, source, id or quality_score")
            }
            guard (1...255).contains(column.count) else { throw BusError.invalidArgument(field: "columns.\(role)", "must be a column name of 1 to 255 characters") }
            switch role {
            case "question": mapping.question = column
            case "answer": mapping.answer = column
            case "system": mapping.system = column
            case "category": mapping.category = column
            case "source": mapping.source = column
            case "id": mapping.id = column
            default: mapping.qualityScore = column
            }
        }
        return mapping
    }
}
