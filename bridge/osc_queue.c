#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>

#include "osc_queue.h"

/* Mapped, not malloc'd: the pages of a queue no flood ever fills are
 * never touched, so they cost no memory. */
int
osc_queue_init(struct osc_queue *q, int entries, size_t bytes)
{
	size_t size = (size_t)entries * sizeof(*q->e) + bytes;
	void *p;

	memset(q, 0, sizeof(*q));
	if (entries <= 0 || (p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		return -1;
	q->e = p;
	q->bytes = (char *)p + (size_t)entries * sizeof(*q->e);
	q->cap = entries;
	q->bytes_cap = bytes;
	return 0;
}

void
osc_queue_free(struct osc_queue *q)
{
	if (q->e)
		munmap(q->e, (size_t)q->cap * sizeof(*q->e) + q->bytes_cap);
	memset(q, 0, sizeof(*q));
}

static struct osc_queued *
entry(const struct osc_queue *q, int i)
{
	return &q->e[(q->head + i) % q->cap];
}

const char *
osc_queue_at(const struct osc_queue *q, int i, size_t *len)
{
	const struct osc_queued *e = entry(q, i);

	*len = e->len;
	return q->bytes + e->off;
}

void
osc_queue_pop(struct osc_queue *q, int k)
{
	if (k > q->n)
		k = q->n;
	q->head = (q->head + k) % q->cap;
	q->n -= k;
	if (q->n == 0) {
		q->head = 0;
		q->used = 0;
	}
}

/* The datagrams moved to the front of bytes, in order: the room the
 * ones sent left behind them is at the end again. */
static void
compact(struct osc_queue *q)
{
	size_t to = 0;

	for (int i = 0; i < q->n; i++) {
		struct osc_queued *e = entry(q, i);
		if (e->off != to)
			memmove(q->bytes + to, q->bytes + e->off, e->len);
		e->off = (uint32_t)to;
		to += e->len;
	}
	q->used = to;
}

/* The newest value queued for buf's address and arguments but the
 * value, that nothing else for its OSC address follows; NULL if none. */
static struct osc_queued *
mergeable(const struct osc_queue *q, const char *buf, size_t len,
    size_t value_at, size_t value_len)
{
	size_t end = value_at + value_len;

	for (int i = q->n - 1; i >= 0; i--) {
		struct osc_queued *e = entry(q, i);
		const char *old = q->bytes + e->off;
		if (strcmp(old, buf) != 0)
			continue;		/* another OSC address */
		if (e->value_len == 0)
			return NULL;		/* a press: nothing overtakes it */
		if (e->len == len && e->value_at == value_at &&
		    e->value_len == value_len &&
		    memcmp(old, buf, value_at) == 0 &&
		    memcmp(old + end, buf + end, len - end) == 0)
			return e;
		/* the same address with other arguments (another track):
		 * its own value, look further back */
	}
	return NULL;
}

enum osc_queue_put
osc_queue_put(struct osc_queue *q, const char *buf, size_t len,
    size_t value_at, size_t value_len)
{
	struct osc_queued *e;

	if (value_len > 0 && (value_at + value_len > len || value_len > 8 ||
	    memchr(buf, '\0', len) == NULL || value_at > UINT16_MAX))
		value_len = 0;		/* not a value we can find again */
	if (value_len > 0 &&
	    (e = mergeable(q, buf, len, value_at, value_len)) != NULL) {
		memcpy(q->bytes + e->off + value_at, buf + value_at, value_len);
		return OSC_MERGED;
	}
	if (q->n == q->cap || len > q->bytes_cap || len > UINT16_MAX)
		return OSC_FULL;
	if (q->bytes_cap - q->used < len)
		compact(q);
	if (q->bytes_cap - q->used < len)
		return OSC_FULL;
	e = entry(q, q->n++);
	e->off = (uint32_t)q->used;
	e->len = (uint16_t)len;
	e->value_at = (uint16_t)(value_len ? value_at : 0);
	e->value_len = (uint8_t)value_len;
	memcpy(q->bytes + q->used, buf, len);
	q->used += len;
	return OSC_QUEUED;
}

/* The size of an OSC string at p (with its NUL, padded to 4), 0 if it
 * does not end before end. */
static size_t
string_size(const char *p, const char *end)
{
	const char *nul = memchr(p, '\0', (size_t)(end - p));

	return nul ? ((size_t)(nul - p) + 4) & ~(size_t)3 : 0;
}

bool
osc_arg_span(const char *buf, size_t len, int arg, size_t *at, size_t *size)
{
	const char *end = buf + len, *types, *p;
	size_t n;

	if ((n = string_size(buf, end)) == 0 || n >= len)
		return false;
	types = buf + n;
	if (*types != ',' || (n = string_size(types, end)) == 0)
		return false;
	p = types + n;
	for (int i = 1; types[i] != '\0'; i++) {
		size_t s;
		switch (types[i]) {
		case 'i': case 'f': case 'c': case 'r': case 'm': s = 4; break;
		case 'h': case 'd': case 't': s = 8; break;
		case 's': case 'S':
			if (p >= end || (s = string_size(p, end)) == 0)
				return false;
			break;
		case 'T': case 'F': case 'N': case 'I': s = 0; break;
		default: return false;	/* a blob: ours never have one */
		}
		if (p + s > end)
			return false;
		if (i - 1 == arg) {
			if (strchr("ifhd", types[i]) == NULL)
				return false;
			*at = (size_t)(p - buf);
			*size = s;
			return true;
		}
		p += s;
	}
	return false;
}
