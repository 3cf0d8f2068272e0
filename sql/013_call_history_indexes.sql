-- Call history (GET /v1/calls) reads newest first, by offered time then id, and
-- pages by keyset: (offered_at, id) < (the last row's). Each filter has an index
-- that starts with it and ends with (offered_at, id), so a page is read straight
-- from the index whatever the size of the table (scanned backwards for newest first).
CREATE INDEX calls_history_idx ON calls (offered_at, id);
CREATE INDEX calls_history_agent_idx ON calls (agent_id, offered_at, id);
CREATE INDEX calls_history_caller_idx ON calls (caller, offered_at, id);
CREATE INDEX calls_history_customer_idx ON calls (customer_id, offered_at, id);
CREATE INDEX calls_history_line_idx ON calls (dialed, offered_at, id);
CREATE INDEX calls_history_rule_idx ON calls (rule, offered_at, id);
CREATE INDEX calls_history_outcome_idx ON calls (outcome, offered_at, id);

-- These are leading parts of the indexes above, which serve every query they served
-- (a btree is read in either direction): one index less to keep up on each write.
DROP INDEX IF EXISTS calls_offered_idx;
DROP INDEX IF EXISTS calls_agent_idx;
DROP INDEX IF EXISTS calls_customer_idx;
DROP INDEX IF EXISTS calls_outcome_idx;
