import RegistryService
import ServiceKit

// The registry executable: ServiceKit runs it; RegistryService provides the rest.
await ServiceMain.run(
    service: "registry",
    defaultMetricsPort: 9110,
    migrations: RegistryService.migrations,
    readExtra: { _ in () },
    makeRouter: { deps, _ in RegistryService.makeRouter(deps) }
)
