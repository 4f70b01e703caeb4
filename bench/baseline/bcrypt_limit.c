/*
 * bcrypt_limit.c -- baseline (c) of bench/run: how many bcrypt hashes per
 * second this machine can make at all.
 *
 *     bcrypt_limit COST SECONDS PROCESSES
 *
 * PROCESSES children each run crypt_rn() with a $2b$ setting of COST flat
 * out for SECONDS; the parent prints the sum of their rates, in hashes per
 * second, on one line.  Not part of userapi.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
child(int cost, double seconds, int fd)
{
	struct crypt_data *cd;
	char		   setting[CRYPT_GENSALT_OUTPUT_SIZE];
	double		   t0, t;
	long		   n = 0;
	char		   line[64];
	int		   len;

	if ((cd = calloc(1, sizeof(*cd))) == NULL ||
	    crypt_gensalt_rn("$2b$", cost, NULL, 0, setting, sizeof(setting)) ==
		NULL)
		return 1;
	t0 = now();
	do {
		if (crypt_rn("bench-password-1", setting, cd, sizeof(*cd)) ==
			NULL ||
		    cd->output[0] == '*')
			return 1;
		n++;
		t = now() - t0;
	} while (t < seconds);
	len = snprintf(line, sizeof(line), "%.6f\n", n / t);
	return write(fd, line, len) == len ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	int    fds[2], i, procs, cost, status, bad = 0;
	double seconds, sum = 0, r;
	FILE  *in;

	if (argc != 4)
		return 2;
	cost = atoi(argv[1]);
	seconds = atof(argv[2]);
	procs = atoi(argv[3]);
	if (cost < 4 || cost > 31 || seconds <= 0 || procs < 1 ||
	    pipe(fds) == -1)
		return 2;
	for (i = 0; i < procs; i++) {
		switch (fork()) {
		case -1:
			return 1;
		case 0:
			close(fds[0]);
			_exit(child(cost, seconds, fds[1]));
		default:
			break;
		}
	}
	close(fds[1]);
	if ((in = fdopen(fds[0], "r")) == NULL)
		return 1;
	while (fscanf(in, "%lf", &r) == 1)
		sum += r;
	for (i = 0; i < procs; i++)
		if (wait(&status) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			bad = 1;
	if (bad)
		return 1;
	printf("%.3f\n", sum);
	return 0;
}
