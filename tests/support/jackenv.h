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

/* A client CLIENT with MIDI output port "out" on server. */
struct midisrc *midisrc_new(const char *server, const char *client);
void midisrc_free(struct midisrc *m);
/* Queue one MIDI message (sent in the next JACK cycle, in order). */
int midisrc_send(struct midisrc *m, const uint8_t *bytes, size_t len);
/* Wait until the source's port has at least n connections. */
bool midisrc_wait_connected(struct midisrc *m, int n, int timeout_ms);
/* Wait until everything queued has been handed to JACK. */
bool midisrc_wait_drained(struct midisrc *m, int timeout_ms);

#endif
