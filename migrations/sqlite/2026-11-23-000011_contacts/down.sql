DROP TABLE success_stories;
DROP TABLE contact_addenda;
DROP TABLE contact_participants;
DROP TABLE contacts;
