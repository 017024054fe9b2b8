import Foundation
import ServiceKit
import Testing

@Suite struct MigrationLoadTests {
    func folder(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, sql) in files { try sql.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return url
    }

    @Test func loadsInVersionOrder() throws {
        let migrations = try Migration.load(component: "x", directory: try folder([
            "0002_second.sql": "SELECT 2;", "0001_first.sql": "SELECT 1;", "0010_tenth.sql": "SELECT 10;", "README": "ignored",
        ]))
        #expect(migrations.map(\.version) == [1, 2, 10])
        #expect(migrations.map(\.name) == ["first", "second", "tenth"])
    }

    @Test func refusesBadNamesAndDuplicates() throws {
        #expect(throws: MigrationError.self) { try Migration.load(component: "x", directory: try folder(["first.sql": ""])) }
        #expect(throws: MigrationError.self) { try Migration.load(component: "x", directory: try folder(["0001_a.sql": "", "001_b.sql": ""])) }
    }

    @Test func checksumChangesWithContent() {
        let a = Migration(component: "x", version: 1, name: "a", sql: "CREATE TABLE t ();")
        var b = a
        b.sql += " "
        #expect(a.checksum != b.checksum)
        #expect(a.checksum.count == 64)
    }

    @Test func serviceKitShipsItsOwnMigrations() throws {
        let kit = try Migration.serviceKit()
        #expect(kit.first?.name == "idempotency_keys")
    }
}
