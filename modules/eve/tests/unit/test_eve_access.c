/* test_eve_access.c: the eve module's feature roles and policies, who may
 * grant what, ruleset input (domain/access.h), and the stream rooms'
 * documents (web/stream.c eve_room_doc). */
#include <string.h>

#include <json-c/json.h>

#include "modules/eve/domain/access.h"
#include "modules/eve/module.h"
#include "tests/unit/cu.h"

static struct eve_who who(bool signed_in, bool superadmin, int reports, int intel)
{
	struct eve_who w;
	memset(&w, 0, sizeof w);
	w.signed_in = signed_in;
	w.superadmin = superadmin;
	w.rank[EVE_FEAT_REPORTS] = reports;
	w.rank[EVE_FEAT_INTEL] = intel;
	return w;
}

static void test_names(void)
{
	CU_ASSERT_EQUAL(eve_feature_parse("battle-reports"), EVE_FEAT_REPORTS);
	CU_ASSERT_EQUAL(eve_feature_parse("battle-intel"), EVE_FEAT_INTEL);
	CU_ASSERT_EQUAL(eve_feature_parse("Battle-Intel"), -1);
	CU_ASSERT_EQUAL(eve_feature_parse(NULL), -1);
	CU_ASSERT_STRING_EQUAL(eve_feature_name(EVE_FEAT_INTEL), "battle-intel");
	CU_ASSERT_STRING_EQUAL(eve_feature_name(7), "");
	/* the spec's ranks (battlescope.md 5.2) */
	CU_ASSERT_EQUAL(eve_rank_parse("user"), 10);
	CU_ASSERT_EQUAL(eve_rank_parse("fc"), 20);
	CU_ASSERT_EQUAL(eve_rank_parse("director"), 30);
	CU_ASSERT_EQUAL(eve_rank_parse("admin"), 40);
	CU_ASSERT_EQUAL(eve_rank_parse("superadmin"), -1); /* never granted: the platform's admins */
	CU_ASSERT_EQUAL(eve_rank_parse("none"), -1);
	CU_ASSERT_STRING_EQUAL(eve_rank_name(EVE_RANK_SUPERADMIN), "superadmin");
	CU_ASSERT_STRING_EQUAL(eve_rank_name(EVE_RANK_NONE), "none");
	CU_ASSERT_STRING_EQUAL(eve_rank_name(25), "");
	CU_ASSERT_EQUAL(eve_policy_parse(NULL, EVE_POLICY_GRANTED), EVE_POLICY_GRANTED);
	CU_ASSERT_EQUAL(eve_policy_parse("", EVE_POLICY_PUBLIC), EVE_POLICY_PUBLIC);
	CU_ASSERT_EQUAL(eve_policy_parse("account", EVE_POLICY_PUBLIC), EVE_POLICY_ACCOUNT);
	CU_ASSERT_EQUAL(eve_policy_parse("everyone", EVE_POLICY_PUBLIC), -1);
}

static void test_decide(void)
{
	struct eve_who anon = who(false, false, 0, 0), plain = who(true, false, 0, 0);
	struct eve_who fc = who(true, false, EVE_RANK_FC, 0), dir = who(true, false, EVE_RANK_DIRECTOR, 0);
	struct eve_who analyst = who(true, false, 0, EVE_RANK_USER), site_admin = who(true, true, 0, 0);
	struct eve_who ghost = who(false, false, EVE_RANK_ADMIN, EVE_RANK_ADMIN); /* not signed in */

	/* public reports: anyone reads, nobody directs without a grant */
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_PUBLIC, &anon, EVE_FEAT_REPORTS, EVE_RANK_USER), 0);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_PUBLIC, &anon, EVE_FEAT_REPORTS, EVE_RANK_DIRECTOR), 401);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_PUBLIC, &plain, EVE_FEAT_REPORTS, EVE_RANK_DIRECTOR), 403);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_PUBLIC, &fc, EVE_FEAT_REPORTS, EVE_RANK_DIRECTOR), 403);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_PUBLIC, &dir, EVE_FEAT_REPORTS, EVE_RANK_DIRECTOR), 0);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_PUBLIC, &site_admin, EVE_FEAT_REPORTS, EVE_RANK_ADMIN), 0);
	/* granted intel: a grant in the other feature does not count */
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_GRANTED, &anon, EVE_FEAT_INTEL, EVE_RANK_USER), 401);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_GRANTED, &plain, EVE_FEAT_INTEL, EVE_RANK_USER), 403);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_GRANTED, &dir, EVE_FEAT_INTEL, EVE_RANK_USER), 403);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_GRANTED, &analyst, EVE_FEAT_INTEL, EVE_RANK_USER), 0);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_GRANTED, &site_admin, EVE_FEAT_INTEL, EVE_RANK_USER), 0);
	/* account: signed in is enough for user */
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_ACCOUNT, &anon, EVE_FEAT_INTEL, EVE_RANK_USER), 401);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_ACCOUNT, &plain, EVE_FEAT_INTEL, EVE_RANK_USER), 0);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_ACCOUNT, &plain, EVE_FEAT_INTEL, EVE_RANK_FC), 403);
	/* grants count only when signed in */
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_GRANTED, &ghost, EVE_FEAT_INTEL, EVE_RANK_USER), 401);
	CU_ASSERT_EQUAL(eve_access_rank(EVE_POLICY_PUBLIC, &ghost, EVE_FEAT_REPORTS), EVE_RANK_USER);
	CU_ASSERT_EQUAL(eve_access_rank(EVE_POLICY_PUBLIC, &dir, EVE_FEAT_REPORTS), EVE_RANK_DIRECTOR);
	CU_ASSERT_EQUAL(eve_access_rank(EVE_POLICY_GRANTED, &site_admin, EVE_FEAT_INTEL), EVE_RANK_SUPERADMIN);
	CU_ASSERT_EQUAL(eve_access_rank(EVE_POLICY_PUBLIC, &plain, 5), EVE_RANK_NONE);
	CU_ASSERT_EQUAL(eve_access_decide(EVE_POLICY_PUBLIC, &site_admin, 5, EVE_RANK_USER), 403);
}

static void test_grant(void)
{
	struct eve_who admin = who(true, false, EVE_RANK_ADMIN, 0), site_admin = who(true, true, 0, 0);
	struct eve_who dir = who(true, false, EVE_RANK_DIRECTOR, 0), anon_admin = who(false, false, EVE_RANK_ADMIN, 0);
	/* a feature admin: user, fc, director in their feature, never admin */
	CU_ASSERT_TRUE(eve_may_grant(&admin, EVE_FEAT_REPORTS, EVE_RANK_NONE, EVE_RANK_DIRECTOR));
	CU_ASSERT_TRUE(eve_may_grant(&admin, EVE_FEAT_REPORTS, EVE_RANK_DIRECTOR, EVE_RANK_NONE));
	CU_ASSERT_TRUE(eve_may_grant(&admin, EVE_FEAT_REPORTS, EVE_RANK_FC, EVE_RANK_USER));
	CU_ASSERT_FALSE(eve_may_grant(&admin, EVE_FEAT_REPORTS, EVE_RANK_NONE, EVE_RANK_ADMIN));
	CU_ASSERT_FALSE(eve_may_grant(&admin, EVE_FEAT_REPORTS, EVE_RANK_ADMIN, EVE_RANK_NONE));
	CU_ASSERT_FALSE(eve_may_grant(&admin, EVE_FEAT_INTEL, EVE_RANK_NONE, EVE_RANK_USER));
	CU_ASSERT_FALSE(eve_may_grant(&admin, EVE_FEAT_REPORTS, EVE_RANK_NONE, 25));
	CU_ASSERT_FALSE(eve_may_grant(&admin, EVE_FEAT_REPORTS, EVE_RANK_NONE, EVE_RANK_SUPERADMIN));
	CU_ASSERT_FALSE(eve_may_grant(&anon_admin, EVE_FEAT_REPORTS, EVE_RANK_NONE, EVE_RANK_USER));
	/* directors set no roles */
	CU_ASSERT_FALSE(eve_may_grant(&dir, EVE_FEAT_REPORTS, EVE_RANK_NONE, EVE_RANK_USER));
	/* superadmins set any granted role, anywhere */
	CU_ASSERT_TRUE(eve_may_grant(&site_admin, EVE_FEAT_INTEL, EVE_RANK_NONE, EVE_RANK_ADMIN));
	CU_ASSERT_TRUE(eve_may_grant(&site_admin, EVE_FEAT_REPORTS, EVE_RANK_ADMIN, EVE_RANK_NONE));
	CU_ASSERT_FALSE(eve_may_grant(&site_admin, EVE_FEAT_REPORTS, EVE_RANK_NONE, EVE_RANK_SUPERADMIN));
	CU_ASSERT_FALSE(eve_may_grant(&site_admin, -1, EVE_RANK_NONE, EVE_RANK_USER));
}

static void test_ids(void)
{
	int64_t ids[EVE_TRACKED_MAX + 1];
	char err[120], big[4000];
	int i, n;
	n = eve_ids_parse(" 99005338,98388312\n99005338 \t 1 ", ids, EVE_TRACKED_MAX, err, sizeof err);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT(ids[0] == 1 && ids[1] == 98388312 && ids[2] == 99005338); /* sorted, once */
	CU_ASSERT_EQUAL(eve_ids_parse("", ids, EVE_TRACKED_MAX, err, sizeof err), 0);
	CU_ASSERT_EQUAL(eve_ids_parse(NULL, ids, EVE_TRACKED_MAX, err, sizeof err), 0);
	CU_ASSERT_EQUAL(eve_ids_parse(" , \n", ids, EVE_TRACKED_MAX, err, sizeof err), 0);
	CU_ASSERT_EQUAL(eve_ids_parse("12 Goonswarm", ids, EVE_TRACKED_MAX, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\"Goonswarm\""));
	CU_ASSERT_EQUAL(eve_ids_parse("0", ids, EVE_TRACKED_MAX, err, sizeof err), -1);
	CU_ASSERT_EQUAL(eve_ids_parse("-5", ids, EVE_TRACKED_MAX, err, sizeof err), -1);
	CU_ASSERT_EQUAL(eve_ids_parse("1;2", ids, EVE_TRACKED_MAX, err, sizeof err), -1);
	CU_ASSERT_EQUAL(eve_ids_parse("9223372036854775807", ids, EVE_TRACKED_MAX, err, sizeof err), 1);
	CU_ASSERT_EQUAL(eve_ids_parse("9223372036854775808", ids, EVE_TRACKED_MAX, err, sizeof err), -1);
	big[0] = '\0';
	for (i = 1; i <= EVE_TRACKED_MAX + 1; i++)
		snprintf(big + strlen(big), sizeof big - strlen(big), "%d ", i);
	CU_ASSERT_EQUAL(eve_ids_parse(big, ids, EVE_TRACKED_MAX, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 100"));
	{
		struct eve_ruleset rs;
		memset(&rs, 0, sizeof rs);
		rs.n_alliances = 1;
		CU_ASSERT_FALSE(eve_ruleset_filters_entities(&rs)); /* tracked but not exclusive */
		rs.ignore_unlisted = true;
		CU_ASSERT_TRUE(eve_ruleset_filters_entities(&rs));
		rs.n_alliances = 0;
		CU_ASSERT_FALSE(eve_ruleset_filters_entities(&rs)); /* nothing listed: nothing hidden */
	}
}

static void test_rooms(void)
{
	struct json_object *recent, *doc, *order, *map, *k, *v;
	CU_ASSERT_EQUAL(eve_stream_room("killmails"), 1);
	CU_ASSERT_EQUAL(eve_stream_room("killmails:jspace"), 1);
	CU_ASSERT_EQUAL(eve_stream_room("killmails:wspace"), -1);
	CU_ASSERT_EQUAL(eve_stream_room("killmails:"), -1);
	CU_ASSERT_EQUAL(eve_stream_room("killmailsx"), 0);
	CU_ASSERT_EQUAL(eve_stream_room("sessions"), 0);
	recent = json_tokener_parse(
		"{\"generated_at\":\"2026-12-01T00:00:00Z\",\"killmails\":["
		"{\"killmail_id\":\"3\",\"space_type\":\"jspace\",\"battle_id\":null,\"isk\":\"1.00\"},"
		"{\"killmail_id\":\"2\",\"space_type\":\"kspace\",\"battle_id\":\"7\"},"
		"{\"killmail_id\":\"3\",\"space_type\":\"jspace\"},"
		"{\"space_type\":\"kspace\"},"
		"{\"killmail_id\":\"1\",\"space_type\":\"jspace\",\"victim\":{\"alliance_id\":null,\"character_id\":\"9\"}}]}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(recent);
	doc = eve_room_doc(recent, "killmails");
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(json_object_object_get(doc, "order"), JSON_C_TO_STRING_PLAIN),
			       "[\"3\",\"2\",\"1\"]");
	map = json_object_object_get(doc, "killmails");
	k = json_object_object_get(map, "3");
	CU_ASSERT_FALSE(json_object_object_get_ex(k, "battle_id", &v)); /* nulls left out (RFC 7396) */
	k = json_object_object_get(map, "1");
	CU_ASSERT_FALSE(json_object_object_get_ex(json_object_object_get(k, "victim"), "alliance_id", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(doc, "generated_at")),
			       "2026-12-01T00:00:00Z");
	json_object_put(doc);
	doc = eve_room_doc(recent, "killmails:jspace");
	order = json_object_object_get(doc, "order");
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(order, JSON_C_TO_STRING_PLAIN), "[\"3\",\"1\"]");
	json_object_put(doc);
	doc = eve_room_doc(recent, "killmails:pochven");
	CU_ASSERT_EQUAL(json_object_array_length(json_object_object_get(doc, "order")), 0);
	json_object_put(doc);
	CU_ASSERT_PTR_NULL(eve_room_doc(recent, "sessions"));
	json_object_put(recent);
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("eve access", NULL, NULL);
	CU_add_test(s, "features, ranks, policies by name", test_names);
	CU_add_test(s, "access decisions: policies, grants, superadmin", test_decide);
	CU_add_test(s, "who may grant which role", test_grant);
	CU_add_test(s, "ruleset id lists", test_ids);
	CU_add_test(s, "stream rooms: names and documents", test_rooms);
}

CU_MAIN()
