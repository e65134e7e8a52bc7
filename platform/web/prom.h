/* prom.h: a writer of the Prometheus text exposition format, version 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats/, "Text-based
 * format"), for /metrics and the modules' metrics hooks.
 *
 * A scrape is a sequence of families: "# HELP name text", "# TYPE name
 * type", then the family's samples, one per line:
 *     name{label="value",...} value
 * A family appears once; its samples follow its TYPE line without other
 * families in between. Counters are named ..._total; a histogram "x" has
 * the samples x_bucket{...,le="b"} (cumulative, ending with le="+Inf"),
 * x_sum and x_count (= the +Inf bucket).
 *
 * Metric and label names are the callers' constants and must match
 * [a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]* (not checked here).
 * Label values and HELP texts are escaped here: label values \ -> \\,
 * " -> \", line feed -> \n; HELP texts \ -> \\ and line feed -> \n. Both
 * must be UTF-8. Everything appends to a struct buf (core/buf.h). */
#ifndef GW_PROM_H
#define GW_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct prom_label {
	const char *name;  /* constant label name */
	const char *value; /* any UTF-8 text; NULL is written as "" */
};

/* Append "# HELP name help\n# TYPE name type\n". type: "counter", "gauge",
 * "histogram", "summary" or "untyped". */
void prom_family(struct buf *out, const char *name, const char *type, const char *help);

/* Append `len` bytes of `value` escaped for use between a label's quotes. */
void prom_escape_label(struct buf *out, const char *value, size_t len);

/* Append the inside of a label set, 'a="x",b="y"' (no braces), for `n`
 * labels; nothing when n is 0. The result is what the sample functions
 * take as `labels`, so a caller renders a series' labels once and reuses
 * them for many lines. */
void prom_labels(struct buf *out, const struct prom_label *labels, size_t n);

/* Append an unsigned integer in decimal. */
void prom_u64(struct buf *out, uint64_t v);

/* Append a float as Prometheus reads it (Go's ParseFloat): "+Inf", "-Inf",
 * "NaN", integers without a fraction, else the shortest of %.15g / %.17g
 * that reads back to the same double. */
void prom_f64(struct buf *out, double v);

/* Append one sample line "name{labels} v\n"; `labels` is the inside of the
 * braces as prom_labels() renders it, or NULL / "" for none (no braces). */
void prom_sample_u64(struct buf *out, const char *name, const char *labels, uint64_t v);
void prom_sample_f64(struct buf *out, const char *name, const char *labels, double v);

/* Append the samples of one histogram series: for i in 0..n-1 the line
 * name_bucket{labels,le="le[i]"} with the cumulative count of counts[0..i],
 * then le="+Inf" with the total of counts[0..n], then name_sum (`sum`) and
 * name_count (the total again).
 *
 * le: the n upper bounds as text, ascending ("0.005", "0.01", ...).
 * counts: n + 1 per-bucket (not cumulative) counts; counts[i] for
 *   le[i-1] < x <= le[i], counts[n] for x above the last bound.
 * labels: as for prom_sample_u64 (the series' own labels, without le). */
void prom_histogram(struct buf *out, const char *name, const char *labels,
		    const char *const *le, size_t n, const uint64_t *counts, double sum);

#endif
