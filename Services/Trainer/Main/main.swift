import ServiceKit
import TrainerService

// The trainer executable: ServiceKit runs it; TrainerService provides the rest.
await ServiceMain.run(
    service: "trainer",
    defaultMetricsPort: 9112,
    migrations: TrainerService.migrations,
    readExtra: { environment in TrainerSettings.read(from: &environment) },
    makeRouter: { deps, settings in
        let (router, supervisor) = try TrainerService.make(deps, settings: settings)
        return (router, [supervisor])
    }
)
