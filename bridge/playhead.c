/*
 * Where the DAW's playhead is, for loop.section.  The DAW reports it every
 * 100 ms or so while rolling: how fast it moves between two reports lets
 * the bridge tell where it is between them.  Pure functions of (report,
 * rolling, now): the caller reads the clock, and the unit tests pass
 * times of their own.
 */
#include <math.h>

#include "bridge.h"

/* Two reports closer than this say nothing of a rate (the same moment,
 * told twice), and farther apart than this neither (a pause between). */
#define RATE_MIN_GAP_NS 20000000ull		/* 20 ms */
#define RATE_MAX_GAP_NS 2000000000ull		/* 2 s */
/* A rate within this factor of the running one is the same speed... */
#define RATE_SAME 2.0
/* ... folded in with this weight for the new one; */
#define RATE_WEIGHT 0.3
/* a rate unlike it is a locate, unless the next comes within this factor
 * of it: then it is a new speed. */
#define RATE_CONFIRM 1.25
/* The estimate runs on this long past a report at most: reports come every
 * 100 ms while the DAW rolls, so a longer silence is a stalled engine, and
 * a guess that ran on would put a section marker where the DAW's is not. */
#define RUN_ON_MAX_S 0.25
/* A playhead this long short of a section start is at it. */
#define SLACK_S 0.005

void
playhead_reset(struct playhead *ph)
{
	ph->position = NAN;
	ph->at = NAN;
	ph->rate = 0;
	ph->at_ns = 0;
	ph->rolled = false;
	ph->outlier = 0;
}

/* The rate between the last report and this one, taken in: the running
 * rate moves towards one like it; one unlike it is kept as the outlier,
 * and becomes the rate when the next confirms it. */
static void
take_rate(struct playhead *ph, double rate)
{
	double old = ph->rate;

	if (!(old > 0) || (rate > old / RATE_SAME && rate < old * RATE_SAME)) {
		ph->rate = old > 0 ? (1 - RATE_WEIGHT) * old + RATE_WEIGHT * rate :
		    rate;
		ph->outlier = 0;
	} else if (rate > ph->outlier / RATE_CONFIRM &&
	    rate < ph->outlier * RATE_CONFIRM) {
		ph->rate = rate;	/* confirmed: a new speed */
		ph->outlier = 0;
	} else
		ph->outlier = rate;
}

/* A rate is taken only between two reports made while rolling (the first
 * after play is a new start, not motion), moving forward, neither too
 * close nor too far apart. */
void
playhead_report(struct playhead *ph, double v, bool rolling, uint64_t now)
{
	if (isnan(v))
		return;
	if (!isnan(ph->at) && rolling && ph->rolled && v > ph->at &&
	    now - ph->at_ns > RATE_MIN_GAP_NS &&
	    now - ph->at_ns < RATE_MAX_GAP_NS)
		take_rate(ph, (v - ph->at) / ((now - ph->at_ns) / 1e9));
	ph->at = v;
	ph->at_ns = now;
	ph->rolled = rolling;
}

/* The last report, moved on at the rate it rolls for RUN_ON_MAX_S at
 * most. */
double
playhead_at(const struct playhead *ph, bool rolling, uint64_t now)
{
	double dt;

	if (isnan(ph->at) || !rolling || !(ph->rate > 0))
		return ph->at;
	dt = (now - ph->at_ns) / 1e9;
	return ph->at + ph->rate * (dt < RUN_ON_MAX_S ? dt : RUN_ON_MAX_S);
}

/* SLACK_S of motion at the running rate; in a unit of seconds (a rate of
 * 1000 or less), SLACK_S itself. */
double
playhead_slack(const struct playhead *ph)
{
	return ph->rate > 1000 ? ph->rate * SLACK_S : SLACK_S;
}
