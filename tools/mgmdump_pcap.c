/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmdump's own reader of classic pcap files (tcpdump's format, version 2.4): maps the file, or
 * reads a pipe through one buffer, and walks the records in place, checking every record header
 * against what is left. It yields exactly the frames and time stamps libpcap would; every other
 * file (pcapng, old versions, other link types) goes to libpcap, replayed from its first octet.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/dlt.h>

#include "mgmdump.h"

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
/* LINKTYPE_RAW in files; libpcap maps it to its DLT_RAW. */
#define LINKTYPE_RAW 101
/* The link type in the low 26 bits; the high 6 say things about FCS we do not use. */
#define LINKTYPE_MASK 0x03ffffffu

/* read(): records are walked in this buffer; it holds the largest record and some more. */
#define READ_BUF_SIZE (1u << 20)

static void set_err(struct dump_pcap *pc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct dump_pcap *pc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pc->err, sizeof(pc->err), fmt, ap);
	va_end(ap);
}

static uint64_t offset_of(const struct dump_pcap *pc)
{
	return pc->base + pc->pos;
}

/* read(): makes need octets available from pos. 1: they are; 0: the input ends first
 * (fewer are there); -1: a read error, in err. */
static int fill(struct dump_pcap *pc, size_t need)
{
	ssize_t n;

	if (pc->map || pc->len - pc->pos >= need)
		return pc->len - pc->pos >= need;
	if (pc->pos > 0) {
		memmove(pc->buf, pc->buf + pc->pos, pc->len - pc->pos);
		pc->base += pc->pos;
		pc->len -= pc->pos;
		pc->pos = 0;
	}
	while (pc->len < need && !pc->eof) {
		n = read(pc->fd, pc->buf + pc->len, pc->cap - pc->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			set_err(pc, "%s", strerror(errno));
			return -1;
		}
		if (n == 0)
			pc->eof = true;
		pc->len += (size_t)n;
	}
	return pc->len >= need;
}

/* The mapping of a regular file, or false when it cannot be had (then read() serves). */
static bool map_file(struct dump_pcap *pc, const struct stat *st, off_t start)
{
	void *m;

	if (!S_ISREG(st->st_mode) || st->st_size <= 0 || start < 0 || start > st->st_size ||
	    (uint64_t)st->st_size > SIZE_MAX)
		return false;
	/* Not populated up front: with several threads the page faults are shared out among
	 * them. The file changing size under the mapping is not guarded against; readers of a
	 * capture still being written read it through a pipe. */
	m = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, pc->fd, 0);
	if (m == MAP_FAILED)
		return false;
	madvise(m, (size_t)st->st_size, MADV_SEQUENTIAL);
	pc->map = m;
	pc->map_len = (size_t)st->st_size;
	pc->data = (const uint8_t *)m + start;
	pc->len = pc->map_len - (size_t)start;
	pc->base = (uint64_t)start;
	return true;
}

/* Reads the file header; 1 when it is a classic pcap the walker takes, 0 when not. */
static int read_header(struct dump_pcap *pc)
{
	const uint8_t *h;
	uint32_t magic, snaplen, linktype;
	uint16_t major, minor;
	int rc;

	rc = fill(pc, DUMP_PCAP_FILE_HDR);
	if (rc <= 0)
		return rc;
	h = pc->data + pc->pos;
	pc->big_endian = true;
	magic = dump_pcap_u32(pc, h);
	if (magic != MAGIC_USEC && magic != MAGIC_NSEC) {
		pc->big_endian = false;
		magic = dump_pcap_u32(pc, h);
		if (magic != MAGIC_USEC && magic != MAGIC_NSEC)
			return 0;
	}
	pc->nsec = magic == MAGIC_NSEC;
	major = (uint16_t)(pc->big_endian ? h[4] << 8 | h[5] : h[5] << 8 | h[4]);
	minor = (uint16_t)(pc->big_endian ? h[6] << 8 | h[7] : h[7] << 8 | h[6]);
	/* Version 2.4 only: libpcap reads older files with caplen and len swapped. */
	if (major != 2 || minor != 4)
		return 0;
	snaplen = dump_pcap_u32(pc, h + 16);
	linktype = dump_pcap_u32(pc, h + 20) & LINKTYPE_MASK;
	/* libpcap's linktype_to_dlt() for the types we decode: only raw IP is renumbered. */
	pc->dlt = linktype == LINKTYPE_RAW ? DLT_RAW : (int)linktype;
	if (!dump_dlt_known(pc->dlt))
		return 0;
	/* As libpcap's pcap_adjust_snapshot(): 0 or too large means the maximum. */
	pc->snaplen =
		snaplen == 0 || snaplen > DUMP_PCAP_MAX_CAPLEN ? DUMP_PCAP_MAX_CAPLEN : snaplen;
	pc->pos += DUMP_PCAP_FILE_HDR;
	return 1;
}

int dump_pcap_open(struct dump_pcap *pc, const char *file, enum dump_reader how)
{
	struct stat st;
	off_t start;

	memset(pc, 0, sizeof(*pc));
	if (strcmp(file, "-") == 0) {
		pc->fd = STDIN_FILENO;
	} else {
		pc->fd = open(file, O_RDONLY | O_CLOEXEC);
		if (pc->fd < 0) {
			set_err(pc, "%s", strerror(errno));
			return -1;
		}
		pc->own_fd = true;
	}
	if (fstat(pc->fd, &st) < 0) {
		set_err(pc, "%s", strerror(errno));
		return -1;
	}
	/* Standard input may be a file read partly already: start where it stands. */
	start = lseek(pc->fd, 0, SEEK_CUR);
	if (how != DUMP_READER_READ && map_file(pc, &st, start))
		return read_header(pc);
	if (how == DUMP_READER_MMAP) {
		set_err(pc, "cannot map the file (--reader=mmap)");
		return -1;
	}
	pc->cap = READ_BUF_SIZE + DUMP_PCAP_REC_HDR + DUMP_PCAP_MAX_CAPLEN;
	pc->buf = malloc(pc->cap);
	if (!pc->buf) {
		set_err(pc, "out of memory");
		return -1;
	}
	pc->data = pc->buf;
	pc->base = start > 0 ? (uint64_t)start : 0;
	return read_header(pc);
}

/* fopencookie() read: what the header check read, then the rest of the input. */
static ssize_t replay_read(void *cookie, char *out, size_t n)
{
	struct dump_pcap *pc = cookie;
	size_t have = pc->len - pc->pos;
	ssize_t r;

	if (have > 0) {
		if (n > have)
			n = have;
		memcpy(out, pc->data + pc->pos, n);
		pc->pos += n;
		return (ssize_t)n;
	}
	do {
		r = read(pc->fd, out, n);
	} while (r < 0 && errno == EINTR);
	return r;
}

FILE *dump_pcap_stream(struct dump_pcap *pc)
{
	static const cookie_io_functions_t io = {.read = replay_read};
	FILE *f;

	pc->pos = 0;
	if (pc->map) {
		/* A regular file: libpcap reads it from where it started. */
		munmap(pc->map, pc->map_len);
		pc->map = NULL;
		if (lseek(pc->fd, (off_t)pc->base, SEEK_SET) < 0) {
			set_err(pc, "%s", strerror(errno));
			return NULL;
		}
		f = fdopen(pc->fd, "rb");
		if (f)
			pc->own_fd = false; /* fclose() by pcap_close() closes it */
	} else {
		f = fopencookie(pc, "rb", io);
	}
	if (!f)
		set_err(pc, "%s", strerror(errno));
	return f;
}

void dump_pcap_close(struct dump_pcap *pc)
{
	if (pc->map)
		munmap(pc->map, pc->map_len);
	free(pc->buf);
	if (pc->own_fd)
		close(pc->fd);
	pc->map = NULL;
	pc->buf = NULL;
	pc->own_fd = false;
}

int dump_pcap_next_slow(struct dump_pcap *pc, struct dump_frame *f)
{
	const uint8_t *h;
	uint32_t caplen;
	size_t left;
	int rc;

	rc = fill(pc, DUMP_PCAP_REC_HDR);
	if (rc < 0)
		return -1;
	left = pc->len - pc->pos;
	if (rc == 0) {
		if (left == 0)
			return 0;
		set_err(pc, "truncated record header at offset %" PRIu64 ": %zu of %u octets",
			offset_of(pc), left, DUMP_PCAP_REC_HDR);
		return -1;
	}
	h = pc->data + pc->pos;
	caplen = dump_pcap_u32(pc, h + 8);
	/* libpcap refuses the same records: larger than any snapshot length it allows. */
	if (caplen > DUMP_PCAP_MAX_CAPLEN) {
		set_err(pc,
			"damaged record at offset %" PRIu64 ": captured length %" PRIu32
			" is over the limit of %u",
			offset_of(pc), caplen, DUMP_PCAP_MAX_CAPLEN);
		return -1;
	}
	rc = fill(pc, DUMP_PCAP_REC_HDR + (size_t)caplen);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		set_err(pc,
			"truncated record at offset %" PRIu64 ": %" PRIu32
			" captured octets announced, %zu present",
			offset_of(pc), caplen, pc->len - pc->pos - DUMP_PCAP_REC_HDR);
		return -1;
	}
	h = pc->data + pc->pos;
	dump_pcap_time(pc, h, f);
	f->number = ++pc->frames;
	f->data = h + DUMP_PCAP_REC_HDR;
	/* Longer than the file's snapshot length but within the limit: libpcap hands over the
	 * first snaplen octets and drops the rest, and so do we. */
	f->caplen = caplen < pc->snaplen ? caplen : pc->snaplen;
	pc->pos += DUMP_PCAP_REC_HDR + (size_t)caplen;
	return 1;
}
