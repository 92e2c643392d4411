DROP TABLE disclosures;
DROP TABLE consents;
DROP TABLE client_sensitive;
