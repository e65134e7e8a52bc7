/* test_notify.c: the pure parts of BZCC notifications and rooms: which
 * games a webhook announces, the Discord message bodies, the admin form's
 * URL and host checks (domain/notify.h), and the stream rooms built from a
 * lobby document (web/stream.h). */
#include <json-c/json.h>
#include <string.h>

#include "buf.h"
#include "tests/unit/cu.h"
#include "modules/bzcc/domain/notify.h"
#include "modules/bzcc/web/stream.h"

static const char *SESSION =
	"{\"id\":\"Rebellion:03800014ffd2c412\",\"name\":\"Cannon_Fodder's *MPI*\",\"motd\":\"gl hf\","
	"\"state\":\"in_game\",\"state_label\":\"In game\",\"minutes_in_state\":12,\"player_count\":2,"
	"\"max_players\":8,\"map\":{\"file\":\"mpiwoho\"},\"game_type\":{\"name\":\"Strategy\"},"
	"\"game_mode\":{\"name\":\"MPI\"},\"mod\":{\"id\":\"2967047003\",\"stock\":false},"
	"\"players\":[{\"name\":\"{OTD} Cannon @everyone\",\"provider\":\"steam\",\"external_id\":\"76561198022218242\","
	"\"team\":1,\"host\":true},{\"name\":\"Bob\",\"provider\":\"gog\",\"external_id\":\"48\",\"team\":2,\"host\":false}]}";

static void test_is_test(void)
{
	CU_ASSERT(bzcc_notify_is_test("test"));
	CU_ASSERT(bzcc_notify_is_test("TEST"));
	CU_ASSERT(bzcc_notify_is_test("CF Test Server 2 Genesis all in1"));
	CU_ASSERT(bzcc_notify_is_test("testing 1 2"));
	CU_ASSERT(bzcc_notify_is_test("my-test"));
	CU_ASSERT(!bzcc_notify_is_test("Contest"));
	CU_ASSERT(!bzcc_notify_is_test("tested maps"));
	CU_ASSERT(!bzcc_notify_is_test("vsr"));
	CU_ASSERT(!bzcc_notify_is_test(""));
	CU_ASSERT(!bzcc_notify_is_test(NULL));
}

static void test_wants(void)
{
	struct json_object *s = json_tokener_parse(SESSION), *t;
	const char *mine[] = { "gog:1", "steam:76561198022218242" }, *other[] = { "steam:1" };
	char host[64];
	CU_ASSERT(bzcc_notify_host(s, host, sizeof host));
	CU_ASSERT_STRING_EQUAL(host, "steam:76561198022218242");
	CU_ASSERT(bzcc_notify_wants(NULL, 0, s));
	CU_ASSERT(bzcc_notify_wants(mine, 2, s));
	CU_ASSERT(!bzcc_notify_wants(other, 1, s));
	t = json_tokener_parse(SESSION);
	json_object_object_add(t, "name", json_object_new_string("Test game"));
	CU_ASSERT(!bzcc_notify_wants(NULL, 0, t));
	json_object_put(t);
	json_object_put(s);
}

static struct json_object *field_of(struct json_object *embed, const char *name)
{
	struct json_object *fields;
	json_object_object_get_ex(embed, "fields", &fields);
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		struct json_object *f = json_object_array_get_idx(fields, i), *n, *v;
		json_object_object_get_ex(f, "name", &n);
		if (!strcmp(json_object_get_string(n), name)) {
			json_object_object_get_ex(f, "value", &v);
			return v;
		}
	}
	return NULL;
}

static void test_payload(void)
{
	struct json_object *s = json_tokener_parse(SESSION), *b, *embeds, *e, *v, *am;
	struct buf out = BUF_INIT;
	bzcc_notify_payload(s, true, false, "https://gw.example/", &out);
	b = json_tokener_parse(out.data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(json_object_object_get_ex(b, "content", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v),
			       "New game: **Cannon\\_Fodder's \\*MPI\\*** hosted by {OTD} Cannon @everyone");
	CU_ASSERT(json_object_object_get_ex(b, "allowed_mentions", &am));
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(am, JSON_C_TO_STRING_PLAIN), "{\"parse\":[]}");
	json_object_object_get_ex(b, "embeds", &embeds);
	e = json_object_array_get_idx(embeds, 0);
	json_object_object_get_ex(e, "url", &v);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v),
			       "https://gw.example/bzcc/sessions/Rebellion:03800014ffd2c412");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(field_of(e, "State")), "In game \xc2\xb7 12 min");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(field_of(e, "Players")), "2/8");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(field_of(e, "Mode")), "Strategy / MPI");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(field_of(e, "Roster")),
			       "T1 \xe2\x8c\x82 {OTD} Cannon @everyone\nT2 Bob");
	json_object_put(b);
	/* an edit has no content (no second ping); ended: grey, no roster */
	bzcc_notify_payload(s, false, true, "", &out);
	b = json_tokener_parse(out.data);
	CU_ASSERT(!json_object_object_get_ex(b, "content", NULL));
	json_object_object_get_ex(b, "embeds", &embeds);
	e = json_object_array_get_idx(embeds, 0);
	json_object_object_get_ex(e, "title", &v);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "Cannon_Fodder's *MPI* (ended)");
	CU_ASSERT(!json_object_object_get_ex(e, "url", NULL));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(field_of(e, "State")), "Session ended");
	CU_ASSERT_PTR_NULL(field_of(e, "Roster"));
	json_object_object_get_ex(e, "color", &v);
	CU_ASSERT_EQUAL(json_object_get_int(v), 0x808080);
	json_object_put(b);
	/* a 300-byte name: the title is cut to Discord's 256 on a character boundary */
	{
		char longname[301];
		memset(longname, 'a', 300);
		longname[300] = '\0';
		longname[252] = (char)0xc3; /* "é" across the cut */
		longname[253] = (char)0xa9;
		json_object_object_add(s, "name", json_object_new_string(longname));
		bzcc_notify_payload(s, false, false, "", &out);
		b = json_tokener_parse(out.data);
		json_object_object_get_ex(b, "embeds", &embeds);
		json_object_object_get_ex(json_object_array_get_idx(embeds, 0), "title", &v);
		CU_ASSERT(strlen(json_object_get_string(v)) <= 256);
		CU_ASSERT_EQUAL(strlen(json_object_get_string(v)), 252 + 3);
		json_object_put(b);
	}
	buf_release(&out);
	json_object_put(s);
}

static void test_check_url(void)
{
	char err[200];
	CU_ASSERT_EQUAL(bzcc_notify_check_url("https://discord.com/api/webhooks/123456/AbC-d_e", NULL, err, sizeof err), 0);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("https://discordapp.com/api/webhooks/1/x", NULL, err, sizeof err), 0);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("http://discord.com/api/webhooks/1/x", NULL, err, sizeof err), -1);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("https://discord.com.evil/api/webhooks/1/x", NULL, err, sizeof err), -1);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("https://discord.com/api/webhooks/x/1", NULL, err, sizeof err), -1);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("https://discord.com/api/webhooks/1/", NULL, err, sizeof err), -1);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("https://discord.com/api/webhooks/1/a/../b", NULL, err, sizeof err), -1);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("https://u@discord.com/api/webhooks/1/x", NULL, err, sizeof err), -1);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("javascript:alert(1)", NULL, err, sizeof err), -1);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("", NULL, err, sizeof err), -1);
	CU_ASSERT_EQUAL(bzcc_notify_check_url(NULL, NULL, err, sizeof err), -1);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("http://127.0.0.1:9000/hook", "127.0.0.1:9000", err, sizeof err), 0);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("http://127.0.0.1:9001/hook", "127.0.0.1:9000", err, sizeof err), -1);
	CU_ASSERT_EQUAL(bzcc_notify_check_url("https://discord.com/api/webhooks/1/x y", NULL, err, sizeof err), -1);
}

static void test_parse_hosts(void)
{
	char a[] = " steam:1, gog:22 steam:333 ", b[] = "steam:1 bob", c[] = "", d[] = "steam:";
	const char *h[4];
	char err[200];
	CU_ASSERT_EQUAL(bzcc_notify_parse_hosts(a, h, 4, err, sizeof err), 3);
	CU_ASSERT_STRING_EQUAL(h[0], "steam:1");
	CU_ASSERT_STRING_EQUAL(h[1], "gog:22");
	CU_ASSERT_STRING_EQUAL(h[2], "steam:333");
	CU_ASSERT_EQUAL(bzcc_notify_parse_hosts(b, h, 4, err, sizeof err), -1);
	CU_ASSERT(strstr(err, "bob") != NULL);
	CU_ASSERT_EQUAL(bzcc_notify_parse_hosts(c, h, 4, err, sizeof err), 0);
	CU_ASSERT_EQUAL(bzcc_notify_parse_hosts(d, h, 4, err, sizeof err), -1);
	{
		char e[] = "steam:1 steam:2 steam:3";
		CU_ASSERT_EQUAL(bzcc_notify_parse_hosts(e, h, 2, err, sizeof err), -1);
	}
}

static void test_rooms(void)
{
	struct json_object *lobby = json_object_new_object(), *sessions = json_object_new_array(), *d, *v;
	json_object_array_add(sessions, json_tokener_parse(SESSION));
	json_object_object_add(lobby, "sessions", sessions);
	json_object_object_add(lobby, "totals", json_tokener_parse("{\"sessions\":1,\"players\":2}"));
	json_object_object_add(lobby, "generated_at", NULL);
	CU_ASSERT_EQUAL(bzcc_stream_room("sessions"), 1);
	CU_ASSERT_EQUAL(bzcc_stream_room("session:Rebellion:0380"), 1);
	CU_ASSERT_EQUAL(bzcc_stream_room("session:a b"), -1);
	CU_ASSERT_EQUAL(bzcc_stream_room("players:steam:123"), 1);
	CU_ASSERT_EQUAL(bzcc_stream_room("players:bob"), -1);
	CU_ASSERT_EQUAL(bzcc_stream_room("team_picker:Rebellion:1"), 1);
	CU_ASSERT_EQUAL(bzcc_stream_room("lobby"), 0);
	d = bzcc_room_doc(lobby, "sessions");
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(json_object_object_get(d, "order"), JSON_C_TO_STRING_PLAIN),
			       "[\"Rebellion:03800014ffd2c412\"]");
	CU_ASSERT(!json_object_object_get_ex(d, "generated_at", NULL)); /* nulls left out */
	CU_ASSERT(json_object_object_get_ex(json_object_object_get(d, "sessions"), "Rebellion:03800014ffd2c412", NULL));
	json_object_put(d);
	d = bzcc_room_doc(lobby, "session:Rebellion:03800014ffd2c412");
	CU_ASSERT(json_object_object_get_ex(d, "live", &v) && json_object_get_boolean(v));
	json_object_put(d);
	d = bzcc_room_doc(lobby, "session:Rebellion:1");
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN),
			       "{\"id\":\"Rebellion:1\",\"live\":false}");
	json_object_put(d);
	d = bzcc_room_doc(lobby, "players:gog:48");
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN),
			       "{\"id\":\"gog:48\",\"online\":true,\"sessions\":[{\"id\":\"Rebellion:03800014ffd2c412\","
			       "\"name\":\"Cannon_Fodder's *MPI*\",\"state\":\"in_game\",\"team\":2}]}");
	json_object_put(d);
	d = bzcc_room_doc(lobby, "players:steam:48");
	CU_ASSERT(json_object_object_get_ex(d, "online", &v) && !json_object_get_boolean(v));
	json_object_put(d);
	CU_ASSERT_PTR_NULL(bzcc_room_doc(lobby, "lobby"));
	json_object_put(lobby);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("notify", NULL, NULL);
	CU_add_test(s, "test games", test_is_test);
	CU_add_test(s, "host filter", test_wants);
	CU_add_test(s, "message bodies", test_payload);
	CU_add_test(s, "webhook URL check", test_check_url);
	CU_add_test(s, "host list", test_parse_hosts);
	s = CU_add_suite("rooms", NULL, NULL);
	CU_add_test(s, "room documents from a lobby", test_rooms);
}

CU_MAIN()
