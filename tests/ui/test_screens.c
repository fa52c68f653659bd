/*
 * The screens driven by key scripts, their dumps compared with golden
 * files (TAP).
 *
 * Each tests/ui/scripts/NAME.keys runs the real screens (ui_run) on a
 * headless terminal of 80x24 and of 132x43, in Chinese and in English, with
 * the clock pinned at 2026-11-23T10:00:00 and a fresh copy of one demo
 * store (fictional people, made once per run by the demo code itself).
 * A script is tokens separated by blanks ('#' starts a comment line):
 *
 *   a  ?  Enter  Esc  Up  F12  Ctrl-L  Space ...   one key (ui_key_parse)
 *   text:张三                     each character of the text as a key
 *   wait:300                      the clock moves on 300 seconds
 *   resize:100x30                 the terminal becomes 100 columns, 30 lines
 *   dump:NAME                     the screen must equal
 *                                 tests/ui/golden/COLSxROWS/LANG/NAME.txt
 *   @stores:NAME,NAME             (first) no demo: stores NAME.fv, ... in
 *                                 the default folder, each a copy of it
 *   @team                         (first) no demo: the store of 王芳, a
 *                                 worker enrolled in the team of 张主任
 *                                 (made once by the init, person and team
 *                                 commands), unlocked with the same
 *                                 passphrase, with one person of its own
 *   @media:A,B                    (first) folders media/A and media/B:
 *                                 drives for the sync screen
 *   @hello:A/NAME                 (first) 王芳's hello bundle (for 张主任)
 *                                 as media/A/NAME
 *   @super                        (first) no demo: 张主任's supervisor
 *                                 store, with 王芳's hello and an
 *                                 up-bundle of four visits she submitted
 *                                 (GAD-7, PHQ-9 with item 9, one of 3
 *                                 minutes) imported: visits received, made
 *                                 once by the init, team, person, visit
 *                                 and bundle commands with pinned UUIDs
 *                                 (vault_uuid_pin), so that the callback
 *                                 sample and the ids shown are stable
 *   @returned                     (first) no demo: 王芳's store after
 *                                 张主任 returned the first of those
 *                                 visits with a comment (the review
 *                                 imported)
 *
 * Each run happens in its own folder, with FIELDVISIT_MEDIA_DIR=media
 * (relative, so the dumps show "media/A"); key ids and fingerprints are
 * random, so a dump has every run of 16 hex digits and every fingerprint
 * (1a2b-3c4d-5e6f-7a8b) written as x's before it is compared.
 *
 * The program must still be running when the script ends.
 * FV_UPDATE_GOLDEN=1 writes the dumps as the new golden files;
 * FV_UI_ONLY=NAME runs one script.
 */
#include <dirent.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../unit/tap.h"
#include "fieldvisit/cli.h"
#include "fieldvisit/core.h"
#include "fieldvisit/vault.h"
#include "ui_internal.h"

#define DEMO_PASS "2718-2818-4590"
#define NOW "2026-11-23T10:00:00"

static const struct {
	int cols, rows;
} sizes[] = {{80, 24}, {132, 43}};

typedef struct script {
	ui_input in;          /* first: the framework calls in.next */
	char **tok;
	size_t ntok, pos;
	const char *name, *lang;
	int cols, rows;
	int update;
	const char *text;
	int failed;
} script;

static char *read_all(const char *path)
{
	char *data;
	size_t len;
	fv_errors err;
	fv_errors_init(&err);
	if (fv_read_file(path, &data, &len, &err) != FV_OK)
		data = NULL;
	fv_errors_release(&err);
	return data;
}

static void mkdirs(const char *path)
{
	char *p = fv_xstrdup(path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	mkdir(p, 0700);
	free(p);
}

static void copy_file(const char *from, const char *to)
{
	char *data;
	size_t len;
	fv_errors err;
	fv_errors_init(&err);
	if (fv_read_file(from, &data, &len, &err) != FV_OK ||
	    fv_write_atomic(to, data, len, 0600, &err) != FV_OK) {
		fprintf(stderr, "cannot copy %s: %s\n", from, err.n ? err.lines[0] : "");
		exit(1);
	}
	free(data);
	fv_errors_release(&err);
}

/* Copy the store files of store from in src as store name in dir. */
static void copy_store_as(const char *src, const char *from_name, const char *dir,
			  const char *name)
{
	static const char *const suffix[] = {"", ".keys", ".keys.bak"};
	for (size_t i = 0; i < 3; i++) {
		char *from = fv_xasprintf("%s/%s.fv%s", src, from_name, suffix[i]);
		char *to = fv_xasprintf("%s/%s.fv%s", dir, name, suffix[i]);
		copy_file(from, to);
		free(from);
		free(to);
	}
}

/* Copy the store files of src (a demo folder) as store name in dir. */
static void copy_store(const char *src, const char *dir, const char *name)
{
	copy_store_as(src, "demo", dir, name);
}

/* Key ids (16 hex digits) and fingerprints (1a2b-3c4d-5e6f-7a8b) are new
 * at every run: x them out, keeping the columns. */
static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void mask_keys(char *s)
{
	for (size_t i = 0; s[i];) {
		size_t n = 0;
		while (is_hex(s[i + n]))
			n++;
		if (n == 16 && (i == 0 || !is_hex(s[i - 1])))
			memset(s + i, 'x', 16);
		if (n == 4 && (i == 0 || !is_hex(s[i - 1]))) {
			/* 4-4-4-4 */
			size_t k = 0;
			while (k < 4 && is_hex(s[i + 5 * k]) && is_hex(s[i + 5 * k + 1]) &&
			       is_hex(s[i + 5 * k + 2]) && is_hex(s[i + 5 * k + 3]) &&
			       (k == 3 ? !is_hex(s[i + 19]) : s[i + 5 * k + 4] == '-'))
				k++;
			if (k == 4) {
				for (size_t j = 0; j < 19; j++)
					if (s[i + j] != '-')
						s[i + j] = 'x';
				n = 19;
			}
		}
		i += n ? n : 1;
	}
}

static void compare(script *s, ui *u, const char *name)
{
	fv_buf got;
	char *path = fv_xasprintf("%s/tests/ui/golden/%dx%d/%s/%s.txt", FV_SRCDIR, s->cols,
				  s->rows, s->lang, name);
	fv_buf_init(&got);
	ui_dump(u, &got);
	mask_keys(got.s);
	if (s->update) {
		fv_errors err;
		char *dir = fv_xstrdup(path);
		*strrchr(dir, '/') = '\0';
		mkdirs(dir);
		fv_errors_init(&err);
		ok(fv_write_atomic(path, got.s, got.len, 0644, &err) == FV_OK, "%s %dx%d %s: %s written",
		   s->name, s->cols, s->rows, s->lang, name);
		fv_errors_release(&err);
		free(dir);
	} else {
		char *want = read_all(path);
		if (!want) {
			ok(0, "%s %dx%d %s: %s (no golden file %s: FV_UPDATE_GOLDEN=1 writes it)",
			   s->name, s->cols, s->rows, s->lang, name, path);
		} else if (!ok(strcmp(want, got.s) == 0, "%s %dx%d %s: %s", s->name, s->cols,
			       s->rows, s->lang, name)) {
			printf("# expected (%s):\n", path);
			for (char *l = want; *l;) {
				size_t n = strcspn(l, "\n");
				printf("# |%.*s|\n", (int)n, l);
				l += n + (l[n] == '\n');
			}
			printf("# got:\n");
			for (char *l = got.s; *l;) {
				size_t n = strcspn(l, "\n");
				printf("# |%.*s|\n", (int)n, l);
				l += n + (l[n] == '\n');
			}
		}
		free(want);
	}
	fv_buf_release(&got);
	free(path);
}

/* The next key of the script; dumps, waits and resizes on the way. */
static int next_key(ui_input *in, ui *u)
{
	script *s = (script *)in;
	for (;;) {
		if (s->text && *s->text) {
			uint32_t cp;
			s->text += fv_utf8_decode(s->text, strlen(s->text), &cp);
			return (int)cp;
		}
		s->text = NULL;
		if (s->pos == s->ntok || s->failed)
			return UI_K_EOF;
		const char *t = s->tok[s->pos++];
		int key, cols, rows;
		long secs;
		if (strncmp(t, "text:", 5) == 0) {
			s->text = t + 5;
		} else if (strncmp(t, "dump:", 5) == 0) {
			compare(s, u, t + 5);
		} else if (strncmp(t, "wait:", 5) == 0 && fv_parse_long(t + 5, &secs)) {
			fv_clock_set(fv_clock_now() + (double)secs);
			return UI_K_TICK;
		} else if (sscanf(t, "resize:%dx%d", &cols, &rows) == 2) {
			ui_resize(u, rows, cols);
			return UI_K_RESIZE;
		} else if ((key = ui_key_parse(t))) {
			return key;
		} else {
			ok(0, "%s: unknown token '%s'", s->name, t);
			s->failed = 1;
		}
	}
}

/* Run a command of the CLI (fv_cmd_*), its output into out/err files. */
static int run_cmd(int (*cmd)(int, char **), const char *dir, char **argv)
{
	int argc = 0, rc, o1 = dup(1), o2 = dup(2);
	char *out = fv_xasprintf("%s/cmd.out", dir), *errf = fv_xasprintf("%s/cmd.err", dir);
	while (argv[argc])
		argc++;
	fflush(stdout);
	fflush(stderr);
	int f1 = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int f2 = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(f1, 1);
	dup2(f2, 2);
	close(f1);
	close(f2);
	rc = cmd(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o1, 1);
	dup2(o2, 2);
	close(o1);
	close(o2);
	if (rc != 0) {
		char *e = read_all(errf);
		printf("# %s: exit %d: %s", argv[0], rc, e ? e : "");
		free(e);
	}
	free(out);
	free(errf);
	return rc;
}

/*
 * The team fixture, in dir: 张主任's supervisor store (sup.fv), the
 * invitation of 王芳 and her store (王芳.fv) joined with it, her hello
 * bundle (hello.fvb) and one person she registered, so that she has an
 * up-bundle to write.  Made with the commands, as a user would.
 */
static int make_team(const char *dir)
{
	char *sup = fv_xasprintf("%s/sup.fv", dir), *wf = fv_xasprintf("%s/王芳.fv", dir);
	char *inv = fv_xasprintf("%s/invite-王芳.fvi", dir), *code = NULL;
	int rc;
	/* init writes the team's recovery key into the current folder */
	char *cwd = getcwd(NULL, 0);
	if (!cwd || chdir(dir) != 0)
		return 1;
	setenv("FIELDVISIT_PASSPHRASE", DEMO_PASS, 1);
	setenv("FIELDVISIT_NOW", NOW, 1);
	char *a1[] = {"init", "--role", "supervisor", "--name", "张主任", "--store", sup, NULL};
	char *a2[] = {"team", "invite", "王芳", "--village", "东村", "--to", (char *)dir, "--store", sup,
		      NULL};
	rc = run_cmd(fv_cmd_init, dir, a1);
	if (rc == 0)
		rc = run_cmd(fv_cmd_team, dir, a2);
	if (rc == 0) {
		/* the code is told in person: here, read from the message */
		static const char said[] = "invitation code for 王芳: ";
		char *errf = fv_xasprintf("%s/cmd.err", dir), *e = NULL;
		size_t len;
		fv_errors err;
		fv_errors_init(&err);
		if (fv_read_file(errf, &e, &len, &err) == FV_OK) {
			const char *c = strstr(e, said);
			if (c && strlen(c) >= sizeof said - 1 + 29)
				code = fv_xstrndup(c + sizeof said - 1, 29);
		}
		fv_errors_release(&err);
		free(e);
		free(errf);
		rc = code ? 0 : 1;
	}
	if (rc == 0) {
		char *a3[] = {"init", "--join", inv, "--code", code, "--to", (char *)dir,
			      "--store", wf, NULL};
		rc = run_cmd(fv_cmd_init, dir, a3);
	}
	if (rc == 0) {
		char *a4[] = {"person", "add", "--store", wf, "--name", "李秀英", "--id",
			      "11010519491231002X", "--sex", "female", "--birth", "1949-12-31",
			      "--village", "东村", "--category", "gaoling", NULL};
		rc = run_cmd(fv_cmd_person, dir, a4);
	}
	if (rc == 0) {
		/* the hello, under a name of its own */
		DIR *d = opendir(dir);
		struct dirent *e;
		rc = 1;
		while (d && (e = readdir(d)))
			if (strncmp(e->d_name, "hello-", 6) == 0) {
				char *from = fv_xasprintf("%s/%s", dir, e->d_name);
				char *to = fv_xasprintf("%s/hello.fvb", dir);
				copy_file(from, to);
				unlink(from);
				free(from);
				free(to);
				rc = 0;
			}
		if (d)
			closedir(d);
	}
	unsetenv("FIELDVISIT_PASSPHRASE");
	unsetenv("FIELDVISIT_NOW");
	setlocale(LC_ALL, "C.UTF-8");
	if (chdir(cwd) != 0)
		rc = 1;
	free(cwd);
	free(sup);
	free(wf);
	free(inv);
	free(code);
	return rc;
}

/* The team fixture in dir, made at the first script that needs it:
 * 1 when it is there. */
static int team_fixture(const char *dir)
{
	static int state;   /* 0 not yet, 1 made, -1 failed */
	if (!state) {
		double now;
		mkdirs(dir);
		state = ok(make_team(dir) == 0, "the team fixture is made") ? 1 : -1;
		(void)fv_datetime_parse(NOW, &now);
		fv_clock_set(now);
	}
	return state == 1;
}

/* The path the last command printed on its first line (in dir/cmd.out),
 * or the value of the first "key":"..." in it; caller frees. */
static char *cmd_output(const char *dir, const char *key)
{
	char *outf = fv_xasprintf("%s/cmd.out", dir), *o = NULL, *r = NULL;
	size_t len;
	fv_errors err;
	fv_errors_init(&err);
	if (fv_read_file(outf, &o, &len, &err) != FV_OK)
		o = NULL;
	fv_errors_release(&err);
	free(outf);
	if (!o)
		return NULL;
	if (!key) {
		r = fv_xstrndup(o, strcspn(o, "\n"));
	} else {
		char *pat = fv_xasprintf("\"%s\":\"", key);
		size_t pl = strlen(pat);
		for (size_t i = 0; i + pl <= len && !r; i++)
			if (memcmp(o + i, pat, pl) == 0)
				r = fv_xstrndup(o + i + pl, strcspn(o + i + pl, "\""));
		free(pat);
	}
	free(o);
	return r;
}

/*
 * The supervisor fixture, in dir: the team fixture, 张主任 imports
 * 王芳's hello; 王芳 submits four visits of her person, writes her
 * up-bundle and 张主任 imports it, so that the visits are received in
 * sup.fv.  Made with the commands, as the users would.
 */
static int make_super(const char *dir)
{
	static const struct {
		const char *form, *answers, *in, *out;
	} visits[] = {
		{"gad7", "{\"q1\":1,\"q2\":0,\"q3\":2,\"q4\":0,\"q5\":1,\"q6\":0,\"q7\":0}",
		 "2026-11-19T09:00", "2026-11-19T10:05"},
		/* three minutes: shorter than the rule allows */
		{"gad7", "{\"q1\":3,\"q2\":3,\"q3\":2,\"q4\":3,\"q5\":2,\"q6\":3,\"q7\":2}",
		 "2026-11-20T14:00", "2026-11-20T14:03"},
		/* item 9: an alert */
		{"phq9",
		 "{\"q1\":2,\"q2\":2,\"q3\":1,\"q4\":2,\"q5\":1,\"q6\":1,\"q7\":1,\"q8\":0,"
		 "\"q9\":1}",
		 "2026-11-21T09:30", "2026-11-21T10:10"},
		{"gad7", "{\"q1\":0,\"q2\":0,\"q3\":1,\"q4\":0,\"q5\":0,\"q6\":0,\"q7\":0}",
		 "2026-11-22T10:00", "2026-11-22T10:45"},
	};
	char *sup = fv_xasprintf("%s/sup.fv", dir), *wf = fv_xasprintf("%s/王芳.fv", dir);
	char *hello = fv_xasprintf("%s/hello.fvb", dir), *ans = fv_xasprintf("%s/answers.json", dir);
	char *person = NULL, *bundle = NULL;
	/* pinned ids: the callback sample (seeded by the team's id, drawn by
	 * the visits' ids) and the ids the reports show are the same in every
	 * run */
	vault_uuid_pin(20261123);
	int rc = make_team(dir);
	char *cwd = getcwd(NULL, 0);
	if (rc == 0 && (!cwd || chdir(dir) != 0))
		rc = 1;
	setenv("FIELDVISIT_PASSPHRASE", DEMO_PASS, 1);
	setenv("FIELDVISIT_NOW", NOW, 1);
	if (rc == 0) {
		char *a[] = {"bundle", "import", hello, "--store", sup, NULL};
		rc = run_cmd(fv_cmd_bundle, dir, a);
	}
	if (rc == 0) {
		char *a[] = {"person", "list", "--json", "--store", wf, NULL};
		rc = run_cmd(fv_cmd_person, dir, a);
		if (rc == 0 && !(person = cmd_output(dir, "id")))
			rc = 1;
	}
	for (size_t i = 0; rc == 0 && i < sizeof visits / sizeof visits[0]; i++) {
		FILE *fp = fopen(ans, "w");
		if (!fp || fputs(visits[i].answers, fp) < 0 || fclose(fp) != 0) {
			rc = 1;
			break;
		}
		char *a[] = {"visit", "submit", (char *)visits[i].form, "--person", person,
			     "--answers", ans, "--checkin", (char *)visits[i].in, "--checkout",
			     (char *)visits[i].out, "--services", "comfort", "--store", wf, NULL};
		rc = run_cmd(fv_cmd_visit, dir, a);
	}
	if (rc == 0) {
		char *a[] = {"bundle", "export", "--to", (char *)dir, "--store", wf, NULL};
		rc = run_cmd(fv_cmd_bundle, dir, a);
		if (rc == 0 && !(bundle = cmd_output(dir, NULL)))
			rc = 1;
	}
	if (rc == 0) {
		char *a[] = {"bundle", "import", bundle, "--store", sup, NULL};
		rc = run_cmd(fv_cmd_bundle, dir, a);
	}
	unsetenv("FIELDVISIT_PASSPHRASE");
	unsetenv("FIELDVISIT_NOW");
	setlocale(LC_ALL, "C.UTF-8");
	if (cwd && chdir(cwd) != 0)
		rc = 1;
	vault_uuid_pin(0);
	free(cwd);
	free(sup);
	free(wf);
	free(hello);
	free(ans);
	free(person);
	free(bundle);
	return rc;
}

/* The supervisor fixture in dir, made at the first script that needs it:
 * 1 when it is there. */
static int super_fixture(const char *dir)
{
	static int state;   /* 0 not yet, 1 made, -1 failed */
	if (!state) {
		double now;
		mkdirs(dir);
		state = ok(make_super(dir) == 0, "the supervisor fixture is made") ? 1 : -1;
		(void)fv_datetime_parse(NOW, &now);
		fv_clock_set(now);
	}
	return state == 1;
}

/* The @returned fixture: the stores of @super, then 张主任 returns the
 * first of 王芳's visits with a comment and 王芳 imports the review. */
static int make_returned(const char *super, const char *dir)
{
	char *sup = fv_xasprintf("%s/sup.fv", dir), *wf = fv_xasprintf("%s/王芳.fv", dir);
	char *visit = NULL, *bundle = NULL;
	int rc = 0;
	copy_store_as(super, "sup", dir, "sup");
	copy_store_as(super, "王芳", dir, "王芳");
	setenv("FIELDVISIT_PASSPHRASE", DEMO_PASS, 1);
	setenv("FIELDVISIT_NOW", NOW, 1);
	char *list[] = {"visit", "list", "--json", "--store", sup, NULL};
	rc = run_cmd(fv_cmd_visit, dir, list);
	if (rc == 0 && !(visit = cmd_output(dir, "id")))
		rc = 1;
	if (rc == 0) {
		char *a[] = {"review", visit, "return", "--comment", "签退时间对不上，请核实后重交",
			     "--store", sup, NULL};
		rc = run_cmd(fv_cmd_review, dir, a);
	}
	if (rc == 0) {
		char *a[] = {"bundle", "export", "--to", (char *)dir, "--store", sup, NULL};
		rc = run_cmd(fv_cmd_bundle, dir, a);
		if (rc == 0 && !(bundle = cmd_output(dir, NULL)))
			rc = 1;
	}
	if (rc == 0) {
		char *a[] = {"bundle", "import", bundle, "--store", wf, NULL};
		rc = run_cmd(fv_cmd_bundle, dir, a);
	}
	unsetenv("FIELDVISIT_PASSPHRASE");
	unsetenv("FIELDVISIT_NOW");
	setlocale(LC_ALL, "C.UTF-8");
	free(sup);
	free(wf);
	free(visit);
	free(bundle);
	return rc;
}

static int returned_fixture(const char *super, const char *dir)
{
	static int state;   /* 0 not yet, 1 made, -1 failed */
	if (!state && super_fixture(super)) {
		double now;
		mkdirs(dir);
		state = ok(make_returned(super, dir) == 0, "the returned-visit fixture is made") ? 1
												 : -1;
		(void)fv_datetime_parse(NOW, &now);
		fv_clock_set(now);
	}
	return state == 1;
}

static void tokenize(char *data, script *s)
{
	size_t cap = 0;
	for (char *line = data, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[strspn(line, " \t")] == '#')
			continue;
		for (char *t = strtok(line, " \t\r"); t; t = strtok(NULL, " \t\r")) {
			s->tok = fv_xgrow(s->tok, &cap, s->ntok + 1, sizeof *s->tok);
			s->tok[s->ntok++] = t;
		}
	}
}

/*
 * The stores of a script's set-up tokens (from s->pos, which is moved past
 * them), made in dir (its data/ and media/ folders) from the fixtures in
 * tmp: env's store (also in *store, to free), store_dir or demo_pass set;
 * with made, every store file made is added to it (the caller frees).
 * Returns 0, or -1 with s->pos on a token unknown or whose fixture
 * failed.  test_monkey sets up its sessions with it too.
 */
static int set_up(script *s, const char *tmp, const char *fixture, const char *dir, ui_env *env,
		  char **store, char ***made, size_t *nmade)
{
	char *data_dir = fv_xasprintf("%s/data", dir), *media = fv_xasprintf("%s/media", dir);
	char *team = fv_xasprintf("%s/team", tmp), *super = fv_xasprintf("%s/super", tmp);
	char *returned = fv_xasprintf("%s/returned", tmp);
	size_t cap = made && *nmade ? *nmade : 0;
	int stores = 0, enrolled = 0, supervisor = 0, corrections = 0, rc = 0;
	mkdirs(data_dir);
	mkdirs(media);
	*store = NULL;
	for (; s->pos < s->ntok && s->tok[s->pos][0] == '@'; s->pos++) {
		const char *t = s->tok[s->pos];
		if (strncmp(t, "@stores:", 8) == 0) {
			char *names = fv_xstrdup(t + 8);
			for (char *n = strtok(names, ","); n; n = strtok(NULL, ",")) {
				copy_store(fixture, data_dir, n);
				if (made) {
					*made = fv_xgrow(*made, &cap, *nmade + 1, sizeof **made);
					(*made)[(*nmade)++] = fv_xasprintf("%s/%s.fv", data_dir, n);
				}
			}
			free(names);
			stores = 1;
		} else if (strcmp(t, "@team") == 0 && team_fixture(team)) {
			enrolled = 1;
		} else if (strcmp(t, "@super") == 0 && super_fixture(super)) {
			supervisor = 1;
		} else if (strcmp(t, "@returned") == 0 && returned_fixture(super, returned)) {
			corrections = 1;
		} else if (strncmp(t, "@media:", 7) == 0) {
			char *names = fv_xstrdup(t + 7);
			for (char *n = strtok(names, ","); n; n = strtok(NULL, ",")) {
				char *p = fv_xasprintf("%s/%s", media, n);
				mkdirs(p);
				free(p);
			}
			free(names);
		} else if (strncmp(t, "@hello:", 7) == 0 && team_fixture(team)) {
			char *from = fv_xasprintf("%s/hello.fvb", team);
			char *to = fv_xasprintf("%s/%s", media, t + 7);
			copy_file(from, to);
			free(from);
			free(to);
		} else {
			rc = -1;
			break;
		}
	}
	if (stores) {
		env->store_dir = fv_xstrdup(data_dir);
		*store = (char *)env->store_dir;
	} else {
		const char *from = supervisor ? super : corrections ? returned : team;
		const char *name = supervisor ? "sup" : "王芳";
		if (supervisor || corrections || enrolled) {
			copy_store_as(from, name, dir, name);
		} else {
			copy_store(fixture, dir, "demo");
			name = "demo";
			env->demo_pass = DEMO_PASS;
		}
		*store = fv_xasprintf("%s/%s.fv", dir, name);
		env->store = *store;
		if (made) {
			*made = fv_xgrow(*made, &cap, *nmade + 1, sizeof **made);
			(*made)[(*nmade)++] = fv_xstrdup(*store);
		}
	}
	free(data_dir);
	free(media);
	free(team);
	free(super);
	free(returned);
	return rc;
}

static void run_script(const char *tmp, const char *fixture, const char *name, const char *path,
		       int size, const char *lang, int update)
{
	static int runs;
	char *data = read_all(path);
	script s;
	ui_env env;
	double now;

	memset(&s, 0, sizeof s);
	s.in.next = next_key;
	s.name = name;
	s.lang = lang;
	s.cols = sizes[size].cols;
	s.rows = sizes[size].rows;
	s.update = update;
	tokenize(data, &s);

	char *dir = fv_xasprintf("%s/run%d", tmp, ++runs), *store = NULL;
	memset(&env, 0, sizeof env);
	if (set_up(&s, tmp, fixture, dir, &env, &store, NULL, NULL) != 0) {
		ok(0, "%s: unknown or failed set-up token '%s'", name, s.tok[s.pos]);
		s.failed = 1;
	}
	/* the sync screen's drives: media/NAME, as the screen shows them */
	char *cwd = getcwd(NULL, 0);
	if (!cwd || chdir(dir) != 0) {
		perror(dir);
		exit(1);
	}
	setenv("FIELDVISIT_MEDIA_DIR", "media", 1);
	char *config = fv_xasprintf("%s/ui.conf", dir);
	char *assets = fv_xasprintf("%s/assets", FV_SRCDIR);
	env.config_path = config;
	env.assets = assets;
	env.lang = lang;
	env.input = &s.in;
	env.rows = s.rows;
	env.cols = s.cols;
	(void)fv_datetime_parse(NOW, &now);
	fv_clock_set(now);

	int rc = ui_run(&env);
	if (chdir(cwd) != 0)
		perror(cwd);
	free(cwd);
	unsetenv("FIELDVISIT_MEDIA_DIR");
	ok(rc == 0 && s.pos == s.ntok && !s.text, "%s %dx%d %s: ran to the end of the script (exit %d,"
	   " %zu of %zu tokens)", name, s.cols, s.rows, lang, rc, s.pos, s.ntok);

	free(s.tok);
	free(data);
	free(dir);
	free(store);
	free(config);
	free(assets);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What both the screen tests and the monkey begin with: the environment
 * the program runs in, the temp folder tmpl, the demo store as the
 * fixture (*store NULL when it could not be made), and the key scripts'
 * names, sorted (the caller frees). */
static int start(char *tmpl, char **fixture, char **store, char **scripts, char ***names,
		 size_t *n)
{
	size_t cap = 0;
	fv_errors err;
	double now;
	DIR *d;

	/* as the program runs with LC_ALL=C.UTF-8: no Chinese locale needed */
	setlocale(LC_ALL, "C.UTF-8");
	setenv("FIELDVISIT_TEST_FAST_KDF", "1", 1);
	setenv("TERM", "xterm", 1);
	unsetenv("FIELDVISIT_STORE");
	unsetenv("FIELDVISIT_MEDIA_DIR");
	unsetenv("NO_COLOR");
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	/* the fixture: one demo store, as `fieldvisit --demo` makes it */
	(void)fv_datetime_parse(NOW, &now);
	fv_clock_set(now);
	*fixture = fv_xasprintf("%s/fixture", tmpl);
	mkdirs(*fixture);
	fv_errors_init(&err);
	if (!ok(ui_demo_create(*fixture, "demo", DEMO_PASS, store, &err) == FV_OK,
		"the demo store is made"))
		for (size_t i = 0; i < err.n; i++)
			printf("# %s\n", err.lines[i]);
	fv_errors_release(&err);

	*scripts = fv_xasprintf("%s/tests/ui/scripts", FV_SRCDIR);
	*names = NULL;
	*n = 0;
	if ((d = opendir(*scripts))) {
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t len = strlen(e->d_name);
			if (len > 5 && strcmp(e->d_name + len - 5, ".keys") == 0) {
				*names = fv_xgrow(*names, &cap, *n + 1, sizeof **names);
				(*names)[(*n)++] = fv_xstrndup(e->d_name, len - 5);
			}
		}
		closedir(d);
	}
	ok(*n > 0, "key scripts in %s", *scripts);
	qsort(*names, *n, sizeof **names, by_name);
	return 0;
}

/* What start made, freed and removed (unless FV_UI_KEEP is set). */
static void finish(const char *tmpl, char *fixture, char *store, char *scripts, char **names,
		   size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(scripts);
	free(store);
	free(fixture);
	if (!getenv("FV_UI_KEEP")) {
		char *cmd = fv_xasprintf("rm -rf '%s'", tmpl);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpl);
		free(cmd);
	}
}

int main(void)
{
	const char *only = getenv("FV_UI_ONLY"), *upd = getenv("FV_UPDATE_GOLDEN");
	int update = upd && strcmp(upd, "1") == 0;
	char tmpl[] = "/tmp/fvui.XXXXXX", *fixture, *scripts, *store = NULL;
	char **names = NULL;
	size_t n = 0;

	if (start(tmpl, &fixture, &store, &scripts, &names, &n) != 0)
		return 1;
	for (size_t i = 0; store && i < n; i++) {
		if (only && strcmp(only, names[i]) != 0)
			continue;
		char *path = fv_xasprintf("%s/%s.keys", scripts, names[i]);
		for (int z = 0; z < 2; z++) {
			run_script(tmpl, fixture, names[i], path, z, "zh", update);
			run_script(tmpl, fixture, names[i], path, z, "en", update);
		}
		free(path);
	}
	finish(tmpl, fixture, store, scripts, names, n);
	return done_testing();
}
