/* job-import.c: gamewatch-job eve-import [options] FILE... | --esi ID/HASH...
 *
 * Bulk import of killmails from files in any of the shapes
 * modules/eve/FORMAT.md lists, through libarchive (plain, .gz, .bz2, and tar
 * archives such as EVE Ref's daily killmails-YYYY-MM-DD.tar.bz2):
 *   - JSON lines or concatenated values: one killmail (any shape) each;
 *   - one object whose keys are killmail ids: the R2Z2 day file
 *     history/raw/YYYYMMDD.json ({killID: ESI killmail}); an object of
 *     {killID: hash} strings (history/YYYYMMDD.json) counts references;
 *   - one array: zKillboard API rows or killmails;
 *   - one object: a single killmail (ESI, zkb merged, R2Z2, RedisQ).
 * Killmails are deduped by id (eve.killmail_ids), written with COPY in
 * batches, and malformed ones are refused with their reason in
 * eve.rejected and counted. A progress line goes to the log every two
 * seconds and a summary per file; each file gets a row in eve.ingest_log.
 *
 * --esi ID/HASH fetches single killmails from ESI (EVE_ESI_URL, default
 * https://esi.evetech.net/latest) by id and hash.
 *
 * Options: --batch N (killmails per transaction, default 2000),
 * --prices (value killmails without zkb values from eve.prices).
 * Every batch that stored new killmails republishes the live feed
 * (store/eve-live.h), so streams see them as they are committed.
 * Exit: 0 when every file was read (refused killmails do not fail the
 * job), 1 when a file could not be read or the database failed, 2 usage. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "modules/eve/module.h"
#include "modules/eve/store/eve-live.h"
#include "modules/eve/store/eve-store.h"
#include "platform/jobs/job.h"
#include "timeutil.h"

#define MAX_REJECTED_ROWS 1000   /* eve.rejected rows kept per file */
#define MAX_ENTRY_BYTES (2048LL * 1024 * 1024)

struct run {
	struct eve_import imp;
	const char *file;
	int batch;
	int64_t started_ms, last_progress_ms;
	long stored_rejects;
	char first_error[256];
	int failed;               /* a database write failed */
	struct eve_live *live;    /* where new killmails are announced */
};

static void progress(struct run *r, bool final)
{
	int64_t now = time_mono_ms();
	double secs;
	if (!final && now - r->last_progress_ms < 2000)
		return;
	r->last_progress_ms = now;
	secs = (double)(now - r->started_ms) / 1000.0;
	log_info("eve-import: %s: %ld read, %ld new, %ld duplicate, %ld rejected, %ld references"
		 " (%.0f/s)%s",
		 r->file, r->imp.read, r->imp.inserted, r->imp.duplicates, r->imp.rejected,
		 r->imp.refs, secs > 0 ? (double)r->imp.read / secs : 0.0, final ? ", done" : "");
}

static void reject(struct run *r, const char *position, const char *reason, const char *doc,
		   size_t len)
{
	r->imp.rejected++;
	if (!r->first_error[0])
		snprintf(r->first_error, sizeof r->first_error, "%s: %s", position, reason);
	if (r->stored_rejects++ < MAX_REJECTED_ROWS)
		eve_store_rejected(r->imp.db, r->file, position, reason, doc, len);
}

static void flush(struct run *r)
{
	long before = r->imp.inserted;
	if (eve_import_flush(&r->imp) < 0)
		r->failed = 1;
	else if (r->imp.inserted > before && r->live)
		eve_live_publish(r->live, r->imp.db);
}

/* One killmail document (any shape) at doc[0..len). */
static void take(struct run *r, const char *doc, size_t len, const char *position)
{
	struct eve_killmail km;
	char err[256];
	int d;
	r->imp.read++;
	d = eve_killmail_decode(doc, len, &km, err, sizeof err);
	if (d < 0) {
		reject(r, position, err, doc, len);
	} else if (d == EVE_DECODED_KILLMAIL) {
		if (eve_import_add(&r->imp, &km) < 0)
			r->failed = 1;
		eve_killmail_free(&km);
	} else if (d == EVE_DECODED_REFERENCE) {
		r->imp.refs++;
	} else {
		r->imp.read--; /* an empty RedisQ package is no killmail */
	}
	if ((int)r->imp.pending >= r->batch)
		flush(r);
	progress(r, false);
}

static bool digits(const char *s, size_t n)
{
	size_t i;
	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A whole file or archive entry. */
static void take_document(struct run *r, const char *buf, size_t len, const char *entry)
{
	size_t pos = 0, s, e, s2, e2, n = 0;
	/* the first value alone in the file decides: an object or an array is
	 * one document; several values (or a broken first one) are JSON lines */
	char where[256];
	int rc;

	rc = eve_json_next_value(buf, len, &pos, &s, &e);
	if (rc == 0)
		return; /* empty */
	if (rc == 1 && buf[s] == '{' && eve_json_next_value(buf, len, &pos, &s2, &e2) == 0) {
		/* one object: a day map {killID: killmail | hash} or one killmail */
		size_t mpos = 0, ks, vs, ve;
		const char *key;
		if (eve_json_next_member(buf + s, e - s, &mpos, &key, &ks, &vs, &ve) == 1 &&
		    digits(key, ks)) {
			mpos = 0;
			while ((rc = eve_json_next_member(buf + s, e - s, &mpos, &key, &ks, &vs, &ve)) == 1) {
				snprintf(where, sizeof where, "%s member %.*s", entry, (int)(ks < 20 ? ks : 20), key);
				if (buf[s + vs] == '"') {
					r->imp.read++;
					r->imp.refs++; /* history/YYYYMMDD.json: {killID: hash} */
					continue;
				}
				take(r, buf + s + vs, ve - vs, where);
				if (job_stop)
					return;
			}
			if (rc < 0)
				reject(r, entry, "malformed JSON in the day file", buf + s + mpos,
				       e - s - mpos);
			return;
		}
		take(r, buf + s, e - s, entry);
		return;
	}
	if (rc == 1 && buf[s] == '[' && eve_json_next_value(buf, len, &pos, &s2, &e2) == 0) {
		/* one array of killmails or zKillboard API rows */
		struct json_tokener *tok = json_tokener_new();
		struct json_object *arr = json_tokener_parse_ex(tok, buf + s, (int)(e - s));
		size_t i;
		if (!arr || !json_object_is_type(arr, json_type_array)) {
			reject(r, entry, "array is not valid JSON", buf + s, e - s);
		} else {
			for (i = 0; i < json_object_array_length(arr) && !job_stop; i++) {
				const char *t = json_object_to_json_string_ext(json_object_array_get_idx(arr, i),
									      JSON_C_TO_STRING_PLAIN);
				snprintf(where, sizeof where, "%s element %zu", entry, i);
				take(r, t, strlen(t), where);
			}
		}
		json_object_put(arr);
		json_tokener_free(tok);
		return;
	}
	/* JSON lines: one killmail per line; a broken line is refused alone */
	{
		size_t line = 0, at = 0;
		while (at < len && !job_stop) {
			const char *nl = memchr(buf + at, '\n', len - at);
			size_t end = nl ? (size_t)(nl - buf) : len, k;
			line++;
			for (k = at; k < end && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\r'); k++)
				;
			if (k < end) {
				snprintf(where, sizeof where, "%s%sline %zu", entry, *entry ? " " : "", line);
				take(r, buf + at, end - at, where);
			}
			at = end + 1;
		}
	}
	(void)n;
}

/* Read every entry of FILE through libarchive. Returns 0 or -1. */
static int import_file(struct run *r, const char *file)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	struct buf data = BUF_INIT;
	int ret = 0, rc;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
		log_error("eve-import: cannot open %s: %s", file, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	while ((rc = archive_read_next_header(a, &ent)) == ARCHIVE_OK && !job_stop) {
		const char *name = archive_entry_pathname(ent);
		char chunk[1 << 16];
		la_ssize_t n;
		if (archive_entry_filetype(ent) != AE_IFREG && archive_format(a) != ARCHIVE_FORMAT_RAW)
			continue;
		buf_reset(&data);
		while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0) {
			buf_add(&data, chunk, (size_t)n);
			if ((long long)data.len > MAX_ENTRY_BYTES)
				break;
		}
		if (n < 0) {
			log_error("eve-import: %s: %s", file, archive_error_string(a));
			ret = -1;
			break;
		}
		if ((long long)data.len > MAX_ENTRY_BYTES) {
			reject(r, name ? name : file, "entry larger than 2 GiB", "", 0);
			continue;
		}
		take_document(r, data.data, data.len,
			      archive_format(a) == ARCHIVE_FORMAT_RAW ? "" : (name ? name : "?"));
	}
	if (rc != ARCHIVE_EOF && rc != ARCHIVE_OK) {
		log_error("eve-import: %s: %s", file, archive_error_string(a));
		ret = -1;
	}
	buf_release(&data);
	archive_read_free(a);
	return ret;
}

/* --esi ID/HASH: fetch one killmail from ESI. */
static int import_esi(struct run *r, const char *arg)
{
	const char *base = getenv("EVE_ESI_URL");
	const char *slash = strchr(arg, '/');
	struct http_response res;
	struct http_options opt = { 2000, 10000, 4u << 20, NULL };
	struct buf url = BUF_INIT;
	int ret = 0;

	if (!slash || !digits(arg, (size_t)(slash - arg)) || strlen(slash + 1) != 40) {
		log_error("eve-import: --esi wants ID/HASH (a 40-digit hex hash), got %s", arg);
		return -1;
	}
	buf_addf(&url, "%s/killmails/%.*s/%s/", base && *base ? base : "https://esi.evetech.net/latest",
		 (int)(slash - arg), arg, slash + 1);
	memset(&res, 0, sizeof res);
	if (http_get(url.data, &opt, &res) < 0 || res.status != 200) {
		log_error("eve-import: %s: %s", url.data, res.error[0] ? res.error : "not 200");
		ret = -1;
	} else {
		take(r, res.body.data, res.body.len, arg);
	}
	http_response_release(&res);
	buf_release(&url);
	return ret;
}

int job_eve_import(const struct cfg *cfg, int argc, char **argv)
{
	struct db db;
	struct run r;
	struct eve_live live;
	int i, status = 0, files = 0, prices = 0;
	int batch = 2000;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
			batch = atoi(argv[++i]);
			if (batch < 1 || batch > 100000) {
				fprintf(stderr, "eve-import: --batch wants 1..100000\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--prices")) {
			prices = 1;
		} else if (!strcmp(argv[i], "--esi")) {
			break;
		} else {
			fprintf(stderr, "usage: gamewatch-job eve-import [--batch N] [--prices] FILE...\n"
					"       gamewatch-job eve-import --esi ID/HASH...\n");
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "eve-import: no FILE given\n");
		return 2;
	}
	if (db_open(&db, cfg->database_url) < 0) {
		db_close(&db);
		return 1;
	}
	eve_live_init(&live, cfg->redis_url);
	if (!strcmp(argv[i], "--esi")) {
		memset(&r, 0, sizeof r);
		r.live = &live;
		r.batch = 1;
		r.file = "esi";
		r.started_ms = time_mono_ms();
		if (eve_import_begin(&r.imp, &db, "esi") < 0) {
			db_close(&db);
			eve_live_close(&live);
			return 1;
		}
		for (i++; i < argc; i++)
			if (import_esi(&r, argv[i]) < 0)
				status = 1;
		flush(&r);
		progress(&r, true);
		eve_store_ingest_log(&db, "esi", &r.imp, time_mono_ms() - r.started_ms, r.first_error[0] ? r.first_error : NULL);
		if (r.failed)
			status = 1;
		eve_import_end(&r.imp);
		db_close(&db);
		eve_live_close(&live);
		return status;
	}
	for (; i < argc && !job_stop; i++) {
		memset(&r, 0, sizeof r);
		r.batch = batch;
		r.live = &live;
		r.file = argv[i];
		r.started_ms = r.last_progress_ms = time_mono_ms();
		if (eve_import_begin(&r.imp, &db, argv[i]) < 0) {
			status = 1;
			break;
		}
		if (prices && eve_import_load_prices(&r.imp) < 0)
			status = 1;
		if (import_file(&r, argv[i]) < 0)
			status = 1;
		flush(&r);
		progress(&r, true);
		if (r.failed)
			status = 1;
		eve_store_ingest_log(&db, argv[i], &r.imp, time_mono_ms() - r.started_ms,
				     r.first_error[0] ? r.first_error : NULL);
		eve_import_end(&r.imp);
		files++;
	}
	db_close(&db);
	eve_live_close(&live);
	return status;
}
