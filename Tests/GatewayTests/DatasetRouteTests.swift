import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestKit
import Testing

/// Training data end to end: gateway → bus → a real dataset process → PostgreSQL and the blob store.
@Suite(.serialized) struct DatasetRouteTests {
    static let base = "/api/v1/admin/training/datasets"

    /// 60 chat samples over three categories, with planted PII, exact and near duplicates and one toxic line.
    static func sampleFile() -> (text: String, categories: [String: Int]) {
        var lines: [String] = []
        var categories: [String: Int] = [:]
        let topics = ["국가계약법 제5조", "도로 유지보수 예산", "고속도로 통행료 감면", "터널 안전 점검 주기", "휴게소 입찰 절차", "교통량 통계 공개"]
        for i in 0..<54 {
            let category = i % 6 < 3 ? "법령" : (i % 6 < 5 ? "행정" : "안전")
            categories[category, default: 0] += 1
            var question = "\(topics[i % topics.count])에 대해 \(i)번째로 질문합니다. 관련 규정과 절차를 알려 주세요."
            var answer = "답변 \(i): \(topics[(i * 7) % topics.count])의 경우 담당 부서가 검토한 뒤 \(i + 3)일 안에 회신합니다. 세부 기준은 내부 지침 \(i * 13 % 97)호를 따릅니다."
            switch i {
            case 0: question = "홍길동의 주민등록번호는 900101-1234568입니다. 확인해 주세요."
            case 1: answer += " 문의는 010-1234-5678로 연락 주세요."
            case 2: answer += " 메일은 hong.gildong@example.com 입니다."
            case 3: question += " 제 카드번호는 4111-1111-1111-1111 입니다."
            case 4: answer += " 서버 주소는 192.168.10.24 입니다."
            case 5: answer += " 이 멍청한 질문은 그만하세요, 개새끼."
            default: break
            }
            lines.append(sample(id: "s\(i)", question: question, answer: answer, category: category))
        }
        // Three exact duplicates (whitespace differences only) and two near duplicates.
        for (n, i) in [10, 11, 12].enumerated() {
            categories["법령", default: 0] += 1
            let question = "\(topics[i % topics.count])에 대해  \(i)번째로 질문합니다.   관련 규정과 절차를 알려 주세요."
            let answer = "답변 \(i): \(topics[(i * 7) % topics.count])의 경우 담당 부서가 검토한 뒤 \(i + 3)일 안에 회신합니다. 세부 기준은 내부 지침 \(i * 13 % 97)호를 따릅니다."
            lines.append(sample(id: "dup\(n)", question: question, answer: answer, category: "법령"))
        }
        for (n, i) in [20, 21].enumerated() {
            categories["행정", default: 0] += 1
            let question = "\(topics[i % topics.count])에 대해 \(i)번째로 질문합니다. 관련 규정과 절차를 알려 주세요!"
            let answer = "답변 \(i): \(topics[(i * 7) % topics.count])의 경우 담당 부서가 검토한 뒤 \(i + 3)일 안에 회신합니다. 세부 기준은 내부 지침 \(i * 13 % 97)호를 따릅니다"
            lines.append(sample(id: "near\(n)", question: question, answer: answer, category: "행정"))
        }
        categories["안전", default: 0] += 1
        lines.append(sample(id: "last", question: "터널 화재 시 대피 요령은?", answer: "가장 가까운 비상구로 이동하고 119에 신고합니다. 차량은 갓길에 세우고 열쇠를 꽂아 둡니다.", category: "안전"))
        return (lines.joined(separator: "\n") + "\n", categories)
    }

    static func sample(id: String, question: String, answer: String, category: String) -> String {
        func quote(_ text: String) -> String { String(decoding: try! JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed]), as: UTF8.self) }
        return #"{"id":\#(quote(id)),"messages":[{"role":"system","content":"당신은 한국도로공사의 AI 어시스턴트입니다."},{"role":"user","content":\#(quote(question))},{"role":"assistant","content":\#(quote(answer))}],"metadata":{"source":"doc-\#(id)","category":\#(quote(category)),"quality_score":0.9}}"#
    }

    static func multipart(file: String, fileName: String, fields: [(String, String)]) -> (HTTPFields, ByteBuffer) {
        multipart(bytes: Array(file.utf8), fileName: fileName, fields: fields)
    }

    static func multipart(bytes: [UInt8], fileName: String, fields: [(String, String)]) -> (HTTPFields, ByteBuffer) {
        let boundary = "----mlops\(UUID().uuidString.prefix(8))"
        var body = ""
        for (name, value) in fields {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        var buffer = ByteBuffer(string: body)
        buffer.writeBytes(bytes)
        buffer.writeString("\r\n--\(boundary)--\r\n")
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], buffer)
    }

    func upload(_ gateway: Gateway, token: String, name: String, file: String, fileName: String = "data.jsonl", fields: [(String, String)] = []) async throws -> TestResponse {
        let (headers, body) = Self.multipart(file: file, fileName: fileName, fields: [("name", name)] + fields)
        return try await gateway.call(.post, Self.base, token: token, headers: headers, body: body)
    }

    @Test func uploadValidateSplitStatsReportAndDiff() async throws {
        try await Gateway.withDataset { gateway, _ in
            let admin = try await gateway.login("admin", adminPassword)
            let (file, categories) = Self.sampleFile()
            let created = try await upload(gateway, token: admin, name: "road-qa", file: file, fields: [("description", "도로공사 Q&A")])
            #expect(created.status == .created, "\(created.text)")
            let dataset = try #require(created.object["dataset"] as? [String: Any])
            let id = try #require(dataset["id"] as? Int)
            let v1 = try #require(created.object["version"] as? [String: Any])
            #expect(v1["version"] as? String == "v1.0")
            #expect(v1["total_samples"] as? Int == 60)

            // At rest nothing is plaintext: the upload is gone and the version is ciphertext.
            let blobFiles = FileManager.default.enumerator(at: gateway.dataRoot.appendingPathComponent("blobs"), includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath } ?? []
            #expect(!blobFiles.isEmpty)
            for url in blobFiles {
                let data = try Data(contentsOf: url)
                #expect(data.range(of: Data("홍길동".utf8)) == nil, "plaintext in \(url.path)")
                #expect(data.range(of: Data("messages".utf8)) == nil, "plaintext in \(url.path)")
            }

            let validated = try await gateway.call(.post, "\(Self.base)/\(id)/validate", token: admin, json: "{}")
            #expect(validated.status == .ok, "\(validated.text)")
            let checks = validated.object["checks"] as? [[String: Any]] ?? []
            let byType = Dictionary(uniqueKeysWithValues: checks.map { ($0["check_type"] as? String ?? "", $0) })
            #expect(Set(byType.keys) == ["pii_detection", "duplicate_check", "near_duplicate_check", "quality_score", "toxicity_check"])
            let pii = (byType["pii_detection"]?["result"] as? [String: Any])?["summary"] as? [String: Any] ?? [:]
            #expect(byType["pii_detection"]?["passed"] as? Bool == false)
            #expect((pii["samples_with_pii"] as? Int ?? 0) >= 5, "\(pii)")
            let kinds = pii["findings_by_kind"] as? [String: Int] ?? [:]
            #expect(kinds.count >= 4, "\(kinds)")
            let exact = (byType["duplicate_check"]?["result"] as? [String: Any])?["summary"] as? [String: Any] ?? [:]
            #expect(exact["duplicates"] as? Int == 3, "\(exact)")
            let near = (byType["near_duplicate_check"]?["result"] as? [String: Any])?["summary"] as? [String: Any] ?? [:]
            let nearCount = near["near_duplicates"] as? Int ?? -1
            #expect((1...4).contains(nearCount), "planted 2 near duplicates: \(near)")
            #expect(byType["toxicity_check"]?["passed"] as? Bool == false)

            let derived = try #require(validated.object["derived_version"] as? [String: Any])
            #expect(derived["version"] as? String == "v1.1")
            #expect(derived["parent_version_id"] as? Int == v1["id"] as? Int)
            #expect(derived["total_samples"] as? Int == 60 - 3 - nearCount)

            let diff = try await gateway.call(.get, "\(Self.base)/\(id)/versions/v1.0/diff/v1.1?samples=50", token: admin)
            #expect(diff.status == .ok, "\(diff.text)")
            #expect(diff.object["removed"] as? Int == 3 + nearCount)
            #expect(diff.object["added"] as? Int == 0)
            #expect((diff.object["changed"] as? Int ?? 0) >= 5)
            let changed = ((diff.object["samples"] as? [String: Any])?["changed"] as? [[String: Any]]) ?? []
            let first = try #require(changed.first { $0["id"] as? String == "s0" })
            let after = String(decoding: try JSONSerialization.data(withJSONObject: first["after"] ?? [:]), as: UTF8.self)
            #expect(!after.contains("900101-1234568") && !after.contains("홍길동"), "\(after)")
            #expect(after.contains("[주민등록번호]") && after.contains("[이름]"), "\(after)")

            // The derived version keeps the strata; the same seed gives the same split.
            let split = try await gateway.call(.post, "\(Self.base)/\(id)/split", token: admin, json: #"{"train_ratio":0.8,"val_ratio":0.1,"test_ratio":0.1,"seed":7}"#)
            #expect(split.status == .ok, "\(split.text)")
            let counts = ["train_samples", "val_samples", "test_samples"].map { split.object[$0] as? Int ?? -1 }
            #expect(counts.reduce(0, +) == derived["total_samples"] as? Int)
            let again = try await gateway.call(.post, "\(Self.base)/\(id)/split", token: admin, json: #"{"train_ratio":0.8,"val_ratio":0.1,"test_ratio":0.1,"seed":7}"#)
            #expect(NSDictionary(dictionary: again.object["strata"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: split.object["strata"] as? [String: Any] ?? [:]))
            let strata = split.object["strata"] as? [String: [String: Int]] ?? [:]
            #expect(Set(strata.keys) == Set(categories.keys))

            let badSplit = try await gateway.call(.post, "\(Self.base)/\(id)/split", token: admin, json: #"{"train_ratio":0.8,"val_ratio":0.3,"test_ratio":0.1}"#)
            badSplit.expectProblem(.badRequest)
            #expect(badSplit.text.contains("sum"), "\(badSplit.text)")

            let stats = try await gateway.call(.get, "\(Self.base)/\(id)/stats", token: admin)
            #expect(stats.status == .ok, "\(stats.text)")
            let document = stats.object["stats"] as? [String: Any] ?? [:]
            #expect(document["sample_count"] as? Int == derived["total_samples"] as? Int, "\(document.keys.sorted())")
            let sourceStats = try await gateway.call(.get, "\(Self.base)/\(id)/stats?version=v1.0", token: admin)
            #expect((sourceStats.object["stats"] as? [String: Any])?["samples_with_pii"] as? Int == pii["samples_with_pii"] as? Int)

            let report = try await gateway.call(.get, "\(Self.base)/\(id)/report?version=v1.0&format=html", token: admin)
            #expect(report.status == .ok)
            #expect(report.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(report.text.contains("<svg") && report.text.contains("road-qa") && report.text.contains("pii_detection"))
            #expect(!report.text.contains("<script"))

            let versions = try await gateway.call(.get, "\(Self.base)/\(id)/versions", token: admin)
            let items = versions.object["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["version"] as? String ?? "" } == ["v1.0", "v1.1"])
            #expect(items.last?["transformation"] as? String == "validate")

            let deprecated = try await gateway.call(.patch, "\(Self.base)/\(id)", token: admin, json: #"{"status":"deprecated"}"#)
            #expect(deprecated.object["status"] as? String == "deprecated", "\(deprecated.text)")
            let listed = try await gateway.call(.get, "\(Self.base)?status=deprecated", token: admin)
            #expect((listed.object["items"] as? [[String: Any]] ?? []).map { $0["id"] as? Int } == [id])
            let badStatus = try await gateway.call(.get, "\(Self.base)?status=gone", token: admin)
            badStatus.expectProblem(.badRequest, fields: ["status"])
        }
    }

    @Test func badLinesRejectTheFileOrAreDropped() async throws {
        try await Gateway.withDataset { gateway, _ in
            let admin = try await gateway.login("admin", adminPassword)
            let good = Self.sample(id: "a", question: "질문", answer: "답변입니다.", category: "x")
            let file = [good, #"{"messages": [ {"role":"user","content":"unterminated"#, #"{"messages":[{"role":"robot","content":"hi"}]}"#,
                        Self.sample(id: "b", question: "두 번째 질문", answer: "두 번째 답변입니다.", category: "y")].joined(separator: "\n") + "\n"
            let rejected = try await upload(gateway, token: admin, name: "broken", file: file)
            #expect(rejected.status == .unprocessableContent, "\(rejected.text)")
            let report = rejected.object["report"] as? [String: Any] ?? [:]
            #expect(report["bad_lines"] as? Int == 2)
            let errors = report["errors"] as? [[String: Any]] ?? []
            #expect(errors.map { $0["line"] as? Int } == [2, 3], "\(errors)")
            let lastReason = errors.last?["reason"] as? String ?? ""
            #expect(lastReason.contains("robot"), "\(errors)")
            let id = try #require((rejected.object["dataset"] as? [String: Any])?["id"] as? Int)
            let listed = try await gateway.call(.get, "\(Self.base)?status=rejected", token: admin)
            #expect((listed.object["items"] as? [[String: Any]] ?? []).map { $0["id"] as? Int } == [id])
            let versions = try await gateway.call(.get, "\(Self.base)/\(id)/versions", token: admin)
            #expect((versions.object["items"] as? [Any])?.isEmpty == true, "nothing half-stored: \(versions.text)")
            let staged = FileManager.default.enumerator(at: gateway.dataRoot.appendingPathComponent("blobs/tmp"), includingPropertiesForKeys: nil)?.allObjects ?? []
            #expect(staged.isEmpty, "no staged files left: \(staged)")

            let dropped = try await upload(gateway, token: admin, name: "broken-dropped", file: file, fields: [("on_bad_lines", "drop")])
            #expect(dropped.status == .created, "\(dropped.text)")
            let version = dropped.object["version"] as? [String: Any] ?? [:]
            #expect(version["total_samples"] as? Int == 2)
            #expect(version["dropped_lines"] as? Int == 2)

            let empty = try await upload(gateway, token: admin, name: "empty", file: "")
            empty.expectProblem(.badRequest, fields: ["file"])
            let unknownFormat = try await upload(gateway, token: admin, name: "odd", file: good, fileName: "data.xml")
            unknownFormat.expectProblem(.badRequest, fields: ["format"])
            let duplicateName = try await upload(gateway, token: admin, name: "broken-dropped", file: file, fields: [("on_bad_lines", "drop")])
            duplicateName.expectProblem(.conflict)

            let viewer = try await gateway.user("viewer", admin: admin)
            let forbidden = try await upload(gateway, token: viewer, name: "nope", file: good)
            forbidden.expectProblem(.forbidden)
        }
    }

    /// A 50 MB single line and broken UTF-8: each a named error on its line, nothing stored.
    @Test func hugeLinesAndBrokenUTF8AreNamedAndNothingIsStored() async throws {
        try await Gateway.withDataset { gateway, _ in
            let admin = try await gateway.login("admin", adminPassword)
            var bytes = Array((Self.sample(id: "ok", question: "질문", answer: "답변입니다.", category: "x") + "\n").utf8)
            bytes += Array(#"{"messages":[{"role":"user","content":""#.utf8) + [UInt8](repeating: 0x61, count: 50 << 20) + Array(#""}]}"#.utf8) + [0x0A]
            bytes += Array(#"{"messages":[{"role":"user","content":"bad "#.utf8) + [0xC3, 0x28] + Array(#""},{"role":"assistant","content":"x"}]}"#.utf8) + [0x0A]
            let (headers, body) = Self.multipart(bytes: bytes, fileName: "big.jsonl", fields: [("name", "huge")])
            let response = try await gateway.call(.post, Self.base, token: admin, headers: headers, body: body)
            #expect(response.status == .unprocessableContent, "\(response.text.prefix(500))")
            let errors = (response.object["report"] as? [String: Any])?["errors"] as? [[String: Any]] ?? []
            #expect(errors.map { $0["line"] as? Int } == [2, 3], "\(errors)")
            let firstReason = errors.first?["reason"] as? String ?? ""
            let lastReason = errors.last?["reason"] as? String ?? ""
            #expect(firstReason.contains("record limit"), "\(errors)")
            #expect(lastReason.contains("UTF-8"), "\(errors)")
            let id = try #require((response.object["dataset"] as? [String: Any])?["id"] as? Int)
            let versions = try await gateway.call(.get, "\(Self.base)/\(id)/versions", token: admin)
            #expect((versions.object["items"] as? [Any])?.isEmpty == true)
            // Neither the upload nor any staged file is left behind as plaintext.
            let files = FileManager.default.enumerator(at: gateway.dataRoot.appendingPathComponent("blobs"), includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath } ?? []
            let sizes = files.map { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int) ?? 0 }
            #expect(sizes.allSatisfy { $0 < 1 << 20 }, "a rejected 50 MB upload must not stay in the blob store: \(sizes)")
        }
    }

    @Test func csvWithQuotedNewlinesThroughAChunkedUpload() async throws {
        try await Gateway.withDataset { gateway, _ in
            let admin = try await gateway.login("admin", adminPassword)
            let csv = "q,a,cat\n\"여러 줄\n질문입니다\",\"답변에 \"\"따옴표\"\"가 있습니다.\",법령\n두 번째,둘째 답변입니다.,행정\n"
            let bytes = Array(csv.utf8)
            let created = try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: #"{"filename":"qa.csv","size_bytes":\#(bytes.count)}"#)
            let uploadId = try #require(created.object["id"] as? String)
            let put = try await gateway.call(.put, "/api/v1/admin/uploads/\(uploadId)", token: admin,
                                             headers: [.contentRange: "bytes 0-\(bytes.count - 1)/\(bytes.count)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: bytes))
            #expect(put.status == .ok, "\(put.text)")
            let done = try await gateway.call(.post, "/api/v1/admin/uploads/\(uploadId)/complete", token: admin, json: #"{"sha256":"\#(sha256Hex(bytes))"}"#)
            #expect(done.status == .ok, "\(done.text)")
            let unknownColumn = try await gateway.call(.post, Self.base, token: admin, json: #"{"name":"csv-qa","upload_id":"\#(uploadId)","format":"csv","columns":{"question":"q","answr":"a"}}"#)
            unknownColumn.expectProblem(.badRequest, fields: ["columns.answr"])
            let ingested = try await gateway.call(.post, Self.base, token: admin, json: #"{"name":"csv-qa","upload_id":"\#(uploadId)","format":"csv","columns":{"question":"q","answer":"a","category":"cat"}}"#)
            #expect(ingested.status == .created, "\(ingested.text)")
            let id = try #require((ingested.object["dataset"] as? [String: Any])?["id"] as? Int)
            #expect((ingested.object["version"] as? [String: Any])?["total_samples"] as? Int == 2)
            let stats = try await gateway.call(.get, "\(Self.base)/\(id)/stats", token: admin)
            let document = stats.object["stats"] as? [String: Any] ?? [:]
            #expect(document["sample_count"] as? Int == 2, "\(stats.text)")
            let report = try await gateway.call(.get, "\(Self.base)/\(id)/report?format=json", token: admin)
            #expect(report.status == .ok)
            #expect(report.text.contains("법령") && report.text.contains("행정"), "\(report.text.prefix(400))")
        }
    }

    @Test func groundTruthDatasetsVersionsAndEvents() async throws {
        try await Gateway.withDataset { gateway, _ in
            let admin = try await gateway.login("admin", adminPassword)
            let dataset = try await gateway.call(.post, "/api/v1/admin/ground-truth/datasets", token: admin, json: #"{"name":"road-eval","description":"평가셋"}"#)
            #expect(dataset.status == .created, "\(dataset.text)")
            let id = try #require(dataset.object["id"] as? Int)
            var events: [String] = []
            for i in 0..<250 {
                let type = i % 5 == 0 ? "summary" : "qa"
                events.append(#"{"data_type":"\#(type)","data":{"question":"질문 \#(i)","answer":"정답 \#(i)"},"data_unit":{"document":"doc-\#(i % 7)"},"metadata":{"difficulty":\#(i % 3)}}"#)
            }
            let version = try await gateway.call(.post, "/api/v1/admin/ground-truth/datasets/\(id)/versions", token: admin,
                                                 json: #"{"version":"v1","description":"first","events":[\#(events.joined(separator: ","))]}"#)
            #expect(version.status == .created, "\(version.text)")
            let versionId = try #require(version.object["id"] as? Int)
            #expect(version.object["event_count"] as? Int == 250)
            let statistics = version.object["statistics"] as? [String: Any] ?? [:]
            #expect((statistics["data_types"] as? [String: Int]) == ["qa": 200, "summary": 50])
            let fetched = try await gateway.call(.get, "/api/v1/admin/ground-truth/versions/\(versionId)", token: admin)
            #expect((fetched.object["ground_truth_dataset"] as? [String: Any])?["name"] as? String == "road-eval")
            let again = try await gateway.call(.post, "/api/v1/admin/ground-truth/datasets/\(id)/versions", token: admin, json: #"{"version":"v1","events":[]}"#)
            again.expectProblem(.conflict)
            let bad = try await gateway.call(.post, "/api/v1/admin/ground-truth/datasets/\(id)/versions", token: admin, json: #"{"version":"v2","events":[{"data_type":"qa"},{"data":1,"metadata":[1]}]}"#)
            bad.expectProblem(.badRequest, fields: ["events[0].data", "events[1].metadata"])

            let page = try await gateway.call(.get, "/api/v1/admin/ground-truth/events?ground_truth_dataset_versions=\(versionId)&data_type=summary&limit=20", token: admin)
            #expect(page.status == .ok, "\(page.text)")
            #expect(page.object["total"] as? Int == 50)
            #expect((page.object["items"] as? [[String: Any]])?.count == 20)
            let searched = try await gateway.call(.get, "/api/v1/admin/ground-truth/events?search=%EC%A7%88%EB%AC%B8%20249", token: admin)
            #expect(searched.object["total"] as? Int == 1, "\(searched.text.prefix(300))")
            let all = try await gateway.call(.get, "/api/v1/admin/ground-truth/events?ground_truth_dataset_versions=\(versionId)&list_all=true", token: admin)
            // list_all answers the list envelope with every item (skip 0, limit = the items returned).
            let allItems = all.object["items"] as? [[String: Any]] ?? []
            #expect(allItems.count == 250)
            #expect(all.object["total"] as? Int == 250 && all.object["skip"] as? Int == 0 && all.object["limit"] as? Int == 250, "\(all.text.prefix(300))")
            #expect(Set(allItems.compactMap { $0["id"] as? Int }).count == 250)
            let future = try await gateway.call(.get, "/api/v1/admin/ground-truth/events?created_after=2999-01-01T00:00:00Z", token: admin)
            #expect(future.object["total"] as? Int == 0)
        }
    }
}
