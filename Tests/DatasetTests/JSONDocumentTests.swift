import Contracts
import DatasetDomain
import Foundation
import JSON
import Testing
@testable import DatasetService

/// The JSON documents the service writes (reports, statistics, issues,
/// parameters) and reads (ml runtime lines, field checks), through the shared JSON module.
struct JSONDocumentTests {
    @Test func theJSONReportEmbedsStoredDocumentsAndEscapesNames() throws {
        var dataset = Mlops_V1_Dataset_Dataset()
        dataset.name = #"road "qa""#
        var version = Mlops_V1_Dataset_DatasetVersion()
        version.version = "v1.0"
        var check = Mlops_V1_Dataset_QualityCheck()
        check.checkType = "pii_detection"
        check.passed = false
        check.issuesJson = #"{"issue_count": 2}"#
        let body = ReportJSON.body(dataset: dataset, version: version, statsJSON: #"{"sample_count": 3}"#, checks: [check])
        let report = try JSONValue.parse(body)
        #expect(report.members?.map(\.0) == ["dataset", "version", "stats", "checks"], "the order clients saw before")
        #expect(report["dataset"] == .string(#"road "qa""#) && report["version"] == .string("v1.0"))
        #expect(report["stats"]?["sample_count"] == .int(3))
        let checks = report["checks"]?.arrayValue ?? []
        #expect(checks.count == 1 && checks.first?["check_type"] == .string("pii_detection") && checks.first?["passed"] == .bool(false))
        #expect(checks.first?["result"]?["issue_count"] == .int(2))
    }

    @Test func statisticsDocumentsAddTheServiceFactsOverTheDomainStats() throws {
        struct Stats: Encodable { var sampleCount = 4; var meanTokens = 2.5; var validated = true }
        let text = try StatsDocument.json(Stats(), extra: ["validated": .bool(false), "samples_with_pii": .int(1)])
        let document = try JSONValue.parse(text)
        #expect(document == JSONValue(object: [
            "sample_count": .int(4), "mean_tokens": .double(2.5), "validated": .bool(false), "samples_with_pii": .int(1),
        ]))
    }

    @Test func issueListsCountEverythingAndKeepTheFirstThousand() throws {
        var issues = IssueList()
        for line in 0..<(Validation.maxIssues + 5) { issues.add(JSONValue(object: ["line": .integer(line)])) }
        let document = try JSONValue.parse(issues.json(summary: ["samples": .integer(9)]))
        #expect(document["issue_count"] == .integer(Validation.maxIssues + 5) && document["truncated"] == .bool(true))
        #expect(document["issues"]?.arrayValue?.count == Validation.maxIssues)
        #expect(document["issues"]?.arrayValue?.last?["line"] == .integer(Validation.maxIssues - 1))
        #expect(document["summary"]?["samples"] == .int(9))
    }

    @Test func mergingAddsOrReplacesOneMemberAndLeavesBadTextAlone() throws {
        let merged = try JSONValue.parse(mergeJSON(#"{"a":1,"tokens_real":0}"#, key: "tokens_real", valueJSON: #"{"mean":3.5}"#))
        #expect(merged == JSONValue(object: ["a": .int(1), "tokens_real": JSONValue(object: ["mean": .double(3.5)])]))
        #expect(mergeJSON("not json", key: "k", valueJSON: "1") == "not json")
        #expect(mergeJSON("{}", key: "k", valueJSON: "{oops") == "{}")
    }

    @Test func fieldChecksAreStrictJSON() {
        #expect(Fields.isJSON("42") && Fields.isJSON("[1]") && Fields.isJSON(#""text""#))
        #expect(!Fields.isJSON("{") && !Fields.isJSON("NaN"))
        #expect(Fields.isJSONObject(#"{"unit":"km"}"#))
        #expect(!Fields.isJSONObject("[1]") && !Fields.isJSONObject(#"{"a":1,"a":2}"#), "arrays and duplicate keys are refused")
    }

    @Test func groundTruthStatisticsCountTypesAndOptionalParts() throws {
        func event(_ type: String, unit: String = "") -> Mlops_V1_Dataset_GroundTruthEvent {
            var event = Mlops_V1_Dataset_GroundTruthEvent()
            event.dataType = type
            event.dataJson = "[1,2]"
            event.dataUnitJson = unit
            return event
        }
        let statistics = try JSONValue.parse(GroundTruthEvents.validate([event("qa"), event("qa", unit: #"{"u":1}"#), event("summary")]))
        #expect(statistics == JSONValue(object: [
            "event_count": .int(3), "data_types": JSONValue(object: ["qa": .int(2), "summary": .int(1)]),
            "mean_data_bytes": .double(5), "with_data_unit": .int(1), "with_metadata": .int(0),
        ]))
    }

    @Test func extraToxicityTermsNameTheBadCategory() {
        var request = Mlops_V1_Dataset_ValidateRequest()
        request.extraTermsJson = #"{"slurs":["a","b"],"spam":[1]}"#
        #expect(throws: (any Error).self) { try ValidationPlan(validating: request) }
        do {
            _ = try ValidationPlan(validating: request)
        } catch {
            #expect("\(error)".contains("extra_terms.spam"), "\(error)")
        }
        request.extraTermsJson = #"{"slurs":["a","b"]}"#
        #expect((try? ValidationPlan(validating: request))?.extraTerms == ["slurs": ["a", "b"]])
        request.extraTermsJson = "[]"
        #expect((try? ValidationPlan(validating: request)) == nil)
    }

    @Test func validationParametersSayWhatRan() throws {
        var request = Mlops_V1_Dataset_ValidateRequest()
        request.checks = ["quality", "pii"]
        request.hasMinScore_p = true
        request.minScore = 0.4
        let parameters = try JSONValue.parse(try ValidationPlan(validating: request).parametersJSON)
        #expect(parameters["checks"] == .array([.string("pii_detection"), .string("quality_score")]))
        #expect(parameters["min_score"] == .double(0.4) && parameters["mask_pii"] == .bool(true))
        #expect(parameters["minhash_permutations"]?.intValue != nil && parameters["near_duplicate_threshold"]?.numberValue != nil)
    }
}
