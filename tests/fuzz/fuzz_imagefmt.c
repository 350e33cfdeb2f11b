/*
 * libFuzzer target for imagefmt.c (pure: no libvips).
 *
 *  - imagefmt_scan() on any bytes: an accepted container ends inside the
 *    input and only zeros follow it (none for AVIF); scanning just the
 *    accepted bytes gives the same answer; one byte less is never
 *    accepted (a cut file is never whole), and a non-zero byte more
 *    never is either (nothing may follow an image);
 *  - a GIF's or WebP's frame count is at least 1 when accepted;
 *  - imagefmt_metadata() answers -1, 0 or 1, and the same on a copy;
 *  - imagefmt_webp_strip() on a copy: when it strips, the result is no
 *    longer, carries no metadata, and stripping again changes nothing.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE \
 *	    -o build/fuzz/fuzz_imagefmt tests/fuzz/fuzz_imagefmt.c \
 *	    src/lib/imagefmt.c
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/imagefmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
same(const struct imagefmt *a, const struct imagefmt *b)
{
	if (a->type != b->type || a->status != b->status ||
	    a->width != b->width || a->height != b->height ||
	    a->frames != b->frames || a->end != b->end)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imagefmt	 f, g;
	unsigned char	*copy;
	size_t		 i, n, m;
	int		 meta;

	imagefmt_scan(data, size, &f);
	if (f.status != IMAGEFMT_OK && f.end != 0)
		abort();
	if ((f.type == IMAGEFMT_NONE || f.type == IMAGEFMT_OTHER) &&
	    f.status != IMAGEFMT_OK)
		abort();

	if (f.status == IMAGEFMT_OK && f.type != IMAGEFMT_NONE &&
	    f.type != IMAGEFMT_OTHER) {
		if (f.end == 0 || f.end > size || f.frames == 0)
			abort();
		for (i = f.end; i < size; i++)
			if (data[i] != 0)
				abort();
		if (f.type == IMAGEFMT_AVIF && f.end != size)
			abort();
		imagefmt_scan(data, f.end, &g);
		same(&f, &g);
		imagefmt_scan(data, f.end - 1, &g);
		if (g.status == IMAGEFMT_OK && g.type == f.type)
			abort();
		if ((copy = malloc(f.end + 1)) == NULL)
			abort();
		memcpy(copy, data, f.end);
		copy[f.end] = 0x5a;
		imagefmt_scan(copy, f.end + 1, &g);
		if (g.type != f.type || g.status == IMAGEFMT_OK)
			abort();
		free(copy);
	}

	meta = imagefmt_metadata(data, size);
	if (meta < -1 || meta > 1)
		abort();
	if (size == 0)
		return (0);
	if ((copy = malloc(size)) == NULL)
		abort();
	memcpy(copy, data, size);
	if (imagefmt_metadata(copy, size) != meta)
		abort();
	if ((n = imagefmt_webp_strip(copy, size)) != 0) {
		if (n > size || n < 12 || imagefmt_metadata(copy, n) != 0)
			abort();
		m = imagefmt_webp_strip(copy, n);
		if (m != n)
			abort();
	} else if (memcmp(copy, data, size) != 0) {
		abort();		/* refused, yet changed */
	}
	free(copy);

	if (imagefmt_from_mime(imagefmt_mime(f.type)) !=
	    (f.type == IMAGEFMT_OTHER ? IMAGEFMT_NONE : f.type))
		abort();
	return (0);
}
