/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * privtool: mgmd's privilege module (daemon/privs.c) in a test namespace. Checks the
 * capabilities, drops them (to user USER with -u), then reports what the kernel holds and what
 * still works, one "key value" line each: ids, the capability sets from /proc/self/status, a
 * raw IGMP and a raw ICMPv6 socket, MRT_INIT / MRT6_INIT and an MTU change (CAP_NET_ADMIN), a
 * setuid() that needs a capability given up. Usage: privtool [-u USER]
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/mroute.h>
#include <linux/mroute6.h>

#include "privs.h"

static const char *result(int rc)
{
	static char buf[64];

	if (rc == 0)
		return "ok";
	snprintf(buf, sizeof(buf), "%s", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	return buf;
}

/* A raw socket of the family, then the routing API's init and done on it. */
static void raw_and_mrt(const char *name, int family, int proto, int level, int init, int done)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, proto);
	int one = 1;

	printf("raw%s %s\n", name, result(fd < 0 ? -1 : 0));
	if (fd < 0)
		return;
	if (setsockopt(fd, level, init, &one, sizeof(one)) == 0) {
		printf("mrt%s ok\n", name);
		setsockopt(fd, level, done, NULL, 0);
	} else {
		printf("mrt%s %s\n", name, result(-1));
	}
	close(fd);
}

/* SIOCSIFMTU on lo, to the MTU it has: refused without CAP_NET_ADMIN, a no-op with it (works
 * on kernels without multicast routing too). */
static void net_admin(void)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;

	if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		rc = ioctl(fd, SIOCSIFMTU, &ifr);
	printf("setmtu %s\n", result(rc));
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	const char *user = NULL;
	char err[512], line[256];
	FILE *f;
	int opt;

	while ((opt = getopt(argc, argv, "u:")) != -1) {
		if (opt != 'u') {
			fprintf(stderr, "usage: privtool [-u USER]\n");
			return 2;
		}
		user = optarg;
	}
	if (mgmd_privs_check(true, err, sizeof(err)) != 0) {
		fprintf(stderr, "privtool: %s\n", err);
		return 1;
	}
	if (mgmd_privs_drop(user, err, sizeof(err)) != 0) {
		fprintf(stderr, "privtool: %s\n", err);
		return 1;
	}
	f = fopen("/proc/self/status", "r");
	if (!f) {
		perror("privtool: /proc/self/status");
		return 1;
	}
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "Uid:", 4) == 0 ||
		    strncmp(line, "Gid:", 4) == 0 || strncmp(line, "Groups:", 7) == 0)
			fputs(line, stdout);
	fclose(f);
	raw_and_mrt("4", AF_INET, IPPROTO_IGMP, IPPROTO_IP, MRT_INIT, MRT_DONE);
	raw_and_mrt("6", AF_INET6, IPPROTO_ICMPV6, IPPROTO_IPV6, MRT6_INIT, MRT6_DONE);
	net_admin();
	/* Either id change needs CAP_SETUID, which is gone. */
	printf("setuid %s\n", result(setuid(getuid() == 0 ? 65534 : 0)));
	return 0;
}
