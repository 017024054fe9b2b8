/// The trainer service's methods (proto/mlops/v1/trainer.proto).
public enum TrainerMethods {
    public static let service = "trainer"
    public typealias J = Mlops_V1_Trainer_Job
    public static let createJob = BusMethod<Mlops_V1_Trainer_CreateJobRequest, J>(service: service, name: "CreateJob", isMutating: true)
    public static let getJob = BusMethod<Mlops_V1_Trainer_GetJobRequest, J>(service: service, name: "GetJob", isMutating: false)
    public static let listJobs = BusMethod<Mlops_V1_Trainer_ListJobsRequest, Mlops_V1_Trainer_ListJobsReply>(service: service, name: "ListJobs", isMutating: false)
    public static let stopJob = BusMethod<Mlops_V1_Trainer_StopJobRequest, J>(service: service, name: "StopJob", isMutating: true)
    public static let resumeJob = BusMethod<Mlops_V1_Trainer_ResumeJobRequest, J>(service: service, name: "ResumeJob", isMutating: true)
    public static let getLogs = BusMethod<Mlops_V1_Trainer_GetLogsRequest, Mlops_V1_Trainer_GetLogsReply>(service: service, name: "GetLogs", isMutating: false)
    public static let getMetrics = BusMethod<Mlops_V1_Trainer_GetMetricsRequest, Mlops_V1_Trainer_GetMetricsReply>(service: service, name: "GetMetrics", isMutating: false)
    public static let listCheckpoints = BusMethod<Mlops_V1_Trainer_ListCheckpointsRequest, Mlops_V1_Trainer_ListCheckpointsReply>(service: service, name: "ListCheckpoints", isMutating: false)
    public static let axolotlConfig = BusMethod<Mlops_V1_Trainer_AxolotlConfigRequest, Mlops_V1_Trainer_AxolotlConfigReply>(service: service, name: "AxolotlConfig", isMutating: false)
    public static let listDevices = BusMethod<Mlops_V1_Trainer_ListDevicesRequest, Mlops_V1_Trainer_ListDevicesReply>(service: service, name: "ListDevices", isMutating: false)

    /// Topic prefix of job events; one job's are `trainer.job.<id>`.
    public static let jobEventTopicPrefix = "trainer.job."
    public static func jobEventTopic(_ id: Int64) -> String { "\(jobEventTopicPrefix)\(id)" }
}
