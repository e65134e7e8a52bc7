-- bzcc 003-enrichment.sql: BZCC's facts about maps and mods (the community
-- seed list, getdata.php, the Steam Workshop), fetched by `gamewatch-job
-- enrich`, and the SQL that joins them (and the platform's profiles and
-- mirrored pictures, platform 003) into a session view model. The web app
-- only reads them; docs/enrichment.md describes the flow. Recorded as
-- (bzcc, 003).
-- legacy: 004-enrichment.sql

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
