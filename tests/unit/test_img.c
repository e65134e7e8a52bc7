/* test_img.c: image validation by decoding (core/img.c).
 *
 * The images are made here with the same libraries' encoders (libpng,
 * libjpeg, giflib, libwebp): the project has no real image files, so these
 * are synthesized fixtures. Each format is checked whole (accepted, with its
 * dimensions), truncated, damaged, and against the size and dimension caps;
 * HTML and SVG posing as images are rejected by content. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/encode.h>

#include "buf.h"
#include "cu.h"
#include "img.h"

/* A w x h RGB gradient. Caller frees. */
static unsigned char *pixels(int w, int h)
{
	unsigned char *p = malloc((size_t)w * h * 3);
	int x, y;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			unsigned char *q = p + ((size_t)y * w + x) * 3;
			q[0] = (unsigned char)(x * 255 / (w > 1 ? w - 1 : 1));
			q[1] = (unsigned char)(y * 255 / (h > 1 ? h - 1 : 1));
			q[2] = (unsigned char)((x ^ y) & 0xFF);
		}
	return p;
}

static void png_sink(png_structp png, png_bytep data, size_t n)
{
	buf_add(png_get_io_ptr(png), data, n);
}

static void png_flush_nop(png_structp png)
{
	(void)png;
}

static void make_png(struct buf *out, int w, int h, int interlace)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	unsigned char *px = pixels(w, h);
	int y, pass, passes;
	png_set_write_fn(png, out, png_sink, png_flush_nop);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
		     interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	passes = png_set_interlace_handling(png);
	for (pass = 0; pass < passes; pass++)
		for (y = 0; y < h; y++)
			png_write_row(png, px + (size_t)y * w * 3);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(px);
}

static void make_jpeg(struct buf *out, int w, int h, int progressive)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr e;
	unsigned char *mem = NULL, *px = pixels(w, h);
	unsigned long size = 0;
	JSAMPROW row[1];
	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &mem, &size);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 85, TRUE);
	if (progressive)
		jpeg_simple_progression(&c);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		row[0] = px + (size_t)c.next_scanline * w * 3;
		jpeg_write_scanlines(&c, row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	buf_add(out, mem, size);
	free(mem);
	free(px);
}

static int gif_sink(GifFileType *g, const GifByteType *data, int n)
{
	buf_add(g->UserData, data, (size_t)n);
	return n;
}

static void make_gif(struct buf *out, int w, int h, int frames)
{
	GifColorType colors[4] = { { 0, 0, 0 }, { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 } };
	ColorMapObject *cmap = GifMakeMapObject(4, colors);
	GifPixelType *line = malloc((size_t)w);
	int err = 0, f, x, y;
	GifFileType *g = EGifOpen(out, gif_sink, &err);
	EGifSetGifVersion(g, true);
	EGifPutScreenDesc(g, w, h, 2, 0, cmap);
	for (f = 0; f < frames; f++) {
		EGifPutImageDesc(g, 0, 0, w, h, false, NULL);
		for (y = 0; y < h; y++) {
			for (x = 0; x < w; x++)
				line[x] = (GifPixelType)((x + y + f) & 3);
			EGifPutLine(g, line, w);
		}
	}
	EGifCloseFile(g, &err);
	GifFreeMapObject(cmap);
	free(line);
}

static void make_webp(struct buf *out, int w, int h, int lossless)
{
	unsigned char *px = pixels(w, h), *enc = NULL;
	size_t n = lossless ? WebPEncodeLosslessRGB(px, w, h, w * 3, &enc)
			    : WebPEncodeRGB(px, w, h, w * 3, 80.0f, &enc);
	buf_add(out, enc, n);
	WebPFree(enc);
	free(px);
}

static enum img_reject check(const struct buf *b, struct img_info *info)
{
	char err[200];
	return img_validate(b->data, b->len, NULL, info, err, sizeof err);
}

/* Each format, whole: accepted, decoded dimensions, format from magic. */
static void test_valid_formats(void)
{
	struct buf b = BUF_INIT;
	struct img_info in;

	make_png(&b, 37, 21, 0);
	CU_ASSERT_EQUAL(img_sniff(b.data, b.len), IMG_PNG);
	CU_ASSERT_EQUAL(check(&b, &in), IMG_OK);
	CU_ASSERT(in.format == IMG_PNG && in.width == 37 && in.height == 21 && in.frames == 1);
	buf_reset(&b);
	make_png(&b, 64, 48, 1);
	CU_ASSERT_EQUAL(check(&b, &in), IMG_OK);
	CU_ASSERT(in.width == 64 && in.height == 48);
	buf_reset(&b);
	make_jpeg(&b, 50, 30, 0);
	CU_ASSERT_EQUAL(img_sniff(b.data, b.len), IMG_JPEG);
	CU_ASSERT_EQUAL(check(&b, &in), IMG_OK);
	CU_ASSERT(in.format == IMG_JPEG && in.width == 50 && in.height == 30);
	buf_reset(&b);
	make_jpeg(&b, 40, 40, 1);
	CU_ASSERT_EQUAL(check(&b, &in), IMG_OK);
	buf_reset(&b);
	make_gif(&b, 16, 9, 3);
	CU_ASSERT_EQUAL(img_sniff(b.data, b.len), IMG_GIF);
	CU_ASSERT_EQUAL(check(&b, &in), IMG_OK);
	CU_ASSERT(in.format == IMG_GIF && in.width == 16 && in.height == 9 && in.frames == 3);
	buf_reset(&b);
	make_webp(&b, 33, 17, 1);
	CU_ASSERT_EQUAL(img_sniff(b.data, b.len), IMG_WEBP);
	CU_ASSERT_EQUAL(check(&b, &in), IMG_OK);
	CU_ASSERT(in.format == IMG_WEBP && in.width == 33 && in.height == 17);
	buf_reset(&b);
	make_webp(&b, 64, 64, 0);
	CU_ASSERT_EQUAL(check(&b, &in), IMG_OK);
	buf_release(&b);
}

/* Every truncation point of a small file of each format is rejected as
 * corrupt (or, for the first bytes, as unknown), never accepted. */
static void test_truncated(void)
{
	struct buf b[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	struct img_info in;
	size_t i, n, bad;
	int k;

	make_png(&b[0], 20, 20, 0);
	make_jpeg(&b[1], 24, 24, 0);
	make_gif(&b[2], 12, 12, 2);
	make_webp(&b[3], 20, 20, 1);
	for (k = 0; k < 4; k++) {
		bad = 0;
		for (n = 1; n < b[k].len; n++) {
			enum img_reject r = img_validate(b[k].data, n, NULL, &in, NULL, 0);
			if (r == IMG_OK)
				bad++;
		}
		CU_ASSERT_EQUAL(bad, 0);
		/* the half-file case the mirror tests serve */
		CU_ASSERT_EQUAL(img_validate(b[k].data, b[k].len / 2, NULL, &in, NULL, 0),
				IMG_REJECT_CORRUPT);
	}
	for (i = 0; i < 4; i++)
		buf_release(&b[i]);
}

/* A flipped byte inside PNG image data fails its CRC; inside JPEG scan
 * data a damaged marker is reported. */
static void test_damaged(void)
{
	struct buf b = BUF_INIT;
	struct img_info in;
	char *idat;

	make_png(&b, 30, 30, 0);
	idat = memmem(b.data, b.len, "IDAT", 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(idat);
	idat[8] ^= 0x55;
	CU_ASSERT_EQUAL(check(&b, &in), IMG_REJECT_CORRUPT);
	buf_reset(&b);
	/* a PNG signature in front of an HTML page */
	{
		static const char fake[] = "\x89PNG\r\n\x1a\n<html><body>login</body></html>";
		buf_add(&b, fake, sizeof fake - 1);
	}
	CU_ASSERT_EQUAL(check(&b, &in), IMG_REJECT_CORRUPT);
	buf_reset(&b);
	/* RIFF/WEBP header with nothing valid after it */
	{
		static const char fake[] = "RIFF\x20\0\0\0WEBPVP8 \x10\0\0\0garbagegarbage!!";
		buf_add(&b, fake, sizeof fake - 1);
	}
	CU_ASSERT_EQUAL(check(&b, &in), IMG_REJECT_CORRUPT);
	buf_release(&b);
}

/* Markup and anything else is rejected by content, whatever it claims. */
static void test_not_images(void)
{
	static const char html[] = "<!DOCTYPE html>\n<html><head><title>404</title></head>"
				   "<body>Not found</body></html>";
	static const char html_bom[] = "\xEF\xBB\xBF  \r\n<html><body>x</body></html>";
	static const char svg[] = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""
				  " onload=\"alert(1)\"><rect width=\"1\" height=\"1\"/></svg>";
	static const char text[] = "just some text, no markup";
	struct img_info in;
	char err[200];

	CU_ASSERT_EQUAL(img_validate(html, sizeof html - 1, NULL, &in, err, sizeof err),
			IMG_REJECT_HTML);
	CU_ASSERT_STRING_EQUAL(img_reject_name(IMG_REJECT_HTML), "html");
	CU_ASSERT_EQUAL(img_validate(html_bom, sizeof html_bom - 1, NULL, &in, NULL, 0),
			IMG_REJECT_HTML);
	CU_ASSERT_EQUAL(img_validate(svg, sizeof svg - 1, NULL, &in, err, sizeof err),
			IMG_REJECT_SVG);
	CU_ASSERT_EQUAL(img_validate(text, sizeof text - 1, NULL, &in, NULL, 0), IMG_REJECT_UNKNOWN);
	CU_ASSERT_EQUAL(img_validate("", 0, NULL, &in, err, sizeof err), IMG_REJECT_EMPTY);
	CU_ASSERT_EQUAL(img_validate("BM\x36\0\0\0", 6, NULL, &in, NULL, 0), IMG_REJECT_UNKNOWN);
	CU_ASSERT_EQUAL(in.format, IMG_NONE);
}

/* The byte cap and the dimension caps. */
static void test_limits(void)
{
	struct buf b = BUF_INIT;
	struct img_limits lim = { 0 };
	struct img_info in;
	char err[200];

	make_png(&b, 40, 20, 0);
	lim.max_bytes = b.len - 1;
	CU_ASSERT_EQUAL(img_validate(b.data, b.len, &lim, &in, err, sizeof err), IMG_REJECT_TOO_BIG);
	lim.max_bytes = b.len;
	CU_ASSERT_EQUAL(img_validate(b.data, b.len, &lim, &in, err, sizeof err), IMG_OK);
	lim.max_dimension = 39;
	CU_ASSERT_EQUAL(img_validate(b.data, b.len, &lim, &in, err, sizeof err),
			IMG_REJECT_DIMENSIONS);
	lim.max_dimension = 0;
	lim.max_pixels = 799;
	CU_ASSERT_EQUAL(img_validate(b.data, b.len, &lim, &in, err, sizeof err),
			IMG_REJECT_DIMENSIONS);
	buf_reset(&b);
	make_jpeg(&b, 64, 8, 0);
	lim.max_bytes = 0;
	lim.max_pixels = 0;
	lim.max_dimension = 32;
	CU_ASSERT_EQUAL(img_validate(b.data, b.len, &lim, &in, err, sizeof err),
			IMG_REJECT_DIMENSIONS);
	buf_reset(&b);
	make_gif(&b, 8, 8, 5);
	lim.max_dimension = 0;
	lim.max_frames = 4;
	CU_ASSERT_EQUAL(img_validate(b.data, b.len, &lim, &in, err, sizeof err),
			IMG_REJECT_DIMENSIONS);
	lim.max_frames = 5;
	CU_ASSERT_EQUAL(img_validate(b.data, b.len, &lim, &in, err, sizeof err), IMG_OK);
	buf_reset(&b);
	make_webp(&b, 100, 10, 1);
	lim.max_dimension = 99;
	CU_ASSERT_EQUAL(img_validate(b.data, b.len, &lim, &in, err, sizeof err),
			IMG_REJECT_DIMENSIONS);
	buf_release(&b);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(img_format_ext(IMG_PNG), "png");
	CU_ASSERT_STRING_EQUAL(img_format_ext(IMG_JPEG), "jpg");
	CU_ASSERT_STRING_EQUAL(img_format_ext(IMG_GIF), "gif");
	CU_ASSERT_STRING_EQUAL(img_format_ext(IMG_WEBP), "webp");
	CU_ASSERT_STRING_EQUAL(img_format_ext(IMG_NONE), "");
	CU_ASSERT_STRING_EQUAL(img_format_mime(IMG_JPEG), "image/jpeg");
	CU_ASSERT_STRING_EQUAL(img_format_mime(IMG_WEBP), "image/webp");
	CU_ASSERT_STRING_EQUAL(img_reject_name(IMG_OK), "ok");
	CU_ASSERT_STRING_EQUAL(img_reject_name(IMG_REJECT_TOO_BIG), "too_big");
	CU_ASSERT_STRING_EQUAL(img_reject_name(IMG_REJECT_CORRUPT), "corrupt");
}

static void register_tests(void)
{
	CU_pSuite s = CU_add_suite("img", NULL, NULL);
	CU_add_test(s, "valid PNG, JPEG, GIF, WebP", test_valid_formats);
	CU_add_test(s, "every truncation rejected", test_truncated);
	CU_add_test(s, "damaged data rejected", test_damaged);
	CU_add_test(s, "HTML, SVG, text rejected", test_not_images);
	CU_add_test(s, "size and dimension caps", test_limits);
	CU_add_test(s, "extensions, MIME types, reasons", test_names);
}

CU_MAIN()
