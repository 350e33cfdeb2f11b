/*
 * curlhdr.c: secret-safe libcurl header lists.  See curlhdr.h.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curlhdr.h"

int
curlhdr_line(struct curl_slist **list, const char *line)
{
	struct curl_slist	*n;

	if ((n = curl_slist_append(*list, line)) == NULL)
		return (-1);
	*list = n;
	return (0);
}

int
curlhdr_add(struct curl_slist **list, const char *name, const char *value)
{
	char	*line;
	int	 ret;

	if (asprintf(&line, "%s: %s", name, value) == -1)
		return (-1);
	ret = curlhdr_line(list, line);
	explicit_bzero(line, strlen(line));
	free(line);
	return (ret);
}

void
curlhdr_free(struct curl_slist *list)
{
	struct curl_slist	*p;

	for (p = list; p != NULL; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(list);
}
