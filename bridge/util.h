/* Small helpers shared by the loaders: allocation, tokens, numbers. */
#ifndef CTLBRIDGE_UTIL_H
#define CTLBRIDGE_UTIL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>	/* before free becomes xfree below */

/*
 * Allocation that does not return NULL.  Outside a load it ends the
 * program when memory runs out.  Inside an alloc_scope (config_load: a
 * reload must keep the running set when memory runs out) it jumps back to
 * the scope's setjmp instead, where everything the x* functions handed out
 * since the scope began and not freed yet is freed (alloc_scope_unwind).
 * For that, what is freed must be known: util.h makes free() xfree(),
 * which forgets a block before freeing it.
 */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xfree(void *p);
#define free(p) xfree(p)
/* calloc that may return NULL (the caller copes), and is counted by the
 * test hook below like the x* functions: for what a reload allocates
 * after its load (engine states, target values). */
void *try_calloc(size_t n, size_t size);

struct alloc_scope {
	jmp_buf jump;		/* the scope's setjmp: memory ran out */
	jmp_buf *target;	/* where running out lands now: jump, or a
				 * shield around a library's callback */
	void **live;		/* hash set of the blocks handed out */
	size_t cap, n, used;	/* slots, blocks, blocks + tombstones */
	bool failed;
	struct { void *p; void (*release)(void *); } held[4];
	int nheld;
};
/*
 *	struct alloc_scope sc;
 *	if (setjmp(sc.jump) != 0) { alloc_scope_unwind(&sc); ...; return NULL; }
 *	alloc_scope_begin(&sc);
 *	... x* calls, directly or deep down ...
 *	alloc_scope_end(&sc);		(what was handed out is the caller's)
 * Scopes do not nest.
 */
void alloc_scope_begin(struct alloc_scope *sc);
void alloc_scope_end(struct alloc_scope *sc);
void alloc_scope_unwind(struct alloc_scope *sc);
/* A resource to release if the scope unwinds while it is open (a DIR);
 * alloc_let_go before releasing it normally. */
void alloc_hold(void *p, void (*release)(void *));
void alloc_let_go(void *p);
/*
 * Around a callback from a library that keeps memory of its own on the
 * stack between (inih): a jump must not skip the library's frames.  The
 * shield catches it (shield returns the previous target, NULL outside a
 * scope; after a caught jump, alloc_failed() is true and the callback
 * returns at once; every later one must be skipped); once the library
 * has returned and freed its memory, alloc_check() jumps on.
 */
jmp_buf *alloc_shield(jmp_buf *jb);
void alloc_unshield(jmp_buf *prev);
bool alloc_failed(void);
void alloc_check(void);

/* Test hook: the n-th x* or try_calloc allocation from now fails as if
 * memory ran out (0: none); returns how many were made since the last
 * call. */
long alloc_fail_at(long n);

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
/* The DIR of -c is a directory: 0, or -1 said ("-c DIR: No such file or
 * directory"), where each subcommand would say it in words of its own
 * ("DIR/profiles: no profiles found"). */
int confdir_check(const char *dir);

/* Open a regular file for reading, never blocking: a FIFO or a device
 * named *.ini would stop the one thread MIDI runs on.  NULL with errno
 * set (EINVAL for what is not a regular file). */
FILE *fopen_regular(const char *path);
bool is_regular_file(const char *path);

/* The first byte of s that is not part of valid UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF included), NULL if none. */
const char *utf8_invalid(const char *s);

/* The calling thread realtime: SCHED_FIFO at prio, not handed on to the
 * threads and processes it starts.  0, or -1 with the reason in why. */
int realtime_thread(int prio, char *why, size_t len);

#endif
