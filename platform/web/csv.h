/* csv.h: RFC 4180 CSV text for the history exports.
 *
 * Cells are separated by ',' and rows end in CRLF. A cell is quoted (and
 * its '"' doubled) when it contains a comma, a quote, CR or LF. Text cells
 * are also guarded against spreadsheet formula injection: a cell whose
 * first byte is '=', '+', '-', '@', TAB or CR gets a leading '\'' so that
 * Excel, LibreOffice and Google Sheets show it as text instead of
 * evaluating it. Numbers we format ourselves (csv_int) are not guarded, so
 * numeric columns stay numeric.
 *
 * Everything appends to a struct buf and never fails (allocation failure
 * aborts, see buf.h). Bytes >= 0x80 pass through, so UTF-8 stays UTF-8.
 */
#ifndef GW_CSV_H
#define GW_CSV_H

#include <json-c/json.h>
#include <stddef.h>

#include "buf.h"

/* One column of a JSON-to-CSV export. */
struct csv_column {
	const char *header; /* header cell, e.g. "first_seen_at" */
	const char *path;   /* dotted key path inside each row object, e.g. "map.key" */
};

/* Append text cell `s` (NUL-terminated, borrowed), formula-guarded and
 * quoted as needed, without a separator. NULL appends an empty cell. */
void csv_cell(struct buf *out, const char *s);

/* Append integer cell `v` in decimal, without a separator. */
void csv_int(struct buf *out, long long v);

/* Append the separator before every cell but the first of a row: call it
 * with the cell's index (0-based). */
void csv_sep(struct buf *out, size_t index);

/* End the current row (CRLF). */
void csv_end_row(struct buf *out);

/* Append a header row (the columns' header cells) and then one row per
 * element of `rows` (a json array of objects; borrowed; NULL or a
 * non-array gives the header only). Each cell is the value at the column's
 * path: strings through csv_cell, integers through csv_int, doubles in
 * the shortest form that reads back, booleans as "true"/"false", null,
 * missing keys and nested objects or arrays as an empty cell.
 * Returns the number of data rows written. */
size_t csv_from_json(struct buf *out, struct json_object *rows,
		     const struct csv_column *cols, size_t ncols);

#endif
