/* log.c: one-line log records on stderr. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "gamewatch";
static enum log_level log_min = LOG_INFO;
static char log_ctx[64];

void log_init(const char *prog)
{
	const char *lvl = getenv("GW_LOG_LEVEL");
	log_prog = prog;
	if (lvl && !strcasecmp(lvl, "debug"))
		log_min = LOG_DEBUG;
	else if (lvl && !strcasecmp(lvl, "warn"))
		log_min = LOG_WARN;
	else if (lvl && !strcasecmp(lvl, "error"))
		log_min = LOG_ERROR;
}

void log_set_level(enum log_level level)
{
	log_min = level;
}

void log_set_context(const char *ctx)
{
	if (!ctx)
		log_ctx[0] = '\0';
	else
		snprintf(log_ctx, sizeof log_ctx, "%s", ctx);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *names[] = { "DEBUG", "INFO", "WARNING", "ERROR" };
	char msg[2048], stamp[32];
	struct tm tm;
	time_t now;
	va_list ap;
	char *p;

	if (level < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s[%ld]%s%s%s %s: %s\n", stamp, log_prog,
		(long)getpid(), log_ctx[0] ? " [" : "", log_ctx,
		log_ctx[0] ? "]" : "", names[level], msg);
}
