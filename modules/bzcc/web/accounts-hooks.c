/* accounts-hooks.c: what BZCC offers the platform's accounts and admin
 * pages (struct gw_account_hooks, platform/module.h): the things a user
 * may watch, the entities people may correct (maps: title, description,
 * picture; mods: name, picture), the module's admin pages, and the recent
 * sessions on a user's public profile. */
#include <string.h>

#include "html.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-accounts.h"
#include "platform/web/app.h"
#include "platform/web/req.h"

const struct gw_watch_kind bzcc_watch_kinds[] = {
	{ "session", "Session", "/bzcc/sessions/" },
	{ "host", "Host", "/bzcc/players/" },
	{ "map", "Map", "/bzcc/maps/" },
	{ "mod", "Mod", "/bzcc/mods/" },
	{ NULL, NULL, NULL },
};

static void add_href(struct json_object *o, const char *prefix, const char *key)
{
	struct buf h = BUF_INIT;
	buf_addstr(&h, prefix);
	url_path(&h, key);
	json_object_object_add(o, "href", json_object_new_string(h.data));
	buf_release(&h);
}

static struct json_object *map_current(struct db *db, const char *key, const char *cdn, int *err)
{
	int found;
	struct json_object *o = bzcc_map_facts(db, key, cdn, &found);
	*err = found < 0 ? -1 : 0;
	if (o)
		add_href(o, "/bzcc/maps/", key);
	return o;
}

static struct json_object *mod_current(struct db *db, const char *key, const char *cdn, int *err)
{
	int found;
	struct json_object *o = bzcc_mod_facts(db, key, cdn, &found);
	*err = found < 0 ? -1 : 0;
	if (o)
		add_href(o, "/bzcc/mods/", key);
	return o;
}

static const char *const map_fields[] = { "title", "description", NULL };
static const char *const mod_fields[] = { "name", NULL };

const struct gw_curation_kind bzcc_curation_kinds[] = {
	{ "map", "Map", map_fields, 1, map_current },
	{ "mod", "Mod", mod_fields, 1, mod_current },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct gw_nav bzcc_admin_nav[] = {
	{ "BZCC lobby tester", "/bzcc/admin/lobby" },
	{ "BZCC sessions", "/bzcc/admin/sessions" },
	{ "BZCC snapshots", "/bzcc/admin/snapshots" },
	{ "BZCC Discord webhooks", "/bzcc/admin/webhooks" },
	{ NULL, NULL },
};

struct json_object *bzcc_profile_activity(struct app *app, struct json_object *identities)
{
	struct json_object *rows = bzcc_recent_sessions_of(&app->db, identities), *out, *items;
	size_t i, n;
	if (!rows)
		return NULL;
	out = json_object_new_object();
	items = json_object_new_array();
	n = json_object_array_length(rows);
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(rows, i), *o = json_object_new_object(), *v;
		const char *name = json_object_object_get_ex(s, "name", &v) ? json_object_get_string(v) : "";
		json_object_object_add(o, "label", json_object_new_string(*name ? name : "(unnamed)"));
		if (json_object_object_get_ex(s, "id", &v))
			add_href(o, "/bzcc/sessions/", json_object_get_string(v));
		json_object_object_add(o, "when", json_object_object_get_ex(s, "last_seen_at", &v)
				       ? json_object_get(v) : NULL);
		json_object_object_add(o, "detail", json_object_object_get_ex(s, "map_file", &v)
				       ? json_object_get(v) : NULL);
		json_object_array_add(items, o);
	}
	json_object_put(rows);
	json_object_object_add(out, "title", json_object_new_string("Recent Battlezone: Combat Commander sessions"));
	json_object_object_add(out, "items", items);
	return out;
}

void bzcc_account_links(struct json_object *ctx, const char *kind, const char *key,
			const char *label, int curate)
{
	struct buf u = BUF_INIT;
	buf_addstr(&u, "/account/watch?module=bzcc&kind=");
	url_arg(&u, kind);
	buf_addstr(&u, "&key=");
	url_arg(&u, key);
	buf_addstr(&u, "&label=");
	url_arg(&u, label && *label ? label : key);
	json_object_object_add(ctx, "watch_url", json_object_new_string(u.data));
	if (curate) {
		buf_reset(&u);
		buf_addstr(&u, "/curation/propose?module=bzcc&kind=");
		url_arg(&u, kind);
		buf_addstr(&u, "&key=");
		url_arg(&u, key);
		json_object_object_add(ctx, "propose_url", json_object_new_string(u.data));
	}
	buf_release(&u);
}

void bzcc_save_filter_link(struct json_object *ctx, const struct req *r)
{
	struct buf path = BUF_INIT, u = BUF_INIT;
	buf_addstr(&path, r->raw_path);
	if (r->raw_query && *r->raw_query) {
		buf_addch(&path, '?');
		buf_addstr(&path, r->raw_query);
	}
	buf_addstr(&u, "/account/filters/new?path=");
	url_arg(&u, path.data);
	json_object_object_add(ctx, "save_filter_url", json_object_new_string(u.data));
	buf_release(&path);
	buf_release(&u);
}
