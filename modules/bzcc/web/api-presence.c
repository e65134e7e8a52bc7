/* api-presence.c: GET /api/v1/presence/in_game: for each live session, its
 * players whose platform account is linked to a GameWatch account (a
 * person verified by signing in with it): {"sessions": {"<session id>":
 * [{"user_id", "name", "profile_url", "player_name", "player_id", "team",
 * "leader"}]}, "players": n, "time"}. */
#include "modules/bzcc/module.h"
#include "modules/bzcc/store/bzcc-accounts.h"
#include "platform/web/app.h"
#include "platform/web/req.h"
#include "timeutil.h"

void api_presence_in_game(struct app *app, struct req *r)
{
	struct json_object *o = bzcc_presence_in_game(&app->db);
	char when[32];
	if (!o) {
		req_json_error(r, 503, "database unavailable", "Try again in a moment.");
		return;
	}
	json_object_object_add(o, "time", json_object_new_string(time_iso8601(time_now_ms(), when, sizeof when)));
	req_json(r, 200, o);
	json_object_put(o);
}
