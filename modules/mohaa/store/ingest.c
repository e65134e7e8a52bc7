/* ingest.c: a batch of stream entries into PostgreSQL (ingest.h).
 *
 * One transaction: (1) record the entries (ON CONFLICT: duplicates are
 * dropped with their events), (2) walk the new events in stream order with
 * the state of every server's open match, every player and every
 * player-in-match loaded from the database, deciding matches and rounds
 * (SQL per decision: they are rare) and accumulating totals in memory,
 * (3) COPY the events, (4) write the totals set-based (one statement per
 * table, the rows as one jsonb parameter), (5) the achievements crossed.
 * The job is the only writer (it holds a lock), so read-modify-write of the
 * totals is safe. */
#include "modules/mohaa/store/ingest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "modules/mohaa/domain/mohaa.h"
#include "modules/mohaa/store/smap.h"
#include "timeutil.h"

/* ---- state ----------------------------------------------------------------- */

struct mstate {           /* a server's open match */
	int64_t server_id;
	int64_t id;           /* 0: none open */
	char *ref, *session, *map, *gametype;
	int64_t started_ms, last_ms, last_hb_ms;
	int round, allies, axis, players;
	const char *winner;
	int kills, events;    /* to add */
	bool dirty, opened_here;
	char *label;          /* the last server_id field sent */
	int64_t seen_ms;
};

struct pstate {           /* a player's totals */
	char *id, *name;
	const char *kind;
	bool exists;
	int64_t first_ms, last_ms, name_ms;
	int64_t kills, deaths, headshots, suicides, teamkills, damage, shots, hits, matches, playtime_s;
	int64_t streak, best_streak, tournaments, tournament_wins, tournament_top3;
	struct mohaa_progress before;
	int64_t last_match;
};

struct pmstate {          /* a player in one match */
	int64_t match_id;
	char *player_id, *name;
	const char *team;
	int64_t kills, deaths, headshots, suicides, teamkills, damage, shots, hits;
	int64_t first_ms, last_ms;
	const char *last_weapon;
};

struct delta {            /* additive totals under two keys */
	char *k1, *k2;
	int64_t v[6];
};

struct heat {
	char *map, *pid;
	char kind;
	int x, y;
	int64_t n;
};

struct row {              /* one accepted event and its derived columns */
	const struct mohaa_entry *entry;
	struct mohaa_event ev;
	int idx;
	size_t off, len;
	int64_t occurred_ms;
	int64_t match_id;
	int round;
	const char *weapon;   /* weapon id (static), NULL */
	bool weapon_inferred;
};

struct batch {
	struct db *db;
	int64_t idle_ms;
	struct smap matches, players, pms, weapons, maps, weeks, heat;
	struct row *rows;
	size_t n_rows, cap_rows;
	struct smap opened;   /* match ids opened in this batch */
};

static void free_mstate(void *p)
{
	struct mstate *m = p;
	if (!m)
		return;
	free(m->ref);
	free(m->session);
	free(m->map);
	free(m->gametype);
	free(m->label);
	free(m);
}

static void free_pstate(void *p)
{
	struct pstate *s = p;
	if (!s)
		return;
	free(s->id);
	free(s->name);
	free(s);
}

static void free_pmstate(void *p)
{
	struct pmstate *s = p;
	if (!s)
		return;
	free(s->player_id);
	free(s->name);
	free(s);
}

static void free_delta(void *p)
{
	struct delta *d = p;
	if (!d)
		return;
	free(d->k1);
	free(d->k2);
	free(d);
}

static void free_heat(void *p)
{
	struct heat *h = p;
	if (!h)
		return;
	free(h->map);
	free(h->pid);
	free(h);
}

static void *xcalloc(size_t n)
{
	void *p = calloc(1, n);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

static int64_t ms_of(const char *epoch_text)
{
	return epoch_text && *epoch_text ? llround(strtod(epoch_text, NULL) * 1000.0) : 0;
}

static const char *i64(char *b, size_t n, int64_t v)
{
	snprintf(b, n, "%lld", (long long)v);
	return b;
}

/* "2024-01-15 10:20:30.123+00" */
static void ts_text(struct buf *out, int64_t ms)
{
	time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)s * 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	buf_addf(out, "%04d-%02d-%02d %02d:%02d:%02d.%03d+00", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static void lower(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* ---- matches ----------------------------------------------------------------- */

static struct mstate *server_state(struct batch *b, int64_t server_id)
{
	char key[24], p1[24];
	const char *params[1];
	struct mstate **slot, *m;
	bool created;
	PGresult *res;

	slot = (struct mstate **)smap_slot(&b->matches, i64(key, sizeof key, server_id), &created);
	if (!created)
		return *slot;
	m = xcalloc(sizeof *m);
	*slot = m;
	m->server_id = server_id;
	m->allies = m->axis = m->players = -1;
	params[0] = i64(p1, sizeof p1, server_id);
	res = db_exec(b->db,
		"SELECT id, match_ref, session_ref, map_name, gametype,"
		" extract(epoch FROM started_at), extract(epoch FROM last_event_at),"
		" extract(epoch FROM last_heartbeat_at), round, allies_score, axis_score,"
		" player_count, winning_team"
		" FROM mohaa.matches WHERE server_id = $1 AND ended_at IS NULL"
		" ORDER BY id DESC LIMIT 1", 1, params);
	if (!res)
		return NULL;
	if (PQntuples(res) == 1) {
		m->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		m->ref = xstrdup(PQgetvalue(res, 0, 1));
		m->session = xstrdup(PQgetvalue(res, 0, 2));
		m->map = PQgetisnull(res, 0, 3) ? NULL : xstrdup(PQgetvalue(res, 0, 3));
		m->gametype = PQgetisnull(res, 0, 4) ? NULL : xstrdup(PQgetvalue(res, 0, 4));
		m->started_ms = ms_of(PQgetvalue(res, 0, 5));
		m->last_ms = ms_of(PQgetvalue(res, 0, 6));
		m->last_hb_ms = ms_of(PQgetvalue(res, 0, 7));
		m->round = atoi(PQgetvalue(res, 0, 8));
		m->allies = PQgetisnull(res, 0, 9) ? -1 : atoi(PQgetvalue(res, 0, 9));
		m->axis = PQgetisnull(res, 0, 10) ? -1 : atoi(PQgetvalue(res, 0, 10));
		m->players = PQgetisnull(res, 0, 11) ? -1 : atoi(PQgetvalue(res, 0, 11));
		m->winner = PQgetisnull(res, 0, 12) ? NULL
			    : !strcmp(PQgetvalue(res, 0, 12), "allies") ? "allies"
			    : !strcmp(PQgetvalue(res, 0, 12), "axis") ? "axis" : "draw";
	}
	PQclear(res);
	return m;
}

static const char *opt_int(char *b, size_t n, int v)
{
	if (v < 0)
		return NULL;
	snprintf(b, n, "%d", v);
	return b;
}

/* Write the open match's state. */
static int match_flush(struct batch *b, struct mstate *m)
{
	char id[24], round[16], al[16], ax[16], pc[16], k[16], e[16];
	struct buf lastt = BUF_INIT, hbt = BUF_INIT;
	const char *params[12];
	int rc;
	if (!m->id || !m->dirty)
		return 0;
	ts_text(&lastt, m->last_ms);
	if (m->last_hb_ms)
		ts_text(&hbt, m->last_hb_ms);
	snprintf(k, sizeof k, "%d", m->kills);
	snprintf(e, sizeof e, "%d", m->events);
	params[0] = i64(id, sizeof id, m->id);
	params[1] = m->map;
	params[2] = m->gametype;
	params[3] = lastt.data;
	params[4] = m->last_hb_ms ? hbt.data : NULL;
	params[5] = i64(round, sizeof round, m->round);
	params[6] = opt_int(al, sizeof al, m->allies);
	params[7] = opt_int(ax, sizeof ax, m->axis);
	params[8] = opt_int(pc, sizeof pc, m->players);
	params[9] = m->winner;
	params[10] = k;
	params[11] = e;
	rc = db_run(b->db,
		"UPDATE mohaa.matches SET map_name = coalesce($2, map_name),"
		" gametype = coalesce($3, gametype), last_event_at = greatest(last_event_at, $4::timestamptz),"
		" last_heartbeat_at = coalesce($5::timestamptz, last_heartbeat_at), round = $6::int,"
		" allies_score = $7::int, axis_score = $8::int, player_count = $9::int,"
		" winning_team = $10, kills = kills + $11::int, events = events + $12::int"
		" WHERE id = $1::bigint", 12, params);
	buf_release(&lastt);
	buf_release(&hbt);
	m->kills = m->events = 0;
	m->dirty = false;
	return rc;
}

static int match_close(struct batch *b, struct mstate *m, const char *reason)
{
	char id[24];
	struct buf t = BUF_INIT;
	const char *params[3];
	int rc;
	if (!m->id)
		return 0;
	m->dirty = true;
	if (match_flush(b, m) < 0)
		return -1;
	ts_text(&t, m->last_ms);
	params[0] = i64(id, sizeof id, m->id);
	params[1] = t.data;
	params[2] = reason;
	rc = db_run(b->db, "UPDATE mohaa.matches SET ended_at = $2::timestamptz, end_reason = $3"
			   " WHERE id = $1::bigint", 3, params);
	if (!rc)
		rc = db_run(b->db, "UPDATE mohaa.rounds SET ended_at = $2::timestamptz"
				   " WHERE match_id = $1::bigint AND ended_at IS NULL", 2, params);
	buf_release(&t);
	m->id = 0;
	return rc;
}

static int match_open(struct batch *b, struct mstate *m, const struct mohaa_event *ev,
		      int64_t at_ms)
{
	char sid[24], inferred[2];
	struct buf t = BUF_INIT;
	const char *params[7];
	PGresult *res;
	char *map = ev->map_name ? xstrdup(ev->map_name) : NULL;
	lower(map);
	ts_text(&t, at_ms);
	params[0] = i64(sid, sizeof sid, m->server_id);
	params[1] = ev->match_ref;
	params[2] = ev->session_ref;
	params[3] = map;
	params[4] = ev->gametype;
	params[5] = t.data;
	inferred[0] = ev->type == MOHAA_EV_MATCH_START ? 'f' : 't';
	inferred[1] = '\0';
	params[6] = inferred;
	res = db_exec(b->db,
		"INSERT INTO mohaa.matches (server_id, match_ref, session_ref, map_name, gametype,"
		" started_at, start_inferred, last_event_at)"
		" VALUES ($1::bigint, $2, $3, $4, $5, $6::timestamptz, $7::boolean, $6::timestamptz)"
		" RETURNING id", 7, params);
	buf_release(&t);
	if (!res) {
		free(map);
		return -1;
	}
	m->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	set_str(&m->ref, ev->match_ref);
	set_str(&m->session, ev->session_ref);
	free(m->map);
	m->map = map;
	set_str(&m->gametype, ev->gametype);
	m->started_ms = m->last_ms = at_ms;
	m->last_hb_ms = 0;
	m->round = 0;
	m->allies = m->axis = m->players = -1;
	m->winner = NULL;
	m->kills = m->events = 0;
	m->opened_here = true;
	{
		char key[24];
		*smap_slot(&b->opened, i64(key, sizeof key, m->id), NULL) = (void *)1;
	}
	return 0;
}

static int round_advance(struct batch *b, struct mstate *m, int to, int64_t at_ms)
{
	char id[24], r[16], prev[16];
	struct buf t = BUF_INIT;
	const char *params[4];
	int rc;
	if (to <= m->round)
		to = m->round + 1;
	ts_text(&t, at_ms);
	params[0] = i64(id, sizeof id, m->id);
	params[1] = t.data;
	params[2] = i64(r, sizeof r, to);
	params[3] = i64(prev, sizeof prev, m->round);
	{
		const char *up[3] = { params[0], params[1], params[3] };
		rc = db_run(b->db, "UPDATE mohaa.rounds SET ended_at = $2::timestamptz"
				   " WHERE match_id = $1::bigint AND round = $3::int AND ended_at IS NULL",
			    3, up);
	}
	if (!rc)
		rc = db_run(b->db, "INSERT INTO mohaa.rounds (match_id, round, started_at)"
				   " VALUES ($1::bigint, $3::int, $2::timestamptz) ON CONFLICT DO NOTHING",
			    3, params);
	buf_release(&t);
	m->round = to;
	m->dirty = true;
	return rc;
}

static int round_end(struct batch *b, struct mstate *m, const struct mohaa_event *ev, int64_t at_ms)
{
	char id[24], r[16];
	struct buf t = BUF_INIT;
	const char *params[4];
	int rc;
	ts_text(&t, at_ms);
	params[0] = i64(id, sizeof id, m->id);
	params[1] = t.data;
	params[2] = i64(r, sizeof r, ev->round_number > 0 ? ev->round_number : m->round);
	params[3] = ev->winning_team;
	rc = db_run(b->db, "INSERT INTO mohaa.rounds (match_id, round, started_at, ended_at, winning_team)"
			   " VALUES ($1::bigint, $3::int, $2::timestamptz, $2::timestamptz, $4)"
			   " ON CONFLICT (match_id, round) DO UPDATE SET ended_at = excluded.ended_at,"
			   " winning_team = coalesce(excluded.winning_team, mohaa.rounds.winning_team)",
		    4, params);
	buf_release(&t);
	return rc;
}

/* ---- players ------------------------------------------------------------------- */

static void pg_array_add(struct buf *a, const char *s)
{
	buf_addch(a, a->len ? ',' : '{');
	buf_addch(a, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_addch(a, '\\');
		buf_addch(a, *s);
	}
	buf_addch(a, '"');
}

/* Load every player the rows name, in one query. */
static int players_load(struct batch *b)
{
	struct buf arr = BUF_INIT;
	const char *params[1];
	PGresult *res;
	size_t i;
	int r;
	for (i = 0; i < b->n_rows; i++) {
		const struct mohaa_who *w[2] = { &b->rows[i].ev.actor, &b->rows[i].ev.target };
		for (int k = 0; k < 2; k++) {
			bool created;
			struct pstate **slot;
			if (!*w[k]->id)
				continue;
			slot = (struct pstate **)smap_slot(&b->players, w[k]->id, &created);
			if (!created)
				continue;
			*slot = xcalloc(sizeof **slot);
			(*slot)->id = xstrdup(w[k]->id);
			(*slot)->kind = w[k]->kind == MOHAA_ID_SMF ? "smf"
					: w[k]->kind == MOHAA_ID_GUID ? "guid" : "name";
			pg_array_add(&arr, w[k]->id);
		}
	}
	if (!arr.len) {
		buf_release(&arr);
		return 0;
	}
	buf_addch(&arr, '}');
	params[0] = arr.data;
	res = db_exec(b->db,
		"SELECT id, name, extract(epoch FROM first_seen_at), extract(epoch FROM last_seen_at),"
		" kills, deaths, headshots, suicides, teamkills, damage, shots, hits, matches,"
		" playtime_s, streak, best_streak, tournaments, tournament_wins, tournament_top3"
		" FROM mohaa.players WHERE id = ANY($1::text[])", 1, params);
	buf_release(&arr);
	if (!res)
		return -1;
	for (r = 0; r < PQntuples(res); r++) {
		struct pstate *p = smap_get(&b->players, PQgetvalue(res, r, 0));
		int c = 1;
		if (!p)
			continue;
		p->exists = true;
		p->name = xstrdup(PQgetvalue(res, r, c++));
		p->first_ms = ms_of(PQgetvalue(res, r, c++));
		p->name_ms = p->last_ms = ms_of(PQgetvalue(res, r, c++));
#define NEXT strtoll(PQgetvalue(res, r, c++), NULL, 10)
		p->kills = NEXT;
		p->deaths = NEXT;
		p->headshots = NEXT;
		p->suicides = NEXT;
		p->teamkills = NEXT;
		p->damage = NEXT;
		p->shots = NEXT;
		p->hits = NEXT;
		p->matches = NEXT;
		p->playtime_s = NEXT;
		p->streak = NEXT;
		p->best_streak = NEXT;
		p->tournaments = NEXT;
		p->tournament_wins = NEXT;
		p->tournament_top3 = NEXT;
#undef NEXT
	}
	PQclear(res);
	return 0;
}

static void progress_of(const struct pstate *p, struct mohaa_progress *out)
{
	out->kills = p->kills;
	out->headshots = p->headshots;
	out->best_streak = p->best_streak;
	out->matches = p->matches;
	out->playtime_s = p->playtime_s;
	out->tournaments = p->tournaments;
	out->tournament_wins = p->tournament_wins;
	out->tournament_top3 = p->tournament_top3;
}

static struct pmstate *pm_state(struct batch *b, int64_t match_id, const struct mohaa_who *w,
				struct pstate *p, int64_t at_ms, int *err)
{
	char key[MOHAA_ID_MAX + 32], mid[24];
	const char *params[2];
	struct pmstate **slot, *s;
	bool created;
	PGresult *res;

	snprintf(key, sizeof key, "%lld\x1f%s", (long long)match_id, w->id);
	slot = (struct pmstate **)smap_slot(&b->pms, key, &created);
	if (!created)
		return *slot;
	s = xcalloc(sizeof *s);
	*slot = s;
	s->match_id = match_id;
	s->player_id = xstrdup(w->id);
	s->first_ms = s->last_ms = at_ms;
	if (!smap_get(&b->opened, i64(mid, sizeof mid, match_id))) {
		params[0] = mid;
		params[1] = w->id;
		res = db_exec(b->db,
			"SELECT name, team, kills, deaths, headshots, suicides, teamkills, damage, shots,"
			" hits, extract(epoch FROM first_at), extract(epoch FROM last_at), last_weapon"
			" FROM mohaa.player_matches WHERE match_id = $1::bigint AND player_id = $2",
			2, params);
		if (!res) {
			*err = -1;
			return s;
		}
		if (PQntuples(res) == 1) {
			int c = 0;
			const struct mohaa_weapon *lw;
			s->name = xstrdup(PQgetvalue(res, 0, c++));
			s->team = PQgetisnull(res, 0, 1) ? NULL
				  : !strcmp(PQgetvalue(res, 0, 1), "allies") ? "allies"
				  : !strcmp(PQgetvalue(res, 0, 1), "axis") ? "axis"
				  : !strcmp(PQgetvalue(res, 0, 1), "spectator") ? "spectator" : "freeforall";
			c++;
#define NEXT strtoll(PQgetvalue(res, 0, c++), NULL, 10)
			s->kills = NEXT;
			s->deaths = NEXT;
			s->headshots = NEXT;
			s->suicides = NEXT;
			s->teamkills = NEXT;
			s->damage = NEXT;
			s->shots = NEXT;
			s->hits = NEXT;
#undef NEXT
			s->first_ms = ms_of(PQgetvalue(res, 0, c++));
			s->last_ms = ms_of(PQgetvalue(res, 0, c++));
			lw = PQgetisnull(res, 0, c) ? NULL : mohaa_weapon_lookup(PQgetvalue(res, 0, c));
			s->last_weapon = lw ? lw->id : NULL;
			PQclear(res);
			return s;
		}
		PQclear(res);
	}
	p->matches++; /* a new player in this match */
	return s;
}

/* The player `w` took part in the event at at_ms: names, times, play time. */
static struct pstate *touch(struct batch *b, const struct mohaa_who *w, int64_t match_id,
			    int64_t at_ms, struct pmstate **pm, int *err)
{
	struct pstate *p;
	*pm = NULL;
	if (!*w->id)
		return NULL;
	p = smap_get(&b->players, w->id);
	if (!p)
		return NULL;
	if (w->name && *w->name && (at_ms >= p->name_ms || !p->name)) {
		set_str(&p->name, w->name);
		p->name_ms = at_ms;
	}
	if (!p->name)
		p->name = xstrdup(w->id);
	if (!p->first_ms || at_ms < p->first_ms)
		p->first_ms = at_ms;
	if (at_ms > p->last_ms)
		p->last_ms = at_ms;
	if (match_id) {
		struct pmstate *s = pm_state(b, match_id, w, p, at_ms, err);
		if (at_ms > s->last_ms) {
			/* whole seconds telescope: a match adds floor(last) - floor(first) */
			p->playtime_s += at_ms / 1000 - s->last_ms / 1000;
			s->last_ms = at_ms;
		}
		if (at_ms < s->first_ms) {
			p->playtime_s += s->first_ms / 1000 - at_ms / 1000;
			s->first_ms = at_ms;
		}
		if (w->name && *w->name)
			set_str(&s->name, w->name);
		if (!s->name)
			s->name = xstrdup(p->name);
		if (w->team)
			s->team = w->team;
		p->last_match = match_id;
		*pm = s;
	}
	return p;
}

static struct delta *delta(struct smap *m, const char *k1, const char *k2)
{
	struct buf key = BUF_INIT;
	struct delta **slot;
	bool created;
	buf_addf(&key, "%s\x1f%s", k1, k2);
	slot = (struct delta **)smap_slot(m, key.data, &created);
	buf_release(&key);
	if (created) {
		*slot = xcalloc(sizeof **slot);
		(*slot)->k1 = xstrdup(k1);
		(*slot)->k2 = xstrdup(k2);
	}
	return *slot;
}

static void heat_add(struct batch *b, const char *map, const char *pid, char kind,
		     const struct mohaa_who *w)
{
	struct buf key = BUF_INIT;
	struct heat **slot;
	bool created;
	int x, y;
	if (!map || !w->has_pos)
		return;
	x = mohaa_heat_cell(w->x);
	y = mohaa_heat_cell(w->y);
	buf_addf(&key, "%s\x1f%s\x1f%c\x1f%d\x1f%d", map, pid, kind, x, y);
	slot = (struct heat **)smap_slot(&b->heat, key.data, &created);
	buf_release(&key);
	if (created) {
		*slot = xcalloc(sizeof **slot);
		(*slot)->map = xstrdup(map);
		(*slot)->pid = xstrdup(pid);
		(*slot)->kind = kind;
		(*slot)->x = x;
		(*slot)->y = y;
	}
	(*slot)->n++;
}

enum { W_KILLS, W_HEADSHOTS, W_DEATHS, W_SHOTS, W_HITS, W_DAMAGE };

/* Apply one row to the state. Returns 0 or -1 (database). */
static int apply(struct batch *b, struct row *r)
{
	struct mohaa_event *ev = &r->ev;
	struct mstate *m = server_state(b, r->entry->server_id);
	struct pstate *a, *t;
	struct pmstate *apm, *tpm;
	struct mohaa_match_state ms;
	const char *map = NULL;
	char week[16];
	unsigned d;
	int err = 0;

	if (!m)
		return -1;
	{
		const char *label = json_object_get_string(json_object_object_get(ev->extra, "server_id"));
		if (label && *label)
			set_str(&m->label, label);
		if (r->entry->received_ms > m->seen_ms)
			m->seen_ms = r->entry->received_ms;
	}
	ms.ref = m->ref;
	ms.map_name = m->map;
	ms.last_ms = m->last_ms;
	ms.round = m->round;
	d = mohaa_match_decide(m->id ? &ms : NULL, ev, r->occurred_ms, b->idle_ms);
	if (d & MOHAA_MATCH_OPEN_NEW) {
		const char *why = ev->type == MOHAA_EV_MATCH_START ? "match_start"
				  : r->occurred_ms - m->last_ms > b->idle_ms ? "idle"
				  : ev->map_name && m->map && strcasecmp(ev->map_name, m->map) ? "map"
				  : "match_id";
		if (m->id && match_close(b, m, why) < 0)
			return -1;
		if (match_open(b, m, ev, r->occurred_ms) < 0)
			return -1;
	}
	if (d & MOHAA_MATCH_ATTACH) {
		r->match_id = m->id;
		if (r->occurred_ms > m->last_ms)
			m->last_ms = r->occurred_ms;
		m->events++;
		m->dirty = true;
		if (!m->map && ev->map_name) {
			m->map = xstrdup(ev->map_name);
			lower(m->map);
		}
		if (!m->gametype && ev->gametype)
			m->gametype = xstrdup(ev->gametype);
		if ((d & MOHAA_MATCH_NEW_ROUND) &&
		    round_advance(b, m, ev->round_number, r->occurred_ms) < 0)
			return -1;
		if (ev->type == MOHAA_EV_ROUND_END && round_end(b, m, ev, r->occurred_ms) < 0)
			return -1;
		if (ev->type == MOHAA_EV_HEARTBEAT) {
			m->last_hb_ms = r->occurred_ms;
			if (ev->player_count >= 0)
				m->players = ev->player_count;
		}
		if (ev->allies_score >= 0)
			m->allies = ev->allies_score;
		if (ev->axis_score >= 0)
			m->axis = ev->axis_score;
		if (ev->winning_team)
			m->winner = ev->winning_team;
		r->round = m->round ? m->round : -1;
		map = m->map;
	}

	a = touch(b, &ev->actor, r->match_id, r->occurred_ms, &apm, &err);
	if (ev->target.id[0] && strcmp(ev->target.id, ev->actor.id)) {
		t = touch(b, &ev->target, r->match_id, r->occurred_ms, &tpm, &err);
	} else if (ev->target.id[0]) { /* the same player (a suicide) */
		t = a;
		tpm = apm;
	} else {
		t = NULL;
		tpm = NULL;
	}
	if (err)
		return -1;

	/* the weapon of a kill reported by its means of death only */
	r->weapon = ev->weapon ? ev->weapon->id : NULL;
	if (!r->weapon && apm && apm->last_weapon &&
	    (ev->type == MOHAA_EV_KILL || ev->type == MOHAA_EV_DAMAGE) &&
	    mohaa_weapon_fits_mod(mohaa_weapon_lookup(apm->last_weapon), ev->mod)) {
		r->weapon = apm->last_weapon;
		r->weapon_inferred = true;
	}
	mohaa_week_start(r->occurred_ms, week);

	switch (ev->type) {
	case MOHAA_EV_KILL:
		if (m && r->match_id)
			m->kills++;
		if (ev->flags & MOHAA_F_SUICIDE) {
			if (a) {
				a->suicides++;
				a->deaths++;
				a->streak = 0;
			}
			if (apm) {
				apm->suicides++;
				apm->deaths++;
			}
		} else {
			if (a && (ev->flags & MOHAA_F_TEAMKILL)) {
				a->teamkills++;
				if (apm)
					apm->teamkills++;
			} else if (a) {
				bool hs = ev->flags & MOHAA_F_HEADSHOT;
				a->kills++;
				a->headshots += hs;
				if (++a->streak > a->best_streak)
					a->best_streak = a->streak;
				if (apm) {
					apm->kills++;
					apm->headshots += hs;
				}
				if (r->weapon) {
					struct delta *w = delta(&b->weapons, a->id, r->weapon);
					w->v[W_KILLS]++;
					w->v[W_HEADSHOTS] += hs;
				}
				if (map) {
					struct delta *mp = delta(&b->maps, a->id, map);
					mp->v[0]++;
					mp->v[2] += hs;
				}
				{
					struct delta *wk = delta(&b->weeks, week, a->id);
					wk->v[0]++;
					wk->v[2] += hs;
				}
				heat_add(b, map, a->id, 'k', &ev->actor);
			}
			if (t && t != a) {
				t->deaths++;
				t->streak = 0;
				if (tpm && tpm != apm)
					tpm->deaths++;
				if (r->weapon)
					delta(&b->weapons, t->id, r->weapon)->v[W_DEATHS]++;
				if (map)
					delta(&b->maps, t->id, map)->v[1]++;
				delta(&b->weeks, week, t->id)->v[1]++;
				heat_add(b, map, t->id, 'd', &ev->target);
			}
		}
		break;
	case MOHAA_EV_DAMAGE:
		if (a && !(ev->flags & MOHAA_F_SUICIDE) && ev->damage > 0) {
			a->damage += ev->damage;
			if (apm)
				apm->damage += ev->damage;
			if (r->weapon)
				delta(&b->weapons, a->id, r->weapon)->v[W_DAMAGE] += ev->damage;
		}
		break;
	case MOHAA_EV_WEAPON_FIRE:
		if (a) {
			a->shots++;
			if (apm)
				apm->shots++;
			if (r->weapon)
				delta(&b->weapons, a->id, r->weapon)->v[W_SHOTS]++;
		}
		break;
	case MOHAA_EV_WEAPON_HIT:
		if (a) {
			a->hits++;
			if (apm)
				apm->hits++;
			if (r->weapon)
				delta(&b->weapons, a->id, r->weapon)->v[W_HITS]++;
		}
		break;
	default:
		break;
	}
	if (apm && ev->weapon &&
	    (ev->type == MOHAA_EV_WEAPON_FIRE || ev->type == MOHAA_EV_WEAPON_CHANGE ||
	     ev->type == MOHAA_EV_RELOAD || ev->type == MOHAA_EV_RELOAD_DONE ||
	     ev->type == MOHAA_EV_GRENADE_THROW))
		apm->last_weapon = ev->weapon->id;
	if ((d & MOHAA_MATCH_CLOSE) && match_close(b, m, "match_end") < 0)
		return -1;
	return 0;
}

/* ---- COPY ---------------------------------------------------------------------------- */

static void copy_text(struct buf *o, const char *s)
{
	if (!s) {
		buf_addstr(o, "\\N");
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '\\': buf_addstr(o, "\\\\"); break;
		case '\n': buf_addstr(o, "\\n"); break;
		case '\r': buf_addstr(o, "\\r"); break;
		case '\t': buf_addstr(o, "\\t"); break;
		default: buf_addch(o, *s);
		}
	}
}

/* A double as "%.9g" writes it. Coordinates and angles come with at most
 * two decimals: those (|v| < 1e7, so at most 9 significant digits) are
 * written from their integer count of hundredths, which gives the same
 * text without the cost of printf's floating-point path. */
static void copy_real(struct buf *o, bool has, double v)
{
	long long k;
	if (!has || !isfinite(v)) {
		buf_addstr(o, "\\N");
		return;
	}
	/* k / 100.0 == v exactly: the decimal k/100 is the text that reads back as v */
	if (fabs(v) < 1e7 && !(v == 0 && signbit(v)) && (double)(k = llround(v * 100.0)) / 100.0 == v) {
		char tmp[32], *p = tmp + sizeof tmp;
		unsigned long long u = (unsigned long long)(k < 0 ? -k : k);
		int frac = (int)(u % 100);
		*--p = '\0';
		if (frac) {
			if (frac % 10) {
				*--p = (char)('0' + frac % 10);
				*--p = (char)('0' + frac / 10);
			} else {
				*--p = (char)('0' + frac / 10);
			}
			*--p = '.';
		}
		u /= 100;
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (k < 0)
			*--p = '-';
		buf_addstr(o, p);
		return;
	}
	buf_addf(o, "%.9g", v);
}

static void copy_row(struct buf *o, const struct row *r)
{
	const struct mohaa_event *ev = &r->ev;
	static const char hexd[] = "0123456789abcdef";
	size_t i;
	copy_text(o, r->entry->id);
	buf_addf(o, "\t%d\t", r->idx);
	ts_text(o, r->entry->received_ms);
	buf_addch(o, '\t');
	ts_text(o, r->occurred_ms);
	buf_addch(o, '\t');
	copy_real(o, ev->game_time_valid, ev->game_time);
	buf_addf(o, "\t%lld\t", (long long)r->entry->server_id);
	if (r->match_id)
		buf_addf(o, "%lld", (long long)r->match_id);
	else
		buf_addstr(o, "\\N");
	buf_addch(o, '\t');
	if (r->round > 0)
		buf_addf(o, "%d", r->round);
	else
		buf_addstr(o, "\\N");
	buf_addch(o, '\t');
	copy_text(o, mohaa_type_name(ev->type));
	buf_addch(o, '\t');
	copy_text(o, ev->type_sent);
	buf_addch(o, '\t');
	copy_text(o, ev->actor.kind == MOHAA_ID_WORLD ? "world" : *ev->actor.id ? ev->actor.id : NULL);
	buf_addch(o, '\t');
	copy_text(o, ev->actor.name);
	buf_addch(o, '\t');
	copy_text(o, ev->actor.team);
	buf_addch(o, '\t');
	copy_real(o, ev->actor.has_pos, ev->actor.x);
	buf_addch(o, '\t');
	copy_real(o, ev->actor.has_pos, ev->actor.y);
	buf_addch(o, '\t');
	copy_real(o, ev->actor.has_pos, ev->actor.z);
	buf_addch(o, '\t');
	copy_real(o, ev->actor.has_angles, ev->actor.pitch);
	buf_addch(o, '\t');
	copy_real(o, ev->actor.has_angles, ev->actor.yaw);
	buf_addch(o, '\t');
	copy_text(o, *ev->target.id ? ev->target.id : NULL);
	buf_addch(o, '\t');
	copy_text(o, ev->target.name);
	buf_addch(o, '\t');
	copy_text(o, ev->target.team);
	buf_addch(o, '\t');
	copy_real(o, ev->target.has_pos, ev->target.x);
	buf_addch(o, '\t');
	copy_real(o, ev->target.has_pos, ev->target.y);
	buf_addch(o, '\t');
	copy_real(o, ev->target.has_pos, ev->target.z);
	buf_addch(o, '\t');
	copy_text(o, r->weapon);
	buf_addstr(o, r->weapon_inferred ? "\tt\t" : "\tf\t");
	copy_text(o, ev->mod ? ev->mod->name : NULL);
	buf_addch(o, '\t');
	copy_text(o, mohaa_hitloc_name(ev->hitloc));
	buf_addf(o, "\t%u\t", ev->flags);
	if (ev->type == MOHAA_EV_DAMAGE || ev->damage)
		buf_addf(o, "%d", ev->damage);
	else
		buf_addstr(o, "\\N");
	buf_addch(o, '\t');
	copy_text(o, json_object_object_length(ev->extra)
			     ? json_object_to_json_string_ext(ev->extra, JSON_C_TO_STRING_PLAIN)
			     : NULL);
	buf_addstr(o, "\t\\\\x");
	{
		/* the raw bytes as bytea hex, written in place */
		const unsigned char *in = (const unsigned char *)r->entry->body + r->off;
		char *out;
		buf_grow(o, 2 * r->len + 2);
		out = o->data + o->len;
		for (i = 0; i < r->len; i++) {
			*out++ = hexd[in[i] >> 4];
			*out++ = hexd[in[i] & 15];
		}
		o->len += 2 * r->len;
		o->data[o->len] = '\0';
	}
	buf_addch(o, '\n');
}

/* The rows are formatted and sent in chunks of COPY_CHUNK bytes, so that
 * PostgreSQL parses one chunk while the next is formatted. */
#define COPY_CHUNK (256 * 1024)

static int copy_events(struct batch *b)
{
	struct buf data = BUF_INIT;
	PGresult *res;
	size_t i;
	int ok;
	if (!b->n_rows)
		return 0;
	if (db_ensure(b->db) < 0)
		return -1;
	res = PQexec(b->db->conn,
		"COPY mohaa.events (stream_id, idx, received_at, occurred_at, game_time, server_id,"
		" match_id, round, type, type_sent, actor_id, actor_name, actor_team, actor_x, actor_y,"
		" actor_z, actor_pitch, actor_yaw, target_id, target_name, target_team, target_x,"
		" target_y, target_z, weapon, weapon_inferred, mod, hitloc, flags, damage, extra, raw)"
		" FROM STDIN");
	ok = PQresultStatus(res) == PGRES_COPY_IN;
	if (!ok)
		log_error("COPY mohaa.events failed to start: %s", PQresultErrorMessage(res));
	PQclear(res);
	for (i = 0; ok && i < b->n_rows; i++) {
		copy_row(&data, &b->rows[i]);
		if (data.len >= COPY_CHUNK || i + 1 == b->n_rows) {
			ok = PQputCopyData(b->db->conn, data.data, (int)data.len) == 1;
			buf_reset(&data);
		}
	}
	if (ok)
		ok = PQputCopyEnd(b->db->conn, NULL) == 1;
	while ((res = PQgetResult(b->db->conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_error("COPY mohaa.events failed: %s", PQresultErrorMessage(res));
			ok = 0;
		}
		PQclear(res);
	}
	buf_release(&data);
	return ok ? 0 : -1;
}

/* ---- set-based writes ------------------------------------------------------------------ */

static void jadd_i(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void jadd_s(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static PGresult *run_json(struct db *db, const char *sql, struct json_object *arr)
{
	const char *params[1] = { json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN) };
	return db_exec(db, sql, 1, params);
}

static int write_players(struct batch *b, struct mohaa_lb_changes *lb)
{
	struct json_object *arr = json_object_new_array();
	PGresult *res;
	size_t i;
	for (i = 0; i < b->players.cap; i++) {
		struct pstate *p = b->players.e[i].key ? b->players.e[i].val : NULL;
		struct json_object *o, *l;
		if (!p || !p->last_ms)
			continue;
		o = json_object_new_object();
		jadd_s(o, "id", p->id);
		jadd_s(o, "kind", p->kind);
		jadd_s(o, "name", p->name ? p->name : p->id);
		jadd_i(o, "first_ms", p->first_ms);
		jadd_i(o, "last_ms", p->last_ms);
		jadd_i(o, "kills", p->kills);
		jadd_i(o, "deaths", p->deaths);
		jadd_i(o, "headshots", p->headshots);
		jadd_i(o, "suicides", p->suicides);
		jadd_i(o, "teamkills", p->teamkills);
		jadd_i(o, "damage", p->damage);
		jadd_i(o, "shots", p->shots);
		jadd_i(o, "hits", p->hits);
		jadd_i(o, "matches", p->matches);
		jadd_i(o, "playtime_s", p->playtime_s);
		jadd_i(o, "streak", p->streak);
		jadd_i(o, "best_streak", p->best_streak);
		json_object_array_add(arr, o);
		l = json_object_new_object();
		jadd_s(l, "id", p->id);
		jadd_s(l, "name", p->name ? p->name : p->id);
		jadd_i(l, "kills", p->kills);
		jadd_i(l, "deaths", p->deaths);
		jadd_i(l, "headshots", p->headshots);
		jadd_i(l, "damage", p->damage);
		jadd_i(l, "matches", p->matches);
		jadd_i(l, "suicides", p->suicides);
		jadd_i(l, "teamkills", p->teamkills);
		jadd_i(l, "best_streak", p->best_streak);
		jadd_i(l, "shots", p->shots);
		jadd_i(l, "hits", p->hits);
		json_object_array_add(lb->players, l);
	}
	if (!json_object_array_length(arr)) {
		json_object_put(arr);
		return 0;
	}
	res = run_json(b->db,
		"INSERT INTO mohaa.players AS p (id, kind, name, first_seen_at, last_seen_at, kills,"
		" deaths, headshots, suicides, teamkills, damage, shots, hits, matches, playtime_s,"
		" streak, best_streak)"
		" SELECT id, kind, name, to_timestamp(first_ms / 1000.0), to_timestamp(last_ms / 1000.0),"
		" kills, deaths, headshots, suicides, teamkills, damage, shots, hits, matches, playtime_s,"
		" streak, best_streak"
		" FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, name text, first_ms bigint,"
		" last_ms bigint, kills bigint, deaths bigint, headshots bigint, suicides bigint,"
		" teamkills bigint, damage bigint, shots bigint, hits bigint, matches int,"
		" playtime_s bigint, streak int, best_streak int)"
		" ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
		" first_seen_at = least(p.first_seen_at, excluded.first_seen_at),"
		" last_seen_at = greatest(p.last_seen_at, excluded.last_seen_at),"
		" kills = excluded.kills, deaths = excluded.deaths, headshots = excluded.headshots,"
		" suicides = excluded.suicides, teamkills = excluded.teamkills, damage = excluded.damage,"
		" shots = excluded.shots, hits = excluded.hits, matches = excluded.matches,"
		" playtime_s = excluded.playtime_s, streak = excluded.streak,"
		" best_streak = excluded.best_streak", arr);
	json_object_put(arr);
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

static int write_pms(struct batch *b)
{
	struct json_object *arr = json_object_new_array();
	PGresult *res;
	size_t i;
	for (i = 0; i < b->pms.cap; i++) {
		struct pmstate *s = b->pms.e[i].key ? b->pms.e[i].val : NULL;
		struct json_object *o;
		if (!s)
			continue;
		o = json_object_new_object();
		jadd_i(o, "match_id", s->match_id);
		jadd_s(o, "player_id", s->player_id);
		jadd_s(o, "name", s->name ? s->name : s->player_id);
		jadd_s(o, "team", s->team);
		jadd_i(o, "kills", s->kills);
		jadd_i(o, "deaths", s->deaths);
		jadd_i(o, "headshots", s->headshots);
		jadd_i(o, "suicides", s->suicides);
		jadd_i(o, "teamkills", s->teamkills);
		jadd_i(o, "damage", s->damage);
		jadd_i(o, "shots", s->shots);
		jadd_i(o, "hits", s->hits);
		jadd_i(o, "first_ms", s->first_ms);
		jadd_i(o, "last_ms", s->last_ms);
		jadd_s(o, "last_weapon", s->last_weapon);
		json_object_array_add(arr, o);
	}
	if (!json_object_array_length(arr)) {
		json_object_put(arr);
		return 0;
	}
	res = run_json(b->db,
		"INSERT INTO mohaa.player_matches AS t (match_id, player_id, name, team, kills, deaths,"
		" headshots, suicides, teamkills, damage, shots, hits, first_at, last_at, last_weapon)"
		" SELECT match_id, player_id, name, team, kills, deaths, headshots, suicides, teamkills,"
		" damage, shots, hits, to_timestamp(first_ms / 1000.0), to_timestamp(last_ms / 1000.0),"
		" last_weapon FROM jsonb_to_recordset($1::jsonb) AS x(match_id bigint, player_id text,"
		" name text, team text, kills int, deaths int, headshots int, suicides int,"
		" teamkills int, damage int, shots int, hits int, first_ms bigint, last_ms bigint,"
		" last_weapon text)"
		" ON CONFLICT (match_id, player_id) DO UPDATE SET name = excluded.name,"
		" team = coalesce(excluded.team, t.team), kills = excluded.kills,"
		" deaths = excluded.deaths, headshots = excluded.headshots,"
		" suicides = excluded.suicides, teamkills = excluded.teamkills,"
		" damage = excluded.damage, shots = excluded.shots, hits = excluded.hits,"
		" first_at = excluded.first_at, last_at = excluded.last_at,"
		" last_weapon = coalesce(excluded.last_weapon, t.last_weapon)", arr);
	json_object_put(arr);
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

/* Achievements crossed by the batch, given per-weapon kill totals after it. */
static int write_achievements(struct batch *b, struct json_object *weapon_after)
{
	struct json_object *arr = json_object_new_array();
	const struct mohaa_achievement *got[32];
	PGresult *res;
	size_t i, k, n;
	for (i = 0; i < b->players.cap; i++) {
		struct pstate *p = b->players.e[i].key ? b->players.e[i].val : NULL;
		struct mohaa_progress after;
		if (!p || !p->last_ms)
			continue;
		progress_of(p, &after);
		n = mohaa_achievements_crossed(&p->before, &after, NULL, 0, 0, got, 32);
		/* weapon mastery: each weapon whose kills changed */
		for (k = 0; k < json_object_array_length(weapon_after); k++) {
			struct json_object *w = json_object_array_get_idx(weapon_after, k);
			const char *pid = json_object_get_string(json_object_object_get(w, "player_id"));
			const char *wid = json_object_get_string(json_object_object_get(w, "weapon"));
			int64_t now_k = json_object_get_int64(json_object_object_get(w, "kills"));
			int64_t added = json_object_get_int64(json_object_object_get(w, "added"));
			if (strcmp(pid, p->id) || !added)
				continue;
			n += mohaa_achievements_crossed(&after, &after, wid, now_k - added, now_k,
							got + n, 32 - n);
		}
		for (k = 0; k < n; k++) {
			struct json_object *o = json_object_new_object();
			jadd_s(o, "player_id", p->id);
			jadd_s(o, "id", got[k]->id);
			jadd_i(o, "at_ms", p->last_ms);
			if (p->last_match)
				jadd_i(o, "match_id", p->last_match);
			json_object_array_add(arr, o);
		}
	}
	if (!json_object_array_length(arr)) {
		json_object_put(arr);
		return 0;
	}
	res = run_json(b->db,
		"INSERT INTO mohaa.player_achievements (player_id, achievement_id, unlocked_at, match_id)"
		" SELECT player_id, id, to_timestamp(at_ms / 1000.0), match_id"
		" FROM jsonb_to_recordset($1::jsonb) AS x(player_id text, id text, at_ms bigint,"
		" match_id bigint) ON CONFLICT DO NOTHING", arr);
	json_object_put(arr);
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

/* The additive tables; fills lb's weapons, maps, weeks with the totals after. */
static int write_deltas(struct batch *b, struct mohaa_lb_changes *lb)
{
	struct json_object *w = json_object_new_array(), *mp = json_object_new_array(),
			   *wk = json_object_new_array(), *h = json_object_new_array(), *after;
	PGresult *res;
	size_t i;
	int r, rc = 0;
	for (i = 0; i < b->weapons.cap; i++) {
		struct delta *d = b->weapons.e[i].key ? b->weapons.e[i].val : NULL;
		struct json_object *o;
		if (!d)
			continue;
		o = json_object_new_object();
		jadd_s(o, "player_id", d->k1);
		jadd_s(o, "weapon", d->k2);
		jadd_i(o, "kills", d->v[W_KILLS]);
		jadd_i(o, "headshots", d->v[W_HEADSHOTS]);
		jadd_i(o, "deaths", d->v[W_DEATHS]);
		jadd_i(o, "shots", d->v[W_SHOTS]);
		jadd_i(o, "hits", d->v[W_HITS]);
		jadd_i(o, "damage", d->v[W_DAMAGE]);
		json_object_array_add(w, o);
	}
	for (i = 0; i < b->maps.cap; i++) {
		struct delta *d = b->maps.e[i].key ? b->maps.e[i].val : NULL;
		struct json_object *o;
		if (!d)
			continue;
		o = json_object_new_object();
		jadd_s(o, "player_id", d->k1);
		jadd_s(o, "map", d->k2);
		jadd_i(o, "kills", d->v[0]);
		jadd_i(o, "deaths", d->v[1]);
		jadd_i(o, "headshots", d->v[2]);
		json_object_array_add(mp, o);
	}
	for (i = 0; i < b->weeks.cap; i++) {
		struct delta *d = b->weeks.e[i].key ? b->weeks.e[i].val : NULL;
		struct json_object *o;
		if (!d)
			continue;
		o = json_object_new_object();
		jadd_s(o, "week", d->k1);
		jadd_s(o, "player_id", d->k2);
		jadd_i(o, "kills", d->v[0]);
		jadd_i(o, "deaths", d->v[1]);
		jadd_i(o, "headshots", d->v[2]);
		json_object_array_add(wk, o);
	}
	for (i = 0; i < b->heat.cap; i++) {
		struct heat *d = b->heat.e[i].key ? b->heat.e[i].val : NULL;
		struct json_object *o;
		char kind[2];
		if (!d)
			continue;
		kind[0] = d->kind;
		kind[1] = '\0';
		o = json_object_new_object();
		jadd_s(o, "map", d->map);
		jadd_s(o, "player_id", d->pid);
		jadd_s(o, "kind", kind);
		jadd_i(o, "x", d->x);
		jadd_i(o, "y", d->y);
		jadd_i(o, "n", d->n);
		json_object_array_add(h, o);
	}

	after = json_object_new_array();
	if (json_object_array_length(w)) {
		res = run_json(b->db,
			"INSERT INTO mohaa.player_weapons AS t (player_id, weapon, kills, headshots, deaths,"
			" shots, hits, damage) SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(player_id text,"
			" weapon text, kills bigint, headshots bigint, deaths bigint, shots bigint,"
			" hits bigint, damage bigint)"
			" ON CONFLICT (player_id, weapon) DO UPDATE SET kills = t.kills + excluded.kills,"
			" headshots = t.headshots + excluded.headshots, deaths = t.deaths + excluded.deaths,"
			" shots = t.shots + excluded.shots, hits = t.hits + excluded.hits,"
			" damage = t.damage + excluded.damage"
			" RETURNING player_id, weapon, kills", w);
		if (!res) {
			rc = -1;
			goto out;
		}
		for (r = 0; r < PQntuples(res); r++) {
			struct json_object *o = json_object_new_object(), *l;
			int64_t kills = strtoll(PQgetvalue(res, r, 2), NULL, 10);
			struct buf key = BUF_INIT;
			struct delta *d;
			buf_addf(&key, "%s\x1f%s", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
			d = smap_get(&b->weapons, key.data);
			buf_release(&key);
			jadd_s(o, "player_id", PQgetvalue(res, r, 0));
			jadd_s(o, "weapon", PQgetvalue(res, r, 1));
			jadd_i(o, "kills", kills);
			jadd_i(o, "added", d ? d->v[W_KILLS] : 0);
			json_object_array_add(after, o);
			l = json_object_new_object();
			jadd_s(l, "player_id", PQgetvalue(res, r, 0));
			jadd_s(l, "weapon", PQgetvalue(res, r, 1));
			jadd_i(l, "kills", kills);
			json_object_array_add(lb->weapons, l);
		}
		PQclear(res);
	}
	if (json_object_array_length(mp)) {
		res = run_json(b->db,
			"INSERT INTO mohaa.player_maps AS t (player_id, map_name, kills, deaths, headshots)"
			" SELECT player_id, map, kills, deaths, headshots FROM jsonb_to_recordset($1::jsonb)"
			" AS x(player_id text, map text, kills bigint, deaths bigint, headshots bigint)"
			" ON CONFLICT (player_id, map_name) DO UPDATE SET kills = t.kills + excluded.kills,"
			" deaths = t.deaths + excluded.deaths, headshots = t.headshots + excluded.headshots"
			" RETURNING player_id, map_name, kills", mp);
		if (!res) {
			rc = -1;
			goto out;
		}
		for (r = 0; r < PQntuples(res); r++) {
			struct json_object *l = json_object_new_object();
			jadd_s(l, "player_id", PQgetvalue(res, r, 0));
			jadd_s(l, "map", PQgetvalue(res, r, 1));
			jadd_i(l, "kills", strtoll(PQgetvalue(res, r, 2), NULL, 10));
			json_object_array_add(lb->maps, l);
		}
		PQclear(res);
	}
	if (json_object_array_length(wk)) {
		res = run_json(b->db,
			"INSERT INTO mohaa.player_weeks AS t (week, player_id, kills, deaths, headshots)"
			" SELECT week, player_id, kills, deaths, headshots FROM jsonb_to_recordset($1::jsonb)"
			" AS x(week date, player_id text, kills bigint, deaths bigint, headshots bigint)"
			" ON CONFLICT (week, player_id) DO UPDATE SET kills = t.kills + excluded.kills,"
			" deaths = t.deaths + excluded.deaths, headshots = t.headshots + excluded.headshots"
			" RETURNING week::text, player_id, kills", wk);
		if (!res) {
			rc = -1;
			goto out;
		}
		for (r = 0; r < PQntuples(res); r++) {
			struct json_object *l = json_object_new_object();
			jadd_s(l, "week", PQgetvalue(res, r, 0));
			jadd_s(l, "player_id", PQgetvalue(res, r, 1));
			jadd_i(l, "kills", strtoll(PQgetvalue(res, r, 2), NULL, 10));
			json_object_array_add(lb->weeks, l);
		}
		PQclear(res);
	}
	if (json_object_array_length(h)) {
		res = run_json(b->db,
			"INSERT INTO mohaa.heat_cells AS t (map_name, player_id, kind, x, y, n)"
			" SELECT map, player_id, kind::\"char\", x, y, n FROM jsonb_to_recordset($1::jsonb)"
			" AS x(map text, player_id text, kind text, x int, y int, n bigint)"
			" ON CONFLICT (map_name, player_id, kind, x, y) DO UPDATE SET n = t.n + excluded.n", h);
		if (!res) {
			rc = -1;
			goto out;
		}
		PQclear(res);
	}
	rc = write_achievements(b, after);
out:
	json_object_put(w);
	json_object_put(mp);
	json_object_put(wk);
	json_object_put(h);
	json_object_put(after);
	return rc;
}

static int write_matches_and_servers(struct batch *b)
{
	size_t i;
	for (i = 0; i < b->matches.cap; i++) {
		struct mstate *m = b->matches.e[i].key ? b->matches.e[i].val : NULL;
		char sid[24];
		struct buf t = BUF_INIT;
		const char *params[3];
		int rc;
		if (!m)
			continue;
		if (match_flush(b, m) < 0)
			return -1;
		ts_text(&t, m->seen_ms ? m->seen_ms : time_now_ms());
		params[0] = i64(sid, sizeof sid, m->server_id);
		params[1] = t.data;
		params[2] = m->label;
		rc = db_run(b->db, "UPDATE mohaa.servers SET last_seen_at = greatest(last_seen_at,"
				   " $2::timestamptz), last_label = coalesce($3, last_label)"
				   " WHERE id = $1::bigint", 3, params);
		buf_release(&t);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- the batch -------------------------------------------------------------------------- */

static const char *shape_name(enum mohaa_shape s)
{
	switch (s) {
	case MOHAA_SHAPE_FORM: return "form";
	case MOHAA_SHAPE_OBJECT: return "object";
	case MOHAA_SHAPE_LINES: return "lines";
	case MOHAA_SHAPE_ARRAY: return "array";
	}
	return "unknown";
}

/* Parse entry e; append its accepted events to the rows (borrowing e).
 * Sets *accepted, *rejected, *shape; returns 0, or -1 when the body does not
 * parse (the handler accepted it, so only a changed parser can get here). */
static int parse_entry(struct batch *b, const struct mohaa_entry *e, int *accepted, int *rejected,
		       const char **shape, bool keep)
{
	struct mohaa_body body = { 0 };
	char err[200];
	size_t i, first = b->n_rows;
	double max_gt = 0;
	*accepted = *rejected = 0;
	if (mohaa_body_parse(e->body, e->len, &body, err, sizeof err)) {
		mohaa_body_free(&body);
		*shape = "unparsable";
		return -1;
	}
	*shape = shape_name(body.shape);
	for (i = 0; i < body.n; i++) {
		struct row *r;
		if (b->n_rows == b->cap_rows) {
			b->cap_rows = b->cap_rows ? b->cap_rows * 2 : 256;
			b->rows = realloc(b->rows, b->cap_rows * sizeof *b->rows);
			if (!b->rows)
				abort();
		}
		r = &b->rows[b->n_rows];
		memset(r, 0, sizeof *r);
		if (mohaa_event_accept(&body.ev[i], e->default_type[0] ? e->default_type : NULL, &r->ev,
				       err, sizeof err) < 0) {
			mohaa_event_free(&r->ev);
			(*rejected)++;
			continue;
		}
		if (!keep) {
			mohaa_event_free(&r->ev);
			(*accepted)++;
			continue;
		}
		r->entry = e;
		r->idx = (*accepted)++;
		r->off = body.ev[i].off;
		r->len = body.ev[i].len;
		r->round = -1;
		if (r->ev.game_time_valid && r->ev.game_time > max_gt)
			max_gt = r->ev.game_time;
		b->n_rows++;
	}
	for (i = first; i < b->n_rows; i++)
		b->rows[i].occurred_ms = mohaa_occurred_ms(&b->rows[i].ev, e->received_ms, max_gt);
	mohaa_body_free(&body);
	return 0;
}

static void batch_free(struct batch *b)
{
	size_t i;
	for (i = 0; i < b->n_rows; i++)
		mohaa_event_free(&b->rows[i].ev);
	free(b->rows);
	smap_free(&b->matches, free_mstate);
	smap_free(&b->players, free_pstate);
	smap_free(&b->pms, free_pmstate);
	smap_free(&b->weapons, free_delta);
	smap_free(&b->maps, free_delta);
	smap_free(&b->weeks, free_delta);
	smap_free(&b->heat, free_heat);
	smap_free(&b->opened, NULL);
}

void mohaa_lb_changes_free(struct mohaa_lb_changes *lb)
{
	json_object_put(lb->players);
	json_object_put(lb->weapons);
	json_object_put(lb->maps);
	json_object_put(lb->weeks);
	memset(lb, 0, sizeof *lb);
}

int mohaa_ingest_write(struct db *db, const struct mohaa_entry *e, size_t n, int64_t idle_ms,
		       struct mohaa_ingest_stats *st, struct mohaa_lb_changes *lb)
{
	struct batch b;
	struct buf ids = BUF_INIT, sids = BUF_INIT, recv = BUF_INIT, shapes = BUF_INIT,
		   evs = BUF_INIT, rej = BUF_INIT;
	struct smap fresh = { 0 };
	const char *params[6];
	PGresult *res;
	int64_t t0 = time_mono_ms(), t_parse, t_apply, t_copy;
	size_t i, k;
	int rc = -1;

	memset(&b, 0, sizeof b);
	memset(st, 0, sizeof *st);
	lb->players = json_object_new_array();
	lb->weapons = json_object_new_array();
	lb->maps = json_object_new_array();
	lb->weeks = json_object_new_array();
	b.db = db;
	b.idle_ms = idle_ms;
	if (!n)
		return 0;

	/* (1) parse every entry once; record the entries: which are new */
	for (i = 0; i < n; i++) {
		int acc, rj;
		const char *shape;
		parse_entry(&b, &e[i], &acc, &rj, &shape, true);
		buf_addch(&ids, i ? ',' : '{');
		buf_addstr(&ids, e[i].id);
		buf_addch(&sids, i ? ',' : '{');
		buf_addf(&sids, "%lld", (long long)e[i].server_id);
		buf_addch(&recv, i ? ',' : '{');
		buf_addf(&recv, "%lld", (long long)e[i].received_ms);
		buf_addch(&shapes, i ? ',' : '{');
		buf_addstr(&shapes, shape);
		buf_addch(&evs, i ? ',' : '{');
		buf_addf(&evs, "%d", acc);
		buf_addch(&rej, i ? ',' : '{');
		buf_addf(&rej, "%d", rj);
	}
	buf_addch(&ids, '}');
	buf_addch(&sids, '}');
	buf_addch(&recv, '}');
	buf_addch(&shapes, '}');
	buf_addch(&evs, '}');
	buf_addch(&rej, '}');
	if (db_begin(db) < 0)
		goto out;
	params[0] = ids.data;
	params[1] = sids.data;
	params[2] = recv.data;
	params[3] = shapes.data;
	params[4] = evs.data;
	params[5] = rej.data;
	res = db_exec(db,
		"INSERT INTO mohaa.entries (stream_id, server_id, received_at, shape, events, rejected)"
		" SELECT id, sid, to_timestamp(ms / 1000.0), shape, ev, rj"
		" FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::int[], $6::int[])"
		" AS u(id, sid, ms, shape, ev, rj)"
		" ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id", 6, params);
	if (!res)
		goto fail;
	for (k = 0; k < (size_t)PQntuples(res); k++)
		*smap_slot(&fresh, PQgetvalue(res, (int)k, 0), NULL) = (void *)1;
	PQclear(res);
	st->entries = fresh.n;
	st->duplicates = n - fresh.n;

	/* (2) keep the new entries' events, in stream order */
	if (st->duplicates) {
		size_t kept = 0;
		for (i = 0; i < b.n_rows; i++) {
			if (smap_get(&fresh, b.rows[i].entry->id))
				b.rows[kept++] = b.rows[i];
			else
				mohaa_event_free(&b.rows[i].ev);
		}
		b.n_rows = kept;
	}
	if (players_load(&b) < 0)
		goto fail;
	{
		size_t pi;
		for (pi = 0; pi < b.players.cap; pi++)
			if (b.players.e[pi].key)
				progress_of(b.players.e[pi].val,
					    &((struct pstate *)b.players.e[pi].val)->before);
	}
	t_parse = time_mono_ms();
	for (i = 0; i < b.n_rows; i++)
		if (apply(&b, &b.rows[i]) < 0)
			goto fail;
	st->events = b.n_rows;
	t_apply = time_mono_ms();

	/* (3)-(5) */
	if (copy_events(&b) < 0)
		goto fail;
	t_copy = time_mono_ms();
	if (write_matches_and_servers(&b) < 0 || write_players(&b, lb) < 0 || write_pms(&b) < 0 ||
	    write_deltas(&b, lb) < 0)
		goto fail;
	log_debug("batch phases: parse+load %lld ms, derive %lld ms, COPY %lld ms, totals %lld ms",
		  (long long)(t_parse - t0), (long long)(t_apply - t_parse), (long long)(t_copy - t_apply),
		  (long long)(time_mono_ms() - t_copy));
	st->duration_ms = (double)(time_mono_ms() - t0);
	{
		char ne[24], nd[24], nv[24], dur[32];
		const char *p[4] = { i64(ne, sizeof ne, (int64_t)st->entries),
				     i64(nd, sizeof nd, (int64_t)st->duplicates),
				     i64(nv, sizeof nv, (int64_t)st->events), dur };
		snprintf(dur, sizeof dur, "%.3f", st->duration_ms);
		if (db_run(db, "INSERT INTO mohaa.batches (entries, duplicates, events, failed,"
			       " duration_ms) VALUES ($1::int, $2::int, $3::int, 0, $4::float8)",
			   4, p) < 0)
			goto fail;
	}
	if (db_commit(db) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(db);
	memset(st, 0, sizeof *st);
	mohaa_lb_changes_free(lb);
	lb->players = json_object_new_array();
	lb->weapons = json_object_new_array();
	lb->maps = json_object_new_array();
	lb->weeks = json_object_new_array();
out:
	batch_free(&b);
	smap_free(&fresh, NULL);
	buf_release(&ids);
	buf_release(&sids);
	buf_release(&recv);
	buf_release(&shapes);
	buf_release(&evs);
	buf_release(&rej);
	return rc;
}

int mohaa_ingest_fail(struct db *db, const struct mohaa_entry *e, const char *error)
{
	struct batch probe;
	struct buf hex = BUF_INIT;
	char sid[24], recv[24], nev[16];
	const char *params[6], *shape;
	int acc = 0, rj = 0, rc;
	size_t i;
	static const char hexd[] = "0123456789abcdef";
	memset(&probe, 0, sizeof probe);
	parse_entry(&probe, e, &acc, &rj, &shape, false);
	batch_free(&probe);
	buf_addstr(&hex, "\\x");
	for (i = 0; i < e->len; i++) {
		buf_addch(&hex, hexd[(unsigned char)e->body[i] >> 4]);
		buf_addch(&hex, hexd[(unsigned char)e->body[i] & 15]);
	}
	params[0] = e->id;
	params[1] = i64(sid, sizeof sid, e->server_id);
	params[2] = i64(recv, sizeof recv, e->received_ms);
	params[3] = hex.data;
	params[4] = i64(nev, sizeof nev, acc);
	params[5] = error;
	rc = db_run(db,
		"WITH f AS (INSERT INTO mohaa.failed_entries (stream_id, server_id, received_at, body,"
		" events, error) VALUES ($1, $2::bigint, to_timestamp($3::bigint / 1000.0), $4::bytea,"
		" $5::int, $6) ON CONFLICT DO NOTHING RETURNING events)"
		" INSERT INTO mohaa.batches (entries, duplicates, events, failed, duration_ms)"
		" SELECT 0, 0, 0, events, 0 FROM f", 6, params);
	buf_release(&hex);
	return rc < 0 ? -1 : acc;
}

int mohaa_ingest_partitions(struct db *db, int months_ahead)
{
	char n[16];
	const char *params[1] = { n };
	snprintf(n, sizeof n, "%d", months_ahead);
	return db_run(db, "SELECT gw_ensure_month_partitions('mohaa.events', now(), $1::int)", 1,
		      params);
}
