/* test_eve.c: the eve domain on the real data in tests/data/eve/: every
 * killmail decoded and checked against index.csv, the RedisQ and zKillboard
 * samples, malformed killmails rejected with their reasons, exact ISK,
 * space types and security bands against systems.csv and index.csv, the
 * JSON scanner, clustering invariants and sides on the Jorund fight. The
 * independent re-computation of the battles is tests/integration/t90_eve.py.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <zlib.h>

#include "buf.h"
#include "modules/eve/domain/eve.h"
#include "tests/unit/cu.h"
#include "timeutil.h"

/* ------------------------------------------------------------ helpers */

/* Read a whole file (gzip or plain) under tests/data into b. */
static int read_data(const char *rel, struct buf *b)
{
	gzFile f = gzopen(cu_data_path(rel), "rb");
	char chunk[65536];
	int n;
	if (!f)
		return -1;
	while ((n = gzread(f, chunk, sizeof chunk)) > 0)
		buf_add(b, chunk, (size_t)n);
	gzclose(f);
	return n < 0 ? -1 : 0;
}

struct kmset {
	struct eve_killmail *km;
	size_t n;
};

/* Decode every line of a JSON-lines file; CU-asserts each decodes. */
static void load_lines(const char *rel, struct kmset *set)
{
	struct buf b = BUF_INIT;
	size_t pos = 0, s, e;
	int r;
	memset(set, 0, sizeof *set);
	CU_ASSERT_FATAL(read_data(rel, &b) == 0);
	while ((r = eve_json_next_value(b.data, b.len, &pos, &s, &e)) == 1) {
		char err[256];
		set->km = realloc(set->km, (set->n + 1) * sizeof *set->km);
		CU_ASSERT_PTR_NOT_NULL_FATAL(set->km);
		r = eve_killmail_decode(b.data + s, e - s, &set->km[set->n], err, sizeof err);
		if (r != EVE_DECODED_KILLMAIL)
			fprintf(stderr, "\n%s: %s\n", rel, err);
		CU_ASSERT_EQUAL(r, EVE_DECODED_KILLMAIL);
		if (r == EVE_DECODED_KILLMAIL)
			set->n++;
	}
	CU_ASSERT_EQUAL(r, 0);
	buf_release(&b);
}

static void free_set(struct kmset *set)
{
	size_t i;
	for (i = 0; i < set->n; i++)
		eve_killmail_free(&set->km[i]);
	free(set->km);
	memset(set, 0, sizeof *set);
}

static const char *JORUND = "eve/killmails/esi_2021-11-28_jorund-30001046_10-14h.jsonl.gz";
static const char *WINDOW = "eve/killmails/esi_2021-11-28_window_1200-1229_all-systems.jsonl";
static const char *POCHVEN = "eve/killmails/esi_2021-11-28_pochven-sakenta-urhinichi_day.jsonl";

/* CSV file rows as arrays of strings (header row first). */
struct csv {
	char **lines;
	char ***f;
	int *nf;
	size_t n;
};

static void csv_load(const char *rel, struct csv *c)
{
	struct buf b = BUF_INIT;
	char *p, *nl;
	memset(c, 0, sizeof *c);
	CU_ASSERT_FATAL(read_data(rel, &b) == 0);
	for (p = b.data; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		c->lines = realloc(c->lines, (c->n + 1) * sizeof *c->lines);
		c->f = realloc(c->f, (c->n + 1) * sizeof *c->f);
		c->nf = realloc(c->nf, (c->n + 1) * sizeof *c->nf);
		c->lines[c->n] = strndup(p, (size_t)(nl - p));
		c->f[c->n] = calloc(40, sizeof(char *));
		c->nf[c->n] = eve_csv_split(c->lines[c->n], c->f[c->n], 40);
		CU_ASSERT(c->nf[c->n] > 0);
		c->n++;
		if (!*nl)
			break;
	}
	if (c->n && c->nf[c->n - 1] == 1 && !c->f[c->n - 1][0][0])
		c->n--; /* final newline */
	buf_release(&b);
}

static int csv_col(const struct csv *c, const char *name)
{
	int i;
	for (i = 0; i < c->nf[0]; i++)
		if (!strcmp(c->f[0][i], name))
			return i;
	CU_FAIL_FATAL("missing CSV column");
	return -1;
}

static void csv_free(struct csv *c)
{
	size_t i;
	for (i = 0; i < c->n + 1 && c->lines; i++) {
		if (i >= c->n)
			break;
		free(c->lines[i]);
		free(c->f[i]);
	}
	free(c->lines);
	free(c->f);
	free(c->nf);
}

static int64_t num(const char *s)
{
	return *s ? strtoll(s, NULL, 10) : 0;
}

/* ------------------------------------------------------------- decode */

static const struct eve_killmail *find_km(const struct kmset *sets, size_t nsets, int64_t id)
{
	size_t i, j;
	for (i = 0; i < nsets; i++)
		for (j = 0; j < sets[i].n; j++)
			if (sets[i].km[j].killmail_id == id)
				return &sets[i].km[j];
	return NULL;
}

static void test_decode_index(void)
{
	struct kmset sets[3];
	struct csv idx;
	size_t i, checked = 0;
	int c_file, c_id, c_time, c_sys, c_vc, c_vcorp, c_va, c_vship, c_dmg, c_ac, c_pac,
		c_fbc, c_fbcorp, c_fba, c_war, c_items;

	load_lines(JORUND, &sets[0]);
	load_lines(WINDOW, &sets[1]);
	load_lines(POCHVEN, &sets[2]);
	CU_ASSERT_EQUAL(sets[0].n, 1080);
	CU_ASSERT_EQUAL(sets[1].n, 477);
	CU_ASSERT_EQUAL(sets[2].n, 110);
	csv_load("eve/killmails/index.csv", &idx);
	c_file = csv_col(&idx, "file");
	c_id = csv_col(&idx, "killmail_id");
	c_time = csv_col(&idx, "killmail_time");
	c_sys = csv_col(&idx, "solar_system_id");
	c_vc = csv_col(&idx, "victim_character_id");
	c_vcorp = csv_col(&idx, "victim_corporation_id");
	c_va = csv_col(&idx, "victim_alliance_id");
	c_vship = csv_col(&idx, "victim_ship_type_id");
	c_dmg = csv_col(&idx, "damage_taken");
	c_ac = csv_col(&idx, "attacker_count");
	c_pac = csv_col(&idx, "player_attacker_count");
	c_fbc = csv_col(&idx, "final_blow_character_id");
	c_fbcorp = csv_col(&idx, "final_blow_corporation_id");
	c_fba = csv_col(&idx, "final_blow_alliance_id");
	c_war = csv_col(&idx, "war_id");
	c_items = csv_col(&idx, "item_rows");
	for (i = 1; i < idx.n; i++) {
		char **f = idx.f[i];
		const struct eve_killmail *km;
		const struct eve_party *fb;
		char when[32];
		size_t j, with_char = 0, top_items = 0;
		if (strstr(f[c_file], "u-qvwd") || strstr(f[c_file], "j105203"))
			continue; /* files the shared set does not ship */
		km = find_km(sets, 3, num(f[c_id]));
		CU_ASSERT_PTR_NOT_NULL(km);
		if (!km)
			continue;
		checked++;
		CU_ASSERT_STRING_EQUAL(time_iso8601(km->time_ms, when, sizeof when), f[c_time]);
		CU_ASSERT_EQUAL(km->system_id, num(f[c_sys]));
		CU_ASSERT_EQUAL(km->victim.character_id, num(f[c_vc]));
		CU_ASSERT_EQUAL(km->victim.corporation_id, num(f[c_vcorp]));
		CU_ASSERT_EQUAL(km->victim.alliance_id, num(f[c_va]));
		CU_ASSERT_EQUAL(km->victim.ship_type_id, num(f[c_vship]));
		CU_ASSERT_EQUAL(km->victim.damage, num(f[c_dmg]));
		CU_ASSERT_EQUAL((int64_t)km->n_attackers, num(f[c_ac]));
		for (j = 0; j < km->n_attackers; j++)
			with_char += km->attackers[j].character_id != 0;
		CU_ASSERT_EQUAL((int64_t)with_char, num(f[c_pac]));
		fb = eve_killmail_final_blow(km);
		CU_ASSERT_PTR_NOT_NULL(fb);
		if (fb) {
			CU_ASSERT_EQUAL(fb->character_id, num(f[c_fbc]));
			CU_ASSERT_EQUAL(fb->corporation_id, num(f[c_fbcorp]));
			CU_ASSERT_EQUAL(fb->alliance_id, num(f[c_fba]));
		}
		CU_ASSERT_EQUAL(km->war_id, num(f[c_war]));
		for (j = 0; j < km->n_items; j++)
			top_items += km->items[j].depth == 0;
		CU_ASSERT_EQUAL((int64_t)top_items, num(f[c_items]));
		CU_ASSERT_EQUAL(strlen(km->hash), 40);
		CU_ASSERT_EQUAL(km->shape, EVE_SHAPE_ESI);
		CU_ASSERT_EQUAL(km->zkb.present, false);
		CU_ASSERT_EQUAL(km->zkb.total_cents, -1);
	}
	/* 1930 rows less the 165 + 98 of the two missing files */
	CU_ASSERT_EQUAL(checked, 1930 - 165 - 98);
	csv_free(&idx);
	for (i = 0; i < 3; i++)
		free_set(&sets[i]);
}

static void test_decode_special(void)
{
	static const char *files[] = { "eve/killmails/special/zkb-repo_ccp-regenerated_km_107220741.json",
				       "eve/killmails/special/zkb-repo_ccp-regenerated_km_108794056.json" };
	size_t i;
	for (i = 0; i < 2; i++) {
		struct buf b = BUF_INIT;
		struct eve_killmail km;
		char err[256];
		CU_ASSERT_FATAL(read_data(files[i], &b) == 0);
		CU_ASSERT_EQUAL(eve_killmail_decode(b.data, b.len, &km, err, sizeof err),
				EVE_DECODED_KILLMAIL);
		CU_ASSERT_EQUAL(km.killmail_id, i ? 108794056 : 107220741);
		if (i == 1)
			CU_ASSERT_EQUAL(km.n_attackers, 982);
		if (i == 0)
			CU_ASSERT(km.war_id > 0);
		CU_ASSERT_EQUAL(km.hash[0], '\0'); /* no hash in CCP's regenerated form */
		eve_killmail_free(&km);
		buf_release(&b);
	}
}

static void test_decode_redisq(void)
{
	struct buf b = BUF_INIT;
	struct eve_killmail km;
	char err[256];
	size_t pos = 0, s, e;
	int r;

	CU_ASSERT_FATAL(read_data("eve/redisq/redisq_package_110946162_wspace_2023-08-12.json", &b) == 0);
	r = eve_killmail_decode(b.data, b.len, &km, err, sizeof err);
	CU_ASSERT_EQUAL_FATAL(r, EVE_DECODED_KILLMAIL);
	CU_ASSERT_EQUAL(km.shape, EVE_SHAPE_REDISQ);
	CU_ASSERT_EQUAL(km.killmail_id, 110946162);
	CU_ASSERT(km.zkb.present);
	CU_ASSERT(km.zkb.total_cents > 0);
	CU_ASSERT(strncmp(km.zkb.href, "https://esi.evetech.net/", 24) == 0);
	CU_ASSERT_EQUAL(strlen(km.hash), 40);
	CU_ASSERT_EQUAL(eve_space_of(km.system_id, 0), EVE_SPACE_JSPACE);
	eve_killmail_free(&km);
	buf_reset(&b);

	CU_ASSERT_FATAL(read_data("eve/redisq/redisq_package_110956448_lowsec_2023-08-12.json", &b) == 0);
	CU_ASSERT_EQUAL(eve_killmail_decode(b.data, b.len, &km, err, sizeof err), EVE_DECODED_KILLMAIL);
	CU_ASSERT_EQUAL(km.n_attackers, 2);
	CU_ASSERT(eve_killmail_final_blow(&km) == &km.attackers[0]);
	eve_killmail_free(&km);
	buf_reset(&b);

	CU_ASSERT_FATAL(read_data("eve/redisq/redisq_null_package.json", &b) == 0);
	CU_ASSERT_EQUAL(eve_killmail_decode(b.data, b.len, &km, err, sizeof err), EVE_DECODED_EMPTY);
	buf_reset(&b);

	/* zKillboard API rows: references with exact values */
	CU_ASSERT_FATAL(read_data("eve/redisq/zkb_api_response_examples.json", &b) == 0);
	CU_ASSERT_EQUAL(eve_json_next_value(b.data, b.len, &pos, &s, &e), 1);
	{
		struct json_object *arr = json_tokener_parse(b.data);
		CU_ASSERT_FATAL(arr && json_object_array_length(arr) == 2);
		CU_ASSERT_EQUAL(eve_killmail_from_json(json_object_array_get_idx(arr, 0), &km, err, sizeof err),
				EVE_DECODED_REFERENCE);
		CU_ASSERT_EQUAL(km.shape, EVE_SHAPE_ZKB_API);
		CU_ASSERT_EQUAL(km.killmail_id, 115339013);
		CU_ASSERT_EQUAL(km.zkb.total_cents, 6713121316345LL);
		CU_ASSERT_EQUAL(km.zkb.fitted_cents, 6666152413469LL);
		CU_ASSERT_EQUAL(km.zkb.dropped_cents, 192150834271LL);
		CU_ASSERT_EQUAL(km.zkb.destroyed_cents, 6520970482074LL);
		/* totalValue = destroyedValue + droppedValue, to the cent */
		CU_ASSERT_EQUAL(km.zkb.total_cents, km.zkb.destroyed_cents + km.zkb.dropped_cents);
		CU_ASSERT_STRING_EQUAL(km.hash, "d7b2b4bbb7e656c39528f55e28c313d26cdeab2b");
		CU_ASSERT_EQUAL(km.zkb.points, 1);
		CU_ASSERT_EQUAL(km.zkb.solo, 0);
		eve_killmail_free(&km);
		CU_ASSERT_EQUAL(eve_killmail_from_json(json_object_array_get_idx(arr, 1), &km, err, sizeof err),
				EVE_DECODED_REFERENCE);
		CU_ASSERT_EQUAL(km.zkb.total_cents, 185522150020LL);
		CU_ASSERT_EQUAL(km.zkb.solo, 1);
		eve_killmail_free(&km);
		json_object_put(arr);
	}
	buf_release(&b);
}

/* An R2Z2 document and a zKillboard merged killmail built around a real
 * ESI body, and a RedisQ package with the body stripped (2025-12-01). */
static void test_decode_wrapped(void)
{
	struct buf b = BUF_INIT, doc = BUF_INIT;
	struct eve_killmail km, plain;
	char err[256];
	size_t pos = 0, s, e;

	CU_ASSERT_FATAL(read_data(WINDOW, &b) == 0);
	CU_ASSERT_FATAL(eve_json_next_value(b.data, b.len, &pos, &s, &e) == 1);
	CU_ASSERT_FATAL(eve_killmail_decode(b.data + s, e - s, &plain, err, sizeof err) == 0);

	buf_addf(&doc, "{\"killmail_id\":%lld,\"hash\":\"%s\",\"esi\":%.*s,"
		       "\"zkb\":{\"locationID\":40178434,\"totalValue\":422152306.43,\"points\":3,"
		       "\"npc\":false,\"solo\":false,\"awox\":false,\"labels\":[\"pvp\"],\"attackerCount\":1,"
		       "\"href\":\"https://esi.evetech.net/latest/killmails/1/x/\"},"
		       "\"uploaded_at\":1638100810,\"sequence_id\":7001,\"sequence_updated\":6990}",
		 (long long)plain.killmail_id, plain.hash, (int)(e - s), b.data + s);
	CU_ASSERT_EQUAL_FATAL(eve_killmail_decode(doc.data, doc.len, &km, err, sizeof err), 0);
	CU_ASSERT_EQUAL(km.shape, EVE_SHAPE_R2Z2);
	CU_ASSERT_EQUAL(km.sequence_id, 7001);
	CU_ASSERT_EQUAL(km.sequence_updated, 6990);
	CU_ASSERT_EQUAL(km.zkb.total_cents, 42215230643LL);
	CU_ASSERT_EQUAL(km.n_attackers, plain.n_attackers);
	CU_ASSERT_EQUAL(km.time_ms, plain.time_ms);
	eve_killmail_free(&km);

	/* R2Z2 with a mismatching id is refused */
	buf_reset(&doc);
	buf_addf(&doc, "{\"killmail_id\":1,\"hash\":\"%s\",\"esi\":%.*s}", plain.hash, (int)(e - s),
		 b.data + s);
	CU_ASSERT_EQUAL(eve_killmail_decode(doc.data, doc.len, &km, err, sizeof err), -1);
	CU_ASSERT(strstr(err, "differs") != NULL);

	/* merged: ESI fields plus zkb */
	buf_reset(&doc);
	buf_add(&doc, b.data + s, e - s - 1);
	buf_addstr(&doc, ",\"zkb\":{\"totalValue\":1e3,\"hash\":\"");
	buf_addstr(&doc, plain.hash);
	buf_addstr(&doc, "\"}}");
	CU_ASSERT_EQUAL_FATAL(eve_killmail_decode(doc.data, doc.len, &km, err, sizeof err), 0);
	CU_ASSERT_EQUAL(km.shape, EVE_SHAPE_ZKB_MERGED);
	CU_ASSERT_EQUAL(km.zkb.total_cents, 100000);
	eve_killmail_free(&km);

	/* RedisQ after 2025-12-01: no killmail, a reference to fetch */
	buf_reset(&doc);
	buf_addf(&doc, "{\"package\":{\"killID\":%lld,\"zkb\":{\"hash\":\"%s\",\"totalValue\":5.5,"
		       "\"href\":\"https://esi.evetech.net/latest/killmails/%lld/%s/\"}}}",
		 (long long)plain.killmail_id, plain.hash, (long long)plain.killmail_id, plain.hash);
	CU_ASSERT_EQUAL(eve_killmail_decode(doc.data, doc.len, &km, err, sizeof err),
			EVE_DECODED_REFERENCE);
	CU_ASSERT_EQUAL(km.killmail_id, plain.killmail_id);
	CU_ASSERT_STRING_EQUAL(km.hash, plain.hash);
	CU_ASSERT_EQUAL(km.zkb.total_cents, 550);
	eve_killmail_free(&km);
	eve_killmail_free(&plain);
	buf_release(&doc);
	buf_release(&b);
}

/* Each malformed killmail is refused with its own reason. */
static void test_malformed(void)
{
	static const struct {
		const char *doc;
		const char *reason;
	} cases[] = {
		{ "", "not JSON" },
		{ "{\"killmail_id\":1", "not JSON" },
		{ "{} {}", "text after" },
		{ "[1,2]", "not a JSON object" },
		{ "{\"killmail_time\":\"2021-11-28T12:00:10Z\"}", "killmail_id missing" },
		{ "{\"killmail_id\":\"96992858\"}", "killmail_id is not a positive integer" },
		{ "{\"killmail_id\":-5}", "killmail_id is not a positive integer" },
		{ "{\"killmail_id\":5}", "killmail_time missing" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"yesterday\"}", "killmail_time not RFC 3339" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\"}", "solar_system_id missing" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":1.5}",
		  "solar_system_id is not" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142}",
		  "victim missing" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		  "\"victim\":{\"corporation_id\":98000001,\"damage_taken\":10}}", "victim.ship_type_id missing" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		  "\"victim\":{\"ship_type_id\":587,\"damage_taken\":10,\"alliance_id\":\"x\"}}",
		  "victim.alliance_id is not a positive integer" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		  "\"victim\":{\"ship_type_id\":587,\"damage_taken\":10}}", "attackers missing" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		  "\"victim\":{\"ship_type_id\":587,\"damage_taken\":10},\"attackers\":[]}", "attackers is empty" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		  "\"victim\":{\"ship_type_id\":587,\"damage_taken\":10},\"attackers\":{}}", "attackers is not an array" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		  "\"victim\":{\"ship_type_id\":587,\"damage_taken\":10},\"attackers\":[7]}", "attackers[0]. is not an object" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		  "\"victim\":{\"ship_type_id\":587,\"damage_taken\":10},\"attackers\":[{\"damage_done\":-1}]}",
		  "attackers[0].damage_done" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		  "\"victim\":{\"ship_type_id\":587,\"damage_taken\":10},\"attackers\":[{\"final_blow\":true},"
		  "{\"final_blow\":true}]}", "2 attackers have final_blow" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		  "\"killmail_hash\":\"abc\",\"victim\":{\"ship_type_id\":587},\"attackers\":[{}]}",
		  "killmail_hash is not 40 hex digits" },
		{ "{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		  "\"victim\":{\"ship_type_id\":587,\"items\":[{\"flag\":5}]},\"attackers\":[{}]}",
		  "item_type_id missing" },
		{ "{\"killmail_id\":5,\"zkb\":{\"totalValue\":-3}}", "zkb.totalValue is not" },
		{ "{\"killmail_id\":5,\"zkb\":{\"totalValue\":\"12\"}}", "zkb.totalValue is not" },
		{ "{\"package\":7}", "package is not an object" },
		{ "{\"package\":{\"killID\":5}}", "package.zkb missing" },
		{ "{\"package\":{\"zkb\":{}}}", "package.killID missing" },
		{ "{\"killmail_id\":9,\"esi\":{}}", "killmail_id missing" },
	};
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct eve_killmail km;
		char err[256] = "";
		int r = eve_killmail_decode(cases[i].doc, strlen(cases[i].doc), &km, err, sizeof err);
		CU_ASSERT_EQUAL(r, -1);
		if (!strstr(err, cases[i].reason))
			fprintf(stderr, "\ncase %zu: got \"%s\", want \"%s\"\n", i, err, cases[i].reason);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].reason));
		CU_ASSERT_PTR_NULL(km.attackers);
		CU_ASSERT_PTR_NULL(km.items);
	}
}

/* Real killmails with one field broken each: all refused. */
static void test_malformed_real(void)
{
	struct buf b = BUF_INIT;
	size_t pos = 0, s, e, tried = 0, refused = 0;
	static const char *breaks[][2] = {
		{ "\"killmail_time\":\"2021-", "\"killmail_time\":\"2O21-" },
		{ "\"victim\":{", "\"victim\":7,\"x\":{" },
		{ "\"attackers\":[", "\"attackers\":[3," },
		{ "\"solar_system_id\":", "\"solar_system_id\":-" },
	};
	CU_ASSERT_FATAL(read_data(POCHVEN, &b) == 0);
	while (eve_json_next_value(b.data, b.len, &pos, &s, &e) == 1) {
		size_t k;
		for (k = 0; k < sizeof breaks / sizeof breaks[0]; k++) {
			struct buf d = BUF_INIT;
			struct eve_killmail km;
			char err[256];
			const char *at;
			buf_add(&d, b.data + s, e - s);
			at = strstr(d.data, breaks[k][0]);
			CU_ASSERT_PTR_NOT_NULL_FATAL(at);
			{
				struct buf m = BUF_INIT;
				buf_add(&m, d.data, (size_t)(at - d.data));
				buf_addstr(&m, breaks[k][1]);
				buf_addstr(&m, at + strlen(breaks[k][0]));
				tried++;
				if (eve_killmail_decode(m.data, m.len, &km, err, sizeof err) < 0 && err[0])
					refused++;
				buf_release(&m);
			}
			buf_release(&d);
		}
	}
	CU_ASSERT_EQUAL(tried, 110 * 4);
	CU_ASSERT_EQUAL(refused, tried);
	buf_release(&b);
}

/* ---------------------------------------------------------------- ISK */

static void test_isk(void)
{
	static const struct {
		const char *in;
		int64_t cents;
	} ok[] = {
		{ "0", 0 }, { "12", 1200 }, { "0.01", 1 }, { "422152306.43", 42215230643LL },
		{ "67131213163.45", 6713121316345LL }, { "1e3", 100000 }, { "1.5E2", 15000 },
		{ "0.005", 1 }, { "0.004", 0 }, { "2.675", 268 }, { "1855221500.2", 185522150020LL },
		{ "007.10", 710 }, { "1e-2", 1 }, { "123456789012.99", 12345678901299LL },
	};
	static const char *bad[] = { "", "-1", "+1", "abc", "1.", ".5", "1e", "1e5000", "1,5",
				     "1000000000000000", "NaN", "12 " };
	size_t i;
	char out[32];
	int64_t v, sum;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		v = -7;
		CU_ASSERT_EQUAL(eve_isk_parse(ok[i].in, &v), 0);
		if (v != ok[i].cents)
			fprintf(stderr, "\n%s -> %lld\n", ok[i].in, (long long)v);
		CU_ASSERT_EQUAL(v, ok[i].cents);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = -7;
		CU_ASSERT_EQUAL(eve_isk_parse(bad[i], &v), -1);
		CU_ASSERT_EQUAL(v, -7);
	}
	CU_ASSERT_STRING_EQUAL(eve_isk_format(42215230643LL, out, sizeof out), "422152306.43");
	CU_ASSERT_STRING_EQUAL(eve_isk_format(5, out, sizeof out), "0.05");
	CU_ASSERT_STRING_EQUAL(eve_isk_format(0, out, sizeof out), "0.00");
	CU_ASSERT_STRING_EQUAL(eve_isk_format(-150, out, sizeof out), "-1.50");
	/* the float sum of these drifts; the cents do not */
	sum = 0;
	for (i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(eve_isk_add(&sum, 10), 0);
	CU_ASSERT_STRING_EQUAL(eve_isk_format(sum, out, sizeof out), "100.00");
	sum = INT64_MAX - 1;
	CU_ASSERT_EQUAL(eve_isk_add(&sum, 5), -1);
	CU_ASSERT_EQUAL(sum, INT64_MAX - 1);
}

/* A labelled synthetic price table: 1,000 ISK per unit of everything
 * except type 34 (no price). */
static int test_price(void *ctx, int64_t type_id, int64_t *cents)
{
	(void)ctx;
	if (type_id == 34)
		return -1;
	*cents = 100000;
	return 0;
}

static void test_value_from_prices(void)
{
	const char *doc =
		"{\"killmail_id\":5,\"killmail_time\":\"2021-11-28T12:00:10Z\",\"solar_system_id\":30000142,"
		"\"victim\":{\"ship_type_id\":587,\"items\":[{\"item_type_id\":2,\"flag\":5,\"quantity_destroyed\":3,"
		"\"singleton\":0},{\"item_type_id\":3,\"flag\":5,\"quantity_dropped\":2,\"singleton\":2},"
		"{\"item_type_id\":34,\"flag\":5,\"quantity_dropped\":100},{\"item_type_id\":4,\"flag\":5,"
		"\"quantity_destroyed\":1,\"items\":[{\"item_type_id\":5,\"flag\":5,\"quantity_dropped\":4}]}]},"
		"\"attackers\":[{\"final_blow\":true}]}";
	struct eve_killmail km;
	char err[128];
	int64_t cents = 0;
	CU_ASSERT_EQUAL_FATAL(eve_killmail_decode(doc, strlen(doc), &km, err, sizeof err), 0);
	CU_ASSERT_EQUAL(km.n_items, 5);
	CU_ASSERT_EQUAL(km.items[4].depth, 1);
	/* hull 1000 + 3*1000 + BPC 2*0.01 + (34 unpriced) + 1000 + nested 4*1000 */
	CU_ASSERT_EQUAL(eve_killmail_value(&km, test_price, NULL, &cents), 1);
	CU_ASSERT_EQUAL(cents, 100000 + 300000 + 2 + 100000 + 400000);
	CU_ASSERT(eve_killmail_is_npc(&km));
	eve_killmail_free(&km);
}

/* ------------------------------------------------------- static rules */

static void test_space_systems(void)
{
	struct csv sys;
	size_t i, n = 0, pochven = 0;
	int c_id, c_sec, c_reg, c_rname, c_space, c_band, c_wh;
	csv_load("eve/static/systems.csv", &sys);
	c_id = csv_col(&sys, "solar_system_id");
	c_sec = csv_col(&sys, "security_status");
	c_reg = csv_col(&sys, "region_id");
	c_rname = csv_col(&sys, "region_name");
	c_space = csv_col(&sys, "space_type");
	c_band = csv_col(&sys, "sec_band");
	c_wh = csv_col(&sys, "wh_class");
	for (i = 1; i < sys.n; i++) {
		char **f = sys.f[i];
		int64_t sec;
		enum eve_space sp = eve_space_of(num(f[c_id]), num(f[c_reg]));
		const char *wh = eve_wh_class(sp, f[c_rname]);
		CU_ASSERT_EQUAL(eve_sec_parse(f[c_sec], &sec), 0);
		if (strcmp(eve_space_token(sp), f[c_space]) ||
		    strcmp(eve_band_token(eve_band_of(sp, sec)), f[c_band]) || strcmp(wh ? wh : "", f[c_wh]))
			fprintf(stderr, "\nsystem %s: %s %s %s\n", f[c_id], eve_space_token(sp),
				eve_band_token(eve_band_of(sp, sec)), wh ? wh : "");
		CU_ASSERT_STRING_EQUAL(eve_space_token(sp), f[c_space]);
		CU_ASSERT_STRING_EQUAL(eve_band_token(eve_band_of(sp, sec)), f[c_band]);
		CU_ASSERT_STRING_EQUAL(wh ? wh : "", f[c_wh]);
		pochven += sp == EVE_SPACE_POCHVEN;
		n++;
	}
	CU_ASSERT_EQUAL(n, 8490);
	CU_ASSERT_EQUAL(pochven, 27);
	csv_free(&sys);

	/* the rules FORMAT.md calls wrong stay wrong here */
	CU_ASSERT_EQUAL(eve_space_of(32000063, 12000003), EVE_SPACE_ABYSSAL);  /* not Pochven */
	CU_ASSERT_EQUAL(eve_space_of(30000021, 10000070), EVE_SPACE_POCHVEN);  /* 300xxxxx */
	CU_ASSERT_EQUAL(eve_band_of(EVE_SPACE_KSPACE, 450343), EVE_BAND_HIGHSEC); /* 0.45..0.5 */
	CU_ASSERT_EQUAL(eve_band_of(EVE_SPACE_KSPACE, 449999), EVE_BAND_LOWSEC);
	CU_ASSERT_EQUAL(eve_band_of(EVE_SPACE_KSPACE, 40000), EVE_BAND_LOWSEC);   /* 0 < sec < 0.05 */
	CU_ASSERT_EQUAL(eve_band_of(EVE_SPACE_KSPACE, 0), EVE_BAND_NULLSEC);
	CU_ASSERT_EQUAL(eve_band_of(EVE_SPACE_JSPACE, -990000), EVE_BAND_JSPACE); /* not null-sec */
	CU_ASSERT_EQUAL(eve_band_of(EVE_SPACE_POCHVEN, -1000000), EVE_BAND_POCHVEN); /* not w-space */
	CU_ASSERT_EQUAL(eve_space_of(30100000, 10001000), EVE_SPACE_ZARZAKH);
	CU_ASSERT_EQUAL(eve_space_of(30002187, 0), EVE_SPACE_UNKNOWN);
	CU_ASSERT_EQUAL(eve_space_of(31000005, 0), EVE_SPACE_JSPACE);
	CU_ASSERT_EQUAL(eve_space_parse("pochven"), EVE_SPACE_POCHVEN);
	CU_ASSERT_EQUAL(eve_space_parse("wormhole"), EVE_SPACE_UNKNOWN);
}

/* index.csv's space_type and sec_band for every saved kill, computed from
 * the kill's system through systems.csv. */
static void test_space_index(void)
{
	struct csv sys, idx;
	size_t i, j, checked = 0;
	int s_id, s_sec, s_reg, i_sys, i_space, i_band, i_wh, s_rname;
	csv_load("eve/static/systems.csv", &sys);
	csv_load("eve/killmails/index.csv", &idx);
	s_id = csv_col(&sys, "solar_system_id");
	s_sec = csv_col(&sys, "security_status");
	s_reg = csv_col(&sys, "region_id");
	s_rname = csv_col(&sys, "region_name");
	i_sys = csv_col(&idx, "solar_system_id");
	i_space = csv_col(&idx, "space_type");
	i_band = csv_col(&idx, "sec_band");
	i_wh = csv_col(&idx, "wh_class");
	for (i = 1; i < idx.n; i++) {
		for (j = 1; j < sys.n; j++)
			if (!strcmp(sys.f[j][s_id], idx.f[i][i_sys]))
				break;
		CU_ASSERT_FATAL(j < sys.n);
		{
			int64_t sec;
			enum eve_space sp = eve_space_of(num(sys.f[j][s_id]), num(sys.f[j][s_reg]));
			const char *wh = eve_wh_class(sp, sys.f[j][s_rname]);
			eve_sec_parse(sys.f[j][s_sec], &sec);
			CU_ASSERT_STRING_EQUAL(eve_space_token(sp), idx.f[i][i_space]);
			CU_ASSERT_STRING_EQUAL(eve_band_token(eve_band_of(sp, sec)), idx.f[i][i_band]);
			CU_ASSERT_STRING_EQUAL(wh ? wh : "", idx.f[i][i_wh]);
		}
		checked++;
	}
	CU_ASSERT_EQUAL(checked, 1930);
	csv_free(&sys);
	csv_free(&idx);
}

static void test_sec_csv_links(void)
{
	int64_t v;
	char line[128], *f[8];
	struct buf u = BUF_INIT;
	struct json_object *arr;

	CU_ASSERT_EQUAL(eve_sec_parse("0.456959", &v), 0);
	CU_ASSERT_EQUAL(v, 456959);
	CU_ASSERT_EQUAL(eve_sec_parse("-0.0074", &v), 0);
	CU_ASSERT_EQUAL(v, -7400);
	CU_ASSERT_EQUAL(eve_sec_parse("1.0", &v), 0);
	CU_ASSERT_EQUAL(v, 1000000);
	CU_ASSERT_EQUAL(eve_sec_parse("-0.99", &v), 0);
	CU_ASSERT_EQUAL(v, -990000);
	CU_ASSERT_EQUAL(eve_sec_parse("x", &v), -1);
	CU_ASSERT_EQUAL(eve_sec_parse("11", &v), -1);

	strcpy(line, "1,\"a,b\",\"say \"\"hi\"\"\",,x\r\n");
	CU_ASSERT_EQUAL(eve_csv_split(line, f, 8), 5);
	CU_ASSERT_STRING_EQUAL(f[1], "a,b");
	CU_ASSERT_STRING_EQUAL(f[2], "say \"hi\"");
	CU_ASSERT_STRING_EQUAL(f[3], "");
	CU_ASSERT_STRING_EQUAL(f[4], "x");
	strcpy(line, "1,\"open");
	CU_ASSERT_EQUAL(eve_csv_split(line, f, 8), -1);
	strcpy(line, "1,2,3");
	CU_ASSERT_EQUAL(eve_csv_split(line, f, 2), -1);

	/* related kills: minutes 00, the hour after the start's hour */
	{
		int64_t t;
		CU_ASSERT_EQUAL(time_parse_iso8601("2021-11-28T10:21:49Z", &t), 0);
		eve_related_url(&u, 30001046, t);
		CU_ASSERT_STRING_EQUAL(u.data, "https://zkillboard.com/related/30001046/202111281100/");
		arr = json_object_new_array();
		/* 10:21 .. 14:22: pages at 11:00 (10-13 h) and 14:00 (13-16 h) */
		eve_related_urls(arr, 30001046, t, t + (4 * 3600 + 61) * 1000LL);
		CU_ASSERT_EQUAL(json_object_array_length(arr), 2);
		CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(arr, 1)),
				       "https://zkillboard.com/related/30001046/202111281400/");
		json_object_put(arr);
		buf_reset(&u);
		eve_kill_url(&u, 96992858);
		CU_ASSERT_STRING_EQUAL(u.data, "https://zkillboard.com/kill/96992858/");
	}
	buf_release(&u);
}

static void test_json_scan(void)
{
	const char *obj = " { \"96992858\" : {\"a\":[1,\"}\\\"\"]} , \"2\":\"x\",\"3\":12 } ";
	size_t pos = 0, s, e, kl;
	const char *key;
	int n = 0;
	while (eve_json_next_member(obj, strlen(obj), &pos, &key, &kl, &s, &e) == 1) {
		if (n == 0) {
			CU_ASSERT_EQUAL(kl, 8);
			CU_ASSERT(!strncmp(key, "96992858", 8));
			CU_ASSERT(!strncmp(obj + s, "{\"a\":[1,\"}\\\"\"]}", e - s));
		}
		if (n == 2)
			CU_ASSERT(!strncmp(obj + s, "12", e - s));
		n++;
	}
	CU_ASSERT_EQUAL(n, 3);
	pos = 0;
	CU_ASSERT_EQUAL(eve_json_next_member("{\"a\":1,}", 8, &pos, &key, &kl, &s, &e), 1);
	CU_ASSERT_EQUAL(eve_json_next_member("{\"a\":1,}", 8, &pos, &key, &kl, &s, &e), -1);
	pos = 0;
	CU_ASSERT_EQUAL(eve_json_next_value("{\"a\":\"unterminated}", 19, &pos, &s, &e), -1);
	pos = 0;
	CU_ASSERT_EQUAL(eve_json_next_value("]", 1, &pos, &s, &e), -1);
	pos = 0;
	CU_ASSERT_EQUAL(eve_json_next_value("  \n", 3, &pos, &s, &e), 0);
}

/* ---------------------------------------------------------- clustering */

struct ckset {
	struct eve_ckill *k;
	int64_t *ents;
	size_t n;
};

static void ck_build(const struct kmset *set, struct ckset *c)
{
	size_t i, total = 0, off = 0;
	for (i = 0; i < set->n; i++)
		total += set->km[i].n_attackers + 1;
	c->k = calloc(set->n, sizeof *c->k);
	c->ents = calloc(total, sizeof *c->ents);
	c->n = set->n;
	for (i = 0; i < set->n; i++) {
		const struct eve_killmail *km = &set->km[i];
		enum eve_space sp = eve_space_of(km->system_id, 0);
		c->k[i].killmail_id = km->killmail_id;
		c->k[i].time_ms = km->time_ms;
		c->k[i].system_id = km->system_id;
		c->k[i].instanced = sp == EVE_SPACE_ABYSSAL || sp == EVE_SPACE_OTHER;
		c->k[i].entities = c->ents + off;
		c->k[i].n_entities = eve_killmail_entities(km, c->ents + off);
		off += c->k[i].n_entities;
	}
}

static bool shares(const struct eve_ckill *k, const struct eve_ckill *const *members, size_t m)
{
	size_t i, a, b;
	for (i = 0; i < m; i++)
		for (a = 0; a < k->n_entities; a++)
			for (b = 0; b < members[i]->n_entities; b++)
				if (k->entities[a] == members[i]->entities[b])
					return true;
	return false;
}

static int cmp_tk(const void *a, const void *b)
{
	const struct eve_ckill *x = *(const struct eve_ckill *const *)a;
	const struct eve_ckill *y = *(const struct eve_ckill *const *)b;
	if (x->system_id != y->system_id)
		return x->system_id < y->system_id ? -1 : 1;
	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	return x->killmail_id < y->killmail_id ? -1 : x->killmail_id > y->killmail_id;
}

/* Check the documented rule from the outside: walking each system in
 * (time, id) order, a kill is in the previous kill's cluster exactly when
 * the join rule holds against that cluster's kills so far. */
static long check_rule(const struct ckset *c, const struct eve_cluster_params *p, const uint32_t *cl)
{
	const struct eve_ckill **s = malloc(c->n * sizeof *s);
	size_t i, first = 0;
	long clusters = c->n ? 1 : 0;
	for (i = 0; i < c->n; i++)
		s[i] = &c->k[i];
	qsort(s, c->n, sizeof *s, cmp_tk);
	for (i = 1; i < c->n; i++) {
		size_t ia = (size_t)(s[i] - c->k), ib = (size_t)(s[i - 1] - c->k);
		bool same_sys = s[i]->system_id == s[i - 1]->system_id;
		int64_t dt = s[i]->time_ms - s[i - 1]->time_ms;
		bool join = same_sys && ((!s[i]->instanced && dt <= p->gap_ms) ||
					 (p->correlate && dt <= p->window_ms && shares(s[i], s + first, i - first)));
		CU_ASSERT_EQUAL(join, cl[ia] == cl[ib]);
		if (!join) {
			first = i;
			clusters++;
		}
	}
	free(s);
	return clusters;
}

static void test_cluster(void)
{
	struct kmset j, w, pv;
	struct ckset cj, cw, cp;
	struct eve_cluster_params p = EVE_CLUSTER_DEFAULTS, nocorr = EVE_CLUSTER_DEFAULTS, bad = p;
	uint32_t *cl;
	long n, i, k;
	size_t *size;

	load_lines(JORUND, &j);
	load_lines(WINDOW, &w);
	load_lines(POCHVEN, &pv);
	ck_build(&j, &cj);
	ck_build(&w, &cw);
	ck_build(&pv, &cp);

	/* the 4-hour Jorund fight is one battle (no cap on total length) */
	cl = calloc(cj.n, sizeof *cl);
	n = eve_cluster(cj.k, cj.n, &p, cl);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(check_rule(&cj, &p, cl), n);
	free(cl);

	/* the window: every kill in exactly one cluster, the rule holds */
	cl = calloc(cw.n, sizeof *cl);
	for (i = 0; i < (long)cw.n; i++)
		cl[i] = UINT32_MAX;
	n = eve_cluster(cw.k, cw.n, &p, cl);
	CU_ASSERT(n > 0);
	CU_ASSERT_EQUAL(check_rule(&cw, &p, cl), n);
	size = calloc((size_t)n, sizeof *size);
	for (i = 0; i < (long)cw.n; i++) {
		CU_ASSERT_FATAL(cl[i] < (uint32_t)n);
		size[cl[i]]++;
	}
	for (k = 0; k < n; k++)
		CU_ASSERT(size[k] >= 1);
	free(size);
	free(cl);

	/* Pochven over a day: the shared-entity rule joins across gaps */
	cl = calloc(cp.n, sizeof *cl);
	n = eve_cluster(cp.k, cp.n, &p, cl);
	CU_ASSERT_EQUAL(check_rule(&cp, &p, cl), n);
	nocorr.correlate = false;
	{
		long n2 = eve_cluster(cp.k, cp.n, &nocorr, cl);
		CU_ASSERT_EQUAL(check_rule(&cp, &nocorr, cl), n2);
		CU_ASSERT(n2 > n); /* correlation joins some clusters the gap alone splits */
	}
	free(cl);

	/* input order does not matter: reversed input, same partition sizes */
	{
		struct eve_ckill *rev = malloc(cw.n * sizeof *rev);
		uint32_t *a = calloc(cw.n, sizeof *a), *b = calloc(cw.n, sizeof *b);
		for (i = 0; i < (long)cw.n; i++)
			rev[i] = cw.k[cw.n - 1 - (size_t)i];
		CU_ASSERT_EQUAL(eve_cluster(cw.k, cw.n, &p, a), eve_cluster(rev, cw.n, &p, b));
		for (i = 0; i < (long)cw.n; i++)
			CU_ASSERT_EQUAL(a[i], b[cw.n - 1 - (size_t)i]);
		free(rev);
		free(a);
		free(b);
	}

	bad.min_kills = 0;
	CU_ASSERT_EQUAL(eve_cluster(cw.k, cw.n, &bad, NULL), -1);
	bad = p;
	bad.gap_ms = -1;
	CU_ASSERT_EQUAL(eve_cluster(cw.k, cw.n, &bad, NULL), -1);
	CU_ASSERT_EQUAL(eve_cluster(cw.k, 0, &p, NULL), 0);

	free(cj.k);
	free(cj.ents);
	free(cw.k);
	free(cw.ents);
	free(cp.k);
	free(cp.ents);
	free_set(&j);
	free_set(&w);
	free_set(&pv);
}

/* ---------------------------------------------------------------- sides */

static void test_sides_jorund(void)
{
	struct kmset j;
	const struct eve_killmail **kp;
	struct eve_side_params sp = EVE_SIDE_DEFAULTS;
	int64_t *ents;
	int *side;
	size_t ne, i, k;
	int ns;
	long agree = 0, against = 0, same = 0;
	struct json_object *doc, *sides, *v;
	long lost = 0;

	load_lines(JORUND, &j);
	kp = malloc(j.n * sizeof *kp);
	for (i = 0; i < j.n; i++)
		kp[i] = &j.km[i];
	ns = eve_sides_assign(kp, j.n, &sp, &ents, &side, &ne);
	CU_ASSERT(ns >= 2);
	/* measured from the outside: most (attacker, victim) entity pairs end
	 * on different sides, and co-attackers mostly on the same */
	for (i = 0; i < j.n; i++) {
		int vs = -1;
		int64_t ve = eve_party_entity(&j.km[i].victim);
		for (k = 0; k < ne; k++)
			if (ents[k] == ve)
				vs = side[k];
		for (k = 0; k < j.km[i].n_attackers; k++) {
			int64_t ae = eve_party_entity(&j.km[i].attackers[k]);
			size_t m;
			if (!ae || ae == ve || vs <= 0)
				continue;
			for (m = 0; m < ne && ents[m] != ae; m++)
				;
			CU_ASSERT_FATAL(m < ne);
			if (side[m] == vs)
				same++;
			else
				against++;
		}
	}
	agree = against;
	CU_ASSERT(agree > 9 * same); /* > 90 % of hostile pairs split */
	free(ents);
	free(side);

	doc = eve_battle_report(kp, j.n, &sp, NULL, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT(json_object_object_get_ex(doc, "kills", &v) && json_object_get_int(v) == 1080);
	CU_ASSERT(json_object_object_get_ex(doc, "capsules", &v) && json_object_get_int(v) == 389);
	CU_ASSERT(json_object_object_get_ex(doc, "start_time", &v) &&
		  !strcmp(json_object_get_string(v), "2021-11-28T10:21:49Z"));
	CU_ASSERT(json_object_object_get_ex(doc, "end_time", &v) &&
		  !strcmp(json_object_get_string(v), "2021-11-28T14:22:51Z"));
	CU_ASSERT(json_object_object_get_ex(doc, "sides", &sides));
	for (i = 0; i < json_object_array_length(sides); i++) {
		struct json_object *s = json_object_array_get_idx(sides, i);
		json_object_object_get_ex(s, "ships_lost", &v);
		lost += json_object_get_int(v);
		json_object_object_get_ex(s, "capsules_lost", &v);
		lost += json_object_get_int(v);
		/* no values in the 2021 ESI files: efficiency unknown */
		CU_ASSERT(json_object_object_get_ex(s, "efficiency", &v) && v == NULL);
	}
	CU_ASSERT_EQUAL(lost, 1080); /* every loss on exactly one side */
	CU_ASSERT(json_object_object_get_ex(doc, "killmails", &v) && json_object_array_length(v) == 1080);
	json_object_put(doc);
	free(kp);
	free_set(&j);
}

/* Three entities: A and B kill each other's ships, C shoots B with A.
 * Efficiency from zkb values, exactly. */
static void test_sides_small(void)
{
	const char *docs[] = {
		/* A (alliance 1001) kills B (1002), 100 ISK */
		"{\"killmail_id\":1,\"killmail_time\":\"2024-01-01T00:00:00Z\",\"solar_system_id\":30000142,"
		"\"victim\":{\"character_id\":90000002,\"corporation_id\":98000002,\"alliance_id\":1002,\"ship_type_id\":587},"
		"\"attackers\":[{\"character_id\":90000001,\"corporation_id\":98000001,\"alliance_id\":1001,\"ship_type_id\":587,\"final_blow\":true,\"damage_done\":5},"
		"{\"character_id\":90000003,\"corporation_id\":98000003,\"ship_type_id\":621,\"damage_done\":1}],"
		"\"zkb\":{\"totalValue\":100.00}}",
		/* B kills A, 300.50 ISK */
		"{\"killmail_id\":2,\"killmail_time\":\"2024-01-01T00:01:00Z\",\"solar_system_id\":30000142,"
		"\"victim\":{\"character_id\":90000001,\"corporation_id\":98000001,\"alliance_id\":1001,\"ship_type_id\":587},"
		"\"attackers\":[{\"character_id\":90000002,\"corporation_id\":98000002,\"alliance_id\":1002,\"ship_type_id\":587,\"final_blow\":true}],"
		"\"zkb\":{\"totalValue\":300.50}}",
		/* NPC kills D (corp 98000004), alone */
		"{\"killmail_id\":3,\"killmail_time\":\"2024-01-01T00:02:00Z\",\"solar_system_id\":30000142,"
		"\"victim\":{\"character_id\":90000004,\"corporation_id\":98000004,\"ship_type_id\":670},"
		"\"attackers\":[{\"corporation_id\":1000125,\"ship_type_id\":3740,\"final_blow\":true}]}",
	};
	struct eve_killmail km[3];
	const struct eve_killmail *kp[3];
	struct eve_side_params sp = EVE_SIDE_DEFAULTS;
	struct json_object *doc, *sides, *s1, *s2, *v;
	int ks[3];
	size_t i;
	char err[128];

	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(eve_killmail_decode(docs[i], strlen(docs[i]), &km[i], err, sizeof err), 0);
		kp[i] = &km[i];
	}
	doc = eve_battle_report(kp, 3, &sp, NULL, NULL, ks);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	json_object_object_get_ex(doc, "side_count", &v);
	CU_ASSERT_EQUAL(json_object_get_int(v), 2);
	CU_ASSERT_NOT_EQUAL(ks[0], ks[1]);
	CU_ASSERT(ks[0] > 0 && ks[1] > 0);
	CU_ASSERT_EQUAL(ks[2], 0); /* killed by NPCs only: unaligned */
	json_object_object_get_ex(doc, "isk_destroyed", &v);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "400.50");
	json_object_object_get_ex(doc, "sides", &sides);
	s1 = json_object_array_get_idx(sides, 0);
	s2 = json_object_array_get_idx(sides, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	/* the side of kill 1's victim (B) lost 100, destroyed 300.50 */
	{
		struct json_object *sb = ks[0] == 1 ? s1 : s2, *sa = ks[0] == 1 ? s2 : s1;
		json_object_object_get_ex(sb, "isk_lost", &v);
		CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "100.00");
		json_object_object_get_ex(sb, "isk_destroyed", &v);
		CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "300.50");
		json_object_object_get_ex(sb, "efficiency", &v);
		CU_ASSERT_STRING_EQUAL(json_object_to_json_string(v), "0.7503"); /* 300.5 / 400.5 */
		json_object_object_get_ex(sa, "efficiency", &v);
		CU_ASSERT_STRING_EQUAL(json_object_to_json_string(v), "0.2497");
		/* corp 98000003 (no alliance) attacked with A: on A's side */
		json_object_object_get_ex(sa, "members", &v);
		CU_ASSERT_EQUAL(json_object_array_length(v), 2);
	}
	json_object_put(doc);
	for (i = 0; i < 3; i++)
		eve_killmail_free(&km[i]);
}

/* A killmail with no player, corporation or alliance on it (an NPC kills
 * an NPC-owned victim): a report with no participants, found by the
 * eve_killmail fuzzer (qsort of an empty, NULL list). */
static void test_report_npc_only(void)
{
	const char *doc_s =
		"{\"killmail_id\":4,\"killmail_time\":\"2024-01-01T00:03:00Z\",\"solar_system_id\":30000142,"
		"\"victim\":{\"ship_type_id\":670},"
		"\"attackers\":[{\"ship_type_id\":3740,\"final_blow\":true}]}";
	struct eve_killmail km;
	const struct eve_killmail *kp[1] = { &km };
	struct eve_side_params sp = EVE_SIDE_DEFAULTS;
	struct json_object *doc, *v;
	char err[128];

	CU_ASSERT_EQUAL_FATAL(eve_killmail_decode(doc_s, strlen(doc_s), &km, err, sizeof err), 0);
	doc = eve_battle_report(kp, 1, &sp, NULL, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT(json_object_object_get_ex(doc, "participants", &v) && json_object_array_length(v) == 0);
	CU_ASSERT(json_object_object_get_ex(doc, "killmails", &v) && json_object_array_length(v) == 1);
	json_object_put(doc);
	eve_killmail_free(&km);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("eve", NULL, NULL);
	CU_add_test(s, "every saved killmail decodes and matches index.csv", test_decode_index);
	CU_add_test(s, "CCP-regenerated killmails (982 attackers)", test_decode_special);
	CU_add_test(s, "RedisQ packages, null package, zKillboard API rows", test_decode_redisq);
	CU_add_test(s, "R2Z2 document, zkb merged, stripped RedisQ package", test_decode_wrapped);
	CU_add_test(s, "malformed killmails refused with reasons", test_malformed);
	CU_add_test(s, "real killmails with a broken field refused", test_malformed_real);
	CU_add_test(s, "ISK exact in hundredths", test_isk);
	CU_add_test(s, "value from a price table", test_value_from_prices);
	CU_add_test(s, "space type, band, wormhole class of all 8490 systems", test_space_systems);
	CU_add_test(s, "space types of every saved kill match index.csv", test_space_index);
	CU_add_test(s, "security, CSV records, zKillboard links", test_sec_csv_links);
	CU_add_test(s, "JSON value and member scanner", test_json_scan);
	CU_add_test(s, "clustering rules on Jorund, the window and Pochven", test_cluster);
	CU_add_test(s, "sides and report of the Jorund fight", test_sides_jorund);
	CU_add_test(s, "sides, unaligned, exact efficiency", test_sides_small);
	CU_add_test(s, "report of an NPC-only killmail", test_report_npc_only);
}

CU_MAIN()
