-- A counter bumped, in the same transaction, by every statement that changes
-- model_registry. A list reply carries the value it was read with, so a caller
-- holding that reply can ask "changed since?" with one single-row read.
CREATE TABLE registry.catalog_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL
);
INSERT INTO registry.catalog_version (singleton, version) VALUES (true, 1);

CREATE FUNCTION registry.bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry.catalog_version SET version = version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER model_registry_catalog_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON registry.model_registry
    FOR EACH STATEMENT EXECUTE FUNCTION registry.bump_catalog_version();
