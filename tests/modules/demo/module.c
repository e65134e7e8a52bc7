/* module.c: the demo module (tests/modules/demo, never shipped): one JSON
 * route, one job and one migration, written only against the platform's
 * headers. It proves the module boundary (tests/integration/t82): copied
 * to modules/demo with one line added to modules/registry.am, it builds,
 * migrates after the platform and the other modules, lists its route and
 * job, and answers. It includes no other module's header. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "platform/module.h"
#include "platform/web/app.h"
#include "platform/web/req.h"

/* GET /api/v1/demo/notes: {"notes": [{"id", "body", "created_at"}...]},
 * the 20 newest; 503 JSON when the database is down. */
static void api_demo_notes(struct app *app, struct req *r)
{
	struct json_object *doc, *list;
	PGresult *res = db_exec(&app->db,
				"SELECT id, body, gw_iso(created_at) FROM demo.notes"
				" ORDER BY id DESC LIMIT 20", 0, NULL);
	int i;
	if (!res) {
		req_json_error(r, 503, "unavailable", "the database is not answering");
		return;
	}
	doc = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++) {
		struct json_object *n = json_object_new_object();
		json_object_object_add(n, "id", json_object_new_int64(strtoll(PQgetvalue(res, i, 0), NULL, 10)));
		json_object_object_add(n, "body", json_object_new_string(PQgetvalue(res, i, 1)));
		json_object_object_add(n, "created_at", json_object_new_string(PQgetvalue(res, i, 2)));
		json_object_array_add(list, n);
	}
	PQclear(res);
	json_object_object_add(doc, "notes", list);
	req_json(r, 200, doc);
	json_object_put(doc);
}

/* gamewatch-job demo-note [--text TEXT]: add one note (1..200 bytes). */
static int job_demo_note(const struct cfg *cfg, int argc, char **argv)
{
	const char *text = "hello from the demo module";
	struct db db;
	int ret;
	if (argc == 3 && !strcmp(argv[1], "--text")) {
		text = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: gamewatch-job demo-note [--text TEXT]\n");
		return 2;
	}
	if (!*text || strlen(text) > 200) {
		fprintf(stderr, "demo-note: --text must be 1..200 bytes\n");
		return 2;
	}
	if (db_open(&db, cfg->database_url) < 0) {
		db_close(&db);
		return 1;
	}
	{
		const char *params[] = { text };
		ret = db_run(&db, "INSERT INTO demo.notes (body) VALUES ($1)", 1, params) < 0 ? 1 : 0;
	}
	db_close(&db);
	if (!ret)
		log_info("note added");
	return ret;
}

static const struct route routes[] = {
	ROUTE_GET_API("/api/v1/demo/notes", api_demo_notes, "The demo module's newest notes"),
	ROUTE_END,
};

static const struct gw_job jobs[] = {
	{ "demo-note", job_demo_note, "add a note to the demo module [--text TEXT]",
	  "0 4 * * *", NULL, 60 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};

const struct gw_module gw_module_demo = {
	.name = "demo",
	.title = "Demo",
	.summary = "A minimal module that proves the module boundary (tests only)",
	.depends = NULL,
	.routes = routes,
	.jobs = jobs,
	.nav = NULL,
	.home = "/api/v1/demo/notes",
};
