/*
 * image.h: an uploaded image made safe to serve, with libvips (Debian 12:
 * libvips42 8.14).  One call takes the uploaded bytes and the type the
 * client claimed, and either refuses them with a stable reason or returns
 * the image re-encoded from its pixels, in several widths and two
 * formats, with nothing of the upload's metadata left.
 *
 * What image_process() does, in order:
 *  1. the claimed type must be one kblog takes (image/jpeg, image/png,
 *     image/gif, image/webp, image/avif) and the bytes must be that type,
 *     whole, with nothing after the image (imagefmt_scan(): truncation,
 *     trailing data such as a ZIP or a script appended to make a
 *     polyglot);
 *  2. the size the header declares (width x height x frames) is checked
 *     against the limit before any pixel is decoded: first as the
 *     container declares it, then as the decoder reads its header;
 *  3. the image is decoded in full, through the decoder of the type the
 *     bytes are and no other (never ImageMagick, PDF, SVG or the like:
 *     libvips's untrusted loaders are blocked as well), failing on any
 *     decoding error;
 *  4. the EXIF orientation is applied to the pixels; the colours are
 *     converted to sRGB through the embedded ICC profile, if any (so
 *     every output is plain 8-bit sRGB, with or without alpha, and needs
 *     no profile); every metadata field is dropped (EXIF with GPS, XMP,
 *     IPTC, ICC, comments, PNG text chunks) and the encoders are told to
 *     write none;
 *  5. variants are encoded: the image at each of the widths 320, 640 and
 *     1280 that is smaller than the image, and the image itself with its
 *     width capped at limits->max_width (2048), never enlarged, heights
 *     following the aspect ratio; each in the upload's format and in
 *     WebP (a WebP upload: WebP only).  An animated GIF or WebP stays
 *     animated in every variant, with its frame delays and loop count.
 *
 * Memory: the decoder streams the upload (sequential access) into the
 * capped image, which is held in memory (at most max_width x height x 4
 * bytes per frame); the smaller widths are made from it.  Animations are
 * decoded whole first (width x height x frames x 4 bytes, bounded by
 * limits->max_pixels), as are interlaced PNGs and progressive JPEGs by
 * their decoders.  libvips's operation cache is off and its thread pool
 * has one worker per pipeline.  Everything the call allocates is freed
 * before it returns, but the encoded variants, which the caller frees
 * with image_result_free().
 *
 * Threads: every function here may be called from several threads at
 * once (Kore task threads).  libvips is started once, under
 * pthread_once(), by image_init() or by the first image_process().
 */

#ifndef KBLOG_IMAGE_H
#define KBLOG_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "imagefmt.h"

enum image_status {
	IMAGE_OK = 0,
	IMAGE_NOT_IMAGE,	/* "not_image": no image signature */
	IMAGE_UNSUPPORTED,	/* "unsupported": a type kblog does not take
				   (claimed, or what the bytes are) */
	IMAGE_TYPE_MISMATCH,	/* "type_mismatch": the bytes are another
				   type than the one claimed */
	IMAGE_TRUNCATED,	/* "truncated" */
	IMAGE_TRAILING_DATA,	/* "trailing_data": bytes after the image */
	IMAGE_CORRUPT,		/* "corrupt": does not decode */
	IMAGE_TOO_MANY_PIXELS,	/* "too_many_pixels": over max_pixels, or
				   taller than IMAGE_SIDE_LIMIT once its
				   width is capped */
	IMAGE_TOO_MANY_FRAMES,	/* "too_many_frames": over max_frames */
	IMAGE_ERROR		/* "internal": libvips could not start, or an
				   encoder failed; not the file's fault */
};

/* Every limit must be at least 1 (and max_width at most
 * IMAGE_SIDE_LIMIT): image_process() answers IMAGE_ERROR otherwise. */
struct image_limits {
	uint64_t	max_pixels;	/* width x height x frames */
	uint32_t	max_frames;	/* of an animation */
	uint32_t	max_width;	/* of the largest variant */
};

#define IMAGE_MAX_PIXELS	40000000	/* defaults */
#define IMAGE_MAX_FRAMES	300
#define IMAGE_MAX_WIDTH		2048
#define IMAGE_SIDE_LIMIT	16383	/* WebP's largest side */

/* The widths of the smaller variants, and how many variants at most. */
#define IMAGE_WIDTHS		{ 320, 640, 1280 }
#define IMAGE_MAX_VARIANTS	8

/* Encoder settings. */
#define IMAGE_JPEG_Q		82
#define IMAGE_WEBP_Q		80
#define IMAGE_AVIF_Q		55
#define IMAGE_AVIF_EFFORT	1	/* 0 fastest .. 9; see docs/images.md */

struct image_variant {
	enum imagefmt_type	 type;
	const char		*content_type;	/* static: "image/webp" */
	const char		*ext;		/* static: "webp" */
	uint32_t		 width;		/* of a frame */
	uint32_t		 height;
	uint32_t		 frames;	/* > 1: animated (may be
						   fewer than the upload's:
						   the GIF and WebP encoders
						   merge identical consecutive
						   frames, adding delays) */
	unsigned char		*data;		/* the encoded file */
	size_t			 len;
};

struct image_result {
	enum imagefmt_type	 type;		/* of the upload */
	uint32_t		 width;		/* as shown: orientation */
	uint32_t		 height;	/* applied, before resizing */
	uint32_t		 frames;
	int			 orientation;	/* EXIF orientation applied,
						   1 (none) to 8 */
	size_t			 nvariants;
	/* By width, smallest first; at each width the upload's format
	   first, then WebP.  The last one is the capped original. */
	struct image_variant	 variants[IMAGE_MAX_VARIANTS];
};

/*
 * Starts libvips once (later calls return the first call's result):
 * 0, or -1 when it cannot start.  Loads libvips's modules (the HEIF one
 * decodes AVIF) with dlopen(), so call it before the process installs a
 * seccomp filter that denies executable mappings (Kore's does).
 */
int		 image_init(void);

/* Fills *l with the defaults above. */
void		 image_limits_default(struct image_limits *l);

/*
 * Processes len bytes of buf (the upload; read only, not kept) claimed to
 * be of Content-Type claimed (NULL is refused as unsupported), within
 * *lim (NULL: the defaults).  On IMAGE_OK, *res is filled and the caller
 * owns the variants' data: image_result_free(res).  On any other status
 * *res is empty (nvariants 0) and needs no freeing (freeing it is
 * harmless).  Never writes to stdout or stderr.
 */
enum image_status image_process(const void *buf, size_t len,
		    const char *claimed, const struct image_limits *lim,
		    struct image_result *res);

void		 image_result_free(struct image_result *res);

/* The stable code of a status ("too_many_pixels"), for JSON and logs. */
const char	*image_status_code(enum image_status);
/* One fixed sentence for the user; never names the file. */
const char	*image_status_message(enum image_status);

#endif
