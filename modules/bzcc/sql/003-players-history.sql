-- 003-players-history.sql: canonical players with platform identities, BZCC
-- play intervals (partitioned by month, kept forever), maps and mods as
-- entities, and the daily rollup tables `gamewatch-job rollup` maintains.

-- A person, across games and platforms. display_name is the last in-game
-- name seen; identities say which platform accounts belong to the player.
CREATE TABLE players (
	id             bigserial PRIMARY KEY,
	display_name   text NOT NULL,
	first_seen_at  timestamptz NOT NULL,
	last_seen_at   timestamptz NOT NULL
);
CREATE INDEX players_last_seen_idx ON players (last_seen_at DESC);
CREATE INDEX players_name_idx ON players (lower(display_name));

CREATE TABLE identities (
	id             bigserial PRIMARY KEY,
	player_id      bigint NOT NULL REFERENCES players (id),
	provider       text NOT NULL CHECK (provider IN ('steam', 'gog')),
	external_id    text NOT NULL,           -- SteamID64 or GOG user id, decimal
	last_name      text NOT NULL,           -- last in-game name seen with this account
	first_seen_at  timestamptz NOT NULL,
	last_seen_at   timestamptz NOT NULL,
	UNIQUE (provider, external_id)
);
CREATE INDEX identities_player_idx ON identities (player_id);

ALTER TABLE bzcc.session_players ADD COLUMN player_id bigint REFERENCES players (id);
CREATE INDEX session_players_player_idx ON bzcc.session_players (player_id);

-- One row per stay of a player in a session: joined_at is the first poll
-- that listed them, last_seen_at the latest; left_at (= last_seen_at) and
-- seconds are set at the first poll that no longer lists them or when the
-- session ends. At most one open row (left_at IS NULL) per player and session.
CREATE TABLE bzcc.player_session_events (
	player_id      bigint NOT NULL,
	session_id     text NOT NULL,
	joined_at      timestamptz NOT NULL,
	last_seen_at   timestamptz NOT NULL,
	left_at        timestamptz,
	seconds        int,
	PRIMARY KEY (player_id, session_id, joined_at)
) PARTITION BY RANGE (joined_at);
CREATE INDEX player_session_events_open_idx ON bzcc.player_session_events (player_id, session_id)
	WHERE left_at IS NULL;
CREATE INDEX player_session_events_session_idx ON bzcc.player_session_events (session_id);
CREATE INDEX player_session_events_joined_idx ON bzcc.player_session_events (joined_at);
CREATE TABLE bzcc.player_session_events_default PARTITION OF bzcc.player_session_events DEFAULT;
SELECT gw_ensure_month_partitions('bzcc.player_session_events', now(), 2);

-- History list filters: sessions by first seen time, state, map, mod, name.
CREATE INDEX sessions_first_seen_id_idx ON bzcc.sessions (first_seen_at DESC, id DESC);
CREATE INDEX sessions_name_lower_idx ON bzcc.sessions (lower(name) text_pattern_ops);

-- Maps and mods seen in sessions (enrichment adds names and images).
CREATE TABLE bzcc.maps (
	map_key        text PRIMARY KEY,        -- "<mod id>:<lower-case map file>"
	map_file       text NOT NULL,
	mod_id         text NOT NULL,
	first_seen_at  timestamptz NOT NULL,
	last_seen_at   timestamptz NOT NULL
);
CREATE TABLE bzcc.mods (
	mod_id         text PRIMARY KEY,        -- Steam Workshop id, "0" stock, or a local folder name
	first_seen_at  timestamptz NOT NULL,
	last_seen_at   timestamptz NOT NULL
);

-- Daily rollups (UTC days), upserted by `gamewatch-job rollup` for the days
-- touched since its last run; readers never wait for a refresh.
CREATE TABLE bzcc.player_daily (
	player_id      bigint NOT NULL,
	day            date NOT NULL,
	seconds        bigint NOT NULL,         -- time in sessions that day
	sessions       int NOT NULL,            -- distinct sessions played that day
	PRIMARY KEY (player_id, day)
);
CREATE TABLE bzcc.map_daily (
	map_key        text NOT NULL,
	day            date NOT NULL,
	sessions       int NOT NULL,            -- distinct sessions on the map that day
	players        int NOT NULL,            -- distinct players
	player_seconds bigint NOT NULL,
	peak_players   int NOT NULL,            -- most players in one session snapshot
	PRIMARY KEY (map_key, day)
);
CREATE INDEX map_daily_day_idx ON bzcc.map_daily (day);
CREATE TABLE bzcc.mod_daily (
	mod_id         text NOT NULL,
	day            date NOT NULL,
	sessions       int NOT NULL,
	players        int NOT NULL,
	player_seconds bigint NOT NULL,
	PRIMARY KEY (mod_id, day)
);
CREATE INDEX mod_daily_day_idx ON bzcc.mod_daily (day);
CREATE TABLE bzcc.players_online (          -- per UTC minute: peak sessions and players
	minute         timestamptz PRIMARY KEY,
	sessions       int NOT NULL,
	players        int NOT NULL
);

-- Duration statistics of ended sessions per game mode and map ('*' = all),
-- a materialized view refreshed CONCURRENTLY (readers keep the old rows).
CREATE MATERIALIZED VIEW bzcc.session_duration_stats AS
SELECT coalesce(game_mode_name, '*') AS game_mode, coalesce(map_key, '*') AS map_key,
       count(*) AS sessions,
       round(avg(seconds))::bigint AS mean_seconds,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds))::bigint AS median_seconds,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds))::bigint AS p90_seconds
  FROM (SELECT game_mode_name, map_key,
               extract(epoch FROM ended_at - first_seen_at)::bigint AS seconds
          FROM bzcc.sessions WHERE ended_at IS NOT NULL) s
 GROUP BY GROUPING SETS ((game_mode_name), (map_key), (game_mode_name, map_key), ())
WITH DATA;
CREATE UNIQUE INDEX session_duration_stats_key ON bzcc.session_duration_stats (game_mode, map_key);

-- Where the last rollup got to (one row per rollup kind).
CREATE TABLE rollup_state (
	name           text PRIMARY KEY,
	watermark      timestamptz NOT NULL,    -- data before this instant is rolled up
	ran_at         timestamptz NOT NULL,
	duration_ms    int NOT NULL
);

-- Rollup bookkeeping detail: the last poll id included, and the earliest
-- joined_at of intervals still open at that run (they may close later and
-- change the days they span).
ALTER TABLE rollup_state ADD COLUMN last_poll_id bigint NOT NULL DEFAULT 0;
ALTER TABLE rollup_state ADD COLUMN pending_from timestamptz;
