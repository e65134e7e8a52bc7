/* job-static.c: gamewatch-job eve-static [DIR] [--prices FILE]
 *
 * Imports the SDE tables of DIR (default EVE_STATIC_DIR, else the
 * installed share/eve/static beside GW_SQL_DIR): regions.csv,
 * constellations.csv, systems.csv, categories.csv, groups.csv and the type
 * tables types_in_killmails.csv and ship_types.csv (merged). Columns are
 * found by header name. Each system's space type, security band and
 * wormhole class are computed here by the domain rules
 * (modules/eve/FORMAT.md section 7), not copied. Everything is replaced in
 * one transaction. --prices FILE loads an operator price table (CSV with
 * header type_id,price in ISK per unit) into eve.prices. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "modules/eve/domain/idmap.h"
#include "modules/eve/module.h"
#include "modules/eve/store/eve-battles.h"
#include "modules/eve/store/eve-store.h"
#include "platform/jobs/job.h"

#define MAX_FIELDS 32

struct table {
	struct buf text;
	char *fields[MAX_FIELDS];
	int nf;
	char *header[MAX_FIELDS];
	int nh;
	char *line, *next;
	char *header_line;
	long row;
};

/* Open DIR/name and read its header. Returns 0 or -1 (logged). */
static int table_open(struct table *t, const char *dir, const char *name)
{
	struct buf path = BUF_INIT;
	char *nl;
	memset(t, 0, sizeof *t);
	buf_addf(&path, "%s/%s", dir, name);
	if (buf_read_file(&t->text, path.data, 64u << 20) < 0) {
		log_error("eve-static: cannot read %s: %s", path.data, strerror(errno));
		buf_release(&path);
		return -1;
	}
	buf_release(&path);
	t->header_line = t->text.data;
	nl = strchr(t->text.data, '\n');
	t->next = nl ? nl + 1 : t->text.data + t->text.len;
	if (nl)
		*nl = '\0';
	t->nh = eve_csv_split(t->header_line, t->header, MAX_FIELDS);
	if (t->nh < 1) {
		log_error("eve-static: %s: bad header", name);
		return -1;
	}
	return 0;
}

static int table_col(const struct table *t, const char *name)
{
	int i;
	for (i = 0; i < t->nh; i++)
		if (!strcmp(t->header[i], name))
			return i;
	return -1;
}

/* The next record: 1, 0 at the end, -1 on a malformed line (logged). */
static int table_next(struct table *t, const char *name)
{
	char *nl;
	while (*t->next) {
		t->line = t->next;
		nl = strchr(t->line, '\n');
		t->next = nl ? nl + 1 : t->line + strlen(t->line);
		if (nl)
			*nl = '\0';
		t->row++;
		if (!t->line[0] || (t->line[0] == '\r' && !t->line[1]))
			continue;
		t->nf = eve_csv_split(t->line, t->fields, MAX_FIELDS);
		if (t->nf != t->nh) {
			log_error("eve-static: %s line %ld: %d fields, header has %d", name, t->row + 1,
				  t->nf, t->nh);
			return -1;
		}
		return 1;
	}
	return 0;
}

static bool is_id(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Copy the named columns of a table (all ids must be integers) into rows,
 * text columns escaped. cols: header names; kinds: 'i' id, 't' text. */
static int copy_table(const char *dir, const char *file, const char *const *cols,
		      const char *kinds, int ncols, struct idmap *seen, struct buf *rows, long *count)
{
	struct table t;
	int idx[MAX_FIELDS], i, r;
	if (table_open(&t, dir, file) < 0) {
		buf_release(&t.text);
		return -1;
	}
	for (i = 0; i < ncols; i++)
		if ((idx[i] = table_col(&t, cols[i])) < 0) {
			log_error("eve-static: %s has no column %s", file, cols[i]);
			buf_release(&t.text);
			return -1;
		}
	while ((r = table_next(&t, file)) == 1) {
		if (!is_id(t.fields[idx[0]])) {
			log_error("eve-static: %s line %ld: %s is not an id", file, t.row + 1, cols[0]);
			r = -1;
			break;
		}
		if (seen) {
			int64_t id = strtoll(t.fields[idx[0]], NULL, 10);
			if (idmap_get(seen, id))
				continue;
			idmap_put(seen, id, 1);
		}
		for (i = 0; i < ncols; i++) {
			if (kinds[i] == 'i' && !is_id(t.fields[idx[i]])) {
				log_error("eve-static: %s line %ld: %s is not an id", file, t.row + 1, cols[i]);
				r = -1;
				break;
			}
			if (i)
				buf_addch(rows, '\t');
			eve_copy_escape(rows, t.fields[idx[i]]);
		}
		if (r < 0)
			break;
		buf_addch(rows, '\n');
		(*count)++;
	}
	buf_release(&t.text);
	return r < 0 ? -1 : 0;
}

/* systems.csv with the space rules applied. */
static int copy_systems(const char *dir, const struct idmap *region_index, char **region_names,
			struct buf *rows, long *count)
{
	struct table t;
	int cid, cname, csec, ccon, creg, r;
	if (table_open(&t, dir, "systems.csv") < 0) {
		buf_release(&t.text);
		return -1;
	}
	cid = table_col(&t, "solar_system_id");
	cname = table_col(&t, "name");
	csec = table_col(&t, "security_status");
	ccon = table_col(&t, "constellation_id");
	creg = table_col(&t, "region_id");
	if (cid < 0 || cname < 0 || csec < 0 || ccon < 0 || creg < 0) {
		log_error("eve-static: systems.csv lacks a needed column");
		buf_release(&t.text);
		return -1;
	}
	while ((r = table_next(&t, "systems.csv")) == 1) {
		int64_t sec, sys, reg;
		enum eve_space sp;
		const char *wh;
		uint32_t *ri;
		if (!is_id(t.fields[cid]) || !is_id(t.fields[creg]) || !is_id(t.fields[ccon]) ||
		    eve_sec_parse(t.fields[csec], &sec) < 0) {
			log_error("eve-static: systems.csv line %ld: bad id or security", t.row + 1);
			r = -1;
			break;
		}
		sys = strtoll(t.fields[cid], NULL, 10);
		reg = strtoll(t.fields[creg], NULL, 10);
		sp = eve_space_of(sys, reg);
		ri = idmap_get(region_index, reg);
		wh = eve_wh_class(sp, ri ? region_names[*ri] : NULL);
		buf_addf(rows, "%lld\t", (long long)sys);
		eve_copy_escape(rows, t.fields[cname]);
		buf_addf(rows, "\t%s%lld.%06lld\t%s\t%lld\t%s\t%s\t%s\n", sec < 0 ? "-" : "",
			 (long long)(llabs(sec) / 1000000), (long long)(llabs(sec) % 1000000),
			 t.fields[ccon], (long long)reg, eve_space_token(sp),
			 eve_band_token(eve_band_of(sp, sec)), wh ? wh : "\\N");
		(*count)++;
	}
	buf_release(&t.text);
	return r < 0 ? -1 : 0;
}

static int load_prices(struct db *db, const char *file)
{
	struct table t;
	struct buf rows = BUF_INIT;
	int cid, cprice, r;
	long n = 0;
	const char *dir = ".";
	char *slash = strrchr(file, '/');
	struct buf d = BUF_INIT;
	if (slash) {
		buf_add(&d, file, (size_t)(slash - file));
		dir = d.data;
		file = slash + 1;
	}
	r = table_open(&t, dir, file);
	buf_release(&d);
	if (r < 0) {
		buf_release(&t.text);
		return -1;
	}
	cid = table_col(&t, "type_id");
	cprice = table_col(&t, "price");
	if (cid < 0 || cprice < 0) {
		log_error("eve-static: the price table needs columns type_id,price");
		buf_release(&t.text);
		return -1;
	}
	while ((r = table_next(&t, file)) == 1) {
		int64_t cents;
		char s[32];
		if (!is_id(t.fields[cid]) || eve_isk_parse(t.fields[cprice], &cents) < 0) {
			log_error("eve-static: %s line %ld: bad type_id or price", file, t.row + 1);
			r = -1;
			break;
		}
		buf_addf(&rows, "%s\t%s\n", t.fields[cid], eve_isk_format(cents, s, sizeof s));
		n++;
	}
	buf_release(&t.text);
	if (r < 0 || db_begin(db) < 0 || db_run(db, "TRUNCATE eve.prices", 0, NULL) < 0 ||
	    eve_store_copy(db, "COPY eve.prices (type_id, price) FROM STDIN", &rows) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		buf_release(&rows);
		return -1;
	}
	log_info("eve-static: %ld prices loaded", n);
	buf_release(&rows);
	return 0;
}

int job_eve_static(const struct cfg *cfg, int argc, char **argv)
{
	struct db db;
	struct buf dirb = BUF_INIT, regions = BUF_INIT, cons = BUF_INIT, systems = BUF_INIT,
		   cats = BUF_INIT, groups = BUF_INIT, types = BUF_INIT;
	struct idmap type_seen = IDMAP_INIT, region_index = IDMAP_INIT;
	char **region_names = NULL;
	size_t n_regions = 0, i;
	const char *dir = NULL, *prices = NULL;
	long nr = 0, nc = 0, ns = 0, ncat = 0, ng = 0, nt = 0;
	int a, ret = 1;
	static const char *const reg_cols[] = { "region_id", "name" };
	static const char *const con_cols[] = { "constellation_id", "name", "region_id" };
	static const char *const cat_cols[] = { "category_id", "name" };
	static const char *const grp_cols[] = { "group_id", "category_id", "name" };
	static const char *const typ_cols[] = { "type_id", "name", "group_id" };

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--prices") && a + 1 < argc)
			prices = argv[++a];
		else if (argv[a][0] != '-' && !dir)
			dir = argv[a];
		else {
			fprintf(stderr, "usage: gamewatch-job eve-static [DIR] [--prices FILE]\n");
			return 2;
		}
	}
	if (!dir)
		dir = getenv("EVE_STATIC_DIR");
	if (!dir || !*dir) {
		buf_addf(&dirb, "%s/../eve/static", cfg->sql_dir);
		dir = dirb.data;
	}
	if (db_open(&db, cfg->database_url) < 0) {
		db_close(&db);
		buf_release(&dirb);
		return 1;
	}
	if (copy_table(dir, "regions.csv", reg_cols, "it", 2, NULL, &regions, &nr) < 0)
		goto out;
	/* region names for the wormhole classes */
	{
		char *p = regions.data;
		while (*p) {
			char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
			if (!tab || !nl)
				break;
			region_names = realloc(region_names, (n_regions + 1) * sizeof *region_names);
			region_names[n_regions] = strndup(tab + 1, (size_t)(nl - tab - 1));
			idmap_put(&region_index, strtoll(p, NULL, 10), (uint32_t)n_regions++);
			p = nl + 1;
		}
	}
	if (copy_table(dir, "constellations.csv", con_cols, "iti", 3, NULL, &cons, &nc) < 0 ||
	    copy_systems(dir, &region_index, region_names, &systems, &ns) < 0 ||
	    copy_table(dir, "categories.csv", cat_cols, "it", 2, NULL, &cats, &ncat) < 0 ||
	    copy_table(dir, "groups.csv", grp_cols, "iit", 3, NULL, &groups, &ng) < 0 ||
	    copy_table(dir, "ship_types.csv", typ_cols, "iti", 3, &type_seen, &types, &nt) < 0 ||
	    copy_table(dir, "types_in_killmails.csv", typ_cols, "iti", 3, &type_seen, &types, &nt) < 0)
		goto out;
	if (db_begin(&db) < 0 ||
	    db_run(&db, "TRUNCATE eve.regions, eve.constellations, eve.systems, eve.categories,"
			" eve.groups, eve.types", 0, NULL) < 0 ||
	    eve_store_copy(&db, "COPY eve.regions (region_id, name) FROM STDIN", &regions) < 0 ||
	    eve_store_copy(&db, "COPY eve.constellations (constellation_id, name, region_id) FROM STDIN", &cons) < 0 ||
	    eve_store_copy(&db, "COPY eve.systems (system_id, name, security, constellation_id, region_id,"
				" space_type, sec_band, wh_class) FROM STDIN", &systems) < 0 ||
	    eve_store_copy(&db, "COPY eve.categories (category_id, name) FROM STDIN", &cats) < 0 ||
	    eve_store_copy(&db, "COPY eve.groups (group_id, category_id, name) FROM STDIN", &groups) < 0 ||
	    eve_store_copy(&db, "COPY eve.types (type_id, name, group_id) FROM STDIN", &types) < 0 ||
	    db_commit(&db) < 0) {
		db_rollback(&db);
		goto out;
	}
	log_info("eve-static: %s: %ld regions, %ld constellations, %ld systems, %ld categories,"
		 " %ld groups, %ld types", dir, nr, nc, ns, ncat, ng, nt);
	if (prices && load_prices(&db, prices) < 0)
		goto out;
	ret = 0;
out:
	for (i = 0; i < n_regions; i++)
		free(region_names[i]);
	free(region_names);
	idmap_free(&type_seen);
	idmap_free(&region_index);
	buf_release(&dirb);
	buf_release(&regions);
	buf_release(&cons);
	buf_release(&systems);
	buf_release(&cats);
	buf_release(&groups);
	buf_release(&types);
	db_close(&db);
	return ret;
}
