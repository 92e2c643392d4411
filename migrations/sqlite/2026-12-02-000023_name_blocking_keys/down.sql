-- The index is rebuilt by the application either way.
SELECT 1;
