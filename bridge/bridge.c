/*
 * The hub: sets the bridge up and tears it down, and joins the pieces on
 * the two paths.  MIDI in: an input's decoder calls deliver(), the engine
 * turns the event into a binding and a value, and it goes out as OSC (or,
 * for a bridge action, is done here).  DAW report: on_osc() takes the
 * bridge's socket, hands control requests to control.c and the DAW's
 * messages, through the surface's link (daw_link.c), to the value store
 * and each control bound to that target (show()).  Switching and LED
 * resync are here too; everything else has its own file (bridge.h).
 */
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "control.h"
#include "loop.h"
#include "util.h"
#include "watch.h"

/* ---- feedback to the controller ---- */

/* MIDI to the controller for a control (-1: none), and to the monitors. */
static void
send_midi(struct surface *sf, int control, const uint8_t *bytes, int n)
{
	inputs_send(&sf->in, bytes, (size_t)n);
	if (sf->br->nmonitors)
		monitor_feedback(sf, control, bytes, (size_t)n);
}

static void
show(struct surface *sf, const struct binding *b, double value, uint64_t now)
{
	uint8_t out[FEEDBACK_MAX];
	int n = engine_feedback(sf->eng, b, value, now, out);

	send_midi(sf, b->control, out, n);
}

void
bridge_show_target(struct surface *sf, int id, uint64_t now)
{
	const struct profile *p = sf->eng->profile;

	for (int bi = p->by_target[id]; bi >= 0;
	    bi = p->bindings[bi].next_same_target)
		show(sf, &p->bindings[bi], sf->br->values->v[id], now);
}

/* A toggle the DAW never reports (Ardour's plugin bypass): its LEDs show
 * what the bridge sent, as no word from the DAW will. */
static void
show_unreported(struct surface *sf, const struct binding *b, uint64_t now)
{
	if (b->target >= 0 && b->unreported)
		bridge_show_target(sf, b->target, now);
}

void
bridge_resync(struct surface *sf)
{
	const struct engine *eng = sf->eng;
	const struct profile *p = eng->profile;
	uint8_t out[FEEDBACK_MAX];
	uint64_t now = now_ns();

	for (int ci = 0; ci < eng->controller->ncontrols; ci++) {
		const struct control *c = &eng->controller->controls[ci];
		int bi = p->by_control[ci];
		const struct binding *b = bi >= 0 ? &p->bindings[bi] : NULL;
		double v = b ? engine_target_value(eng, b) : NAN;
		int n = 0;

		if (!c->feedback)
			continue;
		if (ci == p->indicator)
			n = engine_feedback_switch(sf->eng, ci, true, now, out);
		else if (b && !isnan(v))
			n = engine_feedback(sf->eng, b, v, now, out);
		else if (c->mode == MODE_BUTTON)
			n = engine_feedback_switch(sf->eng, ci, false, now, out);
		send_midi(sf, ci, out, n);
	}
}

static void
controller_connected(void *ctx)
{
	struct surface *sf = ctx;
	const struct controller *c = sf->eng->controller;

	if (c->init_len)
		send_midi(sf, -1, c->init, (int)c->init_len);
	bridge_resync(sf);
}

static double
feedback_value(const struct action_def *a, double v)
{
	return a->type == ACTION_CONTINUOUS ? v : v != 0 ? 1 : 0;
}

struct daw_packet {
	struct bridge *br;
	const struct sockaddr_in *from;
	uint64_t now;
};

/* One message from the surface's DAW: it is there, and what it reports
 * lands on its target and its controls.  It is never sent back: feedback
 * cannot loop. */
static void
surface_message(struct surface *sf, const struct osc_in *msg,
    struct daw_packet *pk)
{
	struct bridge *br = pk->br;
	struct feedback_match m;
	int id;

	if (!daw_link_report(sf, msg, pk->now, &m)) {
		if (br->nmonitors)
			monitor_daw(sf, msg, NULL, -1);
		return;
	}
	/* the engineer's level view: a clip is worth a line */
	if (m.action->display && m.action->unit == UNIT_DB && m.value >= 0)
		log_warnx_limited(&sf->clip_warn, "surface %d: track %d clips "
		    "(%+.1f dB)", sf->index, m.track, m.value);
	id = config_target_of(br->cfg, sf->eng->profile, m.action, m.track,
	    m.marker, m.plugin);
	if (br->nmonitors)
		monitor_daw(sf, msg, &m, id);
	if (id < 0)
		return;	/* nothing of ours is bound to it */
	br->values->v[id] = feedback_value(m.action, m.value);
	bridge_show_target(sf, id, pk->now);
}

/* One message from a DAW, to each surface that talks to it; then the
 * surface's hooks see what changed (hooks.c). */
static void
daw_message(void *ctx, const struct osc_in *msg)
{
	struct daw_packet *pk = ctx;

	for (int i = 0; i < pk->br->nsurfaces; i++) {
		struct surface *sf = &pk->br->surfaces[i];
		if (daw_link_from(sf, pk->from)) {
			surface_message(sf, msg, pk);
			hooks_after_report(sf, pk->now);
		}
	}
}

/* ---- switching ---- */

int
bridge_switch(struct surface *sf, const struct profile *p, const char *why,
    char *err, size_t errlen)
{
	const struct profile *old = sf->eng->profile;

	if (p->controller != sf->eng->controller) {
		snprintf(err, errlen, "surface %d runs controller '%s'; profile "
		    "'%s' is for '%s'", sf->index, sf->eng->controller->name,
		    p->name, p->controller->name);
		return -1;
	}
	if (daw_link_retarget(sf, p, err, errlen) < 0)
		return -1;
	engine_switch(sf->eng, p);
	daw_link_switched(sf);
	log_info("surface %d: profile %s (%s), was %s", sf->index, p->name, why,
	    old->name);
	journal_open(sf);
	bridge_resync(sf);
	return 0;
}

/* profile.switch, .next, .previous */
static void
bridge_action(struct surface *sf, const struct binding *b)
{
	const struct profile *to;
	char err[256];

	if (b->action->effect == EFFECT_SWITCH)
		to = config_profile(sf->br->cfg, binding_profile(b));
	else
		to = b->action->effect == EFFECT_NEXT ? sf->eng->profile->next :
		    sf->eng->profile->previous;
	if (to != NULL && to != sf->eng->profile &&
	    bridge_switch(sf, to, sf->eng->controller->controls[b->control].name,
	    err, sizeof(err)) < 0)
		log_warnx("surface %d: %s", sf->index, err);
}

/* ---- the event path ---- */

/* What the engine gave out: sent to the DAW, or done here; did (NULL
 * unless a monitor is attached) says which. */
static void
send_output(struct surface *sf, const struct engine_output *out, uint64_t now,
    char *did, size_t didlen)
{
	const struct binding *b = out->binding;
	/* every output of a switch is a press, but a momentary's 0 */
	bool press = b->action->type != ACTION_CONTINUOUS &&
	    !(b->trigger == TRIGGER_MOMENTARY && out->value == 0);
	struct osc_context args = { 0, 0, 0 };

	if (!session_before_send(sf, b, press, now, &args)) {
		if (did)
			snprintf(did, didlen, "not sent (the log says why)");
		return;
	}
	if (log_verbose >= 1)
		trace_sent(sf, out, &args);
	/* before a switch: the old role's journal has its last word */
	if (b->action->type != ACTION_CONTINUOUS)
		journal_write(sf, b, out->value);
	if (b->action->internal) {
		bridge_action(sf, b);
		if (did)
			snprintf(did, didlen, "profile %s", sf->eng->profile->name);
	} else if (osc_send_binding(&sf->link.address, &sf->br->osc, b,
	    out->value, &args) == 0) {
		if (did)
			monitor_say_sent(sf, b, out->value, &args, did, didlen);
		if (press && b->action->type == ACTION_TOGGLE)
			show_unreported(sf, b, now);
		if (press)
			session_after_send(sf, b, now);
	} else if (did)
		snprintf(did, didlen, sf->link.address.flow.fate ==
		    OSC_FATE_DROPPED ? "dropped: %s takes messages slower than "
		    "they come, and flood control's queue is full" :
		    "send failed (nothing listens at %s?)", sf->link.address.url);
}

/* The one path every MIDI event takes. */
static void
deliver(void *ctx, const struct midi_event *ev)
{
	struct surface *sf = ctx;
	struct engine_output out;
	uint64_t now = now_ns();
	char did[320];
	const struct profile *took = sf->eng->profile;	/* a switch may follow */

	sf->eng->events++;
	switch (engine_event(sf->eng, ev, now, &out)) {
	case ENGINE_SEND:
		send_output(sf, &out, now, sf->br->nmonitors ? did : NULL,
		    sizeof(did));
		break;
	case ENGINE_GUARDED:
		log_info("surface %d: recording: press %s again to %s", sf->index,
		    sf->eng->controller->controls[out.binding->control].name,
		    out.binding->action->name);
		break;
	}
	if (out.why > ENGINE_WHY_SENT && log_verbose >= 1)
		trace_silence(sf, ev, &out);
	if (sf->br->nmonitors)
		monitor_midi(sf, took, ev, &out, did);
	if (sf->br->retired)
		reload_release(sf->br);
}

static void
input_finished(void *ctx, int err)
{
	struct surface *sf = ctx;

	if (err)
		sf->br->exit_code = 1;
	sf->br->stopping = true;
	loop_stop(sf->br->loop);
}

/* ---- the bridge's socket ---- */

/* Datagrams to the bridge's own port: control requests from this machine;
 * everything else is the DAW's (replies, feedback).  From a sender not
 * allowed, nothing is read. */
void
bridge_datagram(struct bridge *br, const char *buf, size_t len,
    const struct sockaddr_in *from)
{
	if (!control_sender_allowed(br, from)) {
		br->refused++;
		log_warnx_limited(&br->refused_warn, "osc: datagrams from %s "
		    "ignored: not this machine, nor the DAW of a profile (%llu "
		    "so far)", inet_ntoa(from->sin_addr),
		    (unsigned long long)br->refused);
		return;
	}
	if (len < 12 || strncmp(buf, CONTROL_PREFIX, strlen(CONTROL_PREFIX)) != 0) {
		struct daw_packet pk = { br, from, now_ns() };
		if (feedback_walk(buf, len, daw_message, &pk) < 0)
			log_warnx_limited(&br->control_warn, "osc: a malformed "
			    "packet from %s:%d ignored", inet_ntoa(from->sin_addr),
			    ntohs(from->sin_port));
		return;
	}
	if (from->sin_family != AF_INET ||
	    (ntohl(from->sin_addr.s_addr) >> 24) != 127) {
		log_warnx_limited(&br->control_warn, "control: request from %s "
		    "refused (loopback only)", inet_ntoa(from->sin_addr));
		return;
	}
	control_serve(br, buf, len, from);
}

static void
on_osc(void *ctx, int fd, short revents)
{
	struct bridge *br = ctx;
	char buf[65536];
	struct sockaddr_in from;
	socklen_t fromlen;
	ssize_t len;

	if (revents & POLLERR) {
		struct daw_address *addrs[BRIDGE_MAX_SURFACES];
		for (int i = 0; i < br->nsurfaces; i++)
			addrs[i] = &br->surfaces[i].link.address;
		osc_port_drain_errors(&br->osc, addrs, br->nsurfaces);
	}
	for (;;) {
		fromlen = sizeof(from);
		len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fromlen);
		if (len < 0)
			break;
		bridge_datagram(br, buf, (size_t)len, &from);
	}
}

/* ---- set-up and teardown ---- */

static void
on_config_changed(void *ctx)
{
	reload(ctx, "files changed");
}

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
	br->stopping = true;
	loop_stop(br->loop);
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

static void
no_such_profile(const struct bridge *br, const char *name)
{
	char msg[600];

	log_errx("%s", config_no_profile(br->cfg, name, msg, sizeof(msg)));
}

static int
setup_surface(struct bridge *br, const struct surface_spec *spec)
{
	struct surface *sf = &br->surfaces[br->nsurfaces];
	const struct profile *p = config_profile(br->cfg, spec->profile);
	bool uses_pattern;

	if (p == NULL) {
		no_such_profile(br, spec->profile);
		return -1;
	}
	sf->br = br;
	sf->index = br->nsurfaces + 1;
	sf->journal.fd = -1;
	hooks_reset(sf);
	if ((sf->eng = engine_new(p)) == NULL)
		return -1;
	br->nsurfaces++;
	sf->eng->values = br->values;
	if (daw_link_open(sf, p) < 0)
		return -1;
	sf->in.sink = (struct input_sink){
		.on_event = deliver,
		.ctx = sf,
		.on_finished = input_finished,
		.on_connected = controller_connected,
	};
	memcpy(sf->in.sink.cc14_mask, p->controller->cc14_mask,
	    sizeof(sf->in.sink.cc14_mask));
	sf->journal.warn = (struct ratelimit)RATELIMIT_INIT(10);
	sf->clip_warn = (struct ratelimit)RATELIMIT_INIT(5);
	sf->pickup_log = (struct ratelimit)RATELIMIT_INIT(1);
	sf->unmatched_log = (struct ratelimit)RATELIMIT_INIT(1);
	sf->no_playhead_warn = (struct ratelimit)RATELIMIT_INIT(2);
	sf->no_section_warn = (struct ratelimit)RATELIMIT_INIT(2);
	sf->no_end_warn = (struct ratelimit)RATELIMIT_INIT(2);
	journal_open(sf);
	log_info("surface %d: profile %s: %s -> %s at %s", sf->index, p->name,
	    p->controller->title, p->dialect->title, sf->link.address.url);
	for (int i = 0; i < br->nsurfaces - 1; i++)
		if (br->surfaces[i].eng->controller == p->controller &&
		    input_specs_default(br->opt->surfaces[i].inputs,
		    br->opt->surfaces[i].ninputs) &&
		    input_specs_default(spec->inputs, spec->ninputs))
			log_warnx("surfaces %d and %d both use controller '%s' "
			    "with its default pattern: both will connect to every "
			    "such device; give each its own -m", i + 1, sf->index,
			    p->controller->name);
	/* no -m, -m auto, -m alsa or -m jack: the controller's pattern */
	uses_pattern = spec->ninputs == 0;
	for (int i = 0; i < spec->ninputs; i++)
		uses_pattern |= spec->inputs[i].type == INPUT_AUTO ||
		    (spec->inputs[i].type != INPUT_RAW &&
		    spec->inputs[i].arg == NULL);
	if (uses_pattern)
		snprintf(sf->pattern, sizeof(sf->pattern), "%s",
		    p->controller->port_pattern);
	return inputs_open(&sf->in, br->loop, sf->index,
	    p->controller->port_pattern, spec->inputs, spec->ninputs);
}

void
bridge_stop(struct bridge *br)
{
	for (int i = 0; i < br->nsurfaces; i++) {
		struct surface *sf = &br->surfaces[i];
		inputs_close(&sf->in);
		daw_link_close(sf);
		journal_close(sf);
		engine_free(sf->eng);
	}
	watch_free(br->watch);
	monitor_close(br);
	control_withdraw(br->runtime_file);
	osc_port_close(&br->osc);
	if (br->sigfd >= 0)
		close(br->sigfd);
	reload_free_retired(br);
	target_values_free(br->values);
	session_free(&br->session);
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
bridge_start(struct bridge *br, const struct bridge_options *opt)
{
	struct diag_list dl;
	int rc = -1;

	memset(br, 0, sizeof(*br));
	br->opt = opt;
	br->sigfd = -1;
	br->osc.fd = -1;
	br->control_warn = (struct ratelimit)RATELIMIT_INIT(10);
	br->reload_warn = (struct ratelimit)RATELIMIT_INIT(10);
	br->refused_warn = (struct ratelimit)RATELIMIT_INIT(10);
	diag_init(&dl);
	if ((br->loop = loop_new()) == NULL)
		fatalx("out of memory");
	{
		/* what starts: a broken file none of these needs is reported,
		 * and does not keep the bridge from starting */
		const char *running[BRIDGE_MAX_SURFACES];
		for (int i = 0; i < opt->nsurfaces; i++)
			running[i] = opt->surfaces[i].profile;
		br->cfg = config_load_running(opt->dirs, opt->ndirs, opt->daw,
		    running, opt->nsurfaces, &dl);
	}
	diag_log(&dl, LOG_PRIO_ERR);
	if (br->cfg)
		reload_log_sources(br->cfg);
	if (dl.errors) {
		log_errx("%d error%s in the configuration; not starting "
		    "(run 'ctlbridge check' to see them again)", dl.errors,
		    dl.errors == 1 ? "" : "s");
		goto out;
	}
	if (setup_signals(br) < 0 ||
	    (br->values = target_values_new(br->cfg->ntargets)) == NULL)
		goto out;
	/* -L, else loopback unless a DAW is elsewhere; either way only
	 * this machine and the DAWs are heard (control_sender_allowed) */
	if (osc_port_open(&br->osc, opt->listen ? opt->listen :
	    daw_is_local(br) ? "127.0.0.1" : "0.0.0.0", opt->osc_port) < 0)
		goto out;
	loop_add_fd(br->loop, br->osc.fd, POLLIN, on_osc, br);
	for (int i = 0; i < opt->nsurfaces; i++)
		if (setup_surface(br, &opt->surfaces[i]) < 0)
			goto out;
	/* edits are followed before the bridge says it is there: one saved
	 * the moment a user (or a test) sees it start is not missed */
	if (!opt->no_watch)
		br->watch = watch_new(br->loop, opt->dirs, opt->ndirs,
		    on_config_changed, br);
	control_announce_bridge(br);
	log_info("control: OSC port %d (ctlbridge status|switch|reload)",
	    br->osc.port);
	rc = 0;
out:
	diag_free(&dl);
	return rc;
}

int
bridge_run(const struct bridge_options *opt)
{
	static struct bridge br;	/* large: keep it off the stack */

	if (bridge_start(&br, opt) < 0) {
		bridge_stop(&br);
		return 1;
	}
	/* what one round of the loop sends leaves in one sendmmsg, right
	 * after the round, before the loop waits again */
	osc_batch_begin();
	while (!br.stopping) {
		osc_batch_flush();
		for (int i = 0; i < br.nsurfaces; i++)
			daw_link_flow(&br.surfaces[i]);
		if (loop_run_once(br.loop, -1) < 0)
			break;
	}
	osc_batch_end();
	for (int i = 0; i < br.nsurfaces; i++)
		log_debug("surface %d: %llu MIDI events, %llu OSC messages sent, "
		    "%llu failed, %llu held back by pick-up", i + 1,
		    (unsigned long long)br.surfaces[i].eng->events,
		    (unsigned long long)br.surfaces[i].link.address.sent,
		    (unsigned long long)br.surfaces[i].link.address.failed,
		    (unsigned long long)br.surfaces[i].eng->held_back);
	bridge_stop(&br);
	return br.exit_code;
}
