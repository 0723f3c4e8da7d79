/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers of the netns test programs mcjoin and routerlab; see lab.h. */
#include "lab.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = ": time limit reached\n";
	const char *name = program_invocation_short_name;
	ssize_t n;

	(void)sig;
	/* Only async-signal-safe calls here; a failed write changes nothing. */
	n = write(STDERR_FILENO, name, strlen(name));
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(3);
}

void lab_time_limit(unsigned int seconds)
{
	signal(SIGALRM, on_alarm);
	alarm(seconds);
}

unsigned long lab_parse_num(const char *text, unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		die("bad number: %s (%lu..%lu)", text, min, max);
	return v;
}
