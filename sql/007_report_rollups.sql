-- Roll-ups of the call records for the reports: per UTC day and per UTC month,
-- per line (source, campaign, dialed number) and per agent. A report reads whole
-- days and months from here and only the partial days at the ends of its range
-- from the calls themselves, so a year costs about what two days cost.
--
-- Times to answer and talk times are kept as histograms of 1-second buckets: an
-- int[] whose element i counts the calls of i-1 seconds (0 ≤ s < 1 in element 1),
-- element 601 counting everything of 600 s or more. Percentiles read from a
-- merged histogram are exact to the bucket width (exact for whole seconds).
--
-- Triggers keep the roll-ups in step with every write to calls and call_events,
-- whoever makes it: a row's old values are taken out and its new ones put in, so
-- a call written twice (an upsert) is still counted once.

CREATE TABLE report_line_rollups (
  span      text NOT NULL CHECK (span IN ('day', 'month')),
  -- The UTC day, or the first day of the UTC month.
  period    date NOT NULL,
  source    text,
  campaign  text,
  dialed    text,
  -- Inbound calls (kind 'call') offered in the period, by outcome.
  inquiries integer NOT NULL DEFAULT 0,
  answered  integer NOT NULL DEFAULT 0,
  missed    integer NOT NULL DEFAULT 0,
  abandoned integer NOT NULL DEFAULT 0,
  -- Seconds to answer of the answered ones.
  wait_hist integer[] NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX report_line_rollups_uq ON report_line_rollups (span, period, source, campaign, dialed) NULLS NOT DISTINCT;

CREATE TABLE report_agent_rollups (
  span      text NOT NULL CHECK (span IN ('day', 'month')),
  period    date NOT NULL,
  agent_id  text NOT NULL,
  -- Offers made and offers failed (call steps, by the step's time).
  offered   integer NOT NULL DEFAULT 0,
  missed    integer NOT NULL DEFAULT 0,
  -- Calls of any direction the agent answered (by the call's arrival), and their talk times.
  answered  integer NOT NULL DEFAULT 0,
  talk_hist integer[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (span, period, agent_id)
);

-- The histogram element of a duration in seconds (null stays null: not counted).
CREATE FUNCTION report_bucket(seconds numeric) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT least(greatest(floor(seconds), 0), 600)::integer + 1
$$;

-- A histogram from (element, count) pairs.
CREATE FUNCTION report_hist(buckets integer[], counts bigint[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(coalesce(h.n, 0)::integer ORDER BY i), '{}')
  FROM generate_series(1, (SELECT max(b) FROM unnest(buckets) b)) i
  LEFT JOIN (SELECT b, sum(n) AS n FROM unnest(buckets, counts) u(b, n) GROUP BY b) h ON h.b = i
$$;

-- Two histograms added element by element (the shorter one padded with zeros).
CREATE FUNCTION report_hist_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}') FROM unnest(a, b) WITH ORDINALITY u(x, y, i)
$$;

-- The q-th percentile of a merged histogram given as (element, count) pairs,
-- interpolated between ranks the way percentile_cont does; each element stands
-- for its lower bound (element i for i-1 seconds).
CREATE FUNCTION report_percentile(buckets integer[], counts bigint[], q float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  WITH h AS (
    SELECT b - 1 AS v, sum(n) OVER (ORDER BY b) AS cum, sum(n) OVER () AS total
    FROM unnest(buckets, counts) u(b, n) WHERE n > 0
  ), p AS (SELECT q * (max(total) - 1) AS pos FROM h),
  r AS (
    SELECT pos, (SELECT min(v) FROM h WHERE cum > floor(pos)) AS lo, (SELECT min(v) FROM h WHERE cum > floor(pos) + 1) AS hi FROM p
  )
  SELECT lo + (pos - floor(pos)) * (coalesce(hi, lo) - lo) FROM r
$$;

-- The day and the month a moment falls in, in UTC.
CREATE FUNCTION report_periods(t timestamptz) RETURNS TABLE (span text, period date) LANGUAGE sql IMMUTABLE AS $$
  VALUES ('day', (t AT TIME ZONE 'UTC')::date), ('month', date_trunc('month', t AT TIME ZONE 'UTC')::date)
$$;

-- Adds (sign 1) or takes out (sign -1) call records.
CREATE FUNCTION report_roll_calls(changed calls[], sign integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO report_line_rollups AS r (span, period, source, campaign, dialed, inquiries, answered, missed, abandoned, wait_hist)
  SELECT span, period, source, campaign, dialed, sum(n) * sign, sum(a) * sign, sum(m) * sign, sum(ab) * sign,
    coalesce(report_hist(array_agg(bucket) FILTER (WHERE bucket IS NOT NULL), array_agg(a * sign) FILTER (WHERE bucket IS NOT NULL)), '{}')
  FROM (
    SELECT p.span, p.period, x.source, x.campaign, x.dialed, x.bucket, count(*) AS n,
      count(*) FILTER (WHERE x.outcome = 'answered') AS a, count(*) FILTER (WHERE x.outcome = 'missed') AS m,
      count(*) FILTER (WHERE x.outcome = 'abandoned') AS ab
    FROM (SELECT c.*, CASE WHEN c.outcome = 'answered' THEN report_bucket(c.wait_seconds) END AS bucket FROM unnest(changed) c) x
    CROSS JOIN LATERAL report_periods(x.offered_at) p
    WHERE x.direction = 'inbound' AND x.kind = 'call'
    GROUP BY 1, 2, 3, 4, 5, 6
  ) g
  GROUP BY span, period, source, campaign, dialed
  ON CONFLICT (span, period, source, campaign, dialed) DO UPDATE SET
    inquiries = r.inquiries + excluded.inquiries, answered = r.answered + excluded.answered,
    missed = r.missed + excluded.missed, abandoned = r.abandoned + excluded.abandoned,
    wait_hist = report_hist_add(r.wait_hist, excluded.wait_hist);

  INSERT INTO report_agent_rollups AS r (span, period, agent_id, answered, talk_hist)
  SELECT span, period, agent_id, sum(n) * sign,
    coalesce(report_hist(array_agg(bucket) FILTER (WHERE bucket IS NOT NULL), array_agg(n * sign) FILTER (WHERE bucket IS NOT NULL)), '{}')
  FROM (
    SELECT p.span, p.period, c.agent_id, report_bucket(c.talk_seconds) AS bucket, count(*) AS n
    FROM unnest(changed) c CROSS JOIN LATERAL report_periods(c.offered_at) p
    WHERE c.outcome = 'answered' AND c.agent_id IS NOT NULL
    GROUP BY 1, 2, 3, 4
  ) g
  GROUP BY span, period, agent_id
  ON CONFLICT (span, period, agent_id) DO UPDATE SET
    answered = r.answered + excluded.answered, talk_hist = report_hist_add(r.talk_hist, excluded.talk_hist);
$$;

-- Adds (sign 1) or takes out (sign -1) offers and failed offers.
CREATE FUNCTION report_roll_offers(changed call_events[], sign integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO report_agent_rollups AS r (span, period, agent_id, offered, missed)
  SELECT p.span, p.period, e.agent_id, count(*) FILTER (WHERE e.kind = 'offered') * sign, count(*) FILTER (WHERE e.kind = 'offer-failed') * sign
  FROM unnest(changed) e CROSS JOIN LATERAL report_periods(e.at) p
  WHERE e.kind IN ('offered', 'offer-failed') AND e.agent_id IS NOT NULL
  GROUP BY 1, 2, 3
  ON CONFLICT (span, period, agent_id) DO UPDATE SET offered = r.offered + excluded.offered, missed = r.missed + excluded.missed;
$$;

-- Transition tables hold anonymous records: row(x.*)::calls names their type.
CREATE FUNCTION report_calls_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM report_roll_calls(array(SELECT row(x.*)::calls FROM old_rows x), -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM report_roll_calls(array(SELECT row(x.*)::calls FROM new_rows x), 1); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION report_call_events_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM report_roll_offers(array(SELECT row(x.*)::call_events FROM old_rows x), -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM report_roll_offers(array(SELECT row(x.*)::call_events FROM new_rows x), 1); END IF;
  RETURN NULL;
END $$;

-- A trigger with transition tables takes one event: three per table.
CREATE TRIGGER calls_report_insert AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_calls_changed();
CREATE TRIGGER calls_report_update AFTER UPDATE ON calls REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_calls_changed();
CREATE TRIGGER calls_report_delete AFTER DELETE ON calls REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_calls_changed();
CREATE TRIGGER call_events_report_insert AFTER INSERT ON call_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_call_events_changed();
CREATE TRIGGER call_events_report_update AFTER UPDATE ON call_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_call_events_changed();
CREATE TRIGGER call_events_report_delete AFTER DELETE ON call_events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_call_events_changed();

-- Rebuilds every roll-up from the call records (safe to run again: it starts
-- from empty tables). The migration runs it once for the history already there;
-- the triggers above lock calls and call_events first, so nothing written
-- meanwhile is missed.
CREATE FUNCTION report_rollups_rebuild() RETURNS void LANGUAGE sql AS $$
  LOCK TABLE calls, call_events IN SHARE MODE;
  DELETE FROM report_line_rollups;
  DELETE FROM report_agent_rollups;

  INSERT INTO report_line_rollups (span, period, source, campaign, dialed, inquiries, answered, missed, abandoned, wait_hist)
  SELECT 'day', day, source, campaign, dialed, sum(n), sum(a), sum(m), sum(ab),
    coalesce(report_hist(array_agg(bucket) FILTER (WHERE bucket IS NOT NULL), array_agg(a) FILTER (WHERE bucket IS NOT NULL)), '{}')
  FROM (
    SELECT (offered_at AT TIME ZONE 'UTC')::date AS day, source, campaign, dialed,
      CASE WHEN outcome = 'answered' THEN report_bucket(wait_seconds) END AS bucket, count(*) AS n,
      count(*) FILTER (WHERE outcome = 'answered') AS a, count(*) FILTER (WHERE outcome = 'missed') AS m,
      count(*) FILTER (WHERE outcome = 'abandoned') AS ab
    FROM calls WHERE direction = 'inbound' AND kind = 'call'
    GROUP BY 1, 2, 3, 4, 5
  ) g
  GROUP BY day, source, campaign, dialed;

  INSERT INTO report_agent_rollups (span, period, agent_id, answered, talk_hist)
  SELECT 'day', day, agent_id, sum(n), coalesce(report_hist(array_agg(bucket) FILTER (WHERE bucket IS NOT NULL), array_agg(n) FILTER (WHERE bucket IS NOT NULL)), '{}')
  FROM (
    SELECT (offered_at AT TIME ZONE 'UTC')::date AS day, agent_id, report_bucket(talk_seconds) AS bucket, count(*) AS n
    FROM calls WHERE outcome = 'answered' AND agent_id IS NOT NULL
    GROUP BY 1, 2, 3
  ) g
  GROUP BY day, agent_id;

  INSERT INTO report_agent_rollups AS r (span, period, agent_id, offered, missed)
  SELECT 'day', (at AT TIME ZONE 'UTC')::date, agent_id, count(*) FILTER (WHERE kind = 'offered'), count(*) FILTER (WHERE kind = 'offer-failed')
  FROM call_events WHERE kind IN ('offered', 'offer-failed') AND agent_id IS NOT NULL
  GROUP BY 1, 2, 3
  ON CONFLICT (span, period, agent_id) DO UPDATE SET offered = excluded.offered, missed = excluded.missed;

  -- Months are the sums of their days.
  INSERT INTO report_line_rollups (span, period, source, campaign, dialed, inquiries, answered, missed, abandoned, wait_hist)
  WITH days AS (SELECT date_trunc('month', period)::date AS month, * FROM report_line_rollups WHERE span = 'day'),
  totals AS (
    SELECT month, source, campaign, dialed, sum(inquiries) AS inquiries, sum(answered) AS answered, sum(missed) AS missed, sum(abandoned) AS abandoned
    FROM days GROUP BY 1, 2, 3, 4
  ),
  hist AS (
    SELECT month, source, campaign, dialed, report_hist(array_agg(i::integer), array_agg(n)) AS hist
    FROM (SELECT d.month, d.source, d.campaign, d.dialed, u.i, sum(u.n) AS n FROM days d, unnest(d.wait_hist) WITH ORDINALITY u(n, i) GROUP BY 1, 2, 3, 4, 5) b
    GROUP BY 1, 2, 3, 4
  )
  SELECT 'month', t.month, t.source, t.campaign, t.dialed, t.inquiries, t.answered, t.missed, t.abandoned, coalesce(h.hist, '{}')
  FROM totals t LEFT JOIN hist h ON h.month = t.month AND (h.source, h.campaign, h.dialed) IS NOT DISTINCT FROM (t.source, t.campaign, t.dialed);

  INSERT INTO report_agent_rollups (span, period, agent_id, offered, missed, answered, talk_hist)
  WITH days AS (SELECT date_trunc('month', period)::date AS month, * FROM report_agent_rollups WHERE span = 'day'),
  totals AS (SELECT month, agent_id, sum(offered) AS offered, sum(missed) AS missed, sum(answered) AS answered FROM days GROUP BY 1, 2),
  hist AS (
    SELECT month, agent_id, report_hist(array_agg(i::integer), array_agg(n)) AS hist
    FROM (SELECT d.month, d.agent_id, u.i, sum(u.n) AS n FROM days d, unnest(d.talk_hist) WITH ORDINALITY u(n, i) GROUP BY 1, 2, 3) b
    GROUP BY 1, 2
  )
  SELECT 'month', t.month, t.agent_id, t.offered, t.missed, t.answered, coalesce(h.hist, '{}')
  FROM totals t LEFT JOIN hist h ON h.month = t.month AND h.agent_id = t.agent_id;
$$;

SELECT report_rollups_rebuild();

-- The losses report's "never answered" test for the leads of the range: an
-- index-only anti join instead of reading every call of every lead.
CREATE INDEX calls_lead_answered_idx ON calls (lead_id) WHERE outcome = 'answered' AND lead_id IS NOT NULL;
