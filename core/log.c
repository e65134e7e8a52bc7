/* log.c: one-line log records on stderr, as text or JSON (log.h). */
#include "log.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "gamewatch";
static enum log_level log_min = LOG_INFO;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static FILE *log_out;
static char log_ctx[64];

void log_init(const char *prog)
{
	const char *lvl = getenv("GW_LOG_LEVEL");
	const char *fmt = getenv("LOG_FORMAT");
	log_prog = prog;
	if (lvl && !strcasecmp(lvl, "debug"))
		log_min = LOG_DEBUG;
	else if (lvl && !strcasecmp(lvl, "warn"))
		log_min = LOG_WARN;
	else if (lvl && !strcasecmp(lvl, "error"))
		log_min = LOG_ERROR;
	if (fmt && !strcasecmp(fmt, "json"))
		log_fmt = LOG_FORMAT_JSON;
	else if (fmt && *fmt && strcasecmp(fmt, "text"))
		log_warn("LOG_FORMAT=%s is neither text nor json: writing text", fmt);
}

void log_set_level(enum log_level level)
{
	log_min = level;
}

void log_set_format(enum log_format format)
{
	log_fmt = format;
}

void log_set_output(FILE *f)
{
	log_out = f;
}

void log_set_context(const char *ctx)
{
	if (!ctx)
		log_ctx[0] = '\0';
	else
		snprintf(log_ctx, sizeof log_ctx, "%s", ctx);
}

/* Does `s` start with one of the project's top-level source folders? */
static int at_source_root(const char *s)
{
	static const char *const roots[] = { "core/", "platform/", "modules/", "tests/",
					     "bench/", "fuzz/" };
	size_t i;
	for (i = 0; i < sizeof roots / sizeof roots[0]; i++)
		if (!strncmp(s, roots[i], strlen(roots[i])))
			return 1;
	return 0;
}

const char *log_source_path(const char *file)
{
	static const char self[] = __FILE__, tail[] = "core/log.c";
	size_t self_len = sizeof self - 1, tail_len = sizeof tail - 1;
	const char *p;

	if (!file)
		return "";
	/* the prefix every file of this build shares */
	if (self_len > tail_len && !strcmp(self + self_len - tail_len, tail) &&
	    !strncmp(file, self, self_len - tail_len))
		return file + (self_len - tail_len);
	for (;;) {
		if (!strncmp(file, "./", 2))
			file += 2;
		else if (!strncmp(file, "../", 3))
			file += 3;
		else
			break;
	}
	if (*file != '/')
		return file;
	for (p = file; (p = strchr(p, '/')); p++)
		if (at_source_root(p + 1))
			return p + 1;
	return file;
}

void log_source_module(const char *relpath, char *out, size_t outlen)
{
	const char *start = relpath ? relpath : "", *slash;
	size_t n;

	if (!outlen)
		return;
	if (!strncmp(start, "modules/", 8))
		start += 8;
	slash = strchr(start, '/');
	n = slash ? (size_t)(slash - start) : 0;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, start, n);
	out[n] = '\0';
}

/* Append `s` to out with every byte sequence that is not UTF-8 (RFC 3629:
 * no overlongs, surrogates or code points above U+10FFFF) replaced by
 * U+FFFD, one replacement per bad byte. json-c copies bytes >= 0x80 as
 * they are, and a JSON text must be UTF-8. */
static void add_utf8(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = p[0];
		size_t len = 0;
		if (c < 0x80)
			len = 1;
		else if (c >= 0xc2 && c <= 0xdf)
			len = (p[1] & 0xc0) == 0x80 ? 2 : 0;
		else if (c >= 0xe0 && c <= 0xef) {
			unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
			len = p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
		} else if (c >= 0xf0 && c <= 0xf4) {
			unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
			len = p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 &&
			      (p[3] & 0xc0) == 0x80 ? 4 : 0;
		}
		if (len) {
			buf_add(out, p, len);
			p += len;
		} else {
			buf_add(out, "\xef\xbf\xbd", 3);
			p++;
		}
	}
}

static struct json_object *json_text(const char *s)
{
	struct buf b = BUF_INIT;
	struct json_object *o;
	add_utf8(&b, s ? s : "");
	o = json_object_new_string_len(b.data, (int)b.len);
	buf_release(&b);
	return o;
}

void log_format_json(struct buf *out, int64_t time_ms, enum log_level level,
		     const char *prog, long pid, const char *ctx, const char *file,
		     const char *func, const char *msg)
{
	static const char *const names[] = { "debug", "info", "warning", "error" };
	struct json_object *o = json_object_new_object();
	char stamp[40], module[64];
	time_t secs = (time_t)(time_ms / 1000);
	int ms = (int)(time_ms % 1000);
	struct tm tm;
	size_t n;

	if (ms < 0) {
		ms += 1000;
		secs--;
	}
	gmtime_r(&secs, &tm);
	n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof stamp - n, ".%03dZ", ms);
	log_source_module(file, module, sizeof module);

	json_object_object_add(o, "time", json_object_new_string(stamp));
	json_object_object_add(o, "level", json_object_new_string(
		names[(unsigned)level <= LOG_ERROR ? level : LOG_ERROR]));
	json_object_object_add(o, "msg", json_text(msg));
	json_object_object_add(o, "program", json_text(prog));
	json_object_object_add(o, "pid", json_object_new_int64(pid));
	json_object_object_add(o, "context", ctx && *ctx ? json_text(ctx) : NULL);
	json_object_object_add(o, "module", json_text(module));
	json_object_object_add(o, "file", json_text(file));
	json_object_object_add(o, "func", json_text(func));
	buf_addstr(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_addch(out, '\n');
	json_object_put(o);
}

static void write_json(enum log_level level, const char *file, const char *func,
		       const char *msg, FILE *f)
{
	struct buf line = BUF_INIT;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	log_format_json(&line, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, level,
			log_prog, (long)getpid(), log_ctx, log_source_path(file), func, msg);
	fwrite(line.data, 1, line.len, f);
	fflush(f);
	buf_release(&line);
}

void log_at(enum log_level level, const char *file, const char *func, const char *fmt, ...)
{
	static const char *names[] = { "DEBUG", "INFO", "WARNING", "ERROR" };
	FILE *f = log_out ? log_out : stderr;
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
	if (log_fmt == LOG_FORMAT_JSON) {
		write_json(level, file, func, msg, f);
		return;
	}
	for (p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "%s %s[%ld]%s%s%s %s: %s\n", stamp, log_prog,
		(long)getpid(), log_ctx[0] ? " [" : "", log_ctx,
		log_ctx[0] ? "]" : "", names[level], msg);
	if (log_out)
		fflush(f);
}
