/* job-user.c: `gamewatch-job user`, local accounts from the command line
 * (the first admin of a new site, before anyone can sign in through the
 * browser):
 *
 *   gamewatch-job user add NAME [--role user|curator|admin] [--password-stdin]
 *   gamewatch-job user passwd NAME [--password-stdin]
 *   gamewatch-job user role NAME user|curator|admin
 *   gamewatch-job user list
 *
 * The password is read from the first line of standard input with
 * --password-stdin (at least PW_MIN_LEN bytes), else one of 20 random
 * letters and digits is made and printed once on standard output. Only its
 * Argon2id hash is stored (password.h); it is never logged. NAME is the
 * login name (compared case-insensitively) and the display name. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "platform/accounts/accounts.h"
#include "platform/admin/audit.h"
#include "platform/accounts/password.h"
#include "platform/jobs/job.h"

static int usage(void)
{
	fprintf(stderr, "usage: gamewatch-job user add NAME [--role user|curator|admin] [--password-stdin]\n"
			"       gamewatch-job user passwd NAME [--password-stdin]\n"
			"       gamewatch-job user role NAME user|curator|admin\n"
			"       gamewatch-job user list\n");
	return 2;
}

/* The password: from stdin (first line) or generated and printed. 0, or -1
 * (logged) when the one read is too short or too long. */
static int get_password(bool from_stdin, char *out, size_t outlen)
{
	if (from_stdin) {
		size_t n;
		if (!fgets(out, (int)outlen, stdin)) {
			log_error("no password on standard input");
			return -1;
		}
		n = strcspn(out, "\r\n");
		if (out[n] == '\0' && n == outlen - 1) {
			log_error("the password is longer than %d bytes", PW_MAX_LEN);
			return -1;
		}
		out[n] = '\0';
		if (n < PW_MIN_LEN) {
			log_error("the password must be at least %d bytes", PW_MIN_LEN);
			return -1;
		}
		return 0;
	}
	pw_generate(out, 20);
	printf("password: %s\n(shown once: keep it in a password manager)\n", out);
	fflush(stdout);
	return 0;
}

int job_user(const struct cfg *cfg, int argc, char **argv)
{
	struct db db;
	const char *cmd, *name = NULL, *role = "user";
	bool from_stdin = false;
	char pw[PW_MAX_LEN + 2], hash[PW_ENCODED_MAX];
	int i, rc = 1;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	if (!strcmp(cmd, "list")) {
		if (argc != 2)
			return usage();
	} else if (!strcmp(cmd, "role")) {
		if (argc != 4)
			return usage();
		name = argv[2];
		role = argv[3];
	} else if (!strcmp(cmd, "add") || !strcmp(cmd, "passwd")) {
		if (argc < 3)
			return usage();
		name = argv[2];
		for (i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "--password-stdin"))
				from_stdin = true;
			else if (!strcmp(argv[i], "--role") && i + 1 < argc && !strcmp(cmd, "add"))
				role = argv[++i];
			else
				return usage();
		}
	} else {
		return usage();
	}
	if (name && !acct_name_ok(name)) {
		log_error("NAME must be 1 to %d bytes of text", ACCT_NAME_MAX);
		return 2;
	}
	if (acct_role_parse(role) < 0) {
		log_error("role must be user, curator or admin");
		return 2;
	}
	if (db_open(&db, cfg->database_url) < 0)
		return 1;

	if (!strcmp(cmd, "list")) {
		PGresult *res = db_exec(&db, "SELECT u.id, u.name, u.role,"
					     " coalesce(string_agg(i.provider, ',' ORDER BY i.id), ''),"
					     " CASE WHEN u.banned_at IS NULL THEN '' ELSE 'banned' END"
					     " FROM users u LEFT JOIN user_identities i ON i.user_id = u.id"
					     " GROUP BY u.id ORDER BY u.id", 0, NULL);
		if (res) {
			printf("%-6s %-24s %-8s %-16s %s\n", "id", "name", "role", "sign-in", "");
			for (i = 0; i < PQntuples(res); i++)
				printf("%-6s %-24s %-8s %-16s %s\n", PQgetvalue(res, i, 0),
				       PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
				       PQgetvalue(res, i, 4));
			PQclear(res);
			rc = 0;
		}
	} else if (!strcmp(cmd, "role")) {
		/* the change and its audit entry in one transaction */
		char key[ACCT_NAME_MAX + 1];
		const char *params[2] = { key, role };
		PGresult *res;
		acct_login_key(name, key, sizeof key);
		if (db_begin(&db) < 0)
			goto out;
		res = db_exec(&db, "WITH old AS (SELECT u.id, u.role FROM users u JOIN user_identities i"
				   "  ON i.user_id = u.id WHERE i.provider = 'local' AND i.external_id = $1"
				   "  FOR UPDATE OF u)"
				   " UPDATE users u SET role = $2 FROM old WHERE u.id = old.id"
				   " RETURNING u.id, old.role", 2, params);
		if (res && PQntuples(res) == 1) {
			char target[40];
			struct json_object *before = json_object_new_object(), *after = json_object_new_object();
			snprintf(target, sizeof target, "user:%s", PQgetvalue(res, 0, 0));
			json_object_object_add(before, "role", json_object_new_string(PQgetvalue(res, 0, 1)));
			json_object_object_add(after, "role", json_object_new_string(role));
			if (audit_write_cli(&db, "user.role", target, before, after) == 0 && db_commit(&db) == 0) {
				log_info("%s is now %s", name, role);
				rc = 0;
			}
			json_object_put(before);
			json_object_put(after);
		} else if (res) {
			log_error("no local account named \"%s\"", name);
		}
		if (res)
			PQclear(res);
		if (rc)
			db_rollback(&db);
	} else {
		int64_t uid = 0;
		bool banned;
		struct buf old = BUF_INIT;
		int have = acct_local_lookup(&db, name, &uid, &old, &banned);
		buf_release(&old);
		if (have < 0)
			goto out;
		if (!strcmp(cmd, "add") && have) {
			log_error("a local account named \"%s\" exists already (gamewatch-job user passwd)", name);
			rc = 2;
			goto out;
		}
		if (!strcmp(cmd, "passwd") && !have) {
			log_error("no local account named \"%s\"", name);
			rc = 2;
			goto out;
		}
		if (get_password(from_stdin, pw, sizeof pw) < 0) {
			rc = 2;
			goto out;
		}
		if (pw_hash(pw, hash, sizeof hash) < 0) {
			log_error("the password could not be hashed (libargon2)");
			goto out;
		}
		if (!strcmp(cmd, "add")) {
			struct acct_profile p;
			memset(&p, 0, sizeof p);
			snprintf(p.provider, sizeof p.provider, "local");
			acct_login_key(name, p.external_id, sizeof p.external_id);
			snprintf(p.name, sizeof p.name, "%s", name);
			uid = acct_user_create(&db, &p, role, hash);
			if (uid == -2)
				log_error("a local account named \"%s\" exists already", name);
			if (uid > 0) {
				/* acct_user_create commits on its own: the entry follows it */
				char target[40];
				struct json_object *after = json_object_new_object();
				snprintf(target, sizeof target, "user:%" PRId64, uid);
				json_object_object_add(after, "name", json_object_new_string(name));
				json_object_object_add(after, "role", json_object_new_string(role));
				json_object_object_add(after, "provider", json_object_new_string("local"));
				if (audit_write_cli(&db, "user.add", target, NULL, after) < 0)
					log_error("user %" PRId64 " added, but its audit entry could not be written", uid);
				else
					rc = 0;
				json_object_put(after);
				log_info("user %" PRId64 " \"%s\" added as %s", uid, name, role);
			}
		} else if (db_begin(&db) == 0) {
			/* new password, sessions signed out and the entry: one transaction */
			char target[40];
			long revoked = -1;
			struct json_object *after = json_object_new_object();
			snprintf(target, sizeof target, "user:%" PRId64, uid);
			if (acct_set_password(&db, uid, hash) == 0 &&
			    (revoked = acct_revoke_sessions(&db, uid, NULL)) >= 0) {
				json_object_object_add(after, "sessions_revoked", json_object_new_int64(revoked));
				if (audit_write_cli(&db, "user.password", target, NULL, after) == 0 &&
				    db_commit(&db) == 0) {
					log_info("password of \"%s\" changed; its sessions are signed out", name);
					rc = 0;
				}
			}
			json_object_put(after);
			if (rc)
				db_rollback(&db);
		}
	}
out:
	memset(pw, 0, sizeof pw);
	db_close(&db);
	return rc;
}
