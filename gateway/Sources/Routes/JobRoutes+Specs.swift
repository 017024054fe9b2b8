import Contracts
import JSON

/// /api/v1/admin/finetuning/jobs… and /api/v1/admin/gpus (seed 003 §6.2).
enum JobSpecs {
    typealias O = OpenAPI
    static let base = "/api/v1/admin/finetuning/jobs"

    static let create = RouteSpec(.post, base, .role(.engineer), id: "createFinetuningJob", "Create a fine-tuning job (queued for a device lease)",
        tag: "finetuning", body: .json(O.ref("FinetuningJobCreate")), responses: [.json(201, "created", O.ref("FinetuningJob"))])
    static let list = RouteSpec(.get, base, .role(.viewer), id: "listFinetuningJobs", "List jobs, newest first", tag: "finetuning",
        query: [
            .choice("status", Mlops_V1_Trainer_JobStatus.self),
            .integer("dataset_id", 1...Int.max, description: "jobs trained on this dataset"),
            .string("dataset_version", maxLength: 50, description: "with dataset_id: on this version (v1.1)"),
        ] + ListLimits.jobs, responses: [.list("jobs", item: "FinetuningJob")])
    static let get = RouteSpec(.get, "\(base)/{id}", .role(.viewer), id: "getFinetuningJob", "One job with progress and latest metrics",
        tag: "finetuning", responses: [.json(200, "the job", O.ref("FinetuningJob"))])
    static let stop = RouteSpec(.post, "\(base)/{id}/stop", .role(.engineer), id: "stopFinetuningJob",
        "Stop a job: a running one saves a checkpoint first (status stopping, then stopped)", tag: "finetuning",
        responses: [.json(200, "the job", O.ref("FinetuningJob"))])
    static let resume = RouteSpec(.post, "\(base)/{id}/resume", .role(.engineer), id: "resumeFinetuningJob",
        "Resume a stopped or failed job from a checkpoint (default the latest)", tag: "finetuning",
        query: [.integer("checkpoint_id", 1...Int.max)], body: .json(O.ref("FinetuningJobResume"), required: false),
        responses: [.json(200, "the job", O.ref("FinetuningJob"))])
    static let logs = RouteSpec(.get, "\(base)/{id}/logs", .role(.viewer), id: "finetuningJobLogs", "The last lines of the job's log", tag: "finetuning",
        query: [.integer("lines", 1...10_000, default: 100)], responses: [.json(200, "log lines", O.ref("FinetuningJobLogs"))])
    static let metrics = RouteSpec(.get, "\(base)/{id}/metrics", .role(.viewer), id: "finetuningJobMetrics",
        "Every metric point (loss, eval loss, perplexity, learning rate, tokens/s, GPU memory)", tag: "finetuning",
        responses: [.json(200, "metric points", O.ref("FinetuningJobMetrics"))])
    static let checkpoints = RouteSpec(.get, "\(base)/{id}/checkpoints", .role(.viewer), id: "finetuningJobCheckpoints", "The job's checkpoints",
        tag: "finetuning", query: ListLimits.jobs, responses: [.list("checkpoints", item: "Checkpoint")])
    static let events = RouteSpec(.get, "\(base)/{id}/events", .role(.viewer), id: "finetuningJobEvents",
        "Live events as Server-Sent Events: snapshot, log, progress, metrics, checkpoint, state; ends after a final state", tag: "finetuning",
        responses: [.text(200, "an event stream", mediaType: "text/event-stream")])
    static let axolotl = RouteSpec(.get, "\(base)/{id}/axolotl.yaml", .role(.viewer), id: "finetuningJobAxolotlConfig", "The job as an Axolotl config (YAML)",
        tag: "finetuning", responses: [.text(200, "Axolotl YAML", mediaType: "application/yaml; charset=utf-8")])
    static let gpus = RouteSpec(.get, "/api/v1/admin/gpus", .role(.viewer), id: "listDevices", "Device inventory (GPUs, or CPU slots) with current leases",
        tag: "finetuning", responses: [.json(200, "devices", O.ref("DeviceList"))])

    static let all = [create, list, get, stop, resume, logs, metrics, checkpoints, events, axolotl, gpus]
}
