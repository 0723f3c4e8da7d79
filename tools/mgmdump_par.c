/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A mapped classic pcap file read by several threads. The record headers are walked in order
 * under a lock, which cuts the file into chunks of whole records; each thread decodes and
 * prints a chunk into a held buffer of its own, and the buffers are written in file order, so
 * the output is byte for byte what one thread prints. Frame numbers come from the walk.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mgmdump.h"

/* A chunk: enough work to make the lock rare, small enough to stay in a core's cache. */
#define CHUNK_RECORDS 1024
#define CHUNK_OCTETS  (128u * 1024)
/* How far ahead of the walk the file is fetched into the cache, and how far ahead its pages are
 * mapped in. */
#define PREFETCH_AHEAD 4096
#define POPULATE_AHEAD (8 * CHUNK_OCTETS)
/* The pages of the chunks written are unmapped in pieces of this size. */
#define UNMAP_STEP (16u << 20)
/* Below this size a file is done before a thread has started. */
#define PAR_MIN_FILE	(4u << 20)
#define PAR_MAX_THREADS 8
/*
 * Held buffers, made as needed: with threads running side by side a few are enough, but a
 * thread the scheduler sets aside for a while holds up the output of the chunks after its
 * own, and the others go on only as far as there are buffers for them.
 */
#define MAX_SLOTS     64
#define SLOT_BUF_SIZE (256u * 1024)

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_DONE };

struct slot {
	_Alignas(64) enum slot_state state;
	uint64_t chunk;	    /* its index in file order */
	const uint8_t *end; /* where its records end in the mapping */
	struct dump_out out;
};

struct par {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Under lock: */
	struct dump_pcap *pc; /* the walk: where the next chunk starts */
	bool walk_end;	      /* the walk met the end or a damaged record (pc->err) */
	int walk_rc;	      /* what dump_pcap_next() said last: 0 or -1 */
	uint64_t next_chunk;  /* index the next chunk gets */
	uint64_t next_write;  /* index of the chunk whose output goes next */
	bool writing;	      /* a thread is writing a chunk's output */
	uintptr_t mapped_to;  /* the mapping is populated up to here (page aligned) */
	struct slot slots[MAX_SLOTS];
	size_t nslots; /* made so far */
	/* Touched by the writing thread only: */
	struct dump_out *sink;
	uintptr_t unmapped_to; /* the mapping is gone up to here (page aligned) */
};

/* Aligned to a cache line: each thread writes its own counters and output cursor for every
 * message, and must not pull the next thread's out of that thread's cache. */
struct worker {
	_Alignas(64) struct par *par;
	struct dump_proc proc; /* settings of the run, own counts and clock cache */
	pthread_t thread;
};

/*
 * Threads busy elsewhere on the system now: /proc/loadavg's fourth field counts the runnable
 * threads of the whole system, this one included. A thread started on a CPU that something
 * else keeps busy does not make mgmdump faster: it gets a share of that CPU, and the output,
 * which waits for every chunk in file order, goes at the pace of the slowest thread.
 */
static unsigned busy_elsewhere(void)
{
	unsigned running = 1, total;
	double avg[3];
	FILE *f;

	f = fopen("/proc/loadavg", "re");
	if (!f)
		return 0;
	if (fscanf(f, "%lf %lf %lf %u/%u", &avg[0], &avg[1], &avg[2], &running, &total) != 5)
		running = 1;
	fclose(f);
	return running > 1 ? running - 1 : 0;
}

unsigned dump_par_threads(const struct dump_pcap *pc)
{
	unsigned n, busy;
	cpu_set_t set;

	if (!pc->map || pc->len - pc->pos < PAR_MIN_FILE)
		return 1;
	if (sched_getaffinity(0, sizeof(set), &set) != 0 || CPU_COUNT(&set) < 2)
		return 1;
	n = (unsigned)CPU_COUNT(&set);
	busy = busy_elsewhere();
	n = busy < n ? n - busy : 1;
	return n > PAR_MAX_THREADS ? PAR_MAX_THREADS : n;
}

/* A free held buffer, made when there is none and the limit allows; NULL when it does not. */
static struct slot *free_slot(struct par *p)
{
	struct slot *s;
	char *buf;
	size_t i;

	for (i = 0; i < p->nslots; i++) {
		if (p->slots[i].state == SLOT_FREE)
			return &p->slots[i];
	}
	if (p->nslots == MAX_SLOTS)
		return NULL;
	buf = malloc(SLOT_BUF_SIZE);
	if (!buf)
		return NULL;
	s = &p->slots[p->nslots++];
	s->state = SLOT_FREE;
	dump_out_init(&s->out, DUMP_OUT_HOLD, buf, SLOT_BUF_SIZE);
	return s;
}

/*
 * Cuts the next chunk off the walk into *view (a copy of the reader limited to the chunk), under
 * lock. False when nothing is left. The walk checks every record header, so walking the view
 * again cannot fail.
 */
static bool cut_chunk(struct par *p, struct dump_pcap *view)
{
	struct dump_frame f;
	size_t start;
	int n, rc = 1;

	if (p->walk_end)
		return false;
	*view = *p->pc;
	start = p->pc->pos;
	for (n = 0; n < CHUNK_RECORDS && p->pc->pos - start < CHUNK_OCTETS; n++) {
		/* Each header's place depends on the one before: without fetching ahead, the walk
		 * waits for memory at every record. */
		if (p->pc->len - p->pc->pos > PREFETCH_AHEAD)
			__builtin_prefetch(p->pc->data + p->pc->pos + PREFETCH_AHEAD);
		rc = dump_pcap_next(p->pc, &f);
		if (rc <= 0)
			break;
	}
	if (rc <= 0) {
		p->walk_end = true;
		p->walk_rc = rc;
	}
	view->len = p->pc->pos;
	return n > 0;
}

static uintptr_t page_down(uintptr_t a)
{
	return a & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);
}

/*
 * Tearing the page tables down costs as much again as filling them in: left to the end, one
 * thread would do it while the others wait to exit. So the pages of the chunks written so far
 * go in large pieces; no thread reads them any more (the page at the edge of the next chunk
 * stays).
 */
static void unmap_behind(struct par *p, const uint8_t *written_to)
{
	uintptr_t to = page_down((uintptr_t)written_to);

	if (to - p->unmapped_to < UNMAP_STEP)
		return;
	munmap((void *)p->unmapped_to, to - p->unmapped_to);
	p->unmapped_to = to;
}

/* Writes the finished chunks that are next in file order; one thread at a time, under lock
 * except for the writes themselves. */
static void write_ready(struct par *p)
{
	struct slot *s;
	size_t i;

	while (!p->writing) {
		s = NULL;
		for (i = 0; i < p->nslots; i++) {
			if (p->slots[i].state == SLOT_DONE && p->slots[i].chunk == p->next_write)
				s = &p->slots[i];
		}
		if (!s)
			return;
		p->writing = true;
		pthread_mutex_unlock(&p->lock);
		dump_out_pass(p->sink, &s->out);
		unmap_behind(p, s->end);
		pthread_mutex_lock(&p->lock);
		p->writing = false;
		s->state = SLOT_FREE;
		p->next_write++;
		pthread_cond_broadcast(&p->cond);
	}
}

/*
 * Filling in the page tables of a mapping costs about a tenth of the decoding: done up front by
 * one thread it would hold up the others, and done by page faults in the walk it would happen
 * under the lock. So each thread, as it takes a chunk, maps in the pages some way ahead of the
 * walk (under lock: which pages; outside: the work).
 */
static void populate_ahead(struct par *p, uintptr_t *from, uintptr_t *to)
{
	uintptr_t end = (uintptr_t)p->pc->map + p->pc->map_len;
	uintptr_t want = (uintptr_t)(p->pc->data + p->pc->pos) + POPULATE_AHEAD;

	*from = *to = p->mapped_to;
	if (want > end)
		want = end;
	if (want > p->mapped_to) {
		*to = want;
		p->mapped_to = want;
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct par *p = w->par;
	struct dump_pcap view;
	struct dump_frame f;
	struct slot *s;
	uintptr_t from, to;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		/* A buffer first, then a chunk: a chunk cut is always printed, so the chunk
		 * everyone waits for never waits for a buffer. Without memory for a first buffer,
		 * a thread stops; the others go on. */
		while (!(s = free_slot(p)) && !p->walk_end && p->nslots > 0)
			pthread_cond_wait(&p->cond, &p->lock);
		if (!s || !cut_chunk(p, &view))
			break;
		s->state = SLOT_FILLING;
		s->chunk = p->next_chunk++;
		s->end = view.data + view.len;
		populate_ahead(p, &from, &to);
		pthread_mutex_unlock(&p->lock);

		if (to > from)
			madvise((void *)from, to - from, MADV_POPULATE_READ);
		w->proc.out = s->out;
		while (dump_pcap_next(&view, &f) > 0)
			dump_frame(&w->proc, &f);
		s->out = w->proc.out;

		pthread_mutex_lock(&p->lock);
		s->state = SLOT_DONE;
		write_ready(p);
	}
	/* Whoever is writing writes what is still done; wake those waiting for a buffer. */
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int dump_par_run(struct dump_pcap *pc, struct dump_proc *proto, unsigned n)
{
	static struct par par;
	static struct worker workers[PAR_MAX_THREADS];
	struct par *p = &par;
	struct dump_frame f;
	unsigned i, started;
	int rc;

	if (n > PAR_MAX_THREADS)
		n = PAR_MAX_THREADS;
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->pc = pc;
	p->sink = &proto->out;
	p->mapped_to = page_down((uintptr_t)(pc->data + pc->pos));
	p->unmapped_to = (uintptr_t)pc->map;
	for (i = 0; i < n; i++) {
		workers[i].par = p;
		workers[i].proc = *proto;
		memset(&workers[i].proc.n, 0, sizeof(workers[i].proc.n));
	}
	/* The first thread is this one; the others start as they can. */
	started = 1;
	for (i = 1; i < n; i++) {
		if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0)
			break;
		started++;
	}
	work(&workers[0]);
	for (i = 1; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	for (i = 0; i < started; i++)
		dump_counts_add(&proto->n, &workers[i].proc.n);
	for (i = 0; i < p->nslots; i++)
		free(p->slots[i].out.buf);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	rc = p->walk_rc;
	/* No memory for any held buffer: whatever is left, one thread straight to the output. */
	if (!p->walk_end) {
		while ((rc = dump_pcap_next(pc, &f)) > 0)
			dump_frame(proto, &f);
	}
	return rc;
}
