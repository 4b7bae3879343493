#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void
diag_init(struct diag_list *dl)
{
	memset(dl, 0, sizeof(*dl));
}

void
diag_free(struct diag_list *dl)
{
	for (int i = 0; i < dl->count; i++) {
		free(dl->items[i].text);
		free(dl->items[i].file);
	}
	free(dl->items);
	memset(dl, 0, sizeof(*dl));
}

void
diag_add(struct diag_list *dl, enum diag_severity sev, const char *file,
    int line, const char *fmt, ...)
{
	const char *tag = sev == DIAG_WARNING ? "warning: " : "";
	char *msg = NULL, *text = NULL;
	va_list ap;
	int n;

	/* counted first: an error must stop a load even when there is no
	 * memory left to say it */
	if (sev == DIAG_ERROR)
		dl->errors++;
	else
		dl->warnings++;
	/* whole, however long the path: a cut path names another file */
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n = line > 0 ? asprintf(&text, "%s:%d: %s%s", file, line, tag, msg) :
	    asprintf(&text, "%s: %s%s", file, tag, msg);
	free(msg);
	if (n < 0)
		return;
	if (dl->count == dl->cap) {
		int cap = dl->cap ? dl->cap * 2 : 16;
		struct diag *items = realloc(dl->items, (size_t)cap * sizeof(*items));
		if (items == NULL) {
			free(text);
			return;
		}
		dl->items = items;
		dl->cap = cap;
	}
	dl->items[dl->count].severity = sev;
	dl->items[dl->count].text = text;
	dl->items[dl->count].file = strdup(file);	/* NULL: unattributed */
	dl->count++;
}

void
diag_log(const struct diag_list *dl, int error_prio)
{
	for (int i = 0; i < dl->count; i++)
		log_line(dl->items[i].severity == DIAG_ERROR ? error_prio :
		    LOG_PRIO_WARNING, dl->items[i].text);
}

void
diag_print(const struct diag_list *dl, FILE *out)
{
	for (int i = 0; i < dl->count; i++)
		fprintf(out, "%s\n", dl->items[i].text);
}
