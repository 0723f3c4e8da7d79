/* SPDX-License-Identifier: BSD-2-Clause */
/* Kernel forwarding for one family: mgmd's (S,G) entries and the kernel's cache (fwd.h). */
#include "fwd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>

#include "loop.h"

/* Idle entries are looked for this often at most (and at least every idle_s / 2). */
#define SWEEP_MS 5000

struct route {
	struct route *next; /* in its group's bucket */
	struct mgmd_route_info ri;
	uint64_t packets; /* the kernel's count at the last sweep */
};

struct mgmd_fwd {
	uint8_t family;
	struct mgmd_mroute *mr;
	struct mgmd_loop *loop;
	struct mgmd_fwd_ops ops;
	struct route **buckets;
	uint32_t nbuckets, count, max_routes, idle_s;
	int64_t next_sweep;
	struct mgmd_fwd_stats st;
};

static void say(struct mgmd_fwd *f, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct mgmd_fwd *f, int level, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	if (!f->ops.log)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	f->ops.log(f->ops.ctx, level, text);
}

/* FNV-1a over the group's octets: entries are found by group, (S,G) within the chain. */
static uint32_t hash_group(const struct mgm_addr *g)
{
	uint32_t h = 2166136261u;
	size_t i, n = mgm_addr_len(g->family);

	for (i = 0; i < n; i++)
		h = (h ^ g->octets[i]) * 16777619u;
	return h;
}

static struct route **bucket(struct mgmd_fwd *f, const struct mgm_addr *g)
{
	return &f->buckets[hash_group(g) & (f->nbuckets - 1)];
}

static struct route *find(struct mgmd_fwd *f, const struct mgm_addr *s, const struct mgm_addr *g)
{
	struct route *r;

	for (r = *bucket(f, g); r; r = r->next)
		if (mgm_addr_eq(&r->ri.group, g) && mgm_addr_eq(&r->ri.source, s))
			return r;
	return NULL;
}

/* Asks the caller for the output set and writes the entry to the kernel, unless the kernel
 * has it as it is already (force: write it anyway, the kernel lost it). false: the caller does
 * not want it cached (the route is then removed by the caller of this). */
static bool install(struct mgmd_fwd *f, struct route *r, bool force)
{
	struct mgmd_mfc e;
	int vif, rc;

	memset(&e, 0, sizeof(e));
	e.source = r->ri.source;
	e.group = r->ri.group;
	vif = mgmd_mroute_vif_of(f->mr, r->ri.input_ifindex);
	if (vif < 0)
		return false;
	e.input_vif = (uint16_t)vif;
	if (!f->ops.outputs(f->ops.ctx, f->family, r->ri.input_ifindex, &e))
		return false;
	e.ttl[vif] = 0; /* never back out of the input */
	if (!force && r->ri.created != 0 && memcmp(e.ttl, r->ri.ttl, sizeof(e.ttl)) == 0)
		return true;
	rc = mgmd_mroute_mfc_add(f->mr, &e);
	if (rc < 0) {
		char s[MGM_ADDRSTRLEN], g[MGM_ADDRSTRLEN];

		f->st.kernel_errors++;
		say(f, LOG_WARNING, "(%s, %s): the kernel refused the forwarding entry: %s",
		    mgm_addr_str(&e.source, s), mgm_addr_str(&e.group, g), strerror(-rc));
		return false;
	}
	memcpy(r->ri.ttl, e.ttl, sizeof(e.ttl));
	return true;
}

static void unlink_route(struct mgmd_fwd *f, struct route *r, bool tell_kernel)
{
	struct route **pp;

	for (pp = bucket(f, &r->ri.group); *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	if (tell_kernel)
		(void)mgmd_mroute_mfc_del(f->mr, &r->ri.source, &r->ri.group);
	f->count--;
	f->st.routes_removed++;
	free(r);
}

static void upcall_nocache(struct mgmd_fwd *f, const struct mgmd_upcall *up)
{
	int64_t now = mgmd_loop_now(f->loop);
	struct route *r;

	r = find(f, &up->source, &up->group);
	if (r) {
		/* The kernel lost it (or it came in meanwhile): write it again. */
		r->ri.input_ifindex = up->ifindex;
		if (!install(f, r, true))
			unlink_route(f, r, true);
		return;
	}
	if (f->count >= f->max_routes) {
		f->st.routes_refused++;
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		f->st.routes_refused++;
		return;
	}
	r->ri.source = up->source;
	r->ri.group = up->group;
	r->ri.input_ifindex = up->ifindex;
	r->ri.last_active = now;
	if (!install(f, r, false)) {
		free(r);
		return;
	}
	r->ri.created = now;
	r->next = *bucket(f, &up->group);
	*bucket(f, &up->group) = r;
	f->count++;
	f->st.routes_added++;
}

static void on_upcall(void *ctx, const struct mgmd_upcall *up)
{
	struct mgmd_fwd *f = ctx;

	if (up->ifindex == 0) {
		f->st.upcalls_unknown_vif++;
		return;
	}
	switch (up->kind) {
	case MGMD_UPCALL_NOCACHE:
		f->st.upcalls_nocache++;
		if (mgm_addr_is_unrouted_group(&up->group) || !mgm_addr_is_unicast(&up->source))
			return; /* never routed; the kernel drops its queue after its timeout */
		upcall_nocache(f, up);
		break;
	case MGMD_UPCALL_WRONGVIF:
	case MGMD_UPCALL_WRVIFWHOLE:
		f->st.upcalls_wrongvif++;
		break;
	default:
		f->st.upcalls_other++;
		break;
	}
}

static void on_readable(void *ctx, int fd, uint32_t events)
{
	struct mgmd_fwd *f = ctx;

	(void)fd;
	(void)events;
	(void)mgmd_mroute_read(f->mr); /* bounded: MGMD_MROUTE_READ_BUDGET per wakeup */
}

int mgmd_fwd_open(struct mgmd_fwd **out, uint8_t family, uint32_t table, uint32_t max_routes,
		  uint32_t idle_s, const struct mgmd_fwd_ops *ops, struct mgmd_loop *loop,
		  char *err, size_t errlen)
{
	struct mgmd_mroute_callbacks cb = {.upcall = on_upcall};
	struct mgmd_fwd *f;
	int rc;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	f->family = family;
	f->loop = loop;
	f->ops = *ops;
	f->nbuckets = 1024;
	f->buckets = calloc(f->nbuckets, sizeof(*f->buckets));
	if (!f->buckets) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	mgmd_fwd_set_limits(f, max_routes, idle_s);
	cb.ctx = f;
	rc = mgmd_mroute_open(&f->mr, family, table, &cb, err, errlen);
	if (rc < 0) {
		free(f->buckets);
		free(f);
		return rc;
	}
	(void)mgmd_mroute_set_assert(f->mr, true);
	rc = mgmd_loop_add(loop, mgmd_mroute_fd(f->mr), EPOLLIN, on_readable, f);
	if (rc < 0) {
		snprintf(err, errlen, "event loop: %s", strerror(-rc));
		mgmd_mroute_close(f->mr);
		free(f->buckets);
		free(f);
		return rc;
	}
	*out = f;
	return 0;
}

void mgmd_fwd_set_limits(struct mgmd_fwd *f, uint32_t max_routes, uint32_t idle_s)
{
	uint32_t want = 1024;

	f->max_routes = max_routes ? max_routes : 1;
	f->idle_s = idle_s ? idle_s : 1;
	/* Grow the bucket array towards the limit (never shrink: lowering refuses growth). */
	while (want < f->max_routes && want < (1u << 20))
		want <<= 1;
	if (want > f->nbuckets) {
		struct route **nb = calloc(want, sizeof(*nb));
		uint32_t i;

		if (nb) {
			for (i = 0; i < f->nbuckets; i++)
				while (f->buckets[i]) {
					struct route *r = f->buckets[i];

					f->buckets[i] = r->next;
					r->next = nb[hash_group(&r->ri.group) & (want - 1)];
					nb[hash_group(&r->ri.group) & (want - 1)] = r;
				}
			free(f->buckets);
			f->buckets = nb;
			f->nbuckets = want;
		}
	}
}

void mgmd_fwd_close(struct mgmd_fwd *f)
{
	uint32_t i;

	if (!f)
		return;
	mgmd_loop_del(f->loop, mgmd_mroute_fd(f->mr));
	/* MRT_DONE withdraws every entry and VIF of the table at once. */
	mgmd_mroute_close(f->mr);
	for (i = 0; i < f->nbuckets; i++)
		while (f->buckets[i]) {
			struct route *r = f->buckets[i];

			f->buckets[i] = r->next;
			free(r);
		}
	free(f->buckets);
	free(f);
}

struct mgmd_mroute *mgmd_fwd_mroute(struct mgmd_fwd *f)
{
	return f->mr;
}

static void update_chain(struct mgmd_fwd *f, uint32_t b, const struct mgm_addr *group)
{
	struct route *r = f->buckets[b], *next;

	for (; r; r = next) {
		next = r->next;
		if (group && !mgm_addr_eq(&r->ri.group, group))
			continue;
		if (!install(f, r, false))
			unlink_route(f, r, true);
	}
}

void mgmd_fwd_update_group(struct mgmd_fwd *f, const struct mgm_addr *group)
{
	update_chain(f, hash_group(group) & (f->nbuckets - 1), group);
}

void mgmd_fwd_update_all(struct mgmd_fwd *f)
{
	uint32_t i;

	for (i = 0; i < f->nbuckets; i++)
		update_chain(f, i, NULL);
}

void mgmd_fwd_drop_input(struct mgmd_fwd *f, int ifindex)
{
	uint32_t i;

	for (i = 0; i < f->nbuckets; i++) {
		struct route *r = f->buckets[i], *next;

		for (; r; r = next) {
			next = r->next;
			if (r->ri.input_ifindex == ifindex)
				unlink_route(f, r, true);
		}
	}
}

int64_t mgmd_fwd_timer(struct mgmd_fwd *f, int64_t now)
{
	int64_t idle_ms = (int64_t)f->idle_s * 1000, step;
	uint32_t i;

	if (f->next_sweep == 0)
		f->next_sweep = now + SWEEP_MS;
	if (now < f->next_sweep)
		return f->next_sweep;
	for (i = 0; i < f->nbuckets; i++) {
		struct route *r = f->buckets[i], *next;

		for (; r; r = next) {
			struct mgmd_sg_counters c;

			next = r->next;
			if (mgmd_mroute_mfc_counters(f->mr, &r->ri.source, &r->ri.group, &c) == 0 &&
			    c.packets != r->packets) {
				r->packets = c.packets;
				r->ri.last_active = now;
				continue;
			}
			if (now - r->ri.last_active >= idle_ms) {
				f->st.routes_idle_removed++;
				unlink_route(f, r, true);
			}
		}
	}
	step = idle_ms / 2 < SWEEP_MS ? (idle_ms / 2 > 0 ? idle_ms / 2 : 1) : SWEEP_MS;
	f->next_sweep = now + step;
	return f->next_sweep;
}

void mgmd_fwd_stats(const struct mgmd_fwd *f, struct mgmd_fwd_stats *st)
{
	*st = f->st;
}

uint32_t mgmd_fwd_count(const struct mgmd_fwd *f)
{
	return f->count;
}

int mgmd_fwd_foreach(struct mgmd_fwd *f, int (*fn)(void *ctx, const struct mgmd_route_info *ri),
		     void *ctx)
{
	uint32_t i;
	int rc;

	for (i = 0; i < f->nbuckets; i++) {
		struct route *r;

		for (r = f->buckets[i]; r; r = r->next) {
			rc = fn(ctx, &r->ri);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int mgmd_fwd_get(struct mgmd_fwd *f, const struct mgm_addr *source, const struct mgm_addr *group,
		 struct mgmd_route_info *ri)
{
	struct route *r = find(f, source, group);

	if (!r)
		return -ENOENT;
	*ri = r->ri;
	return 0;
}

bool mgmd_fwd_has_group(struct mgmd_fwd *f, const struct mgm_addr *group)
{
	struct route *r;

	for (r = *bucket(f, group); r; r = r->next)
		if (mgm_addr_eq(&r->ri.group, group))
			return true;
	return false;
}
