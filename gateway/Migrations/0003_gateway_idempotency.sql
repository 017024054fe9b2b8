-- Answers of gateway-only mutations (users, API keys, uploads) by the
-- caller's Idempotency-Key, so a retry replays the first answer instead of
-- making a second key or upload (issue "Security", item 4). The body is
-- sealed with a key derived from JWT_SECRET: it can hold an API key's secret.
CREATE TABLE http_idempotency (
    subject text NOT NULL,
    key text NOT NULL,
    -- sha256 of method, route and body: the same key for another request is refused.
    request_sha256 text NOT NULL,
    -- NULL while the first request runs.
    status integer,
    content_type text,
    sealed_body bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, key)
);
CREATE INDEX http_idempotency_created_idx ON http_idempotency (created_at);
