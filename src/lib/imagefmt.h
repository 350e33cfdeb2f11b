/*
 * imagefmt.h: what an uploaded file is, read from its bytes alone, before
 * any image library sees them.
 *
 * imagefmt_scan() owns three questions:
 *  - the type, from the file's signature (never from its name or the
 *    Content-Type the client claimed): JPEG, PNG, GIF, WebP or AVIF, an
 *    image format kblog does not take (HEIC, BMP, TIFF, JPEG XL, ...), or
 *    no image at all;
 *  - the size the header declares (canvas width, height, number of
 *    frames), so a decompression bomb is refused before a decoder
 *    allocates anything;
 *  - whether the container is whole and ends where the file ends: the
 *    marker, chunk or box structure is walked to its end (JPEG EOI, PNG
 *    IEND, GIF trailer, the RIFF size, the last ISOBMFF box).  A file that
 *    stops inside the image is truncated; bytes after the image's end are
 *    trailing data (the usual way to make a polyglot: a JPEG that is also
 *    a ZIP, a GIF that is also a script).  Two kinds of tail are not
 *    trailing data: zero bytes after a JPEG, PNG, GIF or WebP (padding,
 *    which carries nothing; not after AVIF, whose box sizes start with
 *    zeros) and, after a JPEG, more whole JPEG streams (the
 *    Multi-Picture Format images and HDR gain maps that cameras and
 *    phones append).  An AVIF cut exactly between two top-level boxes
 *    looks whole here; its decoder then fails on the missing data.
 *
 * It never decodes pixels and never checks what is inside a chunk beyond
 * the fields named here (CRCs, compressed data and the like are the
 * decoder's business).  Linear in the input, no allocation, no state:
 * safe to call from any number of threads at once.
 */

#ifndef KBLOG_IMAGEFMT_H
#define KBLOG_IMAGEFMT_H

#include <stddef.h>
#include <stdint.h>

enum imagefmt_type {
	IMAGEFMT_NONE = 0,	/* no image signature known here */
	IMAGEFMT_JPEG,
	IMAGEFMT_PNG,
	IMAGEFMT_GIF,
	IMAGEFMT_WEBP,
	IMAGEFMT_AVIF,
	IMAGEFMT_OTHER		/* an image, of a format kblog does not take */
};

enum imagefmt_status {
	IMAGEFMT_OK = 0,
	IMAGEFMT_TRUNCATED,	/* the file ends inside the image */
	IMAGEFMT_TRAILING,	/* bytes after the end of the image */
	IMAGEFMT_CORRUPT	/* the container's structure is broken */
};

struct imagefmt {
	enum imagefmt_type	type;
	enum imagefmt_status	status;	/* IMAGEFMT_OK for NONE and OTHER */
	uint32_t		width;	/* declared canvas; 0 when unknown */
	uint32_t		height;	/* (AVIF: read by the decoder) */
	uint32_t		frames;	/* GIF image blocks, WebP ANMF chunks;
					   1 for a still image, 0 if unknown */
	size_t			end;	/* OK: bytes up to the end of the
					   image (and of its JPEG companions);
					   the rest, if any, is zeros */
};

/*
 * Scans len bytes of buf (NULL only with len 0) and fills *f.  Never
 * fails: what it cannot make sense of is IMAGEFMT_NONE, or a known type
 * with status CORRUPT.  For a GIF the declared canvas also covers every
 * frame's rectangle (a frame may reach past the logical screen).
 */
void			 imagefmt_scan(const void *buf, size_t len,
			    struct imagefmt *f);

/*
 * 1 when the file (one kblog wrote: JPEG, PNG, GIF, WebP or AVIF) carries
 * a metadata container: JPEG APP1-APP15 or COM (APP0 only as JFIF); a
 * PNG chunk other than IHDR, PLTE, tRNS, IDAT, IEND and pHYs (pixel
 * density); WebP EXIF, XMP or ICCP chunks or their VP8X flags; a GIF
 * comment extension or an application extension other than the loop
 * count (NETSCAPE2.0, ANIMEXTS1.0); in an AVIF meta box, an Exif or MIME
 * (XMP) item or an ICC colour profile.  0 when none, and -1 when the file
 * is not one of those types or its structure cannot be walked.
 */
int			 imagefmt_metadata(const void *buf, size_t len);

/*
 * Removes the EXIF, XMP and ICCP chunks of a WebP file in place and
 * clears their VP8X flags, fixing the RIFF size.  Returns the new
 * length, or 0 when buf is not a whole WebP file (left unchanged).
 * (libvips 8.14.1's WebP encoder writes them even when told to strip.)
 */
size_t			 imagefmt_webp_strip(unsigned char *buf, size_t len);

/* "image/jpeg", ...; NULL for NONE and OTHER. */
const char		*imagefmt_mime(enum imagefmt_type);
/* "jpg", "png", "gif", "webp", "avif"; NULL for NONE and OTHER. */
const char		*imagefmt_ext(enum imagefmt_type);
/*
 * The type a Content-Type names (exact, lower case, no parameters:
 * "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"),
 * or IMAGEFMT_NONE for anything else, NULL included.
 */
enum imagefmt_type	 imagefmt_from_mime(const char *);

#endif
