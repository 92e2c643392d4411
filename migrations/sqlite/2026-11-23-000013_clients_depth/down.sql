DROP TABLE client_questionnaires;
ALTER TABLE client_members DROP COLUMN school_class;
ALTER TABLE client_members DROP COLUMN school_name;
DROP TABLE client_phones;
DROP TABLE client_categories;
