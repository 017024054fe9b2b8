/// The dataset service's methods (proto/mlops/v1/dataset.proto).
public enum DatasetMethods {
    public static let service = "dataset"
    public typealias D = Mlops_V1_Dataset_Dataset
    public static let createDataset = BusMethod<Mlops_V1_Dataset_CreateDatasetRequest, Mlops_V1_Dataset_CreateDatasetReply>(service: service, name: "CreateDataset", isMutating: true)
    public static let getDataset = BusMethod<Mlops_V1_Dataset_GetDatasetRequest, D>(service: service, name: "GetDataset", isMutating: false)
    public static let listDatasets = BusMethod<Mlops_V1_Dataset_ListDatasetsRequest, Mlops_V1_Dataset_ListDatasetsReply>(service: service, name: "ListDatasets", isMutating: false)
    public static let updateDataset = BusMethod<Mlops_V1_Dataset_UpdateDatasetRequest, D>(service: service, name: "UpdateDataset", isMutating: true)
    public static let validate = BusMethod<Mlops_V1_Dataset_ValidateRequest, Mlops_V1_Dataset_ValidateReply>(service: service, name: "Validate", isMutating: true)
    public static let split = BusMethod<Mlops_V1_Dataset_SplitRequest, Mlops_V1_Dataset_SplitReply>(service: service, name: "Split", isMutating: true)
    public static let stats = BusMethod<Mlops_V1_Dataset_StatsRequest, Mlops_V1_Dataset_StatsReply>(service: service, name: "Stats", isMutating: false)
    public static let report = BusMethod<Mlops_V1_Dataset_ReportRequest, Mlops_V1_Dataset_ReportReply>(service: service, name: "Report", isMutating: false)
    public static let listVersions = BusMethod<Mlops_V1_Dataset_ListVersionsRequest, Mlops_V1_Dataset_ListVersionsReply>(service: service, name: "ListVersions", isMutating: false)
    public static let diff = BusMethod<Mlops_V1_Dataset_DiffRequest, Mlops_V1_Dataset_DiffReply>(service: service, name: "Diff", isMutating: false)
    public static let listQualityChecks = BusMethod<Mlops_V1_Dataset_ListQualityChecksRequest, Mlops_V1_Dataset_ListQualityChecksReply>(service: service, name: "ListQualityChecks", isMutating: false)
    /// Writes a file, but the same file for the same request: a retry is harmless.
    public static let exportSplit = BusMethod<Mlops_V1_Dataset_ExportSplitRequest, Mlops_V1_Dataset_ExportSplitReply>(service: service, name: "ExportSplit", isMutating: false)

    public static let createGroundTruthDataset = BusMethod<Mlops_V1_Dataset_CreateGroundTruthDatasetRequest, Mlops_V1_Dataset_GroundTruthDataset>(service: service, name: "CreateGroundTruthDataset", isMutating: true)
    public static let listGroundTruthDatasets = BusMethod<Mlops_V1_Dataset_ListGroundTruthDatasetsRequest, Mlops_V1_Dataset_ListGroundTruthDatasetsReply>(service: service, name: "ListGroundTruthDatasets", isMutating: false)
    public static let createGroundTruthVersion = BusMethod<Mlops_V1_Dataset_CreateGroundTruthVersionRequest, Mlops_V1_Dataset_GroundTruthVersion>(service: service, name: "CreateGroundTruthVersion", isMutating: true)
    public static let getGroundTruthVersion = BusMethod<Mlops_V1_Dataset_GetGroundTruthVersionRequest, Mlops_V1_Dataset_GroundTruthVersion>(service: service, name: "GetGroundTruthVersion", isMutating: false)
    public static let listGroundTruthEvents = BusMethod<Mlops_V1_Dataset_ListGroundTruthEventsRequest, Mlops_V1_Dataset_ListGroundTruthEventsReply>(service: service, name: "ListGroundTruthEvents", isMutating: false)
}
