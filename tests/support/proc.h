/*
 * Test support: run the real ctlbridge binary (or any program) as a child,
 * its output captured in a file, with bounded waits.
 */
#ifndef TEST_PROC_H
#define TEST_PROC_H

#include <stdbool.h>
#include <sys/types.h>

struct proc {
	pid_t pid;
	int status;		/* exit status once reaped, -1 before */
	bool exited;
	char log[256];		/* stdout and stderr */
	char *output;		/* log contents, after proc_wait/proc_stop */
};

/* The binary under test: $CTLBRIDGE (set by the runner) or build/ctlbridge. */
const char *ctlbridge_path(void);
/* ms of the bridge running, times $CTLBRIDGE_TEST_SLOW (a whole factor;
 * make test-valgrind sets it: the bridge under memcheck starts slower). */
int test_slow(int ms);

/* argv[0] is the program; env is extra NAME=VALUE pairs (NULL-terminated
 * or NULL); JOURNAL_STREAM=stderr becomes what systemd would set for a
 * service whose stderr is the journal (the log file's device and inode).  stdin_path: file for standard input, or NULL for /dev/null. */
int proc_start(struct proc *p, char *const argv[], char *const env[],
    const char *stdin_path);
/* Wait up to timeout_ms for exit; true if it exited (status in p). */
bool proc_wait(struct proc *p, int timeout_ms);
/* SIGTERM, then SIGKILL after a grace period; reaps. */
void proc_stop(struct proc *p);
/* Read the captured output so far (also kept in p->output). */
const char *proc_output(struct proc *p);
/* Poll until the output contains text, or timeout. */
bool proc_wait_output(struct proc *p, const char *text, int timeout_ms);
/* Poll until the output contains text n times: for a line that is said
 * again (a second handshake), where waiting for it once returns at once. */
bool proc_wait_output_count(struct proc *p, const char *text, int n,
    int timeout_ms);
/* Writes to stderr the lines of the process's output that contain none of
 * the strings in skip (NULL-terminated): a log without its routine lines. */
void proc_print_log(struct proc *p, const char *const *skip);
void proc_free(struct proc *p);

/* `ctlbridge ARGS...` as a user runs it (a subcommand such as status),
 * with env added: its exit status, -1 if it did not end in time; its
 * output in *out (the caller frees). */
int ctlbridge_run(char *const env[], char *const args[], int timeout_ms,
    char **out);
/* A number from a /proc status file: the value of "FIELD:" in path
 * (/proc/PID/status, /proc/PID/task/TID/status), -1 if none. */
long proc_status_number(const char *path, const char *field);
/* Write text to path (replacing it): 0, or -1. */
int write_text(const char *path, const char *text);

/* A unique name for servers and files of this test run. */
const char *test_unique(const char *prefix);
void sleep_ms(int ms);
/* How many times needle occurs in hay. */
int count_substr(const char *hay, const char *needle);

#endif
