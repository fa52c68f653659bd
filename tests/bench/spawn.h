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

#endif
