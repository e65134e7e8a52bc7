/* heatmap.c: heat maps as SVG (heatmap.h). */
#include "modules/mohaa/web/heatmap.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "html.h"

/* Sequential palette, light to dark (ColorBrewer YlOrRd, 6 classes). */
static const char *const palette[] = { "#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026" };
#define NCOLORS 6
#define CELL 100

void mohaa_heatmap_svg(struct buf *out, struct json_object *doc, const char *title)
{
	struct json_object *pts = json_object_object_get(doc, "points");
	const char *kind = json_object_get_string(json_object_object_get(doc, "kind"));
	size_t n = pts ? json_object_array_length(pts) : 0, i;
	int64_t minx = 0, maxx = 0, miny = 0, maxy = 0, maxc = 0, w, h, pad;
	int c;

	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(pts, i);
		int64_t x = json_object_get_int64(json_object_object_get(p, "x"));
		int64_t y = json_object_get_int64(json_object_object_get(p, "y"));
		int64_t k = json_object_get_int64(json_object_object_get(p, "count"));
		if (!i || x < minx)
			minx = x;
		if (!i || x > maxx)
			maxx = x;
		if (!i || y < miny)
			miny = y;
		if (!i || y > maxy)
			maxy = y;
		if (k > maxc)
			maxc = k;
	}
	/* the cells' extent plus one cell of margin, and room for the labels */
	minx -= CELL;
	maxx += CELL;
	miny -= CELL;
	maxy += CELL;
	w = maxx - minx;
	h = maxy - miny;
	if (w < 1000) {
		minx -= (1000 - w) / 2;
		w = 1000;
	}
	if (h < 1000) {
		miny -= (1000 - h) / 2;
		h = 1000;
	}
	maxx = minx + w;
	maxy = miny + h;
	pad = (w > h ? w : h) / 12;

	buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" role=\"img\""
		      " viewBox=\"%lld %lld %lld %lld\" preserveAspectRatio=\"xMidYMid meet\""
		      " aria-label=\"", (long long)(minx - pad), (long long)(-maxy - pad),
		 (long long)(w + 2 * pad), (long long)(h + 3 * pad));
	html_attr(out, title);
	buf_addstr(out, "\"><title>");
	html_txt(out, title);
	buf_addstr(out, "</title>");
	buf_addf(out, "<rect x=\"%lld\" y=\"%lld\" width=\"%lld\" height=\"%lld\" fill=\"#f4f4f0\""
		      " stroke=\"#888\" stroke-width=\"%lld\"/>",
		 (long long)minx, (long long)-maxy, (long long)w, (long long)h,
		 (long long)(pad / 40 > 0 ? pad / 40 : 1));
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(pts, i);
		int64_t x = json_object_get_int64(json_object_object_get(p, "x"));
		int64_t y = json_object_get_int64(json_object_object_get(p, "y"));
		int64_t k = json_object_get_int64(json_object_object_get(p, "count"));
		int idx = maxc ? (int)((k * NCOLORS - 1) / maxc) : 0;
		if (idx < 0)
			idx = 0;
		if (idx >= NCOLORS)
			idx = NCOLORS - 1;
		buf_addf(out, "<rect x=\"%lld\" y=\"%lld\" width=\"%d\" height=\"%d\" fill=\"%s\">"
			      "<title>x %lld, y %lld: %lld %s</title></rect>",
			 (long long)(x - CELL / 2), (long long)(-(y + CELL / 2)), CELL, CELL,
			 palette[idx], (long long)x, (long long)y, (long long)k,
			 kind && !strcmp(kind, "deaths") ? (k == 1 ? "death" : "deaths")
							 : (k == 1 ? "kill" : "kills"));
	}
	if (!n)
		buf_addf(out, "<text x=\"%lld\" y=\"%lld\" text-anchor=\"middle\" font-size=\"%lld\""
			      " fill=\"#555\">No %s recorded here yet</text>",
			 (long long)(minx + w / 2), (long long)(-(miny + h / 2)), (long long)(pad / 2),
			 kind && !strcmp(kind, "deaths") ? "deaths" : "kills");
	/* bounds in world units */
	buf_addf(out, "<g font-size=\"%lld\" fill=\"#333\">", (long long)(pad / 2 > 1 ? pad / 2 : 1));
	buf_addf(out, "<text x=\"%lld\" y=\"%lld\">x %lld</text>", (long long)minx,
		 (long long)(-miny + pad * 3 / 4), (long long)minx);
	buf_addf(out, "<text x=\"%lld\" y=\"%lld\" text-anchor=\"end\">x %lld</text>",
		 (long long)maxx, (long long)(-miny + pad * 3 / 4), (long long)maxx);
	buf_addf(out, "<text x=\"%lld\" y=\"%lld\">y %lld</text>", (long long)minx,
		 (long long)(-maxy - pad / 4), (long long)maxy);
	/* legend: the palette from 1 to the largest count */
	for (c = 0; c < NCOLORS; c++)
		buf_addf(out, "<rect x=\"%lld\" y=\"%lld\" width=\"%lld\" height=\"%lld\" fill=\"%s\"/>",
			 (long long)(minx + w / 2 + c * pad / 2), (long long)(-miny + pad * 5 / 4),
			 (long long)(pad / 2), (long long)(pad / 2), palette[c]);
	buf_addf(out, "<text x=\"%lld\" y=\"%lld\" text-anchor=\"end\">1</text>",
		 (long long)(minx + w / 2 - pad / 8), (long long)(-miny + pad * 7 / 4));
	buf_addf(out, "<text x=\"%lld\" y=\"%lld\">%lld</text></g></svg>",
		 (long long)(minx + w / 2 + NCOLORS * pad / 2 + pad / 8),
		 (long long)(-miny + pad * 7 / 4), (long long)(maxc ? maxc : 0));
}
