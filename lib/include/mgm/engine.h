/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What every libmgm engine (router, host, proxy) shares: injected allocation, log levels,
 * simulated time and the filter modes of RFC 3376 §3 / RFC 3810 §4.2. The engines never read a
 * clock: time is the caller's monotonic milliseconds.
 */
#ifndef MGM_ENGINE_H
#define MGM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "Never": the deadline of an engine that wants no timer call. */
#define MGM_TIME_NEVER INT64_MAX

/*
 * Allocator hooks. alloc returns NULL to refuse (the engine then answers MGM_E_NOMEM and stays
 * consistent); free receives the size that was asked for. A NULL struct or both functions NULL
 * mean malloc and free; only one of the two is refused (MGM_E_INVAL).
 */
struct mgm_allocator {
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr, size_t size);
	void *ctx;
};

enum mgm_log_level {
	MGM_LOG_ERR = 3,
	MGM_LOG_WARN = 4,
	MGM_LOG_INFO = 6,
	MGM_LOG_DEBUG = 7,
};

/* Filter mode of an interface or of a router's group record, RFC 3376 §3.2 and §6.2. */
enum mgm_filter_mode {
	MGM_INCLUDE = 1,
	MGM_EXCLUDE = 2,
};

#ifdef __cplusplus
}
#endif
#endif
