/*
 * imagefmt.c: image signatures and container walks.  See imagefmt.h.
 *
 * Every length read from the file is compared with what is left of the
 * buffer by subtraction (left = len - p), never by adding it to p, so a
 * hostile length cannot wrap.
 *
 * References: JPEG: ITU T.81 annex B (markers); PNG: ISO 15948 / W3C PNG
 * 3rd edition, chapter 5 (chunks); GIF: GIF89a specification, section 17
 * onward; WebP: RFC 9649 (RIFF container, VP8/VP8L/VP8X headers);
 * AVIF/HEIF: ISO 14496-12 (boxes) and the AVIF 1.1 brands.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "imagefmt.h"

static uint32_t	be16(const unsigned char *);
static uint32_t	be32(const unsigned char *);
static uint32_t	le16(const unsigned char *);
static uint32_t	le24(const unsigned char *);
static uint32_t	le32(const unsigned char *);
static int	all_zero(const unsigned char *, size_t);
static enum imagefmt_type	sniff(const unsigned char *, size_t);
static int	ftyp_brands(const unsigned char *, size_t, int *, int *);
static enum imagefmt_status	jpeg_stream(const unsigned char *, size_t,
		    size_t, size_t *, struct imagefmt *);
static void	scan_jpeg(const unsigned char *, size_t, struct imagefmt *);
static void	scan_png(const unsigned char *, size_t, struct imagefmt *);
static int	gif_blocks(const unsigned char *, size_t, size_t *);
static void	scan_gif(const unsigned char *, size_t, struct imagefmt *);
static void	scan_webp(const unsigned char *, size_t, struct imagefmt *);
static void	scan_isobmff(const unsigned char *, size_t,
		    struct imagefmt *);
static void	finish(const unsigned char *, size_t, size_t,
		    struct imagefmt *);
static int	meta_jpeg(const unsigned char *, size_t);
static int	meta_png(const unsigned char *, size_t);
static int	meta_gif(const unsigned char *, size_t);
static int	meta_webp(const unsigned char *, size_t);
static int	meta_avif(const unsigned char *, size_t);

static uint32_t
be16(const unsigned char *p)
{
	return ((uint32_t)p[0] << 8 | p[1]);
}

static uint32_t
be32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static uint32_t
le16(const unsigned char *p)
{
	return ((uint32_t)p[1] << 8 | p[0]);
}

static uint32_t
le24(const unsigned char *p)
{
	return ((uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
}

static uint32_t
le32(const unsigned char *p)
{
	return ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0]);
}

static int
all_zero(const unsigned char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return (0);
	return (1);
}

/*
 * The brands of an ISOBMFF "ftyp" box at the start of b: *avif when
 * "avif" or "avis" is the major or a compatible brand, *heif for the
 * HEIC/HEIF still and sequence brands.  Returns 0, or -1 when b does not
 * start with an ftyp box.
 */
static int
ftyp_brands(const unsigned char *b, size_t len, int *avif, int *heif)
{
	static const char	*heifs[] = { "heic", "heix", "heim", "heis",
	    "hevc", "hevx", "hevm", "hevs", "mif1", "msf1", "mif2" };
	size_t			 size, i, k;
	const unsigned char	*brand;

	*avif = *heif = 0;
	if (len < 16 || memcmp(b + 4, "ftyp", 4))
		return (-1);
	size = be32(b);
	if (size < 16 || size % 4 != 0)
		return (-1);
	if (size > len)
		size = len - len % 4;
	for (i = 8; i + 4 <= size; i += 4) {
		if (i == 12)
			continue;		/* minor_version */
		brand = b + i;
		if (!memcmp(brand, "avif", 4) || !memcmp(brand, "avis", 4))
			*avif = 1;
		for (k = 0; k < sizeof(heifs) / sizeof(heifs[0]); k++)
			if (!memcmp(brand, heifs[k], 4))
				*heif = 1;
	}
	return (0);
}

static enum imagefmt_type
sniff(const unsigned char *b, size_t len)
{
	static const unsigned char	png[8] =
	    { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a };
	static const unsigned char	jxl[12] = { 0, 0, 0, 0x0c, 'J', 'X',
	    'L', ' ', 0x0d, 0x0a, 0x87, 0x0a };
	static const unsigned char	jp2[12] = { 0, 0, 0, 0x0c, 'j', 'P',
	    ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a };
	int				avif, heif;
	size_t				i;
	uint32_t			dib;

	if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return (IMAGEFMT_JPEG);
	if (len >= 8 && !memcmp(b, png, 8))
		return (IMAGEFMT_PNG);
	if (len >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6)))
		return (IMAGEFMT_GIF);
	if (len >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4))
		return (IMAGEFMT_WEBP);
	if (ftyp_brands(b, len, &avif, &heif) == 0) {
		if (avif)
			return (IMAGEFMT_AVIF);
		if (heif)
			return (IMAGEFMT_OTHER);
		return (IMAGEFMT_NONE);		/* video, audio, ... */
	}

	/* Images kblog does not take: say "unsupported", not "not one". */
	if (len >= 12 && (!memcmp(b, jxl, 12) || !memcmp(b, jp2, 12)))
		return (IMAGEFMT_OTHER);
	if (len >= 2 && b[0] == 0xff && b[1] == 0x0a)
		return (IMAGEFMT_OTHER);		/* JPEG XL codestream */
	if (len >= 4 && b[0] == 0xff && b[1] == 0x4f && b[2] == 0xff &&
	    b[3] == 0x51)
		return (IMAGEFMT_OTHER);		/* JPEG 2000 codestream */
	if (len >= 4 && (!memcmp(b, "II*\0", 4) || !memcmp(b, "MM\0*", 4)))
		return (IMAGEFMT_OTHER);		/* TIFF */
	if (len >= 4 && (!memcmp(b, "8BPS", 4) || !memcmp(b, "qoif", 4)))
		return (IMAGEFMT_OTHER);		/* PSD, QOI */
	if (len >= 26 && b[0] == 'B' && b[1] == 'M') {
		dib = le32(b + 14);
		if (dib == 12 || dib == 40 || dib == 52 || dib == 56 ||
		    dib == 64 || dib == 108 || dib == 124)
			return (IMAGEFMT_OTHER);	/* BMP */
	}
	if (len >= 22 && b[0] == 0 && b[1] == 0 && (b[2] == 1 || b[2] == 2) &&
	    b[3] == 0 && le16(b + 4) > 0 && (b[9] == 0 || b[9] == 0xff))
		return (IMAGEFMT_OTHER);		/* ICO, CUR */

	/* SVG: markup, after an optional BOM and white space. */
	i = 0;
	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		i = 3;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' ||
	    b[i] == '\n'))
		i++;
	if (len - i >= 4 && !memcmp(b + i, "<svg", 4))
		return (IMAGEFMT_OTHER);
	if (len - i >= 5 && !memcmp(b + i, "<?xml", 5) &&
	    memmem(b + i, len - i < 4096 ? len - i : 4096, "<svg", 4) != NULL)
		return (IMAGEFMT_OTHER);
	return (IMAGEFMT_NONE);
}

/*
 * One JPEG stream starting at b[off] (just after its SOI): markers up to
 * EOI, the entropy-coded data after each SOS skipped.  Sets *end after
 * EOI.  With f, records the first frame header's size in it.
 */
static enum imagefmt_status
jpeg_stream(const unsigned char *b, size_t len, size_t off, size_t *end,
    struct imagefmt *f)
{
	const unsigned char	*q;
	size_t			 p, seglen;
	unsigned int		 m;
	int			 sof, sos;

	p = off;
	sof = sos = 0;
	for (;;) {
		if (p >= len)
			return (IMAGEFMT_TRUNCATED);
		if (b[p] != 0xff)
			return (IMAGEFMT_CORRUPT);
		while (p < len && b[p] == 0xff)
			p++;			/* fill bytes */
		if (p >= len)
			return (IMAGEFMT_TRUNCATED);
		m = b[p++];
		if (m == 0xd9) {			/* EOI */
			if (!sof || !sos)
				return (IMAGEFMT_CORRUPT);
			*end = p;
			return (IMAGEFMT_OK);
		}
		if (m == 0x00 || m == 0xd8)
			return (IMAGEFMT_CORRUPT);
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7))
			continue;		/* TEM, RSTn: no length */
		if (len - p < 2)
			return (IMAGEFMT_TRUNCATED);
		seglen = be16(b + p);
		if (seglen < 2)
			return (IMAGEFMT_CORRUPT);
		if (len - p < seglen)
			return (IMAGEFMT_TRUNCATED);
		/* SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC). */
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			if (sof)
				return (IMAGEFMT_CORRUPT);
			if (seglen < 8)
				return (IMAGEFMT_CORRUPT);
			sof = 1;
			if (f != NULL) {
				f->height = be16(b + p + 3);
				f->width = be16(b + p + 5);
			}
		}
		p += seglen;
		if (m != 0xda)
			continue;
		if (!sof)
			return (IMAGEFMT_CORRUPT);
		sos = 1;
		/* Entropy-coded data: up to a marker other than RSTn. */
		for (;;) {
			q = memchr(b + p, 0xff, len - p);
			if (q == NULL)
				return (IMAGEFMT_TRUNCATED);
			p = (size_t)(q - b);
			if (len - p < 2)
				return (IMAGEFMT_TRUNCATED);
			m = b[p + 1];
			if (m == 0x00 || (m >= 0xd0 && m <= 0xd7)) {
				p += 2;
				continue;
			}
			if (m == 0xff) {
				p++;
				continue;
			}
			break;
		}
	}
}

static void
scan_jpeg(const unsigned char *b, size_t len, struct imagefmt *f)
{
	size_t	end, next;

	f->frames = 1;
	f->status = jpeg_stream(b, len, 2, &end, f);
	if (f->status != IMAGEFMT_OK)
		return;
	/* Companion JPEG streams (MPF, gain maps), each whole. */
	while (len - end >= 3 && b[end] == 0xff && b[end + 1] == 0xd8 &&
	    b[end + 2] == 0xff) {
		if (jpeg_stream(b, len, end + 2, &next, NULL) != IMAGEFMT_OK)
			break;
		end = next;
	}
	finish(b, len, end, f);
}

static void
scan_png(const unsigned char *b, size_t len, struct imagefmt *f)
{
	size_t		 p, clen;
	int		 first, i;
	const unsigned char	*type;

	f->frames = 1;
	p = 8;
	first = 1;
	for (;;) {
		if (len - p < 8) {
			f->status = IMAGEFMT_TRUNCATED;
			return;
		}
		clen = be32(b + p);
		type = b + p + 4;
		if (clen > 0x7fffffff) {
			f->status = IMAGEFMT_CORRUPT;
			return;
		}
		for (i = 0; i < 4; i++) {
			if (!((type[i] >= 'A' && type[i] <= 'Z') ||
			    (type[i] >= 'a' && type[i] <= 'z'))) {
				f->status = IMAGEFMT_CORRUPT;
				return;
			}
		}
		if (first && (memcmp(type, "IHDR", 4) || clen != 13)) {
			f->status = IMAGEFMT_CORRUPT;
			return;
		}
		if (len - p - 8 < clen || len - p - 8 - clen < 4) {
			f->status = IMAGEFMT_TRUNCATED;
			return;
		}
		if (first) {
			f->width = be32(b + p + 8);
			f->height = be32(b + p + 12);
			if (f->width == 0 || f->height == 0 ||
			    f->width > 0x7fffffff || f->height > 0x7fffffff) {
				f->status = IMAGEFMT_CORRUPT;
				return;
			}
			first = 0;
		}
		p += 12 + clen;
		if (!memcmp(type, "IEND", 4))
			break;
	}
	finish(b, len, p, f);
}

/* GIF data sub-blocks from b[*p] up to and including the terminator. */
static int
gif_blocks(const unsigned char *b, size_t len, size_t *p)
{
	size_t	n;

	for (;;) {
		if (*p >= len)
			return (-1);
		n = b[*p];
		(*p)++;
		if (n == 0)
			return (0);
		if (len - *p < n)
			return (-1);
		*p += n;
	}
}

static void
scan_gif(const unsigned char *b, size_t len, struct imagefmt *f)
{
	size_t		p, table;
	uint32_t	x, y, w, h;

	if (len < 13) {
		f->status = IMAGEFMT_TRUNCATED;
		return;
	}
	f->width = le16(b + 6);
	f->height = le16(b + 8);
	p = 13;
	if (b[10] & 0x80)
		p += (size_t)3 << ((b[10] & 7) + 1);
	f->frames = 0;
	for (;;) {
		if (p >= len) {
			f->status = IMAGEFMT_TRUNCATED;
			return;
		}
		switch (b[p]) {
		case 0x3b:			/* trailer */
			p++;
			if (f->frames == 0) {
				f->status = IMAGEFMT_CORRUPT;
				return;
			}
			finish(b, len, p, f);
			return;
		case 0x21:			/* extension: label, blocks */
			p += 2;
			if (p > len || gif_blocks(b, len, &p) == -1) {
				f->status = IMAGEFMT_TRUNCATED;
				return;
			}
			break;
		case 0x2c:			/* image descriptor */
			if (len - p < 10) {
				f->status = IMAGEFMT_TRUNCATED;
				return;
			}
			x = le16(b + p + 1);
			y = le16(b + p + 3);
			w = le16(b + p + 5);
			h = le16(b + p + 7);
			table = (b[p + 9] & 0x80) ?
			    (size_t)3 << ((b[p + 9] & 7) + 1) : 0;
			p += 10;
			/* The table, then the LZW minimum code size. */
			if (len - p < table + 1) {
				f->status = IMAGEFMT_TRUNCATED;
				return;
			}
			p += table + 1;
			if (gif_blocks(b, len, &p) == -1) {
				f->status = IMAGEFMT_TRUNCATED;
				return;
			}
			if (x + w > f->width)
				f->width = x + w;
			if (y + h > f->height)
				f->height = y + h;
			f->frames++;
			break;
		default:
			f->status = IMAGEFMT_CORRUPT;
			return;
		}
	}
}

static void
scan_webp(const unsigned char *b, size_t len, struct imagefmt *f)
{
	size_t			 total, p, csize;
	const unsigned char	*d;
	uint32_t		 anmf, bits;
	int			 first;

	total = le32(b + 4);
	if (total < 4) {
		f->status = IMAGEFMT_CORRUPT;
		return;
	}
	if (len - 8 < total) {
		f->status = IMAGEFMT_TRUNCATED;
		return;
	}
	total += 8;
	p = 12;
	first = 1;
	anmf = 0;
	while (p < total) {
		if (total - p < 8) {
			f->status = IMAGEFMT_CORRUPT;
			return;
		}
		csize = le32(b + p + 4);
		if (total - p - 8 < csize + (csize & 1)) {
			f->status = IMAGEFMT_CORRUPT;
			return;
		}
		d = b + p + 8;
		if (first) {
			first = 0;
			if (!memcmp(b + p, "VP8 ", 4) && csize >= 10 &&
			    d[3] == 0x9d && d[4] == 0x01 && d[5] == 0x2a) {
				f->width = le16(d + 6) & 0x3fff;
				f->height = le16(d + 8) & 0x3fff;
			} else if (!memcmp(b + p, "VP8L", 4) && csize >= 5 &&
			    d[0] == 0x2f) {
				bits = le32(d + 1);
				f->width = (bits & 0x3fff) + 1;
				f->height = ((bits >> 14) & 0x3fff) + 1;
			} else if (!memcmp(b + p, "VP8X", 4) && csize >= 10) {
				f->width = le24(d + 4) + 1;
				f->height = le24(d + 7) + 1;
			} else {
				f->status = IMAGEFMT_CORRUPT;
				return;
			}
		} else if (!memcmp(b + p, "ANMF", 4)) {
			anmf++;
		}
		p += 8 + csize + (csize & 1);
	}
	if (first) {
		f->status = IMAGEFMT_CORRUPT;
		return;
	}
	f->frames = anmf > 0 ? anmf : 1;
	finish(b, len, total, f);
}

/*
 * ISOBMFF (AVIF): top-level boxes to the end of the file.  The image's
 * size lives deep in the meta box; the decoder reads it.
 */
static void
scan_isobmff(const unsigned char *b, size_t len, struct imagefmt *f)
{
	size_t		p, hdr;
	uint64_t	size;
	int		meta, i;

	f->frames = 1;
	meta = 0;
	/* No zero padding here: a box's size starts with zero bytes. */
	for (p = 0; p < len; p += (size_t)size) {
		if (len - p < 8) {
			f->status = IMAGEFMT_TRUNCATED;
			return;
		}
		for (i = 4; i < 8; i++) {
			if (b[p + i] < 0x20 || b[p + i] > 0x7e) {
				/* Not a box: whatever follows the image. */
				f->status = IMAGEFMT_TRAILING;
				return;
			}
		}
		size = be32(b + p);
		hdr = 8;
		if (size == 1) {
			if (len - p < 16) {
				f->status = IMAGEFMT_TRUNCATED;
				return;
			}
			size = (uint64_t)be32(b + p + 8) << 32 |
			    be32(b + p + 12);
			hdr = 16;
		} else if (size == 0) {
			/* "To the end of the file": a cut file would look
			 * whole.  Encoders of still images never write it. */
			f->status = IMAGEFMT_CORRUPT;
			return;
		}
		if (size < hdr) {
			f->status = IMAGEFMT_CORRUPT;
			return;
		}
		if (size > len - p) {
			f->status = IMAGEFMT_TRUNCATED;
			return;
		}
		if (!memcmp(b + p + 4, "meta", 4))
			meta = 1;
	}
	if (!meta) {
		f->status = IMAGEFMT_CORRUPT;
		return;
	}
	f->end = p;
	f->status = IMAGEFMT_OK;
}

/* The image ends at end: OK when nothing but zeros follows. */
static void
finish(const unsigned char *b, size_t len, size_t end, struct imagefmt *f)
{
	f->end = end;
	if (end < len && !all_zero(b + end, len - end))
		f->status = IMAGEFMT_TRAILING;
	else
		f->status = IMAGEFMT_OK;
}

void
imagefmt_scan(const void *buf, size_t len, struct imagefmt *f)
{
	const unsigned char	*b = buf;

	memset(f, 0, sizeof(*f));
	if (b == NULL)
		len = 0;
	f->type = sniff(b, len);
	f->status = IMAGEFMT_OK;
	switch (f->type) {
	case IMAGEFMT_JPEG:
		scan_jpeg(b, len, f);
		break;
	case IMAGEFMT_PNG:
		scan_png(b, len, f);
		break;
	case IMAGEFMT_GIF:
		scan_gif(b, len, f);
		break;
	case IMAGEFMT_WEBP:
		scan_webp(b, len, f);
		break;
	case IMAGEFMT_AVIF:
		scan_isobmff(b, len, f);
		break;
	case IMAGEFMT_NONE:
	case IMAGEFMT_OTHER:
		break;
	}
	if (f->status != IMAGEFMT_OK)
		f->end = 0;
}

/* JPEG: the marker segments before the first SOS. */
static int
meta_jpeg(const unsigned char *b, size_t len)
{
	size_t		p, n;
	unsigned int	m;

	for (p = 2; ; p += 2 + n) {
		while (len - p >= 2 && b[p] == 0xff && b[p + 1] == 0xff)
			p++;			/* fill bytes */
		if (len - p < 4 || b[p] != 0xff)
			return (-1);
		m = b[p + 1];
		n = be16(b + p + 2);
		if (n < 2 || len - p - 2 < n)
			return (-1);
		if (m == 0xda)
			return (0);
		if (m == 0xfe || (m >= 0xe1 && m <= 0xef))
			return (1);
		if (m == 0xe0 && (n < 7 || memcmp(b + p + 4, "JFIF", 5)))
			return (1);
	}
}

static int
meta_png(const unsigned char *b, size_t len)
{
	static const char	*ok[] = { "IHDR", "PLTE", "tRNS", "IDAT",
	    "IEND", "pHYs" };
	size_t			 p, n, k;
	int			 found;

	for (p = 8; len - p >= 12; p += 12 + n) {
		n = be32(b + p);
		if (len - p - 12 < n)
			return (-1);
		found = 0;
		for (k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
			if (!memcmp(b + p + 4, ok[k], 4))
				found = 1;
		if (!found)
			return (1);
		if (!memcmp(b + p + 4, "IEND", 4))
			return (0);
	}
	return (-1);
}

static int
meta_gif(const unsigned char *b, size_t len)
{
	size_t	p;

	if (len < 13)
		return (-1);
	p = 13;
	if (b[10] & 0x80)
		p += (size_t)3 << ((b[10] & 7) + 1);
	for (;;) {
		if (p >= len)
			return (-1);
		if (b[p] == 0x3b)
			return (0);
		if (b[p] == 0x21) {
			if (len - p < 3)
				return (-1);
			if (b[p + 1] == 0xfe)
				return (1);
			if (b[p + 1] == 0xff && (len - p < 14 || b[p + 2] != 11 ||
			    (memcmp(b + p + 3, "NETSCAPE2.0", 11) &&
			    memcmp(b + p + 3, "ANIMEXTS1.0", 11))))
				return (1);
			p += 2;
		} else if (b[p] == 0x2c) {
			if (len - p < 11)
				return (-1);
			p += 10 + ((b[p + 9] & 0x80) ?
			    (size_t)3 << ((b[p + 9] & 7) + 1) : 0);
			if (p >= len)
				return (-1);
			p++;		/* LZW minimum code size */
		} else
			return (-1);
		if (gif_blocks(b, len, &p) == -1)
			return (-1);
	}
}

static int
meta_webp(const unsigned char *b, size_t len)
{
	size_t	p, n;

	if (len < 12 || le32(b + 4) != len - 8)
		return (-1);
	for (p = 12; len - p >= 8; p += 8 + n + (n & 1)) {
		n = le32(b + p + 4);
		if (len - p - 8 < n + (n & 1))
			return (-1);
		if (!memcmp(b + p, "EXIF", 4) || !memcmp(b + p, "XMP ", 4) ||
		    !memcmp(b + p, "ICCP", 4))
			return (1);
		if (!memcmp(b + p, "VP8X", 4) && n >= 1 && (b[p + 8] & 0x2c))
			return (1);
	}
	return (p == len ? 0 : -1);
}

/*
 * AVIF: the item types (infe version 2 and 3: a 4CC after item id and
 * protection index) and colour boxes inside the top-level meta box.
 * The meta box holds no pixel data, so a plain search of its bytes for
 * the few structures that carry metadata is exact enough, and errs on
 * the side of refusing.
 */
static int
meta_avif(const unsigned char *b, size_t len)
{
	size_t			 p, size;
	const unsigned char	*m, *q;
	size_t			 mlen;

	m = NULL;
	mlen = 0;
	for (p = 0; len - p >= 8; p += size) {
		size = be32(b + p);
		if (size < 8 || size > len - p)
			return (-1);		/* kblog writes neither 0 nor 1 */
		if (!memcmp(b + p + 4, "meta", 4)) {
			m = b + p;
			mlen = size;
		}
	}
	if (m == NULL || p != len)
		return (-1);
	if (memmem(m, mlen, "Exif", 4) != NULL ||
	    memmem(m, mlen, "mime", 4) != NULL)
		return (1);
	for (q = m; (q = memmem(q, mlen - (size_t)(q - m), "colr", 4)) !=
	    NULL; q += 4) {
		if (mlen - (size_t)(q - m) < 8)
			break;
		if (!memcmp(q + 4, "prof", 4) || !memcmp(q + 4, "rICC", 4))
			return (1);
	}
	return (0);
}

int
imagefmt_metadata(const void *buf, size_t len)
{
	const unsigned char	*b = buf;

	if (b == NULL)
		return (-1);
	switch (sniff(b, len)) {
	case IMAGEFMT_JPEG:
		return (meta_jpeg(b, len));
	case IMAGEFMT_PNG:
		return (meta_png(b, len));
	case IMAGEFMT_GIF:
		return (meta_gif(b, len));
	case IMAGEFMT_WEBP:
		return (meta_webp(b, len));
	case IMAGEFMT_AVIF:
		return (meta_avif(b, len));
	case IMAGEFMT_NONE:
	case IMAGEFMT_OTHER:
		break;
	}
	return (-1);
}

size_t
imagefmt_webp_strip(unsigned char *b, size_t len)
{
	size_t		p, o, n, step;
	uint32_t	riff;

	if (b == NULL || len < 12 || memcmp(b, "RIFF", 4) ||
	    memcmp(b + 8, "WEBP", 4) || le32(b + 4) != len - 8)
		return (0);
	/* Check the whole chunk list before changing anything. */
	for (p = 12; len - p >= 8; p += step) {
		n = le32(b + p + 4);
		if (len - p - 8 < n + (n & 1))
			return (0);
		step = 8 + n + (n & 1);
	}
	if (p != len)
		return (0);
	for (p = o = 12; p < len; p += step) {
		n = le32(b + p + 4);
		step = 8 + n + (n & 1);
		if (!memcmp(b + p, "EXIF", 4) || !memcmp(b + p, "XMP ", 4) ||
		    !memcmp(b + p, "ICCP", 4))
			continue;
		if (!memcmp(b + p, "VP8X", 4) && n >= 1)
			b[p + 8] &= (unsigned char)~0x2c;
		memmove(b + o, b + p, step);
		o += step;
	}
	riff = (uint32_t)(o - 8);
	b[4] = riff & 0xff;
	b[5] = (riff >> 8) & 0xff;
	b[6] = (riff >> 16) & 0xff;
	b[7] = (riff >> 24) & 0xff;
	return (o);
}

const char *
imagefmt_mime(enum imagefmt_type t)
{
	switch (t) {
	case IMAGEFMT_JPEG:
		return ("image/jpeg");
	case IMAGEFMT_PNG:
		return ("image/png");
	case IMAGEFMT_GIF:
		return ("image/gif");
	case IMAGEFMT_WEBP:
		return ("image/webp");
	case IMAGEFMT_AVIF:
		return ("image/avif");
	case IMAGEFMT_NONE:
	case IMAGEFMT_OTHER:
		break;
	}
	return (NULL);
}

const char *
imagefmt_ext(enum imagefmt_type t)
{
	switch (t) {
	case IMAGEFMT_JPEG:
		return ("jpg");
	case IMAGEFMT_PNG:
		return ("png");
	case IMAGEFMT_GIF:
		return ("gif");
	case IMAGEFMT_WEBP:
		return ("webp");
	case IMAGEFMT_AVIF:
		return ("avif");
	case IMAGEFMT_NONE:
	case IMAGEFMT_OTHER:
		break;
	}
	return (NULL);
}

enum imagefmt_type
imagefmt_from_mime(const char *s)
{
	enum imagefmt_type	t;

	if (s == NULL)
		return (IMAGEFMT_NONE);
	for (t = IMAGEFMT_JPEG; t <= IMAGEFMT_AVIF; t++)
		if (!strcmp(s, imagefmt_mime(t)))
			return (t);
	return (IMAGEFMT_NONE);
}
