/* page.h: helpers shared by the pages and JSON resources of the live
 * lobby: query filters and the display-only keys pages add to the view
 * model (docs/view-models.md, keys marked "page"). */
#ifndef GW_PAGE_H
#define GW_PAGE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

struct req;

/* Filters of /api/v1/sessions/current and /. NULL / -1 = not filtering.
 * Strings are borrowed from the request. */
struct lobby_filter {
	const char *state;     /* pre_game, in_game, post_game, unknown */
	const char *mode;      /* game mode name, case-insensitive ("Team Strategy") */
	const char *mod;       /* primary mod id ("1325933293", "0") */
	const char *q;         /* case-insensitive substring of session, map or player names */
	const char *nat_type;  /* NAT type name ("FULL CONE") */
	int min_players;       /* at least this many players */
	bool vsr;              /* only sessions whose primary mod is VSR */
	const char *sort;      /* "players" (default), "recent", "name", "state"; static */
};

/* Read and validate the filter parameters (and vsr=0|1, sort=players|
 * recent|name|state). Empty values mean "any" / the default order.
 * Returns 0, or 400 with a one-line reason in err (unknown state or sort,
 * a min_players that is not an integer 0..255, a vsr other than 0 or 1, a
 * value over 100 bytes). */
int lobby_filter_parse(const struct req *r, struct lobby_filter *f, char *err, size_t errlen);

/* Does any filter, or an order other than the default, apply? */
bool lobby_filter_active(const struct lobby_filter *f);

/* A new document: `doc`'s keys (shared references), "sessions" replaced by
 * the matching sessions (shared references) in the requested order
 * ("players": most players first, then name, then id, as stored; "recent":
 * newest first_seen_at first; "name": case-insensitive name, then id;
 * "state": pre-game, in game, post-game, unknown, then most players), plus
 * "filters" (the values used, null when unused) and "matched" (count).
 * Caller puts the result. */
struct json_object *lobby_filter_apply(struct json_object *doc, const struct lobby_filter *f);

/* Add the page-only keys to one session object in place (the caller owns a
 * private copy): url, seconds_in_state and time_in_state (from state_since
 * and now_ms; "—" when unknown), team_groups (players grouped by team, each
 * {"label","team","players"}). */
void page_decorate_session(struct json_object *s, int64_t now_ms);

/* "12 min", "3 h 05 min", "2 d 4 h" for a duration in seconds. Writes into
 * out (at least 24 bytes) and returns it. */
char *page_duration_text(int64_t seconds, char *out, size_t outlen);

#endif
