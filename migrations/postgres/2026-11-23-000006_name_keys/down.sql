DROP TABLE client_name_words;
DROP INDEX client_members_name_key;
DROP INDEX clients_name_key;
ALTER TABLE client_members DROP COLUMN name_key;
ALTER TABLE clients DROP COLUMN name_key;
