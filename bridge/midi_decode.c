/*
 * The MIDI decoder: byte stream framing (running status, realtime, system
 * common, sysex) and the controller-level assembly shared with the ALSA
 * path (note-on 0, 14-bit CC pairs, NRPN/RPN data entry).
 */
#include <string.h>

#include "midi_decode.h"

#define STR_(x) #x
#define STR(x) STR_(x)

enum {
	CC_DATA_MSB = 6,
	CC_DATA_LSB = 38,
	CC_DATA_INC = 96,
	CC_DATA_DEC = 97,
	CC_NRPN_LSB = 98,
	CC_NRPN_MSB = 99,
	CC_RPN_LSB = 100,
	CC_RPN_MSB = 101,
};

enum { PARAM_NONE = 0, PARAM_NRPN = 1, PARAM_RPN = 2 };

void
midi_decoder_init(struct midi_decoder *d, uint8_t source,
    midi_event_fn on_event, midi_warn_fn on_warn, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->source = source;
	d->on_event = on_event;
	d->on_warn = on_warn;
	d->ctx = ctx;
}

void
midi_decoder_reset(struct midi_decoder *d)
{
	d->status = 0;
	d->ndata = 0;
	d->need = 0;
	d->in_sysex = false;
	d->sysex_overflow = false;
	d->skip_data = false;
	d->sysex_len = 0;
	/*
	 * After a reconnect the device's own controller state is unknown, so a
	 * stale NRPN selection must not swallow its next CC 6.  Statistics and
	 * the cc14 configuration survive.
	 */
	memset(d->cc14_msb, 0, sizeof(d->cc14_msb));
	memset(d->param, 0, sizeof(d->param));
}

void
midi_decoder_set_cc14(struct midi_decoder *d, int channel, int msb, bool on)
{
	if (channel < 0 || channel > 15 || msb < 0 || msb > 31)
		return;
	if (on)
		d->cc14_mask[channel] |= UINT32_C(1) << msb;
	else
		d->cc14_mask[channel] &= ~(UINT32_C(1) << msb);
}

void
midi_decoder_emit(struct midi_decoder *d, struct midi_event *ev)
{
	ev->source = d->source;
	d->stats.events++;
	if (d->on_event != NULL)
		d->on_event(d->ctx, ev);
}

static void
emit_simple(struct midi_decoder *d, enum midi_kind kind, uint8_t channel,
    uint16_t number, int32_t value, uint8_t flags, uint64_t time_ns)
{
	struct midi_event ev = {
		.kind = (uint8_t)kind,
		.channel = channel,
		.flags = flags,
		.number = number,
		.value = value,
		.time_ns = time_ns,
	};

	midi_decoder_emit(d, &ev);
}

/* Returns true if the CC was consumed as parameter selection or data entry. */
static bool
param_cc(struct midi_decoder *d, uint8_t ch, uint8_t cc, uint8_t v,
    uint64_t time_ns)
{
	struct midi_param_state *p = &d->param[ch];
	uint8_t type;
	enum midi_kind kind;
	uint16_t number;

	switch (cc) {
	case CC_NRPN_MSB:
	case CC_NRPN_LSB:
	case CC_RPN_MSB:
	case CC_RPN_LSB:
		type = cc >= CC_RPN_LSB ? PARAM_RPN : PARAM_NRPN;
		/*
		 * Switching between NRPN and RPN (or from none) leaves the other
		 * half unknown; zero it rather than mix in the previous
		 * parameter's number.  Either order of MSB/LSB then works.
		 */
		if (p->selected != type) {
			p->param_msb = 0;
			p->param_lsb = 0;
			p->selected = type;
		}
		if (cc == CC_NRPN_MSB || cc == CC_RPN_MSB)
			p->param_msb = v;
		else
			p->param_lsb = v;
		/* The data MSB belongs to the old parameter. */
		p->data_msb = 0;
		/*
		 * 127/127 is the RPN null function; devices send it after NRPN
		 * data too, so it deselects either kind.
		 */
		if (p->param_msb == 127 && p->param_lsb == 127) {
			p->selected = PARAM_NONE;
			p->param_msb = 0;
			p->param_lsb = 0;
		}
		return true;
	case CC_DATA_MSB:
	case CC_DATA_LSB:
	case CC_DATA_INC:
	case CC_DATA_DEC:
		if (p->selected == PARAM_NONE)
			return false;
		break;
	default:
		return false;
	}

	kind = p->selected == PARAM_RPN ? MIDI_RPN : MIDI_NRPN;
	number = (uint16_t)(p->param_msb << 7 | p->param_lsb);
	switch (cc) {
	case CC_DATA_MSB:
		p->data_msb = v;
		emit_simple(d, kind, ch, number, (int32_t)v << 7,
		    MIDI_PARAM_ABSOLUTE, time_ns);
		break;
	case CC_DATA_LSB:
		emit_simple(d, kind, ch, number, (int32_t)p->data_msb << 7 | v,
		    MIDI_PARAM_FINE, time_ns);
		break;
	case CC_DATA_INC:
	case CC_DATA_DEC:
		/*
		 * The spec says the data byte is ignored and the step is 1, but
		 * encoders that send NRPN increments put their step count there;
		 * 0 still means one step.
		 */
		emit_simple(d, kind, ch, number,
		    (cc == CC_DATA_INC ? 1 : -1) * (v != 0 ? (int32_t)v : 1),
		    MIDI_PARAM_DELTA, time_ns);
		break;
	}
	return true;
}

static void
control_change(struct midi_decoder *d, uint8_t ch, uint8_t cc, uint8_t v,
    uint64_t time_ns)
{
	uint32_t mask = d->cc14_mask[ch];

	if (param_cc(d, ch, cc, v, time_ns))
		return;
	if (cc < 32 && (mask & UINT32_C(1) << cc)) {
		d->cc14_msb[ch][cc] = v;
		emit_simple(d, MIDI_CC14, ch, cc, (int32_t)v << 7, 0, time_ns);
		return;
	}
	if (cc >= 32 && cc < 64 && (mask & UINT32_C(1) << (cc - 32))) {
		emit_simple(d, MIDI_CC14, ch, (uint16_t)(cc - 32),
		    (int32_t)d->cc14_msb[ch][cc - 32] << 7 | v, 0, time_ns);
		return;
	}
	emit_simple(d, MIDI_CC, ch, cc, v, 0, time_ns);
}

void
midi_decoder_channel(struct midi_decoder *d, uint8_t status, uint8_t d1,
    uint8_t d2, uint64_t time_ns)
{
	uint8_t ch = status & 0x0f;

	/* Both paths should hand over clean bytes; mask so no caller can
	 * push a value outside its kind's range. */
	d1 &= 0x7f;
	d2 &= 0x7f;
	switch (status & 0xf0) {
	case 0x80:
		emit_simple(d, MIDI_NOTE_OFF, ch, d1, d2, 0, time_ns);
		break;
	case 0x90:
		if (d2 == 0)
			emit_simple(d, MIDI_NOTE_OFF, ch, d1, 0, 0, time_ns);
		else
			emit_simple(d, MIDI_NOTE_ON, ch, d1, d2, 0, time_ns);
		break;
	case 0xa0:
		emit_simple(d, MIDI_POLY_AFTERTOUCH, ch, d1, d2, 0, time_ns);
		break;
	case 0xb0:
		control_change(d, ch, d1, d2, time_ns);
		break;
	case 0xc0:
		emit_simple(d, MIDI_PROGRAM, ch, 0, d1, 0, time_ns);
		break;
	case 0xd0:
		emit_simple(d, MIDI_CHANNEL_AFTERTOUCH, ch, 0, d1, 0, time_ns);
		break;
	case 0xe0:
		emit_simple(d, MIDI_PITCH_BEND, ch, 0, (int32_t)d2 << 7 | d1, 0,
		    time_ns);
		break;
	default:
		break;	/* not a channel status */
	}
}

static void
sysex_data(struct midi_decoder *d, uint8_t b)
{
	static const char too_long[] =
	    "sysex message longer than " STR(MIDI_SYSEX_MAX) " bytes dropped";

	if (d->sysex_overflow)
		return;
	/* Keep the last slot for F7 so a complete message always fits. */
	if (d->sysex_len < MIDI_SYSEX_MAX - 1) {
		d->sysex[d->sysex_len++] = b;
		return;
	}
	d->sysex_overflow = true;
	d->stats.sysex_dropped++;
	if (d->on_warn != NULL)
		d->on_warn(d->ctx, too_long);
}

static void
sysex_end(struct midi_decoder *d, uint64_t time_ns)
{
	struct midi_event ev = { .kind = MIDI_SYSEX, .time_ns = time_ns };

	d->in_sysex = false;
	if (d->sysex_overflow) {
		d->sysex_overflow = false;
		return;
	}
	d->sysex[d->sysex_len++] = 0xf7;
	ev.sysex = d->sysex;
	ev.sysex_len = d->sysex_len;
	midi_decoder_emit(d, &ev);
}

/* Any non-realtime status byte ends whatever was in progress. */
static void
cut_partial(struct midi_decoder *d)
{
	if (d->in_sysex) {
		/* An oversize one was already counted when it overflowed. */
		if (!d->sysex_overflow)
			d->stats.truncated++;
		d->in_sysex = false;
		d->sysex_overflow = false;
	} else if (d->status != 0 && d->ndata != 0) {
		d->stats.truncated++;
	}
	d->ndata = 0;
	d->skip_data = false;
}

static void
status_byte(struct midi_decoder *d, uint8_t b, uint64_t time_ns)
{
	if (b == 0xf7 && d->in_sysex) {
		sysex_end(d, time_ns);
		return;
	}
	cut_partial(d);
	if (b < 0xf0) {
		d->status = b;
		d->need = (b & 0xe0) == 0xc0 ? 1 : 2;	/* Cx, Dx take one */
		return;
	}
	/* System common: never running status; consumed, not delivered. */
	d->status = 0;
	switch (b) {
	case 0xf0:
		d->in_sysex = true;
		d->sysex[0] = 0xf0;
		d->sysex_len = 1;
		break;
	case 0xf1:	/* MTC quarter frame */
	case 0xf3:	/* song select */
		d->status = b;
		d->need = 1;
		break;
	case 0xf2:	/* song position */
		d->status = b;
		d->need = 2;
		break;
	case 0xf4:
	case 0xf5:
		/* Undefined: their length is unknown, so skip until a status. */
		d->skip_data = true;
		break;
	default:
		/* F6 tune request has no data; a stray F7 only cancels. */
		break;
	}
}

static void
data_byte(struct midi_decoder *d, uint8_t b, uint64_t time_ns)
{
	if (d->in_sysex) {
		sysex_data(d, b);
		return;
	}
	if (d->status == 0) {
		if (!d->skip_data)
			d->stats.garbage++;
		return;
	}
	d->data[d->ndata++] = b;
	if (d->ndata < d->need)
		return;
	d->ndata = 0;
	if (d->status < 0xf0)
		midi_decoder_channel(d, d->status, d->data[0], d->data[1],
		    time_ns);
	else
		d->status = 0;	/* system common done, no running status */
}

void
midi_decoder_feed(struct midi_decoder *d, const uint8_t *buf, size_t len,
    uint64_t time_ns)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];

		if (b < 0x80) {
			data_byte(d, b, time_ns);
		} else if (b >= 0xf8) {
			/* Realtime may sit anywhere and must not disturb the
			 * message around it. */
			emit_simple(d, MIDI_REALTIME, 0, b, 0, 0, time_ns);
		} else {
			status_byte(d, b, time_ns);
		}
	}
}
