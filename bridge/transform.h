/* Value transforms: pure functions from control positions to action
 * values and back (the way back serves pick-up and feedback). */
#ifndef CTLBRIDGE_TRANSFORM_H
#define CTLBRIDGE_TRANSFORM_H

#include <stdint.h>

#include "config.h"

/* Console fader law: position 0..1 -> dB, -inf at 0, 0 dB at 100/127,
 * +6 dB at the top. */
double taper_fader_db(double pos);
double taper_fader_pos(double db);
#define FADER_DB_LOWEST (-80.0)	/* lowest finite value on the law */

/* Position 0..1 (already inverted if the binding says so) -> action value. */
double binding_value(const struct binding *b, double pos);
/* Action value -> position 0..1 before inversion. */
double binding_position(const struct binding *b, double value);

/* Ticks (signed) from a relative encoder's 7-bit value. */
int relative_ticks(enum relative_format f, int32_t raw);

/* Clamp a dB value to what the DAW accepts (-inf becomes the floor). */
double clamp_db(double db, double floor);

#endif
