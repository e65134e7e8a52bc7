/* test_kv.c: core/kv.c against a real redis-server that requires a password
 * (started here on a free 127.0.0.1 port, in a temp dir, stopped at the end):
 * the right password works (also as USER:PASSWORD, percent-encoded, after a
 * reconnect and with a database number), no password gets NOAUTH, a wrong
 * one is refused at kv_open(), and no log line carries the password. Needs
 * redis-server on PATH (the redis-server package, which ./dev installs). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cu.h"
#include <json-c/json.h>

#include "kv.h"

static pid_t server_pid = -1;
static int server_port;
static char server_dir[] = "/tmp/gw-test-kv.XXXXXX";
static char password[33]; /* random hex, as ./dev makes it */
static char url[256];

/* A port the kernel considers free right now. */
static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void random_hex(char *out, size_t nbytes)
{
	unsigned char b[64];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t i;
	if (!f || fread(b, 1, nbytes, f) != nbytes)
		abort();
	fclose(f);
	for (i = 0; i < nbytes; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* The server answers (anything, NOAUTH included) within ~5 s? */
static int server_answers(void)
{
	int i;
	for (i = 0; i < 100; i++) {
		struct timeval tv = { 0, 200000 };
		redisContext *c = redisConnectWithTimeout("127.0.0.1", server_port, tv);
		int status;
		if (c && !c->err) {
			redisReply *r = redisCommand(c, "PING");
			int up = r != NULL;
			if (r)
				freeReplyObject(r);
			redisFree(c);
			if (up)
				return 1;
		} else if (c) {
			redisFree(c);
		}
		if (waitpid(server_pid, &status, WNOHANG) == server_pid) {
			server_pid = -1;
			return 0;
		}
		usleep(50000);
	}
	return 0;
}

static int start_server(void)
{
	char port[16], sock[300];
	random_hex(password, 16);
	if (!mkdtemp(server_dir))
		return -1;
	snprintf(sock, sizeof sock, "%s/redis.sock", server_dir);
	server_port = free_port();
	if (server_port <= 0)
		return -1;
	snprintf(port, sizeof port, "%d", server_port);
	server_pid = fork();
	if (server_pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port", port,
		       "--requirepass", password, "--dir", server_dir, "--save", "",
		       "--appendonly", "no", "--daemonize", "no", "--unixsocket", sock,
		       "--unixsocketperm", "700", (char *)NULL);
		_exit(127);
	}
	if (server_pid < 0 || !server_answers()) {
		fprintf(stderr, "test_kv: redis-server did not start (is it installed? "
				"apt-get install redis-server)\n");
		return -1;
	}
	snprintf(url, sizeof url, "redis://:%s@127.0.0.1:%d/0", password, server_port);
	return 0;
}

static int stop_server(void)
{
	char path[512];
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	/* redis-server may leave nothing, or a dump it was told not to make */
	snprintf(path, sizeof path, "%s/dump.rdb", server_dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/redis.sock", server_dir);
	unlink(path);
	rmdir(server_dir);
	return 0;
}

/* stderr (where log.c writes) captured into a file while `fn` runs. */
static char captured[8192];
static void capture_stderr(void (*fn)(void *), void *arg)
{
	char tmpl[] = "/tmp/gw-test-kv-log.XXXXXX";
	int fd = mkstemp(tmpl), saved = dup(2);
	ssize_t n;
	CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, captured, sizeof captured - 1);
	captured[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(tmpl);
}

static int set_get(struct kv *kv, const char *key, const char *value)
{
	const char *argv[] = { "SET", key, value };
	redisReply *r = kv_cmd(kv, 3, argv, NULL);
	struct buf got = BUF_INIT;
	int ok = r && r->type == REDIS_REPLY_STATUS;
	if (r)
		freeReplyObject(r);
	ok = ok && kv_get(kv, key, &got) == 1 && !strcmp(got.data, value);
	buf_release(&got);
	return ok;
}

static void test_right_password(void)
{
	struct kv kv;
	CU_ASSERT_EQUAL_FATAL(kv_open(&kv, url, 1000), 0);
	CU_ASSERT_TRUE(kv_ping(&kv));
	CU_ASSERT_TRUE(set_get(&kv, "gw:test:kv", "right"));
	/* a dropped connection comes back authenticated */
	redisFree(kv.ctx);
	kv.ctx = NULL;
	CU_ASSERT_TRUE(kv_ping(&kv));
	CU_ASSERT_TRUE(set_get(&kv, "gw:test:kv", "again"));
	kv_close(&kv);
	CU_ASSERT_PTR_NULL(kv.password);
}

static void test_user_and_password(void)
{
	struct kv kv;
	char u[300];
	/* Redis 6+: requirepass is the password of the "default" ACL user */
	snprintf(u, sizeof u, "redis://default:%s@127.0.0.1:%d", password, server_port);
	CU_ASSERT_EQUAL_FATAL(kv_open(&kv, u, 1000), 0);
	CU_ASSERT_STRING_EQUAL(kv.user, "default");
	CU_ASSERT_TRUE(kv_ping(&kv));
	kv_close(&kv);
	/* a password alone before the '@' (redis-cli's reading) */
	snprintf(u, sizeof u, "redis://%s@127.0.0.1:%d", password, server_port);
	CU_ASSERT_EQUAL_FATAL(kv_open(&kv, u, 1000), 0);
	CU_ASSERT_PTR_NULL(kv.user);
	CU_ASSERT_TRUE(kv_ping(&kv));
	kv_close(&kv);
}

/* unix://[[USER]:PASSWORD@]/path[?db=N]: the socket, with AUTH */
static void test_unix_socket(void)
{
	struct kv kv;
	char u[400];
	snprintf(u, sizeof u, "unix://:%s@%s/redis.sock?db=2", password, server_dir);
	CU_ASSERT_EQUAL_FATAL(kv_open(&kv, u, 1000), 0);
	CU_ASSERT_TRUE(kv.unix_socket);
	CU_ASSERT_EQUAL(kv.dbnum, 2);
	CU_ASSERT_TRUE(kv_ping(&kv));
	CU_ASSERT_TRUE(set_get(&kv, "gw:test:kv:unix", "socket"));
	kv_close(&kv);
	snprintf(u, sizeof u, "unix://default:%s@%s/redis.sock", password, server_dir);
	CU_ASSERT_EQUAL_FATAL(kv_open(&kv, u, 1000), 0);
	CU_ASSERT_STRING_EQUAL(kv.user, "default");
	CU_ASSERT_TRUE(kv_ping(&kv));
	kv_close(&kv);
	/* the socket without the password connects, and is refused */
	snprintf(u, sizeof u, "unix://%s/redis.sock", server_dir);
	CU_ASSERT_EQUAL_FATAL(kv_open(&kv, u, 1000), 0);
	CU_ASSERT_FALSE(kv_ping(&kv));
	kv_close(&kv);
	/* a path holding '@' is a path, not userinfo (the connection fails,
	 * the parsed URL stays for kv_ensure's retries) */
	CU_ASSERT_EQUAL(kv_open(&kv, "unix:///nonexistent/redis@1.sock", 200), -1);
	CU_ASSERT_STRING_EQUAL(kv.host ? kv.host : "(invalid)", "/nonexistent/redis@1.sock");
	CU_ASSERT_PTR_NULL(kv.password);
	kv_close(&kv);
	/* no path after the authority */
	CU_ASSERT_EQUAL(kv_open(&kv, "unix://:pw@", 1000), -1);
	CU_ASSERT_EQUAL(kv_open(&kv, "unix://relative.sock", 1000), -1);
}

/* kv_get_versioned_json: read when the version moved, not otherwise;
 * malformed or missing keys leave the caller's copy alone. */
static void test_versioned_json(void)
{
	struct kv kv;
	struct json_object *doc = NULL, *kept;
	long long version = 0;
	const char *del[] = { "DEL", "gw:test:doc", "gw:test:ver" };
	const char *setd[] = { "SET", "gw:test:doc", "{\"n\":1}" };
	const char *setv[] = { "SET", "gw:test:ver", "7" };
	const char *bad[] = { "SET", "gw:test:doc", "[1]" };
	const char *bump[] = { "INCR", "gw:test:ver" };
	redisReply *r;
	CU_ASSERT_EQUAL_FATAL(kv_open(&kv, url, 1000), 0);
	r = kv_cmd(&kv, 3, del, NULL);
	freeReplyObject(r);
	/* nothing published yet */
	CU_ASSERT_EQUAL(kv_get_versioned_json(&kv, "gw:test:doc", "gw:test:ver", &doc, &version), -1);
	CU_ASSERT_PTR_NULL(doc);
	freeReplyObject(kv_cmd(&kv, 3, setd, NULL));
	freeReplyObject(kv_cmd(&kv, 3, setv, NULL));
	CU_ASSERT_EQUAL(kv_get_versioned_json(&kv, "gw:test:doc", "gw:test:ver", &doc, &version), 1);
	CU_ASSERT_EQUAL(version, 7);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(doc, "n")), 1);
	/* same version: untouched, even though the document changed */
	kept = doc;
	freeReplyObject(kv_cmd(&kv, 3, bad, NULL));
	CU_ASSERT_EQUAL(kv_get_versioned_json(&kv, "gw:test:doc", "gw:test:ver", &doc, &version), 0);
	CU_ASSERT_PTR_EQUAL(doc, kept);
	/* a new version of a document that is not an object: refused, copy kept */
	freeReplyObject(kv_cmd(&kv, 2, bump, NULL));
	CU_ASSERT_EQUAL(kv_get_versioned_json(&kv, "gw:test:doc", "gw:test:ver", &doc, &version), -1);
	CU_ASSERT_PTR_EQUAL(doc, kept);
	CU_ASSERT_EQUAL(version, 7);
	/* a good one: replaced */
	freeReplyObject(kv_cmd(&kv, 3, setd, NULL));
	CU_ASSERT_EQUAL(kv_get_versioned_json(&kv, "gw:test:doc", "gw:test:ver", &doc, &version), 1);
	CU_ASSERT_EQUAL(version, 8);
	json_object_put(doc);
	freeReplyObject(kv_cmd(&kv, 3, del, NULL));
	kv_close(&kv);
}

static void test_no_password(void)
{
	struct kv kv;
	struct buf got = BUF_INIT;
	char u[300];
	snprintf(u, sizeof u, "redis://127.0.0.1:%d/0", server_port);
	/* connects (nothing says the server wants a password) ... */
	CU_ASSERT_EQUAL_FATAL(kv_open(&kv, u, 1000), 0);
	/* ... but every command is refused */
	CU_ASSERT_FALSE(kv_ping(&kv));
	CU_ASSERT_EQUAL(kv_get(&kv, "gw:test:kv", &got), -1);
	buf_release(&got);
	kv_close(&kv);
}

struct open_call {
	const char *url;
	int rc;
	bool ping;
};

static void do_open(void *arg)
{
	struct open_call *c = arg;
	struct kv kv;
	c->rc = kv_open(&kv, c->url, 1000);
	c->ping = kv_ping(&kv); /* retries the connection: AUTH refused again */
	kv_close(&kv);
}

static void test_wrong_password(void)
{
	char wrong[33], u[300];
	struct open_call c;
	random_hex(wrong, 16);
	snprintf(u, sizeof u, "redis://:%s@127.0.0.1:%d/0", wrong, server_port);
	c.url = u;
	capture_stderr(do_open, &c);
	CU_ASSERT_EQUAL(c.rc, -1);
	CU_ASSERT_FALSE(c.ping);
	/* the refusal is logged with the server's reason, never the password */
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, "refused AUTH"));
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, "WRONGPASS"));
	CU_ASSERT_PTR_NULL(strstr(captured, wrong));
	/* the right password as the user name of another user is refused too */
	snprintf(u, sizeof u, "redis://nobody:%s@127.0.0.1:%d/0", password, server_port);
	capture_stderr(do_open, &c);
	CU_ASSERT_EQUAL(c.rc, -1);
	CU_ASSERT_PTR_NULL(strstr(captured, password));
}

static void test_percent_encoded_password(void)
{
	static const char odd[] = "p@ss:w/rd%#?";
	const char *set[] = { "CONFIG", "SET", "requirepass", odd };
	const char *back[] = { "CONFIG", "SET", "requirepass", password };
	struct kv admin, kv;
	redisReply *r;
	char u[300];
	CU_ASSERT_EQUAL_FATAL(kv_open(&admin, url, 1000), 0);
	r = kv_cmd(&admin, 4, set, NULL);
	CU_ASSERT_FATAL(r && r->type == REDIS_REPLY_STATUS);
	freeReplyObject(r);
	snprintf(u, sizeof u, "redis://:p%%40ss%%3Aw%%2Frd%%25%%23%%3F@127.0.0.1:%d/0", server_port);
	CU_ASSERT_EQUAL(kv_open(&kv, u, 1000), 0);
	if (kv.password)
		CU_ASSERT_STRING_EQUAL(kv.password, odd);
	CU_ASSERT_TRUE(kv_ping(&kv));
	r = kv_cmd(&kv, 4, back, NULL);
	CU_ASSERT_FATAL(r && r->type == REDIS_REPLY_STATUS);
	freeReplyObject(r);
	kv_close(&kv);
	kv_close(&admin);
}

static void test_database_number(void)
{
	struct kv kv3, kv0;
	struct buf got = BUF_INIT;
	char u[300];
	snprintf(u, sizeof u, "redis://:%s@127.0.0.1:%d/3", password, server_port);
	CU_ASSERT_EQUAL_FATAL(kv_open(&kv3, u, 1000), 0);
	CU_ASSERT_EQUAL(kv3.dbnum, 3);
	CU_ASSERT_TRUE(set_get(&kv3, "gw:test:db", "three"));
	CU_ASSERT_EQUAL_FATAL(kv_open(&kv0, url, 1000), 0);
	CU_ASSERT_EQUAL(kv_get(&kv0, "gw:test:db", &got), 0); /* not in db 0 */
	buf_release(&got);
	kv_close(&kv0);
	kv_close(&kv3);
}

static void test_bad_urls(void)
{
	static const char *const bad[] = {
		"redis://:s3cr%zzet@127.0.0.1:6379/0",  /* bad escape */
		"redis://:s3cr%00et@127.0.0.1:6379/0",  /* encoded NUL */
		"redis://:s3cret%2@127.0.0.1:6379/0",   /* cut escape */
		"redis://:s3cret@:6379/0",              /* no host */
		"redis://:s3cret@127.0.0.1:99999/0",    /* port out of range */
		"http://:s3cret@127.0.0.1:6379/0",      /* another scheme */
	};
	size_t i;
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct open_call c = { bad[i], 0, false };
		capture_stderr(do_open, &c);
		CU_ASSERT_EQUAL(c.rc, -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(captured, "invalid REDIS_URL"));
		CU_ASSERT_PTR_NULL(strstr(captured, "s3cr"));
	}
}

/* REDIS_URL unset (NULL) or empty: Redis is off. No connection is tried,
 * nothing is logged, every command answers NULL at once and kv_ping() is
 * false; a struct opened with a URL is enabled even while disconnected. */
static void do_off(void *arg)
{
	int *rc = arg;
	const char *argv[] = { "PING" };
	struct kv kv;
	rc[0] = kv_open(&kv, NULL, 1000);
	rc[1] = kv_enabled(&kv);
	rc[2] = kv_cmd(&kv, 1, argv, NULL) == NULL;
	rc[3] = kv_ping(&kv);
	rc[4] = kv_ensure(&kv);
	kv_close(&kv);
	rc[5] = kv_open(&kv, "", 1000);
	rc[6] = kv_enabled(&kv);
	kv_close(&kv);
}

static void test_off(void)
{
	int rc[7];
	struct kv kv;
	char u[64];
	capture_stderr(do_off, rc);
	CU_ASSERT_EQUAL(rc[0], KV_OFF);
	CU_ASSERT_FALSE(rc[1]);
	CU_ASSERT_TRUE(rc[2]);
	CU_ASSERT_FALSE(rc[3]);
	CU_ASSERT_EQUAL(rc[4], -1);
	CU_ASSERT_EQUAL(rc[5], KV_OFF);
	CU_ASSERT_FALSE(rc[6]);
	CU_ASSERT_STRING_EQUAL(captured, ""); /* off is not an error */
	/* a URL whose server is down: enabled, but not connected (logged) */
	snprintf(u, sizeof u, "redis://127.0.0.1:%d/0", free_port());
	CU_ASSERT_EQUAL(kv_open(&kv, u, 200), -1);
	CU_ASSERT_TRUE(kv_enabled(&kv));
	CU_ASSERT_FALSE(kv_ping(&kv));
	kv_close(&kv);
}

/* Not a suite init function: cu.h's exit status does not count a failed
 * suite init, and a missing redis-server must fail the program. */
static void test_server_starts(void)
{
	CU_ASSERT_EQUAL_FATAL(start_server(), 0);
}

static int suite_clean(void)
{
	return stop_server();
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("kv AUTH against redis-server", NULL, suite_clean);
	CU_add_test(s, "redis-server with requirepass starts", test_server_starts);
	CU_add_test(s, "right password", test_right_password);
	CU_add_test(s, "USER:PASSWORD and PASSWORD@", test_user_and_password);
	CU_add_test(s, "unix://:PASSWORD@/path?db=N", test_unix_socket);
	CU_add_test(s, "kv_get_versioned_json", test_versioned_json);
	CU_add_test(s, "no password: NOAUTH", test_no_password);
	CU_add_test(s, "wrong password refused, not logged", test_wrong_password);
	CU_add_test(s, "percent-encoded password", test_percent_encoded_password);
	CU_add_test(s, "database number after AUTH", test_database_number);
	CU_add_test(s, "invalid URLs, password not logged", test_bad_urls);
	CU_add_test(s, "no URL: Redis off, silently", test_off);
}

CU_MAIN()
