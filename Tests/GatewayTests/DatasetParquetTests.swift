import Foundation
import TestKit
import Testing

/// Parquet goes through the ml runtime (pyarrow), then the same pipeline.
@Suite(.serialized) struct DatasetParquetTests {
    static let python = repositoryRoot.appendingPathComponent(".data/ml-venv/bin/python").path

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func parquetWithMappedColumns() async throws {
        let folder = temporaryDataRoot()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let parquet = folder.appendingPathComponent("qa.parquet")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-c", """
            import pyarrow as pa, pyarrow.parquet as pq, sys
            pq.write_table(pa.table({"q": ["휴게소 입찰 절차는?", "What is the toll policy?", "터널 점검 주기는?"],
                                     "a": ["공고 후 심사를 거칩니다.", "Tolls are exempt for emergency vehicles.", "분기마다 점검합니다."],
                                     "cat": ["계약", "행정", "안전"]}), sys.argv[1])
            """, parquet.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let bytes = try [UInt8](Data(contentsOf: parquet))
        try await Gateway.withDataset { gateway, _ in
            let admin = try await gateway.login("admin", adminPassword)
            let (h1, unmapped) = DatasetRouteTests.multipart(bytes: bytes, fileName: "qa.parquet", fields: [("name", "parquet-qa")])
            let refused = try await gateway.call(.post, DatasetRouteTests.base, token: admin, headers: h1, body: unmapped)
            #expect(refused.status == .badRequest, "without a mapping the question/answer columns are missing: \(refused.text)")
            let (h2, mapped) = DatasetRouteTests.multipart(bytes: bytes, fileName: "qa.parquet", fields: [
                ("name", "parquet-qa"), ("columns", #"{"question":"q","answer":"a","category":"cat"}"#),
            ])
            let created = try await gateway.call(.post, DatasetRouteTests.base, token: admin, headers: h2, body: mapped)
            #expect(created.status == .created, "\(created.text)")
            let version = created.object["version"] as? [String: Any] ?? [:]
            #expect(version["total_samples"] as? Int == 3)
            #expect(version["format"] as? String == "parquet")
            let id = try #require((created.object["dataset"] as? [String: Any])?["id"] as? Int)
            let stats = try await gateway.call(.get, "\(DatasetRouteTests.base)/\(id)/stats", token: admin)
            #expect(stats.text.contains("계약") && stats.text.contains("안전"), "\(stats.text.prefix(500))")
        }
    }

    /// Real token counts: the tiny model's own BPE tokenizer, run by the ml runtime.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func statsWithARealTokenizer() async throws {
        try await Gateway.withDataset { gateway, _ in
            let build = Process()
            build.executableURL = URL(fileURLWithPath: Self.python)
            build.arguments = ["-m", "mlops_ml", "tiny-model", "--out", gateway.dataRoot.appendingPathComponent("models/tiny").path]
            build.environment = ["OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"]
            build.standardOutput = FileHandle.nullDevice
            try build.run()
            build.waitUntilExit()
            #expect(build.terminationStatus == 0)
            let admin = try await gateway.login("admin", adminPassword)
            let (headers, body) = DatasetRouteTests.multipart(file: DatasetRouteTests.sampleFile().text, fileName: "qa.jsonl", fields: [("name", "tokens")])
            let created = try await gateway.call(.post, DatasetRouteTests.base, token: admin, headers: headers, body: body)
            let id = try #require((created.object["dataset"] as? [String: Any])?["id"] as? Int, "\(created.text)")
            let stats = try await gateway.call(.get, "\(DatasetRouteTests.base)/\(id)/stats?tokenizer=models/tiny", token: admin)
            #expect(stats.status == .ok, "\(stats.text)")
            let real = (stats.object["stats"] as? [String: Any])?["tokens_real"] as? [String: Any] ?? [:]
            #expect(real["count"] as? Int == 60, "\(real)")
            #expect((real["total"] as? Int ?? 0) > 1000, "\(real)")
            let outside = try await gateway.call(.get, "\(DatasetRouteTests.base)/\(id)/stats?tokenizer=../../etc", token: admin)
            outside.expectProblem(.badRequest)
            // A folder that holds no tokenizer is refused before any Python runs; a broken one after,
            // and neither answer shows a server path (issue "Security", item 6).
            let empty = gateway.dataRoot.appendingPathComponent("models/empty")
            try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
            let started = ContinuousClock.now
            let none = try await gateway.call(.get, "\(DatasetRouteTests.base)/\(id)/stats?tokenizer=models/empty", token: admin)
            none.expectProblem(.badRequest, fields: ["tokenizer"])
            #expect(ContinuousClock.now - started < .seconds(2), "refused up front")
            let broken = gateway.dataRoot.appendingPathComponent("models/broken")
            try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
            try Data("{not a tokenizer".utf8).write(to: broken.appendingPathComponent("tokenizer.json"))
            try Data("{}".utf8).write(to: broken.appendingPathComponent("tokenizer_config.json"))
            let bad = try await gateway.call(.get, "\(DatasetRouteTests.base)/\(id)/stats?tokenizer=models/broken", token: admin)
            bad.expectProblem(.badRequest, fields: ["tokenizer"])
            for answer in [none, bad] {
                #expect(!answer.text.contains(gateway.dataRoot.path) && !answer.text.contains("site-packages") && !answer.text.contains("Traceback"), "\(answer.text)")
            }
        }
    }
}
