/* web.h: the handlers of the accounts and admin pages (their rows are in
 * platform/web/route.c) and the helpers they share. Each handler serves the
 * row named beside it; the dispatcher has already checked method, role,
 * body limit and CSRF (route.h). Failures answer through app_error: 400
 * bad input, 404 unknown id, 409 conflict, 503 database unavailable. */
#ifndef GW_ACCOUNTS_WEB_H
#define GW_ACCOUNTS_WEB_H

#include <json-c/json.h>
#include <stdint.h>

struct app;
struct req;

/* Render `page` like app_render_page, with "me" (the signed-in user:
 * {"id", "name", "role", "is_curator", "is_admin"}, absent when nobody is)
 * and "csrf_token" (guard_csrf_token) added to `ctx` (not consumed). */
void acct_render(struct app *app, struct req *r, int status, const char *page,
		 struct json_object *ctx);

/* A form field's value (NULL when absent), from the parsed body. */
const char *acct_field(const struct req *r, const char *name);

/* 303 See Other to a local path. */
void acct_see_other(struct req *r, const char *path);

/* The id in r->route_args[i] as a positive integer, or -1. */
int64_t acct_arg_id(const struct req *r, int i);

/* platform/accounts/web-auth.c */
void page_login(struct app *app, struct req *r);            /* GET /login */
void form_login(struct app *app, struct req *r);            /* POST /login */
void form_logout(struct app *app, struct req *r);           /* POST /logout */
void page_auth_begin(struct app *app, struct req *r);       /* GET /auth/{provider} */
void page_auth_callback(struct app *app, struct req *r);    /* GET /auth/{provider}/callback */
void form_account_link(struct app *app, struct req *r);     /* POST /account/link/{provider} */

/* platform/accounts/web-account.c */
void page_account(struct app *app, struct req *r);          /* GET /account */
void form_account_unlink(struct app *app, struct req *r);   /* POST /account/identities/{id}/unlink */
void form_account_revoke(struct app *app, struct req *r);   /* POST /account/sessions/revoke */
void page_watch_confirm(struct app *app, struct req *r);    /* GET /account/watch */
void form_watch_add(struct app *app, struct req *r);        /* POST /account/watch */
void form_watch_remove(struct app *app, struct req *r);     /* POST /account/watch/remove */
void page_filter_new(struct app *app, struct req *r);       /* GET /account/filters/new */
void form_filter_add(struct app *app, struct req *r);       /* POST /account/filters */
void form_filter_delete(struct app *app, struct req *r);    /* POST /account/filters/{id}/delete */
void page_account_export(struct app *app, struct req *r);   /* GET /account/export */
void form_account_delete(struct app *app, struct req *r);   /* POST /account/delete */
void page_user(struct app *app, struct req *r);             /* GET /users/{id} */
void api_presence_site(struct app *app, struct req *r);     /* GET /api/v1/presence/site */

/* platform/admin/web-curation.c */
void page_curation_propose(struct app *app, struct req *r); /* GET /curation/propose */
void form_curation_propose(struct app *app, struct req *r); /* POST /curation/propose */
void page_admin_curation(struct app *app, struct req *r);   /* GET /admin/curation */
void form_curation_approve(struct app *app, struct req *r); /* POST /admin/curation/{id}/approve */
void form_curation_reject(struct app *app, struct req *r);  /* POST /admin/curation/{id}/reject */
void form_curation_remirror(struct app *app, struct req *r); /* POST /admin/curation/remirror */

/* platform/admin/web-admin.c */
void page_admin_index(struct app *app, struct req *r);      /* GET /admin/ */
void page_admin_health(struct app *app, struct req *r);     /* GET /admin/health */
void page_admin_logs(struct app *app, struct req *r);       /* GET /admin/logs */
void page_admin_cache(struct app *app, struct req *r);      /* GET /admin/cache */
void form_admin_cache(struct app *app, struct req *r);      /* POST /admin/cache */
void page_admin_flags(struct app *app, struct req *r);      /* GET /admin/flags */
void form_admin_flags(struct app *app, struct req *r);      /* POST /admin/flags */
void page_admin_users(struct app *app, struct req *r);      /* GET /admin/users */
void form_admin_user_role(struct app *app, struct req *r);  /* POST /admin/users/{id}/role */
void form_admin_user_ban(struct app *app, struct req *r);   /* POST /admin/users/{id}/ban */
void form_admin_user_unban(struct app *app, struct req *r); /* POST /admin/users/{id}/unban */
void form_admin_user_revoke(struct app *app, struct req *r); /* POST /admin/users/{id}/revoke */
void page_admin_audit(struct app *app, struct req *r);      /* GET /admin/audit */

#endif
