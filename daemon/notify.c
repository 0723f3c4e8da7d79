/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sd_notify's datagram protocol (notify.h): a fresh SOCK_DGRAM socket per message, so that
 * nothing stays open between the rare calls and nothing is inherited.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

/* The address $NOTIFY_SOCKET names: its length, 0 when there is none to use, -ENAMETOOLONG. */
static int notify_address(struct sockaddr_un *sun)
{
	const char *name = getenv("NOTIFY_SOCKET");
	size_t len;

	if (!name || (name[0] != '/' && name[0] != '@'))
		return 0; /* unset, or a kind mgmd does not speak (vsock:) */
	len = strlen(name);
	if (len < 2)
		return 0;
	/* A path needs room for its NUL, an abstract name has its '@' replaced by one. */
	if (len > sizeof(sun->sun_path) - (name[0] == '/'))
		return -ENAMETOOLONG;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, name, len);
	if (name[0] == '@') {
		/* An abstract name: a leading NUL, and the length says where it ends. */
		sun->sun_path[0] = '\0';
		return (int)(offsetof(struct sockaddr_un, sun_path) + len);
	}
	return (int)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

int mgmd_notify(const char *state)
{
	struct sockaddr_un sun;
	int alen = notify_address(&sun);
	ssize_t n;
	int fd, err = 0;

	if (alen <= 0)
		return alen;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun,
		   (socklen_t)alen);
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}
