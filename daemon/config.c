/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd.conf(5): a small line-oriented grammar (a keyword, its values, the end of the line;
 * interface stanzas in braces) read by a lexer and a recursive-descent parser, so that every
 * error names the file, the line and what was expected. The RFC variables are checked by the
 * engine's own mgm_router_config_check(); names, ranges and access lists are checked here.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define FILE_MAX (1u << 20) /* a configuration file larger than this is refused */
#define WORD_MAX 256
#define MSGS_MAX 100 /* errors (and warnings) kept per load */
/* Both kernels refuse multicast routing table ids from 10^8 on (but for 253, the default). */
#define TABLE_MAX	 99999999u
#define MAX_ROUTES_MAX	 (1u << 24)
#define ROUTE_IDLE_MAX_S 86400u

/* ---- Messages ------------------------------------------------------------------------------ */

struct msg {
	unsigned line, seq;
	char *text; /* "path:line: ..." */
};

struct msgs {
	struct msg *v;
	size_t n, cap;
	size_t dropped;
};

/* ---- Lexer ---------------------------------------------------------------------------------- */

enum tok_kind { T_EOF, T_NL, T_WORD, T_LBRACE, T_RBRACE };

struct token {
	uint8_t kind; /* enum tok_kind */
	bool quoted;
	unsigned line;
	char text[WORD_MAX];
};

/* ---- Interface options ---------------------------------------------------------------------- */

enum iopt {
	IO_ROLE,
	IO_IPV4,
	IO_IPV6,
	IO_IGMP_VERSION,
	IO_MLD_VERSION,
	IO_ROBUSTNESS,
	IO_QUERY_INTERVAL,
	IO_QUERY_RESPONSE_INTERVAL,
	IO_STARTUP_QUERY_INTERVAL,
	IO_STARTUP_QUERY_COUNT,
	IO_LAST_MEMBER_QUERY_INTERVAL,
	IO_LAST_MEMBER_QUERY_COUNT,
	IO_FAST_LEAVE,
	IO_CHECK_SUBNET,
	IO_IP_POLICY,
	IO_MTU,
	IO_MAX_GROUPS,
	IO_MAX_SOURCES_PER_GROUP,
	IO_MAX_SOURCES,
	IO_MAX_TRACKED,
	IO_ACL_DEFAULT,
	IO_JOIN,
	IO_ALLOW,
	IO_DENY,
	IO_GROUPS,
	IO_KEEP_JOINED,
	IO_LEAVE_HOLDDOWN,
	IO_UNSOLICITED,
	IO_GENERAL_ANSWER,
	IO__COUNT
};

enum vkind {
	V_ROLE,
	V_FAMILY,  /* ipv4 / ipv6 on|off */
	V_VERSION, /* of one family */
	V_COUNT,   /* uint8_t 1..255 in both families' configuration */
	V_U32,	   /* uint32_t in both */
	V_TIME,	   /* uint32_t milliseconds in both */
	V_BOOL,	   /* bool in both */
	V_POLICY,
	V_ACL_DEFAULT,
	V_JOIN,
	V_ACL,
	V_GROUPS,  /* upstream: ranges served */
	V_UP_TIME, /* upstream: uint32_t ms in struct mgmd_iface_config, off = offset */
};

#define RC(field) offsetof(struct mgm_router_config, field)

static const struct iopt_def {
	const char *name;
	uint8_t kind;	/* enum vkind */
	uint8_t family; /* V_FAMILY, V_VERSION: MGM_INET or MGM_INET6 */
	size_t off;	/* in struct mgm_router_config */
	/* The field's name in mgm_router_config_check()'s messages, to find the line. */
	const char *field;
} iopts[IO__COUNT] = {
	[IO_ROLE] = {"role", V_ROLE, 0, 0, NULL},
	[IO_IPV4] = {"ipv4", V_FAMILY, MGM_INET, 0, NULL},
	[IO_IPV6] = {"ipv6", V_FAMILY, MGM_INET6, 0, NULL},
	[IO_IGMP_VERSION] = {"igmp-version", V_VERSION, MGM_INET, RC(version), "version"},
	[IO_MLD_VERSION] = {"mld-version", V_VERSION, MGM_INET6, RC(version), "version"},
	[IO_ROBUSTNESS] = {"robustness", V_COUNT, 0, RC(robustness), "robustness"},
	[IO_QUERY_INTERVAL] = {"query-interval", V_TIME, 0, RC(query_interval_ms),
			       "query_interval_ms"},
	[IO_QUERY_RESPONSE_INTERVAL] = {"query-response-interval", V_TIME, 0,
					RC(query_response_interval_ms),
					"query_response_interval_ms"},
	[IO_STARTUP_QUERY_INTERVAL] = {"startup-query-interval", V_TIME, 0,
				       RC(startup_query_interval_ms), "startup_query_interval_ms"},
	[IO_STARTUP_QUERY_COUNT] = {"startup-query-count", V_COUNT, 0, RC(startup_query_count),
				    "startup_query_count"},
	[IO_LAST_MEMBER_QUERY_INTERVAL] = {"last-member-query-interval", V_TIME, 0,
					   RC(last_member_query_interval_ms),
					   "last_member_query_interval_ms"},
	[IO_LAST_MEMBER_QUERY_COUNT] = {"last-member-query-count", V_COUNT, 0,
					RC(last_member_query_count), "last_member_query_count"},
	[IO_FAST_LEAVE] = {"fast-leave", V_BOOL, 0, RC(fast_leave), NULL},
	[IO_CHECK_SUBNET] = {"check-subnet", V_BOOL, 0, RC(check_subnet), NULL},
	[IO_IP_POLICY] = {"ip-policy", V_POLICY, 0, RC(ip_policy), "ip_policy"},
	[IO_MTU] = {"mtu", V_U32, 0, RC(mtu), "mtu"},
	[IO_MAX_GROUPS] = {"max-groups", V_U32, 0, RC(max_groups), "max_groups"},
	[IO_MAX_SOURCES_PER_GROUP] = {"max-sources-per-group", V_U32, 0, RC(max_sources_per_group),
				      "max_sources_per_group"},
	[IO_MAX_SOURCES] = {"max-sources", V_U32, 0, RC(max_sources), "max_sources"},
	[IO_MAX_TRACKED] = {"max-tracked", V_U32, 0, RC(max_tracked), "max_tracked"},
	[IO_ACL_DEFAULT] = {"acl-default", V_ACL_DEFAULT, 0, 0, NULL},
	[IO_JOIN] = {"join", V_JOIN, 0, 0, NULL},
	[IO_ALLOW] = {"allow", V_ACL, 0, 0, NULL},
	[IO_DENY] = {"deny", V_ACL, 0, 0, NULL},
	[IO_GROUPS] = {"groups", V_GROUPS, 0, 0, NULL},
	[IO_KEEP_JOINED] = {"keep-joined", V_UP_TIME, 0,
			    offsetof(struct mgmd_iface_config, keep_joined_ms), NULL},
	[IO_LEAVE_HOLDDOWN] = {"leave-holddown", V_UP_TIME, 0,
			       offsetof(struct mgmd_iface_config, leave_holddown_ms), NULL},
	[IO_UNSOLICITED] = {"unsolicited-report-interval", V_UP_TIME, 0,
			    offsetof(struct mgmd_iface_config, unsolicited_report_ms), NULL},
	[IO_GENERAL_ANSWER] = {"general-answer-interval", V_UP_TIME, 0,
			       offsetof(struct mgmd_iface_config, general_answer_ms), NULL},
};

static const char *const role_names[] = {
	[MGMD_ROLE_DOWNSTREAM] = "downstream",
	[MGMD_ROLE_UPSTREAM] = "upstream",
	[MGMD_ROLE_QUERIER] = "querier",
	[MGMD_ROLE_DISABLED] = "disabled",
};

/* One stanza while it is read: the configuration and the line each option was set on. */
struct stanza {
	struct mgmd_iface_config ic;
	unsigned set[IO__COUNT];
	size_t acl_cap, joins_cap;
};

enum gopt { GO_TABLE, GO_MAX_ROUTES, GO_ROUTE_IDLE, GO_SOCKET, GO_USER, GO_FORWARDING, GO__COUNT };

static const char *const gopt_names[GO__COUNT] = {
	[GO_TABLE] = "table",
	[GO_MAX_ROUTES] = "max-routes",
	[GO_ROUTE_IDLE] = "route-idle",
	[GO_SOCKET] = "socket",
	[GO_USER] = "user",
	[GO_FORWARDING] = "forwarding",
};

struct parser {
	const char *path;
	const char *p, *end;
	unsigned line; /* of the cursor */
	struct token tok;
	struct msgs errs, warns;
	unsigned seq;
	bool nomem;
	/* What the file says. */
	struct stanza *st;
	size_t n_st, st_cap;
	struct mgmd_prefix *ssm;
	size_t n_ssm, ssm_cap;
	unsigned gset[GO__COUNT];
	uint32_t table, max_routes, route_idle_s;
	char socket_path[MGMD_SOCKET_PATH_MAX];
	char *user;
	bool forwarding;
};

/* ---- Messages ------------------------------------------------------------------------------ */

static void vreport(struct parser *ps, struct msgs *m, unsigned line, const char *kind,
		    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void vreport(struct parser *ps, struct msgs *m, unsigned line, const char *kind,
		    const char *fmt, va_list ap)
{
	char body[512], *text;
	size_t len;
	if (m->n >= MSGS_MAX) {
		m->dropped++;
		return;
	}
	vsnprintf(body, sizeof(body), fmt, ap);
	len = strlen(ps->path) + strlen(kind) + strlen(body) + 16;
	text = malloc(len);
	if (!text) {
		ps->nomem = true;
		return;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct msg *v = realloc(m->v, cap * sizeof(*v));

		if (!v) {
			free(text);
			ps->nomem = true;
			return;
		}
		m->v = v;
		m->cap = cap;
	}
	/* len leaves room for the line number in either form. */
	if (line)
		snprintf(text, len, "%s:%u: %s%s", ps->path, line, kind, body);
	else
		snprintf(text, len, "%s: %s%s", ps->path, kind, body);
	m->v[m->n++] = (struct msg){line, ps->seq++, text};
}

static void err_at(struct parser *ps, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warn_at(struct parser *ps, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err_at(struct parser *ps, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ps, &ps->errs, line, "", fmt, ap);
	va_end(ap);
}

static void warn_at(struct parser *ps, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ps, &ps->warns, line, "warning: ", fmt, ap);
	va_end(ap);
}

static int msg_cmp(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Writes the messages in line order, one per line, truncated to len. */
static void msgs_write(struct msgs *m, char *buf, size_t len)
{
	size_t used = 0;

	if (!buf || !len)
		return;
	buf[0] = '\0';
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), msg_cmp);
	for (size_t i = 0; i < m->n && used + 1 < len; i++) {
		int n = snprintf(buf + used, len - used, "%s\n", m->v[i].text);

		used = n < 0 ? used : used + (size_t)n < len ? used + (size_t)n : len - 1;
	}
	if (m->dropped && used + 1 < len)
		snprintf(buf + used, len - used, "(%zu more)\n", m->dropped);
}

static void msgs_free(struct msgs *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].text);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ---- Lexer ---------------------------------------------------------------------------------- */

static bool word_char(char c)
{
	return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '{' && c != '}' &&
	       c != '#' && c != '"' && (unsigned char)c >= 0x20 && c != 0x7f;
}

static void lex_string(struct parser *ps, struct token *t)
{
	size_t n = 0;

	t->quoted = true;
	ps->p++;
	while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\n') {
		char c = *ps->p++;

		if (c == '\\' && ps->p < ps->end && (*ps->p == '"' || *ps->p == '\\'))
			c = *ps->p++;
		if (n + 1 < sizeof(t->text))
			t->text[n++] = c;
		else if (n + 1 == sizeof(t->text)) {
			err_at(ps, t->line, "string longer than %zu characters",
			       sizeof(t->text) - 1);
			n++;
		}
	}
	t->text[n < sizeof(t->text) ? n : sizeof(t->text) - 1] = '\0';
	if (ps->p < ps->end && *ps->p == '"') {
		ps->p++;
		return;
	}
	err_at(ps, t->line, "unterminated string: expected '\"' before the end of the line");
}

/* Reads the next token into ps->tok. */
static void lex(struct parser *ps)
{
	struct token *t = &ps->tok;
	size_t n = 0;

	for (;;) {
		while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r'))
			ps->p++;
		if (ps->p < ps->end && *ps->p == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
			continue;
		}
		if (ps->p < ps->end && !word_char(*ps->p) && *ps->p != '\n' && *ps->p != '{' &&
		    *ps->p != '}' && *ps->p != '"') {
			err_at(ps, ps->line, "unexpected control character 0x%02x",
			       (unsigned)(unsigned char)*ps->p);
			ps->p++;
			continue;
		}
		break;
	}
	t->line = ps->line;
	t->quoted = false;
	t->text[0] = '\0';
	if (ps->p >= ps->end) {
		t->kind = T_EOF;
		return;
	}
	switch (*ps->p) {
	case '\n':
		ps->p++;
		ps->line++;
		t->kind = T_NL;
		return;
	case '{':
		ps->p++;
		t->kind = T_LBRACE;
		return;
	case '}':
		ps->p++;
		t->kind = T_RBRACE;
		return;
	case '"':
		t->kind = T_WORD;
		lex_string(ps, t);
		return;
	}
	t->kind = T_WORD;
	while (ps->p < ps->end && word_char(*ps->p)) {
		if (n + 1 < sizeof(t->text))
			t->text[n] = *ps->p;
		else if (n + 1 == sizeof(t->text))
			err_at(ps, t->line, "word longer than %zu characters", sizeof(t->text) - 1);
		n++;
		ps->p++;
	}
	t->text[n < sizeof(t->text) ? n : sizeof(t->text) - 1] = '\0';
}

/* The current token in words, for "expected X, got Y". */
static const char *tok_desc(const struct token *t, char *buf, size_t len)
{
	switch (t->kind) {
	case T_EOF:
		return "end of file";
	case T_NL:
		return "end of line";
	case T_LBRACE:
		return "'{'";
	case T_RBRACE:
		return "'}'";
	}
	snprintf(buf, len, t->quoted ? "\"%s\"" : "%s", t->text);
	return buf;
}

#define GOT(ps) tok_desc(&(ps)->tok, got, sizeof(got))

static bool at_end(const struct parser *ps)
{
	return ps->tok.kind == T_NL || ps->tok.kind == T_EOF || ps->tok.kind == T_RBRACE;
}

/* Skips the rest of a statement after an error; a '}' is left for the stanza to close. */
static void skip_statement(struct parser *ps)
{
	while (!at_end(ps))
		lex(ps);
	if (ps->tok.kind == T_NL)
		lex(ps);
}

/* A statement ends at the end of its line, or before the '}' that closes its stanza. */
static void end_statement(struct parser *ps, const char *what)
{
	char got[WORD_MAX + 4];

	if (!at_end(ps))
		err_at(ps, ps->tok.line, "%s: expected end of line, got %s", what, GOT(ps));
	skip_statement(ps);
}

/* ---- Values --------------------------------------------------------------------------------- */

/* Decimal digits only (no sign, no base prefix), at most max. */
static bool decimal(const char *s, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || x > (max - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

/* The current token as a word, or an error naming what was expected. */
static const char *want_word(struct parser *ps, const char *what, const char *expected)
{
	char got[WORD_MAX + 4];

	if (ps->tok.kind == T_WORD)
		return ps->tok.text;
	err_at(ps, ps->tok.line, "%s: expected %s, got %s", what, expected, GOT(ps));
	return NULL;
}

static bool parse_uint(struct parser *ps, const char *what, uint32_t min, uint32_t max,
		       uint32_t *out)
{
	char expected[48];
	const char *w;
	uint64_t v;

	snprintf(expected, sizeof(expected), "%u..%u", (unsigned)min, (unsigned)max);
	w = want_word(ps, what, expected);
	if (!w)
		return false;
	if (!decimal(w, strlen(w), UINT32_MAX, &v) || v < min || v > max) {
		err_at(ps, ps->tok.line, "%s: expected %s, got %s", what, expected, w);
		return false;
	}
	*out = (uint32_t)v;
	lex(ps);
	return true;
}

/* "125s", "500ms", "2m", "1h": a whole number and its unit, in milliseconds. */
static bool parse_time(struct parser *ps, const char *what, uint32_t *ms)
{
	static const struct {
		const char *unit;
		uint32_t ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	static const char expected[] = "a time such as 125s or 500ms (units ms, s, m, h)";
	const char *w = want_word(ps, what, expected);
	size_t digits = 0;
	uint64_t v;

	if (!w)
		return false;
	while (w[digits] >= '0' && w[digits] <= '9')
		digits++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(w + digits, units[i].unit))
			continue;
		if (!decimal(w, digits, UINT32_MAX, &v))
			break;
		if (v * units[i].ms > UINT32_MAX) {
			err_at(ps, ps->tok.line, "%s: %s is too long: at most %ums", what, w,
			       (unsigned)UINT32_MAX);
			return false;
		}
		*ms = (uint32_t)(v * units[i].ms);
		lex(ps);
		return true;
	}
	err_at(ps, ps->tok.line, "%s: expected %s, got %s", what, expected, w);
	return false;
}

/* One of the words in names[lo..hi]; returns its index, or -1 after an error. */
static int parse_keyword(struct parser *ps, const char *what, const char *const *names, int lo,
			 int hi)
{
	char expected[160] = "";
	size_t used = 0;
	const char *w;

	for (int i = lo; i <= hi; i++)
		used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s%s",
					 i == lo   ? ""
					 : i == hi ? " or "
						   : ", ",
					 names[i]);
	w = want_word(ps, what, expected);
	if (!w)
		return -1;
	for (int i = lo; i <= hi; i++)
		if (!strcmp(w, names[i])) {
			lex(ps);
			return i;
		}
	err_at(ps, ps->tok.line, "%s: expected %s, got %s", what, expected, w);
	return -1;
}

static bool parse_bool(struct parser *ps, const char *what, bool *out)
{
	static const char *const names[] = {"off", "on", "no", "yes"};
	int i = parse_keyword(ps, what, names, 0, 3);

	if (i < 0)
		return false;
	*out = i % 2;
	return true;
}

static const char *family_name(uint8_t family)
{
	return family == MGM_INET ? "IPv4" : "IPv6";
}

const char *mgmd_prefix_str(const struct mgmd_prefix *pf, char *buf, size_t len)
{
	char a[MGM_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", mgm_addr_str(&pf->addr, a), (unsigned)pf->len);
	return buf;
}

/* "239.1.0.0/16", "ff3e::/32", or an address alone (the prefix of that one address). */
static bool prefix_parse(const char *text, struct mgmd_prefix *pf)
{
	char buf[MGM_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	uint64_t len;

	if (alen == 0 || alen >= sizeof(buf))
		return false;
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (mgm_addr_parse(buf, &pf->addr))
		return false;
	len = mgm_addr_len(pf->addr.family) * 8;
	if (slash && !decimal(slash + 1, strlen(slash + 1), len, &len))
		return false;
	pf->len = (uint8_t)len;
	return true;
}

/* Is a inside pf (same family, same first pf->len bits)? */
bool mgmd_prefix_contains(const struct mgmd_prefix *pf, const struct mgm_addr *a)
{
	unsigned bytes = pf->len / 8, bits = pf->len % 8;

	if (a->family != pf->addr.family || memcmp(a->octets, pf->addr.octets, bytes))
		return false;
	return !bits || !((a->octets[bytes] ^ pf->addr.octets[bytes]) & (0xff << (8 - bits)));
}

/* pf with every bit after its length cleared. */
static struct mgmd_prefix prefix_masked(const struct mgmd_prefix *pf)
{
	struct mgmd_prefix m = *pf;
	unsigned bytes = pf->len / 8, bits = pf->len % 8;

	if (bits)
		m.addr.octets[bytes++] &= (uint8_t)(0xff << (8 - bits));
	memset(m.addr.octets + bytes, 0, sizeof(m.addr.octets) - bytes);
	return m;
}

enum prefix_kind { PK_GROUPS, PK_SOURCES };

/* A range of groups (inside 224.0.0.0/4 or ff00::/8) or of sources (unicast, or /0 for
 * every source), without host bits. */
static bool parse_prefix(struct parser *ps, const char *what, enum prefix_kind kind,
			 struct mgmd_prefix *pf)
{
	static const char *const expected[] = {
		[PK_GROUPS] = "a multicast group range such as 239.0.0.0/8 or ff3e::/16",
		[PK_SOURCES] = "a unicast source range such as 192.0.2.0/24 or 2001:db8::/32",
	};
	const char *w = want_word(ps, what, expected[kind]);
	char fix[MGM_ADDRSTRLEN + 8];
	struct mgmd_prefix m;
	bool ok;

	if (!w)
		return false;
	if (!prefix_parse(w, pf)) {
		err_at(ps, ps->tok.line, "%s: expected %s, got %s", what, expected[kind], w);
		return false;
	}
	if (kind == PK_GROUPS)
		ok = mgm_addr_is_multicast(&pf->addr) &&
		     pf->len >= (pf->addr.family == MGM_INET ? 4 : 8);
	else
		ok = pf->len == 0 || mgm_addr_is_unicast(&pf->addr);
	if (!ok) {
		err_at(ps, ps->tok.line, "%s: expected %s, got %s", what, expected[kind], w);
		return false;
	}
	m = prefix_masked(pf);
	if (!mgm_addr_eq(&m.addr, &pf->addr)) {
		mgmd_prefix_str(&m, fix, sizeof(fix));
		err_at(ps, ps->tok.line, "%s: %s has host bits set; the range is %s", what, w, fix);
		return false;
	}
	lex(ps);
	return true;
}

static bool parse_addr(struct parser *ps, const char *what, enum prefix_kind kind,
		       struct mgm_addr *a)
{
	static const char *const expected[] = {
		[PK_GROUPS] = "a multicast group address such as 239.1.1.1 or ff3e::8000:1",
		[PK_SOURCES] = "a unicast source address such as 192.0.2.1 or 2001:db8::1",
	};
	const char *w = want_word(ps, what, expected[kind]);

	if (!w)
		return false;
	if (mgm_addr_parse(w, a) ||
	    !(kind == PK_GROUPS ? mgm_addr_is_multicast(a) : mgm_addr_is_unicast(a))) {
		err_at(ps, ps->tok.line, "%s: expected %s, got %s", what, expected[kind], w);
		return false;
	}
	if (kind == PK_GROUPS && mgm_addr_is_unrouted_group(a)) {
		err_at(ps, ps->tok.line,
		       "%s: %s never leaves its link (224.0.0.0/24, IPv6 scopes 0-2): no router "
		       "forwards it",
		       what, w);
		return false;
	}
	lex(ps);
	return true;
}

/* ---- Storage -------------------------------------------------------------------------------- */

static bool grow(struct parser *ps, void **v, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *nv;

	if (n < *cap)
		return true;
	c = *cap ? *cap * 2 : 4;
	nv = realloc(*v, c * size);
	if (!nv) {
		ps->nomem = true;
		return false;
	}
	*v = nv;
	*cap = c;
	return true;
}

static void iface_free(struct mgmd_iface_config *ic)
{
	free(ic->acl);
	free(ic->joins);
	ic->acl = NULL;
	ic->joins = NULL;
	ic->n_acl = ic->n_joins = 0;
}

/* Edit distance (insertions, deletions, substitutions, swaps of neighbours) up to 3. */
static unsigned distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[3][32]; /* rows i-2, i-1 and i of the table, by column j */

	if (la >= 32 || lb >= 32)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[1][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *cur = row[(i + 1) % 3], *prev = row[i % 3], *prev2 = row[(i + 2) % 3];

		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned v = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
	}
	return row[(la + 1) % 3][lb];
}

/* The known name nearest to an unknown one, when it is near enough to be the one meant. */
static const char *nearest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	unsigned bd = 3;

	for (size_t i = 0; i < n; i++) {
		unsigned dist = distance(word, names[i]);

		if (dist < bd) {
			bd = dist;
			best = names[i];
		}
	}
	return best;
}

static void err_unknown(struct parser *ps, const char *kind, const char *word, const char *near)
{
	if (near)
		err_at(ps, ps->tok.line, "unknown %s '%s'; did you mean '%s'?", kind, word, near);
	else
		err_at(ps, ps->tok.line, "unknown %s '%s'", kind, word);
}

/* ---- Interface stanzas ---------------------------------------------------------------------- */

static bool is_pattern(const char *name)
{
	size_t n = strlen(name);

	return strpbrk(name, "*?[") || (n && name[n - 1] == '+');
}

/* A trailing '+' (iptables' spelling) is '*'; the rest is fnmatch(3). */
static bool name_matches(const struct mgmd_iface_config *ic, const char *ifname)
{
	char glob[MGMD_IFNAMSIZ];
	size_t n;

	if (!ic->is_pattern)
		return !strcmp(ic->name, ifname);
	n = strlen(ic->name);
	memcpy(glob, ic->name, n + 1);
	if (glob[n - 1] == '+')
		glob[n - 1] = '*';
	return fnmatch(glob, ifname, 0) == 0;
}

/* As the kernel's dev_valid_name(): 1..15 characters, not "." or "..", no '/', ':' or space. */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= MGMD_IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || s[i] == ' ' || s[i] == '\t')
			return false;
	return true;
}

static void set_u8(struct mgmd_iface_config *ic, size_t off, uint8_t v)
{
	memcpy((char *)&ic->igmp + off, &v, sizeof(v));
	memcpy((char *)&ic->mld + off, &v, sizeof(v));
}

static void set_u32(struct mgmd_iface_config *ic, size_t off, uint32_t v)
{
	memcpy((char *)&ic->igmp + off, &v, sizeof(v));
	memcpy((char *)&ic->mld + off, &v, sizeof(v));
}

static void set_bool(struct mgmd_iface_config *ic, size_t off, bool v)
{
	memcpy((char *)&ic->igmp + off, &v, sizeof(v));
	memcpy((char *)&ic->mld + off, &v, sizeof(v));
}

/* join GROUP [source SOURCE] */
static bool stmt_join(struct parser *ps, struct stanza *s, unsigned line)
{
	struct mgmd_static_join j = {.line = line};
	char got[WORD_MAX + 4];

	if (!parse_addr(ps, "join", PK_GROUPS, &j.group))
		return false;
	if (!at_end(ps)) {
		if (ps->tok.kind != T_WORD || strcmp(ps->tok.text, "source")) {
			err_at(ps, ps->tok.line, "join: expected 'source' or end of line, got %s",
			       GOT(ps));
			return false;
		}
		lex(ps);
		if (!parse_addr(ps, "join: source", PK_SOURCES, &j.source))
			return false;
		if (j.source.family != j.group.family) {
			err_at(ps, line, "join: source is %s but the group is %s",
			       family_name(j.source.family), family_name(j.group.family));
			return false;
		}
		j.has_source = true;
	}
	if (!grow(ps, (void **)&s->ic.joins, &s->joins_cap, s->ic.n_joins, sizeof(j)))
		return false;
	s->ic.joins[s->ic.n_joins++] = j;
	return true;
}

/* allow|deny GROUP-RANGE [source SOURCE-RANGE] */
static bool stmt_acl(struct parser *ps, struct stanza *s, const char *what, unsigned line)
{
	struct mgmd_acl_rule r = {.line = line};
	char got[WORD_MAX + 4], src[64];

	r.action = !strcmp(what, "allow") ? MGMD_ACL_ALLOW : MGMD_ACL_DENY;
	if (!parse_prefix(ps, what, PK_GROUPS, &r.group_range))
		return false;
	if (!at_end(ps)) {
		if (ps->tok.kind != T_WORD || strcmp(ps->tok.text, "source")) {
			err_at(ps, ps->tok.line, "%s: expected 'source' or end of line, got %s",
			       what, GOT(ps));
			return false;
		}
		lex(ps);
		snprintf(src, sizeof(src), "%s: source", what);
		if (!parse_prefix(ps, src, PK_SOURCES, &r.source_range))
			return false;
		if (r.source_range.addr.family != r.group_range.addr.family) {
			err_at(ps, line, "%s: source range is %s but the group range is %s", what,
			       family_name(r.source_range.addr.family),
			       family_name(r.group_range.addr.family));
			return false;
		}
		r.has_source = true;
	}
	if (!grow(ps, (void **)&s->ic.acl, &s->acl_cap, s->ic.n_acl, sizeof(r)))
		return false;
	s->ic.acl[s->ic.n_acl++] = r;
	return true;
}

/* groups RANGE [RANGE ...] in an upstream stanza, repeatable. */
static bool stmt_groups(struct parser *ps, struct stanza *s)
{
	struct mgmd_prefix pf;

	do {
		if (!parse_prefix(ps, "groups", PK_GROUPS, &pf))
			return false;
		if (s->ic.n_up_groups == MGMD_MAX_UP_GROUPS) {
			err_at(ps, ps->tok.line, "groups: at most %d ranges per interface",
			       MGMD_MAX_UP_GROUPS);
			return false;
		}
		s->ic.up_groups[s->ic.n_up_groups++] = pf;
	} while (!at_end(ps));
	return true;
}

/* keep-joined, leave-holddown, unsolicited-report-interval, general-answer-interval: a time
 * within its bounds. */
static bool stmt_up_time(struct parser *ps, struct stanza *s, enum iopt o)
{
	static const struct {
		uint32_t min, max;
		bool zero; /* 0 (off) allowed besides */
	} lim[] = {
		[IO_KEEP_JOINED] = {1000, 3600000, true},
		[IO_LEAVE_HOLDDOWN] = {0, 60000, true},
		[IO_UNSOLICITED] = {1000, 60000, false},
		[IO_GENERAL_ANSWER] = {100, 60000, true},
	};
	const char *what = iopts[o].name;
	uint32_t v;

	if (ps->tok.kind == T_WORD && !strcmp(ps->tok.text, "off") && lim[o].zero) {
		v = 0;
		lex(ps);
	} else {
		if (!parse_time(ps, what, &v))
			return false;
		if ((v || !lim[o].zero) && (v < lim[o].min || v > lim[o].max)) {
			err_at(ps, s->set[o], "%s: expected %s%ums..%ums, got %ums", what,
			       lim[o].zero ? "off, 0 or " : "", (unsigned)lim[o].min,
			       (unsigned)lim[o].max, (unsigned)v);
			return false;
		}
	}
	memcpy((char *)&s->ic + iopts[o].off, &v, sizeof(v));
	return true;
}

static bool stmt_iface(struct parser *ps, struct stanza *s, enum iopt o)
{
	static const char *const policies[] = {
		[MGM_IP_POLICY_DEFAULT] = "default",
		[MGM_IP_POLICY_STRICT] = "strict",
		[MGM_IP_POLICY_LOOSE] = "loose",
	};
	static const char *const actions[] = {[MGMD_ACL_ALLOW] = "allow", [MGMD_ACL_DENY] = "deny"};
	const struct iopt_def *d = &iopts[o];
	unsigned line = ps->tok.line;
	uint32_t v;
	bool b;
	int i;

	lex(ps);
	switch (d->kind) {
	case V_ROLE:
		if ((i = parse_keyword(ps, d->name, role_names, 1, 4)) < 0)
			return false;
		s->ic.role = (uint8_t)i;
		break;
	case V_FAMILY:
		if (!parse_bool(ps, d->name, d->family == MGM_INET ? &s->ic.ipv4 : &s->ic.ipv6))
			return false;
		break;
	case V_VERSION:
		if (!parse_uint(ps, d->name, 1, d->family == MGM_INET ? 3 : 2, &v))
			return false;
		(d->family == MGM_INET ? &s->ic.igmp : &s->ic.mld)->version = (uint8_t)v;
		break;
	case V_COUNT:
		if (!parse_uint(ps, d->name, 1, 255, &v))
			return false;
		set_u8(&s->ic, d->off, (uint8_t)v);
		break;
	case V_U32:
		if (!parse_uint(ps, d->name, 0, UINT32_MAX, &v))
			return false;
		set_u32(&s->ic, d->off, v);
		if (o == IO_MTU)
			s->ic.mtu_configured = true;
		break;
	case V_TIME:
		if (!parse_time(ps, d->name, &v))
			return false;
		set_u32(&s->ic, d->off, v);
		break;
	case V_BOOL:
		if (!parse_bool(ps, d->name, &b))
			return false;
		set_bool(&s->ic, d->off, b);
		break;
	case V_POLICY:
		if ((i = parse_keyword(ps, d->name, policies, 0, 2)) < 0)
			return false;
		set_u8(&s->ic, d->off, (uint8_t)i);
		break;
	case V_ACL_DEFAULT:
		if ((i = parse_keyword(ps, d->name, actions, 1, 2)) < 0)
			return false;
		s->ic.acl_default = (uint8_t)i;
		break;
	case V_JOIN:
		return stmt_join(ps, s, line);
	case V_ACL:
		return stmt_acl(ps, s, d->name, line);
	case V_GROUPS:
		return stmt_groups(ps, s);
	case V_UP_TIME:
		return stmt_up_time(ps, s, o);
	}
	return true;
}

/* The line an engine message is about: the first option it names that the stanza set. */
static unsigned check_line(const struct stanza *s, uint8_t family, const char *msg)
{
	const char *best = NULL;
	unsigned line = s->ic.line;

	for (int o = 0; o < IO__COUNT; o++) {
		const char *f = iopts[o].field, *at;
		size_t n;

		if (!f || !s->set[o] || (iopts[o].kind == V_VERSION && iopts[o].family != family))
			continue;
		n = strlen(f);
		for (at = strstr(msg, f); at; at = strstr(at + 1, f)) {
			bool left =
				at == msg || !(at[-1] == '_' || (at[-1] >= 'a' && at[-1] <= 'z'));
			bool right = at[n] != '_' && !(at[n] >= 'a' && at[n] <= 'z');

			if (left && right)
				break;
		}
		if (at && (!best || at < best)) {
			best = at;
			line = s->set[o];
		}
	}
	return line;
}

/* The engine's own validation of each family the stanza runs. */
static void check_engines(struct parser *ps, const struct stanza *s)
{
	const struct mgm_router_config *rc[2] = {s->ic.ipv4 ? &s->ic.igmp : NULL,
						 s->ic.ipv6 ? &s->ic.mld : NULL};
	char msg[2][256] = {"", ""};

	for (int i = 0; i < 2; i++) {
		if (!rc[i])
			continue;
		if (mgm_router_config_check(rc[i], msg[i], sizeof(msg[i]))) {
			if (i == 0 || strcmp(msg[0], msg[1]))
				err_at(ps, check_line(s, rc[i]->family, msg[i]), "%s: %s",
				       i ? "MLD" : "IGMP", msg[i]);
		} else if (msg[i][0] && (i == 0 || strcmp(msg[0], msg[1]))) {
			const char *w = msg[i];

			if (!strncmp(w, "warning: ", 9))
				w += 9;
			warn_at(ps, check_line(s, rc[i]->family, msg[i]), "%s", w);
		}
	}
}

void mgmd_config_host(const struct mgmd_iface_config *ic, uint8_t family,
		      struct mgm_host_config *hc)
{
	const struct mgm_router_config *rc = family == MGM_INET ? &ic->igmp : &ic->mld;

	mgm_host_config_defaults(hc, family);
	hc->version = rc->version;
	hc->robustness = rc->robustness;
	hc->query_interval_ms = rc->query_interval_ms;
	hc->mtu = rc->mtu;
	if (ic->unsolicited_report_ms)
		hc->unsolicited_report_interval_ms = hc->v1v2_unsolicited_report_interval_ms =
			ic->unsolicited_report_ms;
	hc->general_answer_interval_ms = ic->general_answer_ms;
	/* The upstream host engine holds one socket per (downstream interface, group): room
	 * for every group on many interfaces. */
	hc->max_groups = rc->max_groups;
	hc->max_sources_per_group = rc->max_sources_per_group;
	hc->max_sockets = 65536;
}

/* The host engine's own validation of an upstream stanza's settings. */
static void check_hosts(struct parser *ps, const struct stanza *s)
{
	char msg[256];

	for (int i = 0; i < 2; i++) {
		struct mgm_host_config hc;
		uint8_t family = i == 0 ? MGM_INET : MGM_INET6;

		if (!(i == 0 ? s->ic.ipv4 : s->ic.ipv6))
			continue;
		mgmd_config_host(&s->ic, family, &hc);
		if (mgm_host_config_check(&hc, msg, sizeof(msg)) < 0) {
			err_at(ps, check_line(s, family, msg), "%s upstream: %s",
			       i ? "MLD" : "IGMP", msg);
			return;
		}
	}
}

/* What can be said about a stanza once it is closed. */
static void stanza_close(struct parser *ps, struct stanza *s)
{
	const struct mgmd_iface_config *ic = &s->ic;

	if (!ic->role) {
		if (!s->set[IO_ROLE]) /* else its error is said already */
			err_at(ps, ic->line,
			       "interface %s: role: missing; expected downstream, upstream, querier "
			       "or disabled",
			       ic->name);
		return;
	}
	for (size_t i = 0; i + 1 < ps->n_st; i++) {
		const struct stanza *e = &ps->st[i];

		if (!strcmp(e->ic.name, ic->name)) {
			err_at(ps, ic->line, "interface %s: already defined at line %u", ic->name,
			       e->ic.line);
			return;
		}
		if (ic->role == MGMD_ROLE_UPSTREAM && e->ic.role == MGMD_ROLE_UPSTREAM &&
		    !e->ic.n_up_groups && !e->ic.is_pattern)
			warn_at(ps, ic->line,
				"interface %s: never reports a group: upstream %s at line %u has no "
				"'groups' and so serves every group first",
				ic->name, e->ic.name, e->ic.line);
		if (e->ic.is_pattern && !ic->is_pattern && name_matches(&e->ic, ic->name))
			warn_at(ps, ic->line,
				"interface %s is never used: interface %s at line %u matches it "
				"first",
				ic->name, e->ic.name, e->ic.line);
	}
	if (!ic->ipv4 && !ic->ipv6)
		warn_at(ps, ic->line, "interface %s: ipv4 and ipv6 are both off: it is not used",
			ic->name);
	if (ic->n_joins && ic->role != MGMD_ROLE_DOWNSTREAM)
		warn_at(ps, ic->joins[0].line,
			"join: has no effect on a%s %s interface: only downstream interfaces "
			"forward",
			ic->role == MGMD_ROLE_UPSTREAM ? "n" : "", role_names[ic->role]);
	if ((ic->n_acl || s->set[IO_ACL_DEFAULT]) &&
	    (ic->role == MGMD_ROLE_UPSTREAM || ic->role == MGMD_ROLE_DISABLED))
		warn_at(ps, ic->n_acl ? ic->acl[0].line : s->set[IO_ACL_DEFAULT],
			"access list: has no effect on a%s %s interface: it filters the "
			"memberships that downstream and querier interfaces learn",
			ic->role == MGMD_ROLE_UPSTREAM ? "n" : "", role_names[ic->role]);
	if (ic->role != MGMD_ROLE_UPSTREAM)
		for (int o = IO_GROUPS; o <= IO_GENERAL_ANSWER; o++)
			if (s->set[o])
				warn_at(ps, s->set[o],
					"%s: has no effect on a%s %s interface: only upstream "
					"interfaces report",
					iopts[o].name, ic->role == MGMD_ROLE_UPSTREAM ? "n" : "",
					role_names[ic->role]);
	for (size_t i = 0; i < ic->n_joins; i++) {
		const struct mgmd_static_join *j = &ic->joins[i];
		char g[MGM_ADDRSTRLEN];

		if (j->group.family == MGM_INET ? !ic->ipv4 : !ic->ipv6)
			warn_at(ps, j->line, "join %s: has no effect: %s is off on this interface",
				mgm_addr_str(&j->group, g),
				j->group.family == MGM_INET ? "ipv4" : "ipv6");
	}
	check_engines(ps, s);
	if (ic->role == MGMD_ROLE_UPSTREAM)
		check_hosts(ps, s);
}

/* interface NAME { statements } */
static void stmt_interface(struct parser *ps)
{
	bool closed = false;
	struct stanza *s;
	char got[WORD_MAX + 4];
	unsigned line = ps->tok.line;
	const char *name;

	lex(ps);
	name = want_word(ps, "interface", "an interface name or pattern (eth0, ppp+, wg*)");
	if (!name) {
		skip_statement(ps);
		return;
	}
	if (!valid_ifname(name)) {
		err_at(ps, line,
		       "interface: expected an interface name or pattern of 1 to 15 characters "
		       "without '/', ':' or spaces, got %s",
		       GOT(ps));
		name = "?";
	}
	if (!grow(ps, (void **)&ps->st, &ps->st_cap, ps->n_st, sizeof(*ps->st))) {
		skip_statement(ps);
		return;
	}
	s = &ps->st[ps->n_st++];
	memset(s, 0, sizeof(*s));
	snprintf(s->ic.name, sizeof(s->ic.name), "%.15s", name);
	s->ic.is_pattern = is_pattern(s->ic.name);
	s->ic.ipv4 = s->ic.ipv6 = true;
	mgm_router_config_defaults(&s->ic.igmp, MGM_INET);
	mgm_router_config_defaults(&s->ic.mld, MGM_INET6);
	s->ic.acl_default = MGMD_ACL_ALLOW;
	s->ic.general_answer_ms = MGMD_GENERAL_ANSWER_MS;
	s->ic.line = line;
	lex(ps);
	while (ps->tok.kind == T_NL)
		lex(ps);
	if (ps->tok.kind != T_LBRACE) {
		err_at(ps, ps->tok.line, "interface %s: expected '{', got %s", s->ic.name, GOT(ps));
		skip_statement(ps);
		ps->n_st--;
		iface_free(&s->ic);
		return;
	}
	lex(ps);
	for (;;) {
		int o;

		if (ps->tok.kind == T_NL) {
			lex(ps);
			continue;
		}
		if (ps->tok.kind == T_RBRACE) {
			lex(ps);
			closed = true;
			break;
		}
		/* A forgotten '}': the next stanza is read as one, not as options of this one. */
		if (ps->tok.kind == T_EOF ||
		    (ps->tok.kind == T_WORD && !strcmp(ps->tok.text, "interface"))) {
			err_at(ps, ps->tok.line,
			       "interface %s: expected '}' to close the stanza of line %u, got %s",
			       s->ic.name, line, GOT(ps));
			break;
		}
		if (ps->tok.kind != T_WORD) {
			err_at(ps, ps->tok.line, "expected an interface option, got %s", GOT(ps));
			lex(ps);
			continue;
		}
		for (o = 0; o < IO__COUNT; o++)
			if (!strcmp(ps->tok.text, iopts[o].name))
				break;
		if (o == IO__COUNT) {
			const char *names[IO__COUNT];

			for (o = 0; o < IO__COUNT; o++)
				names[o] = iopts[o].name;
			err_unknown(ps, "interface option", ps->tok.text,
				    nearest(ps->tok.text, names, IO__COUNT));
			skip_statement(ps);
			continue;
		}
		if (s->set[o] && iopts[o].kind != V_JOIN && iopts[o].kind != V_ACL &&
		    iopts[o].kind != V_GROUPS) {
			err_at(ps, ps->tok.line, "%s: already set at line %u", iopts[o].name,
			       s->set[o]);
			skip_statement(ps);
			continue;
		}
		if (!s->set[o])
			s->set[o] = ps->tok.line;
		if (stmt_iface(ps, s, (enum iopt)o))
			end_statement(ps, iopts[o].name);
		else
			skip_statement(ps);
	}
	stanza_close(ps, s);
	if (closed)
		end_statement(ps, "interface");
}

/* ---- Global statements ---------------------------------------------------------------------- */

static bool stmt_global(struct parser *ps, enum gopt o)
{
	const char *what = gopt_names[o], *w;
	uint32_t v;

	lex(ps);
	switch (o) {
	case GO_TABLE:
		return parse_uint(ps, what, 0, TABLE_MAX, &ps->table);
	case GO_MAX_ROUTES:
		return parse_uint(ps, what, 1, MAX_ROUTES_MAX, &ps->max_routes);
	case GO_ROUTE_IDLE:
		if (!parse_time(ps, what, &v))
			return false;
		if (v % 1000 || v == 0 || v / 1000 > ROUTE_IDLE_MAX_S) {
			err_at(ps, ps->gset[o],
			       "%s: expected whole seconds from 1s to %us, got %ums", what,
			       ROUTE_IDLE_MAX_S, (unsigned)v);
			return false;
		}
		ps->route_idle_s = v / 1000;
		return true;
	case GO_SOCKET:
		w = want_word(ps, what, "an absolute path such as " MGMD_SOCKET_PATH);
		if (!w)
			return false;
		if (w[0] != '/' || strlen(w) >= sizeof(ps->socket_path)) {
			err_at(ps, ps->tok.line,
			       "%s: expected an absolute path of at most %zu characters, got %s",
			       what, sizeof(ps->socket_path) - 1, w);
			return false;
		}
		memcpy(ps->socket_path, w, strlen(w) + 1);
		lex(ps);
		return true;
	case GO_FORWARDING:
		return parse_bool(ps, what, &ps->forwarding);
	case GO_USER:
		w = want_word(ps, what, "a user name");
		if (!w)
			return false;
		if (!w[0]) {
			err_at(ps, ps->tok.line, "%s: expected a user name, got \"\"", what);
			return false;
		}
		free(ps->user);
		ps->user = strdup(w);
		if (!ps->user)
			ps->nomem = true;
		lex(ps);
		return ps->user != NULL;
	case GO__COUNT:
		break;
	}
	return false;
}

/* ssm-range PREFIX [PREFIX ...], repeatable. */
static bool stmt_ssm(struct parser *ps)
{
	struct mgmd_prefix pf;

	lex(ps);
	do {
		if (!parse_prefix(ps, "ssm-range", PK_GROUPS, &pf))
			return false;
		if (!grow(ps, (void **)&ps->ssm, &ps->ssm_cap, ps->n_ssm, sizeof(pf)))
			return false;
		ps->ssm[ps->n_ssm++] = pf;
	} while (!at_end(ps));
	return true;
}

static void parse_file(struct parser *ps)
{
	char got[WORD_MAX + 4];

	lex(ps);
	while (ps->tok.kind != T_EOF && !ps->nomem) {
		int o;

		if (ps->tok.kind == T_NL) {
			lex(ps);
			continue;
		}
		if (ps->tok.kind != T_WORD) {
			err_at(ps, ps->tok.line, "expected an option or 'interface', got %s",
			       GOT(ps));
			lex(ps);
			continue;
		}
		if (!strcmp(ps->tok.text, "interface")) {
			stmt_interface(ps);
			continue;
		}
		if (!strcmp(ps->tok.text, "ssm-range")) {
			if (stmt_ssm(ps))
				end_statement(ps, "ssm-range");
			else
				skip_statement(ps);
			continue;
		}
		for (o = 0; o < GO__COUNT; o++)
			if (!strcmp(ps->tok.text, gopt_names[o]))
				break;
		if (o == GO__COUNT) {
			for (int i = 0; i < IO__COUNT; i++)
				if (!strcmp(ps->tok.text, iopts[i].name))
					o = -1;
			if (o < 0) {
				err_at(ps, ps->tok.line,
				       "%s: an interface option, only inside 'interface NAME { }'",
				       ps->tok.text);
			} else {
				const char *names[GO__COUNT + 2] = {"interface", "ssm-range"};

				memcpy(names + 2, gopt_names, sizeof(gopt_names));
				err_unknown(ps, "option", ps->tok.text,
					    nearest(ps->tok.text, names, GO__COUNT + 2));
			}
			skip_statement(ps);
			continue;
		}
		if (ps->gset[o]) {
			err_at(ps, ps->tok.line, "%s: already set at line %u", gopt_names[o],
			       ps->gset[o]);
			skip_statement(ps);
			continue;
		}
		ps->gset[o] = ps->tok.line;
		if (stmt_global(ps, (enum gopt)o))
			end_statement(ps, gopt_names[o]);
		else
			skip_statement(ps);
	}
}

/* ---- Public --------------------------------------------------------------------------------- */

void mgmd_config_init(struct mgmd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_routes = 8192;
	cfg->route_idle_s = 210;
	cfg->forwarding = true;
	snprintf(cfg->socket_path, sizeof(cfg->socket_path), "%s", MGMD_SOCKET_PATH);
}

void mgmd_config_free(struct mgmd_config *cfg)
{
	for (size_t i = 0; i < cfg->n_ifaces; i++)
		iface_free(&cfg->ifaces[i]);
	free(cfg->ifaces);
	free(cfg->ssm);
	free(cfg->path);
	free(cfg->user);
	mgmd_config_init(cfg);
}

const struct mgmd_iface_config *mgmd_config_match(const struct mgmd_config *cfg, const char *ifname)
{
	for (size_t i = 0; i < cfg->n_ifaces; i++)
		if (name_matches(&cfg->ifaces[i], ifname))
			return &cfg->ifaces[i];
	return NULL;
}

static bool ssm_in(const struct mgmd_prefix *v, size_t n, const struct mgm_addr *group)
{
	bool family_configured = false;

	for (size_t i = 0; i < n; i++) {
		if (v[i].addr.family != group->family)
			continue;
		family_configured = true;
		if (mgmd_prefix_contains(&v[i], group))
			return true;
	}
	return !family_configured && mgm_addr_is_ssm(group);
}

bool mgmd_config_is_ssm(const struct mgmd_config *cfg, const struct mgm_addr *group)
{
	return ssm_in(cfg->ssm, cfg->n_ssm, group);
}

int mgmd_acl_match(const struct mgmd_iface_config *ic, const struct mgm_addr *group,
		   const struct mgm_addr *source, bool *allow)
{
	bool any_source = !source || mgm_addr_is_any(source);

	for (size_t i = 0; i < ic->n_acl; i++) {
		const struct mgmd_acl_rule *r = &ic->acl[i];

		if (!mgmd_prefix_contains(&r->group_range, group))
			continue;
		if (r->has_source &&
		    (any_source || !mgmd_prefix_contains(&r->source_range, source)))
			continue;
		*allow = r->action == MGMD_ACL_ALLOW;
		return (int)i;
	}
	*allow = ic->acl_default != MGMD_ACL_DENY;
	return -1;
}

static bool read_file(struct parser *ps, char **text, size_t *len)
{
	FILE *f = fopen(ps->path, "r");
	char *buf;
	size_t n;

	if (!f) {
		err_at(ps, 0, "cannot open: %s", strerror(errno));
		return false;
	}
	buf = malloc(FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		ps->nomem = true;
		return false;
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	if (ferror(f)) {
		err_at(ps, 0, "cannot read: %s", strerror(errno));
		n = 0;
		free(buf);
		buf = NULL;
	} else if (n > FILE_MAX) {
		err_at(ps, 0, "larger than %u bytes: is it a configuration file?", FILE_MAX);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*text = buf;
	*len = n;
	return buf != NULL;
}

/* The new SSM list: the file's ranges for each family it names, cfg's for the others. */
static struct mgmd_prefix *ssm_merge(struct parser *ps, const struct mgmd_config *cfg, size_t *n)
{
	bool named[2] = {false, false};
	struct mgmd_prefix *v;
	size_t k = 0;

	for (size_t i = 0; i < ps->n_ssm; i++)
		named[ps->ssm[i].addr.family == MGM_INET6] = true;
	v = malloc((ps->n_ssm + cfg->n_ssm + 1) * sizeof(*v));
	if (!v) {
		ps->nomem = true;
		return NULL;
	}
	for (size_t i = 0; i < cfg->n_ssm; i++)
		if (!named[cfg->ssm[i].addr.family == MGM_INET6])
			v[k++] = cfg->ssm[i];
	if (ps->n_ssm)
		memcpy(v + k, ps->ssm, ps->n_ssm * sizeof(*v));
	*n = k + ps->n_ssm;
	return v;
}

/* RFC 4607 §1, RFC 4604 §2.2.1: in an SSM range only source-specific joins exist. */
static void check_ssm_joins(struct parser *ps, const struct mgmd_prefix *ssm, size_t n_ssm)
{
	for (size_t i = 0; i < ps->n_st; i++)
		for (size_t k = 0; k < ps->st[i].ic.n_joins; k++) {
			const struct mgmd_static_join *j = &ps->st[i].ic.joins[k];
			char g[MGM_ADDRSTRLEN];

			if (!j->has_source && ssm_in(ssm, n_ssm, &j->group))
				err_at(ps, j->line,
				       "join %s: the group is in an SSM range: expected 'source "
				       "ADDRESS' after it",
				       mgm_addr_str(&j->group, g));
		}
}

int mgmd_config_load(struct mgmd_config *cfg, const char *path, char *err, size_t errlen,
		     char *warn, size_t warnlen)
{
	struct parser ps = {.path = path, .line = 1};
	struct mgmd_prefix *ssm = NULL;
	struct mgmd_iface_config *ifaces = NULL;
	char *text = NULL, *path_copy = NULL;
	size_t len = 0, n_ssm = 0;
	int ret = -1;

	if (read_file(&ps, &text, &len)) {
		ps.p = text;
		ps.end = text + len;
		parse_file(&ps);
		ssm = ssm_merge(&ps, cfg, &n_ssm);
		if (ssm)
			check_ssm_joins(&ps, ssm, n_ssm);
	}
	if (!ps.nomem && !ps.errs.n) {
		path_copy = strdup(path);
		ifaces = realloc(cfg->ifaces, (cfg->n_ifaces + ps.n_st + 1) * sizeof(*ifaces));
		if (ifaces)
			cfg->ifaces = ifaces;
		ps.nomem = !path_copy || !ifaces;
	}
	if (ps.nomem)
		err_at(&ps, 0, "out of memory");
	if (!ps.errs.n) {
		for (size_t i = 0; i < ps.n_st; i++)
			cfg->ifaces[cfg->n_ifaces++] = ps.st[i].ic;
		ps.n_st = 0;
		free(cfg->ssm);
		cfg->ssm = ssm;
		cfg->n_ssm = n_ssm;
		ssm = NULL;
		free(cfg->path);
		cfg->path = path_copy;
		path_copy = NULL;
		if (ps.gset[GO_TABLE])
			cfg->table = ps.table;
		if (ps.gset[GO_MAX_ROUTES])
			cfg->max_routes = ps.max_routes;
		if (ps.gset[GO_ROUTE_IDLE])
			cfg->route_idle_s = ps.route_idle_s;
		if (ps.gset[GO_SOCKET])
			memcpy(cfg->socket_path, ps.socket_path, sizeof(cfg->socket_path));
		if (ps.gset[GO_FORWARDING])
			cfg->forwarding = ps.forwarding;
		if (ps.gset[GO_USER]) {
			free(cfg->user);
			cfg->user = ps.user;
			ps.user = NULL;
		}
		ret = 0;
	}
	msgs_write(&ps.errs, err, errlen);
	msgs_write(&ps.warns, warn, warnlen);
	msgs_free(&ps.errs);
	msgs_free(&ps.warns);
	for (size_t i = 0; i < ps.n_st; i++)
		iface_free(&ps.st[i].ic);
	free(ps.st);
	free(ps.ssm);
	free(ps.user);
	free(ssm);
	free(path_copy);
	free(text);
	return ret;
}

struct mgmd_iface_config *mgmd_config_add_iface(struct mgmd_config *cfg, const char *name,
						uint8_t role, char *err, size_t errlen)
{
	struct mgmd_iface_config *v, *ic;

	if (!valid_ifname(name)) {
		snprintf(err, errlen,
			 "%s: expected an interface name or pattern of 1 to 15 characters without "
			 "'/', ':' or spaces",
			 name);
		return NULL;
	}
	for (size_t i = 0; i < cfg->n_ifaces; i++) {
		if (!strcmp(cfg->ifaces[i].name, name)) {
			snprintf(err, errlen, "interface %s: given twice", name);
			return NULL;
		}
	}
	v = realloc(cfg->ifaces, (cfg->n_ifaces + 1) * sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cfg->ifaces = v;
	ic = &v[cfg->n_ifaces++];
	memset(ic, 0, sizeof(*ic));
	snprintf(ic->name, sizeof(ic->name), "%s", name);
	ic->is_pattern = is_pattern(ic->name);
	ic->role = role;
	ic->ipv4 = ic->ipv6 = true;
	mgm_router_config_defaults(&ic->igmp, MGM_INET);
	mgm_router_config_defaults(&ic->mld, MGM_INET6);
	ic->acl_default = MGMD_ACL_ALLOW;
	ic->general_answer_ms = MGMD_GENERAL_ANSWER_MS;
	return ic;
}
