-- A safety concern raised on an intake report belongs to the case the report was opened into or
-- attached to, so that the case's restriction covers it (issue 9). New ones are filed so when
-- the report moves; this files the ones already on record.
UPDATE safety_concerns
SET case_id = (SELECT r.case_id FROM intake_reports r WHERE r.id = safety_concerns.report_id)
WHERE case_id IS NULL AND report_id IS NOT NULL;
