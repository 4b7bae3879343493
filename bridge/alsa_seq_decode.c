/*
 * Translation of ALSA sequencer events into normalised MIDI events through
 * the shared decoder; no sequencer handle, no allocation.
 */
#include "alsa_seq_decode.h"

static uint8_t
clamp7(int v)
{
	return v < 0 ? 0 : v > 127 ? 127 : (uint8_t)v;
}

static int32_t
clamp14(int v)
{
	return v < 0 ? 0 : v > 16383 ? 16383 : v;
}

/*
 * ALSA's own encoder masks out-of-range fields (& 0x7f, & 0x0f), which
 * would turn a bogus controller 200 into a real controller 72.  An address
 * (channel, note, controller) out of range is dropped instead; values are
 * clamped.  Returns false if the event is to be dropped.
 */
static bool
channel_event(struct midi_decoder *d, const snd_seq_event_t *ev,
    uint64_t time_ns)
{
	const snd_seq_ev_note_t *n = &ev->data.note;
	const snd_seq_ev_ctrl_t *c = &ev->data.control;
	uint8_t ch = ev->type <= SND_SEQ_EVENT_KEYPRESS ? n->channel : c->channel;
	uint8_t status;

	if (ch > 15)
		return false;
	switch (ev->type) {
	case SND_SEQ_EVENT_NOTEON:
	case SND_SEQ_EVENT_NOTEOFF:
	case SND_SEQ_EVENT_KEYPRESS:
		if (n->note > 127)
			return false;
		status = ev->type == SND_SEQ_EVENT_NOTEON ? 0x90
		    : ev->type == SND_SEQ_EVENT_NOTEOFF ? 0x80 : 0xa0;
		midi_decoder_channel(d, status | ch, n->note,
		    clamp7(n->velocity), time_ns);
		return true;
	case SND_SEQ_EVENT_CONTROLLER:
		if (c->param > 127)
			return false;
		midi_decoder_channel(d, 0xb0 | ch, (uint8_t)c->param,
		    clamp7(c->value), time_ns);
		return true;
	case SND_SEQ_EVENT_PGMCHANGE:
		midi_decoder_channel(d, 0xc0 | ch, clamp7(c->value), 0, time_ns);
		return true;
	case SND_SEQ_EVENT_CHANPRESS:
		midi_decoder_channel(d, 0xd0 | ch, clamp7(c->value), 0, time_ns);
		return true;
	case SND_SEQ_EVENT_PITCHBEND: {
		/* ALSA centres pitch bend on 0, MIDI on 8192.  Clamp before
		 * adding so a hostile INT_MAX cannot overflow. */
		int32_t v = c->value < -8192 ? 0 : c->value > 8191 ? 16383
		    : c->value + 8192;

		midi_decoder_channel(d, 0xe0 | ch, (uint8_t)(v & 0x7f),
		    (uint8_t)(v >> 7), time_ns);
		return true;
	}
	case SND_SEQ_EVENT_CONTROL14:
		if (c->param >= 32) {
			/* Only 0..31 have an LSB partner; ALSA itself sends
			 * the rest as a plain 7-bit CC. */
			if (c->param > 127)
				return false;
			midi_decoder_channel(d, 0xb0 | ch, (uint8_t)c->param,
			    clamp7(c->value), time_ns);
			return true;
		}
		break;
	case SND_SEQ_EVENT_NONREGPARAM:
	case SND_SEQ_EVENT_REGPARAM:
		if (c->param > 16383)
			return false;
		break;
	default:
		return false;
	}

	/* CONTROL14 (param < 32), NONREGPARAM, REGPARAM: already assembled. */
	struct midi_event out = {
		.kind = ev->type == SND_SEQ_EVENT_CONTROL14 ? MIDI_CC14
		    : ev->type == SND_SEQ_EVENT_NONREGPARAM ? MIDI_NRPN : MIDI_RPN,
		.channel = ch,
		.flags = MIDI_PARAM_ABSOLUTE,
		.number = (uint16_t)c->param,
		.value = clamp14(c->value),
		.time_ns = time_ns,
	};
	midi_decoder_emit(d, &out);
	return true;
}

static void
realtime(struct midi_decoder *d, uint8_t status, uint64_t time_ns)
{
	struct midi_event out = {
		.kind = MIDI_REALTIME,
		.number = status,
		.time_ns = time_ns,
	};

	midi_decoder_emit(d, &out);
}

int
alsa_seq_decode(struct midi_decoder *d, const snd_seq_event_t *ev,
    uint64_t time_ns)
{
	switch (ev->type) {
	case SND_SEQ_EVENT_NOTEON:
	case SND_SEQ_EVENT_NOTEOFF:
	case SND_SEQ_EVENT_KEYPRESS:
	case SND_SEQ_EVENT_CONTROLLER:
	case SND_SEQ_EVENT_PGMCHANGE:
	case SND_SEQ_EVENT_CHANPRESS:
	case SND_SEQ_EVENT_PITCHBEND:
	case SND_SEQ_EVENT_CONTROL14:
	case SND_SEQ_EVENT_NONREGPARAM:
	case SND_SEQ_EVENT_REGPARAM:
		/* An out-of-range one is still MIDI, just unusable: dropped. */
		(void)channel_event(d, ev, time_ns);
		return 1;
	case SND_SEQ_EVENT_SYSEX:
		/*
		 * The kernel's rawmidi->sequencer coder has a 256-byte buffer
		 * and hands a longer sysex over in pieces: only the first
		 * starts with F0, only the last ends with F7.  Feeding the
		 * pieces through the byte path reassembles them, bounds them
		 * and counts them exactly like a raw input.  Only a variable-
		 * length event carries its bytes with it: a user-space or IPC
		 * pointer (VARUSR, VARIPC) points into another process.
		 */
		if (snd_seq_ev_is_variable(ev) && ev->data.ext.ptr != NULL)
			midi_decoder_feed(d, ev->data.ext.ptr, ev->data.ext.len,
			    time_ns);
		return 1;
	case SND_SEQ_EVENT_CLOCK:
		realtime(d, 0xf8, time_ns);
		return 1;
	case SND_SEQ_EVENT_TICK:
		realtime(d, 0xf9, time_ns);
		return 1;
	case SND_SEQ_EVENT_START:
		realtime(d, 0xfa, time_ns);
		return 1;
	case SND_SEQ_EVENT_CONTINUE:
		realtime(d, 0xfb, time_ns);
		return 1;
	case SND_SEQ_EVENT_STOP:
		realtime(d, 0xfc, time_ns);
		return 1;
	case SND_SEQ_EVENT_SENSING:
		realtime(d, 0xfe, time_ns);
		return 1;
	case SND_SEQ_EVENT_RESET:
		realtime(d, 0xff, time_ns);
		return 1;
	case SND_SEQ_EVENT_QFRAME:
	case SND_SEQ_EVENT_SONGPOS:
	case SND_SEQ_EVENT_SONGSEL:
	case SND_SEQ_EVENT_TUNE_REQUEST:
		/* System common: consumed without delivery, as on the byte
		 * path, so the caller need not treat them as unknown. */
		return 1;
	default:
		return 0;
	}
}
