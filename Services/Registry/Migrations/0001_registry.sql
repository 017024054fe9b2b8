-- The model registry (seed 003 §7.3), with the stage history and usage log
-- that promotion, rollback and auditing need. Ids of other services'
-- entities (finetuning_job_id, created_by) are plain values: no cross-schema FKs.
-- Times are kept at millisecond precision, the unit the API speaks, so the
-- list order (created_at DESC, id DESC) is the order clients can see.
CREATE TABLE registry.model_registry (
    id bigserial PRIMARY KEY,
    model_name varchar(255) NOT NULL,
    version varchar(50) NOT NULL,
    base_model varchar(255),
    finetuning_job_id bigint CHECK (finetuning_job_id > 0),
    project varchar(255),
    model_type varchar(100),
    model_path text NOT NULL,
    model_format varchar(50) NOT NULL DEFAULT 'huggingface'
        CHECK (model_format IN ('huggingface', 'gguf', 'awq', 'safetensors')),
    model_size_gb double precision CHECK (model_size_gb >= 0),
    status varchar(20) NOT NULL DEFAULT 'staging'
        CHECK (status IN ('staging', 'production', 'archived')),
    is_active boolean NOT NULL DEFAULT true,
    deployment_config jsonb CHECK (deployment_config IS NULL OR jsonb_typeof(deployment_config) = 'object'),
    mlflow_model_uri text,
    description text,
    tags text[] NOT NULL DEFAULT '{}',
    created_by varchar(255),
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
    updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
    artifact_sha256 char(64) CHECK (artifact_sha256 ~ '^[0-9a-f]{64}$'),
    artifact_size_bytes bigint CHECK (artifact_size_bytes >= 0),
    CONSTRAINT model_registry_name_version_key UNIQUE (model_name, version),
    -- An artifact is an address with its size, or neither.
    CONSTRAINT model_registry_artifact_complete CHECK ((artifact_sha256 IS NULL) = (artifact_size_bytes IS NULL))
);

-- At most one production version per model name; promotion and rollback
-- archive the old one first, in the same transaction.
CREATE UNIQUE INDEX model_registry_one_production ON registry.model_registry (model_name) WHERE status = 'production';

-- The list's order (newest first, id as tie-break) and its filters.
CREATE INDEX model_registry_created ON registry.model_registry (created_at DESC, id DESC);
CREATE INDEX model_registry_project_created ON registry.model_registry (project, created_at DESC, id DESC);
CREATE INDEX model_registry_type_created ON registry.model_registry (model_type, created_at DESC, id DESC);
CREATE INDEX model_registry_status_created ON registry.model_registry (status, created_at DESC, id DESC);
CREATE INDEX model_registry_tags ON registry.model_registry USING gin (tags);

CREATE TABLE registry.model_benchmarks (
    id bigserial PRIMARY KEY,
    model_id bigint NOT NULL REFERENCES registry.model_registry (id) ON DELETE CASCADE,
    benchmark_name varchar(255) NOT NULL,
    score double precision NOT NULL,
    details jsonb CHECK (details IS NULL OR jsonb_typeof(details) = 'object'),
    benchmark_date timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX model_benchmarks_model ON registry.model_benchmarks (model_id, benchmark_date DESC, id DESC);

-- Every stage change, registration included (from_stage NULL): rollback
-- reads it to know which versions were production before.
CREATE TABLE registry.model_stage_history (
    id bigserial PRIMARY KEY,
    model_id bigint NOT NULL REFERENCES registry.model_registry (id) ON DELETE CASCADE,
    from_stage varchar(20) CHECK (from_stage IN ('staging', 'production', 'archived')),
    to_stage varchar(20) NOT NULL CHECK (to_stage IN ('staging', 'production', 'archived')),
    actor varchar(255),
    reason text,
    changed_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX model_stage_history_model ON registry.model_stage_history (model_id, changed_at, id);

CREATE TABLE registry.model_usage_log (
    id bigserial PRIMARY KEY,
    model_id bigint NOT NULL REFERENCES registry.model_registry (id) ON DELETE CASCADE,
    kind varchar(20) NOT NULL CHECK (kind IN ('download', 'deploy')),
    actor varchar(255),
    details jsonb CHECK (details IS NULL OR jsonb_typeof(details) = 'object'),
    used_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX model_usage_log_model ON registry.model_usage_log (model_id, used_at DESC);
