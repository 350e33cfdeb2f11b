/*
 * Unit tests for src/lib/lang.c: BCP 47 and ISO 639 codes to the text
 * search configurations that Debian 12's PostgreSQL 15 ships (the list
 * below is `\dF` in a real cluster; test_lib_pg.py checks it against a
 * running one), canonical case of tags, and the language guess on real
 * text: article 1 of the Universal Declaration of Human Rights in the
 * official translations.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/lang.h"

/* `\dF` in PostgreSQL 15.18 (Debian 15.18-0+deb12u1). */
static const char *const pg15[] = {
	"arabic", "armenian", "basque", "catalan", "danish", "dutch",
	"english", "finnish", "french", "german", "greek", "hindi",
	"hungarian", "indonesian", "irish", "italian", "lithuanian",
	"nepali", "norwegian", "portuguese", "romanian", "russian",
	"serbian", "simple", "spanish", "swedish", "tamil", "turkish",
	"yiddish",
};

static const struct {
	const char	*tag;
	const char	*config;
} maps[] = {
	{ "en", "english" }, { "EN-gb", "english" }, { "en-US", "english" },
	{ "eng", "english" }, { "pt-BR", "portuguese" },
	{ "sr-Latn", "serbian" }, { "sr-Cyrl-RS", "serbian" },
	{ "nb", "norwegian" }, { "nn-NO", "norwegian" }, { "no", "norwegian" },
	{ "fr_CA", "french" }, { "fra", "french" }, { "fre", "french" },
	{ "de", "german" }, { "deu", "german" }, { "ger", "german" },
	{ "de-CH-1901", "german" }, { "es-419", "spanish" },
	{ "ar", "arabic" }, { "ar-EG", "arabic" }, { "arb", "arabic" },
	{ "hy", "armenian" }, { "eu", "basque" }, { "ca", "catalan" },
	{ "da", "danish" }, { "nl", "dutch" }, { "nl-BE", "dutch" },
	{ "fi", "finnish" }, { "el", "greek" }, { "hi", "hindi" },
	{ "hu", "hungarian" }, { "id", "indonesian" }, { "in", "indonesian" },
	{ "ga", "irish" }, { "it", "italian" }, { "lt", "lithuanian" },
	{ "ne", "nepali" }, { "ro", "romanian" }, { "mo", "romanian" },
	{ "ru", "russian" }, { "sv", "swedish" }, { "ta", "tamil" },
	{ "tr", "turkish" }, { "yi", "yiddish" }, { "ji", "yiddish" },
	/* no configuration: simple */
	{ "zh-Hans", "simple" }, { "ja", "simple" }, { "ko", "simple" },
	{ "uk", "simple" }, { "be", "simple" }, { "bg", "simple" },
	{ "fa", "simple" }, { "he", "simple" }, { "iw", "simple" },
	{ "pl", "simple" }, { "cs", "simple" }, { "vi", "simple" },
	{ "", "simple" }, { "e", "simple" }, { "engl", "simple" },
	{ "english", "simple" }, { "en!", "simple" }, { "x-klingon", "simple" },
	{ "i-klingon", "simple" }, { "12", "simple" }, { " en", "simple" },
};

static void
test_tsconfig(void **state)
{
	const char	*c;
	size_t		 i, k;

	(void)state;
	assert_string_equal(lang_tsconfig(NULL), "simple");
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		c = lang_tsconfig(maps[i].tag);
		if (strcmp(c, maps[i].config) != 0)
			fail_msg("%s: %s, expected %s", maps[i].tag, c,
			    maps[i].config);
		for (k = 0; k < sizeof(pg15) / sizeof(pg15[0]); k++) {
			if (!strcmp(c, pg15[k]))
				break;
		}
		assert_true(k < sizeof(pg15) / sizeof(pg15[0]));
	}
}

static void
test_normalize(void **state)
{
	static const char *const ok[][2] = {
		{ "en", "en" }, { "EN-gb", "en-GB" }, { "sr_latn", "sr-Latn" },
		{ "zh-hant-tw", "zh-Hant-TW" }, { "es-419", "es-419" },
		{ "de-ch-1901", "de-CH-1901" }, { "FIL", "fil" },
		{ "sl-rozaj-biske", "sl-rozaj-biske" },
		{ "en-US-x-twain", "en-US-x-twain" },
	};
	static const char *const bad[] = {
		"", "e", "english", "en-", "-en", "en--gb", "en-abcdefghi",
		"1en", "en gb", "en.gb", "é", "en-GB-oxendict-0123456789ab",
		"abcdefghi-abcdefghi-abcdefghi-abcde",
	};
	char	out[LANG_TAG_SIZE];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (lang_normalize(ok[i][0], out) != 0)
			fail_msg("refused: %s", ok[i][0]);
		assert_string_equal(out, ok[i][1]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (lang_normalize(bad[i], out) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
}

static const struct {
	const char	*text;
	const char	*lang;		/* NULL: not sure */
} udhr[] = {
	{ "All human beings are born free and equal in dignity and rights. "
	    "They are endowed with reason and conscience and should act "
	    "towards one another in a spirit of brotherhood.", "en" },
	{ "Alle Menschen sind frei und gleich an Würde und Rechten geboren. "
	    "Sie sind mit Vernunft und Gewissen begabt und sollen einander "
	    "im Geist der Brüderlichkeit begegnen.", "de" },
	{ "Tous les êtres humains naissent libres et égaux en dignité et en "
	    "droits. Ils sont doués de raison et de conscience et doivent "
	    "agir les uns envers les autres dans un esprit de fraternité.",
	    "fr" },
	{ "Todos los seres humanos nacen libres e iguales en dignidad y "
	    "derechos y, dotados como están de razón y conciencia, deben "
	    "comportarse fraternalmente los unos con los otros.", "es" },
	{ "Tutti gli esseri umani nascono liberi ed eguali in dignità e "
	    "diritti. Essi sono dotati di ragione e di coscienza e devono "
	    "agire gli uni verso gli altri in spirito di fratellanza.",
	    "it" },
	{ "Todos os seres humanos nascem livres e iguais em dignidade e em "
	    "direitos. Dotados de razão e de consciência, devem agir uns "
	    "para com os outros em espírito de fraternidade.", "pt" },
	{ "Alle mensen worden vrij en gelijk in waardigheid en rechten "
	    "geboren. Zij zijn begiftigd met verstand en geweten, en behoren "
	    "zich jegens elkander in een geest van broederschap te "
	    "gedragen.", "nl" },
	{ "Alla människor är födda fria och lika i värde och rättigheter. "
	    "De har utrustats med förnuft och samvete och bör handla "
	    "gentemot varandra i en anda av broderskap.", "sv" },
	{ "Kaikki ihmiset syntyvät vapaina ja tasavertaisina arvoltaan ja "
	    "oikeuksiltaan. Heille on annettu järki ja omatunto, ja heidän "
	    "on toimittava toisiaan kohtaan veljeyden hengessä.", "fi" },
	{ "Minden emberi lény szabadon születik és egyenlő méltósága és "
	    "joga van. Az emberi lények, ésszel és lelkiismerettel bírván, "
	    "egymással szemben testvéri szellemben kell hogy viseltessenek.",
	    "hu" },
	{ "Toate ființele umane se nasc libere \xc8\x99i egale în demnitate "
	    "\xc8\x99i în drepturi. Ele sunt înzestrate cu rațiune "
	    "\xc8\x99i con\xc8\x99tiin\xc8\x9b\xc4\x83 \xc8\x99i trebuie "
	    "să se comporte unele față de altele în spiritul "
	    "fraternității.", "ro" },
	{ "Bütün insanlar hür, haysiyet ve haklar bakımından eşit "
	    "doğarlar. Akıl ve vicdana sahiptirler ve birbirlerine karşı "
	    "kardeşlik zihniyeti ile hareket etmelidirler.", "tr" },
	{ "Semua orang dilahirkan merdeka dan mempunyai martabat dan "
	    "hak-hak yang sama. Mereka dikaruniai akal dan hati nurani dan "
	    "hendaknya bergaul satu sama lain dalam semangat "
	    "persaudaraan.", "id" },
	{ "Saolaítear gach duine den chine daonna saor agus comhionann i "
	    "ndínit agus i gcearta. Tá bua an réasúin agus an choinsiasa acu "
	    "agus ba cheart dóibh gníomhú i dtreo a chéile i spiorad an "
	    "bhráithreachais.", "ga" },
	{ "Visi žmonės gimsta laisvi ir lygūs savo orumu ir teisėmis. "
	    "Jiems suteiktas protas ir sąžinė ir jie turi elgtis vienas kito "
	    "atžvilgiu kaip broliai.", "lt" },
	{ "Tots els éssers humans neixen lliures i iguals en dignitat i en "
	    "drets. Són dotats de raó i de consciència, i han de "
	    "comportar-se fraternalment els uns amb els altres.", "ca" },
	{ "Gizon-emakume guztiak aske jaiotzen dira, duintasun eta "
	    "eskubide berberak dituztela; eta ezaguera eta kontzientzia "
	    "dutenez gero, elkarren artean senide legez jokatu beharra "
	    "dute.", "eu" },
	{ "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात "
	    "स्वतन्त्रता और समानता प्राप्त है। उन्हें बुद्धि और अन्तरात्मा की "
	    "देन प्राप्त है और परस्पर उन्हें भाईचारे के भाव से बर्ताव करना "
	    "चाहिये।", "hi" },
	{ "सबै व्यक्तिहरू जन्मजात स्वतन्त्र हुन् ती सबैको समान अधिकार र महत्व "
	    "छ। निजहरूमा विचार शक्ति र सद्विचार भएकोले निजहरूले आपसमा "
	    "भ्रातृत्वको भावनाबाट व्यवहार गर्नु पर्छ।", "ne" },
	{ "Все люди рождаются свободными и равными в своем достоинстве и "
	    "правах. Они наделены разумом и совестью и должны поступать в "
	    "отношении друг друга в духе братства.", "ru" },
	{ "Сва људска бића рађају се слободна и једнака у достојанству и "
	    "правима. Она су обдарена разумом и свешћу и треба једни према "
	    "другима да поступају у духу братства.", "sr" },
	{ "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην "
	    "αξιοπρέπεια και τα δικαιώματα. Είναι προικισμένοι με λογική "
	    "και συνείδηση, και οφείλουν να συμπεριφέρονται μεταξύ τους με "
	    "πνεύμα αδελφοσύνης.", "el" },
	{ "Բոլոր մարդիկ ծնվում են ազատ ու հավասար իրենց "
	    "արժանապատվությամբ ու իրավունքներով:", "hy" },
	{ "மனிதப் பிறவியினர் சகலரும் சுதந்திரமாகவே பிறக்கின்றனர்; அவர்கள் "
	    "மதிப்பிலும், உரிமைகளிலும் சமமானவர்கள்.", "ta" },
	{ "يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق. وقد وهبوا "
	    "عقلاً وضميرًا وعليهم أن يعامل بعضهم بعضًا بروح الإخاء.", "ar" },
	/* not sure, or no stemmer: NULL (then 'simple') */
	{ "Alle mennesker er født frie og lige i værdighed og rettigheder. "
	    "De er udstyret med fornuft og samvittighed, og de bør handle "
	    "mod hverandre i en broderskabets ånd.", NULL },	/* da/no */
	{ "Всі люди народжуються вільними і рівними у своїй гідності та "
	    "правах.", NULL },					/* uk */
	{ "Сите човечки суштества се раѓаат слободни и еднакви по "
	    "достоинство и права.", NULL },			/* mk */
	{ "تمام افراد بشر آزاد به دنیا می‌آیند و از لحاظ حیثیت و حقوق با "
	    "هم برابرند.", NULL },				/* fa */
	{ "כל בני האדם נולדו בני חורין ושווים בערכם ובזכויותיהם.",
	    NULL },						/* he */
	{ "人人生而自由，在尊严和权利上一律平等。", NULL },
	{ "すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利と"
	    "について平等である。", NULL },
	{ "Wszyscy ludzie rodzą się wolni i równi pod względem swej "
	    "godności i swych praw.", NULL },			/* pl */
	{ "Hello world", NULL },
	{ "", NULL },
	{ "\xff\xfe\xfd", NULL },
};

static void
test_guess(void **state)
{
	const char	*g;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(udhr) / sizeof(udhr[0]); i++) {
		g = lang_guess(udhr[i].text, strlen(udhr[i].text));
		if (udhr[i].lang == NULL && g != NULL)
			fail_msg("guessed %s for: %s", g, udhr[i].text);
		if (udhr[i].lang != NULL && (g == NULL ||
		    strcmp(g, udhr[i].lang) != 0))
			fail_msg("guessed %s, not %s, for: %s",
			    g ? g : "nothing", udhr[i].lang, udhr[i].text);
		/* A guess always has a stemming configuration. */
		if (g != NULL)
			assert_string_not_equal(lang_tsconfig(g), "simple");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsconfig),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_guess),
	};

	return (cmocka_run_group_tests_name("lang", tests, NULL, NULL));
}
