-- Training datasets (seed 003 §7.1) with immutable versions, their splits and
-- quality logs, and ground-truth datasets (seed 002). The seed keeps one row
-- per (name, version) in training_datasets; here the dataset is one row and
-- its versions another table, so lineage (parent + transformation) and
-- per-version statistics have a home. created_by is the gateway's subject:
-- a plain value, no cross-schema FK.
CREATE TABLE dataset.training_datasets (
    id bigserial PRIMARY KEY,
    name varchar(255) NOT NULL UNIQUE,
    description text,
    status varchar(20) NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'deprecated', 'archived', 'rejected')),
    -- For a rejected upload: {"bad_lines", "good_lines", "errors": [...]}.
    rejection jsonb,
    created_by varchar(255),
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
    updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX training_datasets_created ON dataset.training_datasets (created_at DESC, id DESC);

CREATE TABLE dataset.dataset_versions (
    id bigserial PRIMARY KEY,
    dataset_id bigint NOT NULL REFERENCES dataset.training_datasets (id),
    version varchar(50) NOT NULL,
    -- sha256 of the canonical JSONL plaintext: the version's content address.
    sha256 char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- The encrypted file in the blob store (AES-256-GCM segments).
    blob_sha256 char(64) NOT NULL CHECK (blob_sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    source_format varchar(20) NOT NULL,
    total_samples integer NOT NULL CHECK (total_samples >= 0),
    parent_version_id bigint REFERENCES dataset.dataset_versions (id),
    transformation varchar(50) NOT NULL,
    parameters jsonb NOT NULL DEFAULT '{}',
    dropped_lines bigint NOT NULL DEFAULT 0,
    quality_score double precision,
    stats jsonb,
    validated boolean NOT NULL DEFAULT false,
    created_by varchar(255),
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
    UNIQUE (dataset_id, version)
);
CREATE INDEX dataset_versions_sha ON dataset.dataset_versions (sha256);

-- The current train/val/test split of a version (re-splitting replaces it).
CREATE TABLE dataset.dataset_splits (
    version_id bigint PRIMARY KEY REFERENCES dataset.dataset_versions (id),
    seed numeric(20, 0) NOT NULL,
    train_ratio double precision NOT NULL,
    val_ratio double precision NOT NULL,
    test_ratio double precision NOT NULL,
    train_samples integer NOT NULL,
    val_samples integer NOT NULL,
    test_samples integer NOT NULL,
    train_blob char(64) NOT NULL,
    val_blob char(64) NOT NULL,
    test_blob char(64) NOT NULL,
    strata jsonb NOT NULL,
    created_by varchar(255),
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);

CREATE TABLE dataset.dataset_quality_logs (
    id bigserial PRIMARY KEY,
    dataset_id bigint NOT NULL REFERENCES dataset.training_datasets (id),
    version_id bigint NOT NULL REFERENCES dataset.dataset_versions (id),
    check_type varchar(100) NOT NULL,
    passed boolean NOT NULL,
    issues jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX dataset_quality_logs_version ON dataset.dataset_quality_logs (version_id, id);

CREATE TABLE dataset.ground_truth_datasets (
    id bigserial PRIMARY KEY,
    name varchar(255) NOT NULL UNIQUE,
    description text,
    created_by varchar(255),
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);

CREATE TABLE dataset.ground_truth_dataset_versions (
    id bigserial PRIMARY KEY,
    ground_truth_dataset_id bigint NOT NULL REFERENCES dataset.ground_truth_datasets (id),
    version varchar(50) NOT NULL,
    description text,
    is_active boolean NOT NULL DEFAULT true,
    event_count integer NOT NULL DEFAULT 0,
    statistics jsonb NOT NULL DEFAULT '{}',
    created_by varchar(255),
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
    UNIQUE (ground_truth_dataset_id, version)
);

CREATE TABLE dataset.ground_truth_events (
    id bigserial PRIMARY KEY,
    ground_truth_dataset_version_id bigint NOT NULL REFERENCES dataset.ground_truth_dataset_versions (id),
    data_type varchar(50) NOT NULL,
    data jsonb NOT NULL,
    data_unit jsonb,
    metadata jsonb,
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX ground_truth_events_version ON dataset.ground_truth_events (ground_truth_dataset_version_id, id);
CREATE INDEX ground_truth_events_created ON dataset.ground_truth_events (created_at);
