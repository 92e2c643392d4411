DROP TRIGGER staff_roles_directory_version ON staff_roles;
DROP TRIGGER staff_directory_version ON staff;
DROP TRIGGER units_directory_version ON units;
DROP FUNCTION bump_directory_version();
DROP TABLE directory_version;
