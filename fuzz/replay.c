/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Runs files (or every file of directories) through a fuzz target without libFuzzer, so the
 * seed corpus doubles as a unit test in the ordinary and the sanitizer builds, and a crash
 * file found by `make fuzz` can be replayed under gcc and a debugger.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static bool expect_decoded;

/* Only a target built with expect_decoded defines fuzz_last_decoded (see meson.build). */
static bool last_decoded(void)
{
#ifdef FUZZ_EXPECT_DECODED
	return fuzz_last_decoded != 0;
#else
	return true;
#endif
}

static unsigned passed, failed;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size = -1;

	if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
		data = malloc(size ? (size_t)size : 1);
	if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		if (f)
			fclose(f);
		free(data);
		failed++;
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)size);
	free(data);
	if (expect_decoded && !last_decoded()) {
		fprintf(stderr, "replay: %s: a seed the code under test refused\n", path);
		failed++;
		return -1;
	}
	passed++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a directory in name order, so a run is the same everywhere. */
static void run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d) {
		fprintf(stderr, "replay: cannot open %s\n", dir);
		failed++;
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **grown = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

			if (!grown)
				abort();
			names = grown;
		}
		size_t l = strlen(dir) + strlen(e->d_name) + 2;

		names[n] = malloc(l);
		if (!names[n])
			abort();
		snprintf(names[n++], l, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		run_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	struct stat st;
	int i = 1;

	if (i < argc && strcmp(argv[i], "--expect-decoded") == 0) {
#ifndef FUZZ_EXPECT_DECODED
		fprintf(stderr, "replay: this target does not report what it decoded\n");
		return 2;
#endif
		expect_decoded = true;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [--expect-decoded] FILE|DIR...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			run_dir(argv[i]);
		else
			run_file(argv[i]);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed || passed == 0 ? 1 : 0;
}
