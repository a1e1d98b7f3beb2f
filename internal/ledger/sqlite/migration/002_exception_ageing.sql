-- Exceptions that age. A later run re-checks the open exceptions of the
-- dates inside its re-check window: found_on is the date of the run that
-- first reported a row, resolved_on the date of the run whose re-check no
-- longer reported it ('' while open).
ALTER TABLE exceptions ADD COLUMN found_on TEXT NOT NULL DEFAULT '';
ALTER TABLE exceptions ADD COLUMN resolved_on TEXT NOT NULL DEFAULT '';
UPDATE exceptions SET found_on = business_date;
CREATE INDEX exceptions_by_resolution ON exceptions (resolved_on, business_date);
