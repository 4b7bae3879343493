/*
 * inotify on the configuration directories.  A directory of the search
 * path that does not exist yet (a user's ~/.config/ctlbridge/profiles,
 * made after the bridge started) is waited for: its nearest existing
 * ancestor is watched for new directories, and when one appears (or a
 * watched one goes) the watches are laid again and a reload is asked for,
 * since a directory copied in whole brings its files with it.  A file
 * there that is a symbolic link (into a dotfiles repository, say) is
 * edited where it points: that directory is watched too, for that name.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
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

/* what the configuration files' directories are watched for */
#define FILE_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
    IN_DELETE | IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
/* and an ancestor of one that does not exist yet, for new directories */
#define DIR_EVENTS (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DELETE_SELF | \
    IN_MOVE_SELF)

struct watch {
	struct loop *loop;
	int fd;
	int timer;
	void (*on_change)(void *ctx);
	void *ctx;
	char **wanted;		/* DIR/profiles, DIR/mappings/... */
	int nwanted;
	int *file_wd;		/* per wanted: its watch, -1 while absent */
	int watched;		/* wanted directories that exist */
	/* per symbolic link of theirs: the watch on the directory it points
	 * into, and the file's name there */
	struct link_target { int wd; char *name; } *links;
	int nlinks, links_cap;
};

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Lay the watches: each wanted directory that exists, and for each that
 * does not, the nearest ancestor that does.  inotify_add_watch on a path
 * already watched returns the same descriptor, so this is idempotent;
 * IN_MASK_ADD keeps the events another wanted path asked for. */
static void
lay_watches(struct watch *w)
{
	w->watched = 0;
	for (int i = 0; i < w->nwanted; i++) {
		char path[PATH_MAX];
		char *slash;
		size_t below = 0;	/* length of the ancestor watched */

		w->file_wd[i] = -1;
		/* again while what is below the ancestor appeared between
		 * looking for it and watching the ancestor (mkdir -p) */
		for (int tries = 0; tries < 8; tries++) {
			if (is_dir(w->wanted[i])) {
				w->file_wd[i] = inotify_add_watch(w->fd,
				    w->wanted[i], FILE_EVENTS | IN_MASK_ADD);
				break;
			}
			snprintf(path, sizeof(path), "%s", w->wanted[i]);
			while ((slash = strrchr(path, '/')) != NULL) {
				*slash = '\0';
				if (*path == '\0' || is_dir(path))
					break;
			}
			below = strlen(path);
			if (inotify_add_watch(w->fd, below ? path : "/",
			    DIR_EVENTS | IN_MASK_ADD) < 0) {
				log_debug("watch: %s: %s", path, strerror(errno));
				break;
			}
			/* the next directory down still missing: done */
			snprintf(path, sizeof(path), "%s", w->wanted[i]);
			if ((slash = strchr(path + below + 1, '/')) != NULL)
				*slash = '\0';
			if (!is_dir(path))
				break;
		}
		if (w->file_wd[i] >= 0)
			w->watched++;
	}
}

/* The *.ini files of the wanted directories that are symbolic links:
 * the directory each points into watched for its name.  Laid again with
 * every reload, as links come and go; a watch no longer needed stays
 * (inotify shares one per directory with the others) and is ignored. */
static void
follow_links(struct watch *w)
{
	for (int i = 0; i < w->nlinks; i++)
		free(w->links[i].name);
	w->nlinks = 0;
	for (int i = 0; i < w->nwanted; i++) {
		DIR *d;
		struct dirent *de;

		if (w->file_wd[i] < 0 || (d = opendir(w->wanted[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			char path[PATH_MAX], target[PATH_MAX], *slash;
			struct stat st;
			int wd;

			if (de->d_name[0] == '.' || !ends_with(de->d_name, ".ini"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", w->wanted[i],
			    de->d_name);
			if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode) ||
			    realpath(path, target) == NULL ||
			    (slash = strrchr(target, '/')) == NULL)
				continue;	/* not a link, or one to nothing */
			*slash = '\0';
			wd = inotify_add_watch(w->fd, *target ? target : "/",
			    FILE_EVENTS | IN_MASK_ADD);
			if (wd < 0) {
				log_debug("watch: %s: %s", target, strerror(errno));
				continue;
			}
			if (w->nlinks == w->links_cap) {
				w->links_cap = w->links_cap ? 2 * w->links_cap : 8;
				w->links = xrealloc(w->links, (size_t)w->links_cap *
				    sizeof(*w->links));
			}
			w->links[w->nlinks].wd = wd;
			w->links[w->nlinks++].name = xstrdup(slash + 1);
		}
		closedir(d);
	}
}

static bool
is_link_target(const struct watch *w, const struct inotify_event *ev)
{
	for (int i = 0; i < w->nlinks; i++)
		if (w->links[i].wd == ev->wd && ev->len &&
		    strcmp(w->links[i].name, ev->name) == 0)
			return true;
	return false;
}

static void
settled(void *ctx)
{
	struct watch *w = ctx;

	w->timer = 0;
	follow_links(w);
	w->on_change(w->ctx);
}

static bool
is_file_wd(const struct watch *w, int wd)
{
	for (int i = 0; i < w->nwanted; i++)
		if (w->file_wd[i] == wd)
			return true;
	return false;
}

static void
on_readable(void *ctx, int fd, short revents)
{
	struct watch *w = ctx;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	bool relevant = false, relay = false;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				relevant = relay = true;
			else if (ev->mask & (IN_IGNORED | IN_DELETE_SELF |
			    IN_MOVE_SELF))
				relevant = relay = true;	/* a directory went */
			else if (is_link_target(w, ev))
				relevant = true;
			else if (!is_file_wd(w, ev->wd)) {
				/* an ancestor: a new directory may be ours */
				if (ev->mask & IN_ISDIR)
					relevant = relay = true;
			} else if (ev->len && ends_with(ev->name, ".ini") &&
			    ev->name[0] != '.')
				relevant = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (relay) {
		int before = w->watched;
		lay_watches(w);
		if (w->watched != before)
			log_info("watch: %d of %d configuration directories "
			    "there now", w->watched, w->nwanted);
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
	const int nsubs = (int)(sizeof(subs) / sizeof(subs[0]));
	struct watch *w = xcalloc(1, sizeof(*w));

	w->loop = loop;
	w->on_change = on_change;
	w->ctx = ctx;
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		log_warn("watch: inotify; edits apply on SIGHUP or 'ctlbridge "
		    "reload' only");
		free(w);
		return NULL;
	}
	w->wanted = xcalloc((size_t)(ndirs * nsubs + 1), sizeof(char *));
	w->file_wd = xcalloc((size_t)(ndirs * nsubs + 1), sizeof(int));
	for (int i = 0; i < ndirs; i++)
		for (int j = 0; j < nsubs; j++) {
			char path[PATH_MAX];
			/* absolute, so that an ancestor can always be found */
			if (dirs[i][0] == '/' || getcwd(path, sizeof(path)) == NULL)
				snprintf(path, sizeof(path), "%s/%s", dirs[i],
				    subs[j]);
			else {
				size_t len = strlen(path);
				snprintf(path + len, sizeof(path) - len, "/%s/%s",
				    dirs[i], subs[j]);
			}
			w->wanted[w->nwanted++] = xstrdup(path);
		}
	lay_watches(w);
	follow_links(w);
	loop_add_fd(loop, w->fd, POLLIN, on_readable, w);
	log_debug("watch: %d of %d configuration directories there",
	    w->watched, w->nwanted);
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
	for (int i = 0; i < w->nwanted; i++)
		free(w->wanted[i]);
	for (int i = 0; i < w->nlinks; i++)
		free(w->links[i].name);
	free(w->links);
	free(w->wanted);
	free(w->file_wd);
	free(w);
}
