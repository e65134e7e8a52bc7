/* eve.h: EVE Online killmails, static data rules, ISK and battles (pure
 * code: no I/O, no clock, no globals).
 *
 * Sources of every format and rule: modules/eve/FORMAT.md (our notes on the
 * shared FORMAT.md: ESI killmail fields, the zKillboard `zkb` block, RedisQ
 * and R2Z2 shapes, space types and security bands, zKillboard links) and
 * docs/eve-battles.md (the clustering and side algorithms, with the
 * comparison against zKillboard and EVE-KILL).
 *
 * Ids are int64 (0 = absent). Times are ms since the Unix epoch, UTC. ISK is
 * int64 hundredths of an ISK ("cents"), never a float: zKillboard values
 * carry two decimals and reach 10^11 ISK; sums check for overflow.
 * Every struct owns what it points to; the matching _free releases it.
 */
#ifndef GW_EVE_H
#define GW_EVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct buf;

/* Largest single killmail document we accept, in bytes. The largest real
 * one (982 attackers, special/...108794056.json) is 170 KB. */
#define EVE_MAX_KILLMAIL_BYTES (8u * 1024u * 1024u)
/* Most attackers one killmail may list (real maximum seen: 982). */
#define EVE_MAX_ATTACKERS 20000
/* Deepest container nesting walked in victim.items (real: 1). */
#define EVE_MAX_ITEM_DEPTH 8

/* NPC corporations are ids 1000000..1999999; player characters are above
 * 3999999 (zKillboard's rules, modules/eve/FORMAT.md "Rules of thumb"). */
#define EVE_IS_NPC_CORP(id) ((id) >= 1000000 && (id) <= 1999999)
#define EVE_IS_PLAYER_CHAR(id) ((id) > 3999999)
/* Capsules (group 29): the pod and the Genolution 'Auroral' variant, as
 * EVE-KILL counts them (docs/eve-battles.md). */
#define EVE_IS_CAPSULE(type_id) ((type_id) == 670 || (type_id) == 33328)
#define EVE_GROUP_CAPSULE 29

/* ------------------------------------------------------------------ ISK */

/* Parse a JSON number's text ("422152306.43", "1e3", "0") as ISK into
 * hundredths, exactly: digits beyond the second decimal round half away
 * from zero. Negative values, NaN text, and values of 10^15 ISK or more
 * are refused. Returns 0, or -1 (then *cents is unchanged). */
int eve_isk_parse(const char *text, int64_t *cents);

/* Format hundredths as "123.45" ("0.00" for zero; "-1.50" for negatives)
 * into out (32 bytes suffice). Returns out. */
char *eve_isk_format(int64_t cents, char *out, size_t outlen);

/* *sum += v, refusing to overflow: returns 0, or -1 (sum unchanged). */
int eve_isk_add(int64_t *sum, int64_t v);

/* ------------------------------------------------------------ killmails */

/* Which shape a killmail arrived in (modules/eve/FORMAT.md section 1). */
enum eve_shape {
	EVE_SHAPE_ESI = 1,   /* the ESI object (EVE Ref lines add killmail_hash) */
	EVE_SHAPE_ZKB_MERGED, /* ESI fields plus a top-level "zkb" object */
	EVE_SHAPE_R2Z2,      /* {"killmail_id","hash","esi":{..},"zkb":{..},"sequence_id"} */
	EVE_SHAPE_REDISQ,    /* {"package":{"killID","killmail":{..},"zkb":{..}}} */
	EVE_SHAPE_ZKB_API,   /* {"killmail_id","zkb":{..}}: no body */
};

/* What a decoded document holds. */
enum eve_decoded {
	EVE_DECODED_KILLMAIL = 0, /* a complete killmail */
	EVE_DECODED_REFERENCE,    /* id and hash only (zKillboard API row, RedisQ
				   * package without "killmail"): fetch the body */
	EVE_DECODED_EMPTY,        /* {"package": null}: nothing new */
};

/* One victim or attacker. Absent ids are 0. */
struct eve_party {
	int64_t character_id;
	int64_t corporation_id;
	int64_t alliance_id;
	int64_t faction_id;
	int64_t ship_type_id;
	int64_t weapon_type_id;  /* attackers only */
	int64_t damage;          /* victim: damage_taken; attacker: damage_done */
	bool final_blow;         /* attackers only */
	double security_status;  /* attackers only; display value, never summed */
};

/* One row of victim.items, nested containers flattened (depth 0 = fitted
 * or in a hold of the victim's ship). */
struct eve_item {
	int64_t type_id;
	int flag;
	int64_t qty_destroyed;
	int64_t qty_dropped;
	int singleton;           /* 2 = blueprint copy */
	int depth;
};

/* The zkb block (modules/eve/FORMAT.md section 3). Values -1 when absent. */
struct eve_zkb {
	bool present;
	int64_t total_cents, fitted_cents, dropped_cents, destroyed_cents;
	int64_t location_id;
	int64_t points;          /* -1 when absent */
	int npc, solo, awox;     /* 1 true, 0 false, -1 absent */
	char href[256];          /* ESI URL ("" when absent or too long) */
};

struct eve_killmail {
	enum eve_shape shape;
	int64_t killmail_id;
	int64_t time_ms;
	int64_t system_id;
	int64_t war_id;
	int64_t moon_id;
	char hash[41];           /* 40 lower-case hex digits, "" when unknown */
	struct eve_party victim;
	struct eve_party *attackers;
	size_t n_attackers;
	struct eve_item *items;
	size_t n_items;
	struct eve_zkb zkb;
	int64_t sequence_id;     /* R2Z2 document's sequence_id, 0 otherwise */
	int64_t sequence_updated; /* R2Z2: the earlier sequence re-published, 0 */
	int64_t uploaded_at;     /* R2Z2: unix seconds, 0 */
};

/* Decode one document of any shape above (a JSON text of `len` bytes, not
 * necessarily NUL-terminated). On EVE_DECODED_KILLMAIL km is filled and
 * owned by the caller (eve_killmail_free). On EVE_DECODED_REFERENCE only
 * shape, killmail_id, hash and zkb are set. Returns the enum value, or -1
 * with a one-line reason in err ("victim.ship_type_id missing",
 * "attackers is empty", "killmail_time not RFC 3339: ...") and km zeroed. */
int eve_killmail_decode(const char *doc, size_t len, struct eve_killmail *km, char *err,
			size_t errlen);

/* The same for an already parsed JSON value (borrowed). */
int eve_killmail_from_json(struct json_object *o, struct eve_killmail *km, char *err,
			   size_t errlen);

void eve_killmail_free(struct eve_killmail *km);

/* Lookup of a type's unit price in hundredths of ISK (an operator-supplied
 * price table): return 0 and set *cents, or -1 when the type has no price. */
typedef int (*eve_price_fn)(void *ctx, int64_t type_id, int64_t *cents);

/* Value of a killmail from a price table when zKillboard gave none:
 * hull + every item row (destroyed + dropped quantities, nested rows
 * included), blueprint copies (singleton 2) at 0.01 ISK, the rule
 * zKillboard's Price class uses (modules/eve/FORMAT.md "ISK value").
 * Returns the number of types that had no price (counted as 0), or -1 on
 * overflow; *cents gets the sum. */
int eve_killmail_value(const struct eve_killmail *km, eve_price_fn price, void *ctx,
		       int64_t *cents);

/* zKillboard's "npc" rule: no attacker is a player character or a player
 * corporation (modules/eve/FORMAT.md section 2). */
bool eve_killmail_is_npc(const struct eve_killmail *km);

/* The attacker with final_blow, or NULL. */
const struct eve_party *eve_killmail_final_blow(const struct eve_killmail *km);

/* The side-alignment key of a party: its alliance, else its corporation
 * when that is a player corporation, else 0 (NPCs, factions). */
int64_t eve_party_entity(const struct eve_party *p);

/* ----------------------------------------------------------- documents */

/* Walk the top-level JSON values of a buffer holding one value or several
 * (JSON lines, concatenated values): from *pos, skip white space and store
 * the next value's byte range [*start, *end). Returns 1 when a value was
 * found, 0 at the end of the buffer, -1 when the text is not JSON-shaped
 * there (unbalanced brackets, unterminated string, stray byte). Strings and
 * brackets are tracked, nothing is parsed: values are then decoded one by
 * one, so a 200 MB day file never becomes one tree in memory. */
int eve_json_next_value(const char *buf, size_t len, size_t *pos, size_t *start, size_t *end);

/* Walk the members of the JSON object spanning [obj, obj + len): on each
 * call store the raw key (without quotes, escapes left as sent) and the
 * value's range. *pos starts at 0. Returns 1 per member, 0 after the last,
 * -1 on malformed text. */
int eve_json_next_member(const char *obj, size_t len, size_t *pos, const char **key,
			 size_t *key_len, size_t *vstart, size_t *vend);

/* ---------------------------------------------------------- static data */

enum eve_space {
	EVE_SPACE_UNKNOWN = 0,
	EVE_SPACE_KSPACE,   /* known space: high, low and null security */
	EVE_SPACE_POCHVEN,  /* region 10000070 */
	EVE_SPACE_ZARZAKH,  /* region 10001000 (Yasna Zakh) */
	EVE_SPACE_JSPACE,   /* wormhole space, regions 11000000..11999999 */
	EVE_SPACE_ABYSSAL,  /* abyssal deadspace, regions 12000000..12999999 */
	EVE_SPACE_OTHER,    /* other instanced regions (14xxxxxx VR, 19xxxxxx) */
};

enum eve_band {
	EVE_BAND_UNKNOWN = 0,
	EVE_BAND_HIGHSEC,   /* k-space, security >= 0.45 */
	EVE_BAND_LOWSEC,    /* k-space, 0 < security < 0.45 */
	EVE_BAND_NULLSEC,   /* k-space, security <= 0 */
	EVE_BAND_POCHVEN,
	EVE_BAND_ZARZAKH,
	EVE_BAND_JSPACE,
	EVE_BAND_ABYSSAL,
	EVE_BAND_OTHER,
};

/* Space type of a system from its region id (the only reliable key:
 * Pochven systems sit in the 300xxxxx range). With region_id 0 (system not
 * in the static tables) only the unambiguous system id ranges answer
 * (31xxxxxx j-space, 32xxxxxx abyssal, 34xxxxxx/36xxxxxx other); any other
 * gives EVE_SPACE_UNKNOWN. */
enum eve_space eve_space_of(int64_t system_id, int64_t region_id);

/* Security band: for k-space from security in millionths (0.45 -> 450000;
 * >= 450000 high, > 0 low, else null), otherwise the space type's own band. */
enum eve_band eve_band_of(enum eve_space space, int64_t sec_micro);

/* Tokens as the API and systems.csv spell them: "kspace", "pochven",
 * "zarzakh", "jspace", "abyssal", "other", "unknown"; "highsec", "lowsec",
 * "nullsec", then the space tokens. Static strings. */
const char *eve_space_token(enum eve_space s);
const char *eve_band_token(enum eve_band b);
/* The enum for a token, or EVE_SPACE_UNKNOWN / -1 for none. */
int eve_space_parse(const char *token);

/* Wormhole class from a j-space region name's first letter: A..F "C1".."C6",
 * G "Thera", H "C13", K "Drifter"; NULL for anything else. Static string. */
const char *eve_wh_class(enum eve_space space, const char *region_name);

/* Parse a decimal security status ("0.456959", "-0.99", "1.0") into
 * millionths, exactly (further digits round half away from zero). Returns
 * 0, or -1 when not a number in [-10, 10]. */
int eve_sec_parse(const char *text, int64_t *micro);

/* Split one CSV record (RFC 4180: quoted fields, "" for a quote; no line
 * breaks inside fields) in place: fields[i] point into `line`, which is
 * modified. A trailing CR/LF is dropped. Returns the field count (at most
 * max), or -1 for an unterminated quote or more than max fields. */
int eve_csv_split(char *line, char **fields, int max);

/* ------------------------------------------------------------- links */

/* zKillboard's related-kills page for a fight in `system_id` starting at
 * `start_ms`: https://zkillboard.com/related/<system>/<YYYYMMDDHH00>/ with
 * the whole hour AFTER the start's hour, so the page's window (1 h before
 * to 2 h after that hour) runs from the start's hour for three hours
 * (docs/eve-battles.md "Links"). Appends to out. */
void eve_related_url(struct buf *out, int64_t system_id, int64_t start_ms);

/* The related-kills pages covering [start_ms, end_ms] in three-hour steps
 * (the first is eve_related_url's). Appends a JSON array of URL strings to
 * `arr` (a json array). */
void eve_related_urls(struct json_object *arr, int64_t system_id, int64_t start_ms,
		      int64_t end_ms);

/* https://zkillboard.com/kill/<id>/ appended to out. */
void eve_kill_url(struct buf *out, int64_t killmail_id);

/* ----------------------------------------------------------- clustering */

struct eve_cluster_params {
	int64_t gap_ms;     /* join a kill within this of the cluster's last kill (15 min) */
	int64_t window_ms;  /* ... or within this when it shares an entity (30 min) */
	int min_kills;      /* a cluster with fewer kills is not a battle (2) */
	bool correlate;     /* use the shared-entity rule at all (true) */
};
#define EVE_CLUSTER_DEFAULTS { 15 * 60000LL, 30 * 60000LL, 2, true }

/* One kill as the clusterer sees it. `entities` (borrowed) lists the
 * distinct eve_party_entity() keys of victim and attackers (0 excluded). */
struct eve_ckill {
	int64_t killmail_id;
	int64_t time_ms;
	int64_t system_id;
	bool instanced;     /* abyssal/other: the system id does not place kills together */
	const int64_t *entities;
	size_t n_entities;
};

/* Partition `kills` into clusters: per system in (time, killmail id) order,
 * a kill joins the open cluster when it is within gap_ms of the cluster's
 * last kill (not in instanced space), or within window_ms of it and shares
 * an entity with any kill of the cluster (correlate); otherwise it opens a
 * new cluster (docs/eve-battles.md). cluster_of (n entries, the caller's)
 * gets in [i] the cluster number of kills[i]; clusters are numbered 0.. in (system, first kill) order.
 * Every kill is in exactly one cluster. Returns the number of clusters, or
 * -1 on bad parameters (negative gap or window, min_kills < 1). O(n log n +
 * total entities); memory O(n + largest cluster's entities). */
long eve_cluster(const struct eve_ckill *kills, size_t n, const struct eve_cluster_params *p,
		 uint32_t *cluster_of);

/* The distinct entity keys of a killmail into out (caller's array of at
 * least 1 + n_attackers slots). Returns how many. */
size_t eve_killmail_entities(const struct eve_killmail *km, int64_t *out);

/* ------------------------------------------------------------- reports */

/* What the report needs to know about a type: its group (ship class) and
 * names; return 0 when known. Names are borrowed and must outlive the call. */
struct eve_type_info {
	int64_t group_id;
	const char *type_name;
	const char *group_name;
	int64_t category_id;
};
typedef int (*eve_type_fn)(void *ctx, int64_t type_id, struct eve_type_info *out);

struct eve_side_params {
	int hostility_weight; /* a kill between two entities counts this much against
			       * putting them together (2) */
	int max_passes;       /* local-move passes after the greedy placement (10) */
};
#define EVE_SIDE_DEFAULTS { 2, 10 }

/* Assign sides: every entity (alliance, else player corporation) seen as a
 * victim or attacker gets a side number 1..n_sides, or 0 when it has no
 * tie to anyone (killed by NPCs only). Hostility edges come from (attacker
 * entity, victim entity) pairs per kill, friendship from co-attackers on a
 * kill; same-entity pairs (friendly fire) are ignored. Entities are placed
 * greedily in order of involvement onto the side they agree with most, or
 * beside the side that fights the same enemies, or on a new side; local
 * moves then improve the placement (docs/eve-battles.md "Sides").
 * kills: the battle's killmails (borrowed). Output arrays are malloc'd:
 * entities[i] with side_of[i], n_entities. Returns the number of sides, or
 * -1 on bad input. */
int eve_sides_assign(const struct eve_killmail *const *kills, size_t n,
		     const struct eve_side_params *p, int64_t **entities, int **side_of,
		     size_t *n_entities);

/* Build a battle report document (docs/eve-battles.md "Report") for the
 * kills of one battle, sorted by (time, id) by the caller: header totals,
 * sides (members with pilot counts, ships and ISK lost and destroyed,
 * efficiency, losses and ships fielded by group), per-kill side, the
 * participants (character, ship, corp, alliance, side, lost, damage, final
 * blows), and a timeline. type_info may be NULL (groups then unknown).
 * `kill_side` (n entries, may be NULL) receives each kill's victim side.
 * Returns a new JSON object (caller owns), or NULL when n is 0. */
struct json_object *eve_battle_report(const struct eve_killmail *const *kills, size_t n,
				      const struct eve_side_params *p, eve_type_fn type_info,
				      void *ctx, int *kill_side);

#endif
