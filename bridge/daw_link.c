/*
 * A surface's link to its DAW.  Until the DAW answers, the dialect's
 * handshake (the messages that ask for feedback) goes out with back-off;
 * once heard, a DAW silent longer than its heartbeat is greeted again (it
 * restarted).  A datagram is the surface's DAW's when it comes from the
 * DAW's address; its messages keep the link alive and are read here: the
 * playhead reports into struct playhead, the rest through the dialect's
 * templates (feedback.c) into a match for bridge.c to show.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "loop.h"
#include "util.h"

#define RETRY_MIN_NS 1000000000ull
#define RETRY_MAX_NS 10000000000ull

static void link_tick(void *ctx);

/* When the link next has something to do: greet a DAW not heard from at
 * its back-off time; notice a UDP DAW silent past its heartbeat; nothing
 * (0) for a dialect without a handshake, or a DAW heard over TCP or
 * without a heartbeat.  The timer sleeps until then: no wakeup a second
 * that has nothing to do. */
static uint64_t
greet_deadline(const struct surface *sf)
{
	const struct daw_link *l = &sf->link;
	const struct dialect *d = sf->eng->profile->dialect;

	if (d->nhandshake == 0)
		return 0;
	if (!l->heard)
		return l->next_try_ns;
	if (d->heartbeat_s > 0 && l->address.proto == OSC_UDP)
		return l->last_heard_ns + (uint64_t)d->heartbeat_s * 1000000000ull +
		    1;
	return 0;
}

/* The earlier of that and when messages waiting for the DAW (flood
 * control, osc_out.h) may go: nothing waits, no wakeup. */
static uint64_t
link_deadline(const struct surface *sf)
{
	uint64_t greet = greet_deadline(sf),
	    flow = osc_flow_deadline(&sf->link.address);

	return greet == 0 ? flow : flow == 0 || greet < flow ? greet : flow;
}

static void
link_arm(struct surface *sf, uint64_t now)
{
	struct daw_link *l = &sf->link;
	uint64_t at = link_deadline(sf);

	if (l->timer > 0)
		loop_cancel_timer(sf->br->loop, l->timer);
	l->timer_at = at;
	l->timer = at == 0 ? 0 : loop_add_timer(sf->br->loop, at > now ?
	    at - now : 0, link_tick, sf);
}

/* Not heard from: greet it now, backing off from there. */
static void
link_reset(struct surface *sf, uint64_t now)
{
	sf->link.heard = false;
	sf->link.retry_ns = RETRY_MIN_NS;
	sf->link.next_try_ns = now;
}

static void
handshake(struct surface *sf)
{
	const struct dialect *d = sf->eng->profile->dialect;

	for (int i = 0; i < d->nhandshake; i++)
		osc_send_template(&sf->link.address, &sf->br->osc, &d->handshake[i]);
}

/* Ask the DAW for feedback until it answers, backing off; ask again when
 * it falls silent longer than its heartbeat (it restarted). */
static void
link_tick(void *ctx)
{
	struct surface *sf = ctx;
	struct daw_link *l = &sf->link;
	const struct dialect *d = sf->eng->profile->dialect;
	uint64_t now = now_ns();
	bool lost = false;

	l->timer = 0;		/* one-shot: it fired */
	osc_flow_send(&l->address, &sf->br->osc, now);
	if (d->nhandshake > 0) {
		if (l->heard && d->heartbeat_s > 0 &&
		    l->address.proto == OSC_UDP && now - l->last_heard_ns >
		    (uint64_t)d->heartbeat_s * 1000000000ull) {
			log_warnx("surface %d: %s silent for %d s; asking for "
			    "feedback again", sf->index, d->title,
			    d->heartbeat_s);
			link_reset(sf, now);
			lost = true;
		}
		if (!l->heard && now >= l->next_try_ns) {
			handshake(sf);
			if (l->address.proto == OSC_TCP)
				l->heard = true;	/* no answer can come back */
			l->next_try_ns = now + l->retry_ns;
			l->retry_ns = l->retry_ns * 2 > RETRY_MAX_NS ?
			    RETRY_MAX_NS : l->retry_ns * 2;
		}
	}
	link_arm(sf, now);
	/* last: a hook may switch the surface, and its link, elsewhere */
	if (lost)
		hooks_lost(sf, now);
}

void
daw_link_flow(struct surface *sf)
{
	struct daw_link *l = &sf->link;
	uint64_t at = osc_flow_deadline(&l->address);

	/* the timer is set for then or earlier already */
	if (at == 0 || (l->timer > 0 && l->timer_at <= at))
		return;
	link_arm(sf, now_ns());
}

int
daw_link_open(struct surface *sf, const struct profile *p)
{
	if (daw_address_open(&sf->link.address, p->host, p->port, p->proto) < 0)
		return -1;
	osc_flow_rate(&sf->link.address, p->dialect->max_rate);
	sf->link.address.bundle = p->dialect->bundle;
	playhead_reset(&sf->playhead);
	link_reset(sf, now_ns());
	link_tick(sf);
	return 0;
}

void
daw_link_switched(struct surface *sf)
{
	/* another dialect may greet, beat, cap or bundle differently */
	osc_flow_rate(&sf->link.address, sf->eng->profile->dialect->max_rate);
	sf->link.address.bundle = sf->eng->profile->dialect->bundle;
	link_arm(sf, now_ns());
}

static bool
same_address(const struct profile *a, const struct profile *b)
{
	return a->port == b->port && a->proto == b->proto &&
	    strcmp(a->host, b->host) == 0;
}

int
daw_link_retarget(struct surface *sf, const struct profile *p, char *err,
    size_t errlen)
{
	struct daw_address t;

	if (same_address(sf->eng->profile, p))
		return 0;
	if (daw_address_open(&t, p->host, p->port, p->proto) < 0) {
		snprintf(err, errlen, "cannot open the DAW address %s:%d of "
		    "profile '%s'", p->host, p->port, p->name);
		return -1;
	}
	daw_address_close(&sf->link.address);
	sf->link.address = t;
	/* another DAW: greet it (at the next turn of the loop, once the
	 * surface runs p: link_arm reads the running profile's dialect);
	 * the playhead was the other DAW's */
	playhead_reset(&sf->playhead);
	hooks_reset(sf);
	link_reset(sf, now_ns());
	if (sf->link.timer > 0)
		loop_cancel_timer(sf->br->loop, sf->link.timer);
	sf->link.timer = loop_add_timer(sf->br->loop, 0, link_tick, sf);
	sf->link.timer_at = now_ns();
	return 0;
}

void
daw_link_close(struct surface *sf)
{
	if (sf->link.timer > 0)
		loop_cancel_timer(sf->br->loop, sf->link.timer);
	sf->link.timer = 0;
	daw_address_close(&sf->link.address);
}

bool
daw_link_from(const struct surface *sf, const struct sockaddr_in *from)
{
	const struct sockaddr_in *to =
	    (const struct sockaddr_in *)&sf->link.address.sa;

	return sf->link.address.proto == OSC_UDP &&
	    to->sin_addr.s_addr == from->sin_addr.s_addr;
}

/* A report's first argument as a number: any numeric type, or text
 * holding one; NAN if none. */
static double
message_number(const struct osc_in *msg)
{
	const char *types = msg->types;
	lo_arg **argv = msg->argv;
	double v = NAN;

	if (msg->argc < 1)
		return NAN;
	if (types[0] == 's') {
		char *end;
		v = strtod((const char *)argv[0], &end);
		if (end == (const char *)argv[0])
			v = NAN;
	} else if (!osc_arg_number(types[0], argv[0], &v))
		v = NAN;
	return isfinite(v) ? v : NAN;
}

/* The playhead in seconds: a number, or "hh:mm:ss.mmm" (Ardour's
 * /position/time); NAN if neither. */
static double
message_position(const struct osc_in *msg)
{
	int h, m;
	double sec;

	if (msg->argc >= 1 && msg->types[0] == 's' &&
	    sscanf((const char *)msg->argv[0], "%d:%d:%lf", &h, &m, &sec) == 3)
		return h * 3600.0 + m * 60.0 + sec;
	return message_number(msg);
}

int
daw_link_report(struct surface *sf, const struct osc_in *msg, uint64_t now,
    struct feedback_match *m)
{
	const char *path = msg->path;
	const struct profile *p = sf->eng->profile;
	const struct dialect *d = p->dialect;

	sf->link.last_heard_ns = now;
	if (!sf->link.heard) {
		log_info("surface %d: %s answers; feedback on", sf->index,
		    d->title);
		sf->link.heard = true;
		sf->link.retry_ns = RETRY_MIN_NS;
		link_arm(sf, now);	/* from greeting to the heartbeat */
	}
	if (d->position.address && strcmp(d->position.address, path) == 0) {
		double v = message_position(msg);
		if (!isnan(v))
			sf->playhead.position = v;
		return 0;
	}
	if (d->playhead.address && strcmp(d->playhead.address, path) == 0) {
		playhead_report(&sf->playhead, message_number(msg),
		    engine_value(sf->eng, p->play_target) == 1, now);
		return 0;
	}
	return feedback_match_profile(d, p, path, msg->types, msg->argv,
	    msg->argc, m) &&
	    m->has_value;
}
