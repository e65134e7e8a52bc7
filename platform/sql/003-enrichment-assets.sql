-- platform 003-enrichment-assets.sql: what the enrichment engine and the
-- asset mirror keep for every module: platform profiles (Steam, GOG), the
-- work queue with backoff and parking, circuit breakers per provider, the
-- content-addressed asset store, its sources, links, curator registry and
-- curation queue (docs/enrichment.md). Recorded as (platform, 003).
-- legacy: 004-enrichment.sql

-- Platform profiles (Steam GetPlayerSummaries, GOG users API).
CREATE TABLE player_profiles (
	provider       text NOT NULL CHECK (provider IN ('steam', 'gog')),
	external_id    text NOT NULL,
	found          boolean NOT NULL,        -- false: private, deleted or unknown account
	nickname       text,
	profile_url    text,                    -- the platform's profile page (a link, never embedded)
	avatar_url     text,                    -- upstream picture, absolute
	updated_at     timestamptz NOT NULL,
	PRIMARY KEY (provider, external_id)
);

-- Fetch state of every enrichment and mirror item: attempts and backoff,
-- parking, freshness. kind: seed, getdata, steam, workshop, gog,
-- mirror:map, mirror:mod, mirror:avatar. next_attempt_at is when the item is
-- due again (backoff after a failure, the TTL after a success).
CREATE TABLE enrich_items (
	kind           text NOT NULL,
	key            text NOT NULL,
	attempts       int NOT NULL DEFAULT 0,  -- consecutive failed attempts
	last_attempt_at timestamptz,
	next_attempt_at timestamptz NOT NULL,
	parked_at      timestamptz,             -- set after the last allowed attempt
	last_error     text,
	last_status    text,                    -- ok, absent, error, rejected, parked, placeholder
	ok_at          timestamptz,             -- last success
	expires_at     timestamptz,             -- cached data is fresh until then
	rejections     int NOT NULL DEFAULT 0,  -- bad content refused, all time
	signature      text,                    -- mirror: the candidate list tried last
	PRIMARY KEY (kind, key)
);
CREATE INDEX enrich_items_due_idx ON enrich_items (kind, next_attempt_at);

-- Circuit breaker per upstream provider (getdata, steam, workshop, gog, vsr,
-- and img:<host> for picture hosts).
CREATE TABLE enrich_breakers (
	provider       text PRIMARY KEY,
	state          text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
	failures       int NOT NULL DEFAULT 0,  -- consecutive transient failures
	open_until     timestamptz,
	opened_total   int NOT NULL DEFAULT 0,
	updated_at     timestamptz NOT NULL
);

-- Mirrored files, content-addressed and immutable:
-- <assets root>/<path> or the S3 object <path>, path = <module>/<kind>/<sha256>.<ext>.
CREATE TABLE assets (
	sha256         text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	kind           text NOT NULL,           -- map, mod, avatar (of the first use)
	ext            text NOT NULL CHECK (ext IN ('png', 'jpg', 'gif', 'webp')),
	mime           text NOT NULL,
	width          int NOT NULL,
	height         int NOT NULL,
	bytes          int NOT NULL,
	path           text NOT NULL UNIQUE,
	storage        text NOT NULL,           -- file or s3
	source_url     text NOT NULL,           -- where it was first fetched
	created_at     timestamptz NOT NULL,
	verified_at    timestamptz,             -- last integrity sweep that found it intact
	verify_failures int NOT NULL DEFAULT 0, -- consecutive failed sweeps
	quarantined_at timestamptz              -- moved out of the served tree
);

-- Upstream URL -> content, so one picture is fetched once however many
-- entities use it.
CREATE TABLE asset_sources (
	url            text PRIMARY KEY,
	sha256         text NOT NULL REFERENCES assets (sha256) ON DELETE CASCADE,
	fetched_at     timestamptz NOT NULL
);
CREATE INDEX asset_sources_sha_idx ON asset_sources (sha256);

-- Which picture an entity shows. entity_kind: map (key = map_key), mod
-- (mod_id), avatar ("steam:<id>", "gog:<id>"). sha256 NULL = placeholder.
CREATE TABLE asset_links (
	entity_kind    text NOT NULL,
	entity_key     text NOT NULL,
	sha256         text REFERENCES assets (sha256) ON DELETE SET NULL,
	via            text NOT NULL,           -- registry, seed, getdata, modpng, workshop, profile, placeholder
	source_url     text,
	linked_at      timestamptz NOT NULL,
	PRIMARY KEY (entity_kind, entity_key)
);
CREATE INDEX asset_links_sha_idx ON asset_links (sha256);

-- Our own registry: a curator's chosen source per entity, tried first.
-- entity_key "*:<map file>" applies to a map file under any mod.
CREATE TABLE asset_registry (
	entity_kind    text NOT NULL,
	entity_key     text NOT NULL,
	source_url     text NOT NULL,
	note           text,
	added_at       timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (entity_kind, entity_key)
);

-- Entities left with a placeholder, for a person to curate.
CREATE TABLE curation_queue (
	entity_kind    text NOT NULL,
	entity_key     text NOT NULL,
	reason         text NOT NULL,
	first_at       timestamptz NOT NULL,
	last_at        timestamptz NOT NULL,
	resolved_at    timestamptz,
	PRIMARY KEY (entity_kind, entity_key)
);
CREATE INDEX curation_queue_open_idx ON curation_queue (last_at) WHERE resolved_at IS NULL;

-- The public URL of an entity's mirrored picture under `cdn` (ASSETS_CDN_BASE,
-- ending in '/'), or NULL (placeholder, quarantined or not mirrored yet).
CREATE FUNCTION gw_asset_url(kind text, key text, cdn text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT cdn || a.path FROM asset_links l JOIN assets a ON a.sha256 = l.sha256
	 WHERE l.entity_kind = kind AND l.entity_key = key AND a.quarantined_at IS NULL
$$;
