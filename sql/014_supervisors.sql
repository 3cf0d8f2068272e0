-- Supervisors (floor managers, team leads) open the wallboard and read call
-- history with a token of their own. `teams` limits what they see to those
-- teams' agents and calls. Only the token's SHA-256 (hex) is kept, with the
-- moment it stops working.
CREATE TABLE supervisors (
  id               text PRIMARY KEY,
  name             text NOT NULL,
  teams            text[] NOT NULL CHECK (cardinality(teams) > 0),
  active           boolean NOT NULL DEFAULT true,
  token_hash       text UNIQUE,
  token_expires_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
