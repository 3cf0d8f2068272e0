-- Transfers in the agents report: a 'transfer' step (the agent who handed the call on, with
-- data.toAgentId, the colleague it went to) counts one transfer out for the first and one in for
-- the second, by the step's time, in the same daily and monthly roll-ups as offers.
ALTER TABLE report_agent_rollups
  ADD COLUMN transfers_out integer NOT NULL DEFAULT 0,
  ADD COLUMN transfers_in  integer NOT NULL DEFAULT 0;

-- The partial days at the ends of a report's range read transfers from the steps themselves.
CREATE INDEX call_events_transfers_idx ON call_events (at) WHERE kind = 'transfer';

CREATE OR REPLACE FUNCTION report_call_events_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($q$
    WITH changed AS (%s),
    counted AS (
      SELECT e.sign, e.at, e.kind, e.agent_id FROM changed e
      WHERE e.kind IN ('offered', 'offer-failed', 'transfer') AND e.agent_id IS NOT NULL
      UNION ALL
      SELECT e.sign, e.at, 'transfer-in', e.data->>'toAgentId' FROM changed e
      WHERE e.kind = 'transfer' AND e.data->>'toAgentId' IS NOT NULL
    ),
    g AS (
      SELECT p.span, p.period, e.agent_id,
        coalesce(sum(e.sign) FILTER (WHERE e.kind = 'offered'), 0) AS offered,
        coalesce(sum(e.sign) FILTER (WHERE e.kind = 'offer-failed'), 0) AS missed,
        coalesce(sum(e.sign) FILTER (WHERE e.kind = 'transfer'), 0) AS transfers_out,
        coalesce(sum(e.sign) FILTER (WHERE e.kind = 'transfer-in'), 0) AS transfers_in
      FROM counted e CROSS JOIN LATERAL report_periods(e.at) p
      GROUP BY 1, 2, 3
    )
    INSERT INTO report_agent_rollups AS r (span, period, agent_id, offered, missed, transfers_out, transfers_in)
    SELECT span, period, agent_id, offered, missed, transfers_out, transfers_in FROM g
    WHERE offered <> 0 OR missed <> 0 OR transfers_out <> 0 OR transfers_in <> 0
    ON CONFLICT (span, period, agent_id) DO UPDATE SET
      offered = r.offered + excluded.offered,
      missed = r.missed + excluded.missed,
      transfers_out = r.transfers_out + excluded.transfers_out,
      transfers_in = r.transfers_in + excluded.transfers_in
  $q$, report_changed_rows(TG_OP));
  RETURN NULL;
END $$;
