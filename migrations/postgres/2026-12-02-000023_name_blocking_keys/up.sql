-- The duplicate check's index holds blocking keys instead of single words (issue 10): a search
-- for "Olena Shevchenko" reads the people of similar name, not every Shevchenko. The keys are
-- computed in Rust (opora_domain::names::index_keys), so the index is emptied here and the
-- name keys cleared: the store refills both at start (Store::backfill_name_keys).
DELETE FROM client_name_words;
UPDATE clients SET name_key = '';
UPDATE client_members SET name_key = '';
