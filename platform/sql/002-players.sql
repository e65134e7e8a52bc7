-- platform 002-players.sql: people across games and platforms, and the
-- bookkeeping of incremental rollups. Modules link their rows to players.id
-- (a module's history migration does). Recorded as (platform, 002).
-- legacy: 003-players-history.sql

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

-- Where the last rollup got to (one row per rollup kind, named by its module).
-- last_poll_id: the last poll id included; pending_from: the earliest
-- joined_at of intervals still open at that run (they may close later and
-- change the days they span).
CREATE TABLE rollup_state (
	name           text PRIMARY KEY,
	watermark      timestamptz NOT NULL,    -- data before this instant is rolled up
	ran_at         timestamptz NOT NULL,
	duration_ms    int NOT NULL,
	last_poll_id   bigint NOT NULL DEFAULT 0,
	pending_from   timestamptz
);
