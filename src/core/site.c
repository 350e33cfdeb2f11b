/*
 * site.c: the one instance of the settings (see site.h).
 */

#include "core/site.h"

struct config	kb_cfg;
char		*kb_csp;
