-- Accounts that can be changed and closed (issue "Security", items 7 and 8):
-- a user can be disabled, and names are unique whatever their case.
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
-- An owner's live keys have distinct names (revoked ones keep theirs).
CREATE UNIQUE INDEX api_keys_owner_name_key ON api_keys (created_by, lower(name)) WHERE revoked_at IS NULL;
