-- Shadow rules (routing-rules/shadow/) decided beside the rules in force on live interactions:
-- one compact row per decision, with both outcomes kept only when they differ.
CREATE TABLE shadow_decisions (
  at             timestamptz NOT NULL,
  call_id        text NOT NULL,
  shadow_version text NOT NULL,
  same           boolean NOT NULL,
  -- {rule, agent, outcome} of the live and the shadow decision; null when the same.
  live           jsonb,
  shadow         jsonb
);
CREATE INDEX shadow_decisions_at_idx ON shadow_decisions (at);
