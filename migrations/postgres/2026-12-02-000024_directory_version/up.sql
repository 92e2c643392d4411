-- The directory's version (issue 10): bumped by every change of units, staff and roles, by
-- whichever instance makes it, so that each instance caches callers (roles, unit, scope) and
-- reads one row per request instead of the staff row, the roles and the whole units table.
CREATE TABLE directory_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 0);

CREATE FUNCTION bump_directory_version() RETURNS trigger AS $$
BEGIN
    UPDATE directory_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER units_directory_version AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER staff_directory_version AFTER INSERT OR UPDATE OR DELETE ON staff
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER staff_roles_directory_version AFTER INSERT OR UPDATE OR DELETE ON staff_roles
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
