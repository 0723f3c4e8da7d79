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

void lab_multicast_mac(const struct mgm_addr *dst, uint8_t mac[6])
{
	memset(mac, 0, 6);
	if (dst->family == MGM_INET) {
		/* RFC 1112 §6.4: 01:00:5e and the low 23 bits of the group. */
		mac[0] = 0x01;
		mac[2] = 0x5e;
		mac[3] = dst->octets[1] & 0x7f;
		mac[4] = dst->octets[2];
		mac[5] = dst->octets[3];
	} else {
		/* RFC 2464 §7: 33:33 and the low 32 bits of the group. */
		mac[0] = 0x33;
		mac[1] = 0x33;
		memcpy(&mac[2], &dst->octets[12], 4);
	}
}
