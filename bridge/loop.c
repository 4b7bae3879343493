#include <sys/epoll.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

struct loop_fd {
	int fd;
	short events;
	bool always;		/* a regular file, which epoll refuses: ready
				 * every round, as poll(2) would say */
	loop_fd_fn fn;
	void *ctx;
};

#define LOOP_EVENTS 32		/* per epoll_wait; the rest the next round */

struct loop_timer {
	int id;
	uint64_t due_ns;
	loop_timer_fn fn;
	void *ctx;
};

struct loop {
	int epfd;
	struct loop_fd *fds;
	int nfds, capfds;
	int nalways;
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

	if (l == NULL)
		return NULL;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		free(l);
		return NULL;
	}
	l->next_id = 1;
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	free(l->fds);
	free(l->timers);
	free(l);
}

/* fd into the epoll set (op ADD or MOD), edge-triggered when asked;
 * a regular file cannot be: it is marked always ready. */
static int
watch_fd(struct loop *l, struct loop_fd *f, int op, bool edge)
{
	struct epoll_event ev = { .events = (uint32_t)f->events |
	    (edge ? EPOLLET : 0), .data.fd = f->fd };

	f->always = false;
	if (epoll_ctl(l->epfd, op, f->fd, &ev) == 0)
		return 0;
	if (errno == EPERM) {
		f->always = true;
		return 0;
	}
	return -1;
}

static int
add_fd(struct loop *l, int fd, short events, bool edge, loop_fd_fn fn,
    void *ctx)
{
	struct loop_fd *f;

	for (int i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd == fd) {
			bool was_always;
			f = &l->fds[i];
			was_always = f->always;
			l->nalways -= was_always;
			*f = (struct loop_fd){ fd, events, false, fn, ctx };
			if (watch_fd(l, f, was_always ? EPOLL_CTL_ADD :
			    EPOLL_CTL_MOD, edge) < 0)
				return -1;
			l->nalways += f->always;
			l->fds_changed = true;
			return 0;
		}
	}
	if (l->nfds == l->capfds) {
		int cap = l->capfds ? l->capfds * 2 : 16;
		struct loop_fd *n = realloc(l->fds, (size_t)cap * sizeof(*n));
		if (n == NULL)
			return -1;
		l->fds = n;
		l->capfds = cap;
	}
	f = &l->fds[l->nfds];
	*f = (struct loop_fd){ fd, events, false, fn, ctx };
	if (watch_fd(l, f, EPOLL_CTL_ADD, edge) < 0)
		return -1;
	l->nalways += f->always;
	l->nfds++;
	l->fds_changed = true;
	return 0;
}

int
loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *ctx)
{
	return add_fd(l, fd, events, false, fn, ctx);
}

int
loop_add_wake_fd(struct loop *l, int fd, loop_fd_fn fn, void *ctx)
{
	return add_fd(l, fd, POLLIN, true, fn, ctx);
}

void
loop_del_fd(struct loop *l, int fd)
{
	for (int i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd == fd) {
			if (l->fds[i].always)
				l->nalways--;
			else
				(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
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

/* A callback may have removed or replaced an fd: dispatch by number. */
static void
dispatch(struct loop *l, int fd, short revents)
{
	for (int j = 0; j < l->nfds; j++) {
		if (l->fds[j].fd == fd) {
			struct loop_fd f = l->fds[j];
			f.fn(f.ctx, fd, revents);
			return;
		}
	}
}

int
loop_run_once(struct loop *l, int max_wait_ms)
{
	struct epoll_event evs[LOOP_EVENTS];
	int timeout = max_wait_ms, n;
	uint64_t now = l->ntimers ? now_ns() : 0;

	for (int i = 0; i < l->ntimers; i++) {
		uint64_t due = l->timers[i].due_ns;
		int ms = due <= now ? 0 : (int)((due - now + 999999) / 1000000);
		if (timeout < 0 || ms < timeout)
			timeout = ms;
	}
	if (l->nalways > 0)
		timeout = 0;
	n = epoll_wait(l->epfd, evs, LOOP_EVENTS, timeout);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		log_warn("epoll_wait");
		return -1;
	}
	l->fds_changed = false;
	for (int i = 0; i < n && !l->stop; i++)
		dispatch(l, evs[i].data.fd, (short)evs[i].events);
	if (l->nalways > 0) {
		int always[16], k = 0;
		for (int i = 0; i < l->nfds && k < 16; i++)
			if (l->fds[i].always)
				always[k++] = l->fds[i].fd;
		for (int i = 0; i < k && !l->stop; i++)
			dispatch(l, always[i], POLLIN);
	}
	if (l->ntimers)
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
