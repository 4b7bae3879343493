#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "raw_midi.h"
#include "util.h"

#define RAW_CHUNK 4096
#define RAW_REOPEN_NS 1000000000ull
#define RAW_SETTLE_NS 2000000000ull	/* open this long: "open again" */

struct raw_midi {
	struct loop *loop;
	char *path;
	struct input_sink sink;
	struct midi_decoder dec;
	int fd;
	bool is_device;		/* reopen when it goes away */
	bool is_stdin;
	bool writable;		/* feedback can be written back */
	struct ratelimit write_warn;
	int reopen_timer;
	int settle_timer;	/* reopened: said when it stays open */
	bool gone_logged;	/* the loss was said; its return not yet */
};

static void raw_try_open(void *ctx);

static void
midi_warning(void *ctx, const char *msg)
{
	struct raw_midi *r = ctx;

	log_warnx("raw %s: %s", r->path, msg);
}

static void
forward(void *ctx, const struct midi_event *ev)
{
	struct raw_midi *r = ctx;

	r->sink.on_event(r->sink.ctx, ev);
}

static void
close_fd(struct raw_midi *r)
{
	if (r->fd >= 0) {
		loop_del_fd(r->loop, r->fd);
		if (!r->is_stdin)
			close(r->fd);
	}
	r->fd = -1;
	r->writable = false;
}

/* Said once the device is back for good: it stayed open a while or sent
 * something.  One that opens and fails at once (/dev/null, a pty without
 * its master) stays one condition, said once, not once a retry. */
static void
back_again(struct raw_midi *r)
{
	if (r->settle_timer > 0)
		loop_cancel_timer(r->loop, r->settle_timer);
	r->settle_timer = 0;
	if (r->gone_logged)
		log_info("raw %s: open again", r->path);
	r->gone_logged = false;
}

static void
settled(void *ctx)
{
	struct raw_midi *r = ctx;

	r->settle_timer = 0;
	back_again(r);
}

static void
lost(struct raw_midi *r, int err)
{
	close_fd(r);
	midi_decoder_reset(&r->dec);
	if (r->is_device) {
		if (r->settle_timer > 0)
			loop_cancel_timer(r->loop, r->settle_timer);
		r->settle_timer = 0;
		if (!r->gone_logged)
			log_warnx("raw %s: %s; reopening when it returns",
			    r->path, err ? strerror(err) : "closed");
		r->gone_logged = true;
		r->reopen_timer = loop_add_timer(r->loop, RAW_REOPEN_NS,
		    raw_try_open, r);
		return;
	}
	if (err)
		log_warnx("raw %s: %s", r->path, strerror(err));
	else
		log_debug("raw %s: end of input", r->path);
	if (r->sink.on_finished)
		r->sink.on_finished(r->sink.ctx, err);
}

static void
on_readable(void *ctx, int fd, short revents)
{
	struct raw_midi *r = ctx;
	uint8_t buf[RAW_CHUNK];
	ssize_t n;

	n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		if (r->gone_logged)
			back_again(r);
		midi_decoder_feed(&r->dec, buf, (size_t)n, now_ns());
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	lost(r, n < 0 ? errno : 0);
}

static void
raw_connected(void *ctx)
{
	struct raw_midi *r = ctx;

	if (r->fd >= 0)
		r->sink.on_connected(r->sink.ctx);
}

static int
open_fd(struct raw_midi *r)
{
	struct stat st;
	int fd;

	/* a device (serial line, rawmidi) is opened both ways: feedback goes
	 * back down the same line */
	if (r->is_stdin)
		fd = STDIN_FILENO;
	else if (stat(r->path, &st) == 0 && S_ISCHR(st.st_mode) &&
	    (fd = open(r->path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) >= 0)
		r->writable = true;
	else if ((fd = open(r->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && !r->is_stdin)
		r->is_device = true;
	/* a serial line: bytes as they come, no line editing or translation
	 * (the speed is left as set, e.g. by stty) */
	if (isatty(fd) && !r->is_stdin) {
		struct termios t;
		if (tcgetattr(fd, &t) == 0) {
			cfmakeraw(&t);
			if (tcsetattr(fd, TCSANOW, &t) < 0)
				log_warn("raw %s: cannot set raw mode", r->path);
		}
	}
	/* a regular file always polls readable: read it in chunks per round */
	r->fd = fd;
	if (loop_add_fd(r->loop, fd, POLLIN, on_readable, r) < 0) {
		close_fd(r);
		errno = ENOMEM;
		return -1;
	}
	/* on the next round: the caller may still be setting up */
	if (r->writable && r->sink.on_connected)
		loop_add_timer(r->loop, 0, raw_connected, r);
	return 0;
}

static void
raw_try_open(void *ctx)
{
	struct raw_midi *r = ctx;

	r->reopen_timer = 0;
	if (open_fd(r) == 0) {
		if (r->gone_logged)
			r->settle_timer = loop_add_timer(r->loop, RAW_SETTLE_NS,
			    settled, r);
		return;
	}
	r->reopen_timer = loop_add_timer(r->loop, RAW_REOPEN_NS, raw_try_open, r);
}

struct raw_midi *
raw_midi_new(struct loop *loop, const char *path, const struct input_sink *sink)
{
	struct raw_midi *r = xcalloc(1, sizeof(*r));
	struct stat st;

	r->loop = loop;
	r->path = xstrdup(path);
	r->sink = *sink;
	r->fd = -1;
	r->write_warn = (struct ratelimit)RATELIMIT_INIT(10);
	r->is_stdin = strcmp(path, "-") == 0;
	input_sink_decoder(sink, &r->dec, midi_warning);
	r->dec.on_event = forward;
	r->dec.on_warn = midi_warning;
	r->dec.ctx = r;
	if (open_fd(r) < 0) {
		int err = errno;
		/* a device path that is absent now may be plugged in later */
		if (strncmp(path, "/dev/", 5) == 0 &&
		    (stat(path, &st) < 0 || S_ISCHR(st.st_mode))) {
			r->is_device = true;
			log_warnx("raw %s: %s; waiting for it", path, strerror(err));
			r->gone_logged = true;
			r->reopen_timer = loop_add_timer(loop, RAW_REOPEN_NS,
			    raw_try_open, r);
			return r;
		}
		log_errx("raw %s: %s", path, strerror(err));
		raw_midi_free(r);
		return NULL;
	}
	return r;
}

void
raw_midi_free(struct raw_midi *r)
{
	if (r == NULL)
		return;
	close_fd(r);
	if (r->reopen_timer > 0)
		loop_cancel_timer(r->loop, r->reopen_timer);
	if (r->settle_timer > 0)
		loop_cancel_timer(r->loop, r->settle_timer);
	free(r->path);
	free(r);
}

int
raw_midi_send(struct raw_midi *r, const uint8_t *bytes, size_t len)
{
	ssize_t n;

	if (r == NULL || r->fd < 0 || !r->writable)
		return -1;
	n = write(r->fd, bytes, len);
	if (n == (ssize_t)len)
		return 0;
	log_warnx_limited(&r->write_warn, "raw %s: feedback not written: %s",
	    r->path, n < 0 ? strerror(errno) : "short write");
	return -1;
}

const char *
raw_midi_path(const struct raw_midi *r)
{
	return r->path;
}
