/* cluster-bench.c: clustering time and memory for N killmails generated
 * from the real ones (bench/README.md, "EVE").
 *
 *   cluster-bench [N] [SRCDIR]     N default 1000000
 *
 * Loads the 1,425 distinct real killmails of tests/data/eve/killmails/
 * (Jorund fight, 30-minute window, Pochven day), then builds N kills as
 * copies: copy c of a kill is shifted by c * 7 hours and moved to another
 * system of the same space type (systems.csv, a fixed permutation per
 * copy), keeping its entities, so fights keep their real shape and density
 * while spreading over the map and time. Times eve_cluster() (the pure
 * algorithm the job runs per system), the same with the entity rule off,
 * then sides and the report document of every battle (eve_battle_report,
 * what the job stores), and reports the process's peak RSS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <json-c/json.h>
#include <zlib.h>

#include "buf.h"
#include "modules/eve/domain/eve.h"
#include "timeutil.h"

static int read_gz(const char *path, struct buf *b)
{
	gzFile f = gzopen(path, "rb");
	char chunk[65536];
	int n;
	if (!f)
		return -1;
	while ((n = gzread(f, chunk, sizeof chunk)) > 0)
		buf_add(b, chunk, (size_t)n);
	gzclose(f);
	return 0;
}

struct sys {
	int64_t id;
	enum eve_space space;
};

int main(int argc, char **argv)
{
	static const char *files[] = { "esi_2021-11-28_jorund-30001046_10-14h.jsonl.gz",
				       "esi_2021-11-28_window_1200-1229_all-systems.jsonl",
				       "esi_2021-11-28_pochven-sakenta-urhinichi_day.jsonl" };
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	const char *src = argc > 2 ? argv[2] : ".";
	struct eve_killmail *km = NULL;
	int64_t **ents = NULL;
	size_t *nents = NULL, nk = 0, i, nsys = 0;
	struct sys *sys = NULL;
	struct eve_ckill *ck;
	uint32_t *cl;
	struct eve_cluster_params p = EVE_CLUSTER_DEFAULTS;
	struct rusage ru;
	int64_t t0, t1, t2;
	long clusters, clusters2, battles = 0;
	struct buf path = BUF_INIT, b = BUF_INIT;

	if (n < 1) {
		fprintf(stderr, "usage: cluster-bench [N] [SRCDIR]\n");
		return 2;
	}
	/* the real killmails, deduplicated by id */
	for (i = 0; i < 3; i++) {
		size_t pos = 0, s, e;
		buf_reset(&path);
		buf_reset(&b);
		buf_addf(&path, "%s/tests/data/eve/killmails/%s", src, files[i]);
		if (read_gz(path.data, &b) < 0) {
			fprintf(stderr, "cannot read %s\n", path.data);
			return 1;
		}
		while (eve_json_next_value(b.data, b.len, &pos, &s, &e) == 1) {
			struct eve_killmail k;
			char err[256];
			size_t j;
			if (eve_killmail_decode(b.data + s, e - s, &k, err, sizeof err) != 0)
				continue;
			for (j = 0; j < nk && km[j].killmail_id != k.killmail_id; j++)
				;
			if (j < nk) {
				eve_killmail_free(&k);
				continue;
			}
			km = realloc(km, (nk + 1) * sizeof *km);
			ents = realloc(ents, (nk + 1) * sizeof *ents);
			nents = realloc(nents, (nk + 1) * sizeof *nents);
			km[nk] = k;
			ents[nk] = malloc((k.n_attackers + 1) * sizeof **ents);
			nents[nk] = eve_killmail_entities(&k, ents[nk]);
			nk++;
		}
	}
	/* systems by space type, from systems.csv */
	buf_reset(&path);
	buf_reset(&b);
	buf_addf(&path, "%s/tests/data/eve/static/systems.csv", src);
	if (buf_read_file(&b, path.data, 0) < 0) {
		fprintf(stderr, "cannot read %s\n", path.data);
		return 1;
	}
	{
		char *line = strchr(b.data, '\n'), *nl;
		for (line = line ? line + 1 : NULL; line && *line; line = nl + 1) {
			char *f[16];
			nl = strchr(line, '\n');
			if (!nl)
				break;
			*nl = '\0';
			if (eve_csv_split(line, f, 16) < 7)
				continue;
			sys = realloc(sys, (nsys + 1) * sizeof *sys);
			sys[nsys].id = strtoll(f[0], NULL, 10);
			sys[nsys].space = eve_space_of(sys[nsys].id, strtoll(f[6], NULL, 10));
			nsys++;
		}
	}
	/* N kills: copies shifted in time and moved to a system of the same type */
	int64_t *by_space[8] = { NULL };
	size_t n_space[8] = { 0 };
	for (i = 0; i < nsys; i++) {
		by_space[sys[i].space] = realloc(by_space[sys[i].space],
						 (n_space[sys[i].space] + 1) * sizeof **by_space);
		by_space[sys[i].space][n_space[sys[i].space]++] = sys[i].id;
	}
	ck = calloc((size_t)n, sizeof *ck);
	cl = calloc((size_t)n, sizeof *cl);
	if (!ck || !cl)
		return 1;
	for (i = 0; i < (size_t)n; i++) {
		size_t orig = i % nk, copy = i / nk, cnt;
		enum eve_space sp = eve_space_of(km[orig].system_id, 0);
		int64_t target = km[orig].system_id;
		if (sp == EVE_SPACE_UNKNOWN)
			sp = EVE_SPACE_KSPACE; /* 30xxxxxx: k-space or Pochven, kept as k-space */
		cnt = n_space[sp];
		if (copy && cnt)
			target = by_space[sp][(size_t)((km[orig].system_id * 7919 + (int64_t)copy * 104729) %
						       (int64_t)cnt)];
		ck[i].killmail_id = km[orig].killmail_id + (int64_t)copy * 1000000000LL;
		ck[i].time_ms = km[orig].time_ms + (int64_t)copy * 7 * 3600000LL;
		ck[i].system_id = target;
		ck[i].instanced = sp == EVE_SPACE_ABYSSAL || sp == EVE_SPACE_OTHER;
		ck[i].entities = ents[orig];
		ck[i].n_entities = nents[orig];
	}
	t0 = time_mono_ms();
	clusters = eve_cluster(ck, (size_t)n, &p, cl);
	t1 = time_mono_ms();
	p.correlate = false;
	clusters2 = eve_cluster(ck, (size_t)n, &p, cl);
	t2 = time_mono_ms();
	p.correlate = true;
	eve_cluster(ck, (size_t)n, &p, cl);
	{
		long *size = calloc((size_t)clusters, sizeof *size), c;
		for (i = 0; i < (size_t)n; i++)
			size[cl[i]]++;
		for (c = 0; c < clusters; c++)
			battles += size[c] >= 2;
		free(size);
	}
	/* sides and reports of every battle */
	{
		uint32_t *order = malloc((size_t)n * sizeof *order);
		long *start = calloc((size_t)clusters + 1, sizeof *start), c;
		const struct eve_killmail **kp = malloc((size_t)n * sizeof *kp);
		struct eve_side_params sp = EVE_SIDE_DEFAULTS;
		size_t bytes = 0;
		int64_t t3, t4;
		for (i = 0; i < (size_t)n; i++)
			start[cl[i] + 1]++;
		for (c = 0; c < clusters; c++)
			start[c + 1] += start[c];
		for (i = 0; i < (size_t)n; i++)
			order[start[cl[i]]++] = (uint32_t)i;
		for (c = clusters; c > 0; c--)
			start[c] = start[c - 1];
		start[0] = 0;
		t3 = time_mono_ms();
		for (c = 0; c < clusters; c++) {
			long m = start[c + 1] - start[c], j;
			struct json_object *doc;
			if (m < 2)
				continue;
			for (j = 0; j < m; j++)
				kp[j] = &km[order[start[c] + j] % nk];
			doc = eve_battle_report(kp, (size_t)m, &sp, NULL, NULL, NULL);
			bytes += strlen(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
			json_object_put(doc);
		}
		t4 = time_mono_ms();
		printf("reports_ms %lld (%ld battles, %.1f MB of JSON)\n", (long long)(t4 - t3), battles,
		       bytes / 1048576.0);
		free(order);
		free(start);
		free(kp);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("killmails %ld (from %zu real, %zu systems)\n", n, nk, nsys);
	printf("clusters %ld, battles (>= 2 kills) %ld\n", clusters, battles);
	printf("cluster_ms %lld (gap + shared entities)\n", (long long)(t1 - t0));
	printf("cluster_ms_gap_only %lld (%ld clusters)\n", (long long)(t2 - t1), clusters2);
	printf("peak_rss_mb %.1f\n", ru.ru_maxrss / 1024.0);
	return 0;
}
