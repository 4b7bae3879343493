/*
 * Test support: a private JACK server (jackd -n NAME -d dummy) per test,
 * and a JACK MIDI source client that sends controller gestures.
 */
#ifndef TEST_JACKENV_H
#define TEST_JACKENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc.h"

struct jackd {
	char name[96];
	char env[128];		/* "JACK_DEFAULT_SERVER=NAME" for children */
	struct proc proc;
};

/* Start jackd and wait until it takes clients; 0 or -1. */
int jackd_start(struct jackd *j, const char *name);
void jackd_stop(struct jackd *j);

struct midisrc;

/* A client CLIENT with MIDI output port "out" (the controller's keys)
 * and input port "in" (its LEDs: what the bridge sends back). */
struct midisrc *midisrc_new(const char *server, const char *client);
void midisrc_free(struct midisrc *m);
/* Queue one MIDI message (sent in the next JACK cycle, in order). */
int midisrc_send(struct midisrc *m, const uint8_t *bytes, size_t len);
/* Wait until the source's port has at least n connections. */
bool midisrc_wait_connected(struct midisrc *m, int n, int timeout_ms);
/* Every port of the server and its connections, to stderr ("# ..."):
 * what a test that waited in vain saw. */
void midisrc_print_graph(struct midisrc *m);
/* Wait until the "in" port (the bridge's feedback) is connected. */
bool midisrc_wait_in_connected(struct midisrc *m, int timeout_ms);
/* Wait until everything queued has been handed to JACK. */
bool midisrc_wait_drained(struct midisrc *m, int timeout_ms);
/* Everything received on "in" so far, as hex ("B0 41 7F B0 29 00"). */
const char *midisrc_received(struct midisrc *m);
/* Wait until the received hex contains text; true if it does. */
bool midisrc_wait_received(struct midisrc *m, const char *text, int timeout_ms);
void midisrc_clear_received(struct midisrc *m);

#endif
