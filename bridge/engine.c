#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "util.h"
#include "log.h"
#include "transform.h"

/* Encoder ticks closer together than this, in one direction, accelerate. */
#define ACCEL_WINDOW_NS 60000000ull
#define ACCEL_MAX_MULT 16.0
/* guard=recording: the second press must come within this of the first */
#define GUARD_WINDOW_NS 1000000000ull

struct engine *
engine_new(const struct profile *p)
{
	struct engine *eng = calloc(1, sizeof(*eng));
	int n = p->controller->ncontrols;

	if (eng == NULL)
		return NULL;
	eng->controller = p->controller;
	eng->profile = p;
	if ((eng->state = calloc((size_t)(n ? n : 1), sizeof(*eng->state))) == NULL) {
		free(eng);
		return NULL;
	}
	for (int i = 0; i < n; i++)
		eng->state[i].value = eng->state[i].pos = NAN;
	return eng;
}

void
engine_free(struct engine *eng)
{
	if (eng == NULL)
		return;
	free(eng->state);
	free(eng);
}

struct target_values *
target_values_new(int n)
{
	struct target_values *tv = try_calloc(1, sizeof(*tv));

	if (tv == NULL)
		return NULL;
	tv->n = n;
	if ((tv->v = try_calloc((size_t)n, sizeof(double))) == NULL) {
		free(tv);
		return NULL;
	}
	for (int i = 0; i < n; i++)
		tv->v[i] = NAN;
	return tv;
}

void
target_values_free(struct target_values *tv)
{
	if (tv == NULL)
		return;
	free(tv->v);
	free(tv);
}

double
engine_value(const struct engine *eng, int target)
{
	if (eng->values && target >= 0 && target < eng->values->n)
		return eng->values->v[target];
	return NAN;
}

double
engine_target_value(const struct engine *eng, const struct binding *b)
{
	return engine_value(eng, b->target);
}

static void
set_target_value(struct engine *eng, const struct binding *b, double v)
{
	if (eng->values && b->target >= 0 && b->target < eng->values->n)
		eng->values->v[b->target] = v;
}

/* A toggle's state is the DAW's: kept per target when there is one. */
static bool
latch_get(const struct engine *eng, const struct control_state *st,
    const struct binding *b)
{
	double v = engine_target_value(eng, b);

	return isnan(v) ? st->latched : v != 0;
}

void
engine_switch(struct engine *eng, const struct profile *p)
{
	eng->profile = p;
	for (int i = 0; i < eng->controller->ncontrols; i++) {
		struct control_state *st = &eng->state[i];
		st->pickup = eng->controller->controls[i].mode == MODE_ABSOLUTE;
		st->accel_mult = 1;
		st->last_tick_ns = 0;
		st->value = NAN;	/* it was the old binding's value */
	}
}

struct control_state *
engine_rebind_prepare(const struct engine *eng, const struct profile *p)
{
	const struct controller *nc = p->controller, *oc = eng->controller;
	struct control_state *st = try_calloc((size_t)nc->ncontrols + 1,
	    sizeof(*st));

	if (st == NULL)
		return NULL;
	for (int c = 0; c < nc->ncontrols; c++) {
		int old = controller_control(oc, nc->controls[c].name);
		if (old >= 0)
			st[c] = eng->state[old];
		else
			st[c].value = st[c].pos = NAN;
	}
	return st;
}

void
engine_rebind_commit(struct engine *eng, const struct profile *p,
    struct target_values *values, struct control_state *st)
{
	free(eng->state);
	eng->state = st;
	eng->controller = p->controller;
	eng->profile = p;
	eng->values = values;
}

int
engine_rebind(struct engine *eng, const struct profile *p,
    struct target_values *values)
{
	struct control_state *st = engine_rebind_prepare(eng, p);

	if (st == NULL)
		return -1;
	engine_rebind_commit(eng, p, values, st);
	return 0;
}

enum edge { EDGE_NONE, EDGE_PRESS, EDGE_RELEASE };

static double
event_position(const struct control *c, const struct midi_event *ev)
{
	int32_t max = c->max > 0 ? c->max : 127;
	int32_t v = ev->value;

	if (ev->kind == MIDI_CC14 && c->kind != CONTROL_CC14)
		v >>= 7;
	if (v < 0)
		v = 0;
	if (v > max)
		v = max;
	return (double)v / (double)max;
}

static enum edge
button_edge(const struct control *c, struct control_state *st,
    const struct midi_event *ev, double pos)
{
	switch (c->mode) {
	case MODE_BUTTON:
		if (ev->kind == MIDI_NOTE_OFF)
			return EDGE_RELEASE;
		if (ev->kind == MIDI_PROGRAM || ev->kind == MIDI_NOTE_ON)
			return EDGE_PRESS;
		return ev->value > 0 ? EDGE_PRESS : EDGE_RELEASE;
	case MODE_ABSOLUTE:
		/* hysteresis, so a fader resting at the middle cannot chatter */
		if (!st->pressed && pos >= 0.6) {
			st->pressed = true;
			return EDGE_PRESS;
		}
		if (st->pressed && pos <= 0.4) {
			st->pressed = false;
			return EDGE_RELEASE;
		}
		return EDGE_NONE;
	default:
		return EDGE_NONE;
	}
}

static int
relative_event_ticks(const struct control *c, const struct midi_event *ev)
{
	if ((ev->kind == MIDI_NRPN || ev->kind == MIDI_RPN) &&
	    ev->flags == MIDI_PARAM_DELTA)
		return ev->value;
	/* the MSB already moved it: its LSB must not move it again */
	if (ev->flags == MIDI_PARAM_FINE)
		return 0;
	if (ev->kind == MIDI_NRPN || ev->kind == MIDI_RPN)
		return relative_ticks(c->relative, ev->value >> 7);
	return relative_ticks(c->relative, ev->value);
}

static double
accelerate(const struct binding *b, struct control_state *st, int ticks,
    uint64_t now)
{
	int dir = ticks > 0 ? 1 : -1;

	if (b->accel > 0 && st->last_dir == dir && st->last_tick_ns != 0 &&
	    now >= st->last_tick_ns && now - st->last_tick_ns < ACCEL_WINDOW_NS) {
		st->accel_mult += b->accel;
		if (st->accel_mult > ACCEL_MAX_MULT)
			st->accel_mult = ACCEL_MAX_MULT;
	} else
		st->accel_mult = 1;
	st->last_dir = dir;
	st->last_tick_ns = now;
	return st->accel_mult;
}

/* A binding that sends nothing (no message, no bridge action). */
static bool
inert(const struct binding *b)
{
	return b->msg.address == NULL && !b->action->internal;
}

static int
emit(struct engine *eng, struct control_state *st, const struct binding *b,
    double value, struct engine_output *out)
{
	st->value = value;
	/* a toggle's or a fader's value is the DAW's new state; a trigger's
	 * (play, record) is not: that state comes from feedback */
	if (b->action->type != ACTION_TRIGGER)
		set_target_value(eng, b, value);
	out->binding = b;
	out->value = b->action->unit == UNIT_DB ? clamp_db(value, b->db_floor) :
	    value;
	if (inert(b)) {
		out->why = ENGINE_WHY_INERT;
		return ENGINE_NOTHING;
	}
	out->why = ENGINE_WHY_SENT;
	eng->sent++;
	return ENGINE_SEND;
}

/*
 * guard=recording: while the DAW records (its record and play state, as
 * reported), the first press of a guarded button only arms it; a second
 * within GUARD_WINDOW_NS does it.  Decided before any latch flips, so a
 * press held back changes nothing.
 */
static bool
guard_holds(struct engine *eng, struct control_state *st,
    const struct binding *b, uint64_t now)
{
	const struct profile *p = eng->profile;

	if (!(engine_value(eng, p->record_target) == 1 &&
	    engine_value(eng, p->play_target) == 1)) {
		st->guard_ns = 0;
		return false;
	}
	if (st->guard_ns && now - st->guard_ns < GUARD_WINDOW_NS) {
		st->guard_ns = 0;
		return false;
	}
	st->guard_ns = now;
	return true;
}

/* A press or release on a binding whose action is not continuous. */
static int
switch_event(struct engine *eng, struct control_state *st,
    const struct binding *b, enum edge e, uint64_t now,
    struct engine_output *out)
{
	if (e == EDGE_PRESS && b->guard && !inert(b) &&
	    guard_holds(eng, st, b, now)) {
		out->binding = b;
		out->why = ENGINE_WHY_GUARD;
		return ENGINE_GUARDED;
	}
	switch (b->trigger) {
	case TRIGGER_PRESS:
		if (e != EDGE_PRESS)
			return 0;
		st->latched = true;
		return emit(eng, st, b, 1, out);
	case TRIGGER_MOMENTARY:
		st->latched = e == EDGE_PRESS;
		/* a command without a value would be sent twice: once is the
		 * press, the release has nothing to say */
		if (e == EDGE_RELEASE && b->action->type == ACTION_TRIGGER &&
		    !b->msg.has_value)
			return 0;
		return emit(eng, st, b, st->latched ? 1 : 0, out);
	case TRIGGER_TOGGLE:
		if (e != EDGE_PRESS)
			return 0;
		st->latched = !latch_get(eng, st, b);
		return emit(eng, st, b, st->latched ? 1 : 0, out);
	}
	return ENGINE_NOTHING;
}

static int
continuous_press(struct engine *eng, struct control_state *st,
    const struct binding *b, enum edge e, struct engine_output *out)
{
	switch (b->trigger) {
	case TRIGGER_PRESS:
		if (e != EDGE_PRESS)
			return 0;
		return emit(eng, st, b, b->invert ? b->min : b->max, out);
	case TRIGGER_MOMENTARY:
		st->latched = e == EDGE_PRESS;
		break;
	case TRIGGER_TOGGLE:
		if (e != EDGE_PRESS)
			return 0;
		st->latched = !st->latched;
		break;
	}
	return emit(eng, st, b, st->latched != b->invert ? b->max : b->min, out);
}

/*
 * Soft takeover after a switch: a fader or knob whose physical position is
 * away from its new target's value sends nothing until it reaches or
 * crosses that value, so the DAW never sees a jump.  An unknown target
 * value cannot be met: the control takes over at once.
 */
static bool
pickup_waits(const struct engine *eng, const struct control *c,
    const struct control_state *st, const struct binding *b, double pos,
    double *wantp)
{
	double target = engine_target_value(eng, b), want, step;

	if (!b->pickup || b->action->type != ACTION_CONTINUOUS || isnan(target))
		return false;
	want = binding_position(b, target);
	if (b->invert)
		want = 1 - want;
	*wantp = want;
	step = 1.0 / (c->max > 0 ? c->max : 127);
	if (fabs(pos - want) <= step)
		return false;
	if (!isnan(st->pos) && (st->pos - want) * (pos - want) <= 0)
		return false;	/* crossed it between two events */
	return true;
}

/* A motor fader echoes where feedback moved it (a 14-bit one its MSB
 * before its LSB); an encoder's ticks are never echoes.  Notes the move
 * of a hand otherwise, so that feedback leaves the control alone. */
static bool
is_echo(struct engine *eng, const struct control *c, struct control_state *st,
    const struct midi_event *ev, uint64_t now)
{
	if (!c->feedback || c->mode == MODE_BUTTON)
		return false;
	if (c->mode == MODE_ABSOLUTE && st->fb_ns &&
	    now - st->fb_ns < ECHO_WINDOW_NS &&
	    (ev->value == st->fb_raw || (c->kind == CONTROL_CC14 &&
	    ev->value >> 7 == st->fb_raw >> 7))) {
		eng->echoes++;
		return true;
	}
	st->in_ns = now;
	return false;
}

/* An encoder's ticks: a step from what the target holds. */
static int
relative_event(struct engine *eng, const struct control *c,
    struct control_state *st, const struct binding *b,
    const struct midi_event *ev, uint64_t now, struct engine_output *out)
{
	int ticks;
	double base, value;

	if (b == NULL) {
		eng->unbound++;
		out->why = ENGINE_WHY_UNBOUND;
		return ENGINE_NOTHING;
	}
	out->binding = b;
	if ((ticks = relative_event_ticks(c, ev)) == 0)
		return ENGINE_NOTHING;
	if (b->action->type != ACTION_CONTINUOUS)
		return ticks > 0 ? switch_event(eng, st, b, EDGE_PRESS, now, out) :
		    ENGINE_NOTHING;
	value = ticks * b->step * accelerate(b, st, ticks, ev->time_ns);
	if (b->invert)
		value = -value;
	/* continue from what the target holds, whoever set it */
	base = engine_target_value(eng, b);
	if (isnan(base))
		base = isnan(st->value) ? b->action->def : st->value;
	if (isinf(base) && base < 0)
		base = value > 0 ? FADER_DB_LOWEST - value : base;
	value += base;
	if (b->taper == TAPER_FADER && value < FADER_DB_LOWEST)
		value = -INFINITY;
	if (value > b->max)
		value = b->max;
	if (value < b->min)
		value = b->min;
	return emit(eng, st, b, value, out);
}

/* A button, or a fader standing in for one: its press or release. */
static int
edge_event(struct engine *eng, const struct control *c,
    struct control_state *st, const struct binding *b,
    const struct midi_event *ev, double pos, uint64_t now,
    struct engine_output *out)
{
	enum edge e = button_edge(c, st, ev, pos);

	if (e == EDGE_NONE)
		return ENGINE_NOTHING;
	/* a release belongs to the binding that took the press */
	if (e == EDGE_RELEASE && st->held != NULL) {
		b = st->held;
		st->held = NULL;
	} else if (e == EDGE_PRESS)
		st->held = b;
	if (b == NULL) {
		eng->unbound++;
		out->why = ENGINE_WHY_UNBOUND;
		return ENGINE_NOTHING;
	}
	out->binding = b;
	if (b->action->type == ACTION_CONTINUOUS)
		return continuous_press(eng, st, b, e, out);
	return switch_event(eng, st, b, e, now, out);
}

/* A fader or knob: its position, once it has picked up its target. */
static int
absolute_event(struct engine *eng, const struct control *c,
    struct control_state *st, const struct binding *b, double pos,
    struct engine_output *out)
{
	double want;

	if (b == NULL) {
		eng->unbound++;
		out->why = ENGINE_WHY_UNBOUND;
		st->pos = pos;
		return ENGINE_NOTHING;
	}
	if (st->pickup && pickup_waits(eng, c, st, b, pos, &want)) {
		st->pos = pos;
		eng->held_back++;
		out->binding = b;
		out->why = ENGINE_WHY_PICKUP;
		out->want = want;
		out->at = pos;
		return ENGINE_NOTHING;
	}
	st->pickup = false;
	st->pos = pos;
	if (b->invert)
		pos = 1 - pos;
	return emit(eng, st, b, binding_value(b, pos), out);
}

int
engine_event(struct engine *eng, const struct midi_event *ev, uint64_t now,
    struct engine_output *out)
{
	const struct profile *p = eng->profile;
	const struct control *c;
	const struct binding *b;
	struct control_state *st;
	uint16_t ci;
	int bi;

	out->binding = NULL;
	out->control = -1;
	out->why = ENGINE_WHY_IDLE;
	ci = controller_lookup(eng->controller, ev);
	if (ci == CONTROL_NONE) {
		eng->unbound++;
		out->why = ENGINE_WHY_UNMATCHED;
		return ENGINE_NOTHING;
	}
	out->control = ci;
	c = &eng->controller->controls[ci];
	st = &eng->state[ci];
	if (is_echo(eng, c, st, ev, now)) {
		out->why = ENGINE_WHY_ECHO;
		return ENGINE_NOTHING;	/* where feedback just moved it */
	}
	bi = p->by_control[ci];
	b = bi >= 0 ? &p->bindings[bi] : NULL;
	if (b && b->action->display) {
		out->binding = b;
		out->why = ENGINE_WHY_DISPLAY;
		return ENGINE_NOTHING;	/* a meter shows the DAW's level */
	}
	if (c->mode == MODE_RELATIVE)
		return relative_event(eng, c, st, b, ev, now, out);
	/* an increment/decrement is not a position: only encoders take it */
	if ((ev->kind == MIDI_NRPN || ev->kind == MIDI_RPN) &&
	    ev->flags == MIDI_PARAM_DELTA)
		return ENGINE_NOTHING;
	if (c->mode == MODE_BUTTON || (b && b->action->type != ACTION_CONTINUOUS))
		return edge_event(eng, c, st, b, ev, event_position(c, ev), now,
		    out);
	return absolute_event(eng, c, st, b, event_position(c, ev), out);
}

/* The control's own message with a raw value. */
static int
encode_control(const struct control *c, int32_t raw, uint8_t *out)
{
	uint8_t ch = c->channel & 15;
	uint16_t number = c->led_number;

	if (raw < 0)
		raw = 0;
	if (raw > c->max)
		raw = c->max;
	switch (c->kind) {
	case CONTROL_CC:
		out[0] = 0xB0 | ch;
		out[1] = (uint8_t)number;
		out[2] = (uint8_t)raw;
		return 3;
	case CONTROL_CC14:
		out[0] = 0xB0 | ch;
		out[1] = (uint8_t)number;
		out[2] = (uint8_t)(raw >> 7);
		out[3] = 0xB0 | ch;
		out[4] = (uint8_t)(number + 32);
		out[5] = (uint8_t)(raw & 127);
		return 6;
	case CONTROL_NOTE:
		out[0] = 0x90 | ch;	/* velocity 0 turns an LED off */
		out[1] = (uint8_t)number;
		out[2] = (uint8_t)raw;
		return 3;
	case CONTROL_PITCH_BEND:
		out[0] = 0xE0 | ch;
		out[1] = (uint8_t)(raw & 127);
		out[2] = (uint8_t)(raw >> 7);
		return 3;
	case CONTROL_NRPN:
	case CONTROL_RPN: {
		bool nrpn = c->kind == CONTROL_NRPN;
		const uint8_t m[12] = {
			0xB0 | ch, nrpn ? 99 : 101, (uint8_t)(number >> 7),
			0xB0 | ch, nrpn ? 98 : 100, (uint8_t)(number & 127),
			0xB0 | ch, 6, (uint8_t)(raw >> 7),
			0xB0 | ch, 38, (uint8_t)(raw & 127),
		};
		memcpy(out, m, sizeof(m));
		return 12;
	}
	default:
		return 0;	/* program, aftertouch: nothing to light */
	}
}

/* on=/off= are 7-bit; a 14-bit control shows them at its scale */
static int32_t
switch_raw(const struct control *c, uint8_t v)
{
	return c->max > 127 ? (int32_t)v * c->max / 127 : v;
}

static int
feedback_raw(struct engine *eng, int ci, int32_t raw, uint64_t now,
    uint8_t *out)
{
	const struct control *c = &eng->controller->controls[ci];
	struct control_state *st = &eng->state[ci];
	int n;

	if (!c->feedback)
		return 0;
	if (c->mode != MODE_BUTTON && st->in_ns && now - st->in_ns < TOUCH_WINDOW_NS)
		return 0;	/* a hand is on it */
	if ((n = encode_control(c, raw, out)) > 0) {
		st->fb_raw = c->kind == CONTROL_CC14 || c->kind == CONTROL_NRPN ||
		    c->kind == CONTROL_RPN || c->kind == CONTROL_PITCH_BEND ? raw :
		    raw & 127;
		st->fb_ns = now;
	}
	return n;
}

int
engine_feedback(struct engine *eng, const struct binding *b, double value,
    uint64_t now, uint8_t *out)
{
	const struct control *c = &eng->controller->controls[b->control];
	int32_t raw;

	if (isnan(value))
		return 0;
	if (b->action->type == ACTION_CONTINUOUS && c->mode != MODE_BUTTON) {
		double pos = binding_position(b, value);
		/* a CC encoder's ring takes 0..127, an NRPN one its 14 bits */
		int32_t max = c->mode == MODE_RELATIVE && c->kind == CONTROL_CC ?
		    127 : c->max;
		if (b->invert)
			pos = 1 - pos;
		raw = (int32_t)lrint(pos * max);
	} else if (b->action->type == ACTION_CONTINUOUS)
		raw = switch_raw(c, (value > b->min) != b->invert ? c->on_value :
		    c->off_value);
	else
		raw = switch_raw(c, value != 0 ? c->on_value : c->off_value);
	return feedback_raw(eng, b->control, raw, now, out);
}

int
engine_feedback_switch(struct engine *eng, int control, bool on,
    uint64_t now, uint8_t *out)
{
	const struct control *c = &eng->controller->controls[control];

	return feedback_raw(eng, control, switch_raw(c, on ? c->on_value :
	    c->off_value), now, out);
}
