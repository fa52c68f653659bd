/*
 * fieldvisit command line: finding and opening the store, and reading
 * passphrases (from a file, the environment or the terminal).
 *
 * The terminal prompt follows OpenBSD's readpassphrase(3): echo is turned
 * off on /dev/tty (not standard input, which may carry answers); a signal
 * only sets a flag and interrupts the read, then the terminal and the
 * signal handlers are put back and the signal is sent again, so ^C leaves
 * a terminal that echoes; after ^Z and fg the question is asked again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"
#include "fieldvisit/vault.h"

/* The longest passphrase taken, in bytes. */
#define PASS_MAX 1024

/* ------------------------------------------------------------------ */
/* Passphrase buffers                                                  */

static char *pass_alloc(void)
{
	return fv_xcalloc(1, PASS_MAX + 2);
}

/* Before a secret enters memory: no core dumps (vault_init). */
static int start_vault(void)
{
	if (vault_init() == FV_OK)
		return 0;
	fv_cli_error("cannot start the cipher library");
	return 4;
}

void fv_cli_passphrase_free(char *p)
{
	if (!p)
		return;
	vault_wipe(p, PASS_MAX + 2);
	free(p);
}

/* ------------------------------------------------------------------ */
/* The terminal                                                        */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static const int tty_signals[] = {
	SIGALRM, SIGHUP, SIGINT, SIGPIPE, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU,
};
#define NSIGNALS (sizeof tty_signals / sizeof tty_signals[0])

enum { TTY_OK, TTY_NONE, TTY_LONG, TTY_INTERRUPTED, TTY_ERROR };

/* Write all of s to fd (best effort: a prompt that cannot be shown is not
 * a reason to fail). */
static void tty_write(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/*
 * Ask prompt on the terminal and read one line into buf (PASS_MAX + 2
 * bytes) without echo.  Returns TTY_OK, TTY_NONE (no terminal), TTY_LONG
 * (longer than PASS_MAX; the rest of the line is read and dropped),
 * TTY_INTERRUPTED (a signal that did not end the process) or TTY_ERROR.
 */
static int tty_read(const char *prompt, char *buf)
{
	struct sigaction act, saved[NSIGNALS];
	struct termios old, quiet;
	int fd, have_term, result, read_errno = 0;
	size_t len;

restart:
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return TTY_NONE;
	got_signal = 0;
	memset(&act, 0, sizeof act);
	sigemptyset(&act.sa_mask);
	act.sa_handler = on_signal;   /* no SA_RESTART: a signal ends read() */
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(tty_signals[i], &act, &saved[i]);
	have_term = tcgetattr(fd, &old) == 0;
	if (have_term) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
		quiet.c_lflag |= ECHONL;   /* the Enter still moves to the next line */
		if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
			have_term = 0;
	}
	tty_write(fd, prompt);
	len = 0;
	result = TTY_OK;
	while (!got_signal) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			read_errno = errno;
			result = TTY_ERROR;
			break;
		}
		if (n == 0 || c == '\n' || c == '\r')
			break;
		if (len < PASS_MAX)
			buf[len++] = c;
		else
			result = TTY_LONG;
	}
	buf[len] = '\0';
	if (have_term) {
		while (tcsetattr(fd, TCSAFLUSH, &old) != 0 && errno == EINTR)
			;
	}
	if (got_signal)
		tty_write(fd, "\n");
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(tty_signals[i], &saved[i], NULL);
	close(fd);
	if (got_signal) {
		int sig = got_signal;
		vault_wipe(buf, PASS_MAX + 2);
		kill(getpid(), sig);   /* ends the process unless it is ignored or a stop */
		if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			goto restart;
		return TTY_INTERRUPTED;
	}
	if (result != TTY_OK)
		vault_wipe(buf, PASS_MAX + 2);
	errno = read_errno;   /* for TTY_ERROR's message */
	return result;
}

/* ------------------------------------------------------------------ */
/* Passphrase sources                                                  */

/* The first line of file, without its line end, into buf.  Returns the
 * exit code. */
static int read_pass_file(const char *file, char *buf)
{
	size_t len = 0;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fv_cli_error("%s: cannot open: %s", file, strerror(errno));
		return 4;
	}
	/* read until the first line end; never more than PASS_MAX + 1 bytes */
	while (len <= PASS_MAX && !memchr(buf, '\n', len)) {
		ssize_t n = read(fd, buf + len, PASS_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			vault_wipe(buf, PASS_MAX + 2);
			fv_cli_error("%s: cannot read: %s", file, strerror(e));
			return 4;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	char *nl = memchr(buf, '\n', len);
	if (nl) {
		len = (size_t)(nl - buf);
		if (len && buf[len - 1] == '\r')
			len--;
	}
	if (len > PASS_MAX) {
		vault_wipe(buf, PASS_MAX + 2);
		fv_cli_error("%s: the passphrase is longer than %d bytes", file, PASS_MAX);
		return 1;
	}
	memset(buf + len, 0, PASS_MAX + 2 - len);   /* wipes the rest of the file too */
	if (memchr(buf, '\0', len)) {
		fv_cli_error("%s: the passphrase holds a NUL byte", file);
		return 1;
	}
	return 0;
}

/* Where a passphrase comes from: 0 a file, 1 the environment, 2 the
 * terminal.  Reads it into buf unless from the terminal. */
static int take_source(const char *file, const char *env, char *buf, int *from, int *rc)
{
	const char *v = env ? getenv(env) : NULL;
	*rc = 0;
	if (file) {
		*from = 0;
		*rc = read_pass_file(file, buf);
	} else if (v && *v) {
		*from = 1;
		if (strlen(v) > PASS_MAX) {
			fv_cli_error("%s: the passphrase is longer than %d bytes", env, PASS_MAX);
			*rc = 1;
		} else {
			memcpy(buf, v, strlen(v) + 1);
		}
	} else {
		*from = 2;
	}
	return *rc;
}

/* Ask on the terminal; returns the exit code. */
static int ask(const char *prompt, const char *option, const char *env, char *buf)
{
	switch (tty_read(prompt, buf)) {
	case TTY_OK:
		return 0;
	case TTY_NONE:
		fv_cli_error("no passphrase: set %s or use %s", env, option);
		return 2;
	case TTY_LONG:
		fv_cli_error("the passphrase is longer than %d bytes", PASS_MAX);
		return 1;
	case TTY_INTERRUPTED:
		fv_cli_error("interrupted");
		return 2;
	default:
		fv_cli_error("/dev/tty: cannot read: %s", strerror(errno));
		return 4;
	}
}

int fv_cli_passphrase(const char *file, const char *option, const char *env,
		      const char *prompt, char **out)
{
	char *buf;
	int from, rc;

	*out = NULL;
	if ((rc = start_vault()) != 0)
		return rc;
	buf = pass_alloc();
	if (take_source(file, env, buf, &from, &rc) == 0 && from == 2)
		rc = ask(prompt, option, env, buf);
	if (rc != 0) {
		fv_cli_passphrase_free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

int fv_cli_new_passphrase(const char *file, const char *option, const char *env,
			  const char *prompt, char **out)
{
	char *buf, *again = NULL;
	const char *problem;
	int from, rc;

	*out = NULL;
	if ((rc = start_vault()) != 0)
		return rc;
	buf = pass_alloc();
	if (take_source(file, env, buf, &from, &rc) == 0 && from == 2)
		rc = ask(prompt, option, env, buf);
	if (rc == 0 && (problem = vault_passphrase_problem(buf))) {
		fv_cli_error("%s", problem);
		rc = 1;
	}
	if (rc == 0 && from == 2) {
		again = pass_alloc();
		rc = ask("Type it again: ", option, env, again);
		if (rc == 0 && strcmp(buf, again) != 0) {
			fv_cli_error("the two passphrases differ; nothing was changed");
			rc = 1;
		}
		fv_cli_passphrase_free(again);
	}
	if (rc != 0) {
		fv_cli_passphrase_free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

int fv_cli_pwcost_pick(vault_pwcost *out)
{
	const char *fast = getenv("FIELDVISIT_TEST_FAST_KDF");
	if (fast && strcmp(fast, "1") == 0) {
		*out = vault_pw_fast();
		return 1;
	}
	*out = vault_pw_calibrate(0.5, UINT64_C(64) << 20);
	return 0;
}

int fv_cli_pwcost(vault_pwcost *out)
{
	int rc = start_vault();
	if (rc != 0)
		return rc;
	if (fv_cli_pwcost_pick(out))
		fv_cli_error("warning: FIELDVISIT_TEST_FAST_KDF is set: this store's passphrase is"
			     " weakly protected (tests only)");
	return 0;
}

fv_status fv_cli_check_passphrase(const fv_store *s, const char *pass, fv_errors *err)
{
	char *keys = fv_xasprintf("%s.keys", fv_store_path(s));
	uint8_t id[VAULT_STORE_ID_BYTES];
	vault_key *master = NULL;
	fv_status st = vault_keyfile_unlock(keys, pass, &master, id, err);
	vault_key_free(master);
	free(keys);
	return st;
}

/* ------------------------------------------------------------------ */
/* Finding the store                                                   */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *fv_cli_store_dir(void)
{
	/* the folder of the default stores: that of a store named "" */
	char *dir = fv_store_default_path("");
	*strrchr(dir, '/') = '\0';
	return dir;
}

void fv_cli_store_list(const char *dir, char ***paths, size_t *n)
{
	char **names = NULL;
	size_t cap = 0;
	DIR *d;

	*n = 0;
	if ((d = opendir(dir))) {
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t len = strlen(e->d_name);
			struct stat sb;
			if (e->d_name[0] == '.' || len < 4 || strcmp(e->d_name + len - 3, ".fv") != 0)
				continue;
			char *p = fv_xasprintf("%s/%s", dir, e->d_name);
			if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
				names = fv_xgrow(names, &cap, *n + 1, sizeof *names);
				names[(*n)++] = p;
			} else {
				free(p);
			}
		}
		closedir(d);
	}
	if (*n)
		qsort(names, *n, sizeof *names, by_name);
	*paths = names;
}

void fv_cli_store_list_free(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int fv_cli_store_path(const fv_cli_store_opts *o, char **path)
{
	const char *env = getenv("FIELDVISIT_STORE");
	char **names, *dir;
	size_t n;
	int rc;

	*path = NULL;
	if (o->store || (env && *env)) {
		*path = fv_xstrdup(o->store ? o->store : env);
		return 0;
	}
	dir = fv_cli_store_dir();
	fv_cli_store_list(dir, &names, &n);
	if (n == 1) {
		*path = names[0];
		names[0] = NULL;
		rc = 0;
	} else if (n == 0) {
		fv_cli_error("no store in %s: create one with 'fieldvisit init', or give --store",
			     dir);
		rc = 4;
	} else {
		fv_buf list;
		fv_buf_init(&list);
		for (size_t i = 0; i < n; i++) {
			const char *base = strrchr(names[i], '/') + 1;
			fv_buf_addf(&list, "%s%.*s", i ? ", " : "", (int)(strlen(base) - 3), base);
		}
		fv_cli_error("several stores in %s (%s): choose one with --store", dir, list.s);
		fv_buf_release(&list);
		rc = 2;
	}
	fv_cli_store_list_free(names, n);
	free(dir);
	return rc;
}

int fv_cli_open_store(const fv_cli_store_opts *o, fv_store **out)
{
	char *path, *pass = NULL, *prompt;
	fv_errors err;
	fv_status st;
	struct stat sb;
	int rc;

	*out = NULL;
	if ((rc = fv_cli_store_path(o, &path)) != 0)
		return rc;
	/* do not ask for a passphrase to open nothing */
	if (stat(path, &sb) != 0) {
		fv_cli_error("%s: %s", path, errno == ENOENT ? "no such store" : strerror(errno));
		free(path);
		return 4;
	}
	prompt = fv_xasprintf("Passphrase for %s: ", path);
	rc = fv_cli_passphrase(o->passphrase_file, "--passphrase-file", "FIELDVISIT_PASSPHRASE",
			       prompt, &pass);
	free(prompt);
	if (rc != 0) {
		free(path);
		return rc;
	}
	fv_errors_init(&err);
	st = fv_store_open(path, pass, out, &err);
	fv_cli_passphrase_free(pass);
	free(path);
	if (st == FV_OK) {
		/* best effort: a full disk must not stop reading, listing,
		 * checking or exporting the data */
		fv_errors aerr;
		fv_errors_init(&aerr);
		if (fv_store_audit_note(*out, "unlock", NULL, NULL, &aerr) != FV_OK)
			fv_cli_error("warning: the unlock could not be written to the audit log%s%s",
				     aerr.n ? ": " : "", aerr.n ? aerr.lines[0] : "");
		fv_errors_release(&aerr);
	}
	if (st != FV_OK) {
		fv_store_close(*out);
		*out = NULL;
		rc = fv_cli_fail(st, &err);
	}
	fv_errors_release(&err);
	return rc;
}
