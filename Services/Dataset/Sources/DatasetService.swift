import Bus
import Contracts
import Foundation
import ServiceKit

/// The dataset service: training data ingest, validation (PII, duplicates,
/// quality, toxicity), versions with lineage, splits, statistics and reports,
/// and ground truth (proto/mlops/v1/dataset.proto). The pure checks live in
/// the DatasetDomain target (Services/Dataset/Domain); Pipeline/ streams
/// versions through them, Store/ is SQL, Handlers/ wire bus methods.
public enum DatasetService {
    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError("dataset migrations are missing from the resource bundle")
        }
        return try Migration.load(component: "dataset", directory: directory)
    }

    public static func makeRouter(_ deps: ServiceDependencies, settings: DatasetSettings) -> BusRouter {
        var router = BusRouter(service: DatasetMethods.service)
        let datasets = DatasetHandlers(deps: deps, settings: settings)
        let processing = ProcessingHandlers(deps: deps, settings: settings)
        let groundTruth = GroundTruthHandlers(deps: deps)
        router.on(DatasetMethods.createDataset, datasets.create)
        router.on(DatasetMethods.getDataset, datasets.get)
        router.on(DatasetMethods.listDatasets, datasets.list)
        router.on(DatasetMethods.updateDataset, datasets.update)
        router.on(DatasetMethods.listVersions, datasets.versions)
        router.on(DatasetMethods.diff, datasets.diff)
        router.on(DatasetMethods.stats, datasets.stats)
        router.on(DatasetMethods.report, datasets.report)
        router.on(DatasetMethods.listQualityChecks, datasets.qualityChecks)
        router.on(DatasetMethods.validate, processing.validate)
        router.on(DatasetMethods.split, processing.split)
        router.on(DatasetMethods.exportSplit, processing.exportSplit)
        router.on(DatasetMethods.createGroundTruthDataset, groundTruth.createDataset)
        router.on(DatasetMethods.listGroundTruthDatasets, groundTruth.listDatasets)
        router.on(DatasetMethods.createGroundTruthVersion, groundTruth.createVersion)
        router.on(DatasetMethods.getGroundTruthVersion, groundTruth.getVersion)
        router.on(DatasetMethods.listGroundTruthEvents, groundTruth.listEvents)
        return router
    }
}
