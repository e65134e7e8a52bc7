/* achieve.c: the 23 achievements of the original seed
 * (tests/data/mohaa/opm_stats_achievements_original.csv, from
 * MOHCentral/opm-stats-system @ 6d702e0 migrations/postgres/
 * 001_initial_schema.sql), each with the rule its description states. The
 * original granted only the kill and headshot milestones, and only when a
 * Redis counter hit the threshold exactly; here every one has a rule and
 * "at least" is enough. Tournament ones are met from the tournament counts
 * of mohaa_progress, which the competition module fills. */
#include <string.h>

#include "modules/mohaa/domain/mohaa.h"

static const struct mohaa_achievement list[] = {
	{ "KILL_100", "First Blood Hunter", "Get 100 kills", "combat", 10, MOHAA_M_KILLS, 100, NULL },
	{ "KILL_500", "Seasoned Soldier", "Get 500 kills", "combat", 25, MOHAA_M_KILLS, 500, NULL },
	{ "KILL_1000", "Veteran", "Get 1,000 kills", "combat", 50, MOHAA_M_KILLS, 1000, NULL },
	{ "KILL_5000", "War Hero", "Get 5,000 kills", "combat", 100, MOHAA_M_KILLS, 5000, NULL },
	{ "KILL_10000", "Legend", "Get 10,000 kills", "combat", 200, MOHAA_M_KILLS, 10000, NULL },
	{ "HEADSHOT_50", "Sharpshooter", "Get 50 headshots", "combat", 15, MOHAA_M_HEADSHOTS, 50, NULL },
	{ "HEADSHOT_100", "Marksman", "Get 100 headshots", "combat", 30, MOHAA_M_HEADSHOTS, 100, NULL },
	{ "HEADSHOT_500", "Sniper", "Get 500 headshots", "combat", 75, MOHAA_M_HEADSHOTS, 500, NULL },
	{ "HEADSHOT_1000", "Deadeye", "Get 1,000 headshots", "combat", 150, MOHAA_M_HEADSHOTS, 1000, NULL },
	{ "KILLSTREAK_5", "Rampage", "Get 5 kills without dying", "combat", 20, MOHAA_M_BEST_STREAK, 5, NULL },
	{ "KILLSTREAK_10", "Unstoppable", "Get 10 kills without dying", "combat", 50, MOHAA_M_BEST_STREAK, 10, NULL },
	{ "KILLSTREAK_15", "Godlike", "Get 15 kills without dying", "combat", 100, MOHAA_M_BEST_STREAK, 15, NULL },
	{ "GARAND_1000", "M1 Garand Master", "Get 1,000 kills with M1 Garand", "weapons", 100,
	  MOHAA_M_WEAPON_KILLS, 1000, "garand" },
	{ "THOMPSON_1000", "Thompson Master", "Get 1,000 kills with Thompson", "weapons", 100,
	  MOHAA_M_WEAPON_KILLS, 1000, "thompson" },
	{ "MP40_1000", "MP40 Master", "Get 1,000 kills with MP40", "weapons", 100,
	  MOHAA_M_WEAPON_KILLS, 1000, "mp40" },
	{ "KAR98_1000", "Kar98k Master", "Get 1,000 kills with Kar98k", "weapons", 100,
	  MOHAA_M_WEAPON_KILLS, 1000, "kar98" },
	{ "SPRINGFIELD_1000", "Springfield Master", "Get 1,000 kills with Springfield", "weapons", 100,
	  MOHAA_M_WEAPON_KILLS, 1000, "springfield" },
	{ "TOURNAMENT_FIRST", "Champion", "Win a tournament", "tournament", 200, MOHAA_M_TOURNAMENT_WINS, 1, NULL },
	{ "TOURNAMENT_TOP3", "Podium Finish", "Finish top 3 in a tournament", "tournament", 75,
	  MOHAA_M_TOURNAMENT_TOP3, 1, NULL },
	{ "TOURNAMENT_10", "Tournament Regular", "Participate in 10 tournaments", "tournament", 50,
	  MOHAA_M_TOURNAMENTS, 10, NULL },
	{ "MATCHES_100", "Dedicated Player", "Play 100 matches", "social", 25, MOHAA_M_MATCHES, 100, NULL },
	{ "MATCHES_500", "Loyal Soldier", "Play 500 matches", "social", 75, MOHAA_M_MATCHES, 500, NULL },
	{ "PLAYTIME_100", "Century", "Play for 100 hours", "social", 100, MOHAA_M_PLAYTIME_HOURS, 100, NULL },
};

const struct mohaa_achievement *mohaa_achievements(size_t *n)
{
	*n = sizeof list / sizeof list[0];
	return list;
}

const struct mohaa_achievement *mohaa_achievement_find(const char *id)
{
	size_t i;
	for (i = 0; id && i < sizeof list / sizeof list[0]; i++)
		if (!strcmp(list[i].id, id))
			return &list[i];
	return NULL;
}

bool mohaa_achievement_met(const struct mohaa_achievement *a, const struct mohaa_progress *p,
			   const char *weapon, int64_t weapon_kills)
{
	switch (a->metric) {
	case MOHAA_M_KILLS: return p->kills >= a->threshold;
	case MOHAA_M_HEADSHOTS: return p->headshots >= a->threshold;
	case MOHAA_M_BEST_STREAK: return p->best_streak >= a->threshold;
	case MOHAA_M_WEAPON_KILLS:
		return weapon && a->weapon && !strcmp(weapon, a->weapon) && weapon_kills >= a->threshold;
	case MOHAA_M_TOURNAMENT_WINS: return p->tournament_wins >= a->threshold;
	case MOHAA_M_TOURNAMENT_TOP3: return p->tournament_top3 >= a->threshold;
	case MOHAA_M_TOURNAMENTS: return p->tournaments >= a->threshold;
	case MOHAA_M_MATCHES: return p->matches >= a->threshold;
	case MOHAA_M_PLAYTIME_HOURS: return p->playtime_s >= a->threshold * 3600;
	}
	return false;
}

size_t mohaa_achievements_crossed(const struct mohaa_progress *before,
				  const struct mohaa_progress *after, const char *weapon,
				  int64_t weapon_kills_before, int64_t weapon_kills_after,
				  const struct mohaa_achievement **out, size_t max)
{
	size_t i, n = 0;
	for (i = 0; i < sizeof list / sizeof list[0] && n < max; i++)
		if (mohaa_achievement_met(&list[i], after, weapon, weapon_kills_after) &&
		    !mohaa_achievement_met(&list[i], before, weapon, weapon_kills_before))
			out[n++] = &list[i];
	return n;
}
