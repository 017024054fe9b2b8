-- The gateway's own tables: users, API keys, the audit log, resumable uploads.

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    username text NOT NULL UNIQUE,
    role text NOT NULL CHECK (role IN ('admin', 'engineer', 'viewer')),
    -- The password KDF, its parameters, salt and derived key: a hash can be
    -- re-derived with stronger parameters later without losing old ones.
    password_kdf text NOT NULL,
    password_params text NOT NULL,
    password_salt bytea NOT NULL,
    password_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'engineer', 'viewer')),
    -- sha256 of the whole key (hex); the key itself is shown once and never stored.
    key_sha256 text NOT NULL UNIQUE,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    subject text NOT NULL,
    role text NOT NULL,
    action text NOT NULL,
    resource text NOT NULL,
    client_ip text NOT NULL,
    request_id text NOT NULL,
    status integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, created_at DESC);

CREATE TABLE uploads (
    id uuid PRIMARY KEY,
    filename text NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    received_bytes bigint NOT NULL DEFAULT 0 CHECK (received_bytes >= 0 AND received_bytes <= size_bytes),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete')),
    sha256 text,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
