#include <sys/resource.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* ---- allocation, and the scope a load runs in ---- */

static struct alloc_scope *scope;	/* the one open, or NULL */
static long fail_at, made;		/* the test hook */

#undef free

long
alloc_fail_at(long n)
{
	long m = made;

	fail_at = n;
	made = 0;
	return m;
}

/* The test hook says this allocation fails. */
static bool
fails_now(void)
{
	return ++made == fail_at;
}

static size_t
slot_of(const void *p, size_t cap)
{
	uintptr_t h = (uintptr_t)p;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15u;
	return (size_t)(h >> 7) & (cap - 1);
}

#define TOMBSTONE ((void *)1)

/* Room for one more block in the set; false when there is none. */
static bool
scope_room(struct alloc_scope *sc)
{
	void **old = sc->live;
	size_t oldcap = sc->cap, cap = oldcap ? oldcap : 256;

	if ((sc->used + 1) * 2 <= oldcap)
		return true;
	while ((sc->n + 1) * 2 > cap)
		cap *= 2;
	/* not counted by the test hook: when the set grows depends on where
	 * blocks lie (tombstones), which would make the count wander */
	if ((sc->live = calloc(cap, sizeof(void *))) == NULL) {
		sc->live = old;
		return false;
	}
	sc->cap = cap;
	sc->used = sc->n;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i] != NULL && old[i] != TOMBSTONE) {
			size_t j = slot_of(old[i], cap);
			while (sc->live[j] != NULL)
				j = (j + 1) & (cap - 1);
			sc->live[j] = old[i];
		}
	free(old);
	return true;
}

static void
scope_forget(struct alloc_scope *sc, void *p)
{
	size_t j;

	if (sc->cap == 0)
		return;
	for (j = slot_of(p, sc->cap); sc->live[j] != NULL;
	    j = (j + 1) & (sc->cap - 1))
		if (sc->live[j] == p) {
			sc->live[j] = TOMBSTONE;
			sc->n--;
			return;
		}
}

/* Memory ran out: inside a scope, jump; else the end. */
static void out_of_memory(void) __attribute__((noreturn));

static void
out_of_memory(void)
{
	if (scope != NULL) {
		scope->failed = true;
		longjmp(*scope->target, 1);
	}
	fatalx("out of memory");
}

/* p, just allocated (NULL: it failed), into the open scope's set. */
static void *
handed_out(void *p)
{
	size_t j;

	if (p == NULL)
		out_of_memory();
	if (scope == NULL)
		return p;
	if (!scope_room(scope)) {
		free(p);
		out_of_memory();
	}
	for (j = slot_of(p, scope->cap); scope->live[j] != NULL &&
	    scope->live[j] != TOMBSTONE; j = (j + 1) & (scope->cap - 1))
		;
	if (scope->live[j] == NULL)
		scope->used++;
	scope->live[j] = p;
	scope->n++;
	return p;
}

void *
xmalloc(size_t n)
{
	return handed_out(fails_now() ? NULL : malloc(n ? n : 1));
}

void *
xcalloc(size_t n, size_t size)
{
	return handed_out(fails_now() ? NULL :
	    calloc(n ? n : 1, size ? size : 1));
}

void *
xrealloc(void *p, size_t n)
{
	void *q;

	if (fails_now())
		out_of_memory();	/* p is still there, and still known */
	if (scope != NULL && p != NULL)
		scope_forget(scope, p);
	if ((q = realloc(p, n ? n : 1)) == NULL) {
		if (p != NULL)
			handed_out(p);	/* still there: known again */
		out_of_memory();
	}
	return handed_out(q);
}

char *
xstrdup(const char *s)
{
	return handed_out(fails_now() ? NULL : strdup(s ? s : ""));
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = fails_now() ? -1 : vasprintf(&s, fmt, ap);
	va_end(ap);
	return handed_out(n < 0 ? NULL : s);
}

void
xfree(void *p)
{
	if (scope != NULL && p != NULL)
		scope_forget(scope, p);
	free(p);
}

void *
try_calloc(size_t n, size_t size)
{
	return fails_now() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void
alloc_scope_begin(struct alloc_scope *sc)
{
	sc->target = &sc->jump;
	sc->live = NULL;
	sc->cap = sc->n = sc->used = 0;
	sc->failed = false;
	sc->nheld = 0;
	scope = sc;
}

void
alloc_scope_end(struct alloc_scope *sc)
{
	free(sc->live);
	sc->live = NULL;
	sc->cap = sc->n = sc->used = 0;
	scope = NULL;
}

void
alloc_scope_unwind(struct alloc_scope *sc)
{
	scope = NULL;
	while (sc->nheld > 0) {
		sc->nheld--;
		sc->held[sc->nheld].release(sc->held[sc->nheld].p);
	}
	for (size_t i = 0; i < sc->cap; i++)
		if (sc->live[i] != NULL && sc->live[i] != TOMBSTONE)
			free(sc->live[i]);
	alloc_scope_end(sc);
}

void
alloc_hold(void *p, void (*release)(void *))
{
	if (scope == NULL)
		return;
	if (scope->nheld == (int)(sizeof(scope->held) / sizeof(scope->held[0])))
		fatalx("alloc_hold: too many");
	scope->held[scope->nheld].p = p;
	scope->held[scope->nheld].release = release;
	scope->nheld++;
}

void
alloc_let_go(void *p)
{
	if (scope == NULL)
		return;
	for (int i = scope->nheld - 1; i >= 0; i--)
		if (scope->held[i].p == p) {
			scope->held[i] = scope->held[--scope->nheld];
			return;
		}
}

jmp_buf *
alloc_shield(jmp_buf *jb)
{
	jmp_buf *prev;

	if (scope == NULL)
		return NULL;
	prev = scope->target;
	scope->target = jb;
	return prev;
}

void
alloc_unshield(jmp_buf *prev)
{
	if (scope != NULL && prev != NULL)
		scope->target = prev;
}

bool
alloc_failed(void)
{
	return scope != NULL && scope->failed;
}

void
alloc_check(void)
{
	/* the innermost target: another library's frames may lie between
	 * here and the scope's start */
	if (alloc_failed())
		longjmp(*scope->target, 1);
}

#define free(p) xfree(p)

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

const char *
utf8_invalid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned c = *s;
		int more;
		unsigned cp, min;

		if (c < 0x80) {
			s++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			more = 1, cp = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			more = 2, cp = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			more = 3, cp = c & 0x07, min = 0x10000;
		else
			return (const char *)s;
		for (int i = 1; i <= more; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return (const char *)s;
			cp = cp << 6 | (s[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return (const char *)s;
		s += more + 1;
	}
	return NULL;
}

int
realtime_thread(int prio, char *why, size_t len)
{
	struct sched_param sp = { .sched_priority = prio };
	struct rlimit rl;
	int err;

	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0)
		return 0;
	err = errno;
	if (err == EPERM && getrlimit(RLIMIT_RTPRIO, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)prio)
		snprintf(why, len, "the realtime priority limit (ulimit -r) is "
		    "%llu; raise it to %d or more (a member of the audio group, "
		    "as for JACK)", (unsigned long long)rl.rlim_cur, prio);
	else
		snprintf(why, len, "%s", strerror(err));
	return -1;
}

int
confdir_check(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		log_errx("-c %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_errx("-c %s: not a directory", dir);
		return -1;
	}
	return 0;
}
