DROP TABLE classifier_entries;
