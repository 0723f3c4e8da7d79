/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd's event loop: one thread, epoll, one monotonic timerfd armed at the earliest deadline
 * anyone asked for, signals through a signalfd. The clock is read once per wakeup
 * (mgmd_loop_now()) and every handler of that wakeup sees the same value.
 */
#ifndef MGMD_LOOP_H
#define MGMD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct mgmd_loop;

/* events: EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP as epoll reports them. */
typedef void (*mgmd_loop_fd_fn)(void *ctx, int fd, uint32_t events);
typedef void (*mgmd_loop_signal_fn)(void *ctx, int signo);
/* Called once per wakeup after every ready descriptor and signal was served: the owner pulls
 * its timers and returns its next deadline (milliseconds of the loop's clock, INT64_MAX when
 * none). */
typedef int64_t (*mgmd_loop_timer_fn)(void *ctx, int64_t now);

/* Returns 0, or a negative errno with the reason in err. */
int mgmd_loop_create(struct mgmd_loop **out, char *err, unsigned long errlen);
void mgmd_loop_destroy(struct mgmd_loop *l);

/* Watches fd (level-triggered) for events. 0 or a negative errno. */
int mgmd_loop_add(struct mgmd_loop *l, int fd, uint32_t events, mgmd_loop_fd_fn fn, void *ctx);
int mgmd_loop_mod(struct mgmd_loop *l, int fd, uint32_t events);
/* Stops watching fd; safe to call from a handler, for any fd (also the one being served). */
void mgmd_loop_del(struct mgmd_loop *l, int fd);

/* Blocks signo and delivers it through the loop. */
int mgmd_loop_signal(struct mgmd_loop *l, int signo, mgmd_loop_signal_fn fn, void *ctx);
/* The one timer owner (the daemon): fn runs every wakeup; see mgmd_loop_timer_fn. */
void mgmd_loop_set_timer(struct mgmd_loop *l, mgmd_loop_timer_fn fn, void *ctx);

/* CLOCK_MONOTONIC in milliseconds, as read at the start of this wakeup. */
int64_t mgmd_loop_now(const struct mgmd_loop *l);
/* Reads the clock now (for the start, before the first wakeup). */
int64_t mgmd_loop_clock(void);

/* Runs until mgmd_loop_stop(); 0, or a negative errno when epoll itself failed. */
int mgmd_loop_run(struct mgmd_loop *l);
void mgmd_loop_stop(struct mgmd_loop *l);

#endif
