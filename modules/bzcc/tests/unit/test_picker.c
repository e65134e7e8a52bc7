/* test_picker.c: the Team Picker state machine (modules/bzcc/domain/picker.h)
 * on the lobby of a real capture: the 10-player "vsr" game of
 * tests/data/bzcc/msl-api-v1/2024-08-30_data.json, whose team leaders are
 * "-=JabbA=- *p0p*" (team 1) and Graves (team 2), with eight more players
 * (Domakus without a team). The lobby is decoded by the module's own
 * decoder, as the poller does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/cu.h"
#include "modules/bzcc/domain/bzcc.h"
#include "modules/bzcc/domain/picker.h"

static struct tp_lobby vsr;          /* the capture's lobby */
static char jabba[TP_ID_MAX], graves[TP_ID_MAX];

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
		free(data);
		data = NULL;
	}
	fclose(f);
	if (data)
		data[n] = '\0';
	*len = (size_t)n;
	return data;
}

/* The lobby of the capture's session named `name`, as the picker sees it. */
static int load_lobby(const char *rel, const char *name, struct tp_lobby *out)
{
	struct bzcc_lobby lobby;
	char err[200];
	size_t len, i, j;
	char *doc = slurp(cu_data_path(rel), &len);
	int found = -1;
	if (!doc)
		return -1;
	memset(&lobby, 0, sizeof lobby);
	if (bzcc_lobby_decode(doc, len, &lobby, err, sizeof err)) {
		free(doc);
		return -1;
	}
	free(doc);
	memset(out, 0, sizeof *out);
	for (i = 0; i < lobby.n_sessions; i++) {
		const struct bzcc_session *s = &lobby.sessions[i];
		if (strcmp(s->name, name))
			continue;
		for (j = 0; j < s->n_players && out->n < TP_MAX_PLAYERS; j++) {
			const struct bzcc_player *p = &s->players[j];
			struct tp_player *t;
			if (!*p->provider)
				continue;
			t = &out->p[out->n++];
			snprintf(t->id, sizeof t->id, "%s:%s", p->provider, p->external_id);
			snprintf(t->name, sizeof t->name, "%s", p->name);
			t->team = p->team;
			t->leader = p->leader;
		}
		found = 0;
	}
	bzcc_lobby_free(&lobby);
	return found;
}

static const char *id_of(const char *name)
{
	int i;
	for (i = 0; i < vsr.n; i++)
		if (!strcmp(vsr.p[i].name, name))
			return vsr.p[i].id;
	return "none";
}

static int setup(void)
{
	if (load_lobby("bzcc/msl-api-v1/2024-08-30_data.json", "vsr", &vsr) < 0)
		return 1;
	snprintf(jabba, sizeof jabba, "%s", id_of("-=JabbA=- *p0p*"));
	snprintf(graves, sizeof graves, "%s", id_of("Graves"));
	return 0;
}

static void test_capture(void)
{
	char l1[TP_ID_MAX], l2[TP_ID_MAX];
	CU_ASSERT_EQUAL(vsr.n, 10);
	CU_ASSERT_EQUAL(tp_leaders(&vsr, l1, l2), 0);
	CU_ASSERT_STRING_EQUAL(l1, jabba);
	CU_ASSERT_STRING_EQUAL(l2, graves);
	CU_ASSERT_STRING_EQUAL(jabba, "steam:76561197996696789");
	CU_ASSERT_STRING_EQUAL(graves, "steam:76561197970538803");
}

/* A whole pick: JabbA wins the toss, picks alternate, nine steps later
 * every player is on a team and both accept. */
static void test_whole_pick(void)
{
	static const char *const order[] = { "VTrider", "Sev", "F9bomber", "HappyOtter",
					     "Herp McDerperson", "Lamper", "Feared_1", "Domakus" };
	struct tp_state s;
	int i;
	memset(&s, 0, sizeof s);
	CU_ASSERT_EQUAL(tp_turn(&s), 0);
	CU_ASSERT_EQUAL(tp_start(&s, &vsr, graves), TP_OK);
	CU_ASSERT_EQUAL(s.phase, TP_TOSS);
	CU_ASSERT_STRING_EQUAL(s.commander[1], jabba);
	CU_ASSERT_STRING_EQUAL(s.commander[2], graves);
	/* no pick before the toss */
	CU_ASSERT_EQUAL(tp_pick(&s, &vsr, jabba, id_of("Sev")), TP_ERR_PHASE);
	/* random byte 0x00: low bit 0, team 1 picks first */
	CU_ASSERT_EQUAL(tp_coin_toss(&s, &vsr, graves, 0x00), TP_OK);
	CU_ASSERT_EQUAL(s.first_team, 1);
	CU_ASSERT_EQUAL(tp_coin_toss(&s, &vsr, jabba, 0x01), TP_ERR_PHASE); /* once */
	CU_ASSERT_EQUAL(s.first_team, 1);
	CU_ASSERT_EQUAL(tp_remaining(&s, &vsr), 8);
	for (i = 0; i < 8; i++) {
		const char *who = i % 2 == 0 ? jabba : graves;
		const char *other = i % 2 == 0 ? graves : jabba;
		CU_ASSERT_EQUAL(tp_turn(&s), i % 2 == 0 ? 1 : 2);
		/* out of turn: refused, nothing changes */
		CU_ASSERT_EQUAL(tp_pick(&s, &vsr, other, id_of(order[i])), TP_ERR_TURN);
		CU_ASSERT_EQUAL(s.n_picks, i);
		CU_ASSERT_EQUAL(tp_pick(&s, &vsr, who, id_of(order[i])), TP_OK);
		CU_ASSERT_EQUAL(tp_picked_team(&s, id_of(order[i])), i % 2 == 0 ? 1 : 2);
		if (i == 2) {
			/* a double pick: the same player again, on the right turn */
			CU_ASSERT_EQUAL(tp_pick(&s, &vsr, graves, id_of(order[0])), TP_ERR_PICKED);
			CU_ASSERT_EQUAL(tp_pick(&s, &vsr, graves, jabba), TP_ERR_IS_COMMANDER);
			CU_ASSERT_EQUAL(tp_pick(&s, &vsr, graves, "steam:76561190000000000"),
					TP_ERR_NOT_IN_LOBBY);
			CU_ASSERT_EQUAL(s.n_picks, 3);
		}
	}
	CU_ASSERT_EQUAL(tp_remaining(&s, &vsr), 0);
	CU_ASSERT_EQUAL(tp_turn(&s), 1);
	CU_ASSERT_EQUAL(tp_pick(&s, &vsr, jabba, id_of("Sev")), TP_ERR_NONE_LEFT);
	/* finalize: both must accept */
	CU_ASSERT_EQUAL(tp_finalize(&s, &vsr, jabba), TP_OK);
	CU_ASSERT_EQUAL(s.phase, TP_PICKING);
	CU_ASSERT_EQUAL(tp_finalize(&s, &vsr, jabba), TP_ERR_ACCEPTED);
	CU_ASSERT_FALSE(tp_roster_matches(&s, &vsr));
	CU_ASSERT_EQUAL(tp_finalize(&s, &vsr, graves), TP_OK);
	CU_ASSERT_EQUAL(s.phase, TP_FINAL);
	/* over: nothing more */
	CU_ASSERT_EQUAL(tp_pick(&s, &vsr, jabba, id_of("Sev")), TP_ERR_PHASE);
	CU_ASSERT_EQUAL(tp_cancel(&s, &vsr, jabba), TP_ERR_PHASE);
	CU_ASSERT_EQUAL(tp_coin_toss(&s, &vsr, jabba, 0), TP_ERR_PHASE);
	{
		/* the roster: team 1 = JabbA, VTrider, F9bomber, Herp, Feared_1;
		 * team 2 = Graves, Sev, HappyOtter, Lamper, Domakus. The lobby has
		 * Domakus on no team: not a match */
		CU_ASSERT_FALSE(tp_roster_matches(&s, &vsr));
		/* move Domakus to team 2 in the lobby: now it matches */
		struct tp_lobby moved = vsr;
		for (i = 0; i < moved.n; i++)
			if (!strcmp(moved.p[i].name, "Domakus"))
				moved.p[i].team = 2;
		CU_ASSERT_TRUE(tp_roster_matches(&s, &moved));
		/* and someone on the wrong team breaks it */
		for (i = 0; i < moved.n; i++)
			if (!strcmp(moved.p[i].name, "Sev"))
				moved.p[i].team = 1;
		CU_ASSERT_FALSE(tp_roster_matches(&s, &moved));
	}
}

static void test_toss_and_turns(void)
{
	struct tp_state s;
	memset(&s, 0, sizeof s);
	CU_ASSERT_EQUAL(tp_start(&s, &vsr, jabba), TP_OK);
	/* odd byte: team 2 first */
	CU_ASSERT_EQUAL(tp_coin_toss(&s, &vsr, jabba, 0xA7), TP_OK);
	CU_ASSERT_EQUAL(s.first_team, 2);
	CU_ASSERT_EQUAL(tp_turn(&s), 2);
	CU_ASSERT_EQUAL(tp_pick(&s, &vsr, jabba, id_of("Sev")), TP_ERR_TURN);
	CU_ASSERT_EQUAL(tp_pick(&s, &vsr, graves, id_of("Sev")), TP_OK);
	CU_ASSERT_EQUAL(tp_turn(&s), 1);
	/* an accept is cleared by the next pick */
	CU_ASSERT_EQUAL(tp_finalize(&s, &vsr, graves), TP_OK);
	CU_ASSERT_TRUE(s.accepted[2]);
	CU_ASSERT_EQUAL(tp_pick(&s, &vsr, jabba, id_of("Lamper")), TP_OK);
	CU_ASSERT_FALSE(s.accepted[2]);
	/* restart: everything goes, the leaders are taken again */
	CU_ASSERT_EQUAL(tp_start(&s, &vsr, graves), TP_OK);
	CU_ASSERT_EQUAL(s.n_picks, 0);
	CU_ASSERT_EQUAL(s.first_team, 0);
	CU_ASSERT_EQUAL(s.phase, TP_TOSS);
	/* cancel by a commander */
	CU_ASSERT_EQUAL(tp_cancel(&s, &vsr, id_of("Sev")), TP_ERR_NOT_COMMANDER);
	CU_ASSERT_EQUAL(tp_cancel(&s, &vsr, jabba), TP_OK);
	CU_ASSERT_EQUAL(s.phase, TP_CANCELED);
	CU_ASSERT_EQUAL(tp_finalize(&s, &vsr, jabba), TP_ERR_PHASE);
}

static void test_who_may_act(void)
{
	struct tp_state s;
	struct tp_lobby l = vsr;
	int i;
	memset(&s, 0, sizeof s);
	/* a player who is not a leader cannot start; nor can a stranger */
	CU_ASSERT_EQUAL(tp_start(&s, &vsr, id_of("Sev")), TP_ERR_NOT_COMMANDER);
	CU_ASSERT_EQUAL(tp_start(&s, &vsr, "steam:76561190000000000"), TP_ERR_NOT_COMMANDER);
	CU_ASSERT_EQUAL(s.phase, TP_NONE);
	/* nothing to toss, pick or accept before a start */
	CU_ASSERT_EQUAL(tp_coin_toss(&s, &vsr, jabba, 0), TP_ERR_PHASE);
	CU_ASSERT_EQUAL(tp_pick(&s, &vsr, jabba, id_of("Sev")), TP_ERR_PHASE);
	CU_ASSERT_EQUAL(tp_finalize(&s, &vsr, jabba), TP_ERR_PHASE);
	/* a lobby without a team 2 leader: no picker */
	for (i = 0; i < l.n; i++)
		if (l.p[i].team == 2)
			l.p[i].leader = false;
	CU_ASSERT_EQUAL(tp_start(&s, &l, jabba), TP_ERR_NO_LEADERS);
	/* a commander who lost the lead (Graves now plain, Sev leads team 2)
	 * cannot act any more; the new leader is no commander of this picker */
	CU_ASSERT_EQUAL(tp_start(&s, &vsr, jabba), TP_OK);
	l = vsr;
	for (i = 0; i < l.n; i++) {
		if (!strcmp(l.p[i].id, graves))
			l.p[i].leader = false;
		if (!strcmp(l.p[i].name, "Sev"))
			l.p[i].leader = true;
	}
	CU_ASSERT_EQUAL(tp_coin_toss(&s, &l, graves, 0), TP_ERR_NOT_COMMANDER);
	CU_ASSERT_EQUAL(tp_coin_toss(&s, &l, id_of("Sev"), 0), TP_ERR_NOT_COMMANDER);
	CU_ASSERT_EQUAL(tp_coin_toss(&s, &l, jabba, 0), TP_OK);
	/* a commander who left the lobby */
	l = vsr;
	for (i = 0; i < l.n; i++)
		if (!strcmp(l.p[i].id, jabba))
			l.p[i] = l.p[--l.n];
	CU_ASSERT_EQUAL(tp_pick(&s, &l, jabba, id_of("Sev")), TP_ERR_NOT_COMMANDER);
	/* a picked player who left cannot be picked: not in the lobby */
	l = vsr;
	for (i = 0; i < l.n; i++)
		if (!strcmp(l.p[i].name, "Sev"))
			l.p[i] = l.p[--l.n];
	CU_ASSERT_EQUAL(tp_pick(&s, &l, jabba, id_of("Sev")), TP_ERR_NOT_IN_LOBBY);
	CU_ASSERT_STRING_EQUAL(tp_phase_name(s.phase), "picking");
	CU_ASSERT_STRING_EQUAL(tp_error_text(TP_ERR_TURN), "it is the other commander's turn");
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("team picker", setup, NULL);
	CU_add_test(s, "the capture's lobby and leaders", test_capture);
	CU_add_test(s, "a whole pick, out-of-turn and double picks refused", test_whole_pick);
	CU_add_test(s, "toss, turns, accept cleared, restart, cancel", test_toss_and_turns);
	CU_add_test(s, "who may act", test_who_may_act);
}

CU_MAIN()
