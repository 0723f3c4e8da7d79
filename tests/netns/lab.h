/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the netns test programs (mcjoin, routerlab) share: dying with a message, a hard time
 * limit and strict number arguments.
 */
#ifndef MGM_TESTS_NETNS_LAB_H
#define MGM_TESTS_NETNS_LAB_H

#include <stdint.h>

#include "mgm/addr.h"

/* Prints "PROGRAM: MESSAGE" on standard error and exits with status 1. */
__attribute__((format(printf, 1, 2), noreturn)) void die(const char *fmt, ...);

/* Ends the program with status 3 and a message after SECONDS, whatever it is doing. */
void lab_time_limit(unsigned int seconds);

/* A decimal number in [min, max]; dies naming the text otherwise. */
unsigned long lab_parse_num(const char *text, unsigned long min, unsigned long max);

#endif
