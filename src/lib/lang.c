/*
 * lang.c: language tags, text search configurations, a cautious
 * language guess.  See lang.h.  Static tables only; no state.
 */

#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "ufold.h"

#define LANG_GUESS_BYTES	4096
#define LANG_GUESS_MIN		3	/* frequent words to be sure */
#define LANG_SCRIPT_MIN		20	/* letters to trust a script */
#define LANG_SHARE		27720	/* lcm(1..12): a word's weight */

struct lang_map {
	const char	*codes;		/* space-separated, lower case */
	const char	*iso1;		/* what lang_guess() answers */
	const char	*config;
};

/* PostgreSQL 15's configurations (Debian 12), by ISO 639 code. */
static const struct lang_map lang_maps[] = {
	{ "ar ara arb",		"ar", "arabic" },
	{ "hy hye arm",		"hy", "armenian" },
	{ "eu eus baq",		"eu", "basque" },
	{ "ca cat",		"ca", "catalan" },
	{ "da dan",		"da", "danish" },
	{ "nl nld dut",		"nl", "dutch" },
	{ "en eng",		"en", "english" },
	{ "fi fin",		"fi", "finnish" },
	{ "fr fra fre",		"fr", "french" },
	{ "de deu ger",		"de", "german" },
	{ "el ell gre",		"el", "greek" },
	{ "hi hin",		"hi", "hindi" },
	{ "hu hun",		"hu", "hungarian" },
	{ "id ind in",		"id", "indonesian" },
	{ "ga gle",		"ga", "irish" },
	{ "it ita",		"it", "italian" },
	{ "lt lit",		"lt", "lithuanian" },
	{ "ne nep npi",		"ne", "nepali" },
	{ "no nor nb nob nn nno", "no", "norwegian" },
	{ "pt por",		"pt", "portuguese" },
	{ "ro ron rum mo mol",	"ro", "romanian" },
	{ "ru rus",		"ru", "russian" },
	{ "sr srp",		"sr", "serbian" },
	{ "es spa",		"es", "spanish" },
	{ "sv swe",		"sv", "swedish" },
	{ "ta tam",		"ta", "tamil" },
	{ "tr tur",		"tr", "turkish" },
	{ "yi yid ji",		"yi", "yiddish" },
};

/*
 * Frequent short words, case-folded: a text is of a language when many
 * more of its words are in that language's list than in any other's.
 * Words shared by close languages count for each of them, so closeness
 * (Danish and Norwegian, Spanish and Catalan) leaves the guess open.
 */
static const struct {
	const char	*iso1;
	const char	*words;
} lang_words[] = {
	{ "en", " the and of to is in that it with for was this are you "
	    "not be they have from which " },
	{ "de", " der die und das ist nicht mit ein eine den von zu sich "
	    "auch auf ich sind dem des wird " },
	{ "fr", " le la les et des est une un du dans pour que qui pas "
	    "sur avec ils sont au ce de en " },
	{ "es", " el los las y es una del que por para con como pero más "
	    "se muy están son al lo de en " },
	{ "it", " il gli della che è non una per con sono del anche "
	    "questo di alla essi nel ed le " },
	{ "pt", " o os não uma que do da em para com são mais mas também "
	    "é dos pelo ao as de " },
	{ "nl", " de het een en van is dat niet op met voor zijn ook maar "
	    "er zij worden te " },
	{ "sv", " och att det som är en på inte med för har jag den till "
	    "av de bör i " },
	{ "da", " og at det er en til på ikke med som har jeg af den for "
	    "de skal " },
	{ "no", " og det er som på ikke med til har jeg av en for ikkje "
	    "å de skal " },
	{ "fi", " ja on ei se että oli hän mutta kun tai ovat myös tämä "
	    "niin heidän " },
	{ "hu", " a az és hogy nem is egy meg van de csak ez már mint "
	    "kell " },
	{ "ro", " și în de la nu cu este sunt pe care o un mai pentru că "
	    "se " },
	{ "tr", " ve bir bu da de için ile çok ama gibi daha olan değil "
	    "ne karşı " },
	{ "id", " yang dan di ini itu dengan untuk tidak dari dalam akan "
	    "pada juga ada " },
	{ "ga", " agus an na is ar le go bhí sé ní atá seo sin í i " },
	{ "lt", " ir kad yra bet su tai ne jis buvo kaip už iš į prie " },
	{ "ca", " el la els les i que per amb és una del no però més com "
	    "són de en " },
	{ "eu", " eta da ez bat ere du zen baina dira hau hori dute izan " },
	{ "hi", " है के में की और का से हैं नहीं यह था " },
	{ "ne", " छ मा र हो पनि गर्न यो छन् भएको लागि " },
};

static int	lang_alpha(int);
static int	lang_digit(int);
static int	lang_word(const char *, const char *, size_t);
static const char *lang_words_guess(const uint32_t *, size_t);

static int
lang_alpha(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static int
lang_digit(int c)
{
	return (c >= '0' && c <= '9');
}

/* 1 when the n bytes at w are one of the space-separated words. */
static int
lang_word(const char *list, const char *w, size_t n)
{
	const char	*p;

	for (p = list; (p = strstr(p, w)) != NULL; p++) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return (1);
	}
	return (0);
}

const char *
lang_tsconfig(const char *tag)
{
	char		 primary[4];
	size_t		 i, n;

	if (tag == NULL)
		return ("simple");
	for (n = 0; n < 3 && lang_alpha(tag[n]); n++)
		primary[n] = (char)(tag[n] | 0x20);
	primary[n] = '\0';
	if (n < 2 || (tag[n] != '\0' && tag[n] != '-' && tag[n] != '_'))
		return ("simple");
	for (i = 0; i < sizeof(lang_maps) / sizeof(lang_maps[0]); i++) {
		if (lang_word(lang_maps[i].codes, primary, n))
			return (lang_maps[i].config);
	}
	return ("simple");
}

int
lang_normalize(const char *in, char out[LANG_TAG_SIZE])
{
	size_t		i, start, n, k, len;
	int		alpha, digit;

	out[0] = '\0';
	if ((len = strlen(in)) == 0 || len >= LANG_TAG_SIZE)
		return (-1);
	for (i = 0, k = 0; i <= len; i++) {
		start = i;
		alpha = digit = 0;
		for (; i < len && in[i] != '-' && in[i] != '_'; i++) {
			if (lang_alpha(in[i]))
				alpha++;
			else if (lang_digit(in[i]))
				digit++;
			else
				return (-1);
		}
		n = i - start;
		if (n == 0 || n > 8)
			return (-1);
		if (k == 0 && (n < 2 || n > 3 || digit))
			return (-1);
		for (; start < i; start++, k++) {
			out[k] = in[start];
			if (lang_alpha(out[k]))
				out[k] |= 0x20;
		}
		/* Script: Title case; region: upper case (not first). */
		if (k > n && n == 4 && alpha == 4)
			out[k - 4] = (char)(out[k - 4] & ~0x20);
		else if (k > n && n == 2 && alpha == 2) {
			out[k - 2] = (char)(out[k - 2] & ~0x20);
			out[k - 1] = (char)(out[k - 1] & ~0x20);
		}
		out[k++] = i < len ? '-' : '\0';
	}
	return (0);
}

/*
 * The guess from frequent words, over case-folded text.  A word found
 * in m lists counts 1/m for each of them (LANG_SHARE / m), so words
 * shared by many languages ("de", "i") weigh little and the distinctive
 * ones decide.
 */
static const char *
lang_words_guess(const uint32_t *s, size_t n)
{
	enum {	NLANG = sizeof(lang_words) / sizeof(lang_words[0]) };
	size_t		 i, j, k, m, hits[NLANG], score[NLANG], best, second;
	size_t		 wl;
	char		 w[64];
	int		 in[NLANG];
	enum ufold_class cl;

	memset(hits, 0, sizeof(hits));
	memset(score, 0, sizeof(score));
	for (i = 0; i < n; ) {
		for (; i < n && ufold_class(s[i]) != UFOLD_LETTER; i++)
			;
		/* A word: letters and their marks; longer than 15 code
		 * points, it is no frequent short word. */
		for (j = i; j < n; j++) {
			cl = ufold_class(s[j]);
			if (cl != UFOLD_LETTER && cl != UFOLD_MARK)
				break;
		}
		if (j - i > 0 && j - i <= 15) {
			wl = ufold_utf8(w + 1, s + i, j - i);
			w[0] = ' ';
			w[wl + 1] = ' ';
			w[wl + 2] = '\0';
			for (k = 0, m = 0; k < NLANG; k++) {
				in[k] = strstr(lang_words[k].words, w) != NULL;
				m += (size_t)in[k];
			}
			for (k = 0; m > 0 && k < NLANG; k++) {
				if (in[k]) {
					hits[k]++;
					score[k] += LANG_SHARE / m;
				}
			}
		}
		i = j;
	}
	best = second = NLANG;
	for (k = 0; k < NLANG; k++) {
		if (best == NLANG || score[k] > score[best]) {
			second = best;
			best = k;
		} else if (second == NLANG || score[k] > score[second]) {
			second = k;
		}
	}
	if (hits[best] < LANG_GUESS_MIN || score[best] < 2 * score[second])
		return (NULL);
	return (lang_words[best].iso1);
}

const char *
lang_guess(const char *text, size_t len)
{
	enum {	S_LATIN, S_CYRILLIC, S_GREEK, S_ARMENIAN, S_ARABIC, S_HEBREW,
		S_DEVANAGARI, S_TAMIL, S_OTHER, S_N };
	uint32_t	*s, c;
	size_t		 n, i, count[S_N], letters;
	const char	*guess;
	int		 script, sr, srmk, mk, uk, ru, fa;

	if (len > LANG_GUESS_BYTES) {
		len = LANG_GUESS_BYTES;
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	s = ufold(text, len, NULL, &n);
	memset(count, 0, sizeof(count));
	sr = srmk = mk = uk = ru = fa = 0;
	for (i = 0, letters = 0; i < n; i++) {
		if (ufold_class((c = s[i])) != UFOLD_LETTER)
			continue;
		letters++;
		if (c < 0x250)
			count[S_LATIN]++;
		else if (c >= 0x370 && c <= 0x3ff)
			count[S_GREEK]++;
		else if (c >= 0x400 && c <= 0x52f)
			count[S_CYRILLIC]++;
		else if (c >= 0x530 && c <= 0x58f)
			count[S_ARMENIAN]++;
		else if (c >= 0x590 && c <= 0x5ff)
			count[S_HEBREW]++;
		else if ((c >= 0x600 && c <= 0x6ff) ||
		    (c >= 0x750 && c <= 0x77f))
			count[S_ARABIC]++;
		else if (c >= 0x900 && c <= 0x97f)
			count[S_DEVANAGARI]++;
		else if (c >= 0xb80 && c <= 0xbff)
			count[S_TAMIL]++;
		else
			count[S_OTHER]++;
		/* Letters only some languages of a script use. */
		if (c == 0x0452 || c == 0x045b)		/* ђ ћ */
			sr++;
		if (c == 0x0453 || c == 0x045c || c == 0x0455)	/* ѓ ќ ѕ */
			mk++;
		if (c == 0x0456 || c == 0x0457 || c == 0x0454 ||
		    c == 0x0491 || c == 0x045e)		/* і ї є ґ ў */
			uk++;
		if (c == 0x044b || c == 0x044d)		/* ы э */
			ru++;
		if (c == 0x067e || c == 0x0686 || c == 0x0698 ||
		    c == 0x06af || c == 0x06cc || c == 0x06a9 ||
		    c == 0x0679 || c == 0x06ba || c == 0x06be ||
		    c == 0x06d2)	/* Persian, Urdu, Pashto letters */
			fa++;
		if (c == 0x0458 || c == 0x0459 || c == 0x045a ||
		    c == 0x045f)	/* ј љ њ џ: Serbian or Macedonian */
			srmk++;
	}
	guess = NULL;
	script = S_OTHER;
	for (i = 0; i < S_N; i++) {
		if (letters >= LANG_SCRIPT_MIN && count[i] * 10 >= letters * 9)
			script = (int)i;
	}
	switch (script) {
	case S_GREEK:
		guess = "el";
		break;
	case S_ARMENIAN:
		guess = "hy";
		break;
	case S_TAMIL:
		guess = "ta";
		break;
	case S_ARABIC:
		guess = fa == 0 ? "ar" : NULL;
		break;
	case S_CYRILLIC:
		/* Macedonian writes ќ or ѓ in almost every sentence. */
		if (uk == 0 && mk == 0 && ru == 0 && (sr > 0 || srmk >= 2))
			guess = "sr";
		else if (uk == 0 && mk == 0 && sr == 0 && ru > 0)
			guess = "ru";
		break;
	case S_LATIN:
	case S_DEVANAGARI:
		guess = lang_words_guess(s, n);
		break;
	default:
		break;	/* Hebrew (Hebrew or Yiddish?), CJK, mixed... */
	}
	free(s);
	return (guess);
}
