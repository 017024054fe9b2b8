import DatasetService
import ServiceKit

// The dataset executable: ServiceKit runs it; DatasetService provides the rest.
await ServiceMain.run(
    service: "dataset",
    defaultMetricsPort: 9111,
    migrations: DatasetService.migrations,
    readExtra: { environment in DatasetSettings.read(from: &environment) },
    makeRouter: { deps, settings in
        guard let settings else { throw MigrationError("DATASET_ENCRYPTION_KEY is not set") }
        return DatasetService.makeRouter(deps, settings: settings)
    }
)
