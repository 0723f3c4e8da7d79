/* SPDX-License-Identifier: BSD-2-Clause */
/* mgmd's event loop: epoll, a timerfd at the earliest deadline, a signalfd (loop.h). */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS  64
#define MAX_SIGNALS 8

/* One watched descriptor. gen tells a slot reused within one batch of events from the
 * descriptor the event was for. */
struct slot {
	mgmd_loop_fd_fn fn;
	void *ctx;
	uint32_t gen;
	bool used;
};

struct sig {
	int signo;
	mgmd_loop_signal_fn fn;
	void *ctx;
};

struct mgmd_loop {
	int epfd, tfd, sfd;
	struct slot *slots; /* indexed by fd */
	int nslots;
	struct sig sigs[MAX_SIGNALS];
	int nsigs;
	sigset_t sigmask;
	mgmd_loop_timer_fn timer_fn;
	void *timer_ctx;
	int64_t now, armed;
	bool stop;
};

int64_t mgmd_loop_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t mgmd_loop_now(const struct mgmd_loop *l)
{
	return l->now;
}

/* The internal descriptors (timerfd, signalfd) carry this tag instead of a slot. */
#define TAG_TIMER  (1ULL << 63)
#define TAG_SIGNAL (1ULL << 62)

int mgmd_loop_create(struct mgmd_loop **out, char *err, unsigned long errlen)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct mgmd_loop *l;
	int e;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "event loop: out of memory");
		return -ENOMEM;
	}
	l->tfd = l->sfd = -1;
	l->armed = INT64_MAX;
	sigemptyset(&l->sigmask);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		goto fail;
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->tfd < 0)
		goto fail;
	ev.data.u64 = TAG_TIMER;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev) < 0)
		goto fail;
	l->now = mgmd_loop_clock();
	*out = l;
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "event loop: %s", strerror(e));
	mgmd_loop_destroy(l);
	return -e;
}

void mgmd_loop_destroy(struct mgmd_loop *l)
{
	if (!l)
		return;
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->sfd >= 0)
		close(l->sfd);
	if (l->nsigs)
		sigprocmask(SIG_UNBLOCK, &l->sigmask, NULL);
	free(l->slots);
	free(l);
}

int mgmd_loop_add(struct mgmd_loop *l, int fd, uint32_t events, mgmd_loop_fd_fn fn, void *ctx)
{
	struct epoll_event ev = {.events = events};
	struct slot *s;

	if (fd < 0 || !fn)
		return -EINVAL;
	if (fd >= l->nslots) {
		int n = l->nslots ? l->nslots : 64;

		while (n <= fd)
			n *= 2;
		s = realloc(l->slots, (size_t)n * sizeof(*s));
		if (!s)
			return -ENOMEM;
		memset(s + l->nslots, 0, (size_t)(n - l->nslots) * sizeof(*s));
		l->slots = s;
		l->nslots = n;
	}
	s = &l->slots[fd];
	if (s->used)
		return -EEXIST;
	s->gen++;
	ev.data.u64 = (uint64_t)(uint32_t)fd | (uint64_t)(s->gen & 0x3fffffffu) << 32;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	s->fn = fn;
	s->ctx = ctx;
	s->used = true;
	return 0;
}

int mgmd_loop_mod(struct mgmd_loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = {.events = events};

	if (fd < 0 || fd >= l->nslots || !l->slots[fd].used)
		return -ENOENT;
	ev.data.u64 = (uint64_t)(uint32_t)fd | (uint64_t)(l->slots[fd].gen & 0x3fffffffu) << 32;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void mgmd_loop_del(struct mgmd_loop *l, int fd)
{
	if (fd < 0 || fd >= l->nslots || !l->slots[fd].used)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->slots[fd].used = false;
	l->slots[fd].fn = NULL;
}

int mgmd_loop_signal(struct mgmd_loop *l, int signo, mgmd_loop_signal_fn fn, void *ctx)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_SIGNAL};
	int fd;

	if (l->nsigs == MAX_SIGNALS)
		return -ENOSPC;
	sigaddset(&l->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL) < 0)
		return -errno;
	fd = signalfd(l->sfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (l->sfd < 0) {
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		l->sfd = fd;
	}
	l->sigs[l->nsigs++] = (struct sig){signo, fn, ctx};
	return 0;
}

void mgmd_loop_set_timer(struct mgmd_loop *l, mgmd_loop_timer_fn fn, void *ctx)
{
	l->timer_fn = fn;
	l->timer_ctx = ctx;
}

void mgmd_loop_stop(struct mgmd_loop *l)
{
	l->stop = true;
}

static void signals(struct mgmd_loop *l)
{
	struct signalfd_siginfo si;
	int i;

	while (read(l->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		for (i = 0; i < l->nsigs; i++)
			if (l->sigs[i].signo == (int)si.ssi_signo && l->sigs[i].fn)
				l->sigs[i].fn(l->sigs[i].ctx, (int)si.ssi_signo);
}

/* Arms the timerfd at deadline (absolute, loop clock); INT64_MAX disarms it. */
static void arm(struct mgmd_loop *l, int64_t deadline)
{
	struct itimerspec its;

	if (deadline == l->armed)
		return;
	memset(&its, 0, sizeof(its));
	if (deadline != INT64_MAX) {
		if (deadline < 1)
			deadline = 1; /* 0 would disarm */
		its.it_value.tv_sec = deadline / 1000;
		its.it_value.tv_nsec = (long)(deadline % 1000) * 1000000;
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->armed = deadline;
}

int mgmd_loop_run(struct mgmd_loop *l)
{
	struct epoll_event evs[MAX_EVENTS];
	uint64_t expirations;
	int n, i;

	l->stop = false;
	l->now = mgmd_loop_clock();
	if (l->timer_fn)
		arm(l, l->timer_fn(l->timer_ctx, l->now));
	while (!l->stop) {
		n = epoll_wait(l->epfd, evs, MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		l->now = mgmd_loop_clock();
		for (i = 0; i < n && !l->stop; i++) {
			uint64_t tag = evs[i].data.u64;
			struct slot *s;
			int fd;

			if (tag == TAG_TIMER) {
				if (read(l->tfd, &expirations, sizeof(expirations)) > 0)
					l->armed = INT64_MAX;
				continue;
			}
			if (tag == TAG_SIGNAL) {
				signals(l);
				continue;
			}
			fd = (int)(uint32_t)tag;
			if (fd >= l->nslots)
				continue;
			s = &l->slots[fd];
			if (!s->used || (s->gen & 0x3fffffffu) != (uint32_t)(tag >> 32))
				continue; /* deleted (or reused) by an earlier handler of this batch
					   */
			s->fn(s->ctx, fd, evs[i].events);
		}
		if (l->timer_fn && !l->stop)
			arm(l, l->timer_fn(l->timer_ctx, l->now));
	}
	return 0;
}
