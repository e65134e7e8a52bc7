/* mohaa.h: MOHAA (OpenMOHAA) match telemetry, pure code (no I/O, no clock,
 * no globals that change): the three ingest body shapes, the one event
 * model both event-name generations map to, the corrections the original
 * system lacked, match and round decisions, and the 23 achievements.
 *
 * Format reference: modules/mohaa/README.md (our summary of the team's
 * FORMAT.md research note, which names the upstream repositories:
 * MOHCentral/opm-stats-system @ 6d702e0 "SYS0" for the original tracker.scr
 * and Go API, opm-stats-api @ c266353 and opm-stats-game-scripts @ e7f389a
 * for the later JSON format, openmoh/openmohaa @ 44ce059 for the engine's
 * weapon, means-of-death and hit-location lists).
 *
 * Strings in every struct here are UTF-8, NUL-terminated and owned by the
 * struct (freed by its *_free function) unless the comment says "static"
 * (a catalog constant that lives for the whole program).
 */
#ifndef GW_MOHAA_H
#define GW_MOHAA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct buf;

/* ---- limits ------------------------------------------------------------- */

#define MOHAA_MAX_BODY (1024u * 1024u) /* bytes of one ingest body (the later API's MaxBodySize) */
#define MOHAA_MAX_EVENTS 5000          /* events in one body (more: 413) */
#define MOHAA_MAX_FIELDS 96            /* fields kept per event (more are dropped) */
#define MOHAA_MAX_KEY 64               /* bytes of a field name (longer: the field is dropped) */
#define MOHAA_MAX_VALUE 2048           /* bytes of a value (longer: cut at a UTF-8 boundary) */
#define MOHAA_MAX_NAME 64              /* bytes of a cleaned player name */
#define MOHAA_ID_MAX 80                /* bytes of a player key, NUL included */

/* Unix time of 2020-01-01T00:00:00Z: a `timestamp` below it is game time
 * (seconds since the map loaded), as the later API decides
 * (opm-stats-api internal/worker/pool.go, minValidUnixTimestamp). */
#define MOHAA_MIN_UNIX_TS 1577836800.0

/* ---- body shapes (parse.c) ------------------------------------------------ */

enum mohaa_shape {
	MOHAA_SHAPE_FORM = 1,    /* one original key=value&... event (values not URL-encoded) */
	MOHAA_SHAPE_OBJECT,      /* one JSON object (the original API accepted it too) */
	MOHAA_SHAPE_LINES,       /* several newline-separated events, each form or JSON object */
	MOHAA_SHAPE_ARRAY,       /* the later JSON array of event objects */
};

struct mohaa_field {
	char *key;   /* as sent (UTF-8) */
	char *value; /* as sent, percent-decoded only when the whole event was
		      * consistently encoded; invalid UTF-8 read as Latin-1 */
};

/* One event as sent: its fields, before any correction. */
struct mohaa_raw {
	struct mohaa_field *f;
	size_t n, cap;
	size_t off, len;          /* its bytes in the body: the raw line kept for replay */
	bool json;                /* a JSON object (else a form line) */
};

/* A parsed body: every event in order. */
struct mohaa_body {
	enum mohaa_shape shape;
	struct mohaa_raw *ev;
	size_t n, cap;
};

/* Parse an ingest body of `len` bytes (the shape is told by the bytes, not
 * the Content-Type: after trailing whitespace and trailing NUL bytes are cut,
 * a body starting with '[' is a JSON array, anything else is one or more
 * lines, each a JSON object when it starts with '{' and a form event
 * otherwise). Fills `out` (zeroed by the caller; release with
 * mohaa_body_free even on failure). Returns 0, or an HTTP status with the
 * reason in `err`: 400 (NUL byte inside the body, malformed or truncated
 * JSON, not an array of objects, empty body), 413 (over MOHAA_MAX_BODY bytes
 * or MOHAA_MAX_EVENTS events). On failure `out` holds no events. Unknown
 * event types are not an error here (see mohaa_event_from_raw). */
int mohaa_body_parse(const char *data, size_t len, struct mohaa_body *out, char *err,
		     size_t errlen);

/* The three parsers mohaa_body_parse dispatches to, exposed for the unit
 * tests and the fuzz targets. Each appends to `out` (events keep `off`
 * relative to `s` plus `base`) and returns 0, 400 or 413 as above. */
int mohaa_parse_form(const char *s, size_t len, size_t base, struct mohaa_body *out,
		     char *err, size_t errlen);
int mohaa_parse_lines(const char *s, size_t len, struct mohaa_body *out, char *err,
		      size_t errlen);
int mohaa_parse_array(const char *s, size_t len, struct mohaa_body *out, char *err,
		      size_t errlen);

void mohaa_body_free(struct mohaa_body *b);

/* Give r the field key=value when it has no non-empty `key` (the
 * match-result route's events are match_end unless they say otherwise). */
void mohaa_raw_default(struct mohaa_raw *r, const char *key, const char *value);

/* The value of field `key` of `r` (the first one; for server_token the
 * last, which send_to_api appends after any text), or NULL. Borrowed. */
const char *mohaa_raw_get(const struct mohaa_raw *r, const char *key);

/* ---- catalog (catalog.c): the engine's lists ---------------------------- */

enum mohaa_type {
	MOHAA_EV_UNKNOWN = 0,
	MOHAA_EV_MATCH_START, MOHAA_EV_MATCH_END, MOHAA_EV_ROUND_START, MOHAA_EV_ROUND_END,
	MOHAA_EV_HEARTBEAT,
	MOHAA_EV_KILL, MOHAA_EV_DEATH, MOHAA_EV_DAMAGE, MOHAA_EV_WEAPON_FIRE, MOHAA_EV_WEAPON_HIT,
	MOHAA_EV_HEADSHOT, MOHAA_EV_RELOAD, MOHAA_EV_RELOAD_DONE, MOHAA_EV_WEAPON_CHANGE,
	MOHAA_EV_GRENADE_THROW, MOHAA_EV_GRENADE_EXPLODE,
	MOHAA_EV_JUMP, MOHAA_EV_LAND, MOHAA_EV_CROUCH, MOHAA_EV_PRONE, MOHAA_EV_DISTANCE,
	MOHAA_EV_LADDER_MOUNT, MOHAA_EV_LADDER_DISMOUNT, MOHAA_EV_ITEM_PICKUP, MOHAA_EV_ITEM_DROP,
	MOHAA_EV_USE,
	MOHAA_EV_CONNECT, MOHAA_EV_DISCONNECT, MOHAA_EV_SPAWN, MOHAA_EV_TEAM_CHANGE, MOHAA_EV_CHAT,
	MOHAA_EV_PLAYER_AUTH, MOHAA_EV_IDENTITY_CLAIM,
	MOHAA_EV_VOTE_START, MOHAA_EV_OBJECTIVE_CAPTURE, MOHAA_EV_BOT_KILLED,
	MOHAA_EV_COUNT
};

/* What a sent type name means: the canonical type, and flags the later
 * names carry (player_suicide, player_teamkill are kills). */
#define MOHAA_NAME_LATER    1u /* a later-generation name (player_kill, client_begin, ...) */
#define MOHAA_NAME_SUICIDE  2u
#define MOHAA_NAME_TEAMKILL 4u

/* Look a sent type name up (case-sensitive, as both generations send lower
 * case). Returns the type and sets *flags (may be NULL), or
 * MOHAA_EV_UNKNOWN. Both `kill` and `player_kill` are MOHAA_EV_KILL. */
enum mohaa_type mohaa_type_lookup(const char *name, unsigned *flags);

/* The canonical name of a type ("kill"); "unknown" for out-of-range. Static. */
const char *mohaa_type_name(enum mohaa_type t);

/* Is `key` a field the sender of type `t` may send (the original tracker's
 * fields of that type, the later per-player `_smf_id`/`_stance`, and the
 * transport fields)? Used to split unencoded form bodies. */
bool mohaa_type_has_key(enum mohaa_type t, const char *key, size_t klen);

/* Weapon classes of the engine's item list. */
enum mohaa_wclass {
	MOHAA_WC_NONE = 0, MOHAA_WC_ITEM, MOHAA_WC_PISTOL, MOHAA_WC_RIFLE, MOHAA_WC_SMG,
	MOHAA_WC_MG, MOHAA_WC_GRENADE, MOHAA_WC_HEAVY,
};

struct mohaa_weapon {
	const char *id;           /* our key: the view-model prefix, lower case ("garand") */
	const char *display;      /* the engine's display name ("M1 Garand") */
	enum mohaa_wclass wclass;
	bool base_game;           /* listed before Team Assault (Allied Assault itself) */
};

/* Resolve a weapon as sent: the display name, the view-model prefix or the
 * simulator's ids (m1_garand, stg44, ...), case-insensitive; a leading
 * "weapon_"/"models/weapons/" and a trailing ".tik" are ignored. NULL when
 * unknown. Static result. */
const struct mohaa_weapon *mohaa_weapon_lookup(const char *s);

/* Every weapon of the list, for pages and tests; sets *n. Static. */
const struct mohaa_weapon *mohaa_weapons(size_t *n);

/* The class's name ("rifle"), "" for none. Static. */
const char *mohaa_wclass_name(enum mohaa_wclass c);

struct mohaa_mod {
	int index;                /* 0..29 as in bg_public.h */
	const char *name;         /* the script string ("fast_bullet") */
	const char *enum_name;    /* "MOD_FAST_BULLET" */
};

/* Resolve a means of death: its index ("19"), enum name or string,
 * case-insensitive. NULL when unknown. Static result. */
const struct mohaa_mod *mohaa_mod_lookup(const char *s);

/* Hit locations: index -2..18; -2 and -1 are none/miss. */
#define MOHAA_HITLOC_NONE (-1)
#define MOHAA_HITLOC_HEAD 0
#define MOHAA_HITLOC_HELMET 1
#define MOHAA_HITLOC_COUNT 19

/* Resolve a hit location sent as an index or a display string ("upper
 * torso", also "upper_torso"), case-insensitive. Returns 0..18, or
 * MOHAA_HITLOC_NONE for none, miss, empty or unknown (*known false only for
 * unknown text; may be NULL). */
int mohaa_hitloc_lookup(const char *s, bool *known);

/* The display string of a location 0..18 ("head"); NULL otherwise. Static. */
const char *mohaa_hitloc_name(int loc);

/* The community name of a map path ("obj/obj_team2" -> "V2 Rocket Facility"),
 * case-insensitive; NULL when unknown. Static. */
const char *mohaa_map_friendly(const char *map_path);

/* ---- the event model (event.c) -------------------------------------------- */

enum mohaa_idkind {
	MOHAA_ID_NONE = 0, /* no player (absent, empty) */
	MOHAA_ID_WORLD,    /* the world (falling, map hazards) */
	MOHAA_ID_SMF,      /* "smf:<forum member id>" from *_member_id / *_smf_id */
	MOHAA_ID_GUID,     /* a real game id, kept as an opaque string */
	MOHAA_ID_NAME,     /* "name:<clean name>": the sender's *_guid held a team,
			    * "world" with a name, or the slot-local unauth_N */
};

struct mohaa_who {
	enum mohaa_idkind kind;
	char id[MOHAA_ID_MAX];   /* player key; "" for NONE and WORLD */
	char *name;              /* colour codes ^0..^9 stripped, trimmed; NULL when absent */
	const char *team;        /* static: "allies", "axis", "spectator", "freeforall", or NULL */
	bool has_pos;
	double x, y, z;          /* world units */
	bool has_angles;
	double pitch, yaw;       /* degrees */
};

#define MOHAA_F_SUICIDE   1u  /* killer and victim are the same player, MOD suicide, or player_suicide */
#define MOHAA_F_TEAMKILL  2u  /* same team (allies/axis), or player_teamkill */
#define MOHAA_F_WORLD     4u  /* killed or hurt by the world */
#define MOHAA_F_HEADSHOT  8u  /* hit location head or helmet, or a headshot event */
#define MOHAA_F_WEAPON_WAS_MOD 16u /* `weapon` held a means of death (kill, damage) */

struct mohaa_event {
	enum mohaa_type type;
	char *type_sent;         /* the name as sent ("player_kill") */
	unsigned name_flags;     /* MOHAA_NAME_* of the sent name */
	unsigned flags;          /* MOHAA_F_* */
	char *match_ref;         /* match_id as sent, "" when absent or "no_match" */
	char *session_ref;       /* session_id as sent, "" when absent */
	bool game_time_valid;    /* `timestamp` was game time (below MOHAA_MIN_UNIX_TS) */
	double game_time;        /* seconds since the map loaded (when game_time_valid) */
	int64_t client_unix_ms;  /* `timestamp` as Unix time in ms, 0 when it was game time */
	struct mohaa_who actor;  /* who acted: attacker, shooter (headshot too), or the player */
	struct mohaa_who target; /* who was acted on: victim, hit target */
	const struct mohaa_weapon *weapon; /* static, NULL when not sent or unknown */
	char *weapon_sent;       /* the weapon text as sent, NULL when absent */
	const struct mohaa_mod *mod;       /* static, NULL when unknown */
	int hitloc;              /* 0..18, or MOHAA_HITLOC_NONE */
	int damage;              /* hit points (damage events), 0 otherwise */
	int round_number;        /* heartbeat, round_*, match_end (total_rounds); -1 when absent */
	int allies_score, axis_score; /* -1 when absent */
	int player_count;        /* heartbeat; -1 when absent */
	char *map_name;          /* match_start, heartbeat; NULL when absent */
	char *gametype;          /* match_start; NULL when absent */
	const char *winning_team; /* static "allies"/"axis"/"draw", NULL when absent or other */
	struct json_object *extra; /* every other field as sent (string values), owned */
};

/* Turn one raw event into the model, applying the corrections of
 * modules/mohaa/README.md, "Corrections": both name generations; `timestamp` as
 * game or Unix time; *_guid holding a team or "world" (identity then comes
 * from the forum id or the name); `weapon` holding a means of death on kill
 * and damage; hitloc as index or name; the headshot event's shooter in
 * player_* (the original lost it); world kills; suicides and team kills.
 * Returns 0, or -1 with `err` naming the problem: "unknown event type
 * \"x\"", "missing field \"type\"", "missing field \"victim_name\"" (each
 * type's required fields), or "field \"timestamp\" is not a number".
 * `ev` is zeroed here; release it with mohaa_event_free (also after -1). */
int mohaa_event_from_raw(const struct mohaa_raw *raw, struct mohaa_event *ev, char *err,
			 size_t errlen);

void mohaa_event_free(struct mohaa_event *ev);

/* The rule both the ingest route and the job apply to decide whether an
 * event of a body is accepted: with default_type NULL, exactly
 * mohaa_event_from_raw; with a default type (the match-result route's
 * "match_end"), events that name no type get it and must carry match_id.
 * May add the type field to raw. Same returns as mohaa_event_from_raw. */
int mohaa_event_accept(struct mohaa_raw *raw, const char *default_type, struct mohaa_event *ev,
		       char *err, size_t errlen);

/* Strip colour codes (^ followed by a digit), control bytes and outer
 * spaces from `s` into `out` (replacing its contents), at most
 * MOHAA_MAX_NAME bytes cut at a UTF-8 boundary. */
void mohaa_clean_name(const char *s, struct buf *out);

/* Validate UTF-8; when `len` bytes of `s` are not valid UTF-8 they are read
 * as Latin-1 (the engine sends the player's bytes). Appends to `out`. NUL
 * bytes become U+FFFD. */
void mohaa_utf8_fix(const char *s, size_t len, struct buf *out);

/* When did the event happen, in Unix ms? A Unix `timestamp` is taken as
 * is, unless it is more than a day after `received_ms` (then received_ms).
 * Game time is anchored on the request: events of one body were sent
 * together, so the one with the largest game time (`max_game_time`) is
 * placed at received_ms and the others before it by their difference. */
int64_t mohaa_occurred_ms(const struct mohaa_event *ev, int64_t received_ms,
			  double max_game_time);

/* Could a kill or damage whose means of death is `mod` have been made with
 * `w` (bullet with a firearm, grenade with a grenade, rocket with a heavy
 * weapon, shotgun with the shotgun, bash with anything held)? Used to name
 * the weapon of a kill the original reported by its means of death only,
 * from the killer's last weapon_fire/weapon_change/reload in the match. */
bool mohaa_weapon_fits_mod(const struct mohaa_weapon *w, const struct mohaa_mod *mod);

/* ---- matches and rounds (derive.c) -------------------------------------- */

/* What the job knows of a server's open match. */
struct mohaa_match_state {
	const char *ref;          /* match_id as first sent ("" when unknown) */
	const char *map_name;     /* NULL when unknown */
	int64_t last_ms;          /* when its last event happened */
	int round;                /* current round, 0 before the first */
};

#define MOHAA_MATCH_OPEN_NEW   1u /* close the open match (if any) and open a new one before the event */
#define MOHAA_MATCH_CLOSE      2u /* close the match after applying the event */
#define MOHAA_MATCH_ATTACH     4u /* the event belongs to the (possibly new) open match */
#define MOHAA_MATCH_NEW_ROUND  8u /* the round advances to the event's round_number (or +1) */

/* Decide what one event does to its server's matches, in event order.
 * `open` is the server's open match, or NULL; `idle_ms` is how long
 * without events a match stays open (the tracker never sends match_end:
 * a new match_start, a different match_id or map, or silence ends it).
 * Events without a match_id (or "no_match") join the open match, or none. */
unsigned mohaa_match_decide(const struct mohaa_match_state *open, const struct mohaa_event *ev,
			    int64_t occurred_ms, int64_t idle_ms);

/* ---- achievements (achieve.c) --------------------------------------------- */

enum mohaa_metric {
	MOHAA_M_KILLS = 1, MOHAA_M_HEADSHOTS, MOHAA_M_BEST_STREAK, MOHAA_M_WEAPON_KILLS,
	MOHAA_M_TOURNAMENT_WINS, MOHAA_M_TOURNAMENT_TOP3, MOHAA_M_TOURNAMENTS,
	MOHAA_M_MATCHES, MOHAA_M_PLAYTIME_HOURS,
};

struct mohaa_achievement {
	const char *id;           /* "KILL_100" as in the original seed */
	const char *name, *description, *category;
	int points;
	enum mohaa_metric metric;
	int64_t threshold;        /* met when the metric is >= threshold */
	const char *weapon;       /* MOHAA_M_WEAPON_KILLS: the weapon id ("garand") */
};

/* A player's progress, as the job keeps it. */
struct mohaa_progress {
	int64_t kills, headshots, best_streak, matches, playtime_s;
	int64_t tournaments, tournament_wins, tournament_top3;
};

/* The 23 definitions of the original seed (opm_stats_achievements_original.csv),
 * each with the rule that grants it; sets *n. Static. */
const struct mohaa_achievement *mohaa_achievements(size_t *n);

/* The definition with this id, or NULL. Static. */
const struct mohaa_achievement *mohaa_achievement_find(const char *id);

/* Is `a` met by progress `p`? For weapon mastery, `weapon_kills` is the
 * player's kills with `weapon` (an id; other weapons never meet it).
 * Thresholds are "at least", so a counter that jumps past one (a batch of
 * kills) still unlocks it: the original's exact-match check missed those. */
bool mohaa_achievement_met(const struct mohaa_achievement *a, const struct mohaa_progress *p,
			   const char *weapon, int64_t weapon_kills);

/* Append to `out` (up to `max`) the achievements met by `after` and not by
 * `before` (both for the same player; weapon mastery uses weapon and the
 * kill counts before/after). Returns how many. */
size_t mohaa_achievements_crossed(const struct mohaa_progress *before,
				  const struct mohaa_progress *after, const char *weapon,
				  int64_t weapon_kills_before, int64_t weapon_kills_after,
				  const struct mohaa_achievement **out, size_t max);

/* The Monday (UTC) of the week holding Unix time `ms`, as "YYYY-MM-DD"
 * into out[16]: the key of the weekly leaderboard. */
void mohaa_week_start(int64_t ms, char out[16]);

/* Parse a date "YYYY-MM-DD" (strict) into Unix ms of its midnight UTC.
 * Returns 0, or -1 when it is not a valid date. */
int mohaa_parse_date(const char *s, int64_t *ms);

/* ---- heatmaps ----------------------------------------------------------- */

/* The 100-unit grid cell of a coordinate: round(v / 100) * 100, as the
 * original's kill_heatmap_mv; the cell of 0 is 0. */
int mohaa_heat_cell(double v);

#endif
