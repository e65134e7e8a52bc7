/* test_mohaa.c: the MOHAA domain on the real reference data and sample
 * payloads of tests/data/mohaa/ (see its README): the three body shapes,
 * both name generations, the corrections, match decisions, the catalog
 * against the engine's lists, and the 23 achievements against the seed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "tests/unit/cu.h"
#include "modules/mohaa/domain/mohaa.h"
#include "modules/mohaa/store/smap.h"
#include "modules/mohaa/web/heatmap.h"

/* --- helpers --- */

static char *slurp(const char *rel, size_t *len)
{
	struct buf b = BUF_INIT;
	if (buf_read_file(&b, cu_data_path(rel), 0) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

/* Split one CSV line (RFC 4180 quotes) into at most max fields, in place. */
static int csv_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line, *w;
	while (n < max) {
		f[n++] = w = p;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else if (!*p) {
					break;
				} else {
					*w++ = *p++;
				}
			}
		} else {
			while (*p && *p != ',')
				*w++ = *p++;
		}
		if (*p == ',') {
			*w = '\0';
			p++;
			continue;
		}
		*w = '\0';
		break;
	}
	return n;
}

/* The data lines of a CSV file under tests/data (header skipped). */
static char **csv_lines(const char *rel, size_t *n)
{
	size_t len, cap = 0;
	char *doc = slurp(rel, &len), *p, *nl, **out = NULL;
	*n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	p = strchr(doc, '\n');
	p = p ? p + 1 : doc + len;
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (nl > p) {
			size_t l = (size_t)(nl - p);
			if (p[l - 1] == '\r') /* the files have CRLF line ends */
				l--;
			if (*n == cap)
				out = realloc(out, (cap = cap ? cap * 2 : 64) * sizeof *out);
			out[(*n)++] = strndup(p, l);
		}
		if (!*nl)
			break;
	}
	free(doc);
	return out;
}

static void lines_free(char **l, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

/* Parse a body that must give exactly one event, and build it. */
static int one_event(const char *body, struct mohaa_event *ev, char *err, size_t errlen)
{
	struct mohaa_body b = { 0 };
	int st = mohaa_body_parse(body, strlen(body), &b, err, errlen);
	if (!st) {
		CU_ASSERT_EQUAL(b.n, 1);
		st = b.n == 1 ? mohaa_event_from_raw(&b.ev[0], ev, err, errlen) : -2;
	} else {
		memset(ev, 0, sizeof *ev);
	}
	mohaa_body_free(&b);
	return st;
}

static const char *extra(const struct mohaa_event *ev, const char *key)
{
	struct json_object *v;
	return ev->extra && json_object_object_get_ex(ev->extra, key, &v) ? json_object_get_string(v)
									 : NULL;
}

/* --- the original form bodies (sample_payloads_urlencoded.txt) --- */

static void test_sample_form(void)
{
	size_t len, n = 0;
	char *doc = slurp("mohaa/payloads/sample_payloads_urlencoded.txt", &len), *line, *save = NULL;
	char err[200];
	struct mohaa_event ev[8];
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	for (line = strtok_r(doc, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mohaa_body b = { 0 };
		if (line[0] == '#' || !line[0])
			continue;
		CU_ASSERT_FATAL(n < 8);
		CU_ASSERT_EQUAL(mohaa_body_parse(line, strlen(line), &b, err, sizeof err), 0);
		CU_ASSERT_EQUAL(b.shape, MOHAA_SHAPE_FORM);
		CU_ASSERT_EQUAL_FATAL(b.n, 1);
		CU_ASSERT_EQUAL(b.ev[0].off, 0);
		CU_ASSERT_EQUAL(b.ev[0].len, strlen(line));
		/* every field the tracker sent is kept, the token last */
		CU_ASSERT_STRING_EQUAL(mohaa_raw_get(&b.ev[0], "server_token"),
				       "dev-server-token-replace-in-production");
		CU_ASSERT_EQUAL(mohaa_event_from_raw(&b.ev[0], &ev[n], err, sizeof err), 0);
		CU_ASSERT_PTR_NULL(extra(&ev[n], "server_token"));
		n++;
		mohaa_body_free(&b);
	}
	CU_ASSERT_EQUAL_FATAL(n, 7);

	/* (A) match_start: game time, map, first server_id kept */
	CU_ASSERT_EQUAL(ev[0].type, MOHAA_EV_MATCH_START);
	CU_ASSERT_STRING_EQUAL(ev[0].match_ref, "match_sess_0.05_0.05");
	CU_ASSERT_STRING_EQUAL(ev[0].session_ref, "sess_0.05");
	CU_ASSERT_STRING_EQUAL(ev[0].map_name, "obj/obj_team2");
	CU_ASSERT_STRING_EQUAL(ev[0].gametype, "4");
	CU_ASSERT(ev[0].game_time_valid);
	CU_ASSERT_DOUBLE_EQUAL(ev[0].game_time, 0.05, 1e-9);
	CU_ASSERT_EQUAL(ev[0].client_unix_ms, 0);
	CU_ASSERT_STRING_EQUAL(extra(&ev[0], "server_id"), "dev-server-01");
	CU_ASSERT_STRING_EQUAL(extra(&ev[0], "maxclients"), "24");

	/* kill: guid held the team, colour codes, weapon held the MOD, head */
	CU_ASSERT_EQUAL(ev[1].type, MOHAA_EV_KILL);
	CU_ASSERT_EQUAL(ev[1].actor.kind, MOHAA_ID_NAME);
	CU_ASSERT_STRING_EQUAL(ev[1].actor.name, "SgtRock");
	CU_ASSERT_STRING_EQUAL(ev[1].actor.id, "name:SgtRock");
	CU_ASSERT_STRING_EQUAL(ev[1].actor.team, "allies");
	CU_ASSERT(ev[1].actor.has_pos && ev[1].actor.has_angles);
	CU_ASSERT_DOUBLE_EQUAL(ev[1].actor.x, -1184.25, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ev[1].actor.yaw, 271.5, 1e-9);
	CU_ASSERT_STRING_EQUAL(ev[1].target.id, "name:Hans");
	CU_ASSERT_STRING_EQUAL(ev[1].target.team, "axis");
	CU_ASSERT_DOUBLE_EQUAL(ev[1].target.y, 1702.44, 1e-9);
	CU_ASSERT_PTR_NULL(ev[1].weapon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev[1].mod);
	CU_ASSERT_STRING_EQUAL(ev[1].mod->name, "fast_bullet");
	CU_ASSERT(ev[1].flags & MOHAA_F_WEAPON_WAS_MOD);
	CU_ASSERT_EQUAL(ev[1].hitloc, MOHAA_HITLOC_HEAD);
	CU_ASSERT(ev[1].flags & MOHAA_F_HEADSHOT);
	CU_ASSERT_FALSE(ev[1].flags & (MOHAA_F_TEAMKILL | MOHAA_F_SUICIDE | MOHAA_F_WORLD));
	CU_ASSERT_STRING_EQUAL(extra(&ev[1], "inflictor"), "player");

	/* heartbeat */
	CU_ASSERT_EQUAL(ev[2].type, MOHAA_EV_HEARTBEAT);
	CU_ASSERT_EQUAL(ev[2].round_number, 1);
	CU_ASSERT_EQUAL(ev[2].allies_score, 0);
	CU_ASSERT_EQUAL(ev[2].player_count, 12);

	/* (B) the simulator: real GUIDs, Unix time with a fraction */
	CU_ASSERT_EQUAL(ev[3].type, MOHAA_EV_CONNECT);
	CU_ASSERT_EQUAL(ev[3].actor.kind, MOHAA_ID_GUID);
	CU_ASSERT_STRING_EQUAL(ev[3].actor.id, "ABCD1234567890EF");
	CU_ASSERT_FALSE(ev[3].game_time_valid);
	CU_ASSERT_EQUAL(ev[3].client_unix_ms, 1737240001250LL);
	CU_ASSERT_EQUAL(ev[4].type, MOHAA_EV_WEAPON_FIRE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev[4].weapon);
	CU_ASSERT_STRING_EQUAL(ev[4].weapon->id, "thompson");
	CU_ASSERT(ev[4].actor.has_pos && ev[4].actor.has_angles);
	CU_ASSERT_DOUBLE_EQUAL(ev[4].actor.pitch, 2.5, 1e-9);
	CU_ASSERT_STRING_EQUAL(extra(&ev[4], "ammo_remaining"), "17");
	CU_ASSERT_EQUAL(ev[5].type, MOHAA_EV_DAMAGE);
	CU_ASSERT_EQUAL(ev[5].damage, 34);
	CU_ASSERT_STRING_EQUAL(ev[5].actor.id, "ABCD1234567890EF");
	CU_ASSERT_STRING_EQUAL(ev[5].target.id, "1234567890ABCDEF");
	CU_ASSERT_PTR_NOT_NULL(ev[5].weapon); /* the simulator's id, not a MOD */
	CU_ASSERT_FALSE(ev[5].flags & MOHAA_F_WEAPON_WAS_MOD);
	CU_ASSERT_EQUAL(ev[6].type, MOHAA_EV_CHAT);
	CU_ASSERT_STRING_EQUAL(extra(&ev[6], "message"), "gg");
	while (n--)
		mohaa_event_free(&ev[n]);
	free(doc);
}

/* --- the later JSON array (sample_payloads_json.json) --- */

static void test_sample_json(void)
{
	size_t len;
	char *doc = slurp("mohaa/payloads/sample_payloads_json.json", &len), err[200];
	struct json_object *root = json_tokener_parse(doc), *body, *expected;
	struct mohaa_body b = { 0 };
	struct mohaa_event kill, hb;
	const char *text;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_FATAL(json_object_object_get_ex(root, "request_body", &body));
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PRETTY);
	CU_ASSERT_EQUAL_FATAL(mohaa_body_parse(text, strlen(text), &b, err, sizeof err), 0);
	CU_ASSERT_EQUAL(b.shape, MOHAA_SHAPE_ARRAY);
	CU_ASSERT_FATAL(json_object_object_get_ex(root, "expected_response", &expected));
	CU_ASSERT_EQUAL(b.n, (size_t)json_object_get_int(json_object_object_get(
				     json_object_object_get(expected, "body"), "processed")));
	CU_ASSERT_EQUAL_FATAL(b.n, 2);
	/* each event's bytes are exactly its element */
	for (i = 0; i < b.n; i++) {
		char *one = strndup(text + b.ev[i].off, b.ev[i].len);
		struct json_object *el = json_tokener_parse(one);
		CU_ASSERT(json_object_equal(el, json_object_array_get_idx(body, i)));
		json_object_put(el);
		free(one);
	}
	CU_ASSERT_EQUAL(mohaa_event_from_raw(&b.ev[0], &kill, err, sizeof err), 0);
	CU_ASSERT_EQUAL(kill.type, MOHAA_EV_KILL);
	CU_ASSERT_STRING_EQUAL(kill.type_sent, "player_kill");
	CU_ASSERT(kill.name_flags & MOHAA_NAME_LATER);
	CU_ASSERT_EQUAL(kill.actor.kind, MOHAA_ID_SMF);
	CU_ASSERT_STRING_EQUAL(kill.actor.id, "smf:42");
	CU_ASSERT_STRING_EQUAL(kill.actor.name, "Sgt Rock");
	CU_ASSERT_EQUAL(kill.target.kind, MOHAA_ID_NAME); /* unauth_3 is slot-local */
	CU_ASSERT_STRING_EQUAL(kill.target.id, "name:Hans");
	CU_ASSERT(kill.target.has_angles);
	CU_ASSERT_PTR_NOT_NULL_FATAL(kill.weapon);
	CU_ASSERT_STRING_EQUAL(kill.weapon->id, "thompson");
	CU_ASSERT_PTR_NOT_NULL_FATAL(kill.mod);
	CU_ASSERT_EQUAL(kill.mod->index, 19);
	CU_ASSERT(kill.flags & MOHAA_F_HEADSHOT);
	CU_ASSERT_STRING_EQUAL(kill.match_ref, ""); /* no_match */
	CU_ASSERT_DOUBLE_EQUAL(kill.game_time, 73.6, 1e-9);
	CU_ASSERT_STRING_EQUAL(extra(&kill, "attacker_stance"), "stand");
	CU_ASSERT_EQUAL(mohaa_event_from_raw(&b.ev[1], &hb, err, sizeof err), 0);
	CU_ASSERT_EQUAL(hb.type, MOHAA_EV_HEARTBEAT);
	CU_ASSERT_EQUAL(hb.player_count, 12);
	CU_ASSERT_STRING_EQUAL(hb.map_name, "obj/obj_team2");
	/* one request: the heartbeat (largest game time) is "now" */
	CU_ASSERT_EQUAL(mohaa_occurred_ms(&hb, 1000000, 90.0), 1000000);
	CU_ASSERT_EQUAL(mohaa_occurred_ms(&kill, 1000000, 90.0), 1000000 - 16400);
	mohaa_event_free(&kill);
	mohaa_event_free(&hb);
	mohaa_body_free(&b);
	json_object_put(root);
	free(doc);
}

/* --- unencoded bodies: & = and spaces in values --- */

static void test_raw_ampersands(void)
{
	struct mohaa_event ev;
	char err[200];
	const char *body =
		"type=chat&match_id=m1&timestamp=12.5&player_name=Tom & Jerry=best&player_guid=allies"
		"&message=gg & well played=yes &message=not a field &foo=bar 100%"
		"&server_token=tok-1&server_id=s1";
	CU_ASSERT_EQUAL_FATAL(one_event(body, &ev, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(ev.actor.name, "Tom & Jerry=best");
	CU_ASSERT_STRING_EQUAL(ev.actor.id, "name:Tom & Jerry=best");
	CU_ASSERT_STRING_EQUAL(extra(&ev, "message"),
			       "gg & well played=yes &message=not a field &foo=bar 100%");
	CU_ASSERT_STRING_EQUAL(extra(&ev, "server_id"), "s1");
	mohaa_event_free(&ev);

	/* a forged token inside the chat line does not win over the real one */
	{
		struct mohaa_body b = { 0 };
		const char *t = "type=chat&match_id=m&timestamp=1&player_name=a&player_guid=axis"
				"&message=x&server_token=evil&server_token=real&server_id=s";
		CU_ASSERT_EQUAL(mohaa_body_parse(t, strlen(t), &b, err, sizeof err), 0);
		CU_ASSERT_STRING_EQUAL(mohaa_raw_get(&b.ev[0], "server_token"), "real");
		mohaa_body_free(&b);
	}
	/* a consistently encoded body is decoded */
	body = "type=chat&match_id=m&timestamp=3&player_name=Bob%20Smith&player_guid=G1"
	       "&message=hello+world%26more%3D1&custom_key=v";
	CU_ASSERT_EQUAL_FATAL(one_event(body, &ev, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(ev.actor.name, "Bob Smith");
	CU_ASSERT_STRING_EQUAL(extra(&ev, "message"), "hello world&more=1");
	CU_ASSERT_STRING_EQUAL(extra(&ev, "custom_key"), "v");
	mohaa_event_free(&ev);
	/* a raw '%' that is no escape leaves the body unencoded */
	body = "type=chat&match_id=m&timestamp=3&player_name=x&player_guid=G1&message=100%25%zz";
	CU_ASSERT_EQUAL_FATAL(one_event(body, &ev, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(extra(&ev, "message"), "100%25%zz");
	mohaa_event_free(&ev);
	/* Latin-1 bytes of a name become UTF-8 */
	body = "type=connect&match_id=m&timestamp=1&player_name=J\xfcrgen&player_guid=";
	CU_ASSERT_EQUAL_FATAL(one_event(body, &ev, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(ev.actor.name, "J\xc3\xbcrgen");
	CU_ASSERT_EQUAL(ev.actor.kind, MOHAA_ID_NAME);
	mohaa_event_free(&ev);
}

/* --- malformed bodies --- */

static void test_malformed(void)
{
	struct mohaa_body b = { 0 };
	char err[200], *big;
	size_t i;
	static const struct {
		const char *body;
		int status;
		const char *in_err;
	} cases[] = {
		{ "[{\"type\":\"kill\",\"match_id\":\"m\"", 400, "truncated" },
		{ "[{\"type\":\"kill\"},", 400, "truncated" },
		{ "[{\"type\":\"kill\"} {\"type\":\"chat\"}]", 400, "expected" },
		{ "[{\"type\":\"kill\"}] x", 400, "after the JSON array" },
		{ "[1, 2]", 400, "not a JSON object" },
		{ "[{\"type\": kill}]", 400, "invalid JSON" },
		{ "[{\"a\":[}]", 400, "malformed" },
		{ "{\"type\":\"kill\"", 400, "invalid JSON" },
		{ "   \n\t ", 400, "empty" },
		{ "", 400, "empty" },
	};
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&b, 0, sizeof b);
		err[0] = '\0';
		CU_ASSERT_EQUAL(mohaa_body_parse(cases[i].body, strlen(cases[i].body), &b, err,
						 sizeof err), cases[i].status);
		if (!strstr(err, cases[i].in_err))
			fprintf(stderr, "\ncase %zu: %s\n", i, err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].in_err));
		CU_ASSERT_EQUAL(b.n, 0); /* nothing partial */
		mohaa_body_free(&b);
	}
	/* NUL bytes: inside is an error, the engine's trailing terminator is not */
	{
		const char with_nul[] = "type=chat&match_id=m&message=a\0b&player_name=x";
		const char trailing[] = "type=chat&match_id=m&message=ab&player_name=x\0\0";
		memset(&b, 0, sizeof b);
		CU_ASSERT_EQUAL(mohaa_body_parse(with_nul, sizeof with_nul - 1, &b, err, sizeof err), 400);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "NUL byte at offset 30"));
		CU_ASSERT_EQUAL(b.n, 0);
		CU_ASSERT_EQUAL(mohaa_body_parse(trailing, sizeof trailing - 1, &b, err, sizeof err), 0);
		CU_ASSERT_EQUAL(b.n, 1);
		mohaa_body_free(&b);
	}
	/* 2 MiB: 413 before anything is parsed */
	big = malloc(2u << 20);
	memset(big, 'a', 2u << 20);
	memcpy(big, "type=chat&message=", 18);
	memset(&b, 0, sizeof b);
	CU_ASSERT_EQUAL(mohaa_body_parse(big, 2u << 20, &b, err, sizeof err), 413);
	CU_ASSERT_EQUAL(mohaa_body_parse(big, MOHAA_MAX_BODY, &b, err, sizeof err), 0);
	mohaa_body_free(&b);
	free(big);
	/* too many events: 413 */
	{
		struct buf many = BUF_INIT;
		buf_addch(&many, '[');
		for (i = 0; i <= MOHAA_MAX_EVENTS; i++)
			buf_addstr(&many, i ? ",{}" : "{}");
		buf_addch(&many, ']');
		memset(&b, 0, sizeof b);
		CU_ASSERT_EQUAL(mohaa_body_parse(many.data, many.len, &b, err, sizeof err), 413);
		CU_ASSERT_EQUAL(b.n, 0);
		buf_release(&many);
	}
	/* JSON nested beyond the tokener's depth */
	{
		struct buf deep = BUF_INIT;
		buf_addstr(&deep, "[{\"a\":");
		for (i = 0; i < 40; i++)
			buf_addch(&deep, '[');
		for (i = 0; i < 40; i++)
			buf_addch(&deep, ']');
		buf_addstr(&deep, "}]");
		memset(&b, 0, sizeof b);
		CU_ASSERT_EQUAL(mohaa_body_parse(deep.data, deep.len, &b, err, sizeof err), 400);
		buf_release(&deep);
	}
	/* the empty array is a valid (empty) batch */
	memset(&b, 0, sizeof b);
	CU_ASSERT_EQUAL(mohaa_body_parse(" [ ] ", 5, &b, err, sizeof err), 0);
	CU_ASSERT_EQUAL(b.shape, MOHAA_SHAPE_ARRAY);
	CU_ASSERT_EQUAL(b.n, 0);
}

/* --- lines, unknown types, required fields --- */

static void test_lines_and_errors(void)
{
	const char *body =
		"{\"type\":\"player_say\",\"player_name\":\"A\",\"player_guid\":\"g1\",\"message\":1}\r\n"
		"\n"
		"type=jump&match_id=m&timestamp=5&player_name=B&player_guid=g2&pos_x=1&pos_y=2\n"
		"type=teleport&match_id=m&timestamp=6\n"
		"type=chat&match_id=m&timestamp=7&player_name=C\n"
		"{\"match_id\":\"m\"}\n"
		"type=damage&victim_name=V&damage=lots\n";
	struct mohaa_body b = { 0 };
	struct mohaa_event ev;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(mohaa_body_parse(body, strlen(body), &b, err, sizeof err), 0);
	CU_ASSERT_EQUAL(b.shape, MOHAA_SHAPE_LINES);
	CU_ASSERT_EQUAL_FATAL(b.n, 6);
	CU_ASSERT(b.ev[0].json);
	CU_ASSERT_FALSE(b.ev[1].json);
	CU_ASSERT_EQUAL(memcmp(body + b.ev[1].off, "type=jump", 9), 0);
	CU_ASSERT_EQUAL(body[b.ev[1].off + b.ev[1].len], '\n');

	CU_ASSERT_EQUAL(mohaa_event_from_raw(&b.ev[0], &ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(ev.type, MOHAA_EV_CHAT);
	CU_ASSERT_STRING_EQUAL(extra(&ev, "message"), "1"); /* a number arrives as text */
	mohaa_event_free(&ev);
	CU_ASSERT_EQUAL(mohaa_event_from_raw(&b.ev[1], &ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(ev.type, MOHAA_EV_JUMP);
	CU_ASSERT(ev.actor.has_pos);
	mohaa_event_free(&ev);
	CU_ASSERT_EQUAL(mohaa_event_from_raw(&b.ev[2], &ev, err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown event type \"teleport\"");
	mohaa_event_free(&ev);
	CU_ASSERT_EQUAL(mohaa_event_from_raw(&b.ev[3], &ev, err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "missing field \"message\"");
	mohaa_event_free(&ev);
	CU_ASSERT_EQUAL(mohaa_event_from_raw(&b.ev[4], &ev, err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "missing field \"type\"");
	mohaa_event_free(&ev);
	CU_ASSERT_EQUAL(mohaa_event_from_raw(&b.ev[5], &ev, err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "field \"damage\" is not a number");
	mohaa_event_free(&ev);
	mohaa_body_free(&b);

	CU_ASSERT_EQUAL(one_event("type=kill&match_id=m&attacker_name=A", &ev, err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "missing field \"victim_name\"");
	mohaa_event_free(&ev);
	CU_ASSERT_EQUAL(one_event("type=heartbeat&timestamp=yesterday", &ev, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\"timestamp\" is not a number"));
	mohaa_event_free(&ev);
}

/* --- corrections: headshot actor, world, suicide, team kill, hitloc --- */

static void test_corrections(void)
{
	struct mohaa_event ev;
	char err[200];
	/* the headshot's shooter is player_*: the original's actor was empty */
	CU_ASSERT_EQUAL_FATAL(one_event("type=headshot&match_id=m&timestamp=9&player_name=Sniper"
					"&player_guid=axis&weapon=KAR98 - Sniper&victim_name=Joe"
					"&victim_guid=allies", &ev, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(ev.actor.id, "name:Sniper");
	CU_ASSERT_STRING_EQUAL(ev.target.id, "name:Joe");
	CU_ASSERT_STRING_EQUAL(ev.weapon->id, "kar98sniper");
	CU_ASSERT(ev.flags & MOHAA_F_HEADSHOT);
	mohaa_event_free(&ev);
	/* world kill */
	CU_ASSERT_EQUAL_FATAL(one_event("type=kill&match_id=m&timestamp=9&attacker_name=world"
					"&attacker_guid=world&victim_name=Joe&victim_guid=allies"
					"&weapon=MOD_FALLING&hitloc=-1", &ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(ev.actor.kind, MOHAA_ID_WORLD);
	CU_ASSERT_STRING_EQUAL(ev.actor.id, "");
	CU_ASSERT(ev.flags & MOHAA_F_WORLD);
	CU_ASSERT_EQUAL(ev.mod->index, 7);
	CU_ASSERT_EQUAL(ev.hitloc, MOHAA_HITLOC_NONE);
	mohaa_event_free(&ev);
	/* suicide: same player, MOD index as number */
	CU_ASSERT_EQUAL_FATAL(one_event("type=kill&match_id=m&timestamp=9&attacker_name=Joe"
					"&attacker_guid=allies&victim_name=Joe&victim_guid=allies"
					"&weapon=14&hitloc=3", &ev, err, sizeof err), 0);
	CU_ASSERT(ev.flags & MOHAA_F_SUICIDE);
	CU_ASSERT_FALSE(ev.flags & (MOHAA_F_TEAMKILL | MOHAA_F_WORLD));
	CU_ASSERT_STRING_EQUAL(ev.mod->name, "grenade");
	CU_ASSERT_STRING_EQUAL(mohaa_hitloc_name(ev.hitloc), "upper torso");
	mohaa_event_free(&ev);
	/* team kill; hitloc by name with underscore */
	CU_ASSERT_EQUAL_FATAL(one_event("type=kill&match_id=m&timestamp=9&attacker_name=A"
					"&attacker_guid=allies&attacker_team=allies&victim_name=B"
					"&victim_guid=allies&victim_team=allies&weapon=fast_bullet"
					"&hitloc=LEFT_FOOT", &ev, err, sizeof err), 0);
	CU_ASSERT(ev.flags & MOHAA_F_TEAMKILL);
	CU_ASSERT_EQUAL(ev.hitloc, 18);
	mohaa_event_free(&ev);
	/* free-for-all: same "team" is no team kill; the later suicide name */
	CU_ASSERT_EQUAL_FATAL(one_event("{\"type\":\"player_suicide\",\"player_name\":\"Z\","
					"\"player_guid\":\"unauth_2\",\"player_team\":\"freeforall\"}",
					&ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(ev.type, MOHAA_EV_KILL);
	CU_ASSERT(ev.flags & MOHAA_F_SUICIDE);
	CU_ASSERT_STRING_EQUAL(ev.actor.id, "name:Z");
	CU_ASSERT_STRING_EQUAL(ev.target.id, "name:Z");
	mohaa_event_free(&ev);
	/* unknown hit location text is kept as sent */
	CU_ASSERT_EQUAL_FATAL(one_event("type=weapon_hit&match_id=m&timestamp=1&player_name=A"
					"&player_guid=g&target_name=B&target_guid=h&hitloc=elbow",
					&ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(ev.hitloc, MOHAA_HITLOC_NONE);
	CU_ASSERT_STRING_EQUAL(extra(&ev, "hitloc"), "elbow");
	CU_ASSERT_STRING_EQUAL(ev.target.id, "h");
	mohaa_event_free(&ev);
	/* timestamps: a Unix time far in the future is not trusted */
	CU_ASSERT_EQUAL_FATAL(one_event("type=jump&player_name=a&timestamp=4102444800",
					&ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(mohaa_occurred_ms(&ev, 1700000000000LL, 0), 1700000000000LL);
	mohaa_event_free(&ev);
	CU_ASSERT_EQUAL_FATAL(one_event("type=jump&player_name=a&timestamp=1700000000.5",
					&ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(mohaa_occurred_ms(&ev, 1700000099000LL, 0), 1700000000500LL);
	mohaa_event_free(&ev);
	CU_ASSERT_EQUAL_FATAL(one_event("type=jump&player_name=a", &ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(mohaa_occurred_ms(&ev, 5000, 0), 5000);
	mohaa_event_free(&ev);
}

/* --- the catalog against the engine's lists --- */

static void test_catalog_weapons(void)
{
	size_t n, i;
	char **l = csv_lines("mohaa/openmohaa_weapons.csv", &n);
	CU_ASSERT_EQUAL(n, 49);
	for (i = 0; i < n; i++) {
		char *f[4];
		const struct mohaa_weapon *by_prefix, *by_name;
		char lower[64];
		size_t k;
		CU_ASSERT_EQUAL_FATAL(csv_split(l[i], f, 4), 4);
		by_prefix = mohaa_weapon_lookup(f[1]);
		by_name = mohaa_weapon_lookup(f[0]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(by_prefix);
		CU_ASSERT_PTR_NOT_NULL_FATAL(by_name);
		for (k = 0; f[1][k] && k + 1 < sizeof lower; k++)
			lower[k] = (char)(f[1][k] | (f[1][k] >= 'A' && f[1][k] <= 'Z' ? 0x20 : 0));
		lower[k] = '\0';
		CU_ASSERT_STRING_EQUAL(by_prefix->id, lower);
		CU_ASSERT_STRING_EQUAL(by_prefix->display, f[0]);
		CU_ASSERT_STRING_EQUAL(by_name->display, f[0]);
		CU_ASSERT_STRING_EQUAL(mohaa_wclass_name(by_prefix->wclass), f[2]);
		CU_ASSERT_EQUAL(by_prefix->base_game, !strcmp(f[3], "base"));
	}
	lines_free(l, n);
	/* the simulator's ids */
	CU_ASSERT_STRING_EQUAL(mohaa_weapon_lookup("m1_garand")->id, "garand");
	CU_ASSERT_STRING_EQUAL(mohaa_weapon_lookup("stg44")->id, "mp44");
	CU_ASSERT_STRING_EQUAL(mohaa_weapon_lookup("models/weapons/thompson.tik")->id, "thompson");
	CU_ASSERT_PTR_NULL(mohaa_weapon_lookup("grenade"));
	CU_ASSERT_PTR_NULL(mohaa_weapon_lookup(""));
}

static void test_catalog_mods_hitlocs_maps(void)
{
	size_t n, i;
	char **l = csv_lines("mohaa/openmohaa_means_of_death.csv", &n);
	CU_ASSERT_EQUAL(n, 30);
	for (i = 0; i < n; i++) {
		char *f[4];
		const struct mohaa_mod *a, *b, *c;
		CU_ASSERT_FATAL(csv_split(l[i], f, 4) >= 3);
		a = mohaa_mod_lookup(f[0]);
		b = mohaa_mod_lookup(f[1]);
		c = mohaa_mod_lookup(f[2]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT(a == b && b == c);
		CU_ASSERT_EQUAL(a->index, atoi(f[0]));
		CU_ASSERT_STRING_EQUAL(a->enum_name, f[1]);
		CU_ASSERT_STRING_EQUAL(a->name, f[2]);
	}
	lines_free(l, n);
	CU_ASSERT_PTR_NULL(mohaa_mod_lookup("30"));
	CU_ASSERT_PTR_NULL(mohaa_mod_lookup("thompson"));

	l = csv_lines("mohaa/openmohaa_hit_locations.csv", &n);
	CU_ASSERT_EQUAL(n, 21);
	for (i = 0; i < n; i++) {
		char *f[2];
		int idx;
		bool known;
		int nf = csv_split(l[i], f, 2);
		idx = atoi(f[0]);
		if (idx < 0) {
			CU_ASSERT_EQUAL(mohaa_hitloc_lookup(f[0], &known), MOHAA_HITLOC_NONE);
			CU_ASSERT(known);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(nf, 2);
		CU_ASSERT_EQUAL(mohaa_hitloc_lookup(f[0], NULL), idx);
		CU_ASSERT_EQUAL(mohaa_hitloc_lookup(f[1], NULL), idx);
		CU_ASSERT_STRING_EQUAL(mohaa_hitloc_name(idx), f[1]);
	}
	lines_free(l, n);

	l = csv_lines("mohaa/openmohaa_maps.csv", &n);
	CU_ASSERT_EQUAL(n, 25);
	for (i = 0; i < n; i++) {
		char *f[6], *paren;
		csv_split(l[i], f, 6);
		paren = strstr(f[3], " (community name)");
		if (paren)
			*paren = '\0';
		if (*f[3]) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(mohaa_map_friendly(f[0]));
			CU_ASSERT_STRING_EQUAL(mohaa_map_friendly(f[0]), f[3]);
		} else {
			CU_ASSERT_PTR_NULL(mohaa_map_friendly(f[0]));
		}
	}
	lines_free(l, n);
}

/* Every field the original tracker sends (tracker_payload_fields.csv) is a
 * key of its type, so an unencoded body splits at it. */
static void test_tracker_fields(void)
{
	size_t n, i, checked = 0;
	char **l = csv_lines("mohaa/payloads/tracker_payload_fields.csv", &n);
	for (i = 0; i < n; i++) {
		char *f[7], *tok, *save = NULL;
		enum mohaa_type t;
		csv_split(l[i], f, 7);
		t = mohaa_type_lookup(f[0], NULL);
		if (f[0][0] == '(') {
			CU_ASSERT(mohaa_type_has_key(MOHAA_EV_KILL, f[2], strlen(f[2])));
			continue;
		}
		CU_ASSERT_NOT_EQUAL_FATAL(t, MOHAA_EV_UNKNOWN);
		for (tok = strtok_r(f[2], " /", &save); tok; tok = strtok_r(NULL, " /", &save)) {
			if (!mohaa_type_has_key(t, tok, strlen(tok)))
				fprintf(stderr, "\n%s: %s\n", f[0], tok);
			CU_ASSERT(mohaa_type_has_key(t, tok, strlen(tok)));
			checked++;
		}
	}
	CU_ASSERT(checked > 100);
	lines_free(l, n);
	CU_ASSERT_FALSE(mohaa_type_has_key(MOHAA_EV_CHAT, "victim_name", 11));
	CU_ASSERT_FALSE(mohaa_type_has_key(MOHAA_EV_CHAT, "bye", 3));
	/* both generations */
	CU_ASSERT_EQUAL(mohaa_type_lookup("kill", NULL), mohaa_type_lookup("player_kill", NULL));
	CU_ASSERT_EQUAL(mohaa_type_lookup("client_begin", NULL), MOHAA_EV_SPAWN);
	CU_ASSERT_EQUAL(mohaa_type_lookup("player_say", NULL), MOHAA_EV_CHAT);
	CU_ASSERT_EQUAL(mohaa_type_lookup("match_outcome", NULL), MOHAA_EV_MATCH_END);
	CU_ASSERT_EQUAL(mohaa_type_lookup("Kill", NULL), MOHAA_EV_UNKNOWN);
}

/* --- achievements against the original seed --- */

static void test_achievements(void)
{
	size_t n, i, count;
	char **l = csv_lines("mohaa/opm_stats_achievements_original.csv", &n);
	const struct mohaa_achievement *all = mohaa_achievements(&count);
	CU_ASSERT_EQUAL(n, 23);
	CU_ASSERT_EQUAL(count, 23);
	for (i = 0; i < n; i++) {
		char *f[6];
		const struct mohaa_achievement *a;
		struct mohaa_progress at = { 0 }, below = { 0 };
		int64_t *field = NULL;
		CU_ASSERT_EQUAL_FATAL(csv_split(l[i], f, 6), 6);
		a = mohaa_achievement_find(f[0]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_PTR_EQUAL(a, &all[i]);
		CU_ASSERT_STRING_EQUAL(a->name, f[1]);
		CU_ASSERT_STRING_EQUAL(a->description, f[2]);
		CU_ASSERT_STRING_EQUAL(a->category, f[3]);
		CU_ASSERT_EQUAL(a->points, atoi(f[4]));
		/* every one has a rule: met at its threshold, not one below */
		switch (a->metric) {
		case MOHAA_M_KILLS: field = &at.kills; break;
		case MOHAA_M_HEADSHOTS: field = &at.headshots; break;
		case MOHAA_M_BEST_STREAK: field = &at.best_streak; break;
		case MOHAA_M_TOURNAMENT_WINS: field = &at.tournament_wins; break;
		case MOHAA_M_TOURNAMENT_TOP3: field = &at.tournament_top3; break;
		case MOHAA_M_TOURNAMENTS: field = &at.tournaments; break;
		case MOHAA_M_MATCHES: field = &at.matches; break;
		case MOHAA_M_PLAYTIME_HOURS: field = &at.playtime_s; break;
		case MOHAA_M_WEAPON_KILLS: break;
		}
		if (a->metric == MOHAA_M_WEAPON_KILLS) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(mohaa_weapon_lookup(a->weapon));
			CU_ASSERT_PTR_NOT_NULL(strstr(a->description, "1,000 kills with"));
			CU_ASSERT(mohaa_achievement_met(a, &at, a->weapon, a->threshold));
			CU_ASSERT_FALSE(mohaa_achievement_met(a, &at, a->weapon, a->threshold - 1));
			CU_ASSERT_FALSE(mohaa_achievement_met(a, &at, "bar", a->threshold));
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(field);
		*field = a->metric == MOHAA_M_PLAYTIME_HOURS ? a->threshold * 3600 : a->threshold;
		CU_ASSERT(mohaa_achievement_met(a, &at, NULL, 0));
		below = at;
		*(int64_t *)((char *)&below + ((char *)field - (char *)&at)) -= 1;
		CU_ASSERT_FALSE(mohaa_achievement_met(a, &below, NULL, 0));
	}
	lines_free(l, n);
	/* a batch that jumps over a threshold still unlocks it (the original's
	 * exact-match check did not) */
	{
		struct mohaa_progress before = { .kills = 98, .best_streak = 4 },
				      after = { .kills = 103, .best_streak = 6 };
		const struct mohaa_achievement *out[23];
		size_t k = mohaa_achievements_crossed(&before, &after, "thompson", 999, 1001, out, 23);
		CU_ASSERT_EQUAL_FATAL(k, 3);
		CU_ASSERT_STRING_EQUAL(out[0]->id, "KILL_100");
		CU_ASSERT_STRING_EQUAL(out[1]->id, "KILLSTREAK_5");
		CU_ASSERT_STRING_EQUAL(out[2]->id, "THOMPSON_1000");
		CU_ASSERT_EQUAL(mohaa_achievements_crossed(&after, &after, "thompson", 1001, 1002, out, 23), 0);
	}
}

/* --- matches and rounds --- */

static void test_match_decide(void)
{
	struct mohaa_event ev;
	struct mohaa_match_state open = { "match_sess_0.05_0.05", "obj/obj_team2", 100000, 1 };
	const int64_t idle = 600000;
	char err[200];

	CU_ASSERT_EQUAL_FATAL(one_event("type=match_start&match_id=match_sess_0.05_0.05&map_name=dm/mohdm1"
					"&timestamp=0.05", &ev, err, sizeof err), 0);
	/* the same match_id again at the next map load: still a new match */
	CU_ASSERT_EQUAL(mohaa_match_decide(&open, &ev, 100500, idle),
			MOHAA_MATCH_OPEN_NEW | MOHAA_MATCH_ATTACH);
	CU_ASSERT_EQUAL(mohaa_match_decide(NULL, &ev, 100500, idle),
			MOHAA_MATCH_OPEN_NEW | MOHAA_MATCH_ATTACH);
	mohaa_event_free(&ev);

	CU_ASSERT_EQUAL_FATAL(one_event("type=kill&match_id=match_sess_0.05_0.05&victim_name=a"
					"&attacker_name=b&timestamp=9", &ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(mohaa_match_decide(&open, &ev, 101000, idle), MOHAA_MATCH_ATTACH);
	/* silence longer than idle: the server restarted without a match_start we saw */
	CU_ASSERT_EQUAL(mohaa_match_decide(&open, &ev, 100000 + idle + 1, idle),
			MOHAA_MATCH_OPEN_NEW | MOHAA_MATCH_ATTACH);
	mohaa_event_free(&ev);

	CU_ASSERT_EQUAL_FATAL(one_event("type=kill&match_id=other&victim_name=a&timestamp=9",
					&ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(mohaa_match_decide(&open, &ev, 101000, idle),
			MOHAA_MATCH_OPEN_NEW | MOHAA_MATCH_ATTACH);
	mohaa_event_free(&ev);

	/* no_match joins the open match, or none */
	CU_ASSERT_EQUAL_FATAL(one_event("{\"type\":\"player_jump\",\"match_id\":\"no_match\","
					"\"player_name\":\"x\"}", &ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(mohaa_match_decide(&open, &ev, 101000, idle), MOHAA_MATCH_ATTACH);
	CU_ASSERT_EQUAL(mohaa_match_decide(NULL, &ev, 101000, idle), 0);
	CU_ASSERT_EQUAL(mohaa_match_decide(&open, &ev, 100000 + idle + 1, idle), 0);
	mohaa_event_free(&ev);

	/* heartbeats: a new round number advances, a map change is a new match */
	CU_ASSERT_EQUAL_FATAL(one_event("type=heartbeat&match_id=match_sess_0.05_0.05"
					"&map_name=obj/obj_team2&round_number=2", &ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(mohaa_match_decide(&open, &ev, 101000, idle),
			MOHAA_MATCH_ATTACH | MOHAA_MATCH_NEW_ROUND);
	mohaa_event_free(&ev);
	CU_ASSERT_EQUAL_FATAL(one_event("type=heartbeat&match_id=match_sess_0.05_0.05"
					"&map_name=dm/mohdm6&round_number=1", &ev, err, sizeof err), 0);
	CU_ASSERT_EQUAL(mohaa_match_decide(&open, &ev, 101000, idle),
			MOHAA_MATCH_OPEN_NEW | MOHAA_MATCH_ATTACH | MOHAA_MATCH_NEW_ROUND);
	mohaa_event_free(&ev);
	CU_ASSERT_EQUAL_FATAL(one_event("type=match_end&match_id=match_sess_0.05_0.05"
					"&winning_team=Axis&allies_score=1&axis_score=3",
					&ev, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(ev.winning_team, "axis");
	CU_ASSERT_EQUAL(mohaa_match_decide(&open, &ev, 101000, idle),
			MOHAA_MATCH_ATTACH | MOHAA_MATCH_CLOSE);
	mohaa_event_free(&ev);
}

static void test_weapon_mod_and_cells(void)
{
	const struct mohaa_mod *bullet = mohaa_mod_lookup("MOD_BULLET");
	const struct mohaa_mod *grenade = mohaa_mod_lookup("grenade");
	const struct mohaa_mod *rocket = mohaa_mod_lookup("rocket");
	const struct mohaa_mod *shotgun = mohaa_mod_lookup("shotgun");
	CU_ASSERT(mohaa_weapon_fits_mod(mohaa_weapon_lookup("M1 Garand"), bullet));
	CU_ASSERT(mohaa_weapon_fits_mod(mohaa_weapon_lookup("MP40"), mohaa_mod_lookup("fast_bullet")));
	CU_ASSERT_FALSE(mohaa_weapon_fits_mod(mohaa_weapon_lookup("Frag Grenade"), bullet));
	CU_ASSERT(mohaa_weapon_fits_mod(mohaa_weapon_lookup("Stielhandgranate"), grenade));
	CU_ASSERT(mohaa_weapon_fits_mod(mohaa_weapon_lookup("Bazooka"), rocket));
	CU_ASSERT_FALSE(mohaa_weapon_fits_mod(mohaa_weapon_lookup("Shotgun"), rocket));
	CU_ASSERT(mohaa_weapon_fits_mod(mohaa_weapon_lookup("Shotgun"), shotgun));
	CU_ASSERT_FALSE(mohaa_weapon_fits_mod(mohaa_weapon_lookup("Binoculars"), mohaa_mod_lookup("bash")));
	CU_ASSERT_FALSE(mohaa_weapon_fits_mod(NULL, bullet));
	/* round(pos / 100) * 100 */
	CU_ASSERT_EQUAL(mohaa_heat_cell(-1184.25), -1200);
	CU_ASSERT_EQUAL(mohaa_heat_cell(2210.0), 2200);
	CU_ASSERT_EQUAL(mohaa_heat_cell(49.9), 0);
	CU_ASSERT_EQUAL(mohaa_heat_cell(50), 100);
	CU_ASSERT_EQUAL(mohaa_heat_cell(-50), -100);
}

static void test_weeks(void)
{
	char w[16];
	int64_t ms;
	mohaa_week_start(0, w); /* 1970-01-01 was a Thursday */
	CU_ASSERT_STRING_EQUAL(w, "1969-12-29");
	CU_ASSERT_EQUAL(mohaa_parse_date("2025-01-20", &ms), 0); /* a Monday */
	mohaa_week_start(ms, w);
	CU_ASSERT_STRING_EQUAL(w, "2025-01-20");
	mohaa_week_start(ms + 6 * 86400000LL + 86399999, w); /* Sunday 23:59:59.999 */
	CU_ASSERT_STRING_EQUAL(w, "2025-01-20");
	mohaa_week_start(ms - 1, w);
	CU_ASSERT_STRING_EQUAL(w, "2025-01-13");
	mohaa_week_start(1737240001250LL, w); /* the simulator's sample: Sat 2025-01-18 */
	CU_ASSERT_STRING_EQUAL(w, "2025-01-13");
	CU_ASSERT_EQUAL(mohaa_parse_date("2024-02-29", &ms), 0);
	CU_ASSERT_EQUAL(mohaa_parse_date("2023-02-29", &ms), -1);
	CU_ASSERT_EQUAL(mohaa_parse_date("2023-2-01", &ms), -1);
	CU_ASSERT_EQUAL(mohaa_parse_date("2023-02-01x", &ms), -1);
	CU_ASSERT_EQUAL(mohaa_parse_date("1969-12-31", &ms), -1);
}

static void test_names(void)
{
	struct buf b = BUF_INIT;
	mohaa_clean_name("  ^1Sgt^7 Rock^^3 ", &b);
	CU_ASSERT_STRING_EQUAL(b.data, "Sgt Rock^");
	mohaa_clean_name("a\tb\x7f", &b);
	CU_ASSERT_STRING_EQUAL(b.data, "ab");
	mohaa_clean_name("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			 "x\xc3\xa9\xc3\xa9\xc3\xa9", &b);
	CU_ASSERT(b.len <= MOHAA_MAX_NAME);
	CU_ASSERT_EQUAL(b.len, 63); /* 60 bytes of é, the x, one é would pass 64: cut before */
	buf_reset(&b);
	mohaa_utf8_fix("\xed\xa0\x80", 3, &b); /* a surrogate is not UTF-8: Latin-1 */
	CU_ASSERT_STRING_EQUAL(b.data, "\xc3\xad\xc2\xa0\xc2\x80");
	buf_reset(&b);
	mohaa_utf8_fix("ok\xe2\x82\xac", 5, &b);
	CU_ASSERT_STRING_EQUAL(b.data, "ok\xe2\x82\xac");
	buf_release(&b);
}

/* --- the SVG heat map and the job's hash map --- */

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static void test_heatmap_svg(void)
{
	struct json_object *doc = json_tokener_parse(
		"{\"map_name\":\"obj/obj_team2\",\"kind\":\"kills\",\"points\":["
		"{\"x\":-1200,\"y\":2200,\"count\":6},{\"x\":0,\"y\":0,\"count\":1},"
		"{\"x\":300,\"y\":-100,\"count\":3}]}");
	struct json_object *empty = json_tokener_parse("{\"kind\":\"deaths\",\"points\":[]}");
	struct buf out = BUF_INIT;
	mohaa_heatmap_svg(&out, doc, "Kills <by> \"A&B\"");
	CU_ASSERT_EQUAL(strncmp(out.data, "<svg ", 5), 0);
	CU_ASSERT_EQUAL(strcmp(out.data + out.len - 6, "</svg>"), 0);
	CU_ASSERT_EQUAL(count_of(out.data, "<title>x "), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<title>x -1200, y 2200: 6 kills</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<title>x 0, y 0: 1 kill</title>"));
	/* world y up: the cell at y 2200 is drawn from y -2250; the largest count is darkest */
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<rect x=\"-1250\" y=\"-2250\" width=\"100\" height=\"100\""
					       " fill=\"#bd0026\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<rect x=\"-50\" y=\"-50\" width=\"100\" height=\"100\""
					       " fill=\"#ffffb2\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "aria-label=\"Kills &lt;by&gt; &quot;A&amp;B&quot;\""));
	CU_ASSERT_PTR_NULL(strstr(out.data, "style="));
	CU_ASSERT_PTR_NULL(strstr(out.data, "<script"));
	buf_reset(&out);
	mohaa_heatmap_svg(&out, empty, "none");
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "No deaths recorded here yet"));
	CU_ASSERT_EQUAL(count_of(out.data, "<title>x "), 0);
	buf_release(&out);
	json_object_put(doc);
	json_object_put(empty);
}

static void test_smap(void)
{
	struct smap m = { 0 };
	char key[32];
	bool created;
	int i;
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		*smap_slot(&m, key, &created) = (void *)(intptr_t)(i + 1);
		CU_ASSERT(created);
	}
	CU_ASSERT_EQUAL(m.n, 1000);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		CU_ASSERT_EQUAL((intptr_t)smap_get(&m, key), i + 1);
	}
	smap_slot(&m, "k5", &created);
	CU_ASSERT_FALSE(created);
	CU_ASSERT_PTR_NULL(smap_get(&m, "k1000"));
	smap_free(&m, NULL);
	CU_ASSERT_EQUAL(m.n, 0);
	CU_ASSERT_PTR_NULL(smap_get(&m, "k1"));
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("mohaa", NULL, NULL);
	CU_add_test(s, "original form payloads (sample_payloads_urlencoded.txt)", test_sample_form);
	CU_add_test(s, "later JSON array (sample_payloads_json.json)", test_sample_json);
	CU_add_test(s, "unencoded & = % in values, encoded bodies, Latin-1", test_raw_ampersands);
	CU_add_test(s, "malformed bodies: truncated, NUL, 2 MiB, too many", test_malformed);
	CU_add_test(s, "lines, unknown types, required fields", test_lines_and_errors);
	CU_add_test(s, "corrections: headshot actor, world, suicide, team kill", test_corrections);
	CU_add_test(s, "weapons against openmohaa_weapons.csv", test_catalog_weapons);
	CU_add_test(s, "means of death, hit locations, maps against the CSVs", test_catalog_mods_hitlocs_maps);
	CU_add_test(s, "every tracker field splits its type's form body", test_tracker_fields);
	CU_add_test(s, "the 23 achievements against the original seed", test_achievements);
	CU_add_test(s, "match and round decisions", test_match_decide);
	CU_add_test(s, "weapon fits means of death; heatmap cells", test_weapon_mod_and_cells);
	CU_add_test(s, "names and UTF-8", test_names);
	CU_add_test(s, "weeks and dates", test_weeks);
	CU_add_test(s, "the SVG heat map", test_heatmap_svg);
	CU_add_test(s, "the ingest job's hash map", test_smap);
}

CU_MAIN()
