/*
 * ufold.h: the Unicode folding that slugs and tags share.
 *
 * ufold() turns any bytes into code points compared without regard to
 * case or compatibility forms: invalid UTF-8 becomes U+FFFD, then NFKC
 * and full case folding (libunistring) are applied until the result no
 * longer changes, and the combining dot above that folding leaves after
 * 'i' (or after Turkish dotless 'ı') is folded into a plain 'i': U+0130
 * 'İ' folds to "i" + U+0307, so "İstanbul" and "istanbul" meet.  ufold_class() sorts a code point into the classes slugs and
 * tags care about; ufold_final_sigma() puts back the Greek final sigma
 * that folding removed (a function of the folded text, so equal foldings
 * stay equal).
 *
 * Pure code (libunistring, libc); thread-safe (no global state: the
 * language is passed in, never read from the locale).  ufold() returns
 * malloc'd memory the caller frees; out of memory aborts, like sbuf.
 */

#ifndef KBLOG_UFOLD_H
#define KBLOG_UFOLD_H

#include <stddef.h>
#include <stdint.h>

enum ufold_class {
	UFOLD_LETTER,		/* L*: letters, including Lm like U+30FC */
	UFOLD_DIGIT,		/* N*: digits and other numbers */
	UFOLD_MARK,		/* M*: combining marks */
	UFOLD_SPACE,		/* Zs, Zl, Zp, tab, LF, VT, FF, CR */
	UFOLD_IGNORE,		/* Default_Ignorable_Code_Point: ZWJ, ZWNJ,
				 * soft hyphen, variation selectors, bidi
				 * controls, Hangul fillers... */
	UFOLD_OTHER		/* everything else: punctuation, symbols,
				 * emoji, controls, unassigned, U+FFFD */
};

/*
 * Folds len bytes of s (any bytes).  lang: an ISO 639 code or BCP 47
 * tag whose primary subtag picks language-specific folding (tr, az: I
 * to dotless ı, İ to i; lt), or NULL for the language-independent
 * folding.  Returns *n code points (not NUL-terminated; at least one
 * element is allocated).
 */
uint32_t	*ufold(const char *s, size_t len, const char *lang, size_t *n);
/* The same on n code points (none of them 0 or a surrogate). */
uint32_t	*ufold_u32(const uint32_t *, size_t n, const char *lang,
		    size_t *outn);

enum ufold_class ufold_class(uint32_t);

/*
 * Rewrites U+03C3 σ as U+03C2 ς where it ends a word: after a letter
 * (marks skipped) and not before a letter or mark (ignorables skipped).
 */
void		 ufold_final_sigma(uint32_t *, size_t);

/* Appends the UTF-8 of n code points to out (4 * n bytes of room);
 * returns the number of bytes written. */
size_t		 ufold_utf8(char *out, const uint32_t *, size_t n);

#endif
