-- Applied idempotency keys: a retried mutating call returns the stored
-- response instead of applying twice (ARCHITECTURE.md, Reliability rules).
CREATE TABLE idempotency_keys (
    key text NOT NULL,
    method text NOT NULL,
    request_sha256 text NOT NULL,
    response bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (method, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
