import Bus
import Contracts
import RegistryDomain
import ServiceKit

/// AddBenchmark, ListBenchmarks, RecordUsage.
struct BenchmarkHandlers: Sendable {
    let deps: ServiceDependencies

    func add(_ request: Mlops_V1_Registry_AddBenchmarkRequest, _ context: BusContext) async throws -> Mlops_V1_Registry_Benchmark {
        let benchmark = try NewBenchmark(validating: request)
        return try await deps.idempotency.once(context, request: request) { connection in
            guard let stored = try await BenchmarkStore.add(benchmark, on: connection, logger: context.logger) else {
                throw BusError.notFound("model \(benchmark.modelId) not found")
            }
            return stored
        }
    }

    func list(_ request: Mlops_V1_Registry_ListBenchmarksRequest, _ context: BusContext) async throws -> Mlops_V1_Registry_ListBenchmarksReply {
        let modelId = try benchmarkModelId(request)
        return try await deps.postgres.withConnection { connection in
            guard let benchmarks = try await BenchmarkStore.list(modelId: modelId, on: connection, logger: context.logger) else {
                throw BusError.notFound("model \(modelId) not found")
            }
            var reply = Mlops_V1_Registry_ListBenchmarksReply()
            reply.items = benchmarks
            return reply
        }
    }

    func recordUsage(_ request: Mlops_V1_Registry_RecordUsageRequest, _ context: BusContext) async throws -> Mlops_V1_Registry_RecordUsageReply {
        let usage = try NewUsage(validating: request, subject: context.subject)
        return try await deps.idempotency.once(context, request: request) { connection in
            guard let id = try await UsageStore.record(usage, on: connection, logger: context.logger) else {
                throw BusError.notFound("model \(usage.modelId) not found")
            }
            var reply = Mlops_V1_Registry_RecordUsageReply()
            reply.id = id
            return reply
        }
    }
}
