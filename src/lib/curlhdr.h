/*
 * curlhdr.h: libcurl header lists that may carry secrets (session tokens,
 * the ECS authorization token): built with copies that are wiped, and
 * wiped again before they are freed.  Pure code (libcurl only), shared by
 * s3.c and creds.c.
 */

#ifndef KBLOG_CURLHDR_H
#define KBLOG_CURLHDR_H

#include <curl/curl.h>

/* Append a header line (curl copies it).  0 or -1. */
int	curlhdr_line(struct curl_slist **, const char *);
/* Append "name: value", wiping the temporary copy.  0 or -1. */
int	curlhdr_add(struct curl_slist **, const char *, const char *);
/* Wipe every line, then free the list. */
void	curlhdr_free(struct curl_slist *);

#endif
