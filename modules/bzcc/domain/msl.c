/* msl.c: decode a MultiplayerSessionList API 1.0 answer (legacy shape,
 * docs/bzcc-format.md 9; real samples in tests/data/bzcc/msl-api-v1/) into
 * the same model as the raw lobby. MSL has already decoded names, so the
 * work is mapping its IDs back to our codes:
 *   GameType.ID  "DM" -> 1, "STRAT" -> 2, "All" (or the plain string) -> 0;
 *   GameMode.ID  under STRAT: "STRAT" -> 12 team strategy, "FFA" -> 11,
 *                "MPI" -> 13; under DM: "[TEAM_]DM|KOTH|CTF|LOOT|RACE" ->
 *                the enum value, detail = ivar7 sub-type (0,1,2,3,5; 7/6
 *                with Level.Attributes.VehicleOnly) plus the respawn bits
 *                from Level.Attributes.Respawn ("Race" 256, "Any" 512);
 *   gtd and server_info are not in MSL output and stay -1; the state is
 *   MSL's Status.State (it already applied the stats rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "buf.h"
#include "internal.h"
#include "modules/bzcc/domain/facts.h"
#include "platform/enrich/enrich-json.h"
#include "sanitize.h"

static int msl_game_type(const char *id)
{
	if (!strcmp(id, "DM"))
		return 1;
	if (!strcmp(id, "STRAT"))
		return 2;
	if (!strcmp(id, "All") || !strcmp(id, "ALL"))
		return 0;
	return -1;
}

struct dm_mode {
	const char *id;
	int mode;      /* non-team enum value; the TEAM_ value is mode + 1 */
	int sub;       /* ivar7 & 0xFF */
	int sub_vonly; /* sub-type of the vehicle-only variant */
};

static const struct dm_mode dm_modes[] = {
	{ "DM", BZCC_MODE_DM, 0, 7 },
	{ "KOTH", BZCC_MODE_KOTH, 1, 1 },
	{ "CTF", BZCC_MODE_CTF, 2, 2 },
	{ "LOOT", BZCC_MODE_LOOT, 3, 3 },
	{ "RACE", BZCC_MODE_RACE, 5, 6 },
};

/* Fill game_type/game_mode/mode_detail from Level. Returns -1 on a bad type. */
static int decode_level_mode(struct json_object *level, struct bzcc_session *s)
{
	struct json_object *o = NULL, *attr = NULL;
	const char *type_id = NULL, *mode_id = NULL, *respawn = NULL;
	bool vonly = false;
	enum bzcc_field f;
	size_t i;

	/* GameType is {"ID": ...}; MSL writes the plain string "All" for gt 0. */
	if (bzcc_get_str(level, "GameType", &type_id, NULL) == BZCC_FIELD_BAD) {
		f = bzcc_get_obj(level, "GameType", &o);
		if (f == BZCC_FIELD_BAD ||
		    bzcc_get_str(o, "ID", &type_id, NULL) == BZCC_FIELD_BAD)
			return -1;
	}
	o = NULL;
	f = bzcc_get_obj(level, "GameMode", &o);
	if (f == BZCC_FIELD_BAD ||
	    (f == BZCC_FIELD_OK &&
	     bzcc_get_str(o, "ID", &mode_id, NULL) == BZCC_FIELD_BAD))
		return -1;
	f = bzcc_get_obj(level, "Attributes", &attr);
	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK) {
		if (bzcc_get_str(attr, "Respawn", &respawn, NULL) == BZCC_FIELD_BAD ||
		    bzcc_get_flag(attr, "VehicleOnly", &vonly) == BZCC_FIELD_BAD ||
		    bzcc_get_int(attr, "TimeLimit", &s->time_limit) == BZCC_FIELD_BAD ||
		    bzcc_get_int(attr, "KillLimit", &s->kill_limit) == BZCC_FIELD_BAD)
			return -1;
	}

	s->game_type = type_id ? msl_game_type(type_id) : -1;
	if (!mode_id)
		return 0;
	if (!strcmp(mode_id, "STRAT"))
		s->game_mode = BZCC_MODE_TEAM_STRAT;
	else if (!strcmp(mode_id, "FFA"))
		s->game_mode = BZCC_MODE_STRAT;
	else if (!strcmp(mode_id, "MPI"))
		s->game_mode = BZCC_MODE_MPI;
	if (s->game_mode >= 0) {
		if (s->game_type < 0)
			s->game_type = 2;
		return 0;
	}
	for (i = 0; i < sizeof(dm_modes) / sizeof(dm_modes[0]); i++) {
		const struct dm_mode *m = &dm_modes[i];
		int team = !strncmp(mode_id, "TEAM_", 5);
		if (strcmp(mode_id + (team ? 5 : 0), m->id))
			continue;
		s->game_mode = m->mode + team;
		s->mode_detail = vonly ? m->sub_vonly : m->sub;
		if (respawn && !strcmp(respawn, "Race"))
			s->mode_detail |= 256;
		else if (respawn && !strcmp(respawn, "Any"))
			s->mode_detail |= 512;
		if (s->game_type < 0)
			s->game_type = 1;
		break;
	}
	return 0;
}

static int decode_level(struct json_object *so, struct bzcc_session *s)
{
	struct json_object *level = NULL;
	const char *file = NULL, *key = NULL;
	size_t flen = 0, klen = 0;
	enum bzcc_field f = bzcc_get_obj(so, "Level", &level);

	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_ABSENT) {
		bzcc_session_set_map(s, "", 0);
		return 0;
	}
	if (bzcc_get_str(level, "MapFile", &file, &flen) == BZCC_FIELD_BAD ||
	    bzcc_get_str(level, "ID", &key, &klen) == BZCC_FIELD_BAD)
		return -1;
	if (file) {
		flen = strlen(file);
		if (flen >= 4 && !strcasecmp(file + flen - 4, ".bzn"))
			flen -= 4;
	}
	bzcc_session_set_map(s, file ? file : "", file ? flen : 0);
	/* MSL's Level.ID is the same "<mod>:<lower map>" key; prefer it. */
	if (key && *key) {
		free(s->map_key);
		s->map_key = bzcc_utf8_clean(key, klen);
	}
	return decode_level_mode(level, s);
}

/* Game{Mod, Mods[], Version, ModHash}: Mod is absent for stock, Mods holds
 * the other `mm` entries. */
static int decode_game_info(struct json_object *so, struct bzcc_session *s)
{
	struct json_object *game = NULL, *mods = NULL;
	struct buf mm = BUF_INIT;
	const char *str;
	size_t len, i, n;
	enum bzcc_field f = bzcc_get_obj(so, "Game", &game);

	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK) {
		f = bzcc_get_str(game, "Version", &str, &len);
		if (f == BZCC_FIELD_BAD)
			return -1;
		if (f == BZCC_FIELD_OK)
			s->version = bzcc_utf8_clean(str, len);
		f = bzcc_get_str(game, "ModHash", &str, &len);
		if (f == BZCC_FIELD_BAD)
			return -1;
		if (f == BZCC_FIELD_OK)
			s->mod_hash = bzcc_utf8_clean(str, len);
		f = bzcc_get_str(game, "Mod", &str, &len);
		if (f == BZCC_FIELD_BAD)
			return -1;
		buf_add(&mm, f == BZCC_FIELD_OK && len ? str : "0",
			f == BZCC_FIELD_OK && len ? strnlen(str, len) : 1);
		f = bzcc_get_array(game, "Mods", &mods);
		if (f == BZCC_FIELD_BAD)
			goto bad;
		n = f == BZCC_FIELD_OK ? json_object_array_length(mods) : 0;
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(mods, i);
			if (!e)
				continue;
			if (!json_object_is_type(e, json_type_string))
				goto bad;
			buf_addch(&mm, ';');
			buf_addstr(&mm, json_object_get_string(e));
		}
	}
	bzcc_session_set_mods(s, mm.data, mm.len);
	buf_release(&mm);
	return 0;
bad:
	buf_release(&mm);
	return -1;
}

static int decode_player(struct json_object *po, struct bzcc_player *p)
{
	struct json_object *ids = NULL, *o, *stats = NULL;
	const char *str, *bzr = NULL, *steam = NULL, *gog_raw = NULL, *gog = NULL;
	size_t len;
	enum bzcc_field f;

	f = bzcc_get_str(po, "Name", &str, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	p->name = f == BZCC_FIELD_OK ? bzcc_utf8_clean_trim(str, len) : bzcc_xstrdup("");

	f = bzcc_get_obj(po, "IDs", &ids);
	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK) {
		o = NULL;
		if (bzcc_get_obj(ids, "Slot", &o) == BZCC_FIELD_BAD ||
		    bzcc_get_int(o, "ID", &p->slot) == BZCC_FIELD_BAD)
			return -1;
		o = NULL;
		if (bzcc_get_obj(ids, "BZRNet", &o) == BZCC_FIELD_BAD ||
		    bzcc_get_str(o, "ID", &bzr, NULL) == BZCC_FIELD_BAD)
			return -1;
		o = NULL;
		if (bzcc_get_obj(ids, "Steam", &o) == BZCC_FIELD_BAD ||
		    bzcc_get_str(o, "ID", &steam, NULL) == BZCC_FIELD_BAD)
			return -1;
		o = NULL;
		if (bzcc_get_obj(ids, "Gog", &o) == BZCC_FIELD_BAD ||
		    bzcc_get_str(o, "Raw", &gog_raw, NULL) == BZCC_FIELD_BAD ||
		    bzcc_get_str(o, "ID", &gog, NULL) == BZCC_FIELD_BAD)
			return -1;
	}
	if (bzr) {
		bzcc_player_set_platform(p, bzr);
	} else if (steam || gog_raw) {
		struct buf b = BUF_INIT;
		buf_addch(&b, steam ? 'S' : 'G');
		buf_addstr(&b, steam ? steam : gog_raw);
		bzcc_player_set_platform(p, b.data);
		buf_release(&b);
	} else {
		bzcc_player_set_platform(p, NULL);
		if (gog) {
			free(p->provider);
			free(p->external_id);
			p->provider = bzcc_xstrdup("gog");
			p->external_id = bzcc_utf8_clean(gog, strlen(gog));
		}
	}

	f = bzcc_get_obj(po, "Stats", &stats);
	if (f == BZCC_FIELD_BAD)
		return -1;
	if (bzcc_get_int(stats, "Kills", &p->kills) == BZCC_FIELD_BAD ||
	    bzcc_get_int(stats, "Deaths", &p->deaths) == BZCC_FIELD_BAD ||
	    bzcc_get_int(stats, "Score", &p->score) == BZCC_FIELD_BAD)
		return -1;
	return 0;
}

/* The session's `Players` list (MSL API 1.0). */
static int decode_players(struct json_object *so, struct bzcc_session *s)
{
	return bzcc_decode_players(so, "Players", s, decode_player);
}

static enum bzcc_state msl_state(const char *st)
{
	if (!st)
		return BZCC_STATE_UNKNOWN;
	if (!strcmp(st, "PreGame"))
		return BZCC_STATE_PRE_GAME;
	if (!strcmp(st, "InGame"))
		return BZCC_STATE_IN_GAME;
	if (!strcmp(st, "PostGame"))
		return BZCC_STATE_POST_GAME;
	return BZCC_STATE_UNKNOWN;
}

/* Read an int that must be >= 0; negative counts as absent. 0 or -1 (bad). */
static int get_count(struct json_object *o, const char *key, int *dst)
{
	int v;
	enum bzcc_field f = bzcc_get_int(o, key, &v);

	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK && v >= 0)
		*dst = v;
	return 0;
}

/* Status, Attributes, Address (minus NAT), Time and PlayerTypes. */
static int decode_misc(struct json_object *so, struct bzcc_session *s)
{
	struct json_object *o = NULL;
	const char *state = NULL, *ctx = NULL, *nat_type = NULL;
	bool flag = false;
	int v, seconds = -1;
	size_t i, n;

	if (bzcc_get_obj(so, "Status", &o) == BZCC_FIELD_BAD)
		return -1;
	if (bzcc_get_flag(o, "IsLocked", &flag) == BZCC_FIELD_BAD)
		return -1;
	s->locked = flag;
	flag = false;
	if (bzcc_get_flag(o, "HasPassword", &flag) == BZCC_FIELD_BAD)
		return -1;
	s->password = flag;
	if (bzcc_get_str(o, "State", &state, NULL) == BZCC_FIELD_BAD)
		return -1;

	o = NULL;
	if (bzcc_get_obj(so, "Attributes", &o) == BZCC_FIELD_BAD)
		return -1;
	if (get_count(o, "TPS", &s->tps) || get_count(o, "MaxPing", &s->max_ping) ||
	    get_count(o, "MaxPingSeen", &s->worst_ping))
		return -1;

	o = NULL;
	if (bzcc_get_obj(so, "Address", &o) == BZCC_FIELD_BAD ||
	    bzcc_get_str(o, "NAT_TYPE", &nat_type, NULL) == BZCC_FIELD_BAD)
		return -1;
	if (nat_type)
		s->nat_type = bzcc_nat_type_code(nat_type);

	o = NULL;
	flag = false;
	if (bzcc_get_obj(so, "Time", &o) == BZCC_FIELD_BAD ||
	    bzcc_get_int(o, "Seconds", &seconds) == BZCC_FIELD_BAD ||
	    bzcc_get_flag(o, "Max", &flag) == BZCC_FIELD_BAD ||
	    bzcc_get_str(o, "Context", &ctx, NULL) == BZCC_FIELD_BAD)
		return -1;
	if (seconds >= 0)
		s->minutes_in_state = seconds / 60;
	s->time_saturated = flag;
	s->state = msl_state(state ? state : ctx);

	o = NULL;
	if (bzcc_get_array(so, "PlayerTypes", &o) == BZCC_FIELD_BAD)
		return -1;
	n = o ? json_object_array_length(o) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(o, i);
		enum bzcc_field f;
		if (!e)
			continue;
		if (!json_object_is_type(e, json_type_object))
			return -1;
		f = bzcc_get_int(e, "Max", &v);
		if (f == BZCC_FIELD_BAD)
			return -1;
		if (f == BZCC_FIELD_OK && v >= 0) {
			s->max_players = v;
			break;
		}
	}
	return 0;
}

/* Identity: NAT id from Address.NAT, else the part of ID after its last
 * ':'; source from Attributes.ListServer, else the part of ID before it. */
static int decode_identity(struct json_object *so, struct bzcc_session *s)
{
	struct json_object *addr = NULL, *attr = NULL;
	const char *id = NULL, *nat = NULL, *src = NULL, *colon = NULL;
	size_t id_len = 0, nat_len = 0;
	char *nat_copy, *src_copy = NULL;
	uint64_t guid;
	int rc = -1;

	if (bzcc_get_str(so, "ID", &id, &id_len) == BZCC_FIELD_BAD ||
	    bzcc_get_obj(so, "Address", &addr) == BZCC_FIELD_BAD ||
	    bzcc_get_str(addr, "NAT", &nat, &nat_len) == BZCC_FIELD_BAD ||
	    bzcc_get_obj(so, "Attributes", &attr) == BZCC_FIELD_BAD ||
	    bzcc_get_str(attr, "ListServer", &src, NULL) == BZCC_FIELD_BAD)
		return -1;
	if (id)
		colon = strrchr(id, ':');
	if (!nat && id) {
		nat = colon ? colon + 1 : id;
		nat_len = strlen(nat);
	}
	if (!nat || nat_len != strlen(nat))
		return -1;
	nat_copy = bzcc_xstrdup(nat);
	if (!src && colon)
		src = src_copy = bzcc_utf8_clean(id, (size_t)(colon - id));
	if (!bzcc_nat_decode(nat_copy, &guid)) {
		bzcc_session_set_identity(s, src, nat_copy, guid);
		rc = 0;
	}
	free(nat_copy);
	free(src_copy);
	return rc;
}

static int decode_session(struct json_object *so, struct bzcc_session *s)
{
	const char *str;
	size_t len;
	enum bzcc_field f;

	if (decode_identity(so, s))
		return -1;
	f = bzcc_get_str(so, "Name", &str, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK)
		s->name = bzcc_utf8_clean_trim(str, len);
	f = bzcc_get_str(so, "Message", &str, &len);
	if (f == BZCC_FIELD_BAD)
		return -1;
	if (f == BZCC_FIELD_OK)
		s->motd = bzcc_utf8_clean(str, len);
	if (decode_game_info(so, s) || decode_level(so, s) ||
	    decode_misc(so, s) || decode_players(so, s))
		return -1;
	bzcc_session_finish(s, false);
	return 0;
}

/* --- metadata (docs/bzcc-format.md 9, "Metadata") --- */

/* A picture URL worth keeping: absolute http(s), not a placeholder. */
static struct json_object *image_or_null(struct json_object *o, const char *key)
{
	const char *v = NULL;
	if (bzcc_get_str(o, key, &v, NULL) != BZCC_FIELD_OK || !url_is_http(v) ||
	    bzcc_image_value_missing(v))
		return NULL;
	return json_object_new_string(v);
}

static struct json_object *text_or_null(struct json_object *o, const char *key)
{
	const char *v = NULL;
	size_t n = 0;
	char *t;
	struct json_object *r;
	if (bzcc_get_str(o, key, &v, &n) != BZCC_FIELD_OK)
		return NULL;
	t = bzcc_text_display(bzcc_utf8_clean_trim(v, n), true);
	r = *t ? json_object_new_string(t) : NULL;
	free(t);
	return r;
}

/* Sanitized HTML of a plain-text description (CRLF kept), or NULL. */
static struct json_object *description_or_null(struct json_object *o, const char *key)
{
	const char *v = NULL;
	size_t n = 0;
	struct buf b = BUF_INIT;
	struct json_object *r = NULL;
	if (bzcc_get_str(o, key, &v, &n) != BZCC_FIELD_OK || !n)
		return NULL;
	if (sanitize_html(v, n, &b) == 0 && b.len)
		r = json_object_new_string_len(b.data, (int)b.len);
	buf_release(&b);
	return r;
}

static bool listed(struct json_object *arr, const char *key, const char *value)
{
	size_t i;
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *v;
		if (json_object_object_get_ex(json_object_array_get_idx(arr, i), key, &v) &&
		    !strcmp(json_object_get_string(v), value))
			return true;
	}
	return false;
}

/* The map facts of one session's Level and Teams (first session per map
 * key wins). Team names count when both are given and are not the
 * defaults "Team 1" / "Team 2". */
static void meta_map(struct json_object *maps, struct json_object *so, const char *map_key)
{
	struct json_object *level = NULL, *teams = NULL, *m, *t1 = NULL, *t2 = NULL, *names = NULL;
	if (!map_key || !*map_key || listed(maps, "key", map_key) ||
	    bzcc_get_obj(so, "Level", &level) != BZCC_FIELD_OK)
		return;
	m = json_object_new_object();
	json_object_object_add(m, "key", json_object_new_string(map_key));
	json_object_object_add(m, "title", text_or_null(level, "Name"));
	json_object_object_add(m, "description", description_or_null(level, "Description"));
	json_object_object_add(m, "image_url", image_or_null(level, "Image"));
	if (bzcc_get_obj(so, "Teams", &teams) == BZCC_FIELD_OK) {
		struct json_object *a = NULL, *b = NULL;
		bzcc_get_obj(teams, "1", &a);
		bzcc_get_obj(teams, "2", &b);
		t1 = text_or_null(a, "Name");
		t2 = text_or_null(b, "Name");
		if (t1 && t2 && !(!strcmp(json_object_get_string(t1), "Team 1") &&
				  !strcmp(json_object_get_string(t2), "Team 2"))) {
			names = json_object_new_array();
			json_object_array_add(names, t1);
			json_object_array_add(names, t2);
			t1 = t2 = NULL;
		}
		json_object_put(t1);
		json_object_put(t2);
	}
	json_object_object_add(m, "team_names", names);
	json_object_array_add(maps, m);
}

/* Top-level Mods {id: {Name, Image, Url}}. */
static void meta_mods(struct json_object *root, struct json_object *out)
{
	struct json_object *mods = NULL;
	if (bzcc_get_obj(root, "Mods", &mods) != BZCC_FIELD_OK)
		return;
	json_object_object_foreach(mods, id, m) {
		struct json_object *r;
		if (!*id || strlen(id) > 64 || !json_object_is_type(m, json_type_object))
			continue;
		r = json_object_new_object();
		json_object_object_add(r, "id", json_object_new_string(id));
		json_object_object_add(r, "name", text_or_null(m, "Name"));
		json_object_object_add(r, "image_url", image_or_null(m, "Image"));
		json_object_object_add(r, "url", image_or_null(m, "Url"));
		json_object_array_add(out, r);
	}
}

/* DataCache.Players.IDs.{Steam,Gog} {id: {Nickname|Username, AvatarUrl,
 * ProfileUrl}}. */
static void meta_profiles(struct json_object *root, struct json_object *out)
{
	static const struct { const char *key, *provider, *name; } kinds[] = {
		{ "Steam", "steam", "Nickname" }, { "Gog", "gog", "Username" },
	};
	struct json_object *o = NULL;
	size_t k;
	if (bzcc_get_obj(root, "DataCache", &o) != BZCC_FIELD_OK ||
	    bzcc_get_obj(o, "Players", &o) != BZCC_FIELD_OK ||
	    bzcc_get_obj(o, "IDs", &o) != BZCC_FIELD_OK)
		return;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		struct json_object *ids = NULL;
		if (bzcc_get_obj(o, kinds[k].key, &ids) != BZCC_FIELD_OK)
			continue;
		json_object_object_foreach(ids, id, p) {
			struct json_object *r;
			size_t n = strlen(id);
			if (!n || n > 20 || strspn(id, "0123456789") != n ||
			    !json_object_is_type(p, json_type_object))
				continue;
			r = json_object_new_object();
			json_object_object_add(r, "provider", json_object_new_string(kinds[k].provider));
			json_object_object_add(r, "external_id", json_object_new_string(id));
			json_object_object_add(r, "nickname", text_or_null(p, kinds[k].name));
			json_object_object_add(r, "avatar_url", image_or_null(p, "AvatarUrl"));
			json_object_object_add(r, "profile_url", image_or_null(p, "ProfileUrl"));
			json_object_array_add(out, r);
		}
	}
}

int bzcc_decode_msl(struct json_object *root, struct bzcc_lobby *out,
		    char *err, size_t errlen)
{
	struct json_object *maps, *mods, *profiles, *md = NULL;
	struct json_object *arr = NULL;
	size_t i, n;

	if (bzcc_get_array(root, "Sessions", &arr) != BZCC_FIELD_OK) {
		if (err && errlen)
			snprintf(err, errlen, "`Sessions` is not an array");
		return -1;
	}
	out->kind = BZCC_KIND_MSL_V1;
	if (bzcc_get_obj(root, "Metadata", &md) == BZCC_FIELD_OK)
		bzcc_read_list_status(md, "ListServer", "Status", "Success", "Timestamp", out);
	maps = json_object_new_array();
	mods = json_object_new_array();
	profiles = json_object_new_array();
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *so = json_object_array_get_idx(arr, i);
		struct bzcc_session s;

		if (!so || !json_object_is_type(so, json_type_object)) {
			out->skipped++;
			continue;
		}
		bzcc_session_init(&s);
		if (decode_session(so, &s)) {
			bzcc_session_release(&s);
			out->skipped++;
			continue;
		}
		meta_map(maps, so, s.map_key);
		bzcc_lobby_append(out, &s);
	}
	meta_mods(root, mods);
	meta_profiles(root, profiles);
	out->meta = json_object_new_object();
	json_object_object_add(out->meta, "maps", maps);
	json_object_object_add(out->meta, "mods", mods);
	json_object_object_add(out->meta, "profiles", profiles);
	return 0;
}
