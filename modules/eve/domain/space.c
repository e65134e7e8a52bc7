/* space.c: space type, security band and wormhole class of a system
 * (modules/eve/FORMAT.md section 7), zKillboard links (section 6), and the CSV
 * records of the static tables. */
#include "modules/eve/domain/eve.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"

enum eve_space eve_space_of(int64_t system_id, int64_t region_id)
{
	if (region_id) {
		if (region_id == 10000070)
			return EVE_SPACE_POCHVEN;
		if (region_id == 10001000)
			return EVE_SPACE_ZARZAKH;
		if (region_id >= 10000000 && region_id <= 10999999)
			return EVE_SPACE_KSPACE;
		if (region_id >= 11000000 && region_id <= 11999999)
			return EVE_SPACE_JSPACE;
		if (region_id >= 12000000 && region_id <= 12999999)
			return EVE_SPACE_ABYSSAL;
		if (region_id >= 13000000 && region_id <= 19999999)
			return EVE_SPACE_OTHER;
		return EVE_SPACE_UNKNOWN;
	}
	/* no static row: only the ranges that cannot be Pochven or Zarzakh */
	if (system_id >= 31000000 && system_id <= 31999999)
		return EVE_SPACE_JSPACE;
	if (system_id >= 32000000 && system_id <= 32999999)
		return EVE_SPACE_ABYSSAL;
	if ((system_id >= 34000000 && system_id <= 34999999) ||
	    (system_id >= 36000000 && system_id <= 36999999))
		return EVE_SPACE_OTHER;
	return EVE_SPACE_UNKNOWN;
}

enum eve_band eve_band_of(enum eve_space space, int64_t sec_micro)
{
	switch (space) {
	case EVE_SPACE_KSPACE:
		if (sec_micro >= 450000)
			return EVE_BAND_HIGHSEC;
		if (sec_micro > 0)
			return EVE_BAND_LOWSEC;
		return EVE_BAND_NULLSEC;
	case EVE_SPACE_POCHVEN: return EVE_BAND_POCHVEN;
	case EVE_SPACE_ZARZAKH: return EVE_BAND_ZARZAKH;
	case EVE_SPACE_JSPACE: return EVE_BAND_JSPACE;
	case EVE_SPACE_ABYSSAL: return EVE_BAND_ABYSSAL;
	case EVE_SPACE_OTHER: return EVE_BAND_OTHER;
	default: return EVE_BAND_UNKNOWN;
	}
}

static const char *const space_tokens[] = { "unknown", "kspace", "pochven", "zarzakh",
					    "jspace", "abyssal", "other" };
static const char *const band_tokens[] = { "unknown", "highsec", "lowsec", "nullsec", "pochven",
					   "zarzakh", "jspace", "abyssal", "other" };

const char *eve_space_token(enum eve_space s)
{
	return (unsigned)s < sizeof space_tokens / sizeof *space_tokens ? space_tokens[s] : "unknown";
}

const char *eve_band_token(enum eve_band b)
{
	return (unsigned)b < sizeof band_tokens / sizeof *band_tokens ? band_tokens[b] : "unknown";
}

int eve_space_parse(const char *token)
{
	size_t i;
	for (i = 1; token && i < sizeof space_tokens / sizeof *space_tokens; i++)
		if (!strcmp(token, space_tokens[i]))
			return (int)i;
	return EVE_SPACE_UNKNOWN;
}

const char *eve_wh_class(enum eve_space space, const char *region_name)
{
	if (space != EVE_SPACE_JSPACE || !region_name || !region_name[0] || region_name[1] != '-')
		return NULL;
	switch (region_name[0]) {
	case 'A': return "C1";
	case 'B': return "C2";
	case 'C': return "C3";
	case 'D': return "C4";
	case 'E': return "C5";
	case 'F': return "C6";
	case 'G': return "Thera";
	case 'H': return "C13";
	case 'K': return "Drifter";
	default: return NULL;
	}
}

int eve_csv_split(char *line, char **fields, int max)
{
	char *r = line, *w = line;
	int n = 0;
	size_t len = strlen(line);

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	for (;;) {
		if (n == max)
			return -1;
		fields[n++] = w;
		if (*r == '"') {
			r++;
			for (;;) {
				if (!*r)
					return -1;
				if (*r == '"') {
					if (r[1] == '"') {
						*w++ = '"';
						r += 2;
						continue;
					}
					r++;
					break;
				}
				*w++ = *r++;
			}
			if (*r && *r != ',')
				return -1;
		} else {
			while (*r && *r != ',')
				*w++ = *r++;
		}
		if (!*r) {
			*w = '\0';
			return n;
		}
		*w++ = '\0';
		r++;
	}
}

/* "YYYYMMDDHH00" of the hour containing ms, plus `hours`. */
static void hour_stamp(int64_t ms, int hours, char *out, size_t outlen)
{
	time_t t = (time_t)(ms / 1000) - (time_t)((ms / 1000) % 3600) + hours * 3600;
	struct tm tm;
	if (ms < 0)
		t = 0;
	gmtime_r(&t, &tm);
	snprintf(out, outlen, "%04d%02d%02d%02d00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour);
}

void eve_related_url(struct buf *out, int64_t system_id, int64_t start_ms)
{
	char stamp[32];
	hour_stamp(start_ms, 1, stamp, sizeof stamp);
	buf_addf(out, "https://zkillboard.com/related/%lld/%s/", (long long)system_id, stamp);
}

void eve_related_urls(struct json_object *arr, int64_t system_id, int64_t start_ms,
		      int64_t end_ms)
{
	int64_t from = start_ms;
	int guard = 0;
	/* page k covers [hour(start) + 3k h, hour(start) + 3(k+1) h) */
	do {
		struct buf u = BUF_INIT;
		eve_related_url(&u, system_id, from);
		json_object_array_add(arr, json_object_new_string(u.data));
		buf_release(&u);
		from = from - from % 3600000 + 3 * 3600000LL;
	} while (from <= end_ms && ++guard < 64);
}

void eve_kill_url(struct buf *out, int64_t killmail_id)
{
	buf_addf(out, "https://zkillboard.com/kill/%lld/", (long long)killmail_id);
}
