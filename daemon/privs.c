/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd's privileges (privs.h) through libcap-ng. libcap-ng keeps one planned state per thread:
 * each function starts from the process's real one (capng_get_caps_process) and verifies the
 * result the same way, so what is reported is what the kernel holds.
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "privs.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "CAP_NET_RAW (raw sockets) and CAP_NET_ADMIN (multicast routing)" for what type lacks. */
static int missing(capng_type_t type, bool need_admin, char *buf, size_t len)
{
	bool raw = !capng_have_capability(type, CAP_NET_RAW);
	bool admin = need_admin && !capng_have_capability(type, CAP_NET_ADMIN);

	snprintf(buf, len, "%s%s%s", raw ? "CAP_NET_RAW (raw sockets)" : "",
		 raw && admin ? " and " : "", admin ? "CAP_NET_ADMIN (multicast routing)" : "");
	return raw + admin;
}

int mgmd_privs_check(bool need_admin, char *err, size_t errlen)
{
	char what[96];
	int n;

	if (capng_get_caps_process() != 0)
		return fail(err, errlen, "cannot read mgmd's capabilities: %s", strerror(errno));
	n = missing(CAPNG_EFFECTIVE, need_admin, what, sizeof(what));
	if (n == 0)
		return 0;
	return fail(err, errlen,
		    "mgmd needs %s: run it as root or grant %s, e.g. AmbientCapabilities= in the "
		    "unit",
		    what, n == 1 ? "it" : "them");
}

/* What capng_change_id()'s negative results mean (capng_change_id(3)). */
static const char *change_id_step(int rc)
{
	switch (rc) {
	case -2:
		return "asking to keep capabilities across the user switch";
	case -3:
		return "taking the capabilities the switch needs";
	case -4:
		return "changing the group id";
	case -5:
		return "dropping the supplementary groups";
	case -6:
		return "changing the user id";
	case -7:
		return "ending the keeping of capabilities";
	case -8:
		return "clearing the capability bounding set";
	case -9:
		return "dropping the switch's own capabilities";
	default:
		return "preparing the switch";
	}
}

/* After the drop: exactly the two in the effective and permitted sets (and in the bounding set
 * when mgmd could shrink it), nothing inheritable or ambient. */
static int verify(bool bounding, char *err, size_t errlen)
{
	if (capng_get_caps_process() != 0)
		return fail(err, errlen, "cannot read mgmd's capabilities after the drop: %s",
			    strerror(errno));
	for (unsigned int c = 0; c <= CAP_LAST_CAP; c++) {
		bool want = c == CAP_NET_ADMIN || c == CAP_NET_RAW;
		const char *name = capng_capability_to_name(c);
		char upper[32];
		size_t i;

		if (capng_have_capability(CAPNG_EFFECTIVE, c) == want &&
		    capng_have_capability(CAPNG_PERMITTED, c) == want &&
		    (!bounding || capng_have_capability(CAPNG_BOUNDING_SET, c) == want) &&
		    !capng_have_capability(CAPNG_INHERITABLE, c) &&
		    !capng_have_capability(CAPNG_AMBIENT, c))
			continue;
		for (i = 0; name && name[i] && i + 1 < sizeof(upper); i++)
			upper[i] = (char)toupper((unsigned char)name[i]);
		upper[i] = '\0';
		return fail(err, errlen,
			    "dropping privileges left CAP_%s %s (the kernel refused part of the "
			    "change)",
			    i ? upper : "?", want ? "missing" : "in place");
	}
	return 0;
}

int mgmd_privs_drop(const char *user, char *err, size_t errlen)
{
	struct passwd *pw = NULL;
	bool bounding;
	char what[96];
	int n, rc;

	if (user) {
		errno = 0;
		pw = getpwnam(user);
		if (!pw)
			return fail(err, errlen, "cannot switch to user %s: %s", user,
				    errno ? strerror(errno) : "no such user");
	}
	if (capng_get_caps_process() != 0)
		return fail(err, errlen, "cannot read mgmd's capabilities: %s", strerror(errno));
	n = missing(CAPNG_PERMITTED, true, what, sizeof(what));
	if (n > 0)
		return fail(err, errlen, "cannot keep %s: mgmd does not hold %s", what,
			    n == 1 ? "it" : "them");
	if (pw && (!capng_have_capability(CAPNG_PERMITTED, CAP_SETUID) ||
		   !capng_have_capability(CAPNG_PERMITTED, CAP_SETGID)))
		return fail(err, errlen,
			    "cannot switch to user %s: mgmd lacks CAP_SETUID and CAP_SETGID "
			    "(under systemd: add them to CapabilityBoundingSet=)",
			    user);
	/* Without CAP_SETPCAP the bounding set cannot shrink; whoever started mgmd without it
	 * (systemd's CapabilityBoundingSet=) has chosen that set. */
	bounding = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);

	capng_clear(CAPNG_SELECT_ALL);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
			  CAP_NET_ADMIN, CAP_NET_RAW, -1) != 0)
		return fail(err, errlen, "cannot plan the capability set: %s", strerror(errno));
	/* The bounding set first, while CAP_SETPCAP is still effective (capng_change_id's own
	 * CAPNG_CLEAR_BOUNDING would empty it rather than leave the two). */
	errno = 0;
	if (bounding && capng_apply(CAPNG_SELECT_BOUNDS) != 0)
		return fail(err, errlen, "cannot reduce the capability bounding set: %s",
			    errno ? strerror(errno) : "the kernel refused the change");
	if (pw) {
		errno = 0;
		rc = capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
				     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_AMBIENT);
		if (rc != 0)
			return fail(err, errlen, "cannot switch to user %s: %s failed%s%s", user,
				    change_id_step(rc), errno ? ": " : "",
				    errno ? strerror(errno) : "");
	} else {
		errno = 0;
		if (capng_apply((capng_select_t)(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT)) != 0)
			return fail(err, errlen, "cannot drop capabilities: %s",
				    errno ? strerror(errno) : "the kernel refused the change");
	}
	return verify(bounding, err, errlen);
}
