/*
 * Unit tests for image.c on real files: the fixtures that
 * tests/images/make_fixtures.py writes (make unit makes them first, in
 * build/fixtures/images, or KBLOG_IMAGE_FIXTURES).
 *
 * For every accepted file: the status, the size as shown, and every
 * variant: its width, height, frame count and type, checked by decoding
 * it again with libvips (the loader must be the type's own) and by
 * imagefmt_scan(); none carries metadata: no libvips field of EXIF, XMP,
 * IPTC, ICC, comments or PNG text, no metadata container in the file
 * (JPEG APPn/COM, PNG ancillary chunks but tRNS, WebP EXIF/XMP/ICCP,
 * GIF comment or foreign application extensions, AVIF Exif/XMP items),
 * and none of the fixtures' secrets ("kblog-secret") anywhere in the
 * bytes.  For every refused file: the exact status.  And: the EXIF
 * orientation turns the pixels the right way, memory tracked by libvips
 * returns to where it was, and threads get the same bytes as one thread.
 */

#include <sys/stat.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <vips/vips.h>

#include "lib/image.h"
#include "lib/imagefmt.h"

#define MARK	"kblog-secret"

struct want {
	uint32_t	width;
	uint32_t	height;
};

static unsigned char *
fixture(const char *name, size_t *len)
{
	const char	*dir;
	char		 path[512];
	FILE		*fp;
	struct stat	 st;
	unsigned char	*buf;

	if ((dir = getenv("KBLOG_IMAGE_FIXTURES")) == NULL)
		dir = "build/fixtures/images";
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "rb")) == NULL || fstat(fileno(fp), &st) == -1) {
		fail_msg("fixture %s missing: run make unit (or "
		    "tests/images/make_fixtures.py)", path);
	}
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)st.st_size, fp);
	assert_int_equal(*len, (size_t)st.st_size);
	fclose(fp);
	return (buf);
}

/* A metadata field libvips would have read from a file. */
static int
field_forbidden(const char *name)
{
	static const char	*prefix[] = { "exif-", "xmp", "iptc", "icc",
	    "png-comment", "gif-comment", "orientation", "comment" };
	size_t			 i;

	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (!strncmp(name, prefix[i], strlen(prefix[i])))
			return (1);
	return (0);
}

static uint32_t
rd32be(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

/* No metadata container in the file, format by format. */
static void
assert_no_containers(const struct image_variant *v)
{
	const unsigned char	*b = v->data;
	size_t			 p, n, len = v->len;
	unsigned int		 m;

	switch (v->type) {
	case IMAGEFMT_JPEG:
		/* Markers up to the first SOS: SOI, APP0 (JFIF), DQT, SOFn,
		 * DHT, DRI only.  PNG: pHYs (density, 72 dpi for all) is
		 * the only ancillary chunk. */
		for (p = 2; p + 4 <= len; p += 2 + n) {
			assert_int_equal(b[p], 0xff);
			m = b[p + 1];
			n = (size_t)b[p + 2] << 8 | b[p + 3];
			if (m == 0xda)
				break;
			if (!(m == 0xe0 || m == 0xdb || m == 0xc4 ||
			    m == 0xdd || (m >= 0xc0 && m <= 0xcf)))
				fail_msg("JPEG marker %02x in a variant", m);
		}
		break;
	case IMAGEFMT_PNG:
		for (p = 8; p + 12 <= len; p += 12 + n) {
			n = rd32be(b + p);
			if (memcmp(b + p + 4, "IHDR", 4) &&
			    memcmp(b + p + 4, "PLTE", 4) &&
			    memcmp(b + p + 4, "tRNS", 4) &&
			    memcmp(b + p + 4, "IDAT", 4) &&
			    memcmp(b + p + 4, "pHYs", 4) &&
			    memcmp(b + p + 4, "IEND", 4))
				fail_msg("PNG chunk %.4s in a variant",
				    (const char *)b + p + 4);
		}
		break;
	case IMAGEFMT_WEBP:
		for (p = 12; p + 8 <= len; p += 8 + n + (n & 1)) {
			n = (size_t)b[p + 4] | (size_t)b[p + 5] << 8 |
			    (size_t)b[p + 6] << 16 | (size_t)b[p + 7] << 24;
			if (!memcmp(b + p, "EXIF", 4) ||
			    !memcmp(b + p, "XMP ", 4) ||
			    !memcmp(b + p, "ICCP", 4))
				fail_msg("WebP chunk %.4s in a variant",
				    (const char *)b + p);
			if (!memcmp(b + p, "VP8X", 4))
				assert_int_equal(b[p + 8] & 0x2c, 0);
		}
		break;
	case IMAGEFMT_GIF:
		/* No comment extension (21 FE), no application extension
		 * but the loop count's NETSCAPE2.0 (XMP rides in one). */
		p = 13;
		if (b[10] & 0x80)
			p += (size_t)3 << ((b[10] & 7) + 1);
		while (p < len && b[p] != 0x3b) {
			if (b[p] == 0x21) {
				if (b[p + 1] == 0xfe)
					fail_msg("GIF comment extension");
				if (b[p + 1] == 0xff &&
				    memcmp(b + p + 3, "NETSCAPE2.0", 11))
					fail_msg("GIF application extension");
				p += 2;
			} else {
				assert_int_equal(b[p], 0x2c);
				m = b[p + 9];
				p += 10 + ((m & 0x80) ?
				    (size_t)3 << ((m & 7) + 1) : 0) + 1;
			}
			while (p < len && b[p] != 0)	/* sub-blocks */
				p += 1 + b[p];
			p++;
		}
		assert_true(p < len);
		break;
	case IMAGEFMT_AVIF:
		assert_null(memmem(b, len, "Exif", 4));
		assert_null(memmem(b, len, "application/rdf+xml", 19));
		assert_null(memmem(b, len, "prof", 4));
		break;
	default:
		fail_msg("variant of type %d", v->type);
	}
}

/* Decodes v again and checks everything it says about itself. */
static void
assert_variant(const struct image_variant *v, enum imagefmt_type type,
    uint32_t w, uint32_t h, uint32_t frames, int bands)
{
	static const char	*loader[] = { NULL, "jpegload_buffer",
	    "pngload_buffer", "gifload_buffer", "webpload_buffer",
	    "heifload_buffer" };
	struct imagefmt		 f;
	VipsImage		*img, *mem;
	const char		*got;
	gchar			**names;
	size_t			 i;

	assert_int_equal(v->type, type);
	assert_string_equal(v->content_type, imagefmt_mime(type));
	assert_string_equal(v->ext, imagefmt_ext(type));
	assert_int_equal(v->width, w);
	assert_int_equal(v->height, h);
	assert_int_equal(v->frames, frames);
	assert_non_null(v->data);
	assert_true(v->len > 0);

	imagefmt_scan(v->data, v->len, &f);
	assert_int_equal(f.type, type);
	assert_int_equal(f.status, IMAGEFMT_OK);

	img = vips_image_new_from_buffer(v->data, v->len,
	    type == IMAGEFMT_GIF || type == IMAGEFMT_WEBP ? "n=-1" : "",
	    NULL);
	if (img == NULL)
		fail_msg("variant does not decode: %s", vips_error_buffer());
	assert_int_equal(vips_image_get_string(img, "vips-loader", &got), 0);
	assert_string_equal(got, loader[type]);
	assert_int_equal(img->Xsize, (int)w);
	assert_int_equal(vips_image_get_page_height(img), (int)h);
	assert_int_equal(img->Ysize, (int)(h * frames));
	assert_int_equal(img->BandFmt, VIPS_FORMAT_UCHAR);
	if (bands != 0)
		assert_int_equal(img->Bands, bands);
	names = vips_image_get_fields(img);
	for (i = 0; names[i] != NULL; i++)
		if (field_forbidden(names[i]))
			fail_msg("field %s in a %s variant", names[i],
			    v->content_type);
	g_strfreev(names);
	/* Every pixel decodes. */
	assert_non_null(mem = vips_image_copy_memory(img));
	g_object_unref(mem);
	g_object_unref(img);

	assert_null(memmem(v->data, v->len, MARK, strlen(MARK)));
	assert_no_containers(v);
}

/*
 * Processes a fixture and checks the result: shown size w x h, frames,
 * and the variants' sizes (n of them, smallest first), each in type and,
 * unless type is WebP, WebP.
 */
static void
assert_processed(const char *name, const char *claimed,
    const struct image_limits *lim, uint32_t w, uint32_t h, uint32_t frames,
    int bands, const struct want *sizes, size_t n, struct image_result *keep)
{
	struct image_result	 res;
	unsigned char		*buf;
	size_t			 len, i, k, per;
	enum imagefmt_type	 type;

	buf = fixture(name, &len);
	type = imagefmt_from_mime(claimed);
	if (image_process(buf, len, claimed, lim, &res) != IMAGE_OK)
		fail_msg("%s refused", name);
	assert_int_equal(res.type, type);
	assert_int_equal(res.width, w);
	assert_int_equal(res.height, h);
	assert_int_equal(res.frames, frames);
	per = type == IMAGEFMT_WEBP ? 1 : 2;
	assert_int_equal(res.nvariants, n * per);
	for (i = 0; i < n; i++) {
		for (k = 0; k < per; k++)
			assert_variant(&res.variants[i * per + k],
			    k == 0 ? type : IMAGEFMT_WEBP, sizes[i].width,
			    sizes[i].height, frames, bands);
	}
	if (keep != NULL)
		*keep = res;
	else
		image_result_free(&res);
	free(buf);
}

static void
assert_refused(const char *name, const char *claimed,
    const struct image_limits *lim, enum image_status want)
{
	struct image_result	 res;
	unsigned char		*buf;
	size_t			 len;
	enum image_status	 st;

	buf = fixture(name, &len);
	st = image_process(buf, len, claimed, lim, &res);
	if (st != want)
		fail_msg("%s as %s: %s, not %s", name, claimed ? claimed :
		    "NULL", image_status_code(st), image_status_code(want));
	assert_int_equal(res.nvariants, 0);
	image_result_free(&res);
	free(buf);
}

/* The pixel at x, y of a variant, decoded. */
static void
pixel(const struct image_variant *v, int x, int y, double rgb[3])
{
	VipsImage	*img;
	double		*p;
	int		 n;

	img = vips_image_new_from_buffer(v->data, v->len, "", NULL);
	assert_non_null(img);
	assert_int_equal(vips_getpoint(img, &p, &n, x, y, NULL), 0);
	assert_true(n >= 3);
	memcpy(rgb, p, 3 * sizeof(double));
	g_free(p);
	g_object_unref(img);
}

static void
test_jpeg_orientation_gps(void **state)
{
	static const struct want	sizes[] = { { 200, 300 } };
	struct image_result		res;
	double				top[3], bottom[3];
	size_t				i;

	(void)state;
	/* Stored 300x200 with orientation 6: shown 200x300. */
	assert_processed("exif_gps_o6.jpg", "image/jpeg", NULL, 200, 300, 1,
	    3, sizes, 1, &res);
	assert_int_equal(res.orientation, 6);
	/* The stored left third (red) is now at the top, not the bottom. */
	for (i = 0; i < res.nvariants; i++) {
		pixel(&res.variants[i], 100, 20, top);
		pixel(&res.variants[i], 100, 280, bottom);
		assert_true(top[0] > 180 && top[2] < 80);
		assert_true(bottom[2] > 180 && bottom[0] < 80);
	}
	image_result_free(&res);
}

static void
test_jpeg_photo(void **state)
{
	static const struct want	sizes[] = { { 320, 240 }, { 640, 480 },
	    { 1280, 960 }, { 1600, 1200 } };

	(void)state;
	assert_processed("gps.jpg", "image/jpeg", NULL, 1600, 1200, 1, 3,
	    sizes, 4, NULL);
}

static void
test_jpeg_12mp(void **state)
{
	static const struct want	sizes[] = { { 320, 240 }, { 640, 480 },
	    { 1280, 960 }, { 2048, 1536 } };

	(void)state;
	assert_processed("photo_12mp.jpg", "image/jpeg", NULL, 4000, 3000, 1,
	    3, sizes, 4, NULL);
}

static void
test_jpeg_max_width(void **state)
{
	static const struct want	sizes[] = { { 320, 240 }, { 640, 480 },
	    { 1000, 750 } };
	struct image_limits		lim;

	(void)state;
	image_limits_default(&lim);
	lim.max_width = 1000;
	assert_processed("gps.jpg", "image/jpeg", &lim, 1600, 1200, 1, 3,
	    sizes, 3, NULL);
}

static void
test_jpeg_cmyk(void **state)
{
	static const struct want	sizes[] = { { 320, 256 }, { 500, 400 } };

	(void)state;
	assert_processed("cmyk.jpg", "image/jpeg", NULL, 500, 400, 1, 3,
	    sizes, 2, NULL);
}

static void
test_jpeg_tails_accepted(void **state)
{
	static const struct want	sizes[] = { { 320, 240 } };

	(void)state;
	/* A second whole JPEG after the first (MPF, gain maps), zeros. */
	assert_processed("mpf_like.jpg", "image/jpeg", NULL, 320, 240, 1, 3,
	    sizes, 1, NULL);
	assert_processed("zero_padded.jpg", "image/jpeg", NULL, 320, 240, 1,
	    3, sizes, 1, NULL);
}

static void
test_png_text_icc(void **state)
{
	static const struct want	sizes[] = { { 320, 240 }, { 400, 300 } };

	(void)state;
	/* RGBA stays RGBA. */
	assert_processed("text_icc.png", "image/png", NULL, 400, 300, 1, 4,
	    sizes, 2, NULL);
}

static void
test_png_wide_grey16(void **state)
{
	static const struct want	wide[] = { { 320, 38 }, { 640, 77 },
	    { 1280, 154 }, { 2048, 246 } };
	static const struct want	grey[] = { { 300, 200 } };

	(void)state;
	assert_processed("wide.png", "image/png", NULL, 2500, 300, 1, 3,
	    wide, 4, NULL);
	/* 16-bit grey: 8-bit sRGB. */
	assert_processed("grey16.png", "image/png", NULL, 300, 200, 1, 3,
	    grey, 1, NULL);
}

static void
test_gif(void **state)
{
	static const struct want	anim[] = { { 320, 240 }, { 400, 300 } };
	static const struct want	still[] = { { 320, 192 }, { 500, 300 } };
	struct image_result		res;
	VipsImage			*img;
	int				*delay, n, loop;
	size_t				i;

	(void)state;
	/* Animated in every variant, delays and loop kept. */
	assert_processed("anim.gif", "image/gif", NULL, 400, 300, 4, 0,
	    anim, 2, &res);
	for (i = 0; i < res.nvariants; i++) {
		img = vips_image_new_from_buffer(res.variants[i].data,
		    res.variants[i].len, "n=-1", NULL);
		assert_non_null(img);
		assert_int_equal(vips_image_get_array_int(img, "delay",
		    &delay, &n), 0);
		assert_int_equal(n, 4);
		assert_int_equal(delay[0], 100);
		assert_int_equal(vips_image_get_int(img, "loop", &loop), 0);
		assert_int_equal(loop, 0);
		g_object_unref(img);
	}
	image_result_free(&res);
	assert_processed("still.gif", "image/gif", NULL, 500, 300, 1, 0,
	    still, 2, NULL);
}

static void
test_webp(void **state)
{
	static const struct want	still[] = { { 320, 240 }, { 640, 480 },
	    { 800, 600 } };
	static const struct want	anim[] = { { 320, 240 }, { 400, 300 } };

	(void)state;
	assert_processed("still.webp", "image/webp", NULL, 800, 600, 1, 3,
	    still, 3, NULL);
	assert_processed("anim.webp", "image/webp", NULL, 400, 300, 4, 0,
	    anim, 2, NULL);
}

static void
test_avif(void **state)
{
	static const struct want	sizes[] = { { 320, 240 }, { 640, 480 } };

	(void)state;
	assert_processed("photo.avif", "image/avif", NULL, 640, 480, 1, 3,
	    sizes, 2, NULL);
}

static void
test_refused(void **state)
{
	struct image_limits	lim;

	(void)state;
	assert_refused("truncated.jpg", "image/jpeg", NULL, IMAGE_TRUNCATED);
	assert_refused("polyglot_zip.jpg", "image/jpeg", NULL,
	    IMAGE_TRAILING_DATA);
	assert_refused("polyglot_js.gif", "image/gif", NULL,
	    IMAGE_TRAILING_DATA);
	assert_refused("bomb.png", "image/png", NULL, IMAGE_TOO_MANY_PIXELS);
	assert_refused("bomb.gif", "image/gif", NULL, IMAGE_TOO_MANY_PIXELS);
	assert_refused("bomb.jpg", "image/jpeg", NULL, IMAGE_TOO_MANY_PIXELS);
	assert_refused("tall.png", "image/png", NULL, IMAGE_TOO_MANY_PIXELS);
	assert_refused("text_icc.png", "image/jpeg", NULL,
	    IMAGE_TYPE_MISMATCH);
	assert_refused("exif_gps_o6.jpg", "image/png", NULL,
	    IMAGE_TYPE_MISMATCH);
	assert_refused("anim.webp", "image/gif", NULL, IMAGE_TYPE_MISMATCH);
	assert_refused("not_image.txt", "image/jpeg", NULL,
	    IMAGE_NOT_IMAGE);
	assert_refused("image.bmp", "image/jpeg", NULL, IMAGE_UNSUPPORTED);
	assert_refused("photo.heic", "image/avif", NULL, IMAGE_UNSUPPORTED);
	assert_refused("exif_gps_o6.jpg", "image/svg+xml", NULL,
	    IMAGE_UNSUPPORTED);
	assert_refused("exif_gps_o6.jpg", "image/JPEG", NULL,
	    IMAGE_UNSUPPORTED);
	assert_refused("exif_gps_o6.jpg", NULL, NULL, IMAGE_UNSUPPORTED);

	/* Limits: pixels (frames count), frames, both configurable. */
	image_limits_default(&lim);
	lim.max_pixels = 1000000;
	assert_refused("gps.jpg", "image/jpeg", &lim, IMAGE_TOO_MANY_PIXELS);
	lim.max_pixels = 400 * 300 * 4 - 1;
	assert_refused("anim.gif", "image/gif", &lim, IMAGE_TOO_MANY_PIXELS);
	assert_refused("anim.webp", "image/webp", &lim,
	    IMAGE_TOO_MANY_PIXELS);
	image_limits_default(&lim);
	lim.max_frames = 3;
	assert_refused("anim.gif", "image/gif", &lim, IMAGE_TOO_MANY_FRAMES);

	/* Limits that make no sense are the caller's mistake. */
	image_limits_default(&lim);
	lim.max_width = 0;
	assert_refused("gps.jpg", "image/jpeg", &lim, IMAGE_ERROR);
	lim.max_width = IMAGE_SIDE_LIMIT + 1;
	assert_refused("gps.jpg", "image/jpeg", &lim, IMAGE_ERROR);
	image_limits_default(&lim);
	lim.max_pixels = 0;
	assert_refused("gps.jpg", "image/jpeg", &lim, IMAGE_ERROR);
}

/* Real files cut short, and one damaged inside. */
static void
test_truncated_and_corrupt(void **state)
{
	static const struct {
		const char	*name;
		const char	*type;
	} files[] = {
		{ "text_icc.png", "image/png" },
		{ "anim.gif", "image/gif" },
		{ "still.webp", "image/webp" },
		{ "anim.webp", "image/webp" },
		{ "photo.avif", "image/avif" },
		{ "gps.jpg", "image/jpeg" },
	};
	struct image_result	 res;
	unsigned char		*buf;
	size_t			 len, i, cut, p;
	enum image_status	 st;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		buf = fixture(files[i].name, &len);
		for (cut = 1; cut < 8; cut++) {
			st = image_process(buf, len * cut / 8, files[i].type,
			    NULL, &res);
			if (st != IMAGE_TRUNCATED)
				fail_msg("%s cut at %zu/8: %s", files[i].name,
				    cut, image_status_code(st));
		}
		free(buf);
	}

	/* A PNG whose first IDAT byte is flipped: CRC and zlib fail. */
	buf = fixture("text_icc.png", &len);
	p = (size_t)((unsigned char *)memmem(buf, len, "IDAT", 4) - buf);
	buf[p + 4] ^= 0xff;
	assert_int_equal(image_process(buf, len, "image/png", NULL, &res),
	    IMAGE_CORRUPT);
	free(buf);

	assert_int_equal(image_process("", 0, "image/jpeg", NULL, &res),
	    IMAGE_NOT_IMAGE);
	assert_int_equal(image_process(NULL, 0, "image/png", NULL, &res),
	    IMAGE_NOT_IMAGE);
}

static void *
count_object(void *obj, void *a, void *b)
{
	(void)obj;
	(void)b;
	(*(size_t *)a)++;
	return (NULL);
}

/* libvips objects alive in the process. */
static size_t
live_objects(void)
{
	size_t	n = 0;

	(void)vips_object_map(count_object, &n, NULL);
	return (n);
}

/*
 * Everything libvips allocated for a call is given back: its tracked
 * pixel memory and its live objects.  (LeakSanitizer cannot see a lost
 * VipsImage: libvips keeps every live object in a global table.)
 */
static void
test_memory_returns(void **state)
{
	struct image_result	 res;
	unsigned char		*buf;
	size_t			 len, mem, allocs, objects;
	int			 i;

	(void)state;
	buf = fixture("gps.jpg", &len);
	assert_int_equal(image_process(buf, len, "image/jpeg", NULL, &res),
	    IMAGE_OK);
	image_result_free(&res);
	mem = vips_tracked_get_mem();
	allocs = (size_t)vips_tracked_get_allocs();
	objects = live_objects();
	for (i = 0; i < 3; i++) {
		assert_int_equal(image_process(buf, len, "image/jpeg", NULL,
		    &res), IMAGE_OK);
		image_result_free(&res);
		assert_int_equal(image_process(buf, len / 2, "image/jpeg",
		    NULL, &res), IMAGE_TRUNCATED);
	}
	assert_int_equal(vips_tracked_get_mem(), mem);
	assert_int_equal((size_t)vips_tracked_get_allocs(), allocs);
	assert_int_equal(live_objects(), objects);
	free(buf);

	/* Refusals late in the pipeline too: a damaged PNG, an
	 * animation. */
	buf = fixture("text_icc.png", &len);
	buf[(size_t)((unsigned char *)memmem(buf, len, "IDAT", 4) - buf) +
	    4] ^= 0xff;
	assert_int_equal(image_process(buf, len, "image/png", NULL, &res),
	    IMAGE_CORRUPT);
	free(buf);
	buf = fixture("anim.gif", &len);
	assert_int_equal(image_process(buf, len, "image/gif", NULL, &res),
	    IMAGE_OK);
	image_result_free(&res);
	free(buf);
	assert_int_equal(vips_tracked_get_mem(), mem);
	assert_int_equal(live_objects(), objects);
}

struct job {
	const char		*name;
	const char		*type;
	const unsigned char	*buf;
	size_t			 len;
	struct image_result	 res;
	enum image_status	 st;
};

static void *
job_run(void *arg)
{
	struct job	*j = arg;

	j->st = image_process(j->buf, j->len, j->type, NULL, &j->res);
	return (NULL);
}

/* Four threads at once get exactly what one thread gets. */
static void
test_threads(void **state)
{
	struct job	 jobs[4], ref[2];
	pthread_t	 tid[4];
	unsigned char	*a, *b;
	size_t		 alen, blen, i, k;

	(void)state;
	a = fixture("gps.jpg", &alen);
	b = fixture("anim.gif", &blen);
	for (i = 0; i < 4; i++) {
		jobs[i].type = i % 2 ? "image/gif" : "image/jpeg";
		jobs[i].buf = i % 2 ? b : a;
		jobs[i].len = i % 2 ? blen : alen;
		if (i < 2)
			ref[i] = jobs[i];
	}
	for (i = 0; i < 2; i++)
		job_run(&ref[i]);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, job_run,
		    &jobs[i]), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(tid[i], NULL), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].st, IMAGE_OK);
		assert_int_equal(jobs[i].res.nvariants,
		    ref[i % 2].res.nvariants);
		for (k = 0; k < jobs[i].res.nvariants; k++) {
			assert_int_equal(jobs[i].res.variants[k].len,
			    ref[i % 2].res.variants[k].len);
			assert_memory_equal(jobs[i].res.variants[k].data,
			    ref[i % 2].res.variants[k].data,
			    jobs[i].res.variants[k].len);
		}
		image_result_free(&jobs[i].res);
	}
	image_result_free(&ref[0].res);
	image_result_free(&ref[1].res);
	free(a);
	free(b);
}

static void
test_codes(void **state)
{
	static const char	*codes[] = { "ok", "not_image", "unsupported",
	    "type_mismatch", "truncated", "trailing_data", "corrupt",
	    "too_many_pixels", "too_many_frames", "internal" };
	int			 st;

	(void)state;
	for (st = IMAGE_OK; st <= IMAGE_ERROR; st++) {
		assert_string_equal(image_status_code(st), codes[st]);
		assert_non_null(image_status_message(st));
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_jpeg_orientation_gps),
		cmocka_unit_test(test_jpeg_photo),
		cmocka_unit_test(test_jpeg_12mp),
		cmocka_unit_test(test_jpeg_max_width),
		cmocka_unit_test(test_jpeg_cmyk),
		cmocka_unit_test(test_jpeg_tails_accepted),
		cmocka_unit_test(test_png_text_icc),
		cmocka_unit_test(test_png_wide_grey16),
		cmocka_unit_test(test_gif),
		cmocka_unit_test(test_webp),
		cmocka_unit_test(test_avif),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_truncated_and_corrupt),
		cmocka_unit_test(test_memory_returns),
		cmocka_unit_test(test_threads),
	};

	if (image_init() != 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
