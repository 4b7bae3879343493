/* ctlbridge sheet: a printable cheat sheet of each role's controls. */
#ifndef CTLBRIDGE_SHEET_H
#define CTLBRIDGE_SHEET_H

/* argv[0] is "sheet"; dirs: the search path.  Exit status: 0, 1 (failed,
 * said), 2 (wrong usage). */
int sheet_main(int argc, char **argv, char *const *dirs, int ndirs);

#endif
