-- What an agent's page asked with an Idempotency-Key: the same agent and key within a day
-- answers the first result again instead of doing the action twice (a double click, a retry).
-- A row without a status is an action still running. Rows older than a day are purged as new
-- ones come in, so the table holds about a day of the agents' clicks.
CREATE TABLE agent_actions (
  agent_id    text NOT NULL,
  key         text NOT NULL,
  -- The route and a hash of the body: the same key sent with another action is refused.
  fingerprint text NOT NULL,
  at          timestamptz NOT NULL,
  status      smallint,
  response    jsonb,
  PRIMARY KEY (agent_id, key)
);
CREATE INDEX agent_actions_at_idx ON agent_actions (at);

-- A follow-up task an agent sets themselves may carry a note of what to do.
ALTER TABLE tasks ADD COLUMN note text;
