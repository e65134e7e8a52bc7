/* test_metrics.c: the Prometheus exposition writer (platform/web/prom.c)
 * and the request counters (platform/web/metrics.c): escaping, number
 * format, histogram cumulativeness and _sum/_count, counting by route
 * pattern, method and status class, and totals across forked workers. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "cu.h"
#include "platform/web/metrics.h"
#include "platform/web/prom.h"
#include "platform/web/route.h"

/* The value of the sample line that starts with exactly `series` (name and
 * labels as written), or NAN when there is none; -INFINITY when there are
 * several. */
static double sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p = text;
	double v = NAN;
	int found = 0;
	while (*p) {
		const char *eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > n && !strncmp(p, series, n) && p[n] == ' ') {
			v = strtod(p + n + 1, NULL);
			found++;
		}
		p = *eol ? eol + 1 : eol;
	}
	return found > 1 ? -INFINITY : v;
}

static void test_escape_label(void)
{
	struct buf b = BUF_INIT;
	const char in[] = "a\\b\"c\nd\te";
	prom_escape_label(&b, in, sizeof in - 1);
	CU_ASSERT_STRING_EQUAL(b.data, "a\\\\b\\\"c\\nd\te");
	buf_reset(&b);
	prom_escape_label(&b, "plain /api/v1/{id} caf\xc3\xa9", 25);
	CU_ASSERT_STRING_EQUAL(b.data, "plain /api/v1/{id} caf\xc3\xa9");
	buf_reset(&b);
	/* the length counts, not a NUL */
	prom_escape_label(&b, "ab\"cd", 3);
	CU_ASSERT_STRING_EQUAL(b.data, "ab\\\"");
	buf_reset(&b);
	prom_escape_label(&b, NULL, 5);
	CU_ASSERT_EQUAL(b.len, 0);
	buf_release(&b);
}

static void test_family_and_labels(void)
{
	struct buf b = BUF_INIT;
	struct prom_label l[3] = { { "route", "/x/\"{id}\"" }, { "code", "2xx" }, { "empty", NULL } };

	/* HELP escapes backslash and line feed, not quotes */
	prom_family(&b, "gw_x_total", "counter", "say \"hi\" \\ then\nmore");
	CU_ASSERT_STRING_EQUAL(b.data, "# HELP gw_x_total say \"hi\" \\\\ then\\nmore\n"
				       "# TYPE gw_x_total counter\n");
	buf_reset(&b);
	prom_labels(&b, l, 3);
	CU_ASSERT_STRING_EQUAL(b.data, "route=\"/x/\\\"{id}\\\"\",code=\"2xx\",empty=\"\"");
	buf_reset(&b);
	prom_labels(&b, l, 0);
	CU_ASSERT_EQUAL(b.len, 0);
	prom_sample_u64(&b, "gw_x_total", "a=\"1\"", 18446744073709551615ULL);
	prom_sample_u64(&b, "gw_y", NULL, 0);
	prom_sample_u64(&b, "gw_z", "", 42);
	CU_ASSERT_STRING_EQUAL(b.data, "gw_x_total{a=\"1\"} 18446744073709551615\ngw_y 0\ngw_z 42\n");
	buf_release(&b);
}

static int f64_is(double v, const char *expected)
{
	struct buf b = BUF_INIT;
	int ok;
	prom_f64(&b, v);
	ok = !strcmp(b.data, expected);
	if (!ok)
		printf("\n  %.17g: expected [%s] got [%s]\n", v, expected, b.data);
	buf_release(&b);
	return ok;
}

static void test_f64(void)
{
	struct buf b = BUF_INIT;
	const double round_trip[] = { 0.1, 1.0 / 3, 2.5e-7, 1726363424.123, 1e300, -4.75, 5e-324 };
	size_t i;

	CU_ASSERT(f64_is(0, "0"));
	CU_ASSERT(f64_is(-0.0, "0"));
	CU_ASSERT(f64_is(12, "12"));
	CU_ASSERT(f64_is(-3, "-3"));
	CU_ASSERT(f64_is(0.25, "0.25"));
	CU_ASSERT(f64_is(0.1, "0.1"));
	CU_ASSERT(f64_is(INFINITY, "+Inf"));
	CU_ASSERT(f64_is(-INFINITY, "-Inf"));
	CU_ASSERT(f64_is(NAN, "NaN"));
	/* whatever the text, it reads back to the same double */
	for (i = 0; i < sizeof round_trip / sizeof round_trip[0]; i++) {
		buf_reset(&b);
		prom_f64(&b, round_trip[i]);
		CU_ASSERT(strtod(b.data, NULL) == round_trip[i]);
		CU_ASSERT(!strchr(b.data, ' ') && b.len > 0);
	}
	buf_release(&b);
}

static void test_histogram(void)
{
	struct buf b = BUF_INIT;
	const char *le[3] = { "0.1", "0.5", "1" };
	const uint64_t counts[4] = { 2, 0, 5, 3 };

	prom_histogram(&b, "gw_d_seconds", "route=\"/a\"", le, 3, counts, 4.25);
	CU_ASSERT_STRING_EQUAL(b.data,
		"gw_d_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n"
		"gw_d_seconds_bucket{route=\"/a\",le=\"0.5\"} 2\n"
		"gw_d_seconds_bucket{route=\"/a\",le=\"1\"} 7\n"
		"gw_d_seconds_bucket{route=\"/a\",le=\"+Inf\"} 10\n"
		"gw_d_seconds_sum{route=\"/a\"} 4.25\n"
		"gw_d_seconds_count{route=\"/a\"} 10\n");
	buf_reset(&b);
	/* no labels: le alone, no braces on _sum/_count */
	prom_histogram(&b, "gw_e", NULL, le, 1, counts, 0);
	CU_ASSERT_STRING_EQUAL(b.data, "gw_e_bucket{le=\"0.1\"} 2\ngw_e_bucket{le=\"+Inf\"} 2\n"
				       "gw_e_sum 0\ngw_e_count 2\n");
	buf_reset(&b);
	/* nothing observed: all zero, still complete */
	{
		const uint64_t zero[4] = { 0, 0, 0, 0 };
		prom_histogram(&b, "gw_f", "a=\"b\"", le, 3, zero, 0);
		CU_ASSERT_EQUAL(sample(b.data, "gw_f_bucket{a=\"b\",le=\"+Inf\"}"), 0);
		CU_ASSERT_EQUAL(sample(b.data, "gw_f_count{a=\"b\"}"), 0);
		CU_ASSERT_EQUAL(sample(b.data, "gw_f_sum{a=\"b\"}"), 0);
	}
	buf_release(&b);
}

/* ------------------------------------------------------- request counters */

static const struct route rows[] = {
	{ M_GET, "/t/list", NULL, ROUTE_PAGE, ROLE_PUBLIC, false, CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED, "" },
	{ M_GET | M_POST, "/t/items/{id}", NULL, ROUTE_API, ROLE_PUBLIC, false, CACHE_NO_STORE, 0,
	  RATE_NONE, 0, BODY_PARSED, "" },
	{ M_GET, "/t/odd \"q\" \\ {x}", NULL, ROUTE_API, ROLE_PUBLIC, false, CACHE_NO_STORE, 0,
	  RATE_NONE, 0, BODY_PARSED, "" },
	ROUTE_END,
};
static const struct route other = { M_GET, "/not/registered", NULL, ROUTE_API, ROLE_PUBLIC, false,
				    CACHE_NO_STORE, 0, RATE_NONE, 0, BODY_PARSED, "" };

#define LIST "module=\"test\",route=\"/t/list\""
#define ITEM "module=\"test\",route=\"/t/items/{id}\""
#define ODD "module=\"test\",route=\"/t/odd \\\"q\\\" \\\\ {x}\""
#define UNMATCHED "module=\"platform\",route=\"(unmatched)\""

static void setup(bool shared)
{
	metrics_reset();
	CU_ASSERT_EQUAL(metrics_register_routes(rows, "test"), 0);
	CU_ASSERT_EQUAL(metrics_setup(shared), 0);
	/* too late to register more */
	CU_ASSERT_EQUAL(metrics_register_routes(rows, "late"), -1);
}

static void test_requests(void)
{
	struct buf b = BUF_INIT;
	const char *H = "gamewatch_http_request_duration_seconds";
	char series[256];

	setup(false);
	metrics_observe(&rows[0], "GET", 200, 300000);        /* 0.3 ms */
	metrics_observe(&rows[0], "GET", 200, 1000000);       /* exactly 1 ms: le="0.001" */
	metrics_observe(&rows[0], "HEAD", 304, 2000000);      /* 2 ms */
	metrics_observe(&rows[1], "POST", 404, 7000000000LL); /* 7 s: above every bound */
	metrics_observe(&rows[1], "BREW", 503, 1000001);      /* just above 1 ms */
	metrics_observe(&rows[2], "GET", 200, 0);
	metrics_observe(NULL, "GET", 404, 100000);
	metrics_observe(&other, "DELETE", 405, 100000);       /* not registered: unmatched */
	metrics_observe(NULL, "", 99, 100000);                /* odd status: first class */
	metrics_write_requests(&b);

	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_metrics_shared"), 0);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_http_requests_total{" LIST ",method=\"GET\",code=\"2xx\"}"), 2);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_http_requests_total{" LIST ",method=\"HEAD\",code=\"3xx\"}"), 1);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_http_requests_total{" ITEM ",method=\"POST\",code=\"4xx\"}"), 1);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_http_requests_total{" ITEM ",method=\"other\",code=\"5xx\"}"), 1);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_http_requests_total{" ODD ",method=\"GET\",code=\"2xx\"}"), 1);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_http_requests_total{" UNMATCHED ",method=\"GET\",code=\"4xx\"}"), 1);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_http_requests_total{" UNMATCHED ",method=\"DELETE\",code=\"4xx\"}"), 1);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_http_requests_total{" UNMATCHED ",method=\"other\",code=\"1xx\"}"), 1);
	/* zero series are not written */
	CU_ASSERT(isnan(sample(b.data, "gamewatch_http_requests_total{" LIST ",method=\"POST\",code=\"2xx\"}")));
	/* the raw path never appears: only patterns */
	CU_ASSERT_PTR_NULL(strstr(b.data, "/not/registered"));

	/* histogram of /t/list: 0.3 ms, 1 ms, 2 ms; cumulative */
	snprintf(series, sizeof series, "%s_bucket{" LIST ",le=\"0.0005\"}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 1);
	snprintf(series, sizeof series, "%s_bucket{" LIST ",le=\"0.001\"}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 2);
	snprintf(series, sizeof series, "%s_bucket{" LIST ",le=\"0.0025\"}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 3);
	snprintf(series, sizeof series, "%s_bucket{" LIST ",le=\"5\"}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 3);
	snprintf(series, sizeof series, "%s_bucket{" LIST ",le=\"+Inf\"}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 3);
	snprintf(series, sizeof series, "%s_count{" LIST "}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 3);
	snprintf(series, sizeof series, "%s_sum{" LIST "}", H);
	CU_ASSERT_DOUBLE_EQUAL(sample(b.data, series), 0.0033, 1e-12);
	/* /t/items/{id}: 1.000001 ms in le="0.0025", 7 s only in +Inf */
	snprintf(series, sizeof series, "%s_bucket{" ITEM ",le=\"0.001\"}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 0);
	snprintf(series, sizeof series, "%s_bucket{" ITEM ",le=\"0.0025\"}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 1);
	snprintf(series, sizeof series, "%s_bucket{" ITEM ",le=\"5\"}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 1);
	snprintf(series, sizeof series, "%s_bucket{" ITEM ",le=\"+Inf\"}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 2);
	snprintf(series, sizeof series, "%s_sum{" ITEM "}", H);
	CU_ASSERT_DOUBLE_EQUAL(sample(b.data, series), 7.001000001, 1e-12);
	snprintf(series, sizeof series, "%s_count{" UNMATCHED "}", H);
	CU_ASSERT_EQUAL(sample(b.data, series), 3);
	/* no pool: no pool families */
	CU_ASSERT_PTR_NULL(strstr(b.data, "gamewatch_worker_restarts_total"));
	buf_release(&b);
	metrics_reset();
}

/* Every line of a scrape is a HELP, a TYPE, or a sample of the family
 * announced last (histograms: _bucket/_sum/_count), each family once,
 * counters named _total; histogram buckets never decrease, and +Inf equals
 * _count. */
static void test_exposition_shape(void)
{
	struct buf b = BUF_INIT;
	char family[128] = "", type[16] = "", seen[4096] = " ";
	const char *p;
	double last_bucket = -1;

	setup(false);
	metrics_observe(&rows[0], "GET", 200, 123456);
	metrics_observe(&rows[0], "GET", 500, 9000000);
	metrics_observe(&rows[1], "PUT", 201, 600000000);
	metrics_write_requests(&b);
	for (p = b.data; *p;) {
		const char *eol = strchr(p, '\n');
		char line[1024], name[128];
		size_t n;
		CU_ASSERT_PTR_NOT_NULL_FATAL(eol);
		n = (size_t)(eol - p);
		CU_ASSERT_FATAL(n < sizeof line);
		memcpy(line, p, n);
		line[n] = '\0';
		p = eol + 1;
		if (!strncmp(line, "# HELP ", 7)) {
			char key[140];
			CU_ASSERT_EQUAL(sscanf(line + 7, "%127s", family), 1);
			snprintf(key, sizeof key, " %s ", family);
			CU_ASSERT_PTR_NULL(strstr(seen, key)); /* once */
			strncat(seen, key + 1, sizeof seen - strlen(seen) - 1);
			type[0] = '\0';
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			char tname[128];
			CU_ASSERT_EQUAL(sscanf(line + 7, "%127s %15s", tname, type), 2);
			CU_ASSERT_STRING_EQUAL(tname, family);
			if (!strcmp(type, "counter"))
				CU_ASSERT(strlen(family) > 6 && !strcmp(family + strlen(family) - 6, "_total"));
			continue;
		}
		CU_ASSERT_FATAL(type[0] != '\0');
		CU_ASSERT_EQUAL(sscanf(line, "%127[^{ ]", name), 1);
		if (!strcmp(type, "histogram")) {
			size_t fl = strlen(family);
			double v = strtod(strrchr(line, ' ') + 1, NULL);
			CU_ASSERT(!strncmp(name, family, fl) &&
				  (!strcmp(name + fl, "_bucket") || !strcmp(name + fl, "_sum") ||
				   !strcmp(name + fl, "_count")));
			if (!strcmp(name + fl, "_bucket")) {
				CU_ASSERT(strstr(line, ",le=\"") != NULL);
				CU_ASSERT(v >= last_bucket);
				last_bucket = v;
			} else if (!strcmp(name + fl, "_count")) {
				CU_ASSERT_EQUAL(v, last_bucket);
				last_bucket = -1;
			} else {
				CU_ASSERT(!strstr(line, ",le=\"") && !strstr(line, "{le=\""));
			}
		} else {
			CU_ASSERT_STRING_EQUAL(name, family);
		}
	}
	buf_release(&b);
	metrics_reset();
}

/* Workers forked after a shared setup add to the same counters; after a
 * private setup each process counts alone. */
static uint64_t forked_total(bool shared, int kids, int each)
{
	struct buf b = BUF_INIT;
	double v;
	int i, j;

	setup(shared);
	for (i = 0; i < kids; i++) {
		pid_t pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			for (j = 0; j < each; j++)
				metrics_observe(&rows[1], "GET", 200, 1000 * j);
			_exit(0);
		}
	}
	for (i = 0; i < kids; i++) {
		int st;
		CU_ASSERT(wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	metrics_write_requests(&b);
	v = sample(b.data, "gamewatch_http_requests_total{" ITEM ",method=\"GET\",code=\"2xx\"}");
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_metrics_shared"), shared ? 1 : 0);
	if (shared)
		CU_ASSERT_EQUAL(sample(b.data, "gamewatch_http_request_duration_seconds_count{" ITEM "}"),
				kids * each);
	buf_release(&b);
	metrics_reset();
	return isnan(v) ? 0 : (uint64_t)v;
}

static void test_shared_across_fork(void)
{
	CU_ASSERT_EQUAL(forked_total(true, 4, 5000), 20000);
	CU_ASSERT_EQUAL(forked_total(false, 4, 5000), 0);
}

static void test_worker_restarts(void)
{
	struct buf b = BUF_INIT;
	int codes[] = { 0, 0, 3, -1 }; /* -1: killed */
	size_t i;

	metrics_reset();
	CU_ASSERT_EQUAL(metrics_register_routes(rows, "test"), 0);
	metrics_pool_init(6);
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		int st;
		pid_t pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			if (codes[i] < 0)
				pause();
			_exit(codes[i]);
		}
		if (codes[i] < 0)
			kill(pid, SIGKILL);
		CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
		metrics_worker_exited(st);
	}
	metrics_write_requests(&b);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_metrics_shared"), 1);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_worker_restarts_total{reason=\"recycled\"}"), 2);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_worker_restarts_total{reason=\"failed\"}"), 1);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_worker_restarts_total{reason=\"signal\"}"), 1);
	CU_ASSERT_EQUAL(sample(b.data, "gamewatch_pool_workers"), 6);
	buf_release(&b);
	metrics_reset();
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("prom", NULL, NULL);
	CU_add_test(s, "label escaping", test_escape_label);
	CU_add_test(s, "HELP, TYPE, labels, samples", test_family_and_labels);
	CU_add_test(s, "float format", test_f64);
	CU_add_test(s, "histogram buckets, _sum, _count", test_histogram);
	s = CU_add_suite("metrics", NULL, NULL);
	CU_add_test(s, "requests by route pattern, method, status class", test_requests);
	CU_add_test(s, "exposition shape", test_exposition_shape);
	CU_add_test(s, "counters shared across forked workers", test_shared_across_fork);
	CU_add_test(s, "worker restarts by reason", test_worker_restarts);
}

CU_MAIN()
