-- Call records as the adapters write them: what kind of interaction, where it came
-- from (the line's source and campaign at the time, since lines change), how it ended.
ALTER TABLE calls
  ADD COLUMN kind         text NOT NULL DEFAULT 'call',
  ADD COLUMN source       text,
  ADD COLUMN campaign     text,
  ADD COLUMN end_cause    text,
  ADD COLUMN final_action text,
  ADD COLUMN degraded     boolean NOT NULL DEFAULT false;

-- A call record outlives the agent and lead rows it names: it is history, and
-- it must be writable even when an agent was removed meanwhile.
ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_agent_id_fkey;
ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_lead_id_fkey;

CREATE INDEX calls_outcome_idx ON calls (outcome, offered_at);
