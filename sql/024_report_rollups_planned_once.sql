-- Report roll-up triggers whose plans are kept.
--
-- The triggers of 010 and 023 assembled their queries for the operation and ran
-- them with EXECUTE, which plans every time: about 2 ms of PostgreSQL's CPU for
-- every batch of call records, whatever its size, so a server writing small
-- batches (a quiet hour, or a batch per 20 ms at a few hundred calls a second)
-- paid more for its roll-ups than for the rows. Here each operation gets its own
-- trigger function with the queries written out, naming the transition tables
-- that operation has: PL/pgSQL prepares them once per connection and keeps the
-- plans. The queries are those of 010 and 023, unchanged; they are generated
-- below from one text per table, with the operation's changed rows put in.

DO $generate$
DECLARE
  op text;
  transition text;
  calls_body CONSTANT text := $body$
  WITH changed AS (%1$s),
  g AS (
    SELECT p.span, p.period, c.source, c.campaign, c.dialed,
      CASE WHEN c.outcome = 'answered' THEN report_bucket(c.wait_seconds) END AS bucket,
      sum(c.sign) AS n,
      coalesce(sum(c.sign) FILTER (WHERE c.outcome = 'answered'), 0) AS a,
      coalesce(sum(c.sign) FILTER (WHERE c.outcome = 'missed'), 0) AS m,
      coalesce(sum(c.sign) FILTER (WHERE c.outcome = 'abandoned'), 0) AS ab
    FROM changed c CROSS JOIN LATERAL report_periods(c.offered_at) p
    WHERE c.direction = 'inbound' AND c.kind = 'call'
    GROUP BY 1, 2, 3, 4, 5, 6
  )
  INSERT INTO report_line_rollups AS r (span, period, source, campaign, dialed, inquiries, answered, missed, abandoned, wait_hist)
  SELECT span, period, source, campaign, dialed, sum(n), sum(a), sum(m), sum(ab),
    coalesce(report_hist(array_agg(bucket) FILTER (WHERE bucket IS NOT NULL AND a <> 0), array_agg(a) FILTER (WHERE bucket IS NOT NULL AND a <> 0)), '{}')
  FROM g
  WHERE n <> 0 OR a <> 0 OR m <> 0 OR ab <> 0
  GROUP BY span, period, source, campaign, dialed
  ON CONFLICT (span, period, source, campaign, dialed) DO UPDATE SET
    inquiries = r.inquiries + excluded.inquiries, answered = r.answered + excluded.answered,
    missed = r.missed + excluded.missed, abandoned = r.abandoned + excluded.abandoned,
    wait_hist = report_hist_add(r.wait_hist, excluded.wait_hist);

  WITH changed AS (%1$s),
  g AS (
    SELECT p.span, p.period, c.agent_id, report_bucket(c.talk_seconds) AS bucket, sum(c.sign) AS n
    FROM changed c CROSS JOIN LATERAL report_periods(c.offered_at) p
    WHERE c.outcome = 'answered' AND c.agent_id IS NOT NULL
    GROUP BY 1, 2, 3, 4
  )
  INSERT INTO report_agent_rollups AS r (span, period, agent_id, answered, talk_hist)
  SELECT span, period, agent_id, sum(n),
    coalesce(report_hist(array_agg(bucket) FILTER (WHERE bucket IS NOT NULL), array_agg(n) FILTER (WHERE bucket IS NOT NULL)), '{}')
  FROM g
  WHERE n <> 0
  GROUP BY span, period, agent_id
  ON CONFLICT (span, period, agent_id) DO UPDATE SET
    answered = r.answered + excluded.answered, talk_hist = report_hist_add(r.talk_hist, excluded.talk_hist);
$body$;
  events_body CONSTANT text := $body$
  WITH changed AS (%1$s),
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
    transfers_in = r.transfers_in + excluded.transfers_in;
$body$;
BEGIN
  FOREACH op IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
    transition := CASE op WHEN 'INSERT' THEN 'NEW TABLE AS new_rows' WHEN 'DELETE' THEN 'OLD TABLE AS old_rows' ELSE 'OLD TABLE AS old_rows NEW TABLE AS new_rows' END;
    EXECUTE format('CREATE FUNCTION report_calls_%s() RETURNS trigger LANGUAGE plpgsql AS %L',
      lower(op), E'BEGIN\n' || format(calls_body, report_changed_rows(op)) || E'\n  RETURN NULL;\nEND');
    EXECUTE format('CREATE FUNCTION report_call_events_%s() RETURNS trigger LANGUAGE plpgsql AS %L',
      lower(op), E'BEGIN\n' || format(events_body, report_changed_rows(op)) || E'\n  RETURN NULL;\nEND');
    EXECUTE format('CREATE OR REPLACE TRIGGER calls_report_%1$s AFTER %2$s ON calls REFERENCING %3$s FOR EACH STATEMENT EXECUTE FUNCTION report_calls_%1$s()',
      lower(op), op, transition);
    EXECUTE format('CREATE OR REPLACE TRIGGER call_events_report_%1$s AFTER %2$s ON call_events REFERENCING %3$s FOR EACH STATEMENT EXECUTE FUNCTION report_call_events_%1$s()',
      lower(op), op, transition);
  END LOOP;
END $generate$;

-- The assembling functions have no trigger left.
DROP FUNCTION report_calls_changed();
DROP FUNCTION report_call_events_changed();
