/* log.h: one-line log records on stderr (which reaches the web server's
 * error log or the job's cron mail/journal).
 *
 * Two formats, chosen by LOG_FORMAT at log_init():
 *
 *   text (default, or LOG_FORMAT=text):
 *     "2024-09-15T01:23:44Z gamewatch.fcgi[1234] LEVEL: message" with an
 *     optional " [ctx]" after the pid (a request id or job name).
 *
 *   json (LOG_FORMAT=json): one JSON object per line (RFC 8259, UTF-8), keys
 *   in this order:
 *     time     RFC 3339 UTC with milliseconds, "2024-09-15T01:23:44.123Z"
 *     level    "debug", "info", "warning" or "error"
 *     msg      the message (invalid UTF-8 bytes become U+FFFD)
 *     program  the name given to log_init ("gamewatch-job")
 *     pid      the process id (number)
 *     context  the request id or job name, or null
 *     module   derived from `file`: "modules/<name>/..." -> "<name>",
 *              "platform/..." -> "platform", "core/..." -> "core", any other
 *              path -> its first directory ("tests", "bench")
 *     file     the caller's source file relative to the project root
 *              ("modules/<name>/jobs/job-x.c")
 *     func     the calling function (__func__)
 *   This is the BattleScope logging standard (docs/specs/battlescope.md
 *   §8.1: file, package derived from the path, caller), with "module" in
 *   the role of its "package" and "func" in that of "caller".
 *
 * Messages follow PostgreSQL's style: lowercase, no trailing period, no
 * function names (the JSON format carries the function itself). The log
 * macros capture __FILE__ and __func__ where they are written. */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON };

/* Set the program name shown in every record (a static string, not copied),
 * the minimum level from GW_LOG_LEVEL (debug, info, warn, error; default
 * info) and the format from LOG_FORMAT ("text" or "json"; an unknown value
 * keeps text and says so in one warning record). */
void log_init(const char *prog);

/* Set the minimum level written (default LOG_INFO). */
void log_set_level(enum log_level level);

/* Set the record format (default LOG_FORMAT_TEXT). */
void log_set_format(enum log_format format);

/* Write records to `f` instead of stderr (NULL: back to stderr). The stream
 * is borrowed; each record is written with one fwrite and flushed. For the
 * tests. */
void log_set_output(FILE *f);

/* Set a short context tag (request id, job name) copied into a static
 * buffer (63 bytes kept), or NULL to clear it. Not thread-safe: one request
 * per process. */
void log_set_context(const char *ctx);

/* Write one record from source file `file` (__FILE__) and function `func`
 * (__func__): printf-style. In the text format embedded newlines become
 * spaces, so one call is always one line; the JSON format escapes them.
 * Messages longer than 2047 bytes are cut. Use the macros below. */
void log_at(enum log_level level, const char *file, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_msg(level, ...) log_at((level), __FILE__, __func__, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __FILE__, __func__, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __FILE__, __func__, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, __FILE__, __func__, __VA_ARGS__)
#define log_error(...) log_at(LOG_ERROR, __FILE__, __func__, __VA_ARGS__)

/* The project-relative form of a __FILE__ value: the build compiles every
 * file with the same spelling of the source directory ("../" in ./dev's
 * build/, "" in-tree, or an absolute path), so the prefix is learnt from
 * this file's own __FILE__ ("<prefix>core/log.c") and cut off. A path
 * without that prefix loses leading "./" and "../" segments and, when
 * absolute, everything before its first "core/", "platform/", "modules/",
 * "tests/", "bench/" or "fuzz/" segment. Returns a pointer into `file`. */
const char *log_source_path(const char *file);

/* The module of a project-relative path (see "module" above) into out
 * (NUL-terminated, cut to outlen - 1 bytes). "" for a bare file name. */
void log_source_module(const char *relpath, char *out, size_t outlen);

/* Append one JSON record and its '\n' to out: the fields listed above,
 * with `time_ms` (ms since the epoch), `pid`, `ctx` (NULL or "" -> null)
 * and `file` as given (already project-relative; module derived from it).
 * Pure: the format's single definition, used by log_at and the tests. */
void log_format_json(struct buf *out, int64_t time_ms, enum log_level level,
		     const char *prog, long pid, const char *ctx, const char *file,
		     const char *func, const char *msg);

#endif
