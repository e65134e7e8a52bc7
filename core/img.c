/* img.c: image validation by complete decoding (libpng, libjpeg, giflib,
 * libwebp). Contract and format sources in img.h.
 *
 * The libraries report fatal errors through callbacks; libpng and libjpeg
 * expect the callback never to return, so those decoders run under a
 * setjmp() in a function whose locals that change after setjmp() live in a
 * context struct (not in registers the longjmp would restore stale). */
#include "img.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gif_lib.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/decode.h>

struct limits {
	size_t max_bytes;
	long long max_dim;
	long long max_pixels;
	int max_frames;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int dims_ok(const struct limits *l, long long w, long long h)
{
	return w > 0 && h > 0 && w <= l->max_dim && h <= l->max_dim && w * h <= l->max_pixels;
}

enum img_format img_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;
	if (len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return IMG_PNG;
	if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return IMG_JPEG;
	if (len >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return IMG_GIF;
	if (len >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return IMG_WEBP;
	return IMG_NONE;
}

/* Find `needle` (lower-case ASCII) case-insensitively in the first n bytes. */
static int has_ci(const unsigned char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;
	for (i = 0; i + k <= n; i++)
		if (!strncasecmp((const char *)p + i, needle, k))
			return 1;
	return 0;
}

/* Name what a non-image looks like, for the log: SVG, HTML or unknown. */
static enum img_reject classify_other(const unsigned char *p, size_t len)
{
	size_t n = len < 2048 ? len : 2048, i = 0;
	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (has_ci(p, n, "<svg"))
		return IMG_REJECT_SVG;
	if (i < n && p[i] == '<')
		return IMG_REJECT_HTML;
	if (has_ci(p, n, "<html") || has_ci(p, n, "<!doctype") || has_ci(p, n, "<body") ||
	    has_ci(p, n, "<script"))
		return IMG_REJECT_HTML;
	return IMG_REJECT_UNKNOWN;
}

/* ------------------------------------------------------------------ PNG */

struct png_ctx {
	const unsigned char *data;
	size_t len, pos;
	jmp_buf jb;
	char msg[160];
	unsigned char *row;
};

static void png_on_error(png_structp png, png_const_charp msg)
{
	struct png_ctx *c = png_get_error_ptr(png);
	snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "decode error");
	longjmp(c->jb, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
	/* ancillary-chunk complaints (e.g. a known-bad sRGB profile) do not
	 * make the pixels unusable */
	(void)png;
	(void)msg;
}

static void png_on_read(png_structp png, png_bytep out, size_t n)
{
	struct png_ctx *c = png_get_io_ptr(png);
	if (n > c->len - c->pos)
		png_error(png, "file is truncated");
	memcpy(out, c->data + c->pos, n);
	c->pos += n;
}

static enum img_reject check_png(const unsigned char *data, size_t len, const struct limits *l,
				 struct img_info *info, char *err, size_t errlen)
{
	struct png_ctx c;
	png_structp png;
	png_infop pi;
	png_uint_32 w, h, y;
	int passes, pass;
	volatile enum img_reject ret = IMG_REJECT_CORRUPT;

	memset(&c, 0, sizeof c);
	c.data = data;
	c.len = len;
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &c, png_on_error, png_on_warning);
	if (!png)
		abort();
	pi = png_create_info_struct(png);
	if (!pi)
		abort();
	if (setjmp(c.jb)) {
		set_err(err, errlen, "png: %s", c.msg);
		goto out;
	}
	png_set_read_fn(png, &c, png_on_read);
	png_set_chunk_malloc_max(png, 8u << 20);
	png_read_info(png, pi);
	w = png_get_image_width(png, pi);
	h = png_get_image_height(png, pi);
	if (!dims_ok(l, w, h)) {
		set_err(err, errlen, "png: %ux%u is outside the limits", (unsigned)w, (unsigned)h);
		ret = IMG_REJECT_DIMENSIONS;
		goto out;
	}
	png_set_expand(png);
	png_set_strip_16(png);
	passes = png_set_interlace_handling(png);
	png_read_update_info(png, pi);
	c.row = malloc(png_get_rowbytes(png, pi) + 1);
	if (!c.row)
		abort();
	for (pass = 0; pass < passes; pass++)
		for (y = 0; y < h; y++)
			png_read_row(png, c.row, NULL);
	png_read_end(png, NULL);
	info->format = IMG_PNG;
	info->width = (int)w;
	info->height = (int)h;
	info->frames = 1;
	ret = IMG_OK;
out:
	free(c.row);
	png_destroy_read_struct(&png, &pi, NULL);
	return ret;
}

/* ----------------------------------------------------------------- JPEG */

struct jpeg_ctx {
	struct jpeg_error_mgr pub; /* first: libjpeg hands us this pointer */
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
	unsigned char *row;
};

static void jpeg_on_error(j_common_ptr cinfo)
{
	struct jpeg_ctx *c = (struct jpeg_ctx *)cinfo->err;
	(*cinfo->err->format_message)(cinfo, c->msg);
	longjmp(c->jb, 1);
}

/* Warnings (level -1) include "premature end of JPEG file", which libjpeg
 * otherwise papers over with grey rows: a truncated file must fail. */
static void jpeg_on_message(j_common_ptr cinfo, int level)
{
	if (level < 0)
		jpeg_on_error(cinfo);
}

static enum img_reject check_jpeg(const unsigned char *data, size_t len, const struct limits *l,
				  struct img_info *info, char *err, size_t errlen)
{
	struct jpeg_decompress_struct d;
	struct jpeg_ctx c;
	volatile enum img_reject ret = IMG_REJECT_CORRUPT;
	JSAMPROW rows[1];

	memset(&c, 0, sizeof c);
	memset(&d, 0, sizeof d);
	d.err = jpeg_std_error(&c.pub);
	c.pub.error_exit = jpeg_on_error;
	c.pub.emit_message = jpeg_on_message;
	jpeg_create_decompress(&d);
	if (setjmp(c.jb)) {
		set_err(err, errlen, "jpeg: %s", c.msg);
		goto out;
	}
	jpeg_mem_src(&d, data, (unsigned long)len);
	if (jpeg_read_header(&d, TRUE) != JPEG_HEADER_OK) {
		set_err(err, errlen, "jpeg: no image in the file");
		goto out;
	}
	if (!dims_ok(l, d.image_width, d.image_height)) {
		set_err(err, errlen, "jpeg: %ux%u is outside the limits",
			(unsigned)d.image_width, (unsigned)d.image_height);
		ret = IMG_REJECT_DIMENSIONS;
		goto out;
	}
	d.mem->max_memory_to_use = 256L << 20;
	jpeg_start_decompress(&d);
	c.row = malloc((size_t)d.output_width * (size_t)d.output_components + 1);
	if (!c.row)
		abort();
	rows[0] = c.row;
	while (d.output_scanline < d.output_height)
		jpeg_read_scanlines(&d, rows, 1);
	jpeg_finish_decompress(&d);
	info->format = IMG_JPEG;
	info->width = (int)d.image_width;
	info->height = (int)d.image_height;
	info->frames = 1;
	ret = IMG_OK;
out:
	free(c.row);
	jpeg_destroy_decompress(&d);
	return ret;
}

/* ------------------------------------------------------------------ GIF */

struct gif_src {
	const unsigned char *data;
	size_t len, pos;
};

static int gif_on_read(GifFileType *g, GifByteType *out, int n)
{
	struct gif_src *s = g->UserData;
	size_t k = n < 0 ? 0 : (size_t)n;
	if (k > s->len - s->pos)
		k = s->len - s->pos;
	memcpy(out, s->data + s->pos, k);
	s->pos += k;
	return (int)k;
}

static enum img_reject check_gif(const unsigned char *data, size_t len, const struct limits *l,
				 struct img_info *info, char *err, size_t errlen)
{
	struct gif_src src = { data, len, 0 };
	GifFileType *g;
	GifRecordType type;
	GifByteType *ext;
	GifPixelType *line = NULL;
	enum img_reject ret = IMG_REJECT_CORRUPT;
	int gerr = 0, frames = 0, done = 0, code, y;
	long long pixels = 0;

	g = DGifOpen(&src, gif_on_read, &gerr);
	if (!g) {
		set_err(err, errlen, "gif: %s", GifErrorString(gerr) ? GifErrorString(gerr) : "bad header");
		return IMG_REJECT_CORRUPT;
	}
	if (!dims_ok(l, g->SWidth, g->SHeight)) {
		set_err(err, errlen, "gif: %dx%d is outside the limits", g->SWidth, g->SHeight);
		ret = IMG_REJECT_DIMENSIONS;
		goto out;
	}
	while (!done) {
		if (DGifGetRecordType(g, &type) == GIF_ERROR)
			goto fail;
		switch (type) {
		case IMAGE_DESC_RECORD_TYPE: {
			int w, h;
			if (DGifGetImageDesc(g) == GIF_ERROR)
				goto fail;
			w = g->Image.Width;
			h = g->Image.Height;
			if (!dims_ok(l, w, h)) {
				set_err(err, errlen, "gif: frame %dx%d is outside the limits", w, h);
				ret = IMG_REJECT_DIMENSIONS;
				goto out;
			}
			if (++frames > l->max_frames) {
				set_err(err, errlen, "gif: more than %d frames", l->max_frames);
				ret = IMG_REJECT_DIMENSIONS;
				goto out;
			}
			pixels += (long long)w * h;
			if (pixels > 4 * l->max_pixels) {
				set_err(err, errlen, "gif: more than %lld pixels in all frames",
					4 * l->max_pixels);
				ret = IMG_REJECT_DIMENSIONS;
				goto out;
			}
			free(line);
			line = malloc((size_t)w + 1);
			if (!line)
				abort();
			for (y = 0; y < h; y++)
				if (DGifGetLine(g, line, w) == GIF_ERROR)
					goto fail;
			break;
		}
		case EXTENSION_RECORD_TYPE:
			if (DGifGetExtension(g, &code, &ext) == GIF_ERROR)
				goto fail;
			while (ext)
				if (DGifGetExtensionNext(g, &ext) == GIF_ERROR)
					goto fail;
			break;
		case TERMINATE_RECORD_TYPE:
			done = 1;
			break;
		default:
			goto fail;
		}
	}
	if (!frames) {
		set_err(err, errlen, "gif: no image in the file");
		goto out;
	}
	info->format = IMG_GIF;
	info->width = g->SWidth;
	info->height = g->SHeight;
	info->frames = frames;
	ret = IMG_OK;
	goto out;
fail:
	set_err(err, errlen, "gif: %s",
		GifErrorString(g->Error) ? GifErrorString(g->Error) : "decode error");
out:
	free(line);
	DGifCloseFile(g, &gerr);
	return ret;
}

/* ----------------------------------------------------------------- WebP */

static enum img_reject check_webp(const unsigned char *data, size_t len, const struct limits *l,
				  struct img_info *info, char *err, size_t errlen)
{
	WebPBitstreamFeatures f;
	VP8StatusCode st;
	uint8_t *px;
	size_t stride, size;

	st = WebPGetFeatures(data, len, &f);
	if (st != VP8_STATUS_OK) {
		set_err(err, errlen, "webp: bitstream error %d", (int)st);
		return IMG_REJECT_CORRUPT;
	}
	if (f.has_animation) {
		set_err(err, errlen, "webp: animated WebP is not accepted");
		return IMG_REJECT_UNSUPPORTED;
	}
	if (!dims_ok(l, f.width, f.height)) {
		set_err(err, errlen, "webp: %dx%d is outside the limits", f.width, f.height);
		return IMG_REJECT_DIMENSIONS;
	}
	stride = (size_t)f.width * 4;
	size = stride * (size_t)f.height;
	px = malloc(size);
	if (!px)
		abort();
	if (!WebPDecodeRGBAInto(data, len, px, size, (int)stride)) {
		free(px);
		set_err(err, errlen, "webp: the image data is truncated or damaged");
		return IMG_REJECT_CORRUPT;
	}
	free(px);
	info->format = IMG_WEBP;
	info->width = f.width;
	info->height = f.height;
	info->frames = 1;
	return IMG_OK;
}

enum img_reject img_validate(const void *data, size_t len, const struct img_limits *lim,
			     struct img_info *info, char *err, size_t errlen)
{
	struct limits l;
	enum img_format f;

	memset(info, 0, sizeof *info);
	if (err && errlen)
		err[0] = '\0';
	l.max_bytes = lim && lim->max_bytes ? lim->max_bytes : IMG_DEFAULT_MAX_BYTES;
	l.max_dim = lim && lim->max_dimension > 0 ? lim->max_dimension : IMG_DEFAULT_MAX_DIMENSION;
	l.max_pixels = lim && lim->max_pixels > 0 ? lim->max_pixels : IMG_DEFAULT_MAX_PIXELS;
	l.max_frames = lim && lim->max_frames > 0 ? lim->max_frames : IMG_DEFAULT_MAX_FRAMES;
	if (!len) {
		set_err(err, errlen, "empty file");
		return IMG_REJECT_EMPTY;
	}
	if (len > l.max_bytes) {
		set_err(err, errlen, "%zu bytes is over the %zu-byte cap", len, l.max_bytes);
		return IMG_REJECT_TOO_BIG;
	}
	f = img_sniff(data, len);
	switch (f) {
	case IMG_PNG:
		return check_png(data, len, &l, info, err, errlen);
	case IMG_JPEG:
		return check_jpeg(data, len, &l, info, err, errlen);
	case IMG_GIF:
		return check_gif(data, len, &l, info, err, errlen);
	case IMG_WEBP:
		return check_webp(data, len, &l, info, err, errlen);
	case IMG_NONE:
		break;
	}
	switch (classify_other(data, len)) {
	case IMG_REJECT_SVG:
		set_err(err, errlen, "SVG is not accepted");
		return IMG_REJECT_SVG;
	case IMG_REJECT_HTML:
		set_err(err, errlen, "an HTML page, not an image");
		return IMG_REJECT_HTML;
	default:
		set_err(err, errlen, "not a PNG, JPEG, GIF or WebP file");
		return IMG_REJECT_UNKNOWN;
	}
}

const char *img_format_ext(enum img_format f)
{
	switch (f) {
	case IMG_PNG:
		return "png";
	case IMG_JPEG:
		return "jpg";
	case IMG_GIF:
		return "gif";
	case IMG_WEBP:
		return "webp";
	default:
		return "";
	}
}

const char *img_format_mime(enum img_format f)
{
	switch (f) {
	case IMG_PNG:
		return "image/png";
	case IMG_JPEG:
		return "image/jpeg";
	case IMG_GIF:
		return "image/gif";
	case IMG_WEBP:
		return "image/webp";
	default:
		return "application/octet-stream";
	}
}

const char *img_reject_name(enum img_reject r)
{
	static const char *const names[] = { "ok", "empty", "too_big", "html", "svg",
					     "unknown", "corrupt", "dimensions", "unsupported" };
	return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}
