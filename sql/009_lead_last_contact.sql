-- Who last worked with a lead and when, as customers have it: kept by the call
-- records as they are written, and handed to the customer a lead becomes.
ALTER TABLE leads
  ADD COLUMN last_agent_id   text REFERENCES agents (id) ON DELETE SET NULL,
  ADD COLUMN last_contact_at timestamptz;
