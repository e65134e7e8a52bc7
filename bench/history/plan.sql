-- bench/history/plan.sql: plan one year of a BZCC lobby in scratch tables
-- (schema bench), from the real shapes in bench.tpl_session / bench.tpl_player
-- (the sessions and accounts that `poll-bzcc --replay` stored from
-- tests/data/bzcc/{lobby,msl-api-v1}; see run.sh). Nothing in bzcc.* is
-- touched here: load.sql turns the plan into the poller's rows up to a cut.
--
-- psql variables (epoch seconds, multiples of 5): t0 (first poll), t2 (last
-- poll of the plan), target (snapshot rows wanted), nplayers, seed (0..1),
-- top (the most popular `top` players are equally popular).
\set ON_ERROR_STOP 1
SET work_mem = '256MB';
SELECT setseed(:seed);

DROP TABLE IF EXISTS bench.p, bench.tpl_pick, bench.cand, bench.s, bench.roster,
	bench.iv, bench.seg CASCADE;

-- Players: the real accounts first, then synthetic ones whose names follow
-- the real names (suffixes, clan tags, case) and whose ids have the real
-- shapes (SteamID64; GOG user id, its Galaxy id = user id + 2^57).
-- Popularity is Zipf (s = 0.8) over a random order, flattened over the
-- first `top` ranks: with 3 000 players per 6.3 M snapshots and top = 10,
-- each of the ten busiest players is in ~0.5 % of the roster slots (about
-- 1 800 stays, 1 500 hours, in a year of a 12-session lobby).
CREATE TABLE bench.p AS
WITH r AS (SELECT row_number() OVER (ORDER BY provider, external_id) AS i, provider,
                  external_id, name FROM bench.tpl_player),
     nr AS (SELECT count(*)::int AS n, array_agg(name ORDER BY i) AS names FROM r),
     g AS (SELECT i, random() AS u1, random() AS u2, random() AS u3, random() AS u4,
                  random() AS u5, random() AS ord FROM generate_series(1, :nplayers) i)
SELECT g.i AS pid,
       coalesce(r.provider, CASE WHEN g.u1 < 0.03 THEN 'gog' ELSE 'steam' END) AS provider,
       coalesce(r.external_id, CASE WHEN g.u1 < 0.03
           THEN (46987000000000000 + g.i::bigint * 100000000 + floor(g.u2 * 100000000)::bigint)::text
           ELSE (76561197960265728 + 1000000 + g.i::bigint * 500000 + floor(g.u2 * 500000)::bigint)::text
       END) AS external_id,
       coalesce(r.name, (SELECT CASE
           WHEN g.u4 < 0.30 THEN b || floor(g.u5 * 100)::int
           WHEN g.u4 < 0.50 THEN b || '_' || floor(g.u5 * 1000)::int
           WHEN g.u4 < 0.65 THEN '[' || (ARRAY['VSR', 'BZ', 'CF', 'AoS', 'ISDF', 'FE', 'Hadean'])
                                       [1 + floor(g.u5 * 7)::int] || '] ' || b
           WHEN g.u4 < 0.75 THEN lower(b) || floor(g.u5 * 10000)::int
           WHEN g.u4 < 0.85 THEN 'xX' || b || 'Xx'
           ELSE b || ' ' || (ARRAY['Jr', 'II', 'TTV', 'IGN', 'YT', 'NZ', 'DE'])[1 + floor(g.u5 * 7)::int]
         END FROM (SELECT nr.names[1 + floor(g.u3 * nr.n)::int] AS b) bb)) AS name,
       row_number() OVER (ORDER BY g.ord) AS rank
  FROM g CROSS JOIN nr LEFT JOIN r ON r.i = g.i;
ALTER TABLE bench.p ADD COLUMN weight float8, ADD COLUMN platform_id text;
UPDATE bench.p SET weight = power(greatest(rank, :top), -0.8),
	platform_id = CASE provider WHEN 'steam' THEN 'S' || external_id
	              ELSE 'G' || (external_id::numeric + 144115188075855872)::text END;
ALTER TABLE bench.p ADD PRIMARY KEY (pid);

-- Template popularity: Zipf (s = 0.9) over a random order of the real sessions.
CREATE TABLE bench.tpl_pick AS
SELECT tid, power(row_number() OVER (ORDER BY random()), -0.9) AS weight FROM bench.tpl_session;

-- Candidate sessions (about 290 snapshot rows each once accepted, so
-- target / 200 leaves a margin): start uniform over the year, accepted with a diurnal
-- (peak 20:00 UTC, trough 08:00) and weekend (x1.3) profile; life
-- log-normal, median 45 min, clamped to 10 min .. 5 h.
CREATE TABLE bench.cand AS
SELECT c, start, dur FROM (
	SELECT c, :t0 + floor(random() * ((:t2 - :t0) / 5))::bigint * 5 AS start, random() AS acc,
	       (greatest(600, least(18000, exp(ln(2700) + 0.8 * sqrt(-2 * ln(1 - random()))
	                                         * cos(2 * pi() * random())))) / 5)::bigint * 5 AS dur
	  FROM generate_series(1, greatest(60000, :target / 200)) c) x
 WHERE acc < (0.2 + power(0.5 + 0.5 * cos(2 * pi() * (((start % 86400) / 3600.0) - 20) / 24), 2))
             * CASE WHEN extract(isodow FROM to_timestamp(start)) >= 6 THEN 1.3 ELSE 1 END / 1.56;

-- Sessions: candidates in random order until their polls add up to the target.
CREATE TABLE bench.s AS
WITH c AS (SELECT c, start, least(start + dur, :t2) AS "end",
                  sum((least(start + dur, :t2) - start) / 5 + 1) OVER (ORDER BY c) AS cum
             FROM bench.cand),
     cw AS (SELECT array_agg(cw ORDER BY tid) AS cum, array_agg(tid ORDER BY tid) AS tids
              FROM (SELECT tid, sum(weight) OVER (ORDER BY tid) / sum(weight) OVER () AS cw
                      FROM bench.tpl_pick) q)
SELECT row_number() OVER (ORDER BY c.start, c.c) AS sid, c.start, c."end",
       cw.tids[least(cardinality(cw.tids), 1 + width_bucket(random() + 0 * c.c, cw.cum))] AS tid,
       random() + 0 * c.c AS u_state, random() + 0 * c.c AS u_post, random() + 0 * c.c AS u_name,
       random() + 0 * c.c AS u_k, random() + 0 * c.c AS u_pre
  FROM c, cw WHERE c.cum - ((c."end" - c.start) / 5 + 1) < :target;
ALTER TABLE bench.s ADD COLUMN id text, ADD COLUMN guid text, ADD COLUMN nat_id text, ADD COLUMN k int,
	ADD COLUMN pre_end bigint, ADD COLUMN post_start bigint;
UPDATE bench.s s SET
	guid = lpad(to_hex(floor(random() * 4294967296)::bigint), 8, '0')
	       || lpad(to_hex(floor(random() * 4294967296)::bigint + 0 * sid), 8, '0'),
	nat_id = (SELECT string_agg(substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@_',
	                                   1 + floor(random() * 64)::int, 1), '')
	            FROM generate_series(1, 9 + (s.sid % 2)::int) WHERE s.sid IS NOT NULL),
	-- players on the roster: around the real session's count, at most its max
	k = greatest(1, least(t.max_players, round(t.player_count * (0.6 + 0.8 * s.u_k))::int
	                                     + (s.u_k > 0.7)::int)),
	-- pre-game 2..15 min (12 % never start), post-game 30..180 s for half
	pre_end = CASE WHEN s.u_state < 0.12 THEN s."end" + 5
	          ELSE least(s."end", s.start + (least(("end" - start) * 0.4, 120 + s.u_pre * 780) / 5)::bigint * 5) END,
	post_start = CASE WHEN s.u_state < 0.12 OR s.u_post < 0.5 THEN s."end" + 5
	             ELSE s."end" - ((30 + s.u_post * 300) / 5)::bigint * 5 END
  FROM bench.tpl_session t WHERE t.tid = s.tid;
UPDATE bench.s SET post_start = "end" + 5 WHERE post_start <= pre_end;
UPDATE bench.s s SET id = t.source || ':' || s.guid FROM bench.tpl_session t WHERE t.tid = s.tid;
ALTER TABLE bench.s ADD PRIMARY KEY (sid);

-- Rosters: k distinct players per session drawn by popularity; position 1
-- is the host.
CREATE TABLE bench.roster AS
WITH cw AS (SELECT array_agg(cw ORDER BY pid) AS cum
              FROM (SELECT pid, sum(weight) OVER (ORDER BY pid) / sum(weight) OVER () AS cw
                      FROM bench.p) q),
     d AS (SELECT s.sid, j, least(:nplayers, 1 + width_bucket(random() + 0 * j, cw.cum)) AS pid
             FROM bench.s s, cw, generate_series(1, s.k + 6) j),
     f AS (SELECT sid, pid, min(j) AS j FROM d GROUP BY sid, pid)
SELECT f.sid, f.pid, row_number() OVER (PARTITION BY f.sid ORDER BY f.j) AS pos
  FROM f;
DELETE FROM bench.roster r USING bench.s s WHERE s.sid = r.sid AND r.pos > s.k;

-- Stays (poll-grid times): the host for the whole life; 70 % of the others
-- join within the first 2 min, the rest later; 25 % leave early, and 15 %
-- of those come back 1..10 min later until the end.
CREATE TABLE bench.iv AS
WITH a AS (
	SELECT r.sid, r.pid, r.pos, s.start, s."end",
	       CASE WHEN r.pos = 1 THEN s.start
	            WHEN random() < 0.7 THEN least(s."end", s.start + floor(random() * 25)::bigint * 5)
	            ELSE s.start + floor(random() * ((s."end" - s.start) * 0.6 / 5))::bigint * 5 END AS j1,
	       random() AS u_leave, random() AS u_when, random() AS u_back, random() AS u_gap
	  FROM bench.roster r JOIN bench.s s ON s.sid = r.sid),
b AS (
	SELECT *, CASE WHEN pos = 1 OR u_leave >= 0.25 THEN "end"
	               ELSE j1 + floor(u_when * (("end" - j1) / 5))::bigint * 5 END AS l1
	  FROM a)
SELECT sid, pid, pos, j1 AS joined, l1 AS last FROM b
UNION ALL
SELECT sid, pid, pos, l1 + 60 + floor(u_gap * 108)::bigint * 5, "end" FROM b
 WHERE l1 < "end" AND u_back < 0.15 AND l1 + 60 + floor(u_gap * 108)::bigint * 5 <= "end";
CREATE INDEX ON bench.iv (sid);

-- Segments: stretches of a session where state and players do not change.
CREATE TABLE bench.seg AS
WITH cp AS (
	SELECT sid, t FROM (
		SELECT sid, start AS t FROM bench.s
		UNION SELECT sid, pre_end FROM bench.s
		UNION SELECT sid, post_start FROM bench.s
		UNION SELECT sid, joined FROM bench.iv
		UNION SELECT sid, last + 5 FROM bench.iv) x),
r AS (SELECT cp.sid, cp.t AS t_from,
             coalesce(lead(cp.t) OVER (PARTITION BY cp.sid ORDER BY cp.t) - 5, s."end") AS t_to
        FROM cp JOIN bench.s s ON s.sid = cp.sid AND cp.t BETWEEN s.start AND s."end")
SELECT r.sid, r.t_from, least(r.t_to, s."end") AS t_to,
       CASE WHEN r.t_from >= s.post_start THEN 'post_game'
            WHEN r.t_from >= s.pre_end THEN 'in_game' ELSE 'pre_game' END AS state,
       CASE WHEN r.t_from >= s.post_start THEN s.post_start
            WHEN r.t_from >= s.pre_end THEN s.pre_end ELSE s.start END AS state_since,
       p.keys, p.pids, coalesce(cardinality(p.keys), 0) AS player_count
  FROM r JOIN bench.s s ON s.sid = r.sid
  CROSS JOIN LATERAL (SELECT array_agg(pl.platform_id ORDER BY i.pos) AS keys,
                             array_agg(i.pid ORDER BY i.pos) AS pids
                        FROM bench.iv i JOIN bench.p pl ON pl.pid = i.pid
                       WHERE i.sid = r.sid AND i.joined <= r.t_from AND i.last >= r.t_from) p;
CREATE INDEX ON bench.seg (sid, t_from);
ANALYZE bench.p, bench.s, bench.iv, bench.seg;

SELECT count(*) AS sessions, sum(("end" - start) / 5 + 1) AS snapshot_rows,
       round(avg("end" - start) / 60) AS mean_minutes,
       round(sum(("end" - start) / 5 + 1) * 5.0 / (:t2 - :t0 + 5), 2) AS mean_concurrent
  FROM bench.s;
SELECT count(*) AS stays, count(DISTINCT pid) AS players_seen FROM bench.iv;
