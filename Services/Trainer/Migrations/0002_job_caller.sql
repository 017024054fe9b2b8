-- The caller of the request that created (or last resumed) the job: its trace
-- id, subject and roles. The work done later for the job (the split export by
-- whichever instance prepares or runs it) calls other services on the
-- caller's behalf with these, so it can be followed from that gateway request.
ALTER TABLE trainer.finetuning_jobs
    ADD COLUMN caller_trace_id text NOT NULL DEFAULT '',
    ADD COLUMN caller_subject text NOT NULL DEFAULT '',
    ADD COLUMN caller_roles text[] NOT NULL DEFAULT '{}';
