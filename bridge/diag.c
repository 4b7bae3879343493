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
	for (int i = 0; i < dl->count; i++)
		free(dl->items[i].text);
	free(dl->items);
	memset(dl, 0, sizeof(*dl));
}

void
diag_add(struct diag_list *dl, enum diag_severity sev, const char *file,
    int line, const char *fmt, ...)
{
	char msg[512], place[512];
	const char *tag = sev == DIAG_WARNING ? "warning: " : "";
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(place, sizeof(place), "%s:%d", file, line);
	else
		snprintf(place, sizeof(place), "%s", file);
	n = snprintf(NULL, 0, "%s: %s%s", place, tag, msg);
	if ((text = malloc((size_t)n + 1)) == NULL)
		return;
	snprintf(text, (size_t)n + 1, "%s: %s%s", place, tag, msg);
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
	dl->count++;
	if (sev == DIAG_ERROR)
		dl->errors++;
	else
		dl->warnings++;
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
