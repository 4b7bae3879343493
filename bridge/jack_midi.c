#include <sys/eventfd.h>
#include <sys/mman.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>

#include "jack_midi.h"
#include "jack_ring.h"
#include "log.h"
#include "util.h"

/* The input ring (jack_ring.h's records, about 5 bytes a 3-byte event
 * in a flood): 256 KiB holds about 50,000 events, 350 ms at 144,000
 * events/s, for the main thread's stalls on a busy machine. */
#define JACK_RING_BYTES (256 * 1024)
/* Locked in memory (no page fault in the process callback): the pages a
 * main thread that keeps up uses (jack_ring.h's home, and a cycle's
 * records past it); the rest is touched only by a backlog beyond that. */
#define JACK_RING_LOCKED (2 * JACK_RING_HOME)
#define JACK_OUT_RING_BYTES (64 * 1024)
#define JACK_RETRY_NS 2000000000ull
#define JACK_RESCAN_NS 250000000ull	/* after a failed jack_connect */
#define JACK_RESCAN_TRIES 8
#define JACK_OUT_MAX 2048		/* largest feedback message (init sysex) */

struct jack_midi {
	struct loop *loop;
	char *client_name;
	char **patterns;
	int npatterns;
	int nexplicit;
	bool skip_alsa_bridges;
	struct input_sink sink;
	struct midi_decoder dec;
	jack_client_t *client;
	jack_port_t *port;
	jack_port_t *out_port;		/* feedback to the controller */
	jack_ringbuffer_t *ring;		/* jack_ring.h's records */
	struct jack_ring_writer ring_w;	/* the process callback's */
	struct jack_ring_reader ring_r;	/* the main thread's */
	jack_ringbuffer_t *out_ring;	/* main thread -> process callback */
	int wake_fd;			/* eventfd, written by JACK threads */
	int retry_timer;
	int rescan_timer;		/* a failed jack_connect tried again */
	int rescan_tries;
	bool waiting_logged;
	struct log_once unmatched_said;	/* the ports seen that did not match */
	atomic_int ports_changed;	/* set by the registration callback */
	atomic_int server_gone;		/* set by the shutdown callback */
	atomic_int outputs_connected;	/* feedback reached a controller */
	atomic_uint overruns;		/* events the ring had no room for */
	unsigned overruns_reported;
	atomic_uint xruns;		/* cycles the server could not finish */
	unsigned xruns_reported;
	struct ratelimit overrun_warn;
	struct ratelimit xrun_warn;	/* its own: a burst of xruns must not
					 * hide a lost-events warning */
};

static void jack_midi_try_open(void *ctx);
static void connect_matching(struct jack_midi *j);

/* A jack_connect failed (the server busy, a port half made): scan again a
 * little later, a few times, rather than wait for another port to come. */
static void
rescan(void *ctx)
{
	struct jack_midi *j = ctx;

	j->rescan_timer = 0;
	if (j->client)
		connect_matching(j);
}

static void
connect_failed(struct jack_midi *j)
{
	if (j->rescan_timer > 0 || j->rescan_tries >= JACK_RESCAN_TRIES)
		return;
	j->rescan_tries++;
	j->rescan_timer = loop_add_timer(j->loop, JACK_RESCAN_NS, rescan, j);
	if (j->rescan_timer < 0)
		j->rescan_timer = 0;
}

/*
 * libjack's own lines, through our log at -v.  It says every failed attempt
 * to reach a server, in several lines, and the bridge retries every two
 * seconds: each different line is said once, and again only after the
 * state changed (a client opened, or the server went away).  Global as
 * libjack's error function is; its threads may call it too.
 */
static pthread_mutex_t chatter_lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_once chatter;

static void
jack_chatter(const char *msg)
{
	bool first;

	pthread_mutex_lock(&chatter_lock);
	first = log_once_first(&chatter, msg);
	pthread_mutex_unlock(&chatter_lock);
	if (first)
		log_debug("jack: %s", msg);
}

static void
jack_chatter_news(void)
{
	pthread_mutex_lock(&chatter_lock);
	log_once_reset(&chatter);
	pthread_mutex_unlock(&chatter_lock);
}

static void
wake(struct jack_midi *j)
{
	uint64_t one = 1;
	ssize_t rc = write(j->wake_fd, &one, sizeof(one));	/* non-blocking */
	(void)rc;
}

/* Realtime thread: no allocation, no locks, no logging. */
static int
process(jack_nframes_t nframes, void *arg)
{
	struct jack_midi *j = arg;
	void *buf = jack_port_get_buffer(j->port, nframes);
	uint32_t n = jack_midi_get_event_count(buf);
	bool wrote = false;

	if (n > 0) {
		jack_nframes_t base = jack_last_frame_time(j->client);
		jack_time_t t0 = jack_frames_to_time(j->client, base);
		jack_time_t t1 = jack_frames_to_time(j->client, base + nframes);
		uint64_t q8 = t1 > t0 && nframes > 0 ?
		    (uint64_t)(t1 - t0) * 1000u * 256u / nframes : 0;

		jack_ring_cycle(&j->ring_w, (uint64_t)t0 * 1000u,
		    q8 > UINT32_MAX ? UINT32_MAX : (uint32_t)q8);
	}
	for (uint32_t i = 0; i < n; i++) {
		jack_midi_event_t ev;

		if (jack_midi_event_get(&ev, buf, i) != 0)
			continue;
		if (!jack_ring_put(j->ring, &j->ring_w, ev.time, ev.buffer,
		    ev.size)) {
			atomic_fetch_add(&j->overruns, 1);
			continue;
		}
		wrote = true;
	}
	if (wrote)
		wake(j);

	/* feedback queued by the main thread: [u16 length][bytes] */
	if (j->out_port) {
		void *out = jack_port_get_buffer(j->out_port, nframes);
		size_t len;
		uint8_t msg[JACK_OUT_MAX];

		jack_midi_clear_buffer(out);
		while ((len = jack_out_peek(j->out_ring)) > 0) {
			if (jack_midi_max_event_size(out) < len)
				break;	/* the rest goes out next cycle */
			jack_out_take(j->out_ring, msg, len);
			jack_midi_event_write(out, 0, msg, len);
		}
	}
	return 0;
}

/* JACK's notification thread. */
static void
port_registered(jack_port_id_t id, int registered, void *arg)
{
	struct jack_midi *j = arg;

	if (registered) {
		atomic_store(&j->ports_changed, 1);
		wake(j);
	}
}

/* An xrun: the server could not run the graph within a period.  The MIDI
 * of such a cycle may never reach the bridge; say so, as nothing else
 * will. */
static int
on_xrun(void *arg)
{
	struct jack_midi *j = arg;

	atomic_fetch_add(&j->xruns, 1);
	wake(j);
	return 0;
}

static void
server_shutdown(void *arg)
{
	struct jack_midi *j = arg;

	atomic_store(&j->server_gone, 1);
	wake(j);
}

bool
jack_port_is_alsa_bridge(const char *name, char *const *aliases, int naliases)
{
	static const char *const names[] = { "a2j:", "Midi-Bridge:",
	    "system:midi_capture_" };
	static const char *const alias_prefixes[] = { "alsa_pcm:", "alsa_midi:" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(name, names[i], strlen(names[i])) == 0)
			return true;
	for (int a = 0; a < naliases; a++)
		for (size_t i = 0; i < 2; i++)
			if (strncmp(aliases[a], alias_prefixes[i],
			    strlen(alias_prefixes[i])) == 0)
				return true;
	return false;
}

static bool
port_matches(struct jack_midi *j, jack_port_t *p, const char *name)
{
	char *aliases[2];
	char a0[1024], a1[1024];	/* jack_port_name_size() is 320 */
	int n;

	aliases[0] = a0;
	aliases[1] = a1;
	n = jack_port_get_aliases(p, aliases);
	if (n < 0)
		n = 0;
	for (int k = 0; k < j->npatterns; k++) {
		bool hit = port_pattern_match(j->patterns[k], name);
		for (int i = 0; i < n && !hit; i++)
			hit = port_pattern_match(j->patterns[k], aliases[i]);
		if (!hit)
			continue;
		if (k >= j->nexplicit && j->skip_alsa_bridges &&
		    jack_port_is_alsa_bridge(name, aliases, n)) {
			log_debug("jack: %s is a copy of an ALSA port, read from "
			    "ALSA directly", name);
			continue;
		}
		return true;
	}
	return false;
}

/* The MIDI ports with flags, as jack_get_ports() lists them, NULL when
 * none; free with jack_free().  The type is compared here: given a type
 * pattern, libjack compiles it as a regular expression and glibc builds
 * tens of kB of matching tables at each call, which stay in the heap. */
static const char **
midi_ports(jack_client_t *client, unsigned long flags)
{
	const char **ports = jack_get_ports(client, NULL, NULL, flags);
	int n = 0;

	for (int i = 0; ports && ports[i]; i++) {
		jack_port_t *p = jack_port_by_name(client, ports[i]);
		const char *type = p ? jack_port_type(p) : NULL;
		if (type && strcmp(type, JACK_DEFAULT_MIDI_TYPE) == 0)
			ports[n++] = ports[i];
	}
	if (ports)
		ports[n] = NULL;
	return ports;
}

static bool
connect_outputs(struct jack_midi *j)
{
	const char **ports;
	const char *own;
	bool connected = false, failed = false;

	if (j->out_port == NULL)
		return true;
	own = jack_port_name(j->out_port);
	ports = midi_ports(j->client, JackPortIsInput);
	for (int i = 0; ports && ports[i]; i++) {
		jack_port_t *p = jack_port_by_name(j->client, ports[i]);
		if (p == NULL || jack_port_is_mine(j->client, p) ||
		    !port_matches(j, p, ports[i]) ||
		    jack_port_connected_to(j->out_port, ports[i]))
			continue;
		if (jack_connect(j->client, own, ports[i]) == 0) {
			log_info("jack: connected %s -> %s", own, ports[i]);
			connected = true;
		} else {
			log_debug("jack: cannot connect %s -> %s", own, ports[i]);
			failed = true;
		}
	}
	jack_free(ports);
	/* a controller's input appeared: light it up from scratch, on the
	 * next round of the loop (the caller may still be setting up) */
	if (connected) {
		atomic_store(&j->outputs_connected, 1);
		wake(j);
	}
	return !failed;
}

/* While nothing is connected: the ports that did not match, said once
 * per set of ports (again when one appears), so that a pattern that
 * matches nothing is seen for what it is. */
static void
say_unmatched(struct jack_midi *j, const char *seen)
{
	char line[1200];

	if (jack_port_connected(j->port) > 0)
		return;
	snprintf(line, sizeof(line), "jack: no MIDI port matches '%s'%s; %s%s",
	    j->patterns[0], j->npatterns > 1 ? " (and the others)" : "",
	    *seen ? "ports seen: " : "no MIDI output port at all", seen);
	if (log_once_first(&j->unmatched_said, line))
		log_info("%s", line);
}

static void
connect_matching(struct jack_midi *j)
{
	const char **ports;
	const char *own = jack_port_name(j->port);
	char seen[1000] = "";
	size_t n = 0;
	bool failed = false;

	ports = midi_ports(j->client, JackPortIsOutput);
	for (int i = 0; ports && ports[i]; i++) {
		jack_port_t *p = jack_port_by_name(j->client, ports[i]);
		int rc;
		if (p == NULL || jack_port_is_mine(j->client, p) ||
		    port_is_bridge(ports[i]))
			continue;
		if (!port_matches(j, p, ports[i])) {
			if (n < sizeof(seen) - 1)
				n += (size_t)snprintf(seen + n, sizeof(seen) - n,
				    "%s%s", n ? ", " : "", ports[i]);
			continue;
		}
		if (jack_port_connected_to(j->port, ports[i]))
			continue;
		rc = jack_connect(j->client, ports[i], own);
		if (rc == 0 || rc == EEXIST)
			log_info("jack: connected %s -> %s", ports[i], own);
		else {
			log_warnx("jack: cannot connect %s -> %s%s", ports[i], own,
			    j->rescan_tries < JACK_RESCAN_TRIES ?
			    "; trying again" : "");
			failed = true;
		}
	}
	jack_free(ports);
	if (n >= sizeof(seen) - 1)
		strcpy(seen + sizeof(seen) - 5, "...");
	say_unmatched(j, seen);
	if (!connect_outputs(j))
		failed = true;
	if (failed)
		connect_failed(j);
	else
		j->rescan_tries = 0;
}

static void
feed(void *ctx, const uint8_t *bytes, size_t len, uint64_t time_ns)
{
	struct jack_midi *j = ctx;

	midi_decoder_feed(&j->dec, bytes, len, time_ns);
}

static void
drain(struct jack_midi *j)
{
	jack_ring_drain(j->ring, &j->ring_r, feed, j);
}

static void
close_client(struct jack_midi *j)
{
	if (j->client) {
		jack_deactivate(j->client);
		jack_client_close(j->client);
	}
	if (j->rescan_timer > 0)
		loop_cancel_timer(j->loop, j->rescan_timer);
	j->rescan_timer = 0;
	j->rescan_tries = 0;
	j->client = NULL;
	j->port = NULL;
	j->out_port = NULL;
}

static void
schedule_retry(struct jack_midi *j)
{
	j->retry_timer = loop_add_timer(j->loop, JACK_RETRY_NS, jack_midi_try_open, j);
}

static void
on_wake(void *ctx, int fd, short revents)
{
	struct jack_midi *j = ctx;
	unsigned over;

	/* the eventfd is not read: the loop watches it edge-triggered, each
	 * write wakes it once (its count never nears its limit of 2^64 - 2) */
	drain(j);
	over = atomic_load(&j->overruns);
	if (over != j->overruns_reported) {
		log_warnx_limited(&j->overrun_warn, "jack: %u MIDI events lost "
		    "(ring buffer full or event too large)",
		    over - j->overruns_reported);
		j->overruns_reported = over;
	}
	over = atomic_load(&j->xruns);
	if (over != j->xruns_reported) {
		log_warnx_limited(&j->xrun_warn, "jack: %u xrun%s: the "
		    "server fell behind; MIDI in %s cycle%s may be lost",
		    over - j->xruns_reported, over - j->xruns_reported == 1 ?
		    "" : "s", over - j->xruns_reported == 1 ? "that" : "those",
		    over - j->xruns_reported == 1 ? "" : "s");
		j->xruns_reported = over;
	}
	if (atomic_exchange(&j->ports_changed, 0) && j->client) {
		j->rescan_tries = 0;	/* news: a failure may try again */
		connect_matching(j);
	}
	if (atomic_exchange(&j->outputs_connected, 0) && j->client &&
	    j->sink.on_connected)
		j->sink.on_connected(j->sink.ctx);
	if (atomic_exchange(&j->server_gone, 0)) {
		log_warnx("jack: the server went away; waiting for it to return");
		jack_chatter_news();
		drain(j);
		close_client(j);
		midi_decoder_reset(&j->dec);
		j->waiting_logged = true;
		schedule_retry(j);
	}
}

static void
midi_warning(void *ctx, const char *msg)
{
	log_warnx("jack: %s", msg);
}

static int
open_client(struct jack_midi *j)
{
	jack_status_t status;

	j->client = jack_client_open(j->client_name, JackNoStartServer, &status);
	if (j->client == NULL)
		return -1;
	j->port = jack_port_register(j->client, "midi_in",
	    JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
	j->out_port = jack_port_register(j->client, "midi_out",
	    JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
	jack_ring_clear(j->out_ring);
	if (j->port == NULL || j->out_port == NULL) {
		log_warnx("jack: cannot register a MIDI input port");
		close_client(j);
		return -1;
	}
	jack_set_process_callback(j->client, process, j);
	jack_set_port_registration_callback(j->client, port_registered, j);
	jack_on_shutdown(j->client, server_shutdown, j);
	jack_set_xrun_callback(j->client, on_xrun, j);
	if (jack_activate(j->client) != 0) {
		log_warnx("jack: cannot activate the client");
		close_client(j);
		return -1;
	}
	jack_chatter_news();
	log_once_reset(&j->unmatched_said);
	log_info("jack: client %s ready, connecting ports matching '%s'%s",
	    jack_get_client_name(j->client), j->patterns[0],
	    j->npatterns > 1 ? " and more" : "");
	connect_matching(j);
	return 0;
}

static void
jack_midi_try_open(void *ctx)
{
	struct jack_midi *j = ctx;

	j->retry_timer = 0;
	if (open_client(j) == 0)
		return;
	if (!j->waiting_logged) {
		log_info("jack: no JACK server running; waiting for one");
		j->waiting_logged = true;
	}
	schedule_retry(j);
}

struct jack_midi *
jack_midi_new(struct loop *loop, const struct jack_midi_options *o,
    const struct input_sink *sink)
{
	struct jack_midi *j = xcalloc(1, sizeof(*j));
	bool required = o->required;

	j->loop = loop;
	j->wake_fd = -1;
	j->client_name = xstrdup(o->client_name ? o->client_name : "ctlbridge");
	j->patterns = xcalloc((size_t)o->npatterns, sizeof(char *));
	for (int i = 0; i < o->npatterns; i++)
		j->patterns[i] = xstrdup(o->patterns[i]);
	j->npatterns = o->npatterns;
	j->nexplicit = o->nexplicit;
	j->skip_alsa_bridges = o->skip_alsa_bridges;
	j->sink = *sink;
	j->overrun_warn = (struct ratelimit)RATELIMIT_INIT(5);
	j->xrun_warn = (struct ratelimit)RATELIMIT_INIT(5);
	input_sink_decoder(&j->sink, &j->dec, midi_warning);
	/* libjack prints every failed attempt to connect */
	jack_set_error_function(jack_chatter);
	jack_set_info_function(jack_chatter);
	if ((j->ring = jack_ringbuffer_create(JACK_RING_BYTES)) == NULL ||
	    (j->out_ring = jack_ringbuffer_create(JACK_OUT_RING_BYTES)) == NULL ||
	    (mlock(j->ring->buf, JACK_RING_LOCKED), 0) ||
	    (j->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		log_warn("jack: cannot set up");
		jack_midi_free(j);
		return NULL;
	}
	loop_add_wake_fd(loop, j->wake_fd, on_wake, j);
	if (open_client(j) < 0) {
		if (required) {
			log_errx("jack: cannot connect to a JACK server (%s%s)",
			    getenv("JACK_DEFAULT_SERVER") ? "JACK_DEFAULT_SERVER=" :
			    "default server", getenv("JACK_DEFAULT_SERVER") ?
			    getenv("JACK_DEFAULT_SERVER") : "");
			jack_midi_free(j);
			return NULL;
		}
		log_debug("jack: no JACK server running; waiting for one");
		j->waiting_logged = true;
		schedule_retry(j);
	}
	return j;
}

void
jack_midi_free(struct jack_midi *j)
{
	if (j == NULL)
		return;
	close_client(j);
	if (j->retry_timer > 0)
		loop_cancel_timer(j->loop, j->retry_timer);
	if (j->wake_fd >= 0) {
		loop_del_fd(j->loop, j->wake_fd);
		close(j->wake_fd);
	}
	if (j->ring) {
		munlock(j->ring->buf, JACK_RING_LOCKED);
		jack_ringbuffer_free(j->ring);
	}
	if (j->out_ring)
		jack_ringbuffer_free(j->out_ring);
	for (int i = 0; i < j->npatterns; i++)
		free(j->patterns[i]);
	free(j->patterns);
	free(j->client_name);
	free(j);
}

bool
jack_midi_connected(const struct jack_midi *j)
{
	return j->client != NULL;
}

/* Length of the MIDI message starting at b (a status byte). */
static size_t
message_length(const uint8_t *b, size_t left)
{
	uint8_t st = b[0];

	if (st == 0xF0) {
		const uint8_t *end = memchr(b, 0xF7, left);
		return end ? (size_t)(end - b) + 1 : left;
	}
	if (st >= 0xF8 || st == 0xF6 || st < 0x80)
		return 1;
	if (st == 0xF1 || st == 0xF3 || (st & 0xF0) == 0xC0 || (st & 0xF0) == 0xD0)
		return left < 2 ? left : 2;
	return left < 3 ? left : 3;
}

int
jack_midi_send(struct jack_midi *j, const uint8_t *bytes, size_t len)
{
	if (j == NULL || j->client == NULL || j->out_port == NULL)
		return -1;
	/* JACK carries one MIDI message per event */
	while (len > 0) {
		size_t n = message_length(bytes, len);
		uint16_t l = (uint16_t)n;

		if (n > JACK_OUT_MAX) {
			log_warnx_limited(&j->overrun_warn, "jack: a %zu-byte "
			    "message is too long to send", n);
			return -1;
		}
		if (!jack_out_put(j->out_ring, bytes, l))
			return -1;
		bytes += n;
		len -= n;
	}
	return 0;
}

void
jack_midi_connections(const struct jack_midi *j, bool outputs,
    void (*fn)(void *ctx, const char *port), void *ctx)
{
	jack_port_t *own = outputs ? j->out_port : j->port;
	const char **c;

	if (j->client == NULL || own == NULL)
		return;
	c = jack_port_get_connections(own);
	for (int i = 0; c && c[i]; i++)
		fn(ctx, c[i]);
	jack_free(c);
}
