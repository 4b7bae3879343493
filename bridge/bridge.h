/*
 * The running bridge: owns the configuration set, the event loop, the OSC
 * socket, the surface and the MIDI inputs, and wires them together.
 */
#ifndef CTLBRIDGE_BRIDGE_H
#define CTLBRIDGE_BRIDGE_H

enum input_type { INPUT_AUTO, INPUT_ALSA, INPUT_JACK, INPUT_RAW };

struct input_spec {
	enum input_type type;
	const char *arg;	/* pattern or path; NULL for the controller's pattern */
};

struct bridge_options {
	char **dirs;
	int ndirs;
	const char *profile;
	const char *daw;	/* -o HOST:PORT, or NULL */
	struct input_spec *inputs;
	int ninputs;		/* 0 means auto */
};

/* Runs until a signal or the end of a raw input; returns the exit status. */
int bridge_run(const struct bridge_options *opt);

/* Parse "-m" specs: alsa[:PATTERN], jack[:PATTERN], raw:PATH, auto. */
int input_spec_parse(const char *s, struct input_spec *spec);

#endif
