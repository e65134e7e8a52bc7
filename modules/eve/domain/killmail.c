/* killmail.c: decode killmails in the shapes modules/eve/FORMAT.md lists
 * (ESI and EVE Ref lines, zKillboard merged, R2Z2 documents, RedisQ
 * packages, zKillboard API rows) into struct eve_killmail. */
#include "modules/eve/domain/eve.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "timeutil.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* An optional integer member: 0 absent (or JSON null), 1 found, -1 present
 * but not an integer (or out of range [min, max]). */
static int get_int(struct json_object *o, const char *key, int64_t min, int64_t max,
		   int64_t *out)
{
	struct json_object *v;
	int64_t x;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	x = json_object_get_int64(v);
	if (errno || x < min || x > max)
		return -1;
	*out = x;
	return 1;
}

/* An id member: absent is 0; present must be a positive integer. */
static int get_id(struct json_object *o, const char *what, const char *key, int64_t *out,
		  char *err, size_t errlen)
{
	*out = 0;
	if (get_int(o, key, 1, INT64_MAX, out) < 0)
		return fail(err, errlen, "%s%s is not a positive integer", what, key);
	return 0;
}

static int get_bool(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
		return -1;
	return json_object_get_boolean(v) ? 1 : 0;
}

/* A hash: 40 hex digits, stored lower-case. */
static int get_hash(struct json_object *o, const char *key, char *out, char *err,
		    size_t errlen)
{
	struct json_object *v;
	const char *s;
	size_t i;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(err, errlen, "%s is not a string", key);
	s = json_object_get_string(v);
	if (strlen(s) != 40)
		return fail(err, errlen, "%s is not 40 hex digits", key);
	for (i = 0; i < 40; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return fail(err, errlen, "%s is not 40 hex digits", key);
		out[i] = c;
	}
	out[40] = '\0';
	return 0;
}

static int decode_party(struct json_object *o, const char *what, bool attacker,
			struct eve_party *p, char *err, size_t errlen)
{
	struct json_object *v;
	memset(p, 0, sizeof *p);
	if (!json_object_is_type(o, json_type_object))
		return fail(err, errlen, "%s is not an object", what);
	if (get_id(o, what, "character_id", &p->character_id, err, errlen) ||
	    get_id(o, what, "corporation_id", &p->corporation_id, err, errlen) ||
	    get_id(o, what, "alliance_id", &p->alliance_id, err, errlen) ||
	    get_id(o, what, "faction_id", &p->faction_id, err, errlen) ||
	    get_id(o, what, "ship_type_id", &p->ship_type_id, err, errlen))
		return -1;
	if (attacker) {
		int fb;
		if (get_id(o, what, "weapon_type_id", &p->weapon_type_id, err, errlen))
			return -1;
		if (get_int(o, "damage_done", 0, INT64_MAX / 4, &p->damage) < 0)
			return fail(err, errlen, "%sdamage_done is not a non-negative integer", what);
		fb = get_bool(o, "final_blow");
		p->final_blow = fb == 1;
		if (json_object_object_get_ex(o, "security_status", &v) &&
		    (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
			p->security_status = json_object_get_double(v);
	} else {
		if (get_int(o, "damage_taken", 0, INT64_MAX / 4, &p->damage) < 0)
			return fail(err, errlen, "victim.damage_taken is not a non-negative integer");
		if (!p->ship_type_id)
			return fail(err, errlen, "victim.ship_type_id missing");
	}
	return 0;
}

/* Append victim.items (and nested items) to km->items. */
static int decode_items(struct json_object *arr, int depth, struct eve_killmail *km,
			size_t *cap, char *err, size_t errlen)
{
	size_t i, n;
	if (!json_object_is_type(arr, json_type_array))
		return fail(err, errlen, "victim.items is not an array");
	if (depth > EVE_MAX_ITEM_DEPTH)
		return fail(err, errlen, "victim.items nested deeper than %d", EVE_MAX_ITEM_DEPTH);
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(arr, i), *sub;
		struct eve_item *x;
		int64_t flag = 0, single = 0;
		if (!json_object_is_type(it, json_type_object))
			return fail(err, errlen, "victim.items[%zu] is not an object", i);
		if (km->n_items == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			struct eve_item *ni = realloc(km->items, nc * sizeof *ni);
			if (!ni)
				abort();
			km->items = ni;
			*cap = nc;
		}
		x = &km->items[km->n_items];
		memset(x, 0, sizeof *x);
		x->depth = depth;
		if (get_int(it, "item_type_id", 1, INT64_MAX, &x->type_id) != 1)
			return fail(err, errlen, "victim.items[%zu].item_type_id missing or invalid", i);
		if (get_int(it, "flag", 0, 100000, &flag) < 0 ||
		    get_int(it, "singleton", 0, 100, &single) < 0 ||
		    get_int(it, "quantity_destroyed", 0, INT64_MAX / 4, &x->qty_destroyed) < 0 ||
		    get_int(it, "quantity_dropped", 0, INT64_MAX / 4, &x->qty_dropped) < 0)
			return fail(err, errlen, "victim.items[%zu] has a non-integer field", i);
		x->flag = (int)flag;
		x->singleton = (int)single;
		km->n_items++;
		if (json_object_object_get_ex(it, "items", &sub) && sub &&
		    decode_items(sub, depth + 1, km, cap, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* The ESI body (borrowed object) into km (shape already set). */
static int decode_esi(struct json_object *o, struct eve_killmail *km, char *err, size_t errlen)
{
	struct json_object *v, *att;
	size_t i, n, finals = 0, cap = 0;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(err, errlen, "killmail is not an object");
	r = get_int(o, "killmail_id", 1, INT64_MAX, &km->killmail_id);
	if (r == 0)
		return fail(err, errlen, "killmail_id missing");
	if (r < 0)
		return fail(err, errlen, "killmail_id is not a positive integer");
	if (!json_object_object_get_ex(o, "killmail_time", &v) ||
	    !json_object_is_type(v, json_type_string))
		return fail(err, errlen, "killmail_time missing");
	if (time_parse_iso8601(json_object_get_string(v), &km->time_ms) < 0)
		return fail(err, errlen, "killmail_time not RFC 3339: %.40s", json_object_get_string(v));
	r = get_int(o, "solar_system_id", 1, INT64_MAX, &km->system_id);
	if (r <= 0)
		return fail(err, errlen, "solar_system_id %s", r ? "is not a positive integer" : "missing");
	if (get_id(o, "", "war_id", &km->war_id, err, errlen) ||
	    get_id(o, "", "moon_id", &km->moon_id, err, errlen))
		return -1;
	if (!km->hash[0] && get_hash(o, "killmail_hash", km->hash, err, errlen) < 0)
		return -1;
	if (!json_object_object_get_ex(o, "victim", &v) || !v)
		return fail(err, errlen, "victim missing");
	if (decode_party(v, "victim.", false, &km->victim, err, errlen) < 0)
		return -1;
	{
		struct json_object *items;
		if (json_object_object_get_ex(v, "items", &items) && items &&
		    decode_items(items, 0, km, &cap, err, errlen) < 0)
			return -1;
	}
	if (!json_object_object_get_ex(o, "attackers", &att) || !att)
		return fail(err, errlen, "attackers missing");
	if (!json_object_is_type(att, json_type_array))
		return fail(err, errlen, "attackers is not an array");
	n = json_object_array_length(att);
	if (n == 0)
		return fail(err, errlen, "attackers is empty");
	if (n > EVE_MAX_ATTACKERS)
		return fail(err, errlen, "more than %d attackers", EVE_MAX_ATTACKERS);
	km->attackers = calloc(n, sizeof *km->attackers);
	if (!km->attackers)
		abort();
	for (i = 0; i < n; i++) {
		char what[32];
		snprintf(what, sizeof what, "attackers[%zu].", i);
		if (decode_party(json_object_array_get_idx(att, i), what, true, &km->attackers[i],
				 err, errlen) < 0)
			return -1;
		km->n_attackers++;
		finals += km->attackers[i].final_blow;
	}
	if (finals > 1)
		return fail(err, errlen, "%zu attackers have final_blow", finals);
	return 0;
}

/* A zkb object into km->zkb (and km->hash when it carries one). */
static int decode_zkb(struct json_object *z, struct eve_killmail *km, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} values[] = {
		{ "totalValue", offsetof(struct eve_zkb, total_cents) },
		{ "fittedValue", offsetof(struct eve_zkb, fitted_cents) },
		{ "droppedValue", offsetof(struct eve_zkb, dropped_cents) },
		{ "destroyedValue", offsetof(struct eve_zkb, destroyed_cents) },
	};
	struct json_object *v;
	size_t i;
	char hash[41] = "";

	if (!json_object_is_type(z, json_type_object))
		return fail(err, errlen, "zkb is not an object");
	km->zkb.present = true;
	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		int64_t *dst = (int64_t *)((char *)&km->zkb + values[i].off);
		*dst = -1;
		if (!json_object_object_get_ex(z, values[i].key, &v) || !v)
			continue;
		if (!(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) ||
		    eve_isk_parse(json_object_get_string(v), dst) < 0)
			return fail(err, errlen, "zkb.%s is not a non-negative ISK amount", values[i].key);
	}
	km->zkb.location_id = 0;
	if (get_int(z, "locationID", 0, INT64_MAX, &km->zkb.location_id) < 0)
		return fail(err, errlen, "zkb.locationID is not an integer");
	km->zkb.points = -1;
	if (get_int(z, "points", INT64_MIN / 2, INT64_MAX / 2, &km->zkb.points) < 0)
		return fail(err, errlen, "zkb.points is not an integer");
	km->zkb.npc = get_bool(z, "npc");
	km->zkb.solo = get_bool(z, "solo");
	km->zkb.awox = get_bool(z, "awox");
	if (json_object_object_get_ex(z, "href", &v) && json_object_is_type(v, json_type_string) &&
	    strlen(json_object_get_string(v)) < sizeof km->zkb.href)
		strcpy(km->zkb.href, json_object_get_string(v));
	if (get_hash(z, "hash", hash, err, errlen) < 0)
		return fail(err, errlen, "zkb.hash is not 40 hex digits");
	if (hash[0] && !km->hash[0])
		memcpy(km->hash, hash, sizeof hash);
	return 0;
}

static void reset(struct eve_killmail *km)
{
	free(km->attackers);
	free(km->items);
	memset(km, 0, sizeof *km);
	km->zkb.total_cents = km->zkb.fitted_cents = -1;
	km->zkb.dropped_cents = km->zkb.destroyed_cents = -1;
	km->zkb.points = -1;
	km->zkb.npc = km->zkb.solo = km->zkb.awox = -1;
}

static int decode_inner(struct json_object *o, struct eve_killmail *km, char *err, size_t errlen)
{
	struct json_object *pkg, *esi, *zkb;
	int64_t id = 0;

	if (!json_object_is_type(o, json_type_object))
		return fail(err, errlen, "document is not a JSON object");

	/* RedisQ: {"package": {...}} or {"package": null} */
	if (json_object_object_get_ex(o, "package", &pkg)) {
		if (!pkg)
			return EVE_DECODED_EMPTY;
		if (!json_object_is_type(pkg, json_type_object))
			return fail(err, errlen, "package is not an object");
		km->shape = EVE_SHAPE_REDISQ;
		if (get_int(pkg, "killID", 1, INT64_MAX, &id) != 1)
			return fail(err, errlen, "package.killID missing or invalid");
		if (!json_object_object_get_ex(pkg, "zkb", &zkb) || !zkb)
			return fail(err, errlen, "package.zkb missing");
		if (decode_zkb(zkb, km, err, errlen) < 0)
			return -1;
		if (!json_object_object_get_ex(pkg, "killmail", &esi) || !esi) {
			/* stripped since 2025-12-01: a reference to fetch (zkb.href) */
			km->killmail_id = id;
			return EVE_DECODED_REFERENCE;
		}
		if (decode_esi(esi, km, err, errlen) < 0)
			return -1;
		if (km->killmail_id != id)
			return fail(err, errlen, "package.killID %lld differs from killmail_id %lld",
				    (long long)id, (long long)km->killmail_id);
		return EVE_DECODED_KILLMAIL;
	}

	/* R2Z2: {"killmail_id","hash","esi":{...},"zkb":{...},"sequence_id"} */
	if (json_object_object_get_ex(o, "esi", &esi) && esi &&
	    json_object_is_type(esi, json_type_object)) {
		km->shape = EVE_SHAPE_R2Z2;
		if (get_int(o, "killmail_id", 1, INT64_MAX, &id) != 1)
			return fail(err, errlen, "killmail_id missing or invalid");
		if (get_hash(o, "hash", km->hash, err, errlen) < 0)
			return -1;
		if (get_int(o, "sequence_id", 1, INT64_MAX, &km->sequence_id) < 0 ||
		    get_int(o, "sequence_updated", 1, INT64_MAX, &km->sequence_updated) < 0 ||
		    get_int(o, "uploaded_at", 0, INT64_MAX, &km->uploaded_at) < 0)
			return fail(err, errlen, "sequence_id, sequence_updated or uploaded_at invalid");
		if (json_object_object_get_ex(o, "zkb", &zkb) && zkb &&
		    decode_zkb(zkb, km, err, errlen) < 0)
			return -1;
		if (decode_esi(esi, km, err, errlen) < 0)
			return -1;
		if (km->killmail_id != id)
			return fail(err, errlen, "killmail_id %lld differs from esi.killmail_id %lld",
				    (long long)id, (long long)km->killmail_id);
		return EVE_DECODED_KILLMAIL;
	}

	json_object_object_get_ex(o, "zkb", &zkb);
	/* zKillboard API row: {"killmail_id", "zkb"} without a body */
	if (zkb && !json_object_object_get_ex(o, "victim", NULL) &&
	    !json_object_object_get_ex(o, "attackers", NULL)) {
		km->shape = EVE_SHAPE_ZKB_API;
		if (get_int(o, "killmail_id", 1, INT64_MAX, &km->killmail_id) != 1)
			return fail(err, errlen, "killmail_id missing or invalid");
		if (decode_zkb(zkb, km, err, errlen) < 0)
			return -1;
		return EVE_DECODED_REFERENCE;
	}

	/* ESI (or EVE Ref line), with a merged zkb block or without */
	km->shape = zkb ? EVE_SHAPE_ZKB_MERGED : EVE_SHAPE_ESI;
	if (zkb && decode_zkb(zkb, km, err, errlen) < 0)
		return -1;
	if (decode_esi(o, km, err, errlen) < 0)
		return -1;
	return EVE_DECODED_KILLMAIL;
}

int eve_killmail_from_json(struct json_object *o, struct eve_killmail *km, char *err,
			   size_t errlen)
{
	int r;
	memset(km, 0, sizeof *km);
	reset(km);
	if (err && errlen)
		err[0] = '\0';
	r = decode_inner(o, km, err, errlen);
	if (r < 0) {
		if (err && errlen && !err[0])
			snprintf(err, errlen, "invalid killmail");
		reset(km);
		memset(km, 0, sizeof *km);
	}
	return r;
}

int eve_killmail_decode(const char *doc, size_t len, struct eve_killmail *km, char *err,
			size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	int r;

	memset(km, 0, sizeof *km);
	if (len > EVE_MAX_KILLMAIL_BYTES)
		return fail(err, errlen, "document larger than %u bytes", EVE_MAX_KILLMAIL_BYTES);
	if (len > INT32_MAX)
		return fail(err, errlen, "document too large");
	tok = json_tokener_new_ex(64);
	if (!tok)
		abort();
	o = json_tokener_parse_ex(tok, doc, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		/* a bare number may need the end of input to finish */
		o = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	if (!o || jerr != json_tokener_success) {
		r = fail(err, errlen, "not JSON: %s", json_tokener_error_desc(jerr != json_tokener_success ? jerr : json_tokener_error_parse_unexpected));
		json_object_put(o);
		json_tokener_free(tok);
		return r;
	}
	{
		/* nothing but white space may follow the value */
		size_t off = (size_t)json_tokener_get_parse_end(tok);
		for (; off < len; off++)
			if (doc[off] != ' ' && doc[off] != '\t' && doc[off] != '\r' && doc[off] != '\n') {
				json_object_put(o);
				json_tokener_free(tok);
				return fail(err, errlen, "not JSON: text after the value");
			}
	}
	json_tokener_free(tok);
	r = eve_killmail_from_json(o, km, err, errlen);
	json_object_put(o);
	return r;
}

void eve_killmail_free(struct eve_killmail *km)
{
	if (!km)
		return;
	free(km->attackers);
	free(km->items);
	km->attackers = NULL;
	km->items = NULL;
	km->n_attackers = km->n_items = 0;
}

int eve_killmail_value(const struct eve_killmail *km, eve_price_fn price, void *ctx,
		       int64_t *cents)
{
	int64_t sum = 0, p;
	int missing = 0;
	size_t i;

	if (price(ctx, km->victim.ship_type_id, &p) == 0) {
		if (eve_isk_add(&sum, p) < 0)
			return -1;
	} else {
		missing++;
	}
	for (i = 0; i < km->n_items; i++) {
		const struct eve_item *it = &km->items[i];
		int64_t qty = it->qty_destroyed + it->qty_dropped, v;
		if (it->singleton == 2) {
			p = 1; /* blueprint copy: 0.01 ISK */
		} else if (price(ctx, it->type_id, &p) < 0) {
			missing++;
			continue;
		}
		if (qty && p > INT64_MAX / qty)
			return -1;
		v = qty * p;
		if (eve_isk_add(&sum, v) < 0)
			return -1;
	}
	*cents = sum;
	return missing;
}

bool eve_killmail_is_npc(const struct eve_killmail *km)
{
	size_t i;
	for (i = 0; i < km->n_attackers; i++) {
		const struct eve_party *a = &km->attackers[i];
		if (EVE_IS_PLAYER_CHAR(a->character_id) || a->corporation_id > 1999999)
			return false;
	}
	return true;
}

const struct eve_party *eve_killmail_final_blow(const struct eve_killmail *km)
{
	size_t i;
	for (i = 0; i < km->n_attackers; i++)
		if (km->attackers[i].final_blow)
			return &km->attackers[i];
	return NULL;
}

int64_t eve_party_entity(const struct eve_party *p)
{
	if (p->alliance_id)
		return p->alliance_id;
	if (p->corporation_id && !EVE_IS_NPC_CORP(p->corporation_id))
		return p->corporation_id;
	return 0;
}

size_t eve_killmail_entities(const struct eve_killmail *km, int64_t *out)
{
	size_t n = 0, i, j;
	for (i = 0; i <= km->n_attackers; i++) {
		int64_t e = eve_party_entity(i == 0 ? &km->victim : &km->attackers[i - 1]);
		if (!e)
			continue;
		for (j = 0; j < n && out[j] != e; j++)
			;
		if (j == n)
			out[n++] = e;
	}
	return n;
}
