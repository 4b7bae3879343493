/*
 * The feedback path allocates nothing per DAW message: walking a packet
 * (feedback_walk), recognising a report (feedback_match) and finding the
 * target it lands on (config_target_of) are counted against malloc,
 * calloc and realloc,
 * which this binary replaces with counting wrappers around glibc's own.
 * An ASan build has its own allocator, and so has valgrind (which
 * replaces these too): there the test is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lo/lo.h>

#include "config.h"
#include "feedback.h"

#if defined(__SANITIZE_ADDRESS__)
#define COUNTING 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COUNTING 0
#endif
#endif
#ifndef COUNTING
#define COUNTING 1
#endif

static long allocations;
static int counting;

#if COUNTING
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void __libc_free(void *);

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);

void *
malloc(size_t n)
{
	allocations += counting;
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	allocations += counting;
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	allocations += counting;
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}
#endif

static struct config *cfg;

static int
setup(void **state)
{
	char *dirs[] = { "." };
	struct diag_list dl;

	diag_init(&dl);
	cfg = config_load(dirs, 1, NULL, &dl);
	diag_print(&dl, stderr);
	diag_free(&dl);
	return dl.errors ? -1 : 0;
}

static int
teardown(void **state)
{
	config_free(cfg);
	return 0;
}

struct reports {
	const struct profile *p;
	int ids[8];
	int n;
};

/* One report as the bridge takes it: recognised, then resolved to the id
 * of its target (-2 if no action matched). */
static void
resolve(void *ctx, const struct osc_in *msg)
{
	struct reports *r = ctx;
	struct feedback_match m;
	int id = -2;

	if (feedback_match(r->p->dialect, msg->path, msg->types, msg->argv,
	    msg->argc, &m))
		id = config_target_of(cfg, r->p, m.action, m.track, m.marker,
		    m.plugin);
	if (r->n < 8)
		r->ids[r->n] = id;
	r->n++;
}

/* Append m at path to a bundle being built in buf. */
static size_t
bundle_add(char *buf, size_t size, const char *path, lo_message m)
{
	size_t n = 256;
	uint32_t len;

	assert_non_null(lo_message_serialise(m, path, buf + size + 4, &n));
	len = htonl((uint32_t)n);
	memcpy(buf + size, &len, 4);
	lo_message_free(m);
	return size + 4 + n;
}

/* valgrind preloads its own allocator, which takes the calls */
static bool
under_valgrind(void)
{
	const char *pre = getenv("LD_PRELOAD");

	return pre != NULL && strstr(pre, "vgpreload") != NULL;
}

static void
test_report_allocates_nothing(void **state)
{
	struct reports r = { .p = config_profile(cfg, "engineer") };
	char packet[2048];
	size_t size = 16;
	lo_message m;

	(void)state;
	if (!COUNTING || under_valgrind())
		skip();
	assert_non_null(r.p);
	/* a bundle of four reports, as the DAW sends them */
	memcpy(packet, "#bundle\0\0\0\0\0\0\0\0\1", 16);
	m = lo_message_new();
	lo_message_add_int32(m, 3);
	lo_message_add_float(m, 0.5f);
	size = bundle_add(packet, size, "/strip/gain", m);	/* bound */
	m = lo_message_new();
	lo_message_add_int32(m, 3);
	lo_message_add_float(m, -20.0f);
	size = bundle_add(packet, size, "/strip/meter", m);	/* not bound */
	m = lo_message_new();
	lo_message_add_float(m, 1.0f);
	size = bundle_add(packet, size, "/transport_play", m);
	m = lo_message_new();
	lo_message_add_int32(m, 3);
	size = bundle_add(packet, size, "/no/such/report", m);

	allocations = 0;
	counting = 1;
	for (int i = 0; i < 1000; i++) {
		r.n = 0;
		assert_int_equal(feedback_walk(packet, size, resolve, &r), 4);
	}
	counting = 0;
	assert_int_equal(allocations, 0);

	/* and what they resolved to is right */
	assert_int_equal(r.n, 4);
	assert_true(r.ids[0] >= 0);
	assert_ptr_equal(cfg->targets[r.ids[0]].action, action_find("track.gain"));
	assert_int_equal(cfg->targets[r.ids[0]].track, 3);
	assert_int_equal(r.ids[1], -1);
	assert_int_equal(r.ids[2], r.p->play_target);
	assert_int_equal(r.ids[3], -2);

	/* the wrappers count, also what libc and liblo allocate for
	 * themselves (the formatted key this replaced came from asprintf;
	 * liblo's reader copies every message) */
	counting = 1;
	{
		char *s = NULL;
		assert_true(asprintf(&s, "%s|%d", "127.0.0.1:3819", 3) > 0);
		free(s);
	}
	counting = 0;
	assert_true(allocations > 0);
	allocations = 0;
	counting = 1;
	{
		int result = 0;
		lo_message_free(lo_message_deserialise(packet + 20,
		    ntohl(*(uint32_t *)(void *)(packet + 16)), &result));
	}
	counting = 0;
	assert_true(allocations > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_allocates_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
