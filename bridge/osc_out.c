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

/* A datagram to t came back refused: said at most every few seconds. */
static void
nothing_listens(struct daw_address *t)
{
	log_warnx_limited(&t->warn, "osc: nothing listens at %s (is the DAW "
	    "running, with OSC on?)", t->url);
}

/* The batch: messages serialised one after another into bytes, each
 * behind its size (a bundle element's head), with its address and
 * socket.  At the flush, a message is a datagram of its own; to an
 * address that takes bundles, messages that follow one another go as one
 * bundle datagram of up to BUNDLE_MAX bytes (the elements gathered by
 * the datagram's iovecs: no copy), a lone message as itself. */
#define BATCH_MAX 64
#define BATCH_BYTES 16384
#define DATAGRAM_MAX 1024
#define BUNDLE_MAX 1400		/* within an Ethernet frame: no fragments */
static const char bundle_head[16] = "#bundle\0\0\0\0\0\0\0\0\1";	/* immediately */
static struct {
	bool open;
	int n;
	size_t used;
	struct daw_address *to[BATCH_MAX];
	int fd[BATCH_MAX];
	int8_t value_arg[BATCH_MAX];	/* a value's argument, -1: none */
	struct iovec msg[BATCH_MAX];	/* the message; its size 4 bytes before */
	/* the datagrams of a flush: one per message, or per bundle */
	int first[BATCH_MAX], count[BATCH_MAX];	/* their messages */
	struct iovec iov[2 * BATCH_MAX];
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
				nothing_listens(t);
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
	/* flood control's tables, now: nothing is allocated per message */
	if (osc_queue_init(&t->flow.q, OSC_FLOW_ENTRIES, OSC_FLOW_BYTES) < 0) {
		log_warnx("osc: no memory for %s", t->url);
		free(t->url);
		t->url = NULL;
		return -1;
	}
	return 0;
}

static void flow_close(struct daw_address *t);

void
daw_address_close(struct daw_address *t)
{
	/* what is queued for it leaves first: the batch holds t */
	for (int i = 0; i < batch.n; i++)
		if (batch.to[i] == t) {
			osc_batch_flush();
			break;
		}
	flow_close(t);
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

/* ---- flood control ---- */

static bool
would_block(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS;
}

/* ECONNREFUSED reports an earlier datagram nobody received, and the one
 * just tried was not sent: say so, and try it once more (again: whether
 * this one is already the second try). */
static bool
refused_try_again(struct daw_address *t, int err, bool *again)
{
	if (err != ECONNREFUSED || *again)
		return false;
	nothing_listens(t);
	*again = true;
	return true;
}

static double
burst(const struct osc_flow *f)
{
	return f->rate >= 20 ? f->rate / 20.0 : 1.0;
}

/* The bucket filled for the time since it was last looked at. */
static void
refill(struct osc_flow *f, uint64_t now)
{
	if (now > f->tokens_ns) {
		f->tokens += (double)(now - f->tokens_ns) * f->rate / 1e9;
		if (f->tokens > burst(f))
			f->tokens = burst(f);
	}
	f->tokens_ns = now;
}

void
osc_flow_rate(struct daw_address *t, int rate)
{
	struct osc_flow *f = &t->flow;

	if (f->rate == rate)
		return;
	f->rate = rate;
	f->tokens = rate > 0 ? burst(f) : 0;
	f->tokens_ns = now_ns();
}

uint64_t
osc_flow_deadline(const struct daw_address *t)
{
	const struct osc_flow *f = &t->flow;
	double need;

	if (f->q.n == 0)
		return 0;
	if (f->blocked_until)
		return f->blocked_until;
	if (f->rate == 0 || (need = 1.0 - f->tokens) <= 0)
		return f->tokens_ns ? f->tokens_ns : 1;
	return f->tokens_ns + (uint64_t)(need * 1e9 / f->rate) + 1;
}

/* A datagram that may not go yet waits in t's queue; -1 when the queue
 * is full (a table sized at open: counted, warned of once a flood). */
static int
flow_queue(struct daw_address *t, int fd, const char *buf, size_t size,
    int value_arg)
{
	struct osc_flow *f = &t->flow;
	size_t at = 0, vs = 0;

	f->fd = fd;		/* where it leaves from */
	if (value_arg < 0 || !osc_arg_span(buf, size, value_arg, &at, &vs))
		vs = 0;
	switch (osc_queue_put(&f->q, buf, size, at, vs)) {
	case OSC_QUEUED:
		f->queued++;
		f->fate = OSC_FATE_QUEUED;
		return 0;
	case OSC_MERGED:
		f->coalesced++;
		f->fate = OSC_FATE_MERGED;
		return 0;
	case OSC_FULL:
		break;
	}
	f->dropped++;
	f->fate = OSC_FATE_DROPPED;
	if (!f->full_said)
		log_warnx("osc: %s takes messages slower than they come: %d "
		    "wait already, %s dropped, and so is every message that "
		    "finds the queue full until it drains (ctlbridge status "
		    "counts them)", t->url, f->q.n, buf);
	f->full_said = true;
	return -1;
}

static struct mmsghdr flow_mm[BATCH_MAX];
static struct iovec flow_iov[BATCH_MAX];

/* Up to max datagrams from the front of t's queue in one sendmmsg: how
 * many left, or -1 and errno. */
static int
flow_sendmmsg(struct daw_address *t, const struct osc_port *from, int max)
{
	int n = t->flow.q.n < max ? t->flow.q.n : max, k;

	if (n > BATCH_MAX)
		n = BATCH_MAX;
	for (int i = 0; i < n; i++) {
		size_t len;
		const char *d = osc_queue_at(&t->flow.q, i, &len);
		flow_iov[i] = (struct iovec){ (void *)d, len };
		memset(&flow_mm[i], 0, sizeof(flow_mm[i]));
		flow_mm[i].msg_hdr.msg_name = &t->sa;
		flow_mm[i].msg_hdr.msg_namelen = t->salen;
		flow_mm[i].msg_hdr.msg_iov = &flow_iov[i];
		flow_mm[i].msg_hdr.msg_iovlen = 1;
	}
	if ((k = sendmmsg(from->fd, flow_mm, (unsigned)n, 0)) > 0) {
		osc_queue_pop(&t->flow.q, k);
		t->sent += (uint64_t)k;
	}
	return k;
}

void
osc_flow_send(struct daw_address *t, const struct osc_port *from, uint64_t now)
{
	struct osc_flow *f = &t->flow;
	bool again = false;

	if (f->q.n == 0)
		return;
	osc_batch_flush();	/* older ones first */
	if (f->blocked_until > now)
		return;
	f->blocked_until = 0;
	if (f->rate > 0)
		refill(f, now);
	while (f->q.n > 0) {
		int allow = f->rate > 0 ? (int)f->tokens : f->q.n, k;
		if (allow <= 0)
			break;
		if ((k = flow_sendmmsg(t, from, allow)) > 0) {
			if (f->rate > 0)
				f->tokens -= k;
			again = false;
			continue;
		}
		int err = k < 0 ? errno : EIO;
		if (would_block(err)) {
			f->blocked_until = now + OSC_FLOW_RETRY_NS;
			break;
		}
		if (refused_try_again(t, err, &again))
			continue;
		size_t len;
		send_failed(t, osc_queue_at(&f->q, 0, &len), err);
		osc_queue_pop(&f->q, 1);
		again = false;
	}
	if (f->q.n == 0)
		f->full_said = false;
}

/* Closing: what waits leaves now, cap or not; what the socket refuses
 * is lost, and said. */
static void
flow_close(struct daw_address *t)
{
	struct osc_flow *f = &t->flow;
	struct osc_port from = { f->fd, 0 };

	if (f->q.n > 0) {
		while (f->q.n > 0 && flow_sendmmsg(t, &from, f->q.n) > 0)
			;
	}
	if (f->q.n > 0) {
		log_warnx("osc: %d message%s for %s could not be sent before "
		    "it closed", f->q.n, f->q.n == 1 ? "" : "s", t->url);
		f->dropped += (uint64_t)f->q.n;
	}
	osc_queue_free(&f->q);
}

/* The batch's messages as datagrams: batch.mm[0..n), datagram d of
 * messages first[d] .. first[d] + count[d]. */
static int
batch_datagrams(void)
{
	int nd = 0, niov = 0;

	for (int i = 0; i < batch.n;) {
		struct daw_address *t = batch.to[i];
		size_t size = batch.msg[i].iov_len;
		int k = 1;
		struct msghdr *h = &batch.mm[nd].msg_hdr;

		if (t->bundle) {
			size += sizeof(bundle_head) + 4;
			while (i + k < batch.n && batch.to[i + k] == t &&
			    batch.fd[i + k] == batch.fd[i] && size + 4 +
			    batch.msg[i + k].iov_len <= BUNDLE_MAX)
				size += 4 + batch.msg[i + k++].iov_len;
		}
		memset(&batch.mm[nd], 0, sizeof(batch.mm[nd]));
		h->msg_name = &t->sa;
		h->msg_namelen = t->salen;
		h->msg_iov = &batch.iov[niov];
		if (k == 1)
			batch.iov[niov++] = batch.msg[i];
		else {
			batch.iov[niov++] = (struct iovec){ (void *)bundle_head,
			    sizeof(bundle_head) };
			for (int j = i; j < i + k; j++)
				batch.iov[niov++] = (struct iovec){
				    (char *)batch.msg[j].iov_base - 4,
				    batch.msg[j].iov_len + 4 };
		}
		h->msg_iovlen = (size_t)(&batch.iov[niov] - h->msg_iov);
		batch.first[nd] = i;
		batch.count[nd++] = k;
		i += k;
	}
	return nd;
}

/* A run of datagrams to one socket, in order.  ECONNREFUSED reports an
 * earlier datagram nobody received, and this one was not sent: say so,
 * and send it again, once (refused_try_again).  A socket that would
 * block: the rest waits in the queues of their addresses, message by
 * message. */
void
osc_batch_flush(void)
{
	bool again = false;
	int nd = batch_datagrams();

	for (int d = 0; d < nd;) {
		int run = 1, k, i = batch.first[d];
		while (d + run < nd && batch.fd[batch.first[d + run]] ==
		    batch.fd[i])
			run++;
		if ((k = sendmmsg(batch.fd[i], &batch.mm[d], (unsigned)run,
		    0)) > 0) {
			for (int e = d; e < d + k; e++)
				batch.to[batch.first[e]]->sent +=
				    (uint64_t)batch.count[e];
			d += k;
			again = false;
			continue;
		}
		struct daw_address *t = batch.to[i];
		int err = k < 0 ? errno : EIO;
		if (would_block(err)) {
			uint64_t now = now_ns();
			int end = batch.first[d + run - 1] +
			    batch.count[d + run - 1];
			for (int j = i; j < end; j++) {
				struct daw_address *u = batch.to[j];
				u->flow.blocked_until = now + OSC_FLOW_RETRY_NS;
				/* full: dropped, counted and said there */
				(void)flow_queue(u, batch.fd[j],
				    batch.msg[j].iov_base, batch.msg[j].iov_len,
				    batch.value_arg[j]);
			}
			d += run;
			again = false;
			continue;
		}
		if (refused_try_again(t, err, &again))
			continue;
		send_failed(t, batch.msg[i].iov_base, err);
		t->failed += (uint64_t)batch.count[d] - 1;	/* a bundle's */
		d++;
		again = false;
	}
	batch.n = 0;
	batch.used = 0;
}

/* Room for one more message in the batch, behind its size: where to
 * write it, flushing first when the batch is full. */
static char *
batch_room(size_t *len)
{
	if (batch.n == BATCH_MAX || BATCH_BYTES - batch.used < DATAGRAM_MAX + 4)
		osc_batch_flush();
	*len = DATAGRAM_MAX;
	return batch.bytes + batch.used + 4;
}

static void
batch_add(struct daw_address *t, const struct osc_port *from, size_t size,
    int value_arg)
{
	int i = batch.n++;
	char *at = batch.bytes + batch.used;
	uint32_t be = htonl((uint32_t)size);

	memcpy(at, &be, 4);
	batch.to[i] = t;
	batch.fd[i] = from->fd;
	batch.value_arg[i] = (int8_t)value_arg;
	batch.msg[i] = (struct iovec){ at + 4, size };
	/* OSC's sizes are multiples of 4: the next one stays aligned */
	batch.used += 4 + size;
}

/* A datagram serialised in buf, to a UDP DAW. */
static int
send_datagram(struct daw_address *t, const struct osc_port *from,
    const char *buf, size_t size, int value_arg)
{
	bool again = false;
	int err;

	do {
		if (sendto(from->fd, buf, size, 0, (struct sockaddr *)&t->sa,
		    t->salen) == (ssize_t)size) {
			t->sent++;
			return 0;
		}
		err = errno;
	} while (refused_try_again(t, err, &again));
	if (would_block(err)) {
		t->flow.blocked_until = now_ns() + OSC_FLOW_RETRY_NS;
		return flow_queue(t, from->fd, buf, size, value_arg);
	}
	return send_failed(t, buf, err);	/* a datagram opens with its address */
}

/* May a datagram to t go now?  Not while others wait for it (they go
 * first), nor with its bucket empty. */
static bool
flow_open(struct daw_address *t)
{
	struct osc_flow *f = &t->flow;

	if (f->q.n > 0)
		return false;
	if (f->rate == 0)
		return true;
	refill(f, now_ns());
	if (f->tokens < 1)
		return false;
	f->tokens -= 1;
	return true;
}

/* m, filled in, to t: UDP serialised here without allocating, TCP
 * through liblo.  value_arg: the argument of an absolute value, which
 * flood control may merge; -1 for none. */
static int
send_message(struct daw_address *t, const struct osc_port *from,
    const struct osc_msg *m, double value, const struct osc_context *ctx,
    int value_arg)
{
	char one[DATAGRAM_MAX], *buf = one;
	size_t size, len = sizeof(one);
	lo_message lm;
	int rc;

	t->flow.fate = OSC_FATE_SENT;
	if (t->proto != OSC_TCP) {
		bool go;
		/* a full batch leaves first: what the socket refuses of it
		 * waits, and this one behind it */
		if (batch.open && t->flow.q.n == 0)
			(void)batch_room(&len);
		if (!(go = flow_open(t)) && t->flow.q.n == 0)
			osc_batch_flush();	/* the older ones leave first */
		if (go && batch.open)
			buf = batch_room(&len);
		else
			len = sizeof(one);
		if ((size = osc_msg_write(m, m->address, value, ctx, buf,
		    len)) == 0)
			return send_failed(t, m->address, 0);
		if (!go)
			return flow_queue(t, from->fd, buf, size, value_arg);
		if (!batch.open)
			return send_datagram(t, from, buf, size, value_arg);
		batch_add(t, from, size, value_arg);
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
	/* an absolute value: a later one may take its place in a flood */
	int value_arg = b->action->type == ACTION_CONTINUOUS &&
	    msg->has_value && msg->value_arg < 127 ? msg->value_arg : -1;

	if (msg->address == NULL)
		return -1;
	return send_message(t, from, msg, value, ctx, value_arg);
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
	rc = send_message(t, from, &msg, 0, NULL, -1);
	osc_msg_free(&msg);
	return rc;
}
