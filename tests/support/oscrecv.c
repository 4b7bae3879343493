#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lo/lo.h>

#include "oscrecv.h"

struct oscrecv {
	int fd, port;
	bool tcp;
	int conn;			/* accepted TCP connection, -1 if none */
	unsigned char stream[65536];	/* TCP bytes not yet framed */
	size_t have;
	char **msgs;
	int n, cap;
	char *dump;
	char ignore[64];
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct oscrecv *
oscrecv_new(void)
{
	return oscrecv_new_at(0);
}

struct oscrecv *
oscrecv_new_at(int port)
{
	struct oscrecv *r = calloc(1, sizeof(*r));
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int bufsize = 16 * 1024 * 1024;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* floods of thousands of messages: past rmem_max when we may */
	if (setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsize,
	    sizeof(bufsize)) < 0)
		setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(r->fd, (struct sockaddr *)&sin, &len) < 0) {
		perror("oscrecv");
		free(r);
		return NULL;
	}
	r->port = ntohs(sin.sin_port);
	r->conn = -1;
	return r;
}

int
oscrecv_set_rcvbuf(struct oscrecv *r, int bytes)
{
	return setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes,
	    sizeof(bytes)) < 0 ? setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &bytes,
	    sizeof(bytes)) : 0;
}

struct oscrecv *
oscrecv_new_tcp(void)
{
	struct oscrecv *r = calloc(1, sizeof(*r));
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->tcp = true;
	r->conn = -1;
	r->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(r->fd, 4) < 0 ||
	    getsockname(r->fd, (struct sockaddr *)&sin, &len) < 0) {
		perror("oscrecv tcp");
		free(r);
		return NULL;
	}
	r->port = ntohs(sin.sin_port);
	return r;
}

void
oscrecv_free(struct oscrecv *r)
{
	if (r == NULL)
		return;
	oscrecv_clear(r);
	free(r->msgs);
	free(r->dump);
	if (r->conn >= 0)
		close(r->conn);
	close(r->fd);
	free(r);
}

int
oscrecv_port(const struct oscrecv *r)
{
	return r->port;
}

static void
push(struct oscrecv *r, char *text)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->msgs = realloc(r->msgs, (size_t)r->cap * sizeof(char *));
	}
	r->msgs[r->n++] = text;
}

static void
decode(struct oscrecv *r, const char *data, size_t size)
{
	char text[1024];
	size_t n = 0;
	int result = 0;
	lo_message m;
	const char *path, *types;
	lo_arg **argv;
	int argc;

	if (size >= 16 && memcmp(data, "#bundle", 8) == 0) {
		/* its messages, in order, as a DAW's liblo dispatches them
		 * (e2e_raw_test's test_bundles sees the datagrams) */
		for (size_t at = 16; at + 4 <= size;) {
			uint32_t len;
			memcpy(&len, data + at, 4);
			len = ntohl(len);
			if (len > size - at - 4) {
				push(r, strdup("#bundle (malformed)"));
				return;
			}
			decode(r, data + at + 4, len);
			at += 4 + len;
		}
		return;
	}
	path = lo_get_path((void *)data, (ssize_t)size);
	if (path && r->ignore[0] && strncmp(path, r->ignore, strlen(r->ignore)) == 0)
		return;
	m = lo_message_deserialise((void *)data, size, &result);
	if (m == NULL || path == NULL) {
		push(r, strdup("(undecodable)"));
		return;
	}
	types = lo_message_get_types(m);
	argv = lo_message_get_argv(m);
	argc = lo_message_get_argc(m);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", path);
	if (argc > 0)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %s", types);
	/* liblo's argument pointers are 4-byte aligned only: copy, never
	 * dereference the lo_arg union directly */
	for (int i = 0; i < argc && n < sizeof(text) - 64; i++) {
		int32_t iv;
		int64_t hv;
		float fv;
		double dv;

		switch (types[i]) {
		case 'i':
			memcpy(&iv, argv[i], sizeof(iv));
			n += (size_t)snprintf(text + n, sizeof(text) - n, " %d", iv);
			break;
		case 'h':
			memcpy(&hv, argv[i], sizeof(hv));
			n += (size_t)snprintf(text + n, sizeof(text) - n, " %lld", (long long)hv);
			break;
		case 'f':
			memcpy(&fv, argv[i], sizeof(fv));
			n += (size_t)snprintf(text + n, sizeof(text) - n, " %g", fv);
			break;
		case 'd':
			memcpy(&dv, argv[i], sizeof(dv));
			n += (size_t)snprintf(text + n, sizeof(text) - n, " %g", dv);
			break;
		case 's':
			n += (size_t)snprintf(text + n, sizeof(text) - n, " \"%s\"",
			    (const char *)argv[i]);
			break;
		default:
			break;
		}
	}
	lo_message_free(m);
	push(r, strdup(text));
}

static int
receive_tcp(struct oscrecv *r, int timeout_ms)
{
	struct pollfd p = { r->conn >= 0 ? r->conn : r->fd, POLLIN, 0 };
	ssize_t len;

	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	if (r->conn < 0) {
		r->conn = accept(r->fd, NULL, NULL);
		return 1;
	}
	len = recv(r->conn, r->stream + r->have, sizeof(r->stream) - r->have, 0);
	if (len <= 0) {
		close(r->conn);
		r->conn = -1;
		r->have = 0;
		return 1;
	}
	r->have += (size_t)len;
	for (;;) {
		uint32_t n;
		if (r->have < 4)
			break;
		memcpy(&n, r->stream, 4);
		n = ntohl(n);
		if (r->have < 4 + n)
			break;
		decode(r, (const char *)r->stream + 4, n);
		memmove(r->stream, r->stream + 4 + n, r->have - 4 - n);
		r->have -= 4 + n;
	}
	return 1;
}

static int
receive_udp(struct oscrecv *r, int timeout_ms)
{
	struct pollfd p = { r->fd, POLLIN, 0 };
	char buf[65536];
	ssize_t len;

	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	while ((len = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		decode(r, buf, (size_t)len);
	return 1;
}

static int
receive(struct oscrecv *r, int timeout_ms)
{
	return r->tcp ? receive_tcp(r, timeout_ms) : receive_udp(r, timeout_ms);
}

int
oscrecv_wait(struct oscrecv *r, int count, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	while (r->n < count) {
		long long left = end - now_ms();
		if (left <= 0)
			break;
		receive(r, (int)left);
	}
	return r->n;
}

int
oscrecv_settle(struct oscrecv *r, int ms)
{
	long long end = now_ms() + ms;

	for (long long left; (left = end - now_ms()) > 0;)
		receive(r, (int)left);
	return r->n;
}

int
oscrecv_drain(struct oscrecv *r)
{
	receive(r, 0);
	return r->n;
}

int
oscrecv_count(const struct oscrecv *r)
{
	return r->n;
}

const char *
oscrecv_get(const struct oscrecv *r, int i)
{
	return i >= 0 && i < r->n ? r->msgs[i] : "(none)";
}

void
oscrecv_clear(struct oscrecv *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->msgs[i]);
	r->n = 0;
}

const char *
oscrecv_dump(struct oscrecv *r)
{
	size_t len = 1;

	for (int i = 0; i < r->n; i++)
		len += strlen(r->msgs[i]) + 1;
	free(r->dump);
	r->dump = calloc(1, len);
	for (int i = 0; i < r->n; i++) {
		strcat(r->dump, r->msgs[i]);
		strcat(r->dump, "\n");
	}
	return r->dump;
}

int
oscrecv_send_raw(struct oscrecv *r, int port, const void *data, size_t len)
{
	struct sockaddr_in to;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sendto(r->fd, data, len, 0, (struct sockaddr *)&to,
	    sizeof(to)) == (ssize_t)len ? 0 : -1;
}

void
oscrecv_ignore(struct oscrecv *r, const char *prefix)
{
	snprintf(r->ignore, sizeof(r->ignore), "%s", prefix);
}
