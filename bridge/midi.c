/* Per-kind facts about normalised MIDI events: value range and short name. */
#include "midi.h"

static const int32_t kind_max[MIDI_KIND_COUNT] = {
	[MIDI_NOTE_OFF] = 127,
	[MIDI_NOTE_ON] = 127,
	[MIDI_POLY_AFTERTOUCH] = 127,
	[MIDI_CC] = 127,
	[MIDI_CC14] = 16383,
	[MIDI_NRPN] = 16383,
	[MIDI_RPN] = 16383,
	[MIDI_PROGRAM] = 127,
	[MIDI_CHANNEL_AFTERTOUCH] = 127,
	[MIDI_PITCH_BEND] = 16383,
};

/* These names appear in mapping files and logs, so they must not change. */
static const char *const kind_name[MIDI_KIND_COUNT] = {
	[MIDI_NONE] = "none",
	[MIDI_NOTE_OFF] = "note-off",
	[MIDI_NOTE_ON] = "note-on",
	[MIDI_POLY_AFTERTOUCH] = "poly-aftertouch",
	[MIDI_CC] = "cc",
	[MIDI_CC14] = "cc14",
	[MIDI_NRPN] = "nrpn",
	[MIDI_RPN] = "rpn",
	[MIDI_PROGRAM] = "program",
	[MIDI_CHANNEL_AFTERTOUCH] = "channel-aftertouch",
	[MIDI_PITCH_BEND] = "pitch-bend",
	[MIDI_SYSEX] = "sysex",
	[MIDI_REALTIME] = "realtime",
};

int32_t
midi_kind_max(enum midi_kind kind)
{
	/* kind often comes straight from a uint8_t field, so range-check it. */
	if ((unsigned)kind >= MIDI_KIND_COUNT)
		return 0;
	return kind_max[kind];
}

const char *
midi_kind_name(enum midi_kind kind)
{
	if ((unsigned)kind >= MIDI_KIND_COUNT)
		return "unknown";
	return kind_name[kind];
}
