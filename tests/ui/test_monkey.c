/*
 * Random keys on every screen (TAP): the headless screens of
 * tests/ui/test_screens.c driven by a seeded monkey instead of a script.
 *
 * Each key script of tests/ui/scripts/ is a way into a screen (and brings
 * its set-up: the demo store, 王芳's worker store, 张主任's supervisor
 * store, the sync drives).  For every script, in Chinese and in English, a
 * session runs from the end of the script and one from just after each of
 * its dumps (a screen its author thought worth a look; dumps are not
 * compared), so that every screen the scripts show gets random keys; the
 * keys are shared out evenly between the sessions.  A short run (fewer than
 * 20,000 keys, as in make check) starts from the end and from one dump of
 * each script only: replaying the scripts is most of its time.  The keys
 * are mostly the keys the action table binds on the screen on top, digits,
 * Enter, Esc, arrows and the other editing keys, letters and Chinese
 * characters, F-keys, unknown keys, time passing (the idle lock), and
 * resizes (also below 80x24).  On a lock or unlock screen the monkey sometimes types a
 * passphrase it knows (the demo's, or the one settings.keys sets), so that
 * it does not spend its keys there.  When the program quits, it is started
 * again on the same store with the keys that are left.
 *
 * After each session the store is opened again and must be consistent:
 * SQLite's integrity check over every decrypted page, every visit readable
 * with answers that parse, every visit past the draft with its visit date
 * and submission time, and no visit half submitted (the forms of one visit,
 * same person and check-in, are all drafts or all past the draft).  In a
 * run from every dump, every screen must have had keys, in each language.
 *
 *   FV_MONKEY_KEYS   random keys in all (default 3000; `make monkey` 100000)
 *   FV_MONKEY_SEED   the seed (default 20261123; printed first)
 *   FV_MONKEY_ALL    1: from every dump (the default from 20,000 keys), 0: not
 *   FV_MONKEY_ONLY   one script's sessions only
 *
 * The set-up code is test_screens.c's own: it is included here, its main
 * renamed, so that both tests make the same stores the same way.
 */
#define main test_screens_main
int test_screens_main(void);
#include "test_screens.c"
#undef main

#include "fieldvisit/store.h"
#include "fieldvisit/forms.h"

static const char *const passphrases[] = {DEMO_PASS, "new-passphrase-1"};

typedef struct monkey {
	ui_input in;          /* first: the framework calls in.next */
	char **tok;           /* the script's tokens before the cut */
	size_t ntok, pos;
	const char *text;     /* characters still to type */
	char typed[64];       /* the passphrase being typed */
	int enter;            /* 1 while typing it: Enter follows */
	uint64_t rng;
	long left;            /* random keys still to give */
	long keys, helper;    /* random keys given; keys typed to unlock */
	int unlock_tries;     /* passphrases typed since the last other screen */
	unsigned seen;        /* UI_ON(screen) of the screens that had keys */
	fv_buf stuck;         /* the screen it could not unlock */
} monkey;

static uint32_t rnd(monkey *m)
{
	/* xorshift64*: the same keys for the same seed on every machine */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return (uint32_t)((m->rng * 2685821657736338717ull) >> 32);
}

static uint32_t below(monkey *m, uint32_t n)
{
	return n ? rnd(m) % n : 0;
}

/* A key the action table binds on screen id, or 0. */
static int bound_key(monkey *m, ui_screen_id id)
{
	size_t n, count = 0;
	const ui_binding *b = ui_bindings(&n);
	for (size_t i = 0; i < n; i++)
		if (b[i].screens & UI_ON(id))
			for (int k = 0; k < 4 && b[i].keys[k]; k++)
				count++;
	if (!count)
		return 0;
	size_t pick = below(m, (uint32_t)count);
	for (size_t i = 0; i < n; i++)
		if (b[i].screens & UI_ON(id))
			for (int k = 0; k < 4 && b[i].keys[k]; k++)
				if (pick-- == 0)
					return b[i].keys[k];
	return 0;
}

static int random_key(monkey *m, ui *u, ui_screen_id id)
{
	static const int edit[] = {UI_K_ENTER, UI_K_ESC, UI_K_TAB, UI_K_BTAB, UI_K_BACKSPACE,
				   UI_K_DELETE, UI_K_UP, UI_K_DOWN, UI_K_LEFT, UI_K_RIGHT,
				   UI_K_HOME, UI_K_END, UI_K_PGUP, UI_K_PGDN, ' ',
				   UI_CTRL('u'), UI_CTRL('l'), UI_CTRL('a'), UI_CTRL('e')};
	static const int hanzi[] = {0x5f20, 0x738b, 0x674e, 0x8001, 0x6751, 0x75c5,
				    0x4e09, 0x3002, 0xff0c, 0x00e9, 0x1f600};
	static const struct {
		int cols, rows;
	} sizes_[] = {{80, 24}, {132, 43}, {100, 30}, {60, 20}, {80, 10}, {200, 60}};
	uint32_t r = below(m, 1000);
	int key;
	if (r < 330) {
		key = bound_key(m, id);
		if (key)
			return key;
		r = 330;
	}
	if (r < 480)
		return '0' + (int)below(m, 10);
	if (r < 560)
		return UI_K_ENTER;
	if (r < 610)
		return UI_K_ESC;
	if (r < 780)
		return edit[below(m, sizeof edit / sizeof *edit)];
	if (r < 880) {
		/* printable ASCII; on the folder screen no path out of the run's
		 * folder ('/', '~', '.'), since exports write there */
		do
			key = 0x21 + (int)below(m, 0x7f - 0x21);
		while (id == UI_SCR_FOLDER && (key == '/' || key == '~' || key == '.'));
		return key;
	}
	if (r < 940)
		return hanzi[below(m, sizeof hanzi / sizeof *hanzi)];
	if (r < 965)
		return UI_K_F(1 + (int)below(m, 12));
	if (r < 975)
		return UI_K_UNKNOWN;
	if (r < 985) {
		int i = (int)below(m, sizeof sizes_ / sizeof *sizes_);
		ui_resize(u, sizes_[i].rows, sizes_[i].cols);
		return UI_K_RESIZE;
	}
	/* time passes: now and then past the idle lock */
	fv_clock_set(fv_clock_now() + (double)(1 + below(m, below(m, 4) ? 120 : 1200)));
	return UI_K_TICK;
}

static int monkey_next(ui_input *in, ui *u)
{
	monkey *m = (monkey *)in;
	for (;;) {
		if (m->text && *m->text) {
			uint32_t cp;
			m->text += fv_utf8_decode(m->text, strlen(m->text), &cp);
			m->helper += m->enter;
			return (int)cp;
		}
		m->text = NULL;
		if (m->enter) {   /* a passphrase typed: Enter */
			m->enter = 0;
			m->helper++;
			return UI_K_ENTER;
		}
		if (m->pos < m->ntok) {   /* the script up to the cut */
			const char *t = m->tok[m->pos++];
			int key, cols, rows;
			long secs;
			if (strncmp(t, "text:", 5) == 0) {
				m->text = t + 5;
			} else if (strncmp(t, "wait:", 5) == 0 && fv_parse_long(t + 5, &secs)) {
				fv_clock_set(fv_clock_now() + (double)secs);
				return UI_K_TICK;
			} else if (sscanf(t, "resize:%dx%d", &cols, &rows) == 2) {
				ui_resize(u, rows, cols);
				return UI_K_RESIZE;
			} else if ((key = ui_key_parse(t))) {
				return key;
			}
			continue;   /* dump: is not compared here */
		}
		if (m->left <= 0)
			return UI_K_EOF;
		ui_screen_id id = ui_top(u)->ops->id;
		fv_clock_set(fv_clock_now() + 2);   /* a person types: time moves */
		if ((id == UI_SCR_UNLOCK || id == UI_SCR_LOCK) && below(m, 4) == 0) {
			if (m->unlock_tries > 6) {   /* a passphrase the monkey does not know */
				if (!m->stuck.len)
					ui_dump(u, &m->stuck);
				return UI_K_EOF;
			}
			m->unlock_tries++;
			snprintf(m->typed, sizeof m->typed, "%s",
				 passphrases[m->unlock_tries % 2]);
			m->text = m->typed;
			m->enter = 1;
			m->helper++;
			return UI_CTRL('u');
		}
		if (id != UI_SCR_UNLOCK && id != UI_SCR_LOCK)
			m->unlock_tries = 0;
		m->seen |= UI_ON(id);
		m->left--;
		m->keys++;
		return random_key(m, u, id);
	}
}

/* Open the store at path (with a passphrase the monkey knows) and check
 * that it is consistent; one TAP line. */
static void check_store(const char *path, const char *what)
{
	fv_store *s = NULL;
	fv_errors err;
	fv_status st = FV_EPASS;
	fv_visit *v = NULL;
	size_t n = 0;
	int bad = 0;
	char why[512] = "";

	fv_errors_init(&err);
	for (size_t i = 0; st == FV_EPASS && i < sizeof passphrases / sizeof *passphrases; i++) {
		fv_errors_release(&err);
		fv_errors_init(&err);
		st = fv_store_open(path, passphrases[i], &s, &err);
	}
	if (st != FV_OK) {
		snprintf(why, sizeof why, "open: %s", err.n ? err.lines[0] : "?");
		bad = 1;
	} else if (fv_store_integrity(s, &err) != FV_OK) {
		snprintf(why, sizeof why, "integrity: %s", err.n ? err.lines[0] : "?");
		bad = 1;
	} else if (fv_visit_list(s, NULL, &v, &n, &err) != FV_OK) {
		snprintf(why, sizeof why, "visit list: %s", err.n ? err.lines[0] : "?");
		bad = 1;
	}
	for (size_t i = 0; !bad && i < n; i++) {
		fv_visit full;
		fv_answers a = {0};
		if (fv_visit_get(s, v[i].id, 0, &full, &err) != FV_OK) {
			snprintf(why, sizeof why, "visit %s: %s", v[i].id, err.n ? err.lines[0] : "?");
			bad = 1;
			break;
		}
		if (fv_answers_parse(v[i].id, full.answers, strlen(full.answers), &a, &err) !=
		    FV_OK) {
			snprintf(why, sizeof why, "visit %s: answers: %s", v[i].id,
				 err.n ? err.lines[0] : "?");
			bad = 1;
		} else if (full.state != FV_VISIT_DRAFT &&
			   (!full.visit_date || !*full.visit_date || !full.submitted_at)) {
			snprintf(why, sizeof why, "visit %s: %s without a visit date", v[i].id,
				 fv_visit_state_name(full.state));
			bad = 1;
		}
		fv_answers_release(&a);
		fv_visit_release(&full);
		/* the forms of one visit: all drafts, or all submitted */
		for (size_t j = i + 1; !bad && j < n; j++)
			if (v[i].checkin && v[j].checkin && strcmp(v[i].checkin, v[j].checkin) == 0 &&
			    strcmp(v[i].person, v[j].person) == 0 &&
			    (v[i].state == FV_VISIT_DRAFT) != (v[j].state == FV_VISIT_DRAFT)) {
				snprintf(why, sizeof why, "visit of %s at %s half submitted: %s %s, %s %s",
					 v[i].person, v[i].checkin, v[i].form_id,
					 fv_visit_state_name(v[i].state), v[j].form_id,
					 fv_visit_state_name(v[j].state));
				bad = 1;
			}
	}
	ok(!bad, "%s: the store is consistent (%zu visits)%s%s", what, n, bad ? ": " : "", why);
	fv_visit_list_free(v, n);
	fv_store_close(s);
	fv_errors_release(&err);
}

static const char *const screen_names[UI_NSCREENS] = {
	"unlock", "lock", "home", "settings", "passwd", "help", "confirm", "people", "find",
	"person", "archive", "visit", "runner", "crisis", "sync", "folder", "inbox", "review",
	"return", "reports",
};

/* One session: the script name (its set-up, then its tokens up to the end
 * or up to its dump number dump), then keys random keys. */
static void session(const char *tmp, const char *fixture, const char *name, const char *path,
		    const char *lang, int dump, uint64_t seed, long keys, unsigned *seen,
		    long *given, long *helper, int *restarts)
{
	static int runs;
	char *data = read_all(path);
	script s;   /* test_screens.c's: only its tokens are used */
	monkey m;
	ui_env env;
	double now;

	memset(&s, 0, sizeof s);
	tokenize(data, &s);
	memset(&m, 0, sizeof m);
	fv_buf_init(&m.stuck);
	m.in.next = monkey_next;
	m.rng = seed * 0x9e3779b97f4a7c15ull + 1;
	m.left = keys;

	char *dir = fv_xasprintf("%s/monkey%d", tmp, ++runs), *store = NULL;
	char **stores = NULL;
	size_t nstores = 0;
	memset(&env, 0, sizeof env);
	if (set_up(&s, tmp, fixture, dir, &env, &store, &stores, &nstores) != 0)
		ok(0, "%s: unknown or failed set-up token '%s'", name, s.tok[s.pos]);
	/* the cut: the end (dump -1), or just after the script's dump number
	 * dump (a state of the screens its author thought worth a look) */
	size_t cut = s.ntok - s.pos;
	for (size_t i = s.pos; dump >= 0 && i < s.ntok; i++)
		if (strncmp(s.tok[i], "dump:", 5) == 0 && dump-- == 0) {
			cut = i + 1 - s.pos;
			break;
		}
	m.tok = s.tok + s.pos;
	m.ntok = cut;

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
	env.input = &m.in;
	env.rows = 24;
	env.cols = 80;
	(void)fv_datetime_parse(NOW, &now);
	fv_clock_set(now);

	int rc = 0, quits = 0;
	for (;;) {
		rc = ui_run(&env);
		if (rc != 0 || m.left <= 0 || m.unlock_tries > 6)
			break;
		quits++;   /* the program quit: start it again with the keys left */
		m.ntok = 0;
		if (quits > 200)
			break;
	}
	if (chdir(cwd) != 0)
		perror(cwd);
	free(cwd);
	unsetenv("FIELDVISIT_MEDIA_DIR");
	char from[32] = "the end";
	if (dump >= 0)
		snprintf(from, sizeof from, "dump %d", dump + 1);
	ok(rc == 0, "%s %s from %s (seed %llu): %ld random keys, %d restarts, exit %d", name, lang,
	   from, (unsigned long long)seed, m.keys, quits, rc);
	if (m.left > 0) {   /* it stopped before its keys were given: say where */
		printf("# %s %s from %s: stopped with %ld keys left, %d restarts; the screen:\n",
		       name, lang, from, m.left, quits);
		for (char *l = m.stuck.s; l && *l;) {
			size_t n = strcspn(l, "\n");
			printf("# |%.*s|\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
	}
	fv_buf_release(&m.stuck);
	for (size_t i = 0; i < nstores; i++) {
		char *what = fv_xasprintf("%s %s seed %llu: %s", name, lang,
					  (unsigned long long)seed, strrchr(stores[i], '/') + 1);
		check_store(stores[i], what);
		free(what);
		free(stores[i]);
	}
	*seen |= m.seen;
	*given += m.keys;
	*helper += m.helper;
	*restarts += quits;

	free(stores);
	free(store);
	free(s.tok);
	free(data);
	free(dir);
	free(config);
	free(assets);
}

static void list_screens(unsigned seen, fv_buf *out)
{
	for (int i = 0; i < UI_NSCREENS; i++)
		if (!(seen & UI_ON(i)))
			fv_buf_addf(out, " %s", screen_names[i]);
}

int main(void)
{
	const char *only = getenv("FV_MONKEY_ONLY");
	long total = 3000, seed0 = 20261123;
	char tmpl[] = "/tmp/fvmonkey.XXXXXX", *fixture, *scripts, *store = NULL;
	char **names = NULL;
	size_t n = 0;

	if (getenv("FV_MONKEY_KEYS") && !fv_parse_long(getenv("FV_MONKEY_KEYS"), &total))
		total = 3000;
	if (getenv("FV_MONKEY_SEED") && !fv_parse_long(getenv("FV_MONKEY_SEED"), &seed0))
		seed0 = 20261123;
	int all = total >= 20000;
	if (getenv("FV_MONKEY_ALL"))
		all = strcmp(getenv("FV_MONKEY_ALL"), "1") == 0;
	printf("# FV_MONKEY_SEED=%ld FV_MONKEY_KEYS=%ld FV_MONKEY_ALL=%d\n", seed0, total, all);
	if (start(tmpl, &fixture, &store, &scripts, &names, &n) != 0)
		return 1;

	static const char *const langs[] = {"zh", "en"};
	unsigned seen[2] = {0, 0};
	long given = 0, helper = 0;
	int restarts = 0;
	size_t sessions = 0, k = 0, *ndumps = fv_xcalloc(n ? n : 1, sizeof *ndumps);
	for (size_t i = 0; i < n; i++) {
		char *path = fv_xasprintf("%s/%s.keys", scripts, names[i]);
		char *data = read_all(path);
		script t;
		memset(&t, 0, sizeof t);
		if (data)
			tokenize(data, &t);
		for (size_t j = 0; j < t.ntok; j++)
			ndumps[i] += strncmp(t.tok[j], "dump:", 5) == 0;
		sessions += 2 * (all ? ndumps[i] + 1 : 1 + (ndumps[i] > 0));
		free(t.tok);
		free(data);
		free(path);
	}
	for (size_t i = 0; store && i < n; i++) {
		char *path = fv_xasprintf("%s/%s.keys", scripts, names[i]);
		for (int l = 0; l < 2; l++)
			for (int dump = -1; dump < (int)ndumps[i]; dump++) {
				/* a short run: the end and one dump, in turn */
				if (!all && dump >= 0 && (size_t)dump != (i + (size_t)l) % ndumps[i])
					continue;
				/* the keys shared out evenly, the rest to the first ones;
				 * the same seeds and shares with FV_MONKEY_ONLY */
				long keys = total / (long)sessions + ((long)k < total % (long)sessions);
				if (!only || strcmp(only, names[i]) == 0)
					session(tmpl, fixture, names[i], path, langs[l], dump,
						(uint64_t)seed0 + k, keys, &seen[l], &given,
						&helper, &restarts);
				else
					given += keys;
				k++;
			}
		free(path);
	}
	free(ndumps);
	for (int l = 0; l < 2 && !only; l++) {
		fv_buf missing;
		fv_buf_init(&missing);
		list_screens(seen[l], &missing);
		if (!all)
			printf("# %s: screens without random keys in this short run:%s\n",
			       langs[l], missing.len ? missing.s : " none");
		else
			ok(missing.len == 0, "%s: every screen had random keys%s%s", langs[l],
		   missing.len ? "; none on:" : "", missing.s);
		fv_buf_release(&missing);
	}
	ok(given == total || !store, "%ld random keys given (%ld typed to unlock), %d restarts",
	   given, helper, restarts);
	finish(tmpl, fixture, store, scripts, names, n);
	return done_testing();
}
