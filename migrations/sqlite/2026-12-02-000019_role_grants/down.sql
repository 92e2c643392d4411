DROP TABLE staff_role_grants;
