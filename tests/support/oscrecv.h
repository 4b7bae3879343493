/*
 * Test support: an OSC receiver on a free 127.0.0.1 UDP port.  Datagrams are
 * decoded with liblo and kept as text, e.g.
 *   /strip/gain if 1 -15
 *   /add_marker s "Verse"
 * so tests can compare exact messages.
 */
#ifndef TEST_OSCRECV_H
#define TEST_OSCRECV_H

#include <stddef.h>

struct oscrecv;

struct oscrecv *oscrecv_new(void);
/* On a given loopback UDP port (a DAW that appears where it was expected). */
struct oscrecv *oscrecv_new_at(int port);
/* The same over TCP (liblo's framing: a 32-bit length before each packet). */
struct oscrecv *oscrecv_new_tcp(void);
void oscrecv_free(struct oscrecv *r);
int oscrecv_port(const struct oscrecv *r);
/* A receive buffer of about bytes (the kernel doubles it) instead of the
 * default 16 MiB: a DAW whose socket overflows when it reads late. */
int oscrecv_set_rcvbuf(struct oscrecv *r, int bytes);
/* Receive until count messages are held in all, or timeout; returns the
 * number held. */
int oscrecv_wait(struct oscrecv *r, int count, int timeout_ms);
/* Receive whatever arrives within ms (to prove nothing more comes). */
int oscrecv_settle(struct oscrecv *r, int ms);
int oscrecv_count(const struct oscrecv *r);
/* Take in whatever has arrived, without waiting. */
int oscrecv_drain(struct oscrecv *r);
const char *oscrecv_get(const struct oscrecv *r, int i);
void oscrecv_clear(struct oscrecv *r);
/* Drop messages whose path starts with prefix (a DAW stand-in that does
 * not care for the bridge's feedback handshake). */
void oscrecv_ignore(struct oscrecv *r, const char *prefix);
/* Send raw bytes from the receiver's own socket to 127.0.0.1:port (a DAW
 * answering from its port). */
int oscrecv_send_raw(struct oscrecv *r, int port, const void *data, size_t len);
/* All messages, one a line, for failure messages. */
const char *oscrecv_dump(struct oscrecv *r);

#endif
