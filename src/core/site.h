/*
 * site.h: this site's settings.
 *
 * The parent fills kb_cfg from the environment (lib/config.c) and builds
 * the Content-Security-Policy before any worker is forked (kblog.c);
 * workers inherit both and never change them.  Every layer above lib/
 * reads them from here.
 */

#ifndef KBLOG_CORE_SITE_H
#define KBLOG_CORE_SITE_H

#include "lib/config.h"


extern struct config	kb_cfg;
extern char		*kb_csp;

/*
 * A digest of the settings that pages and feeds show (the site's name,
 * description, logo, public URL): part of the feeds' ETags, so that a
 * new name is a new version.
 */
unsigned int	site_digest(void);

#endif
