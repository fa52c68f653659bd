/*
 * fieldvisit screens: sync.  Bundles on a USB stick (DESIGN.md section 5):
 * write the bundle this store owes (fv_sync_export), read the bundles of
 * a folder (fv_sync_import, one or all), and the history of bundles
 * written and read (fv_store_bundle_log_list) with the conflicts kept
 * (fv_store_sync_conflicts).
 *
 * The folder is, until the user chooses another (the folder screen, also
 * here), the first mounted removable drive: a folder that is a mount point
 * under /media/$USER, /media or /run/media/$USER; with FIELDVISIT_MEDIA_DIR
 * set, every folder in that one counts as a drive (tests, or a machine
 * that mounts sticks elsewhere).  A folder that is missing is said so, in
 * place; nothing waits for a drive to appear.
 *
 * Export and import run synchronously; their progress callback draws the
 * bar through the frame (ui_flush), so a large bundle shows it moving.
 * What they did, and every problem as the sync functions word it (one
 * line each), stays on the screen as the report until the next action.
 */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "fieldvisit/sync.h"
#include "ui_internal.h"

enum { G_FILE, G_LOG, G_CONFLICT, G_NONE };
enum { T_FILE = 1 };

static const ui_col file_cols[] = {
	{UI_S_SYNC_COL_FILE, 0, 0, 0, 0},
	{UI_S_SYNC_COL_SIZE, 0, 12, 1, 0},
};
static const ui_col log_cols[] = {
	{UI_S_SYNC_COL_WHEN, 0, 16, 0, 0},
	{UI_S_SYNC_COL_WAY, 0, 10, 0, 0},
	{UI_S_SYNC_COL_KIND, 0, 10, 0, 0},
	{UI_S_SYNC_COL_SEQ, 0, 6, 1, 0},
	{UI_S_SYNC_COL_PEER, 0, 16, 0, 0},
	{UI_S_SYNC_COL_STATE, 0, 0, 0, 0},
};
static const ui_col conflict_cols[] = {
	{UI_S_SYNC_COL_WHEN, 0, 16, 0, 0},
	{UI_S_SYNC_COL_TABLE, 0, 8, 0, 0},
	{UI_S_SYNC_COL_PEER, 0, 12, 0, 0},
	{UI_S_SYNC_COL_WHY, 0, 0, 0, 0},
};
static const ui_col none_cols[] = {{UI_NSTR, 0, 0, 0, 0}};

/* A line of the report: what the last write or read did. */
typedef struct line {
	char *text;
	int error;
} line;

typedef struct sync_scr {
	ui *u;
	char *dir;                 /* the folder; NULL when no drive was found */
	char *roots;               /* where drives were looked for, for the words */
	char dir_error[UI_MSG_MAX];/* the folder cannot be read: why */
	char load_error[UI_MSG_MAX];
	ui_list list;
	char **files;              /* the bundle files of dir, by name */
	size_t nfiles;
	line *report;
	size_t nreport, capreport;
	/* progress, while a bundle is written or read */
	int busy;
	char phase[32];
	uint64_t done, total;
	int pct;
	char *doing;               /* the file being read */
} sync_scr;

/* ------------------------------------------------------------------ */
/* Drives                                                              */

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void drives_free(char **drives, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(drives[i]);
	free(drives);
}

/* The folders of root that are drives (every one with any 1, else the
 * mount points: another device than root's), by name, appended. */
static void drives_in(const char *root, int any, char ***out, size_t *n, size_t *cap)
{
	struct stat rs, ss;
	DIR *dp;
	struct dirent *e;
	char **found = NULL;
	size_t nf = 0, capf = 0;
	if (stat(root, &rs) != 0 || !S_ISDIR(rs.st_mode) || !(dp = opendir(root)))
		return;
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = fv_xasprintf("%s/%s", root, e->d_name);
		if (stat(p, &ss) == 0 && S_ISDIR(ss.st_mode) && (any || ss.st_dev != rs.st_dev)) {
			found = fv_xgrow(found, &capf, nf + 1, sizeof *found);
			found[nf++] = p;
		} else {
			free(p);
		}
	}
	closedir(dp);
	if (nf)
		qsort(found, nf, sizeof *found, by_str);
	for (size_t i = 0; i < nf; i++) {
		*out = fv_xgrow(*out, cap, *n + 1, sizeof **out);
		(*out)[(*n)++] = found[i];
	}
	free(found);
}

static char *media_roots(void)
{
	const char *env = getenv("FIELDVISIT_MEDIA_DIR");
	if (env && *env)
		return fv_xstrdup(env);
	const char *user = getenv("USER");
	struct passwd *pw;
	if ((!user || !*user) && (pw = getpwuid(getuid())))
		user = pw->pw_name;
	if (!user || !*user)
		return fv_xstrdup("/media");
	return fv_xasprintf("/media/%s, /media, /run/media/%s", user, user);
}

static void drives(char ***out, size_t *n)
{
	const char *env = getenv("FIELDVISIT_MEDIA_DIR");
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (env && *env) {
		drives_in(env, 1, out, n, &cap);
		return;
	}
	const char *user = getenv("USER");
	struct passwd *pw;
	if ((!user || !*user) && (pw = getpwuid(getuid())))
		user = pw->pw_name;
	if (user && *user) {
		char *p = fv_xasprintf("/media/%s", user);
		drives_in(p, 0, out, n, &cap);
		free(p);
	}
	drives_in("/media", 0, out, n, &cap);
	if (user && *user) {
		char *p = fv_xasprintf("/run/media/%s", user);
		drives_in(p, 0, out, n, &cap);
		free(p);
	}
}

/* ------------------------------------------------------------------ */
/* The progress bar                                                    */

void ui_progress_bar(uint64_t done, uint64_t total, int width, fv_buf *out)
{
	int pct = total ? (int)(done >= total ? 100 : done * 100 / total) : 0;
	int inside = width - 7;   /* "[" bar "] " and "100%" */
	if (inside < 1) {
		fv_buf_addf(out, "%3d%%", pct);
		return;
	}
	int full = total ? (int)(done >= total ? inside : (int)(done * (uint64_t)inside / total)) : 0;
	fv_buf_add(out, "[", 1);
	for (int i = 0; i < inside; i++)
		fv_buf_add(out, i < full ? "#" : ".", 1);
	fv_buf_addf(out, "] %3d%%", pct);
}

static void progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
	sync_scr *d = ctx;
	int pct = total ? (int)(done >= total ? 100 : done * 100 / total) : 0;
	/* draw when the phase or the percentage changes, not at every chunk */
	if (strcmp(d->phase, phase) == 0 && pct == d->pct)
		return;
	snprintf(d->phase, sizeof d->phase, "%s", phase);
	d->done = done;
	d->total = total;
	d->pct = pct;
	ui_flush(d->u);
}

static const char *phase_word(const ui *u, const char *phase)
{
	static const struct {
		const char *code;
		ui_str s;
	} words[] = {
		{"writing", UI_S_SYNC_PHASE_WRITING},
		{"verifying", UI_S_SYNC_PHASE_VERIFYING},
		{"reading", UI_S_SYNC_PHASE_READING},
		{"importing", UI_S_SYNC_PHASE_IMPORTING},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i].code, phase) == 0)
			return ui_tr(u, words[i].s);
	return phase;
}

/* ------------------------------------------------------------------ */
/* The report                                                          */

static void report_clear(sync_scr *d)
{
	for (size_t i = 0; i < d->nreport; i++)
		free(d->report[i].text);
	d->nreport = 0;
}

static void report_add(sync_scr *d, int error, char *text)
{
	d->report = fv_xgrow(d->report, &d->capreport, d->nreport + 1, sizeof *d->report);
	d->report[d->nreport++] = (line){text, error};
}

static void report_errors(sync_scr *d, const fv_errors *err, int error)
{
	for (size_t i = 0; i < err->n; i++)
		report_add(d, error, fv_xstrdup(err->lines[i]));
}

static const char *kind_word(const ui *u, const char *kind)
{
	if (strcmp(kind, "hello") == 0)
		return ui_tr(u, UI_S_SYNC_KIND_HELLO);
	if (strcmp(kind, "up") == 0)
		return ui_tr(u, UI_S_SYNC_KIND_UP);
	if (strcmp(kind, "down") == 0)
		return ui_tr(u, UI_S_SYNC_KIND_DOWN);
	return kind;
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

static int is_bundle_name(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".fvb") == 0;
}

static void files_free(sync_scr *d)
{
	for (size_t i = 0; i < d->nfiles; i++)
		free(d->files[i]);
	free(d->files);
	d->files = NULL;
	d->nfiles = 0;
}

/* The bundle files of the folder, by name: the name of an export sorts a
 * sender's bundles in order, and hellos before up-bundles. */
static void read_folder(sync_scr *d)
{
	struct stat sb;
	DIR *dp;
	struct dirent *e;
	size_t cap = 0;
	files_free(d);
	d->dir_error[0] = '\0';
	if (!d->dir)
		return;
	if (stat(d->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		char *t = stat(d->dir, &sb) != 0 && errno == ENOENT
				  ? ui_trf(d->u, UI_S_SYNC_NO_FOLDER, d->dir, NULL)
				  : ui_trf(d->u, UI_S_SYNC_NOT_FOLDER, d->dir, NULL);
		snprintf(d->dir_error, sizeof d->dir_error, "%s", t);
		free(t);
		return;
	}
	if (!(dp = opendir(d->dir))) {
		snprintf(d->dir_error, sizeof d->dir_error, "%s: %s", d->dir, strerror(errno));
		return;
	}
	while ((e = readdir(dp))) {
		if (!is_bundle_name(e->d_name))
			continue;
		d->files = fv_xgrow(d->files, &cap, d->nfiles + 1, sizeof *d->files);
		d->files[d->nfiles++] = fv_xstrdup(e->d_name);
	}
	closedir(dp);
	if (d->nfiles)
		qsort(d->files, d->nfiles, sizeof *d->files, by_str);
}

static void heading(sync_scr *d, ui_str s, size_t n)
{
	char num[24];
	snprintf(num, sizeof num, "%zu", n);
	const char *cell = ui_list_keep(&d->list, ui_trf(d->u, s, num, NULL));
	if (d->list.n)
		ui_list_add(&d->list, d->u, UI_ROW_TEXT, G_NONE, 0, NULL, NULL, 0);
	ui_list_add(&d->list, d->u, UI_ROW_HEADING, G_NONE, 0, NULL, &cell, 1);
}

static void none(sync_scr *d, ui_str s)
{
	const char *cell = ui_tr(d->u, s);
	ui_list_add(&d->list, d->u, UI_ROW_TEXT, G_NONE, 0, NULL, &cell, 1)->attr = UI_DIM;
}

/* "2026-11-23T10:00:00Z" as "2026-11-23 10:00" */
static char *when(const char *t)
{
	char *s = fv_xasprintf("%.16s", t);
	if (strlen(s) > 10 && s[10] == 'T')
		s[10] = ' ';
	return s;
}

static void add_files(sync_scr *d)
{
	heading(d, UI_S_SYNC_FILES, d->nfiles);
	if (!d->dir || d->dir_error[0] || !d->nfiles) {
		none(d, d->dir && !d->dir_error[0] ? UI_S_SYNC_NO_FILES : UI_S_TODAY_NONE);
		return;
	}
	ui_list_add(&d->list, d->u, UI_ROW_TITLES, G_FILE, 0, NULL, NULL, 0);
	for (size_t i = 0; i < d->nfiles; i++) {
		struct stat sb;
		char *p = fv_xasprintf("%s/%s", d->dir, d->files[i]);
		/* in KiB, rounded up: the bytes of a small bundle vary with how
		 * well its random ids compress */
		char *size = stat(p, &sb) == 0
				     ? fv_xasprintf("%lld", ((long long)sb.st_size + 1023) / 1024)
				     : fv_xstrdup("?");
		const char *cells[] = {d->files[i], ui_list_keep(&d->list, size)};
		ui_list_add(&d->list, d->u, UI_ROW_ITEM, G_FILE, T_FILE, d->files[i], cells, 2);
		free(p);
	}
}

static fv_status add_log(sync_scr *d, fv_errors *err)
{
	ui *u = d->u;
	fv_bundle_log *l;
	size_t n;
	fv_status st = fv_store_bundle_log_list(u->store, &l, &n, err);
	if (st != FV_OK)
		return st;
	heading(d, UI_S_SYNC_HISTORY, n);
	if (n)
		ui_list_add(&d->list, u, UI_ROW_TITLES, G_LOG, 0, NULL, NULL, 0);
	else
		none(d, UI_S_SYNC_NO_HISTORY);
	/* the newest first */
	for (size_t k = n; k-- > 0;) {
		int read = strcmp(l[k].direction, "read") == 0;
		ui_str state = read ? UI_S_SYNC_STATE_IMPORTED
			       : l[k].acked ? UI_S_SYNC_STATE_ACKED : UI_S_SYNC_STATE_WRITTEN;
		const char *cells[] = {
			ui_list_keep(&d->list, when(l[k].logged_at)),
			ui_tr(u, read ? UI_S_SYNC_WAY_IN : UI_S_SYNC_WAY_OUT),
			kind_word(u, l[k].kind),
			ui_list_keep(&d->list, fv_xasprintf("%lld", (long long)l[k].sender_seq)),
			l[k].peer,
			ui_tr(u, state),
		};
		ui_list_add(&d->list, u, UI_ROW_TEXT, G_LOG, 0, NULL, cells, 6);
	}
	fv_bundle_log_list_free(l, n);
	return FV_OK;
}

static fv_status add_conflicts(sync_scr *d, fv_errors *err)
{
	ui *u = d->u;
	fv_conflict *c;
	size_t n;
	fv_status st = fv_store_sync_conflicts(u->store, &c, &n, err);
	if (st != FV_OK)
		return st;
	if (n) {
		heading(d, UI_S_SYNC_CONFLICTS, n);
		ui_list_add(&d->list, u, UI_ROW_TITLES, G_CONFLICT, 0, NULL, NULL, 0);
	}
	for (size_t k = n; k-- > 0;) {
		const char *cells[] = {
			ui_list_keep(&d->list, when(c[k].logged_at)),
			c[k].tbl, c[k].sender, c[k].reason,
		};
		ui_list_add(&d->list, u, UI_ROW_TEXT, G_CONFLICT, 0, NULL, cells, 4);
	}
	fv_conflict_list_free(c, n);
	return FV_OK;
}

static void sync_load(ui_screen *sc)
{
	sync_scr *d = sc->data;
	const ui_row *r = ui_list_current(&d->list);
	char *keep = r && r->id ? fv_xstrdup(r->id) : NULL;
	fv_errors err;
	fv_errors_init(&err);
	ui_list_reset(&d->list);
	d->load_error[0] = '\0';
	read_folder(d);
	add_files(d);
	fv_status st = add_log(d, &err);
	if (st == FV_OK)
		st = add_conflicts(d, &err);
	if (st != FV_OK)
		snprintf(d->load_error, sizeof d->load_error, "%s", err.n ? err.lines[0] : "");
	ui_list_select(&d->list, keep);
	free(keep);
	fv_errors_release(&err);
}

static void sync_drop(ui_screen *sc)
{
	sync_scr *d = sc->data;
	ui_list_reset(&d->list);
	/* the report names people's bundles and conflicts: not while locked */
	report_clear(d);
}

static void sync_open(ui_screen *sc, void *arg)
{
	sync_scr *d = fv_xcalloc(1, sizeof *d);
	char **found;
	size_t n;
	(void)arg;
	d->u = sc->u;
	ui_list_init(&d->list);
	d->list.groups[G_FILE] = (ui_cols){file_cols, 2};
	d->list.groups[G_LOG] = (ui_cols){log_cols, 6};
	d->list.groups[G_CONFLICT] = (ui_cols){conflict_cols, 4};
	d->list.groups[G_NONE] = (ui_cols){none_cols, 1};
	d->roots = media_roots();
	drives(&found, &n);
	if (n)
		d->dir = fv_xstrdup(found[0]);
	drives_free(found, n);
	sc->data = d;
}

static void sync_close(ui_screen *sc)
{
	sync_scr *d = sc->data;
	sync_drop(sc);
	ui_list_release(&d->list);
	files_free(d);
	free(d->report);
	free(d->dir);
	free(d->roots);
	free(d);
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */

static void sync_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	sync_scr *d = sc->data;
	int y = body->y, bottom = body->y + body->h;
	char *t;

	u->counts[0] = '\0';
	if (d->dir)
		t = ui_trf(u, UI_S_SYNC_FOLDER, d->dir, NULL);
	else
		t = ui_trf(u, UI_S_SYNC_NO_DRIVE, d->roots, NULL);
	ui_rect r = {y, body->x, 2, body->w};
	y += ui_wrapped(u, &r, 0, d->dir ? UI_HEADING : UI_ERROR, t) > 1 ? 2 : 1;
	free(t);
	if (d->dir_error[0]) {
		r = (ui_rect){y, body->x, 2, body->w};
		y += ui_wrapped(u, &r, 0, UI_ERROR, d->dir_error) > 1 ? 2 : 1;
	}
	if (d->busy) {
		fv_buf b;
		fv_buf_init(&b);
		fv_buf_addf(&b, "%s  ", phase_word(u, d->phase));
		if (d->doing)
			fv_buf_addf(&b, "%s  ", d->doing);
		int used = (int)ui_width(b.s);
		ui_text(u, y, body->x, used, UI_NORMAL, b.s);
		fv_buf_release(&b);
		fv_buf_init(&b);
		ui_progress_bar(d->done, d->total, body->w - used > 60 ? 60 : body->w - used, &b);
		ui_text(u, y, body->x + used, body->w - used, UI_HEADING, b.s);
		fv_buf_release(&b);
		y++;
	}
	/* the report: at most half of the body, each line wrapped */
	int cap = y + (bottom - y) / 2;
	for (size_t i = 0; i < d->nreport && y < cap; i++) {
		ui_lines l;
		ui_lines_init(&l);
		ui_wrap(d->report[i].text, (size_t)body->w, &l);
		int need = (int)l.n ? (int)l.n : 1;
		ui_lines_release(&l);
		if (y + need > cap || (i + 1 < d->nreport && y + need == cap)) {
			char more[24];
			snprintf(more, sizeof more, "%zu", d->nreport - i);
			t = ui_trf(u, UI_S_SYNC_MORE, more, NULL);
			ui_text(u, y++, body->x, body->w, UI_DIM, t);
			free(t);
			break;
		}
		r = (ui_rect){y, body->x, need, body->w};
		ui_wrapped(u, &r, 0, d->report[i].error ? UI_ERROR : UI_NORMAL, d->report[i].text);
		y += need;
	}
	if (d->load_error[0]) {
		t = ui_trf(u, UI_S_HOME_LOAD_FAILED, d->load_error, NULL);
		r = (ui_rect){y + 1, body->x, bottom - y - 1, body->w};
		ui_wrapped(u, &r, 0, UI_ERROR, t);
		free(t);
		return;
	}
	if (bottom - y - 1 > 0) {
		r = (ui_rect){y + 1, body->x, bottom - y - 1, body->w};
		ui_list_draw(u, &d->list, &r);
	}
}

/* ------------------------------------------------------------------ */
/* Writing and reading                                                 */

static void write_bundle(sync_scr *d)
{
	ui *u = d->u;
	fv_sync_file *files;
	size_t n;
	fv_errors err;
	fv_sync_options o = {progress, d, NULL, -1, 0};

	report_clear(d);
	if (!d->dir) {
		report_add(d, 1, ui_trf(u, UI_S_SYNC_CHOOSE_FIRST, NULL));
		return;
	}
	fv_errors_init(&err);
	d->busy = 1;
	d->phase[0] = '\0';
	d->pct = -1;
	d->done = d->total = 0;
	fv_status st = fv_sync_export(u->store, d->dir, &o, &files, &n, &err);
	d->busy = 0;
	if (st == FV_OK) {
		for (size_t i = 0; i < n; i++) {
			char seq[24], recs[24];
			snprintf(seq, sizeof seq, "%llu", (unsigned long long)files[i].seq);
			snprintf(recs, sizeof recs, "%zu", files[i].records);
			report_add(d, 0, ui_trf(u, UI_S_SYNC_WRITTEN, files[i].path,
						kind_word(u, fv_bundle_kind_name(files[i].kind)), seq,
						files[i].peer, recs, NULL));
		}
		if (!n)
			report_add(d, 0, ui_trf(u, UI_S_SYNC_NOTHING, NULL));
		fv_sync_files_free(files, n);
	} else {
		if (st == FV_EUSAGE)
			report_add(d, 1, ui_trf(u, UI_S_SYNC_NO_TEAM, NULL));
		report_errors(d, &err, 1);
	}
	fv_errors_release(&err);
}

static void read_one(sync_scr *d, const char *name)
{
	ui *u = d->u;
	fv_sync_report rep;
	fv_errors err;
	fv_sync_options o = {progress, d, NULL, fv_rules_retention_days(u->rules), 0};
	char *path = fv_xasprintf("%s/%s", d->dir, name);

	fv_errors_init(&err);
	memset(&rep, 0, sizeof rep);
	d->busy = 1;
	d->doing = (char *)name;
	d->phase[0] = '\0';
	d->pct = -1;
	d->done = d->total = 0;
	fv_status st = fv_sync_import(u->store, path, &o, &rep, &err);
	d->busy = 0;
	d->doing = NULL;
	if (st == FV_OK) {
		char n[8][24];
		size_t v[8] = {rep.records, rep.added, rep.same, rep.older, rep.conflicts,
			       rep.receipts, rep.reviews, rep.pruned};
		for (int i = 0; i < 8; i++)
			snprintf(n[i], sizeof n[i], "%zu", v[i]);
		char seq[24];
		snprintf(seq, sizeof seq, "%llu", (unsigned long long)rep.seq);
		if (rep.kind == FV_BUNDLE_HELLO)
			report_add(d, 0, ui_trf(u, UI_S_SYNC_ENROLLED, name, rep.sender, rep.fingerprint,
						NULL));
		else
		{
			char *counts = ui_trf(u, UI_S_SYNC_COUNTS, n[0], n[1], n[2], n[3], n[4], n[5],
					      n[6], NULL);
			report_add(d, 0, ui_trf(u, UI_S_SYNC_IMPORTED, name,
						kind_word(u, fv_bundle_kind_name(rep.kind)), seq,
						rep.sender, counts, NULL));
			free(counts);
		}
		if (rep.pruned)
			report_add(d, 0, ui_trf(u, UI_S_SYNC_PRUNED, n[7], NULL));
		/* gaps, forks and each conflict kept, as the import words them */
		report_errors(d, &rep.notes, 1);
	} else {
		report_errors(d, &err, 1);
	}
	fv_sync_report_release(&rep);
	fv_errors_release(&err);
	free(path);
}

static void read_bundles(sync_scr *d, const char *only)
{
	report_clear(d);
	if (only) {
		read_one(d, only);
		return;
	}
	/* the file names before any import: the list is read again after */
	char **names = fv_xcalloc(d->nfiles ? d->nfiles : 1, sizeof *names);
	size_t n = d->nfiles;
	for (size_t i = 0; i < n; i++)
		names[i] = fv_xstrdup(d->files[i]);
	for (size_t i = 0; i < n; i++) {
		read_one(d, names[i]);
		free(names[i]);
	}
	free(names);
}

static int sync_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	sync_scr *d = sc->data;
	const ui_row *r = ui_list_current(&d->list);
	(void)key;
	if (ui_list_key(&d->list, act))
		return 1;
	switch (act) {
	case UI_ACT_SYNC_WRITE:
		write_bundle(d);
		sync_load(sc);
		return 1;
	case UI_ACT_OK:
		if (r && r->tag == T_FILE) {
			char *name = fv_xstrdup(r->id);
			read_bundles(d, name);
			free(name);
			sync_load(sc);
		}
		return 1;
	case UI_ACT_SYNC_READ_ALL:
		if (d->nfiles) {
			read_bundles(d, NULL);
			sync_load(sc);
		}
		return 1;
	case UI_ACT_SYNC_FOLDER:
		ui_push(u, &ui_scr_folder, d->dir);
		return 1;
	default:
		return 0;
	}
}

static int sync_can(ui_screen *sc, ui_action act)
{
	sync_scr *d = sc->data;
	const ui_row *r = ui_list_current(&d->list);
	if (act == UI_ACT_OK)
		return r && r->tag == T_FILE;
	if (act == UI_ACT_SYNC_READ_ALL)
		return d->nfiles > 0;
	if (act == UI_ACT_SYNC_WRITE)
		return d->dir != NULL;
	return 1;
}

const ui_screen_ops ui_scr_sync = {
	.id = UI_SCR_SYNC,
	.open = sync_open,
	.load = sync_load,
	.drop = sync_drop,
	.draw = sync_draw,
	.key = sync_key,
	.can = sync_can,
	.close = sync_close,
};

static void set_folder(ui *u, const char *dir)
{
	for (int i = u->depth - 1; i >= 0; i--)
		if (u->stack[i].ops == &ui_scr_sync) {
			sync_scr *d = u->stack[i].data;
			free(d->dir);
			d->dir = fv_xstrdup(dir);
			report_clear(d);
			return;
		}
}

/* ------------------------------------------------------------------ */
/* The folder: type a path, or take a drive found                       */

typedef struct folder {
	ui_field path;
	char **drives;
	size_t ndrives;
	size_t cur;          /* the drive chosen with Up/Down; ndrives: none */
	char *roots;
	char error[UI_MSG_MAX];
} folder;

static void field_set(ui_field *f, const char *s)
{
	ui_field_clear(f);
	while (s && *s) {
		uint32_t cp;
		size_t k = fv_utf8_decode(s, strlen(s), &cp);
		(void)ui_field_key(f, (int)cp, UI_ACT_NONE);
		s += k ? k : 1;
	}
}

static void folder_open(ui_screen *sc, void *arg)
{
	folder *d = fv_xcalloc(1, sizeof *d);
	ui_field_init(&d->path, 0);
	field_set(&d->path, arg);
	drives(&d->drives, &d->ndrives);
	d->cur = d->ndrives;
	for (size_t i = 0; arg && i < d->ndrives; i++)
		if (strcmp(d->drives[i], arg) == 0)
			d->cur = i;
	d->roots = media_roots();
	sc->data = d;
}

static void folder_close(ui_screen *sc)
{
	folder *d = sc->data;
	ui_field_release(&d->path);
	drives_free(d->drives, d->ndrives);
	free(d->roots);
	free(d);
}

static void folder_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	folder *d = sc->data;
	int y = body->y;
	ui_rect r = {y, body->x, 2, body->w};
	y += ui_wrapped(u, &r, 0, UI_NORMAL, ui_tr(u, UI_S_SYNC_FOLDER_HOW)) > 1 ? 3 : 2;
	ui_field_draw(u, &d->path, y, body->x, body->w, ui_tr(u, UI_S_SYNC_FOLDER_LABEL), 1);
	y += 1;
	if (d->error[0]) {
		r = (ui_rect){y, body->x, 2, body->w};
		y += ui_wrapped(u, &r, 0, UI_ERROR, d->error) > 1 ? 2 : 1;
	}
	y += 1;
	char *t = ui_trf(u, UI_S_SYNC_DRIVES, d->roots, NULL);
	ui_text(u, y++, body->x, body->w, UI_HEADING, t);
	free(t);
	if (!d->ndrives)
		ui_text(u, y, body->x, body->w, UI_DIM, ui_tr(u, UI_S_TODAY_NONE));
	for (size_t i = 0; i < d->ndrives && y < body->y + body->h; i++)
	{
		ui_text(u, y, body->x - 2, 2, UI_NORMAL, i == d->cur ? ">" : "");
		ui_text(u, y++, body->x, body->w, i == d->cur ? UI_SELECTED : UI_NORMAL,
			d->drives[i]);
	}
}

static int folder_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	folder *d = sc->data;
	struct stat sb;
	switch (act) {
	case UI_ACT_UP:
	case UI_ACT_DOWN:
		if (!d->ndrives)
			return 1;
		if (d->cur == d->ndrives)
			d->cur = act == UI_ACT_UP ? d->ndrives - 1 : 0;
		else if (act == UI_ACT_UP)
			d->cur = d->cur ? d->cur - 1 : d->ndrives - 1;
		else
			d->cur = (d->cur + 1) % d->ndrives;
		field_set(&d->path, d->drives[d->cur]);
		d->error[0] = '\0';
		return 1;
	case UI_ACT_OK: {
		d->error[0] = '\0';
		if (!d->path.len) {
			char *t = ui_trf(u, UI_S_SYNC_FOLDER_EMPTY, NULL);
			snprintf(d->error, sizeof d->error, "%s", t);
			free(t);
			return 1;
		}
		/* one stat: a missing folder is said at once, never waited for */
		int rc = stat(d->path.text, &sb);
		if (rc != 0 || !S_ISDIR(sb.st_mode)) {
			char *t = rc != 0 && errno == ENOENT
					  ? ui_trf(u, UI_S_SYNC_NO_FOLDER, d->path.text, NULL)
				  : rc != 0 ? fv_xasprintf("%s: %s", d->path.text, strerror(errno))
					    : ui_trf(u, UI_S_SYNC_NOT_FOLDER, d->path.text, NULL);
			snprintf(d->error, sizeof d->error, "%s", t);
			free(t);
			return 1;
		}
		char *dir = fv_xstrdup(d->path.text);
		set_folder(u, dir);
		free(dir);
		ui_pop(u);
		return 1;
	}
	default:
		if (ui_field_key(&d->path, key, act)) {
			d->error[0] = '\0';
			d->cur = d->ndrives;
			return 1;
		}
		return 0;
	}
}

static int folder_can(ui_screen *sc, ui_action act)
{
	folder *d = sc->data;
	return (act != UI_ACT_UP && act != UI_ACT_DOWN) || d->ndrives > 0;
}

const ui_screen_ops ui_scr_folder = {
	.id = UI_SCR_FOLDER,
	.open = folder_open,
	.draw = folder_draw,
	.key = folder_key,
	.can = folder_can,
	.close = folder_close,
};
