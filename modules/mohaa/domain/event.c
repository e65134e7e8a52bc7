/* event.c: one raw event into the event model, with the corrections of
 * modules/mohaa/README.md (mohaa.h, mohaa_event_from_raw). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "buf.h"
#include "modules/mohaa/domain/internal.h"

/* ---- text helpers ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

void mohaa_utf8_fix(const char *s, size_t len, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;
	bool valid = true;
	while (i < len) {
		k = utf8_seq(u + i, len - i);
		if (!k) {
			valid = false;
			break;
		}
		i += k;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = u[i];
		if (c == 0) {
			buf_addstr(out, "\xEF\xBF\xBD");
		} else if (c < 0x80 || valid) {
			buf_addch(out, (char)c);
		} else {
			buf_addch(out, (char)(0xC0 | (c >> 6)));
			buf_addch(out, (char)(0x80 | (c & 0x3F)));
		}
	}
}

void mohaa_clean_name(const char *s, struct buf *out)
{
	size_t start, n;
	buf_reset(out);
	for (; s && *s; s++) {
		if (*s == '^' && s[1] >= '0' && s[1] <= '9') {
			s++;
			continue;
		}
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			continue;
		buf_addch(out, *s);
	}
	for (start = 0; start < out->len && out->data[start] == ' '; start++)
		;
	if (start) {
		memmove(out->data, out->data + start, out->len - start + 1);
		out->len -= start;
	}
	while (out->len && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
	if (out->len > MOHAA_MAX_NAME) {
		n = MOHAA_MAX_NAME;
		while (n > 0 && ((unsigned char)out->data[n] & 0xC0) == 0x80)
			n--;
		buf_truncate(out, n);
	}
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

static int fail(char *err, size_t errlen, const char *fmt, const char *what)
{
	char shown[48];
	size_t n = strlen(what);
	/* quote at most 40 bytes of what was sent, cut at a character boundary */
	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)what[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(shown, what, n);
	shown[n] = '\0';
	if (err && errlen)
		snprintf(err, errlen, fmt, shown);
	return -1;
}

/* A number as sent (JSON numbers arrive as text too): optional spaces,
 * then all of it must be a finite double. */
static bool num(const char *s, double *out)
{
	char *end;
	double v;
	if (!s)
		return false;
	while (*s == ' ')
		s++;
	if (!*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (*end || errno == ERANGE || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static int int_or(const char *s, int dflt)
{
	double v;
	if (!num(s, &v) || v < -1e9 || v > 1e9)
		return dflt;
	return (int)lround(v);
}

/* ---- fields -------------------------------------------------------------------- */

/* Which fields the model consumed (not copied to `extra`), by index. */
struct used {
	unsigned char f[MOHAA_MAX_FIELDS];
};

/* The value of `key` (the first; the last for server_token, as
 * mohaa_raw_get), marking every field of that name consumed. */
static const char *take(const struct mohaa_raw *raw, struct used *u, const char *key)
{
	const char *found = NULL;
	bool last = key[0] == 's' && !strcmp(key, "server_token");
	size_t i;
	for (i = 0; i < raw->n && i < MOHAA_MAX_FIELDS; i++)
		if (raw->f[i].key[0] == key[0] && !strcmp(raw->f[i].key, key)) {
			u->f[i] = 1;
			if (!found || last)
				found = raw->f[i].value;
		}
	return found;
}

static const char *takef(const struct mohaa_raw *raw, struct used *u, char *tmp, size_t tmplen,
			 const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	if (pl + 1 + sl >= tmplen)
		return NULL;
	/* prefix "_" suffix, without printf: this runs for every field of every event */
	memcpy(tmp, prefix, pl);
	tmp[pl] = '_';
	memcpy(tmp + pl + 1, suffix, sl + 1);
	return take(raw, u, tmp);
}

static bool present(const struct mohaa_raw *raw, const char *key)
{
	const char *v = mohaa_raw_get(raw, key);
	return v && *v;
}

static bool has_block(const struct mohaa_raw *raw, const char *prefix)
{
	char k[32];
	snprintf(k, sizeof k, "%s_name", prefix);
	if (present(raw, k))
		return true;
	snprintf(k, sizeof k, "%s_guid", prefix);
	return present(raw, k);
}

static const char *team_word(const char *s)
{
	static const char *const teams[] = { "allies", "axis", "spectator", "freeforall" };
	size_t i;
	if (!s)
		return NULL;
	for (i = 0; i < sizeof teams / sizeof teams[0]; i++)
		if (!strcasecmp(s, teams[i]))
			return teams[i];
	if (!strcasecmp(s, "american") || !strcasecmp(s, "allied"))
		return "allies";
	if (!strcasecmp(s, "german"))
		return "axis";
	if (!strcasecmp(s, "spectators"))
		return "spectator";
	return NULL;
}

/* A *_guid that names no player: empty, a team (the original tracker sent
 * .dmteam), the slot-local unauth_N of the later scripts, or "none". */
static bool guid_is_no_id(const char *g)
{
	return !g || !*g || team_word(g) || !strcasecmp(g, "none") ||
	       !strncasecmp(g, "unauth_", 7) || !strcmp(g, "0") || !strcasecmp(g, "null");
}

static void who_from(const struct mohaa_raw *raw, struct used *u, const char *prefix,
		     bool use_pos, bool use_aim, struct mohaa_who *w)
{
	char tmp[40];
	const char *name = takef(raw, u, tmp, sizeof tmp, prefix, "name");
	const char *guid = takef(raw, u, tmp, sizeof tmp, prefix, "guid");
	const char *team = takef(raw, u, tmp, sizeof tmp, prefix, "team");
	const char *smf = takef(raw, u, tmp, sizeof tmp, prefix, "smf_id");
	const char *mem = takef(raw, u, tmp, sizeof tmp, prefix, "member_id");
	const char *x = takef(raw, u, tmp, sizeof tmp, prefix, "x");
	const char *y = takef(raw, u, tmp, sizeof tmp, prefix, "y");
	const char *z = takef(raw, u, tmp, sizeof tmp, prefix, "z");
	const char *pitch = takef(raw, u, tmp, sizeof tmp, prefix, "pitch");
	const char *yaw = takef(raw, u, tmp, sizeof tmp, prefix, "yaw");
	struct buf clean = BUF_INIT;
	double sv;

	if (use_pos && !x && !y) {
		x = take(raw, u, "pos_x");
		y = take(raw, u, "pos_y");
		z = take(raw, u, "pos_z");
	}
	if (use_aim && !pitch && !yaw) {
		pitch = take(raw, u, "aim_pitch");
		yaw = take(raw, u, "aim_yaw");
	}
	w->team = team_word(team);
	if (name) {
		mohaa_clean_name(name, &clean);
		w->name = buf_detach(&clean, NULL);
	}
	if ((guid && !strcasecmp(guid, "world")) ||
	    (name && !strcasecmp(name, "world") && guid_is_no_id(guid))) {
		w->kind = MOHAA_ID_WORLD;
		w->team = NULL;
	} else if ((num(smf, &sv) && sv >= 1 && sv < 1e15) || (num(mem, &sv) && sv >= 1 && sv < 1e15)) {
		w->kind = MOHAA_ID_SMF;
		snprintf(w->id, sizeof w->id, "smf:%.0f", sv);
	} else if (!guid_is_no_id(guid)) {
		size_t i, n = 0, k;
		w->kind = MOHAA_ID_GUID;
		for (i = 0; guid[i] && n + 1 < sizeof w->id; i++)
			if ((unsigned char)guid[i] >= 0x20 && guid[i] != 0x7f)
				w->id[n++] = guid[i];
		if (guid[i]) {
			/* cut: drop a character the cut split */
			k = n;
			while (k > 0 && ((unsigned char)w->id[k - 1] & 0xC0) == 0x80)
				k--;
			if (k > 0 && (unsigned char)w->id[k - 1] >= 0xC0) {
				unsigned char lead = (unsigned char)w->id[k - 1];
				size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
				if (n - (k - 1) < need)
					n = k - 1;
			}
		}
		w->id[n] = '\0';
	} else if (w->name && *w->name) {
		w->kind = MOHAA_ID_NAME;
		snprintf(w->id, sizeof w->id, "name:%s", w->name);
	}
	if (num(x, &w->x) && num(y, &w->y)) {
		w->has_pos = true;
		if (!num(z, &w->z))
			w->z = 0;
	}
	if (num(pitch, &w->pitch) && num(yaw, &w->yaw))
		w->has_angles = true;
	buf_release(&clean);
}

static void who_free(struct mohaa_who *w)
{
	free(w->name);
	w->name = NULL;
}

/* ---- the event ------------------------------------------------------------------------ */

static int check_required(const struct mohaa_raw *raw, enum mohaa_type t, char *err,
			  size_t errlen)
{
	const char *p = mohaa_type_required(t);
	while (*p) {
		size_t wl = strcspn(p, " ");
		const char *alt = p;
		bool ok = false;
		char first[MOHAA_MAX_KEY + 1] = "";
		while (alt < p + wl) {
			size_t al = strcspn(alt, "| ");
			char k[MOHAA_MAX_KEY + 1];
			if (al > MOHAA_MAX_KEY)
				al = MOHAA_MAX_KEY;
			memcpy(k, alt, al);
			k[al] = '\0';
			if (!*first)
				memcpy(first, k, al + 1);
			if (present(raw, k))
				ok = true;
			alt += al;
			if (*alt == '|')
				alt++;
		}
		if (!ok)
			return fail(err, errlen, "missing field \"%s\"", first);
		p += wl;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static const char *winner_word(const char *s)
{
	const char *t = team_word(s);
	if (t && (!strcmp(t, "allies") || !strcmp(t, "axis")))
		return t;
	if (s && (!strcasecmp(s, "draw") || !strcasecmp(s, "tie") || !strcasecmp(s, "none")))
		return "draw";
	return NULL;
}

static void set_weapon_mod(const struct mohaa_raw *raw, struct used *u, struct mohaa_event *ev,
			   const char *wkey, bool weapon_may_be_mod)
{
	const char *w = take(raw, u, wkey);
	const char *m = take(raw, u, "mod");
	const struct mohaa_mod *wm;
	if (m)
		ev->mod = mohaa_mod_lookup(m);
	if (!w || !*w)
		return;
	ev->weapon_sent = xstrdup(w);
	if (weapon_may_be_mod && (wm = mohaa_mod_lookup(w)) && !mohaa_weapon_lookup(w)) {
		/* the original put the means of death in `weapon` (kill, damage) */
		ev->flags |= MOHAA_F_WEAPON_WAS_MOD;
		if (!ev->mod)
			ev->mod = wm;
		return;
	}
	ev->weapon = mohaa_weapon_lookup(w);
}

int mohaa_event_from_raw(const struct mohaa_raw *raw, struct mohaa_event *ev, char *err,
			 size_t errlen)
{
	struct used u = { { 0 } };
	const char *t, *v;
	double ts;
	bool known;
	size_t i;

	memset(ev, 0, sizeof *ev);
	ev->hitloc = MOHAA_HITLOC_NONE;
	ev->round_number = ev->allies_score = ev->axis_score = ev->player_count = -1;
	t = take(raw, &u, "type");
	if (!t || !*t)
		return fail(err, errlen, "missing field \"%s\"", "type");
	ev->type = mohaa_type_lookup(t, &ev->name_flags);
	if (ev->type == MOHAA_EV_UNKNOWN)
		return fail(err, errlen, "unknown event type \"%s\"", t);
	ev->type_sent = xstrdup(t);
	if (check_required(raw, ev->type, err, errlen) < 0)
		return -1;

	v = take(raw, &u, "timestamp");
	if (v && *v) {
		if (!num(v, &ts) || ts < 0 || ts > 1e11)
			return fail(err, errlen, "field \"%s\" is not a number of seconds", "timestamp");
		if (ts >= MOHAA_MIN_UNIX_TS) {
			ev->client_unix_ms = llround(ts * 1000.0);
		} else {
			ev->game_time_valid = true;
			ev->game_time = ts;
		}
	}
	v = take(raw, &u, "match_id");
	ev->match_ref = xstrdup(v && strcmp(v, "no_match") ? v : "");
	v = take(raw, &u, "session_id");
	ev->session_ref = xstrdup(v);
	(void)take(raw, &u, "server_token"); /* a credential: never kept */

	/* who acted and on whom (the headshot's shooter is player_*) */
	switch (ev->type) {
	case MOHAA_EV_KILL:
		if (!has_block(raw, "attacker") && !has_block(raw, "victim") && has_block(raw, "player")) {
			/* player_suicide of the later scripts: one player block */
			who_from(raw, &u, "player", true, false, &ev->actor);
			who_from(raw, &u, "player", true, false, &ev->target);
		} else {
			who_from(raw, &u, "attacker", false, false, &ev->actor);
			who_from(raw, &u, "victim", false, false, &ev->target);
		}
		break;
	case MOHAA_EV_DAMAGE:
		who_from(raw, &u, "attacker", false, false, &ev->actor);
		who_from(raw, &u, "victim", false, false, &ev->target);
		break;
	case MOHAA_EV_BOT_KILLED:
		who_from(raw, &u, has_block(raw, "attacker") ? "attacker" : "player", true, false,
			 &ev->actor);
		who_from(raw, &u, has_block(raw, "victim") ? "victim" : "bot", false, false, &ev->target);
		break;
	case MOHAA_EV_HEADSHOT:
	case MOHAA_EV_WEAPON_HIT:
		who_from(raw, &u, has_block(raw, "player") ? "player" : "attacker", true, false,
			 &ev->actor);
		who_from(raw, &u, has_block(raw, "target") ? "target" : "victim", false, false,
			 &ev->target);
		break;
	case MOHAA_EV_DEATH:
		who_from(raw, &u, "player", true, false, &ev->actor);
		if (has_block(raw, "attacker"))
			who_from(raw, &u, "attacker", false, false, &ev->target);
		break;
	default:
		if (strstr(mohaa_type_blocks(ev->type), "player"))
			who_from(raw, &u, "player", true, ev->type == MOHAA_EV_WEAPON_FIRE, &ev->actor);
		break;
	}

	/* weapon, means of death, hit location */
	switch (ev->type) {
	case MOHAA_EV_KILL:
	case MOHAA_EV_DAMAGE:
	case MOHAA_EV_DEATH:
	case MOHAA_EV_BOT_KILLED:
		set_weapon_mod(raw, &u, ev, "weapon", true);
		break;
	case MOHAA_EV_WEAPON_CHANGE:
		set_weapon_mod(raw, &u, ev, present(raw, "new_weapon") ? "new_weapon" : "weapon", false);
		break;
	case MOHAA_EV_GRENADE_THROW:
	case MOHAA_EV_GRENADE_EXPLODE:
		set_weapon_mod(raw, &u, ev, present(raw, "weapon") ? "weapon" : "projectile", false);
		break;
	default:
		set_weapon_mod(raw, &u, ev, "weapon", false);
		break;
	}
	v = mohaa_raw_get(raw, "hitloc");
	if (v) {
		ev->hitloc = mohaa_hitloc_lookup(v, &known);
		if (known)
			(void)take(raw, &u, "hitloc");
	}
	v = take(raw, &u, "damage");
	if (v) {
		double d;
		if (!num(v, &d) || d < -1e6 || d > 1e6) {
			if (ev->type == MOHAA_EV_DAMAGE)
				return fail(err, errlen, "field \"%s\" is not a number", "damage");
		} else {
			ev->damage = (int)lround(d);
		}
	}

	/* match and round facts */
	v = take(raw, &u, "round_number");
	if (!v && ev->type == MOHAA_EV_MATCH_END)
		v = take(raw, &u, "total_rounds");
	ev->round_number = int_or(v, -1);
	ev->allies_score = int_or(take(raw, &u, "allies_score"), -1);
	ev->axis_score = int_or(take(raw, &u, "axis_score"), -1);
	ev->player_count = int_or(take(raw, &u, "player_count"), -1);
	v = take(raw, &u, "map_name");
	if (v && *v)
		ev->map_name = strndup(v, 64);
	v = take(raw, &u, "gametype");
	if (v && *v)
		ev->gametype = strndup(v, 32);
	v = take(raw, &u, "winning_team");
	if (!v)
		v = take(raw, &u, "winner");
	ev->winning_team = winner_word(v);
	if (ev->type == MOHAA_EV_SPAWN && !ev->actor.team)
		ev->actor.team = team_word(take(raw, &u, "team"));
	if (ev->type == MOHAA_EV_TEAM_CHANGE && present(raw, "new_team"))
		ev->actor.team = team_word(mohaa_raw_get(raw, "new_team"));

	/* flags */
	if (ev->type == MOHAA_EV_KILL || ev->type == MOHAA_EV_DAMAGE) {
		if (ev->actor.kind == MOHAA_ID_WORLD ||
		    (ev->actor.kind == MOHAA_ID_NONE && !(ev->name_flags & MOHAA_NAME_SUICIDE)))
			ev->flags |= MOHAA_F_WORLD;
		if ((ev->name_flags & MOHAA_NAME_SUICIDE) ||
		    (ev->mod && ev->mod->index == 1 && ev->type == MOHAA_EV_KILL) ||
		    (*ev->actor.id && !strcmp(ev->actor.id, ev->target.id)))
			ev->flags |= MOHAA_F_SUICIDE;
		if ((ev->name_flags & MOHAA_NAME_TEAMKILL) ||
		    (!(ev->flags & (MOHAA_F_SUICIDE | MOHAA_F_WORLD)) && ev->actor.team &&
		     ev->actor.team == ev->target.team &&
		     (!strcmp(ev->actor.team, "allies") || !strcmp(ev->actor.team, "axis"))))
			ev->flags |= MOHAA_F_TEAMKILL;
		if (ev->flags & MOHAA_F_SUICIDE)
			ev->flags &= ~(unsigned)MOHAA_F_WORLD;
	}
	if (ev->type == MOHAA_EV_HEADSHOT ||
	    ((ev->type == MOHAA_EV_KILL || ev->type == MOHAA_EV_WEAPON_HIT ||
	      ev->type == MOHAA_EV_DAMAGE) &&
	     (ev->hitloc == MOHAA_HITLOC_HEAD || ev->hitloc == MOHAA_HITLOC_HELMET)))
		ev->flags |= MOHAA_F_HEADSHOT;

	/* everything else as sent */
	ev->extra = json_object_new_object();
	for (i = 0; i < raw->n; i++) {
		if (i < MOHAA_MAX_FIELDS && u.f[i])
			continue;
		if (json_object_object_get_ex(ev->extra, raw->f[i].key, NULL))
			continue;
		json_object_object_add(ev->extra, raw->f[i].key,
				       json_object_new_string(raw->f[i].value));
	}
	return 0;
}

int mohaa_event_accept(struct mohaa_raw *raw, const char *default_type, struct mohaa_event *ev,
		       char *err, size_t errlen)
{
	if (default_type) {
		const char *m;
		mohaa_raw_default(raw, "type", default_type);
		m = mohaa_raw_get(raw, "match_id");
		if (!m || !*m) {
			memset(ev, 0, sizeof *ev);
			return fail(err, errlen, "missing field \"%s\"", "match_id");
		}
	}
	return mohaa_event_from_raw(raw, ev, err, errlen);
}

void mohaa_event_free(struct mohaa_event *ev)
{
	free(ev->type_sent);
	free(ev->match_ref);
	free(ev->session_ref);
	free(ev->weapon_sent);
	free(ev->map_name);
	free(ev->gametype);
	who_free(&ev->actor);
	who_free(&ev->target);
	json_object_put(ev->extra);
	memset(ev, 0, sizeof *ev);
	ev->hitloc = MOHAA_HITLOC_NONE;
}

/* ---- time and weapons ----------------------------------------------------------------- */

int64_t mohaa_occurred_ms(const struct mohaa_event *ev, int64_t received_ms, double max_game_time)
{
	if (ev->client_unix_ms)
		return ev->client_unix_ms > received_ms + 86400000LL ? received_ms : ev->client_unix_ms;
	if (ev->game_time_valid && max_game_time >= ev->game_time)
		return received_ms - llround((max_game_time - ev->game_time) * 1000.0);
	return received_ms;
}

bool mohaa_weapon_fits_mod(const struct mohaa_weapon *w, const struct mohaa_mod *mod)
{
	if (!w || !mod)
		return false;
	switch (mod->index) {
	case 18: /* bullet */
	case 19: /* fast_bullet */
		return w->wclass == MOHAA_WC_PISTOL || w->wclass == MOHAA_WC_RIFLE ||
		       w->wclass == MOHAA_WC_SMG || w->wclass == MOHAA_WC_MG;
	case 27: /* shotgun */
		return !strcmp(w->id, "shotgun");
	case 14: /* grenade */
		return w->wclass == MOHAA_WC_GRENADE;
	case 16: /* rocket */
		return w->wclass == MOHAA_WC_HEAVY && strcmp(w->id, "shotgun");
	case 26: /* bash */
		return w->wclass == MOHAA_WC_PISTOL || w->wclass == MOHAA_WC_RIFLE ||
		       w->wclass == MOHAA_WC_SMG || w->wclass == MOHAA_WC_MG ||
		       w->wclass == MOHAA_WC_HEAVY;
	default:
		return false;
	}
}

int mohaa_heat_cell(double v)
{
	double c = round(v / 100.0) * 100.0;
	if (c > 1e9)
		c = 1e9;
	if (c < -1e9)
		c = -1e9;
	return (int)c;
}
