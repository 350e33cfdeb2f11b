/*
 * Unit tests for imagefmt.c: hand-made containers built byte by byte
 * from the format specifications (JPEG T.81 markers, PNG chunks, GIF89a
 * blocks, WebP RIFF chunks, ISOBMFF boxes), each whole, cut, damaged and
 * with data after it; and the real fixture files of
 * tests/images/make_fixtures.py, whose declared sizes Pillow wrote.
 */

#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/imagefmt.h"

struct bytes {
	unsigned char	b[4096];
	size_t		n;
};

static void
put(struct bytes *x, const void *p, size_t n)
{
	assert_true(x->n + n <= sizeof(x->b));
	memcpy(x->b + x->n, p, n);
	x->n += n;
}

static void
puts_(struct bytes *x, const char *s)
{
	put(x, s, strlen(s));
}

#define PUT(x, ...) do {						\
	const unsigned char	_v[] = { __VA_ARGS__ };			\
	put((x), _v, sizeof(_v));					\
} while (0)

static void
put32be(struct bytes *x, uint32_t v)
{
	PUT(x, v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

static void
put32le(struct bytes *x, uint32_t v)
{
	PUT(x, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24);
}

static void
scan(const struct bytes *x, size_t len, enum imagefmt_type type,
    enum imagefmt_status status)
{
	struct imagefmt	f;

	imagefmt_scan(x->b, len, &f);
	assert_int_equal(f.type, type);
	assert_int_equal(f.status, status);
}

/* SOI, SOF0 w x h one component, SOS, entropy data, EOI. */
static void
jpeg_min(struct bytes *x, int eoi)
{
	x->n = 0;
	PUT(x, 0xff, 0xd8);
	PUT(x, 0xff, 0xe0, 0x00, 0x07, 'J', 'F', 'I', 'F', 0);
	PUT(x, 0xff, 0xff, 0xc0, 0x00, 0x0b, 8, 0x00, 0x02, 0x00, 0x03, 1,
	    1, 0x11, 0);
	PUT(x, 0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0);
	PUT(x, 0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd0, 0x78, 0xff, 0xff);
	if (eoi)
		PUT(x, 0xff, 0xd9);
}

static void
test_jpeg(void **state)
{
	struct bytes	x, y;
	struct imagefmt	f;
	size_t		n, i;

	(void)state;
	jpeg_min(&x, 1);
	imagefmt_scan(x.b, x.n, &f);
	assert_int_equal(f.type, IMAGEFMT_JPEG);
	assert_int_equal(f.status, IMAGEFMT_OK);
	assert_int_equal(f.width, 3);
	assert_int_equal(f.height, 2);
	assert_int_equal(f.frames, 1);
	assert_int_equal(f.end, x.n);

	/* Every cut is truncated (the signature needs 3 bytes). */
	for (i = 3; i < x.n; i++)
		scan(&x, i, IMAGEFMT_JPEG, IMAGEFMT_TRUNCATED);
	jpeg_min(&x, 0);
	scan(&x, x.n, IMAGEFMT_JPEG, IMAGEFMT_TRUNCATED);

	/* After EOI: zeros are padding, a whole JPEG is a companion,
	 * anything else is trailing data. */
	jpeg_min(&x, 1);
	n = x.n;
	PUT(&x, 0, 0, 0, 0);
	imagefmt_scan(x.b, x.n, &f);
	assert_int_equal(f.status, IMAGEFMT_OK);
	assert_int_equal(f.end, n);
	jpeg_min(&x, 1);
	jpeg_min(&y, 1);
	put(&x, y.b, y.n);
	put(&x, y.b, y.n);
	scan(&x, x.n, IMAGEFMT_JPEG, IMAGEFMT_OK);
	put(&x, y.b, y.n - 2);		/* a cut companion */
	scan(&x, x.n, IMAGEFMT_JPEG, IMAGEFMT_TRAILING);
	jpeg_min(&x, 1);
	PUT(&x, 'P', 'K', 3, 4);
	scan(&x, x.n, IMAGEFMT_JPEG, IMAGEFMT_TRAILING);

	/* Broken structure. */
	x.n = 0;
	PUT(&x, 0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 8, 0, 2, 0, 3, 1, 1,
	    0x11, 0, 0xff, 0xd9);
	scan(&x, x.n, IMAGEFMT_JPEG, IMAGEFMT_CORRUPT);	/* no scan */
	x.n = 0;
	PUT(&x, 0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01, 0xff, 0xd9);
	scan(&x, x.n, IMAGEFMT_JPEG, IMAGEFMT_CORRUPT);	/* length < 2 */
	x.n = 0;
	PUT(&x, 0xff, 0xd8, 0xff, 0xe1, 0x00, 0x02, 0x42, 0xff, 0xd9);
	scan(&x, x.n, IMAGEFMT_JPEG, IMAGEFMT_CORRUPT);	/* not a marker */
	x.n = 0;
	PUT(&x, 0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0, 1,
	    0xff, 0xd9);
	scan(&x, x.n, IMAGEFMT_JPEG, IMAGEFMT_CORRUPT);	/* SOS before SOF */
}

static void
png_chunk(struct bytes *x, const char *type, const void *data, uint32_t n)
{
	put32be(x, n);
	put(x, type, 4);
	if (n > 0)
		put(x, data, n);
	put32be(x, 0);			/* CRC: not imagefmt's business */
}

static void
png_min(struct bytes *x, uint32_t w, uint32_t h)
{
	unsigned char	ihdr[13] = { 0 };

	ihdr[0] = w >> 24; ihdr[1] = w >> 16; ihdr[2] = w >> 8; ihdr[3] = w;
	ihdr[4] = h >> 24; ihdr[5] = h >> 16; ihdr[6] = h >> 8; ihdr[7] = h;
	ihdr[8] = 8;
	x->n = 0;
	PUT(x, 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a);
	png_chunk(x, "IHDR", ihdr, 13);
	png_chunk(x, "IDAT", "zzzz", 4);
}

static void
test_png(void **state)
{
	struct bytes	x;
	struct imagefmt	f;
	size_t		i;

	(void)state;
	png_min(&x, 5, 7);
	png_chunk(&x, "IEND", NULL, 0);
	imagefmt_scan(x.b, x.n, &f);
	assert_int_equal(f.type, IMAGEFMT_PNG);
	assert_int_equal(f.status, IMAGEFMT_OK);
	assert_int_equal(f.width, 5);
	assert_int_equal(f.height, 7);
	for (i = 8; i < x.n; i++)
		scan(&x, i, IMAGEFMT_PNG, IMAGEFMT_TRUNCATED);
	PUT(&x, '<', 's');
	scan(&x, x.n, IMAGEFMT_PNG, IMAGEFMT_TRAILING);

	png_min(&x, 50000, 50000);	/* declared, not checked here */
	png_chunk(&x, "IEND", NULL, 0);
	imagefmt_scan(x.b, x.n, &f);
	assert_int_equal(f.status, IMAGEFMT_OK);
	assert_int_equal(f.width, 50000);

	png_min(&x, 0, 7);
	png_chunk(&x, "IEND", NULL, 0);
	scan(&x, x.n, IMAGEFMT_PNG, IMAGEFMT_CORRUPT);
	x.n = 8;			/* first chunk not IHDR */
	png_chunk(&x, "IDAT", "zz", 2);
	scan(&x, x.n, IMAGEFMT_PNG, IMAGEFMT_CORRUPT);
	png_min(&x, 5, 7);		/* a length over 2^31 - 1 */
	put32be(&x, 0x80000000);
	put(&x, "IDAT", 4);
	scan(&x, x.n, IMAGEFMT_PNG, IMAGEFMT_CORRUPT);
	png_min(&x, 5, 7);		/* a length past the end */
	put32be(&x, 0x7fffffff);
	put(&x, "IDAT", 4);
	scan(&x, x.n, IMAGEFMT_PNG, IMAGEFMT_TRUNCATED);
	png_min(&x, 5, 7);		/* a type that is not letters */
	png_chunk(&x, "ID\0T", NULL, 0);
	scan(&x, x.n, IMAGEFMT_PNG, IMAGEFMT_CORRUPT);
}

static void
gif_frame(struct bytes *x, uint16_t left, uint16_t top, uint16_t w,
    uint16_t h)
{
	PUT(x, 0x21, 0xf9, 4, 0, 10, 0, 0, 0);	/* graphic control */
	PUT(x, 0x2c, left & 0xff, left >> 8, top & 0xff, top >> 8,
	    w & 0xff, w >> 8, h & 0xff, h >> 8, 0x80);	/* 2-entry LCT */
	PUT(x, 0, 0, 0, 255, 255, 255);
	PUT(x, 2, 3, 0x44, 0x01, 0x05, 0);	/* LZW: one sub-block */
}

static void
test_gif(void **state)
{
	struct bytes	x;
	struct imagefmt	f;
	size_t		i;

	(void)state;
	x.n = 0;
	put(&x, "GIF89a", 6);
	PUT(&x, 10, 0, 10, 0, 0x80, 0, 0, 0, 0, 0, 1, 1, 1);	/* GCT 2 */
	PUT(&x, 0x21, 0xfe, 3, 'a', 'b', 'c', 0);	/* comment */
	gif_frame(&x, 0, 0, 10, 10);
	gif_frame(&x, 5, 5, 20, 3);	/* reaches past the screen */
	PUT(&x, 0x3b);
	imagefmt_scan(x.b, x.n, &f);
	assert_int_equal(f.type, IMAGEFMT_GIF);
	assert_int_equal(f.status, IMAGEFMT_OK);
	assert_int_equal(f.width, 25);
	assert_int_equal(f.height, 10);
	assert_int_equal(f.frames, 2);
	for (i = 6; i < x.n; i++)
		scan(&x, i, IMAGEFMT_GIF, IMAGEFMT_TRUNCATED);
	put(&x, "*/=alert(1)", 11);
	scan(&x, x.n, IMAGEFMT_GIF, IMAGEFMT_TRAILING);

	x.n = 0;			/* no image at all */
	put(&x, "GIF87a", 6);
	PUT(&x, 1, 0, 1, 0, 0, 0, 0, 0x3b);
	scan(&x, x.n, IMAGEFMT_GIF, IMAGEFMT_CORRUPT);
	x.n = 13;			/* an unknown block */
	PUT(&x, 0x99, 0x3b);
	scan(&x, x.n, IMAGEFMT_GIF, IMAGEFMT_CORRUPT);
}

static void
webp_chunk(struct bytes *x, const char *fourcc, const void *data,
    uint32_t n)
{
	put(x, fourcc, 4);
	put32le(x, n);
	put(x, data, n);
	if (n & 1)
		PUT(x, 0);
}

static void
webp_riff(struct bytes *x)
{
	x->b[4] = (x->n - 8) & 0xff;
	x->b[5] = ((x->n - 8) >> 8) & 0xff;
	x->b[6] = ((x->n - 8) >> 16) & 0xff;
	x->b[7] = ((x->n - 8) >> 24) & 0xff;
}

static void
test_webp(void **state)
{
	/* VP8L 4x3: signature, then 14 bits w - 1, 14 bits h - 1. */
	static const unsigned char	vp8l[5] = { 0x2f, 3, 0x80, 0, 0 };
	/* VP8X: flags (animation), canvas 640x480. */
	static const unsigned char	vp8x[10] = { 0x02, 0, 0, 0,
	    0x7f, 0x02, 0, 0xdf, 0x01, 0 };
	struct bytes			x;
	struct imagefmt			f;
	size_t				i;

	(void)state;
	x.n = 0;
	put(&x, "RIFF\0\0\0\0WEBP", 12);
	webp_chunk(&x, "VP8L", vp8l, sizeof(vp8l));
	webp_riff(&x);
	imagefmt_scan(x.b, x.n, &f);
	assert_int_equal(f.type, IMAGEFMT_WEBP);
	assert_int_equal(f.status, IMAGEFMT_OK);
	assert_int_equal(f.width, 4);
	assert_int_equal(f.height, 3);
	assert_int_equal(f.frames, 1);
	for (i = 12; i < x.n; i++)
		scan(&x, i, IMAGEFMT_WEBP, IMAGEFMT_TRUNCATED);
	put(&x, "PK", 2);
	scan(&x, x.n, IMAGEFMT_WEBP, IMAGEFMT_TRAILING);

	x.n = 0;
	put(&x, "RIFF\0\0\0\0WEBP", 12);
	webp_chunk(&x, "VP8X", vp8x, sizeof(vp8x));
	webp_chunk(&x, "ANIM", "\0\0\0\0\0\0", 6);
	webp_chunk(&x, "ANMF", "0123456789abcdef", 16);
	webp_chunk(&x, "ANMF", "0123456789abcdef", 16);
	webp_riff(&x);
	imagefmt_scan(x.b, x.n, &f);
	assert_int_equal(f.status, IMAGEFMT_OK);
	assert_int_equal(f.width, 640);
	assert_int_equal(f.height, 480);
	assert_int_equal(f.frames, 2);

	x.n = 0;			/* a chunk past the RIFF */
	put(&x, "RIFF\0\0\0\0WEBP", 12);
	put(&x, "VP8L", 4);
	put32le(&x, 100);
	put(&x, vp8l, sizeof(vp8l));
	webp_riff(&x);
	scan(&x, x.n, IMAGEFMT_WEBP, IMAGEFMT_CORRUPT);
	x.n = 0;			/* no image chunk first */
	put(&x, "RIFF\0\0\0\0WEBP", 12);
	webp_chunk(&x, "EXIF", "ab", 2);
	webp_riff(&x);
	scan(&x, x.n, IMAGEFMT_WEBP, IMAGEFMT_CORRUPT);
}

static void
box(struct bytes *x, const char *type, const void *data, uint32_t n)
{
	put32be(x, n + 8);
	put(x, type, 4);
	put(x, data, n);
}

static void
test_isobmff(void **state)
{
	struct bytes	x;
	struct imagefmt	f;
	size_t		i;

	(void)state;
	x.n = 0;
	box(&x, "ftyp", "avif\0\0\0\0mif1miaf", 16);
	box(&x, "meta", "\0\0\0\0hdlr", 8);
	box(&x, "mdat", "pixels", 6);
	imagefmt_scan(x.b, x.n, &f);
	assert_int_equal(f.type, IMAGEFMT_AVIF);
	assert_int_equal(f.status, IMAGEFMT_OK);
	assert_int_equal(f.width, 0);	/* the decoder reads it */
	assert_int_equal(f.frames, 1);
	/* Cut inside a box.  (Cut exactly between two boxes, a file looks
	 * whole here: the decoder refuses it.) */
	for (i = 25; i < x.n; i++)
		if (i != 40)
			scan(&x, i, IMAGEFMT_AVIF, IMAGEFMT_TRUNCATED);
	PUT(&x, 'P', 'K', 3, 4, 0x14, 0, 0, 0, 8, 0);
	scan(&x, x.n, IMAGEFMT_AVIF, IMAGEFMT_TRAILING);

	/* A 64-bit size is read; a last box "to the end of the file" is
	 * refused (a cut file would look whole). */
	x.n = 0;
	box(&x, "ftyp", "mif1\0\0\0\0avifmiaf", 16);
	box(&x, "meta", "\0\0\0\0", 4);
	put32be(&x, 1);
	put(&x, "mdat", 4);
	put32be(&x, 0);
	put32be(&x, 20);
	put(&x, "data", 4);
	scan(&x, x.n, IMAGEFMT_AVIF, IMAGEFMT_OK);
	scan(&x, x.n - 1, IMAGEFMT_AVIF, IMAGEFMT_TRUNCATED);
	put32be(&x, 0);
	put(&x, "free", 4);
	put(&x, "anything", 8);
	scan(&x, x.n, IMAGEFMT_AVIF, IMAGEFMT_CORRUPT);

	x.n = 0;			/* no meta box */
	box(&x, "ftyp", "avif\0\0\0\0", 8);
	box(&x, "mdat", "pixels", 6);
	scan(&x, x.n, IMAGEFMT_AVIF, IMAGEFMT_CORRUPT);

	x.n = 0;			/* HEIC: an image kblog does not take */
	box(&x, "ftyp", "heic\0\0\0\0mif1heic", 16);
	scan(&x, x.n, IMAGEFMT_OTHER, IMAGEFMT_OK);
	x.n = 0;			/* MP4: not an image */
	box(&x, "ftyp", "isom\0\0\0\0isomavc1", 16);
	scan(&x, x.n, IMAGEFMT_NONE, IMAGEFMT_OK);
}

static void
test_others(void **state)
{
	struct bytes	x;
	struct imagefmt	f;

	(void)state;
	x.n = 0;
	put(&x, "II*\0\x08\0\0\0", 8);
	scan(&x, x.n, IMAGEFMT_OTHER, IMAGEFMT_OK);
	x.n = 0;
	puts_(&x, "\xef\xbb\xbf \n<svg xmlns='http://www.w3.org/2000/svg'/>");
	scan(&x, x.n, IMAGEFMT_OTHER, IMAGEFMT_OK);
	x.n = 0;
	puts_(&x, "<?xml version='1.0'?><svg/>");
	scan(&x, x.n, IMAGEFMT_OTHER, IMAGEFMT_OK);
	x.n = 0;
	puts_(&x, "<?xml version='1.0'?><html/>");
	scan(&x, x.n, IMAGEFMT_NONE, IMAGEFMT_OK);
	x.n = 0;
	put(&x, "\xff\xd8", 2);		/* too short to be a JPEG */
	scan(&x, x.n, IMAGEFMT_NONE, IMAGEFMT_OK);
	imagefmt_scan(NULL, 0, &f);
	assert_int_equal(f.type, IMAGEFMT_NONE);

	assert_int_equal(imagefmt_from_mime("image/jpeg"), IMAGEFMT_JPEG);
	assert_int_equal(imagefmt_from_mime("image/avif"), IMAGEFMT_AVIF);
	assert_int_equal(imagefmt_from_mime("image/jpg"), IMAGEFMT_NONE);
	assert_int_equal(imagefmt_from_mime("image/png; x=y"), IMAGEFMT_NONE);
	assert_int_equal(imagefmt_from_mime(NULL), IMAGEFMT_NONE);
	assert_string_equal(imagefmt_ext(IMAGEFMT_WEBP), "webp");
	assert_null(imagefmt_mime(IMAGEFMT_OTHER));
}

static void
test_metadata(void **state)
{
	static const unsigned char	vp8l[5] = { 0x2f, 3, 0x80, 0, 0 };
	static const unsigned char	vp8x[10] = { 0x3c, 0, 0, 0, 3, 0, 0,
	    2, 0, 0 };
	struct bytes			x, y;
	size_t				n;

	(void)state;
	jpeg_min(&x, 1);
	assert_int_equal(imagefmt_metadata(x.b, x.n), 0);
	y.n = 0;
	put(&y, x.b, 2);
	PUT(&y, 0xff, 0xe1, 0x00, 0x08, 'E', 'x', 'i', 'f', 0, 0);
	put(&y, x.b + 2, x.n - 2);
	assert_int_equal(imagefmt_metadata(y.b, y.n), 1);
	y.n = 0;
	put(&y, x.b, 2);
	PUT(&y, 0xff, 0xfe, 0x00, 0x03, 'c');
	put(&y, x.b + 2, x.n - 2);
	assert_int_equal(imagefmt_metadata(y.b, y.n), 1);

	png_min(&x, 5, 7);
	png_chunk(&x, "pHYs", "123456789", 9);
	png_chunk(&x, "IEND", NULL, 0);
	assert_int_equal(imagefmt_metadata(x.b, x.n), 0);
	png_min(&x, 5, 7);
	png_chunk(&x, "tEXt", "a\0b", 3);
	png_chunk(&x, "IEND", NULL, 0);
	assert_int_equal(imagefmt_metadata(x.b, x.n), 1);

	x.n = 0;
	put(&x, "GIF89a", 6);
	PUT(&x, 10, 0, 10, 0, 0, 0, 0);
	PUT(&x, 0x21, 0xff, 11);
	put(&x, "NETSCAPE2.0", 11);
	PUT(&x, 3, 1, 0, 0, 0);
	gif_frame(&x, 0, 0, 10, 10);
	PUT(&x, 0x3b);
	assert_int_equal(imagefmt_metadata(x.b, x.n), 0);
	x.n = 13;
	PUT(&x, 0x21, 0xff, 11);
	put(&x, "XMP DataXMP", 11);
	PUT(&x, 1, 'x', 0);
	gif_frame(&x, 0, 0, 10, 10);
	PUT(&x, 0x3b);
	assert_int_equal(imagefmt_metadata(x.b, x.n), 1);

	/* A WebP as libvips 8.14.1 writes it when told to strip. */
	x.n = 0;
	put(&x, "RIFF\0\0\0\0WEBP", 12);
	webp_chunk(&x, "VP8X", vp8x, sizeof(vp8x));
	webp_chunk(&x, "ICCP", "icc", 3);
	webp_chunk(&x, "VP8L", vp8l, sizeof(vp8l));
	webp_chunk(&x, "EXIF", "exif", 4);
	webp_chunk(&x, "XMP ", "<x/>", 4);
	webp_riff(&x);
	scan(&x, x.n, IMAGEFMT_WEBP, IMAGEFMT_OK);
	assert_int_equal(imagefmt_metadata(x.b, x.n), 1);
	n = imagefmt_webp_strip(x.b, x.n);
	assert_int_equal(n, 12 + 18 + 14);
	assert_int_equal(x.b[20], 0x10);	/* alpha flag kept */
	assert_memory_equal(x.b + 30, "VP8L", 4);
	scan(&x, n, IMAGEFMT_WEBP, IMAGEFMT_OK);
	assert_int_equal(imagefmt_metadata(x.b, n), 0);
	/* An odd chunk whose pad byte would lie past the end (found by
	 * fuzz_imagefmt: the walk read past the buffer). */
	y.n = 0;
	put(&y, "RIFF\0\0\0\0WEBP", 12);
	put(&y, "VP8L", 4);
	put32le(&y, 5);
	put(&y, vp8l, sizeof(vp8l));
	webp_riff(&y);
	assert_int_equal(imagefmt_metadata(y.b, y.n), -1);
	assert_int_equal(imagefmt_webp_strip(y.b, y.n), 0);
	scan(&y, y.n, IMAGEFMT_WEBP, IMAGEFMT_CORRUPT);

	/* Not a whole WebP: left alone. */
	y = x;
	assert_int_equal(imagefmt_webp_strip(y.b, n - 1), 0);
	assert_memory_equal(y.b, x.b, n);

	x.n = 0;
	box(&x, "ftyp", "avif\0\0\0\0", 8);
	box(&x, "meta", "\0\0\0\0iinf....infe....Exif", 25);
	box(&x, "mdat", "pixels", 6);
	assert_int_equal(imagefmt_metadata(x.b, x.n), 1);
	x.n = 0;
	box(&x, "ftyp", "avif\0\0\0\0", 8);
	box(&x, "meta", "\0\0\0\0colrnclx\0\1\0\1\0\1\x80", 19);
	box(&x, "mdat", "pixels", 6);
	assert_int_equal(imagefmt_metadata(x.b, x.n), 0);
	x.n = 0;
	box(&x, "ftyp", "avif\0\0\0\0", 8);
	box(&x, "meta", "\0\0\0\0colrprof....", 16);
	box(&x, "mdat", "pixels", 6);
	assert_int_equal(imagefmt_metadata(x.b, x.n), 1);

	assert_int_equal(imagefmt_metadata("text", 4), -1);
}

/* The real files: what Pillow and heif-enc declared. */
static void
test_fixtures(void **state)
{
	static const struct {
		const char		*name;
		enum imagefmt_type	 type;
		enum imagefmt_status	 status;
		uint32_t		 w, h, frames;
	} files[] = {
		{ "exif_gps_o6.jpg", IMAGEFMT_JPEG, IMAGEFMT_OK, 300, 200, 1 },
		{ "photo_12mp.jpg", IMAGEFMT_JPEG, IMAGEFMT_OK, 4000, 3000, 1 },
		{ "truncated.jpg", IMAGEFMT_JPEG, IMAGEFMT_TRUNCATED, 0, 0, 0 },
		{ "polyglot_zip.jpg", IMAGEFMT_JPEG, IMAGEFMT_TRAILING,
		    0, 0, 0 },
		{ "mpf_like.jpg", IMAGEFMT_JPEG, IMAGEFMT_OK, 320, 240, 1 },
		{ "zero_padded.jpg", IMAGEFMT_JPEG, IMAGEFMT_OK, 320, 240, 1 },
		{ "bomb.jpg", IMAGEFMT_JPEG, IMAGEFMT_OK, 60000, 60000, 1 },
		{ "text_icc.png", IMAGEFMT_PNG, IMAGEFMT_OK, 400, 300, 1 },
		{ "bomb.png", IMAGEFMT_PNG, IMAGEFMT_OK, 50000, 50000, 1 },
		{ "anim.gif", IMAGEFMT_GIF, IMAGEFMT_OK, 400, 300, 4 },
		{ "bomb.gif", IMAGEFMT_GIF, IMAGEFMT_OK, 50000, 50000, 1 },
		{ "polyglot_js.gif", IMAGEFMT_GIF, IMAGEFMT_TRAILING, 0, 0, 0 },
		{ "still.webp", IMAGEFMT_WEBP, IMAGEFMT_OK, 800, 600, 1 },
		{ "anim.webp", IMAGEFMT_WEBP, IMAGEFMT_OK, 400, 300, 4 },
		{ "photo.avif", IMAGEFMT_AVIF, IMAGEFMT_OK, 0, 0, 1 },
		{ "photo.heic", IMAGEFMT_OTHER, IMAGEFMT_OK, 0, 0, 0 },
		{ "image.bmp", IMAGEFMT_OTHER, IMAGEFMT_OK, 0, 0, 0 },
		{ "not_image.txt", IMAGEFMT_NONE, IMAGEFMT_OK, 0, 0, 0 },
	};
	const char	*dir;
	char		 path[512];
	unsigned char	*buf;
	FILE		*fp;
	struct stat	 st;
	struct imagefmt	 f;
	size_t		 i, len;

	(void)state;
	if ((dir = getenv("KBLOG_IMAGE_FIXTURES")) == NULL)
		dir = "build/fixtures/images";
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		if ((fp = fopen(path, "rb")) == NULL ||
		    fstat(fileno(fp), &st) == -1)
			fail_msg("fixture %s missing: run make unit", path);
		assert_non_null(buf = malloc((size_t)st.st_size));
		len = fread(buf, 1, (size_t)st.st_size, fp);
		fclose(fp);
		imagefmt_scan(buf, len, &f);
		if (f.type != files[i].type || f.status != files[i].status)
			fail_msg("%s: type %d status %d", files[i].name,
			    f.type, f.status);
		if (f.status == IMAGEFMT_OK && f.type != IMAGEFMT_OTHER &&
		    f.type != IMAGEFMT_NONE) {
			assert_int_equal(f.width, files[i].w);
			assert_int_equal(f.height, files[i].h);
			assert_int_equal(f.frames, files[i].frames);
			/* Pillow's own files: metadata where it was put. */
			if (!strcmp(files[i].name, "exif_gps_o6.jpg") ||
			    !strcmp(files[i].name, "text_icc.png") ||
			    !strcmp(files[i].name, "still.webp") ||
			    !strcmp(files[i].name, "anim.gif"))
				assert_int_equal(imagefmt_metadata(buf,
				    f.end), 1);
		}
		free(buf);
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_jpeg),
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_gif),
		cmocka_unit_test(test_webp),
		cmocka_unit_test(test_isobmff),
		cmocka_unit_test(test_others),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_fixtures),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
