-- The histogram functions of the report roll-ups, as loops instead of queries.
--
-- Every batch of call records adds a histogram per day (and month) and agent:
-- with 10,000 agents a batch of 500 calls adds about a thousand. Written as
-- SQL queries (generate_series joined, or unnest sorted back into an array)
-- each call cost about 0.3 ms; these loops touch only the elements there are
-- (adding a batch's histogram skips its zeros), tens of microseconds. Same
-- results: a dense int[] whose element i counts the calls of i-1 seconds,
-- the shorter histogram padded with zeros, '{}' for nothing.

CREATE OR REPLACE FUNCTION report_hist(buckets integer[], counts bigint[]) RETURNS integer[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  top integer;
  h integer[];
BEGIN
  SELECT max(b) INTO top FROM unnest(buckets) b;
  IF top IS NULL THEN RETURN '{}'; END IF;
  h := array_fill(0, ARRAY[top]);
  FOR i IN 1..array_length(buckets, 1) LOOP
    IF buckets[i] IS NOT NULL THEN h[buckets[i]] := h[buckets[i]] + coalesce(counts[i], 0); END IF;
  END LOOP;
  RETURN h;
END $$;

CREATE OR REPLACE FUNCTION report_hist_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  longer integer[];
  shorter integer[];
  n integer;
  i integer := 0;
BEGIN
  IF coalesce(array_length(a, 1), 0) >= coalesce(array_length(b, 1), 0) THEN longer := a; shorter := b; ELSE longer := b; shorter := a; END IF;
  IF shorter IS NULL THEN RETURN coalesce(longer, '{}'); END IF;
  FOREACH n IN ARRAY shorter LOOP
    i := i + 1;
    IF n IS DISTINCT FROM 0 THEN longer[i] := coalesce(longer[i], 0) + coalesce(n, 0); END IF;
  END LOOP;
  RETURN coalesce(longer, '{}');
END $$;
