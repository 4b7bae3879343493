/*
 * The playhead estimate (playhead.c) as pure functions: reports, the
 * transport's state and the time are given by the test, so where the
 * bridge puts the playhead between two reports is exact, without sleeps.
 * The DAW rolls at 48000 samples a second and reports every 100 ms, as
 * Ardour does; times are nanoseconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "bridge.h"

#define MS UINT64_C(1000000)
#define T0 (UINT64_C(5000) * MS)
#define RATE 48000.0

#define assert_near(a, b) do {						\
	double a_ = (a), b_ = (b);					\
	if (!(fabs(a_ - b_) < 1e-6))					\
		fail_msg("%.9g, expected %.9g", a_, b_);		\
} while (0)

/* Reports from `from` on, every 100 ms from t, while rolling; returns the
 * time of the last. */
static uint64_t
roll(struct playhead *ph, double from, int n, uint64_t t)
{
	for (int i = 0; i < n; i++, t += 100 * MS)
		playhead_report(ph, from + i * RATE / 10, true, t);
	return t - 100 * MS;
}

static void
test_unknown(void **state)
{
	struct playhead ph;

	(void)state;
	playhead_reset(&ph);
	assert_true(isnan(ph.position));
	assert_true(isnan(playhead_at(&ph, true, T0)));
	assert_true(isnan(playhead_at(&ph, false, T0)));
	playhead_report(&ph, NAN, true, T0);	/* a report without a number */
	assert_true(isnan(playhead_at(&ph, true, T0)));
}

/* Stopped, the playhead is where the last report put it. */
static void
test_stopped(void **state)
{
	struct playhead ph;

	(void)state;
	playhead_reset(&ph);
	playhead_report(&ph, 500, false, T0);
	assert_near(playhead_at(&ph, false, T0 + 1000 * MS), 500);
	playhead_report(&ph, 3000, false, T0 + 2000 * MS);
	assert_near(playhead_at(&ph, false, T0 + 5000 * MS), 3000);
	assert_near(ph.rate, 0);	/* reports while stopped are no motion */
}

/* Rolling: between two reports the playhead moves on at the rate the
 * reports show, so a section lands where the playhead is by then, not at
 * the last report (the end-to-end test checks this through the bridge). */
static void
test_rolling_between_reports(void **state)
{
	struct playhead ph;
	uint64_t t;

	(void)state;
	playhead_reset(&ph);
	t = roll(&ph, 48000, 2, T0);
	assert_near(ph.rate, RATE);
	assert_near(playhead_at(&ph, true, t + 150 * MS), 52800 + 0.150 * RATE);
	assert_near(playhead_at(&ph, true, t + 50 * MS), 52800 + 0.050 * RATE);
	/* the transport stopped: no motion */
	assert_near(playhead_at(&ph, false, t + 150 * MS), 52800);
}

/* The DAW says it rolls but its reports stop (an engine that stalls): the
 * estimate runs on for a quarter second at most (12000 samples), not for
 * as long as the silence lasts (48000 in a second). */
static void
test_stall(void **state)
{
	struct playhead ph;
	uint64_t t;

	(void)state;
	playhead_reset(&ph);
	playhead_report(&ph, 100000, false, T0);	/* stopped there */
	t = roll(&ph, 200000, 2, T0 + 1000 * MS);	/* play: 200000, 204800 */
	assert_near(ph.rate, RATE);
	assert_near(playhead_at(&ph, true, t + 100 * MS), 204800 + 4800);
	assert_near(playhead_at(&ph, true, t + 250 * MS), 204800 + 12000);
	assert_near(playhead_at(&ph, true, t + 1000 * MS), 204800 + 12000);
	assert_near(playhead_at(&ph, true, t + 60000 * MS), 204800 + 12000);
}

/* The first report after play is a new start, not motion: no rate is taken
 * across it, however far the playhead went while stopped. */
static void
test_no_rate_across_a_start(void **state)
{
	struct playhead ph;

	(void)state;
	playhead_reset(&ph);
	playhead_report(&ph, 1000, false, T0);
	playhead_report(&ph, 900000, true, T0 + 100 * MS);	/* play */
	assert_near(ph.rate, 0);
	assert_near(playhead_at(&ph, true, T0 + 200 * MS), 900000);
	playhead_report(&ph, 904800, true, T0 + 200 * MS);
	assert_near(ph.rate, RATE);
}

/* A locate while rolling is a jump, not speed: the estimate after it runs
 * at the rate the playhead rolls. */
static void
test_locate(void **state)
{
	struct playhead ph;
	uint64_t t;

	(void)state;
	playhead_reset(&ph);
	playhead_report(&ph, 300000, false, T0);
	t = roll(&ph, 400000, 2, T0 + 1000 * MS);	/* 400000, 404800 */
	playhead_report(&ph, 900000, true, t + 100 * MS);	/* located */
	assert_near(ph.rate, RATE);
	playhead_report(&ph, 904800, true, t + 200 * MS);
	assert_near(ph.rate, RATE);
	assert_near(playhead_at(&ph, true, t + 350 * MS), 904800 + 0.150 * RATE);
}

/* A rate unlike the running one, confirmed by the next report, is a new
 * speed (varispeed); close rates are smoothed in. */
static void
test_new_speed(void **state)
{
	struct playhead ph;
	uint64_t t;

	(void)state;
	playhead_reset(&ph);
	t = roll(&ph, 0, 3, T0);			/* 48000 a second */
	assert_near(ph.rate, RATE);
	playhead_report(&ph, 9600 + 14400, true, t + 100 * MS);	/* 3x */
	assert_near(ph.rate, RATE);			/* once: a jump */
	playhead_report(&ph, 24000 + 14400, true, t + 200 * MS);
	assert_near(ph.rate, 3 * RATE);			/* twice: a speed */
	playhead_report(&ph, 38400 + 15840, true, t + 300 * MS);	/* 1.1x */
	assert_near(ph.rate, 0.7 * 3 * RATE + 0.3 * 158400);
}

/* Reports too close together (the same moment told twice) or too far
 * apart (a pause) say nothing of the rate; nor does going backwards. */
static void
test_rate_gaps(void **state)
{
	struct playhead ph;

	(void)state;
	playhead_reset(&ph);
	playhead_report(&ph, 0, true, T0);
	playhead_report(&ph, 480, true, T0 + 10 * MS);		/* 10 ms */
	assert_near(ph.rate, 0);
	playhead_report(&ph, 480 + 3 * RATE, true, T0 + 3010 * MS);	/* 3 s */
	assert_near(ph.rate, 0);
	playhead_report(&ph, 1000, true, T0 + 3110 * MS);	/* backwards */
	assert_near(ph.rate, 0);
	assert_near(playhead_at(&ph, true, T0 + 3200 * MS), 1000);
}

/* A playhead a few ms short of a section start is at it: 5 ms at the
 * rate in samples, 5 ms in seconds. */
static void
test_slack(void **state)
{
	struct playhead ph;

	(void)state;
	playhead_reset(&ph);
	assert_near(playhead_slack(&ph), 0.005);
	roll(&ph, 0, 2, T0);
	assert_near(playhead_slack(&ph), 240);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_stopped),
		cmocka_unit_test(test_rolling_between_reports),
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_no_rate_across_a_start),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_new_speed),
		cmocka_unit_test(test_rate_gaps),
		cmocka_unit_test(test_slack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
