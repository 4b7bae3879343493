/*
 * Flood control: the queue on its own (the latest value wins per address
 * and arguments, presses, toggles and text never merged, nothing
 * overtakes an earlier message to its OSC address, a full table refuses
 * and says so), then the sender with it: a socket that would block (a
 * datagram socket pair whose reader does not read: EAGAIN, for real)
 * and a rate cap, every press arriving in order with the last value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lo/lo.h>

#include "osc_out.h"
#include "osc_queue.h"
#include "util.h"

/* "/strip/gain i:track f:value" serialised, the value's span in *at. */
static size_t
gain(char *buf, size_t len, const char *path, int track, float value,
    size_t *at, size_t *vs)
{
	lo_message m = lo_message_new();
	size_t size = len;

	lo_message_add_int32(m, track);
	lo_message_add_float(m, value);
	assert_non_null(lo_message_serialise(m, path, buf, &size));
	lo_message_free(m);
	assert_true(osc_arg_span(buf, size, 1, at, vs));
	return size;
}

/* A press: "path i:track i:value", never merged. */
static size_t
press(char *buf, size_t len, const char *path, int track, int value)
{
	lo_message m = lo_message_new();
	size_t size = len;

	lo_message_add_int32(m, track);
	lo_message_add_int32(m, value);
	assert_non_null(lo_message_serialise(m, path, buf, &size));
	lo_message_free(m);
	return size;
}

static void
put_gain(struct osc_queue *q, const char *path, int track, float v,
    enum osc_queue_put want)
{
	char buf[256];
	size_t at, vs, n = gain(buf, sizeof(buf), path, track, v, &at, &vs);

	assert_int_equal(osc_queue_put(q, buf, n, at, vs), want);
}

static void
put_press(struct osc_queue *q, const char *path, int track, int v,
    enum osc_queue_put want)
{
	char buf[256];
	size_t n = press(buf, sizeof(buf), path, track, v);

	assert_int_equal(osc_queue_put(q, buf, n, 0, 0), want);
}

/* Argument i of m as a 32-bit number: liblo's argv is 4-byte aligned,
 * so no member access of its 8-byte union. */
static int32_t
arg_i(lo_message m, int i)
{
	int32_t v;

	memcpy(&v, lo_message_get_argv(m)[i], sizeof(v));
	return v;
}

static float
arg_f(lo_message m, int i)
{
	float v;

	memcpy(&v, lo_message_get_argv(m)[i], sizeof(v));
	return v;
}

/* The i-th queued message as "path track value". */
static const char *
show(const struct osc_queue *q, int i)
{
	static char text[128];
	size_t len;
	const char *d = osc_queue_at(q, i, &len);
	lo_message m;
	int result;

	assert_non_null(m = lo_message_deserialise((void *)d, len, &result));
	const char *types = lo_message_get_types(m);
	if (types[1] == 'f')
		snprintf(text, sizeof(text), "%s %d %g", d, arg_i(m, 0),
		    arg_f(m, 1));
	else
		snprintf(text, sizeof(text), "%s %d %d!", d, arg_i(m, 0),
		    arg_i(m, 1));
	lo_message_free(m);
	return text;
}

static void
test_latest_value_wins(void **state)
{
	struct osc_queue q;

	(void)state;
	assert_int_equal(osc_queue_init(&q, 16, 1024), 0);
	put_gain(&q, "/strip/gain", 1, 0.1f, OSC_QUEUED);
	put_gain(&q, "/strip/gain", 2, 0.5f, OSC_QUEUED);
	put_gain(&q, "/strip/gain", 1, 0.2f, OSC_MERGED);
	put_gain(&q, "/strip/gain", 1, 0.3f, OSC_MERGED);
	put_gain(&q, "/strip/fader", 1, 0.7f, OSC_QUEUED);
	put_gain(&q, "/strip/gain", 2, 0.6f, OSC_MERGED);
	assert_int_equal(q.n, 3);
	/* each in the place of its first: the latest value, soonest */
	assert_string_equal(show(&q, 0), "/strip/gain 1 0.3");
	assert_string_equal(show(&q, 1), "/strip/gain 2 0.6");
	assert_string_equal(show(&q, 2), "/strip/fader 1 0.7");
	osc_queue_free(&q);
}

static void
test_presses_kept_in_order(void **state)
{
	struct osc_queue q;

	(void)state;
	assert_int_equal(osc_queue_init(&q, 16, 1024), 0);
	/* two presses alike: both stay */
	put_press(&q, "/strip/mute", 1, 1, OSC_QUEUED);
	put_press(&q, "/strip/mute", 1, 1, OSC_QUEUED);
	/* a value, a toggle on its OSC address, a value: the second value
	 * must not overtake the toggle, so it queues behind it ... */
	put_gain(&q, "/strip/gain", 1, 0.1f, OSC_QUEUED);
	put_press(&q, "/strip/gain", 1, 1, OSC_QUEUED);
	put_gain(&q, "/strip/gain", 1, 0.2f, OSC_QUEUED);
	/* ... and later values merge with it, the one after the toggle */
	put_gain(&q, "/strip/gain", 1, 0.3f, OSC_MERGED);
	/* a press on another address is no barrier */
	put_press(&q, "/strip/solo", 1, 1, OSC_QUEUED);
	put_gain(&q, "/strip/gain", 1, 0.4f, OSC_MERGED);
	/* a press like an earlier one: queued again */
	put_press(&q, "/strip/mute", 2, 0, OSC_QUEUED);
	assert_int_equal(q.n, 7);
	assert_string_equal(show(&q, 0), "/strip/mute 1 1!");
	assert_string_equal(show(&q, 1), "/strip/mute 1 1!");
	assert_string_equal(show(&q, 2), "/strip/gain 1 0.1");
	assert_string_equal(show(&q, 3), "/strip/gain 1 1!");
	assert_string_equal(show(&q, 4), "/strip/gain 1 0.4");
	assert_string_equal(show(&q, 5), "/strip/solo 1 1!");
	assert_string_equal(show(&q, 6), "/strip/mute 2 0!");
	/* sent: the front goes; what waits keeps its order */
	osc_queue_pop(&q, 3);
	assert_string_equal(show(&q, 0), "/strip/gain 1 1!");
	put_gain(&q, "/strip/gain", 1, 0.5f, OSC_MERGED);
	assert_string_equal(show(&q, 1), "/strip/gain 1 0.5");
	osc_queue_free(&q);
}

static void
test_table_full(void **state)
{
	struct osc_queue q;
	char buf[256];

	(void)state;
	/* 4 entries */
	assert_int_equal(osc_queue_init(&q, 4, 4096), 0);
	put_gain(&q, "/strip/gain", 1, 0.1f, OSC_QUEUED);
	for (int i = 0; i < 3; i++)
		put_press(&q, "/strip/mute", i, 1, OSC_QUEUED);
	put_press(&q, "/strip/mute", 9, 1, OSC_FULL);
	put_gain(&q, "/strip/gain", 2, 0.1f, OSC_FULL);
	/* a value that merges needs no room */
	put_gain(&q, "/strip/gain", 1, 0.9f, OSC_MERGED);
	assert_int_equal(q.n, 4);
	assert_string_equal(show(&q, 0), "/strip/gain 1 0.9");
	osc_queue_free(&q);

	/* bytes for 3 presses of 24 bytes: the room of those sent is used
	 * again, what waits moved to the front intact */
	assert_int_equal(press(buf, sizeof(buf), "/strip/mute", 0, 0), 24);
	assert_int_equal(osc_queue_init(&q, 64, 3 * 24), 0);
	for (int i = 0; i < 3; i++)
		put_press(&q, "/strip/mute", i, 1, OSC_QUEUED);
	put_press(&q, "/strip/mute", 3, 1, OSC_FULL);
	osc_queue_pop(&q, 1);
	put_press(&q, "/strip/mute", 3, 1, OSC_QUEUED);
	put_press(&q, "/strip/mute", 4, 1, OSC_FULL);
	for (int i = 0; i < 3; i++) {
		char want[64];
		snprintf(want, sizeof(want), "/strip/mute %d 1!", i + 1);
		assert_string_equal(show(&q, i), want);
	}
	for (int round = 0; round < 50; round++) {
		osc_queue_pop(&q, 1);
		put_press(&q, "/strip/mute", 4 + round, 1, OSC_QUEUED);
		assert_int_equal(q.n, 3);
	}
	assert_string_equal(show(&q, 2), "/strip/mute 53 1!");
	osc_queue_pop(&q, 3);
	assert_int_equal(q.n, 0);
	assert_int_equal(q.used, 0);
	osc_queue_free(&q);
}

static void
test_arg_span(void **state)
{
	lo_message m = lo_message_new();
	char buf[256];
	size_t size = sizeof(buf), at, vs;

	(void)state;
	lo_message_add_string(m, "abcde");
	lo_message_add_double(m, 0.5);
	lo_message_add_int32(m, 3);
	lo_message_add_true(m);
	lo_message_add_float(m, 2);
	assert_non_null(lo_message_serialise(m, "/a", buf, &size));
	lo_message_free(m);
	/* "/a\0\0" ",sdiTf\0\0" "abcde\0\0\0" d i f */
	assert_false(osc_arg_span(buf, size, 0, &at, &vs));	/* text */
	assert_true(osc_arg_span(buf, size, 1, &at, &vs));
	assert_int_equal(at, 4 + 8 + 8);
	assert_int_equal(vs, 8);
	assert_true(osc_arg_span(buf, size, 2, &at, &vs));
	assert_int_equal(at, 28);
	assert_false(osc_arg_span(buf, size, 3, &at, &vs));	/* T */
	assert_true(osc_arg_span(buf, size, 4, &at, &vs));
	assert_int_equal(at, 32);
	assert_int_equal(vs, 4);
	assert_false(osc_arg_span(buf, size, 5, &at, &vs));
	assert_false(osc_arg_span(buf, size - 4, 4, &at, &vs));
	assert_false(osc_arg_span(buf, 3, 0, &at, &vs));
}

/* ---- the sender ---- */

static struct osc_arg fader_args[2], mute_args[2];

/* A fader (continuous) and a toggle on the same OSC address. */
static void
bindings(struct binding *fader, struct binding *mute)
{
	memset(fader, 0, sizeof(*fader));
	memset(mute, 0, sizeof(*mute));
	fader->action = action_find("track.fader");
	mute->action = action_find("track.mute");
	assert_non_null(fader->action);
	assert_non_null(mute->action);
	fader_args[0] = (struct osc_arg){ .type = 'i', .v.i = 1 };
	fader_args[1] = (struct osc_arg){ .type = 'f', .is_value = true };
	mute_args[0] = (struct osc_arg){ .type = 'i', .v.i = 1 };
	mute_args[1] = (struct osc_arg){ .type = 'i', .is_value = true };
	fader->msg = (struct osc_msg){ "/s", fader_args, 2, true, 1 };
	mute->msg = (struct osc_msg){ "/s", mute_args, 2, true, 1 };
}

/* A DAW address whose datagrams go to the other end of a pair of
 * datagram sockets (no address: the peer), the bridge's end in *from. */
static void
pair(struct daw_address *t, struct osc_port *from, int *reader)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	/* room for a few datagrams on their way: then EAGAIN */
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF,
	    &(int){ 4096 }, sizeof(int)), 0);
	assert_int_equal(daw_address_open(t, "127.0.0.1", 9, OSC_UDP), 0);
	memset(&t->sa, 0, sizeof(t->sa));
	t->salen = 0;
	from->fd = sv[0];
	from->port = 0;
	*reader = sv[1];
}

/* What arrived, one "f 0.25" or "t 3" per datagram, into got. */
static int
receive(int fd, char got[][32], int n, int max)
{
	char buf[256];
	ssize_t len;

	while (n < max && (len = recv(fd, buf, sizeof(buf), 0)) > 0) {
		lo_message m;
		int result;
		assert_non_null(m = lo_message_deserialise(buf, (size_t)len,
		    &result));
		if (lo_message_get_types(m)[1] == 'f')
			snprintf(got[n++], 32, "f %.9g", arg_f(m, 1));
		else
			snprintf(got[n++], 32, "t %d", arg_i(m, 1));
		lo_message_free(m);
	}
	return n;
}

static void
test_socket_would_block(void **state)
{
	struct binding fader, mute;
	struct daw_address t;
	struct osc_port from;
	static char got[400][32];
	int reader, n = 0;
	float last_f = -1;
	int presses = 0;

	(void)state;
	bindings(&fader, &mute);
	pair(&t, &from, &reader);
	/* 200 fader values, a toggle after every 20th: one loop round
	 * (batched), to a reader that reads nothing meanwhile */
	osc_batch_begin();
	for (int i = 0; i < 200; i++) {
		assert_int_equal(osc_send_binding(&t, &from, &fader, i / 256.0,
		    NULL), 0);
		if (i % 20 == 19)
			assert_int_equal(osc_send_binding(&t, &from, &mute, i,
			    NULL), 0);
	}
	osc_batch_flush();
	/* the socket took some and would take no more: the rest waits,
	 * values merged, the toggles kept */
	assert_true(t.flow.q.n > 0);
	assert_true(t.flow.coalesced > 0);
	assert_true(t.flow.blocked_until > 0);
	assert_int_equal(t.flow.dropped, 0);
	assert_int_equal(t.failed, 0);
	assert_true(osc_flow_deadline(&t) == t.flow.blocked_until);
	/* sent as the reader reads, each time the timer would fire */
	for (int round = 0; round < 100 && t.flow.q.n > 0; round++) {
		n = receive(reader, got, n, 400);
		osc_flow_send(&t, &from, osc_flow_deadline(&t));
	}
	n = receive(reader, got, n, 400);
	osc_batch_end();
	assert_int_equal(t.flow.q.n, 0);
	assert_int_equal(osc_flow_deadline(&t), 0);
	if (getenv("SHOW"))
		for (int i = 0; i < n; i++)
			fprintf(stderr, "%s\n", got[i]);
	assert_true(n < 210);		/* merged */
	/* every toggle, each after the value sent before it and before
	 * the one sent after it; values in order, the last one there */
	for (int i = 0; i < n; i++) {
		if (got[i][0] == 'f') {
			float f = strtof(got[i] + 2, NULL);
			assert_true(f > last_f);
			last_f = f;
			continue;
		}
		int at = atoi(got[i] + 2);
		assert_int_equal(at, presses * 20 + 19);
		presses++;
		assert_true(last_f <= at / 256.0f);
		for (int j = i + 1; j < n; j++)
			if (got[j][0] == 'f') {
				assert_true(strtof(got[j] + 2, NULL) > at / 256.0f);
				break;
			}
	}
	assert_int_equal(presses, 10);
	assert_true(last_f == 199 / 256.0f);
	assert_int_equal(t.sent, (uint64_t)n);
	daw_address_close(&t);
	close(from.fd);
	close(reader);
}

static void
test_rate_cap(void **state)
{
	struct binding fader, mute;
	struct daw_address t;
	struct osc_port from;
	char got[16][32];
	int reader, n;
	uint64_t at;

	(void)state;
	bindings(&fader, &mute);
	pair(&t, &from, &reader);
	osc_flow_rate(&t, 20);		/* one at once, then one per 50 ms */
	/* a lone value leaves at once */
	assert_int_equal(osc_send_binding(&t, &from, &fader, 0.5, NULL), 0);
	assert_int_equal(t.flow.fate, OSC_FATE_SENT);
	assert_int_equal(t.flow.q.n, 0);
	assert_int_equal(receive(reader, got, 0, 16), 1);
	/* more at once: they wait, merged, and a press behind them */
	for (int i = 1; i <= 5; i++)
		assert_int_equal(osc_send_binding(&t, &from, &fader, i / 8.0,
		    NULL), 0);
	assert_int_equal(t.flow.fate, OSC_FATE_MERGED);
	assert_int_equal(osc_send_binding(&t, &from, &mute, 1, NULL), 0);
	assert_int_equal(t.flow.fate, OSC_FATE_QUEUED);
	assert_int_equal(t.flow.q.n, 2);
	assert_int_equal(t.flow.coalesced, 4);
	at = osc_flow_deadline(&t);
	assert_true(at > now_ns());
	/* not before its time */
	osc_flow_send(&t, &from, t.flow.tokens_ns);
	assert_int_equal(t.flow.q.n, 2);
	osc_flow_send(&t, &from, at);
	assert_int_equal(t.flow.q.n, 1);
	osc_flow_send(&t, &from, osc_flow_deadline(&t));
	assert_int_equal(t.flow.q.n, 0);
	n = receive(reader, got, 0, 16);
	assert_int_equal(n, 2);
	assert_string_equal(got[0], "f 0.625");
	assert_string_equal(got[1], "t 1");
	assert_int_equal(t.flow.queued, 2);
	/* closing the address (a switch to another DAW, the end) sends
	 * what waits, cap or not */
	osc_flow_rate(&t, 1);		/* a new rate: a full bucket */
	assert_int_equal(osc_send_binding(&t, &from, &fader, 0.25, NULL), 0);
	assert_int_equal(osc_send_binding(&t, &from, &fader, 0.5, NULL), 0);
	assert_int_equal(osc_send_binding(&t, &from, &fader, 0.75, NULL), 0);
	assert_int_equal(t.flow.q.n, 1);
	daw_address_close(&t);
	assert_int_equal(receive(reader, got, 0, 16), 2);
	assert_string_equal(got[0], "f 0.25");
	assert_string_equal(got[1], "f 0.75");
	close(from.fd);
	close(reader);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latest_value_wins),
		cmocka_unit_test(test_presses_kept_in_order),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_arg_span),
		cmocka_unit_test(test_socket_would_block),
		cmocka_unit_test(test_rate_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
