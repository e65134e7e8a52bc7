/* bzcc-sources.c: bzcc.poll_sources (bzcc-sources.h). */
#include "modules/bzcc/store/bzcc-sources.h"

#include <stdio.h>

#include "buf.h"
#include "http.h"

int bzcc_sources_record(struct db *db, int64_t now_ms, const struct bzcc_source_attempt *a,
			int stale_after_s)
{
	/* $1 name, $2 url, $3 ok, $4 fresh, $5 error, $6 now, $7 upstream
	 * time or null, $8 sessions, $9 stale limit */
	static const char sql[] =
		"INSERT INTO bzcc.poll_sources AS o (name, url, status, last_attempt_at,"
		" last_success_at, last_error, consecutive_failures, upstream_updated_at, sessions)"
		" VALUES ($1, $2, CASE WHEN NOT $3::boolean THEN 'down'"
		"  WHEN $4::boolean THEN 'ok' ELSE 'stale' END, gw_ms($6::bigint),"
		"  CASE WHEN $3::boolean THEN gw_ms($6::bigint) END, $5,"
		"  CASE WHEN $3::boolean THEN 0 ELSE 1 END, gw_ms($7::bigint),"
		"  CASE WHEN $3::boolean THEN $8::int ELSE 0 END)"
		" ON CONFLICT (name) DO UPDATE SET url = EXCLUDED.url,"
		"  status = CASE WHEN $3::boolean THEN EXCLUDED.status"
		"   WHEN o.last_success_at >= gw_ms($6::bigint) - make_interval(secs => $9::int)"
		"   THEN 'stale' ELSE 'down' END,"
		"  last_attempt_at = EXCLUDED.last_attempt_at,"
		"  last_success_at = coalesce(EXCLUDED.last_success_at, o.last_success_at),"
		"  last_error = coalesce(EXCLUDED.last_error, o.last_error),"
		"  consecutive_failures = CASE WHEN $3::boolean THEN 0"
		"   ELSE o.consecutive_failures + 1 END,"
		"  upstream_updated_at = coalesce(EXCLUDED.upstream_updated_at, o.upstream_updated_at),"
		"  sessions = CASE WHEN $3::boolean THEN EXCLUDED.sessions ELSE o.sessions END";
	char now[24], up[24], n[16], stale[16];
	const char *params[9];
	struct buf url = BUF_INIT;
	int rc;

	http_url_redact(&url, a->url);
	snprintf(now, sizeof now, "%lld", (long long)now_ms);
	snprintf(up, sizeof up, "%lld", (long long)a->upstream_updated_ms);
	snprintf(n, sizeof n, "%d", a->sessions);
	snprintf(stale, sizeof stale, "%d", stale_after_s);
	params[0] = a->name;
	params[1] = url.data;
	params[2] = a->ok ? "true" : "false";
	params[3] = a->fresh ? "true" : "false";
	params[4] = a->ok ? NULL : (a->error ? a->error : "unknown error");
	params[5] = now;
	params[6] = a->upstream_updated_ms >= 0 ? up : NULL;
	params[7] = n;
	params[8] = stale;
	rc = db_run(db, sql, 9, params);
	buf_release(&url);
	return rc;
}
