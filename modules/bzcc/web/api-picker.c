/* api-picker.c: the Team Picker (modules/bzcc/domain/picker.h).
 *
 *   GET  /api/v1/team_picker/{session_id}            the picker, public
 *   POST /api/v1/team_picker/{session_id}/start      a team leader starts (restarts)
 *   POST .../coin_toss                               RAND_bytes decides the first pick
 *   POST .../pick      {"player_steam_id"} or {"player_id": "steam:..."}
 *   POST .../finalize                                a commander accepts
 *   POST .../cancel
 *   GET  /bzcc/sessions/{id}/team-picker             the page, for everyone
 *
 * The POST rows need a signed-in account and the CSRF token (route table);
 * the handler then checks that one of the account's Steam identities is a
 * commander in the lobby as it is now (the team leaders of a live
 * session): 403 otherwise. A rule of the picker broken (out of turn, a
 * player picked twice, wrong phase, a player not in the lobby) is 409 with
 * the reason; the session over is 409; an unknown session 404. An action
 * sent from the page's form (application/x-www-form-urlencoded) answers 303
 * back to the page; otherwise 200 with the picker document. */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "log.h"
#include "modules/bzcc/domain/picker.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-accounts.h"
#include "platform/web/app.h"
#include "platform/web/guard.h"
#include "platform/web/req.h"

#define MAX_IDS 8 /* Steam identities of one account looked at */

static struct json_object *player_ref(const struct tp_lobby *l, const char *id)
{
	const struct tp_player *p = tp_lobby_find(l, id);
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "player_id", json_object_new_string(id));
	json_object_object_add(o, "name", p ? json_object_new_string(p->name) : NULL);
	return o;
}

struct json_object *bzcc_picker_doc(struct app *app, const char *sid, int *status)
{
	struct tp_lobby l;
	struct tp_state s;
	struct json_object *doc, *meta = NULL, *lobby;
	bool live;
	int64_t pick_id;
	char l1[TP_ID_MAX], l2[TP_ID_MAX];
	int rc = bzcc_picker_lobby(&app->db, sid, &l, &live), i;

	*status = rc < 0 ? 503 : rc == 0 ? 404 : 200;
	if (rc <= 0)
		return NULL;
	if (bzcc_picker_load(&app->db, sid, false, &s, &pick_id, &meta) < 0) {
		*status = 503;
		return NULL;
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "session_id", json_object_new_string(sid));
	json_object_object_add(doc, "live", json_object_new_boolean(live));
	json_object_object_add(doc, "can_start", json_object_new_boolean(live && tp_leaders(&l, l1, l2) == 0));
	if (s.phase == TP_NONE) {
		json_object_object_add(doc, "picker", NULL);
	} else {
		struct json_object *p = json_object_new_object(), *cmd = json_object_new_array(), *v;
		int t, turn = tp_turn(&s);
		json_object_object_add(p, "id", json_object_new_int64(pick_id));
		json_object_object_add(p, "state", json_object_new_string(
			s.phase == TP_FINAL ? "final" : s.phase == TP_CANCELED ? "canceled" : "open"));
		json_object_object_add(p, "phase", json_object_new_string(tp_phase_name(s.phase)));
		for (t = 1; t <= 2; t++) {
			struct json_object *c = player_ref(&l, s.commander[t]);
			json_object_object_add(c, "team", json_object_new_int(t));
			json_object_object_add(c, "accepted", json_object_new_boolean(s.accepted[t]));
			json_object_array_add(cmd, c);
		}
		json_object_object_add(p, "commanders", cmd);
		json_object_object_add(p, "first_pick_team", s.first_team ? json_object_new_int(s.first_team) : NULL);
		json_object_object_add(p, "turn_team", turn ? json_object_new_int(turn) : NULL);
		json_object_object_add(p, "remaining", json_object_new_int(tp_remaining(&s, &l)));
		json_object_object_add(p, "picks", meta && json_object_object_get_ex(meta, "picks", &v)
				       ? json_object_get(v) : json_object_new_array());
		json_object_object_add(p, "created_at", meta && json_object_object_get_ex(meta, "created_at", &v)
				       ? json_object_get(v) : NULL);
		json_object_object_add(p, "tossed_at", meta && json_object_object_get_ex(meta, "tossed_at", &v)
				       ? json_object_get(v) : NULL);
		json_object_object_add(p, "closed_at", meta && json_object_object_get_ex(meta, "closed_at", &v)
				       ? json_object_get(v) : NULL);
		json_object_object_add(p, "roster_matches", json_object_new_boolean(tp_roster_matches(&s, &l)));
		json_object_object_add(doc, "picker", p);
	}
	lobby = json_object_new_array();
	for (i = 0; i < l.n; i++) {
		struct json_object *o = json_object_new_object();
		int picked = s.phase == TP_NONE ? 0 : tp_picked_team(&s, l.p[i].id);
		int cmd = s.phase == TP_NONE ? 0 : !strcmp(s.commander[1], l.p[i].id) ? 1
			  : !strcmp(s.commander[2], l.p[i].id) ? 2 : 0;
		json_object_object_add(o, "player_id", json_object_new_string(l.p[i].id));
		json_object_object_add(o, "name", json_object_new_string(l.p[i].name));
		json_object_object_add(o, "team", json_object_new_int(l.p[i].team));
		json_object_object_add(o, "leader", json_object_new_boolean(l.p[i].leader));
		json_object_object_add(o, "picked_team", picked ? json_object_new_int(picked) : NULL);
		json_object_object_add(o, "commander_team", cmd ? json_object_new_int(cmd) : NULL);
		json_object_array_add(lobby, o);
	}
	json_object_object_add(doc, "lobby", lobby);
	json_object_put(meta);
	return doc;
}

void api_team_picker(struct app *app, struct req *r)
{
	int st;
	struct json_object *doc = bzcc_picker_doc(app, r->route_args[0], &st);
	if (!doc) {
		req_json_error(r, st, st == 404 ? "not found" : "database unavailable",
			       st == 404 ? "No session with this id was ever seen." : "Try again in a moment.");
		return;
	}
	req_json(r, 200, doc);
	json_object_put(doc);
}

/* The player an action names: player_steam_id (17 digits) or player_id
 * ("steam:<17 digits>" / "gog:<digits>"), from a JSON or form body. */
static int body_player(const struct req *r, char out[TP_ID_MAX])
{
	const char *v = NULL;
	const struct req_field *f;
	struct json_object *j;
	bool steam_only = false;
	size_t i, n;
	if (r->json && json_object_is_type(r->json, json_type_object)) {
		if (json_object_object_get_ex(r->json, "player_steam_id", &j) && json_object_is_type(j, json_type_string)) {
			v = json_object_get_string(j);
			steam_only = true;
		} else if (json_object_object_get_ex(r->json, "player_id", &j) && json_object_is_type(j, json_type_string)) {
			v = json_object_get_string(j);
		}
	} else if ((f = req_field(r, "player_steam_id")) != NULL) {
		v = f->value;
		steam_only = true;
	} else if ((f = req_field(r, "player_id")) != NULL) {
		v = f->value;
	}
	if (!v)
		return -1;
	if (steam_only) {
		if (strlen(v) != 17 || strspn(v, "0123456789") != 17)
			return -1;
		snprintf(out, TP_ID_MAX, "steam:%s", v);
		return 0;
	}
	n = strlen(v);
	if (!strncmp(v, "steam:", 6))
		i = 6;
	else if (!strncmp(v, "gog:", 4))
		i = 4;
	else
		return -1;
	if (n == i || n - i > 20 || strspn(v + i, "0123456789") != n - i)
		return -1;
	snprintf(out, TP_ID_MAX, "%s", v);
	return 0;
}

static void action_done(struct app *app, struct req *r, const char *sid)
{
	int st;
	struct json_object *doc;
	if (req_media_type_is(r->in_type, "application/x-www-form-urlencoded") ||
	    req_media_type_is(r->in_type, "multipart/form-data")) {
		struct buf to = BUF_INIT;
		buf_addstr(&to, "/bzcc/sessions/");
		url_path(&to, sid);
		buf_addstr(&to, "/team-picker");
		req_redirect(r, 303, to.data);
		buf_release(&to);
		return;
	}
	doc = bzcc_picker_doc(app, sid, &st);
	if (!doc) {
		req_json_error(r, 503, "database unavailable", "The picker was saved; reload it.");
		return;
	}
	req_json(r, 200, doc);
	json_object_put(doc);
}

static void act(struct app *app, struct req *r, enum bzcc_picker_action action)
{
	const char *sid = r->route_args[0];
	char ids[MAX_IDS][TP_ID_MAX], player[TP_ID_MAX] = "", msg[200];
	const char *actor = NULL;
	struct tp_lobby l;
	struct tp_state s;
	enum tp_error e = TP_OK;
	int64_t pick_id;
	bool live;
	int n, i, rc, team = 0;

	if (action == BZCC_TP_PICK && body_player(r, player) < 0) {
		req_json_error(r, 400, "bad request",
			       "Send player_steam_id (17 digits) or player_id (\"steam:<id>\" or \"gog:<id>\").");
		return;
	}
	n = bzcc_user_player_ids(&app->db, r->auth.user_id, "steam", ids, MAX_IDS);
	if (n < 0 || db_begin(&app->db) < 0) {
		req_json_error(r, 503, "database unavailable", "Try again in a moment.");
		return;
	}
	rc = bzcc_picker_lobby(&app->db, sid, &l, &live);
	if (rc <= 0) {
		db_rollback(&app->db);
		req_json_error(r, rc < 0 ? 503 : 404, rc < 0 ? "database unavailable" : "not found",
			       rc < 0 ? "Try again in a moment." : "No session with this id was ever seen.");
		return;
	}
	if (!live) {
		db_rollback(&app->db);
		req_json_error(r, 409, "conflict", "This session is over: the picker is read-only.");
		return;
	}
	if (bzcc_picker_load(&app->db, sid, true, &s, &pick_id, NULL) < 0) {
		db_rollback(&app->db);
		req_json_error(r, 503, "database unavailable", "Try again in a moment.");
		return;
	}
	/* which of the account's Steam identities acts: a commander of this
	 * picker (or, to start, a team leader of the lobby) */
	for (i = 0; i < n && !actor; i++) {
		const struct tp_player *p = tp_lobby_find(&l, ids[i]);
		if (action == BZCC_TP_START ? p && p->leader && (p->team == 1 || p->team == 2)
					    : tp_actor_team(&s, &l, ids[i]) != 0)
			actor = ids[i];
	}
	/* no picker under way: a team leader hears that it is not the time
	 * (409 from the state machine), anyone else that it is not theirs */
	for (i = 0; i < n && !actor && s.phase != TP_TOSS && s.phase != TP_PICKING; i++) {
		const struct tp_player *p = tp_lobby_find(&l, ids[i]);
		if (p && p->leader && (p->team == 1 || p->team == 2))
			actor = ids[i];
	}
	if (!actor) {
		db_rollback(&app->db);
		req_json_error(r, 403, "forbidden",
			       n ? "Only the two team leaders of this session, signed in with their Steam"
				   " account, can do that."
				 : "Link your Steam account first: only the team leaders can run the picker.");
		return;
	}
	switch (action) {
	case BZCC_TP_START:
		e = tp_start(&s, &l, actor);
		break;
	case BZCC_TP_TOSS: {
		unsigned char b;
		if (RAND_bytes(&b, 1) != 1)
			abort(); /* no randomness: no fair toss */
		e = tp_coin_toss(&s, &l, actor, b);
		break;
	}
	case BZCC_TP_PICK:
		e = tp_pick(&s, &l, actor, player);
		break;
	case BZCC_TP_FINALIZE:
		e = tp_finalize(&s, &l, actor);
		break;
	case BZCC_TP_CANCEL:
		e = tp_cancel(&s, &l, actor);
		break;
	}
	if (e != TP_OK) {
		db_rollback(&app->db);
		snprintf(msg, sizeof msg, "%s.", tp_error_text(e));
		msg[0] = (char)(msg[0] >= 'a' && msg[0] <= 'z' ? msg[0] - 'a' + 'A' : msg[0]);
		req_json_error(r, e == TP_ERR_NOT_COMMANDER || e == TP_ERR_NO_LEADERS ? 403 : 409,
			       e == TP_ERR_NOT_COMMANDER || e == TP_ERR_NO_LEADERS ? "forbidden" : "conflict",
			       msg);
		return;
	}
	team = !strcmp(s.commander[1], actor) ? 1 : 2;
	if (bzcc_picker_save(&app->db, sid, &pick_id, action, &s, &l, r->auth.user_id, team) < 0 ||
	    db_commit(&app->db) < 0) {
		db_rollback(&app->db);
		req_json_error(r, 503, "database unavailable", "Try again in a moment.");
		return;
	}
	log_info("team picker of %s: %s (%s) by user %lld as %s", sid,
		 action == BZCC_TP_START ? "start" : action == BZCC_TP_TOSS ? "coin toss"
		 : action == BZCC_TP_PICK ? "pick" : action == BZCC_TP_FINALIZE ? "finalize" : "cancel",
		 action == BZCC_TP_PICK ? player : tp_phase_name(s.phase), (long long)r->auth.user_id,
		 actor);
	action_done(app, r, sid);
}

void api_team_picker_start(struct app *app, struct req *r)
{
	act(app, r, BZCC_TP_START);
}

void api_team_picker_toss(struct app *app, struct req *r)
{
	act(app, r, BZCC_TP_TOSS);
}

void api_team_picker_pick(struct app *app, struct req *r)
{
	act(app, r, BZCC_TP_PICK);
}

void api_team_picker_finalize(struct app *app, struct req *r)
{
	act(app, r, BZCC_TP_FINALIZE);
}

void api_team_picker_cancel(struct app *app, struct req *r)
{
	act(app, r, BZCC_TP_CANCEL);
}

void page_team_picker(struct app *app, struct req *r)
{
	int st;
	const char *sid = r->route_args[0];
	struct json_object *doc = bzcc_picker_doc(app, sid, &st), *ctx, *p, *v;
	char ids[MAX_IDS][TP_ID_MAX];
	int n = 0, my_team = 0, i;
	const char *tok;

	if (!doc) {
		app_error(app, r, st, st == 404 ? "session not found" : "database unavailable",
			  st == 404 ? "No session with this id was ever seen." : "Try again in a moment.");
		return;
	}
	tok = guard_csrf_token(app, r); /* loads the signed-in user */
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Team Picker"));
	json_object_object_add(ctx, "csrf_token", json_object_new_string(tok));
	if (r->auth.user_id) {
		n = bzcc_user_player_ids(&app->db, r->auth.user_id, "steam", ids, MAX_IDS);
		json_object_object_add(ctx, "signed_in", json_object_new_boolean(true));
	}
	/* which team this viewer commands, if any (the page shows the buttons;
	 * the API decides) */
	if (json_object_object_get_ex(doc, "picker", &p) && p &&
	    json_object_object_get_ex(p, "commanders", &v)) {
		for (i = 0; i < n && !my_team; i++) {
			size_t k;
			for (k = 0; k < json_object_array_length(v); k++) {
				struct json_object *c = json_object_array_get_idx(v, k), *pid, *t;
				if (json_object_object_get_ex(c, "player_id", &pid) &&
				    !strcmp(json_object_get_string(pid), ids[i]) &&
				    json_object_object_get_ex(c, "team", &t))
					my_team = json_object_get_int(t);
			}
		}
	}
	{
		struct json_object *lobby;
		bool leader = false;
		if (json_object_object_get_ex(doc, "lobby", &lobby))
			for (i = 0; i < n && !leader; i++) {
				size_t k;
				for (k = 0; k < json_object_array_length(lobby); k++) {
					struct json_object *pl = json_object_array_get_idx(lobby, k), *pid, *ld;
					if (json_object_object_get_ex(pl, "player_id", &pid) &&
					    !strcmp(json_object_get_string(pid), ids[i]) &&
					    json_object_object_get_ex(pl, "leader", &ld) && json_object_get_boolean(ld))
						leader = true;
				}
			}
		json_object_object_add(ctx, "viewer_is_leader", json_object_new_boolean(leader));
	}
	json_object_object_add(ctx, "my_team", my_team ? json_object_new_int(my_team) : NULL);
	/* the players this viewer may pick now */
	if (my_team && p && json_object_object_get_ex(p, "turn_team", &v) && v &&
	    json_object_get_int(v) == my_team) {
		struct json_object *lobby;
		json_object_object_add(ctx, "my_turn", json_object_new_boolean(true));
		if (json_object_object_get_ex(doc, "lobby", &lobby))
			for (i = 0; i < (int)json_object_array_length(lobby); i++) {
				struct json_object *pl = json_object_array_get_idx(lobby, (size_t)i), *a, *b;
				json_object_object_get_ex(pl, "picked_team", &a);
				json_object_object_get_ex(pl, "commander_team", &b);
				if (!a && !b)
					json_object_object_add(pl, "pickable", json_object_new_boolean(true));
			}
	}
	{
		struct buf u = BUF_INIT;
		buf_addstr(&u, "/api/v1/team_picker/");
		url_path(&u, sid);
		json_object_object_add(ctx, "api_url", json_object_new_string(u.data));
		buf_reset(&u);
		buf_addstr(&u, "/bzcc/sessions/");
		url_path(&u, sid);
		json_object_object_add(ctx, "session_url", json_object_new_string(u.data));
		buf_release(&u);
	}
	json_object_object_add(ctx, "tp", doc);
	app_render_page(app, r, 200, "team-picker", ctx);
	json_object_put(ctx);
}
