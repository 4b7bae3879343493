#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>

#include "jackenv.h"

static jack_client_t *
open_on(const char *server, const char *client)
{
	jack_status_t st;

	/* libjack talks to its server with write(2), not send(MSG_NOSIGNAL):
	 * a server that closes its socket while a client opens (one starting
	 * up, or one a test just stopped) would kill the test with SIGPIPE,
	 * silently.  The daemon ignores SIGPIPE for the same reason. */
	signal(SIGPIPE, SIG_IGN);
	return jack_client_open(client, JackNoStartServer | JackServerName,
	    &st, server);
}

static void
quiet(const char *msg)
{
	(void)msg;
}

int
jackd_start(struct jackd *j, const char *name)
{
	/* -S, synchronous: the server waits for every client to finish its
	 * cycle.  In JACK2's default asynchronous mode a client that is late
	 * (a loaded 2-core CI machine, no realtime scheduling) misses that
	 * cycle's MIDI: the flood tests lost 1-2% of their presses in 3 of 13
	 * loaded runs, each time with xruns in the bridge's log, and none in
	 * 22 runs with -S.  The bridge's claim is that it drops nothing; JACK's
	 * own losses on an xrun are a studio's tuning, reported by the bridge. */
	char *argv[] = { "jackd", "-S", "-n", j->name, "-r", "-d", "dummy", "-r",
	    "48000", "-p", "256", NULL };

	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", name);
	snprintf(j->env, sizeof(j->env), "JACK_DEFAULT_SERVER=%s", name);
	jack_set_error_function(quiet);
	jack_set_info_function(quiet);
	if (proc_start(&j->proc, argv, NULL, NULL) < 0)
		return -1;
	for (int i = 0; i < 500; i++) {
		jack_client_t *c = open_on(j->name, "probe");
		if (c) {
			jack_client_close(c);
			return 0;
		}
		if (proc_wait(&j->proc, 0)) {
			fprintf(stderr, "jackd exited:\n%s\n", j->proc.output);
			return -1;
		}
		sleep_ms(20);
	}
	fprintf(stderr, "jackd did not start:\n%s\n", proc_output(&j->proc));
	return -1;
}

void
jackd_stop(struct jackd *j)
{
	proc_free(&j->proc);
}

struct midisrc {
	jack_client_t *client;
	jack_port_t *port;
	jack_port_t *in;
	jack_ringbuffer_t *in_ring;	/* raw bytes received */
	char *hex;
	size_t hexlen, hexcap;
	jack_ringbuffer_t *ring;	/* 1 length byte + message */
	atomic_int queued;
};

static int
process(jack_nframes_t nframes, void *arg)
{
	struct midisrc *m = arg;
	void *buf = jack_port_get_buffer(m->port, nframes);
	jack_nframes_t t = 0;
	uint8_t len, msg[256];

	{
		void *in = jack_port_get_buffer(m->in, nframes);
		uint32_t n = jack_midi_get_event_count(in);
		for (uint32_t i = 0; i < n; i++) {
			jack_midi_event_t ev;
			if (jack_midi_event_get(&ev, in, i) == 0 &&
			    jack_ringbuffer_write_space(m->in_ring) >= ev.size)
				jack_ringbuffer_write(m->in_ring,
				    (const char *)ev.buffer, ev.size);
		}
	}
	jack_midi_clear_buffer(buf);
	while (t < nframes && jack_ringbuffer_read_space(m->ring) >= 1) {
		jack_ringbuffer_peek(m->ring, (char *)&len, 1);
		if (jack_ringbuffer_read_space(m->ring) < 1u + len)
			break;
		if (jack_midi_max_event_size(buf) < len)
			break;	/* buffer full: rest next cycle */
		jack_ringbuffer_read_advance(m->ring, 1);
		jack_ringbuffer_read(m->ring, (char *)msg, len);
		jack_midi_event_write(buf, t++, msg, len);
		atomic_fetch_sub(&m->queued, 1);
	}
	return 0;
}

/* One attempt: the client, its two ports, active; NULL and a reason. */
static struct midisrc *
midisrc_try(const char *server, const char *client, const char **why)
{
	struct midisrc *m = calloc(1, sizeof(*m));

	if ((m->client = open_on(server, client)) == NULL) {
		*why = "cannot open a client";
		free(m);
		return NULL;
	}
	m->ring = jack_ringbuffer_create(1 << 20);
	m->port = jack_port_register(m->client, "out", JACK_DEFAULT_MIDI_TYPE,
	    JackPortIsOutput, 0);
	m->in = jack_port_register(m->client, "in", JACK_DEFAULT_MIDI_TYPE,
	    JackPortIsInput, 0);
	m->in_ring = jack_ringbuffer_create(1 << 20);
	jack_set_process_callback(m->client, process, m);
	*why = m->port == NULL || m->in == NULL ? "cannot register its ports" :
	    jack_activate(m->client) != 0 ? "jack_activate failed" : NULL;
	if (*why) {
		midisrc_free(m);
		return NULL;
	}
	return m;
}

/*
 * Under load JACK can fail a client's set-up: jack_activate waits 10
 * timeouts (2 periods each without -t: 107 ms at 256 frames) for the
 * graph to switch, and when that wait fails jackd returns before it
 * announces the client's ports (JackEngine::ClientActivate), so a client
 * that looked at them earlier, while they were inactive, is never told.
 * A source failing to register or activate was seen here once in about
 * 80 server starts under a load of 9; the harness carried on with it,
 * and a source that is never connected is what
 * test_server_appears_and_returns once waited 8 s for.  Such a source
 * is made again, said, up to 3 times.
 */
struct midisrc *
midisrc_new(const char *server, const char *client)
{
	const char *why = NULL;

	for (int attempt = 1; attempt <= 3; attempt++) {
		struct midisrc *m = midisrc_try(server, client, &why);
		if (m)
			return m;
		fprintf(stderr, "# midisrc %s: %s (attempt %d of 3)\n", client,
		    why, attempt);
		sleep_ms(200);
	}
	return NULL;
}

void
midisrc_print_graph(struct midisrc *m)
{
	const char **ports = jack_get_ports(m->client, NULL, NULL, 0);

	fprintf(stderr, "# JACK ports as %s sees them:\n",
	    jack_get_client_name(m->client));
	for (int i = 0; ports && ports[i]; i++) {
		jack_port_t *p = jack_port_by_name(m->client, ports[i]);
		const char **to = p ? jack_port_get_all_connections(m->client, p) :
		    NULL;
		fprintf(stderr, "#   %s%s", ports[i], to && to[0] ? " ->" : "");
		for (int k = 0; to && to[k]; k++)
			fprintf(stderr, " %s", to[k]);
		fprintf(stderr, "\n");
		jack_free(to);
	}
	jack_free(ports);
}

void
midisrc_free(struct midisrc *m)
{
	if (m == NULL)
		return;
	jack_deactivate(m->client);
	jack_client_close(m->client);
	jack_ringbuffer_free(m->ring);
	jack_ringbuffer_free(m->in_ring);
	free(m->hex);
	free(m);
}

int
midisrc_send(struct midisrc *m, const uint8_t *bytes, size_t len)
{
	uint8_t l = (uint8_t)len;

	if (len == 0 || len > 255)
		return -1;
	while (jack_ringbuffer_write_space(m->ring) < 1 + len)
		sleep_ms(1);
	atomic_fetch_add(&m->queued, 1);
	/* one write so the reader never sees a header without its bytes */
	{
		uint8_t tmp[256];
		tmp[0] = l;
		memcpy(tmp + 1, bytes, len);
		jack_ringbuffer_write(m->ring, (const char *)tmp, 1 + len);
	}
	return 0;
}

bool
midisrc_wait_connected(struct midisrc *m, int n, int timeout_ms)
{
	for (int waited = 0;; waited += 20) {
		if (jack_port_connected(m->port) >= n)
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(20);
	}
}

bool
midisrc_wait_drained(struct midisrc *m, int timeout_ms)
{
	for (int waited = 0;; waited += 5) {
		if (atomic_load(&m->queued) == 0)
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(5);
	}
}

const char *
midisrc_received(struct midisrc *m)
{
	uint8_t b;

	while (jack_ringbuffer_read(m->in_ring, (char *)&b, 1) == 1) {
		if (m->hexlen + 4 > m->hexcap) {
			m->hexcap = m->hexcap ? m->hexcap * 2 : 4096;
			m->hex = realloc(m->hex, m->hexcap);
		}
		m->hexlen += (size_t)snprintf(m->hex + m->hexlen,
		    m->hexcap - m->hexlen, "%s%02X", m->hexlen ? " " : "", b);
	}
	return m->hex ? m->hex : "";
}

bool
midisrc_wait_received(struct midisrc *m, const char *text, int timeout_ms)
{
	for (int waited = 0;; waited += 10) {
		if (strstr(midisrc_received(m), text))
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(10);
	}
}

void
midisrc_clear_received(struct midisrc *m)
{
	midisrc_received(m);
	m->hexlen = 0;
	if (m->hex)
		m->hex[0] = '\0';
}

bool
midisrc_wait_in_connected(struct midisrc *m, int timeout_ms)
{
	for (int waited = 0;; waited += 20) {
		if (jack_port_connected(m->in) >= 1)
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(20);
	}
}
