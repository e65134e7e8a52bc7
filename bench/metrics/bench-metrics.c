/* bench-metrics.c: the cost of the request part of GET /metrics
 * (metrics_write_requests) with a synthetic route table, against a
 * baseline in the same run: the same lines written with buf_addf.
 *
 *   bench-metrics [--routes N] [--scrapes N] [--series N]
 *
 * N routes (default 200) are registered as module "bench" with patterns
 * "/bench/rNNN/{id}" ... and counted as a worker would: every route gets
 * `series` (default 4) method/status series and observations spread over
 * every latency bucket, so each scrape writes every line it can (the worst
 * case: no route left at zero). Each scrape renders into a fresh buffer
 * grown to 64 KiB, as api_metrics does; the baseline likewise; a third
 * measure renders into one buffer reused across scrapes (the formatting
 * without fresh pages). Prints one line per measure:
 *
 *   name  scrapes  bytes  lines  mean_us  p50_us  p99_us  max_us
 *
 * and the cost of one metrics_observe() in ns, then "goal <1 ms: met" or
 * "not met" (exit 1) for the p50 of the request part. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "platform/web/metrics.h"
#include "platform/web/route.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, int64_t *ns, int n, size_t bytes, size_t lines)
{
	double sum = 0;
	int i;
	for (i = 0; i < n; i++)
		sum += (double)ns[i];
	qsort(ns, (size_t)n, sizeof *ns, cmp_i64);
	printf("%-22s %7d %8zu %6zu %9.1f %9.1f %9.1f %9.1f\n", name, n, bytes, lines,
	       sum / n / 1e3, ns[n / 2] / 1e3, ns[(int)(n * 0.99)] / 1e3, ns[n - 1] / 1e3);
}

/* One line of the real output split at its last space: key and value. */
struct line {
	char *key;
	char *val;
};

int main(int argc, char **argv)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "DELETE" };
	static const int statuses[] = { 200, 304, 404, 500 };
	int n_routes = 200, scrapes = 2000, series = 4, i, j, k;
	struct route *rows;
	char **patterns;
	int64_t *t_req, *t_base, *t_reuse, t0, observe_ns;
	struct buf out = BUF_INIT, reused = BUF_INIT;
	struct line *lines = NULL;
	size_t n_lines = 0, bytes;
	char *p;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--routes") && i + 1 < argc)
			n_routes = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--scrapes") && i + 1 < argc)
			scrapes = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--series") && i + 1 < argc)
			series = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: bench-metrics [--routes N] [--scrapes N] [--series 1..4]\n");
			return 2;
		}
	}
	if (n_routes < 1 || n_routes > 100000 || scrapes < 10 || series < 1 || series > 4) {
		fprintf(stderr, "bench-metrics: --routes 1..100000, --scrapes >= 10, --series 1..4\n");
		return 2;
	}

	/* the synthetic table: a mix of literal and {x} patterns */
	rows = calloc((size_t)n_routes + 1, sizeof *rows);
	patterns = calloc((size_t)n_routes, sizeof *patterns);
	if (!rows || !patterns)
		return 1;
	for (i = 0; i < n_routes; i++) {
		struct buf pat = BUF_INIT;
		if (i % 3 == 0)
			buf_addf(&pat, "/bench/r%03d", i);
		else if (i % 3 == 1)
			buf_addf(&pat, "/api/v1/bench/r%03d/{id}", i);
		else
			buf_addf(&pat, "/bench/r%03d/{key}/items/{id}", i);
		patterns[i] = buf_detach(&pat, NULL);
		rows[i].methods = M_GET | M_POST | M_DELETE;
		rows[i].pattern = patterns[i];
		rows[i].kind = i % 2 ? ROUTE_API : ROUTE_PAGE;
	}
	if (metrics_register_routes(rows, "bench") < 0 || metrics_setup(false) < 0)
		return 1;

	/* count: every route, `series` method/status pairs, every bucket */
	t0 = metrics_clock_ns();
	k = 0;
	for (i = 0; i < n_routes; i++)
		for (j = 0; j < series; j++) {
			int64_t ns;
			for (ns = 100000; ns < 8000000000LL; ns = ns * 2 + 1, k++)
				metrics_observe(&rows[i], methods[j], statuses[j], ns);
		}
	observe_ns = (metrics_clock_ns() - t0) / (k ? k : 1);

	/* the lines of one scrape, for the baseline */
	metrics_write_requests(&out);
	bytes = out.len;
	for (p = out.data; *p;) {
		char *eol = strchr(p, '\n'), *sp;
		*eol = '\0';
		lines = realloc(lines, (n_lines + 1) * sizeof *lines);
		if (!lines)
			return 1;
		sp = strrchr(p, ' ');
		lines[n_lines].key = p;
		lines[n_lines].val = sp + 1;
		*sp = '\0';
		n_lines++;
		p = eol + 1;
	}

	t_req = calloc((size_t)scrapes, sizeof *t_req);
	t_base = calloc((size_t)scrapes, sizeof *t_base);
	t_reuse = calloc((size_t)scrapes, sizeof *t_reuse);
	if (!t_req || !t_base || !t_reuse)
		return 1;
	/* interleaved, after a warm-up, so both see the same machine */
	for (i = -scrapes / 10; i < scrapes; i++) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		size_t l;
		t0 = metrics_clock_ns();
		buf_grow(&a, 64 * 1024);
		metrics_write_requests(&a);
		if (i >= 0)
			t_req[i] = metrics_clock_ns() - t0;
		t0 = metrics_clock_ns();
		buf_grow(&b, 64 * 1024);
		for (l = 0; l < n_lines; l++)
			buf_addf(&b, "%s %s\n", lines[l].key, lines[l].val);
		if (i >= 0)
			t_base[i] = metrics_clock_ns() - t0;
		/* the formatting alone: a buffer whose pages are already mapped */
		buf_reset(&reused);
		t0 = metrics_clock_ns();
		metrics_write_requests(&reused);
		if (i >= 0)
			t_reuse[i] = metrics_clock_ns() - t0;
		if (a.len != bytes || b.len != bytes) {
			fprintf(stderr, "bench-metrics: scrape sizes differ: %zu %zu %zu\n", a.len,
				b.len, bytes);
			return 1;
		}
		buf_release(&a);
		buf_release(&b);
	}

	printf("# %d routes, %d series each, %d scrapes\n", n_routes, series, scrapes);
	printf("%-22s %7s %8s %6s %9s %9s %9s %9s\n", "measure", "scrapes", "bytes", "lines",
	       "mean_us", "p50_us", "p99_us", "max_us");
	report("metrics_write_requests", t_req, scrapes, bytes, n_lines);
	report("baseline_buf_addf", t_base, scrapes, bytes, n_lines);
	report("reused_buffer", t_reuse, scrapes, bytes, n_lines);
	printf("metrics_observe_ns %lld\n", (long long)observe_ns);
	printf("goal <1 ms per scrape (p50): %s\n", t_req[scrapes / 2] < 1000000 ? "met" : "not met");
	return t_req[scrapes / 2] < 1000000 ? 0 : 1;
}
