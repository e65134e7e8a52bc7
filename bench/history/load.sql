-- bench/history/load.sql: write the plan (plan.sql) into the poller's tables
-- as the poller would have left them after its poll at :cut, for everything
-- that happened after the poll at :prev (:prev = t0 - 5 for the first load).
-- Rows are upserted with the poller's rules (store/bzcc-store.c):
--  * a session is live (ended_at NULL) while listed; it ends at its last
--    sighting; state_since is when its current state began;
--  * session_players.left_at is the first poll that no longer lists the
--    player (NULL while listed);
--  * a stay (player_session_events) is closed (left_at = last_seen_at,
--    seconds) once a poll no longer lists the player.
-- The snapshots and polls of (prev, cut] are not written here: run.sh
-- streams bench.v_snap and bench.v_polls with COPY ... TO STDOUT | COPY
-- ... FROM STDIN.
\set ON_ERROR_STOP 1
SET work_mem = '256MB';

CREATE TABLE IF NOT EXISTS bench.cut (t0 bigint, prev bigint, cur bigint);
TRUNCATE bench.cut;
INSERT INTO bench.cut VALUES (:t0, :prev, :cut);

-- Snapshots of (prev, cut]: one row per segment and poll.
CREATE OR REPLACE VIEW bench.v_snap AS
SELECT s.id AS session_id, to_timestamp(g) AS taken_at, seg.state, seg.player_count,
       t.max_players, least(255, (g - seg.state_since) / 60)::int AS minutes_in_state,
       t.map_key, t.mod_id, coalesce(seg.keys, '{}') AS player_keys
  FROM bench.cut c,
       (SELECT * FROM bench.seg ORDER BY t_from) seg
  JOIN bench.s s ON s.sid = seg.sid
  JOIN bench.tpl_session t ON t.tid = s.tid,
       generate_series(greatest(seg.t_from, c.prev + 5), least(seg.t_to, c.cur), 5) g
 WHERE seg.t_from <= c.cur AND seg.t_to > c.prev;

-- Polls of (prev, cut], all successful, with the sessions and players they
-- listed (running sums over the segments' starts and ends).
CREATE OR REPLACE VIEW bench.v_polls AS
WITH d AS (SELECT t, sum(ds) AS ds, sum(dp) AS dp FROM (
		SELECT t_from AS t, 1 AS ds, player_count AS dp FROM bench.seg
		UNION ALL SELECT t_to + 5, -1, -player_count FROM bench.seg
		UNION ALL SELECT t0, 0, 0 FROM bench.cut) x GROUP BY t),
     r AS (SELECT t, sum(ds) OVER w AS ns, sum(dp) OVER w AS np,
                  lead(t) OVER (ORDER BY t) AS nt
             FROM d WINDOW w AS (ORDER BY t))
SELECT to_timestamp(g) AS taken_at,
       'https://multiplayersessionlist.iondriver.com/api/1.0/sessions?game=bigboat:battlezone_combat_commander'::text AS source_url,
       'msl-v1'::text AS kind, true AS ok, NULL::text AS error, r.ns::int AS sessions,
       r.np::int AS players, 0 AS skipped, (1900 + r.ns * 2600 + r.np * 420)::int AS bytes,
       (90 + floor(random() * 160))::int AS duration_ms
  FROM bench.cut c, r,
       generate_series(greatest(r.t, c.prev + 5, c.t0), least(coalesce(r.nt - 5, c.cur), c.cur), 5) g
 WHERE r.t <= c.cur AND coalesce(r.nt - 5, c.cur) > c.prev
 ORDER BY g;

-- Sessions touched in (prev, cut], their state at the cut.
CREATE TEMP TABLE ts AS
SELECT s.*, least(s."end", :cut) AS last_seen, s."end" >= :cut AS live
  FROM bench.s s WHERE s.start <= :cut AND s."end" >= :prev;
CREATE TEMP TABLE tiv AS
SELECT i.*, least(i.last, :cut) AS last_seen, i.last >= :cut AS open
  FROM bench.iv i JOIN ts ON ts.sid = i.sid WHERE i.joined <= :cut;
ANALYZE ts, tiv;

-- Players and accounts (first and last sighting over all their stays so far).
INSERT INTO players AS o (id, display_name, first_seen_at, last_seen_at)
SELECT p.pid, p.name, to_timestamp(min(i.joined)), to_timestamp(max(i.last_seen))
  FROM tiv i JOIN bench.p p ON p.pid = i.pid GROUP BY p.pid, p.name
ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name,
	first_seen_at = least(o.first_seen_at, EXCLUDED.first_seen_at),
	last_seen_at = greatest(o.last_seen_at, EXCLUDED.last_seen_at);
SELECT setval('players_id_seq', (SELECT max(id) FROM players));
INSERT INTO identities AS o (player_id, provider, external_id, last_name, first_seen_at, last_seen_at)
SELECT id, p.provider, p.external_id, pl.display_name, pl.first_seen_at, pl.last_seen_at
  FROM players pl JOIN bench.p p ON p.pid = pl.id
 WHERE pl.id IN (SELECT pid FROM tiv)
ON CONFLICT (provider, external_id) DO UPDATE SET last_name = EXCLUDED.last_name,
	last_seen_at = EXCLUDED.last_seen_at;

-- Sessions: the last values seen, the view model as the poller stores it.
CREATE TEMP TABLE tsd AS
SELECT ts.sid, ts.id, ts.start, ts.last_seen, ts.live, t.*, seg.state AS st,
       to_timestamp(seg.state_since) AS state_since,
       least(255, (ts.last_seen - seg.state_since) / 60)::int AS mins, seg.player_count AS pc,
       coalesce((SELECT jsonb_agg(jsonb_build_object('host', x.ord = 1, 'name', p.name,
                   'slot', x.ord, 'team', CASE WHEN (t.data->>'teams')::boolean
                                          THEN 1 + ((x.ord + 1) % 2)::int ELSE x.ord::int END,
                   'kills', CASE WHEN seg.state = 'pre_game' THEN 0 ELSE (ts.sid * 7 + p.pid * 13) % 23 END,
                   'score', CASE WHEN seg.state = 'pre_game' THEN 0 ELSE (ts.sid * 7 + p.pid * 13) % 23 * 10 - (ts.sid + p.pid) % 17 * 4 END,
                   'deaths', CASE WHEN seg.state = 'pre_game' THEN 0 ELSE (ts.sid + p.pid) % 17 END,
                   'leader', (t.data->>'teams')::boolean AND x.ord <= 2, 'position', x.ord - 1,
                   'provider', p.provider, 'external_id', p.external_id, 'platform_id', p.platform_id)
                   ORDER BY x.ord)
                  FROM unnest(seg.pids) WITH ORDINALITY AS x(pid, ord) JOIN bench.p p ON p.pid = x.pid),
                '[]'::jsonb) AS players,
       CASE WHEN random() < 0.3 THEN 'Host ' || (SELECT p.name FROM bench.p p
               JOIN bench.iv i ON i.pid = p.pid AND i.sid = ts.sid AND i.pos = 1 LIMIT 1)
            ELSE t.name END AS sname
  FROM ts JOIN bench.tpl_session t ON t.tid = ts.tid
  JOIN bench.seg seg ON seg.sid = ts.sid AND seg.t_from <= ts.last_seen AND seg.t_to >= ts.last_seen;
-- a session keeps the name it was first given
UPDATE tsd SET sname = s.name FROM bzcc.sessions s WHERE s.id = tsd.id;

INSERT INTO bzcc.sessions AS o (id, source, nat_id, guid_hex, name, map_file, map_key, mod_id,
	mods, version, game_type, game_mode, game_mode_name, state, state_since, nat_type, locked,
	has_password, player_count, max_players, first_seen_at, last_seen_at, ended_at, data)
SELECT d.id, d.source, s.nat_id, s.guid, d.sname, d.map_file, d.map_key, d.mod_id, d.mods,
       d.version, d.game_type, d.game_mode, d.game_mode_name, d.st, d.state_since, d.nat_type,
       d.locked, d.has_password, d.pc, d.max_players, to_timestamp(d.start),
       to_timestamp(d.last_seen), CASE WHEN NOT d.live THEN to_timestamp(d.last_seen) END,
       d.data || jsonb_build_object('id', d.id, 'guid', s.guid, 'nat_id', s.nat_id,
                 'name', d.sname, 'state', d.st,
                 'state_label', CASE d.st WHEN 'pre_game' THEN 'Pre-game'
                                WHEN 'in_game' THEN 'In game' ELSE 'Post-game' END,
                 'player_count', d.pc, 'minutes_in_state', d.mins,
                 'time_saturated', d.mins >= 255, 'players', d.players)
  FROM tsd d JOIN bench.s s ON s.sid = d.sid
ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, state_since = EXCLUDED.state_since,
	player_count = EXCLUDED.player_count, last_seen_at = EXCLUDED.last_seen_at,
	ended_at = EXCLUDED.ended_at, data = EXCLUDED.data;

-- Who was in each session (one row per session and player).
INSERT INTO bzcc.session_players AS o (session_id, player_key, name, provider, external_id,
	slot, team, leader, host, kills, deaths, score, first_seen_at, last_seen_at, left_at, player_id)
SELECT ts.id, p.platform_id, p.name, p.provider, p.external_id, a.pos,
       CASE WHEN (t.data->>'teams')::boolean THEN 1 + ((a.pos + 1) % 2)::int ELSE a.pos::int END,
       (t.data->>'teams')::boolean AND a.pos <= 2, a.pos = 1,
       CASE WHEN ts.pre_end <= a.last_seen THEN (ts.sid * 7 + p.pid * 13) % 23 ELSE 0 END,
       CASE WHEN ts.pre_end <= a.last_seen THEN (ts.sid + p.pid) % 17 ELSE 0 END,
       CASE WHEN ts.pre_end <= a.last_seen THEN (ts.sid * 7 + p.pid * 13) % 23 * 10 - (ts.sid + p.pid) % 17 * 4 ELSE 0 END,
       to_timestamp(a.first), to_timestamp(a.last_seen),
       CASE WHEN NOT (a.present AND ts.live) THEN to_timestamp(a.last_seen + 5) END, p.pid
  FROM (SELECT sid, pid, min(pos) AS pos, min(joined) AS first, max(last_seen) AS last_seen,
               bool_or(open) AS present FROM tiv GROUP BY sid, pid) a
  JOIN ts ON ts.sid = a.sid JOIN bench.tpl_session t ON t.tid = ts.tid
  JOIN bench.p p ON p.pid = a.pid
ON CONFLICT (session_id, player_key) DO UPDATE SET kills = EXCLUDED.kills,
	deaths = EXCLUDED.deaths, score = EXCLUDED.score, last_seen_at = EXCLUDED.last_seen_at,
	left_at = EXCLUDED.left_at;

-- Stays.
INSERT INTO bzcc.player_session_events AS o (player_id, session_id, joined_at, last_seen_at,
	left_at, seconds)
SELECT i.pid, ts.id, to_timestamp(i.joined), to_timestamp(i.last_seen),
       CASE WHEN NOT i.open THEN to_timestamp(i.last_seen) END,
       CASE WHEN NOT i.open THEN (i.last_seen - i.joined)::int END
  FROM tiv i JOIN ts ON ts.sid = i.sid
 ORDER BY i.joined
ON CONFLICT (player_id, session_id, joined_at) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at,
	left_at = EXCLUDED.left_at, seconds = EXCLUDED.seconds;

-- Maps and mods seen.
INSERT INTO bzcc.maps AS o (map_key, map_file, mod_id, first_seen_at, last_seen_at)
SELECT d.map_key, min(d.map_file), min(d.mod_id), to_timestamp(min(d.start)), to_timestamp(max(d.last_seen))
  FROM tsd d GROUP BY d.map_key
ON CONFLICT (map_key) DO UPDATE SET last_seen_at = greatest(o.last_seen_at, EXCLUDED.last_seen_at);
INSERT INTO bzcc.mods AS o (mod_id, first_seen_at, last_seen_at)
SELECT m, to_timestamp(min(d.start)), to_timestamp(max(d.last_seen))
  FROM tsd d, unnest(d.mods) m GROUP BY m
ON CONFLICT (mod_id) DO UPDATE SET last_seen_at = greatest(o.last_seen_at, EXCLUDED.last_seen_at);

SELECT (SELECT count(*) FROM ts) AS sessions_touched, (SELECT count(*) FROM tiv) AS stays_touched;
