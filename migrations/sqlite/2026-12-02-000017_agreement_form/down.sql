ALTER TABLE agreements DROP COLUMN witnessed_by;
ALTER TABLE agreements DROP COLUMN form;
