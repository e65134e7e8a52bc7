/* heatmap.h: a heat map drawn server-side as SVG (no JavaScript): one
 * 100-unit square per grid cell, coloured by its count relative to the
 * largest, in the game's world coordinates (x right, y up; the SVG's y axis
 * is flipped), with a <title> per cell for the exact count, the map's
 * bounds labelled and a legend. Only presentation attributes (fill,
 * stroke), never style attributes, so it passes a CSP without
 * 'unsafe-inline'. Pure: no I/O. */
#ifndef GW_MOHAA_HEATMAP_H
#define GW_MOHAA_HEATMAP_H

struct buf;
struct json_object;

/* Append the SVG of `doc` (a mohaa_stats_heatmap document: "points" of
 * {"x","y","count"}, "kind", "map_name") to out. `title` names the image
 * for assistive technology (escaped here). A document without points
 * draws an empty frame saying so. */
void mohaa_heatmap_svg(struct buf *out, struct json_object *doc, const char *title);

#endif
