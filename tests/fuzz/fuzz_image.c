/*
 * libFuzzer target for image.c: libvips's decoders (JPEG, PNG, GIF,
 * WebP, AVIF through libheif) and kblog's whole pipeline on hostile
 * bytes.  The input is claimed to be the type its signature says (so
 * the decoders are reached), within small limits (360,000 pixels, 16
 * frames; inputs over 64 KiB are skipped) so each run stays fast.
 *
 *  - a refusal leaves no variant; a refusal for the container
 *    (truncated, trailing data) agrees with imagefmt_scan();
 *  - an accepted image is within the limits, and every variant is
 *    there: 1 to 8 of them, widths rising and never over the cap, the
 *    last one the capped original; each one, scanned, is a whole file
 *    of its stated type with no metadata, and decodes again with
 *    libvips to its stated width, height and frame count;
 *  - libvips's live objects return to their number before every call
 *    (LeakSanitizer cannot see lost VipsObjects: libvips keeps them in
 *    a global table), and its tracked pixel memory does not grow.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE \
 *	    -I/usr/include/glib-2.0 \
 *	    -I/usr/lib/x86_64-linux-gnu/glib-2.0/include \
 *	    -I/usr/lib/aarch64-linux-gnu/glib-2.0/include \
 *	    -o build/fuzz/fuzz_image tests/fuzz/fuzz_image.c \
 *	    src/lib/image.c src/lib/imagefmt.c \
 *	    -lvips -lgobject-2.0 -lglib-2.0
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vips/vips.h>

#include "lib/image.h"
#include "lib/imagefmt.h"

int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char	*__lsan_default_suppressions(void);

/*
 * One leak that is not kblog's: libheif 1.15.1 (Debian 12) loses the
 * dav1d_data_create() buffer (80 bytes) when dav1d refuses an AV1
 * payload, on some malformed AVIF files (heif_decode_image ->
 * dav1d_data_create).  docs/images.md says what it costs.
 */
const char *
__lsan_default_suppressions(void)
{
	return ("leak:libdav1d.so\n");
}

static void *
count_object(void *obj, void *a, void *b)
{
	(void)obj;
	(void)b;
	(*(size_t *)a)++;
	return (NULL);
}

static size_t
live_objects(void)
{
	size_t	n = 0;

	(void)vips_object_map(count_object, &n, NULL);
	return (n);
}

static void
check_variant(const struct image_variant *v, const struct image_result *r)
{
	struct imagefmt	 f;
	VipsImage	*img;
	const char	*opt;

	if (v->data == NULL || v->len == 0 || v->width == 0 ||
	    v->height == 0 || v->frames == 0 || v->frames > r->frames ||
	    (r->frames == 1 && v->frames != 1) ||
	    v->content_type == NULL ||
	    strcmp(v->content_type, imagefmt_mime(v->type)) != 0)
		abort();
	if (v->type != r->type && v->type != IMAGEFMT_WEBP)
		abort();
	imagefmt_scan(v->data, v->len, &f);
	if (f.type != v->type || f.status != IMAGEFMT_OK)
		abort();
	if (imagefmt_metadata(v->data, v->len) != 0)
		abort();
	opt = v->type == IMAGEFMT_GIF || v->type == IMAGEFMT_WEBP ?
	    "n=-1" : "";
	if ((img = vips_image_new_from_buffer(v->data, v->len, opt,
	    NULL)) == NULL)
		abort();
	if ((uint32_t)img->Xsize != v->width ||
	    (uint32_t)vips_image_get_page_height(img) != v->height ||
	    (uint32_t)img->Ysize != v->height * v->frames)
		abort();
	g_object_unref(img);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 started;
	struct image_limits	 lim;
	struct image_result	 res;
	struct imagefmt		 f;
	enum image_status	 st;
	const char		*claimed;
	size_t			 i, mem, objects;
	uint32_t		 prev, cap;

	if (!started) {
		if (image_init() != 0)
			abort();
		started = 1;
	}
	if (size > 64 * 1024)
		return (0);
	image_limits_default(&lim);
	lim.max_pixels = 360000;
	lim.max_frames = 16;

	imagefmt_scan(data, size, &f);
	if ((claimed = imagefmt_mime(f.type)) == NULL)
		claimed = "image/png";

	mem = vips_tracked_get_mem();
	objects = live_objects();
	st = image_process(data, size, claimed, &lim, &res);

	if (st != IMAGE_OK) {
		if (res.nvariants != 0)
			abort();
		if ((st == IMAGE_TRUNCATED) !=
		    (f.status == IMAGEFMT_TRUNCATED && f.type != IMAGEFMT_NONE &&
		    f.type != IMAGEFMT_OTHER))
			abort();
		if ((st == IMAGE_TRAILING_DATA) !=
		    (f.status == IMAGEFMT_TRAILING && f.type != IMAGEFMT_NONE &&
		    f.type != IMAGEFMT_OTHER))
			abort();
	} else {
		if (res.type != f.type || f.status != IMAGEFMT_OK ||
		    res.nvariants < 1 || res.nvariants > IMAGE_MAX_VARIANTS ||
		    res.width == 0 || res.height == 0 || res.frames == 0 ||
		    res.frames > lim.max_frames ||
		    (uint64_t)res.width * res.height * res.frames >
		    lim.max_pixels)
			abort();
		cap = res.width < lim.max_width ? res.width : lim.max_width;
		prev = 0;
		for (i = 0; i < res.nvariants; i++) {
			check_variant(&res.variants[i], &res);
			if (res.variants[i].width < prev ||
			    res.variants[i].width > cap)
				abort();
			prev = res.variants[i].width;
		}
		if (res.variants[res.nvariants - 1].width != cap)
			abort();
		image_result_free(&res);
	}
	/*
	 * Every object made is gone.  Pixel memory may stay behind in a
	 * thread's reserve of buffers for reuse (sized by the widest
	 * regions seen so far: 8.6 MB was seen after 76,000 inputs), but
	 * it never adds up: leaked images (up to 1.4 MB each here, some
	 * thousands of inputs a second) would pass 32 MB within a second.
	 */
	if (live_objects() != objects ||
	    vips_tracked_get_mem() > 32 * 1024 * 1024) {
		fprintf(stderr, "fuzz_image: libvips memory %zu -> %zu, "
		    "objects %zu -> %zu\n", mem, vips_tracked_get_mem(),
		    objects, live_objects());
		abort();
	}
	return (0);
}
