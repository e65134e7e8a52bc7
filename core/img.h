/* img.h: validate an image by decoding it completely.
 *
 * Every picture GameWatch mirrors passes through img_validate() before it is
 * hashed and stored. The format comes from the first bytes (magic numbers),
 * never from a Content-Type header or a file name, and the whole image is
 * decoded with the format's reference library (libpng, libjpeg, giflib,
 * libwebp): a file that is truncated, corrupt, larger than the size cap, or
 * whose decoded dimensions exceed the limits is rejected. Anything that is
 * not one of the four formats (HTML, SVG, text, other images) is rejected.
 *
 * Formats and their magic numbers (from the format specifications):
 *   PNG   89 50 4E 47 0D 0A 1A 0A        (PNG spec, 5.2 "PNG signature")
 *   JPEG  FF D8 FF                       (ITU T.81 SOI marker + next marker)
 *   GIF   "GIF87a" or "GIF89a"           (GIF89a spec, 17 "Header")
 *   WebP  "RIFF" <size:4> "WEBP"         (RFC 9649, 2.4 "RIFF Header")
 *
 * Decoding happens row by row into one row buffer, so memory use is bounded
 * by the width limit, not by the image size (except WebP, decoded whole,
 * and progressive JPEG, whose coefficients libjpeg keeps; both are bounded
 * by max_pixels). No global state: safe to call from any thread.
 */
#ifndef GW_IMG_H
#define GW_IMG_H

#include <stddef.h>

enum img_format {
	IMG_NONE = 0,
	IMG_PNG,
	IMG_JPEG,
	IMG_GIF,
	IMG_WEBP,
};

/* Why an image was rejected (0 = accepted). Stable names for logs and
 * counters: img_reject_name(). */
enum img_reject {
	IMG_OK = 0,
	IMG_REJECT_EMPTY,       /* no bytes */
	IMG_REJECT_TOO_BIG,     /* more bytes than max_bytes */
	IMG_REJECT_HTML,        /* markup: an HTML page (error page, login wall) */
	IMG_REJECT_SVG,         /* SVG (scriptable; never accepted) */
	IMG_REJECT_UNKNOWN,     /* not one of the four formats */
	IMG_REJECT_CORRUPT,     /* the decoder failed: truncated or damaged */
	IMG_REJECT_DIMENSIONS,  /* width/height zero or over the limits */
	IMG_REJECT_UNSUPPORTED, /* a valid variant we do not take (animated WebP) */
};

struct img_limits {
	size_t max_bytes;    /* input size cap; 0 = IMG_DEFAULT_MAX_BYTES */
	int max_dimension;   /* max width and height in pixels; 0 = IMG_DEFAULT_MAX_DIMENSION */
	long long max_pixels; /* max width * height; 0 = IMG_DEFAULT_MAX_PIXELS */
	int max_frames;      /* GIF frames; 0 = IMG_DEFAULT_MAX_FRAMES */
};

#define IMG_DEFAULT_MAX_BYTES (5u << 20)
#define IMG_DEFAULT_MAX_DIMENSION 4096
#define IMG_DEFAULT_MAX_PIXELS (4096LL * 4096LL)
#define IMG_DEFAULT_MAX_FRAMES 500

struct img_info {
	enum img_format format;
	int width;   /* decoded width in pixels (GIF: the logical screen) */
	int height;
	int frames;  /* 1, or the number of GIF frames decoded */
};

/* The format announced by the first bytes of `data` (IMG_NONE when none
 * matches). Looks at most 12 bytes; decodes nothing. */
enum img_format img_sniff(const void *data, size_t len);

/* Decode `len` bytes of `data` completely and fill `info`.
 *
 * data: the file's bytes, borrowed (may be NULL only when len is 0).
 * lim: limits, or NULL for the defaults above.
 * info: filled on success; zeroed otherwise (format may still be set).
 * err/errlen: a one-line reason on rejection ("" on success); err may be
 *             NULL when errlen is 0.
 * Returns IMG_OK (0) or the enum img_reject reason. Never aborts on bad
 * input; allocation failure aborts as everywhere else (buf.h). */
enum img_reject img_validate(const void *data, size_t len, const struct img_limits *lim,
			     struct img_info *info, char *err, size_t errlen);

/* File extension without the dot ("png", "jpg", "gif", "webp"), or "" for
 * IMG_NONE. Static strings. */
const char *img_format_ext(enum img_format f);

/* MIME type ("image/png", ...), or "application/octet-stream". */
const char *img_format_mime(enum img_format f);

/* "ok", "empty", "too_big", "html", "svg", "unknown", "corrupt",
 * "dimensions", "unsupported". Static strings. */
const char *img_reject_name(enum img_reject r);

#endif
