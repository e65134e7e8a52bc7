/* model.c: the normalized BZCC session model: derived fields (names, teams,
 * leaders, state; docs/bzcc-format.md 3 and 6), freeing, and the JSON view
 * of one session (docs/view-models.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "internal.h"

/* --- name tables --- */

static const char *const nat_type_names[] = {
	"NONE", "FULL CONE", "ADDRESS RESTRICTED", "PORT RESTRICTED",
	"SYMMETRIC", "UNKNOWN", "DETECTION IN PROGRESS", "SUPPORTS UPNP",
};
#define N_NAT_TYPES (sizeof(nat_type_names) / sizeof(nat_type_names[0]))

static const char *nat_type_name(int code)
{
	if (code < 0 || (size_t)code >= N_NAT_TYPES)
		return "";
	return nat_type_names[code];
}

int bzcc_nat_type_code(const char *name)
{
	size_t i;
	char *end;
	long v;

	if (!name)
		return -1;
	for (i = 0; i < N_NAT_TYPES; i++)
		if (!strcmp(name, nat_type_names[i]))
			return (int)i;
	/* MSL prints values outside the enum as "[n]". */
	if (name[0] == '[' && name[1] >= '0' && name[1] <= '9') {
		v = strtol(name + 1, &end, 10);
		if (end[0] == ']' && !end[1] && v <= 255)
			return (int)v;
	}
	return -1;
}

static const char *game_type_name(int gt)
{
	switch (gt) {
	case 0:
		return "All";
	case 1:
		return "Deathmatch";
	case 2:
		return "Strategy";
	default:
		return "Unknown";
	}
}

static bool is_team_dm_mode(int mode)
{
	return mode == BZCC_MODE_TEAM_DM || mode == BZCC_MODE_TEAM_KOTH ||
	       mode == BZCC_MODE_TEAM_CTF || mode == BZCC_MODE_TEAM_LOOT ||
	       mode == BZCC_MODE_TEAM_RACE;
}

/* Deathmatch names come from the ivar7 sub-type (detail & 0xFF), the team
 * flag from the mode, as MultiplayerSessionList does. */
static const char *dm_mode_name(int detail, bool teams)
{
	if (detail < 0)
		return "Unknown";
	switch (detail & 0xFF) {
	case 0:
	case 7: /* deathmatch, vehicle only */
		return teams ? "Team Deathmatch" : "Deathmatch";
	case 1:
		return teams ? "Team King of the Hill" : "King of the Hill";
	case 2:
		return teams ? "Team Capture the Flag" : "Capture the Flag";
	case 3:
		return teams ? "Team Loot" : "Loot";
	case 5:
	case 6: /* race, vehicle only */
		return teams ? "Team Race" : "Race";
	default:
		return "Unknown";
	}
}

static const char *mode_name(int gt, int mode, int detail)
{
	if (gt == 1 && mode >= 0)
		return dm_mode_name(detail, is_team_dm_mode(mode));
	if (gt == 2) {
		switch (mode) {
		case BZCC_MODE_TEAM_STRAT:
			return "Team Strategy";
		case BZCC_MODE_STRAT:
			return "Free-for-All";
		case BZCC_MODE_MPI:
			return "MPI";
		}
	}
	return "Unknown";
}

const char *bzcc_state_token(enum bzcc_state s)
{
	switch (s) {
	case BZCC_STATE_PRE_GAME:
		return "pre_game";
	case BZCC_STATE_IN_GAME:
		return "in_game";
	case BZCC_STATE_POST_GAME:
		return "post_game";
	default:
		return "unknown";
	}
}

const char *bzcc_state_label(enum bzcc_state s)
{
	switch (s) {
	case BZCC_STATE_PRE_GAME:
		return "Pre-game";
	case BZCC_STATE_IN_GAME:
		return "In game";
	case BZCC_STATE_POST_GAME:
		return "Post-game";
	default:
		return "Unknown";
	}
}

/* --- building and freeing --- */

void bzcc_session_init(struct bzcc_session *s)
{
	memset(s, 0, sizeof(*s));
	s->game_type = -1;
	s->gtd = -1;
	s->game_mode = -1;
	s->mode_detail = -1;
	s->server_info = -1;
	s->nat_type = -1;
	s->tps = -1;
	s->max_ping = -1;
	s->worst_ping = -1;
	s->minutes_in_state = -1;
	s->time_limit = -1;
	s->kill_limit = -1;
	s->vehicle_only = -1;
	s->state = BZCC_STATE_UNKNOWN;
}

void bzcc_player_release(struct bzcc_player *p)
{
	free(p->name);
	free(p->platform_id);
	free(p->provider);
	free(p->external_id);
	memset(p, 0, sizeof(*p));
}

void bzcc_session_release(struct bzcc_session *s)
{
	size_t i;

	free(s->id);
	free(s->source);
	free(s->nat_id);
	free(s->name);
	free(s->motd);
	free(s->map_file);
	free(s->map_key);
	free(s->mod_id);
	for (i = 0; i < s->n_mods; i++)
		free(s->mods[i]);
	free(s->mods);
	free(s->mod_hash);
	free(s->version);
	free(s->join_hex);
	for (i = 0; i < s->n_players; i++)
		bzcc_player_release(&s->players[i]);
	free(s->players);
	memset(s, 0, sizeof(*s));
}

void bzcc_lobby_free(struct bzcc_lobby *lobby)
{
	size_t i;

	if (!lobby)
		return;
	for (i = 0; i < lobby->n_sessions; i++)
		bzcc_session_release(&lobby->sessions[i]);
	free(lobby->sessions);
	if (lobby->meta)
		json_object_put(lobby->meta);
	memset(lobby, 0, sizeof(*lobby));
}

void bzcc_session_set_identity(struct bzcc_session *s, const char *source,
			       const char *nat, uint64_t guid)
{
	struct buf b = BUF_INIT;

	free(s->source);
	free(s->nat_id);
	free(s->id);
	if (!source || !*source)
		source = BZCC_DEFAULT_SOURCE;
	s->source = bzcc_utf8_clean(source, strlen(source));
	s->nat_id = bzcc_utf8_clean(nat, nat ? strlen(nat) : 0);
	s->guid = guid;
	snprintf(s->guid_hex, sizeof(s->guid_hex), "%016" PRIx64, guid);
	buf_addf(&b, "%s:%s", s->source, s->guid_hex);
	s->id = buf_detach(&b, NULL);
}

void bzcc_session_set_mods(struct bzcc_session *s, const char *mm, size_t len)
{
	size_t i, start = 0, n = 0, cap = 0;
	char **mods = NULL;

	for (i = 0; mm && i <= len; i++) {
		if (i < len && mm[i] != ';')
			continue;
		if (i > start) {
			if (n == cap) {
				cap = cap ? cap * 2 : 4;
				mods = bzcc_xreallocarray(mods, cap, sizeof(*mods));
			}
			mods[n++] = bzcc_utf8_clean(mm + start, i - start);
		}
		start = i + 1;
	}
	if (!n) {
		mods = bzcc_xreallocarray(mods, 1, sizeof(*mods));
		mods[n++] = bzcc_xstrdup("0");
	}
	for (i = 0; i < s->n_mods; i++)
		free(s->mods[i]);
	free(s->mods);
	free(s->mod_id);
	s->mods = mods;
	s->n_mods = n;
	s->mod_id = bzcc_xstrdup(mods[0]);
}

void bzcc_session_set_map(struct bzcc_session *s, const char *map, size_t n)
{
	struct buf b = BUF_INIT;
	const char *p;

	free(s->map_file);
	free(s->map_key);
	s->map_file = bzcc_utf8_clean(map, n);
	buf_addstr(&b, s->mod_id ? s->mod_id : "0");
	buf_addch(&b, ':');
	/* ASCII-only lower-casing: map names are ASCII, and this must not
	 * depend on the locale. */
	for (p = s->map_file; *p; p++)
		buf_addch(&b, (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p);
	s->map_key = buf_detach(&b, NULL);
}

void bzcc_player_set_platform(struct bzcc_player *p, const char *id)
{
	const char *digits;
	size_t n;
	uint64_t v = 0;
	int overflow = 0;
	char tmp[24];

	free(p->platform_id);
	free(p->provider);
	free(p->external_id);
	if (!id)
		id = "";
	p->platform_id = bzcc_utf8_clean(id, strlen(id));
	p->provider = NULL;
	p->external_id = NULL;

	/* A one-letter provider prefix, then the decimal id. */
	digits = *id ? id + 1 : id;
	n = strlen(digits);
	if (*id && n >= 1 && n <= 20 && strspn(digits, "0123456789") == n) {
		size_t i;
		for (i = 0; i < n; i++) {
			unsigned d = (unsigned)(digits[i] - '0');
			if (v > (UINT64_MAX - d) / 10)
				overflow = 1;
			v = v * 10 + d;
		}
		if (!overflow && id[0] == 'S') {
			p->provider = bzcc_xstrdup("steam");
			snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
			p->external_id = bzcc_xstrdup(tmp);
		} else if (!overflow && id[0] == 'G') {
			/* GOG Galaxy ids carry a type tag in the top byte. */
			p->provider = bzcc_xstrdup("gog");
			snprintf(tmp, sizeof(tmp), "%" PRIu64,
				 v & UINT64_C(0x00FFFFFFFFFFFFFF));
			p->external_id = bzcc_xstrdup(tmp);
		}
	}
	if (!p->provider)
		p->provider = bzcc_xstrdup("");
	if (!p->external_id)
		p->external_id = bzcc_xstrdup("");
}

static void fill(char **s)
{
	if (!*s)
		*s = bzcc_xstrdup("");
}

void bzcc_session_finish(struct bzcc_session *s, bool state_from_si)
{
	bool mpi = s->game_type == 2 && s->game_mode == BZCC_MODE_MPI;
	size_t i;

	s->game_type_name = game_type_name(s->game_type);
	s->game_mode_name = mode_name(s->game_type, s->game_mode, s->mode_detail);
	s->teams = (s->game_type == 1 && is_team_dm_mode(s->game_mode)) ||
		   (s->game_type == 2 && s->game_mode == BZCC_MODE_TEAM_STRAT);
	s->nat_type_name = s->nat_type < 0 ? "" : nat_type_name(s->nat_type);
	/* MSL sends its own flag (Time.Max); keep it when set. */
	s->time_saturated = s->time_saturated || s->minutes_in_state >= 255;

	if (state_from_si) {
		switch (s->server_info) {
		case 1:
		case 2:
			s->state = BZCC_STATE_PRE_GAME;
			/* MSL: stats mean the game has started whatever `si` says. */
			for (i = 0; i < s->n_players; i++) {
				const struct bzcc_player *p = &s->players[i];
				if (p->kills || p->deaths || p->score)
					s->state = BZCC_STATE_IN_GAME;
			}
			break;
		case 3:
		case 4:
			s->state = BZCC_STATE_IN_GAME;
			break;
		case 5:
			s->state = BZCC_STATE_POST_GAME;
			break;
		default:
			s->state = BZCC_STATE_UNKNOWN;
			break;
		}
	}

	/* rules: the deathmatch respawn rule and vehicle-only sub-types come
	 * from ivar7 (mode_detail), as MSL reads them; limits only when set */
	if (s->game_type == 1 && s->mode_detail >= 0) {
		int sub = s->mode_detail & 0xFF;
		s->respawn = (s->mode_detail & 256) ? "Race" : (s->mode_detail & 512) ? "Any" : "One";
		s->vehicle_only = sub == 6 || sub == 7;
	} else {
		s->respawn = NULL;
		s->vehicle_only = -1;
	}
	if (s->time_limit <= 0)
		s->time_limit = -1;
	if (s->kill_limit <= 0)
		s->kill_limit = -1;

	for (i = 0; i < s->n_players; i++) {
		struct bzcc_player *p = &s->players[i];
		p->position = (int)i;
		p->host = i == 0;
		p->team = 0;
		p->leader = false;
		p->hidden = false;
		if (p->slot < 1 || p->slot > 10) {
			p->slot = 0;
			p->hidden = true;
		} else if (s->teams) {
			p->team = p->slot <= 5 ? 1 : 2;
			p->leader = p->slot == 1 || p->slot == 6;
		} else if (mpi) {
			p->team = 1;
			p->leader = p->slot == 1;
		}
		fill(&p->name);
		bzcc_text_display(p->name, true);
		if (!p->platform_id)
			bzcc_player_set_platform(p, NULL);
	}

	fill(&s->name);
	fill(&s->motd);
	/* names and the message are shown as typed: no control characters,
	 * no bidi overrides (fault 6 of issue 9) */
	bzcc_text_display(s->name, true);
	bzcc_text_display(s->motd, true);
	fill(&s->mod_hash);
	fill(&s->version);
	if (!s->mod_id)
		bzcc_session_set_mods(s, NULL, 0);
	if (!s->map_file)
		bzcc_session_set_map(s, "", 0);
	/* The decoders always set the identity first; stay total anyway. */
	fill(&s->id);
	fill(&s->source);
	fill(&s->nat_id);

	/* the community dedicated-server bot (more ids: bzcc_lobby_apply_rules) */
	for (i = 0; i < s->n_players; i++)
		if (!strcmp(s->players[i].platform_id, BZCC_DEDICATED_BOT_ID))
			s->players[i].bot = true;
	s->dedicated = s->n_players && s->players[0].bot;
	free(s->join_hex);
	s->join_hex = bzcc_join_hex(s);
}

/* --- JSON view --- */

static struct json_object *int_or_null(int v)
{
	return v < 0 ? NULL : json_object_new_int(v);
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *player_to_json(const struct bzcc_player *p)
{
	struct json_object *o = json_object_new_object();

	add(o, "name", json_object_new_string(p->name ? p->name : ""));
	add(o, "platform_id", json_object_new_string(p->platform_id ? p->platform_id : ""));
	add(o, "provider", json_object_new_string(p->provider ? p->provider : ""));
	add(o, "external_id", json_object_new_string(p->external_id ? p->external_id : ""));
	add(o, "position", json_object_new_int(p->position));
	add(o, "slot", json_object_new_int(p->slot));
	add(o, "team", json_object_new_int(p->team));
	add(o, "leader", json_object_new_boolean(p->leader));
	add(o, "host", json_object_new_boolean(p->host));
	add(o, "hidden", json_object_new_boolean(p->hidden));
	add(o, "bot", json_object_new_boolean(p->bot));
	add(o, "kills", json_object_new_int(p->kills));
	add(o, "deaths", json_object_new_int(p->deaths));
	add(o, "score", json_object_new_int(p->score));
	return o;
}

static struct json_object *str(const char *s)
{
	return json_object_new_string(s ? s : "");
}

struct json_object *bzcc_session_to_json(const struct bzcc_session *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *map, *mod, *ids, *gt, *gm, *nt, *players, *rules, *join = NULL;
	const char *mod_id = s->mod_id ? s->mod_id : "0";
	size_t i, bots = 0;

	add(o, "id", str(s->id));
	add(o, "source", str(s->source));
	add(o, "nat_id", str(s->nat_id));
	add(o, "guid", json_object_new_string(s->guid_hex));
	add(o, "name", str(s->name));
	add(o, "motd", str(s->motd));

	map = json_object_new_object();
	add(map, "file", str(s->map_file));
	add(map, "key", str(s->map_key));
	add(o, "map", map);

	mod = json_object_new_object();
	add(mod, "id", str(mod_id));
	ids = json_object_new_array();
	for (i = 0; i < s->n_mods; i++)
		json_object_array_add(ids, str(s->mods[i]));
	add(mod, "ids", ids);
	add(mod, "hash", str(s->mod_hash));
	add(mod, "stock", json_object_new_boolean(!strcmp(mod_id, "0")));
	add(mod, "vsr", json_object_new_boolean(!strcmp(mod_id, BZCC_VSR_MOD_ID)));
	add(o, "mod", mod);

	add(o, "version", str(s->version));

	gt = json_object_new_object();
	add(gt, "code", int_or_null(s->game_type));
	add(gt, "name", str(s->game_type_name ? s->game_type_name : "Unknown"));
	add(o, "game_type", gt);

	gm = json_object_new_object();
	add(gm, "code", int_or_null(s->game_mode));
	add(gm, "name", str(s->game_mode_name ? s->game_mode_name : "Unknown"));
	add(gm, "detail", int_or_null(s->mode_detail));
	add(gm, "gtd", int_or_null(s->gtd));
	add(o, "game_mode", gm);

	add(o, "teams", json_object_new_boolean(s->teams));
	add(o, "state", json_object_new_string(bzcc_state_token(s->state)));
	add(o, "state_label", json_object_new_string(bzcc_state_label(s->state)));
	add(o, "server_info", int_or_null(s->server_info));

	nt = json_object_new_object();
	add(nt, "code", int_or_null(s->nat_type));
	add(nt, "name", str(s->nat_type_name));
	add(o, "nat_type", nt);

	add(o, "locked", json_object_new_boolean(s->locked));
	add(o, "password", json_object_new_boolean(s->password));
	add(o, "tps", int_or_null(s->tps));
	add(o, "max_ping", int_or_null(s->max_ping));
	add(o, "worst_ping", int_or_null(s->worst_ping));
	add(o, "minutes_in_state", int_or_null(s->minutes_in_state));
	add(o, "time_saturated", json_object_new_boolean(s->time_saturated));
	/* bots are not players: MSL subtracts the dedicated host from both */
	for (i = 0; i < s->n_players; i++)
		bots += s->players[i].bot;
	add(o, "player_count", json_object_new_int64((int64_t)(s->n_players - bots)));
	add(o, "max_players", json_object_new_int(s->dedicated && s->max_players > 0
						  ? s->max_players - 1 : s->max_players));
	add(o, "dedicated", json_object_new_boolean(s->dedicated));

	rules = json_object_new_object();
	add(rules, "time_limit", int_or_null(s->time_limit));
	add(rules, "kill_limit", int_or_null(s->kill_limit));
	add(rules, "respawn", s->respawn ? json_object_new_string(s->respawn) : NULL);
	add(rules, "vehicle_only", s->vehicle_only < 0 ? NULL
				   : json_object_new_boolean(s->vehicle_only));
	add(o, "rules", rules);

	if (s->join_hex) {
		struct buf page = BUF_INIT;
		char *url = bzcc_xcalloc(strlen(s->join_hex) + 64, 1);
		join = json_object_new_object();
		add(join, "hex", str(s->join_hex));
		bzcc_join_steam_url(s->join_hex, url, strlen(s->join_hex) + 64);
		add(join, "steam_url", str(url));
		/* the module's shareable page (route /bzcc/join/{hex}) */
		buf_addf(&page, "/bzcc/join/%s", s->join_hex);
		add(join, "page", str(page.data));
		buf_release(&page);
		free(url);
	}
	add(o, "join", join);

	players = json_object_new_array();
	for (i = 0; i < s->n_players; i++)
		json_object_array_add(players, player_to_json(&s->players[i]));
	add(o, "players", players);
	return o;
}

int bzcc_decode_players(struct json_object *obj, const char *key, struct bzcc_session *s,
			int (*decode_player)(struct json_object *, struct bzcc_player *))
{
	struct json_object *arr = NULL;
	size_t i, n, used = 0;
	enum bzcc_field f = bzcc_get_array(obj, key, &arr);

	if (f != BZCC_FIELD_OK)
		return f == BZCC_FIELD_BAD ? -1 : 0;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		if (!e)
			continue;
		if (!json_object_is_type(e, json_type_object))
			return -1;
		used++;
	}
	if (!used)
		return 0;
	s->players = bzcc_xcalloc(used, sizeof(*s->players));
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		if (!e)
			continue;
		/* count first so a failure leaves only initialised players */
		s->n_players++;
		if (decode_player(e, &s->players[s->n_players - 1]))
			return -1;
	}
	return 0;
}
