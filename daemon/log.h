/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd's log: lines on stderr in the foreground, syslog (facility daemon) otherwise, filtered by
 * level. Messages a peer can cause go through a rate limiter, so that a hostile link cannot
 * flood the log: what was held back is reported as a count with the next message let through.
 */
#ifndef MGMD_LOG_H
#define MGMD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

/*
 * Levels are syslog's: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG. Verbosity 0 logs
 * up to LOG_NOTICE, 1 adds LOG_INFO, 2 and more add LOG_DEBUG. In the foreground a line is
 * "mgmd: LEVEL: text", preceded by the local time when stderr is a terminal (a journal or a
 * file adds its own). Before mgmd_log_open() the log is the foreground one at verbosity 0.
 * Thread-unsafe; no allocation after mgmd_log_open().
 */
void mgmd_log_open(bool foreground, int verbosity);
void mgmd_log_close(void);
void mgmd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool mgmd_log_enabled(int level);

/*
 * A fixed window per call site (or per key): at most burst (at least 1) messages every
 * interval_ms, the window opening with the first message after the last one ended; the rest
 * are counted in suppressed. window_start and count belong to the limiter.
 */
struct mgmd_ratelimit {
	int64_t window_start;
	unsigned burst, interval_ms, count, suppressed;
};

#define MGMD_RATELIMIT_INIT(b, ms)                                                                 \
	{                                                                                          \
		.window_start = 0, .burst = (b), .interval_ms = (ms), .count = 0, .suppressed = 0, \
	}

/*
 * Logs when rl allows it. When a window in which messages were suppressed has ended, the next
 * message let through is preceded by "N similar messages suppressed" at its level. now is the
 * loop's clock in milliseconds. A message below the verbosity counts for nothing.
 */
void mgmd_log_rl(struct mgmd_ratelimit *rl, int64_t now, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* mgmd_log_rl() with a limiter of its own at the call site. */
#define MGMD_LOG_RL(burst, interval_ms, now, level, ...)                                           \
	do {                                                                                       \
		static struct mgmd_ratelimit mgmd_rl_ = MGMD_RATELIMIT_INIT(burst, interval_ms);   \
		mgmd_log_rl(&mgmd_rl_, (now), (level), __VA_ARGS__);                               \
	} while (0)

#endif
