/* SPDX-License-Identifier: BSD-2-Clause */
/* What the engines' configuration checks share: a refusal in words. */
#ifndef MGM_CORE_CONFIG_ERROR_H
#define MGM_CORE_CONFIG_ERROR_H

#include <stddef.h>

/* Writes the sentence into errbuf (when given) and returns MGM_E_CONFIG. */
int mgm_config_error(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
