/* hub.c: GET / — the front page. With one module enabled it is that
 * module's home page (served in place, so / and /<module>/ show the same);
 * with several, a hub with one live card per module. */
#include <string.h>

#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "platform/web/route.h"
#include "timeutil.h"

void page_front(struct app *app, struct req *r);

/* The route row of a module's home page. */
static const struct route *home_route(const struct gw_module *m)
{
	const struct route *rt;
	for (rt = m->routes; rt && rt->pattern; rt++)
		if (m->home && !strcmp(rt->pattern, m->home) && (rt->methods & M_GET))
			return rt;
	return NULL;
}

void page_front(struct app *app, struct req *r)
{
	const struct gw_module *const *mods = gw_modules();
	struct json_object *ctx, *cards;
	char when[32];

	if (gw_modules_count() == 1) {
		const struct route *home = home_route(mods[0]);
		if (home) {
			r->module = mods[0];
			home->fn(app, r);
			return;
		}
	}
	ctx = json_object_new_object();
	cards = json_object_new_array();
	for (; *mods; mods++) {
		struct json_object *card = json_object_new_object();
		json_object_object_add(card, "name", json_object_new_string((*mods)->name));
		json_object_object_add(card, "title", json_object_new_string((*mods)->title));
		json_object_object_add(card, "summary",
				       json_object_new_string((*mods)->summary ? (*mods)->summary : ""));
		json_object_object_add(card, "href",
				       json_object_new_string((*mods)->home ? (*mods)->home : "/"));
		if ((*mods)->hub_card)
			(*mods)->hub_card(app, card);
		json_object_array_add(cards, card);
	}
	json_object_object_add(ctx, "title", json_object_new_string("Every game"));
	json_object_object_add(ctx, "modules", cards);
	json_object_object_add(ctx, "generated_at",
			       json_object_new_string(time_iso8601(time_now_ms(), when, sizeof when)));
	app_render_page(app, r, 200, "hub", ctx);
	json_object_put(ctx);
}
