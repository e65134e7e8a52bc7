/* rules.c: what happens to a decoded lobby before it is stored: operator
 * rules for bots and spam (bzcc_rules_*), merging a second source, and the
 * join argument of a session (bzcc.h). Pure: no I/O, no clock. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "internal.h"

/* --- rules --- */

/* Split "a, b,,c" into a new array of the non-blank items, after the
 * `builtin` one (when not NULL and not listed again). */
static char **split_ids(const char *text, const char *builtin, size_t *n)
{
	char **out = NULL;
	size_t cap = 0;
	*n = 0;
	if (builtin) {
		out = bzcc_xreallocarray(out, cap = 4, sizeof *out);
		out[(*n)++] = bzcc_xstrdup(builtin);
	}
	while (text && *text) {
		size_t k = strcspn(text, ",");
		const char *a = text, *b = text + k;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > a && !(builtin && (size_t)(b - a) == strlen(builtin) &&
			       !strncmp(a, builtin, (size_t)(b - a)))) {
			if (*n == cap)
				out = bzcc_xreallocarray(out, cap = cap ? cap * 2 : 4, sizeof *out);
			out[*n] = bzcc_utf8_clean(a, (size_t)(b - a));
			(*n)++;
		}
		text += k;
		if (*text == ',')
			text++;
	}
	return out;
}

static void free_ids(char **ids, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int bzcc_rules_parse(struct bzcc_rules *r, const char *bots, const char *hide_hosts,
		     const char *locked_only, const char *name_pattern, bool hide_locked,
		     char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->bot_ids = split_ids(bots, BZCC_DEDICATED_BOT_ID, &r->n_bot_ids);
	r->hide_host_ids = split_ids(hide_hosts, NULL, &r->n_hide_host_ids);
	r->hide_locked_only_ids = split_ids(locked_only, BZCC_SPAM_ACCOUNT_ID,
					    &r->n_hide_locked_only_ids);
	r->hide_locked = hide_locked;
	if (name_pattern && *name_pattern) {
		regex_t *re = bzcc_xcalloc(1, sizeof *re);
		int rc = regcomp(re, name_pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rc) {
			char why[128];
			regerror(rc, re, why, sizeof why);
			if (err && errlen)
				snprintf(err, errlen, "name pattern does not compile: %s", why);
			free(re);
			return -1;
		}
		r->name_re = re;
	}
	return 0;
}

void bzcc_rules_free(struct bzcc_rules *r)
{
	if (!r)
		return;
	free_ids(r->bot_ids, r->n_bot_ids);
	free_ids(r->hide_host_ids, r->n_hide_host_ids);
	free_ids(r->hide_locked_only_ids, r->n_hide_locked_only_ids);
	if (r->name_re) {
		regfree(r->name_re);
		free(r->name_re);
	}
	memset(r, 0, sizeof *r);
}

static bool in_list(char **ids, size_t n, const char *id)
{
	size_t i;
	if (!id || !*id)
		return false;
	for (i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

/* Does a rule hide this session? */
static bool hidden_by(const struct bzcc_session *s, const struct bzcc_rules *r)
{
	size_t i;
	bool only_listed = s->n_players > 0;
	if (r->hide_locked && s->locked)
		return true;
	if (s->n_players && in_list(r->hide_host_ids, r->n_hide_host_ids, s->players[0].platform_id))
		return true;
	for (i = 0; i < s->n_players; i++)
		only_listed &= in_list(r->hide_locked_only_ids, r->n_hide_locked_only_ids,
				       s->players[i].platform_id);
	if (s->locked && only_listed)
		return true;
	return r->name_re && regexec(r->name_re, s->name ? s->name : "", 0, NULL, 0) == 0;
}

void bzcc_lobby_apply_rules(struct bzcc_lobby *lobby, const struct bzcc_rules *rules)
{
	size_t i, j, kept = 0;
	if (!lobby || !rules)
		return;
	for (i = 0; i < lobby->n_sessions; i++) {
		struct bzcc_session *s = &lobby->sessions[i];
		if (hidden_by(s, rules)) {
			bzcc_session_release(s);
			lobby->hidden++;
			continue;
		}
		for (j = 0; j < s->n_players; j++)
			if (in_list(rules->bot_ids, rules->n_bot_ids, s->players[j].platform_id))
				s->players[j].bot = true;
		s->dedicated = s->n_players && s->players[0].bot;
		if (kept != i)
			lobby->sessions[kept] = *s;
		kept++;
	}
	lobby->n_sessions = kept;
}

/* --- merging a second source --- */

size_t bzcc_lobby_merge(struct bzcc_lobby *into, struct bzcc_lobby *from, bool add_sessions)
{
	size_t i, j, added = 0, kept = 0;
	if (!into || !from)
		return 0;
	if (!into->meta && from->meta) {
		into->meta = from->meta;
		from->meta = NULL;
	}
	if (!add_sessions)
		return 0;
	for (i = 0; i < from->n_sessions; i++) {
		struct bzcc_session *s = &from->sessions[i];
		bool known = false;
		for (j = 0; j < into->n_sessions && !known; j++)
			known = into->sessions[j].guid == s->guid;
		if (known) {
			if (kept != i)
				from->sessions[kept] = *s;
			kept++;
			continue;
		}
		bzcc_lobby_append(into, s);
		added++;
	}
	from->n_sessions = kept;
	return added;
}

/* --- joining --- */

/* A NAT id of the custom alphabet only (docs/bzcc-format.md 4); the
 * decoder tolerates other characters, a join argument must not. */
static bool nat_strict(const char *nat)
{
	static const char alphabet[] =
		"@123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
	return nat && *nat && strspn(nat, alphabet) == strlen(nat);
}

char *bzcc_join_hex(const struct bzcc_session *s)
{
	struct buf name = BUF_INIT, mm = BUF_INIT, arg = BUF_INIT, hex = BUF_INIT;
	static const char digits[] = "0123456789abcdef";
	size_t i;

	uint64_t guid;

	/* no link for a NAT id that does not decode as it stands (one that
	 * arrived with invalid bytes, cleaned to U+FFFD): the game could not
	 * read it back either */
	if (s->locked || s->password || !nat_strict(s->nat_id) || bzcc_nat_decode(s->nat_id, &guid))
		return NULL;
	bzcc_utf8_to_cp1252(s->name, &name);
	for (i = 0; i < s->n_mods; i++) {
		if (i)
			buf_addch(&mm, ';');
		buf_addstr(&mm, s->mods[i]);
	}
	buf_addf(&arg, "N,%zu,", name.len);
	buf_add(&arg, name.data, name.len);
	buf_addf(&arg, ",%zu,%s,%s,0,", mm.len, mm.data, s->nat_id);
	for (i = 0; i < arg.len; i++) {
		unsigned char c = (unsigned char)arg.data[i];
		buf_addch(&hex, digits[c >> 4]);
		buf_addch(&hex, digits[c & 15]);
	}
	buf_release(&name);
	buf_release(&mm);
	buf_release(&arg);
	return buf_detach(&hex, NULL);
}

char *bzcc_join_steam_url(const char *hex, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "steam://rungame/624970/76561198955218468/-connect-mp%%20%s",
			 hex ? hex : "");
	return n < 0 || (size_t)n >= outlen ? NULL : out;
}

/* Read "<digits>," at *p (at most 4 digits) into *v. */
static int read_len(const char **p, const char *end, size_t *v)
{
	size_t n = 0, k = 0;
	while (*p < end && **p >= '0' && **p <= '9' && k < 4) {
		n = n * 10 + (size_t)(**p - '0');
		(*p)++;
		k++;
	}
	if (!k || *p >= end || **p != ',')
		return -1;
	(*p)++;
	*v = n;
	return 0;
}

int bzcc_join_decode(const char *hex, char **name, char **mods, char **nat)
{
	size_t n, i, name_len, mods_len;
	unsigned char *raw;
	const char *p, *end, *name_at, *mods_at, *nat_at, *comma;
	uint64_t guid;

	*name = *mods = *nat = NULL;
	if (!hex)
		return -1;
	n = strlen(hex);
	if (n < 2 || n > 2048 || n % 2)
		return -1;
	raw = bzcc_xcalloc(n / 2 + 1, 1);
	for (i = 0; i < n; i += 2) {
		int hi = hex[i] >= '0' && hex[i] <= '9' ? hex[i] - '0'
			 : (hex[i] | 32) >= 'a' && (hex[i] | 32) <= 'f' ? (hex[i] | 32) - 'a' + 10 : -1;
		int lo = hex[i + 1] >= '0' && hex[i + 1] <= '9' ? hex[i + 1] - '0'
			 : (hex[i + 1] | 32) >= 'a' && (hex[i + 1] | 32) <= 'f' ? (hex[i + 1] | 32) - 'a' + 10
			 : -1;
		if (hi < 0 || lo < 0 || (!hi && !lo))
			goto bad; /* not hex, or a NUL byte */
		raw[i / 2] = (unsigned char)(hi * 16 + lo);
	}
	p = (const char *)raw;
	end = p + n / 2;
	if (end - p < 2 || p[0] != 'N' || p[1] != ',')
		goto bad;
	p += 2;
	if (read_len(&p, end, &name_len) || (size_t)(end - p) < name_len + 1 || p[name_len] != ',')
		goto bad;
	name_at = p;
	p += name_len + 1;
	if (read_len(&p, end, &mods_len) || (size_t)(end - p) < mods_len + 1 || p[mods_len] != ',')
		goto bad;
	mods_at = p;
	p += mods_len + 1;
	nat_at = p;
	comma = memchr(p, ',', (size_t)(end - p));
	if (!comma || comma == nat_at || (size_t)(end - comma) != 3 || strncmp(comma, ",0,", 3))
		goto bad;
	*nat = bzcc_utf8_clean(nat_at, (size_t)(comma - nat_at));
	if (strlen(*nat) != (size_t)(comma - nat_at) || !nat_strict(*nat) ||
	    bzcc_nat_decode(*nat, &guid)) {
		free(*nat);
		*nat = NULL;
		goto bad;
	}
	*name = bzcc_text_display(bzcc_cp1252_to_utf8((const unsigned char *)name_at, name_len), true);
	*mods = bzcc_utf8_clean(mods_at, mods_len);
	free(raw);
	return 0;
bad:
	free(raw);
	return -1;
}
