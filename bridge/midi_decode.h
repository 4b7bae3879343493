/*
 * The one MIDI decoder.  Byte streams (raw inputs, JACK buffers) are fed
 * byte by byte; whole channel messages (ALSA sequencer events) enter at
 * midi_decoder_channel().  Both paths share the controller-level state:
 * 14-bit CC pairs, NRPN/RPN parameter selection and data entry.
 *
 * Byte stream rules: running status; realtime bytes (F8..FF) are delivered
 * at once wherever they appear, even inside another message, and do not
 * disturb it; system common messages cancel running status; a status byte
 * in the middle of a message drops the partial message (counted as
 * truncated); data bytes with no status are dropped (counted as garbage);
 * note on with velocity 0 is delivered as note off; sysex is collected up to
 * MIDI_SYSEX_MAX bytes, a longer one is dropped (counted, and reported once
 * through the warning callback).
 *
 * 14-bit CC: only for the MSB numbers (0..31) enabled per channel with
 * midi_decoder_set_cc14(); the LSB is MSB + 32.  The MSB resets the LSB to
 * zero and delivers MIDI_CC14 at once; an LSB delivers the combined value.
 * An LSB for a pair whose MSB was never seen is delivered as MSB 0.
 * Controllers not enabled stay plain MIDI_CC, so a controller that uses
 * CC 32..63 for buttons (nanoKONTROL2) is not misread.
 *
 * NRPN/RPN: CC 99/98 select an NRPN, 101/100 an RPN (127/127 deselects).
 * While a parameter is selected on a channel, data entry CC 6 (MSB) and 38
 * (LSB), increment 96 and decrement 97 are consumed and delivered as
 * MIDI_NRPN / MIDI_RPN; the parameter-number CCs themselves are consumed.
 * With no parameter selected, CC 6/38/96/97 are ordinary CCs.
 */
#ifndef CTLBRIDGE_MIDI_DECODE_H
#define CTLBRIDGE_MIDI_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "midi.h"

#define MIDI_SYSEX_MAX 1024

typedef void (*midi_event_fn)(void *ctx, const struct midi_event *ev);
typedef void (*midi_warn_fn)(void *ctx, const char *message);

struct midi_param_state {
	uint8_t param_msb, param_lsb;	/* selected parameter number */
	uint8_t selected;		/* 0 none, 1 NRPN, 2 RPN */
	uint8_t data_msb;		/* last data entry MSB */
};

struct midi_decoder_stats {
	uint64_t events;	/* delivered */
	uint64_t garbage;	/* data bytes with no status */
	uint64_t truncated;	/* messages cut by another status byte */
	uint64_t sysex_dropped;	/* oversize sysex messages */
};

struct midi_decoder {
	/* byte stream state */
	uint8_t status;		/* running status, 0 if none */
	uint8_t data[2];
	uint8_t ndata;
	uint8_t need;		/* data bytes the current status takes */
	bool in_sysex;
	bool sysex_overflow;
	bool skip_data;		/* after F4/F5: ignore data until a status */
	uint8_t sysex[MIDI_SYSEX_MAX];
	size_t sysex_len;
	/* controller state, per channel */
	uint32_t cc14_mask[16];		/* bit n: CC n/n+32 form a 14-bit pair */
	uint8_t cc14_msb[16][32];
	struct midi_param_state param[16];
	uint8_t source;			/* copied into every event */
	struct midi_decoder_stats stats;
	midi_event_fn on_event;
	midi_warn_fn on_warn;
	void *ctx;
};

void midi_decoder_init(struct midi_decoder *d, uint8_t source,
    midi_event_fn on_event, midi_warn_fn on_warn, void *ctx);
/* Forget any partial message and running status (e.g. after a reconnect);
 * keeps the cc14 configuration. */
void midi_decoder_reset(struct midi_decoder *d);
void midi_decoder_set_cc14(struct midi_decoder *d, int channel, int msb, bool on);

/* Feed a byte stream; every complete message is delivered through on_event
 * before this returns. */
void midi_decoder_feed(struct midi_decoder *d, const uint8_t *buf, size_t len,
    uint64_t time_ns);

/* Deliver one complete channel message (status 0x80..0xEF with its data),
 * applying the CC14 / NRPN / note-on-0 rules.  Used by the byte path and by
 * the ALSA sequencer path. */
void midi_decoder_channel(struct midi_decoder *d, uint8_t status, uint8_t d1,
    uint8_t d2, uint64_t time_ns);

/* Deliver an already-decoded event (ALSA's CONTROL14, NRPN, sysex,
 * realtime), stamping source; counts it. */
void midi_decoder_emit(struct midi_decoder *d, struct midi_event *ev);

#endif
