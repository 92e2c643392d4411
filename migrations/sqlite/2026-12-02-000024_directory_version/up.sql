-- The directory's version (issue 10): bumped by every change of units, staff and roles, by
-- whichever instance makes it, so that each instance caches callers (roles, unit, scope) and
-- reads one row per request instead of the staff row, the roles and the whole units table.
CREATE TABLE directory_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 0);
CREATE TRIGGER units_insert_directory_version AFTER INSERT ON units BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER units_update_directory_version AFTER UPDATE ON units BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER units_delete_directory_version AFTER DELETE ON units BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER staff_insert_directory_version AFTER INSERT ON staff BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER staff_update_directory_version AFTER UPDATE ON staff BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER staff_delete_directory_version AFTER DELETE ON staff BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER staff_roles_insert_directory_version AFTER INSERT ON staff_roles BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER staff_roles_update_directory_version AFTER UPDATE ON staff_roles BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER staff_roles_delete_directory_version AFTER DELETE ON staff_roles BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
