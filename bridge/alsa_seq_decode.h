/*
 * ALSA sequencer events -> normalised MIDI events.  Pure translation, kept
 * apart from the sequencer client (alsa_midi.c) so it can be tested on
 * constructed snd_seq_event_t values on machines without /dev/snd.
 */
#ifndef CTLBRIDGE_ALSA_SEQ_DECODE_H
#define CTLBRIDGE_ALSA_SEQ_DECODE_H

#include <alsa/asoundlib.h>

#include "midi_decode.h"

/*
 * Translate ev into zero or more events delivered through d's callback.
 * Channel voice events go through midi_decoder_channel(), so 14-bit pairs
 * and NRPN/RPN assembly behave exactly as for byte streams.  ALSA's own
 * CONTROL14, NONREGPARAM and REGPARAM events map directly; SYSEX delivers
 * its variable data (bounded like the byte path); START/CONTINUE/STOP/CLOCK/
 * SENSING/RESET become MIDI_REALTIME.
 * Returns 1 if ev was a MIDI event, 0 if it was something else (port and
 * client announcements, echo, ...), which the caller handles.
 */
int alsa_seq_decode(struct midi_decoder *d, const snd_seq_event_t *ev,
    uint64_t time_ns);

#endif
