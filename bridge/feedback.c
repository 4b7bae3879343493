/* Feedback: a DAW's report recognised through its dialect's templates
 * (template.c matches them), and OSC packets walked message by message. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "feedback.h"

/* Does the message match da, the message (or report) of a: *m filled. */
static bool
match_one(const struct action_def *a, const struct dialect_action *da,
    const char *path, const char *types, lo_arg **argv, int argc,
    struct feedback_match *m)
{
	/* one message, or ON | OFF: which of the two matched is the value */
	for (int off = 0; off < 2; off++) {
		const struct msg_template *t = off ? &da->msg_off : &da->msg;
		struct template_slots slots = { 0, 0, 0 };

		if (t->address == NULL)
			break;
		memset(m, 0, sizeof(*m));
		if (!template_match(t, path, types ? types : "", argv, argc,
		    &slots, &m->value, &m->has_value))
			continue;
		m->action = a;
		m->track = slots.track;
		m->marker = slots.marker;
		m->plugin = slots.plugin;
		if (da->msg_off.address) {
			m->value = !off;
			m->has_value = true;
		}
		return true;
	}
	return false;
}

/* Can a report of a be read through da?  A user trigger has no state
 * (Ardour reports every strip's /strip/name, which track.name sends). */
static bool
readable(const struct action_def *a, const struct dialect_action *da)
{
	return da->defined && !da->unsupported && !a->internal &&
	    da->msg.address != NULL && !(a->user && a->type == ACTION_TRIGGER);
}

static int
match_table(const struct dialect *d, const struct dialect_action *table,
    const char *path, const char *types, lo_arg **argv, int argc,
    struct feedback_match *m)
{
	for (int i = 0; i < d->nactions; i++) {
		const struct action_def *a = dialect_action_at(d, i);

		/* "none" in [feedback]: nothing the DAW says is a report */
		if (readable(a, &table[i]) && !d->reports[i].unreported &&
		    match_one(a, &table[i], path, types, argv, argc, m))
			return 1;
	}
	return 0;
}

/* A profile's own actions: where its [feedback] says, else at their own
 * message (a one-off is always read back there). */
static int
match_own(struct user_action *const *own, int n, const char *path,
    const char *types, lo_arg **argv, int argc, struct feedback_match *m)
{
	for (int i = 0; i < n; i++) {
		const struct user_action *u = own[i];
		const struct dialect_action *da = u->report.defined ? &u->report :
		    &u->da;

		if (!u->report.unreported && readable(&u->def, da) &&
		    match_one(&u->def, da, path, types, argv, argc, m))
			return 1;
	}
	return 0;
}

double
feedback_meter_db(const struct dialect *d, double v)
{
	if (d->meter_max <= 0)
		return v;	/* reported in dB */
	if (v <= 0)
		return -INFINITY;
	if (v > d->meter_max)
		v = d->meter_max;
	return d->meter_low + v / d->meter_max * (d->meter_high - d->meter_low);
}

int
feedback_match(const struct dialect *d, const char *path, const char *types,
    lo_arg **argv, int argc, struct feedback_match *m)
{
	return feedback_match_profile(d, NULL, path, types, argv, argc, m);
}

int
feedback_match_profile(const struct dialect *d, const struct profile *p,
    const char *path, const char *types, lo_arg **argv, int argc,
    struct feedback_match *m)
{
	/* the profile's own actions first, the most particular; then where
	 * the DAW reports, then where it takes commands (most DAWs report on
	 * the command's own address) */
	if ((p == NULL ||
	    (!match_own(p->user, p->nuser, path, types, argv, argc, m) &&
	    !match_own(p->oneoffs, p->noneoffs, path, types, argv, argc, m))) &&
	    !match_table(d, d->reports, path, types, argv, argc, m) &&
	    !match_table(d, d->actions, path, types, argv, argc, m))
		return 0;
	/* a meter on the DAW's own scale, in dB like every meter here */
	if (m->action->display && m->action->unit == UNIT_DB && m->has_value)
		m->value = feedback_meter_db(d, m->value);
	return 1;
}

/* Where each message of a packet is read: the packet is the caller's,
 * and const; one message at a time is copied here and read in place.
 * The main loop is the only caller. */
static _Alignas(8) char scratch[65536];
static lo_arg *scratch_argv[128];

static int
walk(const char *data, size_t len, int depth,
    void (*fn)(void *ctx, const struct osc_in *msg), void *ctx)
{
	int count = 0;
	struct osc_in in;

	if (depth > 8)
		return -1;
	if (len >= 16 && memcmp(data, "#bundle", 8) == 0) {
		size_t pos = 16;	/* "#bundle\0" and the time tag */
		while (pos + 4 <= len) {
			uint32_t n;
			int c;
			memcpy(&n, data + pos, 4);
			n = ntohl(n);
			pos += 4;
			if (n > len - pos || n % 4 != 0)
				return -1;
			if ((c = walk(data + pos, n, depth + 1, fn, ctx)) < 0)
				return -1;
			count += c;
			pos += n;
		}
		return pos == len ? count : -1;
	}
	/* what is no message is refused before it is copied */
	if (len == 0 || len % 4 != 0 || len > sizeof(scratch) || data[0] != '/')
		return -1;
	memcpy(scratch, data, len);
	if (osc_msg_read(scratch, len, &in, scratch_argv,
	    (int)(sizeof(scratch_argv) / sizeof(*scratch_argv))) < 0)
		return -1;
	fn(ctx, &in);
	return 1;
}

int
feedback_walk(const void *data, size_t len,
    void (*fn)(void *ctx, const struct osc_in *msg), void *ctx)
{
	return walk(data, len, 0, fn, ctx);
}
