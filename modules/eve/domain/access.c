/* access.c: feature roles, policies and ruleset input (access.h). */
#include "modules/eve/domain/access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const feature_names[EVE_FEATURES] = { "battle-reports", "battle-intel" };

int eve_feature_parse(const char *s)
{
	int i;
	for (i = 0; s && i < EVE_FEATURES; i++)
		if (!strcmp(s, feature_names[i]))
			return i;
	return -1;
}

const char *eve_feature_name(int feature)
{
	return feature >= 0 && feature < EVE_FEATURES ? feature_names[feature] : "";
}

static const struct {
	const char *name;
	int rank;
} ranks[] = {
	{ "user", EVE_RANK_USER },
	{ "fc", EVE_RANK_FC },
	{ "director", EVE_RANK_DIRECTOR },
	{ "admin", EVE_RANK_ADMIN },
};

int eve_rank_parse(const char *s)
{
	size_t i;
	for (i = 0; s && i < sizeof ranks / sizeof *ranks; i++)
		if (!strcmp(s, ranks[i].name))
			return ranks[i].rank;
	return -1;
}

const char *eve_rank_name(int rank)
{
	size_t i;
	if (rank == EVE_RANK_NONE)
		return "none";
	if (rank == EVE_RANK_SUPERADMIN)
		return "superadmin";
	for (i = 0; i < sizeof ranks / sizeof *ranks; i++)
		if (ranks[i].rank == rank)
			return ranks[i].name;
	return "";
}

int eve_policy_parse(const char *s, int def)
{
	if (!s || !*s)
		return def;
	if (!strcmp(s, "public"))
		return EVE_POLICY_PUBLIC;
	if (!strcmp(s, "account"))
		return EVE_POLICY_ACCOUNT;
	if (!strcmp(s, "granted"))
		return EVE_POLICY_GRANTED;
	return -1;
}

int eve_access_rank(int policy, const struct eve_who *w, int feature)
{
	int rank = EVE_RANK_NONE;
	if (feature < 0 || feature >= EVE_FEATURES)
		return EVE_RANK_NONE;
	if (w->signed_in && w->superadmin)
		return EVE_RANK_SUPERADMIN;
	if (w->signed_in)
		rank = w->rank[feature];
	if (rank < EVE_RANK_USER &&
	    (policy == EVE_POLICY_PUBLIC || (policy == EVE_POLICY_ACCOUNT && w->signed_in)))
		rank = EVE_RANK_USER;
	return rank;
}

int eve_access_decide(int policy, const struct eve_who *w, int feature, int need)
{
	if (need > EVE_RANK_NONE && eve_access_rank(policy, w, feature) >= need)
		return 0;
	return w->signed_in ? 403 : 401;
}

static bool grantable(int rank)
{
	return rank == EVE_RANK_NONE || rank == EVE_RANK_USER || rank == EVE_RANK_FC ||
	       rank == EVE_RANK_DIRECTOR || rank == EVE_RANK_ADMIN;
}

bool eve_may_grant(const struct eve_who *g, int feature, int from, int to)
{
	if (!g->signed_in || feature < 0 || feature >= EVE_FEATURES || !grantable(to) || !grantable(from))
		return false;
	if (g->superadmin)
		return true;
	return g->rank[feature] >= EVE_RANK_ADMIN && from < EVE_RANK_ADMIN && to < EVE_RANK_ADMIN;
}

/* ---- rulesets ---------------------------------------------------------------- */

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int eve_ids_parse(const char *text, int64_t *out, int max, char *err, size_t errlen)
{
	const char *p = text ? text : "";
	int n = 0, i, k;
	while (*p) {
		const char *start;
		size_t len;
		int64_t v = 0;
		p += strspn(p, ", \t\r\n");
		if (!*p)
			break;
		start = p;
		len = strcspn(p, ", \t\r\n");
		p += len;
		for (i = 0; i < (int)len; i++) {
			int d = start[i] - '0';
			if (d < 0 || d > 9 || v > (INT64_MAX - d) / 10) {
				v = -1;
				break;
			}
			v = v * 10 + d;
		}
		if (v <= 0) {
			snprintf(err, errlen, "\"%.*s\" is not an id (a positive number)", len > 24 ? 24 : (int)len,
				 start);
			return -1;
		}
		for (k = 0; k < n && out[k] != v; k++)
			;
		if (k < n)
			continue;
		if (n == max) {
			snprintf(err, errlen, "at most %d ids", max);
			return -1;
		}
		out[n++] = v;
	}
	qsort(out, (size_t)n, sizeof *out, cmp_id);
	return n;
}

bool eve_ruleset_filters_entities(const struct eve_ruleset *rs)
{
	return rs->ignore_unlisted && (rs->n_alliances > 0 || rs->n_corporations > 0);
}
