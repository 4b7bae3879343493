#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

const char *
ctlbridge_path(void)
{
	const char *p = getenv("CTLBRIDGE");

	return p && *p ? p : "build/ctlbridge";
}

int
test_slow(int ms)
{
	const char *s = getenv("CTLBRIDGE_TEST_SLOW");
	int k = s ? atoi(s) : 1;

	return ms * (k > 1 ? k : 1);
}

const char *
test_unique(const char *prefix)
{
	static char buf[8][128];
	static int next, counter;
	char *b = buf[next++ % 8];

	snprintf(b, sizeof(buf[0]), "%s-%d-%d", prefix, (int)getpid(), counter++);
	return b;
}

int
proc_start(struct proc *p, char *const argv[], char *const env[],
    const char *stdin_path)
{
	int fd;

	memset(p, 0, sizeof(*p));
	p->status = -1;
	snprintf(p->log, sizeof(p->log), "/tmp/%s.log", test_unique("ctlbridge-test"));
	if ((p->pid = fork()) < 0)
		return -1;
	if (p->pid == 0) {
		setpgid(0, 0);
		/* if the test dies, its servers stop cleanly: a killed jackd
		 * leaves its entry in JACK's 8-slot server registry */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		fd = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
		dup2(fd, 0);
		/* a home of the test's own: journals and such land there */
		{
			static char home[128];
			snprintf(home, sizeof(home), "HOME=/tmp/ctlbridge-test-home-%d",
			    (int)getppid());
			mkdir(home + 5, 0700);
			putenv(home);
		}
		for (int i = 0; env && env[i]; i++) {
			/* what systemd sets when stderr is the journal */
			if (strcmp(env[i], "JOURNAL_STREAM=stderr") == 0) {
				static char js[80];
				struct stat st;
				fstat(2, &st);
				snprintf(js, sizeof(js), "JOURNAL_STREAM=%ju:%ju",
				    (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
				putenv(js);
			} else
				putenv(env[i]);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return 0;
}

bool
proc_wait(struct proc *p, int timeout_ms)
{
	int waited = 0;

	while (!p->exited) {
		pid_t rc = waitpid(p->pid, &p->status, WNOHANG);
		if (rc == p->pid) {
			p->exited = true;
			break;
		}
		if (waited >= timeout_ms)
			return false;
		sleep_ms(10);
		waited += 10;
	}
	proc_output(p);
	return true;
}

void
proc_stop(struct proc *p)
{
	if (p->pid <= 0 || p->exited) {
		proc_output(p);
		return;
	}
	kill(p->pid, SIGTERM);
	if (!proc_wait(p, 5000)) {
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
		proc_wait(p, 5000);
	}
}

const char *
proc_output(struct proc *p)
{
	FILE *fp = fopen(p->log, "r");
	long len;

	free(p->output);
	p->output = NULL;
	if (fp == NULL)
		return p->output = strdup("");
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	p->output = calloc(1, (size_t)len + 1);
	if (fread(p->output, 1, (size_t)len, fp) != (size_t)len)
		p->output[0] = '\0';
	fclose(fp);
	return p->output;
}

void
proc_print_log(struct proc *p, const char *const *skip)
{
	const char *line = proc_output(p), *end;
	int skipped = 0;

	for (; *line; line = *end ? end + 1 : end) {
		bool routine = false;

		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		for (int i = 0; skip && skip[i] && !routine; i++)
			routine = memmem(line, (size_t)(end - line), skip[i],
			    strlen(skip[i])) != NULL;
		if (routine)
			skipped++;
		else
			fprintf(stderr, "# | %.*s\n", (int)(end - line), line);
	}
	if (skipped)
		fprintf(stderr, "# | (%d routine lines left out)\n", skipped);
}

bool
proc_wait_output(struct proc *p, const char *text, int timeout_ms)
{
	return proc_wait_output_count(p, text, 1, timeout_ms);
}

bool
proc_wait_output_count(struct proc *p, const char *text, int n,
    int timeout_ms)
{
	for (int waited = 0;; waited += 20) {
		if (count_substr(proc_output(p), text) >= n)
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(20);
	}
}

void
proc_free(struct proc *p)
{
	proc_stop(p);
	unlink(p->log);
	free(p->output);
	p->output = NULL;
}

int
count_substr(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL)
		n++, hay++;
	return n;
}

int
ctlbridge_run(char *const env[], char *const args[], int timeout_ms, char **out)
{
	char *argv[32] = { (char *)ctlbridge_path() };
	struct proc p;
	int n = 1, rc = -1;

	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	*out = NULL;
	if (proc_start(&p, argv, env, NULL) < 0)
		return -1;
	if (proc_wait(&p, timeout_ms))
		rc = WIFEXITED(p.status) ? WEXITSTATUS(p.status) : -1;
	*out = strdup(proc_output(&p));
	proc_free(&p);
	return rc;
}

int
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

long
proc_status_number(const char *path, const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long n = -1;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			n = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(fp);
	return n;
}
