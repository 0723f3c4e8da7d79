/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Invariants that fail loudly: live in the test, sanitizer and fuzz builds (meson's
 * buildtype debug / debugoptimized), compiled out in release builds (NDEBUG, b_ndebug=if-release).
 * MGM_ASSERT(cond): cond must hold; not evaluated in release builds, so no side effects in it.
 * MGM_MUST(expr):   expr is evaluated in every build and must yield 0 (a call that an earlier
 *                   reservation guarantees to succeed), instead of discarding it with (void).
 */
#ifndef MGM_CORE_CHECK_H
#define MGM_CORE_CHECK_H

#include <assert.h>

#define MGM_ASSERT(cond) assert(cond)

#ifdef NDEBUG
#define MGM_MUST(expr) ((void)(expr))
#else
#define MGM_MUST(expr)                                                                             \
	do {                                                                                       \
		int mgm_must_rc_ = (expr);                                                         \
		assert(mgm_must_rc_ == 0 && #expr);                                                \
		(void)mgm_must_rc_;                                                                \
	} while (0)
#endif

#endif
