-- What replaying past calls through edited rules needs: who was free when, and what each call's
-- decision read. Both are kept for AVAILABILITY_LOG_DAYS and deleted in batches after that.

-- One row per change of an agent as routing sees it: their status and calls in progress, and, when
-- their profile changed (or at a daily checkpoint that restates every agent), the profile itself.
-- Rows are applied in (at, id) order to rebuild the agents at any instant.
CREATE TABLE agent_availability_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL,
  agent_id    text NOT NULL,
  -- offline, available, ringing, busy, wrap-up, away; 'removed' when the agent was deleted.
  status      text NOT NULL,
  ringing     smallint NOT NULL DEFAULT 0,
  talking     smallint NOT NULL DEFAULT 0,
  calls_today integer NOT NULL DEFAULT 0,
  -- {name, team, address, capacity, skills} when it changed; null otherwise.
  profile     jsonb,
  checkpoint  boolean NOT NULL DEFAULT false
);
CREATE INDEX agent_availability_log_at_idx ON agent_availability_log (at, id);
CREATE INDEX agent_availability_log_checkpoint_idx ON agent_availability_log (at) WHERE checkpoint;

-- The facts one call's first decision read, as they were: the interaction, the customer summary,
-- the line, the rules version, and what was decided (rule, first agent, final action). Kept as
-- json (the text as written): it is only ever read back whole, and json is the cheaper to write and read.
CREATE TABLE call_facts (
  call_id       text PRIMARY KEY,
  at            timestamptz NOT NULL,
  rules_version text,
  facts         json NOT NULL
);
CREATE INDEX call_facts_at_idx ON call_facts (at, call_id);
