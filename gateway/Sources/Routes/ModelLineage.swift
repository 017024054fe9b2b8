import Bus
import Contracts
import Hummingbird
import JSON

/// GET /models/{id}/lineage: where a model came from, in one call. The
/// gateway follows the references across services as the caller: model
/// (registry) → fine-tuning job (trainer) → the dataset version it trained on
/// and that version's ancestors, root last, each with its quality checks
/// (dataset service). A link the caller can follow comes with each.
extension ModelRoutes {
    /// At most this many ancestors are followed (versions form a short chain: ingest → validate → split).
    static let maxLineageDepth = 32

    @Sendable func lineage(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var get = Mlops_V1_Registry_GetModelRequest()
        get.id = try pathId(context)
        let model = try await calls.call(RegistryMethods.getModel, get, request, context)
        var job: Mlops_V1_Trainer_Job?
        var dataset: Mlops_V1_Dataset_Dataset?
        var chain: [(Mlops_V1_Dataset_DatasetVersion, [Mlops_V1_Dataset_QualityCheck])] = []
        if model.finetuningJobID > 0 {
            var getJob = Mlops_V1_Trainer_GetJobRequest()
            getJob.id = model.finetuningJobID
            // A job deleted or never ours leaves the model's lineage at the model.
            job = try await Self.unlessNotFound { try await calls.call(TrainerMethods.getJob, getJob, request, context) }
        }
        if let job {
            var getDataset = Mlops_V1_Dataset_GetDatasetRequest()
            getDataset.id = job.datasetID
            dataset = try await Self.unlessNotFound { try await calls.call(DatasetMethods.getDataset, getDataset, request, context) }
            if dataset != nil {
                var listVersions = Mlops_V1_Dataset_ListVersionsRequest()
                listVersions.datasetID = job.datasetID
                let versions = try await calls.call(DatasetMethods.listVersions, listVersions, request, context).items
                let byId = Dictionary(versions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                var next = versions.first { $0.version == job.datasetVersion }
                while let version = next, chain.count < Self.maxLineageDepth {
                    var checks = Mlops_V1_Dataset_ListQualityChecksRequest()
                    checks.ref.datasetID = version.datasetID
                    checks.ref.version = version.version
                    chain.append((version, try await calls.call(DatasetMethods.listQualityChecks, checks, request, context).items))
                    next = version.parentVersionID > 0 ? byId[version.parentVersionID] : nil
                }
            }
        }
        var w = JSONWriter(capacity: 8192)
        w.beginObject()
        w.key("model"); ModelJSON.write(model, into: &w)
        w.key("model_link"); w.string("\(ModelSpecs.base)/\(model.id)")
        w.key("job")
        if let job { JobJSON.write(job, into: &w) } else { w.null() }
        w.key("job_link")
        if let job { w.string("\(JobSpecs.base)/\(job.id)") } else { w.null() }
        w.key("dataset")
        if let dataset { DatasetJSON.write(dataset, into: &w) } else { w.null() }
        w.key("dataset_link")
        if let dataset { w.string("\(DatasetSpecs.base)/\(dataset.id)") } else { w.null() }
        w.key("versions")
        w.beginArray()
        for (version, checks) in chain {
            w.beginObject()
            w.key("version"); DatasetJSON.writeVersion(version, into: &w)
            w.key("quality_checks")
            w.beginArray()
            for check in checks { DatasetJSON.writeCheck(check, into: &w) }
            w.endArray()
            w.key("link"); w.string("\(DatasetSpecs.base)/\(version.datasetID)/report?version=\(version.version)")
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return jsonResponse(w)
    }

    private static func unlessNotFound<T>(_ call: () async throws -> T) async throws -> T? {
        do {
            return try await call()
        } catch let error as BusError where error.code == .notFound {
            return nil
        }
    }
}
