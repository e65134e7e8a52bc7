/* csv.c: RFC 4180 cells and rows, guarded against formula injection. */
#include "platform/web/csv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csv_cell(struct buf *out, const char *s)
{
	/* a spreadsheet evaluates a cell that starts like a formula (or DDE
	 * call); TAB and CR are in the list because some importers strip them
	 * before looking at the next byte */
	bool guard, quote;
	const char *p;

	if (!s || !*s)
		return;
	guard = strchr("=+-@\t\r", *s) != NULL;
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_addch(out, '"');
	if (guard)
		buf_addch(out, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_addch(out, '"');
		buf_addch(out, *p);
	}
	if (quote)
		buf_addch(out, '"');
}

void csv_int(struct buf *out, long long v)
{
	buf_addf(out, "%lld", v);
}

void csv_sep(struct buf *out, size_t index)
{
	if (index)
		buf_addch(out, ',');
}

void csv_end_row(struct buf *out)
{
	buf_addstr(out, "\r\n");
}

/* The value at dotted `path` inside `o`, or NULL. */
static struct json_object *at_path(struct json_object *o, const char *path)
{
	char key[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof key || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static void cell_json(struct buf *out, struct json_object *v)
{
	char num[32];
	double d;

	switch (json_object_get_type(v)) {
	case json_type_string:
		csv_cell(out, json_object_get_string(v));
		break;
	case json_type_int:
		csv_int(out, (long long)json_object_get_int64(v));
		break;
	case json_type_double:
		d = json_object_get_double(v);
		snprintf(num, sizeof num, "%.15g", d);
		if (strtod(num, NULL) != d)
			snprintf(num, sizeof num, "%.17g", d);
		buf_addstr(out, num);
		break;
	case json_type_boolean:
		buf_addstr(out, json_object_get_boolean(v) ? "true" : "false");
		break;
	default: /* null, missing, object, array */
		break;
	}
}

size_t csv_from_json(struct buf *out, struct json_object *rows,
		     const struct csv_column *cols, size_t ncols)
{
	size_t i, j, n = 0;

	for (j = 0; j < ncols; j++) {
		csv_sep(out, j);
		csv_cell(out, cols[j].header);
	}
	csv_end_row(out);
	if (!rows || !json_object_is_type(rows, json_type_array))
		return 0;
	n = json_object_array_length(rows);
	for (i = 0; i < n; i++) {
		struct json_object *row = json_object_array_get_idx(rows, i);
		for (j = 0; j < ncols; j++) {
			csv_sep(out, j);
			cell_json(out, at_path(row, cols[j].path));
		}
		csv_end_row(out);
	}
	return n;
}
