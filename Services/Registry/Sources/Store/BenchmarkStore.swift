import Contracts
import Logging
import PostgresNIO
import RegistryDomain

/// Benchmark rows of a model.
enum BenchmarkStore {
    private static let columns = """
        b.id, b.model_id, b.benchmark_name, b.score, b.details, \
        floor(extract(epoch FROM b.benchmark_date) * 1000)::int8 AS benchmark_ms
        """

    /// Inserts one benchmark; nil when the model does not exist.
    static func add(_ benchmark: NewBenchmark, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Registry_Benchmark? {
        let rows = try await connection.query("""
            WITH b AS (
                INSERT INTO registry.model_benchmarks (model_id, benchmark_name, score, details)
                SELECT \(benchmark.modelId), \(benchmark.name), \(benchmark.score), \(benchmark.detailsJSON)::jsonb
                WHERE EXISTS (SELECT 1 FROM registry.model_registry WHERE id = \(benchmark.modelId))
                RETURNING *
            )
            SELECT \(unescaped: columns) FROM b
            """, logger: logger)
        return try await decodeAll(rows).first
    }

    /// A model's benchmarks, newest first; nil when the model does not exist
    /// (one round trip: the model row is joined, benchmarks optional).
    static func list(modelId: Int64, on connection: PostgresConnection, logger: Logger) async throws -> [Mlops_V1_Registry_Benchmark]? {
        let rows = try await connection.query("""
            SELECT m.id AS found, \(unescaped: columns)
            FROM registry.model_registry m
            LEFT JOIN registry.model_benchmarks b ON b.model_id = m.id
            WHERE m.id = \(modelId)
            ORDER BY b.benchmark_date DESC, b.id DESC
            """, logger: logger)
        var found = false
        var benchmarks: [Mlops_V1_Registry_Benchmark] = []
        for try await row in rows {
            found = true
            let cells = row.makeRandomAccess()
            // The LEFT JOIN's lone row for a model without benchmarks has a NULL b.id.
            if try cells["id"].decode(Int64?.self) != nil { benchmarks.append(try decode(cells)) }
        }
        return found ? benchmarks : nil
    }

    private static func decodeAll(_ rows: PostgresRowSequence) async throws -> [Mlops_V1_Registry_Benchmark] {
        var benchmarks: [Mlops_V1_Registry_Benchmark] = []
        for try await row in rows { benchmarks.append(try decode(row.makeRandomAccess())) }
        return benchmarks
    }

    private static func decode(_ cells: PostgresRandomAccessRow) throws -> Mlops_V1_Registry_Benchmark {
        var benchmark = Mlops_V1_Registry_Benchmark()
        benchmark.id = try cells["id"].decode(Int64.self)
        benchmark.modelID = try cells["model_id"].decode(Int64.self)
        benchmark.benchmarkName = try cells["benchmark_name"].decode(String.self)
        benchmark.score = try cells["score"].decode(Double.self)
        benchmark.detailsJson = try cells["details"].decode(String?.self) ?? ""
        benchmark.benchmarkDateUnixMs = try cells["benchmark_ms"].decode(Int64.self)
        return benchmark
    }
}
