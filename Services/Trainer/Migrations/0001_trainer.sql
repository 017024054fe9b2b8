-- Fine-tuning jobs and checkpoints (seed 003 §7.2), with metric points,
-- the device inventory and device leases. The job row is the truth about a
-- job (ARCHITECTURE.md Reliability): any trainer instance can pick it up.
-- created_by is the gateway's subject and dataset_id the dataset service's id:
-- plain values, no cross-schema FK.
CREATE TABLE trainer.finetuning_jobs (
    id bigserial PRIMARY KEY,
    job_name varchar(255) NOT NULL UNIQUE,
    base_model varchar(255) NOT NULL,
    dataset_id bigint NOT NULL,
    dataset_version varchar(50) NOT NULL,
    method varchar(20) NOT NULL CHECK (method IN ('full', 'lora', 'qlora')),
    -- Every hyperparameter, resolved.
    hyperparameters jsonb NOT NULL,
    -- The whole normalized request (JobSpec.normalizedRequest).
    spec jsonb NOT NULL,
    priority integer NOT NULL DEFAULT 0,
    -- What the job asked for: "count=1" or "gpu0,gpu1".
    gpu_request varchar(255) NOT NULL,
    -- The devices of the current or last run ("cpu0,cpu1").
    gpu_ids varchar(255),
    status varchar(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'queued', 'running', 'stopping', 'completed', 'failed', 'stopped')),
    status_reason text,
    error_message text,
    error_field varchar(255),
    mlflow_run_id varchar(255),
    -- Inside DATA_ROOT: the job folder, its checkpoints/output, its log.
    output_dir text NOT NULL,
    checkpoint_dir text NOT NULL,
    logs_path text NOT NULL,
    train_file text,
    val_file text,
    -- The checkpoint folder the next run resumes from ('latest' = the newest complete one).
    resume_from text,
    -- The trainer instance supervising the runner while running/stopping.
    owner varchar(255),
    attempts integer NOT NULL DEFAULT 0,
    step bigint NOT NULL DEFAULT 0,
    total_steps bigint NOT NULL DEFAULT 0,
    epoch double precision NOT NULL DEFAULT 0,
    result jsonb,
    created_by varchar(255),
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
    -- Queue age: set on every enqueue (create, resume, requeue after a lost lease keeps it).
    queued_at timestamptz,
    start_time timestamptz,
    end_time timestamptz,
    updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX finetuning_jobs_created ON trainer.finetuning_jobs (created_at DESC, id DESC);
CREATE INDEX finetuning_jobs_queue ON trainer.finetuning_jobs (priority DESC, queued_at, id) WHERE status = 'queued';
CREATE INDEX finetuning_jobs_active ON trainer.finetuning_jobs (status) WHERE status IN ('pending', 'running', 'stopping');

CREATE TABLE trainer.training_checkpoints (
    id bigserial PRIMARY KEY,
    job_id bigint NOT NULL REFERENCES trainer.finetuning_jobs (id),
    checkpoint_name varchar(255) NOT NULL,
    step bigint NOT NULL,
    epoch double precision,
    metrics jsonb NOT NULL DEFAULT '{}',
    file_path text NOT NULL,
    size_bytes bigint,
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
    UNIQUE (job_id, step)
);

-- Every metrics event of every run (the loss / perplexity time series).
CREATE TABLE trainer.training_metrics (
    id bigserial PRIMARY KEY,
    job_id bigint NOT NULL REFERENCES trainer.finetuning_jobs (id),
    step bigint NOT NULL,
    epoch double precision,
    loss double precision,
    eval_loss double precision,
    perplexity double precision,
    learning_rate double precision,
    grad_norm double precision,
    tokens_per_second double precision,
    gpu_memory_gb double precision,
    recorded_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX training_metrics_job ON trainer.training_metrics (job_id, id);

-- The inventory every instance reports (instances on one host share ids).
CREATE TABLE trainer.devices (
    id varchar(20) PRIMARY KEY,
    kind varchar(10) NOT NULL CHECK (kind IN ('gpu', 'cpu')),
    name text NOT NULL,
    memory_total_mib bigint,
    memory_used_mib bigint,
    utilization_percent integer,
    reported_by varchar(255) NOT NULL,
    reported_at timestamptz NOT NULL DEFAULT now()
);

-- One row per device; free when job_id is null or expires_at has passed.
-- Taken with SELECT … FOR UPDATE SKIP LOCKED, renewed by heartbeat.
CREATE TABLE trainer.device_leases (
    device varchar(20) PRIMARY KEY REFERENCES trainer.devices (id),
    job_id bigint REFERENCES trainer.finetuning_jobs (id),
    holder varchar(255),
    acquired_at timestamptz,
    expires_at timestamptz
);

-- Every lease ever granted: acquired until released (or until it expired).
CREATE TABLE trainer.lease_history (
    id bigserial PRIMARY KEY,
    device varchar(20) NOT NULL,
    job_id bigint NOT NULL,
    holder varchar(255) NOT NULL,
    acquired_at timestamptz NOT NULL,
    released_at timestamptz,
    release_reason varchar(50)
);
CREATE INDEX lease_history_open ON trainer.lease_history (device, job_id) WHERE released_at IS NULL;
