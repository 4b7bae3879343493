#ifndef CTLBRIDGE_ACTIONS_CMD_H
#define CTLBRIDGE_ACTIONS_CMD_H

/* ctlbridge actions [-c DIR] [DAW] */
int actions_main(int argc, char **argv, char *const *dirs, int ndirs);

#endif
