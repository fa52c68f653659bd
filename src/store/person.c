/*
 * fieldvisit store: the people served (the ledger) and their households.
 *
 * A person is checked field by field, then as a whole (the resident ID's
 * birth date and sex digit against the birth date and sex given), every
 * problem reported at once.  People are never deleted: archive sets the
 * status, its date and reason.
 */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

#define NAME_MAX_CHARS 100
#define REASON_MAX_CHARS 200
#define HOUSEHOLD_MAX 64
#define ADDRESS_MAX_CHARS 200

/* the care levels (from the ability assessment): at most one */
static const char *const care_levels[] = {"zili", "banshineng", "shineng"};

static const char *const archive_statuses[] = {"moved", "died", "archived"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Columns read into an fv_person, in row_to_person's order. */
#define PERSON_COLUMNS                                                                \
	"p.id, p.version, p.author, p.name, p.sex, p.birth, p.resident_id, p.phone,"  \
	" p.village, p.household_id, p.categories, p.contact1_name, p.contact1_phone," \
	" p.contact2_name, p.contact2_phone, p.status, p.status_date, p.status_reason," \
	" p.created_at, p.updated_at, l.visit_date"

/* The people with the date of their last visit. */
#define PERSON_FROM " FROM person p LEFT JOIN person_last_visit l ON l.person_id = p.id"

static void row_to_person(sqlite3_stmt *st, fv_person *p)
{
	int c = 0;
	p->id = store_sql_text(st, c++);
	p->version = sqlite3_column_int(st, c++);
	p->author = store_sql_text(st, c++);
	p->name = store_sql_text(st, c++);
	p->sex = store_sql_text(st, c++);
	p->birth = store_sql_text(st, c++);
	p->resident_id = store_sql_text(st, c++);
	p->phone = store_sql_text(st, c++);
	p->village = store_sql_text(st, c++);
	p->household = store_sql_text(st, c++);
	p->categories = store_sql_text(st, c++);
	for (int k = 0; k < 2; k++) {
		p->contact_name[k] = store_sql_text(st, c++);
		p->contact_phone[k] = store_sql_text(st, c++);
	}
	p->status = store_sql_text(st, c++);
	p->status_date = store_sql_text(st, c++);
	p->status_reason = store_sql_text(st, c++);
	p->created_at = store_sql_text(st, c++);
	p->updated_at = store_sql_text(st, c++);
	p->last_visit = store_sql_text(st, c++);
}

void fv_person_release(fv_person *p)
{
	char **fields[] = {
		&p->id, &p->author, &p->name, &p->sex, &p->birth, &p->resident_id, &p->phone,
		&p->village, &p->household, &p->categories, &p->contact_name[0],
		&p->contact_phone[0], &p->contact_name[1], &p->contact_phone[1], &p->status,
		&p->status_date, &p->status_reason, &p->last_visit, &p->created_at,
		&p->updated_at,
	};
	for (size_t i = 0; i < COUNT(fields); i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}

void fv_person_list_free(fv_person *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fv_person_release(&items[i]);
	free(items);
}

/* ------------------------------------------------------------------ */
/* Checking the input                                                  */

/* The editable fields of a person, as checked and stored. */
typedef struct fields {
	char *name, *sex, *birth, *resident_id, *phone, *village, *household, *categories;
	char *contact_name[2], *contact_phone[2];
} fields;

/* The fields in one order: that of field_names (the names the audit log
 * gives changed fields) and of the parameters bind_fields() binds. */
static char **field_ptr(fields *f, size_t i)
{
	char **p[] = {
		&f->name, &f->sex, &f->birth, &f->resident_id, &f->phone, &f->village,
		&f->household, &f->categories, &f->contact_name[0], &f->contact_phone[0],
		&f->contact_name[1], &f->contact_phone[1],
	};
	return p[i];
}

static const char *const field_names[] = {
	"name", "sex", "birth", "resident_id", "phone", "village", "household",
	"categories", "contact1_name", "contact1_phone", "contact2_name", "contact2_phone",
};
#define NFIELDS COUNT(field_names)

static void fields_release(fields *f)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		free(*field_ptr(f, i));
		*field_ptr(f, i) = NULL;
	}
}

static void fields_from_person(fields *f, const fv_person *p)
{
	const char *v[] = {
		p->name, p->sex, p->birth, p->resident_id, p->phone, p->village, p->household,
		p->categories, p->contact_name[0], p->contact_phone[0], p->contact_name[1],
		p->contact_phone[1],
	};
	for (size_t i = 0; i < NFIELDS; i++)
		*field_ptr(f, i) = fv_xstrdup(v[i]);
}

/* Replace *field by v (taken over). */
static void put(char **field, char *v)
{
	free(*field);
	*field = v;
}

/* 1 when the space-separated list holds code. */
static int has_code(const char *list, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = list; (p = strstr(p, code)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static int phone_ok(const char *v)
{
	size_t n = strlen(v);
	if (n < 7 || n > 15)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return 1;
}

static int household_ok(const char *v)
{
	size_t n = strlen(v);
	if (n > HOUSEHOLD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'z') ||
		      (v[i] >= 'A' && v[i] <= 'Z') || v[i] == '-' || v[i] == '_'))
			return 0;
	return 1;
}

/* Check a phone number field; "" is fine (optional). */
static void take_phone(const char *what, const char *given, char **field, fv_errors *err)
{
	char *v;
	if (!store_check_text(what, given, 0, 32, &v, err))
		return;
	if (!*v || phone_ok(v)) {
		put(field, v);
		return;
	}
	fv_errors_add(err, NULL, 0, "%s '%s': use 7 to 15 digits", what, v);
	free(v);
}

/*
 * Take the fields given in `in` over f, each checked.  adding: NULL means
 * "" (required fields must be given); else NULL keeps the field.  Then the
 * checks of the whole: a contact's phone needs a name, and, when the ID,
 * the birth date or the sex was given, the ID's birth date and sex digit.
 * Returns the number of problems added to err.
 */
static size_t take_input(fields *f, const fv_person_input *in, int adding, fv_errors *err)
{
	size_t before = err->n;
	char *v;
	int cross = 0;
#define GIVEN(x) ((x) != NULL || adding)

	if (GIVEN(in->name) && store_check_text("name", in->name, 1, NAME_MAX_CHARS, &v, err))
		put(&f->name, v);
	if (GIVEN(in->sex) && store_check_text("sex", in->sex, 1, 16, &v, err)) {
		if (strcmp(v, "female") == 0 || strcmp(v, "male") == 0) {
			put(&f->sex, v);
			cross = 1;
		} else {
			fv_errors_add(err, NULL, 0, "sex must be female or male, not '%s'", v);
			free(v);
		}
	}
	if (GIVEN(in->birth) && store_check_text("birth date", in->birth, 1, 16, &v, err)) {
		int32_t days;
		if (store_check_date("birth date", v, &days, err)) {
			put(&f->birth, v);
			cross = 1;
		} else {
			free(v);
		}
	}
	if (GIVEN(in->resident_id) &&
	    store_check_text("resident ID", in->resident_id, 1, 32, &v, err)) {
		char why[96];
		if (strlen(v) == 18 && v[17] == 'x')
			v[17] = 'X';
		if (fv_resident_id_check(v, NULL, NULL, why, sizeof why)) {
			put(&f->resident_id, v);
			cross = 1;
		} else {
			fv_errors_add(err, NULL, 0, "resident ID %s: %s", v, why);
			free(v);
		}
	}
	if (GIVEN(in->phone))
		take_phone("phone", in->phone, &f->phone, err);
	if (GIVEN(in->village) &&
	    store_check_text("village", in->village, 1, NAME_MAX_CHARS, &v, err))
		put(&f->village, v);
	if (GIVEN(in->household) &&
	    store_check_text("household ID", in->household, 0, HOUSEHOLD_MAX, &v, err)) {
		if (household_ok(v)) {
			put(&f->household, v);
		} else {
			fv_errors_add(err, NULL, 0,
				      "household ID '%s': use letters, digits, '-' and '_'", v);
			free(v);
		}
	}
	if (GIVEN(in->categories)) {
		fv_buf codes;
		int levels = 0;
		fv_buf_init(&codes);
		size_t ncat;
		const char *const *cats = fv_category_codes(&ncat);
		if (store_check_codes("category", in->categories, cats, ncat, &codes, err)) {
			for (size_t i = 0; i < COUNT(care_levels); i++)
				levels += has_code(codes.s, care_levels[i]);
			if (levels > 1)
				fv_errors_add(err, NULL, 0, "categories: give one care level only"
					      " (zili, banshineng or shineng)");
			else
				put(&f->categories, fv_buf_take(&codes));
		}
		fv_buf_release(&codes);
	}
	for (int k = 0; k < 2; k++) {
		char what[32];
		snprintf(what, sizeof what, "contact %d name", k + 1);
		if (GIVEN(in->contact_name[k]) &&
		    store_check_text(what, in->contact_name[k], 0, NAME_MAX_CHARS, &v, err))
			put(&f->contact_name[k], v);
		snprintf(what, sizeof what, "contact %d phone", k + 1);
		if (GIVEN(in->contact_phone[k]))
			take_phone(what, in->contact_phone[k], &f->contact_phone[k], err);
	}
#undef GIVEN
	if (err->n != before)
		return err->n - before;

	for (int k = 0; k < 2; k++)
		if (*f->contact_phone[k] && !*f->contact_name[k])
			fv_errors_add(err, NULL, 0, "contact %d: a phone needs a name", k + 1);
	/* a stored record is consistent: check the ID again only when one of
	 * the three changed, so an old record can still get a new phone */
	if (cross) {
		int32_t id_birth, birth;
		int male;
		char why[96], shown[16];
		if (fv_resident_id_check(f->resident_id, &id_birth, &male, why, sizeof why) &&
		    fv_date_parse(f->birth, &birth)) {
			fv_date_format(id_birth, shown);
			if (id_birth != birth)
				fv_errors_add(err, NULL, 0, "resident ID %s: its birth date %s is not"
					      " the birth date given (%s)", f->resident_id, shown,
					      f->birth);
			if (strcmp(f->sex, male ? "male" : "female") != 0)
				fv_errors_add(err, NULL, 0, "resident ID %s: its 17th digit is for"
					      " a %s, not a %s", f->resident_id,
					      male ? "man" : "woman", male ? "woman" : "man");
		}
	}
	return err->n - before;
}

/* The id of another person with this resident ID, or NULL. */
static fv_status find_resident(fv_store *s, const char *resident_id, const char *self,
			       char **other, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare_cached(s,
		"SELECT id FROM person WHERE resident_id = ?1 AND id <> ?2", err);
	int rc;
	*other = NULL;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, resident_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, self ? self : "", -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*other = store_sql_text(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? FV_OK
						     : store_error(s, rc, "reading people", err);
}

/* Refuse a resident ID that another person holds. */
static fv_status check_unique(fv_store *s, const fields *f, const char *self, fv_errors *err)
{
	char *other;
	fv_status st = find_resident(s, f->resident_id, self, &other, err);
	if (st != FV_OK)
		return st;
	if (!other)
		return FV_OK;
	fv_errors_add(err, NULL, 0, "resident ID %s is already registered (person %s)",
		      f->resident_id, other);
	free(other);
	return FV_EINVAL;
}

/* Create the household row when the household is new. */
static fv_status ensure_household(fv_store *s, const fields *f, const char *now,
				  fv_errors *err)
{
	if (!*f->household)
		return FV_OK;
	sqlite3_stmt *st = store_prepare_cached(s,
		"INSERT INTO household(id, version, author, village, created_at, updated_at)"
		" VALUES (?1, 1, ?2, ?3, ?4, ?4) ON CONFLICT(id) DO NOTHING", err);
	if (st) {
		sqlite3_bind_text(st, 1, f->household, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, s->device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, f->village, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	}
	return store_cached_done(s, st, "saving a household", err);
}

/* The address of in (NULL when not given) into *out; 0 when refused. */
static int take_address(const fv_person_input *in, char **out, fv_errors *err)
{
	*out = NULL;
	if (!in->address || !*in->address)
		return 1;
	return store_check_text("address", in->address, 0, ADDRESS_MAX_CHARS, out, err);
}

/* Keep address on household (made already by ensure_household); a new
 * version when it changes. */
static fv_status set_address(fv_store *s, const char *household, const char *address,
			     fv_errors *err)
{
	char now[40];
	store_sql_now(now);
	sqlite3_stmt *st = store_prepare_cached(s,
		"UPDATE household SET address = ?2, version = version + 1, author = ?3,"
		" updated_at = ?4 WHERE id = ?1 AND address <> ?2", err);
	if (st) {
		sqlite3_bind_text(st, 1, household, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, address, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, s->device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	}
	return store_cached_done(s, st, "saving a household's address", err);
}

/* Bind the fields to ?first .. ?first+11, in field order. */
static void bind_fields(sqlite3_stmt *st, int first, fields *f)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *v = *field_ptr(f, i);
		if (field_ptr(f, i) == &f->household)   /* NULL for none: a foreign key */
			store_sql_bind_opt(st, first + (int)i, v);
		else
			sqlite3_bind_text(st, first + (int)i, v, -1, SQLITE_TRANSIENT);
	}
}

/* ------------------------------------------------------------------ */
/* Add, edit, archive                                                  */

static fv_status insert_person(fv_store *s, const char *id, fields *f, fv_errors *err)
{
	char now[40];
	fv_status st;
	store_sql_now(now);
	if ((st = check_unique(s, f, NULL, err)) != FV_OK ||
	    (st = ensure_household(s, f, now, err)) != FV_OK)
		return st;
	sqlite3_stmt *ins = store_prepare(s,
		"INSERT INTO person(name, sex, birth, resident_id, phone, village, household_id,"
		" categories, contact1_name, contact1_phone, contact2_name, contact2_phone,"
		" id, version, author, status, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, 1, ?14, 'active', ?15, ?15)", err);
	if (ins) {
		bind_fields(ins, 1, f);
		sqlite3_bind_text(ins, 13, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 14, s->device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 15, now, -1, SQLITE_TRANSIENT);
	}
	if ((st = store_sql_done(s, ins, "saving a person", err)) != FV_OK)
		return st;
	return store_audit(s, "person.add", id, NULL, err);
}

fv_status fv_person_add(fv_store *s, const fv_person_input *in, char id[FV_ID_BYTES],
			fv_errors *err)
{
	fields f;
	fv_status st;

	id[0] = '\0';
	memset(&f, 0, sizeof f);
	for (size_t i = 0; i < NFIELDS; i++)
		*field_ptr(&f, i) = fv_xstrdup("");
	char *address;
	int bad = take_input(&f, in, 1, err) != 0;
	if (!take_address(in, &address, err) || bad) {
		free(address);
		fields_release(&f);
		return FV_EINVAL;
	}
	char new_id[FV_ID_BYTES];
	vault_uuid(new_id);
	/* an address needs a household: one of the person's own */
	if (address && !*f.household)
		put(&f.household, fv_xstrdup(new_id));
	if ((st = store_sql_begin(s, err)) == FV_OK) {
		st = insert_person(s, new_id, &f, err);
		if (st == FV_OK && address)
			st = set_address(s, f.household, address, err);
		st = store_sql_end(s, st, err);
	}
	if (st == FV_OK)
		memcpy(id, new_id, FV_ID_BYTES);
	free(address);
	fields_release(&f);
	return st;
}

fv_status fv_person_get(fv_store *s, const char *id, fv_person *out, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare_cached(s, "SELECT " PERSON_COLUMNS PERSON_FROM
					    " WHERE p.id = ?1", err);
	int rc;
	memset(out, 0, sizeof *out);
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_person(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return FV_OK;
	if (rc != SQLITE_DONE)
		return store_error(s, rc, "reading people", err);
	fv_errors_add(err, NULL, 0, "no person with id %s", id);
	return FV_ENOTFOUND;
}

static fv_status edit_person(fv_store *s, const char *id, const fv_person_input *in,
			     fv_errors *err)
{
	fv_person old;
	fields f, was;
	fv_buf changed;
	char now[40];
	fv_status st = fv_person_get(s, id, &old, err);

	if (st != FV_OK)
		return st;
	fields_from_person(&f, &old);
	fields_from_person(&was, &old);
	fv_buf_init(&changed);
	if (take_input(&f, in, 0, err)) {
		st = FV_EINVAL;
		goto out;
	}
	for (size_t i = 0; i < NFIELDS; i++)
		if (strcmp(*field_ptr(&f, i), *field_ptr(&was, i)) != 0)
			fv_buf_addf(&changed, "%s%s", changed.len ? " " : "", field_names[i]);
	if (!changed.len)
		goto out;   /* nothing changed: nothing written */
	store_sql_now(now);
	if ((st = check_unique(s, &f, id, err)) != FV_OK ||
	    (st = ensure_household(s, &f, now, err)) != FV_OK)
		goto out;
	sqlite3_stmt *up = store_prepare(s,
		"UPDATE person SET name = ?1, sex = ?2, birth = ?3, resident_id = ?4, phone = ?5,"
		" village = ?6, household_id = ?7, categories = ?8, contact1_name = ?9,"
		" contact1_phone = ?10, contact2_name = ?11, contact2_phone = ?12,"
		" version = version + 1, author = ?13, updated_at = ?14"
		" WHERE id = ?15 AND version = ?16", err);
	if (up) {
		bind_fields(up, 1, &f);
		sqlite3_bind_text(up, 13, s->device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 14, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 15, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(up, 16, old.version);
	}
	if ((st = store_sql_done(s, up, "saving a person", err)) != FV_OK)
		goto out;
	char *detail = fv_xasprintf("changed: %s", changed.s);
	st = store_audit(s, "person.edit", id, detail, err);
	free(detail);
out:
	fv_buf_release(&changed);
	fields_release(&f);
	fields_release(&was);
	fv_person_release(&old);
	return st;
}

fv_status fv_person_edit(fv_store *s, const char *id, const fv_person_input *in,
			 fv_errors *err)
{
	char *address;
	if (!take_address(in, &address, err))
		return FV_EINVAL;
	fv_status st = store_sql_begin(s, err);
	if (st != FV_OK) {
		free(address);
		return st;
	}
	fv_person_input with = *in;
	fv_person p;
	if (address && !in->household && (st = fv_person_get(s, id, &p, err)) == FV_OK) {
		/* the household it has, else one of the person's own */
		with.household = *p.household ? p.household : id;
		st = edit_person(s, id, &with, err);
		if (st == FV_OK)
			st = set_address(s, with.household, address, err);
		fv_person_release(&p);
	} else if (st == FV_OK) {
		st = edit_person(s, id, in, err);
		if (st == FV_OK && address)
			st = set_address(s, in->household, address, err);
	}
	free(address);
	return store_sql_end(s, st, err);
}

static fv_status archive_person(fv_store *s, const char *id, const char *status,
				const char *date, const char *reason, fv_errors *err)
{
	fv_person p;
	size_t k = 0, before = err->n;
	int32_t days, birth;
	char *why = NULL, now[40], shown[16];
	fv_status st = fv_person_get(s, id, &p, err);

	if (st != FV_OK)
		return st;
	if (strcmp(p.status, "active") != 0) {
		fv_errors_add(err, NULL, 0, "person %s is archived already (%s on %s)", id,
			      p.status, p.status_date);
		fv_person_release(&p);
		return FV_EINVAL;
	}
	while (k < COUNT(archive_statuses) && (!status || strcmp(status, archive_statuses[k])))
		k++;
	if (k == COUNT(archive_statuses))
		fv_errors_add(err, NULL, 0, "archive as moved, died or archived");
	if (store_check_date("archive date", date, &days, err) && fv_date_parse(p.birth, &birth) &&
	    days < birth) {
		fv_date_format(days, shown);
		fv_errors_add(err, NULL, 0, "archive date %s is before the birth date %s", shown,
			      p.birth);
	}
	(void)store_check_text("reason", reason, 1, REASON_MAX_CHARS, &why, err);
	if (err->n != before) {
		free(why);
		fv_person_release(&p);
		return FV_EINVAL;
	}
	fv_date_format(days, shown);
	store_sql_now(now);
	sqlite3_stmt *up = store_prepare(s,
		"UPDATE person SET status = ?1, status_date = ?2, status_reason = ?3,"
		" version = version + 1, author = ?4, updated_at = ?5"
		" WHERE id = ?6 AND version = ?7", err);
	if (up) {
		sqlite3_bind_text(up, 1, archive_statuses[k], -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, shown, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 3, why, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 4, s->device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 5, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 6, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(up, 7, p.version);
	}
	st = store_sql_done(s, up, "archiving a person", err);
	if (st == FV_OK) {
		char *detail = fv_xasprintf("%s %s", archive_statuses[k], shown);
		st = store_audit(s, "person.archive", id, detail, err);
		free(detail);
	}
	free(why);
	fv_person_release(&p);
	return st;
}

fv_status fv_person_archive(fv_store *s, const char *id, const char *status, const char *date,
			    const char *reason, fv_errors *err)
{
	fv_status st = store_sql_begin(s, err);
	if (st != FV_OK)
		return st;
	return store_sql_end(s, archive_person(s, id, status, date, reason, err), err);
}

/* ------------------------------------------------------------------ */
/* Listing                                                             */

fv_status fv_person_list(fv_store *s, const fv_person_query *q, fv_person **out, size_t *n,
			 fv_errors *err)
{
	fv_buf sql;
	fv_person *items = NULL;
	size_t cap = 0, count = 0;
	int rc;
	static const fv_person_query all;

	*out = NULL;
	*n = 0;
	if (!q)
		q = &all;
	if (q->status && strcmp(q->status, "active") != 0) {
		size_t k = 0;
		while (k < COUNT(archive_statuses) && strcmp(q->status, archive_statuses[k]) != 0)
			k++;
		if (k == COUNT(archive_statuses)) {
			fv_errors_add(err, NULL, 0, "no status '%s' (active, moved, died, archived)",
				      q->status);
			return FV_EINVAL;
		}
	}
	/* fixed text only: the values are bound */
	fv_buf_init(&sql);
	fv_buf_adds(&sql, "SELECT " PERSON_COLUMNS PERSON_FROM " WHERE 1");
	if (q->village)
		fv_buf_adds(&sql, " AND p.village = ?1");
	if (q->status)
		fv_buf_adds(&sql, " AND p.status = ?2");
	if (q->name)
		fv_buf_adds(&sql, " AND instr(p.name, ?3) > 0");
	if (q->household)
		fv_buf_adds(&sql, " AND p.household_id = ?4");
	/* The unary + keeps SQLite from walking person_by_village to avoid
	 * the sort: fetching every row in index order thrashes the page cache
	 * (each miss is a page decrypted again); reading the table in order
	 * and sorting in memory is twice as fast for the whole list.  A
	 * village filter still seeks with the index.  The last visit is one
	 * seek per person into the small person_last_visit table. */
	fv_buf_adds(&sql, " ORDER BY +p.village, p.name, p.id");
	sqlite3_stmt *st = store_prepare(s, sql.s, err);
	fv_buf_release(&sql);
	if (!st)
		return FV_EIO;
	if (q->village)
		sqlite3_bind_text(st, 1, q->village, -1, SQLITE_TRANSIENT);
	if (q->status)
		sqlite3_bind_text(st, 2, q->status, -1, SQLITE_TRANSIENT);
	if (q->name)
		sqlite3_bind_text(st, 3, q->name, -1, SQLITE_TRANSIENT);
	if (q->household)
		sqlite3_bind_text(st, 4, q->household, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		items = fv_xgrow(items, &cap, count + 1, sizeof *items);
		row_to_person(st, &items[count++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fv_person_list_free(items, count);
		return store_error(s, rc, "reading people", err);
	}
	*out = items;
	*n = count;
	return FV_OK;
}

/* ------------------------------------------------------------------ */
/* People from bundles                                                 */

/* An id, author or time from another store: short, printable ASCII. */
static int token_ok(const char *v, size_t max)
{
	size_t n = strlen(v);
	if (!n || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] > '~')
			return 0;
	return 1;
}

/* Check p as person add and archive check input, and that each field is
 * as this program writes it (so that the same record reads the same on
 * both sides). */
static void check_incoming(const fv_person *p, fields *f, fv_errors *err)
{
	fv_person_input in = {
		p->name, p->sex, p->birth, p->resident_id, p->phone, p->village, p->household,
		p->categories, {p->contact_name[0], p->contact_name[1]},
		{p->contact_phone[0], p->contact_phone[1]},
		NULL,   /* the address is the household's, not sent */
	};
	size_t before = err->n;
	double t;

	if (!token_ok(p->author, 64))
		fv_errors_add(err, NULL, 0, "author '%s' is not a device id", p->author);
	if (p->version < 1)
		fv_errors_add(err, NULL, 0, "version %d is not 1 or more", p->version);
	if (!fv_datetime_parse(p->created_at, &t) || !fv_datetime_parse(p->updated_at, &t))
		fv_errors_add(err, NULL, 0, "created_at and updated_at must be date-times");
	if (take_input(f, &in, 1, err))
		return;
	const char *given[] = {
		p->name, p->sex, p->birth, p->resident_id, p->phone, p->village, p->household,
		p->categories, p->contact_name[0], p->contact_phone[0], p->contact_name[1],
		p->contact_phone[1],
	};
	for (size_t i = 0; i < NFIELDS; i++)
		if (strcmp(*field_ptr(f, i), given[i]) != 0)
			fv_errors_add(err, NULL, 0, "%s '%s' is not as fieldvisit writes it ('%s')",
				      field_names[i], given[i], *field_ptr(f, i));
	if (strcmp(p->status, "active") == 0) {
		if (*p->status_date || *p->status_reason)
			fv_errors_add(err, NULL, 0, "an active person has no archive date or reason");
	} else {
		size_t k = 0;
		int32_t day, birth;
		char *why = NULL;
		while (k < COUNT(archive_statuses) && strcmp(p->status, archive_statuses[k]))
			k++;
		if (k == COUNT(archive_statuses))
			fv_errors_add(err, NULL, 0, "status '%s' is not active, moved, died or"
				      " archived", p->status);
		if (store_check_date("archive date", p->status_date, &day, err) &&
		    fv_date_parse(p->birth, &birth) && day < birth)
			fv_errors_add(err, NULL, 0, "archive date %s is before the birth date %s",
				      p->status_date, p->birth);
		if (store_check_text("reason", p->status_reason, 1, REASON_MAX_CHARS, &why, err) &&
		    strcmp(why, p->status_reason) != 0)
			fv_errors_add(err, NULL, 0, "reason is not as fieldvisit writes it");
		free(why);
	}
	(void)before;
}

/* 1 when the stored person q holds the same version content as p. */
static int same_person(const fv_person *p, const fv_person *q)
{
	const char *a[] = {
		p->author, p->name, p->sex, p->birth, p->resident_id, p->phone, p->village,
		p->household, p->categories, p->contact_name[0], p->contact_phone[0],
		p->contact_name[1], p->contact_phone[1], p->status, p->status_date,
		p->status_reason, p->created_at, p->updated_at,
	};
	const char *b[] = {
		q->author, q->name, q->sex, q->birth, q->resident_id, q->phone, q->village,
		q->household, q->categories, q->contact_name[0], q->contact_phone[0],
		q->contact_name[1], q->contact_phone[1], q->status, q->status_date,
		q->status_reason, q->created_at, q->updated_at,
	};
	for (size_t i = 0; i < COUNT(a); i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

static fv_status write_incoming(fv_store *s, const fv_person *p, fields *f, int update,
				fv_errors *err)
{
	fv_status st;
	if ((st = ensure_household(s, f, p->updated_at, err)) != FV_OK)
		return st;
	/* kept prepared: an import writes thousands */
	sqlite3_stmt *w = store_prepare_cached(s, update
		? "UPDATE person SET name = ?1, sex = ?2, birth = ?3, resident_id = ?4, phone = ?5,"
		  " village = ?6, household_id = ?7, categories = ?8, contact1_name = ?9,"
		  " contact1_phone = ?10, contact2_name = ?11, contact2_phone = ?12,"
		  " version = ?14, author = ?15, status = ?16, status_date = ?17,"
		  " status_reason = ?18, updated_at = ?20 WHERE id = ?13"
		: "INSERT INTO person(name, sex, birth, resident_id, phone, village, household_id,"
		  " categories, contact1_name, contact1_phone, contact2_name, contact2_phone,"
		  " id, version, author, status, status_date, status_reason, created_at,"
		  " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		  " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)", err);
	if (w) {
		bind_fields(w, 1, f);
		sqlite3_bind_text(w, 13, p->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(w, 14, p->version);
		sqlite3_bind_text(w, 15, p->author, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 16, p->status, -1, SQLITE_TRANSIENT);
		store_sql_bind_opt(w, 17, p->status_date);
		store_sql_bind_opt(w, 18, p->status_reason);
		sqlite3_bind_text(w, 19, p->created_at, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 20, p->updated_at, -1, SQLITE_TRANSIENT);
	}
	return store_cached_done(s, w, "saving a person", err);
}

fv_status store_person_import(fv_store *s, const fv_person *p, fv_apply *out, const char **why,
			      char **other, fv_errors *err)
{
	fv_person old;
	fv_errors quiet;
	fields f;
	size_t before = err->n;
	int have;
	fv_status st;

	*why = NULL;
	*other = NULL;
	fv_errors_init(&quiet);
	st = fv_person_get(s, p->id, &old, &quiet);
	fv_errors_release(&quiet);
	if (st != FV_OK && st != FV_ENOTFOUND)
		return fv_person_get(s, p->id, &old, err);
	have = st == FV_OK;
	if (have && old.version == p->version) {
		*out = same_person(p, &old) ? FV_APPLY_SAME : FV_APPLY_CONFLICT;
		if (*out == FV_APPLY_CONFLICT)
			*why = "another person record has this id and version here";
		fv_person_release(&old);
		return FV_OK;
	}
	if (have && old.version > p->version) {
		*out = FV_APPLY_OLDER;
		fv_person_release(&old);
		return FV_OK;
	}
	memset(&f, 0, sizeof f);
	for (size_t i = 0; i < NFIELDS; i++)
		*field_ptr(&f, i) = fv_xstrdup("");
	check_incoming(p, &f, err);
	if (err->n != before) {
		st = FV_EINVAL;
	} else if ((st = find_resident(s, f.resident_id, p->id, other, err)) == FV_OK && *other) {
		*out = FV_APPLY_CONFLICT;
		*why = "its resident ID is registered here for another person";
	} else if (st == FV_OK) {
		st = write_incoming(s, p, &f, have, err);
		*out = FV_APPLY_ADDED;
	}
	fields_release(&f);
	if (have)
		fv_person_release(&old);
	return st;
}
