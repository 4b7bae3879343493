/*
 * The floor: the least a JACK MIDI to OSC bridge can do, for the benchmark
 * (bench/jackbench.c) to measure ctlbridge against.  A JACK client whose
 * process callback copies each MIDI event into a jack_ringbuffer and wakes
 * the main thread (an eventfd), which sends one OSC message per event with
 * lo_send: the benchmark controller's CC as /e i:track f:value, the bytes
 * ctlbridge sends for the same event (bench/config/).  Nothing else: no
 * decoder beyond a 3-byte control change, no configuration, no logging.
 *
 *   bench-floor CLIENT_NAME UDP_PORT
 *
 * Connects to the server named by $JACK_DEFAULT_SERVER; the benchmark
 * connects its source to CLIENT_NAME:in.  Prints "ready" when active, and
 * its xrun count when it ends (SIGTERM).
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>
#include <lo/lo.h>

static jack_port_t *port;
static jack_ringbuffer_t *ring;
static int wake_fd;
static atomic_uint lost, xruns;
static volatile sig_atomic_t stop;

static int
process(jack_nframes_t nframes, void *arg)
{
	void *buf = jack_port_get_buffer(port, nframes);
	uint32_t n = jack_midi_get_event_count(buf);
	bool wrote = false;

	(void)arg;
	for (uint32_t i = 0; i < n; i++) {
		jack_midi_event_t ev;
		if (jack_midi_event_get(&ev, buf, i) != 0 || ev.size != 3)
			continue;
		if (jack_ringbuffer_write_space(ring) < 3) {
			atomic_fetch_add(&lost, 1);
			continue;
		}
		jack_ringbuffer_write(ring, (const char *)ev.buffer, 3);
		wrote = true;
	}
	if (wrote) {
		uint64_t one = 1;
		ssize_t rc = write(wake_fd, &one, sizeof(one));
		(void)rc;
	}
	return 0;
}

static int
on_xrun(void *arg)
{
	(void)arg;
	atomic_fetch_add(&xruns, 1);
	return 0;
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* The benchmark controller's layout (bench/config/mappings/controllers/
 * bench.ini): CCs 40..95 are controls 0..55 of their channel, 102..109
 * controls 56..63. */
static int
cc_index(uint8_t cc)
{
	if (cc >= 40 && cc <= 95)
		return cc - 40;
	if (cc >= 102 && cc <= 109)
		return cc - 102 + 56;
	return -1;
}

int
main(int argc, char **argv)
{
	jack_client_t *client;
	jack_status_t st;
	lo_address to;
	struct sigaction sa;

	if (argc != 3) {
		fprintf(stderr, "usage: bench-floor CLIENT_NAME UDP_PORT\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: read() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	to = lo_address_new("127.0.0.1", argv[2]);
	ring = jack_ringbuffer_create(64 * 1024);
	jack_ringbuffer_mlock(ring);
	wake_fd = eventfd(0, EFD_CLOEXEC);
	client = jack_client_open(argv[1], JackNoStartServer, &st);
	if (client == NULL || to == NULL || ring == NULL || wake_fd < 0) {
		fprintf(stderr, "bench-floor: cannot set up (JACK status 0x%x)\n",
		    (unsigned)st);
		return 1;
	}
	port = jack_port_register(client, "in", JACK_DEFAULT_MIDI_TYPE,
	    JackPortIsInput, 0);
	jack_set_process_callback(client, process, NULL);
	jack_set_xrun_callback(client, on_xrun, NULL);
	if (port == NULL || jack_activate(client) != 0) {
		fprintf(stderr, "bench-floor: cannot activate\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		uint64_t count;
		uint8_t m[3];

		if (read(wake_fd, &count, sizeof(count)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		while (jack_ringbuffer_read(ring, (char *)m, 3) == 3) {
			int i = cc_index(m[1]);
			if ((m[0] & 0xF0) != 0xB0 || i < 0)
				continue;
			lo_send(to, "/e", "if", (m[0] & 0x0F) * 64 + i + 1,
			    (float)m[2] / 127.0f);
		}
	}
	jack_deactivate(client);
	jack_client_close(client);
	printf("xruns %u lost %u\n", atomic_load(&xruns), atomic_load(&lost));
	lo_address_free(to);
	jack_ringbuffer_free(ring);
	return 0;
}
