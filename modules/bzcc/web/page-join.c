/* page-join.c: GET /bzcc/join/{hex}, the shareable join page (issue 9):
 * Open Graph tags describing the game for link previews (Discord, chat
 * apps), then the steam:// link that starts the game and joins it. The
 * {hex} is the game's own join argument (bzcc_join_hex(), docs/bzcc-format.md
 * 6), so the page works for as long as the game is listed and tells so
 * when it is not. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "modules/bzcc/domain/bzcc.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/web/lobby.h"
#include "modules/bzcc/web/page.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

static void og(struct json_object *list, const char *property, const char *content)
{
	struct json_object *o;
	if (!content || !*content)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "property", json_object_new_string(property));
	json_object_object_add(o, "content", json_object_new_string(content));
	json_object_array_add(list, o);
}

static const char *str_in(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v;
	if (!o || !json_object_object_get_ex(o, k1, &v) || !v)
		return NULL;
	if (k2 && (!json_object_object_get_ex(v, k2, &v) || !v))
		return NULL;
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The listed session with this NAT id, as a private decorated copy, or NULL. */
static struct json_object *live_session(struct app *app, const char *nat)
{
	struct json_object *doc, *sessions, *copy = NULL;
	const struct buf *json;
	size_t i;
	if (bzcc_current_lobby(app, &doc, &json) < 0 ||
	    !json_object_object_get_ex(doc, "sessions", &sessions))
		return NULL;
	for (i = 0; i < json_object_array_length(sessions); i++) {
		struct json_object *s = json_object_array_get_idx(sessions, i);
		const char *n = str_in(s, "nat_id", NULL);
		if (n && !strcmp(n, nat)) {
			if (json_object_deep_copy(s, &copy, NULL) < 0)
				return NULL;
			page_decorate_session(copy, time_now_ms());
			return copy;
		}
	}
	return NULL;
}

/* An absolute URL for a path of ours (og: tags must be absolute). */
static void absolute(struct buf *out, const struct app *app, const char *path)
{
	const char *base = app->cfg.app_base_url ? app->cfg.app_base_url : "";
	size_t n = strlen(base);
	if (!strncmp(path, "http://", 7) || !strncmp(path, "https://", 8)) {
		buf_addstr(out, path);
		return;
	}
	buf_add(out, base, n && base[n - 1] == '/' ? n - 1 : n);
	buf_addstr(out, path);
}

void page_join(struct app *app, struct req *r)
{
	char *name = NULL, *mods = NULL, *nat = NULL, *hex, *steam;
	struct json_object *ctx, *session, *list;
	struct buf page = BUF_INIT, desc = BUF_INIT, img = BUF_INIT, title = BUF_INIT;
	const char *sname, *mode, *map;
	size_t i, n;

	if (bzcc_join_decode(r->route_args[0], &name, &mods, &nat) < 0) {
		app_error(app, r, 400, "not a join link",
			  "A join link names a Battlezone: Combat Commander game in hex; this one"
			  " does not decode.");
		return;
	}
	n = strlen(r->route_args[0]);
	hex = malloc(n + 1);
	steam = malloc(n + 80);
	if (!hex || !steam)
		abort();
	for (i = 0; i <= n; i++)
		hex[i] = (char)tolower((unsigned char)r->route_args[0][i]);
	bzcc_join_steam_url(hex, steam, n + 80);

	session = live_session(app, nat);
	sname = session ? str_in(session, "name", NULL) : name;
	mode = session ? str_in(session, "game_mode", "name") : NULL;
	map = session ? (str_in(session, "map", "title") ? str_in(session, "map", "title")
			 : str_in(session, "map", "file")) : NULL;
	buf_addf(&title, "Join %s", sname && *sname ? sname : "a game");
	if (session) {
		struct json_object *v;
		int now = 0, max = 0;
		if (json_object_object_get_ex(session, "player_count", &v))
			now = json_object_get_int(v);
		if (json_object_object_get_ex(session, "max_players", &v))
			max = json_object_get_int(v);
		buf_addf(&desc, "Battlezone: Combat Commander%s%s%s%s · %d/%d players · %s",
			 mode ? " · " : "", mode ? mode : "", map ? " on " : "", map ? map : "",
			 now, max, str_in(session, "state_label", NULL) ? str_in(session, "state_label", NULL) : "");
		if (str_in(session, "map", "image_url"))
			absolute(&img, app, str_in(session, "map", "image_url"));
	} else {
		buf_addstr(&desc, "A Battlezone: Combat Commander game (not listed right now).");
	}
	buf_addstr(&page, "/bzcc/join/");
	buf_addstr(&page, hex);

	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string(title.data));
	json_object_object_add(ctx, "page_description", json_object_new_string(desc.data));
	list = json_object_new_array();
	og(list, "og:type", "website");
	og(list, "og:site_name", "GameWatch");
	og(list, "og:title", title.data);
	og(list, "og:description", desc.data);
	buf_reset(&title);
	absolute(&title, app, page.data);
	og(list, "og:url", title.data);
	og(list, "og:image", img.len ? img.data : NULL);
	og(list, "twitter:card", img.len ? "summary" : NULL);
	json_object_object_add(ctx, "og", list);
	json_object_object_add(ctx, "link_name", json_object_new_string(name));
	json_object_object_add(ctx, "link_mods", json_object_new_string(mods));
	json_object_object_add(ctx, "link_nat", json_object_new_string(nat));
	json_object_object_add(ctx, "steam_url", json_object_new_string(steam));
	json_object_object_add(ctx, "page_url", json_object_new_string(page.data));
	json_object_object_add(ctx, "session", session);
	app_render_page(app, r, 200, "join", ctx);
	json_object_put(ctx);
	buf_release(&page);
	buf_release(&desc);
	buf_release(&img);
	buf_release(&title);
	free(hex);
	free(steam);
	free(name);
	free(mods);
	free(nat);
}
