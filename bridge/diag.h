/*
 * Diagnostics collected while loading configuration: parsing and
 * validation never print, they add "file:line: message" entries here so that
 * `ctlbridge check`, start-up and reload report exactly the same text.
 */
#ifndef CTLBRIDGE_DIAG_H
#define CTLBRIDGE_DIAG_H

#include <stdio.h>

#include "log.h"

enum diag_severity { DIAG_ERROR, DIAG_WARNING };

struct diag {
	enum diag_severity severity;
	char *text;		/* "file:line: message" or "file: message" */
	char *file;		/* the file it is about, as given */
};

struct diag_list {
	struct diag *items;
	int count, cap;
	int errors, warnings;
};

void diag_init(struct diag_list *dl);
void diag_free(struct diag_list *dl);
/* line 0 omits the line number. */
void diag_add(struct diag_list *dl, enum diag_severity sev, const char *file,
    int line, const char *fmt, ...) LOG_PRINTF(5, 6);
#define diag_error(dl, file, line, ...) diag_add(dl, DIAG_ERROR, file, line, __VA_ARGS__)
#define diag_warning(dl, file, line, ...) diag_add(dl, DIAG_WARNING, file, line, __VA_ARGS__)
/* Print every entry, one a line; warnings carry "warning: " after the place. */
void diag_print(const struct diag_list *dl, FILE *out);
/* The same through the log (the journal's priorities, -q): errors at
 * error_prio, which is LOG_PRIO_WARNING where the bridge survives them. */
void diag_log(const struct diag_list *dl, int error_prio);

#endif
