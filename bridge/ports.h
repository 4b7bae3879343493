/* ctlbridge ports (ports.c): every MIDI port, its controller, its bridge. */
#ifndef CTLBRIDGE_PORTS_H
#define CTLBRIDGE_PORTS_H

/* argv[0] is "ports"; dirs the default search path (-c DIR replaces it);
 * the exit status: 0, also with no sequencer and no JACK server. */
int ports_main(int argc, char **argv, char *const *dirs, int ndirs);

#endif
