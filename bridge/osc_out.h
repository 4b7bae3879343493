/*
 * OSC out.  A UDP message is serialised straight from the compiled
 * message's filled-in arguments into a buffer (osc_msg_write, no
 * allocation, the bytes liblo would write); UDP datagrams leave
 * from the bridge's own socket (struct osc_port), so that a DAW answering
 * to the sender (Ardour identifies a surface by its address and port)
 * answers to the bridge.  TCP targets go through liblo (lo_message,
 * lo_address).
 * Targets are opened when a profile is activated, from addresses already
 * numeric (resolved at load), never per event.  A send failure costs one
 * rate-limited warning, never the daemon.
 */
#ifndef CTLBRIDGE_OSC_OUT_H
#define CTLBRIDGE_OSC_OUT_H

#include <sys/socket.h>

#include <lo/lo.h>

#include "config.h"
#include "log.h"
#include "osc_queue.h"

/* The bridge's own UDP socket: sends to DAWs, receives their replies. */
struct osc_port {
	int fd;
	int port;
};

/* Bind to host (numeric) and port (0: any free port); 0 or -1 with a
 * warning. */
int osc_port_open(struct osc_port *p, const char *host, int port);
void osc_port_close(struct osc_port *p);
/*
 * Flood control, per UDP DAW address.  While its rate cap (the dialect's
 * max_rate, a token bucket holding a twentieth of a second's worth) is
 * reached, or the socket would block (EAGAIN, ENOBUFS), messages wait in
 * its queue (osc_queue.h: an absolute value merges with the one waiting
 * for its address and arguments; presses, toggles and text wait their
 * turn, in order), and everything after them waits too, so order per
 * address holds.  osc_flow_send sends what may go: the DAW link's timer
 * calls it at osc_flow_deadline, armed only while something waits.
 */
#define OSC_FLOW_ENTRIES 512
#define OSC_FLOW_BYTES 32768
#define OSC_FLOW_RETRY_NS 2000000ull	/* after EAGAIN or ENOBUFS */

/* What became of the last message sent to an address. */
enum osc_fate { OSC_FATE_SENT, OSC_FATE_QUEUED, OSC_FATE_MERGED,
    OSC_FATE_DROPPED };

struct osc_flow {
	struct osc_queue q;
	int fd;				/* the socket it waits for */
	int rate;			/* messages a second; 0: no cap */
	double tokens;
	uint64_t tokens_ns;
	uint64_t blocked_until;		/* the socket would block: not before */
	bool full_said;			/* queue full: warned until it drains */
	enum osc_fate fate;
	uint64_t queued;		/* waited, then sent (or waiting) */
	uint64_t coalesced;		/* replaced by a later value */
	uint64_t dropped;		/* queue full (or gone at close) */
};

/* A DAW's address, opened: where a surface's messages go.  (A "target"
 * is something else: what an action does to a DAW, config.h.) */
struct daw_address {
	struct sockaddr_storage sa;	/* UDP destination */
	socklen_t salen;
	lo_address tcp;			/* TCP destination */
	char *url;
	enum osc_proto proto;
	struct ratelimit warn;
	uint64_t sent, failed;		/* messages */
	struct osc_flow flow;		/* UDP only */
	bool bundle;			/* takes OSC bundles: a round's
					 * messages go in one (UDP) */
};

int daw_address_open(struct daw_address *a, const char *host, int port,
    enum osc_proto proto);
void daw_address_close(struct daw_address *a);

/* The dialect's max_rate for a (0: no cap); a new rate starts with a
 * full bucket. */
void osc_flow_rate(struct daw_address *a, int rate);
/* When what waits for a may next go (0: nothing waits). */
uint64_t osc_flow_deadline(const struct daw_address *a);
/* Send what waits for a, as much as its cap and the socket take. */
void osc_flow_send(struct daw_address *a, const struct osc_port *from,
    uint64_t now);

/* On POLLERR: read the queued ICMP reports; one saying a DAW's port is
 * unreachable becomes that address's rate-limited warning. */
void osc_port_drain_errors(struct osc_port *p, struct daw_address *const *a,
    int na);

/* Send b's message with value filled in, and ctx's parts (NULL: none). */
int osc_send_binding(struct daw_address *to, const struct osc_port *from,
    const struct binding *b, double value, const struct osc_context *ctx);

/* Send a template of constants only (a dialect's handshake). */
int osc_send_template(struct daw_address *to, const struct osc_port *from,
    const struct msg_template *m);

/* Batching: between begin and end, UDP datagrams are queued (in order)
 * and leave in one sendmmsg per flush; a full queue flushes early, and
 * closing an address flushes first.  end flushes and stops queueing.
 * A queued send counts as sent: its failure is counted and warned of
 * at the flush. */
void osc_batch_begin(void);
void osc_batch_flush(void);
void osc_batch_end(void);

/* Build (without sending) b's message; the caller frees it with
 * lo_message_free(). */
lo_message osc_build_message(const struct binding *b, double value,
    const struct osc_context *ctx);

#endif
