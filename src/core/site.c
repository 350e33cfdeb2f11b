/*
 * site.c: the one instance of the settings (see site.h).
 */

#include "core/site.h"

struct config	kb_cfg;
char		*kb_csp;

static unsigned int	site_fnv(unsigned int, const char *);

/* FNV-1a over the strings, each with its NUL. */
static unsigned int
site_fnv(unsigned int h, const char *s)
{
	if (s == NULL)
		s = "";
	do {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	} while (*s++ != '\0');
	return (h);
}

unsigned int
site_digest(void)
{
	static unsigned int	d;

	if (d == 0) {
		d = site_fnv(2166136261u, kb_cfg.site_name);
		d = site_fnv(d, kb_cfg.site_description);
		d = site_fnv(d, kb_cfg.site_logo);
		d = site_fnv(d, kb_cfg.public_url);
		d |= 1;
	}
	return (d);
}
