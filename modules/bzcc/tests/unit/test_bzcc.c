/* test_bzcc.c: BZCC lobby decoding against the real captures and oracles in
 * tests/data/bzcc/, plus hostile input and the session JSON view.
 */
#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "tests/unit/cu.h"
#include "modules/bzcc/domain/bzcc.h"

/* --- helpers --- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n + 1);
		if (data && fread(data, 1, (size_t)n, f) == (size_t)n) {
			data[n] = '\0';
			*len = (size_t)n;
		} else {
			free(data);
			data = NULL;
		}
	}
	fclose(f);
	return data;
}

/* Decode a file under tests/data; returns 0 and fills lobby, or -1. */
static int decode_data_file(const char *rel, struct bzcc_lobby *lobby)
{
	char err[256];
	size_t len = 0;
	char *doc = slurp(cu_data_path(rel), &len);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	memset(lobby, 0, sizeof(*lobby));
	rc = bzcc_lobby_decode(doc, len, lobby, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\n%s: %s\n", rel, err);
	free(doc);
	return rc;
}

static int decode_str(const char *doc, struct bzcc_lobby *lobby, char *err,
		      size_t errlen)
{
	memset(lobby, 0, sizeof(*lobby));
	return bzcc_lobby_decode(doc, strlen(doc), lobby, err, errlen);
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

/* Integer member, `absent` for missing or null. */
static int jint(struct json_object *o, const char *key, int absent)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return absent;
	return json_object_get_int(v);
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static const struct bzcc_session *find_session(const struct bzcc_lobby *l,
					       const char *nat)
{
	size_t i;

	for (i = 0; i < l->n_sessions; i++)
		if (!strcmp(l->sessions[i].nat_id, nat))
			return &l->sessions[i];
	return NULL;
}

/* --- (1) NAT id oracle --- */

static void test_nat_oracle(void)
{
	size_t len = 0, rows = 0, checked = 0;
	char *tsv = slurp(cu_data_path("bzcc/oracles/nat-guid-oracle.tsv"), &len);
	char *line, *save = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tsv);
	for (line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char nat[32], hex[32], dec[32], re[16];
		char enc[12], got[17];
		unsigned length;
		uint64_t guid;

		if (!strncmp(line, "nat\t", 4))
			continue; /* header */
		rows++;
		if (sscanf(line, "%31[^\t]\t%u\t%31[^\t]\t%31[^\t]\t%15[^\t]",
			   nat, &length, hex, dec, re) != 5) {
			CU_FAIL("unparsable oracle row");
			continue;
		}
		CU_ASSERT_EQUAL(strlen(nat), length);
		CU_ASSERT_EQUAL_FATAL(bzcc_nat_decode(nat, &guid), 0);
		snprintf(got, sizeof(got), "%016llx", (unsigned long long)guid);
		CU_ASSERT_STRING_EQUAL(got, hex);
		CU_ASSERT_EQUAL(guid, strtoull(dec, NULL, 10));
		CU_ASSERT_EQUAL(bzcc_nat_encode(guid, enc), strlen(nat));
		CU_ASSERT_STRING_EQUAL(enc, nat);
		CU_ASSERT_STRING_EQUAL(re, "true");
		checked++;
	}
	CU_ASSERT_EQUAL(rows, 55);
	CU_ASSERT_EQUAL(checked, 55);
	free(tsv);
}

static void test_nat_edges(void)
{
	uint64_t g = 1;
	char enc[12];

	CU_ASSERT_EQUAL(bzcc_nat_decode("", &g), -1);
	CU_ASSERT_EQUAL(bzcc_nat_decode(NULL, &g), -1);
	CU_ASSERT_EQUAL(bzcc_nat_decode("123456789ABC", &g), -1); /* 12 chars */
	/* 11th character may only carry 4 bits. */
	CU_ASSERT_EQUAL(bzcc_nat_decode("@@@@@@@@@@F", &g), 0);
	CU_ASSERT_EQUAL(g, UINT64_C(15) << 60);
	CU_ASSERT_EQUAL(bzcc_nat_decode("@@@@@@@@@@G", &g), -1);
	CU_ASSERT_EQUAL(bzcc_nat_decode("__________F", &g), 0);
	CU_ASSERT_EQUAL(g, UINT64_MAX);
	CU_ASSERT_EQUAL(bzcc_nat_encode(UINT64_MAX, enc), 11);
	CU_ASSERT_STRING_EQUAL(enc, "__________F");
	CU_ASSERT_EQUAL(bzcc_nat_encode(0, enc), 1);
	CU_ASSERT_STRING_EQUAL(enc, "@");
	/* Unknown characters count as zero. */
	CU_ASSERT_EQUAL(bzcc_nat_decode("1!1", &g), 0);
	CU_ASSERT_EQUAL(g, 1 + (UINT64_C(1) << 12));
	CU_ASSERT_EQUAL(bzcc_nat_decode("XXXXXXX@XX", &g), 0);
	CU_ASSERT_EQUAL(g, UINT64_C(0x0861021861861861));
}

/* --- text --- */

static void test_text(void)
{
	char *s;
	const unsigned char undef[] = { 0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x80, 0xFF };

	s = bzcc_decode_name("lQ==");
	CU_ASSERT_STRING_EQUAL(s, "\xE2\x80\xA2"); /* 0x95 -> U+2022 */
	free(s);
	/* Cut at the first NUL, garbage after it ignored; trimmed. */
	s = bzcc_decode_name("ICBhYiAAenp6");
	CU_ASSERT_STRING_EQUAL(s, "ab");
	free(s);
	s = bzcc_decode_name("");
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	CU_ASSERT_PTR_NULL(bzcc_decode_name("abc"));     /* length */
	CU_ASSERT_PTR_NULL(bzcc_decode_name("ab!d"));    /* character */
	CU_ASSERT_PTR_NULL(bzcc_decode_name("a=bc"));    /* padding inside */
	CU_ASSERT_PTR_NULL(bzcc_decode_name("a==="));    /* too much padding */
	CU_ASSERT_PTR_NULL(bzcc_decode_name("QQ==QQ=="));
	CU_ASSERT_PTR_NULL(bzcc_decode_name("QQ ="));
	CU_ASSERT_PTR_NULL(bzcc_decode_name(NULL));

	s = bzcc_cp1252_to_utf8(undef, sizeof(undef));
	CU_ASSERT_STRING_EQUAL(s, "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D"
				  "\xE2\x82\xAC\xC3\xBF");
	free(s);
}

/* The whole upper half of Windows-1252 (and ASCII) against glibc's iconv
 * "CP1252" table, which was written independently of ours. glibc leaves
 * 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined (EILSEQ); for those bzcc.h
 * documents the same-numbered C1 code point (U+0081 ...). */
static void test_cp1252_table(void)
{
	static const unsigned char want_undefined[] = { 0x81, 0x8D, 0x8F, 0x90, 0x9D };
	unsigned char all[255], defined[255];
	char want_all[1024], *wp = want_all, *got;
	size_t n_defined = 0, n_undefined = 0, left;
	unsigned c;
	iconv_t cd = iconv_open("UTF-8", "CP1252");

	CU_ASSERT_FATAL(cd != (iconv_t)-1);
	for (c = 0x01; c <= 0xFF; c++) {
		unsigned char in = (unsigned char)c;
		char want[8], *ip = (char *)&in, *op = want;
		size_t il = 1, ol = sizeof(want) - 1;

		all[c - 1] = in;
		iconv(cd, NULL, NULL, NULL, NULL);
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
			CU_ASSERT_EQUAL(errno, EILSEQ);
			CU_ASSERT_FATAL(n_undefined < sizeof(want_undefined));
			CU_ASSERT_EQUAL(c, want_undefined[n_undefined]);
			n_undefined++;
			/* U+0080..U+009F in UTF-8: C2 xx */
			want[0] = (char)0xC2;
			want[1] = (char)c;
			op = want + 2;
		} else {
			defined[n_defined++] = in;
		}
		*op = '\0';
		got = bzcc_cp1252_to_utf8(&in, 1);
		if (strcmp(got, want))
			printf("\n  cp1252 0x%02X: got %s, want %s\n", c, got, want);
		CU_ASSERT_STRING_EQUAL(got, want);
		memcpy(wp, want, strlen(want));
		wp += strlen(want);
		free(got);
	}
	*wp = '\0';
	CU_ASSERT_EQUAL(n_undefined, sizeof(want_undefined));

	/* All 255 bytes in one string decode to the concatenation. */
	got = bzcc_cp1252_to_utf8(all, sizeof(all));
	CU_ASSERT_STRING_EQUAL(got, want_all);
	free(got);
	/* And the defined bytes in one iconv call agree too. */
	{
		char out[1024], *ip = (char *)defined, *op = out;
		size_t il = n_defined;
		left = sizeof(out) - 1;
		iconv(cd, NULL, NULL, NULL, NULL);
		CU_ASSERT_NOT_EQUAL_FATAL(iconv(cd, &ip, &il, &op, &left), (size_t)-1);
		*op = '\0';
		got = bzcc_cp1252_to_utf8(defined, n_defined);
		CU_ASSERT_STRING_EQUAL(got, out);
		free(got);
	}
	iconv_close(cd);
}

/* --- (2) raw captures against the decoded oracle --- */

/* The primary mod id as the raw capture's "mm" field says it: the first
 * non-empty ';'-separated field, "0" (stock) when there is none
 * (docs/bzcc-format.md). Written to `out`. */
static void first_mod_of(const char *mm, char *out, size_t outlen)
{
	size_t n;

	while (mm && *mm == ';')
		mm++;
	n = mm ? strcspn(mm, ";") : 0;
	if (!n)
		snprintf(out, outlen, "0");
	else
		snprintf(out, outlen, "%.*s", (int)n, mm);
}

/* The game of a raw capture document (its "GET" array) with NAT id `nat`. */
static struct json_object *raw_game(struct json_object *raw, const char *nat)
{
	struct json_object *games = jget(raw, "GET");
	size_t i;

	for (i = 0; games && i < json_object_array_length(games); i++) {
		struct json_object *g = json_object_array_get_idx(games, i);
		if (jstr(g, "g") && !strcmp(jstr(g, "g"), nat))
			return g;
	}
	return NULL;
}

static void check_oracle_game(const struct bzcc_session *s, struct json_object *g,
			      struct json_object *raw)
{
	struct json_object *mods = jget(g, "mods"), *players = jget(g, "players");
	const char *src = jstr(g, "proxySource");
	char first_mod[64];
	size_t i;

	CU_ASSERT_STRING_EQUAL(s->guid_hex, jstr(g, "guid_hex16"));
	CU_ASSERT_STRING_EQUAL(s->source, src ? src : "Rebellion");
	CU_ASSERT_STRING_EQUAL(s->name, jstr(g, "name"));
	CU_ASSERT_STRING_EQUAL(s->map_file, jstr(g, "map_file"));
	CU_ASSERT_EQUAL_FATAL(s->n_mods, json_object_array_length(mods));
	for (i = 0; i < s->n_mods; i++)
		CU_ASSERT_STRING_EQUAL(s->mods[i],
				       json_object_get_string(json_object_array_get_idx(mods, i)));
	/* the primary mod: as the capture's own "mm" field and the oracle say */
	CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
	first_mod_of(jstr(raw, "mm"), first_mod, sizeof(first_mod));
	CU_ASSERT_STRING_EQUAL(s->mod_id, first_mod);
	CU_ASSERT_STRING_EQUAL(s->mod_id, json_object_get_string(json_object_array_get_idx(mods, 0)));
	CU_ASSERT_EQUAL(s->game_type, jint(g, "gt", -1));
	CU_ASSERT_EQUAL(s->gtd, jint(g, "gtd", -1));
	CU_ASSERT_EQUAL(s->game_mode, jint(g, "gtd_mode", -1));
	CU_ASSERT_EQUAL(s->mode_detail, jint(g, "gtd_detail", -1));
	CU_ASSERT_EQUAL(s->server_info, jint(g, "si", -1));
	CU_ASSERT_STRING_EQUAL(s->nat_type_name, jstr(g, "nat_type") ? jstr(g, "nat_type") : "");
	CU_ASSERT_EQUAL(s->locked, json_object_get_boolean(jget(g, "locked")));
	CU_ASSERT_EQUAL(s->password, json_object_get_boolean(jget(g, "password")));
	CU_ASSERT_EQUAL_FATAL(s->n_players, json_object_array_length(players));
	for (i = 0; i < s->n_players; i++) {
		struct json_object *p = json_object_array_get_idx(players, i);
		const struct bzcc_player *q = &s->players[i];
		CU_ASSERT_STRING_EQUAL(q->platform_id, jstr(p, "i"));
		CU_ASSERT_STRING_EQUAL(q->name, jstr(p, "name"));
		CU_ASSERT_EQUAL(q->slot, jint(p, "slot", 0));
		CU_ASSERT_EQUAL(q->kills, jint(p, "kills", 0));
		CU_ASSERT_EQUAL(q->deaths, jint(p, "deaths", 0));
		CU_ASSERT_EQUAL(q->score, jint(p, "score", 0));
		CU_ASSERT_EQUAL(q->position, (int)i);
		CU_ASSERT_EQUAL(q->host, i == 0);
	}
}

static void test_lobby_oracle(void)
{
	struct json_object *oracle =
		json_object_from_file(cu_data_path("bzcc/oracles/lobby-decoded-oracle.json"));
	size_t f, compared = 0, placeholders = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(oracle);
	CU_ASSERT_EQUAL(json_object_array_length(oracle), 2);
	for (f = 0; f < json_object_array_length(oracle); f++) {
		struct json_object *entry = json_object_array_get_idx(oracle, f);
		struct json_object *games = jget(entry, "games");
		const char *file = jstr(entry, "file");
		struct bzcc_lobby lobby;
		struct json_object *raw;
		size_t i, k = 0;
		bool had_placeholder = false;

		CU_ASSERT_PTR_NOT_NULL_FATAL(file);
		CU_ASSERT_EQUAL_FATAL(strncmp(file, "tests/data/", 11), 0);
		CU_ASSERT_EQUAL_FATAL(decode_data_file(file + 11, &lobby), 0);
		{
			size_t len = 0;
			char *doc = slurp(cu_data_path(file + 11), &len);
			CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
			/* json-c does not skip a UTF-8 BOM */
			raw = json_tokener_parse(strncmp(doc, "\xEF\xBB\xBF", 3) ? doc : doc + 3);
			free(doc);
			CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
		}
		CU_ASSERT_EQUAL(lobby.kind, BZCC_KIND_RAKNET);
		CU_ASSERT_EQUAL(lobby.skipped, 0);
		for (i = 0; i < json_object_array_length(games); i++) {
			struct json_object *g = json_object_array_get_idx(games, i);
			if (json_object_get_boolean(jget(g, "placeholder"))) {
				/* Skipped, and its name gives rebellion_up. */
				CU_ASSERT_PTR_NULL(find_session(&lobby, jstr(g, "g")));
				CU_ASSERT_EQUAL(lobby.rebellion_up,
						strstr(jstr(g, "name"), "UP") ? 1 : 0);
				had_placeholder = true;
				placeholders++;
				compared++;
				continue;
			}
			CU_ASSERT_FATAL(k < lobby.n_sessions);
			CU_ASSERT_STRING_EQUAL(lobby.sessions[k].nat_id, jstr(g, "g"));
			check_oracle_game(&lobby.sessions[k], g, raw_game(raw, jstr(g, "g")));
			k++;
			compared++;
		}
		CU_ASSERT_EQUAL(k, lobby.n_sessions);
		if (!had_placeholder)
			CU_ASSERT_EQUAL(lobby.rebellion_up, -1);
		bzcc_lobby_free(&lobby);
		json_object_put(raw);
	}
	CU_ASSERT_EQUAL(compared, 12);
	CU_ASSERT_EQUAL(placeholders, 1);
	json_object_put(oracle);
}

/* Team/leader rules on the real captures (docs/bzcc-format.md 3.3). */
static void test_lobby_teams(void)
{
	struct bzcc_lobby lobby;
	const struct bzcc_session *s;

	CU_ASSERT_EQUAL_FATAL(decode_data_file(
		"bzcc/lobby/iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json",
		&lobby), 0);
	CU_ASSERT_EQUAL(lobby.n_sessions, 4);
	CU_ASSERT_EQUAL(lobby.rebellion_up, 1);

	s = find_session(&lobby, "BwHUzL2@Wg"); /* team strategy */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_TRUE(s->teams);
	CU_ASSERT_STRING_EQUAL(s->game_mode_name, "Team Strategy");
	CU_ASSERT_STRING_EQUAL(s->map_key, "1325933293:vsrjade");
	CU_ASSERT_EQUAL(s->state, BZCC_STATE_PRE_GAME);
	CU_ASSERT_EQUAL(s->players[0].slot, 2);
	CU_ASSERT_EQUAL(s->players[0].team, 1);
	CU_ASSERT_FALSE(s->players[0].leader);
	CU_ASSERT_TRUE(s->players[0].host);
	CU_ASSERT_EQUAL(s->players[2].slot, 1);
	CU_ASSERT_TRUE(s->players[2].leader);
	CU_ASSERT_EQUAL(s->players[4].slot, 6);
	CU_ASSERT_EQUAL(s->players[4].team, 2);
	CU_ASSERT_TRUE(s->players[4].leader);

	s = find_session(&lobby, "IGiq_J1@@E"); /* MPI */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_FALSE(s->teams);
	CU_ASSERT_STRING_EQUAL(s->game_mode_name, "MPI");
	CU_ASSERT_STRING_EQUAL(s->id, "Rebellion:03800014ffd2c412");
	CU_ASSERT_EQUAL(s->state, BZCC_STATE_IN_GAME);
	CU_ASSERT_EQUAL(s->players[0].team, 1);
	CU_ASSERT_TRUE(s->players[0].leader);
	CU_ASSERT_EQUAL(s->players[1].team, 1);
	CU_ASSERT_FALSE(s->players[1].leader);
	CU_ASSERT_EQUAL(s->minutes_in_state, 68);
	CU_ASSERT_EQUAL(s->max_players, 5);
	CU_ASSERT_EQUAL(s->tps, 20);
	CU_ASSERT_EQUAL(s->max_ping, 750);
	CU_ASSERT_EQUAL(s->worst_ping, 118);
	CU_ASSERT_STRING_EQUAL(s->mod_hash, "nrI7n");
	CU_ASSERT_STRING_EQUAL(s->version, "2.0.185");

	s = find_session(&lobby, "-HGcNV@@@U"); /* gt 0: no usable type */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s->game_type_name, "All");
	CU_ASSERT_STRING_EQUAL(s->game_mode_name, "Unknown");
	CU_ASSERT_EQUAL(s->players[0].team, 0);
	CU_ASSERT_EQUAL(s->n_mods, 8);
	CU_ASSERT_STRING_EQUAL(s->map_key, "1821482708:mpian");
	bzcc_lobby_free(&lobby);
}

/* --- (3) MSL API 1.0 files --- */

static void check_msl_session(const struct bzcc_session *s, struct json_object *so)
{
	struct json_object *addr = jget(so, "Address"), *level = jget(so, "Level");
	struct json_object *players = jget(so, "Players"), *status = jget(so, "Status");
	const char *nat = jstr(addr, "NAT"), *id = jstr(so, "ID");
	const char *state = jstr(status, "State");
	char want[64], key[256], *p;
	uint64_t guid;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(bzcc_nat_decode(nat, &guid), 0);
	snprintf(want, sizeof(want), "Rebellion:%016llx", (unsigned long long)guid);
	CU_ASSERT_STRING_EQUAL(s->id, want);
	CU_ASSERT_STRING_EQUAL(s->nat_id, nat);
	CU_ASSERT_EQUAL(strncmp(id, "Rebellion:", 10), 0);
	CU_ASSERT_STRING_EQUAL(id + 10, nat);
	CU_ASSERT_STRING_EQUAL(s->name, jstr(so, "Name"));
	CU_ASSERT_STRING_EQUAL(s->motd, jstr(so, "Message") ? jstr(so, "Message") : "");
	/* Our own key derivation agrees with MSL's Level.ID. */
	snprintf(key, sizeof(key), "%s:%s", s->mod_id, s->map_file);
	for (p = strchr(key, ':'); *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 32;
	CU_ASSERT_STRING_EQUAL(s->map_key, jstr(level, "ID"));
	CU_ASSERT_STRING_EQUAL(s->map_key, key);
	CU_ASSERT_PTR_NULL(strstr(s->map_file, ".bzn"));
	CU_ASSERT_EQUAL(s->locked, json_object_get_boolean(jget(status, "IsLocked")));
	CU_ASSERT_EQUAL(s->password, json_object_get_boolean(jget(status, "HasPassword")));
	CU_ASSERT_STRING_EQUAL(bzcc_state_token(s->state),
			       !strcmp(state, "PreGame") ? "pre_game" : "in_game");
	CU_ASSERT_STRING_EQUAL(s->nat_type_name, jstr(addr, "NAT_TYPE"));
	CU_ASSERT(s->nat_type >= 0);
	CU_ASSERT(s->max_players > 0);
	CU_ASSERT(s->game_type == 1 || s->game_type == 2);
	CU_ASSERT(strcmp(s->game_mode_name, "Unknown") != 0);
	CU_ASSERT_EQUAL(s->gtd, -1);
	CU_ASSERT_EQUAL(s->server_info, -1);
	CU_ASSERT_EQUAL(s->tps, jint(jget(so, "Attributes"), "TPS", -1));
	CU_ASSERT_EQUAL(s->worst_ping, jint(jget(so, "Attributes"), "MaxPingSeen", -1));
	CU_ASSERT_EQUAL(s->minutes_in_state, jint(jget(so, "Time"), "Seconds", -1) / 60);

	CU_ASSERT_EQUAL_FATAL(s->n_players, json_object_array_length(players));
	for (i = 0; i < s->n_players; i++) {
		struct json_object *po = json_object_array_get_idx(players, i);
		struct json_object *ids = jget(po, "IDs"), *team = jget(po, "Team");
		struct json_object *steam = jget(ids, "Steam"), *gog = jget(ids, "Gog");
		const struct bzcc_player *q = &s->players[i];

		CU_ASSERT_STRING_EQUAL(q->name, jstr(po, "Name"));
		CU_ASSERT_STRING_EQUAL(q->platform_id, jstr(jget(ids, "BZRNet"), "ID"));
		CU_ASSERT_EQUAL(q->slot, jint(jget(ids, "Slot"), "ID", 0));
		if (steam) {
			CU_ASSERT_STRING_EQUAL(q->provider, "steam");
			CU_ASSERT_STRING_EQUAL(q->external_id, jstr(steam, "ID"));
		}
		if (gog) {
			CU_ASSERT_STRING_EQUAL(q->provider, "gog");
			CU_ASSERT_STRING_EQUAL(q->external_id, jstr(gog, "ID"));
		}
		/* MSL's own team assignment must agree with ours. */
		CU_ASSERT_EQUAL(q->team, jint(team, "ID", 0));
		CU_ASSERT_EQUAL(q->leader,
				jget(team, "Leader") ? json_object_get_boolean(jget(team, "Leader")) : 0);
		CU_ASSERT_EQUAL(q->kills, jint(jget(po, "Stats"), "Kills", 0));
		CU_ASSERT_EQUAL(q->deaths, jint(jget(po, "Stats"), "Deaths", 0));
		CU_ASSERT_EQUAL(q->score, jint(jget(po, "Stats"), "Score", 0));
	}
}

/* The JSON view of a decoded MSL session, field by field against the MSL
 * document itself (what the API serves must be what MSL said). */
static void check_msl_view(struct json_object *js, struct json_object *so)
{
	struct json_object *level = jget(so, "Level"), *game = jget(so, "Game");
	struct json_object *status = jget(so, "Status"), *attrs = jget(so, "Attributes");
	struct json_object *addr = jget(so, "Address"), *players = jget(so, "Players");
	struct json_object *mod = jget(js, "mod"), *jp = jget(js, "players");
	struct json_object *mods = jget(game, "Mods");
	const char *state = jstr(status, "State"), *want_mod, *mapfile = jstr(level, "MapFile");
	char want[64], file[256];
	uint64_t guid;
	size_t i, n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	CU_ASSERT_EQUAL_FATAL(bzcc_nat_decode(jstr(addr, "NAT"), &guid), 0);
	snprintf(want, sizeof(want), "Rebellion:%016llx", (unsigned long long)guid);
	CU_ASSERT_STRING_EQUAL(jstr(js, "id"), want);
	CU_ASSERT_STRING_EQUAL(jstr(js, "guid"), want + 10);
	CU_ASSERT_STRING_EQUAL(jstr(js, "source"), "Rebellion");
	CU_ASSERT_STRING_EQUAL(jstr(js, "nat_id"), jstr(addr, "NAT"));
	CU_ASSERT_STRING_EQUAL(jstr(js, "name"), jstr(so, "Name"));
	CU_ASSERT_STRING_EQUAL(jstr(js, "motd"), jstr(so, "Message") ? jstr(so, "Message") : "");
	/* map: Level.ID is MSL's own "<mod>:<lower-case file>" key */
	CU_ASSERT_STRING_EQUAL(jstr(jget(js, "map"), "key"), jstr(level, "ID"));
	n = strlen(mapfile);
	snprintf(file, sizeof(file), "%.*s",
		 (int)(n > 4 && !strcasecmp(mapfile + n - 4, ".bzn") ? n - 4 : n), mapfile);
	CU_ASSERT_STRING_EQUAL(jstr(jget(js, "map"), "file"), file);
	/* mod: Game.Mod first, then Game.Mods */
	want_mod = jstr(game, "Mod") && *jstr(game, "Mod") ? jstr(game, "Mod") : "0";
	CU_ASSERT_STRING_EQUAL(jstr(mod, "id"), want_mod);
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(jget(mod, "ids")),
			      1 + (mods ? json_object_array_length(mods) : 0));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(jget(mod, "ids"), 0)),
			       want_mod);
	for (i = 0; mods && i < json_object_array_length(mods); i++)
		CU_ASSERT_STRING_EQUAL(
			json_object_get_string(json_object_array_get_idx(jget(mod, "ids"), i + 1)),
			json_object_get_string(json_object_array_get_idx(mods, i)));
	CU_ASSERT_STRING_EQUAL(jstr(mod, "hash"), jstr(game, "ModHash") ? jstr(game, "ModHash") : "");
	CU_ASSERT_EQUAL(json_object_get_boolean(jget(mod, "stock")), !strcmp(want_mod, "0"));
	CU_ASSERT_EQUAL(json_object_get_boolean(jget(mod, "vsr")), !strcmp(want_mod, "1325933293"));
	CU_ASSERT_STRING_EQUAL(jstr(js, "version"), jstr(game, "Version") ? jstr(game, "Version") : "");
	/* state and flags */
	CU_ASSERT_STRING_EQUAL(jstr(js, "state"), !strcmp(state, "PreGame") ? "pre_game" :
						  !strcmp(state, "InGame") ? "in_game" :
						  !strcmp(state, "PostGame") ? "post_game" : "unknown");
	CU_ASSERT_EQUAL(json_object_get_boolean(jget(js, "locked")),
			json_object_get_boolean(jget(status, "IsLocked")));
	CU_ASSERT_EQUAL(json_object_get_boolean(jget(js, "password")),
			json_object_get_boolean(jget(status, "HasPassword")));
	CU_ASSERT_STRING_EQUAL(jstr(jget(js, "nat_type"), "name"), jstr(addr, "NAT_TYPE"));
	/* numbers; absent ones are null */
	CU_ASSERT_EQUAL(jint(js, "tps", -1), jint(attrs, "TPS", -1));
	CU_ASSERT_EQUAL(jint(js, "max_ping", -1), jint(attrs, "MaxPing", -1));
	CU_ASSERT_EQUAL(jint(js, "worst_ping", -1), jint(attrs, "MaxPingSeen", -1));
	CU_ASSERT_EQUAL(jint(js, "minutes_in_state", -1), jint(jget(so, "Time"), "Seconds", -1) / 60);
	CU_ASSERT_EQUAL(jint(js, "max_players", -1),
			jint(json_object_array_get_idx(jget(so, "PlayerTypes"), 0), "Max", -1));
	CU_ASSERT_EQUAL(jint(js, "player_count", -1), (int)json_object_array_length(players));
	/* players, in MSL's order */
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(jp), json_object_array_length(players));
	for (i = 0; i < json_object_array_length(players); i++) {
		struct json_object *po = json_object_array_get_idx(players, i);
		struct json_object *p = json_object_array_get_idx(jp, i);
		struct json_object *ids = jget(po, "IDs"), *team = jget(po, "Team");
		const char *steam = jstr(jget(ids, "Steam"), "ID"), *gog = jstr(jget(ids, "Gog"), "ID");

		CU_ASSERT_STRING_EQUAL(jstr(p, "name"), jstr(po, "Name"));
		CU_ASSERT_STRING_EQUAL(jstr(p, "platform_id"), jstr(jget(ids, "BZRNet"), "ID"));
		CU_ASSERT_STRING_EQUAL(jstr(p, "provider"), steam ? "steam" : gog ? "gog" : "");
		CU_ASSERT_STRING_EQUAL(jstr(p, "external_id"), steam ? steam : gog ? gog : "");
		CU_ASSERT_EQUAL(jint(p, "position", -1), (int)i);
		CU_ASSERT_EQUAL(jint(p, "slot", -1), jint(jget(ids, "Slot"), "ID", 0));
		CU_ASSERT_EQUAL(jint(p, "team", -1), jint(team, "ID", 0));
		CU_ASSERT_EQUAL(json_object_get_boolean(jget(p, "leader")),
				json_object_get_boolean(jget(team, "Leader")));
		CU_ASSERT_EQUAL(jint(p, "kills", -1), jint(jget(po, "Stats"), "Kills", 0));
		CU_ASSERT_EQUAL(jint(p, "deaths", -1), jint(jget(po, "Stats"), "Deaths", 0));
		CU_ASSERT_EQUAL(jint(p, "score", -1), jint(jget(po, "Stats"), "Score", 0));
	}
}

static void test_msl_files(void)
{
	char dirpath[4096];
	DIR *d;
	struct dirent *e;
	size_t files = 0, sessions = 0;

	snprintf(dirpath, sizeof(dirpath), "%s", cu_data_path("bzcc/msl-api-v1"));
	d = opendir(dirpath);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d))) {
		char rel[512];
		struct json_object *root, *arr;
		struct bzcc_lobby lobby;
		size_t i, n;

		n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".json"))
			continue;
		snprintf(rel, sizeof(rel), "bzcc/msl-api-v1/%s", e->d_name);
		root = json_object_from_file(cu_data_path(rel));
		CU_ASSERT_PTR_NOT_NULL_FATAL(root);
		arr = jget(root, "Sessions");
		CU_ASSERT_EQUAL_FATAL(decode_data_file(rel, &lobby), 0);
		CU_ASSERT_EQUAL(lobby.kind, BZCC_KIND_MSL_V1);
		CU_ASSERT_EQUAL(lobby.skipped, 0);
		CU_ASSERT_EQUAL(lobby.rebellion_up, -1);
		CU_ASSERT_EQUAL_FATAL(lobby.n_sessions, json_object_array_length(arr));
		for (i = 0; i < lobby.n_sessions; i++) {
			struct json_object *js;
			check_msl_session(&lobby.sessions[i], json_object_array_get_idx(arr, i));
			js = bzcc_session_to_json(&lobby.sessions[i]);
			check_msl_view(js, json_object_array_get_idx(arr, i));
			json_object_put(js);
		}
		sessions += lobby.n_sessions;
		files++;
		bzcc_lobby_free(&lobby);
		json_object_put(root);
	}
	closedir(d);
	/* 13 files with 32 sessions today; README.md lists more to come. */
	CU_ASSERT(files >= 13);
	CU_ASSERT(sessions >= 32);
}

static void test_msl_modes(void)
{
	struct bzcc_lobby lobby;
	const struct bzcc_session *s;

	CU_ASSERT_EQUAL_FATAL(decode_data_file("bzcc/msl-api-v1/2024-09-12_data-gog.json", &lobby), 0);
	s = find_session(&lobby, "OO7_YtQ@mN"); /* DM / TEAM_CTF, respawn One */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->game_type, 1);
	CU_ASSERT_EQUAL(s->game_mode, 6);
	CU_ASSERT_EQUAL(s->mode_detail, 2);
	CU_ASSERT_TRUE(s->teams);
	CU_ASSERT_STRING_EQUAL(s->game_mode_name, "Team Capture the Flag");
	CU_ASSERT_STRING_EQUAL(s->map_file, "ctf1");
	CU_ASSERT_STRING_EQUAL(s->mod_id, "1325933293");
	s = find_session(&lobby, "OX-dgq@@mT"); /* GOG host, dependency mods */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s->players[0].provider, "gog");
	CU_ASSERT_STRING_EQUAL(s->players[0].external_id, "46987569706102602");
	CU_ASSERT_EQUAL(s->n_mods, 8);
	CU_ASSERT_STRING_EQUAL(s->mods[0], "1325933293");
	CU_ASSERT_STRING_EQUAL(s->mods[7], "2467249743");
	CU_ASSERT_STRING_EQUAL(s->game_mode_name, "MPI");
	bzcc_lobby_free(&lobby);

	CU_ASSERT_EQUAL_FATAL(decode_data_file("bzcc/msl-api-v1/2025-04-05_ffa.json", &lobby), 0);
	CU_ASSERT_EQUAL_FATAL(lobby.n_sessions, 1);
	CU_ASSERT_EQUAL(lobby.sessions[0].game_mode, 11);
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].game_mode_name, "Free-for-All");
	CU_ASSERT_FALSE(lobby.sessions[0].teams);
	bzcc_lobby_free(&lobby);

	CU_ASSERT_EQUAL_FATAL(decode_data_file("bzcc/msl-api-v1/2025-04-05_dm.json", &lobby), 0);
	s = find_session(&lobby, "CsfUYW@@@o"); /* DM, respawn Any */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->game_mode, 1);
	CU_ASSERT_EQUAL(s->mode_detail, 512);
	CU_ASSERT_STRING_EQUAL(s->game_mode_name, "Deathmatch");
	CU_ASSERT_STRING_EQUAL(s->mod_id, "1325933293");
	bzcc_lobby_free(&lobby);

	/* Stock game: no Game.Mod, so mod "0" and key "0:<map>". */
	CU_ASSERT_EQUAL_FATAL(decode_data_file("bzcc/msl-api-v1/2024-11-12_loot-pirate.json", &lobby), 0);
	s = find_session(&lobby, "5VJ6t@@@@i");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s->mod_id, "0");
	CU_ASSERT_STRING_EQUAL(s->map_key, "0:loot");
	CU_ASSERT_STRING_EQUAL(s->motd, "mushi");
	bzcc_lobby_free(&lobby);

	/* Time.Max: saturated counter. */
	CU_ASSERT_EQUAL_FATAL(decode_data_file("bzcc/msl-api-v1/2025-04-09_six.json", &lobby), 0);
	s = find_session(&lobby, "F8_-jPA@mZ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_TRUE(s->time_saturated);
	CU_ASSERT_EQUAL(s->minutes_in_state, 255);
	bzcc_lobby_free(&lobby);
}

/* --- (4) malformed input --- */

static void expect_fail(const char *doc, size_t len, const char *msg_part)
{
	struct bzcc_lobby lobby;
	char err[256] = "unset";

	memset(&lobby, 0xA5, sizeof(lobby)); /* decode must not trust `out` */
	CU_ASSERT_EQUAL(bzcc_lobby_decode(doc, len, &lobby, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NULL(lobby.sessions);
	CU_ASSERT_EQUAL(lobby.n_sessions, 0);
	CU_ASSERT(err[0] != '\0' && strcmp(err, "unset") != 0);
	if (msg_part && !strstr(err, msg_part)) {
		fprintf(stderr, "\nerror \"%s\" lacks \"%s\"\n", err, msg_part);
		CU_FAIL("error message");
	}
	bzcc_lobby_free(&lobby);
}

static void test_bad_documents(void)
{
	size_t len = 0, big = 10u * 1024u * 1024u, i, depth = 100000;
	char *doc = slurp(cu_data_path("bzcc/lobby/rebellion-direct_2022-12_frute94-BZCC-Scanner.json"), &len);
	char *garbage, *deep;
	char small[8];

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	/* Truncated anywhere: never a crash, always a clean error. */
	for (i = 0; i < len; i += 97)
		expect_fail(doc, i, i ? "document is not JSON" : "document is empty");
	expect_fail(doc, len / 2, "unexpected end of data");
	free(doc);

	expect_fail("", 0, "document is empty");
	expect_fail(NULL, 0, "document is empty");
	expect_fail("   ", 3, "document is not JSON");
	expect_fail("\xEF\xBB\xBF", 3, "document is not JSON");
	expect_fail("{\"GET\": 5}", 10, "`GET` is not an array");
	expect_fail("{\"GET\": null}", 13, "`GET` is not an array");
	expect_fail("{\"GET\": {}}", 11, "`GET` is not an array");
	expect_fail("{\"Sessions\": \"x\"}", 17, "`Sessions` is not an array");
	expect_fail("[]", 2, "not a JSON object");
	expect_fail("42", 2, "not a JSON object");
	expect_fail("{}", 2, "neither");
	expect_fail("{\"GET\":[]} x", 12, "document is not JSON");
	expect_fail("{\"GET\":[]}{}", 12, "document is not JSON");
	expect_fail("{\"GET\":[],}", 11, "document is not JSON");
	expect_fail("{\"GET\":[]", 9, "unexpected end of data");
	memcpy(small, "{\"G\0\":1}", 8);
	expect_fail(small, 8, "nul byte");

	garbage = malloc(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(garbage);
	srand(42);
	for (i = 0; i < big; i++)
		garbage[i] = (char)(rand() & 0xFF);
	expect_fail(garbage, big, "document too large: 10485760 bytes");
	expect_fail(garbage, BZCC_MAX_DOCUMENT_BYTES + 1, "document too large");
	expect_fail(garbage, 1024 * 1024, NULL);
	for (i = 0; i < big; i++)
		garbage[i] = "{[\"]}:,0"[rand() % 8];
	expect_fail(garbage, BZCC_MAX_DOCUMENT_BYTES, NULL);
	free(garbage);

	deep = malloc(2 * depth + 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
	for (i = 0; i < depth; i++) {
		deep[i] = '[';
		deep[2 * depth - 1 - i] = ']';
	}
	expect_fail(deep, 2 * depth, "nesting too deep");
	/* Deep inside an otherwise fine game. */
	strcpy(deep, "{\"GET\":[{\"g\":\"IGiq_J1@@E\",\"h\":");
	for (i = strlen(deep); i < depth; i++)
		deep[i] = '[';
	expect_fail(deep, depth, "nesting too deep");
	free(deep);
}

static void test_bad_games(void)
{
	struct bzcc_lobby lobby;
	char err[256];
	const struct bzcc_session *s;
	const char *doc =
		"{\"GET\":[null, 5, \"x\", [], {},"
		" {\"g\":5},"
		" {\"g\":\"\"},"
		" {\"g\":\"123456789ABC\"},"
		" {\"g\":\"IGiq_J1@@E\",\"gt\":\"abc\"},"
		" {\"g\":\"IGiq_J1@@E\",\"gt\":2.5},"
		" {\"g\":\"IGiq_J1@@E\",\"gt\":true},"
		" {\"g\":\"IGiq_J1@@E\",\"gtm\":99999999999},"
		" {\"g\":\"IGiq_J1@@E\",\"si\":-99999999999999999999999},"
		" {\"g\":\"IGiq_J1@@E\",\"pm\":1e999},"
		" {\"g\":\"IGiq_J1@@E\",\"n\":\"!!!!\"},"
		" {\"g\":\"IGiq_J1@@E\",\"n\":5},"
		" {\"g\":\"IGiq_J1@@E\",\"m\":{}},"
		" {\"g\":\"IGiq_J1@@E\",\"mm\":[]},"
		" {\"g\":\"IGiq_J1@@E\",\"proxySource\":7},"
		" {\"g\":\"IGiq_J1@@E\",\"pl\":5},"
		" {\"g\":\"IGiq_J1@@E\",\"pl\":[5]},"
		" {\"g\":\"IGiq_J1@@E\",\"pl\":[{\"k\":\"x\"}]},"
		" {\"g\":\"IGiq_J1@@E\",\"pl\":[{\"i\":[]}]},"
		" {\"g\":\"IGiq_J1@@E\",\"k\":{}},"
		" {\"g\":\"Hw9lmB@@G\",\"n\":\"lQ==\",\"t\":\"4\",\"l\":\"1\",\"mm\":\"\","
		"  \"gt\":null,\"si\":\"2\",\"gtd\":-3,\"h\":\"caf\\u00e9 \\ud800x\","
		"  \"pl\":[null,{\"n\":\"%%%\",\"t\":255,\"s\":-5,\"i\":\"G1\"},{\"i\":\"Sx\",\"t\":11}]}"
		"]}";
	size_t bad = 24;

	CU_ASSERT_EQUAL_FATAL(decode_str(doc, &lobby, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(lobby.skipped, bad);
	CU_ASSERT_EQUAL_FATAL(lobby.n_sessions, 1);
	s = &lobby.sessions[0];
	CU_ASSERT_STRING_EQUAL(s->id, "Rebellion:00100002f0bc9e91");
	CU_ASSERT_STRING_EQUAL(s->name, "\xE2\x80\xA2");
	CU_ASSERT_EQUAL(s->nat_type, 4);
	CU_ASSERT_STRING_EQUAL(s->nat_type_name, "SYMMETRIC");
	CU_ASSERT_TRUE(s->locked);
	CU_ASSERT_FALSE(s->password);
	CU_ASSERT_EQUAL(s->game_type, -1);
	CU_ASSERT_EQUAL(s->gtd, -1);
	CU_ASSERT_EQUAL(s->game_mode, -1);
	CU_ASSERT_STRING_EQUAL(s->mod_id, "0");
	CU_ASSERT_EQUAL(s->n_mods, 1);
	CU_ASSERT_STRING_EQUAL(s->map_file, "");
	CU_ASSERT_STRING_EQUAL(s->map_key, "0:");
	/* Unpaired surrogate escape: cleaned to U+FFFD, still UTF-8. */
	CU_ASSERT_EQUAL(strncmp(s->motd, "caf\xC3\xA9 ", 6), 0);
	/* si 2 with a non-zero score: MSL's rule says in game. */
	CU_ASSERT_EQUAL(s->server_info, 2);
	CU_ASSERT_EQUAL(s->state, BZCC_STATE_IN_GAME);
	CU_ASSERT_EQUAL_FATAL(s->n_players, 2);
	CU_ASSERT_STRING_EQUAL(s->players[0].name, ""); /* bad base64 */
	CU_ASSERT_EQUAL(s->players[0].slot, 0);         /* 255: hidden */
	CU_ASSERT_EQUAL(s->players[0].score, -5);
	CU_ASSERT_TRUE(s->players[0].host);
	CU_ASSERT_STRING_EQUAL(s->players[0].provider, "gog");
	CU_ASSERT_STRING_EQUAL(s->players[0].external_id, "1");
	CU_ASSERT_STRING_EQUAL(s->players[1].provider, "");
	CU_ASSERT_STRING_EQUAL(s->players[1].external_id, "");
	CU_ASSERT_STRING_EQUAL(s->players[1].platform_id, "Sx");
	CU_ASSERT_EQUAL(s->players[1].slot, 0);         /* 11: out of range */
	bzcc_lobby_free(&lobby);
	CU_ASSERT_EQUAL(lobby.n_sessions, 0);
	bzcc_lobby_free(NULL);

	/* Placeholder only, Rebellion down: not a session, not skipped. */
	CU_ASSERT_EQUAL_FATAL(decode_str(
		"{\"GET\":[{\"g\":\"XXXXXXX@XX\",\"l\":\"1\","
		"\"n\":\"UmViZWxsaW9uJ3Mgc2VydmVyIGlzIERPV04=\"}]}",
		&lobby, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(lobby.n_sessions, 0);
	CU_ASSERT_EQUAL(lobby.skipped, 0);
	CU_ASSERT_EQUAL(lobby.rebellion_up, 0);
	bzcc_lobby_free(&lobby);

	/* MSL shape with bad sessions. */
	CU_ASSERT_EQUAL_FATAL(decode_str(
		"\xEF\xBB\xBF{\"Sessions\":[null, 1, {\"ID\":5}, {\"Name\":\"x\"},"
		" {\"ID\":\"Rebellion:IGiq_J1@@E\",\"Players\":[{\"IDs\":{\"Slot\":{\"ID\":\"x\"}}}]},"
		" {\"ID\":\"Rebellion:IGiq_J1@@E\",\"Level\":[]},"
		" {\"ID\":\"Rebellion:IGiq_J1@@E\",\"Game\":{\"Mods\":[1]}},"
		" {\"ID\":\"Rebellion:IGiq_J1@@E\",\"Status\":{\"IsLocked\":\"yes\"}},"
		" {\"ID\":\"IonDriver:IGiq_J1@@E\",\"Level\":{\"GameType\":\"All\","
		"  \"GameMode\":{\"ID\":\"TEAM_RACE\"},\"Attributes\":{\"VehicleOnly\":true}},"
		"  \"Address\":{\"NAT_TYPE\":\"[9]\"},\"Time\":{\"Seconds\":120,\"Max\":false}}]}",
		&lobby, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(lobby.kind, BZCC_KIND_MSL_V1);
	CU_ASSERT_EQUAL(lobby.skipped, 8);
	CU_ASSERT_EQUAL_FATAL(lobby.n_sessions, 1);
	s = &lobby.sessions[0];
	CU_ASSERT_STRING_EQUAL(s->id, "IonDriver:03800014ffd2c412");
	CU_ASSERT_STRING_EQUAL(s->source, "IonDriver");
	CU_ASSERT_EQUAL(s->game_type, 0);
	CU_ASSERT_EQUAL(s->game_mode, 10);
	CU_ASSERT_EQUAL(s->mode_detail, 6);
	CU_ASSERT_EQUAL(s->nat_type, 9);
	CU_ASSERT_STRING_EQUAL(s->nat_type_name, "");
	CU_ASSERT_EQUAL(s->minutes_in_state, 2);
	CU_ASSERT_EQUAL(s->state, BZCC_STATE_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(s->mod_id, "0");
	bzcc_lobby_free(&lobby);
}

static void test_utf8_clean(void)
{
	struct bzcc_lobby lobby;
	char err[256];
	const struct bzcc_session *s;

	/* Raw invalid UTF-8 in a JSON string (json-c passes it through). */
	CU_ASSERT_EQUAL_FATAL(decode_str(
		"{\"GET\":[{\"g\":\"IGiq_J1@@E\",\"t\":\"-5\","
		"\"h\":\"a\xFF\xC0\xAF\xED\xA0\x80\xF0\x9F\x98\x80\xF0\x9F\","
		"\"pl\":[{\"t\":\"12345678901\"}]},"
		"{\"g\":\"IGiq_J1@@E\",\"t\":\"--1\"}]}", &lobby, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(lobby.skipped, 2);
	CU_ASSERT_EQUAL(lobby.n_sessions, 0);
	bzcc_lobby_free(&lobby);

	CU_ASSERT_EQUAL_FATAL(decode_str(
		"{\"GET\":[{\"g\":\"IGiq_J1@@E\",\"t\":\"-5\","
		"\"h\":\"a\xFF\xC0\xAF\xED\xA0\x80\xF0\x9F\x98\x80\xF0\x9F\"}]}",
		&lobby, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(lobby.n_sessions, 1);
	s = &lobby.sessions[0];
	CU_ASSERT_EQUAL(s->nat_type, -1); /* negative: treated as absent */
	CU_ASSERT_STRING_EQUAL(s->motd, "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
			       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
			       "\xF0\x9F\x98\x80\xEF\xBF\xBD\xEF\xBF\xBD");
	bzcc_lobby_free(&lobby);

	/* MSL names are trimmed (ASCII whitespace and U+00A0). */
	CU_ASSERT_EQUAL_FATAL(decode_str(
		"{\"Sessions\":[{\"ID\":\"Rebellion:IGiq_J1@@E\","
		"\"Name\":\" \\t\xC2\xA0x y\xC2\xA0 \","
		"\"Players\":[{\"Name\":\"\xC2\xA0\"}]}]}", &lobby, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(lobby.n_sessions, 1);
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].name, "x y");
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].players[0].name, "");
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].map_key, "0:");
	bzcc_lobby_free(&lobby);
}

/* Fault 6 of issue 9: names and the message keep no control characters
 * and no bidi controls (C0/DEL/C1 dropped, line breaks and tabs one space,
 * U+202A-U+202E and U+2066-U+2069 dropped), in both shapes. */
static void test_display_text(void)
{
	struct bzcc_lobby lobby;
	char err[256];

	/* "  Ev\x01il\x1b\x81Name\x9d  " in cp1252, then garbage after the NUL */
	CU_ASSERT_EQUAL_FATAL(decode_str(
		"{\"GET\":[{\"g\":\"IGiq_J1@@E\",\"n\":\"ICBFdgFpbBuBTmFtZZ0gIABnYXJiYWdl\","
		"\"h\":\"\\u202Egnp.exe\\u202C \\u2066x\\u2069\\r\\nline2\\tend\\u0007\","
		"\"pl\":[{\"n\":\"AlBsf2F5ZXI=\",\"i\":\"S76561198022218242\",\"t\":1}]}]}", &lobby, err,
		sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(lobby.n_sessions, 1);
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].name, "EvilName");
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].motd, "gnp.exe x line2 end");
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].players[0].name, "Player");
	bzcc_lobby_free(&lobby);

	CU_ASSERT_EQUAL_FATAL(decode_str(
		"{\"Sessions\":[{\"ID\":\"Rebellion:IGiq_J1@@E\","
		"\"Name\":\"\\u202Eevil\\u200F\\u0085\","
		"\"Message\":\"a\\u2028b\\u2029\\u2029c\\ufeff\","
		"\"Players\":[{\"Name\":\"\\u2067x\\u2069y\\u001b\"}]}]}", &lobby, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(lobby.n_sessions, 1);
	/* U+200F (a mark, not an override) is kept: <bdi> contains it */
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].name, "evil\xE2\x80\x8F");
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].motd, "a b c");
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].players[0].name, "xy");
	bzcc_lobby_free(&lobby);
}

static void test_mods_split(void)
{
	struct bzcc_lobby lobby;
	char err[256];
	const struct bzcc_session *s;

	CU_ASSERT_EQUAL_FATAL(decode_str(
		"{\"GET\":[{\"g\":\"IGiq_J1@@E\",\"mm\":\";1325933293;;x;\","
		"\"m\":\"VSRJade\",\"proxySource\":\"IonDriver\",\"gtm\":255,"
		"\"gt\":1,\"gtd\":7267,\"si\":5}]}", &lobby, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(lobby.n_sessions, 1);
	s = &lobby.sessions[0];
	CU_ASSERT_EQUAL_FATAL(s->n_mods, 2);
	CU_ASSERT_STRING_EQUAL(s->mods[0], "1325933293");
	CU_ASSERT_STRING_EQUAL(s->mods[1], "x");
	CU_ASSERT_STRING_EQUAL(s->mod_id, "1325933293");
	CU_ASSERT_STRING_EQUAL(s->map_file, "VSRJade");
	CU_ASSERT_STRING_EQUAL(s->map_key, "1325933293:vsrjade");
	CU_ASSERT_STRING_EQUAL(s->id, "IonDriver:03800014ffd2c412");
	CU_ASSERT_TRUE(s->time_saturated);
	CU_ASSERT_EQUAL(s->state, BZCC_STATE_POST_GAME);
	/* bz2api.js's example: 7267 = 519 * 14 + 1, DM vehicle only, any race. */
	CU_ASSERT_EQUAL(s->game_mode, 1);
	CU_ASSERT_EQUAL(s->mode_detail, 519);
	CU_ASSERT_STRING_EQUAL(s->game_mode_name, "Deathmatch");
	CU_ASSERT_FALSE(s->teams);
	bzcc_lobby_free(&lobby);
}

/* --- (5) the JSON view --- */

static const char *const session_keys[] = {
	"id", "source", "nat_id", "guid", "name", "motd", "map", "mod",
	"version", "game_type", "game_mode", "teams", "state", "state_label",
	"server_info", "nat_type", "locked", "password", "tps", "max_ping",
	"worst_ping", "minutes_in_state", "time_saturated", "player_count",
	"max_players", "players", "dedicated", "rules", "join",
};
static const char *const player_keys[] = {
	"name", "platform_id", "provider", "external_id", "position", "slot",
	"team", "leader", "host", "kills", "deaths", "score", "hidden", "bot",
};

static void check_keys(struct json_object *o, const char *const *keys, size_t n)
{
	size_t i;

	CU_ASSERT_EQUAL(json_object_object_length(o), (int)n);
	for (i = 0; i < n; i++)
		if (!json_object_object_get_ex(o, keys[i], NULL)) {
			fprintf(stderr, "\nmissing key %s\n", keys[i]);
			CU_FAIL("missing key");
		}
}

static struct json_object *find_player(struct json_object *js, const char *pid)
{
	struct json_object *players = jget(js, "players");
	size_t i;

	for (i = 0; i < json_object_array_length(players); i++) {
		struct json_object *p = json_object_array_get_idx(players, i);
		if (!strcmp(jstr(p, "platform_id"), pid))
			return p;
	}
	return NULL;
}

static void test_session_json(void)
{
	struct bzcc_lobby lobby;
	struct json_object *js, *p, *sub;
	const struct bzcc_session *s;
	char err[256];
	size_t i;

	CU_ASSERT_EQUAL_FATAL(decode_data_file(
		"bzcc/lobby/rebellion-direct_2022-12_frute94-BZCC-Scanner.json", &lobby), 0);
	CU_ASSERT_EQUAL(lobby.n_sessions, 7);
	for (i = 0; i < lobby.n_sessions; i++) {
		size_t k;
		js = bzcc_session_to_json(&lobby.sessions[i]);
		check_keys(js, session_keys, sizeof(session_keys) / sizeof(session_keys[0]));
		check_keys(jget(js, "map"), (const char *const[]){ "file", "key" }, 2);
		check_keys(jget(js, "mod"),
			   (const char *const[]){ "id", "ids", "hash", "stock", "vsr" }, 5);
		check_keys(jget(js, "game_type"), (const char *const[]){ "code", "name" }, 2);
		check_keys(jget(js, "game_mode"),
			   (const char *const[]){ "code", "name", "detail", "gtd" }, 4);
		check_keys(jget(js, "nat_type"), (const char *const[]){ "code", "name" }, 2);
		for (k = 0; k < json_object_array_length(jget(js, "players")); k++)
			check_keys(json_object_array_get_idx(jget(js, "players"), k),
				   player_keys, sizeof(player_keys) / sizeof(player_keys[0]));
		CU_ASSERT_EQUAL(jint(js, "player_count", -1),
				(int)json_object_array_length(jget(js, "players")));
		json_object_put(js);
	}

	/* The 9-character NAT id. */
	s = find_session(&lobby, "_eOfL8@@G");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	js = bzcc_session_to_json(s);
	CU_ASSERT_STRING_EQUAL(jstr(js, "guid"), "0010000215a58a3f");
	CU_ASSERT_STRING_EQUAL(jstr(js, "id"), "Rebellion:0010000215a58a3f");
	CU_ASSERT_STRING_EQUAL(jstr(js, "nat_id"), "_eOfL8@@G");
	CU_ASSERT_STRING_EQUAL(jstr(js, "state"), "in_game");
	CU_ASSERT_STRING_EQUAL(jstr(js, "state_label"), "In game");
	CU_ASSERT_TRUE(json_object_get_boolean(jget(js, "password")));
	CU_ASSERT_TRUE(json_object_get_boolean(jget(js, "teams")));
	CU_ASSERT_TRUE(json_object_get_boolean(jget(jget(js, "mod"), "stock")));
	CU_ASSERT_STRING_EQUAL(jstr(jget(js, "nat_type"), "name"), "ADDRESS RESTRICTED");
	CU_ASSERT_EQUAL(jint(jget(js, "nat_type"), "code", -1), 2);
	p = find_player(js, "S76561198405934734");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(jint(p, "score", 0), -55);
	CU_ASSERT_EQUAL(jint(p, "slot", 0), 6);
	CU_ASSERT_EQUAL(jint(p, "team", 0), 2);
	CU_ASSERT_TRUE(json_object_get_boolean(jget(p, "leader")));
	CU_ASSERT_TRUE(json_object_get_boolean(jget(p, "host")));
	json_object_put(js);

	/* A GOG player's masked id; local (non-Workshop) mod names. */
	s = find_session(&lobby, "hBBKvB@@WY");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	js = bzcc_session_to_json(s);
	p = find_player(js, "G191103038072753340");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(jstr(p, "provider"), "gog");
	CU_ASSERT_STRING_EQUAL(jstr(p, "external_id"), "46987849996897468");
	CU_ASSERT_STRING_EQUAL(jstr(jget(js, "mod"), "id"), "FE_RM_Config");
	CU_ASSERT_EQUAL(json_object_array_length(jget(jget(js, "mod"), "ids")), 4);
	CU_ASSERT_STRING_EQUAL(jstr(js, "motd"), "Coming soon...");
	CU_ASSERT_STRING_EQUAL(jstr(jget(js, "map"), "key"), "FE_RM_Config:test");
	json_object_put(js);

	/* A negative score elsewhere. */
	s = find_session(&lobby, "9vuoEA@@GJ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	js = bzcc_session_to_json(s);
	p = find_player(js, "S76561199134046979");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(jint(p, "score", 0), -50);
	CU_ASSERT_EQUAL(jint(p, "deaths", 0), 1);
	json_object_put(js);

	/* U+2022 from cp1252 0x95 in a session name; VSR mod. */
	s = find_session(&lobby, "g5U_4C6@WR");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	js = bzcc_session_to_json(s);
	CU_ASSERT_STRING_EQUAL(jstr(js, "name"), "Host ?\xE2\x80\xA2??\xE2\x80\xA2??? ???????? ? LuMi ?");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_object_to_json_string_ext(js, JSON_C_TO_STRING_PLAIN),
				      "\"name\":\"Host ?\xE2\x80\xA2"));
	CU_ASSERT_TRUE(json_object_get_boolean(jget(jget(js, "mod"), "vsr")));
	CU_ASSERT_STRING_EQUAL(jstr(js, "state"), "pre_game");
	sub = jget(js, "game_mode");
	CU_ASSERT_EQUAL(jint(sub, "code", -1), 12);
	CU_ASSERT_EQUAL(jint(sub, "gtd", -1), 40);
	CU_ASSERT_EQUAL(jint(sub, "detail", -1), 2);
	CU_ASSERT_STRING_EQUAL(jstr(sub, "name"), "Team Strategy");
	CU_ASSERT_STRING_EQUAL(jstr(jget(js, "game_type"), "name"), "Strategy");
	json_object_put(js);
	bzcc_lobby_free(&lobby);

	/* Absent values are null. */
	CU_ASSERT_EQUAL_FATAL(decode_str("{\"GET\":[{\"g\":\"IGiq_J1@@E\"}]}",
					 &lobby, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(lobby.n_sessions, 1);
	js = bzcc_session_to_json(&lobby.sessions[0]);
	check_keys(js, session_keys, sizeof(session_keys) / sizeof(session_keys[0]));
	CU_ASSERT_PTR_NULL(jget(js, "tps"));
	CU_ASSERT_PTR_NULL(jget(js, "max_ping"));
	CU_ASSERT_PTR_NULL(jget(js, "worst_ping"));
	CU_ASSERT_PTR_NULL(jget(js, "minutes_in_state"));
	CU_ASSERT_PTR_NULL(jget(js, "server_info"));
	CU_ASSERT_PTR_NULL(jget(jget(js, "game_type"), "code"));
	CU_ASSERT_PTR_NULL(jget(jget(js, "game_mode"), "code"));
	CU_ASSERT_PTR_NULL(jget(jget(js, "game_mode"), "gtd"));
	CU_ASSERT_PTR_NULL(jget(jget(js, "nat_type"), "code"));
	CU_ASSERT_STRING_EQUAL(jstr(jget(js, "nat_type"), "name"), "");
	CU_ASSERT_STRING_EQUAL(jstr(js, "state"), "unknown");
	CU_ASSERT_STRING_EQUAL(jstr(js, "name"), "");
	CU_ASSERT_EQUAL(jint(js, "max_players", -1), 0);
	CU_ASSERT_EQUAL(json_object_array_length(jget(js, "players")), 0);
	json_object_put(js);
	bzcc_lobby_free(&lobby);
}

/* --- (6) issue 9: rules of the game, hidden players, bots, spam, joining,
 * a second source and its metadata --- */

static struct json_object *load_json(const char *rel)
{
	size_t len = 0;
	char *doc = slurp(cu_data_path(rel), &len);
	struct json_object *o;
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	o = json_tokener_parse(doc + (len >= 3 && !memcmp(doc, "\xEF\xBB\xBF", 3) ? 3 : 0));
	free(doc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

/* Decode a real capture after `edit` changed its parsed form. */
static int decode_edited(struct json_object *doc, struct bzcc_lobby *lobby)
{
	char err[256];
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	memset(lobby, 0, sizeof(*lobby));
	return bzcc_lobby_decode(text, strlen(text), lobby, err, sizeof(err));
}

static void test_rules_of_the_game(void)
{
	struct bzcc_lobby lobby;
	struct json_object *doc, *games, *js, *rules;
	char err[256];
	size_t i, dm = 0;

	/* MSL: the Respawn attribute of every deathmatch session, as sent */
	static const char *const files[] = { "bzcc/msl-api-v1/2024-09-12_data-gog.json",
					     "bzcc/msl-api-v1/2024-11-12_loot-pirate.json",
					     "bzcc/msl-api-v1/2025-04-05_dm.json" };
	for (i = 0; i < 3; i++) {
		struct json_object *src = load_json(files[i]), *sessions = jget(src, "Sessions");
		size_t k;
		CU_ASSERT_EQUAL_FATAL(decode_data_file(files[i], &lobby), 0);
		for (k = 0; k < json_object_array_length(sessions); k++) {
			struct json_object *so = json_object_array_get_idx(sessions, k);
			const struct bzcc_session *s =
				find_session(&lobby, jstr(jget(so, "Address"), "NAT"));
			struct json_object *attr = jget(jget(so, "Level"), "Attributes");
			CU_ASSERT_PTR_NOT_NULL_FATAL(s);
			js = bzcc_session_to_json(s);
			rules = jget(js, "rules");
			if (s->game_type == 1) {
				dm++;
				CU_ASSERT_STRING_EQUAL(jstr(rules, "respawn"), jstr(attr, "Respawn"));
				CU_ASSERT_FALSE(json_object_get_boolean(jget(rules, "vehicle_only")));
			} else {
				CU_ASSERT_PTR_NULL(jget(rules, "respawn"));
				CU_ASSERT_PTR_NULL(jget(rules, "vehicle_only"));
			}
			CU_ASSERT_PTR_NULL(jget(rules, "time_limit")); /* in no capture */
			CU_ASSERT_PTR_NULL(jget(rules, "kill_limit"));
			json_object_put(js);
		}
		bzcc_lobby_free(&lobby);
		json_object_put(src);
	}
	CU_ASSERT_EQUAL(dm, 3);

	/* RakNet: a real game given ti/ki, and bz2api.js's gtd 7267 example
	 * (DM vehicle only, respawn any race) */
	doc = load_json("bzcc/lobby/rebellion-direct_2022-12_frute94-BZCC-Scanner.json");
	games = jget(doc, "GET");
	json_object_object_add(json_object_array_get_idx(games, 0), "ti", json_object_new_int(30));
	json_object_object_add(json_object_array_get_idx(games, 0), "ki", json_object_new_int(20));
	json_object_object_add(json_object_array_get_idx(games, 1), "gt", json_object_new_int(1));
	json_object_object_add(json_object_array_get_idx(games, 1), "gtd", json_object_new_int(7267));
	json_object_object_add(json_object_array_get_idx(games, 2), "ti", json_object_new_int(0));
	CU_ASSERT_EQUAL_FATAL(decode_edited(doc, &lobby), 0);
	js = bzcc_session_to_json(&lobby.sessions[0]);
	rules = jget(js, "rules");
	CU_ASSERT_EQUAL(jint(rules, "time_limit", -1), 30);
	CU_ASSERT_EQUAL(jint(rules, "kill_limit", -1), 20);
	CU_ASSERT_PTR_NULL(jget(rules, "respawn")); /* a strategy game */
	json_object_put(js);
	js = bzcc_session_to_json(&lobby.sessions[1]);
	rules = jget(js, "rules");
	CU_ASSERT_STRING_EQUAL(jstr(rules, "respawn"), "Any");
	CU_ASSERT_TRUE(json_object_get_boolean(jget(rules, "vehicle_only")));
	json_object_put(js);
	CU_ASSERT_EQUAL(lobby.sessions[2].time_limit, -1); /* 0: no limit */
	bzcc_lobby_free(&lobby);
	json_object_put(doc);

	/* MSL's TimeLimit / KillLimit attributes */
	CU_ASSERT_EQUAL_FATAL(decode_str(
		"{\"Sessions\":[{\"ID\":\"Rebellion:IGiq_J1@@E\",\"Level\":{\"GameType\":{\"ID\":\"DM\"},"
		"\"GameMode\":{\"ID\":\"RACE\"},\"Attributes\":{\"TimeLimit\":15,\"KillLimit\":5,"
		"\"Respawn\":\"Race\",\"VehicleOnly\":true}}}]}", &lobby, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(lobby.sessions[0].time_limit, 15);
	CU_ASSERT_EQUAL(lobby.sessions[0].kill_limit, 5);
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].respawn, "Race");
	CU_ASSERT_EQUAL(lobby.sessions[0].vehicle_only, 1);
	bzcc_lobby_free(&lobby);
}

static void test_hidden_and_bots(void)
{
	struct bzcc_lobby lobby;
	struct json_object *doc, *game, *pl, *js;
	const struct bzcc_session *s;
	size_t i, hidden = 0;

	/* the capture the community kept for hidden players: Sev has no slot */
	CU_ASSERT_EQUAL_FATAL(decode_data_file("bzcc/msl-api-v1/2024-09-11_data-hidden-player.json",
					       &lobby), 0);
	s = find_session(&lobby, "m91gS_O@WI");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; i < s->n_players; i++) {
		if (!strcmp(s->players[i].name, "Sev")) {
			hidden++;
			CU_ASSERT_TRUE(s->players[i].hidden);
			CU_ASSERT_EQUAL(s->players[i].slot, 0);
		} else {
			CU_ASSERT_FALSE(s->players[i].hidden);
		}
	}
	CU_ASSERT_EQUAL(hidden, 1);
	bzcc_lobby_free(&lobby);

	/* a real game whose host is made the community bot */
	doc = load_json("bzcc/lobby/rebellion-direct_2022-12_frute94-BZCC-Scanner.json");
	game = json_object_array_get_idx(jget(doc, "GET"), 3); /* Cannon Fodder MPI, 3+ players */
	pl = json_object_array_get_idx(jget(game, "pl"), 0);
	json_object_object_add(pl, "i", json_object_new_string(BZCC_DEDICATED_BOT_ID));
	CU_ASSERT_EQUAL_FATAL(decode_edited(doc, &lobby), 0);
	s = find_session(&lobby, jstr(game, "g"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_TRUE(s->dedicated);
	CU_ASSERT_TRUE(s->players[0].bot);
	js = bzcc_session_to_json(s);
	CU_ASSERT_EQUAL(jint(js, "player_count", -1), (int)s->n_players - 1);
	CU_ASSERT_EQUAL(jint(js, "max_players", -1), s->max_players - 1);
	CU_ASSERT_TRUE(json_object_get_boolean(jget(js, "dedicated")));
	json_object_put(js);
	bzcc_lobby_free(&lobby);
	json_object_put(doc);
}

static void test_spam_rules(void)
{
	struct bzcc_lobby lobby;
	struct bzcc_rules rules;
	struct json_object *doc, *games, *spam, *pl;
	char err[128];
	size_t n;

	doc = load_json("bzcc/lobby/rebellion-direct_2022-12_frute94-BZCC-Scanner.json");
	games = jget(doc, "GET");
	/* game 1 (FoxyChild, one player) becomes a locked game of the spam
	 * account: hidden by default; game 4's host id is listed by the
	 * operator; game 2 is named "test" */
	spam = json_object_array_get_idx(games, 1);
	json_object_object_add(spam, "l", json_object_new_int(1));
	pl = json_object_array_get_idx(jget(spam, "pl"), 0);
	json_object_object_add(pl, "i", json_object_new_string(BZCC_SPAM_ACCOUNT_ID));
	CU_ASSERT_EQUAL_FATAL(decode_edited(doc, &lobby), 0);
	n = lobby.n_sessions;
	CU_ASSERT_EQUAL(bzcc_rules_parse(&rules, NULL, NULL, NULL, NULL, false, err, sizeof err), 0);
	bzcc_lobby_apply_rules(&lobby, &rules);
	CU_ASSERT_EQUAL(lobby.n_sessions, n - 1);
	CU_ASSERT_EQUAL(lobby.hidden, 1);
	CU_ASSERT_PTR_NULL(find_session(&lobby, jstr(spam, "g")));
	bzcc_rules_free(&rules);
	bzcc_lobby_free(&lobby);

	/* unlocked, the same game stays */
	json_object_object_del(spam, "l");
	CU_ASSERT_EQUAL_FATAL(decode_edited(doc, &lobby), 0);
	CU_ASSERT_EQUAL(bzcc_rules_parse(&rules, NULL, NULL, NULL, NULL, false, err, sizeof err), 0);
	bzcc_lobby_apply_rules(&lobby, &rules);
	CU_ASSERT_EQUAL(lobby.hidden, 0);
	bzcc_rules_free(&rules);
	bzcc_lobby_free(&lobby);

	/* operator rules: a host id, a name pattern, every locked game, an
	 * extra bot */
	CU_ASSERT_EQUAL_FATAL(decode_edited(doc, &lobby), 0);
	CU_ASSERT_EQUAL(bzcc_rules_parse(&rules, " S76561198022218242 ,", "S76561198269627248",
					 NULL, "^TEST$", false, err, sizeof err), 0);
	bzcc_lobby_apply_rules(&lobby, &rules);
	CU_ASSERT_EQUAL(lobby.hidden, 2); /* "wew"'s host, "test" */
	CU_ASSERT_PTR_NULL(find_session(&lobby, "hBBKvB@@WY"));
	CU_ASSERT_PTR_NULL(find_session(&lobby, "9vuoEA@@GJ"));
	/* Cannon Fodder's account is now a bot: his MPI is "dedicated" */
	CU_ASSERT_TRUE(find_session(&lobby, "H_-lS3E@GX")->dedicated);
	bzcc_rules_free(&rules);
	bzcc_lobby_free(&lobby);
	CU_ASSERT_EQUAL(bzcc_rules_parse(&rules, NULL, NULL, NULL, "(unclosed", false, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "name pattern"));
	bzcc_rules_free(&rules);
	json_object_put(doc);
}

static void test_join(void)
{
	struct bzcc_lobby lobby;
	char err[256], url[512], *name, *mods, *nat;
	static const char example[] = "N,29,Cannon Fodder MPI Genesis BF5,10,2107381437,1gS@N-4@GK,0,";
	char want[sizeof example * 2];
	size_t i, joinable = 0;

	/* FORMAT.md's worked example */
	for (i = 0; example[i]; i++)
		snprintf(want + 2 * i, 3, "%02x", (unsigned char)example[i]);
	CU_ASSERT_EQUAL_FATAL(decode_str(
		"{\"GET\":[{\"g\":\"1gS@N-4@GK\",\"n\":\"Q2Fubm9uIEZvZGRlciBNUEkgR2VuZXNpcyBCRjU=\","
		"\"mm\":\"2107381437\"}]}", &lobby, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(lobby.sessions[0].join_hex, want);
	CU_ASSERT_PTR_NOT_NULL(bzcc_join_steam_url(want, url, sizeof url));
	CU_ASSERT_EQUAL(strncmp(url, "steam://rungame/624970/76561198955218468/-connect-mp%20", 55), 0);
	CU_ASSERT_STRING_EQUAL(url + 55, want);
	CU_ASSERT_EQUAL(bzcc_join_decode(want, &name, &mods, &nat), 0);
	CU_ASSERT_STRING_EQUAL(name, "Cannon Fodder MPI Genesis BF5");
	CU_ASSERT_STRING_EQUAL(mods, "2107381437");
	CU_ASSERT_STRING_EQUAL(nat, "1gS@N-4@GK");
	free(name);
	free(mods);
	free(nat);
	bzcc_lobby_free(&lobby);

	/* the real capture: no link for locked or passworded games; every
	 * link decodes back to its game; cp1252 bytes for U+2022 */
	CU_ASSERT_EQUAL_FATAL(decode_data_file(
		"bzcc/lobby/rebellion-direct_2022-12_frute94-BZCC-Scanner.json", &lobby), 0);
	for (i = 0; i < lobby.n_sessions; i++) {
		const struct bzcc_session *s = &lobby.sessions[i];
		if (s->locked || s->password) {
			CU_ASSERT_PTR_NULL(s->join_hex);
			continue;
		}
		joinable++;
		CU_ASSERT_PTR_NOT_NULL_FATAL(s->join_hex);
		CU_ASSERT_EQUAL_FATAL(bzcc_join_decode(s->join_hex, &name, &mods, &nat), 0);
		CU_ASSERT_STRING_EQUAL(nat, s->nat_id);
		CU_ASSERT_STRING_EQUAL(name, s->name);
		free(name);
		free(mods);
		free(nat);
	}
	CU_ASSERT_EQUAL(joinable, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(find_session(&lobby, "g5U_4C6@WR")->join_hex, "3f953f3f953f"));
	bzcc_lobby_free(&lobby);

	/* bad arguments */
	{
		static const char *const bad[] = {
			"", "4", "zz", "4e2c", "00", "4e2c322c61622c302c2c4040404040404040404040402c302c" /* NAT too long */, "4e2c322c61622c302c2c494769715f4a314040452c312c" /* no ",0," */,
			"4e2c33322c61622c302c2c494769715f4a3140404500" /* length past the end */,
		};
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			CU_ASSERT_EQUAL(bzcc_join_decode(bad[i], &name, &mods, &nat), -1);
			CU_ASSERT_PTR_NULL(name);
		}
	}
}

static void test_merge_and_meta(void)
{
	struct bzcc_lobby a, b;
	struct json_object *meta, *v;
	size_t i, n_a, found = 0;

	/* IonDriver's own list status, and MSL's */
	CU_ASSERT_EQUAL_FATAL(decode_data_file(
		"bzcc/lobby/iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json", &a), 0);
	CU_ASSERT_EQUAL(a.upstream_updated_ms, 1726363424907LL);
	CU_ASSERT_EQUAL(a.upstream_ok, 1);
	CU_ASSERT_PTR_NULL(a.meta);
	CU_ASSERT_EQUAL_FATAL(decode_data_file("bzcc/msl-api-v1/2024-09-12_data-gog.json", &b), 0);
	CU_ASSERT_EQUAL(b.upstream_updated_ms, 1726130702198LL);
	CU_ASSERT_EQUAL(b.upstream_ok, 1);
	meta = b.meta;
	CU_ASSERT_PTR_NOT_NULL_FATAL(meta);
	/* Mods.*.Name and images */
	v = jget(meta, "mods");
	for (i = 0; i < json_object_array_length(v); i++) {
		struct json_object *m = json_object_array_get_idx(v, i);
		if (!strcmp(jstr(m, "id"), "1325933293")) {
			found++;
			CU_ASSERT_STRING_EQUAL(jstr(m, "name"), "Vet Strat Recycler Variant");
			CU_ASSERT_STRING_EQUAL(jstr(m, "image_url"),
					       "https://gamelistassets.iondriver.com/bzcc/mods/1325933293/mod.png");
		}
	}
	/* DataCache nicknames and avatars, Steam and GOG */
	v = jget(meta, "profiles");
	for (i = 0; i < json_object_array_length(v); i++) {
		struct json_object *p = json_object_array_get_idx(v, i);
		if (!strcmp(jstr(p, "external_id"), "76561199653748651")) {
			found++;
			CU_ASSERT_STRING_EQUAL(jstr(p, "provider"), "steam");
			CU_ASSERT_STRING_EQUAL(jstr(p, "nickname"), "Sev");
			CU_ASSERT_PTR_NOT_NULL(strstr(jstr(p, "avatar_url"), "avatars.steamstatic.com"));
		}
		if (!strcmp(jstr(p, "external_id"), "46987569706102602")) {
			found++;
			CU_ASSERT_STRING_EQUAL(jstr(p, "provider"), "gog");
			CU_ASSERT_STRING_EQUAL(jstr(p, "nickname"), "gloowa");
			CU_ASSERT_STRING_EQUAL(jstr(p, "profile_url"), "https://www.gog.com/u/gloowa");
		}
	}
	/* Level.Name, Description, Image */
	v = jget(meta, "maps");
	for (i = 0; i < json_object_array_length(v); i++) {
		struct json_object *m = json_object_array_get_idx(v, i);
		if (!strcmp(jstr(m, "key"), "1325933293:ctf1")) {
			found++;
			CU_ASSERT_STRING_EQUAL(jstr(m, "title"), "CTF: Canyon");
			CU_ASSERT_PTR_NOT_NULL(strstr(jstr(m, "description"), "Canyons on Mire."));
			CU_ASSERT_PTR_NOT_NULL(strstr(jstr(m, "image_url"), "/bzcc/assets/ea5135e06e66"));
			CU_ASSERT_PTR_NULL(jget(m, "team_names")); /* "Team 1" / "Team 2" */
		}
	}
	CU_ASSERT_EQUAL(found, 4);

	/* merging: b's sessions join a's, and a takes b's metadata */
	n_a = a.n_sessions;
	{
		size_t n_b = b.n_sessions, added = bzcc_lobby_merge(&a, &b, true);
		CU_ASSERT_EQUAL(added, n_b); /* no GUID in common */
		CU_ASSERT_EQUAL(a.n_sessions, n_a + n_b);
		CU_ASSERT_EQUAL(b.n_sessions, 0);
		CU_ASSERT_PTR_NOT_NULL(a.meta);
		CU_ASSERT_PTR_NULL(b.meta);
	}
	/* merged again with itself: nothing is added twice */
	bzcc_lobby_free(&b);
	CU_ASSERT_EQUAL_FATAL(decode_data_file("bzcc/msl-api-v1/2024-09-12_data-gog.json", &b), 0);
	CU_ASSERT_EQUAL(bzcc_lobby_merge(&a, &b, true), 0);
	CU_ASSERT_EQUAL(a.n_sessions, n_a + b.n_sessions);
	/* a stale second source adds no sessions */
	bzcc_lobby_free(&a);
	CU_ASSERT_EQUAL_FATAL(decode_data_file(
		"bzcc/lobby/iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json", &a), 0);
	CU_ASSERT_EQUAL(bzcc_lobby_merge(&a, &b, false), 0);
	CU_ASSERT_EQUAL(a.n_sessions, n_a);
	CU_ASSERT_PTR_NOT_NULL(a.meta); /* the metadata still serves */
	bzcc_lobby_free(&a);
	bzcc_lobby_free(&b);

	/* team names other than the defaults */
	CU_ASSERT_EQUAL_FATAL(decode_data_file("bzcc/msl-api-v1/2024-08-30_data.json", &b), 0);
	v = jget(b.meta, "maps");
	found = 0;
	for (i = 0; i < json_object_array_length(v); i++) {
		struct json_object *m = json_object_array_get_idx(v, i), *t = jget(m, "team_names");
		if (!strcmp(jstr(m, "key"), "1329976523:mpicanyons")) {
			found++;
			CU_ASSERT_EQUAL_FATAL(json_object_array_length(t), 2);
			CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(t, 0)), "Nomads");
			CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(t, 1)),
					       "Revolutionaires");
		}
	}
	CU_ASSERT_EQUAL(found, 1);
	bzcc_lobby_free(&b);
}

static void test_state_names(void)
{
	CU_ASSERT_STRING_EQUAL(bzcc_state_token(BZCC_STATE_PRE_GAME), "pre_game");
	CU_ASSERT_STRING_EQUAL(bzcc_state_token(BZCC_STATE_POST_GAME), "post_game");
	CU_ASSERT_STRING_EQUAL(bzcc_state_token(BZCC_STATE_UNKNOWN), "unknown");
	CU_ASSERT_STRING_EQUAL(bzcc_state_token((enum bzcc_state)42), "unknown");
	CU_ASSERT_STRING_EQUAL(bzcc_state_label(BZCC_STATE_PRE_GAME), "Pre-game");
	CU_ASSERT_STRING_EQUAL(bzcc_state_label(BZCC_STATE_IN_GAME), "In game");
	CU_ASSERT_STRING_EQUAL(bzcc_state_label(BZCC_STATE_POST_GAME), "Post-game");
	CU_ASSERT_STRING_EQUAL(bzcc_state_label(BZCC_STATE_UNKNOWN), "Unknown");
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("bzcc", NULL, NULL);

	CU_add_test(s, "nat id oracle (55 real ids)", test_nat_oracle);
	CU_add_test(s, "nat id edges", test_nat_edges);
	CU_add_test(s, "base64 names and cp1252", test_text);
	CU_add_test(s, "cp1252 table against iconv", test_cp1252_table);
	CU_add_test(s, "raw captures match the decoded oracle", test_lobby_oracle);
	CU_add_test(s, "teams, leaders and derived fields", test_lobby_teams);
	CU_add_test(s, "msl api 1.0 files", test_msl_files);
	CU_add_test(s, "msl game modes, mods, gog", test_msl_modes);
	CU_add_test(s, "malformed documents", test_bad_documents);
	CU_add_test(s, "malformed games are skipped and counted", test_bad_games);
	CU_add_test(s, "invalid utf-8 cleaned, names trimmed", test_utf8_clean);
	CU_add_test(s, "mods split, map key, proxy source", test_mods_split);
	CU_add_test(s, "names and messages: no controls, no bidi overrides", test_display_text);
	CU_add_test(s, "session json view", test_session_json);
	CU_add_test(s, "state tokens and labels", test_state_names);
	CU_add_test(s, "rules of the game (MSL attributes, ti/ki, ivar7)", test_rules_of_the_game);
	CU_add_test(s, "hidden players and the dedicated-server bot", test_hidden_and_bots);
	CU_add_test(s, "spam rules", test_spam_rules);
	CU_add_test(s, "join argument, link and its decoding", test_join);
	CU_add_test(s, "second source: list status, metadata, merge", test_merge_and_meta);
}

CU_MAIN()
