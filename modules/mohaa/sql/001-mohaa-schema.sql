-- 001-mohaa-schema.sql: MOHAA match telemetry. Written by `gamewatch-job
-- mohaa-ingest` (one transaction per batch of stream entries) and by
-- `gamewatch-job mohaa-server` (server registration); read by the web app.
-- Meanings: modules/mohaa/README.md.
CREATE SCHEMA mohaa;

-- Game servers allowed to send telemetry. The token is shown once by
-- `gamewatch-job mohaa-server add NAME`; only its SHA-256 is kept.
CREATE TABLE mohaa.servers (
	id            bigserial PRIMARY KEY,
	name          text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
	token_sha256  bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
	created_at    timestamptz NOT NULL DEFAULT now(),
	revoked_at    timestamptz,
	last_seen_at  timestamptz,          -- the last batch the ingest job wrote for it
	last_label    text                  -- the server_id field the script sent last
);

-- One row per accepted request (one Redis stream entry): the record that
-- makes the ingest job write each entry exactly once.
CREATE TABLE mohaa.entries (
	stream_id     text PRIMARY KEY,     -- the Redis stream id "<ms>-<seq>"
	server_id     bigint NOT NULL REFERENCES mohaa.servers (id),
	received_at   timestamptz NOT NULL, -- from the stream id
	shape         text NOT NULL,        -- form, object, lines, array
	events        int NOT NULL,         -- accepted events written to mohaa.events
	rejected      int NOT NULL,         -- events of the body rejected at ingest (not written)
	processed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entries_received_idx ON mohaa.entries (received_at);

-- Entries the job could not write (a database error on that entry alone),
-- kept whole for a later replay; their events count as failed.
CREATE TABLE mohaa.failed_entries (
	stream_id     text PRIMARY KEY,
	server_id     bigint NOT NULL,
	received_at   timestamptz NOT NULL,
	body          bytea NOT NULL,
	events        int NOT NULL,
	error         text NOT NULL,
	failed_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per batch the ingest job committed (the metrics read it).
CREATE TABLE mohaa.batches (
	id            bigserial PRIMARY KEY,
	at            timestamptz NOT NULL DEFAULT now(),
	entries       int NOT NULL,         -- new entries written
	duplicates    int NOT NULL,         -- entries already written (redelivered after a crash)
	events        int NOT NULL,         -- events written
	failed        int NOT NULL,         -- events of failed entries
	duration_ms   double precision NOT NULL
);

-- Matches, derived: the tracker sends match_start per map load and
-- heartbeats, never match_end (modules/mohaa/README.md, "Matches").
CREATE TABLE mohaa.matches (
	id                bigserial PRIMARY KEY,
	server_id         bigint NOT NULL REFERENCES mohaa.servers (id),
	match_ref         text NOT NULL,    -- match_id as sent ("" when none)
	session_ref       text NOT NULL DEFAULT '',
	map_name          text,
	gametype          text,
	started_at        timestamptz NOT NULL,
	start_inferred    boolean NOT NULL, -- no match_start was seen
	last_event_at     timestamptz NOT NULL,
	last_heartbeat_at timestamptz,
	ended_at          timestamptz,      -- NULL while open
	end_reason        text,             -- match_end, match_start, match_id, map, idle
	round             int NOT NULL DEFAULT 0,
	allies_score      int,
	axis_score        int,
	winning_team      text,
	player_count      int,
	kills             int NOT NULL DEFAULT 0,
	events            int NOT NULL DEFAULT 0
);
CREATE INDEX matches_open_idx ON mohaa.matches (server_id, id DESC) WHERE ended_at IS NULL;
CREATE INDEX matches_server_idx ON mohaa.matches (server_id, started_at DESC);
CREATE INDEX matches_started_idx ON mohaa.matches (started_at DESC);
CREATE INDEX matches_map_idx ON mohaa.matches (map_name, started_at DESC);

CREATE TABLE mohaa.rounds (
	match_id      bigint NOT NULL REFERENCES mohaa.matches (id),
	round         int NOT NULL,
	started_at    timestamptz NOT NULL,
	ended_at      timestamptz,
	winning_team  text,
	PRIMARY KEY (match_id, round)
);

-- Every accepted event, partitioned by month of receipt (the server's
-- clock: a sender's timestamp can be anything). raw is the event's bytes
-- as sent (the server token masked), for replay.
CREATE TABLE mohaa.events (
	stream_id        text NOT NULL,
	idx              int NOT NULL,      -- position among the entry's accepted events
	received_at      timestamptz NOT NULL,
	occurred_at      timestamptz NOT NULL,
	game_time        double precision,  -- seconds since the map loaded, when sent so
	server_id        bigint NOT NULL,
	match_id         bigint,
	round            int,
	type             text NOT NULL,     -- canonical name (kill, spawn, ...)
	type_sent        text NOT NULL,     -- as sent (player_kill, client_begin, ...)
	actor_id         text,
	actor_name       text,
	actor_team       text,
	actor_x          real, actor_y real, actor_z real, actor_pitch real, actor_yaw real,
	target_id        text,
	target_name      text,
	target_team      text,
	target_x         real, target_y real, target_z real,
	weapon           text,              -- weapon id (garand); inferred for MOD-only kills
	weapon_inferred  boolean NOT NULL DEFAULT false,
	mod              text,              -- means of death (fast_bullet)
	hitloc           text,              -- display string (head), NULL for none
	flags            int NOT NULL DEFAULT 0, -- 1 suicide, 2 team kill, 4 world, 8 headshot, 16 weapon held the MOD
	damage           int,
	extra            jsonb,             -- every other field as sent
	raw              bytea NOT NULL
) PARTITION BY RANGE (received_at);
CREATE UNIQUE INDEX events_stream_uidx ON mohaa.events (stream_id, idx, received_at);
CREATE INDEX events_match_idx ON mohaa.events (match_id, occurred_at);
CREATE TABLE mohaa.events_default PARTITION OF mohaa.events DEFAULT;
SELECT gw_ensure_month_partitions('mohaa.events', now(), 2);

-- Players and their totals. id is the player key: "smf:<forum id>", a game
-- GUID as sent, or "name:<clean name>" when the sender had no id.
CREATE TABLE mohaa.players (
	id              text PRIMARY KEY,
	kind            text NOT NULL,       -- smf, guid, name
	name            text NOT NULL,
	first_seen_at   timestamptz NOT NULL,
	last_seen_at    timestamptz NOT NULL,
	kills           bigint NOT NULL DEFAULT 0, -- of other players, team kills excluded
	deaths          bigint NOT NULL DEFAULT 0, -- every kill event with this player as victim
	headshots       bigint NOT NULL DEFAULT 0, -- kills hitting head or helmet
	suicides        bigint NOT NULL DEFAULT 0,
	teamkills       bigint NOT NULL DEFAULT 0,
	damage          bigint NOT NULL DEFAULT 0,
	shots           bigint NOT NULL DEFAULT 0, -- weapon_fire events
	hits            bigint NOT NULL DEFAULT 0, -- weapon_hit events
	matches         int NOT NULL DEFAULT 0,
	playtime_s      bigint NOT NULL DEFAULT 0,
	streak          int NOT NULL DEFAULT 0,    -- kills since the last death
	best_streak     int NOT NULL DEFAULT 0,
	tournaments     int NOT NULL DEFAULT 0,    -- filled by the competition module
	tournament_wins int NOT NULL DEFAULT 0,
	tournament_top3 int NOT NULL DEFAULT 0
);
CREATE INDEX players_kills_idx ON mohaa.players (kills DESC, id);
CREATE INDEX players_name_idx ON mohaa.players (lower(name));

CREATE TABLE mohaa.player_matches (
	match_id      bigint NOT NULL REFERENCES mohaa.matches (id),
	player_id     text NOT NULL,
	name          text NOT NULL,
	team          text,
	kills         int NOT NULL DEFAULT 0,
	deaths        int NOT NULL DEFAULT 0,
	headshots     int NOT NULL DEFAULT 0,
	suicides      int NOT NULL DEFAULT 0,
	teamkills     int NOT NULL DEFAULT 0,
	damage        int NOT NULL DEFAULT 0,
	shots         int NOT NULL DEFAULT 0,
	hits          int NOT NULL DEFAULT 0,
	first_at      timestamptz NOT NULL,
	last_at       timestamptz NOT NULL,
	last_weapon   text,                 -- for naming the weapon of MOD-only kills
	PRIMARY KEY (match_id, player_id)
);
CREATE INDEX player_matches_player_idx ON mohaa.player_matches (player_id, match_id DESC);

CREATE TABLE mohaa.player_weapons (
	player_id     text NOT NULL,
	weapon        text NOT NULL,
	kills         bigint NOT NULL DEFAULT 0,
	headshots     bigint NOT NULL DEFAULT 0,
	deaths        bigint NOT NULL DEFAULT 0, -- killed by this weapon
	shots         bigint NOT NULL DEFAULT 0,
	hits          bigint NOT NULL DEFAULT 0,
	damage        bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (player_id, weapon)
);
CREATE INDEX player_weapons_weapon_idx ON mohaa.player_weapons (weapon, kills DESC);

CREATE TABLE mohaa.player_maps (
	player_id     text NOT NULL,
	map_name      text NOT NULL,
	kills         bigint NOT NULL DEFAULT 0,
	deaths        bigint NOT NULL DEFAULT 0,
	headshots     bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (player_id, map_name)
);
CREATE INDEX player_maps_map_idx ON mohaa.player_maps (map_name, kills DESC);

CREATE TABLE mohaa.player_weeks (
	week          date NOT NULL,        -- Monday (UTC) of the week the kill happened
	player_id     text NOT NULL,
	kills         bigint NOT NULL DEFAULT 0,
	deaths        bigint NOT NULL DEFAULT 0,
	headshots     bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (week, player_id)
);
CREATE INDEX player_weeks_kills_idx ON mohaa.player_weeks (week, kills DESC);

-- Kill (attacker position) and death (victim position) counts on the
-- 100-unit grid, per map and player.
CREATE TABLE mohaa.heat_cells (
	map_name      text NOT NULL,
	player_id     text NOT NULL,
	kind          "char" NOT NULL CHECK (kind IN ('k', 'd')),
	x             int NOT NULL,
	y             int NOT NULL,
	n             bigint NOT NULL,
	PRIMARY KEY (map_name, player_id, kind, x, y)
);

-- The 23 achievements of the original seed; the rules are in
-- modules/mohaa/domain/achieve.c.
CREATE TABLE mohaa.achievements (
	id            text PRIMARY KEY,
	name          text NOT NULL,
	description   text NOT NULL,
	category      text NOT NULL,
	points        int NOT NULL
);
INSERT INTO mohaa.achievements (id, name, description, category, points) VALUES
	('KILL_100', 'First Blood Hunter', 'Get 100 kills', 'combat', 10),
	('KILL_500', 'Seasoned Soldier', 'Get 500 kills', 'combat', 25),
	('KILL_1000', 'Veteran', 'Get 1,000 kills', 'combat', 50),
	('KILL_5000', 'War Hero', 'Get 5,000 kills', 'combat', 100),
	('KILL_10000', 'Legend', 'Get 10,000 kills', 'combat', 200),
	('HEADSHOT_50', 'Sharpshooter', 'Get 50 headshots', 'combat', 15),
	('HEADSHOT_100', 'Marksman', 'Get 100 headshots', 'combat', 30),
	('HEADSHOT_500', 'Sniper', 'Get 500 headshots', 'combat', 75),
	('HEADSHOT_1000', 'Deadeye', 'Get 1,000 headshots', 'combat', 150),
	('KILLSTREAK_5', 'Rampage', 'Get 5 kills without dying', 'combat', 20),
	('KILLSTREAK_10', 'Unstoppable', 'Get 10 kills without dying', 'combat', 50),
	('KILLSTREAK_15', 'Godlike', 'Get 15 kills without dying', 'combat', 100),
	('GARAND_1000', 'M1 Garand Master', 'Get 1,000 kills with M1 Garand', 'weapons', 100),
	('THOMPSON_1000', 'Thompson Master', 'Get 1,000 kills with Thompson', 'weapons', 100),
	('MP40_1000', 'MP40 Master', 'Get 1,000 kills with MP40', 'weapons', 100),
	('KAR98_1000', 'Kar98k Master', 'Get 1,000 kills with Kar98k', 'weapons', 100),
	('SPRINGFIELD_1000', 'Springfield Master', 'Get 1,000 kills with Springfield', 'weapons', 100),
	('TOURNAMENT_FIRST', 'Champion', 'Win a tournament', 'tournament', 200),
	('TOURNAMENT_TOP3', 'Podium Finish', 'Finish top 3 in a tournament', 'tournament', 75),
	('TOURNAMENT_10', 'Tournament Regular', 'Participate in 10 tournaments', 'tournament', 50),
	('MATCHES_100', 'Dedicated Player', 'Play 100 matches', 'social', 25),
	('MATCHES_500', 'Loyal Soldier', 'Play 500 matches', 'social', 75),
	('PLAYTIME_100', 'Century', 'Play for 100 hours', 'social', 100);

CREATE TABLE mohaa.player_achievements (
	player_id      text NOT NULL,
	achievement_id text NOT NULL REFERENCES mohaa.achievements (id),
	unlocked_at    timestamptz NOT NULL,
	match_id       bigint,
	PRIMARY KEY (player_id, achievement_id)
);
CREATE INDEX player_achievements_recent_idx ON mohaa.player_achievements (unlocked_at DESC);
