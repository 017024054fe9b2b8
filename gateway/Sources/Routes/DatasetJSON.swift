import Contracts
import JSON

/// Dataset protos → REST JSON (gateway/API.md), written straight into the buffer.
enum DatasetJSON {
    static func write(_ dataset: Mlops_V1_Dataset_Dataset, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.int(dataset.id)
        w.key("name"); w.string(dataset.name)
        w.key("description"); w.stringOrNull(dataset.description_p)
        w.key("status"); w.stringOrNull(dataset.status.name ?? "")
        w.key("created_by"); w.stringOrNull(dataset.createdBy)
        w.key("created_at"); w.timestamp(unixMs: dataset.createdAtUnixMs)
        w.key("updated_at"); w.timestamp(unixMs: dataset.updatedAtUnixMs)
        w.key("version_count"); w.int(dataset.versionCount)
        w.key("latest_version")
        if dataset.hasLatest { writeVersion(dataset.latest, into: &w) } else { w.null() }
        if dataset.hasRejection {
            w.key("rejection"); writeReport(dataset.rejection, into: &w)
        }
        w.endObject()
    }

    static func writeVersion(_ v: Mlops_V1_Dataset_DatasetVersion, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.int(v.id)
        w.key("dataset_id"); w.int(v.datasetID)
        w.key("version"); w.string(v.version)
        w.key("sha256"); w.string(v.sha256)
        w.key("format"); w.stringOrNull(v.sourceFormat.name ?? "")
        w.key("total_samples"); w.int(v.totalSamples)
        w.key("size_bytes"); w.int(v.sizeBytes)
        w.key("parent_version_id")
        if v.parentVersionID > 0 { w.int(v.parentVersionID) } else { w.null() }
        w.key("transformation"); w.string(v.transformation)
        w.key("parameters"); w.raw(v.parametersJson.isEmpty ? "{}" : v.parametersJson)
        w.key("dropped_lines"); w.int(v.droppedLines)
        w.key("quality_score")
        if v.hasQualityScore_p { w.double(v.qualityScore) } else { w.null() }
        w.key("validated"); w.bool(v.validated)
        w.key("train_samples")
        if v.hasSplit_p { w.int(v.trainSamples) } else { w.null() }
        w.key("val_samples")
        if v.hasSplit_p { w.int(v.valSamples) } else { w.null() }
        w.key("test_samples")
        if v.hasSplit_p { w.int(v.testSamples) } else { w.null() }
        w.key("created_by"); w.stringOrNull(v.createdBy)
        w.key("created_at"); w.timestamp(unixMs: v.createdAtUnixMs)
        w.endObject()
    }

    static func writeReport(_ report: Mlops_V1_Dataset_IngestReport, into w: inout JSONWriter) {
        w.beginObject()
        w.key("good_lines"); w.int(report.goodLines)
        w.key("bad_lines"); w.int(report.badLines)
        w.key("errors")
        w.beginArray()
        for error in report.errors {
            w.beginObject()
            w.key("line"); w.int(error.line)
            w.key("field"); w.stringOrNull(error.field)
            w.key("reason"); w.string(error.reason)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    static func writeCheck(_ check: Mlops_V1_Dataset_QualityCheck, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.int(check.id)
        w.key("check_type"); w.string(check.checkType)
        w.key("passed"); w.bool(check.passed)
        w.key("version_id"); w.int(check.versionID)
        w.key("result"); w.raw(check.issuesJson.isEmpty ? "{}" : check.issuesJson)
        w.key("created_at"); w.timestamp(unixMs: check.createdAtUnixMs)
        w.endObject()
    }

    static func writeGroundTruthDataset(_ d: Mlops_V1_Dataset_GroundTruthDataset, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.int(d.id)
        w.key("name"); w.string(d.name)
        w.key("description"); w.stringOrNull(d.description_p)
        w.key("created_by"); w.stringOrNull(d.createdBy)
        w.key("created_at"); w.timestamp(unixMs: d.createdAtUnixMs)
        w.key("version_count"); w.int(d.versionCount)
        w.endObject()
    }

    static func writeGroundTruthVersion(_ v: Mlops_V1_Dataset_GroundTruthVersion, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.int(v.id)
        w.key("version"); w.string(v.version)
        w.key("ground_truth_dataset"); writeGroundTruthDataset(v.groundTruthDataset, into: &w)
        w.key("event_count"); w.int(v.eventCount)
        w.key("description"); w.stringOrNull(v.description_p)
        w.key("is_active"); w.bool(v.isActive)
        w.key("created_at"); w.timestamp(unixMs: v.createdAtUnixMs)
        w.key("statistics"); w.raw(v.statisticsJson.isEmpty ? "{}" : v.statisticsJson)
        w.endObject()
    }

    static func writeGroundTruthEvent(_ e: Mlops_V1_Dataset_GroundTruthEvent, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.int(e.id)
        w.key("ground_truth_dataset_version"); w.int(e.groundTruthDatasetVersion)
        w.key("data_type"); w.string(e.dataType)
        w.key("data"); w.raw(e.dataJson.isEmpty ? "null" : e.dataJson)
        w.key("data_unit"); w.raw(e.dataUnitJson.isEmpty ? "null" : e.dataUnitJson)
        w.key("metadata"); w.raw(e.metadataJson.isEmpty ? "null" : e.metadataJson)
        w.key("created_at"); w.timestamp(unixMs: e.createdAtUnixMs)
        w.endObject()
    }
}
