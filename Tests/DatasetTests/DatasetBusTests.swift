import Bus
import Contracts
import Crypto
import Foundation
import ServiceKit
import TestKit
import Testing

/// The dataset service over the bus, as other services (the trainer) use it:
/// a keyed create is applied once, and a split part is exported as plaintext
/// JSONL inside DATA_ROOT only.
@Suite(.serialized) struct DatasetBusTests {
    @Test func exportSplitWritesThePartInsideDataRootAndRetriesApplyOnce() async throws {
        let database = try await TestDatabase.create()
        let ports = BrokerPorts()
        let broker = try ports.start(heartbeatMs: 250)
        let dataRoot = temporaryDataRoot()
        let service = try ChildProcess("dataset", environment: serviceEnvironment(database: database, broker: ports, heartbeatMs: 250, slots: 4, dataRoot: dataRoot,
                                                                                    extra: ["DATASET_ENCRYPTION_KEY": String(repeating: "5a", count: 32)]))
        let client = try BusClient(configuration: .init(endpoint: ports.endpoint, attemptTimeout: .seconds(5)))
        defer {
            client.shutdown()
            try? FileManager.default.removeItem(at: dataRoot)
        }
        do {
            var lines: [String] = []
            for i in 0..<40 {
                lines.append(#"{"id":"q\#(i)","messages":[{"role":"user","content":"질문 \#(i)번"},{"role":"assistant","content":"답변 \#(i)번입니다."}],"metadata":{"category":"\#(i % 2 == 0 ? "a" : "b")"}}"#)
            }
            let blobs = try BlobStore(dataRoot: dataRoot)
            let source = try blobs.put(Data((lines.joined(separator: "\n") + "\n").utf8)).address
            var create = Mlops_V1_Dataset_CreateDatasetRequest()
            create.name = "bus-qa"
            create.sourceSha256 = source.sha256
            create.keepSource = true
            let options = CallOptions(timeout: .seconds(30), idempotencyKey: "create-1", subject: "tester")
            let up = await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                (try? await client.call(DatasetMethods.createDataset, create, options: options)) != nil
            }
            #expect(up, "dataset log:\n\(service.log.suffix(2000))")
            // The same key again: the stored answer, not a second dataset.
            let again = try await client.call(DatasetMethods.createDataset, create, options: options)
            #expect(again.dataset.name == "bus-qa" && again.version.version == "v1.0")
            var list = Mlops_V1_Dataset_ListDatasetsRequest()
            list.limit = 10
            #expect(try await client.call(DatasetMethods.listDatasets, list, options: .init(timeout: .seconds(10))).total == 1)

            var split = Mlops_V1_Dataset_SplitRequest()
            split.ref.datasetID = again.dataset.id
            split.trainRatio = 0.5; split.valRatio = 0.25; split.testRatio = 0.25; split.seed = 9
            let parts = try await client.call(DatasetMethods.split, split, options: .init(timeout: .seconds(30), idempotencyKey: "split-1"))
            #expect(parts.trainSamples == 20 && parts.valSamples == 10 && parts.testSamples == 10)

            var export = Mlops_V1_Dataset_ExportSplitRequest()
            export.ref.datasetID = again.dataset.id
            export.part = "train"
            export.destination = "jobs/1/train.jsonl"
            let exported = try await client.call(DatasetMethods.exportSplit, export, options: .init(timeout: .seconds(30)))
            #expect(exported.samples == 20)
            let text = try String(contentsOf: dataRoot.appendingPathComponent("jobs/1/train.jsonl"), encoding: .utf8)
            let exportedLines = text.split(separator: "\n")
            #expect(exportedLines.count == 20)
            #expect(exportedLines.allSatisfy { $0.contains("\"messages\"") })
            #expect(hexString(Crypto.SHA256.hash(data: Data(text.utf8))) == exported.sha256)

            export.destination = "../outside.jsonl"
            let escaped = await #expect(throws: BusError.self) { try await client.call(DatasetMethods.exportSplit, export, options: .init(timeout: .seconds(10))) }
            #expect(escaped?.code == .invalidArgument)
            #expect(escaped?.fieldViolations.first?.field == "destination" || escaped?.message.contains("destination") == true, "\(String(describing: escaped))")
            export.destination = "jobs/1/x.jsonl"
            export.part = "everything"
            let badPart = await #expect(throws: BusError.self) { try await client.call(DatasetMethods.exportSplit, export, options: .init(timeout: .seconds(10))) }
            #expect(badPart?.code == .invalidArgument)
        } catch {
            Issue.record("dataset log:\n\(service.log.suffix(3000))")
            throw error
        }
        await service.stop()
        await broker.stop()
        await database.drop()
    }
}
