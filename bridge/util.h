/* Small helpers shared by the loaders: allocation, tokens, numbers. */
#ifndef CTLBRIDGE_UTIL_H
#define CTLBRIDGE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Allocation that cannot fail: configuration loading gives up on OOM. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TOKEN_MAX 32
#define TOKEN_LEN 256

/*
 * Split s at white space into at most TOKEN_MAX tokens.  Double quotes group
 * text with spaces ("Verse 1", label="Verse 1"); \" and \\ escape inside
 * them; the quotes are removed.  Returns the count, or -1 with *err set on
 * an unterminated quote or too many / too long tokens.
 */
int tokenize(const char *s, char tok[][TOKEN_LEN], int max, const char **err);

/* Strict number parsing: the whole string must be the number. */
bool parse_int(const char *s, long lo, long hi, long *out);
bool parse_double(const char *s, double *out);	/* accepts -inf / inf */

/*
 * "A..B" or "N".  Returns the count (B - A + 1) with *first = A, 0 if s is
 * not of that form, -1 if B < A.
 */
int parse_int_range(const char *s, long *first);

/*
 * A name with a trailing range, "fader1..8": prefix "fader", first 1,
 * count 8.  Returns the count, 1 for a plain name (prefix = whole name,
 * first = -1), -1 on a malformed range.
 */
int parse_name_range(const char *s, char *prefix, size_t prefixlen, long *first);

/* The n-th name of a range from parse_name_range(): "fader" 1 2 -> "fader3". */
void range_name(char *out, size_t len, const char *prefix, long first, int n);

/* Key lines kept for later, when they depend on keys that may come after
 * them in the file (a profile's controller, a controller's channel). */
struct pending_line {
	char *key, *value;
	int line;
};
struct pending_lines {
	struct pending_line *items;
	int count, cap;
};
void pending_add(struct pending_lines *pl, const char *key, const char *value,
    int line);
void pending_free(struct pending_lines *pl);

bool ends_with(const char *s, const char *suffix);

/* Open a regular file for reading, never blocking: a FIFO or a device
 * named *.ini would stop the one thread MIDI runs on.  NULL with errno
 * set (EINVAL for what is not a regular file). */
FILE *fopen_regular(const char *path);
bool is_regular_file(const char *path);

#endif
