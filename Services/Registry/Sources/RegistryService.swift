import Bus
import Contracts
import Foundation
import RegistryDomain
import ServiceKit

/// The registry service: model versions, stages, benchmarks, usage
/// (proto/mlops/v1/registry.proto). The rules are the pure RegistryDomain
/// target (Services/Registry/Domain); Requests/ decodes bus messages into its
/// values, Store/ is all the SQL, Handlers/ wire bus methods to both.
public enum RegistryService {
    /// The registry's SQL migrations, applied after ServiceKit's own.
    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError("registry migrations are missing from the resource bundle")
        }
        return try Migration.load(component: "registry", directory: directory)
    }

    /// Every method of RegistryMethods, bound to its handler.
    public static func makeRouter(_ deps: ServiceDependencies) -> BusRouter {
        var router = BusRouter(service: RegistryMethods.service)
        let models = ModelHandlers(deps: deps)
        let stages = StageHandlers(deps: deps)
        let benchmarks = BenchmarkHandlers(deps: deps)
        router.on(RegistryMethods.registerModel, models.register)
        router.on(RegistryMethods.getModel, models.get)
        router.on(RegistryMethods.listModels, models.list)
        router.on(RegistryMethods.updateModel, models.update)
        router.on(RegistryMethods.promoteModel) { request, context in try await stages.change(.promote, request, context) }
        router.on(RegistryMethods.archiveModel) { request, context in try await stages.change(.archive, request, context) }
        router.on(RegistryMethods.rollbackModel) { request, context in try await stages.change(.rollback, request, context) }
        router.on(RegistryMethods.addBenchmark, benchmarks.add)
        router.on(RegistryMethods.listBenchmarks, benchmarks.list)
        router.on(RegistryMethods.recordUsage, benchmarks.recordUsage)
        return router
    }
}
