/* ctlbridge learn: the [controls] line for each control the user moves. */
#ifndef CTLBRIDGE_LEARN_H
#define CTLBRIDGE_LEARN_H

/* argv[0] is "learn"; dirs: the search path, the user's first.  Exit
 * status: 0, 1 (failed, said), 2 (wrong usage). */
int learn_main(int argc, char **argv, char *const *dirs, int ndirs);

#endif
