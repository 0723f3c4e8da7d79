/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mrtool: drives mgmd's kernel multicast routing module (daemon/mroute.c) in a test namespace.
 * Opens the routing socket of one family, makes VIFs of the named interfaces, waits for the
 * kernel's no-cache upcall, installs an MFC entry for that (S,G) towards the given outputs,
 * reports its counters, deletes it, and leaves the kernel clean (MRT_DONE). One JSON line per
 * event on standard output; errors on standard error. Bounded in time by -t.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lab.h"
#include "mroute.h"

#define MAX_IFS 64

struct tool {
	struct mgmd_mroute *m;
	uint8_t family;
	bool have_upcall;
	struct mgmd_upcall first; /* the first no-cache upcall */
	unsigned long upcalls, others;
};

static const char *kind_name(uint8_t kind)
{
	switch (kind) {
	case MGMD_UPCALL_NOCACHE:
		return "nocache";
	case MGMD_UPCALL_WRONGVIF:
		return "wrongvif";
	case MGMD_UPCALL_WHOLEPKT:
		return "wholepkt";
	case MGMD_UPCALL_WRVIFWHOLE:
		return "wrvifwhole";
	default:
		return "unknown";
	}
}

static void on_upcall(void *ctx, const struct mgmd_upcall *up)
{
	struct tool *t = ctx;
	char s[MGM_ADDRSTRLEN], g[MGM_ADDRSTRLEN], name[IF_NAMESIZE] = "";

	t->upcalls++;
	if (up->ifindex > 0 && if_indextoname((unsigned)up->ifindex, name) == NULL)
		name[0] = '\0';
	printf("{\"event\":\"upcall\",\"kind\":\"%s\",\"family\":%u,\"vif\":%u,\"ifindex\":%d,"
	       "\"ifname\":\"%s\",\"source\":\"%s\",\"group\":\"%s\"}\n",
	       kind_name(up->kind), up->family, up->vif, up->ifindex, name,
	       mgm_addr_str(&up->source, s), mgm_addr_str(&up->group, g));
	fflush(stdout);
	if (!t->have_upcall && up->kind == MGMD_UPCALL_NOCACHE) {
		t->first = *up;
		t->have_upcall = true;
	}
}

static void on_packet(void *ctx, const uint8_t *buf, size_t len, const struct msghdr *msg)
{
	struct tool *t = ctx;

	t->others++;
}

static long long now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime: %s", strerror(errno));
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the socket until deadline (monotonic ms), or until stop says so. */
static void serve(struct tool *t, long long deadline, bool (*stop)(const struct tool *))
{
	struct pollfd p = {.fd = mgmd_mroute_fd(t->m), .events = POLLIN};
	long long left;

	while ((left = deadline - now_ms()) > 0) {
		if (stop != NULL && stop(t))
			return;
		if (poll(&p, 1, (int)(left < 100 ? left : 100)) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (mgmd_mroute_read(t->m) < 0)
			die("%s", mgmd_mroute_error(t->m));
	}
}

static bool got_upcall(const struct tool *t)
{
	return t->have_upcall;
}

static void print_counters(struct tool *t, const char *event)
{
	struct mgmd_sg_counters c;
	int r = mgmd_mroute_mfc_counters(t->m, &t->first.source, &t->first.group, &c);

	if (r < 0)
		die("%s", mgmd_mroute_error(t->m));
	printf("{\"event\":\"%s\",\"packets\":%llu,\"bytes\":%llu,\"wrong_if\":%llu}\n", event,
	       (unsigned long long)c.packets, (unsigned long long)c.bytes,
	       (unsigned long long)c.wrong_if);
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mrtool -4|-6 [-T TABLE] [-t SECONDS] -i IF [-i IF...] [-o IF...]\n"
		"              [--hold-ms MS] [--after-ms MS] [--open-only]\n"
		"  -i IF         make IF a VIF (in this order: VIF 0, 1, ...)\n"
		"  -o IF         an output of the MFC entry installed for the first no-cache upcall\n"
		"  --hold-ms MS  keep the entry MS ms, counters every 500 ms (default 3000)\n"
		"  --after-ms MS after deleting it, go on reading MS ms (default 1000)\n"
		"  --open-only   no upcall, no entry: hold the table --hold-ms ms, then close\n"
		"  -t SECONDS    time to wait for the upcall (default 10)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"hold-ms", required_argument, NULL, 'H'},
		{"after-ms", required_argument, NULL, 'A'},
		{"open-only", no_argument, NULL, 'O'},
		{NULL, 0, NULL, 0},
	};
	struct tool t = {0};
	const char *ins[MAX_IFS], *outs[MAX_IFS];
	size_t n_in = 0, n_out = 0, i;
	unsigned long table = 0, wait_s = 10, hold_ms = 3000, after_ms = 1000;
	bool open_only = false;
	char err[512];
	int c, r;

	while ((c = getopt_long(argc, argv, "46T:t:i:o:", longopts, NULL)) != -1) {
		switch (c) {
		case '4':
			t.family = MGM_INET;
			break;
		case '6':
			t.family = MGM_INET6;
			break;
		case 'T':
			table = lab_parse_num(optarg, 0, 0xffffffffUL);
			break;
		case 't':
			wait_s = lab_parse_num(optarg, 1, 600);
			break;
		case 'i':
			if (n_in == MAX_IFS)
				die("too many -i");
			ins[n_in++] = optarg;
			break;
		case 'o':
			if (n_out == MAX_IFS)
				die("too many -o");
			outs[n_out++] = optarg;
			break;
		case 'H':
			hold_ms = lab_parse_num(optarg, 0, 600000);
			break;
		case 'A':
			after_ms = lab_parse_num(optarg, 0, 600000);
			break;
		case 'O':
			open_only = true;
			break;
		default:
			usage();
		}
	}
	if (t.family == 0 || optind != argc)
		usage();
	/* A backstop only: the steps below end well before it, through MRT_DONE. */
	lab_time_limit((unsigned)(wait_s + (hold_ms + after_ms) / 1000 + 10));

	struct mgmd_mroute_callbacks cb = {.ctx = &t, .upcall = on_upcall, .packet = on_packet};
	r = mgmd_mroute_open(&t.m, t.family, (uint32_t)table, &cb, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "mrtool: %s\n", err);
		return 1;
	}
	for (i = 0; i < n_in; i++) {
		unsigned idx = if_nametoindex(ins[i]);

		if (idx == 0) {
			fprintf(stderr, "mrtool: no interface %s\n", ins[i]);
			mgmd_mroute_close(t.m);
			return 1;
		}
		r = mgmd_mroute_vif_add(t.m, (int)idx);
		if (r < 0) {
			fprintf(stderr, "mrtool: %s%s\n", mgmd_mroute_error(t.m),
				mgmd_mroute_vif_full(t.m) ? " (VIF limit reached)" : "");
			mgmd_mroute_close(t.m);
			return 1;
		}
	}
	printf("{\"event\":\"ready\",\"family\":%u,\"table\":%lu,\"vifs\":%u}\n", t.family, table,
	       mgmd_mroute_vif_count(t.m));
	fflush(stdout);

	if (open_only) {
		serve(&t, now_ms() + (long long)hold_ms, NULL);
		goto done;
	}
	serve(&t, now_ms() + (long long)wait_s * 1000, got_upcall);
	if (!t.have_upcall) {
		fprintf(stderr, "mrtool: no no-cache upcall within %lu s\n", wait_s);
		mgmd_mroute_close(t.m);
		return 2;
	}

	struct mgmd_mfc e = {
		.source = t.first.source, .group = t.first.group, .input_vif = t.first.vif};
	for (i = 0; i < n_out; i++) {
		int vif = mgmd_mroute_vif_of(t.m, (int)if_nametoindex(outs[i]));

		if (vif < 0)
			die("-o %s is not one of the -i interfaces", outs[i]);
		e.ttl[vif] = 1;
	}
	if (mgmd_mroute_mfc_add(t.m, &e) < 0)
		die("%s", mgmd_mroute_error(t.m));
	printf("{\"event\":\"installed\",\"input_vif\":%u,\"outputs\":%zu}\n", e.input_vif, n_out);
	fflush(stdout);
	for (long long end = now_ms() + (long long)hold_ms; now_ms() < end;) {
		long long step = now_ms() + 500;

		serve(&t, step < end ? step : end, NULL);
		print_counters(&t, "counters");
	}
	print_counters(&t, "counters");
	if (mgmd_mroute_mfc_del(t.m, &t.first.source, &t.first.group) < 0)
		die("%s", mgmd_mroute_error(t.m));
	/* Deleted means gone: the counters call must now find no entry. */
	struct mgmd_sg_counters gone;
	r = mgmd_mroute_mfc_counters(t.m, &t.first.source, &t.first.group, &gone);
	printf("{\"event\":\"deleted\",\"counters_after\":\"%s\"}\n", r == -ENOENT ? "enoent"
								      : r == 0	   ? "present"
										   : "error");
	fflush(stdout);
	serve(&t, now_ms() + (long long)after_ms, NULL);
done:
	printf("{\"event\":\"done\",\"upcalls\":%lu,\"other_packets\":%lu,\"bad_upcalls\":%llu}\n",
	       t.upcalls, t.others, (unsigned long long)mgmd_mroute_bad_upcalls(t.m));
	fflush(stdout);
	mgmd_mroute_close(t.m);
	return 0;
}
