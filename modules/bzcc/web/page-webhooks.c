/* page-webhooks.c: /bzcc/admin/webhooks, the admins' form for the Discord
 * webhooks that gamewatch-job notify delivers to (docs/realtime.md).
 *
 * Rows (module.c): GET with ROLE_ADMIN; POST with ROLE_ADMIN and csrf. The
 * dispatcher refuses both with 401 until accounts give someone the admin
 * role (issue 10; guard_role in platform/web/guard.c), so today the form is
 * reached only by tests of its logic (the URL and host checks,
 * domain/notify.h, in tests/unit/test_notify.c); `gamewatch-job webhook`
 * manages the same rows from the command line.
 *
 *   POST action=add url=URL hosts="steam:ID gog:ID" -> 303 to the list
 *   POST action=remove id=N                          -> 303 to the list
 * A refused input re-renders the form with 400 and the reason. */
#include <stdlib.h>
#include <string.h>

#include "modules/bzcc/domain/notify.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-notify.h"
#include "platform/web/app.h"
#include "platform/web/guard.h"
#include "platform/web/req.h"

static void render(struct app *app, struct req *r, int status, const char *error)
{
	struct json_object *ctx = json_object_new_object();
	struct json_object *list = bzcc_webhook_list(&app->db, true);
	json_object_object_add(ctx, "title", json_object_new_string("Discord webhooks"));
	json_object_object_add(ctx, "webhooks", list ? list : json_object_new_array());
	json_object_object_add(ctx, "csrf_token", json_object_new_string(guard_csrf_token(app, r)));
	if (error)
		json_object_object_add(ctx, "error", json_object_new_string(error));
	app_render_page(app, r, status, "webhooks", ctx);
	json_object_put(ctx);
}

void page_webhooks(struct app *app, struct req *r)
{
	const struct req_field *action, *f;
	char err[200];
	if (strcmp(r->method, "POST")) {
		render(app, r, 200, NULL);
		return;
	}
	action = req_field(r, "action");
	if (action && !strcmp(action->value, "add")) {
		const char *hosts[BZCC_NOTIFY_MAX_HOSTS];
		const struct req_field *url = req_field(r, "url");
		char *list;
		int n;
		f = req_field(r, "hosts");
		list = strdup(f ? f->value : "");
		n = bzcc_notify_parse_hosts(list, hosts, BZCC_NOTIFY_MAX_HOSTS, err, sizeof err);
		if (n >= 0 && bzcc_notify_check_url(url ? url->value : NULL, getenv("NOTIFY_WEBHOOK_HOSTS"),
						    err, sizeof err) == 0) {
			if (bzcc_webhook_add(&app->db, url->value, hosts, n) > 0)
				req_redirect(r, 303, "/bzcc/admin/webhooks");
			else
				render(app, r, 503, "The database did not answer. Try again in a moment.");
		} else {
			render(app, r, 400, err);
		}
		free(list);
		return;
	}
	if (action && !strcmp(action->value, "remove") && (f = req_field(r, "id")) && atoll(f->value) > 0) {
		if (bzcc_webhook_remove(&app->db, atoll(f->value)) >= 0)
			req_redirect(r, 303, "/bzcc/admin/webhooks");
		else
			render(app, r, 503, "The database did not answer. Try again in a moment.");
		return;
	}
	render(app, r, 400, "Unknown action: add (url, hosts) or remove (id).");
}
