-- bzcc 006-parity.sql: issue 9 (faults found in review, and what the
-- community viewers do). Each part names what it is for.

-- Fault 1: lobby URLs were stored verbatim, credentials included; mask the
-- userinfo and credential-like query values of the rows written before
-- (the poller masks them on the way in now: core/http.h http_url_redact).
UPDATE bzcc.polls
   SET source_url = regexp_replace(
         regexp_replace(source_url, '^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#]*@', '\1***@'),
         '([?&;][^=&;#]*(key|token|secret|password|passwd|auth|signature|credential)=)[^&;#]*',
         '\1***', 'gi')
 WHERE source_url ~ '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@'
    OR source_url ~* '[?&;][^=&;#]*(key|token|secret|password|passwd|auth|signature|credential)=';

-- Fault 9: the seed list's ".../undefined" pictures are no picture (the
-- decoder drops them now: modules/bzcc/domain/facts.h
-- bzcc_image_value_missing); forget the ones stored before so the mirror
-- never fetches them.
UPDATE bzcc.map_seed SET image_url = NULL
 WHERE image_url ~* '/(undefined|null|none|nil)/?([?#].*)?$' OR btrim(image_url) = '';
UPDATE bzcc.map_info SET image_url = NULL
 WHERE image_url ~* '/(undefined|null|none|nil)/?([?#].*)?$' OR btrim(image_url) = '';
UPDATE bzcc.mod_info SET image_url = NULL
 WHERE image_url ~* '/(undefined|null|none|nil)/?([?#].*)?$' OR btrim(image_url) = '';

-- Second source: the poller's view of each configured lobby source
-- (RAKNET_URL as "raknet", MSL_URL as "msl"), one row each, updated on
-- every attempt (docs/bzcc-format.md 10). status: ok (read, and its own
-- list server fresh), stale (read but its list server's copy is old, or
-- failing for less than the stale limit), down (failing longer).
CREATE TABLE bzcc.poll_sources (
	name                 text PRIMARY KEY,
	url                  text NOT NULL,          -- credentials masked
	status               text NOT NULL CHECK (status IN ('ok', 'stale', 'down')),
	last_attempt_at      timestamptz NOT NULL,
	last_success_at      timestamptz,
	last_error           text,                   -- the most recent failure, kept after recovery
	consecutive_failures int NOT NULL DEFAULT 0,
	upstream_updated_at  timestamptz,            -- IonDriver proxyStatus / MSL ListServer time
	sessions             int NOT NULL DEFAULT 0  -- listed by the last successful read
);

-- Sessions the operator's spam rules hid, per poll.
ALTER TABLE bzcc.polls ADD COLUMN hidden int NOT NULL DEFAULT 0;

-- MultiplayerSessionList metadata as an enrichment source (its Level and
-- Teams per map key, its Mods): kept beside getdata.php's facts, which win;
-- pictures are candidates of the mirror, never served from there.
CREATE TABLE bzcc.map_msl (
	map_key      text PRIMARY KEY,
	title        text,
	description  text,        -- sanitized HTML
	image_url    text,        -- upstream picture (mirrored, never served)
	team_names   text[],      -- {team 1, team 2} when not "Team 1"/"Team 2"
	seen_at      timestamptz NOT NULL
);
CREATE TABLE bzcc.mod_msl (
	mod_id       text PRIMARY KEY,
	name         text,
	image_url    text,        -- upstream picture (mirrored, never served)
	url          text,
	seen_at      timestamptz NOT NULL
);

-- Session identity across host migration and revived NAT ids
-- (modules/bzcc/store/bzcc-identity.h): a raw id "<source>:<guid>" that
-- does not name its own session points at the one it continues.
CREATE TABLE bzcc.session_links (
	raw_id       text PRIMARY KEY,
	session_id   text NOT NULL REFERENCES bzcc.sessions (id),
	reason       text NOT NULL CHECK (reason IN ('migrated', 'revived')),
	generation   int NOT NULL DEFAULT 1,   -- revived: n of "<raw id>~n"
	linked_at    timestamptz NOT NULL
);
CREATE INDEX session_links_session_idx ON bzcc.session_links (session_id);
-- the relink candidates are the sessions seen in the last minutes
CREATE INDEX sessions_last_seen_idx ON bzcc.sessions (last_seen_at);

-- getdata.php's name, else its workshop_name, else the Workshop title, else
-- MultiplayerSessionList's; "Stock" for mod 0.
CREATE OR REPLACE FUNCTION bzcc.mod_display_name(id text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT coalesce((SELECT coalesce(nullif(name, ''), nullif(workshop_name, ''),
	                                 nullif(workshop_title, ''))
	                   FROM bzcc.mod_info WHERE mod_id = id),
	                (SELECT nullif(name, '') FROM bzcc.mod_msl WHERE mod_id = id),
	                CASE WHEN id = '0' THEN 'Stock' END)
$$;

-- As in 004, plus: MultiplayerSessionList's level name and team names when
-- getdata.php has none, players[].profile_url (the platform profile, or the
-- Steam community page of a Steam id), and the keys sessions recorded
-- before issue 9 lack (rules, join, dedicated; players' hidden and bot),
-- so that every session has the same shape.
CREATE OR REPLACE FUNCTION bzcc.enrich_session(d jsonb, cdn text) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH m AS (SELECT d->'map'->>'key' AS map_key, lower(d->'map'->>'file') AS file_lower,
	                  d->'mod'->>'id' AS mod_id)
	SELECT d || jsonb_build_object(
		'dedicated', coalesce(d->'dedicated', 'false'::jsonb),
		'rules', coalesce(d->'rules', '{"time_limit": null, "kill_limit": null,
			"respawn": null, "vehicle_only": null}'::jsonb),
		'join', coalesce(d->'join', 'null'::jsonb),
		'map', coalesce(d->'map', '{}'::jsonb) || jsonb_build_object(
			'title', coalesce(mi.title, mm.title, ms.name),
			'image_url', gw_asset_url('map', m.map_key, cdn),
			'team_names', to_jsonb(coalesce(mi.team_names, mm.team_names)),
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
				'hidden', coalesce(p.v->'hidden', to_jsonb(coalesce((p.v->>'slot')::int, 0) = 0)),
				'bot', coalesce(p.v->'bot', 'false'::jsonb),
				'avatar_url', CASE WHEN p.v->>'provider' IN ('steam', 'gog') THEN
					gw_asset_url('avatar', (p.v->>'provider') || ':' || (p.v->>'external_id'), cdn) END,
				'profile_name', pp.nickname,
				'profile_url', coalesce(pp.profile_url,
					CASE WHEN p.v->>'provider' = 'steam' AND p.v->>'external_id' ~ '^[0-9]{1,20}$'
					THEN 'https://steamcommunity.com/profiles/' || (p.v->>'external_id') || '/' END))
				ORDER BY p.ord)
			FROM jsonb_array_elements(coalesce(d->'players', '[]'::jsonb)) WITH ORDINALITY AS p(v, ord)
			LEFT JOIN player_profiles pp ON pp.provider = p.v->>'provider'
			 AND pp.external_id = p.v->>'external_id' AND pp.found), '[]'::jsonb))
	FROM m
	LEFT JOIN bzcc.map_info mi ON mi.map_key = m.map_key AND mi.found
	LEFT JOIN bzcc.map_msl mm ON mm.map_key = m.map_key
	LEFT JOIN bzcc.map_seed ms ON ms.file_lower = m.file_lower
$$;
