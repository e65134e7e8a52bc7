-- platform 001-core.sql: helpers every module uses (monthly partitions,
-- time formats). Applied once by `gamewatch-job migrate`, recorded in
-- gw_migrations as (platform, 001).
-- legacy: 001-core.sql

-- Create the monthly range partitions of `parent` (a table partitioned by a
-- timestamptz column) for the month containing `from_ts` and the `months_ahead`
-- following months. Partitions are named <parent>_yYYYYmMM. Idempotent.
CREATE FUNCTION gw_ensure_month_partitions(parent regclass, from_ts timestamptz,
                                           months_ahead int)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	start_m timestamptz := date_trunc('month', from_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
	m timestamptz;
	part text;
	created int := 0;
	nsp text;
	rel text;
BEGIN
	SELECT n.nspname, c.relname INTO nsp, rel
	  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE c.oid = parent;
	FOR i IN 0 .. months_ahead LOOP
		m := start_m + make_interval(months => i);
		part := format('%s_y%sm%s', rel, to_char(m AT TIME ZONE 'UTC', 'YYYY'),
		               to_char(m AT TIME ZONE 'UTC', 'MM'));
		IF to_regclass(format('%I.%I', nsp, part)) IS NULL THEN
			EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
			               nsp, part, parent, m, m + interval '1 month');
			created := created + 1;
		END IF;
	END LOOP;
	RETURN created;
END $$;

-- RFC 3339 UTC text with second precision, as every API response shows times.
CREATE FUNCTION gw_iso(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- Milliseconds since the Unix epoch to timestamptz.
CREATE FUNCTION gw_ms(ms bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_timestamp(ms / 1000.0)
$$;
