/*
 * The normalised MIDI event: what every input (ALSA sequencer, JACK MIDI,
 * raw byte stream) turns its messages into, and what the rest of the
 * bridge consumes.  Plain data, no ownership except where noted.
 */
#ifndef CTLBRIDGE_MIDI_H
#define CTLBRIDGE_MIDI_H

#include <stddef.h>
#include <stdint.h>

enum midi_kind {
	MIDI_NONE = 0,
	MIDI_NOTE_OFF,		/* number = note, value = release velocity */
	MIDI_NOTE_ON,		/* number = note, value = velocity 1..127 */
	MIDI_POLY_AFTERTOUCH,	/* number = note, value = pressure */
	MIDI_CC,		/* number = controller 0..127, value 0..127 */
	MIDI_CC14,		/* number = MSB controller 0..31, value 0..16383 */
	MIDI_NRPN,		/* number = parameter 0..16383, see flags */
	MIDI_RPN,		/* number = parameter 0..16383, see flags */
	MIDI_PROGRAM,		/* value = program 0..127 */
	MIDI_CHANNEL_AFTERTOUCH,/* value = pressure 0..127 */
	MIDI_PITCH_BEND,	/* value = 0..16383, 8192 = centre */
	MIDI_SYSEX,		/* sysex/sysex_len: whole message F0 .. F7 */
	MIDI_REALTIME,		/* number = status byte F8..FF */
	MIDI_KIND_COUNT
};

/* For MIDI_NRPN / MIDI_RPN: how value is to be read. */
enum midi_param_flag {
	MIDI_PARAM_ABSOLUTE = 0,	/* value is the 14-bit data entry */
	MIDI_PARAM_DELTA = 1,		/* value is +n (increment) or -n (decrement) */
	MIDI_PARAM_FINE = 2,		/* absolute, completed by a data entry LSB
					 * (CC 38) after its MSB was delivered */
};

struct midi_event {
	uint8_t kind;		/* enum midi_kind */
	uint8_t channel;	/* 0..15; 0 for system messages */
	uint8_t flags;		/* enum midi_param_flag for NRPN/RPN */
	uint8_t source;		/* index of the input that produced it */
	uint16_t number;
	int32_t value;
	uint64_t time_ns;	/* CLOCK_MONOTONIC when received; 0 if unknown */
	const uint8_t *sysex;	/* MIDI_SYSEX only; valid during the callback */
	size_t sysex_len;
};

/* Largest raw value of a kind (127 or 16383); 0 for kinds without a value. */
int32_t midi_kind_max(enum midi_kind kind);
const char *midi_kind_name(enum midi_kind kind);

#endif
