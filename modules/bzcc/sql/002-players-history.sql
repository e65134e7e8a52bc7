-- bzcc 002-players-history.sql: BZCC players linked to the platform's
-- players (platform 002), play intervals (partitioned by month, kept
-- forever), maps and mods as entities, and the daily rollup tables
-- `gamewatch-job rollup` maintains (its watermark is in the platform's
-- rollup_state). Recorded as (bzcc, 002).
-- legacy: 003-players-history.sql

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
