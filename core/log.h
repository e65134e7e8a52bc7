/* log.h: one-line log records on stderr (which reaches the web server's
 * error log or the job's cron mail/journal).
 *
 * Format: "2024-09-15T01:23:44Z gamewatch.fcgi[1234] LEVEL: message" with an
 * optional " [ctx]" after the pid (a request id or job name). Messages follow
 * PostgreSQL's style: lowercase, no trailing period, no function names. */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdarg.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Set the program name shown in every record (a static string, not copied). */
void log_init(const char *prog);

/* Set the minimum level written (default LOG_INFO; GW_LOG_LEVEL=debug at
 * start-up lowers it). */
void log_set_level(enum log_level level);

/* Set a short context tag (request id, job name) copied into a static
 * buffer, or NULL to clear it. Not thread-safe: one request per process. */
void log_set_context(const char *ctx);

/* Write one record. printf-style; embedded newlines are replaced by spaces
 * so one call is always one line. */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
