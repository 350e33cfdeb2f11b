/*
 * Unit tests for mdimage.c: images found in what markdown.c renders
 * (kept byte for byte, or rewritten), and images taken out of Markdown.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/html.h"
#include "lib/markdown.h"
#include "lib/mdimage.h"
#include "lib/sbuf.h"

#define OWN	"/_store/i/7/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.jpg"
#define OWN2	"/_store/i/7/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.png"

/* What the callbacks saw. */
struct seen {
	int	n;
	char	src[8][256];
	char	alt[8][256];
	char	title[8][256];
	int	has_title[8];
};

static int
keep(struct html *h, const struct md_img *img, void *arg)
{
	struct seen	*s = arg;

	(void)h;
	if (s != NULL && s->n < 8) {
		memcpy(s->src[s->n], img->src, img->srclen);
		s->src[s->n][img->srclen] = '\0';
		memcpy(s->alt[s->n], img->alt, img->altlen);
		s->alt[s->n][img->altlen] = '\0';
		s->has_title[s->n] = img->title != NULL;
		if (img->title != NULL) {
			memcpy(s->title[s->n], img->title, img->titlelen);
			s->title[s->n][img->titlelen] = '\0';
		}
		s->n++;
	}
	return (0);
}

/* Own images become a <picture>, the alt and title kept as saved. */
static int
rewrite(struct html *h, const struct md_img *img, void *arg)
{
	(void)arg;
	if (img->srclen != strlen(OWN) || memcmp(img->src, OWN,
	    img->srclen) != 0)
		return (0);
	html_lit(h, "<picture><img src=\"new.jpg\" alt=\"");
	html_md_img_alt(h, img);
	html_lit(h, "\"");
	if (img->title != NULL) {
		html_lit(h, " title=\"");
		html_md_img_title(h, img);
		html_lit(h, "\"");
	}
	html_lit(h, " width=\"4\"></picture>");
	return (1);
}

/* markdown_render(src) run through html_md_saved_images(fn). */
static char *
through(const char *src, md_img_fn fn, void *arg)
{
	struct md_html	 md;
	struct md_saved	 saved;
	struct html	 h;
	char		*s;

	assert_int_equal(markdown_render(&md, src, strlen(src)), 0);
	saved.data = md.data;
	html_init(&h, 256);
	html_md_saved_images(&h, &saved, fn, arg);
	s = strndup(html_data(&h), html_len(&h));
	assert_non_null(s);
	html_free(&h);
	md_html_free(&md);
	return (s);
}

/* Kept images, and everything else, come out byte for byte. */
static void
test_kept_as_saved(void **state)
{
	static const char *const	docs[] = {
		"![a kite](" OWN ")\n",
		"Text ![x](" OWN " \"a title\") and ![](/b.png)\n",
		"`<img src=\"" OWN "\" alt=\"x\" />` in code\n",
		"    <img src=\"x\" alt=\"y\" />\n",
		"<img src=\"" OWN "\" alt=\"raw\" />\n",
		"![a \"quoted\" <alt> & more](https://example.com/a.png)\n",
		"[![linked](" OWN ")](https://example.com/)\n",
		"no images at all\n",
		"",
	};
	struct md_html	 md;
	struct seen	 s;
	char		*got;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		memset(&s, 0, sizeof(s));
		got = through(docs[i], keep, &s);
		assert_int_equal(markdown_render(&md, docs[i],
		    strlen(docs[i])), 0);
		assert_string_equal(got, md.data);
		md_html_free(&md);
		free(got);
	}
}

/* What the callback is given: the attributes as saved. */
static void
test_images_found(void **state)
{
	struct seen	 s;
	char		*got;

	(void)state;
	memset(&s, 0, sizeof(s));
	got = through("![a \"kite\" & 'sky'](" OWN " \"t&t\")\n\n"
	    "![](/x.png) `<img src=\"/no\" alt=\"\" />`\n", keep, &s);
	free(got);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.src[0], OWN);
	assert_string_equal(s.alt[0], "a &quot;kite&quot; &amp; 'sky'");
	assert_true(s.has_title[0]);
	assert_string_equal(s.title[0], "t&amp;t");
	assert_string_equal(s.src[1], "/x.png");
	assert_string_equal(s.alt[1], "");
	assert_false(s.has_title[1]);

	/* Raw HTML never reaches saved HTML: nothing to find. */
	memset(&s, 0, sizeof(s));
	free(through("<img src=\"" OWN "\" alt=\"x\" />\n", keep, &s));
	assert_int_equal(s.n, 0);
}

static void
test_rewritten(void **state)
{
	char	*got;

	(void)state;
	got = through("A ![kite & sky](" OWN ") and ![other](" OWN2 ").\n",
	    rewrite, NULL);
	assert_string_equal(got, "<p>A <picture><img src=\"new.jpg\" "
	    "alt=\"kite &amp; sky\" width=\"4\"></picture> and "
	    "<img src=\"" OWN2 "\" alt=\"other\" />.</p>\n");
	free(got);
	got = through("![k](" OWN " \"ti\")\n", rewrite, NULL);
	assert_string_equal(got, "<p><picture><img src=\"new.jpg\" alt=\"k\" "
	    "title=\"ti\" width=\"4\"></picture></p>\n");
	free(got);

	/* A saved document cut inside a tag is copied as it is. */
	{
		struct md_saved	 saved;
		struct html	 h;

		saved.data = "<p><img src=\"" OWN "\" alt=\"cut";
		html_init(&h, 64);
		html_md_saved_images(&h, &saved, rewrite, NULL);
		assert_int_equal(html_len(&h), strlen(saved.data));
		assert_memory_equal(html_data(&h), saved.data, html_len(&h));
		html_free(&h);
	}
}

/* md_remove_images(src) as a string; *n the places changed. */
static char *
removed(const char *src, const char *const *urls, size_t nurls, size_t *n)
{
	struct sbuf	 b;
	char		*s;

	sbuf_init(&b, 64);
	*n = md_remove_images(&b, src, strlen(src), urls, nurls);
	s = strdup(sbuf_cstr(&b));
	sbuf_free(&b);
	return (s);
}

static void
test_remove(void **state)
{
	static const char *const	urls[] = { OWN,
	    "/_store/i/7/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-320.webp" };
	struct md_html	 md;
	char		*got;
	size_t		 n;

	(void)state;
	got = removed("Before\n\n![a kite](" OWN ")\n\nAfter\n", urls, 2, &n);
	assert_string_equal(got, "Before\n\n\n\nAfter\n");
	assert_int_equal(n, 1);
	free(got);

	/* Titles, angle brackets, nested and escaped brackets. */
	got = removed("x ![t](" OWN " \"title\") y ![b](<" OWN ">) z "
	    "![a [nested] \\] alt](" OWN " 'q') w\n", urls, 2, &n);
	assert_string_equal(got, "x  y  z  w\n");
	assert_int_equal(n, 3);
	free(got);

	/*
	 * Other images stay; a longer URL is not the image's, but the
	 * second pass still cuts the URL out of it.
	 */
	got = removed("![o](" OWN2 ") ![l](" OWN "x) ![v](" OWN
	    "?v=1)\n", urls, 2, &n);
	assert_string_equal(got, "![o](" OWN2 ") ![l](x) ![v](?v=1)\n");
	assert_int_equal(n, 2);
	free(got);

	/* A variant's URL, and a reference definition: cut out. */
	got = removed("![s](/_store/i/7/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAA-320.webp)\n![r][ref]\n\n[ref]: " OWN "\n", urls, 2, &n);
	assert_string_equal(got, "\n![r][ref]\n\n[ref]: \n");
	assert_int_equal(n, 2);
	assert_int_equal(markdown_render(&md, got, strlen(got)), 0);
	assert_null(strstr(md.data, "AAAA"));
	md_html_free(&md);
	free(got);

	/* Nothing to do. */
	got = removed("plain ![x](/a.png) text", urls, 2, &n);
	assert_string_equal(got, "plain ![x](/a.png) text");
	assert_int_equal(n, 0);
	free(got);
	got = removed("", urls, 2, &n);
	assert_string_equal(got, "");
	free(got);
	got = removed("![unclosed](" OWN, urls, 2, &n);
	assert_string_equal(got, "![unclosed](");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_as_saved),
		cmocka_unit_test(test_images_found),
		cmocka_unit_test(test_rewritten),
		cmocka_unit_test(test_remove),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
