-- The language an agent's page speaks when its address does not choose one: 'ru' or 'en';
-- NULL: the browser's language. Set by an admin (PUT /v1/agents/:id) or by the agent (PUT /v1/me/language).
ALTER TABLE agents ADD COLUMN language text CHECK (language IN ('ru', 'en'));
