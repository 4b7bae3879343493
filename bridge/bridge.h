/*
 * The running bridge: owns the configuration set, the event loop, the OSC
 * socket, the surfaces (one per controller, each with its active profile
 * and its MIDI inputs) and the shared target values; wires them together;
 * switches profiles and reloads the configuration between two events.
 */
#ifndef CTLBRIDGE_BRIDGE_H
#define CTLBRIDGE_BRIDGE_H

#include <stdbool.h>

struct daw_override;

enum input_type { INPUT_AUTO, INPUT_ALSA, INPUT_JACK, INPUT_RAW };

struct input_spec {
	enum input_type type;
	const char *arg;	/* pattern or path; NULL for the controller's pattern */
};

#define BRIDGE_MAX_SURFACES 8
#define BRIDGE_MAX_INPUTS 16

/* -p PROFILE followed by its -m inputs (none: auto). */
struct surface_spec {
	const char *profile;
	struct input_spec inputs[BRIDGE_MAX_INPUTS];
	int ninputs;
};

struct bridge_options {
	char **dirs;
	int ndirs;
	struct surface_spec *surfaces;
	int nsurfaces;
	const struct daw_override *daw;	/* -o HOST:PORT, or NULL */
	int osc_port;		/* the bridge's own port; 0: any free one */
	bool no_watch;		/* do not follow edits with inotify */
};

/* Runs until a signal or the end of a raw input; returns the exit status. */
int bridge_run(const struct bridge_options *opt);

/* Parse "-m" specs: alsa[:PATTERN], jack[:PATTERN], raw:PATH, auto. */
int input_spec_parse(const char *s, struct input_spec *spec);

#endif
