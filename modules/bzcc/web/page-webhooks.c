/* page-webhooks.c: /bzcc/admin/webhooks, the admins' form for the Discord
 * webhooks that gamewatch-job notify delivers to (docs/realtime.md).
 *
 * Rows (module.c): GET with ROLE_ADMIN; POST with ROLE_ADMIN and csrf, both
 * enforced by the dispatcher (guard_role, guard_csrf). `gamewatch-job
 * webhook` manages the same rows from the command line.
 *
 *   POST action=add url=URL hosts="steam:ID gog:ID" -> 303 to the list
 *   POST action=remove id=N                          -> 303 to the list
 * A refused input re-renders the form with 400 and the reason. Each change
 * writes its audit entry (platform/admin/audit.h: "webhook.add",
 * "webhook.remove", target "webhook:ID", before/after the webhook as the
 * list shows it, its token redacted) in the same transaction; removing an
 * id that is not there changes nothing and is not audited. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/bzcc/domain/notify.h"
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-notify.h"
#include "platform/admin/audit.h"
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

/* The webhook `id` in a list from bzcc_webhook_list (borrowed), or NULL. */
static struct json_object *find(struct json_object *list, int64_t id)
{
	size_t i, n = list ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *w = json_object_array_get_idx(list, i), *v;
		if (json_object_object_get_ex(w, "id", &v) && json_object_get_int64(v) == id)
			return w;
	}
	return NULL;
}

/* Add (id 0: url/hosts) or remove (id > 0) a webhook with its audit entry,
 * in one transaction. Returns 0 done, 1 nothing to remove, -1 database. */
static int change(struct app *app, struct req *r, const char *url, const char *const *hosts, int n,
		  int64_t id)
{
	struct json_object *before = NULL, *after = NULL;
	char target[40];
	int rc = -1;
	if (db_begin(&app->db) < 0)
		return -1;
	if (!(before = bzcc_webhook_list(&app->db, true)))
		goto out;
	if (url) {
		if ((id = bzcc_webhook_add(&app->db, url, hosts, n)) <= 0 ||
		    !(after = bzcc_webhook_list(&app->db, true)))
			goto out;
	} else {
		int removed = bzcc_webhook_remove(&app->db, id);
		if (removed <= 0) {
			rc = removed == 0 ? 1 : -1;
			goto out;
		}
	}
	snprintf(target, sizeof target, "webhook:%" PRId64, id);
	if (audit_write(&app->db, r, url ? "webhook.add" : "webhook.remove", target, find(before, id),
			find(after, id)) < 0 ||
	    db_commit(&app->db) < 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		db_rollback(&app->db);
	json_object_put(before);
	json_object_put(after);
	return rc;
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
			if (change(app, r, url->value, hosts, n, 0) == 0)
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
		if (change(app, r, NULL, NULL, 0, atoll(f->value)) >= 0)
			req_redirect(r, 303, "/bzcc/admin/webhooks");
		else
			render(app, r, 503, "The database did not answer. Try again in a moment.");
		return;
	}
	render(app, r, 400, "Unknown action: add (url, hosts) or remove (id).");
}
