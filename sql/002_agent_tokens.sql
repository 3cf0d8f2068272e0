-- Agents' pages authenticate their screen-pop connection with a token. Only its
-- SHA-256 (hex) is kept: a leaked table does not let anyone connect as an agent.
ALTER TABLE agents ADD COLUMN token_hash text UNIQUE;
