import Foundation
import TestKit
import Testing

/// The HTML quality report in a real browser: headless Chromium renders it,
/// the rendered DOM has its charts, and a screenshot is kept for people.
@Suite(.serialized) struct DatasetReportBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: chromium != nil || ProcessInfo.processInfo.environment["REQUIRE_CHROMIUM"] == "1"))
    func reportRendersInHeadlessChromium() async throws {
        let browser = try #require(Self.chromium, "REQUIRE_CHROMIUM=1 but Debian's chromium is not installed")
        try await Gateway.withDataset { gateway, _ in
            let admin = try await gateway.login("admin", adminPassword)
            let (file, _) = DatasetRouteTests.sampleFile()
            let (headers, body) = DatasetRouteTests.multipart(file: file, fileName: "qa.jsonl", fields: [("name", "report-qa")])
            let created = try await gateway.call(.post, DatasetRouteTests.base, token: admin, headers: headers, body: body)
            let id = try #require((created.object["dataset"] as? [String: Any])?["id"] as? Int, "\(created.text)")
            _ = try await gateway.call(.post, "\(DatasetRouteTests.base)/\(id)/validate", token: admin, json: "{}")
            let report = try await gateway.call(.get, "\(DatasetRouteTests.base)/\(id)/report?version=v1.0", token: admin)
            #expect(report.status == .ok)

            let folder = repositoryRoot.appendingPathComponent(".build/test-artifacts", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let page = folder.appendingPathComponent("dataset-report.html")
            let screenshot = folder.appendingPathComponent("dataset-report.png")
            try Data(buffer: report.body).write(to: page)
            try? FileManager.default.removeItem(at: screenshot)
            let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=\(folder.path)/chromium-profile"]
            let dom = try run(browser, common + ["--dump-dom", page.absoluteString])
            #expect(dom.contains("<svg"), "the rendered DOM has no chart")
            #expect(dom.components(separatedBy: "<rect").count > 10, "the charts have bars")
            #expect(dom.contains("pii_detection") && dom.contains("failed"))
            _ = try run(browser, common + ["--window-size=1200,2000", "--screenshot=\(screenshot.path)", page.absoluteString])
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
            #expect(size > 10_000, "screenshot of \(size) bytes")
            print("dataset report screenshot: \(screenshot.path) (\(size) bytes)")
        }
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
