/*
 * Test support: a real headless Ardour through tests/ardour/ardour-session
 * (the session in DIR/ardour, its OSC surface on PORT).
 */
#ifndef TEST_ARDOUR_H
#define TEST_ARDOUR_H

#include <stdbool.h>

/* Start Ardour with a session of the tracks named (a space-separated list,
 * "Kick Vox"), answering OSC on exactly port; 0, or -1 said on stderr. */
int ardour_start(const char *dir, int port, const char *tracks);
void ardour_stop(const char *dir);
/* Does a line of the session's state, as ardour-session reads it back,
 * hold want? */
bool ardour_state_has(const char *dir, const char *want);

#endif
