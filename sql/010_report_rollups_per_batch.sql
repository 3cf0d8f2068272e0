-- Report roll-ups kept per written batch, for a batch of any size.
--
-- The statement triggers of 007 gathered every changed row into one array and
-- handed it to a function: a bulk write of a few million rows failed with
-- "array size exceeds the maximum allowed". Here the triggers read their
-- transition tables directly, set-based, so a statement of one row and one of
-- ten million rows both cost one pass over the rows and one upsert per day (and
-- month) and line, and per day (and month) and agent.
--
-- An UPDATE is rolled as its old rows taken out and its new rows put in within
-- the same query, and what nets to nothing is not written at all: a call whose
-- lead is linked late, or a record written again unchanged, touches no roll-up.
--
-- PL/pgSQL shows transition tables to the statements of the trigger function
-- itself, and only to those that name them: the query is assembled for the
-- operation (an INSERT trigger has no old rows to name).

CREATE OR REPLACE FUNCTION report_changed_rows(op text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE op
    WHEN 'INSERT' THEN 'SELECT 1 AS sign, x.* FROM new_rows x'
    WHEN 'DELETE' THEN 'SELECT -1 AS sign, x.* FROM old_rows x'
    ELSE 'SELECT -1 AS sign, x.* FROM old_rows x UNION ALL SELECT 1 AS sign, x.* FROM new_rows x'
  END
$$;

CREATE OR REPLACE FUNCTION report_calls_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($q$
    WITH changed AS (%s),
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
      wait_hist = report_hist_add(r.wait_hist, excluded.wait_hist)
  $q$, report_changed_rows(TG_OP));

  EXECUTE format($q$
    WITH changed AS (%s),
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
      answered = r.answered + excluded.answered, talk_hist = report_hist_add(r.talk_hist, excluded.talk_hist)
  $q$, report_changed_rows(TG_OP));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION report_call_events_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($q$
    WITH changed AS (%s),
    g AS (
      SELECT p.span, p.period, e.agent_id,
        coalesce(sum(e.sign) FILTER (WHERE e.kind = 'offered'), 0) AS offered,
        coalesce(sum(e.sign) FILTER (WHERE e.kind = 'offer-failed'), 0) AS missed
      FROM changed e CROSS JOIN LATERAL report_periods(e.at) p
      WHERE e.kind IN ('offered', 'offer-failed') AND e.agent_id IS NOT NULL
      GROUP BY 1, 2, 3
    )
    INSERT INTO report_agent_rollups AS r (span, period, agent_id, offered, missed)
    SELECT span, period, agent_id, offered, missed FROM g WHERE offered <> 0 OR missed <> 0
    ON CONFLICT (span, period, agent_id) DO UPDATE SET offered = r.offered + excluded.offered, missed = r.missed + excluded.missed
  $q$, report_changed_rows(TG_OP));
  RETURN NULL;
END $$;

-- The array-taking roll functions of 007 have no caller left.
DROP FUNCTION report_roll_calls(calls[], integer);
DROP FUNCTION report_roll_offers(call_events[], integer);
