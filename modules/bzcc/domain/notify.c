/* notify.c: webhook decisions and message bodies (notify.h). Pure. */
#include "modules/bzcc/domain/notify.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DISCORD_TITLE_MAX 256
#define DISCORD_FIELD_MAX 1024
#define DISCORD_DESC_MAX 4096

bool bzcc_notify_is_test(const char *name)
{
	const char *p;
	if (!name)
		return false;
	for (p = name; *p; p++) {
		size_t n;
		if (p != name && isalnum((unsigned char)p[-1]))
			continue;
		if (strncasecmp(p, "test", 4))
			continue;
		n = !strncasecmp(p, "testing", 7) ? 7 : 4;
		if (!isalnum((unsigned char)p[n]))
			return true;
	}
	return false;
}

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v;
	if (o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static bool flag(struct json_object *o, const char *k)
{
	struct json_object *v;
	return o && json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

static struct json_object *host_player(struct json_object *session)
{
	struct json_object *players;
	size_t i;
	if (!json_object_object_get_ex(session, "players", &players) ||
	    !json_object_is_type(players, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(players); i++) {
		struct json_object *p = json_object_array_get_idx(players, i);
		if (flag(p, "host"))
			return p;
	}
	return NULL;
}

bool bzcc_notify_host(struct json_object *session, char *out, size_t outlen)
{
	struct json_object *p = host_player(session);
	const char *prov = str(p, "provider"), *ext = str(p, "external_id");
	if (!prov || !ext || !*ext)
		return false;
	return (size_t)snprintf(out, outlen, "%s:%s", prov, ext) < outlen;
}

bool bzcc_notify_wants(const char *const *hosts, size_t n, struct json_object *session)
{
	char host[96];
	size_t i;
	if (bzcc_notify_is_test(str(session, "name")))
		return false;
	if (!n)
		return true;
	if (!bzcc_notify_host(session, host, sizeof host))
		return false;
	for (i = 0; i < n; i++)
		if (!strcmp(hosts[i], host))
			return true;
	return false;
}

/* Discord markdown: a backslash before every character that formats. */
static void md(struct buf *b, const char *s, size_t max)
{
	size_t start = b->len;
	for (; s && *s; s++) {
		if (b->len - start >= max)
			break;
		if (strchr("\\*_~`|>#[]()-", *s))
			buf_addch(b, '\\');
		buf_addch(b, *s == '\n' || *s == '\r' ? ' ' : *s);
	}
}

/* Cut text to `max` bytes without splitting a UTF-8 sequence, "…" added. */
static void cut_utf8(struct buf *b, size_t max)
{
	size_t n;
	if (b->len <= max)
		return;
	n = max - 3;
	while (n > 0 && ((unsigned char)b->data[n] & 0xC0) == 0x80)
		n--;
	buf_truncate(b, n);
	buf_addstr(b, "\xe2\x80\xa6");
}

static void field(struct json_object *fields, const char *name, const char *value, bool inl)
{
	struct json_object *f = json_object_new_object();
	json_object_object_add(f, "name", json_object_new_string(name));
	json_object_object_add(f, "value", json_object_new_string(value && *value ? value : "-"));
	json_object_object_add(f, "inline", json_object_new_boolean(inl));
	json_object_array_add(fields, f);
}

static int num(struct json_object *o, const char *k, int def)
{
	struct json_object *v;
	if (o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_int))
		return json_object_get_int(v);
	return def;
}

static void roster(struct json_object *session, struct buf *b)
{
	struct json_object *players;
	size_t i, n;
	if (!json_object_object_get_ex(session, "players", &players) ||
	    !json_object_is_type(players, json_type_array))
		return;
	n = json_object_array_length(players);
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(players, i), *team;
		if (b->len)
			buf_addch(b, '\n');
		if (json_object_object_get_ex(p, "team", &team) && json_object_is_type(team, json_type_int))
			buf_addf(b, "T%d ", json_object_get_int(team));
		if (flag(p, "host"))
			buf_addstr(b, "\xe2\x8c\x82 "); /* ⌂ */
		md(b, str(p, "name") ? str(p, "name") : "?", 64);
		if (b->len > DISCORD_FIELD_MAX)
			break;
	}
	cut_utf8(b, DISCORD_FIELD_MAX);
}

void bzcc_notify_payload(struct json_object *session, bool first, bool ended,
			 const char *base_url, struct buf *out)
{
	struct json_object *body = json_object_new_object(), *embed = json_object_new_object();
	struct json_object *embeds = json_object_new_array(), *fields = json_object_new_array();
	struct json_object *am = json_object_new_object(), *map, *mode, *type, *mod;
	struct buf t = BUF_INIT;
	const char *name = str(session, "name"), *id = str(session, "id");
	struct json_object *host = host_player(session);

	if (first) {
		buf_addstr(&t, "New game: **");
		md(&t, name && *name ? name : "(no name)", 100);
		buf_addstr(&t, "**");
		if (host && str(host, "name")) {
			buf_addstr(&t, " hosted by ");
			md(&t, str(host, "name"), 64);
		}
		json_object_object_add(body, "content", json_object_new_string(t.data));
	}
	buf_reset(&t);
	buf_addstr(&t, name && *name ? name : "(no name)");
	if (ended)
		buf_addstr(&t, " (ended)");
	cut_utf8(&t, DISCORD_TITLE_MAX);
	json_object_object_add(embed, "title", json_object_new_string(t.data));
	if (base_url && *base_url && id) {
		buf_reset(&t);
		buf_addstr(&t, base_url);
		while (t.len && t.data[t.len - 1] == '/')
			buf_truncate(&t, t.len - 1);
		buf_addstr(&t, "/bzcc/sessions/");
		for (const char *p = id; *p; p++) {
			if (isalnum((unsigned char)*p) || strchr("-._~:", *p))
				buf_addch(&t, *p);
			else
				buf_addf(&t, "%%%02X", (unsigned char)*p);
		}
		json_object_object_add(embed, "url", json_object_new_string(t.data));
	}
	if (str(session, "motd") && *str(session, "motd")) {
		buf_reset(&t);
		md(&t, str(session, "motd"), DISCORD_DESC_MAX - 200);
		json_object_object_add(embed, "description", json_object_new_string(t.data));
	}
	/* green while open, amber in game, grey when ended */
	json_object_object_add(embed, "color",
			       json_object_new_int(ended ? 0x808080
						   : (str(session, "state") && !strcmp(str(session, "state"), "in_game"))
							   ? 0xF0A020 : 0x30C060));
	buf_reset(&t);
	if (ended) {
		buf_addstr(&t, "Session ended");
	} else {
		buf_addstr(&t, str(session, "state_label") ? str(session, "state_label") : "?");
		if (num(session, "minutes_in_state", -1) >= 0)
			buf_addf(&t, " \xc2\xb7 %d min", num(session, "minutes_in_state", 0));
	}
	field(fields, "State", t.data, true);
	buf_reset(&t);
	buf_addf(&t, "%d/%d", num(session, "player_count", 0), num(session, "max_players", 0));
	field(fields, "Players", t.data, true);
	buf_reset(&t);
	if (json_object_object_get_ex(session, "map", &map))
		md(&t, str(map, "title") ? str(map, "title") : str(map, "file"), 100);
	field(fields, "Map", t.data, true);
	buf_reset(&t);
	if (json_object_object_get_ex(session, "game_type", &type) && str(type, "name"))
		md(&t, str(type, "name"), 40);
	if (json_object_object_get_ex(session, "game_mode", &mode) && str(mode, "name")) {
		buf_addstr(&t, t.len ? " / " : "");
		md(&t, str(mode, "name"), 40);
	}
	field(fields, "Mode", t.data, true);
	buf_reset(&t);
	if (json_object_object_get_ex(session, "mod", &mod))
		md(&t, str(mod, "name") ? str(mod, "name") : flag(mod, "stock") ? "Stock" : str(mod, "id"), 100);
	field(fields, "Mod", t.data, true);
	if (!ended) {
		buf_reset(&t);
		roster(session, &t);
		field(fields, "Roster", t.data, false);
	}
	json_object_object_add(embed, "fields", fields);
	{
		struct json_object *footer = json_object_new_object();
		json_object_object_add(footer, "text", json_object_new_string("GameWatch"));
		json_object_object_add(embed, "footer", footer);
	}
	json_object_array_add(embeds, embed);
	json_object_object_add(body, "embeds", embeds);
	json_object_object_add(am, "parse", json_object_new_array());
	json_object_object_add(body, "allowed_mentions", am);
	buf_reset(out);
	buf_addstr(out, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(body);
	buf_release(&t);
}

static bool host_listed(const char *hp, size_t n, const char *extra)
{
	const char *p = extra;
	while (p && *p) {
		size_t len;
		while (*p == ',' || *p == ' ')
			p++;
		len = strcspn(p, ", ");
		if (len && len == n && !strncasecmp(p, hp, n))
			return true;
		p += len;
	}
	return false;
}

int bzcc_notify_check_url(const char *url, const char *extra_hosts, char *err, size_t errlen)
{
	static const char *const discord[] = { "discord.com", "discordapp.com", "ptb.discord.com",
					       "canary.discord.com", NULL };
	const char *hp, *path;
	size_t n, i;
	bool https;
	if (!url || !*url) {
		snprintf(err, errlen, "The webhook URL is empty.");
		return -1;
	}
	if (strlen(url) > 512 || strpbrk(url, " \t\r\n\"'<>\\")) {
		snprintf(err, errlen, "The webhook URL is too long or holds spaces or quotes.");
		return -1;
	}
	https = !strncmp(url, "https://", 8);
	if (!https && strncmp(url, "http://", 7)) {
		snprintf(err, errlen, "The webhook URL must start with https://.");
		return -1;
	}
	hp = url + (https ? 8 : 7);
	n = strcspn(hp, "/?#");
	path = hp + n;
	if (!n || memchr(hp, '@', n)) {
		snprintf(err, errlen, "The webhook URL has no host (or holds a user name).");
		return -1;
	}
	if (host_listed(hp, n, extra_hosts))
		return 0;
	for (i = 0; https && discord[i]; i++) {
		if (strlen(discord[i]) == n && !strncasecmp(hp, discord[i], n)) {
			const char *q = path + strlen("/api/webhooks/");
			size_t idlen;
			if (strncmp(path, "/api/webhooks/", 14))
				break;
			idlen = strspn(q, "0123456789");
			if (!idlen || q[idlen] != '/' || !q[idlen + 1] ||
			    strspn(q + idlen + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
						  "0123456789-_") != strlen(q + idlen + 1))
				break;
			return 0;
		}
	}
	snprintf(err, errlen, "Not a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>).");
	return -1;
}

int bzcc_notify_parse_hosts(char *buf, const char **hosts, int max, char *err, size_t errlen)
{
	int n = 0;
	char *p = buf;
	while (*p) {
		char *start, *d;
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ',' && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
		d = !strncmp(start, "steam:", 6) ? start + 6 : !strncmp(start, "gog:", 4) ? start + 4 : NULL;
		if (!d || !*d || strspn(d, "0123456789") != strlen(d) || strlen(d) > 20) {
			snprintf(err, errlen, "\"%.40s\" is not steam:<SteamID64> or gog:<user id>.", start);
			return -1;
		}
		if (n == max) {
			snprintf(err, errlen, "At most %d hosts per webhook.", max);
			return -1;
		}
		hosts[n++] = start;
	}
	return n;
}
