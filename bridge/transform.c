#include <math.h>

#include "transform.h"

/*
 * Breakpoints of the fader law, at positions k/127 so that a 7-bit fader
 * hits them exactly, and a 14-bit one too (16383 = 127 * 129).  Between
 * them dB is linear in position: fine steps around unity where engineers
 * work, coarse ones at the bottom.
 */
static const struct { double step, db; } fader_law[] = {
	{ 1, FADER_DB_LOWEST }, { 16, -50 }, { 32, -30 }, { 64, -15 },
	{ 100, 0 }, { 127, 6 },
};
#define NLAW ((int)(sizeof(fader_law) / sizeof(fader_law[0])))

double
taper_fader_db(double pos)
{
	double steps = pos * 127.0;

	if (steps < fader_law[0].step - 1e-9)
		return -INFINITY;
	for (int i = 1; i < NLAW; i++) {
		if (steps <= fader_law[i].step + 1e-9) {
			double s0 = fader_law[i - 1].step, s1 = fader_law[i].step;
			double d0 = fader_law[i - 1].db, d1 = fader_law[i].db;
			double db;
			if (fabs(steps - s1) < 1e-9)
				return d1;	/* exact at breakpoints, unity included */
			db = d0 + (steps - s0) / (s1 - s0) * (d1 - d0);
			return db;
		}
	}
	return fader_law[NLAW - 1].db;
}

double
taper_fader_pos(double db)
{
	if (db < fader_law[0].db)
		return 0;
	for (int i = 1; i < NLAW; i++) {
		if (db <= fader_law[i].db) {
			double s0 = fader_law[i - 1].step, s1 = fader_law[i].step;
			double d0 = fader_law[i - 1].db, d1 = fader_law[i].db;
			return (s0 + (db - d0) / (d1 - d0) * (s1 - s0)) / 127.0;
		}
	}
	return 1;
}

double
binding_value(const struct binding *b, double pos)
{
	if (pos < 0)
		pos = 0;
	if (pos > 1)
		pos = 1;
	if (b->taper == TAPER_FADER)
		return taper_fader_db(pos);
	if (b->centred) {
		double centre = b->more->centre, at = b->more->centre_pos;
		if (pos <= at)
			return b->min + pos / at * (centre - b->min);
		return centre + (pos - at) / (1 - at) * (b->max - centre);
	}
	return b->min + pos * (b->max - b->min);
}

double
binding_position(const struct binding *b, double value)
{
	double pos;

	if (b->taper == TAPER_FADER)
		return taper_fader_pos(value);
	if (b->max == b->min)
		return 0;
	if (b->centred) {
		double centre = b->more->centre, at = b->more->centre_pos;
		if (value <= centre)
			pos = (value - b->min) / (centre - b->min) * at;
		else
			pos = at + (value - centre) / (b->max - centre) * (1 - at);
	} else
		pos = (value - b->min) / (b->max - b->min);
	return pos < 0 ? 0 : pos > 1 ? 1 : pos;
}

int
relative_ticks(enum relative_format f, int32_t raw)
{
	raw &= 127;
	switch (f) {
	case REL_TWOS_COMPLEMENT:
		return raw < 64 ? raw : raw - 128;
	case REL_SIGN_MAGNITUDE:
		return raw & 64 ? -(raw & 63) : raw;
	case REL_BINARY_OFFSET:
		return raw - 64;
	}
	return 0;
}

double
clamp_db(double db, double floor)
{
	return db < floor ? floor : db;
}
