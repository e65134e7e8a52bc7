/* envfile.c: the env file parser and loader (envfile.h). */
#include "envfile.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef GW_SYSCONFDIR
#define GW_SYSCONFDIR "/usr/local/etc"
#endif

#define ENVFILE_MAX_BYTES (1 << 20)

static int key_char(char c, int first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* One key seen so far in this parse (duplicates are refused). */
struct seen {
	char **keys;
	size_t n;
};

static int seen_add(struct seen *s, const char *key)
{
	size_t i;
	char **k;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->keys[i], key))
			return 1;
	k = realloc(s->keys, (s->n + 1) * sizeof *k);
	if (!k)
		abort();
	s->keys = k;
	s->keys[s->n] = strdup(key);
	if (!s->keys[s->n])
		abort();
	s->n++;
	return 0;
}

static void seen_free(struct seen *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		free(s->keys[i]);
	free(s->keys);
	s->keys = NULL;
	s->n = 0;
}

int envfile_parse(const char *text, size_t len, envfile_fn fn, void *ud, char *err,
		  size_t errlen)
{
	struct seen seen = { NULL, 0 };
	char *line = malloc(ENVFILE_MAX_LINE + 1);
	size_t pos = 0, lineno = 0;
	int count = 0;
	if (!line)
		abort();
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "the file holds a NUL byte");
		count = -1;
		goto out;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos, k;
		char *eq, *value;
		lineno++;
		if (n > ENVFILE_MAX_LINE) {
			snprintf(err, errlen, "line %zu: longer than %d bytes", lineno, ENVFILE_MAX_LINE);
			count = -1;
			goto out;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			snprintf(err, errlen, "line %zu: not KEY=value (no '=')", lineno);
			count = -1;
			goto out;
		}
		for (k = 0; line + k < eq; k++)
			if (!key_char(line[k], k == 0))
				break;
		if (!k || line + k != eq) {
			const char *why = line[0] == ' ' || line[0] == '\t' ? "blank before the key"
					  : !strncmp(line, "export ", 7)        ? "\"export\" is shell syntax: write KEY=value"
					  : (line + k < eq && (line[k] == ' ' || line[k] == '\t'))
						  ? "blank before '='"
						  : "the key must be letters, digits and '_' (not starting with a digit)";
			snprintf(err, errlen, "line %zu: %s", lineno, why);
			count = -1;
			goto out;
		}
		*eq = '\0';
		value = eq + 1;
		if (value[0] == ' ' || value[0] == '\t') {
			snprintf(err, errlen, "line %zu: %s: blank after '=' (values are taken literally)",
				 lineno, line);
			count = -1;
			goto out;
		}
		if (value[0] == '"' || value[0] == '\'') {
			snprintf(err, errlen, "line %zu: %s: the value starts with a quote; values are "
					      "taken literally, write KEY=value without quotes", lineno, line);
			count = -1;
			goto out;
		}
		if (*value && (value[strlen(value) - 1] == ' ' || value[strlen(value) - 1] == '\t')) {
			snprintf(err, errlen, "line %zu: %s: the value ends in a blank (values are taken "
					      "literally)", lineno, line);
			count = -1;
			goto out;
		}
		if (seen_add(&seen, line)) {
			snprintf(err, errlen, "line %zu: %s is set twice", lineno, line);
			count = -1;
			goto out;
		}
		if (fn && fn(line, value, ud) < 0) {
			snprintf(err, errlen, "line %zu: stopped", lineno);
			count = -1;
			goto out;
		}
		count++;
	}
out:
	seen_free(&seen);
	free(line);
	return count;
}

const char *envfile_path(bool *explicit_path)
{
	const char *p = getenv("GW_ENV_FILE");
	if (explicit_path)
		*explicit_path = p != NULL;
	if (p)
		return *p ? p : NULL;
	return GW_SYSCONFDIR "/gamewatch/env";
}

/* Keys this process set from the file (so that a reload may change them). */
static struct seen from_file;

struct pair {
	char *key, *value;
};
struct pairs {
	struct pair *v;
	size_t n;
};

static int collect(const char *key, const char *value, void *ud)
{
	struct pairs *p = ud;
	struct pair *v = realloc(p->v, (p->n + 1) * sizeof *v);
	if (!v)
		abort();
	p->v = v;
	v[p->n].key = strdup(key);
	v[p->n].value = strdup(value);
	if (!v[p->n].key || !v[p->n].value)
		abort();
	p->n++;
	return 0;
}

static void pairs_free(struct pairs *p)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		/* the value may be a secret */
		explicit_bzero(p->v[i].value, strlen(p->v[i].value));
		free(p->v[i].value);
	}
	free(p->v);
}

static int read_file(const char *path, char **out, size_t *outlen, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot read the env file %s: %s", path, strerror(e));
		return e == ENOENT ? -2 : -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the env file %s is not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(err, errlen, "the env file %s may be written by every user: "
				      "chmod o-w it (0640 root:gamewatch, or 0600 for a user install)", path);
		close(fd);
		return -1;
	}
	if (st.st_size > ENVFILE_MAX_BYTES) {
		snprintf(err, errlen, "the env file %s is larger than %d bytes", path, ENVFILE_MAX_BYTES);
		close(fd);
		return -1;
	}
	if (st.st_mode & S_IROTH)
		log_warn("the env file %s may be read by every user and holds secrets: chmod o-r it",
			 path);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		abort();
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	return 0;
}

int envfile_load(char *err, size_t errlen)
{
	bool explicit_path;
	const char *path = envfile_path(&explicit_path);
	struct pairs p = { NULL, 0 };
	char *text = NULL, perr[200];
	size_t len = 0, i, j;
	int rc, set = 0;

	if (!path)
		return 0;
	rc = read_file(path, &text, &len, err, errlen);
	if (rc == -2 && !explicit_path)
		return 0; /* no default file: the environment alone */
	if (rc < 0)
		return -1;
	rc = envfile_parse(text, len, collect, &p, perr, sizeof perr);
	explicit_bzero(text, len);
	free(text);
	if (rc < 0) {
		snprintf(err, errlen, "the env file %s is refused: %s", path, perr);
		pairs_free(&p);
		return -1;
	}
	for (i = 0; i < p.n; i++) {
		bool ours = false;
		for (j = 0; j < from_file.n; j++)
			ours = ours || !strcmp(from_file.keys[j], p.v[i].key);
		if (!ours && getenv(p.v[i].key))
			continue; /* the environment wins */
		if (setenv(p.v[i].key, p.v[i].value, 1) < 0) {
			snprintf(err, errlen, "could not set %s: %s", p.v[i].key, strerror(errno));
			pairs_free(&p);
			return -1;
		}
		if (!ours)
			seen_add(&from_file, p.v[i].key);
		set++;
	}
	/* keys the file no longer sets */
	for (j = 0; j < from_file.n;) {
		bool kept = false;
		for (i = 0; i < p.n; i++)
			kept = kept || !strcmp(from_file.keys[j], p.v[i].key);
		if (kept) {
			j++;
			continue;
		}
		unsetenv(from_file.keys[j]);
		free(from_file.keys[j]);
		from_file.keys[j] = from_file.keys[--from_file.n];
	}
	pairs_free(&p);
	return set;
}
