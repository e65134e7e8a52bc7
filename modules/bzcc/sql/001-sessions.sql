-- bzcc 001-sessions.sql: Battlezone: Combat Commander live sessions and their
-- history, kept forever. Written by `gamewatch-job poll-bzcc`, one transaction
-- per poll; read by the web app. Column meanings: docs/bzcc-format.md.
-- Uses gw_ensure_month_partitions (platform 001). Recorded as (bzcc, 001).
-- legacy: 002-bzcc-sessions.sql
CREATE SCHEMA bzcc;

-- One row per session ever seen ("<source>:<guid hex16>").
CREATE TABLE bzcc.sessions (
	id             text PRIMARY KEY,
	source         text NOT NULL,
	nat_id         text NOT NULL,
	guid_hex       text NOT NULL,
	name           text NOT NULL,
	map_file       text NOT NULL,
	map_key        text NOT NULL,
	mod_id         text NOT NULL,
	mods           text[] NOT NULL,
	version        text NOT NULL,
	game_type      int,
	game_mode      int,
	game_mode_name text NOT NULL,
	state          text NOT NULL,
	state_since    timestamptz NOT NULL,  -- when the current state began
	nat_type       int,
	locked         boolean NOT NULL,
	has_password   boolean NOT NULL,
	player_count   int NOT NULL,
	max_players    int NOT NULL,
	first_seen_at  timestamptz NOT NULL,
	last_seen_at   timestamptz NOT NULL,
	ended_at       timestamptz,           -- NULL while listed; then its last sighting
	data           jsonb NOT NULL         -- the session view model as last seen
);
CREATE INDEX sessions_live_idx ON bzcc.sessions (last_seen_at DESC) WHERE ended_at IS NULL;
CREATE INDEX sessions_first_seen_idx ON bzcc.sessions (first_seen_at DESC);
CREATE INDEX sessions_map_key_idx ON bzcc.sessions (map_key);
CREATE INDEX sessions_mod_id_idx ON bzcc.sessions (mod_id);

-- Who was in a session; one row per (session, player), with the last values seen.
CREATE TABLE bzcc.session_players (
	session_id     text NOT NULL REFERENCES bzcc.sessions (id),
	player_key     text NOT NULL,   -- platform id ("S7656...", "G...") or "pos:<n>" when none
	name           text NOT NULL,
	provider       text NOT NULL,   -- steam, gog or ''
	external_id    text NOT NULL,
	slot           int NOT NULL,
	team           int NOT NULL,
	leader         boolean NOT NULL,
	host           boolean NOT NULL,
	kills          int NOT NULL,
	deaths         int NOT NULL,
	score          int NOT NULL,
	first_seen_at  timestamptz NOT NULL,
	last_seen_at   timestamptz NOT NULL,
	left_at        timestamptz,     -- NULL while listed in the session
	PRIMARY KEY (session_id, player_key)
);
CREATE INDEX session_players_external_idx ON bzcc.session_players (provider, external_id);
CREATE INDEX session_players_present_idx ON bzcc.session_players (session_id) WHERE left_at IS NULL;

-- One row per live session per successful poll, partitioned by month.
CREATE TABLE bzcc.session_snapshots (
	session_id       text NOT NULL,
	taken_at         timestamptz NOT NULL,
	state            text NOT NULL,
	player_count     int NOT NULL,
	max_players      int NOT NULL,
	minutes_in_state int,
	map_key          text NOT NULL,
	mod_id           text NOT NULL,
	player_keys      text[] NOT NULL,
	PRIMARY KEY (session_id, taken_at)
) PARTITION BY RANGE (taken_at);
CREATE INDEX session_snapshots_taken_idx ON bzcc.session_snapshots (taken_at);
CREATE TABLE bzcc.session_snapshots_default PARTITION OF bzcc.session_snapshots DEFAULT;
SELECT gw_ensure_month_partitions('bzcc.session_snapshots', now(), 2);

-- Every poll attempt, successful or rejected (the health page and the
-- per-minute summary read it).
CREATE TABLE bzcc.polls (
	id           bigserial PRIMARY KEY,
	taken_at     timestamptz NOT NULL,
	source_url   text NOT NULL,
	kind         text,                 -- raknet or msl-v1; NULL when rejected
	ok           boolean NOT NULL,
	error        text,
	sessions     int NOT NULL DEFAULT 0,
	players      int NOT NULL DEFAULT 0,
	skipped      int NOT NULL DEFAULT 0,
	bytes        int NOT NULL DEFAULT 0,
	duration_ms  int NOT NULL DEFAULT 0
);
CREATE INDEX polls_taken_idx ON bzcc.polls (taken_at);
