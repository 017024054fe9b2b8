/// The registry service's methods (proto/mlops/v1/registry.proto).
public enum RegistryMethods {
    public static let service = "registry"
    public typealias M = Mlops_V1_Registry_Model
    public static let registerModel = BusMethod<Mlops_V1_Registry_RegisterModelRequest, M>(service: service, name: "RegisterModel", isMutating: true)
    public static let getModel = BusMethod<Mlops_V1_Registry_GetModelRequest, M>(service: service, name: "GetModel", isMutating: false)
    public static let listModels = BusMethod<Mlops_V1_Registry_ListModelsRequest, Mlops_V1_Registry_ListModelsReply>(service: service, name: "ListModels", isMutating: false)
    public static let updateModel = BusMethod<Mlops_V1_Registry_UpdateModelRequest, M>(service: service, name: "UpdateModel", isMutating: true)
    public static let promoteModel = BusMethod<Mlops_V1_Registry_StageRequest, M>(service: service, name: "PromoteModel", isMutating: true)
    public static let archiveModel = BusMethod<Mlops_V1_Registry_StageRequest, M>(service: service, name: "ArchiveModel", isMutating: true)
    public static let rollbackModel = BusMethod<Mlops_V1_Registry_StageRequest, M>(service: service, name: "RollbackModel", isMutating: true)
    public static let addBenchmark = BusMethod<Mlops_V1_Registry_AddBenchmarkRequest, Mlops_V1_Registry_Benchmark>(service: service, name: "AddBenchmark", isMutating: true)
    public static let listBenchmarks = BusMethod<Mlops_V1_Registry_ListBenchmarksRequest, Mlops_V1_Registry_ListBenchmarksReply>(service: service, name: "ListBenchmarks", isMutating: false)
    public static let recordUsage = BusMethod<Mlops_V1_Registry_RecordUsageRequest, Mlops_V1_Registry_RecordUsageReply>(service: service, name: "RecordUsage", isMutating: true)
}
