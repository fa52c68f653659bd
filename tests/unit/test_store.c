/*
 * Unit tests of the data layer of the store (src/store/schema.c, forms.c,
 * person.c, visit.c, audit.c) and of the resident ID check
 * (src/core/resident_id.c).
 *
 * A real encrypted store is made in a fresh folder under $TMPDIR (or /tmp)
 * with vault_pw_fast(), the shipped forms of $FV_SRCDIR/forms installed,
 * and the clock pinned (fv_clock_set) so dates are reproducible.  The
 * schema's triggers and migrations are tested through the internal header,
 * and a second store holds 10,000 people and 100,000 visits to show that
 * the person list is one indexed query.  FV_KEEP=1 keeps the folder (and
 * says where) for a look at the stores afterwards.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fieldvisit/store.h"
#include "../../src/store/data_internal.h"
#include "tap.h"
#include "errs.h"

#define PASS "correct horse battery"

static char *dir;
static uint8_t recovery_pk[VAULT_BOX_PK_BYTES];
static double clock_t0;

static const char *srcdir(void)
{
	const char *s = getenv("FV_SRCDIR");
	return s && *s ? s : FV_SRCDIR;
}

static double monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Move the pinned clock on by a minute, so rows get distinct times. */
static void tick(void)
{
	clock_t0 += 60;
	fv_clock_set(clock_t0);
}

static char *path_in(const char *name)
{
	return fv_xasprintf("%s/%s", dir, name);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
}

/* Remove a folder and what is in it (one level of sub-folders). */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = fv_xasprintf("%s/%s", path, e->d_name);
		if (unlink(p) != 0)
			remove_tree(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static fv_store *create_store(const char *name, fv_role role)
{
	char *path = path_in(name), *forms = fv_xasprintf("%s/forms", srcdir());
	fv_store_init init = {role, "Li Hua", PASS, vault_pw_fast(), recovery_pk};
	fv_store *s = NULL;
	reset();
	if (fv_store_create(path, &init, forms, &s, &err) != FV_OK)
		diag("create %s: %s", name, first());
	free(path);
	free(forms);
	return s;
}

static fv_store *open_store(const char *name)
{
	char *path = path_in(name);
	fv_store *s = NULL;
	reset();
	if (fv_store_open(path, PASS, &s, &err) != FV_OK)
		diag("open %s: %s", name, first());
	free(path);
	return s;
}

/* ------------------------------------------------------------------ */
/* Resident IDs                                                        */

static void check_id(const char *id, const char *want_birth, int want_male)
{
	char why[96], birth[16];
	int32_t days = 0;
	int male = -1;
	int good = fv_resident_id_check(id, &days, &male, why, sizeof why);
	ok(good, "resident ID %s is valid", id);
	if (!good) {
		diag("why: %s", why);
		return;
	}
	fv_date_format(days, birth);
	is_str(birth, want_birth, "resident ID %s: birth date", id);
	ok(male == want_male, "resident ID %s: %s", id, want_male ? "man" : "woman");
}

static void check_bad_id(const char *id, const char *want)
{
	char why[96] = "";
	ok(!fv_resident_id_check(id, NULL, NULL, why, sizeof why), "resident ID %s refused", id);
	is_str(why, want, "resident ID %s: reason", id);
}

static void test_resident_ids(void)
{
	/*
	 * Worked by hand: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, the sum
	 * mod 11 mapped 0..10 -> 1 0 X 9 8 7 6 5 4 3 2.
	 *
	 * 11010519491231002X (the example of GB 11643-1999):
	 *   1*7 + 1*9 + 0*10 + 1*5 + 0*8 + 5*4 + 1*2 + 9*1 + 4*6 + 9*3
	 *   + 1*7 + 2*9 + 3*10 + 1*5 + 0*8 + 0*4 + 2*2
	 *   = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 -> X
	 * 440524188001010014 (the standard's second example):
	 *   28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195; 195 mod 11 = 8 -> 4
	 * 320102198507150016:
	 *   21+18+0+5+0+8+2+9+48+15+0+63+10+25+0+0+2 = 226; 226 mod 11 = 6 -> 6
	 * 510107196003120022:
	 *   35+9+0+5+0+28+2+9+36+0+0+27+10+10+0+0+4 = 175; 175 mod 11 = 10 -> 2
	 * 130102194002290044 (born on a leap day):
	 *   7+27+0+5+0+8+2+9+24+0+0+18+20+45+0+0+8 = 173; 173 mod 11 = 8 -> 4
	 * The 17th digit is odd for a man, even for a woman.
	 */
	check_id("11010519491231002X", "1949-12-31", 0);
	check_id("440524188001010014", "1880-01-01", 1);
	check_id("320102198507150016", "1985-07-15", 1);
	check_id("510107196003120022", "1960-03-12", 0);
	check_id("130102194002290044", "1940-02-29", 0);

	check_bad_id("110105194912310021", "check digit should be X");
	check_bad_id("320102198507150019", "check digit should be 6");
	check_bad_id("110105194902300021", "characters 7-14 (19490230) are not a real date");
	check_bad_id("110105194102290021", "characters 7-14 (19410229) are not a real date");
	check_bad_id("11010519491231002", "must be 18 characters, not 17");
	check_bad_id("1101051949123100211", "must be 18 characters, not 19");
	check_bad_id("", "must be 18 characters, not 0");
	check_bad_id("1101051949123A002X", "character 14 is not a digit");
	check_bad_id("X10105194912310029", "character 1 is not a digit");
	check_bad_id("11010519491231002Y", "the last character must be a digit or X");
	check_bad_id("11010519491231002x", "the last character must be a digit or X");
}

/* ------------------------------------------------------------------ */
/* Schema and migrations on a plain (unencrypted, in memory) database   */

static int table_exists(fv_store *s, const char *name)
{
	sqlite3_stmt *st;
	int found = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_schema WHERE type = 'table'"
			       " AND name = ?1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int version_of(fv_store *s)
{
	int v = -1;
	reset();
	if (store_schema_version(s, &v, &err) != FV_OK)
		diag("version: %s", first());
	return v;
}

static void test_migrations_plain(void)
{
	static const char *const tables[] = {
		"meta", "form", "rule", "household", "person", "visit", "review", "alert",
		"referral", "callback", "bundle_log", "audit",
	};
	fv_store fake;

	memset(&fake, 0, sizeof fake);
	fake.path = "mem.fv";
	/* as open_db does: the triggers call the store's functions */
	if (!ok(sqlite3_open(":memory:", &fake.db) == SQLITE_OK &&
		store_sql_functions(fake.db) == SQLITE_OK, "plain database opens"))
		return;
	ok(version_of(&fake) == 0, "an empty database is at schema 0");
	reset();
	ok(store_schema_migrate_to(&fake, 0, &err) == FV_OK, "migrating to 0 does nothing");
	ok(!table_exists(&fake, "person"), "no tables at schema 0");
	reset();
	ok(store_schema_migrate(&fake, &err) == FV_OK, "empty database migrates to the latest");
	ok(version_of(&fake) == STORE_SCHEMA_VERSION, "user_version is %d", STORE_SCHEMA_VERSION);
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		ok(table_exists(&fake, tables[i]), "table %s exists", tables[i]);
	ok(sqlite3_get_autocommit(fake.db), "the migration committed its own transaction");
	reset();
	ok(store_schema_migrate(&fake, &err) == FV_OK && version_of(&fake) == STORE_SCHEMA_VERSION,
	   "migrating again is a no-op");
	reset();
	ok(store_schema_migrate_to(&fake, STORE_SCHEMA_VERSION + 1, &err) == FV_EINVAL,
	   "no schema past this build");

	/* a newer store is refused */
	ok(sqlite3_exec(fake.db, "PRAGMA user_version = 99", NULL, NULL, NULL) == SQLITE_OK,
	   "set user_version 99");
	reset();
	ok(store_schema_migrate(&fake, &err) == FV_EIO, "schema 99 is refused");
	is_str(first(), "mem.fv: this store was made by a newer fieldvisit (schema 99)",
	       "newer store: message");
	sqlite3_close(fake.db);

	/* a failing step leaves the database as it was */
	ok(sqlite3_open(":memory:", &fake.db) == SQLITE_OK &&
	   store_sql_functions(fake.db) == SQLITE_OK &&
	   sqlite3_exec(fake.db, "CREATE TABLE person(x)", NULL, NULL, NULL) == SQLITE_OK,
	   "a database with a clashing table");
	reset();
	ok(store_schema_migrate(&fake, &err) == FV_EIO, "the migration fails");
	ok(has_part("creating the tables (schema 1): table person already exists"),
	   "the failure names the step");
	ok(version_of(&fake) == 0 && !table_exists(&fake, "meta"),
	   "nothing of the failed migration is left");
	ok(sqlite3_get_autocommit(fake.db), "no transaction left open");

	/* inside the caller's transaction, the caller decides */
	sqlite3_exec(fake.db, "DROP TABLE person", NULL, NULL, NULL);
	sqlite3_exec(fake.db, "BEGIN", NULL, NULL, NULL);
	reset();
	ok(store_schema_migrate(&fake, &err) == FV_OK, "migrating inside a transaction");
	ok(!sqlite3_get_autocommit(fake.db), "the caller's transaction is still open");
	sqlite3_exec(fake.db, "ROLLBACK", NULL, NULL, NULL);
	ok(version_of(&fake) == 0 && !table_exists(&fake, "meta"),
	   "the caller's rollback undoes the migration");
	sqlite3_close(fake.db);
}

/* ------------------------------------------------------------------ */
/* Forms                                                               */

static void test_forms(fv_store *s)
{
	fv_form *f = NULL;
	char *data = NULL, *copy, *bad;
	size_t len;

	reset();
	ok(fv_store_form_load(s, "phq9", &f, &err) == FV_OK, "phq9 is installed at create");
	if (f) {
		is_str(f->version, "2026112301", "phq9 version");
		ok(f->nfields > 9, "phq9 has its questions");
	}
	fv_form_free(f);
	f = NULL;
	reset();
	ok(fv_store_form_load(s, "gad7", &f, &err) == FV_OK, "gad7 is installed at create");
	fv_form_free(f);
	f = NULL;
	reset();
	ok(fv_store_form_load(s, "nope", &f, &err) == FV_ENOTFOUND && !f, "unknown form");
	is_str(first(), "no form 'nope' is installed", "unknown form: message");
	reset();
	ok(fv_store_form_load_version(s, "phq9", "1", &f, &err) == FV_ENOTFOUND,
	   "unknown version");
	is_str(first(), "form 'phq9' version 1 is not installed", "unknown version: message");

	/* the same file again: nothing happens */
	char *phq9 = fv_xasprintf("%s/forms/phq9.csv", srcdir());
	reset();
	ok(fv_store_form_install(s, phq9, &err) == FV_OK, "installing the same form again is fine");

	/* same version, other text: refused */
	reset();
	if (fv_read_file(phq9, &data, &len, &err) != FV_OK)
		diag("read phq9: %s", first());
	copy = fv_xasprintf("%s\n", data);
	copy[strstr(copy, "PHQ-9 总分") - copy] = 'p';
	char *changed = path_in("phq9_changed.csv");
	write_text(changed, copy);
	reset();
	ok(fv_store_form_install(s, changed, &err) == FV_EINVAL,
	   "the same version with other content is refused");
	ok(has_part("form 'phq9' version 2026112301 is installed already with other content"),
	   "refusal says why");

	/* a new version becomes the latest */
	char *next = path_in("phq9_next.csv");
	char *v2 = fv_xstrdup(copy);
	memcpy(strstr(v2, "2026112301"), "2026112402", 10);
	write_text(next, v2);
	reset();
	ok(fv_store_form_install(s, next, &err) == FV_OK, "a new version installs");
	reset();
	ok(fv_store_form_load(s, "phq9", &f, &err) == FV_OK && f &&
	   strcmp(f->version, "2026112402") == 0, "the latest version is loaded");
	fv_form_free(f);
	f = NULL;
	reset();
	ok(fv_store_form_load_version(s, "phq9", "2026112301", &f, &err) == FV_OK && f &&
	   strcmp(f->version, "2026112301") == 0, "an older version by name");
	fv_form_free(f);
	f = NULL;

	/* an invalid form is refused with the loader's errors */
	bad = path_in("bad.csv");
	write_text(bad, "survey,type,name,label\n,geopoint,where,Where\n"
		   "settings,form_id,version\n,bad,1\n");
	reset();
	ok(fv_store_form_install(s, bad, &err) == FV_EINVAL, "an invalid form is refused");
	ok(has_part("unsupported type 'geopoint'"), "with the loader's message");

	/* a folder: every form checked, nothing installed when one is bad */
	char *fdir = path_in("forms_dir");
	mkdir(fdir, 0700);
	char *good = fv_xasprintf("%s/a_good.csv", fdir), *worse = fv_xasprintf("%s/b_bad.csv", fdir);
	char *other = fv_xasprintf("%s/c_bad.csv", fdir), *skipped = fv_xasprintf("%s/notes.txt", fdir);
	write_text(good, "survey,type,name,label\n,text,who,Who\nsettings,form_id,version\n,good,1\n");
	write_text(worse, "survey,type,name,label\n,geopoint,where,Where\n"
		   "settings,form_id,version\n,bad,1\n");
	write_text(other, "survey,type,name,label\n,text,who\n");
	write_text(skipped, "not a form");
	ok(store_begin(s, &err) == FV_OK, "begin");
	reset();
	ok(store_forms_install_dir(s, fdir, &err) == FV_EINVAL, "a folder with bad forms");
	ok(has_part("b_bad.csv:2: unsupported type 'geopoint'") && has_part("c_bad.csv"),
	   "every bad form is reported");
	store_rollback(s);
	reset();
	ok(fv_store_form_load(s, "good", &f, &err) == FV_ENOTFOUND, "nothing was installed");
	unlink(worse);
	unlink(other);
	ok(store_begin(s, &err) == FV_OK, "begin");
	reset();
	ok(store_forms_install_dir(s, fdir, &err) == FV_OK, "a folder of good forms");
	ok(store_commit(s, &err) == FV_OK, "commit");
	reset();
	ok(fv_store_form_load(s, "good", &f, &err) == FV_OK, "its form is installed");
	fv_form_free(f);
	reset();
	ok(store_forms_install_dir(s, "/nonexistent/forms", &err) == FV_EIO,
	   "a missing folder is an error");

	free(good);
	free(worse);
	free(other);
	free(skipped);
	free(fdir);
	free(bad);
	free(next);
	free(v2);
	free(changed);
	free(copy);
	free(data);
	free(phq9);
}

/* ------------------------------------------------------------------ */
/* People                                                              */

static char p_wang[FV_ID_BYTES], p_li[FV_ID_BYTES], p_zhang[FV_ID_BYTES], p_zhao[FV_ID_BYTES];

static void test_people(fv_store *s)
{
	fv_person p;
	char id[FV_ID_BYTES];
	fv_person_input wang = {
		.name = "王秀英", .sex = "female", .birth = "1940-02-29",
		.resident_id = "130102194002290044", .phone = "13912345678", .village = "东村",
		.household = "H-001", .categories = "gaoling shidu zili gaoling",
		.contact_name = {"张书记", NULL}, .contact_phone = {"13800138000", NULL},
	};
	fv_person_input li = {
		.name = " 李明 ", .sex = "male", .birth = "1985-07-15",
		.resident_id = "320102198507150016", .village = "东村", .household = "H-001",
		.categories = "migrant",
	};
	fv_person_input zhang = {
		.name = "张丽", .sex = "female", .birth = "1960-03-12",
		.resident_id = "510107196003120022", .village = "西村",
	};
	fv_person_input zhao = {
		.name = "赵芳", .sex = "female", .birth = "1949-12-31",
		.resident_id = "11010519491231002x", .village = "西村",
	};

	tick();
	reset();
	ok(fv_person_add(s, &wang, p_wang, &err) == FV_OK, "add a person");
	ok(strlen(p_wang) == 36, "the new id is a UUID");
	tick();
	reset();
	ok(fv_person_add(s, &li, p_li, &err) == FV_OK, "add a second person");
	reset();
	ok(fv_person_add(s, &zhang, p_zhang, &err) == FV_OK, "add a third person");
	reset();
	ok(fv_person_add(s, &zhao, p_zhao, &err) == FV_OK, "add with a lower-case x");

	reset();
	if (ok(fv_person_get(s, p_wang, &p, &err) == FV_OK, "get")) {
		is_str(p.name, "王秀英", "name");
		is_str(p.sex, "female", "sex");
		is_str(p.birth, "1940-02-29", "birth");
		is_str(p.resident_id, "130102194002290044", "resident ID");
		is_str(p.phone, "13912345678", "phone");
		is_str(p.village, "东村", "village");
		is_str(p.household, "H-001", "household");
		is_str(p.categories, "shidu gaoling zili", "categories in canonical order, once each");
		is_str(p.contact_name[0], "张书记", "contact 1 name");
		is_str(p.contact_phone[0], "13800138000", "contact 1 phone");
		is_str(p.contact_name[1], "", "contact 2 empty");
		is_str(p.status, "active", "status active");
		is_str(p.status_date, "", "no status date");
		ok(p.version == 1, "version 1");
		is_str(p.author, fv_store_device(s), "author is this device");
		is_str(p.last_visit, "", "no visit yet");
		fv_person_release(&p);
	}
	reset();
	if (ok(fv_person_get(s, p_li, &p, &err) == FV_OK, "get the second")) {
		is_str(p.name, "李明", "name trimmed");
		is_str(p.phone, "", "no phone");
		fv_person_release(&p);
	}
	reset();
	if (ok(fv_person_get(s, p_zhao, &p, &err) == FV_OK, "get the fourth")) {
		is_str(p.resident_id, "11010519491231002X", "x stored as X");
		fv_person_release(&p);
	}
	reset();
	ok(fv_person_get(s, "no-such-id", &p, &err) == FV_ENOTFOUND, "unknown person");
	is_str(first(), "no person with id no-such-id", "unknown person: message");

	/* refusals, each with its reason */
	fv_person_input bad = zhang;
	bad.resident_id = "110105194912310021";
	bad.birth = "1949-12-31";
	reset();
	ok(fv_person_add(s, &bad, id, &err) == FV_EINVAL && !id[0], "wrong check digit refused");
	ok(has_line("resident ID 110105194912310021: check digit should be X"),
	   "wrong check digit: message");
	bad.resident_id = "110105194902300021";
	reset();
	ok(fv_person_add(s, &bad, id, &err) == FV_EINVAL &&
	   has_line("resident ID 110105194902300021: characters 7-14 (19490230) are not a real date"),
	   "an ID with 1949-02-30 refused");
	bad.resident_id = "11010519491231002";
	reset();
	ok(fv_person_add(s, &bad, id, &err) == FV_EINVAL &&
	   has_line("resident ID 11010519491231002: must be 18 characters, not 17"),
	   "17 characters refused");
	bad.resident_id = "1101051949123A002X";
	reset();
	ok(fv_person_add(s, &bad, id, &err) == FV_EINVAL &&
	   has_line("resident ID 1101051949123A002X: character 14 is not a digit"),
	   "letters refused");
	bad.resident_id = "11010519491231002X";
	bad.birth = "1950-01-01";
	reset();
	ok(fv_person_add(s, &bad, id, &err) == FV_EINVAL &&
	   has_line("resident ID 11010519491231002X: its birth date 1949-12-31 is not the birth"
		    " date given (1950-01-01)"), "birth date must match the ID");
	bad.birth = "1949-12-31";
	bad.sex = "male";
	reset();
	ok(fv_person_add(s, &bad, id, &err) == FV_EINVAL &&
	   has_line("resident ID 11010519491231002X: its 17th digit is for a woman, not a man"),
	   "sex must match the ID");

	fv_person_input many = {
		.name = "  ", .sex = "f", .birth = "2027-01-01", .resident_id = NULL,
		.phone = "12ab", .village = NULL, .household = "H 1",
		.categories = "shidu vip zili shineng",
		.contact_name = {NULL, NULL}, .contact_phone = {NULL, "123"},
	};
	reset();
	ok(fv_person_add(s, &many, id, &err) == FV_EINVAL, "every problem at once");
	ok(has_line("name is required"), "name required");
	ok(has_line("sex must be female or male, not 'f'"), "sex");
	ok(has_line("birth date 2027-01-01 is in the future"), "birth in the future");
	ok(has_line("resident ID is required"), "resident ID required");
	ok(has_line("phone '12ab': use 7 to 15 digits"), "phone");
	ok(has_line("village is required"), "village required");
	ok(has_line("household ID 'H 1': use letters, digits, '-' and '_'"), "household id");
	ok(has_line("unknown category 'vip' (shidu, shangcan, gaoling, zili, banshineng,"
		    " shineng, ec_user, iud_user, migrant, newlywed)"), "unknown category");
	ok(has_line("contact 2 phone '123': use 7 to 15 digits"), "contact phone");
	ok(err.n == 9, "nine problems (got %zu)", err.n);

	fv_person_input levels = zhang;
	levels.resident_id = "440524188001010014";
	levels.birth = "1880-01-01";
	levels.sex = "male";
	levels.categories = "zili shineng";
	reset();
	ok(fv_person_add(s, &levels, id, &err) == FV_EINVAL &&
	   has_line("categories: give one care level only (zili, banshineng or shineng)"),
	   "one care level only");
	levels.categories = NULL;
	levels.birth = "1880-02-30";
	reset();
	ok(fv_person_add(s, &levels, id, &err) == FV_EINVAL &&
	   has_line("birth date '1880-02-30' is not a date (YYYY-MM-DD)"), "birth not a date");
	levels.birth = "1880-01-01";
	levels.contact_phone[0] = "13800138000";
	reset();
	ok(fv_person_add(s, &levels, id, &err) == FV_EINVAL &&
	   has_line("contact 1: a phone needs a name"), "a contact phone needs a name");

	/* the same resident ID twice */
	fv_person_input dup = zhang;
	dup.name = "张丽丽";
	reset();
	ok(fv_person_add(s, &dup, id, &err) == FV_EINVAL, "duplicate resident ID refused");
	char *want = fv_xasprintf("resident ID 510107196003120022 is already registered (person %s)",
				  p_zhang);
	is_str(first(), want, "duplicate: message names the person");
	free(want);

	/* edit */
	tick();
	fv_person_input edit = {.phone = "13700001111", .contact_name = {NULL, "王村长"},
				.contact_phone = {NULL, "13600002222"}};
	reset();
	ok(fv_person_edit(s, p_wang, &edit, &err) == FV_OK, "edit phone and contact 2");
	reset();
	if (ok(fv_person_get(s, p_wang, &p, &err) == FV_OK, "get after edit")) {
		is_str(p.phone, "13700001111", "phone changed");
		is_str(p.contact_name[1], "王村长", "contact 2 name");
		is_str(p.name, "王秀英", "name kept");
		is_str(p.categories, "shidu gaoling zili", "categories kept");
		ok(p.version == 2, "version 2");
		fv_person_release(&p);
	}
	reset();
	ok(fv_person_edit(s, p_wang, &edit, &err) == FV_OK, "the same edit again");
	reset();
	if (ok(fv_person_get(s, p_wang, &p, &err) == FV_OK, "get")) {
		ok(p.version == 2, "nothing changed: version stays 2");
		fv_person_release(&p);
	}
	fv_person_input clear = {.phone = "", .categories = ""};
	reset();
	ok(fv_person_edit(s, p_li, &clear, &err) == FV_OK, "clear optional fields");
	reset();
	if (ok(fv_person_get(s, p_li, &p, &err) == FV_OK, "get")) {
		is_str(p.categories, "", "categories cleared");
		ok(p.version == 2, "version 2");
		fv_person_release(&p);
	}
	fv_person_input wrong = {.birth = "1940-03-01"};
	reset();
	ok(fv_person_edit(s, p_wang, &wrong, &err) == FV_EINVAL &&
	   has_part("its birth date 1940-02-29 is not the birth date given (1940-03-01)"),
	   "edit checks the ID against the new birth date");
	fv_person_input steal = {.resident_id = "510107196003120022", .birth = "1960-03-12"};
	reset();
	ok(fv_person_edit(s, p_wang, &steal, &err) == FV_EINVAL &&
	   has_part("resident ID 510107196003120022 is already registered"),
	   "edit to another person's ID refused");
	fv_person_input blank = {.name = ""};
	reset();
	ok(fv_person_edit(s, p_wang, &blank, &err) == FV_EINVAL && has_line("name is required"),
	   "a required field cannot be cleared");
	fv_person_input moved = {.household = "H-002", .village = "西村"};
	reset();
	ok(fv_person_edit(s, p_li, &moved, &err) == FV_OK, "a new household on edit");
	reset();
	ok(fv_person_edit(s, "no-such-id", &moved, &err) == FV_ENOTFOUND, "edit unknown person");

	/* archive */
	tick();
	reset();
	ok(fv_person_archive(s, p_zhao, "died", "2026-11-01", "去世", &err) == FV_OK, "archive");
	reset();
	if (ok(fv_person_get(s, p_zhao, &p, &err) == FV_OK, "get archived")) {
		is_str(p.status, "died", "status died");
		is_str(p.status_date, "2026-11-01", "status date");
		is_str(p.status_reason, "去世", "reason");
		ok(p.version == 2, "version 2");
		fv_person_release(&p);
	}
	reset();
	ok(fv_person_archive(s, p_zhao, "moved", "2026-11-02", "again", &err) == FV_EINVAL,
	   "archiving twice refused");
	want = fv_xasprintf("person %s is archived already (died on 2026-11-01)", p_zhao);
	is_str(first(), want, "archived twice: message");
	free(want);
	reset();
	ok(fv_person_archive(s, p_zhang, "gone", "2026-11-30", "", &err) == FV_EINVAL,
	   "bad archive input");
	ok(has_line("archive as moved, died or archived"), "status checked");
	ok(has_line("archive date 2026-11-30 is in the future"), "date checked");
	ok(has_line("reason is required"), "reason required");
	reset();
	ok(fv_person_archive(s, p_zhang, "moved", "1950-01-01", "x", &err) == FV_EINVAL &&
	   has_line("archive date 1950-01-01 is before the birth date 1960-03-12"),
	   "not before the birth");
	fv_person_input fix = {.phone = "13511112222"};
	reset();
	ok(fv_person_edit(s, p_zhao, &fix, &err) == FV_OK, "an archived record can be corrected");
}

/* ------------------------------------------------------------------ */
/* The version of visit id that schedules count (visit_fact), 0 for none. */
static int fact_version(fv_store *s, const char *id)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT version FROM visit_fact WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : rc == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return v;
}

/* Visits                                                              */

static char v_first[FV_ID_BYTES], v_draft[FV_ID_BYTES];

static void phq9_answers(fv_answers *a, const char *q9)
{
	static const char *const names[] = {"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"};
	for (size_t i = 0; i < 8; i++)
		fv_answers_add(a, names[i], "0");
	fv_answers_add(a, "q9", q9);
}

static void test_visits(fv_store *s)
{
	fv_form *f = NULL;
	fv_answers a = {0};
	fv_visit v;
	char id[FV_ID_BYTES], *want;

	reset();
	if (!ok(fv_store_form_load_version(s, "phq9", "2026112301", &f, &err) == FV_OK,
		"load phq9"))
		return;

	/* a valid submit */
	tick();
	phq9_answers(&a, "1");
	fv_visit_input in = {p_wang, "2026-11-20T09:00", "2026-11-20T09:45", "comfort care"};
	reset();
	ok(fv_visit_submit(s, f, &in, &a, v_first, &err) == FV_OK, "submit a valid PHQ-9");
	if (err.n)
		diag("%s", first());
	reset();
	if (ok(fv_visit_get(s, v_first, 0, &v, &err) == FV_OK, "get the visit")) {
		ok(v.state == FV_VISIT_SUBMITTED, "state submitted");
		ok(v.version == 1, "version 1");
		is_str(v.person, p_wang, "person");
		is_str(v.form_id, "phq9", "form id");
		is_str(v.form_version, "2026112301", "form version");
		is_num(v.score, 1, "score 1");
		is_str(v.band, "minimal", "band");
		is_str(v.alerts, "item9", "alert item9 raised");
		ok(v.duration == 45, "duration 45 minutes");
		is_str(v.services, "care comfort", "services in canonical order");
		is_str(v.visit_date, "2026-11-20", "visit date from the check-in");
		ok(strncmp(v.checkin, "2026-11-20T09:00:00.000", 23) == 0, "check-in normalised");
		is_str(v.author, fv_store_device(s), "author");
		ok(v.answers && strstr(v.answers, "\"q1\":\"0\"") && strstr(v.answers, "\"q9\":\"1\"") &&
		   strstr(v.answers, "\"score\":\"1\"") &&
		   strstr(v.answers, "\"alert_item9\":\"true\""), "answers JSON of the instance");
		ok(v.answers && strncmp(v.answers, "{\"q1\"", 5) == 0, "answers in form order");
		ok(v.submitted_at[0] != '\0', "submitted_at set");
		fv_visit_release(&v);
	}
	fv_answers_release(&a);

	/* an invalid submit: every problem, "name: message" */
	fv_answers_add(&a, "q1", "0");
	fv_answers_add(&a, "q2", "0");
	fv_answers_add(&a, "q4", "0");
	fv_answers_add(&a, "q5", "7");
	fv_answers_add(&a, "q6", "0");
	fv_answers_add(&a, "q7", "0");
	fv_answers_add(&a, "q8", "0");
	fv_answers_add(&a, "q9", "1");
	fv_answers_add(&a, "zz", "1");
	reset();
	ok(fv_visit_submit(s, f, &in, &a, id, &err) == FV_EINVAL && !id[0], "invalid answers refused");
	ok(err.n == 3, "three problems (got %zu)", err.n);
	ok(has_line("zz: no such question in the form"), "unknown question");
	ok(has_line("q3: this question is required"), "required");
	ok(has_line("q5: '7' is not a choice of list 'freq'"), "not a choice");
	fv_answers_release(&a);

	phq9_answers(&a, "0");
	fv_visit_input late = {p_wang, "2026-11-20T10:00", "2026-11-20T09:00", "massage meals"};
	reset();
	ok(fv_visit_submit(s, f, &late, &a, id, &err) == FV_EINVAL, "bad check-out and service");
	ok(has_part("check-out 2026-11-20T09:00:00.000") && has_part("is before check-in"),
	   "check-out before check-in");
	ok(has_line("unknown service 'massage' (meals, cleaning, urgent, care, comfort, errands)"),
	   "unknown service");
	fv_visit_input bad_time = {p_wang, "yesterday", NULL, NULL};
	reset();
	ok(fv_visit_submit(s, f, &bad_time, &a, id, &err) == FV_EINVAL &&
	   has_line("check-in 'yesterday' is not a date-time (YYYY-MM-DDTHH:MM)"), "bad check-in");
	fv_visit_input dead = {p_zhao, NULL, NULL, NULL};
	reset();
	ok(fv_visit_submit(s, f, &dead, &a, id, &err) == FV_EINVAL, "archived person refused");
	want = fv_xasprintf("person %s is not active (died on 2026-11-01)", p_zhao);
	ok(has_line(want), "archived person: message");
	free(want);
	fv_visit_input nobody = {"no-such-id", NULL, NULL, NULL};
	reset();
	ok(fv_visit_submit(s, f, &nobody, &a, id, &err) == FV_EINVAL &&
	   has_line("no person with id no-such-id"), "unknown person refused");

	/* a form that is not installed */
	fv_form *other = NULL;
	const char *csv = "survey,type,name,label\n,text,who,Who\nsettings,form_id,version\n,x,9\n";
	reset();
	if (fv_form_load_buffer("x.csv", csv, strlen(csv), &other, &err) == FV_OK) {
		fv_visit_input ok_in = {p_wang, NULL, NULL, NULL};
		reset();
		ok(fv_visit_submit(s, other, &ok_in, NULL, id, &err) == FV_EINVAL &&
		   has_line("form 'x' version 9 is not installed in this store"),
		   "a form not installed is refused");
	}
	fv_form_free(other);
	fv_answers_release(&a);

	/* drafts */
	tick();
	fv_visit_input din = {p_li, "2026-11-23T08:30", NULL, "meals"};
	fv_answers_add(&a, "q1", "2");
	v_draft[0] = '\0';
	reset();
	ok(fv_visit_save_draft(s, f, &din, &a, v_draft, &err) == FV_OK && strlen(v_draft) == 36,
	   "a new draft");
	reset();
	if (ok(fv_visit_get(s, v_draft, 0, &v, &err) == FV_OK, "get the draft")) {
		ok(v.state == FV_VISIT_DRAFT, "state draft");
		ok(v.answers && strstr(v.answers, "\"q1\":\"2\""), "answer kept");
		ok(isnan(v.score), "no score for a draft");
		is_str(v.visit_date, "", "no visit date yet");
		is_str(v.submitted_at, "", "not submitted");
		fv_visit_release(&v);
	}
	fv_answers_add(&a, "q2", "9");
	char same[FV_ID_BYTES];
	memcpy(same, v_draft, sizeof same);
	reset();
	ok(fv_visit_save_draft(s, f, &din, &a, same, &err) == FV_EINVAL &&
	   has_line("q2: '9' is not a choice of list 'freq'"), "a draft checks the types");
	fv_answers_release(&a);
	fv_answers_add(&a, "q1", "2");
	fv_answers_add(&a, "q2", "1");
	tick();
	reset();
	ok(fv_visit_save_draft(s, f, &din, &a, same, &err) == FV_OK &&
	   strcmp(same, v_draft) == 0, "the draft saved again, same id");
	reset();
	ok(fv_visit_move(s, v_draft, FV_VISIT_SUBMITTED, &err) == FV_EINVAL,
	   "an incomplete draft cannot be submitted");
	ok(has_line("q3: this question is required") && has_line("q9: this question is required"),
	   "the missing answers are named");
	fv_answers_release(&a);
	phq9_answers(&a, "0");
	a.items[0].value[0] = '2';   /* q1 = 2 */
	a.items[1].value[0] = '1';   /* q2 = 1 */
	fv_visit_input other_person = {p_wang, NULL, NULL, NULL};
	reset();
	ok(fv_visit_save_draft(s, f, &other_person, &a, same, &err) == FV_EINVAL &&
	   has_part("is about another person"), "a draft stays with its person");
	din.checkout = "2026-11-23T09:40";
	reset();
	ok(fv_visit_save_draft(s, f, &din, &a, same, &err) == FV_OK, "the draft completed");
	tick();
	reset();
	ok(fv_visit_move(s, v_draft, FV_VISIT_SUBMITTED, &err) == FV_OK, "submit the draft");
	if (err.n)
		diag("%s", first());
	reset();
	if (ok(fv_visit_get(s, v_draft, 0, &v, &err) == FV_OK, "get")) {
		ok(v.state == FV_VISIT_SUBMITTED, "submitted");
		is_num(v.score, 3, "score 3");
		is_str(v.band, "minimal", "band");
		is_str(v.alerts, "", "no alert");
		ok(v.duration == 70, "duration 70");
		is_str(v.visit_date, "2026-11-23", "visit date");
		fv_person lp;
		reset();
		if (ok(fv_person_get(s, v.person, &lp, &err) == FV_OK, "the person"))  {
			is_str(lp.last_visit, "2026-11-23", "a submitted draft is the last visit");
			fv_person_release(&lp);
		}
		fv_visit_release(&v);
	}
	fv_answers_release(&a);

	/* immutable once submitted */
	fv_answers_add(&a, "q1", "3");
	reset();
	ok(fv_visit_save_draft(s, f, &din, &a, same, &err) == FV_EINVAL, "a submitted visit is not a draft");
	want = fv_xasprintf("visit %s is submitted: only a draft can be changed", v_draft);
	is_str(first(), want, "immutable: message");
	free(want);
	fv_answers_release(&a);
	fv_form_free(f);
}

static void expect_move(fv_store *s, const char *id, fv_visit_state to, const char *why)
{
	reset();
	if (why) {
		ok(fv_visit_move(s, id, to, &err) == FV_EINVAL, "-> %s refused", fv_visit_state_name(to));
		char *want = fv_xasprintf("visit %s: %s", id, why);
		is_str(first(), want, "-> %s: message", fv_visit_state_name(to));
		free(want);
	} else {
		ok(fv_visit_move(s, id, to, &err) == FV_OK, "-> %s", fv_visit_state_name(to));
		if (err.n)
			diag("%s", first());
	}
}

static void test_states(fv_store *s)
{
	fv_visit v;
	fv_visit_state st;

	ok(fact_version(s, v_draft) == 1, "a submitted visit counts for schedules");
	ok(fv_visit_state_parse("returned", &st) && st == FV_VISIT_RETURNED, "parse a state");
	ok(!fv_visit_state_parse("done", &st), "unknown state");
	is_str(fv_visit_state_name(FV_VISIT_RECEIVED), "received", "state name");

	expect_move(s, v_draft, FV_VISIT_DRAFT,
		    "cannot go from submitted to draft (only to sent)");
	expect_move(s, v_draft, FV_VISIT_APPROVED,
		    "cannot go from submitted to approved (only to sent)");
	expect_move(s, v_draft, FV_VISIT_SENT, NULL);
	expect_move(s, v_draft, FV_VISIT_SENT, "cannot go from sent to sent (only to received)");
	expect_move(s, v_draft, FV_VISIT_RECEIVED, NULL);
	expect_move(s, v_draft, FV_VISIT_DRAFT,
		    "cannot go from received to draft (only to approved or returned)");
	ok(fact_version(s, v_draft) == 1, "... sent and received too");
	tick();
	expect_move(s, v_draft, FV_VISIT_RETURNED, NULL);
	ok(fact_version(s, v_draft) == 0, "a returned visit does not count");
	tick();
	expect_move(s, v_draft, FV_VISIT_DRAFT, NULL);
	ok(fact_version(s, v_draft) == 0, "... nor does its new draft");
	reset();
	if (ok(fv_visit_get(s, v_draft, 0, &v, &err) == FV_OK, "get the latest")) {
		ok(v.version == 2, "returned -> draft is version 2");
		ok(v.state == FV_VISIT_DRAFT, "a draft again");
		ok(v.answers && strstr(v.answers, "\"q1\":\"2\""), "with the answers of version 1");
		is_str(v.submitted_at, "", "not submitted");
		fv_visit_release(&v);
	}
	reset();
	if (ok(fv_visit_get(s, v_draft, 1, &v, &err) == FV_OK, "get version 1")) {
		ok(v.state == FV_VISIT_RETURNED, "version 1 stays returned");
		fv_visit_release(&v);
	}
	reset();
	ok(fv_visit_get(s, v_draft, 3, &v, &err) == FV_ENOTFOUND, "no version 3");
	tick();
	expect_move(s, v_draft, FV_VISIT_SUBMITTED, NULL);
	expect_move(s, v_draft, FV_VISIT_SENT, NULL);
	expect_move(s, v_draft, FV_VISIT_RECEIVED, NULL);
	expect_move(s, v_draft, FV_VISIT_APPROVED, NULL);
	ok(fact_version(s, v_draft) == 2, "version 2, submitted and approved, counts");
	expect_move(s, v_draft, FV_VISIT_RETURNED,
		    "cannot go from approved to returned (approved is final)");
	reset();
	ok(fv_visit_move(s, "no-such-id", FV_VISIT_SENT, &err) == FV_ENOTFOUND, "unknown visit");
	reset();
	ok(fv_visit_move(s, v_first, (fv_visit_state)42, &err) == FV_EINVAL, "no such state");
}

/* The triggers: the second guard under the C checks. */
static void test_triggers(fv_store *s)
{
	char *sql;

	sql = fv_xasprintf("UPDATE visit SET answers = '{}' WHERE id = '%s'", v_first);
	reset();
	ok(store_exec(s, sql, &err) == FV_EINVAL && has_part("a submitted visit cannot be changed"),
	   "trigger: answers of a submitted visit are immutable");
	free(sql);
	sql = fv_xasprintf("UPDATE visit SET score = 27 WHERE id = '%s'", v_first);
	reset();
	ok(store_exec(s, sql, &err) == FV_EINVAL, "trigger: so is the score");
	free(sql);
	sql = fv_xasprintf("UPDATE visit SET state = 'draft' WHERE id = '%s'", v_first);
	reset();
	ok(store_exec(s, sql, &err) == FV_EINVAL &&
	   has_part("this change of visit state is not allowed"), "trigger: illegal state change");
	free(sql);
	sql = fv_xasprintf("DELETE FROM visit WHERE id = '%s'", v_first);
	reset();
	ok(store_exec(s, sql, &err) == FV_EINVAL && has_part("a submitted visit is never deleted"),
	   "trigger: visits are kept");
	free(sql);
	sql = fv_xasprintf("DELETE FROM person WHERE id = '%s'", p_zhao);
	reset();
	ok(store_exec(s, sql, &err) == FV_EINVAL && has_part("never deleted"),
	   "trigger: people are kept");
	free(sql);
	reset();
	ok(store_exec(s, "UPDATE audit SET action = 'x'", &err) == FV_EINVAL &&
	   has_part("the audit log is append-only"), "trigger: audit not updated");
	reset();
	ok(store_exec(s, "DELETE FROM audit", &err) == FV_EINVAL, "trigger: audit not deleted");
	reset();
	ok(store_exec(s, "UPDATE person SET sex = 'x'", &err) == FV_EINVAL, "CHECK: sex");
	reset();
	ok(store_exec(s, "UPDATE person SET version = 'two'", &err) == FV_EINVAL,
	   "STRICT: types are enforced");
}

static void test_lists(fv_store *s)
{
	fv_person *people;
	fv_visit *visits;
	size_t n;

	reset();
	if (ok(fv_person_list(s, NULL, &people, &n, &err) == FV_OK && n == 4, "list everyone")) {
		/* by village, then name, in code point order: 东 U+4E1C before
		 * 西 U+897F; 张 U+5F20 < 李 U+674E < 赵 U+8D75 */
		is_str(people[0].id, p_wang, "东村 王秀英 first");
		is_str(people[0].last_visit, "2026-11-20", "with her last visit");
		is_str(people[1].id, p_zhang, "西村 张丽");
		is_str(people[1].last_visit, "", "no visit");
		is_str(people[2].id, p_li, "西村 李明 (moved village on edit)");
		is_str(people[2].last_visit, "2026-11-23", "his last visit");
		is_str(people[3].id, p_zhao, "西村 赵芳");
	}
	fv_person_list_free(people, n);
	fv_person_query byv = {.village = "西村"};
	reset();
	ok(fv_person_list(s, &byv, &people, &n, &err) == FV_OK && n == 3, "by village");
	fv_person_list_free(people, n);
	fv_person_query bys = {.status = "active"};
	reset();
	ok(fv_person_list(s, &bys, &people, &n, &err) == FV_OK && n == 3, "active only");
	fv_person_list_free(people, n);
	fv_person_query died = {.status = "died"};
	reset();
	ok(fv_person_list(s, &died, &people, &n, &err) == FV_OK && n == 1 &&
	   strcmp(people[0].id, p_zhao) == 0, "died only");
	fv_person_list_free(people, n);
	fv_person_query byname = {.name = "丽", .village = "西村"};
	reset();
	ok(fv_person_list(s, &byname, &people, &n, &err) == FV_OK && n == 1 &&
	   strcmp(people[0].id, p_zhang) == 0, "by name substring and village");
	fv_person_list_free(people, n);
	fv_person_query byhh = {.household = "H-002"};
	reset();
	ok(fv_person_list(s, &byhh, &people, &n, &err) == FV_OK && n == 1 &&
	   strcmp(people[0].id, p_li) == 0, "by household (李明 moved to H-002)");
	fv_person_list_free(people, n);
	fv_person_query percent = {.name = "%"};
	reset();
	ok(fv_person_list(s, &percent, &people, &n, &err) == FV_OK && n == 0,
	   "the name is text, not a pattern");
	fv_person_list_free(people, n);
	fv_person_query badst = {.status = "gone"};
	reset();
	ok(fv_person_list(s, &badst, &people, &n, &err) == FV_EINVAL &&
	   has_line("no status 'gone' (active, moved, died, archived)"), "unknown status");

	reset();
	ok(fv_visit_list(s, NULL, &visits, &n, &err) == FV_OK && n == 2,
	   "two visits (latest versions only)");
	if (n == 2) {
		is_str(visits[0].id, v_first, "by check-in: the first visit");
		ok(visits[0].answers == NULL, "lists leave the answers out");
		is_str(visits[1].id, v_draft, "then the other");
		ok(visits[1].version == 2 && visits[1].state == FV_VISIT_APPROVED,
		   "the latest version, approved");
	}
	fv_visit_list_free(visits, n);
	fv_visit_query byp = {.person = p_wang};
	reset();
	ok(fv_visit_list(s, &byp, &visits, &n, &err) == FV_OK && n == 1 &&
	   strcmp(visits[0].id, v_first) == 0, "by person");
	is_num(n == 1 ? visits[0].score : NAN, 1, "the score is listed");
	fv_visit_list_free(visits, n);
	fv_visit_query bystate = {.states = FV_VISIT_BIT(FV_VISIT_SUBMITTED) |
					    FV_VISIT_BIT(FV_VISIT_RETURNED)};
	reset();
	ok(fv_visit_list(s, &bystate, &visits, &n, &err) == FV_OK && n == 1 &&
	   strcmp(visits[0].id, v_first) == 0, "by states: the returned version 1 is history");
	fv_visit_list_free(visits, n);
	fv_visit_query badq = {.states = 1u << 20};
	reset();
	ok(fv_visit_list(s, &badq, &visits, &n, &err) == FV_EINVAL, "unknown state bit");

	/* the inbox's filters: form, dates, alerts, and at most so many */
	fv_visit_query withal = {.alerts = 1};
	reset();
	ok(fv_visit_list(s, &withal, &visits, &n, &err) == FV_OK && n == 1 &&
	   strcmp(visits[0].id, v_first) == 0, "only the visits with an alert");
	fv_visit_list_free(visits, n);
	fv_visit_query from = {.from = "2026-11-21"};
	reset();
	ok(fv_visit_list(s, &from, &visits, &n, &err) == FV_OK && n == 1 &&
	   strcmp(visits[0].id, v_draft) == 0, "dated from a day");
	fv_visit_list_free(visits, n);
	fv_visit_query day = {.from = "2026-11-20", .to = "2026-11-20"};
	reset();
	ok(fv_visit_list(s, &day, &visits, &n, &err) == FV_OK && n == 1 &&
	   strcmp(visits[0].id, v_first) == 0, "dated on one day (both ends included)");
	fv_visit_list_free(visits, n);
	fv_visit_query gad7 = {.form = "gad7"}, phq9 = {.form = "phq9"};
	reset();
	ok(fv_visit_list(s, &gad7, &visits, &n, &err) == FV_OK && n == 0, "no GAD-7");
	fv_visit_list_free(visits, n);
	ok(fv_visit_list(s, &phq9, &visits, &n, &err) == FV_OK && n == 2, "two PHQ-9");
	fv_visit_list_free(visits, n);
	fv_visit_query one = {.limit = 1};
	reset();
	ok(fv_visit_list(s, &one, &visits, &n, &err) == FV_OK && n == 1 &&
	   strcmp(visits[0].id, v_draft) == 0, "a limit keeps the latest dated");
	fv_visit_list_free(visits, n);
	size_t counts[FV_VISIT_NSTATES];
	reset();
	ok(fv_visit_count(s, NULL, counts, &err) == FV_OK && counts[FV_VISIT_SUBMITTED] == 1 &&
	   counts[FV_VISIT_APPROVED] == 1 && counts[FV_VISIT_RETURNED] == 0 &&
	   counts[FV_VISIT_DRAFT] == 0, "counted by state (latest versions)");
	ok(fv_visit_count(s, &withal, counts, &err) == FV_OK && counts[FV_VISIT_SUBMITTED] == 1 &&
	   counts[FV_VISIT_APPROVED] == 0, "counted under a filter");
	ok(fv_visit_count(s, &badq, counts, &err) == FV_EINVAL, "count: unknown state bit");
}

static void test_audit(fv_store *s)
{
	fv_audit_entry *a;
	size_t n;
	const char *want[] = {"person.add", "person.edit"};

	reset();
	if (ok(fv_store_audit_list(s, p_wang, &a, &n, &err) == FV_OK && n == 2, "audit of a person")) {
		for (size_t i = 0; i < n; i++)
			is_str(a[i].action, want[i], "audit %zu", i);
		is_str(a[1].detail, "changed: phone contact2_name contact2_phone", "edit detail");
		is_str(a[0].device, fv_store_device(s), "device");
		is_str(a[0].actor, "Li Hua", "actor");
		ok(a[0].seq < a[1].seq, "in order");
	}
	fv_store_audit_list_free(a, n);
	reset();
	if (ok(fv_store_audit_list(s, v_draft, &a, &n, &err) == FV_OK, "audit of a visit")) {
		fv_buf got;
		fv_buf_init(&got);
		for (size_t i = 0; i < n; i++)
			fv_buf_addf(&got, "%s%s", i ? "," : "", a[i].action);
		is_str(got.s, "visit.submit,visit.state,visit.state,visit.state,visit.state,"
		       "visit.submit,visit.state,visit.state,visit.state", "the visit's life");
		if (n == 9)
			is_str(a[4].detail, "returned -> draft, version 2", "reopen detail");
		fv_buf_release(&got);
	}
	fv_store_audit_list_free(a, n);
	reset();
	ok(fv_store_audit_list(s, p_zhao, &a, &n, &err) == FV_OK && n == 3 &&
	   strcmp(a[1].action, "person.archive") == 0 && strcmp(a[1].detail, "died 2026-11-01") == 0,
	   "archive audited");
	fv_store_audit_list_free(a, n);
	reset();
	ok(fv_store_audit_list(s, "phq9", &a, &n, &err) == FV_OK && n == 2 &&
	   strcmp(a[0].action, "form.install") == 0, "form installs audited");
	fv_store_audit_list_free(a, n);
}

/* Everything is still there after close and open. */
static void test_reopen(void)
{
	fv_store *s = open_store("main.fv");
	fv_person p;
	fv_visit *visits;
	fv_form *f = NULL;
	size_t n;

	if (!ok(s != NULL, "the store opens again"))
		return;
	ok(version_of(s) == STORE_SCHEMA_VERSION, "schema version kept");
	reset();
	ok(fv_person_get(s, p_wang, &p, &err) == FV_OK && strcmp(p.phone, "13700001111") == 0 &&
	   strcmp(p.last_visit, "2026-11-20") == 0, "the person is there");
	if (!err.n)
		fv_person_release(&p);
	reset();
	ok(fv_visit_list(s, NULL, &visits, &n, &err) == FV_OK && n == 2, "the visits are there");
	fv_visit_list_free(visits, n);
	reset();
	ok(fv_store_form_load(s, "phq9", &f, &err) == FV_OK, "the forms are there");
	fv_form_free(f);

	/* a store from a newer fieldvisit is refused */
	reset();
	ok(store_exec(s, "PRAGMA user_version = 99", &err) == FV_OK, "pretend a newer schema");
	char *want = fv_xasprintf("%s: this store was made by a newer fieldvisit (schema 99)",
				  fv_store_path(s));
	fv_store_close(s);
	s = open_store("main.fv");
	ok(s == NULL, "a newer store does not open");
	is_str(first(), want, "newer store: message");
	free(want);
	fv_store_close(s);
}

/* A draft saved from the runner's instance is stored as the same answers
 * filled again would be. */
static void test_draft_instance(fv_store *s, const char *person)
{
	fv_form *f = NULL;
	fv_answers a = {0};
	fv_visit v1, v2;
	char id1[FV_ID_BYTES] = "", id2[FV_ID_BYTES] = "";
	reset();
	if (!ok(fv_store_form_load(s, "gad7", &f, &err) == FV_OK, "draft from an instance: GAD-7"))
		return;
	fv_runner *r = fv_runner_new(f, 0);
	char eb[128];
	int q1 = fv_form_field_index(f, "q1"), q2 = fv_form_field_index(f, "q2");
	ok(fv_runner_answer(r, q1, "2", eb, sizeof eb) == FV_OK &&
	   fv_runner_answer(r, q2, "3", eb, sizeof eb) == FV_OK, "two answers in the runner");
	fv_runner_answers(r, &a);
	fv_visit_input vi = {person, "2026-11-23T09:00", NULL, NULL};
	reset();
	ok(fv_visit_save_draft(s, f, &vi, &a, id1, &err) == FV_OK &&
	   fv_visit_save_draft_instance(s, f, &vi, fv_runner_instance(r), id2, &err) == FV_OK,
	   "saved both ways");
	reset();
	if (ok(fv_visit_get(s, id1, 0, &v1, &err) == FV_OK, "read the first")) {
		reset();
		if (ok(fv_visit_get(s, id2, 0, &v2, &err) == FV_OK, "read the second")) {
			is_str(v2.answers, v1.answers, "the same answers stored");
			ok(v2.state == FV_VISIT_DRAFT, "a draft");
			fv_visit_release(&v2);
		}
		fv_visit_release(&v1);
	}
	/* and it goes on: a later save of the same draft */
	ok(fv_runner_answer(r, fv_form_field_index(f, "q3"), "1", eb, sizeof eb) == FV_OK, "a third");
	reset();
	ok(fv_visit_save_draft_instance(s, f, &vi, fv_runner_instance(r), id2, &err) == FV_OK &&
	   fv_visit_get(s, id2, 0, &v2, &err) == FV_OK && strstr(v2.answers, "\"q3\":\"1\"") &&
	   v2.version == 1, "saved again in place");
	fv_visit_release(&v2);
	/* the tests after this one count the visits: drafts can go */
	char *sql = fv_xasprintf("DELETE FROM visit WHERE id IN ('%s', '%s')", id1, id2);
	ok(sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK, "the two drafts removed");
	free(sql);
	fv_answers_release(&a);
	fv_runner_free(r);
	fv_form_free(f);
}

/* Drafts that belong to no one yet (a registration). */
static void test_pending(fv_store *s)
{
	fv_answers a = {0}, got = {0};
	reset();
	ok(fv_store_pending_get(s, "register", &got, &err) == FV_OK && got.n == 0,
	   "pending: none at first");
	fv_answers_add(&a, "name", "王秀英 \"小英\"\\");
	fv_answers_add(&a, "note", "line one\nline two\ttab");
	reset();
	ok(fv_store_pending_put(s, "register", &a, &err) == FV_OK, "pending: kept");
	reset();
	ok(fv_store_pending_get(s, "register", &got, &err) == FV_OK && got.n == 2 &&
	   strcmp(got.items[0].name, "name") == 0 &&
	   strcmp(got.items[0].value, "王秀英 \"小英\"\\") == 0 &&
	   strcmp(got.items[1].value, "line one\nline two\ttab") == 0,
	   "pending: read back as given, quotes and control characters too");
	fv_answers_release(&got);
	reset();
	ok(fv_store_pending_put(s, "register", NULL, &err) == FV_OK &&
	   fv_store_pending_get(s, "register", &got, &err) == FV_OK && got.n == 0,
	   "pending: removed");
	reset();
	ok(fv_store_pending_put(s, "../x", &a, &err) == FV_EINVAL &&
	   has_part("a pending draft's name is a short word, not '../x'"), "pending: a bad name");
	fv_answers_release(&a);
}

/* Alerts: listed, referred, closed only after a follow-up; reviews. */
static void test_alerts(void)
{
	fv_store *s = create_store("alerts.fv", FV_ROLE_WORKER);
	fv_person_input in = {
		.name = "王大妈", .sex = "female", .birth = "1940-02-29",
		.resident_id = "130102194002290044", .village = "东村",
	};
	char pid[FV_ID_BYTES], vid[FV_ID_BYTES], vid2[FV_ID_BYTES], rid[FV_ID_BYTES];
	fv_form *f = NULL;
	fv_answers a = {0};
	fv_alert *al = NULL;
	fv_referral *rf = NULL;
	size_t n = 0;

	if (!ok(s != NULL, "alerts: a store"))
		return;
	fv_clock_set(clock_t0);
	reset();
	ok(fv_person_add(s, &in, pid, &err) == FV_OK &&
	   fv_store_form_load(s, "phq9", &f, &err) == FV_OK, "alerts: a person and PHQ-9");
	phq9_answers(&a, "2");
	fv_visit_input vin = {pid, "2026-11-23T09:00", "2026-11-23T09:40", NULL};
	ok(f && fv_visit_submit(s, f, &vin, &a, vid, &err) == FV_OK, "a PHQ-9 with item 9 at 2");
	fv_answers_release(&a);

	reset();
	ok(fv_alert_list(s, pid, 1, &al, &n, &err) == FV_OK && n == 1, "one open alert (%zu)", n);
	char aid[FV_ID_BYTES] = "";
	if (n == 1) {
		is_str(al[0].kind, "item9", "its kind");
		is_str(al[0].state, "open", "open");
		is_str(al[0].visit, vid, "raised by the visit");
		ok(*al[0].message != '\0', "with the form's message");
		snprintf(aid, sizeof aid, "%s", al[0].id);
	}
	fv_alert_list_free(al, n);

	reset();
	ok(fv_alert_close(s, aid, &err) == FV_EINVAL &&
	   has_part("record what was done and the referral first"),
	   "an alert is not closed before a referral is recorded");
	fv_referral_input bad = {"", "2026-11-31", "x", " "};
	reset();
	ok(fv_alert_refer(s, aid, &bad, rid, &err) == FV_EINVAL && err.n == 4 &&
	   has_part("referred to is required") && has_part("what was done is required") &&
	   has_part("referral date '2026-11-31' is not a date") &&
	   has_part("follow-up date 'x' is not a date"), "a bad referral: every problem (%zu)",
	   err.n);
	fv_referral_input early = {"县精神卫生中心", "2026-11-22", NULL, "陪同就诊"};
	reset();
	ok(fv_alert_refer(s, aid, &early, rid, &err) == FV_EINVAL &&
	   has_part("referral date 2026-11-22 is before the alert (2026-11-23)"),
	   "a referral before the alert");
	fv_referral_input back = {"县精神卫生中心", "2026-11-23", "2026-11-20", "陪同就诊"};
	reset();
	ok(fv_alert_refer(s, aid, &back, rid, &err) == FV_EINVAL &&
	   has_part("follow-up date 2026-11-20 is before the referral date"),
	   "a follow-up before the referral");
	fv_referral_input good = {"县精神卫生中心心理门诊", "2026-11-23", "2026-11-30",
				  "已告知家属，陪同到县精神卫生中心就诊"};
	reset();
	ok(fv_alert_refer(s, aid, &good, rid, &err) == FV_OK, "a referral recorded");
	reset();
	ok(fv_alert_list(s, NULL, 1, &al, &n, &err) == FV_OK && n == 1 &&
	   strcmp(al[0].state, "referred") == 0 && al[0].version == 2,
	   "the alert is referred, version 2");
	fv_alert_list_free(al, n);
	reset();
	ok(fv_referral_list(s, pid, &rf, &n, &err) == FV_OK && n == 1 &&
	   strcmp(rf[0].id, rid) == 0 && strcmp(rf[0].alert, aid) == 0 &&
	   strcmp(rf[0].follow_up_on, "2026-11-30") == 0 && strcmp(rf[0].state, "open") == 0,
	   "the referral is listed with its follow-up date");
	fv_referral_list_free(rf, n);

	reset();
	ok(fv_alert_close(s, aid, &err) == FV_EINVAL &&
	   has_part("no follow-up visit after 2026-11-23 yet"),
	   "not closed without a follow-up visit");
	double t;
	fv_datetime_parse("2026-11-25T10:00:00", &t);
	fv_clock_set(t);
	phq9_answers(&a, "0");
	fv_visit_input vin2 = {pid, "2026-11-25T09:00", "2026-11-25T09:30", NULL};
	reset();
	ok(fv_visit_submit(s, f, &vin2, &a, vid2, &err) == FV_OK, "a follow-up visit two days on");
	fv_answers_release(&a);
	reset();
	ok(fv_alert_close(s, aid, &err) == FV_OK, "then the alert closes");
	reset();
	ok(fv_alert_list(s, pid, 1, &al, &n, &err) == FV_OK && n == 0, "no open alert left");
	fv_alert_list_free(al, n);
	reset();
	ok(fv_alert_list(s, pid, 0, &al, &n, &err) == FV_OK && n == 1 &&
	   strcmp(al[0].state, "closed") == 0 && strncmp(al[0].closed_at, "2026-11-25", 10) == 0,
	   "all alerts: closed, with its time");
	fv_alert_list_free(al, n);
	reset();
	ok(fv_referral_list(s, NULL, &rf, &n, &err) == FV_OK && n == 1 &&
	   strcmp(rf[0].state, "closed") == 0, "its referral closed with it");
	fv_referral_list_free(rf, n);
	reset();
	ok(fv_alert_close(s, aid, &err) == FV_EINVAL && has_part("is closed already"),
	   "closing twice is refused");
	reset();
	ok(fv_alert_refer(s, aid, &good, rid, &err) == FV_EINVAL && has_part("is closed"),
	   "a closed alert takes no referral");
	reset();
	ok(fv_alert_close(s, "nope", &err) == FV_ENOTFOUND && has_part("no alert nope"),
	   "an unknown alert");

	fv_audit_entry *log = NULL;
	reset();
	int refer_seen = 0, close_seen = 0;
	if (fv_store_audit_list(s, aid, &log, &n, &err) == FV_OK) {
		for (size_t i = 0; i < n; i++) {
			refer_seen |= strcmp(log[i].action, "alert.refer") == 0 &&
				      strcmp(log[i].detail, "item9") == 0;
			close_seen |= strcmp(log[i].action, "alert.close") == 0;
		}
		fv_store_audit_list_free(log, n);
	}
	ok(refer_seen && close_seen, "referring and closing are audited, without personal text");

	/* the review of a visit, as the supervisor's down-bundle brings it */
	char *decision = NULL, *comment = NULL;
	reset();
	ok(fv_visit_review_get(s, vid, 0, &decision, &comment, &err) == FV_ENOTFOUND,
	   "no review yet");
	char *sql = fv_xasprintf(
		"INSERT INTO review(id, version, author, visit_id, visit_version, decision,"
		" comment, reviewed_at) VALUES ('r1', 1, 'sup', '%s', 1, 'returned',"
		" '请补充转介情况', '2026-11-26T08:00:00.000+08:00')", vid);
	ok(sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK, "a review row");
	free(sql);
	reset();
	ok(fv_visit_review_get(s, vid, 0, &decision, &comment, &err) == FV_OK &&
	   strcmp(decision, "returned") == 0 && strcmp(comment, "请补充转介情况") == 0,
	   "the review and its comment");
	free(decision);
	free(comment);
	reset();
	ok(fv_visit_review_get(s, vid, 2, &decision, &comment, &err) == FV_ENOTFOUND,
	   "no review of version 2");

	/* the returned visit corrected: item 9 still at 2 raises no second
	 * alert of its kind; its first alert is the one */
	reset();
	ok(store_visit_set_state(s, vid, 1, FV_VISIT_SENT, &err) == FV_OK &&
	   store_visit_set_state(s, vid, 1, FV_VISIT_RECEIVED, &err) == FV_OK &&
	   store_visit_set_state(s, vid, 1, FV_VISIT_RETURNED, &err) == FV_OK &&
	   fv_visit_move(s, vid, FV_VISIT_DRAFT, &err) == FV_OK, "the visit returned, corrected");
	phq9_answers(&a, "2");
	fv_visit_input fix = {NULL, "2026-11-23T09:00", "2026-11-23T09:40", NULL};
	reset();
	ok(fv_visit_save_draft(s, f, &fix, &a, vid, &err) == FV_OK &&
	   fv_visit_move(s, vid, FV_VISIT_SUBMITTED, &err) == FV_OK,
	   "its version 2 submitted, item 9 still at 2");
	fv_answers_release(&a);
	if (err.n)
		diag("%s", first());
	reset();
	ok(fv_alert_list(s, pid, 0, &al, &n, &err) == FV_OK && n == 1 && strcmp(al[0].id, aid) == 0,
	   "one alert for the visit, still the first (%zu)", n);
	fv_alert_list_free(al, n);
	fv_visit v2;
	reset();
	ok(fv_visit_get(s, vid, 0, &v2, &err) == FV_OK && v2.version == 2 &&
	   strcmp(v2.alerts, "item9") == 0, "the visit is at version 2, with its alert");
	fv_visit_query qa = {.alerts = 1};
	size_t counts[FV_VISIT_NSTATES];
	reset();
	ok(fv_visit_count(s, &qa, counts, &err) == FV_OK && counts[FV_VISIT_SUBMITTED] == 1,
	   "... and among the visits with an alert");
	if (!err.n)
		fv_visit_release(&v2);
	fv_form_free(f);
	fv_store_close(s);
	fv_clock_set(clock_t0);
}

/* The hook for migration tests: a store made as an older build made it. */
/* The address of household id ("" when none), NULL without the row. */
static char *household_address(fv_store *s, const char *id, int *version)
{
	char *out = NULL;
	sqlite3_stmt *st = store_prepare(s, "SELECT address, version FROM household WHERE id = ?1",
					 &err);
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out = fv_xstrdup((const char *)sqlite3_column_text(st, 0));
		*version = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return out;
}

/* The register form's address is kept on the person's household. */
static void test_address(fv_store *s)
{
	char id[FV_ID_BYTES], id2[FV_ID_BYTES];
	fv_person_input in = {
		.name = "周兰", .sex = "female", .birth = "1950-05-05",
		.resident_id = "11010519500505002X", .village = "南村",
		.household = "H-ADDR", .address = "南村3组12号",
	};
	fv_person p;
	char *a;
	int version = 0;

	reset();
	ok(fv_person_add(s, &in, id, &err) == FV_OK, "add a person with an address");
	a = household_address(s, "H-ADDR", &version);
	is_str(a, "南村3组12号", "the address is on the household");
	free(a);

	fv_person_input alone = {
		.name = "钱伟", .sex = "male", .birth = "1948-01-01",
		.resident_id = "110105194801010032", .village = "南村", .address = "南村5组1号",
	};
	reset();
	ok(fv_person_add(s, &alone, id2, &err) == FV_OK, "add a person with an address, no household");
	reset();
	if (ok(fv_person_get(s, id2, &p, &err) == FV_OK, "get them")) {
		is_str(p.household, id2, "a household of their own, the person's id");
		fv_person_release(&p);
	}
	a = household_address(s, id2, &version);
	is_str(a, "南村5组1号", "its address");
	free(a);
	int was = version;

	fv_person_input edit = {.address = "南村5组2号"};
	reset();
	ok(fv_person_edit(s, id2, &edit, &err) == FV_OK, "edit the address");
	a = household_address(s, id2, &version);
	is_str(a, "南村5组2号", "the new address");
	ok(version == was + 1, "a new version of the household");
	free(a);

	char *longer = fv_xmalloc(202);
	memset(longer, 'a', 201);
	longer[201] = '\0';
	edit.address = longer;
	reset();
	ok(fv_person_edit(s, id2, &edit, &err) == FV_EINVAL && has_part("address"),
	   "an address of 201 characters refused");
	free(longer);
}

static void test_pin(void)
{
	store_schema_pin(1);
	fv_store *s = create_store("pinned.fv", FV_ROLE_WORKER);
	store_schema_pin(0);
	if (!ok(s != NULL, "a store made at a pinned schema"))
		return;
	ok(version_of(s) == 1, "at schema 1");
	/* data written by a schema-1 build: a person with a visit, the row as
	 * that build wrote it (its answers ask for a follow-up) */
	fv_person_input in = {
		.name = "Old", .sex = "female", .birth = "1940-02-29",
		.resident_id = "130102194002290044", .village = "West",
	};
	char pid[FV_ID_BYTES];
	reset();
	ok(fv_person_add(s, &in, pid, &err) == FV_OK, "schema 1: a person");
	char *sql = fv_xasprintf(
		"INSERT INTO visit(id, version, author, person_id, form_id, form_version, state,"
		" answers, checkin, checkout, duration, services, visit_date, created_at,"
		" updated_at, submitted_at) VALUES ('0b6f3c1e-1111-4aaa-8bbb-000000000001', 1,"
		" 'dev', '%s', 'phq9', '2026112301', 'submitted',"
		" '{\"q1\": \"0\", \"followup_due\": \"2026-12-01\"}', '2026-11-18T09:00',"
		" '2026-11-18T10:00', 60, 'comfort', '2026-11-18', 'x', 'x', 'x');"
		"INSERT INTO visit(id, version, author, person_id, form_id, form_version, state,"
		" answers, visit_date, created_at, updated_at, submitted_at) VALUES"
		" ('0b6f3c1e-1111-4aaa-8bbb-000000000002', 1, 'dev', '%s', 'phq9', '2026112301',"
		" 'submitted', '{\"followup_due\": \"soon\"}', '2026-11-17', 'x', 'x', 'x');",
		pid, pid);
	ok(sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK, "schema 1: two visits");
	free(sql);
	fv_store_close(s);
	s = open_store("pinned.fv");
	ok(s && version_of(s) == STORE_SCHEMA_VERSION, "opening brings it to the latest");
	fv_person p;
	reset();
	if (s && ok(fv_person_get(s, pid, &p, &err) == FV_OK, "the person after the upgrade")) {
		is_str(p.last_visit, "2026-11-18", "schema 2 filled the last visit from schema 1 data");
		fv_person_release(&p);
	}
	fv_schedule_facts facts;
	if (s && ok(fv_store_schedule_facts(s, pid, 0, &facts, &err) == FV_OK && facts.n == 1,
		    "schedule facts after the upgrade")) {
		const fv_sched_person *sp = &facts.people[0];
		ok(sp->nvisits == 2, "schema 3 listed both visits as counting (%zu)", sp->nvisits);
		int32_t want;
		(void)fv_date_parse("2026-12-01", &want);
		int found = 0, bad = 0;
		for (size_t i = 0; i < sp->nvisits; i++) {
			if (sp->visits[i].duration == 60)
				found = sp->visits[i].followup_due == want;
			else
				bad = sp->visits[i].followup_due == FV_SCHED_NO_DATE &&
				      sp->visits[i].duration == -1;
		}
		ok(found, "schema 3 took the follow-up date from the answers");
		ok(bad, "... and left out one that is not a date");
		fv_schedule_facts_release(&facts);
	}
	fv_store_close(s);
}

/* ------------------------------------------------------------------ */
/* Schema 5: the visit triggers rewritten, the same behaviour            */

static const char *const trig_states[] = {"draft",    "submitted", "sent",
					  "received", "approved",  "returned"};

/* Appends SQL's outcome to a transcript: "ok" or SQLite's message. */
static int trig_exec(fv_store *s, fv_buf *t, const char *what, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	fv_buf_addf(t, "%s: %s\n", what, rc == SQLITE_OK ? "ok" : msg ? msg : "error");
	sqlite3_free(msg);
	return rc == SQLITE_OK;
}

/* visit_fact and person_last_visit as text, ids without their prefix. */
static void trig_dump(fv_store *s, fv_buf *t, const char *prefix)
{
	static const char *const q[] = {
		"SELECT substr(id, length(?1) + 1), version, visit_date, form_id,"
		" ifnull(duration, '-'), ifnull(followup_due, '-') FROM visit_fact"
		" WHERE id LIKE ?1 || '%' ORDER BY id",
		"SELECT 'last', visit_date, '', '', '', '' FROM person_last_visit"
		" WHERE person_id = (SELECT person_id FROM visit WHERE id LIKE ?1 || '%' LIMIT 1)",
	};
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->db, q[i], -1, &st, NULL) != SQLITE_OK) {
			fv_buf_addf(t, "dump: %s\n", sqlite3_errmsg(s->db));
			continue;
		}
		sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			fv_buf_adds(t, " ");
			for (int c = 0; c < 6; c++)
				fv_buf_addf(t, " %s", (const char *)sqlite3_column_text(st, c));
			fv_buf_adds(t, "\n");
		}
		sqlite3_finalize(st);
	}
}

/* One visit row as an import or a submit writes it. */
static int trig_insert(fv_store *s, fv_buf *t, const char *prefix, const char *person,
		       const char *id, int version, const char *state, const char *date)
{
	int draft = strcmp(state, "draft") == 0;
	char *what = fv_xasprintf("insert %s v%d %s %s", id, version, state, date);
	char *sql = fv_xasprintf(
		"INSERT INTO visit(id, version, author, person_id, form_id, form_version, state,"
		" answers, duration, visit_date, followup_due, created_at, updated_at, submitted_at)"
		" VALUES ('%s%s', %d, 'dev', '%s', 'phq9', '2026112301', '%s', '{\"q1\":\"%d\"}',"
		" %d, %s%s%s, '2026-12-%02d', 'x', 'x', %s)",
		prefix, id, version, person, state, version, 10 * version,
		draft ? "" : "'", draft ? "NULL" : date, draft ? "" : "'", version,
		draft ? "NULL" : "'x'");
	int r = trig_exec(s, t, what, sql);
	free(sql);
	free(what);
	return r;
}

static int trig_set(fv_store *s, fv_buf *t, const char *prefix, const char *id, int version,
		    const char *set)
{
	char *what = fv_xasprintf("%s v%d: %s", id, version, set);
	char *sql = fv_xasprintf("UPDATE visit SET %s WHERE id = '%s%s' AND version = %d", set,
				 prefix, id, version);
	int r = trig_exec(s, t, what, sql);
	free(sql);
	free(what);
	return r;
}

/* The SET of a state change: leaving the draft also sets what a submit
 * sets (the CHECKs ask for it); any other change names the state alone,
 * as the code does (naming visit_date would trip visit_immutable). */
static char *trig_move_set(const char *from, const char *to)
{
	if (strcmp(from, "draft") == 0 && strcmp(to, "draft") != 0)
		return fv_xasprintf("state = '%s', submitted_at = 'x', visit_date = '2026-11-20'",
				    to);
	return fv_xasprintf("state = '%s'", to);
}

static void trig_state(fv_store *s, fv_buf *t, const char *prefix, const char *id, int version,
		       const char *from, const char *to)
{
	char *set = trig_move_set(from, to);
	trig_set(s, t, prefix, id, version, set);
	trig_dump(s, t, prefix);
	free(set);
}

/* Every behaviour of the visit triggers, as a transcript: each state
 * change from each state to each other (allowed or refused), visit_fact
 * through submit, return, a new draft, resubmit and approval, versions
 * arriving out of order as an import brings them, immutability of a
 * submitted visit and the one pruning allowed, deletes. */
static void trig_script(fv_store *s, const char *prefix, const char *person, fv_buf *t)
{
	char id[32];

	for (size_t a = 0; a < 6; a++)
		for (size_t b = 0; b < 6; b++) {
			snprintf(id, sizeof id, "pair-%zu-%zu", a, b);
			trig_insert(s, t, prefix, person, id, 1, trig_states[a], "2026-11-01");
			char *set = trig_move_set(trig_states[a], trig_states[b]);
			trig_set(s, t, prefix, id, 1, set);
			free(set);
		}
	trig_dump(s, t, prefix);

	/* one visit through its life on a worker */
	trig_insert(s, t, prefix, person, "life", 1, "draft", "");
	trig_dump(s, t, prefix);
	trig_set(s, t, prefix, "life", 1, "answers = '{\"q1\":\"3\"}'");
	trig_state(s, t, prefix, "life", 1, "draft", "submitted");
	trig_state(s, t, prefix, "life", 1, "submitted", "sent");
	trig_state(s, t, prefix, "life", 1, "sent", "received");
	trig_state(s, t, prefix, "life", 1, "received", "returned");
	trig_insert(s, t, prefix, person, "life", 2, "draft", "");
	trig_dump(s, t, prefix);
	trig_state(s, t, prefix, "life", 2, "draft", "submitted");
	trig_state(s, t, prefix, "life", 2, "submitted", "sent");
	trig_state(s, t, prefix, "life", 2, "sent", "received");
	trig_state(s, t, prefix, "life", 2, "received", "approved");
	trig_state(s, t, prefix, "life", 1, "returned", "draft");

	/* versions as imports bring them, in and out of order */
	trig_insert(s, t, prefix, person, "late", 2, "received", "2026-11-21");
	trig_insert(s, t, prefix, person, "late", 1, "received", "2026-11-19");
	trig_dump(s, t, prefix);
	trig_insert(s, t, prefix, person, "next", 1, "received", "2026-11-22");
	trig_insert(s, t, prefix, person, "next", 2, "submitted", "2026-11-24");
	trig_dump(s, t, prefix);
	trig_insert(s, t, prefix, person, "next", 3, "returned", "2026-11-25");
	trig_dump(s, t, prefix);
	trig_insert(s, t, prefix, person, "ret", 1, "returned", "2026-11-02");
	trig_insert(s, t, prefix, person, "ret", 2, "draft", "");
	trig_dump(s, t, prefix);
	trig_state(s, t, prefix, "ret", 2, "draft", "submitted");
	trig_state(s, t, prefix, "next", 2, "submitted", "sent");

	/* immutability */
	trig_set(s, t, prefix, "late", 2, "answers = '{}'");
	trig_set(s, t, prefix, "late", 2, "score = 27");
	trig_set(s, t, prefix, "late", 2, "visit_date = '2026-01-01'");
	trig_set(s, t, prefix, "late", 2, "followup_due = '2026-01-01'");
	trig_set(s, t, prefix, "late", 2, "answers = '{}', pruned_at = 'x'");
	trig_set(s, t, prefix, "late", 2, "answers = '{\"q1\":\"1\"}', pruned_at = 'y'");
	trig_set(s, t, prefix, "life", 2, "answers = '{}', pruned_at = 'x'");
	trig_set(s, t, prefix, "pair-1-1", 1, "answers = '{}', pruned_at = 'x'");
	trig_insert(s, t, prefix, person, "gone", 1, "draft", "");
	trig_set(s, t, prefix, "gone", 1, "followup_due = '2026-02-02', score = 3");
	char *sql = fv_xasprintf("DELETE FROM visit WHERE id = '%sgone'", prefix);
	trig_exec(s, t, "delete a draft", sql);
	free(sql);
	sql = fv_xasprintf("DELETE FROM visit WHERE id = '%slate'", prefix);
	trig_exec(s, t, "delete a received visit", sql);
	free(sql);
	trig_dump(s, t, prefix);
}

static int trig_has(const char *t, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = t; (p = strstr(p, line)) != NULL; p++)
		if ((p == t || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

/* "id:version:superseded ..." of the visits whose ids start with prefix. */
static char *superseded_of(fv_store *s, const char *prefix)
{
	fv_buf b;
	sqlite3_stmt *st = NULL;
	fv_buf_init(&b);
	if (sqlite3_prepare_v2(s->db, "SELECT substr(id, length(?1) + 1), version, superseded"
				      " FROM visit WHERE id LIKE ?1 || '%' ORDER BY id, version",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW)
			fv_buf_addf(&b, "%s%s:%d:%d", b.len ? " " : "", sqlite3_column_text(st, 0),
				    sqlite3_column_int(st, 1), sqlite3_column_int(st, 2));
	}
	sqlite3_finalize(st);
	return b.s ? b.s : fv_xstrdup("");
}

/* Schema 6 marks every version of a visit but its latest: set for the
 * rows a store at schema 5 had, then kept by the triggers as versions
 * arrive in any order and drafts are deleted; lists read it. */
static void test_pin_5(void)
{
	fv_buf t;
	fv_buf_init(&t);
	store_schema_pin(5);
	fv_store *s = create_store("pinned5.fv", FV_ROLE_SUPERVISOR);
	store_schema_pin(0);
	if (!ok(s != NULL && version_of(s) == 5, "a store made at schema 5"))
		goto out;
	fv_person_input in = {
		.name = "Six", .sex = "male", .birth = "1985-07-15",
		.resident_id = "320102198507150016", .village = "North",
	};
	char pid[FV_ID_BYTES];
	reset();
	ok(fv_person_add(s, &in, pid, &err) == FV_OK, "schema 5: a person");
	ok(trig_insert(s, &t, "s6-", pid, "x", 1, "returned", "2026-11-01") &&
	   trig_insert(s, &t, "s6-", pid, "x", 2, "received", "2026-11-02") &&
	   trig_insert(s, &t, "s6-", pid, "y", 1, "received", "2026-11-03") &&
	   trig_insert(s, &t, "s6-", pid, "z", 2, "received", "2026-11-04") &&
	   trig_insert(s, &t, "s6-", pid, "z", 1, "received", "2026-11-04"),
	   "schema 5: versions, one older after a newer");
	fv_store_close(s);

	s = open_store("pinned5.fv");
	if (!ok(s && version_of(s) == STORE_SCHEMA_VERSION, "opening brings it to %d",
		STORE_SCHEMA_VERSION))
		goto out;
	char *got = superseded_of(s, "s6-");
	is_str(got, "x:1:1 x:2:0 y:1:0 z:1:1 z:2:0", "the upgrade marks the older versions");
	free(got);
	ok(trig_insert(s, &t, "s6-", pid, "q", 3, "received", "2026-11-05") &&
	   trig_insert(s, &t, "s6-", pid, "q", 2, "received", "2026-11-05") &&
	   trig_insert(s, &t, "s6-", pid, "y", 2, "draft", ""), "schema 6: more versions");
	got = superseded_of(s, "s6-");
	is_str(got, "q:2:1 q:3:0 x:1:1 x:2:0 y:1:1 y:2:0 z:1:1 z:2:0",
	       "an insert marks the lower versions, or itself when it is the lower");
	free(got);
	ok(trig_exec(s, &t, "delete y v2", "DELETE FROM visit WHERE id = 's6-y' AND version = 2"),
	   "the draft deleted");
	got = superseded_of(s, "s6-");
	is_str(got, "q:2:1 q:3:0 x:1:1 x:2:0 y:1:0 z:1:1 z:2:0",
	       "deleting the latest version unmarks the one below");
	free(got);
	fv_visit *v;
	size_t n;
	fv_visit_query q = {.states = FV_VISIT_BIT(FV_VISIT_RECEIVED)};
	size_t counts[FV_VISIT_NSTATES];
	reset();
	ok(fv_visit_list(s, &q, &v, &n, &err) == FV_OK && n == 4, "the latest versions listed");
	fv_visit_list_free(v, n);
	ok(fv_visit_count(s, NULL, counts, &err) == FV_OK && counts[FV_VISIT_RECEIVED] == 4 &&
	   counts[FV_VISIT_RETURNED] == 0, "and counted");
	fv_store_close(s);
out:
	fv_buf_release(&t);
}

/* A store made at schema 4 opens at 5 with the same rows, and the new
 * triggers do exactly what the old ones did. */
static void test_pin_4(void)
{
	fv_buf t4, t5, before, after;
	fv_buf_init(&t4);
	fv_buf_init(&t5);
	fv_buf_init(&before);
	fv_buf_init(&after);

	store_schema_pin(4);
	fv_store *s = create_store("pinned4.fv", FV_ROLE_WORKER);
	store_schema_pin(0);
	if (!ok(s != NULL, "a store made at schema 4"))
		goto out;
	ok(version_of(s) == 4, "at schema 4");
	fv_person_input in = {
		.name = "Four", .sex = "male", .birth = "1985-07-15",
		.resident_id = "320102198507150016", .village = "North",
	};
	char pid[FV_ID_BYTES];
	reset();
	ok(fv_person_add(s, &in, pid, &err) == FV_OK, "schema 4: a person");
	trig_script(s, "old-", pid, &t4);
	trig_dump(s, &before, "old-");
	/* a supervisor's queue: rebuilt by schema 5 */
	ok(sqlite3_exec(s->db,
			"INSERT INTO peer(id, name, role, created_at) VALUES ('w1', 'Wang', 'worker', 'x');"
			"INSERT INTO sync_outbox(peer, tbl, ref, id, version, sent_seq) VALUES"
			" ('w1', 'receipt', 'visit', 'v1', 2, NULL), ('w1', 'review', '', 'r1', 1, 3),"
			" ('w1', 'rule', '', 'visit_rules', 1, 0)", NULL, NULL, NULL) == SQLITE_OK,
	   "schema 4: a peer and its outbox");
	fv_store_close(s);

	s = open_store("pinned4.fv");
	if (!ok(s && version_of(s) == STORE_SCHEMA_VERSION, "opening brings it to %d",
		STORE_SCHEMA_VERSION))
		goto out;
	trig_dump(s, &after, "old-");
	is_str(after.s ? after.s : "", before.s ? before.s : "",
	       "visit_fact and person_last_visit kept through the upgrade");
	sqlite3_stmt *st = NULL;
	int old_forms = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
				      " AND (sql LIKE '%NOT IN (VALUES%' OR sql LIKE '%NOT EXISTS%')",
			       -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		old_forms = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	ok(old_forms == 0, "no trigger builds a table per row any more");
	fv_buf ob;
	fv_buf_init(&ob);
	if (sqlite3_prepare_v2(s->db, "SELECT peer, tbl, ref, id, version, ifnull(sent_seq, '-')"
				      " FROM sync_outbox ORDER BY tbl", -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW)
			for (int c = 0; c < 6; c++)
				fv_buf_addf(&ob, "%s%c", (const char *)sqlite3_column_text(st, c),
					    c == 5 ? ';' : ' ');
	sqlite3_finalize(st);
	is_str(ob.s ? ob.s : "", "w1 receipt visit v1 2 -;w1 review  r1 1 3;w1 rule  visit_rules 1 0;",
	       "the outbox kept through the rebuild");
	fv_buf_release(&ob);
	reset();
	ok(store_exec(s, "INSERT INTO sync_outbox(peer, tbl, id, version) VALUES"
			 " ('w1', 'visit', 'v2', 1)", &err) == FV_EINVAL &&
	   has_part("CHECK constraint failed"), "the outbox still refuses an unknown table");
	reset();
	ok(store_exec(s, "INSERT INTO sync_outbox(peer, tbl, id, version) VALUES"
			 " ('nobody', 'form', 'phq9', 1)", &err) == FV_EINVAL &&
	   has_part("FOREIGN KEY"), "... and an unknown peer");
	reset();
	ok(store_exec(s, "INSERT INTO sync_outbox(peer, tbl, id, version) VALUES"
			 " ('w1', 'form', 'phq9', 1), ('w1', 'person', 'p1', 1)", &err) == FV_OK,
	   "... and takes the others");

	in.name = "Five";
	in.sex = "female";
	in.resident_id = "510107196003120022";
	in.birth = "1960-03-12";
	reset();
	ok(fv_person_add(s, &in, pid, &err) == FV_OK, "schema 5: a person");
	trig_script(s, "new-", pid, &t5);
	is_str(t5.s ? t5.s : "", t4.s ? t4.s : "", "schema 5 triggers behave as schema 4's, step by step");

	/* and what that behaviour is */
	const char *t = t5.s ? t5.s : "";
	int allowed = 0, refused = 0;
	for (size_t a = 0; a < 6; a++)
		for (size_t b = 0; b < 6; b++) {
			int legal = a == b || (a == 0 && b == 1) || (a == 1 && b == 2) ||
				    (a == 2 && b == 3) || (a == 3 && (b == 4 || b == 5));
			char *set = trig_move_set(trig_states[a], trig_states[b]);
			char *line = fv_xasprintf("pair-%zu-%zu v1: %s: %s", a, b, set,
						  legal ? "ok" : "this change of visit state is not allowed");
			free(set);
			if (trig_has(t, line))
				legal ? allowed++ : refused++;
			else
				diag("missing: %s", line);
			free(line);
		}
	ok(allowed == 11 && refused == 25, "state changes: %d allowed, %d refused", allowed,
	   refused);
	ok(trig_has(t, "life v1: answers = '{\"q1\":\"3\"}': ok"), "a draft's answers change");
	ok(trig_has(t, "  life 1 2026-11-20 phq9 10 2026-12-01"), "a submitted visit counts");
	ok(trig_has(t, "  life 2 2026-11-20 phq9 20 2026-12-02"), "its resubmitted version 2 counts");
	ok(trig_has(t, "life v1: state = 'returned': ok") &&
	   trig_has(t, "life v2: state = 'approved': ok"), "returned, then version 2 approved");
	ok(trig_has(t, "  late 2 2026-11-21 phq9 20 2026-12-02"),
	   "an older version arriving later leaves the newer fact");
	ok(trig_has(t, "  next 2 2026-11-24 phq9 20 2026-12-02"), "a newer version replaces");
	ok(trig_has(t, "late v2: answers = '{}': a submitted visit cannot be changed") &&
	   trig_has(t, "late v2: score = 27: a submitted visit cannot be changed") &&
	   trig_has(t, "late v2: followup_due = '2026-01-01': a submitted visit cannot be changed"),
	   "a submitted visit is immutable");
	ok(trig_has(t, "late v2: answers = '{}', pruned_at = 'x': ok") &&
	   trig_has(t, "late v2: answers = '{\"q1\":\"1\"}', pruned_at = 'y':"
		       " a submitted visit cannot be changed") &&
	   trig_has(t, "pair-1-1 v1: answers = '{}', pruned_at = 'x':"
		       " a submitted visit cannot be changed"),
	   "answers dropped once, only after receipt");
	ok(trig_has(t, "delete a draft: ok") &&
	   trig_has(t, "delete a received visit: a submitted visit is never deleted"),
	   "only drafts are deleted");
	/* the last dump: what counts at the end */
	const char *last = strrchr(t, ':');
	diag("end of the transcript:%s", last ? last + 1 : "");
	ok(last && strstr(last, "  life 2 ") && strstr(last, "  late 2 ") && strstr(last, "  ret 2 ") &&
	   strstr(last, "  pair-1-1 1 ") && !strstr(last, "  pair-5-5 ") &&
	   !strstr(last, "  pair-0-0 "),
	   "visit_fact at the end: approved, resubmitted and received visits; no draft or returned");
	fv_store_close(s);
out:
	fv_buf_release(&t4);
	fv_buf_release(&t5);
	fv_buf_release(&before);
	fv_buf_release(&after);
}

/* ------------------------------------------------------------------ */
/* 10,000 people, 100,000 visits                                       */

static long rows_of(fv_store *s, const char *sql);

#define SCALE_PEOPLE 10000
#define SCALE_VISITS 10   /* per person */

/* A valid resident ID for a birth date and sequence number; the check
 * digit computed as the hand vectors above show. */
static void make_id(char out[19], int32_t birth, int seq)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	int y, m, d, sum = 0;
	fv_date_to_ymd(birth, &y, &m, &d);
	snprintf(out, 19, "110101%04d%02d%02d%03d", y, m, d, seq % 1000);
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

static int report_facts_differ(fv_store *s);

static void test_scale(void)
{
	fv_store *s = create_store("big.fv", FV_ROLE_SUPERVISOR);
	char (*ids)[FV_ID_BYTES] = fv_xcalloc(SCALE_PEOPLE, sizeof *ids);
	int32_t base, first_visit;
	fv_person *people = NULL;
	size_t n = 0;
	int added = 1;

	if (!ok(s != NULL, "a store for 10,000 people"))
		goto out;
	fv_date_parse("1930-01-01", &base);
	fv_date_parse("2026-01-01", &first_visit);
	double t0 = monotonic();
	reset();
	ok(store_begin(s, &err) == FV_OK, "one transaction");
	for (int i = 0; i < SCALE_PEOPLE && added; i++) {
		char rid[19], birth[16], name[32], village[32];
		make_id(rid, base + i, i);
		fv_date_format(base + i, birth);
		snprintf(name, sizeof name, "person %05d", i);
		snprintf(village, sizeof village, "village %02d", i % 40);
		fv_person_input in = {.name = name, .sex = (i % 1000) % 2 ? "male" : "female",
				      .birth = birth, .resident_id = rid, .village = village};
		added = fv_person_add(s, &in, ids[i], &err) == FV_OK;
		if (!added)
			diag("person %d: %s", i, first());
	}
	ok(added, "10,000 people added");
	sqlite3_stmt *st = store_prepare(s,
		"INSERT INTO visit(id, version, author, person_id, form_id, form_version, state,"
		" answers, visit_date, created_at, updated_at, submitted_at)"
		" VALUES (?1, 1, 'bench', ?2, 'phq9', '2026112301', 'submitted', '{}', ?3, ?3, ?3, ?3)",
		&err);
	int inserted = 0;
	for (int i = 0; st && i < SCALE_PEOPLE; i++) {
		for (int k = 0; k < SCALE_VISITS; k++) {
			char vid[40], day[16];
			snprintf(vid, sizeof vid, "visit-%d-%d", i, k);
			/* visit k of person i: day 10k + i mod 7 of 2026 */
			fv_date_format(first_visit + 10 * k + i % 7, day);
			sqlite3_bind_text(st, 1, vid, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, ids[i], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, day, -1, SQLITE_TRANSIENT);
			inserted += sqlite3_step(st) == SQLITE_DONE;
			sqlite3_reset(st);
		}
	}
	sqlite3_finalize(st);
	ok(inserted == SCALE_PEOPLE * SCALE_VISITS, "100,000 visits inserted");
	reset();
	ok(store_commit(s, &err) == FV_OK, "committed");
	diag("filling: %.2f s", monotonic() - t0);
	ok(report_facts_differ(s) == 0, "the triggers made the report facts of 100,000 visits");

	t0 = monotonic();
	reset();
	ok(fv_person_list(s, NULL, &people, &n, &err) == FV_OK && n == SCALE_PEOPLE,
	   "list 10,000 people");
	double took = monotonic() - t0;
	diag("fv_person_list of 10,000 people with 100,000 visits: %.3f s", took);
	/* speed is measured by make bench (tests/bench/bench_store.c) */
	int right = n == SCALE_PEOPLE;
	for (size_t i = 0; right && i < n; i++) {
		int idx = atoi(people[i].name + 7);
		char want[16];
		fv_date_format(first_visit + 10 * (SCALE_VISITS - 1) + idx % 7, want);
		right = strcmp(people[i].last_visit, want) == 0;
		if (!right)
			diag("%s: last visit %s, want %s", people[i].name, people[i].last_visit, want);
	}
	ok(right, "every person has the date of the last visit");
	ok(n > 1 && strcmp(people[0].village, "village 00") == 0 &&
	   strcmp(people[0].name, "person 00000") == 0 &&
	   strcmp(people[1].name, "person 00040") == 0, "sorted by village, then name");
	fv_person_list_free(people, n);

	fv_person_query one = {.village = "village 07"};
	t0 = monotonic();
	reset();
	ok(fv_person_list(s, &one, &people, &n, &err) == FV_OK && n == SCALE_PEOPLE / 40,
	   "one village");
	diag("one village: %.3f s", monotonic() - t0);
	fv_person_list_free(people, n);

	/* reading ahead asks for every page of a b-tree below its root (the
	 * log written into the file first: the walk reads the file) */
	static const char *const trees[] = {"person", "sched_fact"};
	ok(sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) == SQLITE_OK,
	   "checkpoint");
	long below = rows_of(s, "SELECT count(*) FROM dbstat WHERE name IN ('person', 'sched_fact')"
				" AND pagetype IN ('internal', 'leaf') AND path <> '/'");
	size_t asked = store_prefetch_tables(s, trees, 2);
	ok(below > 600 && asked == (size_t)below,
	   "read ahead: %zu pages asked for, %ld below the roots of person and sched_fact", asked,
	   below);
	const char *none[] = {"no_such_table"};
	ok(store_prefetch_tables(s, none, 1) == 0, "read ahead: nothing for no table");
out:
	fv_store_close(s);
	free(ids);
}

/* The state of visit (id, version) as its row holds it. */
static char *raw_state(fv_store *s, const char *id, int version)
{
	sqlite3_stmt *st = NULL;
	char *out = fv_xstrdup("?");
	if (sqlite3_prepare_v2(s->db, "SELECT state FROM visit WHERE id = ?1 AND version = ?2", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, version);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
			free(out);
			out = fv_xstrdup((const char *)sqlite3_column_text(st, 0));
		}
	}
	sqlite3_finalize(st);
	return out;
}

static const char *state_of(fv_store *s, const char *id)
{
	fv_visit v;
	fv_errors e;
	fv_errors_init(&e);
	fv_visit_state st = (fv_visit_state)-1;
	if (fv_visit_get(s, id, 0, &v, &e) == FV_OK) {
		st = v.state;
		fv_visit_release(&v);
	}
	fv_errors_release(&e);
	return fv_visit_state_name(st);
}

static size_t count_in(fv_store *s, fv_visit_state st)
{
	fv_visit_query q = {.states = FV_VISIT_BIT(st)};
	fv_visit *vs = NULL;
	size_t n = 0;
	fv_errors e;
	fv_errors_init(&e);
	if (fv_visit_list(s, &q, &vs, &n, &e) != FV_OK)
		n = (size_t)-1;
	fv_visit_list_free(vs, n == (size_t)-1 ? 0 : n);
	fv_errors_release(&e);
	return n;
}

/* A store made at schema 6 opens at 7: a visit an older export marked
 * sent in its row still reads sent; an export at 7 marks a visit beside
 * its row, which then reads sent, is listed as sent, and moves on to
 * received through 'sent' in its row as the state machine wants. */
static void test_pin_6(void)
{
	store_schema_pin(6);
	fv_store *s = create_store("pinned6.fv", FV_ROLE_WORKER);
	store_schema_pin(0);
	if (!ok(s != NULL, "a store made at schema 6"))
		return;
	ok(version_of(s) == 6, "at schema 6");
	fv_person_input in = {
		.name = "Five", .sex = "male", .birth = "1985-07-15",
		.resident_id = "320102198507150016", .village = "North",
	};
	char pid[FV_ID_BYTES];
	reset();
	ok(fv_person_add(s, &in, pid, &err) == FV_OK, "schema 6: a person");
	char *sql = fv_xasprintf(
		"INSERT INTO visit(id, version, author, person_id, form_id, form_version, state,"
		" answers, visit_date, created_at, updated_at, submitted_at) VALUES"
		" ('p5-old', 1, '%s', '%s', 'phq9', '2026112301', 'sent', '{}', '2026-11-20', 'x',"
		" 'x', 'x'), ('p5-new', 1, '%s', '%s', 'phq9', '2026112301', 'submitted', '{}',"
		" '2026-11-21', 'x', 'x', 'x')", s->device, pid, s->device, pid);
	reset();
	ok(store_exec(s, sql, &err) == FV_OK, "schema 6: a visit sent, one submitted");
	free(sql);
	fv_store_close(s);

	s = open_store("pinned6.fv");
	if (!ok(s && version_of(s) == STORE_SCHEMA_VERSION, "opening brings it to %d",
		STORE_SCHEMA_VERSION))
		return;
	is_str(state_of(s, "p5-old"), "sent", "the visit sent in its row reads sent");
	is_str(state_of(s, "p5-new"), "submitted", "the submitted one reads submitted");
	ok(count_in(s, FV_VISIT_SENT) == 1 && count_in(s, FV_VISIT_SUBMITTED) == 1,
	   "one listed as sent, one as submitted");
	reset();
	ok(fv_store_mark_sent(s, 7, &err) == FV_OK, "an export marks what it carried");
	is_str(state_of(s, "p5-new"), "sent", "the marked visit reads sent");
	char *raw = raw_state(s, "p5-new", 1);
	is_str(raw, "submitted", "... its row is not rewritten");
	free(raw);
	ok(count_in(s, FV_VISIT_SENT) == 2 && count_in(s, FV_VISIT_SUBMITTED) == 0,
	   "both listed as sent, none as submitted");
	size_t counts[FV_VISIT_NSTATES];
	reset();
	ok(fv_visit_count(s, NULL, counts, &err) == FV_OK && counts[FV_VISIT_SENT] == 2 &&
	   counts[FV_VISIT_SUBMITTED] == 0, "and counted so");
	reset();
	ok(fv_store_mark_sent(s, 8, &err) == FV_OK, "a second export");
	sqlite3_stmt *st = NULL;
	int seq = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT group_concat(id || ' ' || bundle_seq, ';')"
				      " FROM visit_sent", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		seq = sqlite3_column_text(st, 0) &&
		      strcmp((const char *)sqlite3_column_text(st, 0), "p5-new 7") == 0;
	sqlite3_finalize(st);
	ok(seq == 1, "the mark names the first bundle that carried the visit");
	reset();
	ok(store_visit_set_state(s, "p5-new", 1, FV_VISIT_RECEIVED, &err) == FV_OK,
	   "a marked visit moves on to received");
	raw = raw_state(s, "p5-new", 1);
	is_str(raw, "received", "... in its row");
	free(raw);
	is_str(state_of(s, "p5-new"), "received", "... and reads received");
	reset();
	ok(store_visit_set_state(s, "p5-old", 1, FV_VISIT_RECEIVED, &err) == FV_OK &&
	   strcmp(state_of(s, "p5-old"), "received") == 0, "so does the one sent in its row");
	fv_store_close(s);
}

/* fv_visit_count(q) equals the states of fv_visit_list(q) counted. */
static int counts_agree(fv_store *s, const fv_visit_query *q)
{
	size_t counts[FV_VISIT_NSTATES], listed[FV_VISIT_NSTATES] = {0};
	fv_visit_query all = *q;
	fv_visit *vs = NULL;
	size_t n = 0;
	fv_errors e;
	int same;
	fv_errors_init(&e);
	all.states = 0;
	all.limit = 0;
	if (fv_visit_count(s, q, counts, &e) != FV_OK || fv_visit_list(s, &all, &vs, &n, &e) != FV_OK) {
		fv_errors_release(&e);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		listed[vs[i].state]++;
	same = memcmp(counts, listed, sizeof counts) == 0;
	if (!same)
		for (size_t k = 0; k < FV_VISIT_NSTATES; k++)
			diag("%s: counted %zu, listed %zu", fv_visit_state_name((fv_visit_state)k),
			     counts[k], listed[k]);
	fv_visit_list_free(vs, n);
	fv_errors_release(&e);
	return same;
}

/* The counts agree for every filter the tally answers, and check agrees. */
static void tally_agrees(fv_store *s, const char *when)
{
	const fv_visit_query qs[] = {
		{0},
		{.from = "2026-11-21"},
		{.to = "2026-11-21"},
		{.from = "2026-11-20", .to = "2026-11-20"},
		{.form = "phq9"},
		{.form = "phq9", .to = "2026-11-30"},
		{.form = "no-such-form"},
	};
	int good = 1;
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
		good &= counts_agree(s, &qs[i]);
	ok(good, "%s: the counts agree with the visits under every filter", when);
	reset();
	ok(fv_store_integrity(s, &err) == FV_OK, "%s: check finds the counts right", when);
}

static void exec_ok(fv_store *s, const char *sql, const char *what)
{
	reset();
	ok(store_exec(s, sql, &err) == FV_OK, "%s", what);
	if (err.n)
		diag("%s", first());
}

/* A store made at schema 7 opens at 8 with visit_tally counting what it
 * holds, and every change of a visit keeps it right: a change of state,
 * a newer version, an older one arriving late, a draft dated, a draft
 * deleted. */
static void test_pin_7(void)
{
	store_schema_pin(7);
	fv_store *s = create_store("pinned7.fv", FV_ROLE_WORKER);
	store_schema_pin(0);
	if (!ok(s != NULL, "a store made at schema 7"))
		return;
	ok(version_of(s) == 7, "at schema 7");
	fv_person_input in = {
		.name = "Seven", .sex = "male", .birth = "1985-07-15",
		.resident_id = "320102198507150016", .village = "North",
	};
	char pid[FV_ID_BYTES];
	reset();
	ok(fv_person_add(s, &in, pid, &err) == FV_OK, "schema 7: a person");
#define ROW7(id, ver, state, date, sub) \
	"('" id "', " #ver ", '%1$s', '%2$s', 'phq9', '2026112301', '" state "', '{}', " date ", 'x', 'x', " sub ")"
	char *sql = fv_xasprintf(
		"INSERT INTO visit(id, version, author, person_id, form_id, form_version, state,"
		" answers, visit_date, created_at, updated_at, submitted_at) VALUES "
		ROW7("t-a", 1, "sent", "'2026-11-20'", "'x'") ", "
		ROW7("t-b", 1, "submitted", "'2026-11-21'", "'x'") ", "
		ROW7("t-c", 1, "draft", "NULL", "NULL") ", "
		ROW7("t-d", 1, "received", "'2026-11-19'", "'x'") ", "
		ROW7("t-d", 2, "draft", "NULL", "NULL"),
		s->device, pid);
	exec_ok(s, sql, "schema 7: visits sent, submitted, a draft, a returned one corrected");
	free(sql);
	fv_store_close(s);

	s = open_store("pinned7.fv");
	if (!ok(s && version_of(s) == STORE_SCHEMA_VERSION, "opening brings it to %d",
		STORE_SCHEMA_VERSION))
		return;
	size_t counts[FV_VISIT_NSTATES];
	reset();
	ok(fv_visit_count(s, NULL, counts, &err) == FV_OK && counts[FV_VISIT_SENT] == 1 &&
	   counts[FV_VISIT_SUBMITTED] == 1 && counts[FV_VISIT_DRAFT] == 2 &&
	   counts[FV_VISIT_RECEIVED] == 0, "the migration counts the latest versions");
	tally_agrees(s, "after the migration");

	reset();
	ok(store_visit_set_state(s, "t-b", 1, FV_VISIT_SENT, &err) == FV_OK &&
	   store_visit_set_state(s, "t-b", 1, FV_VISIT_RECEIVED, &err) == FV_OK,
	   "a visit moves on to received");
	tally_agrees(s, "after a change of state");

	sql = fv_xasprintf("INSERT INTO visit(id, version, author, person_id, form_id, form_version,"
			   " state, answers, visit_date, created_at, updated_at, submitted_at) VALUES "
			   ROW7("t-e", 2, "submitted", "'2026-11-22'", "'x'"), s->device, pid);
	exec_ok(s, sql, "a second version arrives first");
	free(sql);
	sql = fv_xasprintf("INSERT INTO visit(id, version, author, person_id, form_id, form_version,"
			   " state, answers, visit_date, created_at, updated_at, submitted_at) VALUES "
			   ROW7("t-e", 1, "submitted", "'2026-11-18'", "'x'"), s->device, pid);
	exec_ok(s, sql, "... then its first");
	free(sql);
#undef ROW7
	reset();
	ok(fv_visit_count(s, &(fv_visit_query){.from = "2026-11-18", .to = "2026-11-18"}, counts,
			  &err) == FV_OK && counts[FV_VISIT_SUBMITTED] == 0,
	   "the older version, superseded on arrival, is not counted");
	tally_agrees(s, "after versions out of order");

	exec_ok(s, "UPDATE visit SET visit_date = '2026-11-21' WHERE id = 't-c'", "a draft dated");
	tally_agrees(s, "after a draft's date changed");
	exec_ok(s, "DELETE FROM visit WHERE id = 't-c'", "a draft deleted");
	exec_ok(s, "DELETE FROM visit WHERE id = 't-d' AND version = 2",
		"a correction's draft deleted, its returned version latest again");
	reset();
	ok(fv_visit_count(s, NULL, counts, &err) == FV_OK && counts[FV_VISIT_DRAFT] == 0 &&
	   counts[FV_VISIT_RECEIVED] == 2, "the drafts gone, the version below counts again");
	tally_agrees(s, "after deletes");

	exec_ok(s, "UPDATE visit_tally SET n = n + 1 WHERE state = 'sent' AND visit_date = '2026-11-20'", "a count made wrong");
	reset();
	ok(fv_store_integrity(s, &err) == FV_EIO && err.n == 1 &&
	   strstr(first(), "the visit counts differ from the visits in 1 group"),
	   "check names the wrong count");
	diag("%s", first());
	fv_store_close(s);
}

/* report_fact as text, ids without their prefix: version, day, form,
 * duration, times, services, whether the answers hash is that of the
 * visit's answers, and the survey's answers. */
static char *report_facts_of(fv_store *s, const char *prefix)
{
	fv_buf b;
	sqlite3_stmt *st = NULL;
	fv_buf_init(&b);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT substr(r.id, length(?1) + 1), r.version, r.day, r.form_id,"
			       " ifnull(r.duration, '-'), ifnull(r.checkin, '-'),"
			       " ifnull(r.checkout, '-'), ifnull(r.submitted, '-'), r.services,"
			       " r.answers = (SELECT fv_hash(v.answers) FROM visit v WHERE v.id = r.id"
			       "   AND v.version = r.version), ifnull(r.survey, '-')"
			       " FROM report_fact r WHERE r.id LIKE ?1 || '%' ORDER BY r.id",
			       -1, &st, NULL) != SQLITE_OK) {
		fv_buf_addf(&b, "prepare: %s", sqlite3_errmsg(s->db));
		return fv_buf_take(&b);
	}
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		fv_buf_addf(&b, "%s%s:%d:%d:%s", b.len ? "\n" : "", sqlite3_column_text(st, 0),
			    sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
			    sqlite3_column_text(st, 3));
		for (int c = 4; c < 11; c++)
			fv_buf_addf(&b, ":%s", sqlite3_column_text(st, c));
	}
	sqlite3_finalize(st);
	return b.s ? b.s : fv_xstrdup("");
}

/* The rows report_fact would have if made afresh from visit_fact and the
 * visits (the backfill of schema 8), less its own, and its own less those:
 * 0 when the triggers kept it exactly. */
static int report_facts_differ(fv_store *s)
{
	static const char fresh[] =
		"SELECT v.id, v.version, fv_day(v.visit_date), v.person_id, v.form_id, v.author,"
		" v.duration, fv_time(v.checkin), fv_time(v.checkout), fv_time(v.submitted_at),"
		" v.services, fv_hash(v.answers),"
		" CASE WHEN v.form_id = 'satisfaction' THEN v.answers END"
		" FROM visit_fact f JOIN visit v ON v.id = f.id AND v.version = f.version";
	static const char own[] =
		"SELECT id, version, day, person_id, form_id, author, duration, checkin, checkout,"
		" submitted, services, answers, survey FROM report_fact";
	char *sql = fv_xasprintf("SELECT (SELECT count(*) FROM (%s EXCEPT %s))"
				 " + (SELECT count(*) FROM (%s EXCEPT %s))", fresh, own, own, fresh);
	sqlite3_stmt *st = NULL;
	int n = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	else
		diag("report facts: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	free(sql);
	return n;
}

/* A visit with times, services and answers (the satisfaction form when
 * form is NULL). */
static int fact_insert(fv_store *s, fv_buf *t, const char *id, const char *person,
		       const char *form, int version, const char *state, const char *answers)
{
	char *what = fv_xasprintf("insert %s v%d %s", id, version, state);
	char *sql = fv_xasprintf(
		"INSERT INTO visit(id, version, author, person_id, form_id, form_version, state,"
		" answers, checkin, checkout, duration, services, visit_date, created_at,"
		" updated_at, submitted_at) VALUES ('r7-%s', %d, 'dev', '%s', '%s',"
		" (SELECT max(version) FROM form WHERE form_id = '%s'), '%s', '%s',"
		" '2026-11-20T09:30:00.000+08:00', '2026-11-20T10:15', 25, 'meals cleaning',"
		" '2026-11-20', 'x', 'x', '2026-11-21T08:00:00+08:00')",
		id, version, person, form, form, state, answers);
	int r = trig_exec(s, t, what, sql);
	free(sql);
	free(what);
	return r;
}

/* Schema 9 keeps a narrow row of report facts for each visit that counts:
 * filled from what a store at 8 had, then kept by the triggers through
 * versions in any order, returns, a draft's delete and pruned answers. */
static void test_pin_8(void)
{
	fv_buf t;
	fv_buf_init(&t);
	store_schema_pin(8);
	fv_store *s = create_store("pinned8.fv", FV_ROLE_SUPERVISOR);
	store_schema_pin(0);
	if (!ok(s != NULL && version_of(s) == 8, "a store made at schema 8"))
		goto out;
	fv_person_input in = {
		.name = "Eight", .sex = "male", .birth = "1985-07-15",
		.resident_id = "320102198507150016", .village = "North",
	};
	char pid[FV_ID_BYTES];
	reset();
	ok(fv_person_add(s, &in, pid, &err) == FV_OK, "schema 8: a person");
	ok(fact_insert(s, &t, "a", pid, "phq9", 1, "received", "{\"q1\":\"1\"}") &&
	   fact_insert(s, &t, "b", pid, "satisfaction", 1, "received",
		       "{\"visited\":\"no\",\"n_good\":2}") &&
	   fact_insert(s, &t, "c", pid, "phq9", 1, "returned", "{\"q1\":\"3\"}") &&
	   fact_insert(s, &t, "d", pid, "phq9", 2, "received", "{\"q1\":\"4\"}") &&
	   fact_insert(s, &t, "d", pid, "phq9", 1, "received", "{\"q1\":\"5\"}") &&
	   fact_insert(s, &t, "e", pid, "phq9", 1, "draft", "{}") == 0,
	   "schema 8: visits, a return, an older version after a newer");
	/* a draft has no submission time (CHECK): its insert above fails */
	char *sql = fv_xasprintf(
		"INSERT INTO visit(id, version, author, person_id, form_id, form_version, state,"
		" answers, created_at, updated_at) VALUES ('r7-e', 1, 'dev', '%s', 'phq9',"
		" '2026112301', 'draft', '{}', 'x', 'x')", pid);
	ok(trig_exec(s, &t, "a draft", sql), "schema 8: a draft");
	free(sql);
	fv_store_close(s);

	s = open_store("pinned8.fv");
	if (!ok(s && version_of(s) == STORE_SCHEMA_VERSION, "opening brings it to %d",
		STORE_SCHEMA_VERSION))
		goto out;
	int32_t day;
	double in_t, out_t, sub_t;
	(void)fv_date_parse("2026-11-20", &day);
	(void)fv_datetime_parse("2026-11-20T09:30:00.000+08:00", &in_t);
	(void)fv_datetime_parse("2026-11-20T10:15", &out_t);
	(void)fv_datetime_parse("2026-11-21T08:00:00+08:00", &sub_t);
	char *row = fv_xasprintf("%d:phq9:25:%.1f:%.1f:%.1f:meals cleaning:1", day, in_t, out_t,
				 sub_t);
	char *srow = fv_xasprintf("%d:satisfaction:25:%.1f:%.1f:%.1f:meals cleaning:1", day,
				  in_t, out_t, sub_t);
	char *want = fv_xasprintf("a:1:%s:-\nb:1:%s:{\"visited\":\"no\",\"n_good\":2}\nd:2:%s:-",
				  row, srow, row);
	char *got = report_facts_of(s, "r7-");
	is_str(got, want, "the upgrade fills the visits that count, worked out once");
	free(got);
	free(want);
	ok(report_facts_differ(s) == 0, "... exactly the rows of visit_fact");

	ok(fact_insert(s, &t, "c", pid, "phq9", 2, "received", "{\"q1\":\"6\"}") &&
	   fact_insert(s, &t, "f", pid, "phq9", 3, "received", "{\"q1\":\"7\"}") &&
	   fact_insert(s, &t, "f", pid, "phq9", 2, "received", "{\"q1\":\"8\"}") &&
	   trig_exec(s, &t, "return a", "UPDATE visit SET state = 'returned'"
					" WHERE id = 'r7-a' AND version = 1") &&
	   trig_exec(s, &t, "submit e", "UPDATE visit SET state = 'submitted',"
					" visit_date = '2026-11-22', submitted_at = 'x'"
					" WHERE id = 'r7-e' AND version = 1"),
	   "upgraded: a correction, versions out of order, a return, a submission");
	want = fv_xasprintf("b:1:%s:{\"visited\":\"no\",\"n_good\":2}\nc:2:%s:-\nd:2:%s:-\n"
			    "e:1:%d:phq9:-:-:-:-::1:-\nf:3:%s:-",
			    srow, row, row, day + 2, row);
	got = report_facts_of(s, "r7-");
	is_str(got, want, "the triggers keep one row for each visit that counts");
	free(got);
	free(want);
	ok(report_facts_differ(s) == 0, "... exactly the rows of visit_fact");

	ok(trig_exec(s, &t, "prune b", "UPDATE visit SET answers = '{}', pruned_at = 'x'"
				       " WHERE id = 'r7-b'"),
	   "upgraded: a received survey's answers pruned");
	want = fv_xasprintf("b:1:%s:{}\nc:2:%s:-\nd:2:%s:-\ne:1:%d:phq9:-:-:-:-::1:-\nf:3:%s:-",
			    srow, row, row, day + 2, row);
	got = report_facts_of(s, "r7-");
	is_str(got, want, "the hash and the survey follow the pruned answers");
	free(got);
	free(want);
	ok(report_facts_differ(s) == 0, "... as a fresh row would have them");
	free(row);
	free(srow);

	sqlite3_stmt *st = NULL;
	int same = 0;
	static const char text[] = "{\"q1\":\"1\",\"q2\":\"\xe4\xb8\xad\"}";
	if (sqlite3_prepare_v2(s->db, "SELECT fv_hash(?1), fv_day('2026-11-20T23:00'),"
				      " fv_day('2026-02-30'), fv_time('not a time')",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
		same = sqlite3_step(st) == SQLITE_ROW &&
		       (uint64_t)sqlite3_column_int64(st, 0) ==
			       store_sql_hash((const unsigned char *)text, strlen(text)) &&
		       sqlite3_column_int(st, 1) == day &&
		       sqlite3_column_type(st, 2) == SQLITE_NULL &&
		       sqlite3_column_type(st, 3) == SQLITE_NULL;
	}
	sqlite3_finalize(st);
	ok(same, "fv_hash is the C hash, fv_day reads the date part, nonsense is NULL");
	fv_store_close(s);
out:
	fv_buf_release(&t);
}


/* ------------------------------------------------------------------ */
/* Schema 8: the compact schedule facts                                */

/* sched_fact holds what visit_fact says it must (store_check_sched). */
static int sched_agrees(fv_store *s)
{
	reset();
	fv_status st = store_check_sched(s, &err);
	if (st != FV_OK)
		diag("sched_fact: %s", first());
	return st == FV_OK;
}

static long rows_of(fv_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long n = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The visits of the schedule facts since 2020-01-01 of person (NULL:
 * everyone), one sorted line each: "person visit form date duration
 * followup".  From fv_store_schedule_facts, or (sql) read from visit_fact
 * as fv_store_schedule_facts read it at schema 9. */
static char *facts_text(fv_store *s, const char *person, int sql)
{
	char **lines = NULL;
	size_t n = 0, cap = 0;
	int32_t since;
	fv_date_parse("2020-01-01", &since);
	if (sql) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->db,
				       "SELECT f.person_id, f.id, f.form_id, f.visit_date,"
				       " ifnull(f.duration, -1), ifnull(f.followup_due, '-')"
				       " FROM visit_fact f JOIN person p ON p.id = f.person_id"
				       " WHERE f.visit_date >= '2020-01-01'"
				       " AND (?1 IS NULL OR f.person_id = ?1)",
				       -1, &st, NULL) != SQLITE_OK)
			return fv_xstrdup(sqlite3_errmsg(s->db));
		if (person)
			sqlite3_bind_text(st, 1, person, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			lines = fv_xgrow(lines, &cap, n + 1, sizeof *lines);
			lines[n++] = fv_xasprintf("%s %s %s %s %d %s", sqlite3_column_text(st, 0),
						  sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
						  sqlite3_column_text(st, 3), sqlite3_column_int(st, 4),
						  sqlite3_column_text(st, 5));
		}
		sqlite3_finalize(st);
	} else {
		fv_schedule_facts f;
		reset();
		if (fv_store_schedule_facts(s, person, since, &f, &err) != FV_OK)
			return fv_xasprintf("facts: %s", first());
		for (size_t i = 0; i < f.n; i++)
			for (size_t k = 0; k < f.people[i].nvisits; k++) {
				const fv_sched_visit *v = &f.people[i].visits[k];
				char date[16], due[16];
				fv_date_format(v->date, date);
				if (v->followup_due == FV_SCHED_NO_DATE)
					strcpy(due, "-");
				else
					fv_date_format(v->followup_due, due);
				lines = fv_xgrow(lines, &cap, n + 1, sizeof *lines);
				lines[n++] = fv_xasprintf("%s %s %s %s %d %s", f.people[i].id, v->id,
							  v->form_id, date, v->duration, due);
			}
		fv_schedule_facts_release(&f);
	}
	qsort(lines, n, sizeof *lines, cmp_line);
	fv_buf b;
	fv_buf_init(&b);
	fv_buf_adds(&b, "");
	for (size_t i = 0; i < n; i++) {
		fv_buf_addf(&b, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	return fv_buf_take(&b);
}

/* fv_store_schedule_facts reads what schema 9 read, for everyone and for
 * person; n is how many visits that must be. */
static void facts_same(fv_store *s, const char *person, long n, const char *what)
{
	char *api = facts_text(s, NULL, 0), *ref = facts_text(s, NULL, 1);
	long lines = 0;
	for (const char *p = ref; *p; p++)
		lines += *p == '\n';
	is_str(api, ref, "%s: the facts of everyone are those of visit_fact", what);
	ok(lines == n, "%s: %ld visits that count (%ld)", what, n, lines);
	free(api);
	free(ref);
	api = facts_text(s, person, 0);
	ref = facts_text(s, person, 1);
	is_str(api, ref, "%s: and those of one person", what);
	free(api);
	free(ref);
}

static void test_pin_9(void)
{
	fv_buf t;
	fv_buf_init(&t);
	store_schema_pin(9);
	fv_store *s = create_store("pinned9.fv", FV_ROLE_WORKER);
	store_schema_pin(0);
	if (!ok(s != NULL, "a store made at schema 9"))
		goto out;
	ok(version_of(s) == 9, "at schema 9");
	fv_person_input in = {
		.name = "Seven", .sex = "male", .birth = "1985-07-15",
		.resident_id = "320102198507150016", .village = "North",
	};
	char pa[FV_ID_BYTES], pb[FV_ID_BYTES];
	reset();
	ok(fv_person_add(s, &in, pa, &err) == FV_OK, "schema 9: a person");
	/* every behaviour of the visit triggers, then ids of both kinds */
	trig_script(s, "old-", pa, &t);
	ok(trig_insert(s, &t, "", pa, "0b7e2f6a-1c3d-4e5f-8a9b-0c1d2e3f4a5b", 1, "received",
		       "2026-10-03") &&
	   trig_insert(s, &t, "", pa, "0B7E2F6A-1C3D-4E5F-8A9B-0C1D2E3F4A5C", 1, "submitted",
		       "2026-10-04"),
	   "schema 9: visits with a lower-case and an upper-case UUID");
	long counted = rows_of(s, "SELECT count(*) FROM visit_fact");
	fv_store_close(s);

	s = open_store("pinned9.fv");
	if (!ok(s && version_of(s) == STORE_SCHEMA_VERSION, "opening brings it to %d",
		STORE_SCHEMA_VERSION))
		goto out;
	ok(sched_agrees(s), "the upgrade fills sched_fact from visit_fact");
	ok(counted > 20, "%ld visits that count", counted);
	ok(rows_of(s, "SELECT count(*) FROM sched_fact") == 1 &&
	   rows_of(s, "SELECT length(facts) FROM sched_fact") ==
		   rows_of(s, "SELECT sum(17 + length(id) + length(form_id)) - 20 FROM visit_fact"),
	   "one row for the person, 17 bytes, the id and the form for each visit, a lower-case"
	   " UUID as its 16 bytes");
	facts_same(s, pa, counted, "after the upgrade");
	char *all = facts_text(s, pa, 0);
	ok(strstr(all, " 0b7e2f6a-1c3d-4e5f-8a9b-0c1d2e3f4a5b phq9 2026-10-03 10 2026-12-01\n") &&
	   strstr(all, " 0B7E2F6A-1C3D-4E5F-8A9B-0C1D2E3F4A5C phq9 2026-10-04 10 2026-12-01\n"),
	   "both ids read back as they were written");
	free(all);

	/* every writer's change, one at a time: sched_fact follows */
	in.name = "Eight";
	in.sex = "female";
	in.resident_id = "510107196003120022";
	in.birth = "1960-03-12";
	reset();
	ok(fv_person_add(s, &in, pb, &err) == FV_OK, "upgraded: a person");
	static const char *const ids[] = {
		"4f1c0e2a-9b3d-4c5e-8f6a-7b8c9d0e1f2a", "4f1c0e2a-9b3d-4c5e-8f6a-7b8c9d0e1f2b",
		"4f1c0e2a-9b3d-4c5e-8f6a-7b8c9d0e1f2c",
	};
	struct {
		const char *what;
		int insert;   /* else a state change */
		size_t id;
		int version;
		const char *a, *b;   /* insert: state, date; change: from, to */
	} steps[] = {
		{"an import of a received visit", 1, 0, 1, "received", "2026-11-02"},
		{"its newer version replaces it", 1, 0, 2, "submitted", "2026-11-04"},
		{"an older version arriving later changes nothing", 1, 0, 1, "received", "2026-11-02"},
		{"sent", 0, 0, 2, "submitted", "sent"},
		{"received", 0, 0, 2, "sent", "received"},
		{"returned: it no longer counts", 0, 0, 2, "received", "returned"},
		{"its correction, a draft", 1, 0, 3, "draft", ""},
		{"submitted: it counts again", 0, 0, 3, "draft", "submitted"},
		{"a local draft", 1, 1, 1, "draft", ""},
		{"submitted", 0, 1, 1, "draft", "submitted"},
		{"approved", 1, 2, 1, "received", "2026-11-10"},
		{"received, approved", 0, 2, 1, "received", "approved"},
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (steps[i].insert)
			trig_insert(s, &t, "", pb, ids[steps[i].id], steps[i].version, steps[i].a,
				    steps[i].b);
		else
			trig_state(s, &t, "", ids[steps[i].id], steps[i].version, steps[i].a,
				   steps[i].b);
		ok(sched_agrees(s), "upgraded: %s; sched_fact follows", steps[i].what);
	}
	trig_insert(s, &t, "", pb, "4f1c0e2a-9b3d-4c5e-8f6a-7b8c9d0e1f2d", 1, "draft", "");
	reset();
	ok(store_exec(s, "DELETE FROM visit WHERE id = '4f1c0e2a-9b3d-4c5e-8f6a-7b8c9d0e1f2d'",
		      &err) == FV_OK && sched_agrees(s),
	   "upgraded: a draft deleted; sched_fact follows");
	/* pb's three visits count: 1f2a at version 3, 1f2b, 1f2c */
	facts_same(s, pb, counted + 3, "after the changes");
	trig_script(s, "new-", pa, &t);
	ok(sched_agrees(s), "the whole script of the visit triggers at the latest schema");

	/* check finds a sched_fact that does not match */
	reset();
	ok(fv_store_integrity(s, &err) == FV_OK, "check: a sound store");
	ok(store_exec(s, "UPDATE sched_fact SET facts = fv_pack_put(facts,"
			 " fv_pack_one('2026-11-02', 'old-life', 'phq9', 99, NULL))"
			 " WHERE person = (SELECT min(person) FROM sched_fact)", &err) == FV_OK,
	   "one schedule fact changed behind the triggers");
	reset();
	ok(fv_store_integrity(s, &err) == FV_EIO &&
	   has_part("integrity: 1 people's visits that count differ from their schedule facts") &&
	   has_part("integrity: 1 schedule facts are not those of visits that count"),
	   "check says so");
	reset();
	ok(store_exec(s, "UPDATE sched_fact SET facts = x'0102'"
			 " WHERE person = (SELECT min(person) FROM sched_fact)", &err) == FV_OK,
	   "a schedule fact damaged");
	char *damaged = facts_text(s, NULL, 0);
	ok(strstr(damaged, "the schedule facts are damaged ('fieldvisit check')") != NULL,
	   "reading the facts says so");
	free(damaged);

	fv_store_close(s);
out:
	fv_buf_release(&t);
}

int main(void)
{
	char tmpl[512];
	const char *tmp = getenv("TMPDIR");
	fv_store *s;

	fv_errors_init(&err);
	snprintf(tmpl, sizeof tmpl, "%s/fvstore.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	dir = mkdtemp(tmpl);
	if (!dir || vault_init() != FV_OK) {
		printf("Bail out! cannot make a temp folder or start the vault\n");
		return 1;
	}
	fv_datetime_parse("2026-11-23T10:00:00", &clock_t0);
	fv_clock_set(clock_t0);
	char *rk = path_in("recovery.key");
	if (vault_recovery_create(rk, recovery_pk, &err) != FV_OK) {
		printf("Bail out! recovery key: %s\n", first());
		return 1;
	}
	free(rk);

	test_resident_ids();
	test_migrations_plain();
	s = create_store("main.fv", FV_ROLE_WORKER);
	if (ok(s != NULL, "create a store")) {
		ok(version_of(s) == STORE_SCHEMA_VERSION, "a new store is at the latest schema");
		test_forms(s);
		test_people(s);
		test_visits(s);
		test_draft_instance(s, p_wang);
		test_states(s);
		test_triggers(s);
		test_lists(s);
		test_audit(s);
		test_pending(s);
		test_address(s);
		fv_store_close(s);
		test_reopen();
	}
	test_alerts();
	test_pin();
	test_pin_4();
	test_pin_5();
	test_pin_6();
	test_pin_7();
	test_pin_8();
	test_pin_9();
	test_scale();

	fv_errors_release(&err);
	if (!getenv("FV_KEEP")) remove_tree(dir); else diag("kept %s", dir);
	return done_testing();
}
