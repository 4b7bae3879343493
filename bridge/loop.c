#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"

struct loop_fd {
	int fd;
	short events;
	loop_fd_fn fn;
	void *ctx;
};

struct loop_timer {
	int id;
	uint64_t due_ns;
	loop_timer_fn fn;
	void *ctx;
};

struct loop {
	struct loop_fd *fds;
	int nfds, capfds;
	struct pollfd *pfds;
	struct loop_timer *timers;
	int ntimers, captimers;
	int next_id;
	bool stop;
	bool fds_changed;
};

struct loop *
loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (l)
		l->next_id = 1;
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	free(l->fds);
	free(l->pfds);
	free(l->timers);
	free(l);
}

int
loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *ctx)
{
	for (int i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd == fd) {
			l->fds[i] = (struct loop_fd){ fd, events, fn, ctx };
			l->fds_changed = true;
			return 0;
		}
	}
	if (l->nfds == l->capfds) {
		int cap = l->capfds ? l->capfds * 2 : 16;
		struct loop_fd *f = realloc(l->fds, (size_t)cap * sizeof(*f));
		struct pollfd *p;
		if (f == NULL)
			return -1;
		l->fds = f;
		if ((p = realloc(l->pfds, (size_t)cap * sizeof(*p))) == NULL)
			return -1;
		l->pfds = p;
		l->capfds = cap;
	}
	l->fds[l->nfds++] = (struct loop_fd){ fd, events, fn, ctx };
	l->fds_changed = true;
	return 0;
}

void
loop_del_fd(struct loop *l, int fd)
{
	for (int i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd == fd) {
			l->fds[i] = l->fds[--l->nfds];
			l->fds_changed = true;
			return;
		}
	}
}

int
loop_add_timer(struct loop *l, uint64_t delay_ns, loop_timer_fn fn, void *ctx)
{
	if (l->ntimers == l->captimers) {
		int cap = l->captimers ? l->captimers * 2 : 8;
		struct loop_timer *t = realloc(l->timers, (size_t)cap * sizeof(*t));
		if (t == NULL)
			return -1;
		l->timers = t;
		l->captimers = cap;
	}
	l->timers[l->ntimers++] = (struct loop_timer){ l->next_id,
	    now_ns() + delay_ns, fn, ctx };
	return l->next_id++;
}

void
loop_cancel_timer(struct loop *l, int id)
{
	for (int i = 0; i < l->ntimers; i++) {
		if (l->timers[i].id == id) {
			l->timers[i] = l->timers[--l->ntimers];
			return;
		}
	}
}

static void
run_timers(struct loop *l)
{
	uint64_t now = now_ns();

	for (int i = 0; i < l->ntimers;) {
		if (l->timers[i].due_ns <= now) {
			struct loop_timer t = l->timers[i];
			l->timers[i] = l->timers[--l->ntimers];
			t.fn(t.ctx);	/* may add or cancel timers */
			i = 0;
			continue;
		}
		i++;
	}
}

int
loop_run_once(struct loop *l, int max_wait_ms)
{
	int timeout = max_wait_ms, n, count;
	uint64_t now = now_ns();

	for (int i = 0; i < l->ntimers; i++) {
		uint64_t due = l->timers[i].due_ns;
		int ms = due <= now ? 0 : (int)((due - now + 999999) / 1000000);
		if (timeout < 0 || ms < timeout)
			timeout = ms;
	}
	count = l->nfds;
	for (int i = 0; i < count; i++) {
		l->pfds[i].fd = l->fds[i].fd;
		l->pfds[i].events = l->fds[i].events;
		l->pfds[i].revents = 0;
	}
	n = poll(l->pfds, (nfds_t)count, timeout);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		log_warn("poll");
		return -1;
	}
	l->fds_changed = false;
	for (int i = 0; i < count && n > 0 && !l->stop; i++) {
		struct pollfd *p = &l->pfds[i];
		if (p->revents == 0)
			continue;
		n--;
		/* a callback may have removed or replaced this fd */
		for (int j = 0; j < l->nfds; j++) {
			if (l->fds[j].fd == p->fd) {
				struct loop_fd f = l->fds[j];
				f.fn(f.ctx, p->fd, p->revents);
				break;
			}
		}
	}
	run_timers(l);
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = true;
}

void
loop_run(struct loop *l)
{
	while (!l->stop)
		if (loop_run_once(l, -1) < 0)
			break;
}
