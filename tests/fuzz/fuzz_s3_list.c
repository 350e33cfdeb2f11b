/*
 * libFuzzer target for the ListObjectsV2 parser in s3.c (the sweeper
 * reads the listing's XML, which is untrusted input).
 *
 *  - any bytes must parse or be refused without a crash, leak or read
 *    past the input (the input is copied to a buffer of its exact size);
 *  - a refused page leaves the result empty;
 *  - an accepted page has at most S3_LIST_MAX_KEYS entries, each with a
 *    key of 1..S3_MAX_KEY bytes, and a truncated page has a token of
 *    printable ASCII of 1..S3_LIST_MAX_TOKEN bytes.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -D_GNU_SOURCE -o build/fuzz/fuzz_s3_list \
 *	    tests/fuzz/fuzz_s3_list.c src/lib/s3.c src/lib/sigv4.c src/lib/sbuf.c \
 *	    src/lib/curlhdr.c -lcurl -lcrypto
 *	build/fuzz/fuzz_s3_list -max_total_time=30 build/fuzz/corpus-s3
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/s3.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3_list	 l;
	char		*buf;
	size_t		 i, len;

	if ((buf = malloc(size ? size : 1)) == NULL)
		return (0);
	memcpy(buf, data, size);
	if (s3_list_parse(buf, size, &l) == -1) {
		if (l.n != 0 || l.entries != NULL || l.next_token != NULL ||
		    l.truncated != 0)
			abort();
		free(buf);
		return (0);
	}
	if (l.n > S3_LIST_MAX_KEYS || (l.n > 0 && l.entries == NULL))
		abort();
	for (i = 0; i < l.n; i++) {
		if (l.entries[i].key == NULL)
			abort();
		len = strlen(l.entries[i].key);
		if (len == 0 || len > S3_MAX_KEY)
			abort();
	}
	if (l.truncated) {
		if (l.next_token == NULL)
			abort();
		len = strlen(l.next_token);
		if (len == 0 || len > S3_LIST_MAX_TOKEN)
			abort();
		for (i = 0; i < len; i++) {
			if (l.next_token[i] <= 0x20 || l.next_token[i] >= 0x7f)
				abort();
		}
	}
	s3_list_free(&l);
	free(buf);
	return (0);
}
