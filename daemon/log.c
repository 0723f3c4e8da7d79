/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd's log (log.h): one formatted line per message, written whole with one write() on stderr
 * or handed to syslog; control characters in the text (a peer's bytes can reach it) are shown
 * as '?', so that no message can forge a line of its own.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* A longer message is cut, ending in "...". */
#define LINE_MAX_LEN 1024

static struct {
	bool syslog;
	bool timestamps;
	int max_level;
} log_state = {false, false, LOG_NOTICE};

void mgmd_log_open(bool foreground, int verbosity)
{
	mgmd_log_close();
	log_state.max_level = verbosity <= 0 ? LOG_NOTICE : verbosity == 1 ? LOG_INFO : LOG_DEBUG;
	if (foreground) {
		log_state.timestamps = isatty(STDERR_FILENO) == 1;
		/* Reads the time zone now, not at the first line (localtime_r() may not). */
		tzset();
		return;
	}
	/* LOG_NDELAY: connect now, before the sandbox and the privilege drop. */
	openlog("mgmd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_state.syslog = true;
}

void mgmd_log_close(void)
{
	if (log_state.syslog)
		closelog();
	log_state.syslog = false;
	log_state.timestamps = false;
}

bool mgmd_log_enabled(int level)
{
	return level <= log_state.max_level;
}

static const char *level_name(int level)
{
	switch (level) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* The text into buf[0..len), cut with "..." when longer, control characters as '?'. */
static size_t format_text(char *buf, size_t len, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, len, fmt, ap);
	size_t used;

	if (n < 0) {
		used = (size_t)snprintf(buf, len, "(unprintable message: %s)", fmt);
		if (used >= len)
			used = len - 1;
	} else if ((size_t)n >= len) {
		used = len - 1;
		memcpy(buf + used - 3, "...", 3);
	} else {
		used = (size_t)n;
	}
	/* A trailing newline in the format is the line's own end, not a second line. */
	while (used > 0 && buf[used - 1] == '\n')
		buf[--used] = '\0';
	for (size_t i = 0; i < used; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x20 || c == 0x7f)
			buf[i] = '?';
	}
	return used;
}

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* nowhere else to report it */
		p += w;
		n -= (size_t)w;
	}
}

static void emit(int level, const char *text)
{
	char line[LINE_MAX_LEN + 64];
	size_t used = 0;
	int n;

	if (log_state.syslog) {
		syslog(level, "%s", text);
		return;
	}
	if (log_state.timestamps) {
		struct timespec ts;
		struct tm tm;

		if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && localtime_r(&ts.tv_sec, &tm))
			used = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
		if (used > 0)
			used += (size_t)snprintf(line + used, sizeof(line) - used, ".%03ld ",
						 ts.tv_nsec / 1000000);
	}
	n = snprintf(line + used, sizeof(line) - used, "mgmd: %s: %s\n", level_name(level), text);
	if (n < 0)
		return;
	used += (size_t)n < sizeof(line) - used ? (size_t)n : sizeof(line) - used - 1;
	write_all(line, used);
}

static void vlog(int level, const char *fmt, va_list ap)
{
	char text[LINE_MAX_LEN];

	format_text(text, sizeof(text), fmt, ap);
	emit(level, text);
}

void mgmd_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (!mgmd_log_enabled(level))
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void mgmd_log_rl(struct mgmd_ratelimit *rl, int64_t now, int level, const char *fmt, ...)
{
	va_list ap;

	if (!mgmd_log_enabled(level))
		return;
	/* count == 0: nothing logged yet, the first message opens the first window. */
	if (rl->count == 0 || now - rl->window_start >= (int64_t)rl->interval_ms) {
		rl->window_start = now;
		rl->count = 0;
	}
	if (rl->count >= rl->burst) {
		rl->suppressed++;
		return;
	}
	rl->count++;
	if (rl->suppressed > 0) {
		mgmd_log(level, "%u similar message%s suppressed", rl->suppressed,
			 rl->suppressed == 1 ? "" : "s");
		rl->suppressed = 0;
	}
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}
