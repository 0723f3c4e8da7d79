/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmdump --json: one JSON object per IGMP/MLD message, with the field names documented in
 * doc/mgmdump.1 (they are an interface: scripts and tests/netns/compare.py read them). The
 * fields are those of RFC 3376 §4 and RFC 3810 §5 as libmgm decoded them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mgmdump.h"

/* json-c reports running out of memory by returning NULL or -1; like a held output buffer that
 * cannot grow (dump_out), that ends the program: a message printed without some of its fields
 * would be worse than none. */
static _Noreturn void out_of_memory(void)
{
	fputs("mgmdump: out of memory formatting JSON\n", stderr);
	exit(1);
}

static struct json_object *need(struct json_object *v)
{
	if (!v)
		out_of_memory();
	return v;
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	if (json_object_object_add(o, key, need(v)) != 0)
		out_of_memory();
}

static void append(struct json_object *arr, struct json_object *v)
{
	if (json_object_array_add(arr, need(v)) != 0)
		out_of_memory();
}

static void add_int(struct json_object *o, const char *key, int64_t v)
{
	add(o, key, json_object_new_int64(v));
}

static void add_str(struct json_object *o, const char *key, const char *v)
{
	add(o, key, json_object_new_string(v));
}

static void add_addr(struct json_object *o, const char *key, const struct mgm_addr *a)
{
	char buf[MGM_ADDRSTRLEN];

	add_str(o, key, mgm_addr_str(a, buf));
}

static struct json_object *source_list(const uint8_t *sources, uint8_t family, size_t n)
{
	struct json_object *arr = need(json_object_new_array_ext((int)n));
	char buf[MGM_ADDRSTRLEN];
	struct mgm_addr a;
	size_t i;

	for (i = 0; i < n; i++) {
		mgm_source_at(sources, family, i, &a);
		append(arr, json_object_new_string(mgm_addr_str(&a, buf)));
	}
	return arr;
}

static void add_query(struct json_object *o, const struct mgm_msg *m)
{
	add_int(o, "max_resp_code", m->max_resp_code);
	add_int(o, "max_resp_ms", m->max_resp_ms);
	if (dump_query_v3(m)) {
		add(o, "s_flag", json_object_new_boolean(m->suppress));
		add_int(o, "qrv", m->qrv);
		add_int(o, "qqic", m->qqic);
		add_int(o, "qqi", m->qqi);
		add(o, "sources", source_list(m->sources, m->family, m->num_sources));
	}
}

static void add_records(struct json_object *o, const struct mgm_msg *m)
{
	struct json_object *arr = need(json_object_new_array_ext(m->num_records));
	struct mgm_record_iter it;
	struct mgm_record rec;
	struct json_object *r;

	mgm_records_begin(m, &it);
	while (mgm_records_next(&it, &rec)) {
		r = need(json_object_new_object());
		add_int(r, "type", rec.type);
		add_str(r, "type_name", mgm_record_type_name(rec.type));
		add_addr(r, "group", &rec.group);
		add_int(r, "aux_words", rec.aux_words);
		add(r, "sources", source_list(rec.sources, m->family, rec.num_sources));
		append(arr, r);
	}
	add_int(o, "num_records", m->num_records);
	add(o, "records", arr);
}

static void add_message(struct json_object *o, const struct mgm_msg *m)
{
	/* A type the RFCs say to ignore has no version. */
	if (m->kind != MGM_MSG_UNKNOWN)
		add_int(o, "version", m->version);
	add_int(o, "type", m->type);
	add_str(o, "kind", mgm_msg_kind_name(m->family, m->kind));
	add_int(o, "len", (int64_t)m->len);
	switch (m->kind) {
	case MGM_MSG_QUERY:
		add_addr(o, "group", &m->group);
		add_query(o, m);
		break;
	case MGM_MSG_REPORT:
		if (m->records)
			add_records(o, m); /* IGMPv3, MLDv2 */
		else
			add_addr(o, "group", &m->group);
		break;
	case MGM_MSG_LEAVE:
		add_addr(o, "group", &m->group);
		break;
	}
}

void dump_json_msg(struct dump_out *o, const struct dump_msg *dm)
{
	struct json_object *obj = need(json_object_new_object());
	struct mgm_addr src, dst;
	const char *text;
	char ts[DUMP_EPOCH_TEXT];

	/* Printed from the integers so the float carries exactly the captured microseconds. */
	dump_epoch_text(dm->ts_sec, dm->ts_usec, ts);
	add(obj, "time", json_object_new_double_s((double)dm->ts_sec + dm->ts_usec / 1e6, ts));
	add_int(obj, "frame", (int64_t)dm->frame);
	add_str(obj, "family", dm->family == MGM_INET6 ? "ipv6" : "ipv4");
	if (dump_msg_addrs(dm, &src, &dst)) {
		add_addr(obj, "src", &src);
		add_addr(obj, "dst", &dst);
	}
	if (dm->ip_valid) {
		add_int(obj, "ttl", dm->ip.hop_limit);
		add_int(obj, "tos", dm->ip.tos);
		add(obj, "router_alert", json_object_new_boolean(dm->ip.router_alert));
		add_str(obj, "protocol", dm->family == MGM_INET6 ? "mld" : "igmp");
	}
	if (dm->err) {
		if (dm->ip_valid && dm->ip.payload_len > 0) {
			add_int(obj, "type", dm->ip.payload[0]);
			add_int(obj, "len", (int64_t)dm->ip.payload_len);
		}
		add_str(obj, "error", mgm_errname(dm->err));
		add_str(obj, "error_message", mgm_strerror(dm->err));
	} else {
		add_message(obj, &dm->msg);
	}
	text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		out_of_memory();
	dump_out_str(o, text);
	dump_out_mem(o, "\n", 1);
	json_object_put(obj);
}
