/* job-server.c: `gamewatch-job mohaa-server`, the admin's registration of
 * game servers (the web form needs the platform's accounts, issue 10).
 *
 *   mohaa-server add NAME      register; prints the token once (stdout)
 *   mohaa-server rotate NAME   a new token; the old one stops working
 *   mohaa-server revoke NAME   the token stops working
 *   mohaa-server list          every server (JSON), never a token
 *
 * The token goes into tracker.scr's level.server_token; only its SHA-256
 * is stored (store/servers.h). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <json-c/json.h>

#include "db.h"
#include "log.h"
#include "modules/mohaa/module.h"
#include "modules/mohaa/store/servers.h"

static int usage(void)
{
	fprintf(stderr, "usage: gamewatch-job mohaa-server add NAME | rotate NAME | revoke NAME | list\n");
	return 2;
}

int job_mohaa_server(const struct cfg *cfg, int argc, char **argv)
{
	struct db db;
	char token[MOHAA_TOKEN_LEN + 1];
	int ret = 1;

	if (argc < 2 || (strcmp(argv[1], "list") && argc != 3) ||
	    (!strcmp(argv[1], "list") && argc != 2))
		return usage();
	if (db_open(&db, cfg->database_url) < 0) {
		db_close(&db);
		return 1;
	}
	if (!strcmp(argv[1], "add")) {
		int64_t id = mohaa_server_add(&db, argv[2], token);
		if (id > 0) {
			printf("%s\n", token);
			fprintf(stderr, "server \"%s\" registered (id %lld); the token above is shown only once:"
					" put it in tracker.scr (level.server_token)\n", argv[2], (long long)id);
			ret = 0;
		} else if (id == 0) {
			fprintf(stderr, "mohaa-server: \"%s\" is taken or not a valid name (1..64 characters)\n",
				argv[2]);
		}
	} else if (!strcmp(argv[1], "rotate")) {
		int r = mohaa_server_rotate(&db, argv[2], token);
		if (r > 0) {
			printf("%s\n", token);
			ret = 0;
		} else if (r == 0) {
			fprintf(stderr, "mohaa-server: no server \"%s\"\n", argv[2]);
		}
	} else if (!strcmp(argv[1], "revoke")) {
		int r = mohaa_server_revoke(&db, argv[2]);
		if (r > 0)
			ret = 0;
		else if (r == 0)
			fprintf(stderr, "mohaa-server: no active server \"%s\"\n", argv[2]);
	} else if (!strcmp(argv[1], "list")) {
		struct json_object *l = mohaa_server_list(&db);
		if (l) {
			printf("%s\n", json_object_to_json_string_ext(l, JSON_C_TO_STRING_PRETTY));
			json_object_put(l);
			ret = 0;
		}
	} else {
		ret = usage();
	}
	OPENSSL_cleanse(token, sizeof token);
	db_close(&db);
	return ret;
}
