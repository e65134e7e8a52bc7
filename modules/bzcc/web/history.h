/* history.h: request parsing, output negotiation and page decorations
 * shared by the history resources (api-history-sessions.c, api-players.c,
 * api-maps.c, api-mods.c, api-analytics.c) and their pages (page-history.c,
 * page-players.c, page-maps.c, page-mods.c, page-analytics.c).
 *
 * Parsers return 0, or an HTTP status (400) with a one-sentence reason in
 * `err` that names the parameter and an accepted example; the caller turns
 * it into a JSON error or an error page. */
#ifndef GW_HISTORY_H
#define GW_HISTORY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "platform/web/csv.h"
#include "modules/bzcc/store/bzcc-history.h"

struct app;
struct req;

#define HISTORY_LIMIT_DEFAULT 50    /* sessions per JSON page */
#define HISTORY_LIMIT_MAX 200
#define HISTORY_CSV_LIMIT_DEFAULT 1000  /* sessions per CSV export */
#define HISTORY_CSV_LIMIT_MAX 10000
#define HISTORY_DAYS_DEFAULT 30

enum history_format {
	HISTORY_JSON,
	HISTORY_CSV,
};

/* The parsed query of the session history list. Strings are borrowed from
 * the request, except the cursor's id, which lives in `cursor_id`. */
struct history_query {
	struct bzcc_history_filter f;
	const char *from;        /* as given, for echoing (NULL when absent) */
	const char *to;
	const char *cursor;
	struct buf cursor_id;    /* owned: release with history_query_release */
};

/* Output format of a list resource: ?format=json|csv wins; otherwise CSV
 * when the Accept header asks for text/csv (with q > 0) at least as
 * strongly as for application/json, else JSON. Returns 0 with *fmt set, or
 * 400 (an unknown format value). */
int history_format(const struct req *r, enum history_format *fmt, char *err, size_t errlen);

/* Integer parameter `name` in lo..hi; `def` when absent or empty. Returns 0
 * with *out set, or 400 ("days must be an integer from 1 to 3650"). */
int history_int_param(const struct req *r, const char *name, int lo, int hi, int def,
		      int *out, char *err, size_t errlen);

/* Parse from, to, state, map, mod, q, cursor and limit (limit default and
 * maximum by format: HISTORY_LIMIT_* for JSON, HISTORY_CSV_LIMIT_* for CSV).
 * `from`/`to` are ISO-8601 times (time_parse_iso8601); a plain date
 * "YYYY-MM-DD" as `to` includes that whole UTC day. `secret` checks the
 * cursor (cursor.h). Initializes q (release it with history_query_release
 * whatever the result). Returns 0 or 400. */
int history_query_parse(const struct req *r, const char *secret, enum history_format fmt,
			struct history_query *q, char *err, size_t errlen);

/* Free what history_query_parse allocated. */
void history_query_release(struct history_query *q);

/* The "filters" object of a response: {from, to, state, map, mod, q, limit}
 * with null for unused filters. New object, caller owns it. */
struct json_object *history_query_filters(const struct history_query *q);

/* Append the query string (without '?') that repeats q's filters, plus
 * "cursor=<cursor>" when cursor is not NULL and "format=csv" when csv. */
void history_query_string(struct buf *out, const struct history_query *q, const char *cursor,
			  bool csv);

/* The session history document for request r (api-history-sessions.c),
 * shared by the API and /history: {sessions [summaries, decorated], count,
 * next_cursor and next_url (the API URL of the next page; both null on the
 * last page), filters}. Parameters as history_query_parse (`fmt` picks the
 * limit range). Returns 0 with *out set (caller puts it), or 400 (bad
 * parameter) / 503 (database) with a sentence in err. q is initialized
 * in every case; the caller releases it with history_query_release. */
int history_sessions_doc(struct app *app, struct req *r, enum history_format fmt, bool page,
			 struct history_query *q, struct json_object **out, char *err,
			 size_t errlen);

/* Resolve a {id} route argument to a player id (api-players.c): 0 with
 * *player_id set, 400 (malformed), 404 (unknown) or 503, with a sentence
 * in err. */
int history_player_lookup(struct app *app, const char *ref, int64_t *player_id, char *err,
			  size_t errlen);

/* A player profile (bzcc_history_player): url, identities[].profile_url
 * (Steam), favourite_maps[].url, the session decorations; page:
 * favourite_maps[].time_text, totals.play_text. */
void history_decorate_player(struct json_object *p, bool page);

/* The documents of /api/v1/maps, /api/v1/maps/{map_key}, /api/v1/mods and
 * /api/v1/mods/{mod_id} (api-maps.c, api-mods.c), shared with the pages:
 * the store's answer for ?days= (default 30) with the decorations above.
 * Return 0 with *out set (caller puts it), or 400, 404 (the route's key is
 * unknown) or 503 with a sentence in err. */
int history_maps_doc(struct app *app, struct req *r, bool page, struct json_object **out,
		     char *err, size_t errlen);
int history_map_doc(struct app *app, struct req *r, bool page, struct json_object **out,
		    char *err, size_t errlen);
int history_mods_doc(struct app *app, struct req *r, bool page, struct json_object **out,
		     char *err, size_t errlen);
int history_mod_doc(struct app *app, struct req *r, bool page, struct json_object **out,
		    char *err, size_t errlen);

/* The document of /api/v1/analytics?days=N (api-analytics.c), shared with
 * /analytics: bzcc_history_analytics plus url/label keys on the maps and
 * mods. Returns 0 with *out set, or 400 / 503 with err. */
int history_analytics_doc(struct app *app, struct req *r, bool page, struct json_object **out,
			  char *err, size_t errlen);

/* Respond with `rows` as CSV (csv_from_json with `cols`): 200,
 * text/csv; charset=utf-8, Content-Disposition attachment with
 * `filename` (a constant of ours, no quoting needed). rows is borrowed. */
void history_send_csv(struct req *r, struct json_object *rows, const struct csv_column *cols,
		      size_t ncols, const char *filename);

/* Append "/<prefix>/<segment>" with the segment percent-encoded (url_path). */
void history_url(struct buf *out, const char *prefix, const char *segment);

/* The decorations add link keys (in the API and on pages) and, when
 * `page` is true, display-only text keys (docs/history.md marks them
 * "page").
 *
 * A session summary: url, map.url, mod.url, mod.label ("Stock" for "0");
 * page: duration_text, played.time_text (when `played` is present). */
void history_decorate_session(struct json_object *s, bool page);

/* Decorate every element of array `arr` (borrowed; may be NULL). */
void history_decorate_sessions(struct json_object *arr, bool page);

/* A map row: url, mod_url, mod_label, sessions_url (its /history list);
 * page: play_text (and recent.play_text, all_time.play_text). */
void history_decorate_map(struct json_object *m, bool page);

/* A mod row: url, label, sessions_url; page: recent.play_text,
 * all_time.play_text. */
void history_decorate_mod(struct json_object *m, bool page);

/* Options for a "days" select: 1, 7, 30, 90, 365 and 3650 days (plus
 * `days` itself when it is none of these), [{value, label, selected}]. */
struct json_object *history_days_options(int days);

/* ctx[key] = "<path>?days=N", plus "&format=csv" when csv. */
void history_days_link(struct json_object *ctx, const char *key, const char *path, int days,
		       bool csv);

/* The largest integer at `path` among the elements of array `arr` (at
 * least 1, so it can be a <meter> max). */
int64_t history_max_of(struct json_object *arr, const char *path);

/* o[key] = history_duration_text of the integer o[from], when o is an
 * object that has `from` (o may be NULL). */
void history_add_duration_text(struct json_object *o, const char *from, const char *key);

/* For every element of array `arr` (borrowed; NULL is fine) with a
 * `from` key, add `key` = history_duration_text of its value. */
void history_add_duration_texts(struct json_object *arr, const char *from, const char *key);

/* mode_label ("All modes" for '*'), mean_text, median_text and p90_text
 * on duration statistics rows. */
void history_decorate_durations(struct json_object *arr);

/* Page only: beside every string value of `o` (recursively, through
 * objects and arrays) that is an ISO-8601 UTC time "YYYY-MM-DDTHH:MM:SSZ",
 * add "<key>_text" = "YYYY-MM-DD HH:MM" (UTC, for tables that must show
 * the year). */
void history_time_texts(struct json_object *o);

/* A player's page URL from its ref ("steam:7656..."): "/players/steam:7656...". */
void history_player_url(struct buf *out, const char *ref);

/* Duration as page text: "45 s" under a minute, else page_duration_text
 * ("12 min", "3 h 05 min", "2 d 4 h"). out: at least 24 bytes. */
char *history_duration_text(int64_t seconds, char *out, size_t outlen);

/* The value at dotted `path` in o (borrowed), or NULL. */
struct json_object *history_get(struct json_object *o, const char *path);

/* Its integer value (0 when absent) and string value ("" when absent or
 * not a string). */
int64_t history_get_int(struct json_object *o, const char *path);
const char *history_get_str(struct json_object *o, const char *path);

#endif
