/* picker.c: the Team Picker state machine (picker.h). */
#include "modules/bzcc/domain/picker.h"

#include <stdio.h>
#include <string.h>

int tp_leaders(const struct tp_lobby *l, char *l1, char *l2)
{
	int i, n1 = 0, n2 = 0;
	for (i = 0; i < l->n; i++) {
		if (!l->p[i].leader)
			continue;
		if (l->p[i].team == 1 && !n1++)
			snprintf(l1, TP_ID_MAX, "%s", l->p[i].id);
		else if (l->p[i].team == 2 && !n2++)
			snprintf(l2, TP_ID_MAX, "%s", l->p[i].id);
	}
	return n1 == 1 && n2 == 1 ? 0 : -1;
}

const struct tp_player *tp_lobby_find(const struct tp_lobby *l, const char *id)
{
	int i;
	for (i = 0; id && i < l->n; i++)
		if (!strcmp(l->p[i].id, id))
			return &l->p[i];
	return NULL;
}

int tp_actor_team(const struct tp_state *s, const struct tp_lobby *l, const char *actor)
{
	int t;
	const struct tp_player *p = tp_lobby_find(l, actor);
	if (!p || !p->leader)
		return 0;
	for (t = 1; t <= 2; t++)
		if (!strcmp(s->commander[t], actor) && p->team == t)
			return t;
	return 0;
}

int tp_turn(const struct tp_state *s)
{
	if (s->phase != TP_PICKING || (s->first_team != 1 && s->first_team != 2))
		return 0;
	return s->n_picks % 2 == 0 ? s->first_team : 3 - s->first_team;
}

int tp_picked_team(const struct tp_state *s, const char *id)
{
	int i;
	for (i = 0; i < s->n_picks; i++)
		if (!strcmp(s->picks[i].id, id))
			return s->picks[i].team;
	return 0;
}

static bool is_commander(const struct tp_state *s, const char *id)
{
	return !strcmp(s->commander[1], id) || !strcmp(s->commander[2], id);
}

int tp_remaining(const struct tp_state *s, const struct tp_lobby *l)
{
	int i, n = 0;
	for (i = 0; i < l->n; i++)
		if (!is_commander(s, l->p[i].id) && !tp_picked_team(s, l->p[i].id))
			n++;
	return n;
}

enum tp_error tp_start(struct tp_state *s, const struct tp_lobby *l, const char *actor)
{
	struct tp_state fresh;
	const struct tp_player *p = tp_lobby_find(l, actor);
	memset(&fresh, 0, sizeof fresh);
	if (tp_leaders(l, fresh.commander[1], fresh.commander[2]) < 0)
		return TP_ERR_NO_LEADERS;
	if (!p || !p->leader || (strcmp(actor, fresh.commander[1]) && strcmp(actor, fresh.commander[2])))
		return TP_ERR_NOT_COMMANDER;
	fresh.phase = TP_TOSS;
	*s = fresh;
	return TP_OK;
}

enum tp_error tp_coin_toss(struct tp_state *s, const struct tp_lobby *l, const char *actor,
			   unsigned char random_byte)
{
	if (s->phase == TP_NONE || s->phase == TP_FINAL || s->phase == TP_CANCELED)
		return TP_ERR_PHASE;
	if (!tp_actor_team(s, l, actor))
		return TP_ERR_NOT_COMMANDER;
	if (s->phase != TP_TOSS)
		return TP_ERR_PHASE; /* tossed already */
	s->first_team = (random_byte & 1) + 1;
	s->phase = TP_PICKING;
	return TP_OK;
}

enum tp_error tp_pick(struct tp_state *s, const struct tp_lobby *l, const char *actor,
		      const char *player)
{
	int team;
	if (s->phase != TP_PICKING && s->phase != TP_TOSS)
		return TP_ERR_PHASE;
	team = tp_actor_team(s, l, actor);
	if (!team)
		return TP_ERR_NOT_COMMANDER;
	if (s->phase != TP_PICKING)
		return TP_ERR_PHASE; /* not tossed yet */
	if (team != tp_turn(s))
		return TP_ERR_TURN;
	if (!tp_remaining(s, l))
		return TP_ERR_NONE_LEFT;
	if (!tp_lobby_find(l, player))
		return TP_ERR_NOT_IN_LOBBY;
	if (is_commander(s, player))
		return TP_ERR_IS_COMMANDER;
	if (tp_picked_team(s, player))
		return TP_ERR_PICKED;
	if (s->n_picks >= TP_MAX_PLAYERS)
		return TP_ERR_NONE_LEFT;
	snprintf(s->picks[s->n_picks].id, TP_ID_MAX, "%s", player);
	s->picks[s->n_picks].team = team;
	s->n_picks++;
	s->accepted[1] = s->accepted[2] = false;
	return TP_OK;
}

enum tp_error tp_finalize(struct tp_state *s, const struct tp_lobby *l, const char *actor)
{
	int team;
	if (s->phase != TP_PICKING && s->phase != TP_TOSS)
		return TP_ERR_PHASE;
	team = tp_actor_team(s, l, actor);
	if (!team)
		return TP_ERR_NOT_COMMANDER;
	if (s->phase != TP_PICKING)
		return TP_ERR_PHASE;
	if (s->accepted[team])
		return TP_ERR_ACCEPTED;
	s->accepted[team] = true;
	if (s->accepted[1] && s->accepted[2])
		s->phase = TP_FINAL;
	return TP_OK;
}

enum tp_error tp_cancel(struct tp_state *s, const struct tp_lobby *l, const char *actor)
{
	if (s->phase != TP_PICKING && s->phase != TP_TOSS)
		return TP_ERR_PHASE;
	if (!tp_actor_team(s, l, actor))
		return TP_ERR_NOT_COMMANDER;
	s->phase = TP_CANCELED;
	return TP_OK;
}

bool tp_roster_matches(const struct tp_state *s, const struct tp_lobby *l)
{
	int i, t;
	if (s->phase != TP_FINAL)
		return false;
	/* every roster member in the lobby, on their team */
	for (t = 1; t <= 2; t++) {
		const struct tp_player *p = tp_lobby_find(l, s->commander[t]);
		if (!p || p->team != t)
			return false;
	}
	for (i = 0; i < s->n_picks; i++) {
		const struct tp_player *p = tp_lobby_find(l, s->picks[i].id);
		if (!p || p->team != s->picks[i].team)
			return false;
	}
	/* nobody else on a team */
	for (i = 0; i < l->n; i++)
		if ((l->p[i].team == 1 || l->p[i].team == 2) && !is_commander(s, l->p[i].id) &&
		    !tp_picked_team(s, l->p[i].id))
			return false;
	return true;
}

const char *tp_phase_name(enum tp_phase p)
{
	switch (p) {
	case TP_NONE:
		return "none";
	case TP_TOSS:
		return "toss";
	case TP_PICKING:
		return "picking";
	case TP_FINAL:
		return "final";
	case TP_CANCELED:
		return "canceled";
	}
	return "none";
}

const char *tp_error_text(enum tp_error e)
{
	switch (e) {
	case TP_OK:
		return "ok";
	case TP_ERR_NO_LEADERS:
		return "the lobby needs a leader on team 1 and on team 2";
	case TP_ERR_NOT_COMMANDER:
		return "only the two team leaders of this lobby can do that";
	case TP_ERR_PHASE:
		return "not possible now (start the picker, toss the coin, or it is over)";
	case TP_ERR_TURN:
		return "it is the other commander's turn";
	case TP_ERR_NOT_IN_LOBBY:
		return "that player is not in the lobby";
	case TP_ERR_IS_COMMANDER:
		return "a commander is not picked";
	case TP_ERR_PICKED:
		return "that player is picked already";
	case TP_ERR_NONE_LEFT:
		return "every player is picked";
	case TP_ERR_ACCEPTED:
		return "you accepted this roster already";
	}
	return "error";
}
