/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What every libmgm engine (router, host, proxy) shares: injected allocation, log levels,
 * simulated time and the filter modes of RFC 3376 §3 / RFC 3810 §4.2. The engines never read a
 * clock: time is the caller's monotonic milliseconds.
 *
 * ABI policy: the API and ABI are unstable until 1.0. Configurations, callbacks, counters and
 * status are plain structs passed by pointer, and enums (drop reasons, errors) grow; any 0.MINOR
 * release may change their size or layout. The soname says so: it carries the minor number
 * before 1.0 (libmgm.so.0.1 for 0.1.x), so a program runs only against the libmgm it was built
 * for; patch releases (0.1.x) keep the ABI. Build against the headers of the libmgm you run, and
 * always fill a config with its *_defaults() function before changing fields. From 1.0 the
 * soname is libmgm.so.1 and a struct only grows at its end within a major version.
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
 * Protocol versions: IGMPv1, v2, v3 (RFC 1112, 2236, 3376) and MLDv1, v2 (RFC 2710, 3810), each
 * family counting from 1. One rule for every array indexed by version, public and private:
 * version v sits at [v - 1], and the array has MGM_VERSIONS slots (MLD leaves the last one
 * unused), or MGM_OLDER_VERSIONS for what only an older version than the newest has.
 */
#define MGM_VERSIONS	   3
#define MGM_OLDER_VERSIONS (MGM_VERSIONS - 1)

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
