#include <sys/signalfd.h>

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include "alsa_in.h"
#include "bridge.h"
#include "config.h"
#include "engine.h"
#include "jack_in.h"
#include "log.h"
#include "loop.h"
#include "osc_out.h"
#include "raw_in.h"
#include "util.h"

#define MAX_INPUTS 16

struct bridge {
	struct loop *loop;
	struct config *cfg;
	struct osc_port osc;
	struct surface surface;
	struct osc_target target;
	struct input_sink sink;
	struct raw_in *raw[MAX_INPUTS];
	int nraw;
	struct jack_in *jack;
	struct alsa_in *alsa;
	int sigfd;
	int exit_code;
	struct ratelimit osc_in_warn;
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
trace_message(const struct surface *s, const struct engine_output *out)
{
	const struct binding *b = out->binding;
	char args[256];
	size_t n = 0;

	args[0] = '\0';
	for (int i = 0; i < b->msg.nargs && n < sizeof(args) - 32; i++) {
		const struct osc_arg *a = &b->msg.args[i];
		if (a->is_value)
			n += (size_t)snprintf(args + n, sizeof(args) - n, " %g",
			    out->value);
		else if (a->type == 'i')
			n += (size_t)snprintf(args + n, sizeof(args) - n, " %d", a->v.i);
		else if (a->type == 's')
			n += (size_t)snprintf(args + n, sizeof(args) - n, " \"%s\"",
			    a->v.s ? a->v.s : "");
		else
			n += (size_t)snprintf(args + n, sizeof(args) - n, " %c", a->type);
	}
	log_debug("%s -> %s%s", s->controller->controls[b->control].name,
	    b->msg.address, args);
}

/* The one path every MIDI event takes. */
static void
deliver(void *ctx, const struct midi_event *ev)
{
	struct bridge *br = ctx;
	struct engine_output out;

	br->surface.events++;
	if (!engine_event(&br->surface, ev, &out))
		return;
	if (log_verbose >= 1)
		trace_message(&br->surface, &out);
	osc_send_binding(&br->target, &br->osc, out.binding, out.value);
}

static void
input_finished(void *ctx, int err)
{
	struct bridge *br = ctx;

	if (err)
		br->exit_code = 1;
	loop_stop(br->loop);
}

static void
on_signal(void *ctx, int fd, short revents)
{
	struct bridge *br = ctx;
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		log_info("SIGHUP: reload is not available in this version");
		return;
	}
	log_info("%s: stopping", strsignal((int)si.ssi_signo));
	loop_stop(br->loop);
}

/* Datagrams to the bridge's own port: replies and feedback from the DAW.
 * Nothing consumes them yet; read them so the socket never fills. */
static void
on_osc(void *ctx, int fd, short revents)
{
	struct bridge *br = ctx;
	char buf[2048];

	if (revents & POLLERR)
		osc_port_drain_errors(&br->osc, &br->target);
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/*
 * Several -m of one kind add patterns to one client: -m jack:a -m jack:b
 * connects ports matching either.  auto adds the controller's pattern to
 * ALSA (if the sequencer exists) and to JACK (now or when a server starts).
 */
static int
open_inputs(struct bridge *br, const struct bridge_options *opt)
{
	const char *pattern = br->surface.controller->port_pattern;
	const char *alsa_pat[MAX_INPUTS], *jack_pat[MAX_INPUTS];
	int nalsa = 0, njack = 0;
	bool want_alsa = false, want_jack = false, is_auto = opt->ninputs == 0;
	const char *why = NULL;

	for (int i = 0; i < opt->ninputs; i++) {
		const struct input_spec *sp = &opt->inputs[i];
		const char *pat = sp->arg ? sp->arg : pattern;

		switch (sp->type) {
		case INPUT_RAW:
			if (br->nraw == MAX_INPUTS) {
				log_warnx("too many raw inputs");
				return -1;
			}
			br->sink.source = (uint8_t)(br->nraw + 3);
			if ((br->raw[br->nraw] = raw_in_new(br->loop, sp->arg,
			    &br->sink)) == NULL)
				return -1;
			br->nraw++;
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
		br->sink.source = 1;
		br->alsa = alsa_in_new(br->loop, alsa_pat, nalsa, &br->sink, &why);
		if (br->alsa == NULL && want_alsa) {
			log_warnx("alsa: cannot open the ALSA sequencer: %s; use "
			    "-m jack or -m raw:PATH instead", why);
			return -1;
		}
		if (br->alsa == NULL)
			log_info("alsa: sequencer not available: %s; MIDI comes "
			    "from JACK when a server runs (or use -m raw:PATH)", why);
	}
	if (want_jack || is_auto) {
		struct jack_in_options jo = { jack_pat, njack, want_jack,
		    is_auto && br->alsa != NULL };
		br->sink.source = 2;
		if ((br->jack = jack_in_new(br->loop, &jo, &br->sink)) == NULL)
			return -1;
	}
	if (is_auto && br->alsa == NULL && br->jack && !jack_in_connected(br->jack))
		log_info("waiting for a controller matching '%s' or a JACK server",
		    pattern);
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
		log_warn("signalfd");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return loop_add_fd(br->loop, br->sigfd, POLLIN, on_signal, br);
}

static void
bridge_cleanup(struct bridge *br)
{
	for (int i = 0; i < br->nraw; i++)
		raw_in_free(br->raw[i]);
	jack_in_free(br->jack);
	alsa_in_free(br->alsa);
	osc_target_close(&br->target);
	surface_fini(&br->surface);
	osc_port_close(&br->osc);
	if (br->sigfd >= 0)
		close(br->sigfd);
	config_free(br->cfg);
	loop_free(br->loop);
}

int
bridge_run(const struct bridge_options *opt)
{
	struct bridge br;
	struct diag_list dl;
	const struct profile *p;

	memset(&br, 0, sizeof(br));
	br.sigfd = -1;
	br.osc.fd = -1;
	br.osc_in_warn = (struct ratelimit)RATELIMIT_INIT(10);
	diag_init(&dl);
	if ((br.loop = loop_new()) == NULL)
		fatalx("out of memory");
	br.cfg = config_load(opt->dirs, opt->ndirs, &dl);
	diag_print(&dl, stderr);
	if (dl.errors) {
		log_warnx("%d error%s in the configuration; not starting "
		    "(run 'ctlbridge check' to see them again)", dl.errors,
		    dl.errors == 1 ? "" : "s");
		br.exit_code = 1;
		goto out;
	}
	if (opt->daw) {
		diag_free(&dl);
		if (config_override_daw(br.cfg, opt->daw, &dl) < 0) {
			diag_print(&dl, stderr);
			br.exit_code = 1;
			goto out;
		}
	}
	if ((p = config_profile(br.cfg, opt->profile)) == NULL) {
		char names[512];
		size_t n = 0;
		names[0] = '\0';
		for (int i = 0; i < br.cfg->nprofiles && n < sizeof(names) - 64; i++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
			    i ? ", " : "", br.cfg->profiles[i]->name);
		log_warnx("no profile '%s' (profiles: %s)", opt->profile, names);
		br.exit_code = 1;
		goto out;
	}
	if (setup_signals(&br) < 0 || surface_init(&br.surface, p) < 0) {
		br.exit_code = 1;
		goto out;
	}
	/* loopback unless the DAW is elsewhere: nobody else reaches our port */
	if (osc_port_open(&br.osc, strncmp(p->host, "127.", 4) == 0 ?
	    "127.0.0.1" : "0.0.0.0", 0) < 0) {
		br.exit_code = 1;
		goto out;
	}
	loop_add_fd(br.loop, br.osc.fd, POLLIN, on_osc, &br);
	if (osc_target_open(&br.target, p->host, p->port, p->proto) < 0) {
		br.exit_code = 1;
		goto out;
	}
	br.sink.on_event = deliver;
	br.sink.ctx = &br;
	br.sink.on_finished = input_finished;
	memcpy(br.sink.cc14_mask, p->controller->cc14_mask,
	    sizeof(br.sink.cc14_mask));
	log_info("profile %s: %s -> %s at %s (OSC port %d)", p->name,
	    p->controller->title, p->dialect->title, br.target.url,
	    br.osc.port);
	if (open_inputs(&br, opt) < 0) {
		br.exit_code = 1;
		goto out;
	}
	loop_run(br.loop);
	log_debug("%llu MIDI events, %llu OSC messages sent, %llu failed",
	    (unsigned long long)br.surface.events,
	    (unsigned long long)br.target.sent,
	    (unsigned long long)br.target.failed);
out:
	diag_free(&dl);
	bridge_cleanup(&br);
	return br.exit_code;
}
