/*
 * The feedback path allocates nothing per DAW message: recognising a
 * report (feedback_match) and finding the target it lands on
 * (config_target_of) are counted against malloc, calloc and realloc,
 * which this binary replaces with counting wrappers around glibc's own.
 * An ASan build has its own allocator: there the test is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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

/* One report as the bridge takes it: recognised, then resolved to the id
 * of its target; returns the id, or -2 if no action matched. */
static int
resolve(const struct profile *p, lo_message msg, const char *path)
{
	struct feedback_match m;

	if (!feedback_match(p->dialect, path, lo_message_get_types(msg),
	    lo_message_get_argv(msg), lo_message_get_argc(msg), &m))
		return -2;
	return config_target_of(cfg, p, m.action, m.track, m.marker, m.plugin);
}

static void
test_report_allocates_nothing(void **state)
{
	const struct profile *p = config_profile(cfg, "engineer");
	lo_message gain, meter, play, other;
	int ids[4];

	(void)state;
	if (!COUNTING)
		skip();
	assert_non_null(p);
	gain = lo_message_new();
	meter = lo_message_new();
	play = lo_message_new();
	other = lo_message_new();
	lo_message_add_int32(gain, 3);
	lo_message_add_float(gain, 0.5f);
	lo_message_add_int32(meter, 3);
	lo_message_add_float(meter, -20.0f);
	lo_message_add_float(play, 1.0f);
	lo_message_add_int32(other, 3);

	/* liblo builds a message's argument vector on first asking */
	resolve(p, gain, "/strip/gain");
	resolve(p, meter, "/strip/meter");
	resolve(p, play, "/transport_play");
	resolve(p, other, "/no/such/report");
	allocations = 0;
	counting = 1;
	for (int i = 0; i < 1000; i++) {
		ids[0] = resolve(p, gain, "/strip/gain");	/* bound */
		ids[1] = resolve(p, meter, "/strip/meter");	/* not bound */
		ids[2] = resolve(p, play, "/transport_play");
		ids[3] = resolve(p, other, "/no/such/report");
	}
	counting = 0;
	assert_int_equal(allocations, 0);

	/* and what they resolved to is right */
	assert_true(ids[0] >= 0);
	assert_ptr_equal(cfg->targets[ids[0]].action, action_find("track.gain"));
	assert_int_equal(cfg->targets[ids[0]].track, 3);
	assert_int_equal(ids[1], -1);
	assert_int_equal(ids[2], p->play_target);
	assert_int_equal(ids[3], -2);

	/* the wrappers count, also what libc allocates for itself (the
	 * formatted key this replaced came from asprintf) */
	counting = 1;
	{
		char *s = NULL;
		assert_true(asprintf(&s, "%s|%d", "127.0.0.1:3819", 3) > 0);
		free(s);
	}
	counting = 0;
	assert_true(allocations > 0);

	lo_message_free(gain);
	lo_message_free(meter);
	lo_message_free(play);
	lo_message_free(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_allocates_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
