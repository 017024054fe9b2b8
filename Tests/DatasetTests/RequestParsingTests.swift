import Bus
import Contracts
import DatasetDomain
import Foundation
import JSON
import ServiceKit
import TestKit
import Testing
@testable import DatasetService

/// Requests/: a CreateDataset request becomes a DatasetUpload, or an
/// INVALID_ARGUMENT naming the first bad field in request order.
struct RequestParsingTests {
    let dataRoot = temporaryDataRoot()

    func upload(_ configure: (inout Mlops_V1_Dataset_CreateDatasetRequest) -> Void) throws -> DatasetUpload {
        let blobs = try BlobStore(dataRoot: dataRoot)
        var request = Mlops_V1_Dataset_CreateDatasetRequest()
        request.name = "road qa"
        request.sourceSha256 = try blobs.put(Data("{}\n".utf8)).address.sha256
        configure(&request)
        return try DatasetUpload(validating: request, maxRecordBytes: 1 << 20, blobs: blobs)
    }

    func refusedField(_ configure: (inout Mlops_V1_Dataset_CreateDatasetRequest) -> Void) -> String? {
        do {
            _ = try upload(configure)
            return nil
        } catch {
            let busError = error as? BusError
            #expect(busError?.code == .invalidArgument, "\(error)")
            return busError?.fieldViolations.first?.field
        }
    }

    @Test func aNewDatasetUploadGetsDefaultsAndItsParameters() throws {
        defer { try? FileManager.default.removeItem(at: dataRoot) }
        let parsed = try upload { $0.createdBy = "alice" }
        guard case .newDataset(let name) = parsed.target else { Issue.record("expected a new dataset"); return }
        #expect(name == "road qa" && parsed.isNewDataset && parsed.policy == .reject && parsed.format == .jsonl && !parsed.keepSource)
        #expect(parsed.options.maxRecordBytes == 1 << 20 && parsed.createdBy == "alice")
        let parameters = try JSONValue.parse(parsed.parametersJSON)
        #expect(parameters == JSONValue(object: ["format": .string("jsonl"), "on_bad_lines": .string("reject"), "source_sha256": .string(parsed.source.sha256)]))
    }

    @Test func aCSVVersionOfAnExistingDatasetCarriesItsColumnsAndDelimiter() throws {
        defer { try? FileManager.default.removeItem(at: dataRoot) }
        let parsed = try upload {
            $0.datasetID = 7
            $0.name = "ignored for a new version"
            $0.format = .csv
            $0.onBadLines = "drop"
            $0.csvDelimiter = "tab"
            $0.columns = ["question": "q", "answer": "a"]
        }
        guard case .newVersion(let id) = parsed.target else { Issue.record("expected a new version"); return }
        #expect(id == 7 && parsed.policy == .drop && parsed.format == .csv && parsed.options.format == .csv)
        #expect(parsed.options.csvDelimiter == 0x09 && parsed.options.csvMapping.question == "q" && parsed.options.csvMapping.answer == "a")
        let parameters = try JSONValue.parse(parsed.parametersJSON)
        #expect(parameters["columns"] == JSONValue(object: ["answer": .string("a"), "question": .string("q")]))
        #expect(parameters["on_bad_lines"] == .string("drop") && parameters["format"] == .string("csv"))
    }

    @Test func parquetIsParsedAsTheJSONLItIsConvertedTo() throws {
        defer { try? FileManager.default.removeItem(at: dataRoot) }
        let parsed = try upload { $0.format = .parquet }
        #expect(parsed.format == .parquet && parsed.options.format == .jsonl)
    }

    @Test func refusalsNameTheFieldInRequestOrder() {
        defer { try? FileManager.default.removeItem(at: dataRoot) }
        typealias Mutation = (inout Mlops_V1_Dataset_CreateDatasetRequest) -> Void
        let cases: [(String, Mutation)] = [
            ("name", { $0.name = "" }),
            ("name", { $0.name = " padded" }),
            ("description", { $0.description_p = "bell\u{7}" }),
            ("on_bad_lines", { $0.onBadLines = "skip" }),
            ("source_sha256", { $0.sourceSha256 = "ABC" }),
            ("source_sha256", { $0.sourceSha256 = String(repeating: "0", count: 64) }),
            // A missing upload is named before a bad format.
            ("source_sha256", { $0.sourceSha256 = String(repeating: "0", count: 64); $0.format = .derived }),
            ("format", { $0.format = .derived }),
            ("format", { $0.format = .UNRECOGNIZED(17) }),
            ("columns.prompt", { $0.columns = ["prompt": "p"] }),
            ("columns.question", { $0.columns = ["question": ""] }),
            ("csv_delimiter", { $0.csvDelimiter = "ab" }),
        ]
        for (expected, mutate) in cases {
            #expect(refusedField(mutate) == expected)
        }
        #expect(refusedField { $0.datasetID = 3; $0.name = "" } == nil, "a new version needs no name")
    }
}
