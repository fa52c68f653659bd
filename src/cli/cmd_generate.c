/*
 * fieldvisit generate --persons N --visits N [--seed S] [--store PATH]
 *                     [--passphrase-file FILE]
 *
 * Fills an existing store with fictional people in fictional villages and
 * fictional past visits, for demonstrations, tests and benchmarks.  The
 * same seed, the same store content and the same day (FIELDVISIT_NOW pins
 * it) give the same people and visits; only the record ids (random UUIDs)
 * differ.
 *
 * Names and villages are data (STYLE.md: no Chinese text in C), read from
 * assets/demo/{surnames,given_names,villages}.txt under
 * $FIELDVISIT_ASSETS_DIR, else the source tree this program was built from,
 * else the installed data folder.
 *
 * Everything goes through the public store API, so every person is checked
 * as `person add` checks one and every visit goes through the forms engine
 * (fv_visit_submit), with the shipped forms phq9 and gad7 as installed in
 * the store.  All of it is one transaction: a failure or an interrupt
 * leaves the store as it was.
 *
 * What is made, roughly as the work of one township looks (DOMAIN.md):
 *   - 40% elderly people (60+; 80+ are gaoling), three in four with a care
 *     level from the ability assessment, more disabled with age; some of
 *     them in special families;
 *   - 8% parents of special families (shidu, shangcan) aged 45-59, with the
 *     two contact persons of their township and village;
 *   - 32% women aged 20-49: IUD and emergency-contraception users, newly
 *     weds, migrants;
 *   - 20% other adults with health records.
 * Resident IDs are valid (GB 11643) with address codes starting 99, which
 * no real region has; phone numbers start 100, which no real Chinese
 * number does: demo data never points at a real person.
 *
 * Visits fall on the past 365 days, in working hours, more often for
 * people who need more care (the disabled weekly, the self-caring
 * monthly), an hour or more for home care; each is a PHQ-9 or GAD-7 with
 * answers drawn from the person's own level of distress, so scores and
 * bands spread as in a real population and answers that raise an alert
 * are rare.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/forms.h"
#include "fieldvisit/store.h"

#define MAX_PERSONS 1000000L
#define MAX_VISITS 10000000L
#define DAYS_BACK 365            /* visits fall on the last DAYS_BACK days */
#define VILLAGES_PER_TOWNSHIP 6
#define PART_CHARS 20            /* longest name part or village, in characters */
#define NAME_BYTES (2 * 4 * PART_CHARS + 1)   /* a surname and a given name */

static void generate_usage(FILE *fp)
{
	fputs("Usage: fieldvisit generate --persons N --visits N [--seed S]\n"
	      "                           [--store PATH] [--passphrase-file FILE]\n"
	      "\n"
	      "Add fictional people in fictional villages, and fictional past visits\n"
	      "(PHQ-9 and GAD-7 assessments with check-in, check-out and services), to\n"
	      "an existing store, for demonstrations and tests.  The same seed gives\n"
	      "the same people and visits (pin the day with FIELDVISIT_NOW).  All or\n"
	      "nothing is added.  Prints one line saying what was added.\n"
	      "\n"
	      "  --persons N            people to add (0 to 1000000)\n"
	      "  --visits N             visits to add (0 to 10000000), to the people\n"
	      "                         added and the active people already there\n"
	      "  --seed S               seed of the random choices (default 1)\n"
	      "  --store PATH           the store (default: the only one in\n"
	      "                         $XDG_DATA_HOME/fieldvisit)\n"
	      "  --passphrase-file FILE read the passphrase from the first line of FILE\n"
	      "                         (else $FIELDVISIT_PASSPHRASE, else a prompt)\n"
	      "  -h, --help             show this help\n"
	      "\n"
	      "Names and villages come from assets/demo/ ($FIELDVISIT_ASSETS_DIR/demo\n"
	      "when set).\n",
	      fp);
}

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64, the same sequence on every machine       */

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, n), n > 0, without modulo bias. */
static uint64_t rng_below(rng *r, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
	do
		x = rng_next(r);
	while (x >= limit);
	return x % n;
}

/* Uniform in [lo, hi]. */
static int rng_range(rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint64_t)(hi - lo + 1));
}

static int rng_chance(rng *r, double p)
{
	return rng_unit(r) < p;
}

/* ------------------------------------------------------------------ */
/* A set of strings (resident IDs, household IDs in use)               */

typedef struct strset {
	char **slots;
	size_t cap, n;
} strset;

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static char **strset_slot(const strset *set, const char *s)
{
	size_t i = (size_t)str_hash(s) & (set->cap - 1);
	while (set->slots[i] && strcmp(set->slots[i], s) != 0)
		i = (i + 1) & (set->cap - 1);
	return &set->slots[i];
}

static int strset_has(const strset *set, const char *s)
{
	return set->cap && *strset_slot(set, s) != NULL;
}

/* Add a copy of s (nothing when present). */
static void strset_add(strset *set, const char *s)
{
	if ((set->n + 1) * 2 > set->cap) {
		strset bigger = {fv_xcalloc(set->cap ? set->cap * 2 : 64, sizeof(char *)),
				 set->cap ? set->cap * 2 : 64, set->n};
		for (size_t i = 0; i < set->cap; i++)
			if (set->slots[i])
				*strset_slot(&bigger, set->slots[i]) = set->slots[i];
		free(set->slots);
		*set = bigger;
	}
	char **slot = strset_slot(set, s);
	if (!*slot) {
		*slot = fv_xstrdup(s);
		set->n++;
	}
}

static void strset_release(strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	memset(set, 0, sizeof *set);
}

/* ------------------------------------------------------------------ */
/* Weighted choice                                                     */

typedef struct wlist {
	char **items;
	uint64_t *cum;     /* cumulative weights: cum[i] = weight of 0..i */
	size_t n, cap;
} wlist;

static void wlist_add(wlist *w, const char *item, uint64_t weight)
{
	size_t cap = w->cap;
	w->items = fv_xgrow(w->items, &cap, w->n + 1, sizeof *w->items);
	w->cum = fv_xgrow(w->cum, &w->cap, w->n + 1, sizeof *w->cum);
	w->items[w->n] = fv_xstrdup(item);
	w->cum[w->n] = (w->n ? w->cum[w->n - 1] : 0) + weight;
	w->n++;
}

/* Index of a weighted choice from n > 0 cumulative weights. */
static size_t pick_cum(const uint64_t *cum, size_t n, rng *r)
{
	uint64_t x = rng_below(r, cum[n - 1]);
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static size_t wlist_pick(const wlist *w, rng *r)
{
	return pick_cum(w->cum, w->n, r);
}

static void wlist_release(wlist *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->items[i]);
	free(w->items);
	free(w->cum);
	memset(w, 0, sizeof *w);
}

/* ------------------------------------------------------------------ */
/* The demo data files                                                 */

enum { ERA_OLD, ERA_MID, ERA_YOUNG, NERAS };
static const char *const era_names[NERAS] = {"old", "mid", "young"};
static const char *const era_text[NERAS] = {"before 1960", "1960-1984", "1985 on"};
#define ERA_OF(year) ((year) < 1960 ? ERA_OLD : (year) < 1985 ? ERA_MID : ERA_YOUNG)

typedef struct demo {
	wlist surnames, villages;
	wlist given[2][NERAS];    /* [male][era], weight 1 each */
} demo;

static void demo_release(demo *d)
{
	wlist_release(&d->surnames);
	wlist_release(&d->villages);
	for (int m = 0; m < 2; m++)
		for (int e = 0; e < NERAS; e++)
			wlist_release(&d->given[m][e]);
}

/* Split a line into at most max words (space or tab separated), in place.
 * Returns the number of words, max + 1 when there are more. */
static size_t split_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	for (char *p = line; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n == max)
			return max + 1;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* A weight: a whole number from 1 to 1000000. */
static int parse_weight(const char *s, uint64_t *w)
{
	long v;
	if (!fv_parse_long(s, &v) || v < 1 || v > 1000000)
		return 0;
	*w = (uint64_t)v;
	return 1;
}

/*
 * Read one data file of assets/demo: UTF-8 text, one entry a line, '#'
 * comments and blank lines skipped.  Each entry is a name (at most
 * PART_CHARS characters) and then, for kind 'w', an optional weight, or,
 * for kind 'g', a sex and a generation.  Every bad line is an error
 * FILE:LINE.
 */
static fv_status read_demo_file(const char *dir, const char *base, char kind, demo *d,
				wlist *into, fv_errors *err)
{
	char *path = fv_xasprintf("%s/%s", dir, base), *data;
	size_t len, before = err->n;
	fv_status st = fv_read_file(path, &data, &len, err);
	if (st != FV_OK) {
		free(path);
		return st;
	}
	if (!fv_utf8_valid(data, len) || strlen(data) != len) {
		fv_errors_add(err, path, 0, "not UTF-8 text");
		goto out;
	}
	int lineno = 0;
	for (char *line = data, *next; line; line = next) {
		char *words[4];
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		fv_trim(line);
		if (!*line || *line == '#')
			continue;
		size_t n = split_words(line, words, 3);
		if (fv_utf8_len(words[0]) > PART_CHARS) {
			fv_errors_add(err, path, lineno, "'%s' is longer than %d characters", words[0],
				      PART_CHARS);
			continue;
		}
		if (kind == 'w') {
			uint64_t w = 1;
			if (n > 2 || (n == 2 && !parse_weight(words[1], &w)))
				fv_errors_add(err, path, lineno,
					      "expected a name and a weight (1 to 1000000)");
			else
				wlist_add(into, words[0], w);
			continue;
		}
		int male = n == 3 && strcmp(words[1], "m") == 0;
		int era = -1;
		for (int e = 0; n == 3 && e < NERAS; e++)
			if (strcmp(words[2], era_names[e]) == 0)
				era = e;
		if (n != 3 || (!male && strcmp(words[1], "f") != 0) ||
		    (era < 0 && strcmp(words[2], "any") != 0)) {
			fv_errors_add(err, path, lineno, "expected a given name, f or m, and"
				      " old, mid, young or any");
			continue;
		}
		for (int e = 0; e < NERAS; e++)
			if (era < 0 || era == e)
				wlist_add(&d->given[male][e], words[0], 1);
	}
	if (err->n == before && kind == 'w' && !into->n)
		fv_errors_add(err, path, 0, "no entries");
	for (int m = 0; err->n == before && kind == 'g' && m < 2; m++)
		for (int e = 0; e < NERAS; e++)
			if (!d->given[m][e].n)
				fv_errors_add(err, path, 0, "no given names for %s born %s",
					      m ? "men" : "women", era_text[e]);
out:
	st = err->n == before ? FV_OK : FV_EINVAL;
	free(data);
	free(path);
	return st;
}

static fv_status demo_load(demo *d, fv_errors *err)
{
	char *dir = fv_cli_assets_dir("demo");
	fv_status st = read_demo_file(dir, "surnames.txt", 'w', d, &d->surnames, err);
	if (st == FV_OK)
		st = read_demo_file(dir, "given_names.txt", 'g', d, NULL, err);
	if (st == FV_OK)
		st = read_demo_file(dir, "villages.txt", 'w', d, &d->villages, err);
	if (st != FV_OK)
		fv_errors_add(err, NULL, 0, "the demo data is read from %s"
			      " (set FIELDVISIT_ASSETS_DIR to use another folder)", dir);
	free(dir);
	return st;
}

/* ------------------------------------------------------------------ */
/* People                                                              */

enum { CARE_NONE, CARE_ZILI, CARE_BANSHINENG, CARE_SHINENG };

/* What the visits need to know of a person they may visit. */
typedef struct visitee {
	char id[FV_ID_BYTES];
	int care;            /* CARE_* */
	int special;         /* a special family */
	double distress;     /* 0..1: how the person answers assessments */
} visitee;

/* The two contact persons of a special family: a township cadre and a
 * village cadre (DOMAIN.md "1+1+n"). */
typedef struct cadre {
	char name[NAME_BYTES];
	char phone[16];
} cadre;

typedef struct village_state {
	cadre cadre;          /* the village cadre */
	char household[16];   /* the household people may join, "" none */
	int members;
} village_state;

typedef struct gen {
	rng r;
	demo d;
	int32_t today;
	int today_y, today_m, today_d;
	strset resident_ids, households;
	village_state *villages;
	cadre *townships;
	int *village_used;
	size_t villages_used;
} gen;

/* Whole years from birth to today. */
static int age_of(const gen *g, int32_t birth)
{
	int y, m, d;
	fv_date_to_ymd(birth, &y, &m, &d);
	int age = g->today_y - y;
	if (g->today_m < m || (g->today_m == m && g->today_d < d))
		age--;
	return age;
}

/* A birth date for someone aged lo..hi years today. */
static int32_t birth_for_age(gen *g, int lo, int hi)
{
	int age = rng_range(&g->r, lo, hi);
	int32_t days;
	int y = g->today_y - age - 1, m = g->today_m, d = g->today_d;
	/* the day after this date a year earlier: then a random day of the
	 * year that follows, so the age is exactly `age` */
	if (m == 2 && d == 29)
		d = 28;
	(void)fv_date_from_ymd(y, m, d, &days);
	return days + 1 + (int32_t)rng_below(&g->r, 365);
}

static void make_name(gen *g, int male, int32_t birth, char *out, size_t n)
{
	int y, m, d;
	fv_date_to_ymd(birth, &y, &m, &d);
	const wlist *given = &g->d.given[male][ERA_OF(y)];
	/* two draws in one argument list would be made in an order the
	 * compiler chooses: gcc and clang gave different names */
	size_t surname = wlist_pick(&g->d.surnames, &g->r);
	size_t name = (size_t)rng_below(&g->r, given->n);
	snprintf(out, n, "%s%s", g->d.surnames.items[surname], given->items[name]);
}

/* A phone number starting 100: no real Chinese number does. */
static void make_phone(gen *g, char out[16])
{
	snprintf(out, 16, "100%08u", (unsigned)rng_below(&g->r, 100000000));
}

/* A valid, unused resident ID (GB 11643) for this birth date and sex. */
static void make_resident_id(gen *g, int32_t birth, int male, int township, int migrant,
			     char out[19])
{
	static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	int y, m, d;
	fv_date_to_ymd(birth, &y, &m, &d);
	do {
		/* address code: 99 (no real province), then a fictional county:
		 * the township's for the locals, any for migrants */
		int city = migrant ? rng_range(&g->r, 2, 40) : 1;
		int county = migrant ? rng_range(&g->r, 1, 20) : township % 99 + 1;
		/* sequence 001-999, odd for a man, even for a woman */
		int seq = male ? 2 * rng_range(&g->r, 0, 499) + 1 : 2 * rng_range(&g->r, 1, 499);
		int sum = 0;
		snprintf(out, 19, "99%02d%02d%04d%02d%02d%03d", city, county, y, m, d, seq);
		for (int i = 0; i < 17; i++)
			sum += (out[i] - '0') * weight[i];
		out[17] = "10X98765432"[sum % 11];
		out[18] = '\0';
	} while (strset_has(&g->resident_ids, out));
	strset_add(&g->resident_ids, out);
}

/* The household of a new person of village v: often the one opened last
 * in the village (a couple, a family), else a new one. */
static void pick_household(gen *g, size_t v, char out[16])
{
	village_state *vs = &g->villages[v];
	if (!vs->household[0] || vs->members >= 4 || !rng_chance(&g->r, 0.4)) {
		do
			snprintf(vs->household, sizeof vs->household, "H%08X",
				 (unsigned)rng_below(&g->r, 0x100000000ULL));
		while (strset_has(&g->households, vs->household));
		strset_add(&g->households, vs->household);
		vs->members = 0;
	}
	vs->members++;
	memcpy(out, vs->household, 16);
}

/* A care level from the ability assessment: more disabled with age. */
static int care_level(gen *g, int age)
{
	double u = rng_unit(&g->r);
	if (age >= 80)
		return u < 0.45 ? CARE_ZILI : u < 0.78 ? CARE_BANSHINENG : CARE_SHINENG;
	return u < 0.72 ? CARE_ZILI : u < 0.91 ? CARE_BANSHINENG : CARE_SHINENG;
}

/* How a person answers assessments, 0..1: most people hardly at all,
 * a few a lot. */
static double distress(gen *g)
{
	double u = rng_unit(&g->r);
	return u * u * u * u;
}

/* Make and add one person; fills *who for the visits. */
static fv_status add_person(fv_store *s, gen *g, visitee *who, fv_errors *err)
{
	static const char *const care_codes[] = {"", "zili", "banshineng", "shineng"};
	char name[NAME_BYTES], birth_text[16], rid[19], phone[16], household[16];
	fv_buf cats;
	int male, elderly = 0, special = 0, migrant = 0, care = CARE_NONE, age;
	int32_t birth;
	double group = rng_unit(&g->r);
	size_t v = wlist_pick(&g->d.villages, &g->r);
	int township = (int)(v / VILLAGES_PER_TOWNSHIP);

	fv_buf_init(&cats);
	if (group < 0.40) {            /* elderly people */
		double a = rng_unit(&g->r);
		elderly = 1;
		male = rng_chance(&g->r, 0.45);
		birth = a < 0.45 ? birth_for_age(g, 60, 69) : a < 0.80 ? birth_for_age(g, 70, 79)
		      : a < 0.97 ? birth_for_age(g, 80, 89) : birth_for_age(g, 90, 99);
		special = rng_chance(&g->r, 0.07);
	} else if (group < 0.48) {     /* parents of special families */
		male = rng_chance(&g->r, 0.5);
		birth = birth_for_age(g, 45, 59);
		special = 1;
	} else if (group < 0.80) {     /* women of reproductive age */
		male = 0;
		birth = birth_for_age(g, 20, 49);
	} else {                       /* other adults with health records */
		male = rng_chance(&g->r, 0.5);
		birth = birth_for_age(g, 18, 59);
	}
	age = age_of(g, birth);
	if (elderly && rng_chance(&g->r, 0.75))
		care = care_level(g, age);
	if (special)
		fv_buf_adds(&cats, rng_chance(&g->r, 0.65) ? "shidu " : "shangcan ");
	if (age >= 80)
		fv_buf_adds(&cats, "gaoling ");
	if (care != CARE_NONE)
		fv_buf_addf(&cats, "%s ", care_codes[care]);
	if (group >= 0.48 && group < 0.80) {
		if (age >= 23 && rng_chance(&g->r, 0.35))
			fv_buf_adds(&cats, "iud_user ");
		if (rng_chance(&g->r, 0.06))
			fv_buf_adds(&cats, "ec_user ");
	}
	if (group >= 0.48 && rng_chance(&g->r, age < 32 ? 0.15 : 0.02))
		fv_buf_adds(&cats, "newlywed ");
	if (group >= 0.48 && rng_chance(&g->r, 0.15)) {
		fv_buf_adds(&cats, "migrant ");
		migrant = 1;
	}

	make_name(g, male, birth, name, sizeof name);
	fv_date_format(birth, birth_text);
	make_resident_id(g, birth, male, township, migrant, rid);
	phone[0] = '\0';
	if (rng_chance(&g->r, age >= 60 ? 0.7 : 0.95))
		make_phone(g, phone);
	pick_household(g, v, household);

	fv_person_input in = {
		.name = name,
		.sex = male ? "male" : "female",
		.birth = birth_text,
		.resident_id = rid,
		.phone = phone,
		.village = g->d.villages.items[v],
		.household = household,
		.categories = cats.s,
	};
	if (special) {
		const cadre *c[2] = {&g->townships[township], &g->villages[v].cadre};
		for (int k = 0; k < 2; k++) {
			in.contact_name[k] = c[k]->name;
			in.contact_phone[k] = c[k]->phone;
		}
	}
	fv_status st = fv_person_add(s, &in, who->id, err);
	fv_buf_release(&cats);
	who->care = care;
	who->special = special;
	who->distress = distress(g);
	if (st == FV_OK && !g->village_used[v]++)
		g->villages_used++;
	return st;
}

/* A person of the store as someone to visit. */
static void visitee_from(gen *g, const fv_person *p, visitee *who)
{
	char *cats = fv_xasprintf(" %s ", p->categories);   /* " code " finds a code */
	snprintf(who->id, sizeof who->id, "%s", p->id);
	who->care = strstr(cats, " shineng ")      ? CARE_SHINENG
		  : strstr(cats, " banshineng ") ? CARE_BANSHINENG
		  : strstr(cats, " zili ")       ? CARE_ZILI
						 : CARE_NONE;
	who->special = strstr(cats, " shidu ") || strstr(cats, " shangcan ");
	who->distress = distress(g);
	free(cats);
}

/* How often a person is visited, relative to the others: the disabled
 * weekly, the partly disabled twice a month, others monthly or less. */
static uint64_t visit_weight(const visitee *who)
{
	static const uint64_t care_weight[] = {2, 10, 20, 40};
	return care_weight[who->care] + (who->special ? 10 : 0);
}

/* ------------------------------------------------------------------ */
/* Visits                                                              */

/* A form as the generator fills it. */
typedef struct gform {
	fv_form *f;
	unsigned char *feeds_alert;  /* per field: an alert_* calculate reads it */
	size_t used;
} gform;

/* Mark field i and, through calculates, everything it reads. */
static void mark_reads(const fv_form *f, int i, unsigned char *mark)
{
	const int *refs;
	if (mark[i])
		return;
	mark[i] = 1;
	if (!f->fields[i].calculation)
		return;
	size_t n = fv_expr_refs(f->fields[i].calculation, &refs);
	for (size_t k = 0; k < n; k++)
		mark_reads(f, refs[k], mark);
}

static void gform_init(gform *gf, fv_form *f)
{
	gf->f = f;
	gf->used = 0;
	gf->feeds_alert = fv_xcalloc(f->nfields ? f->nfields : 1, 1);
	for (size_t i = 0; i < f->nfields; i++)
		if (f->fields[i].type == FV_Q_CALCULATE && strncmp(f->fields[i].name, "alert_", 6) == 0)
			mark_reads(f, (int)i, gf->feeds_alert);
}

static void gform_release(gform *gf)
{
	fv_form_free(gf->f);
	free(gf->feeds_alert);
	memset(gf, 0, sizeof *gf);
}

/*
 * Answer the form as a person with distress level level would: the
 * choices of a scale are taken in list order (the first is the mildest);
 * a question that an alert reads gets a much lower level, so alerts stay
 * rare.  Questions of other types are left unanswered.  Returns the
 * number of alerts the answers raise.
 */
static int answer_form(gen *g, const gform *gf, double level, fv_answers *out)
{
	const fv_form *f = gf->f;
	fv_instance *in = fv_instance_new(f, f->default_lang);
	fv_buf val;
	int alerts = 0;

	fv_buf_init(&val);
	for (size_t i = 0; i < f->nfields; i++) {
		const fv_field *fd = &f->fields[i];
		const fv_choice **cs;
		char msg[256];
		if ((fd->type != FV_Q_SELECT_ONE && fd->type != FV_Q_SELECT_MULTIPLE) ||
		    !fv_instance_relevant(in, (int)i))
			continue;
		size_t n = fv_instance_choices(in, (int)i, &cs);
		if (!n)
			continue;
		double l = gf->feeds_alert[i] ? level * level * level : level;
		fv_buf_reset(&val);
		if (fd->type == FV_Q_SELECT_ONE) {
			size_t k = (size_t)((double)n * l * rng_unit(&g->r));
			fv_buf_adds(&val, cs[k < n ? k : n - 1]->name);
		} else {
			for (size_t k = 0; k < n; k++)
				if (rng_chance(&g->r, l))
					fv_buf_addf(&val, "%s%s", val.len ? " " : "", cs[k]->name);
			if (!val.len)
				fv_buf_adds(&val, cs[0]->name);
		}
		if (fv_instance_set(in, (int)i, val.s, msg, sizeof msg) == FV_OK)
			fv_answers_add(out, fd->name, val.s);
	}
	for (size_t i = 0; i < f->nfields; i++)
		alerts += fv_instance_alert_raised(in, (int)i);
	fv_buf_release(&val);
	fv_instance_free(in);
	return alerts;
}

/* Services given, by what the person needs; never none. */
static void make_services(gen *g, const visitee *who, fv_buf *out)
{
	int home_care = who->care != CARE_NONE;
	int disabled = who->care == CARE_BANSHINENG || who->care == CARE_SHINENG;
	if (home_care && rng_chance(&g->r, 0.35))
		fv_buf_adds(out, "meals ");
	if (home_care && rng_chance(&g->r, 0.45))
		fv_buf_adds(out, "cleaning ");
	if (rng_chance(&g->r, home_care ? 0.02 : 0.01))
		fv_buf_adds(out, "urgent ");
	if (rng_chance(&g->r, disabled ? 0.85 : home_care ? 0.2 : 0.0))
		fv_buf_adds(out, "care ");
	if (rng_chance(&g->r, 0.88) || !out->len)
		fv_buf_adds(out, "comfort ");
	if (rng_chance(&g->r, home_care ? 0.3 : 0.12))
		fv_buf_adds(out, "errands ");
}

/* Add one visit to a person drawn from who (cum: their cumulative visit
 * weights). */
static fv_status add_visit(fv_store *s, gen *g, const visitee *who, const uint64_t *cum,
			   size_t nwho, gform forms[2], size_t *alerts, fv_errors *err)
{
	const visitee *v = &who[pick_cum(cum, nwho, &g->r)];
	gform *gf = &forms[rng_below(&g->r, 2)];
	int32_t day = g->today - (int32_t)rng_range(&g->r, 1, DAYS_BACK);
	int start = 8 * 60 + 5 * rng_range(&g->r, 0, 8 * 12 - 1);   /* 08:00-15:55 */
	int minutes;
	if (v->care != CARE_NONE)   /* home care: an hour or more, now and then less */
		minutes = rng_chance(&g->r, 0.06) ? rng_range(&g->r, 30, 59)
						  : rng_range(&g->r, 60, 120);
	else
		minutes = v->special ? rng_range(&g->r, 30, 90) : rng_range(&g->r, 15, 45);
	char checkin[40], checkout[40], date[16], id[FV_ID_BYTES];
	int end = start + minutes;
	fv_date_format(day, date);
	snprintf(checkin, sizeof checkin, "%sT%02d:%02d:00", date, start / 60, start % 60);
	snprintf(checkout, sizeof checkout, "%sT%02d:%02d:00", date, end / 60, end % 60);

	fv_buf services;
	fv_answers answers = {0};
	fv_buf_init(&services);
	make_services(g, v, &services);
	/* this visit's level: the person's own, give or take a little */
	double level = v->distress * (0.7 + 0.6 * rng_unit(&g->r));
	int raised = answer_form(g, gf, level > 1 ? 1 : level, &answers);

	fv_visit_input in = {
		.person = v->id,
		.checkin = checkin,
		.checkout = checkout,
		.services = services.s,
	};
	/* the visit is recorded as submitted at its check-out, its alerts
	 * raised then: the past it invents is consistent */
	double pinned = fv_clock_pinned(), t;
	if (fv_datetime_parse(checkout, &t))
		fv_clock_set(t);
	fv_status st = fv_visit_submit(s, gf->f, &in, &answers, id, err);
	fv_clock_set(pinned);
	if (st == FV_OK) {
		gf->used++;
		*alerts += raised > 0;
	}
	fv_answers_release(&answers);
	fv_buf_release(&services);
	return st;
}

/* ------------------------------------------------------------------ */
/* Progress on a terminal                                              */

typedef struct progress {
	int tty;
	size_t total, done;
	int shown;     /* percentage shown, -1 none */
} progress;

static void progress_step(progress *p, size_t persons, size_t visits)
{
	p->done++;
	if (!p->tty || !p->total)
		return;
	int pct = (int)(p->done * 100 / p->total);
	if (pct == p->shown)
		return;
	p->shown = pct;
	fprintf(stderr, "\rgenerate: %3d%%  %zu people, %zu visits", pct, persons, visits);
	fflush(stderr);
}

/* The commit and the checkpoint after it take a moment of their own. */
static void progress_saving(progress *p, size_t persons, size_t visits)
{
	if (p->tty && p->shown >= 0) {
		fprintf(stderr, "\rgenerate: 100%%  %zu people, %zu visits: saving", persons, visits);
		fflush(stderr);
	}
}

static void progress_end(progress *p)
{
	if (p->tty && p->shown >= 0) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* ------------------------------------------------------------------ */
/* The command                                                         */

/* Parse a count option: a whole number 0..max. */
static int parse_count(const char *opt, const char *s, long max, long *out)
{
	if (!fv_parse_long(s, out) || *out < 0 || *out > max) {
		fv_cli_error("generate: %s wants a whole number from 0 to %ld, not '%s'", opt, max,
			     s);
		return 0;
	}
	return 1;
}

static void gen_release(gen *g)
{
	demo_release(&g->d);
	strset_release(&g->resident_ids);
	strset_release(&g->households);
	free(g->villages);
	free(g->townships);
	free(g->village_used);
}

/* Cadres: one per township (contact 1) and one per village (contact 2). */
static void make_cadres(gen *g)
{
	size_t nv = g->d.villages.n, nt = (nv + VILLAGES_PER_TOWNSHIP - 1) / VILLAGES_PER_TOWNSHIP;
	g->villages = fv_xcalloc(nv, sizeof *g->villages);
	g->townships = fv_xcalloc(nt, sizeof *g->townships);
	g->village_used = fv_xcalloc(nv, sizeof *g->village_used);
	for (size_t i = 0; i < nt + nv; i++) {
		cadre *c = i < nt ? &g->townships[i] : &g->villages[i - nt].cadre;
		int male = rng_chance(&g->r, 0.6);
		make_name(g, male, birth_for_age(g, 28, 55), c->name, sizeof c->name);
		make_phone(g, c->phone);
	}
}

/* Run the generation inside the caller's transaction. */
static fv_status generate(fv_store *s, gen *g, long persons, long visits, size_t *alerts,
			  gform forms[2], progress *prog, fv_errors *err)
{
	fv_person *old = NULL;
	size_t nold = 0, nwho = 0;
	visitee *who = NULL;
	uint64_t *cum = NULL;
	fv_status st;

	/* the people there already: their IDs and households are taken, the
	 * active ones may be visited too */
	fv_person_query active = {.status = "active"};
	if ((st = fv_person_list(s, NULL, &old, &nold, err)) != FV_OK)
		return st;
	for (size_t i = 0; i < nold; i++) {
		strset_add(&g->resident_ids, old[i].resident_id);
		if (*old[i].household)
			strset_add(&g->households, old[i].household);
	}
	fv_person_list_free(old, nold);
	if ((st = fv_person_list(s, &active, &old, &nold, err)) != FV_OK)
		return st;
	who = fv_xcalloc((size_t)persons + nold + 1, sizeof *who);
	cum = fv_xcalloc((size_t)persons + nold + 1, sizeof *cum);

	for (long i = 0; i < persons && st == FV_OK; i++) {
		st = add_person(s, g, &who[nwho], err);
		if (st == FV_OK) {
			cum[nwho] = (nwho ? cum[nwho - 1] : 0) + visit_weight(&who[nwho]);
			nwho++;
		}
		progress_step(prog, nwho, 0);
	}
	for (size_t i = 0; i < nold && st == FV_OK; i++, nwho++) {
		visitee_from(g, &old[i], &who[nwho]);
		cum[nwho] = (nwho ? cum[nwho - 1] : 0) + visit_weight(&who[nwho]);
	}
	if (st == FV_OK && visits > 0 && nwho == 0) {
		fv_errors_add(err, NULL, 0, "generate: no active people to visit (add some with"
			      " --persons)");
		st = FV_EINVAL;
	}
	for (long i = 0; i < visits && st == FV_OK; i++) {
		st = add_visit(s, g, who, cum, nwho, forms, alerts, err);
		progress_step(prog, (size_t)persons, (size_t)i + 1);
	}
	fv_person_list_free(old, nold);
	free(who);
	free(cum);
	return st;
}

int fv_cmd_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"persons", required_argument, NULL, 'p'},
		{"visits", required_argument, NULL, 'v'},
		{"seed", required_argument, NULL, 's'},
		{"store", required_argument, NULL, 'S'},
		{"passphrase-file", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	fv_cli_store_opts so = {0};
	long persons = -1, visits = -1, seed = 1;
	gen g;
	gform forms[2] = {{0}, {0}};
	fv_store *s = NULL;
	fv_errors err;
	size_t alerts = 0;
	progress prog = {isatty(STDERR_FILENO), 0, 0, -1};
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_count("--persons", optarg, MAX_PERSONS, &persons))
				return 2;
			break;
		case 'v':
			if (!parse_count("--visits", optarg, MAX_VISITS, &visits))
				return 2;
			break;
		case 's':
			if (!fv_parse_long(optarg, &seed)) {
				fv_cli_error("generate: --seed wants a whole number, not '%s'", optarg);
				return 2;
			}
			break;
		case 'S': so.store = optarg; break;
		case 'P': so.passphrase_file = optarg; break;
		case 'h': generate_usage(stdout); return 0;
		default: return fv_cli_bad_option("generate", c, argv);
		}
	}
	if (optind != argc)
		return fv_cli_unexpected("generate", "generate", argv[optind]);
	if (persons < 0 || visits < 0) {
		fv_cli_error("generate: give --persons N and --visits N"
			     " (see 'fieldvisit generate --help')");
		return 2;
	}

	memset(&g, 0, sizeof g);
	g.r.s = (uint64_t)seed;
	fv_errors_init(&err);
	/* the data files first: a broken install fails before the passphrase */
	fv_status st = demo_load(&g.d, &err);
	if (st != FV_OK) {
		rc = fv_cli_fail(st, &err);
		goto out;
	}
	if ((rc = fv_cli_open_store(&so, &s)) != 0)
		goto out;
	static const char *const form_ids[2] = {"phq9", "gad7"};
	for (int i = 0; i < 2 && visits > 0; i++) {
		fv_form *f;
		if ((st = fv_store_form_load(s, form_ids[i], &f, &err)) != FV_OK) {
			rc = fv_cli_fail(st, &err);
			goto out;
		}
		gform_init(&forms[i], f);
	}
	g.today = (int32_t)floor(fv_clock_now() / 86400.0);
	fv_date_to_ymd(g.today, &g.today_y, &g.today_m, &g.today_d);
	make_cadres(&g);

	prog.total = (size_t)persons + (size_t)visits;
	if ((st = fv_store_begin(s, &err)) == FV_OK) {
		st = generate(s, &g, persons, visits, &alerts, forms, &prog, &err);
		if (st == FV_OK) {
			progress_saving(&prog, (size_t)persons, (size_t)visits);
			st = fv_store_commit(s, &err);
		} else {
			fv_store_rollback(s);
		}
	}
	fv_store_close(s);   /* with its checkpoint, before the summary */
	s = NULL;
	progress_end(&prog);
	if (st != FV_OK) {
		rc = fv_cli_fail(st, &err);
		fv_cli_error("generate: nothing was added");
		goto out;
	}
	printf("generated %ld people in %zu villages and %ld visits (%s %zu, %s %zu;"
	       " %zu raised an alert) with seed %ld\n",
	       persons, g.villages_used, visits, form_ids[0], forms[0].used, form_ids[1],
	       forms[1].used, alerts, seed);
	rc = 0;
out:
	for (int i = 0; i < 2; i++)
		gform_release(&forms[i]);
	gen_release(&g);
	fv_store_close(s);
	fv_errors_release(&err);
	return rc;
}
