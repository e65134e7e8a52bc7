-- bzcc 009-team-picker-curation.sql: the Team Picker (spec §4 "Team Picker",
-- modules/bzcc/domain/picker.h) and curated facts in what the pages show
-- (platform 006 curated_facts: approved corrections win over enrichment).
-- Recorded as (bzcc, 009); it replaces the functions of 006-parity.sql.

-- One picker per start; at most one open per session. state: open (toss
-- or picking: coin_winner_team NULL until the toss), final, canceled.
-- Commanders are "<provider>:<external id>" of the team leaders.
CREATE TABLE bzcc.team_pick_sessions (
	id                  bigserial PRIMARY KEY,
	session_id          text NOT NULL REFERENCES bzcc.sessions (id),
	state               text NOT NULL CHECK (state IN ('open', 'final', 'canceled')),
	commander1          text NOT NULL,
	commander2          text NOT NULL,
	coin_winner_team    int CHECK (coin_winner_team IN (1, 2)),
	accepted1           boolean NOT NULL DEFAULT false,
	accepted2           boolean NOT NULL DEFAULT false,
	created_at          timestamptz NOT NULL DEFAULT now(),
	created_by_user_id  bigint REFERENCES users (id) ON DELETE SET NULL,
	tossed_at           timestamptz,
	closed_at           timestamptz
);
CREATE UNIQUE INDEX team_pick_sessions_open_idx ON bzcc.team_pick_sessions (session_id)
	WHERE state = 'open';
CREATE INDEX team_pick_sessions_session_idx ON bzcc.team_pick_sessions (session_id, id DESC);

-- The picks in order (order_index 0 is the toss winner's first).
CREATE TABLE bzcc.team_pick_picks (
	pick_session_id     bigint NOT NULL REFERENCES bzcc.team_pick_sessions (id),
	order_index         int NOT NULL CHECK (order_index >= 0),
	team_id             int NOT NULL CHECK (team_id IN (1, 2)),
	player_id           text NOT NULL,      -- "steam:<SteamID64>" or "gog:<id>"
	player_name         text NOT NULL,
	picked_by_user_id   bigint REFERENCES users (id) ON DELETE SET NULL,
	picked_at           timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (pick_session_id, order_index),
	UNIQUE (pick_session_id, player_id)
);

-- Which signed-in users acted as the commanders.
CREATE TABLE bzcc.team_pick_participants (
	pick_session_id     bigint NOT NULL REFERENCES bzcc.team_pick_sessions (id),
	user_id             bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role                text NOT NULL CHECK (role IN ('commander1', 'commander2', 'viewer')),
	PRIMARY KEY (pick_session_id, user_id)
);

-- A curated text field of a map or mod, or NULL.
CREATE FUNCTION bzcc.curated(kind text, key text, field text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT nullif(fields->>field, '') FROM curated_facts
	 WHERE module = 'bzcc' AND entity_kind = kind AND entity_key = key
$$;

-- The two functions as 006-parity.sql left them, with the curated value
-- first: a curated mod name, then 006's chain; a curated map title, then
-- getdata.php's, MultiplayerSessionList's and the seed list's.
CREATE OR REPLACE FUNCTION bzcc.mod_display_name(id text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT coalesce(bzcc.curated('mod', id, 'name'),
	                (SELECT coalesce(nullif(name, ''), nullif(workshop_name, ''),
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
			'title', coalesce(bzcc.curated('map', m.map_key, 'title'), mi.title, mm.title, ms.name),
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
