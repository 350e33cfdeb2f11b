/*
 * ufold.c: NFKC + case folding to a fixed point, and the character
 * classes of slugs and tags.  See ufold.h.  Never allocates anything
 * the caller does not free; never reads the locale.
 */

#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "ufold.h"

/* Folding twice is enough in practice; the loop stops at a fixed point
 * and this bounds it whatever the tables do. */
#define UFOLD_ROUNDS	6

static const char	*ufold_lang(const char *, char [4]);
static uint32_t		*ufold_round(const uint32_t *, size_t, const char *,
			    size_t *);

/*
 * The primary subtag of a BCP 47 tag, when case folding depends on it
 * (Unicode's SpecialCasing.txt: Turkish, Azerbaijani, Lithuanian).
 */
static const char *
ufold_lang(const char *tag, char buf[4])
{
	size_t		i;

	if (tag == NULL)
		return (NULL);
	for (i = 0; i < 3 && tag[i] != '\0' && tag[i] != '-' &&
	    tag[i] != '_'; i++) {
		if (tag[i] >= 'A' && tag[i] <= 'Z')
			buf[i] = (char)(tag[i] - 'A' + 'a');
		else
			buf[i] = tag[i];
	}
	buf[i] = '\0';
	if (tag[i] != '\0' && tag[i] != '-' && tag[i] != '_')
		return (NULL);
	if (!strcmp(buf, "tr") || !strcmp(buf, "tur"))
		return ("tr");
	if (!strcmp(buf, "az") || !strcmp(buf, "aze"))
		return ("az");
	if (!strcmp(buf, "lt") || !strcmp(buf, "lit"))
		return ("lt");
	return (NULL);
}

/* One round: fold and NFKC, drop U+0307 after 'i', NFKC again.  (The
 * fold decomposes first: 'İ' is 'I' and U+0307 to it.) */
static uint32_t *
ufold_round(const uint32_t *in, size_t n, const char *lang, size_t *outn)
{
	uint32_t	*a, *b;
	size_t		 an, bn, i, j;

	an = 0;
	if ((a = u32_casefold(in, n, lang, UNINORM_NFKC, NULL, &an)) ==
	    NULL && n > 0)
		abort();
	/* i or dotless ı (Turkish folding of I) with a dot above: i. */
	for (i = 0, j = 0; i < an; i++) {
		if (a[i] == 0x0307 && j > 0 &&
		    (a[j - 1] == 'i' || a[j - 1] == 0x0131)) {
			a[j - 1] = 'i';
			continue;
		}
		a[j++] = a[i];
	}
	an = j;
	bn = 0;
	if ((b = u32_normalize(UNINORM_NFKC, a, an, NULL, &bn)) == NULL &&
	    an > 0)
		abort();
	free(a);
	*outn = bn;
	return (b);
}

uint32_t *
ufold(const char *s, size_t len, const char *lang, size_t *n)
{
	const uint8_t	*u = (const uint8_t *)s;
	uint32_t	*in, *out;
	size_t		 i, cn;
	ucs4_t		 uc;
	int		 k;

	if ((in = calloc(len + 1, sizeof(*in))) == NULL)
		abort();
	for (i = 0, cn = 0; i < len; ) {
		if ((k = u8_mbtoucr(&uc, u + i, len - i)) < 0 || uc == 0) {
			in[cn++] = 0xfffd;
			i++;
			continue;
		}
		in[cn++] = uc;
		i += (size_t)k;
	}
	out = ufold_u32(in, cn, lang, n);
	free(in);
	return (out);
}

uint32_t *
ufold_u32(const uint32_t *s, size_t n, const char *lang, size_t *outn)
{
	uint32_t	*cur, *next;
	size_t		 cn, nn, i;
	int		 round;
	char		 buf[4];

	lang = ufold_lang(lang, buf);
	if ((cur = calloc(n + 1, sizeof(*cur))) == NULL)
		abort();
	if (n > 0)
		memcpy(cur, s, n * sizeof(*cur));
	cn = n;
	/* ASCII is its own NFKC; folding it is lower case, in every
	 * language but Turkish and Azerbaijani (I is ı there). */
	for (i = 0; i < n && cur[i] < 0x80; i++) {
		if (cur[i] >= 'A' && cur[i] <= 'Z')
			cur[i] += 'a' - 'A';
	}
	if (i == n && (lang == NULL || strcmp(lang, "lt") == 0)) {
		*outn = n;
		return (cur);
	}
	if (n > 0)
		memcpy(cur, s, n * sizeof(*cur));
	for (round = 0; round < UFOLD_ROUNDS; round++) {
		next = ufold_round(cur, cn, lang, &nn);
		if (nn == cn && (cn == 0 || !memcmp(next, cur,
		    cn * sizeof(*cur)))) {
			free(next);
			break;
		}
		free(cur);
		cur = next;
		cn = nn;
	}
	if (cur == NULL && (cur = calloc(1, sizeof(*cur))) == NULL)
		abort();
	*outn = cn;
	return (cur);
}

enum ufold_class
ufold_class(uint32_t c)
{
	if (c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r')
		return (UFOLD_SPACE);
	if (c < 0x80) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			return (UFOLD_LETTER);
		if (c >= '0' && c <= '9')
			return (UFOLD_DIGIT);
		return (c == ' ' ? UFOLD_SPACE : UFOLD_OTHER);
	}
	/* Before letters: the Hangul fillers are Lo but invisible. */
	if (uc_is_property_default_ignorable_code_point(c))
		return (UFOLD_IGNORE);
	if (uc_is_general_category(c, UC_CATEGORY_L))
		return (UFOLD_LETTER);
	if (uc_is_general_category(c, UC_CATEGORY_N))
		return (UFOLD_DIGIT);
	if (uc_is_general_category(c, UC_CATEGORY_M))
		return (UFOLD_MARK);
	if (uc_is_general_category(c, UC_CATEGORY_Z))
		return (UFOLD_SPACE);
	return (UFOLD_OTHER);
}

void
ufold_final_sigma(uint32_t *s, size_t n)
{
	size_t			i, j;
	enum ufold_class	c;

	c = UFOLD_OTHER;
	for (i = 0; i < n; i++) {
		if (s[i] != 0x03c3)
			continue;
		/* After a letter, combining marks skipped. */
		for (j = i; j > 0 && ufold_class(s[j - 1]) == UFOLD_MARK; j--)
			;
		if (j == 0 || ufold_class(s[j - 1]) != UFOLD_LETTER)
			continue;
		/* Not before a letter or mark, ignorables skipped. */
		for (j = i + 1; j < n &&
		    (c = ufold_class(s[j])) == UFOLD_IGNORE; j++)
			;
		if (j < n && (c == UFOLD_LETTER || c == UFOLD_MARK))
			continue;
		s[i] = 0x03c2;
	}
}

size_t
ufold_utf8(char *out, const uint32_t *s, size_t n)
{
	size_t		i, o;
	int		k;

	for (i = 0, o = 0; i < n; i++) {
		if ((k = u8_uctomb((uint8_t *)out + o, s[i], 4)) < 0)
			abort();
		o += (size_t)k;
	}
	return (o);
}
