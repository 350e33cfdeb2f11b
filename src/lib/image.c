/*
 * image.c: uploads decoded, checked, cleaned and re-encoded with libvips.
 * See image.h.
 *
 * Owns libvips's start-up and its process-wide settings (once, under
 * pthread_once()), and every VipsImage a call makes: each call hangs its
 * images on one VipsObject (ctx, through vips_object_local_array()) and
 * drops it at the end, so nothing outlives the call but the encoded
 * buffers handed to the caller (g_malloc()ed by libvips, g_free()d by
 * image_result_free()).
 *
 * Never: lets libvips pick a decoder from the bytes (each type has its
 * own loader, called by name), writes a file or a temporary file (every
 * loader runs with sequential access, every result is in memory), or
 * prints (libvips's warnings are dropped; its errors stay in its own
 * buffer).
 */

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <vips/vips.h>
#include <vips/vector.h>

#include "image.h"
#include "imagefmt.h"

static pthread_once_t	image_once = PTHREAD_ONCE_INIT;
static int		image_ready;

static const uint32_t	image_widths[] = IMAGE_WIDTHS;

static void	image_start(void);
static void	image_log_drop(const gchar *, GLogLevelFlags, const gchar *,
		    gpointer);
static int	image_load(const void *, size_t, enum imagefmt_type,
		    VipsImage **);
static int	image_srgb(VipsObject *, VipsImage *, VipsImage **);
static int	image_resize(VipsObject *, VipsImage *, uint32_t, uint32_t,
		    VipsImage **);
static int	image_frames(VipsObject *, VipsImage *, uint32_t, uint32_t,
		    uint32_t, int, VipsImage **);
static int	image_strip(VipsObject *, VipsImage *, VipsImage **);
static int	image_encode(VipsImage *, enum imagefmt_type, uint32_t,
		    struct image_variant *);
static uint32_t	image_scale(uint32_t, uint32_t, uint32_t);
static enum image_status	image_decode(VipsObject *, const void *,
		    size_t, const struct imagefmt *, const struct image_limits *,
		    struct image_result *, VipsImage **);
static enum image_status	image_run(VipsObject *, const void *, size_t,
		    const struct imagefmt *, const struct image_limits *,
		    struct image_result *);

/*
 * libvips's settings are process-wide, so they are set here once:
 *  - concurrency 1: one worker thread per pipeline; kblog runs several
 *    uploads at once in its own task threads instead;
 *  - no operation cache (it would keep decoded images of past uploads);
 *  - untrusted loaders blocked (ImageMagick, PDF, SVG, FITS, ...), even
 *    though no code here reaches them;
 *  - no run-time code generation (liborc): nothing is mapped writable
 *    and executable, which Kore's seccomp filter refuses anyway;
 *  - warnings dropped: they name chunks and markers from the upload and
 *    would fill the log with what the uploader chose.
 */
static void
image_start(void)
{
	if (VIPS_INIT("kblog") != 0)
		return;
	vips_concurrency_set(1);
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_cache_set_max_files(0);
	vips_block_untrusted_set(TRUE);
	vips_vector_set_enabled(FALSE);
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
	    G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, image_log_drop, NULL);
	image_ready = 1;
}

static void
image_log_drop(const gchar *domain, GLogLevelFlags level, const gchar *msg,
    gpointer arg)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)arg;
}

int
image_init(void)
{
	if (pthread_once(&image_once, image_start) != 0)
		return (-1);
	return (image_ready ? 0 : -1);
}

void
image_limits_default(struct image_limits *l)
{
	l->max_pixels = IMAGE_MAX_PIXELS;
	l->max_frames = IMAGE_MAX_FRAMES;
	l->max_width = IMAGE_MAX_WIDTH;
}

/*
 * The loader of the type the bytes are, lazily: this reads the header
 * only.  Sequential access (the decoder streams, no temporary file) and
 * failure on any decoding error, truncation included.  GIF and WebP with
 * every frame; AVIF: the primary image only.
 */
static int
image_load(const void *buf, size_t len, enum imagefmt_type t, VipsImage **out)
{
	void	*b = (void *)(uintptr_t)buf;	/* libvips only reads it */

	switch (t) {
	case IMAGEFMT_JPEG:
		return (vips_jpegload_buffer(b, len, out,
		    "access", VIPS_ACCESS_SEQUENTIAL,
		    "fail_on", VIPS_FAIL_ON_ERROR, NULL));
	case IMAGEFMT_PNG:
		return (vips_pngload_buffer(b, len, out,
		    "access", VIPS_ACCESS_SEQUENTIAL,
		    "fail_on", VIPS_FAIL_ON_ERROR, NULL));
	case IMAGEFMT_GIF:
		return (vips_gifload_buffer(b, len, out, "n", -1,
		    "access", VIPS_ACCESS_SEQUENTIAL,
		    "fail_on", VIPS_FAIL_ON_ERROR, NULL));
	case IMAGEFMT_WEBP:
		return (vips_webpload_buffer(b, len, out, "n", -1,
		    "access", VIPS_ACCESS_SEQUENTIAL,
		    "fail_on", VIPS_FAIL_ON_ERROR, NULL));
	case IMAGEFMT_AVIF:
		return (vips_heifload_buffer(b, len, out,
		    "access", VIPS_ACCESS_SEQUENTIAL,
		    "fail_on", VIPS_FAIL_ON_ERROR, NULL));
	case IMAGEFMT_NONE:
	case IMAGEFMT_OTHER:
		break;
	}
	return (-1);
}

/*
 * 8-bit sRGB, 3 bands or 4 with alpha.  An embedded ICC profile is used
 * to convert (and then dropped with the rest of the metadata); a profile
 * lcms refuses is ignored, as browsers do.  CMYK without a profile goes
 * through libvips's built-in CMYK profile; grey becomes sRGB.
 */
static int
image_srgb(VipsObject *ctx, VipsImage *in, VipsImage **out)
{
	VipsImage	**t = (VipsImage **)vips_object_local_array(ctx, 3);
	VipsImage	 *x = in;

	if (vips_image_get_typeof(x, VIPS_META_ICC_NAME)) {
		if (vips_icc_transform(x, &t[0], "srgb", "embedded", TRUE,
		    "depth", 8, NULL) == 0)
			x = t[0];
	}
	if (x->Type != VIPS_INTERPRETATION_sRGB || x->Bands < 3) {
		if (vips_colourspace(x, &t[1], VIPS_INTERPRETATION_sRGB,
		    NULL) != 0)
			return (-1);
		x = t[1];
	}
	if (x->BandFmt != VIPS_FORMAT_UCHAR) {
		if (vips_cast(x, &t[2], VIPS_FORMAT_UCHAR, NULL) != 0)
			return (-1);
		x = t[2];
	}
	if (x->Bands != 3 && x->Bands != 4) {
		vips_error("kblog", "unexpected bands");
		return (-1);
	}
	*out = x;
	return (0);
}

/* v * num / den, rounded, at least 1. */
static uint32_t
image_scale(uint32_t v, uint32_t num, uint32_t den)
{
	uint64_t	r;

	r = ((uint64_t)v * num + den / 2) / den;
	return (r < 1 ? 1 : (uint32_t)r);
}

/*
 * in resized to exactly w x h (Lanczos 3; alpha premultiplied around the
 * resize so edges do not darken).  *out belongs to ctx.
 */
static int
image_resize(VipsObject *ctx, VipsImage *in, uint32_t w, uint32_t h,
    VipsImage **out)
{
	VipsImage	**t = (VipsImage **)vips_object_local_array(ctx, 5);
	VipsImage	 *x = in;
	int		  alpha;

	if ((uint32_t)in->Xsize == w && (uint32_t)in->Ysize == h) {
		*out = in;
		return (0);
	}
	alpha = vips_image_hasalpha(in);
	if (alpha) {
		if (vips_premultiply(x, &t[0], NULL) != 0)
			return (-1);
		x = t[0];
	}
	if (vips_resize(x, &t[1], (double)w / in->Xsize,
	    "vscale", (double)h / in->Ysize, NULL) != 0)
		return (-1);
	x = t[1];
	if (alpha) {
		if (vips_unpremultiply(x, &t[2], NULL) != 0 ||
		    vips_cast(t[2], &t[3], VIPS_FORMAT_UCHAR, NULL) != 0)
			return (-1);
		x = t[3];
	}
	/* Rounding may leave a pixel more or less: copy the edge. */
	if ((uint32_t)x->Xsize != w || (uint32_t)x->Ysize != h) {
		if (vips_gravity(x, &t[4], VIPS_COMPASS_DIRECTION_NORTH_WEST,
		    (int)w, (int)h, "extend", VIPS_EXTEND_COPY, NULL) != 0)
			return (-1);
		x = t[4];
	}
	*out = x;
	return (0);
}

/*
 * Every frame of in (frames stacked vertically, as libvips holds an
 * animation) resized to w x h and, with rotate, turned upright by its
 * EXIF orientation; the frames stacked again.  The result is in memory
 * (this is where a streamed upload is decoded) and belongs to ctx.
 */
static int
image_frames(VipsObject *ctx, VipsImage *in, uint32_t frames, uint32_t w,
    uint32_t h, int rotate, VipsImage **out)
{
	VipsImage	**crop, **mem, **rot, **t, *x;
	uint32_t	  i, ph;

	crop = (VipsImage **)vips_object_local_array(ctx, (int)frames);
	mem = (VipsImage **)vips_object_local_array(ctx, (int)frames);
	rot = (VipsImage **)vips_object_local_array(ctx, (int)frames);
	t = (VipsImage **)vips_object_local_array(ctx, 3);
	ph = (uint32_t)in->Ysize / frames;

	for (i = 0; i < frames; i++) {
		x = in;
		if (frames > 1) {
			if (vips_crop(in, &crop[i], 0, (int)(i * ph),
			    in->Xsize, (int)ph, NULL) != 0)
				return (-1);
			x = crop[i];
		}
		if (image_resize(ctx, x, w, h, &x) != 0)
			return (-1);
		if ((mem[i] = vips_image_copy_memory(x)) == NULL)
			return (-1);
		if (rotate) {
			if (vips_autorot(mem[i], &rot[i], NULL) != 0)
				return (-1);
		} else {
			rot[i] = mem[i];
			g_object_ref(rot[i]);	/* both slots drop one */
		}
	}
	if (frames == 1) {
		if ((t[0] = vips_image_copy_memory(rot[0])) == NULL)
			return (-1);
		*out = t[0];
		return (0);
	}
	if (vips_arrayjoin(rot, &t[0], (int)frames, "across", 1, NULL) != 0 ||
	    (t[1] = vips_image_copy_memory(t[0])) == NULL ||
	    vips_copy(t[1], &t[2], NULL) != 0)
		return (-1);
	vips_image_set_int(t[2], VIPS_META_PAGE_HEIGHT,
	    t[2]->Ysize / (int)frames);
	*out = t[2];
	return (0);
}

/*
 * A copy of in without any metadata field but what an animation needs
 * (page height, frame delays, loop count).  Encoders are also told to
 * strip; this makes sure nothing is left for them to copy.
 */
static int
image_strip(VipsObject *ctx, VipsImage *in, VipsImage **out)
{
	static const char	*keep[] = { VIPS_META_PAGE_HEIGHT, "delay",
	    "loop" };
	VipsImage		**t = (VipsImage **)vips_object_local_array(ctx,
				    1);
	gchar			**names;
	size_t			  i, k;
	int			  kept;

	/* The pixel density, too, is the same for every image: 72 dpi. */
	if (vips_copy(in, &t[0], "xres", 72.0 / 25.4, "yres", 72.0 / 25.4,
	    NULL) != 0)
		return (-1);
	names = vips_image_get_fields(t[0]);
	for (i = 0; names[i] != NULL; i++) {
		kept = 0;
		for (k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
			if (!strcmp(names[i], keep[k]))
				kept = 1;
		if (!kept)
			(void)vips_image_remove(t[0], names[i]);
	}
	g_strfreev(names);
	*out = t[0];
	return (0);
}

/* Encodes img (8-bit sRGB, no metadata) as type t into *v. */
static int
image_encode(VipsImage *img, enum imagefmt_type t, uint32_t frames,
    struct image_variant *v)
{
	struct imagefmt	 f;
	void		*buf = NULL;
	size_t		 len = 0;
	int		 r = -1;

	switch (t) {
	case IMAGEFMT_JPEG:
		r = vips_jpegsave_buffer(img, &buf, &len, "Q", IMAGE_JPEG_Q,
		    "optimize_coding", TRUE, "interlace", TRUE,
		    "strip", TRUE, NULL);
		break;
	case IMAGEFMT_PNG:
		r = vips_pngsave_buffer(img, &buf, &len, "compression", 6,
		    "strip", TRUE, NULL);
		break;
	case IMAGEFMT_GIF:
		r = vips_gifsave_buffer(img, &buf, &len, "strip", TRUE, NULL);
		break;
	case IMAGEFMT_WEBP:
		r = vips_webpsave_buffer(img, &buf, &len, "Q", IMAGE_WEBP_Q,
		    "effort", 4, "strip", TRUE, NULL);
		break;
	case IMAGEFMT_AVIF:
		r = vips_heifsave_buffer(img, &buf, &len,
		    "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
		    "Q", IMAGE_AVIF_Q, "effort", IMAGE_AVIF_EFFORT,
		    "bitdepth", 8, "strip", TRUE, NULL);
		break;
	case IMAGEFMT_NONE:
	case IMAGEFMT_OTHER:
		break;
	}
	if (r != 0) {
		g_free(buf);
		return (-1);
	}
	/* libvips 8.14.1 writes EXIF, XMP and ICC into WebP regardless. */
	if (t == IMAGEFMT_WEBP && (len = imagefmt_webp_strip(buf, len)) == 0) {
		g_free(buf);
		return (-1);
	}
	/* Whatever the encoder did: no metadata leaves here, and what
	 * leaves is one whole file of the type. */
	imagefmt_scan(buf, len, &f);
	if (imagefmt_metadata(buf, len) != 0 || f.type != t ||
	    f.status != IMAGEFMT_OK || f.end != len) {
		g_free(buf);
		return (-1);
	}
	v->type = t;
	v->content_type = imagefmt_mime(t);
	v->ext = imagefmt_ext(t);
	v->width = (uint32_t)img->Xsize;
	v->height = (uint32_t)img->Ysize / frames;
	/* The WebP encoder merges identical consecutive frames. */
	v->frames = f.frames;
	v->data = buf;
	v->len = len;
	return (0);
}

/*
 * Reads the header, checks it, decodes the upload and makes the capped,
 * upright, sRGB image without metadata (*out, in memory).  Every image
 * of the decoding pipeline belongs to dctx, which the caller drops as
 * soon as *out is safe: the decoder's own buffers (libheif holds a whole
 * decoded image) are gone before any encoder starts.
 */
static enum image_status
image_decode(VipsObject *dctx, const void *buf, size_t len,
    const struct imagefmt *f, const struct image_limits *lim,
    struct image_result *res, VipsImage **out)
{
	VipsImage		**t = (VipsImage **)vips_object_local_array(dctx,
				    2);
	VipsImage		 *in, *src, *base;
	const char		 *comp;
	uint32_t		  frames, sw, sh, w, h, cw, ch;
	int			  swap;

	if (image_load(buf, len, f->type, &t[0]) != 0)
		return (IMAGE_CORRUPT);
	in = t[0];

	/* The decoder's own reading of the header, before any pixel. */
	sw = (uint32_t)in->Xsize;
	sh = (uint32_t)vips_image_get_page_height(in);
	frames = (uint32_t)in->Ysize / sh;
	if ((uint64_t)sw * (uint64_t)in->Ysize > lim->max_pixels)
		return (IMAGE_TOO_MANY_PIXELS);
	if (frames > lim->max_frames)
		return (IMAGE_TOO_MANY_FRAMES);
	if (f->type == IMAGEFMT_AVIF &&
	    (vips_image_get_string(in, "heif-compression", &comp) != 0 ||
	    strcmp(comp, "av1") != 0))
		return (IMAGE_UNSUPPORTED);	/* HEVC in an AVIF brand */

	res->type = f->type;
	res->frames = frames;
	res->orientation = vips_image_get_orientation(in);
	if (res->orientation < 1 || res->orientation > 8)
		res->orientation = 1;
	swap = res->orientation >= 5;
	w = swap ? sh : sw;
	h = swap ? sw : sh;
	res->width = w;
	res->height = h;
	cw = w > lim->max_width ? lim->max_width : w;
	ch = cw == w ? h : image_scale(h, cw, w);
	if (ch > IMAGE_SIDE_LIMIT)
		return (IMAGE_TOO_MANY_PIXELS);	/* WebP cannot hold it */

	/* Decode: an animation whole, a still streamed into its resize. */
	if (image_srgb(dctx, in, &src) != 0)
		return (IMAGE_CORRUPT);
	if (frames > 1) {
		if ((t[1] = vips_image_copy_memory(src)) == NULL)
			return (IMAGE_CORRUPT);
		src = t[1];
	}
	if (image_frames(dctx, src, frames, swap ? ch : cw, swap ? cw : ch,
	    res->orientation != 1, &base) != 0)
		return (IMAGE_CORRUPT);
	if (image_strip(dctx, base, out) != 0)
		return (IMAGE_ERROR);
	return (IMAGE_OK);
}

/* The part of image_process() that needs libvips; ctx owns every image. */
static enum image_status
image_run(VipsObject *ctx, const void *buf, size_t len,
    const struct imagefmt *f, const struct image_limits *lim,
    struct image_result *res)
{
	VipsImage		**t = (VipsImage **)vips_object_local_array(ctx,
				    1);
	VipsObject		 *sub;
	VipsImage		 *clean, *v;
	enum imagefmt_type	  fmts[2];
	enum image_status	  st;
	uint32_t		  cw, vw, vh;
	size_t			  i, k, nfmts;

	sub = VIPS_OBJECT(vips_image_new());
	st = image_decode(sub, buf, len, f, lim, res, &clean);
	if (st == IMAGE_OK) {
		t[0] = clean;
		g_object_ref(clean);
	}
	g_object_unref(sub);
	if (st != IMAGE_OK)
		return (st);
	cw = (uint32_t)clean->Xsize;

	nfmts = 0;
	fmts[nfmts++] = f->type;
	if (f->type != IMAGEFMT_WEBP)
		fmts[nfmts++] = IMAGEFMT_WEBP;
	for (i = 0; i <= sizeof(image_widths) / sizeof(image_widths[0]); i++) {
		/* Each width's images go with sub once it is encoded. */
		sub = VIPS_OBJECT(vips_image_new());
		v = clean;
		if (i < sizeof(image_widths) / sizeof(image_widths[0])) {
			vw = image_widths[i];
			if (vw >= cw) {
				g_object_unref(sub);
				continue;
			}
			vh = image_scale(res->height, vw, res->width);
			if (image_frames(sub, clean, res->frames, vw, vh, 0,
			    &v) != 0)
				st = IMAGE_ERROR;
		}
		for (k = 0; k < nfmts && st == IMAGE_OK; k++) {
			if (res->nvariants == IMAGE_MAX_VARIANTS ||
			    image_encode(v, fmts[k], res->frames,
			    &res->variants[res->nvariants]) != 0)
				st = IMAGE_ERROR;
			else
				res->nvariants++;
		}
		g_object_unref(sub);
		if (st != IMAGE_OK)
			return (st);
	}
	return (IMAGE_OK);
}

enum image_status
image_process(const void *buf, size_t len, const char *claimed,
    const struct image_limits *lim, struct image_result *res)
{
	struct image_limits	 def;
	struct imagefmt		 f;
	enum imagefmt_type	 want;
	enum image_status	 st;
	VipsObject		*ctx;

	memset(res, 0, sizeof(*res));
	if (lim == NULL) {
		image_limits_default(&def);
		lim = &def;
	}
	if (lim->max_pixels == 0 || lim->max_frames == 0 ||
	    lim->max_width == 0 || lim->max_width > IMAGE_SIDE_LIMIT)
		return (IMAGE_ERROR);		/* a configuration mistake */
	if ((want = imagefmt_from_mime(claimed)) == IMAGEFMT_NONE)
		return (IMAGE_UNSUPPORTED);

	imagefmt_scan(buf, len, &f);
	switch (f.type) {
	case IMAGEFMT_NONE:
		return (IMAGE_NOT_IMAGE);
	case IMAGEFMT_OTHER:
		return (IMAGE_UNSUPPORTED);
	default:
		break;
	}
	if (f.type != want)
		return (IMAGE_TYPE_MISMATCH);
	switch (f.status) {
	case IMAGEFMT_TRUNCATED:
		return (IMAGE_TRUNCATED);
	case IMAGEFMT_TRAILING:
		return (IMAGE_TRAILING_DATA);
	case IMAGEFMT_CORRUPT:
		return (IMAGE_CORRUPT);
	case IMAGEFMT_OK:
		break;
	}
	/* The container's own declaration, before any decoder runs. */
	if (f.width != 0 && f.height != 0 &&
	    (uint64_t)f.width * f.height > lim->max_pixels / (f.frames ?
	    f.frames : 1))
		return (IMAGE_TOO_MANY_PIXELS);
	if (f.frames > lim->max_frames)
		return (IMAGE_TOO_MANY_FRAMES);

	if (image_init() != 0)
		return (IMAGE_ERROR);
	ctx = VIPS_OBJECT(vips_image_new());
	st = image_run(ctx, buf, f.end, &f, lim, res);
	g_object_unref(ctx);
	if (st != IMAGE_OK)
		image_result_free(res);
	return (st);
}

void
image_result_free(struct image_result *res)
{
	size_t	i;

	for (i = 0; i < res->nvariants && i < IMAGE_MAX_VARIANTS; i++)
		g_free(res->variants[i].data);
	memset(res, 0, sizeof(*res));
}

const char *
image_status_code(enum image_status st)
{
	switch (st) {
	case IMAGE_OK:
		return ("ok");
	case IMAGE_NOT_IMAGE:
		return ("not_image");
	case IMAGE_UNSUPPORTED:
		return ("unsupported");
	case IMAGE_TYPE_MISMATCH:
		return ("type_mismatch");
	case IMAGE_TRUNCATED:
		return ("truncated");
	case IMAGE_TRAILING_DATA:
		return ("trailing_data");
	case IMAGE_CORRUPT:
		return ("corrupt");
	case IMAGE_TOO_MANY_PIXELS:
		return ("too_many_pixels");
	case IMAGE_TOO_MANY_FRAMES:
		return ("too_many_frames");
	case IMAGE_ERROR:
		break;
	}
	return ("internal");
}

const char *
image_status_message(enum image_status st)
{
	switch (st) {
	case IMAGE_OK:
		return ("The image was processed.");
	case IMAGE_NOT_IMAGE:
		return ("The file is not an image.");
	case IMAGE_UNSUPPORTED:
		return ("This image format is not supported: use JPEG, PNG, "
		    "GIF, WebP or AVIF.");
	case IMAGE_TYPE_MISMATCH:
		return ("The file's contents are not of the type it was "
		    "uploaded as.");
	case IMAGE_TRUNCATED:
		return ("The image is incomplete: the upload was cut short.");
	case IMAGE_TRAILING_DATA:
		return ("The file carries other data after the image; save "
		    "it again as a plain image.");
	case IMAGE_CORRUPT:
		return ("The image is damaged and cannot be decoded.");
	case IMAGE_TOO_MANY_PIXELS:
		return ("The image has too many pixels.");
	case IMAGE_TOO_MANY_FRAMES:
		return ("The animation has too many frames.");
	case IMAGE_ERROR:
		break;
	}
	return ("The image could not be processed; try again later.");
}
