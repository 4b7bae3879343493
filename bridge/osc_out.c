#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <math.h>
#include <netdb.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "osc_out.h"
#include "util.h"

/* The batch: datagrams serialised one after another into bytes, each
 * with its address and socket. */
#define BATCH_MAX 64
#define BATCH_BYTES 16384
#define DATAGRAM_MAX 1024
static struct {
	bool open;
	int n;
	size_t used;
	struct daw_address *to[BATCH_MAX];
	int fd[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	struct mmsghdr mm[BATCH_MAX];
	char bytes[BATCH_BYTES];
} batch;

int
osc_port_open(struct osc_port *p, const char *host, int port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	p->fd = -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		log_errx("osc: '%s' is not an IPv4 address", host);
		return -1;
	}
	if ((p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0 || bind(p->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(p->fd, (struct sockaddr *)&sin, &len) < 0) {
		log_err("osc: cannot open UDP port %s:%d", host, port);
		osc_port_close(p);
		return -1;
	}
	p->port = ntohs(sin.sin_port);
	/* learn of ICMP port unreachable: "no DAW listens there" */
	setsockopt(p->fd, IPPROTO_IP, IP_RECVERR, &(int){ 1 }, sizeof(int));
	return 0;
}

void
osc_port_drain_errors(struct osc_port *p, struct daw_address *const *addrs,
    int naddrs)
{
	char data[512], ctrl[512];
	struct sockaddr_storage dest;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg;

	for (;;) {
		const struct sock_extended_err *ee = NULL;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &dest;
		msg.msg_namelen = sizeof(dest);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctrl;
		msg.msg_controllen = sizeof(ctrl);
		if (recvmsg(p->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
		    c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR)
				ee = (const struct sock_extended_err *)CMSG_DATA(c);
		/* msg_name is where the datagram that bounced was going */
		for (int i = 0; ee && ee->ee_errno == ECONNREFUSED && i < naddrs; i++) {
			struct daw_address *t = addrs[i];
			const struct sockaddr_in *to = (const void *)&t->sa;
			const struct sockaddr_in *d = (const void *)&dest;
			if (t->url && t->proto == OSC_UDP &&
			    msg.msg_namelen >= sizeof(*d) &&
			    d->sin_addr.s_addr == to->sin_addr.s_addr &&
			    d->sin_port == to->sin_port) {
				log_warnx_limited(&t->warn, "osc: nothing listens "
				    "at %s (is the DAW running, with OSC on?)",
				    t->url);
				break;
			}
		}
	}
}

void
osc_port_close(struct osc_port *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

int
daw_address_open(struct daw_address *t, const char *host, int port,
    enum osc_proto proto)
{
	struct addrinfo hints, *res;
	char portstr[16];

	memset(t, 0, sizeof(*t));
	t->warn = (struct ratelimit)RATELIMIT_INIT(10);
	t->proto = proto;
	snprintf(portstr, sizeof(portstr), "%d", port);
	t->url = xasprintf("osc.%s://%s:%d", proto == OSC_TCP ? "tcp" : "udp",
	    host, port);
	if (proto == OSC_TCP) {
		if ((t->tcp = lo_address_new_with_proto(LO_TCP, host, portstr)) == NULL) {
			log_warnx("osc: cannot create address %s", t->url);
			return -1;
		}
		return 0;
	}
	/* host is numeric already: no name service lookup happens here */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, portstr, &hints, &res) != 0) {
		log_warnx("osc: %s is not an IPv4 address", t->url);
		return -1;
	}
	memcpy(&t->sa, res->ai_addr, res->ai_addrlen);
	t->salen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void
daw_address_close(struct daw_address *t)
{
	/* what is queued for it leaves first: the batch holds t */
	for (int i = 0; i < batch.n; i++)
		if (batch.to[i] == t) {
			osc_batch_flush();
			break;
		}
	if (t->tcp)
		lo_address_free(t->tcp);
	free(t->url);
	memset(t, 0, sizeof(*t));
}

lo_message
osc_build_message(const struct binding *b, double value,
    const struct osc_context *ctx)
{
	return osc_msg_build(binding_msg(b, value), value, ctx);
}

/* One send failed: counted, and a rate-limited warning. */
static int
send_failed(struct daw_address *t, const char *address, int err)
{
	t->failed++;
	log_warnx_limited(&t->warn, "osc: cannot send %s to %s: %s",
	    address, t->url, t->proto == OSC_TCP ?
	    lo_address_errstr(t->tcp) : err ? strerror(err) :
	    "message too long");
	return -1;
}


void
osc_batch_begin(void)
{
	batch.open = true;
}

void
osc_batch_end(void)
{
	osc_batch_flush();
	batch.open = false;
}

/* A run of datagrams to one socket, in order.  ECONNREFUSED reports an
 * earlier datagram nobody received, and this one was not sent: say so,
 * and send it again, once, as send_datagram does. */
void
osc_batch_flush(void)
{
	bool again = false;

	for (int i = 0; i < batch.n;) {
		int run = 1, k;
		while (i + run < batch.n && batch.fd[i + run] == batch.fd[i])
			run++;
		if ((k = sendmmsg(batch.fd[i], &batch.mm[i], (unsigned)run,
		    0)) > 0) {
			for (int j = i; j < i + k; j++)
				batch.to[j]->sent++;
			i += k;
			again = false;
			continue;
		}
		struct daw_address *t = batch.to[i];
		int err = k < 0 ? errno : EIO;
		if (err == ECONNREFUSED && !again) {
			log_warnx_limited(&t->warn, "osc: nothing listens at %s "
			    "(is the DAW running, with OSC on?)", t->url);
			again = true;
			continue;
		}
		send_failed(t, batch.iov[i].iov_base, err);
		i++;
		again = false;
	}
	batch.n = 0;
	batch.used = 0;
}

/* Room for one more datagram in the batch: where to write it, flushing
 * first when the batch is full. */
static char *
batch_room(size_t *len)
{
	if (batch.n == BATCH_MAX || BATCH_BYTES - batch.used < DATAGRAM_MAX)
		osc_batch_flush();
	*len = DATAGRAM_MAX;
	return batch.bytes + batch.used;
}

static void
batch_add(struct daw_address *t, const struct osc_port *from, size_t size)
{
	int i = batch.n++;

	batch.to[i] = t;
	batch.fd[i] = from->fd;
	batch.iov[i] = (struct iovec){ batch.bytes + batch.used, size };
	memset(&batch.mm[i], 0, sizeof(batch.mm[i]));
	batch.mm[i].msg_hdr.msg_name = &t->sa;
	batch.mm[i].msg_hdr.msg_namelen = t->salen;
	batch.mm[i].msg_hdr.msg_iov = &batch.iov[i];
	batch.mm[i].msg_hdr.msg_iovlen = 1;
	/* OSC's sizes are multiples of 4: the next one stays aligned */
	batch.used += size;
}

/* A datagram serialised in buf, to a UDP DAW. */
static int
send_datagram(struct daw_address *t, const struct osc_port *from,
    const char *buf, size_t size)
{
	int err = 0;

	/* ECONNREFUSED reports an earlier datagram nobody received, and
	 * this one was not sent: say so, and send it again */
	for (int tries = 0; tries < 2; tries++) {
		if (sendto(from->fd, buf, size, 0, (struct sockaddr *)&t->sa,
		    t->salen) == (ssize_t)size) {
			t->sent++;
			return 0;
		}
		if ((err = errno) != ECONNREFUSED)
			break;
		log_warnx_limited(&t->warn, "osc: nothing listens at %s (is "
		    "the DAW running, with OSC on?)", t->url);
	}
	return send_failed(t, buf, err);	/* a datagram opens with its address */
}

/* m, filled in, to t: UDP serialised here without allocating, TCP
 * through liblo. */
static int
send_message(struct daw_address *t, const struct osc_port *from,
    const struct osc_msg *m, double value, const struct osc_context *ctx)
{
	char one[DATAGRAM_MAX], *buf = one;
	size_t size, len = sizeof(one);
	lo_message lm;
	int rc;

	if (t->proto != OSC_TCP) {
		if (batch.open)
			buf = batch_room(&len);
		if ((size = osc_msg_write(m, m->address, value, ctx, buf,
		    len)) == 0)
			return send_failed(t, m->address, 0);
		if (!batch.open)
			return send_datagram(t, from, buf, size);
		batch_add(t, from, size);
		return 0;
	}
	if ((lm = osc_msg_build(m, value, ctx)) == NULL)
		return -1;
	if ((rc = lo_send_message(t->tcp, m->address, lm)) < 0)
		send_failed(t, m->address, 0);
	else
		t->sent++;
	lo_message_free(lm);
	return rc < 0 ? -1 : 0;
}

int
osc_send_binding(struct daw_address *t, const struct osc_port *from,
    const struct binding *b, double value, const struct osc_context *ctx)
{
	const struct osc_msg *msg = binding_msg(b, value);

	if (msg->address == NULL)
		return -1;
	return send_message(t, from, msg, value, ctx);
}

/* A template of constants is expanded as a binding's message is, then
 * sent: rare (handshakes, a loop command), so it may allocate. */
int
osc_send_template(struct daw_address *t, const struct osc_port *from,
    const struct msg_template *tm)
{
	static const struct template_slots none;
	struct osc_msg msg;
	int rc;

	memset(&msg, 0, sizeof(msg));
	template_expand(tm, &none, NULL, &msg);
	rc = send_message(t, from, &msg, 0, NULL);
	osc_msg_free(&msg);
	return rc;
}
