import Contracts
import JSON

/// The quality report as JSON: the version's statistics and the latest run
/// of each check, as stored.
enum ReportJSON {
    static func body(dataset: Mlops_V1_Dataset_Dataset, version: Mlops_V1_Dataset_DatasetVersion, statsJSON: String,
                     checks: [Mlops_V1_Dataset_QualityCheck]) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("dataset"); writer.string(dataset.name)
        writer.key("version"); writer.string(version.version)
        // Both come from jsonb columns: already valid JSON.
        writer.key("stats"); writer.raw(statsJSON)
        writer.key("checks")
        writer.beginArray()
        for check in checks {
            writer.beginObject()
            writer.key("check_type"); writer.string(check.checkType)
            writer.key("passed"); writer.bool(check.passed)
            writer.key("result"); writer.raw(check.issuesJson)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}
