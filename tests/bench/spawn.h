/*
 * fieldvisit benchmarks: the spawner.  `BENCH --spawn capture|quiet
 * PROGRAM ARGS...` runs PROGRAM (its standard output kept, or sent to
 * /dev/null) and prints its wall time in ms and its peak RSS in KiB: a
 * separate small process, so that the peak RSS is PROGRAM's own: a child
 * forked from the bench itself would start with the bench's memory, and
 * Linux keeps that high-water mark across exec.  For benches that define
 * _GNU_SOURCE (wait4).
 */
#ifndef FV_BENCH_SPAWN_H
#define FV_BENCH_SPAWN_H

#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static int bench_spawn(int quiet, char **argv)
{
	struct rusage ru;
	int status;
	double t0 = bench_seconds() * 1000.0;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
			if (fd >= 0)
				dup2(fd, STDOUT_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return 1;
	double wall = bench_seconds() * 1000.0 - t0;
	fflush(stdout);
	printf("%.3f %ld\n", wall, ru.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/*
 * Run argv (at most 12 words) through exe's spawner (`exe --spawn
 * capture|quiet ARGV...`): its standard output goes into buf (size bytes,
 * NUL-terminated), the spawner's last line "WALL_MS RSS_KB" into *wall_ms
 * and *rss_mb.  Returns 0, or -1 when it could not run, failed or printed
 * no such line.
 */
static int bench_run_spawned(const char *exe, char *const argv[], int capture, char *buf,
			     size_t size, double *wall_ms, double *rss_mb)
{
	char *args[16] = {(char *)exe, "--spawn", capture ? "capture" : "quiet"};
	size_t len = 0, n = 3;
	int fds[2], status;

	for (size_t i = 0; argv[i] && n < 15; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	if (pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(args[0], args);
		_exit(127);
	}
	close(fds[1]);
	ssize_t k;
	while (len < size - 1 && (k = read(fds[0], buf + len, size - 1 - len)) > 0)
		len += (size_t)k;
	buf[len] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	long rss_kb = 0;
	const char *last = len > 1 ? buf + len - 2 : buf;
	while (last > buf && last[-1] != '\n')
		last--;
	if (sscanf(last, "%lf %ld", wall_ms, &rss_kb) != 2)
		return -1;
	*rss_mb = (double)rss_kb / 1024.0;
	return 0;
}

#endif
