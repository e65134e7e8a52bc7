/* internal.h: private helpers shared by the bzcc decoder files (nat.c,
 * text.c, lobby.c, msl.c, model.c). Not part of the public contract in
 * bzcc.h; nothing outside games/bzcc/ includes it.
 *
 * Conventions: every allocation goes through bzcc_x*() or struct buf, which
 * abort on out of memory (as buf.h does), so decode errors are only ever
 * about the input. Strings stored in the model are always valid UTF-8.
 */
#ifndef GW_BZCC_INTERNAL_H
#define GW_BZCC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "bzcc.h"

struct json_object;

/* The `g` of the IonDriver placeholder game (docs/bzcc-format.md 3.4). */
#define BZCC_PLACEHOLDER_NAT "XXXXXXX@XX"
/* Steam Workshop id of the VSR balance mod (docs/bzcc-format.md 6). */
#define BZCC_VSR_MOD_ID "1325933293"
/* Default source when a game carries no proxySource. */
#define BZCC_DEFAULT_SOURCE "Rebellion"
/* Deepest JSON nesting we parse; real documents nest at most 8 levels. */
#define BZCC_JSON_MAX_DEPTH 32

/* Game mode enum values of `gtd % 14` (docs/bzcc-format.md 3.2). */
enum {
	BZCC_MODE_UNKNOWN = 0,
	BZCC_MODE_DM = 1,
	BZCC_MODE_TEAM_DM = 2,
	BZCC_MODE_KOTH = 3,
	BZCC_MODE_TEAM_KOTH = 4,
	BZCC_MODE_CTF = 5,
	BZCC_MODE_TEAM_CTF = 6,
	BZCC_MODE_LOOT = 7,
	BZCC_MODE_TEAM_LOOT = 8,
	BZCC_MODE_RACE = 9,
	BZCC_MODE_TEAM_RACE = 10,
	BZCC_MODE_STRAT = 11,
	BZCC_MODE_TEAM_STRAT = 12,
	BZCC_MODE_MPI = 13,
	BZCC_MODE_MAX = 14,
};

/* Result of reading one optional key with a type check. */
enum bzcc_field {
	BZCC_FIELD_BAD = -1,   /* present with the wrong type or out of range */
	BZCC_FIELD_ABSENT = 0, /* missing or JSON null */
	BZCC_FIELD_OK = 1,     /* present, *out written */
};

/* --- allocation (text.c) --- */

/* calloc that aborts on out of memory; n * size overflow aborts too. */
void *bzcc_xcalloc(size_t n, size_t size);

/* realloc of an array of n elements of `size` bytes; aborts on failure. */
void *bzcc_xreallocarray(void *p, size_t n, size_t size);

/* strdup that aborts on out of memory; NULL gives "". */
char *bzcc_xstrdup(const char *s);

/* --- text (text.c) --- */

/* Copy n bytes of supposed UTF-8 into a malloc'd string: stops at the first
 * NUL, replaces every invalid or overlong sequence, surrogate and code point
 * above U+10FFFF by U+FFFD. Never fails. */
char *bzcc_utf8_clean(const char *s, size_t n);

/* As bzcc_utf8_clean(), then trim ASCII whitespace and U+00A0 at both ends. */
char *bzcc_utf8_clean_trim(const char *s, size_t n);

/* Make user-supplied text safe to lay out (docs/bzcc-format.md 5, "Text
 * shown"), in place, and return s: C0 controls and DEL and the C1 range
 * U+0080-U+009F are dropped, except tab, LF, CR, VT, FF and U+2028/U+2029,
 * which become one space (runs of them one space); the bidirectional
 * embedding, override and isolate controls U+202A-U+202E and U+2066-U+2069,
 * and U+FEFF, are dropped (pages isolate each name with <bdi> instead, so a
 * name can never reorder what follows it). With `trim`, surrounding
 * whitespace is trimmed as bzcc_utf8_clean_trim() does. `s` must be valid
 * UTF-8 (the model's strings are); NULL is returned as is. */
char *bzcc_text_display(char *s, bool trim);

/* Append UTF-8 `s` (valid) to out as Windows-1252, one byte per character;
 * characters cp1252 lacks become '?' (as the game's own text does).
 * Returns the number of bytes appended. NULL appends nothing. */
size_t bzcc_utf8_to_cp1252(const char *s, struct buf *out);

/* --- JSON field readers (lobby.c) ---
 * `obj` must be a JSON object; `key` is looked up with
 * json_object_object_get_ex. JSON null counts as absent. The pointers
 * written by bzcc_get_str/obj/array are borrowed from `obj`. */

/* An int in [INT_MIN, INT_MAX]; a string of optional '-' and 1..10 decimal
 * digits is accepted too (older `t`/`l` values). Booleans, doubles, bigger
 * numbers and other strings are BZCC_FIELD_BAD. */
enum bzcc_field bzcc_get_int(struct json_object *obj, const char *key, int *out);

/* A flag: int or digit string (true when == 1) or JSON boolean. */
enum bzcc_field bzcc_get_flag(struct json_object *obj, const char *key, bool *out);

/* A JSON string; *len (may be NULL) receives its byte length. */
enum bzcc_field bzcc_get_str(struct json_object *obj, const char *key,
			     const char **out, size_t *len);

/* A JSON object / array. */
enum bzcc_field bzcc_get_obj(struct json_object *obj, const char *key,
			     struct json_object **out);
enum bzcc_field bzcc_get_array(struct json_object *obj, const char *key,
			       struct json_object **out);

/* Append one session to lobby->sessions (takes ownership of its members;
 * `s` itself is copied). */
void bzcc_lobby_append(struct bzcc_lobby *lobby, const struct bzcc_session *s);

/* --- decoders of the two shapes (lobby.c, msl.c) ---
 * `root` is the parsed top-level object, `out` zeroed. Return 0, or -1 with
 * a message in err after releasing whatever was put into `out`. */
int bzcc_decode_raknet(struct json_object *root, struct bzcc_lobby *out,
		       char *err, size_t errlen);
int bzcc_decode_msl(struct json_object *root, struct bzcc_lobby *out,
		    char *err, size_t errlen);

/* Read an answer's own list-server status object `key` (IonDriver
 * "proxyStatus" {name: {status, success, updated}}, MSL
 * Metadata.ListServer {name: {Status, Success, Timestamp}}) into
 * out->upstream_ok and out->upstream_updated_ms; absent or malformed parts
 * leave them unknown. (lobby.c) */
void bzcc_read_list_status(struct json_object *root, const char *key, const char *status_key,
			   const char *success_key, const char *updated_key,
			   struct bzcc_lobby *out);

/* --- model helpers (model.c) --- */

/* Give every number field of a fresh session its "absent" value (-1, or 0
 * where bzcc.h says so) and the strings NULL. */
void bzcc_session_init(struct bzcc_session *s);

/* Free everything a session owns and zero it. */
void bzcc_session_release(struct bzcc_session *s);

/* Set source, nat_id, guid, guid_hex and id ("<source>:<hex16>"). `source`
 * NULL or "" means BZCC_DEFAULT_SOURCE; both strings are cleaned to UTF-8. */
void bzcc_session_set_identity(struct bzcc_session *s, const char *source,
			       const char *nat, uint64_t guid);

/* Set mods from a ';'-separated list (`mm`): empty entries are dropped; no
 * entry at all gives the single mod "0". mod_id becomes mods[0]. */
void bzcc_session_set_mods(struct bzcc_session *s, const char *mm, size_t len);

/* Set map_file (n bytes as sent) and map_key "<mod_id>:<lower(map)>";
 * call after the mods. */
void bzcc_session_set_map(struct bzcc_session *s, const char *map, size_t n);

/* Derive the static names, `teams`, each player's team/leader/host and
 * time_saturated, and fill still-NULL strings with "". When `state_from_si`
 * the state is computed from server_info and the player stats (MSL's rule). */
void bzcc_session_finish(struct bzcc_session *s, bool state_from_si);

/* Set platform_id, provider and external_id from an id as sent in `pl[].i`
 * ("S<steamid64>" or "G<raw gog id>"). NULL means absent. */
void bzcc_player_set_platform(struct bzcc_player *p, const char *id);

/* NAT type code of a name as MSL prints it ("FULL CONE", "[9]"); -1 when
 * unrecognised. */
int bzcc_nat_type_code(const char *name);

/* Free the players and mods arrays of a session (helpers for release). */
void bzcc_player_release(struct bzcc_player *p);

/* Decode the player list under `key` of `obj` into s->players (allocated
 * here, in list order) with the shape's own `decode_player`. An absent list
 * means no players; null entries are skipped (as MSL does). Returns 0, or -1
 * when the list or an entry has the wrong type or decode_player fails:
 * s->n_players then counts only initialised players, so
 * bzcc_lobby_free() stays safe. Shared by lobby.c and msl.c. */
int bzcc_decode_players(struct json_object *obj, const char *key, struct bzcc_session *s,
			int (*decode_player)(struct json_object *, struct bzcc_player *));

#endif
