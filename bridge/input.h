/*
 * A surface's MIDI inputs, both ways: the -m specs, opening the JACK, ALSA
 * and raw backends they name (jack_midi.c, alsa_midi.c, raw_midi.c),
 * sending feedback out through all of them, and the port patterns that
 * pick a controller's ports.  Also what every backend is given
 * (struct input_sink): where to deliver decoded events, and how its
 * controller wants 14-bit pairs assembled.
 */
#ifndef CTLBRIDGE_INPUT_H
#define CTLBRIDGE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "midi_decode.h"

struct loop;

/* Who read an event (midi_event.source): one id per backend; raw inputs
 * count up from INPUT_SOURCE_RAW. */
enum input_source {
	INPUT_SOURCE_ALSA = 1,
	INPUT_SOURCE_JACK = 2,
	INPUT_SOURCE_RAW = 3,
};

struct input_sink {
	midi_event_fn on_event;
	void *ctx;
	uint32_t cc14_mask[16];
	uint8_t source;			/* stamped into each event */
	/* Called when an input ends for good: end of a file or FIFO (err 0)
	 * or a read error on one (err is the errno). */
	void (*on_finished)(void *ctx, int err);
	/* Called when the controller's MIDI input becomes reachable (a port
	 * connected, a device opened): time to send it its LEDs. */
	void (*on_connected)(void *ctx);
};

/* Configure d for the sink: callback and cc14 pairs. */
void input_sink_decoder(const struct input_sink *sink, struct midi_decoder *d,
    midi_warn_fn warn);

/* ---- a surface's inputs ---- */

#define INPUT_MAX 16

enum input_type { INPUT_AUTO, INPUT_ALSA, INPUT_JACK, INPUT_RAW };

struct input_spec {
	enum input_type type;
	const char *arg;	/* pattern or path; NULL for the controller's pattern */
};

/* Parse "-m" specs: alsa[:PATTERN], jack[:PATTERN], raw:PATH, auto. */
int input_spec_parse(const char *s, struct input_spec *spec);
/* Inputs found by the controller's own pattern only (no -m, or -m auto). */
bool input_specs_default(const struct input_spec *specs, int n);

struct inputs {
	struct input_sink sink;		/* each backend copies it */
	struct raw_midi *raw[INPUT_MAX];
	int nraw;
	struct jack_midi *jack;
	struct alsa_midi *alsa;
};

/*
 * Open what the specs name for surface number surface (1-based: its
 * clients are "ctlbridge", "ctlbridge-2", ...), whose controller's ports
 * match pattern; in->sink set beforehand.  Several specs of one kind add
 * patterns to one client; none, or auto, adds the controller's pattern to
 * ALSA (if the sequencer exists) and to JACK (now or when a server
 * starts).  0 or -1 (with a warning); inputs_close either way.
 */
int inputs_open(struct inputs *in, struct loop *loop, int surface,
    const char *pattern, const struct input_spec *specs, int nspecs);
/* The same with the MIDI clients called name ("ctlbridge-learn"). */
int inputs_open_as(struct inputs *in, struct loop *loop, const char *name,
    int surface, const char *pattern, const struct input_spec *specs,
    int nspecs);
void inputs_close(struct inputs *in);
/* The ports the inputs are connected to: backend ("jack", "alsa") and
 * port (a JACK port's full name, an ALSA port's "CLIENT:PORT" numbers). */
void inputs_connections(const struct inputs *in,
    void (*fn)(void *ctx, const char *backend, const char *port), void *ctx);
/* The input an event's source is, for the monitor, while it is
 * delivered: "jack:PORT[,PORT]" (what midi_in is connected to: JACK
 * merges them), "alsa:CLIENT:PORT" (the port that sent it), "raw:PATH";
 * into buf. */
const char *inputs_source_name(const struct inputs *in, uint8_t source,
    char *buf, size_t len);
/* MIDI bytes (whole messages) to the controller, through every input. */
void inputs_send(struct inputs *in, const uint8_t *bytes, size_t len);

/*
 * What a surface reads, as other bridges can compare it: "alsa:PATTERN",
 * "jack:PATTERN" (auto claims both), "raw:PATH" (standard input claims
 * nothing).  Written into out, one claim a line; returns the count.
 */
int input_claims(const char *pattern, const struct input_spec *specs,
    int nspecs, char *out, size_t len);

/* Does a port name match a controller port pattern?  A glob (* ? [),
 * case-insensitive; plain text matches anywhere. */
bool port_pattern_match(const char *pattern, const char *port_name);
/* A port of a ctlbridge client ("ctlbridge:midi_out", "ctlbridge-learn:
 * midi_in"): its MIDI is a bridge's feedback, never read as a controller's
 * (learn matching every port beside a running bridge). */
bool port_is_bridge(const char *port_name);

#endif
