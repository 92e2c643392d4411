-- The form an agreement was made in (issue 8; seed 001: the stage-3 preliminary contract is
-- oral). An oral agreement carries no signatures: `signed_by_client` then means "the client's
-- consent is on record" (the guards count it), and `witnessed_by` names who witnessed it.
ALTER TABLE agreements ADD COLUMN form TEXT NOT NULL DEFAULT 'written';
ALTER TABLE agreements ADD COLUMN witnessed_by TEXT;
-- Preliminary contracts recorded before forms existed were oral (seed 001); so were plan
-- agreements given orally. Their witnesses were not recorded.
UPDATE agreements SET form = 'oral' WHERE kind = 'preliminary_contract';
UPDATE agreements SET form = 'oral' WHERE kind = 'plan_agreement' AND method = 'oral';
