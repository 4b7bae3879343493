#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lo/lo.h>

#include "control.h"
#include "util.h"

#define CONTROL_TIMEOUT_MS 3000

static void
runtime_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (xdg && *xdg)
		snprintf(buf, len, "%s/ctlbridge", xdg);
	else
		snprintf(buf, len, "/tmp/ctlbridge-%u", (unsigned)getuid());
}

int
control_announce(int port, char *path, size_t len)
{
	char dir[512];
	FILE *fp;

	runtime_dir(dir, sizeof(dir));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	snprintf(path, len, "%s/%d", dir, (int)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fprintf(fp, "port %d\n", port);
	return fclose(fp);
}

void
control_withdraw(const char *path)
{
	if (path && *path)
		unlink(path);
}

static int
cmp_peer(const void *a, const void *b)
{
	return ((const struct control_peer *)a)->pid -
	    ((const struct control_peer *)b)->pid;
}

int
control_find(struct control_peer *peers, int max)
{
	char dir[512], path[1024];
	struct dirent *de;
	DIR *dp;
	int n = 0;

	runtime_dir(dir, sizeof(dir));
	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL && n < max) {
		long pid;
		int port;
		FILE *fp;

		if (!parse_int(de->d_name, 1, 1 << 30, &pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
			unlink(path);	/* a bridge that died without saying so */
			continue;
		}
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fscanf(fp, "port %d", &port) == 1) {
			peers[n].pid = (int)pid;
			peers[n].port = port;
			n++;
		}
		fclose(fp);
	}
	closedir(dp);
	qsort(peers, (size_t)n, sizeof(*peers), cmp_peer);
	return n;
}

int
control_request(int port, const char *path, const char *sarg, int iarg,
    struct control_reply *reply, const char **err)
{
	struct sockaddr_in to, me;
	char buf[65536];
	size_t size = sizeof(buf);
	lo_message m;
	int fd, rc = -1;
	struct pollfd p;

	memset(reply, 0, sizeof(*reply));
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	me = to;
	me.sin_port = 0;
	m = lo_message_new();
	if (sarg)
		lo_message_add_string(m, sarg);
	if (iarg > 0)
		lo_message_add_int32(m, iarg);
	if (lo_message_serialise(m, path, buf, &size) == NULL) {
		lo_message_free(m);
		*err = "cannot build the request";
		return -1;
	}
	lo_message_free(m);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0 ||
	    sendto(fd, buf, size, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		*err = strerror(errno);
		goto out;
	}
	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		ssize_t len;
		const char *rpath;
		int result = 0;

		if (poll(&p, 1, CONTROL_TIMEOUT_MS) <= 0) {
			*err = "no answer from the bridge";
			goto out;
		}
		if ((len = recv(fd, buf, sizeof(buf), 0)) <= 0)
			continue;
		rpath = lo_get_path(buf, len);
		if (rpath == NULL || strcmp(rpath, CONTROL_REPLY) != 0)
			continue;
		if ((m = lo_message_deserialise(buf, (size_t)len, &result)) == NULL)
			continue;
		{
			const char *types = lo_message_get_types(m);
			lo_arg **argv = lo_message_get_argv(m);
			int argc = lo_message_get_argc(m);

			reply->lines = xcalloc((size_t)(argc ? argc : 1), sizeof(char *));
			for (int i = 0; i < argc; i++) {
				if (types[i] != 's')
					continue;
				if (i == 0)
					reply->ok = strcmp((const char *)argv[i], "ok") == 0;
				else
					reply->lines[reply->nlines++] =
					    xstrdup((const char *)argv[i]);
			}
		}
		lo_message_free(m);
		rc = 0;
		break;
	}
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

void
control_reply_free(struct control_reply *reply)
{
	for (int i = 0; i < reply->nlines; i++)
		free(reply->lines[i]);
	free(reply->lines);
	memset(reply, 0, sizeof(*reply));
}
