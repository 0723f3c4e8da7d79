/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The querier role: election on the lowest address and the Other Querier Present timer
 * (RFC 3376 §6.6.2, RFC 2236 §3, RFC 3810 §7.6.2), startup and periodic general queries (§8.6,
 * §8.7), adoption of the querier's QRV and QQI (§4.1.6, §4.1.7), older-version queriers
 * (§7.3.1: warned about, never followed), the timer lowering on received queries (§6.6.1) and the
 * group and group-and-source-specific queries with their retransmissions and S flag (§6.6.3).
 */
#include <string.h>

#include "check.h"
#include "mgm/err.h"
#include "router_priv.h"

enum query_kind { Q_GENERAL, Q_GROUP, Q_GROUP_SOURCE };

/* Encodes one query in the configured (= operating, §7.3.1) version and hands it to send(). */
static void send_query(struct mgm_router *r, const uint8_t *group, bool suppress,
		       const struct mgm_addr *sources, uint16_t nsrc, uint32_t max_resp_ms,
		       enum query_kind kind)
{
	struct mgm_query q;
	struct mgm_addr dst;
	size_t len = 0;
	int err;

	memset(&q, 0, sizeof(q));
	q.version = r->cfg.version;
	if (group) {
		/* §4.1.4 / RFC 2236 §2.4: specific queries go to the group itself. */
		addr_make(r, &q.group, group);
		dst = q.group;
	} else {
		mgm_addr_any(&q.group, r->family);
		dst = r->fam->all_systems; /* RFC 3376 §4.1.12, RFC 3810 §5.1.15 */
	}
	q.max_resp_code = mgm_max_resp_code(r->family, q.version, max_resp_ms);
	q.suppress = suppress;
	/* §4.1.6: a Robustness Variable above 7 is sent as 0. */
	q.qrv = r->rv <= 7 ? r->rv : 0;
	q.qqic = mgm_code8_encode(r->qi_ms / 1000);
	q.num_sources = nsrc;
	q.sources = sources;
	err = mgm_encode_query(r->family, &q, &r->addr, &dst, r->qbuf, r->qbuf_len, &len);
	if (err) {
		mgm_rtr_log(r, MGM_LOG_ERR, "cannot encode query: %s", mgm_strerror(err));
		return;
	}
	if (kind == Q_GENERAL)
		r->ctr.tx_general_queries[q.version - 1]++;
	else if (kind == Q_GROUP)
		r->ctr.tx_group_queries[q.version - 1]++;
	else
		r->ctr.tx_group_source_queries[q.version - 1]++;
	if (r->cb.send)
		r->cb.send(r->cb.ctx, &dst, r->qbuf, len);
}

static void send_general_query(struct mgm_router *r)
{
	send_query(r, NULL, false, NULL, 0, r->cfg.query_response_interval_ms, Q_GENERAL);
}

/* ---- Election and the general query schedule: the querier state machine ----------------- */

/*
 * The querier role as a table (RFC 3376 §6.6.2, RFC 3810 §7.6.2), in the style of the group
 * table of router_group.c: states, events, one row per (state, event) that does something, and
 * enter_state(), the one place that sets up what a state needs. A (state, event) pair with no
 * row is ignored. Rows whose outcome depends on the router (is it eligible, is its address the
 * lower) name QS_DECIDE and let their action choose among the states the row comment lists.
 */
static const char *const state_name[QS__COUNT] = {
	[QS_STOPPED] = "STOPPED",
	[QS_QUERIER] = "QUERIER",
	[QS_NON_QUERIER] = "NON_QUERIER",
};

static const char *const event_name[QE__COUNT] = {
	[QE_START] = "START",
	[QE_STOP] = "STOP",
	[QE_LOWER_QUERY_HEARD] = "LOWER_QUERY_HEARD",
	[QE_OTHER_QUERIER_TIMEOUT] = "OTHER_QUERIER_TIMEOUT",
	[QE_GENERAL_QUERY_TIMER] = "GENERAL_QUERY_TIMER",
	[QE_ADDRESS_CHANGED] = "ADDRESS_CHANGED",
};

#define QS_DECIDE QS__COUNT

/* What an event carries: the query heard (LOWER_QUERY_HEARD). */
struct q_event {
	const struct mgm_ip_info *ip;
	const struct mgm_msg *m;
};

/*
 * The election's order (router.h): IPv4 addresses numerically (RFC 3376 §6.6.2); IPv6 by the
 * interface ID, the last 64 bits of the link-local address (RFC 3810 §7.6.2). Negative when a
 * is the lower.
 */
static int election_cmp(const struct mgm_router *r, const struct mgm_addr *a,
			const struct mgm_addr *b)
{
	if (r->family == MGM_INET6)
		return memcmp(a->octets + 8, b->octets + 8, 8);
	return memcmp(a->octets, b->octets, 4);
}

static bool eligible(const struct mgm_router *r)
{
	return r->cfg.querier && r->have_addr;
}

/* The Robustness Variable and Query Interval of the router's own configuration. */
static void own_variables(struct mgm_router *r)
{
	r->rv = r->cfg.robustness;
	r->qi_ms = r->cfg.query_interval_ms;
}

/*
 * Enters a state from another one and resets exactly what the state needs.
 *   STOPPED:     nothing runs; no querier known, no older querier heard, own variables.
 *   QUERIER:     this router is the querier with its own variables; it queries now, then at
 *                the startup spacing after a start or a new address (§8.6, §8.7), at the
 *                Query Interval when taking over from a silent or higher querier.
 *   NON_QUERIER: no queries of its own; the querier, its variables and the Other Querier
 *                Present timer are the event's to set (a query heard, or none known).
 */
static void enter_state(struct mgm_router *r, int64_t now, uint8_t next, bool startup)
{
	char as[MGM_ADDRSTRLEN];

	r->qstate = next;
	switch (next) {
	case QS_STOPPED:
		mgm_addr_any(&r->querier_addr, r->family);
		r->other_querier_at = r->general_query_at = MGM_TIME_NEVER;
		r->startup_left = 0;
		r->older_querier_at[0] = r->older_querier_at[1] = MGM_TIME_NEVER;
		r->older_warned = false;
		own_variables(r);
		break;
	case QS_QUERIER:
		r->querier_addr = r->addr;
		r->other_querier_at = MGM_TIME_NEVER;
		own_variables(r);
		r->ctr.querier_elected++;
		mgm_rtr_log(r, MGM_LOG_INFO, "querier: this router (%s) is the querier",
			    mgm_addr_str(&r->addr, as));
		send_general_query(r);
		r->startup_left = startup && mgm_rtr_sqc(r) > 1 ? (uint8_t)(mgm_rtr_sqc(r) - 1) : 0;
		r->general_query_at = now + (r->startup_left ? mgm_rtr_sqi(r) : r->qi_ms);
		break;
	case QS_NON_QUERIER:
		r->general_query_at = MGM_TIME_NEVER;
		r->startup_left = 0;
		break;
	default:
		MGM_ASSERT(0);
	}
}

/* START: §6.6.2, every router starts as the querier; one that may not query waits. */
static uint8_t act_start(struct mgm_router *r, int64_t now, const struct q_event *ev, bool *startup)
{
	(void)now;
	(void)ev;
	return eligible(r) ? QS_QUERIER : QS_NON_QUERIER;
}

/* LOWER_QUERY_HEARD: §6.6.2, a query from a lower address (or any query while this router
 * has none) makes its sender the querier and (re)starts the Other Querier Present timer. */
static uint8_t act_lower_query(struct mgm_router *r, int64_t now, const struct q_event *ev,
			       bool *startup)
{
	char as[MGM_ADDRSTRLEN];

	if (r->qstate == QS_QUERIER) {
		r->ctr.querier_lost++;
		mgm_rtr_log(r, MGM_LOG_INFO, "querier: yielding to %s",
			    mgm_addr_str(&ev->ip->src, as));
	}
	r->querier_addr = ev->ip->src;
	/* §4.1.6, §4.1.7 (RFC 3810 §5.1.8, §5.1.9): a non-querier adopts the querier's QRV and
	 * QQI; zero means our own value. */
	if (ev->m->version == r->fam->top_version) {
		r->rv = ev->m->qrv ? ev->m->qrv : r->cfg.robustness;
		r->qi_ms = ev->m->qqi ? ev->m->qqi * 1000 : r->cfg.query_interval_ms;
	}
	r->other_querier_at = now + mgm_rtr_oqpi(r);
	return QS_NON_QUERIER;
}

/* OTHER_QUERIER_TIMEOUT: §6.6.2, the querier went silent; the role comes back (QUERIER), or,
 * for a router that may not query, the link has no querier known (NON_QUERIER). */
static uint8_t act_other_querier_timeout(struct mgm_router *r, int64_t now,
					 const struct q_event *ev, bool *startup)
{
	(void)now;
	(void)ev;
	r->other_querier_at = MGM_TIME_NEVER;
	mgm_addr_any(&r->querier_addr, r->family);
	own_variables(r);
	mgm_rtr_log(r, MGM_LOG_INFO, "querier: Other Querier Present timer expired");
	return eligible(r) ? QS_QUERIER : QS_NON_QUERIER;
}

/* GENERAL_QUERY_TIMER: §6.6.2, §8.6, §8.7: the next general query, at the startup spacing
 * while startup queries are left. */
static uint8_t act_general_query(struct mgm_router *r, int64_t now, const struct q_event *ev,
				 bool *startup)
{
	(void)ev;
	send_general_query(r);
	if (r->startup_left)
		r->startup_left--;
	r->general_query_at = now + (r->startup_left ? mgm_rtr_sqi(r) : r->qi_ms);
	return QS_QUERIER;
}

/* ADDRESS_CHANGED (the address appeared, changed or went, or the querier option changed):
 * QUERIER stays while it may query, under its new address; NON_QUERIER takes the role when
 * nobody else queries or its new address is the lower (the querier's next query decides). */
static uint8_t act_readdress(struct mgm_router *r, int64_t now, const struct q_event *ev,
			     bool *startup)
{
	(void)now;
	(void)ev;
	if (!eligible(r)) {
		if (r->qstate == QS_QUERIER)
			mgm_addr_any(&r->querier_addr, r->family);
		return QS_NON_QUERIER;
	}
	if (r->qstate == QS_QUERIER) {
		r->querier_addr = r->addr;
		return QS_QUERIER;
	}
	/* A fresh start when nobody else queries; against a known querier the election goes on
	 * at the Query Interval. */
	*startup = r->other_querier_at == MGM_TIME_NEVER;
	if (*startup || election_cmp(r, &r->addr, &r->querier_addr) < 0)
		return QS_QUERIER;
	return QS_NON_QUERIER;
}

struct q_row {
	uint8_t state, event, next; /* next: QS_DECIDE when the action chooses */
	/* Returns the next state; may change *startup, the row's own column by default. */
	uint8_t (*action)(struct mgm_router *r, int64_t now, const struct q_event *ev,
			  bool *startup);
	/* Entering QUERIER from this row starts with the startup queries. */
	bool startup;
};

static const struct q_row querier_fsm[] = {
	/* STOPPED + START -> QUERIER (eligible) | NON_QUERIER */
	{QS_STOPPED, QE_START, QS_DECIDE, act_start, true},
	/* QUERIER + GENERAL_QUERY_TIMER -> QUERIER; send a general query */
	{QS_QUERIER, QE_GENERAL_QUERY_TIMER, QS_QUERIER, act_general_query, false},
	/* QUERIER + LOWER_QUERY_HEARD -> NON_QUERIER; adopt QRV, QQI; start OQPT */
	{QS_QUERIER, QE_LOWER_QUERY_HEARD, QS_NON_QUERIER, act_lower_query, false},
	/* NON_QUERIER + LOWER_QUERY_HEARD -> NON_QUERIER; adopt QRV, QQI; restart OQPT */
	{QS_NON_QUERIER, QE_LOWER_QUERY_HEARD, QS_NON_QUERIER, act_lower_query, false},
	/* NON_QUERIER + OTHER_QUERIER_TIMEOUT -> QUERIER (eligible) | NON_QUERIER */
	{QS_NON_QUERIER, QE_OTHER_QUERIER_TIMEOUT, QS_DECIDE, act_other_querier_timeout, false},
	/* QUERIER + ADDRESS_CHANGED -> QUERIER (eligible) | NON_QUERIER */
	{QS_QUERIER, QE_ADDRESS_CHANGED, QS_DECIDE, act_readdress, false},
	/* NON_QUERIER + ADDRESS_CHANGED -> QUERIER (eligible, no other querier or a higher one)
	 * | NON_QUERIER; startup queries only when no other querier is known */
	{QS_NON_QUERIER, QE_ADDRESS_CHANGED, QS_DECIDE, act_readdress, true},
	/* QUERIER, NON_QUERIER + STOP -> STOPPED */
	{QS_QUERIER, QE_STOP, QS_STOPPED, NULL, false},
	{QS_NON_QUERIER, QE_STOP, QS_STOPPED, NULL, false},
};

/* Runs one event through the table; a pair without a row changes nothing. */
static void querier_fsm_run(struct mgm_router *r, int64_t now, uint8_t event,
			    const struct q_event *ev)
{
	const struct q_row *row = NULL;
	uint8_t from = r->qstate, next;
	bool startup;

	for (size_t i = 0; i < sizeof(querier_fsm) / sizeof(querier_fsm[0]); i++)
		if (querier_fsm[i].state == from && querier_fsm[i].event == event) {
			row = &querier_fsm[i];
			break;
		}
	if (!row)
		return;
	startup = row->startup;
	next = row->action ? row->action(r, now, ev, &startup) : row->next;
	MGM_ASSERT(row->next == QS_DECIDE || next == row->next);
	if (next != from) {
		mgm_rtr_log(r, MGM_LOG_DEBUG, "querier: %s + %s -> %s (%s %s)", state_name[from],
			    event_name[event], state_name[next], r->fam->rfc,
			    r->fam->section[MGM_RULE_QUERIER_ELECTION]);
		enter_state(r, now, next, startup);
	}
}

void mgm_rtr_querier_init(struct mgm_router *r)
{
	enter_state(r, 0, QS_STOPPED, false);
}

const char *mgm_rtr_querier_state_name(uint8_t state)
{
	return state < QS__COUNT ? state_name[state] : "unknown";
}

void mgm_rtr_querier_start(struct mgm_router *r, int64_t now)
{
	querier_fsm_run(r, now, QE_START, NULL);
}

void mgm_rtr_querier_stop(struct mgm_router *r, int64_t now)
{
	querier_fsm_run(r, now, QE_STOP, NULL);
}

void mgm_rtr_querier_readdress(struct mgm_router *r, int64_t now)
{
	querier_fsm_run(r, now, QE_ADDRESS_CHANGED, NULL);
}

void mgm_rtr_querier_timers(struct mgm_router *r, int64_t now)
{
	/* The Older Version Querier Present timers only feed the status and the warning's rate
	 * limit: their expiry changes nothing else (§7.3.1). */
	for (int i = 0; i < MGM_OLDER_VERSIONS; i++)
		if (r->older_querier_at[i] <= now)
			r->older_querier_at[i] = MGM_TIME_NEVER;
	if (r->qstate == QS_NON_QUERIER && r->other_querier_at <= now)
		querier_fsm_run(r, now, QE_OTHER_QUERIER_TIMEOUT, NULL);
	if (r->qstate == QS_QUERIER && r->general_query_at <= now)
		querier_fsm_run(r, now, QE_GENERAL_QUERY_TIMER, NULL);
}

int64_t mgm_rtr_querier_deadline(const struct mgm_router *r)
{
	int64_t d = r->general_query_at;

	if (r->other_querier_at < d)
		d = r->other_querier_at;
	for (int i = 0; i < 2; i++)
		if (r->older_querier_at[i] < d)
			d = r->older_querier_at[i];
	return d;
}

/* §6.6.1 (RFC 3810 §7.6.1): a query with S clear lowers the timers it names. A router of
 * RFC 2236 §3 / RFC 2710 §4 (configured IGMPv2 / MLDv1) lowers to LMQC times the query's Max
 * Response Time instead. */
static void lower_on_query(struct mgm_router *r, int64_t now, const struct mgm_msg *m)
{
	uint32_t gi = mgm_rtr_group_find(r, m->group.octets);
	int64_t ms;

	if (gi == MGM_NIL)
		return;
	if (r->cfg.version == r->fam->top_version)
		ms = mgm_rtr_lmqt(r);
	else
		ms = (int64_t)mgm_rtr_lmqc(r) * m->max_resp_ms;
	if (m->num_sources == 0) {
		mgm_rtr_lower_group(r, now, gi, ms);
		return;
	}
	for (uint16_t i = 0; i < m->num_sources; i++) {
		uint32_t si = mgm_rtr_source_find(r, gi, m->sources + (size_t)i * r->alen);

		if (si != MGM_NIL)
			mgm_rtr_lower_source(r, now, si, ms);
	}
}

/* At most one version warning per Older Version Querier Present Interval, whichever way the
 * versions differ. */
static void version_warning(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			    const struct mgm_msg *m)
{
	char as[MGM_ADDRSTRLEN];

	if (r->older_warned && now < r->older_warn_next)
		return;
	r->older_warned = true;
	r->older_warn_next = now + mgm_rtr_ohpi(r);
	mgm_rtr_log(r, MGM_LOG_WARN,
		    "%s%u querier %s on a link configured for %s%u: configure every router for "
		    "the lowest version present (%s %s)",
		    r->fam->version_prefix, (unsigned)m->version, mgm_addr_str(&ip->src, as),
		    r->fam->version_prefix, (unsigned)r->cfg.version, r->fam->rfc,
		    r->fam->section[MGM_RULE_COMPAT_ROUTER]);
}

/*
 * §7.3.1 (RFC 3810 §8.3.1, unchanged in RFC 9776 §7.3.1): a router configured newer that hears
 * an older version query SHOULD log a warning, rate-limited. The link's version stays the
 * configured one: it is the administrator's to set (the older router cannot hear our queries,
 * so following it silently would hide the misconfiguration from half the link). The query
 * still takes part in the election by address below. Only general queries (and IGMPv1 ones)
 * are warned about, as the RFC words it; every older query is counted and refreshes the
 * Older Version Querier Present timer reported in the status.
 */
static void older_querier(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			  const struct mgm_msg *m, bool general)
{
	r->ctr.rx_older_queries++;
	r->older_querier_at[m->version - 1] = now + mgm_rtr_ohpi(r);
	/* An IGMPv1 query is general by definition: it has no other kind. */
	if (!general && mgm_family_caps(r->fam, m->version)->group_query)
		return;
	version_warning(r, now, ip, m);
}

/*
 * The other way round, same sections: a router configured for IGMPv1 SHOULD warn on hearing an
 * IGMPv2 or IGMPv3 query, one configured for IGMPv2 (MLDv1) on an IGMPv3 (MLDv2) query, the
 * warnings rate-limited. Counted; the query takes part in the election as any other.
 */
static void newer_querier(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			  const struct mgm_msg *m)
{
	r->ctr.rx_newer_queries++;
	version_warning(r, now, ip, m);
}

/*
 * Whether a query comes from the link's querier as this router sees it (§6.6.2, RFC 3810
 * §7.6.2): one from a lower address than its own, for a router that may query; for one that
 * never does (querier off, or no address) the lowest querier heard, which it follows as a
 * non-querier (§4.1.6, §4.1.7: QRV, QQI) whatever its own address.
 */
static bool query_from_querier(const struct mgm_router *r, const struct mgm_ip_info *ip)
{
	if (eligible(r))
		return election_cmp(r, &ip->src, &r->addr) < 0;
	return r->other_querier_at == MGM_TIME_NEVER ||
	       election_cmp(r, &ip->src, &r->querier_addr) <= 0;
}

void mgm_rtr_querier_input(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			   const struct mgm_msg *m)
{
	bool general = mgm_addr_is_any(&m->group);

	if (m->version < r->cfg.version)
		older_querier(r, now, ip, m, general);
	else if (m->version > r->cfg.version)
		newer_querier(r, now, ip, m);
	/* §6.6.2: the lowest address wins (RFC 3810 §7.6.2: the lowest interface ID). */
	if (query_from_querier(r, ip)) {
		struct q_event ev = {.ip = ip, .m = m};

		querier_fsm_run(r, now, QE_LOWER_QUERY_HEARD, &ev);
	}
	if (!general && !m->suppress)
		lower_on_query(r, now, m);
}

/* ---- Group and group-and-source-specific queries (§6.6.3) ---------------------------------- */

bool mgm_rtr_can_query_sources(const struct mgm_router *r)
{
	/* Q(G,S) exists only in IGMPv3 / MLDv2: below, the row's query (and its lowering) is
	 * left out and the sources run out on their own timers. */
	return r->qstate == QS_QUERIER && mgm_family_caps(r->fam, r->cfg.version)->source_query;
}

bool mgm_rtr_query_group(struct mgm_router *r, int64_t now, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);

	/* IGMPv1 has no group-specific query (RFC 1112); non-queriers wait for the querier's. */
	if (r->qstate != QS_QUERIER || !mgm_family_caps(r->fam, r->cfg.version)->group_query)
		return false;
	/* §6.6.3.1: lower the group timer to LMQT, send now, LMQC - 1 retransmissions. */
	mgm_rtr_lower_group(r, now, gi, mgm_rtr_lmqt(r));
	g->rtx_left = mgm_rtr_lmqc(r);
	return true;
}

/* Sends the sources with retransmission state whose timer is above LMQT (high) or not, in
 * packets that fit the MTU; counts each source's transmission. Returns sources still due. */
static uint32_t send_source_list(struct mgm_router *r, int64_t now, uint32_t gi, bool high,
				 bool transmit)
{
	struct mgm_group *g = grp(r, gi);
	int64_t limit = now + mgm_rtr_lmqt(r);
	uint32_t n = 0, pending = 0;

	for (uint32_t si = g->src_head; si != MGM_NIL; si = src(r, si)->next) {
		struct mgm_source *s = src(r, si);

		if (!s->rtx_left || (s->flags & SF_DOOMED))
			continue;
		if ((mgm_rtr_source_deadline(r, s) > limit) != high)
			continue;
		s->rtx_left--;
		if (s->rtx_left)
			pending++;
		if (!transmit)
			continue;
		addr_make(r, &r->qsrc[n++], s->addr);
		if (n == r->qsrc_max) {
			send_query(r, g->addr, high, r->qsrc, (uint16_t)n,
				   r->cfg.last_member_query_interval_ms, Q_GROUP_SOURCE);
			n = 0;
		}
	}
	if (n)
		send_query(r, g->addr, high, r->qsrc, (uint16_t)n,
			   r->cfg.last_member_query_interval_ms, Q_GROUP_SOURCE);
	return pending;
}

void mgm_rtr_query_flush(struct mgm_router *r, int64_t now, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);
	int64_t lmqt = mgm_rtr_lmqt(r);
	bool sent_group = false;
	uint32_t pending = 0;

	if (r->qstate != QS_QUERIER) {
		/* The role went to another router: its queries take over. */
		g->rtx_left = 0;
		for (uint32_t si = g->src_head; si != MGM_NIL; si = src(r, si)->next)
			src(r, si)->rtx_left = 0;
		g->deadline[MGM_GT_RETRANSMIT] = MGM_TIME_NEVER;
		return;
	}
	if (g->rtx_left && !mgm_family_caps(r->fam, r->cfg.version)->group_query) {
		/* Reconfigured for IGMPv1 with retransmissions due: IGMPv1 has no group-specific
		 * query (RFC 1112). */
		g->rtx_left = 0;
	}
	if (g->rtx_left) {
		/* §6.6.3.1: S set while the group timer is above LMQT (a report came in). */
		bool s = g->mode == MGM_EXCLUDE && g->deadline[MGM_GT_GROUP] > now + lmqt;

		if (s && !mgm_family_caps(r->fam, r->cfg.version)->source_query) {
			/* No S flag before IGMPv3 / MLDv2: a member answered, which ends the
			 * last-member queries (RFC 2236 §7, RFC 2710 §6). */
			g->rtx_left = 0;
		} else {
			send_query(r, g->addr, s, NULL, 0, r->cfg.last_member_query_interval_ms,
				   Q_GROUP);
			g->rtx_left--;
			sent_group = true;
		}
	}
	if (!mgm_rtr_can_query_sources(r)) {
		for (uint32_t si = g->src_head; si != MGM_NIL; si = src(r, si)->next)
			src(r, si)->rtx_left = 0;
	} else {
		/* §6.6.3.2: two queries, S clear for sources at or below LMQT, S set for those
		 * above. The S-set one may be left out when Q(G) goes at the same time. */
		pending += send_source_list(r, now, gi, false, true);
		pending += send_source_list(r, now, gi, true, !sent_group);
	}
	g = grp(r, gi);
	g->deadline[MGM_GT_RETRANSMIT] = (g->rtx_left || pending)
						 ? now + r->cfg.last_member_query_interval_ms
						 : MGM_TIME_NEVER;
	mgm_rtr_group_rearm(r, gi, false);
}
