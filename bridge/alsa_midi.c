#include <errno.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>

#include "alsa_midi.h"
#include "alsa_seq_decode.h"
#include "log.h"
#include "util.h"

#define ALSA_MAX_SOURCES 32

struct alsa_source {
	int client, port;	/* -1 when the slot is free */
	struct midi_decoder dec;
};

struct alsa_midi {
	struct loop *loop;
	char **patterns;
	int npatterns;
	struct input_sink sink;
	snd_seq_t *seq;
	int my_client, my_port;
	int out_port;			/* feedback to the controller */
	snd_midi_event_t *encoder;
	struct pollfd *pfds;
	int npfds;
	struct alsa_source sources[ALSA_MAX_SOURCES];
	struct midi_decoder fallback;	/* when every slot is taken */
	struct ratelimit overrun_warn;
	bool any_matched;		/* a port matched since the start */
	int cur_client, cur_port;	/* the source of the event decoded now */
	struct log_once unmatched_said;
};

static void
midi_warning(void *ctx, const char *msg)
{
	log_warnx("alsa: %s", msg);
}

static struct midi_decoder *
decoder_for(struct alsa_midi *a, int client, int port)
{
	struct alsa_source *free_slot = NULL;

	for (int i = 0; i < ALSA_MAX_SOURCES; i++) {
		struct alsa_source *s = &a->sources[i];
		if (s->client == client && s->port == port)
			return &s->dec;
		if (s->client < 0 && free_slot == NULL)
			free_slot = s;
	}
	if (free_slot == NULL)
		return &a->fallback;
	free_slot->client = client;
	free_slot->port = port;
	input_sink_decoder(&a->sink, &free_slot->dec, midi_warning);
	return &free_slot->dec;
}

static void
forget_source(struct alsa_midi *a, int client, int port)
{
	for (int i = 0; i < ALSA_MAX_SOURCES; i++) {
		struct alsa_source *s = &a->sources[i];
		if (s->client == client && (port < 0 || s->port == port))
			s->client = s->port = -1;
	}
}

static void
alsa_connected(void *ctx)
{
	struct alsa_midi *a = ctx;

	a->sink.on_connected(a->sink.ctx);
}

/* Subscribe to client:port if its name matches and it is readable.
 * Returns 1 when it matches, 0 for a readable port that does not (name
 * holds its name), -1 for one that is not a candidate. */
static int
consider_port(struct alsa_midi *a, snd_seq_port_info_t *pinfo,
    snd_seq_client_info_t *cinfo, char *name, size_t namelen)
{
	unsigned caps = snd_seq_port_info_get_capability(pinfo);
	int client = snd_seq_port_info_get_client(pinfo);
	int port = snd_seq_port_info_get_port(pinfo);
	snd_seq_port_subscribe_t *sub;
	snd_seq_addr_t sender, dest;

	if (client == a->my_client || client == SND_SEQ_CLIENT_SYSTEM)
		return -1;
	if (caps & SND_SEQ_PORT_CAP_NO_EXPORT)
		return -1;
	snprintf(name, namelen, "%s:%s", snd_seq_client_info_get_name(cinfo),
	    snd_seq_port_info_get_name(pinfo));
	if (port_is_bridge(name))
		return -1;	/* another bridge: its feedback */
	{
		bool match = false;
		for (int i = 0; i < a->npatterns && !match; i++)
			match = port_pattern_match(a->patterns[i], name);
		if (!match)
			return (caps & SND_SEQ_PORT_CAP_READ) ? 0 : -1;
	}
	a->any_matched = true;
	/* the controller's input: our feedback goes there */
	if ((caps & (SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE)) ==
	    (SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE) &&
	    a->out_port >= 0) {
		snd_seq_port_subscribe_alloca(&sub);
		sender.client = (unsigned char)a->my_client;
		sender.port = (unsigned char)a->out_port;
		dest.client = (unsigned char)client;
		dest.port = (unsigned char)port;
		snd_seq_port_subscribe_set_sender(sub, &sender);
		snd_seq_port_subscribe_set_dest(sub, &dest);
		if (snd_seq_get_port_subscription(a->seq, sub) != 0 &&
		    snd_seq_connect_to(a->seq, a->out_port, client, port) == 0) {
			log_info("alsa: connected feedback -> %d:%d (%s)", client,
			    port, name);
			/* on the next round: the caller may still be setting up */
			if (a->sink.on_connected)
				loop_add_timer(a->loop, 0, alsa_connected, a);
		}
	}
	if ((caps & (SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ)) !=
	    (SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ))
		return 1;
	/* already subscribed: connecting is idempotent for hotplug */
	snd_seq_port_subscribe_alloca(&sub);
	sender.client = (unsigned char)client;
	sender.port = (unsigned char)port;
	dest.client = (unsigned char)a->my_client;
	dest.port = (unsigned char)a->my_port;
	snd_seq_port_subscribe_set_sender(sub, &sender);
	snd_seq_port_subscribe_set_dest(sub, &dest);
	if (snd_seq_get_port_subscription(a->seq, sub) == 0)
		return 1;
	if (snd_seq_connect_from(a->seq, a->my_port, client, port) < 0)
		log_warnx("alsa: cannot connect %d:%d (%s)", client, port, name);
	else
		log_info("alsa: connected %d:%d (%s)", client, port, name);
	return 1;
}

static void
scan_ports(struct alsa_midi *a, int only_client)
{
	snd_seq_client_info_t *cinfo;
	snd_seq_port_info_t *pinfo;
	char seen[1000] = "", name[256], line[1200];
	size_t n = 0;

	snd_seq_client_info_alloca(&cinfo);
	snd_seq_port_info_alloca(&pinfo);
	snd_seq_client_info_set_client(cinfo, -1);
	while (snd_seq_query_next_client(a->seq, cinfo) >= 0) {
		int client = snd_seq_client_info_get_client(cinfo);
		if (only_client >= 0 && client != only_client)
			continue;
		snd_seq_port_info_set_client(pinfo, client);
		snd_seq_port_info_set_port(pinfo, -1);
		while (snd_seq_query_next_port(a->seq, pinfo) >= 0)
			if (consider_port(a, pinfo, cinfo, name, sizeof(name)) == 0 &&
			    n < sizeof(seen) - 1)
				n += (size_t)snprintf(seen + n, sizeof(seen) - n,
				    "%s%s", n ? ", " : "", name);
	}
	/* while nothing matched: what was there instead, once per set */
	if (a->any_matched || n == 0)
		return;
	if (n >= sizeof(seen) - 1)
		strcpy(seen + sizeof(seen) - 5, "...");
	snprintf(line, sizeof(line), "alsa: no port matches '%s'%s; ports "
	    "seen: %s", a->patterns[0], a->npatterns > 1 ? " (and the others)" :
	    "", seen);
	if (log_once_first(&a->unmatched_said, line))
		log_info("%s", line);
}

static void
handle_event(struct alsa_midi *a, snd_seq_event_t *ev)
{
	struct midi_decoder *d;

	switch (ev->type) {
	case SND_SEQ_EVENT_PORT_START:
	case SND_SEQ_EVENT_CLIENT_START:
	case SND_SEQ_EVENT_PORT_CHANGE:
		scan_ports(a, ev->data.addr.client);
		return;
	case SND_SEQ_EVENT_PORT_EXIT:
		forget_source(a, ev->data.addr.client, ev->data.addr.port);
		log_debug("alsa: port %d:%d went away", ev->data.addr.client,
		    ev->data.addr.port);
		return;
	case SND_SEQ_EVENT_CLIENT_EXIT:
		forget_source(a, ev->data.addr.client, -1);
		return;
	default:
		break;
	}
	d = decoder_for(a, ev->source.client, ev->source.port);
	a->cur_client = ev->source.client;
	a->cur_port = ev->source.port;
	alsa_seq_decode(d, ev, now_ns());
}

static void
on_readable(void *ctx, int fd, short revents)
{
	struct alsa_midi *a = ctx;
	snd_seq_event_t *ev;
	int rc;

	/* events belong to alsa-lib: never free them */
	for (;;) {
		rc = snd_seq_event_input(a->seq, &ev);
		if (rc == -EAGAIN)
			break;
		if (rc == -ENOSPC) {
			log_warnx_limited(&a->overrun_warn,
			    "alsa: input overrun, events were lost");
			continue;
		}
		if (rc < 0) {
			log_warnx_limited(&a->overrun_warn, "alsa: %s",
			    snd_strerror(rc));
			break;
		}
		if (ev)
			handle_event(a, ev);
	}
}

/* alsa-lib prints its errors to stderr by default; ours say it better. */
static void
alsa_lib_error(const char *file, int line, const char *func, int err,
    const char *fmt, ...)
{
	if (log_verbose >= 2)
		log_debug("alsa-lib: %s:%d: %s", file, line, snd_strerror(err));
}

struct alsa_midi *
alsa_midi_new(struct loop *loop, const char *client_name,
    const char *const *patterns, int npatterns, const struct input_sink *sink,
    const char **why)
{
	struct alsa_midi *a;
	snd_seq_t *seq;
	int rc;

	snd_lib_error_set_handler(alsa_lib_error);
	rc = snd_seq_open(&seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
	if (rc < 0) {
		*why = rc == -ENOENT ?
		    "/dev/snd/seq does not exist (no ALSA sequencer in this "
		    "kernel, or the snd-seq module is not loaded)" : snd_strerror(rc);
		return NULL;
	}
	a = xcalloc(1, sizeof(*a));
	a->out_port = -1;
	a->loop = loop;
	a->seq = seq;
	a->patterns = xcalloc((size_t)npatterns, sizeof(char *));
	for (int i = 0; i < npatterns; i++)
		a->patterns[i] = xstrdup(patterns[i]);
	a->npatterns = npatterns;
	a->sink = *sink;
	a->overrun_warn = (struct ratelimit)RATELIMIT_INIT(5);
	for (int i = 0; i < ALSA_MAX_SOURCES; i++)
		a->sources[i].client = a->sources[i].port = -1;
	input_sink_decoder(sink, &a->fallback, midi_warning);
	snd_seq_set_client_name(seq, client_name);
	a->my_client = snd_seq_client_id(seq);
	a->my_port = snd_seq_create_simple_port(seq, "midi_in",
	    SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE,
	    SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
	if (a->my_port < 0) {
		*why = snd_strerror(a->my_port);
		alsa_midi_free(a);
		return NULL;
	}
	a->out_port = snd_seq_create_simple_port(seq, "midi_out",
	    SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ,
	    SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
	if (a->out_port < 0 || snd_midi_event_new(512, &a->encoder) < 0) {
		log_warnx("alsa: no feedback port: LEDs stay dark");
		a->out_port = -1;
		a->encoder = NULL;
	}
	if (snd_seq_connect_from(seq, a->my_port, SND_SEQ_CLIENT_SYSTEM,
	    SND_SEQ_PORT_SYSTEM_ANNOUNCE) < 0)
		log_warnx("alsa: cannot follow port announcements; ports that "
		    "appear later will not be connected");
	a->npfds = snd_seq_poll_descriptors_count(seq, POLLIN);
	a->pfds = xcalloc((size_t)a->npfds, sizeof(*a->pfds));
	snd_seq_poll_descriptors(seq, a->pfds, (unsigned)a->npfds, POLLIN);
	for (int i = 0; i < a->npfds; i++)
		loop_add_fd(loop, a->pfds[i].fd, POLLIN, on_readable, a);
	log_info("alsa: client %d:%d ready, connecting ports matching '%s'%s",
	    a->my_client, a->my_port, patterns[0],
	    npatterns > 1 ? " and more" : "");
	scan_ports(a, -1);
	return a;
}

void
alsa_midi_free(struct alsa_midi *a)
{
	if (a == NULL)
		return;
	for (int i = 0; i < a->npfds; i++)
		loop_del_fd(a->loop, a->pfds[i].fd);
	free(a->pfds);
	if (a->encoder)
		snd_midi_event_free(a->encoder);
	if (a->seq)
		snd_seq_close(a->seq);
	for (int i = 0; i < a->npatterns; i++)
		free(a->patterns[i]);
	free(a->patterns);
	free(a);
}

int
alsa_midi_send(struct alsa_midi *a, const uint8_t *bytes, size_t len)
{
	snd_seq_event_t ev;
	size_t done = 0;

	if (a == NULL || a->encoder == NULL)
		return -1;
	snd_midi_event_reset_encode(a->encoder);
	while (done < len) {
		long n;
		snd_seq_ev_clear(&ev);
		n = snd_midi_event_encode(a->encoder, bytes + done,
		    (long)(len - done), &ev);
		if (n <= 0)
			return -1;
		done += (size_t)n;
		if (ev.type == SND_SEQ_EVENT_NONE)
			continue;	/* a message not complete yet */
		snd_seq_ev_set_source(&ev, a->out_port);
		snd_seq_ev_set_subs(&ev);
		snd_seq_ev_set_direct(&ev);
		if (snd_seq_event_output_direct(a->seq, &ev) < 0)
			return -1;
	}
	return 0;
}

void
alsa_midi_connections(const struct alsa_midi *a, bool outputs,
    void (*fn)(void *ctx, const char *port), void *ctx)
{
	snd_seq_query_subscribe_t *q;
	snd_seq_addr_t root;
	const struct { int port; int type; } own[2] = {
		{ a->my_port, SND_SEQ_QUERY_SUBS_WRITE },	/* who writes to it */
		{ a->out_port, SND_SEQ_QUERY_SUBS_READ },	/* whom it writes to */
	};

	snd_seq_query_subscribe_alloca(&q);
	for (int k = outputs; k < 1 + outputs; k++) {
		if (own[k].port < 0)
			continue;
		root.client = (unsigned char)a->my_client;
		root.port = (unsigned char)own[k].port;
		snd_seq_query_subscribe_set_root(q, &root);
		snd_seq_query_subscribe_set_type(q, own[k].type);
		snd_seq_query_subscribe_set_index(q, 0);
		while (snd_seq_query_port_subscribers(a->seq, q) >= 0) {
			const snd_seq_addr_t *o = snd_seq_query_subscribe_get_addr(q);
			char name[32];
			snprintf(name, sizeof(name), "%d:%d", o->client, o->port);
			if (o->client != SND_SEQ_CLIENT_SYSTEM)
				fn(ctx, name);
			snd_seq_query_subscribe_set_index(q,
			    snd_seq_query_subscribe_get_index(q) + 1);
		}
	}
}

void
alsa_midi_current_source(const struct alsa_midi *a, int *client, int *port)
{
	*client = a->cur_client;
	*port = a->cur_port;
}
