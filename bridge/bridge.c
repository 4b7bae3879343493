#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lo/lo.h>

#include "alsa_midi.h"
#include "bridge.h"
#include "config.h"
#include "control.h"
#include "engine.h"
#include "feedback.h"
#include "jack_midi.h"
#include "log.h"
#include "loop.h"
#include "osc_out.h"
#include "raw_midi.h"
#include "util.h"
#include "watch.h"

struct bridge;

/* One controller: its surface (profile + state), inputs and DAW target. */
struct bsurface {
	struct bridge *br;
	int index;			/* 1-based, as users count them */
	struct engine *eng;
	struct input_sink sink;
	struct raw_midi *raw[BRIDGE_MAX_INPUTS];
	int nraw;
	struct jack_midi *jack;
	struct alsa_midi *alsa;
	struct osc_target target;
	/* the DAW as feedback sees it */
	bool heard;			/* it answered since the last handshake */
	uint64_t last_heard_ns;
	uint64_t retry_ns, next_try_ns;	/* handshake back-off */
	int link_timer;
	double position;		/* playhead in seconds, NAN if unknown */
	/* the playhead as a number in the DAW's loop unit (Ardour: samples),
	 * when it was reported, and how fast it moves while rolling */
	double playhead, playhead_rate;
	uint64_t playhead_ns;
	bool playhead_rolled;		/* that report came while rolling */
	double rate_outlier;		/* a rate unlike playhead_rate, seen
					 * once: a jump, or a new speed */
	int journal_fd;			/* the active profile's journal, -1 */
	const char *journal_path;
	struct ratelimit journal_warn;
	struct ratelimit clip_warn;
};

/* A configuration set replaced by a reload while a button held a binding
 * of it: freed once that button is released. */
struct retired {
	struct config *cfg;
	struct retired *next;
};

struct bridge {
	struct loop *loop;
	struct config *cfg;
	const struct bridge_options *opt;
	struct osc_port osc;
	struct bsurface surfaces[BRIDGE_MAX_SURFACES];
	int nsurfaces;
	struct target_values *values;
	struct retired *retired;
	struct watch *watch;
	int sigfd;
	int exit_code;
	char runtime_file[1024];
	/* the last reload: "ok" or its diagnostics, for status */
	struct diag_list last_reload;
	bool reload_failed;
	unsigned reloads;		/* attempts, for status */
	struct ratelimit control_warn;
	int take;			/* the producer's take counter: bridge-wide,
					 * so it survives a switch of role */
	/* where the section markers this bridge added start, per DAW (its
	 * URL), for loop.section; in the DAW's playhead unit */
	struct section { char *daw; double at; } *sections;
	int nsections, sections_cap;
};

int
input_spec_parse(const char *s, struct input_spec *spec)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	const char *arg = colon ? colon + 1 : NULL;

	if (arg && *arg == '\0')
		arg = NULL;
	spec->arg = arg;
	if (n == 4 && strncmp(s, "auto", 4) == 0 && !colon)
		spec->type = INPUT_AUTO;
	else if (n == 4 && strncmp(s, "alsa", 4) == 0)
		spec->type = INPUT_ALSA;
	else if (n == 4 && strncmp(s, "jack", 4) == 0)
		spec->type = INPUT_JACK;
	else if (n == 3 && strncmp(s, "raw", 3) == 0 && arg)
		spec->type = INPUT_RAW;
	else
		return -1;
	return 0;
}

static void
trace_message(const struct bsurface *bs, const struct engine_output *out,
    const struct osc_event *ev)
{
	const struct engine *eng = bs->eng;
	const struct binding *b = out->binding;
	char args[256];
	size_t n = 0;

	const struct osc_msg *msg = binding_msg(b, out->value);

	args[0] = '\0';
	for (int i = 0; i < msg->nargs && n < sizeof(args) - 32; i++) {
		const struct osc_arg *a = &msg->args[i];
		if (a->is_value)
			n += (size_t)snprintf(args + n, sizeof(args) - n, " %g",
			    out->value);
		else if (a->range)
			n += (size_t)snprintf(args + n, sizeof(args) - n,
			    a->type == 'i' || a->type == 'h' ? " %.0f" : " %.10g",
			    a->range == 1 ? ev->start : ev->end);
		else if (a->type == 'i')
			n += (size_t)snprintf(args + n, sizeof(args) - n, " %d", a->v.i);
		else if (a->type == 'f')
			n += (size_t)snprintf(args + n, sizeof(args) - n, " %g", a->v.f);
		else if (a->type == 'd')
			n += (size_t)snprintf(args + n, sizeof(args) - n, " %g", a->v.d);
		else if (a->type == 'h')
			n += (size_t)snprintf(args + n, sizeof(args) - n, " %lld",
			    (long long)a->v.h);
		else if (a->type == 's') {
			char label[256];
			n += (size_t)snprintf(args + n, sizeof(args) - n, " \"%s\"",
			    !a->v.s ? "" : a->is_template ? osc_label(a->v.s,
			    bs->br->take, label, sizeof(label)) : a->v.s);
		}
		else
			n += (size_t)snprintf(args + n, sizeof(args) - n, " %c", a->type);
	}
	log_debug("%s -> %s%s", eng->controller->controls[b->control].name,
	    msg->address ? msg->address : b->action->name, args);
}

/* ---- feedback to the controller ---- */

#define LINK_TICK_NS 1000000000ull
#define RETRY_MIN_NS 1000000000ull
#define RETRY_MAX_NS 10000000000ull

static void
send_midi(struct bsurface *bs, const uint8_t *bytes, size_t len)
{
	if (len == 0)
		return;
	jack_midi_send(bs->jack, bytes, len);
	alsa_midi_send(bs->alsa, bytes, len);
	for (int i = 0; i < bs->nraw; i++)
		raw_midi_send(bs->raw[i], bytes, len);
}

static void
show(struct bsurface *bs, const struct binding *b, double value)
{
	uint8_t out[FEEDBACK_MAX];
	int n = engine_feedback(bs->eng, b, value, now_ns(), out);

	send_midi(bs, out, (size_t)n);
}

/* A toggle the DAW never reports (Ardour's plugin bypass): its LEDs show
 * what the bridge sent, as no word from the DAW will. */
static void
show_unreported(struct bsurface *bs, const struct binding *b, double value)
{
	const struct profile *p = bs->eng->profile;

	if (b->target < 0 ||
	    !p->dialect->reports[action_index(b->action)].unreported)
		return;
	for (int bi = p->by_target[b->target]; bi >= 0;
	    bi = p->bindings[bi].next_same_target)
		show(bs, &p->bindings[bi], value);
}

/* Every LED and motor fader of the controller to the active profile's
 * state: after a switch, a reload, a reconnect. */
static void
resync(struct bsurface *bs)
{
	const struct profile *p = bs->eng->profile;
	uint8_t out[FEEDBACK_MAX];
	uint64_t now = now_ns();

	for (int ci = 0; ci < bs->eng->controller->ncontrols; ci++) {
		const struct control *c = &bs->eng->controller->controls[ci];
		int bi = p->by_control[ci];
		const struct binding *b = bi >= 0 ? &p->bindings[bi] : NULL;
		double v = b ? engine_target_value(bs->eng, b) : NAN;
		int n = 0;

		if (!c->feedback)
			continue;
		if (ci == p->indicator)
			n = engine_feedback_switch(bs->eng, ci, true, now, out);
		else if (b && !isnan(v))
			n = engine_feedback(bs->eng, b, v, now, out);
		else if (c->mode == MODE_BUTTON)
			n = engine_feedback_switch(bs->eng, ci, false, now, out);
		send_midi(bs, out, (size_t)n);
	}
}

static void
controller_connected(void *ctx)
{
	struct bsurface *bs = ctx;
	const struct controller *c = bs->eng->controller;

	if (c->init_len)
		send_midi(bs, c->init, c->init_len);
	resync(bs);
}

static void
handshake(struct bsurface *bs)
{
	const struct dialect *d = bs->eng->profile->dialect;

	for (int i = 0; i < d->nhandshake; i++)
		osc_send_template(&bs->target, &bs->br->osc, &d->handshake[i]);
}

/* Ask the DAW for feedback until it answers, backing off; ask again when
 * it falls silent longer than its heartbeat (it restarted). */
static void
link_tick(void *ctx)
{
	struct bsurface *bs = ctx;
	const struct dialect *d = bs->eng->profile->dialect;
	uint64_t now = now_ns();

	bs->link_timer = loop_add_timer(bs->br->loop, LINK_TICK_NS, link_tick, bs);
	if (d->nhandshake == 0)
		return;
	if (bs->heard && d->heartbeat_s > 0 && bs->target.proto == OSC_UDP &&
	    now - bs->last_heard_ns > (uint64_t)d->heartbeat_s * 1000000000ull) {
		log_warnx("surface %d: %s silent for %d s; asking for feedback "
		    "again", bs->index, d->title, d->heartbeat_s);
		bs->heard = false;
		bs->retry_ns = RETRY_MIN_NS;
		bs->next_try_ns = now;
	}
	if (!bs->heard && now >= bs->next_try_ns) {
		handshake(bs);
		if (bs->target.proto == OSC_TCP)
			bs->heard = true;	/* no answer can come back: once */
		bs->next_try_ns = now + bs->retry_ns;
		bs->retry_ns = bs->retry_ns * 2 > RETRY_MAX_NS ? RETRY_MAX_NS :
		    bs->retry_ns * 2;
	}
}

/* A report's first argument as a number: any numeric type, or text
 * holding one; NAN if none. */
static double
message_number(lo_message msg)
{
	const char *types = lo_message_get_types(msg);
	lo_arg **argv = lo_message_get_argv(msg);
	double v = NAN;

	if (lo_message_get_argc(msg) < 1)
		return NAN;
	if (types[0] == 's') {
		char *end;
		v = strtod((const char *)argv[0], &end);
		if (end == (const char *)argv[0])
			v = NAN;
	} else if (!feedback_arg_number(types[0], argv[0], &v))
		v = NAN;
	return isfinite(v) ? v : NAN;
}

/* The playhead: seconds, or "hh:mm:ss.mmm" (Ardour's /position/time). */
static void
read_position(struct bsurface *bs, lo_message msg)
{
	int h, m;
	double v, sec;

	if (lo_message_get_argc(msg) >= 1 && lo_message_get_types(msg)[0] == 's' &&
	    sscanf((const char *)lo_message_get_argv(msg)[0], "%d:%d:%lf", &h,
	    &m, &sec) == 3)
		v = h * 3600.0 + m * 60.0 + sec;
	else
		v = message_number(msg);
	if (!isnan(v))
		bs->position = v;
}

static double target_value(const struct bsurface *bs, int id);

static bool
rolling(const struct bsurface *bs)
{
	return target_value(bs, bs->eng->profile->play_target) == 1;
}

/* The playhead for loop.section.  The DAW reports it every 100 ms or so
 * while rolling: how fast it moves between two reports lets the bridge
 * tell where it is between them.  A rate is taken only between two
 * reports made while rolling (the first after play is a new start, not
 * motion), and one unlike the others is a locate, not motion, unless the
 * next report confirms it (a new speed). */
static void
read_playhead(struct bsurface *bs, lo_message msg)
{
	double v = message_number(msg);
	uint64_t now = now_ns();
	bool roll = rolling(bs);

	if (isnan(v))
		return;
	if (!isnan(bs->playhead) && roll && bs->playhead_rolled &&
	    v > bs->playhead && now - bs->playhead_ns > 20000000ull &&
	    now - bs->playhead_ns < 2000000000ull) {
		double rate = (v - bs->playhead) / ((now - bs->playhead_ns) / 1e9);
		double old = bs->playhead_rate;

		if (!(old > 0) || (rate > old * 0.5 && rate < old * 2)) {
			bs->playhead_rate = old > 0 ? 0.7 * old + 0.3 * rate : rate;
			bs->rate_outlier = 0;
		} else if (rate > bs->rate_outlier * 0.8 &&
		    rate < bs->rate_outlier * 1.25) {
			bs->playhead_rate = rate;	/* confirmed: a new speed */
			bs->rate_outlier = 0;
		} else {
			bs->rate_outlier = rate;
		}
	}
	bs->playhead = v;
	bs->playhead_ns = now;
	bs->playhead_rolled = roll;
}

/* Where the playhead is now: the last report, moved on at the rate it
 * rolls for at most a quarter second.  Reports come every 100 ms while
 * the DAW rolls; a longer silence means its engine stalled, and a guess
 * that ran on would put a section marker where the DAW's is not. */
static double
playhead_now(const struct bsurface *bs)
{
	double dt;

	if (isnan(bs->playhead) || !rolling(bs) || !(bs->playhead_rate > 0))
		return bs->playhead;
	dt = (now_ns() - bs->playhead_ns) / 1e9;
	return bs->playhead + bs->playhead_rate * (dt < 0.25 ? dt : 0.25);
}

static void
link_reset(struct bsurface *bs)
{
	bs->position = NAN;	/* that was the other DAW's playhead */
	bs->playhead = NAN;
	bs->playhead_rate = 0;
	bs->playhead_rolled = false;
	bs->rate_outlier = 0;
	bs->heard = false;
	bs->retry_ns = RETRY_MIN_NS;
	bs->next_try_ns = now_ns();
}

struct daw_packet {
	struct bridge *br;
	const struct sockaddr_in *from;
	int matched;
};

static double
feedback_value(const struct action_def *a, double v)
{
	return a->type == ACTION_CONTINUOUS ? v : v != 0 ? 1 : 0;
}

/* One message from a DAW: the surfaces that talk to it learn that it is
 * there, and what it reports lands on its target and its controls.  It is
 * never sent back: feedback cannot loop. */
static void
daw_message(void *ctx, const char *path, lo_message msg)
{
	struct daw_packet *pk = ctx;
	struct bridge *br = pk->br;

	for (int i = 0; i < br->nsurfaces; i++) {
		struct bsurface *bs = &br->surfaces[i];
		const struct sockaddr_in *to = (const struct sockaddr_in *)&bs->target.sa;
		const struct dialect *d = bs->eng->profile->dialect;
		struct feedback_match m;
		int id;

		if (bs->target.proto != OSC_UDP ||
		    to->sin_addr.s_addr != pk->from->sin_addr.s_addr)
			continue;
		if (!bs->heard) {
			log_info("surface %d: %s answers; feedback on", bs->index,
			    d->title);
			bs->heard = true;
			bs->retry_ns = RETRY_MIN_NS;
		}
		bs->last_heard_ns = now_ns();
		if (d->position.address && strcmp(d->position.address, path) == 0) {
			read_position(bs, msg);
			continue;
		}
		if (d->playhead.address && strcmp(d->playhead.address, path) == 0) {
			read_playhead(bs, msg);
			continue;
		}
		if (!feedback_match(d, path, lo_message_get_types(msg),
		    lo_message_get_argv(msg), lo_message_get_argc(msg), &m) ||
		    !m.has_value)
			continue;
		/* the engineer's level view: a clip is worth a line */
		if (m.action->display && m.action->unit == UNIT_DB && m.value >= 0)
			log_warnx_limited(&bs->clip_warn, "surface %d: track %d "
			    "clips (%+.1f dB)", bs->index, m.track, m.value);
		id = config_target_of(br->cfg, bs->eng->profile, m.action, m.track,
		    m.marker, m.plugin);
		if (id < 0)
			continue;	/* nothing of ours is bound to it */
		pk->matched++;
		br->values->v[id] = feedback_value(m.action, m.value);
		for (int bi = bs->eng->profile->by_target[id]; bi >= 0;
		    bi = bs->eng->profile->bindings[bi].next_same_target)
			show(bs, &bs->eng->profile->bindings[bi], br->values->v[id]);
	}
}

static void journal_open(struct bsurface *bs);

/* ---- switching ---- */

static bool
same_target(const struct profile *a, const struct profile *b)
{
	return a->port == b->port && a->proto == b->proto &&
	    strcmp(a->host, b->host) == 0;
}

/* Between two events: the next event goes to p, none to both. */
static int
switch_profile(struct bsurface *bs, const struct profile *p, const char *why)
{
	const struct profile *old = bs->eng->profile;

	if (p->controller != bs->eng->controller)
		return -1;
	if (!same_target(old, p)) {
		struct osc_target t;
		if (osc_target_open(&t, p->host, p->port, p->proto) < 0)
			return -1;
		osc_target_close(&bs->target);
		bs->target = t;
		link_reset(bs);		/* another DAW: greet it */
	}
	engine_switch(bs->eng, p);
	log_info("surface %d: profile %s (%s), was %s", bs->index, p->name, why,
	    old->name);
	journal_open(bs);
	resync(bs);
	return 0;
}

static void
bridge_action(struct bsurface *bs, const struct binding *b)
{
	const struct profile *ring[64], *to = NULL;
	int n, at;

	if (b->action->effect == EFFECT_SWITCH)
		to = config_profile(bs->br->cfg, b->profile);
	else {
		n = config_profile_ring(bs->br->cfg, bs->eng->profile, ring, 64, &at);
		if (n > 0)
			to = b->action->effect == EFFECT_NEXT ?
			    ring[(at + 1) % n] : ring[(at + n - 1) % n];
	}
	if (to != NULL && to != bs->eng->profile)
		switch_profile(bs, to, bs->eng->controller->controls[b->control].name);
}

/* ---- takes, guard, journal ---- */

static double
target_value(const struct bsurface *bs, int id)
{
	return id >= 0 ? bs->br->values->v[id] : NAN;
}

static void
journal_open(struct bsurface *bs)
{
	const char *path = bs->eng->profile->journal;
	struct stat st;

	if (bs->journal_path && path && strcmp(bs->journal_path, path) == 0)
		return;
	if (bs->journal_fd >= 0)
		close(bs->journal_fd);
	bs->journal_fd = -1;
	bs->journal_path = path;
	if (path == NULL)
		return;
	/* O_APPEND and one write(2) a line: a killed bridge loses nothing
	 * it has written, and two bridges never interleave a line */
	bs->journal_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (bs->journal_fd < 0) {
		log_warn("journal %s", path);
		return;
	}
	if (fstat(bs->journal_fd, &st) == 0 && st.st_size == 0) {
		static const char head[] =
		    "time,position,profile,control,action,label,value\n";
		if (write(bs->journal_fd, head, sizeof(head) - 1) < 0)
			log_warn("journal %s", path);
	}
	log_info("surface %d: journal %s", bs->index, path);
}

static void
csv_field(char *out, size_t len, const char *text)
{
	size_t n = 0;

	if (n + 1 < len)
		out[n++] = '"';
	for (const char *p = text; *p && n + 3 < len; p++) {
		if (*p == '"')
			out[n++] = '"';
		out[n++] = *p;
	}
	if (n + 1 < len)
		out[n++] = '"';
	out[n] = '\0';
}

static void
log_warn_limited_journal(struct bsurface *bs)
{
	log_warnx_limited(&bs->journal_warn, "journal %s: %s", bs->journal_path,
	    strerror(errno));
}

static void
journal_write(struct bsurface *bs, const struct binding *b, double value)
{
	char line[1024], when[64], pos[32], label[300], quoted[320];
	struct timespec ts;
	struct tm tm;
	int n;

	if (bs->journal_fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof(when) - (size_t)n, ".%03ldZ", ts.tv_nsec / 1000000);
	if (isnan(bs->position))
		pos[0] = '\0';
	else
		snprintf(pos, sizeof(pos), "%.3f", bs->position);
	csv_field(quoted, sizeof(quoted), b->label ?
	    osc_label(b->label, bs->br->take, label, sizeof(label)) : "");
	n = snprintf(line, sizeof(line), "%s,%s,%s,%s,%s,%s,%g\n", when, pos,
	    bs->eng->profile->name, bs->eng->controller->controls[b->control].name,
	    b->action->name, quoted, value);
	if (n > 0 && write(bs->journal_fd, line, (size_t)n) != n)
		log_warn_limited_journal(bs);
}

/* ---- sections, for loop.section ---- */

static void
section_add(struct bsurface *bs)
{
	struct bridge *br = bs->br;
	double at = playhead_now(bs);
	int i;

	if (isnan(at)) {
		log_warnx("surface %d: %s reports no playhead: this section "
		    "cannot be looped (loop.section)", bs->index,
		    bs->eng->profile->dialect->title);
		return;
	}
	for (i = 0; i < br->nsections; i++)
		if (strcmp(br->sections[i].daw, bs->target.url) == 0 &&
		    fabs(br->sections[i].at - at) < 1e-9)
			return;		/* one there already */
	if (br->nsections == br->sections_cap) {
		br->sections_cap = br->sections_cap ? br->sections_cap * 2 : 32;
		br->sections = xrealloc(br->sections,
		    (size_t)br->sections_cap * sizeof(*br->sections));
	}
	br->sections[br->nsections].daw = xstrdup(bs->target.url);
	br->sections[br->nsections].at = at;
	br->nsections++;
}

/* The section around the playhead: from the last section start at or
 * before it to the next one after it, or to the playhead itself in the
 * last section.  false (and says why) when there is none. */
static bool
section_around(struct bsurface *bs, struct osc_event *ev)
{
	struct bridge *br = bs->br;
	double p = playhead_now(bs), start = -INFINITY, end = INFINITY;
	/* a playhead a few ms short of a section start is at it */
	double slack = bs->playhead_rate > 1000 ? bs->playhead_rate * 0.005 :
	    0.005;

	if (isnan(p)) {
		log_warnx("surface %d: %s reports no playhead: nothing to loop",
		    bs->index, bs->eng->profile->dialect->title);
		return false;
	}
	for (int i = 0; i < br->nsections; i++) {
		double at = br->sections[i].at;
		if (strcmp(br->sections[i].daw, bs->target.url) != 0)
			continue;
		if (at <= p + slack && at > start)
			start = at;
	}
	for (int i = 0; i < br->nsections; i++) {
		double at = br->sections[i].at;
		if (strcmp(br->sections[i].daw, bs->target.url) == 0 &&
		    at > start && at < end)
			end = at;
	}
	if (isinf(start)) {
		log_warnx("surface %d: no section marker before the playhead: "
		    "add one (marker.section) to loop from it", bs->index);
		return false;
	}
	if (isinf(end))
		end = p;	/* the last section: up to here */
	if (end <= start + slack) {
		log_warnx("surface %d: the last section has no end yet: play "
		    "into it, or add the next section marker", bs->index);
		return false;
	}
	ev->start = start;
	ev->end = end;
	return true;
}

/* After loop.section set the range: start looping, unless the DAW loops
 * already (its transport.loop toggles, so it is sent only when it is
 * known to be off, or not known). */
static void
loop_play(struct bsurface *bs)
{
	const struct dialect *d = bs->eng->profile->dialect;
	const struct dialect_action *da =
	    &d->actions[action_index(action_find("transport.loop"))];

	if (target_value(bs, bs->eng->profile->loop_target) == 1 ||
	    !da->defined || da->unsupported)
		return;
	for (int i = 0; i < da->msg.nargs; i++)
		if (da->msg.args[i].source != ARG_CONST)
			return;		/* not a plain command */
	osc_send_template(&bs->target, &bs->br->osc, &da->msg);
}

/* ---- the event path ---- */

static void release_retired(struct bridge *br);

/* The one path every MIDI event takes. */
static void
deliver(void *ctx, const struct midi_event *ev)
{
	struct bsurface *bs = ctx;
	struct engine_output out;
	struct osc_event ev_args = { 0, 0, 0 };

	bs->eng->events++;
	switch (engine_event(bs->eng, ev, now_ns(), &out)) {
	case ENGINE_GUARDED:
		log_info("surface %d: recording: press %s again to %s", bs->index,
		    bs->eng->controller->controls[out.binding->control].name,
		    out.binding->action->name);
		goto done;
	case ENGINE_NOTHING:
		goto done;
	}
	{
		const struct binding *b = out.binding;
		/* every output of a switch is a press, but a momentary's 0 */
		bool press = b->action->type != ACTION_CONTINUOUS &&
		    !(b->trigger == TRIGGER_MOMENTARY && out.value == 0);

		if (press && b->action->effect == EFFECT_NEW_TAKE)
			bs->br->take++;
		ev_args.take = bs->br->take;
		if (press && b->action->effect == EFFECT_LOOP_SECTION &&
		    !section_around(bs, &ev_args))
			goto done;
		if (log_verbose >= 1)
			trace_message(bs, &out, &ev_args);
		/* before a switch: the old role's journal has its last word */
		if (b->action->type != ACTION_CONTINUOUS)
			journal_write(bs, b, out.value);
		if (b->action->internal)
			bridge_action(bs, b);
		else if (osc_send_binding(&bs->target, &bs->br->osc, b,
		    out.value, &ev_args) == 0 && press) {
			if (b->action->type == ACTION_TOGGLE)
				show_unreported(bs, b, out.value);
			if (b->action->effect == EFFECT_SECTION)
				section_add(bs);
			else if (b->action->effect == EFFECT_LOOP_SECTION)
				loop_play(bs);
		}
	}
done:
	if (bs->br->retired)
		release_retired(bs->br);
}

static void
input_finished(void *ctx, int err)
{
	struct bsurface *bs = ctx;

	if (err)
		bs->br->exit_code = 1;
	loop_stop(bs->br->loop);
}

/* ---- reload ---- */

static bool
binding_in(const struct config *cfg, const struct binding *b)
{
	for (int i = 0; i < cfg->nprofiles; i++) {
		const struct profile *p = cfg->profiles[i];
		if (p->nbindings && b >= p->bindings && b < p->bindings + p->nbindings)
			return true;
	}
	return false;
}

static bool
config_held(const struct bridge *br, const struct config *cfg)
{
	for (int i = 0; i < br->nsurfaces; i++) {
		const struct engine *eng = br->surfaces[i].eng;
		for (int c = 0; c < eng->controller->ncontrols; c++)
			if (eng->state[c].held && binding_in(cfg, eng->state[c].held))
				return true;
	}
	return false;
}

static void
release_retired(struct bridge *br)
{
	for (struct retired **r = &br->retired; *r;) {
		if (config_held(br, (*r)->cfg)) {
			r = &(*r)->next;
			continue;
		}
		struct retired *gone = *r;
		*r = gone->next;
		config_free(gone->cfg);
		free(gone);
	}
}

static bool
same_cc14(const struct controller *a, const struct controller *b)
{
	return memcmp(a->cc14_mask, b->cc14_mask, sizeof(a->cc14_mask)) == 0;
}

/*
 * Load everything anew; on any error keep the running set exactly as it
 * was.  Otherwise swap: each surface keeps its profile by name and each
 * control its state by name; values move to the new targets by key.
 */
static int
reload(struct bridge *br, const char *why)
{
	struct diag_list dl;
	struct config *cfg;
	struct target_values *values;
	const struct profile *next[BRIDGE_MAX_SURFACES];
	uint64_t t0 = now_ns();

	diag_init(&dl);
	cfg = config_load(br->opt->dirs, br->opt->ndirs, br->opt->daw, &dl);
	for (int i = 0; i < br->nsurfaces; i++) {
		struct bsurface *bs = &br->surfaces[i];
		const struct profile *p = config_profile(cfg, bs->eng->profile->name);
		if (p == NULL) {
			diag_error(&dl, bs->eng->profile->file, 0, "deleted or "
			    "unreadable, and surface %d runs it: the running "
			    "configuration stays in service", bs->index);
		} else if (p->controller == NULL) {
			;	/* its own errors are reported already */
		} else if (strcmp(p->controller->name,
		    bs->eng->controller->name) != 0) {
			diag_error(&dl, p->file, 0, "now drives controller '%s' "
			    "instead of '%s': restart the bridge for that",
			    p->controller->name, bs->eng->controller->name);
		} else if (!same_cc14(p->controller, bs->eng->controller)) {
			diag_error(&dl, p->controller->file, 0, "its 14-bit pairs "
			    "changed: restart the bridge for that");
		} else if (strcmp(p->controller->port_pattern,
		    bs->eng->controller->port_pattern) != 0) {
			diag_warning(&dl, p->controller->file, 0, "the new port "
			    "pattern applies when the bridge restarts");
		}
		next[i] = p;
	}
	diag_free(&br->last_reload);
	br->reloads++;
	if (dl.errors) {
		diag_log(&dl, LOG_PRIO_WARNING);
		log_warnx("reload (%s) rejected: %d error%s; the running "
		    "configuration stays in service", why, dl.errors,
		    dl.errors == 1 ? "" : "s");
		br->last_reload = dl;
		br->reload_failed = true;
		config_free(cfg);
		return -1;
	}
	diag_log(&dl, LOG_PRIO_WARNING);	/* warnings */
	if ((values = target_values_new(cfg->ntargets)) == NULL) {
		config_free(cfg);
		diag_free(&dl);
		return -1;
	}
	for (int i = 0; i < br->cfg->ntargets; i++) {
		int id = config_target(cfg, &br->cfg->targets[i]);
		if (id >= 0)
			values->v[id] = br->values->v[i];
	}
	for (int i = 0; i < br->nsurfaces; i++) {
		struct bsurface *bs = &br->surfaces[i];
		const struct profile *p = next[i];

		if (!same_target(bs->eng->profile, p)) {
			struct osc_target t;
			if (osc_target_open(&t, p->host, p->port, p->proto) == 0) {
				osc_target_close(&bs->target);
				bs->target = t;
				link_reset(bs);
			}
		}
		if (engine_rebind(bs->eng, p, values) < 0)
			fatalx("out of memory");
	}
	target_values_free(br->values);
	br->values = values;
	if (config_held(br, br->cfg)) {
		struct retired *r = xcalloc(1, sizeof(*r));
		r->cfg = br->cfg;
		r->next = br->retired;
		br->retired = r;
	} else
		config_free(br->cfg);
	br->cfg = cfg;
	br->last_reload = dl;
	br->reload_failed = false;
	for (int i = 0; i < br->nsurfaces; i++) {
		br->surfaces[i].journal_path = NULL;	/* the old set's string */
		journal_open(&br->surfaces[i]);
		resync(&br->surfaces[i]);
	}
	log_info("reloaded (%s): %d profiles, in %.1f ms", why, cfg->nprofiles,
	    (double)(now_ns() - t0) / 1e6);
	return 0;
}

static void
on_config_changed(void *ctx)
{
	reload(ctx, "files changed");
}

/* ---- the control port ---- */

static void
reply(struct bridge *br, const struct sockaddr_in *to, bool ok,
    const char *const *lines, int n)
{
	char buf[65536];
	size_t size = sizeof(buf);
	lo_message m = lo_message_new();

	lo_message_add_string(m, ok ? "ok" : "error");
	for (int i = 0; i < n; i++)
		lo_message_add_string(m, lines[i]);
	if (lo_message_serialise(m, CONTROL_REPLY, buf, &size) != NULL)
		sendto(br->osc.fd, buf, size, 0, (const struct sockaddr *)to,
		    sizeof(*to));
	lo_message_free(m);
}

static void
reply_diags(struct bridge *br, const struct sockaddr_in *to, bool ok,
    const char *first, const struct diag_list *dl)
{
	const char *lines[65];
	int n = 0;

	lines[n++] = first;
	for (int i = 0; dl && i < dl->count && n < 65; i++)
		lines[n++] = dl->items[i].text;
	reply(br, to, ok, lines, n);
}

static void
control_status(struct bridge *br, const struct sockaddr_in *to)
{
	char text[BRIDGE_MAX_SURFACES + 1][256];
	const char *lines[BRIDGE_MAX_SURFACES + 66];
	int n = 0;

	for (int i = 0; i < br->nsurfaces; i++) {
		const struct bsurface *bs = &br->surfaces[i];
		snprintf(text[i], sizeof(text[i]), "surface %d: %s, profile %s "
		    "(%s), %s at %s", bs->index, bs->eng->controller->name,
		    bs->eng->profile->name, bs->eng->profile->title,
		    bs->eng->profile->dialect->title, bs->target.url);
		lines[n++] = text[i];
	}
	snprintf(text[BRIDGE_MAX_SURFACES], sizeof(text[0]), "last reload: %s",
	    br->reload_failed ? "rejected, the running configuration "
	    "stays in service:" : br->reloads ? "ok" : "none yet");
	lines[n++] = text[BRIDGE_MAX_SURFACES];
	for (int i = 0; br->reload_failed && i < br->last_reload.count && n <
	    (int)(sizeof(lines) / sizeof(lines[0])); i++)
		lines[n++] = br->last_reload.items[i].text;
	reply(br, to, true, lines, n);
}

static void
control_switch(struct bridge *br, const struct sockaddr_in *to,
    const char *name, int surface)
{
	const struct profile *p = config_profile(br->cfg, name);
	struct bsurface *bs = NULL;
	char msg[256];
	const char *line = msg;

	if (p == NULL) {
		snprintf(msg, sizeof(msg), "no profile '%s'", name);
		reply(br, to, false, &line, 1);
		return;
	}
	if (surface > 0) {
		if (surface <= br->nsurfaces)
			bs = &br->surfaces[surface - 1];
	} else {
		/* the surface that drives this profile's controller */
		for (int i = 0; i < br->nsurfaces && bs == NULL; i++)
			if (br->surfaces[i].eng->controller == p->controller)
				bs = &br->surfaces[i];
	}
	if (bs == NULL || bs->eng->controller != p->controller) {
		snprintf(msg, sizeof(msg), "no surface%s runs controller '%s', "
		    "which profile '%s' is for", surface > 0 ? " of that number" :
		    "", p->controller->name, name);
		reply(br, to, false, &line, 1);
		return;
	}
	if (bs->eng->profile != p && switch_profile(bs, p, "control port") < 0) {
		snprintf(msg, sizeof(msg), "cannot switch to '%s'", name);
		reply(br, to, false, &line, 1);
		return;
	}
	snprintf(msg, sizeof(msg), "surface %d: profile %s", bs->index, p->name);
	reply(br, to, true, &line, 1);
}

static void
control_message(struct bridge *br, const char *buf, size_t len,
    const struct sockaddr_in *from)
{
	const char *path = lo_get_path((void *)buf, (ssize_t)len);
	int result = 0;
	lo_message m;
	const char *types;
	lo_arg **argv;
	int argc;

	if ((m = lo_message_deserialise((void *)buf, len, &result)) == NULL) {
		log_warnx_limited(&br->control_warn, "control: a malformed OSC "
		    "message (liblo error %d) ignored", result);
		return;
	}
	types = lo_message_get_types(m);
	argv = lo_message_get_argv(m);
	argc = lo_message_get_argc(m);
	if (strcmp(path, "/ctlbridge/status") == 0)
		control_status(br, from);
	else if (strcmp(path, "/ctlbridge/reload") == 0) {
		if (reload(br, "control port") == 0)
			reply_diags(br, from, true, "reloaded", &br->last_reload);
		else
			reply_diags(br, from, false, "reload rejected; the running "
			    "configuration stays in service", &br->last_reload);
	} else if (strcmp(path, "/ctlbridge/profile") == 0 && argc >= 1 &&
	    types[0] == 's') {
		int32_t surface = 0;
		if (argc >= 2 && types[1] == 'i')
			memcpy(&surface, argv[1], sizeof(surface));
		control_switch(br, from, (const char *)argv[0], surface);
	} else {
		char msg[300];
		const char *line = msg;
		snprintf(msg, sizeof(msg), "unknown request %.100s,%.20s (expected "
		    "/ctlbridge/profile s [i], /ctlbridge/status, "
		    "/ctlbridge/reload)", path, types);
		reply(br, from, false, &line, 1);
	}
	lo_message_free(m);
}

/* Datagrams to the bridge's own port: control requests from this machine;
 * everything else is the DAW's (replies, feedback), unused for now. */
static void
on_osc(void *ctx, int fd, short revents)
{
	struct bridge *br = ctx;
	char buf[65536];
	struct sockaddr_in from;
	socklen_t fromlen;
	ssize_t len;

	if (revents & POLLERR) {
		struct osc_target *targets[BRIDGE_MAX_SURFACES];
		for (int i = 0; i < br->nsurfaces; i++)
			targets[i] = &br->surfaces[i].target;
		osc_port_drain_errors(&br->osc, targets, br->nsurfaces);
	}
	for (;;) {
		fromlen = sizeof(from);
		len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fromlen);
		if (len < 0)
			break;
		if (len < 12 || strncmp(buf, CONTROL_PREFIX,
		    strlen(CONTROL_PREFIX)) != 0) {
			struct daw_packet pk = { br, &from, 0 };
			if (feedback_walk(buf, (size_t)len, daw_message, &pk) < 0)
				log_warnx_limited(&br->control_warn, "osc: a "
				    "malformed packet from %s:%d ignored",
				    inet_ntoa(from.sin_addr), ntohs(from.sin_port));
			continue;
		}
		if (from.sin_family != AF_INET ||
		    (ntohl(from.sin_addr.s_addr) >> 24) != 127) {
			log_warnx_limited(&br->control_warn, "control: request "
			    "from %s refused (loopback only)",
			    inet_ntoa(from.sin_addr));
			continue;
		}
		control_message(br, buf, (size_t)len, &from);
	}
}

/* ---- set-up ---- */

static void
on_signal(void *ctx, int fd, short revents)
{
	struct bridge *br = ctx;
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		reload(br, "SIGHUP");
		return;
	}
	log_info("%s: stopping", strsignal((int)si.ssi_signo));
	loop_stop(br->loop);
}

/*
 * Several -m of one kind add patterns to one client: -m jack:a -m jack:b
 * connects ports matching either.  auto adds the controller's pattern to
 * ALSA (if the sequencer exists) and to JACK (now or when a server starts).
 */
static int
open_inputs(struct bsurface *bs, const struct surface_spec *spec)
{
	const char *pattern = bs->eng->controller->port_pattern;
	const char *alsa_pat[BRIDGE_MAX_INPUTS + 1], *jack_pat[BRIDGE_MAX_INPUTS + 1];
	int nalsa = 0, njack = 0;
	bool want_alsa = false, want_jack = false, is_auto = spec->ninputs == 0;
	const char *why = NULL;
	char name[32];

	if (bs->index == 1)
		snprintf(name, sizeof(name), "ctlbridge");
	else
		snprintf(name, sizeof(name), "ctlbridge-%d", bs->index);
	for (int i = 0; i < spec->ninputs; i++) {
		const struct input_spec *sp = &spec->inputs[i];
		const char *pat = sp->arg ? sp->arg : pattern;

		switch (sp->type) {
		case INPUT_RAW:
			bs->sink.source = (uint8_t)(bs->nraw + 3);
			if ((bs->raw[bs->nraw] = raw_midi_new(bs->br->loop, sp->arg,
			    &bs->sink)) == NULL)
				return -1;
			bs->nraw++;
			break;
		case INPUT_ALSA:
			want_alsa = true;
			alsa_pat[nalsa++] = pat;
			break;
		case INPUT_JACK:
			want_jack = true;
			jack_pat[njack++] = pat;
			break;
		case INPUT_AUTO:
			is_auto = true;
			break;
		}
	}
	if (is_auto) {
		alsa_pat[nalsa++] = pattern;
		jack_pat[njack++] = pattern;
	}
	if (want_alsa || is_auto) {
		bs->sink.source = 1;
		bs->alsa = alsa_midi_new(bs->br->loop, name, alsa_pat, nalsa,
		    &bs->sink, &why);
		if (bs->alsa == NULL && want_alsa) {
			log_errx("alsa: cannot open the ALSA sequencer: %s; use "
			    "-m jack or -m raw:PATH instead", why);
			return -1;
		}
		if (bs->alsa == NULL && bs->index == 1)
			log_info("alsa: sequencer not available: %s; MIDI comes "
			    "from JACK when a server runs (or use -m raw:PATH)", why);
	}
	if (want_jack || is_auto) {
		/* explicit patterns come first: they connect whatever they
		 * match; the controller's own pattern leaves ALSA copies out */
		struct jack_midi_options jo = { name, jack_pat, njack, want_jack,
		    is_auto && bs->alsa != NULL, is_auto ? njack - 1 : njack };
		bs->sink.source = 2;
		if ((bs->jack = jack_midi_new(bs->br->loop, &jo, &bs->sink)) == NULL)
			return -1;
	}
	if (is_auto && bs->alsa == NULL && bs->jack && !jack_midi_connected(bs->jack))
		log_info("surface %d: waiting for a controller matching '%s' or a "
		    "JACK server", bs->index, pattern);
	return 0;
}

static int
setup_signals(struct bridge *br)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* blocked before any thread starts (JACK), so only signalfd sees them */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (br->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		log_err("signalfd");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return loop_add_fd(br->loop, br->sigfd, POLLIN, on_signal, br);
}

/* Inputs found by the controller's own pattern only (no -m, or -m auto). */
static bool
default_inputs(const struct surface_spec *spec)
{
	for (int i = 0; i < spec->ninputs; i++)
		if (spec->inputs[i].type != INPUT_AUTO)
			return false;
	return true;
}

static int
setup_surface(struct bridge *br, const struct surface_spec *spec)
{
	struct bsurface *bs = &br->surfaces[br->nsurfaces];
	const struct profile *p = config_profile(br->cfg, spec->profile);

	if (p == NULL) {
		char names[512];
		size_t n = 0;
		names[0] = '\0';
		for (int i = 0; i < br->cfg->nprofiles && n < sizeof(names) - 64; i++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
			    i ? ", " : "", br->cfg->profiles[i]->name);
		log_errx("no profile '%s' (profiles: %s)", spec->profile, names);
		return -1;
	}
	bs->br = br;
	bs->index = br->nsurfaces + 1;
	if ((bs->eng = engine_new(p)) == NULL)
		return -1;
	br->nsurfaces++;
	bs->eng->values = br->values;
	if (osc_target_open(&bs->target, p->host, p->port, p->proto) < 0)
		return -1;
	bs->sink.on_event = deliver;
	bs->sink.ctx = bs;
	bs->sink.on_finished = input_finished;
	bs->sink.on_connected = controller_connected;
	bs->position = bs->playhead = NAN;
	bs->journal_fd = -1;
	bs->journal_warn = (struct ratelimit)RATELIMIT_INIT(10);
	bs->clip_warn = (struct ratelimit)RATELIMIT_INIT(5);
	journal_open(bs);
	bs->retry_ns = RETRY_MIN_NS;
	bs->next_try_ns = now_ns();
	link_tick(bs);
	memcpy(bs->sink.cc14_mask, p->controller->cc14_mask,
	    sizeof(bs->sink.cc14_mask));
	log_info("surface %d: profile %s: %s -> %s at %s", bs->index, p->name,
	    p->controller->title, p->dialect->title, bs->target.url);
	for (int i = 0; i < br->nsurfaces - 1; i++)
		if (br->surfaces[i].eng->controller == p->controller &&
		    default_inputs(&br->opt->surfaces[i]) && default_inputs(spec))
			log_warnx("surfaces %d and %d both use controller '%s' "
			    "with its default pattern: both will connect to every "
			    "such device; give each its own -m", i + 1, bs->index,
			    p->controller->name);
	return open_inputs(bs, spec);
}

static void
bridge_cleanup(struct bridge *br)
{
	for (int i = 0; i < br->nsurfaces; i++) {
		struct bsurface *bs = &br->surfaces[i];
		for (int j = 0; j < bs->nraw; j++)
			raw_midi_free(bs->raw[j]);
		jack_midi_free(bs->jack);
		alsa_midi_free(bs->alsa);
		if (bs->link_timer > 0)
			loop_cancel_timer(br->loop, bs->link_timer);
		if (bs->journal_fd >= 0)
			close(bs->journal_fd);
		osc_target_close(&bs->target);
		engine_free(bs->eng);
	}
	watch_free(br->watch);
	control_withdraw(br->runtime_file);
	osc_port_close(&br->osc);
	if (br->sigfd >= 0)
		close(br->sigfd);
	while (br->retired) {
		struct retired *r = br->retired;
		br->retired = r->next;
		config_free(r->cfg);
		free(r);
	}
	target_values_free(br->values);
	for (int i = 0; i < br->nsections; i++)
		free(br->sections[i].daw);
	free(br->sections);
	diag_free(&br->last_reload);
	config_free(br->cfg);
	loop_free(br->loop);
}

/* Every profile, not only the first ones: a switch may lead elsewhere. */
static bool
daw_is_local(const struct bridge *br)
{
	for (int i = 0; i < br->cfg->nprofiles; i++)
		if (strncmp(br->cfg->profiles[i]->host, "127.", 4) != 0)
			return false;
	return true;
}

int
bridge_run(const struct bridge_options *opt)
{
	static struct bridge br;	/* large: keep it off the stack */
	struct diag_list dl;

	memset(&br, 0, sizeof(br));
	br.opt = opt;
	br.sigfd = -1;
	br.osc.fd = -1;
	br.control_warn = (struct ratelimit)RATELIMIT_INIT(10);
	diag_init(&dl);
	if ((br.loop = loop_new()) == NULL)
		fatalx("out of memory");
	br.cfg = config_load(opt->dirs, opt->ndirs, opt->daw, &dl);
	diag_log(&dl, LOG_PRIO_ERR);
	if (dl.errors) {
		log_errx("%d error%s in the configuration; not starting "
		    "(run 'ctlbridge check' to see them again)", dl.errors,
		    dl.errors == 1 ? "" : "s");
		br.exit_code = 1;
		goto out;
	}
	if (setup_signals(&br) < 0 ||
	    (br.values = target_values_new(br.cfg->ntargets)) == NULL) {
		br.exit_code = 1;
		goto out;
	}
	/* loopback unless a DAW is elsewhere: nobody else reaches our port */
	if (osc_port_open(&br.osc, daw_is_local(&br) ? "127.0.0.1" :
	    "0.0.0.0", opt->osc_port) < 0) {
		br.exit_code = 1;
		goto out;
	}
	loop_add_fd(br.loop, br.osc.fd, POLLIN, on_osc, &br);
	for (int i = 0; i < opt->nsurfaces; i++) {
		if (setup_surface(&br, &opt->surfaces[i]) < 0) {
			br.exit_code = 1;
			goto out;
		}
	}
	if (control_announce(br.osc.port, br.runtime_file,
	    sizeof(br.runtime_file)) < 0)
		log_warn("control: cannot announce port %d", br.osc.port);
	log_info("control: OSC port %d (ctlbridge status|switch|reload)",
	    br.osc.port);
	if (!opt->no_watch)
		br.watch = watch_new(br.loop, opt->dirs, opt->ndirs,
		    on_config_changed, &br);
	loop_run(br.loop);
	for (int i = 0; i < br.nsurfaces; i++)
		log_debug("surface %d: %llu MIDI events, %llu OSC messages sent, "
		    "%llu failed, %llu held back by pick-up", i + 1,
		    (unsigned long long)br.surfaces[i].eng->events,
		    (unsigned long long)br.surfaces[i].target.sent,
		    (unsigned long long)br.surfaces[i].target.failed,
		    (unsigned long long)br.surfaces[i].eng->held_back);
out:
	diag_free(&dl);
	bridge_cleanup(&br);
	return br.exit_code;
}
