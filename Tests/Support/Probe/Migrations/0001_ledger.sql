-- One row per applied Apply call: the integration tests count these to prove
-- each idempotency key took effect exactly once.
CREATE TABLE ledger (
    id bigserial PRIMARY KEY,
    key text NOT NULL,
    amount bigint NOT NULL,
    worker_pid integer NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
