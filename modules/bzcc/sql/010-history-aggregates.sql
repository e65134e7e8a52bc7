-- bzcc 010-history-aggregates.sql: the aggregates the history pages read, kept
-- by `gamewatch-job rollup` so that no page or endpoint reads more rows as
-- history grows (issue 9; bench/README.md has the figures). Every table
-- here is derived: `gamewatch-job rollup --full` rebuilds it from the raw
-- rows, and the statements that maintain it are in
-- modules/bzcc/store/bzcc-rollup.c (what each column means: docs/history.md).
-- Needs PostgreSQL's pg_trgm extension (below). Recorded as (bzcc, 010).

-- A player's stays in one session, summed (the rows of a player's profile).
-- map_key is the session's map when the rollup last counted the session;
-- until is the latest end of a stay (left_at, or last_seen_at while open).
CREATE TABLE bzcc.player_sessions (
	player_id      bigint NOT NULL,
	session_id     text NOT NULL,
	map_key        text NOT NULL,
	joined_at      timestamptz NOT NULL,
	until          timestamptz NOT NULL,
	seconds        bigint NOT NULL,
	intervals      int NOT NULL,
	PRIMARY KEY (player_id, session_id)
);
CREATE INDEX player_sessions_recent_idx ON bzcc.player_sessions (player_id, until DESC, session_id DESC);
CREATE INDEX player_sessions_session_idx ON bzcc.player_sessions (session_id);

-- Sums of bzcc.player_sessions per player, and per player and map.
CREATE TABLE bzcc.player_totals (
	player_id      bigint PRIMARY KEY,
	seconds        bigint NOT NULL,
	sessions       int NOT NULL,
	intervals      bigint NOT NULL
);
CREATE TABLE bzcc.player_maps (
	player_id      bigint NOT NULL,
	map_key        text NOT NULL,
	seconds        bigint NOT NULL,
	sessions       int NOT NULL,
	PRIMARY KEY (player_id, map_key)
);

-- Sums of bzcc.map_daily and bzcc.mod_daily over all days (peak: the
-- largest daily peak).
CREATE TABLE bzcc.map_totals (
	map_key        text PRIMARY KEY,
	sessions       bigint NOT NULL,
	players        bigint NOT NULL,
	player_seconds bigint NOT NULL,
	peak_players   int NOT NULL
);
CREATE TABLE bzcc.mod_totals (
	mod_id         text PRIMARY KEY,
	sessions       bigint NOT NULL,
	players        bigint NOT NULL,
	player_seconds bigint NOT NULL
);
INSERT INTO bzcc.map_totals
SELECT map_key, sum(sessions), sum(players), sum(player_seconds), max(peak_players)
  FROM bzcc.map_daily GROUP BY map_key;
INSERT INTO bzcc.mod_totals
SELECT mod_id, sum(sessions), sum(players), sum(player_seconds)
  FROM bzcc.mod_daily GROUP BY mod_id;

-- Peaks of bzcc.players_online per UTC hour and per UTC day.
CREATE TABLE bzcc.players_online_hourly (
	hour           timestamptz PRIMARY KEY,
	sessions       int NOT NULL,
	players        int NOT NULL
);
CREATE TABLE bzcc.players_online_daily (
	day            date PRIMARY KEY,
	sessions       int NOT NULL,
	players        int NOT NULL
);

-- Every poll per UTC minute (/api/v1/history/summary): how many, how many
-- successful, and the peaks of the successful ones (NULL when none was).
CREATE TABLE bzcc.polls_minutely (
	minute         timestamptz PRIMARY KEY,
	polls          int NOT NULL,
	ok_polls       int NOT NULL,
	sessions       int,
	players        int
);

-- Ended sessions by the UTC day they ended and their length bucket (the
-- analytics histogram; min_minutes is the bucket's lower bound), and the
-- bucket each ended session was counted in (so a session that is listed
-- again, or whose end moves, is taken out of its old bucket exactly).
CREATE TABLE bzcc.session_lengths (
	session_id     text PRIMARY KEY,
	day            date NOT NULL,
	min_minutes    int NOT NULL
);
CREATE TABLE bzcc.session_length_daily (
	day            date NOT NULL,
	min_minutes    int NOT NULL,
	sessions       int NOT NULL,
	PRIMARY KEY (day, min_minutes)
);

-- The rollup finds the sessions it has to count again by their last sighting
-- (sessions_last_seen_idx, made by 006 for the relink candidates).

-- A search of the session history (`q`, a substring of the name) reads the
-- sessions whose names hold the search's trigrams, not every session ever
-- seen (pg_trgm: PostgreSQL's contrib, a trusted extension the database
-- owner may create). Debian ships it with the server package (postgresql-15
-- provides postgresql-contrib-15); a server without it, or a migrating role
-- that may not create it, stops here with what to do instead of a bare
-- "could not open extension control file".
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
		RAISE EXCEPTION 'bzcc 010 needs the PostgreSQL extension pg_trgm, which this server (%) does not have: install PostgreSQL''s contrib modules on the database host (Debian: apt-get install postgresql-contrib) and run gamewatch-job migrate again',
			current_setting('server_version');
	END IF;
	IF NOT has_database_privilege(current_database(), 'CREATE') THEN
		RAISE EXCEPTION 'bzcc 010 needs the PostgreSQL extension pg_trgm in database %, and role % may not create it: have its owner or a superuser run CREATE EXTENSION pg_trgm there, then run gamewatch-job migrate again',
			current_database(), current_user;
	END IF;
END
$$;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX sessions_name_trgm_idx ON bzcc.sessions USING gin (lower(name) gin_trgm_ops);

-- pending_from (platform 002) is now the earliest of: the join of a stay still open
-- and the last sighting of a session still live, at the last run.
-- The tables above start empty (map_totals and mod_totals start equal to
-- the daily rows): forget the watermark, so that the next rollup counts
-- every session and day again.
UPDATE rollup_state SET last_poll_id = 0, pending_from = NULL WHERE name = 'bzcc-daily';
