/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd's control socket: a UNIX stream socket (mode 0660) where mgmctl sends one JSON object per
 * line, {"command": NAME, ...arguments}, and reads one back, {"ok":true,"result":{...}} or
 * {"ok":false,"error":"sentence"}. The server never blocks and bounds what a client can make it
 * hold: 16 clients, 64 KiB per request line, 64 MiB of unread reply, 30 s of idleness.
 */
#ifndef MGMD_CONTROL_H
#define MGMD_CONTROL_H

#include <stddef.h>
#include <stdint.h>

struct json_object;
struct mgmd_loop;
struct mgmd_control;

#define MGMD_CONTROL_MAX_CLIENTS 16
#define MGMD_CONTROL_MAX_LINE	 (64 * 1024)	    /* bytes of one request, newline excluded */
#define MGMD_CONTROL_MAX_OUTPUT	 (64 * 1024 * 1024) /* bytes of reply held for one client */
#define MGMD_CONTROL_IDLE_MS	 30000		    /* a client silent this long is closed */

/* Returns the result object (ownership to the caller; an empty object for "nothing to say") or
 * NULL with a sentence in err. request is the whole request object, borrowed. */
typedef struct json_object *(*mgmd_control_fn)(void *ctx, struct json_object *request, char *err,
					       size_t errlen);

/* Binds path (a stale socket file nobody answers on is replaced; a live one is an error: "another
 * mgmd is running on PATH") and registers with loop. 0, or a negative errno with a sentence in
 * err. */
int mgmd_control_open(struct mgmd_control **out, struct mgmd_loop *loop, const char *path,
		      char *err, size_t errlen);
/* Registers a command name; unknown commands get {"ok":false,"error":"unknown command X"}.
 * 0, -EEXIST when the name is taken, -ENOMEM. */
int mgmd_control_register(struct mgmd_control *c, const char *command, mgmd_control_fn fn,
			  void *ctx);
/* The loop has one timer owner, the daemon: its timer function calls this every wakeup. Closes
 * the clients idle for MGMD_CONTROL_IDLE_MS at now and returns the next deadline (loop clock,
 * ms), INT64_MAX when none. */
int64_t mgmd_control_timer(struct mgmd_control *c, int64_t now);
/* Closes every client and the socket, and unlinks the path (when it is still ours). */
void mgmd_control_close(struct mgmd_control *c);

#endif
