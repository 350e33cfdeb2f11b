/*
 * statics.h: the stylesheet and the script compiled into the module.
 */

#ifndef KBLOG_WEB_STATICS_H
#define KBLOG_WEB_STATICS_H

#include <stddef.h>
#include <stdint.h>

struct static_asset {
	const char	*name;		/* "style.css" */
	const char	*ctype;
	const uint8_t	*data;
	const uint32_t	*len;
	const char	**etag;		/* quoted SHA-256 (kodev) */
	char		 path[64];	/* /static/style.<fp>.css */
};

/* The fingerprinted address of an asset, e.g. for <link href>. */
const char		*static_path(const char *name);
/*
 * The asset a file name under /static/ names, "style.css" or
 * "style.<fp>.css", and whether the fingerprint is the current one.
 */
struct static_asset	*static_find(const char *file, int *current);

#endif
