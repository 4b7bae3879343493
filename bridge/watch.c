#include <sys/inotify.h>

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "watch.h"

struct watch {
	struct loop *loop;
	int fd;
	int timer;
	void (*on_change)(void *ctx);
	void *ctx;
};

static void
settled(void *ctx)
{
	struct watch *w = ctx;

	w->timer = 0;
	w->on_change(w->ctx);
}

static void
on_readable(void *ctx, int fd, short revents)
{
	struct watch *w = ctx;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	bool relevant = false;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;
			if (ev->len && ends_with(ev->name, ".ini") &&
			    ev->name[0] != '.')
				relevant = true;
			if (ev->mask & IN_Q_OVERFLOW)
				relevant = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (!relevant)
		return;
	if (w->timer > 0)
		loop_cancel_timer(w->loop, w->timer);
	w->timer = loop_add_timer(w->loop, WATCH_SETTLE_NS, settled, w);
}

struct watch *
watch_new(struct loop *loop, char *const *dirs, int ndirs,
    void (*on_change)(void *ctx), void *ctx)
{
	static const char *const subs[] = { "profiles", "mappings/controllers",
	    "mappings/daws" };
	struct watch *w = xcalloc(1, sizeof(*w));
	int watched = 0;

	w->loop = loop;
	w->on_change = on_change;
	w->ctx = ctx;
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		log_warn("watch: inotify; edits apply on SIGHUP or 'ctlbridge "
		    "reload' only");
		free(w);
		return NULL;
	}
	for (int i = 0; i < ndirs; i++) {
		for (size_t j = 0; j < sizeof(subs) / sizeof(subs[0]); j++) {
			char path[PATH_MAX];
			snprintf(path, sizeof(path), "%s/%s", dirs[i], subs[j]);
			if (inotify_add_watch(w->fd, path, IN_CLOSE_WRITE |
			    IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE |
			    IN_ATTRIB) >= 0)
				watched++;
		}
	}
	if (watched == 0) {
		close(w->fd);
		free(w);
		return NULL;
	}
	loop_add_fd(loop, w->fd, POLLIN, on_readable, w);
	log_debug("watch: %d directories", watched);
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	if (w->timer > 0)
		loop_cancel_timer(w->loop, w->timer);
	loop_del_fd(w->loop, w->fd);
	close(w->fd);
	free(w);
}
