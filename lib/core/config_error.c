/* SPDX-License-Identifier: BSD-2-Clause */
#include "config_error.h"

#include <stdarg.h>
#include <stdio.h>

#include "mgm/err.h"

int mgm_config_error(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf && errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return MGM_E_CONFIG;
}
