#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatalx("out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatalx("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatalx("out of memory");
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (p == NULL)
		fatalx("out of memory");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
	return s;
}

int
tokenize(const char *s, char tok[][TOKEN_LEN], int max, const char **err)
{
	int n = 0;

	*err = NULL;
	for (;;) {
		size_t len = 0;
		bool quoted = false;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			return n;
		if (n == max) {
			*err = "too many words";
			return -1;
		}
		while (*s != '\0' && (quoted || !isspace((unsigned char)*s))) {
			char ch = *s++;
			if (ch == '"') {
				quoted = !quoted;
				continue;
			}
			if (quoted && ch == '\\' && (*s == '"' || *s == '\\'))
				ch = *s++;
			if (len + 1 >= TOKEN_LEN) {
				*err = "word too long";
				return -1;
			}
			tok[n][len++] = ch;
		}
		if (quoted) {
			*err = "unterminated quote";
			return -1;
		}
		tok[n][len] = '\0';
		n++;
	}
}

bool
parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (*s == '\0')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

bool
parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (strcmp(s, "-inf") == 0) {
		*out = -INFINITY;
		return true;
	}
	if (strcmp(s, "inf") == 0 || strcmp(s, "+inf") == 0) {
		*out = INFINITY;
		return true;
	}
	if (*s == '\0' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || isnan(v) || isinf(v))
		return false;
	*out = v;
	return true;
}

int
parse_int_range(const char *s, long *first)
{
	const char *dots = strstr(s, "..");
	char a[64];
	long lo, hi;

	if (dots == NULL) {
		if (!parse_int(s, -1000000, 1000000, &lo))
			return 0;
		*first = lo;
		return 1;
	}
	if ((size_t)(dots - s) >= sizeof(a))
		return 0;
	memcpy(a, s, (size_t)(dots - s));
	a[dots - s] = '\0';
	if (!parse_int(a, -1000000, 1000000, &lo) ||
	    !parse_int(dots + 2, -1000000, 1000000, &hi))
		return 0;
	if (hi < lo)
		return -1;
	*first = lo;
	return (int)(hi - lo + 1);
}

int
parse_name_range(const char *s, char *prefix, size_t prefixlen, long *first)
{
	const char *dots = strstr(s, "..");
	const char *d;
	long lo, hi;

	if (dots == NULL) {
		snprintf(prefix, prefixlen, "%s", s);
		*first = -1;
		return 1;
	}
	d = dots;
	while (d > s && isdigit((unsigned char)d[-1]))
		d--;
	if (d == dots || d == s)
		return -1;
	if ((size_t)(d - s) >= prefixlen)
		return -1;
	memcpy(prefix, s, (size_t)(d - s));
	prefix[d - s] = '\0';
	{
		char a[32];
		if ((size_t)(dots - d) >= sizeof(a))
			return -1;
		memcpy(a, d, (size_t)(dots - d));
		a[dots - d] = '\0';
		if (!parse_int(a, 0, 100000, &lo) ||
		    !parse_int(dots + 2, 0, 100000, &hi) || hi < lo)
			return -1;
	}
	*first = lo;
	return (int)(hi - lo + 1);
}

bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

void
range_name(char *out, size_t len, const char *prefix, long first, int n)
{
	if (first < 0)
		snprintf(out, len, "%s", prefix);
	else
		snprintf(out, len, "%.200s%ld", prefix, first + n);
}

void
pending_add(struct pending_lines *pl, const char *key, const char *value,
    int line)
{
	if (pl->count == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 32;
		pl->items = xrealloc(pl->items, (size_t)pl->cap * sizeof(*pl->items));
	}
	pl->items[pl->count].key = xstrdup(key);
	pl->items[pl->count].value = xstrdup(value);
	pl->items[pl->count].line = line;
	pl->count++;
}

void
pending_free(struct pending_lines *pl)
{
	for (int i = 0; i < pl->count; i++) {
		free(pl->items[i].key);
		free(pl->items[i].value);
	}
	free(pl->items);
	pl->items = NULL;
	pl->count = pl->cap = 0;
}

FILE *
fopen_regular(const char *path)
{
	struct stat st;
	FILE *fp;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), err;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (fcntl(fd, F_SETFL, 0) < 0 || (fp = fdopen(fd, "r")) == NULL)
		goto fail;
	return fp;
fail:
	err = errno;
	close(fd);
	errno = err;
	return NULL;
}

bool
is_regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
