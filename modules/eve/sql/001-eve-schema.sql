-- 001-eve-schema.sql: the eve module's tables (killmails, static data,
-- battles, feed state). Applied by `gamewatch-job migrate` after the
-- platform's migrations. docs/eve-battles.md describes the battle tables.
CREATE SCHEMA eve;

-- ---------------------------------------------------------- static data
-- Imported by `gamewatch-job eve-static DIR` from the SDE tables
-- (tests/data/eve/static/ holds a copy); space_type, sec_band and wh_class
-- are computed by the module's domain code (modules/eve/FORMAT.md section 7).
CREATE TABLE eve.regions (
	region_id   bigint PRIMARY KEY,
	name        text NOT NULL
);
CREATE TABLE eve.constellations (
	constellation_id bigint PRIMARY KEY,
	name        text NOT NULL,
	region_id   bigint NOT NULL
);
CREATE TABLE eve.systems (
	system_id   bigint PRIMARY KEY,
	name        text NOT NULL,
	security    numeric(9, 6) NOT NULL,
	constellation_id bigint NOT NULL,
	region_id   bigint NOT NULL,
	space_type  text NOT NULL,
	sec_band    text NOT NULL,
	wh_class    text
);
CREATE INDEX systems_name_idx ON eve.systems (lower(name));
CREATE INDEX systems_region_idx ON eve.systems (region_id);
CREATE TABLE eve.categories (
	category_id bigint PRIMARY KEY,
	name        text NOT NULL
);
CREATE TABLE eve.groups (
	group_id    bigint PRIMARY KEY,
	category_id bigint NOT NULL,
	name        text NOT NULL
);
CREATE TABLE eve.types (
	type_id     bigint PRIMARY KEY,
	name        text NOT NULL,
	group_id    bigint NOT NULL
);

-- Character, corporation and alliance names (ESI /universe/names), cached:
-- names change, so fetched_at says how old a name is.
CREATE TABLE eve.names (
	id          bigint PRIMARY KEY,
	category    text NOT NULL,        -- character, corporation, alliance, faction
	name        text NOT NULL,
	fetched_at  timestamptz NOT NULL DEFAULT now()
);

-- An operator-supplied price table for killmails without zKillboard values
-- (`gamewatch-job eve-import --prices FILE`), in ISK per unit.
CREATE TABLE eve.prices (
	type_id     bigint PRIMARY KEY,
	price       numeric(20, 2) NOT NULL CHECK (price >= 0),
	updated_at  timestamptz NOT NULL DEFAULT now()
);

-- ------------------------------------------------------------ killmails
-- Every killmail id ever stored, once: the dedupe key (the partitioned
-- tables below cannot have a unique index on the id alone), and the order
-- of arrival (seq) that eve-cluster follows.
CREATE TABLE eve.killmail_ids (
	killmail_id   bigint PRIMARY KEY,
	killmail_time timestamptz NOT NULL,
	seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE
);

-- One row per killmail, partitioned by month of killmail_time
-- (gw_ensure_month_partitions). ISK as numeric: never float sums.
CREATE TABLE eve.killmails (
	killmail_id   bigint NOT NULL,
	killmail_time timestamptz NOT NULL,
	system_id     bigint NOT NULL,
	hash          text,
	victim_character_id   bigint,
	victim_corporation_id bigint,
	victim_alliance_id    bigint,
	victim_faction_id     bigint,
	victim_ship_type_id   bigint NOT NULL,
	damage_taken  bigint NOT NULL,
	attacker_count int NOT NULL,
	war_id        bigint,
	total_value   numeric(20, 2),      -- zkb.totalValue, or from eve.prices
	value_source  text,                -- 'zkb', 'prices' or NULL (unknown)
	fitted_value  numeric(20, 2),
	dropped_value numeric(20, 2),
	destroyed_value numeric(20, 2),
	points        int,
	npc           boolean NOT NULL,
	solo          boolean,
	awox          boolean,
	location_id   bigint,
	source        text NOT NULL,       -- 'esi', 'r2z2', 'redisq', 'zkb'
	PRIMARY KEY (killmail_id, killmail_time)
) PARTITION BY RANGE (killmail_time);
CREATE INDEX killmails_time_idx ON eve.killmails (killmail_time DESC, killmail_id DESC);
CREATE INDEX killmails_system_idx ON eve.killmails (system_id, killmail_time);
CREATE INDEX killmails_victim_alliance_idx ON eve.killmails (victim_alliance_id, killmail_time)
	WHERE victim_alliance_id IS NOT NULL;
CREATE INDEX killmails_victim_corp_idx ON eve.killmails (victim_corporation_id, killmail_time);
CREATE INDEX killmails_victim_char_idx ON eve.killmails (victim_character_id, killmail_time)
	WHERE victim_character_id IS NOT NULL;

-- Attackers, partitioned like their killmails.
CREATE TABLE eve.attackers (
	killmail_id   bigint NOT NULL,
	killmail_time timestamptz NOT NULL,
	character_id  bigint,
	corporation_id bigint,
	alliance_id   bigint,
	faction_id    bigint,
	ship_type_id  bigint,
	weapon_type_id bigint,
	damage_done   bigint NOT NULL,
	final_blow    boolean NOT NULL,
	security_status real
) PARTITION BY RANGE (killmail_time);
CREATE INDEX attackers_km_idx ON eve.attackers (killmail_id);
CREATE INDEX attackers_alliance_idx ON eve.attackers (alliance_id, killmail_time)
	WHERE alliance_id IS NOT NULL;
CREATE INDEX attackers_corp_idx ON eve.attackers (corporation_id, killmail_time);
CREATE INDEX attackers_char_idx ON eve.attackers (character_id, killmail_time)
	WHERE character_id IS NOT NULL;

-- Imports and the live feed: what arrived, what was refused and why.
CREATE TABLE eve.ingest_log (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at          timestamptz NOT NULL DEFAULT now(),
	source      text NOT NULL,          -- file name or feed URL
	read        int NOT NULL,
	inserted    int NOT NULL,
	duplicates  int NOT NULL,
	rejected    int NOT NULL,
	refs        int NOT NULL DEFAULT 0, -- id+hash only, body not fetched
	duration_ms int NOT NULL,
	first_error text
);
CREATE TABLE eve.rejected (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at          timestamptz NOT NULL DEFAULT now(),
	source      text NOT NULL,
	position    text NOT NULL,          -- line, member key or archive entry
	reason      text NOT NULL,
	excerpt     text NOT NULL           -- first bytes of the document
);

-- The R2Z2 follower's position (one row per feed URL).
CREATE TABLE eve.feed_state (
	feed        text PRIMARY KEY,
	sequence    bigint NOT NULL,
	updated_at  timestamptz NOT NULL DEFAULT now(),
	last_error  text,
	consecutive_failures int NOT NULL DEFAULT 0
);

-- -------------------------------------------------------------- battles
-- Every kill is in exactly one cluster (battle_killmails' primary key);
-- clusters with at least min_kills kills are battles (is_battle) and carry
-- a report. Built by `gamewatch-job eve-cluster` (docs/eve-battles.md).
CREATE TABLE eve.battles (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	system_id   bigint NOT NULL,
	region_id   bigint,
	space_type  text NOT NULL,
	sec_band    text NOT NULL,
	start_time  timestamptz NOT NULL,
	end_time    timestamptz NOT NULL,
	first_killmail_id bigint NOT NULL,
	kills       int NOT NULL,
	is_battle   boolean NOT NULL,
	isk_destroyed numeric(22, 2) NOT NULL DEFAULT 0,
	isk_known_kills int NOT NULL DEFAULT 0,
	pilots      int NOT NULL DEFAULT 0,
	sides       int NOT NULL DEFAULT 0,
	zkill_related_url text NOT NULL,
	report      jsonb,
	built_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX battles_list_idx ON eve.battles (start_time DESC, id DESC) WHERE is_battle;
CREATE INDEX battles_system_idx ON eve.battles (system_id, start_time);

CREATE TABLE eve.battle_killmails (
	killmail_id bigint PRIMARY KEY,      -- one battle per kill
	battle_id   bigint NOT NULL REFERENCES eve.battles (id) ON DELETE CASCADE,
	killmail_time timestamptz NOT NULL,
	side        smallint NOT NULL DEFAULT 0
);
CREATE INDEX battle_killmails_battle_idx ON eve.battle_killmails (battle_id);

CREATE TABLE eve.battle_participants (
	battle_id   bigint NOT NULL REFERENCES eve.battles (id) ON DELETE CASCADE,
	character_id bigint NOT NULL,        -- 0: a structure or NPC
	ship_type_id bigint NOT NULL,        -- 0: unknown
	corporation_id bigint NOT NULL,
	alliance_id bigint,
	side        smallint NOT NULL,
	is_victim   boolean NOT NULL,
	PRIMARY KEY (battle_id, character_id, ship_type_id, corporation_id)
);
CREATE INDEX battle_participants_alliance_idx ON eve.battle_participants (alliance_id)
	WHERE alliance_id IS NOT NULL;
CREATE INDEX battle_participants_corp_idx ON eve.battle_participants (corporation_id);
CREATE INDEX battle_participants_char_idx ON eve.battle_participants (character_id)
	WHERE character_id <> 0;

-- Where eve-cluster stopped: the last killmail_ids.seq it clustered and
-- the parameters it used (a change of parameters rebuilds everything).
CREATE TABLE eve.cluster_state (
	name        text PRIMARY KEY,
	last_seq    bigint NOT NULL,
	params      text NOT NULL,
	ran_at      timestamptz NOT NULL DEFAULT now(),
	duration_ms int NOT NULL DEFAULT 0
);
