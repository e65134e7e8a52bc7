/* picker.h: the Team Picker, a pure state machine (no I/O, no clock, no
 * randomness of its own): two commanders of a live two-team lobby pick
 * their teams from the lobby's players in turns, after a coin toss decides
 * who picks first, and both accept the result (spec
 * docs/specs/bzcc-live-sessions.md §5 "Team Picker", §4 data model).
 *
 *   start      a team leader of the lobby (slot 1 or 6: team 1's and team
 *              2's) begins; the two current leaders become commander 1 and
 *              commander 2. Starting again replaces the picker (prior
 *              picks are invalid).                       -> TP_TOSS
 *   coin_toss  either commander; the caller passes one random byte from a
 *              cryptographic source; its low bit chooses the team that
 *              picks first.                               -> TP_PICKING
 *   pick       the commander whose turn it is picks one player of the
 *              lobby who is neither commander nor picked already; turns
 *              alternate, starting with the toss's winner. A pick clears
 *              both acceptances (the roster changed).
 *   finalize   a commander accepts the roster; when both have, it is
 *              final.                                     -> TP_FINAL
 *   cancel     a commander ends an unfinished picker.    -> TP_CANCELED
 *
 * A commander acts only while still the leader of their team in the lobby
 * as it is now (a commander who left or handed over leadership cannot).
 * Players are named "<provider>:<external id>" ("steam:76561197960287930",
 * "gog:46988266978606707"): players the lobby shows without a platform id
 * cannot be picked. Unit tests: modules/bzcc/tests/unit/test_picker.c. */
#ifndef GW_BZCC_PICKER_H
#define GW_BZCC_PICKER_H

#include <stdbool.h>

#define TP_MAX_PLAYERS 64 /* a BZCC lobby holds at most 16; room for odd data */
#define TP_ID_MAX 48      /* "<provider>:<external id>" and its NUL */
#define TP_NAME_MAX 96    /* a player name in UTF-8 and its NUL */

enum tp_phase {
	TP_NONE = 0,  /* no picker for this session */
	TP_TOSS,      /* started, waiting for the coin toss */
	TP_PICKING,   /* picks in turns */
	TP_FINAL,     /* both commanders accepted */
	TP_CANCELED,
};

/* What went wrong with an action (TP_OK: it was applied). */
enum tp_error {
	TP_OK = 0,
	TP_ERR_NO_LEADERS,     /* start: the lobby has no leader on team 1 or on team 2 */
	TP_ERR_NOT_COMMANDER,  /* the actor is not a commander (or no longer the team's leader) */
	TP_ERR_PHASE,          /* not possible in this phase (nothing started, already final...) */
	TP_ERR_TURN,           /* pick: the other commander's turn */
	TP_ERR_NOT_IN_LOBBY,   /* pick: no such player in the lobby now */
	TP_ERR_IS_COMMANDER,   /* pick: commanders are not picked */
	TP_ERR_PICKED,         /* pick: picked already */
	TP_ERR_NONE_LEFT,      /* pick: every player of the lobby is picked */
	TP_ERR_ACCEPTED,       /* finalize: this commander accepted already */
};

/* One player of the lobby as it is now. */
struct tp_player {
	char id[TP_ID_MAX];     /* "steam:<SteamID64>", "gog:<id>" */
	char name[TP_NAME_MAX];
	int team;               /* 1, 2, or 0 (none, hidden, spectator) */
	bool leader;            /* team leader (slot 1 or 6) */
};

struct tp_lobby {
	struct tp_player p[TP_MAX_PLAYERS];
	int n;
};

struct tp_pick {
	char id[TP_ID_MAX];
	int team;               /* 1 or 2 */
};

struct tp_state {
	enum tp_phase phase;
	char commander[3][TP_ID_MAX]; /* [1] team 1's, [2] team 2's ([0] unused) */
	int first_team;         /* 1 or 2 once tossed, else 0 */
	struct tp_pick picks[TP_MAX_PLAYERS];
	int n_picks;
	bool accepted[3];       /* [1], [2] */
};

/* The current leaders of team 1 and team 2 of the lobby into l1, l2
 * (TP_ID_MAX bytes each). Returns 0, or -1 when a team has no leader (or
 * more than one). */
int tp_leaders(const struct tp_lobby *l, char *l1, char *l2);

/* The team (1 or 2) `actor` commands in `s`, provided they still lead it
 * in `l`; 0 otherwise. */
int tp_actor_team(const struct tp_state *s, const struct tp_lobby *l, const char *actor);

/* Whose turn it is (1 or 2) while picking, else 0. */
int tp_turn(const struct tp_state *s);

/* The player `id` of the lobby, or NULL. */
const struct tp_player *tp_lobby_find(const struct tp_lobby *l, const char *id);

/* The team (1, 2) that picked `id`, or 0. */
int tp_picked_team(const struct tp_state *s, const char *id);

/* Players of the lobby still to pick: neither commander nor picked. */
int tp_remaining(const struct tp_state *s, const struct tp_lobby *l);

/* The actions. Each checks everything first and changes `s` only when it
 * returns TP_OK. */
enum tp_error tp_start(struct tp_state *s, const struct tp_lobby *l, const char *actor);
enum tp_error tp_coin_toss(struct tp_state *s, const struct tp_lobby *l, const char *actor,
			   unsigned char random_byte);
enum tp_error tp_pick(struct tp_state *s, const struct tp_lobby *l, const char *actor,
		      const char *player);
enum tp_error tp_finalize(struct tp_state *s, const struct tp_lobby *l, const char *actor);
enum tp_error tp_cancel(struct tp_state *s, const struct tp_lobby *l, const char *actor);

/* When final: does the lobby's team split equal the roster (each team is
 * its commander and its picks, every one of them in the lobby on that
 * team, and nobody else of the lobby on team 1 or 2)? False otherwise. */
bool tp_roster_matches(const struct tp_state *s, const struct tp_lobby *l);

/* "none", "toss", "picking", "final", "canceled". */
const char *tp_phase_name(enum tp_phase p);

/* A one-line English reason for an error ("it is the other commander's
 * turn"). */
const char *tp_error_text(enum tp_error e);

#endif
