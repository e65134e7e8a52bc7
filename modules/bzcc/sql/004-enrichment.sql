-- 004-enrichment.sql: names, descriptions and pictures for maps, mods and
-- players (issue 4), fetched by `gamewatch-job enrich` and mirrored by
-- `gamewatch-job mirror`; the web app only reads them. docs/enrichment.md
-- describes the flow. Nothing here is read at request time from outside.

-- The community seed list (vsrmaplist.json), one row per map file.
CREATE TABLE bzcc.map_seed (
	file_lower     text PRIMARY KEY,        -- lower-case map file, the join key to sessions
	file           text NOT NULL,           -- as listed
	name           text NOT NULL,
	image_url      text,                    -- upstream picture (mirrored, never served)
	pools          int,
	loose          int,                     -- NULL when the list says -1 (unknown)
	author         text,
	description    text,                    -- sanitized HTML (core/sanitize.h)
	tags           text[] NOT NULL DEFAULT '{}',
	size_text      text,                    -- "2048x2048"
	size           int,
	base_to_base   int,                     -- NULL when unknown (0 in the list)
	updated_at     timestamptz NOT NULL
);

-- getdata.php per (map, mod) pair seen in sessions.
CREATE TABLE bzcc.map_info (
	map_key        text PRIMARY KEY,        -- "<mod id>:<lower-case map file>" (bzcc.maps)
	found          boolean NOT NULL,        -- false: the endpoint had no data for it
	title          text,
	description    text,                    -- sanitized HTML
	image_url      text,                    -- upstream picture, absolute
	net_vars       jsonb,                   -- netVars verbatim
	team_names     text[],                  -- {svar1, svar2} when the map is teamplay (ivar3 = 1)
	updated_at     timestamptz NOT NULL
);

-- Mods: getdata.php's "mods" object and the Steam Workshop.
CREATE TABLE bzcc.mod_info (
	mod_id         text PRIMARY KEY,
	name           text,
	workshop_name  text,
	type           text,
	dependencies   text[],
	image_url      text,                    -- getdata.php image, absolute
	workshop_title text,                    -- GetPublishedFileDetails
	workshop_preview_url text,
	workshop_found boolean,                 -- NULL: not asked yet
	updated_at     timestamptz NOT NULL
);

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
-- <assets root>/<path> or the S3 object <path>, path = bzcc/<kind>/<sha256>.<ext>.
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

-- getdata.php's name, else its workshop_name, else the Workshop title;
-- "Stock" for mod 0.
CREATE FUNCTION bzcc.mod_display_name(id text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT coalesce((SELECT coalesce(nullif(name, ''), nullif(workshop_name, ''),
	                                 nullif(workshop_title, ''))
	                   FROM bzcc.mod_info WHERE mod_id = id),
	                CASE WHEN id = '0' THEN 'Stock' END)
$$;

-- A session view model (bzcc.sessions.data) with the enrichment joined in:
-- map.title, map.image_url, map.team_names, map.author, map.pools,
-- map.loose, map.size; mod.name, mod.image_url, mod.workshop_url,
-- mod.items[] {id, name, image_url}; players[].avatar_url and
-- players[].profile_name. Image URLs are always under `cdn`.
CREATE FUNCTION bzcc.enrich_session(d jsonb, cdn text) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH m AS (SELECT d->'map'->>'key' AS map_key, lower(d->'map'->>'file') AS file_lower,
	                  d->'mod'->>'id' AS mod_id)
	SELECT d || jsonb_build_object(
		'map', coalesce(d->'map', '{}'::jsonb) || jsonb_build_object(
			'title', coalesce(mi.title, ms.name),
			'image_url', gw_asset_url('map', m.map_key, cdn),
			'team_names', to_jsonb(mi.team_names),
			'author', ms.author, 'pools', ms.pools, 'loose', ms.loose,
			'size', ms.size_text),
		'mod', coalesce(d->'mod', '{}'::jsonb) || jsonb_build_object(
			'name', bzcc.mod_display_name(m.mod_id),
			'image_url', gw_asset_url('mod', m.mod_id, cdn),
			'workshop_url', CASE WHEN m.mod_id ~ '^[1-9][0-9]{0,19}$' THEN
				'https://steamcommunity.com/sharedfiles/filedetails/?id=' || m.mod_id END,
			'items', coalesce((SELECT jsonb_agg(jsonb_build_object('id', x.id,
					'name', bzcc.mod_display_name(x.id),
					'image_url', gw_asset_url('mod', x.id, cdn)) ORDER BY x.ord)
				FROM jsonb_array_elements_text(coalesce(d->'mod'->'ids', '[]'::jsonb))
				     WITH ORDINALITY AS x(id, ord)), '[]'::jsonb)),
		'players', coalesce((SELECT jsonb_agg(p.v || jsonb_build_object(
				'avatar_url', CASE WHEN p.v->>'provider' IN ('steam', 'gog') THEN
					gw_asset_url('avatar', (p.v->>'provider') || ':' || (p.v->>'external_id'), cdn) END,
				'profile_name', pp.nickname) ORDER BY p.ord)
			FROM jsonb_array_elements(coalesce(d->'players', '[]'::jsonb)) WITH ORDINALITY AS p(v, ord)
			LEFT JOIN player_profiles pp ON pp.provider = p.v->>'provider'
			 AND pp.external_id = p.v->>'external_id' AND pp.found), '[]'::jsonb))
	FROM m
	LEFT JOIN bzcc.map_info mi ON mi.map_key = m.map_key AND mi.found
	LEFT JOIN bzcc.map_seed ms ON ms.file_lower = m.file_lower
$$;
