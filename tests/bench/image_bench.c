/*
 * image_bench: time and memory of image_process() on one file, as a Kore
 * task thread would run it (one call at a time, libvips at concurrency
 * 1).  Prints libvips's start-up time, then for each run the wall-clock
 * and CPU time (all threads), and at the end the process's peak RSS
 * before and after processing and libvips's peak of tracked pixel
 * memory, and the variants made.
 *
 *	make build/bench/image_bench
 *	build/bench/image_bench [-n runs] [-t type] [-o dir] FILE
 *
 * -t claims a Content-Type (default: the one the bytes are); -o writes
 * the variants of the last run into dir as <width>.<ext>, for checking
 * them with other tools.  Exit status 0 when the image was accepted, 1
 * when refused (the code is printed), 2 on a usage or I/O error.
 */

#include <sys/resource.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vips/vips.h>

#include "lib/image.h"
#include "lib/imagefmt.h"

static double	now(void);
static double	cpu(void);
static long	peak_kb(void);
static void	usage(void) __attribute__((noreturn));

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static double
cpu(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

static long
peak_kb(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_maxrss);
}

static void
usage(void)
{
	fprintf(stderr, "usage: image_bench [-n runs] [-t type] [-o dir] "
	    "FILE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct image_result	 res;
	struct imagefmt		 f;
	struct stat		 st;
	enum image_status	 status;
	const char		*type = NULL, *dir = NULL;
	unsigned char		*buf;
	char			 path[1024];
	double			 t0, c0, wall, total, best;
	long			 rss0;
	size_t			 i, len;
	FILE			*fp;
	int			 ch, n = 3, r;

	while ((ch = getopt(argc, argv, "n:o:t:")) != -1) {
		switch (ch) {
		case 'n':
			if ((n = atoi(optarg)) < 1)
				usage();
			break;
		case 'o':
			dir = optarg;
			break;
		case 't':
			type = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if ((fp = fopen(argv[optind], "rb")) == NULL ||
	    fstat(fileno(fp), &st) == -1) {
		perror(argv[optind]);
		return (2);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		return (2);
	len = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	imagefmt_scan(buf, len, &f);
	if (type == NULL && (type = imagefmt_mime(f.type)) == NULL)
		type = "application/octet-stream";

	t0 = now();
	if (image_init() != 0) {
		fprintf(stderr, "image_bench: libvips did not start\n");
		return (2);
	}
	printf("file %s: %zu bytes, claimed %s\n", argv[optind], len, type);
	printf("libvips start-up: %.1f ms\n", (now() - t0) * 1e3);
	rss0 = peak_kb();

	total = 0;
	best = 1e9;
	status = IMAGE_ERROR;
	for (r = 0; r < n; r++) {
		t0 = now();
		c0 = cpu();
		status = image_process(buf, len, type, NULL, &res);
		wall = now() - t0;
		printf("run %d: %s, %.0f ms wall, %.0f ms CPU\n", r + 1,
		    image_status_code(status), wall * 1e3, (cpu() - c0) * 1e3);
		total += wall;
		if (wall < best)
			best = wall;
		if (status != IMAGE_OK)
			break;
		if (r + 1 < n)
			image_result_free(&res);
	}
	printf("wall: best %.0f ms, mean %.0f ms over %d runs\n", best * 1e3,
	    total / (r < n ? r + 1 : n) * 1e3, r < n ? r + 1 : n);
	printf("peak RSS: %ld KiB after start-up, %ld KiB after processing "
	    "(+%ld KiB); libvips pixel memory peak %.1f MiB\n", rss0,
	    peak_kb(), peak_kb() - rss0,
	    vips_tracked_get_mem_highwater() / 1048576.0);
	if (status != IMAGE_OK) {
		free(buf);
		return (1);
	}
	printf("shown as %ux%u, %u frame(s), orientation %d\n", res.width,
	    res.height, res.frames, res.orientation);
	for (i = 0; i < res.nvariants; i++) {
		printf("  %-10s %5ux%-5u %3u frame(s) %9zu bytes\n",
		    res.variants[i].content_type, res.variants[i].width,
		    res.variants[i].height, res.variants[i].frames,
		    res.variants[i].len);
		if (dir == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%u.%s", dir,
		    res.variants[i].width, res.variants[i].ext);
		if ((fp = fopen(path, "wb")) == NULL ||
		    fwrite(res.variants[i].data, 1, res.variants[i].len,
		    fp) != res.variants[i].len || fclose(fp) != 0) {
			perror(path);
			return (2);
		}
	}
	image_result_free(&res);
	free(buf);
	return (0);
}
