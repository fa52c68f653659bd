/*
 * fieldvisit store: the schema and its migrations.
 *
 * PRAGMA user_version is the schema version.  Each version has one step
 * function that upgrades the store from the version before it; a store is
 * brought up to date by running the steps in order, all in one transaction
 * (so a store is never left between two versions).  A later version adds a
 * step at the end of steps[] and bumps STORE_SCHEMA_VERSION; the steps
 * already shipped never change, because stores made by them exist.
 *
 * Conventions of the tables (DESIGN.md section 2):
 *   - STRICT tables; enums are CHECK constraints; times are text written by
 *     store_sql_now() ("2026-11-23T10:00:00.000+08:00"), dates YYYY-MM-DD;
 *   - every synced row carries id (UUID v4 text), version (1, then +1 on
 *     every change) and author (the device id of the store that made this
 *     version);
 *   - nothing is deleted: people are archived, visits kept (a trigger
 *     refuses deleting anything but a draft), the audit log is append-only;
 *   - a visit is one row per (id, version): a submitted version never
 *     changes again (trigger), and a correction after a return is a new
 *     row with version + 1.
 */
#include <stdio.h>

#include "data_internal.h"
#include "fieldvisit/report.h"

/* ------------------------------------------------------------------ */
/* Version 1                                                           */

static const char schema_v1[] =
	/* key/value facts of the store: role, name, device (store.c) */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL"
	") STRICT;"

	/* installed XLSForm definitions, the CSV text as shipped */
	"CREATE TABLE form ("
	"  form_id TEXT NOT NULL CHECK (form_id <> ''),"
	"  version TEXT NOT NULL CHECK (version <> ''),"
	"  csv TEXT NOT NULL,"
	"  installed_at TEXT NOT NULL,"
	"  PRIMARY KEY (form_id, version)"
	") STRICT;"

	/* rule tables (assets/rules/ *.csv), same shape */
	"CREATE TABLE rule ("
	"  rule_id TEXT NOT NULL CHECK (rule_id <> ''),"
	"  version TEXT NOT NULL CHECK (version <> ''),"
	"  csv TEXT NOT NULL,"
	"  installed_at TEXT NOT NULL,"
	"  PRIMARY KEY (rule_id, version)"
	") STRICT;"

	"CREATE TABLE household ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  author TEXT NOT NULL,"
	"  village TEXT NOT NULL CHECK (village <> ''),"
	"  address TEXT NOT NULL DEFAULT '',"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL"
	") STRICT;"

	"CREATE TABLE person ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  author TEXT NOT NULL,"
	"  name TEXT NOT NULL CHECK (name <> ''),"
	"  sex TEXT NOT NULL CHECK (sex IN ('female', 'male')),"
	"  birth TEXT NOT NULL"
	"    CHECK (birth GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),"
	"  resident_id TEXT NOT NULL UNIQUE CHECK (length(resident_id) = 18),"
	"  phone TEXT NOT NULL DEFAULT '',"
	"  village TEXT NOT NULL CHECK (village <> ''),"
	"  household_id TEXT REFERENCES household(id),"
	/* space-separated codes: shidu shangcan gaoling zili banshineng
	 * shineng ec_user iud_user migrant newlywed */
	"  categories TEXT NOT NULL DEFAULT '',"
	"  contact1_name TEXT NOT NULL DEFAULT '',"
	"  contact1_phone TEXT NOT NULL DEFAULT '',"
	"  contact2_name TEXT NOT NULL DEFAULT '',"
	"  contact2_phone TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL DEFAULT 'active'"
	"    CHECK (status IN ('active', 'moved', 'died', 'archived')),"
	"  status_date TEXT,"
	"  status_reason TEXT,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  CHECK ((status = 'active') = (status_date IS NULL))"
	") STRICT;"
	"CREATE INDEX person_by_village ON person(village, name);"
	"CREATE INDEX person_by_status ON person(status, village, name);"
	"CREATE INDEX person_by_household ON person(household_id);"
	"CREATE TRIGGER person_kept BEFORE DELETE ON person BEGIN"
	"  SELECT RAISE(ABORT, 'people are archived, never deleted');"
	"END;"

	"CREATE TABLE visit ("
	"  id TEXT NOT NULL,"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  author TEXT NOT NULL,"
	"  person_id TEXT NOT NULL REFERENCES person(id),"
	"  form_id TEXT NOT NULL,"
	"  form_version TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN"
	"    ('draft', 'submitted', 'sent', 'received', 'approved', 'returned')),"
	"  answers TEXT NOT NULL,"          /* JSON object of the instance values */
	"  checkin TEXT,"
	"  checkout TEXT,"
	"  duration INTEGER CHECK (duration >= 0),"   /* minutes */
	"  services TEXT NOT NULL DEFAULT '',"  /* meals cleaning urgent care comfort errands */
	"  score REAL,"
	"  band TEXT,"
	"  visit_date TEXT,"                /* set when first submitted */
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  submitted_at TEXT,"
	"  PRIMARY KEY (id, version),"
	"  FOREIGN KEY (form_id, form_version) REFERENCES form(form_id, version),"
	"  CHECK ((state = 'draft') = (submitted_at IS NULL)),"
	"  CHECK (state = 'draft' OR visit_date IS NOT NULL)"
	") STRICT;"
	"CREATE INDEX visit_by_person ON visit(person_id, visit_date);"
	"CREATE INDEX visit_by_state ON visit(state);"

	/* the second guard of immutability, under the C code's checks */
	"CREATE TRIGGER visit_immutable BEFORE UPDATE OF id, version, author, person_id,"
	"  form_id, form_version, answers, checkin, checkout, duration, services, score,"
	"  band, visit_date, created_at, submitted_at ON visit WHEN OLD.state <> 'draft' BEGIN"
	"  SELECT RAISE(ABORT, 'a submitted visit cannot be changed');"
	"END;"
	"CREATE TRIGGER visit_state BEFORE UPDATE OF state ON visit"
	"  WHEN NEW.state <> OLD.state AND (OLD.state, NEW.state) NOT IN (VALUES"
	"    ('draft', 'submitted'), ('submitted', 'sent'), ('sent', 'received'),"
	"    ('received', 'approved'), ('received', 'returned')) BEGIN"
	"  SELECT RAISE(ABORT, 'this change of visit state is not allowed');"
	"END;"
	"CREATE TRIGGER visit_kept BEFORE DELETE ON visit WHEN OLD.state <> 'draft' BEGIN"
	"  SELECT RAISE(ABORT, 'a submitted visit is never deleted');"
	"END;"

	/* a supervisor's decision on one version of a visit */
	"CREATE TABLE review ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  author TEXT NOT NULL,"
	"  visit_id TEXT NOT NULL,"
	"  visit_version INTEGER NOT NULL,"
	"  decision TEXT NOT NULL CHECK (decision IN ('approved', 'returned')),"
	"  comment TEXT NOT NULL DEFAULT '',"
	"  reviewed_at TEXT NOT NULL,"
	"  FOREIGN KEY (visit_id, visit_version) REFERENCES visit(id, version)"
	") STRICT;"
	"CREATE INDEX review_by_visit ON review(visit_id, visit_version);"

	/* raised by a submitted visit: a calculate alert_<kind> that is true */
	"CREATE TABLE alert ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  author TEXT NOT NULL,"
	"  visit_id TEXT NOT NULL,"
	"  visit_version INTEGER NOT NULL,"
	"  person_id TEXT NOT NULL REFERENCES person(id),"
	"  kind TEXT NOT NULL CHECK (kind <> ''),"
	"  message TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'referred', 'closed')),"
	"  raised_at TEXT NOT NULL,"
	"  closed_at TEXT,"
	"  FOREIGN KEY (visit_id, visit_version) REFERENCES visit(id, version)"
	") STRICT;"
	"CREATE INDEX alert_by_visit ON alert(visit_id, visit_version);"
	"CREATE INDEX alert_by_person ON alert(person_id);"
	"CREATE INDEX alert_by_state ON alert(state, raised_at);"

	"CREATE TABLE referral ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  author TEXT NOT NULL,"
	"  person_id TEXT NOT NULL REFERENCES person(id),"
	"  alert_id TEXT REFERENCES alert(id),"
	"  referred_to TEXT NOT NULL CHECK (referred_to <> ''),"
	"  referred_on TEXT NOT NULL,"
	"  follow_up_on TEXT,"              /* the next follow-up date */
	"  outcome TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX referral_by_person ON referral(person_id);"
	"CREATE INDEX referral_by_alert ON referral(alert_id);"

	/* a visit drawn for a callback by phone, and what the call found */
	"CREATE TABLE callback ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  author TEXT NOT NULL,"
	"  visit_id TEXT NOT NULL,"
	"  visit_version INTEGER NOT NULL,"
	"  person_id TEXT NOT NULL REFERENCES person(id),"
	"  sample TEXT NOT NULL,"           /* which draw picked it (reproducible) */
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'done', 'unreachable')),"
	"  called_at TEXT,"
	"  satisfied INTEGER CHECK (satisfied IN (0, 1)),"
	"  result TEXT NOT NULL DEFAULT '',"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  FOREIGN KEY (visit_id, visit_version) REFERENCES visit(id, version)"
	") STRICT;"
	"CREATE INDEX callback_by_visit ON callback(visit_id, visit_version);"
	"CREATE INDEX callback_by_person ON callback(person_id);"

	/* every bundle written or read (a bundle read twice is two lines) */
	"CREATE TABLE bundle_log ("
	"  seq INTEGER PRIMARY KEY,"
	"  bundle_id TEXT NOT NULL,"
	"  direction TEXT NOT NULL CHECK (direction IN ('written', 'read')),"
	"  kind TEXT NOT NULL CHECK (kind IN ('hello', 'up', 'down')),"
	"  sender TEXT NOT NULL,"           /* key ids, hex */
	"  recipient TEXT NOT NULL,"
	"  sender_seq INTEGER NOT NULL CHECK (sender_seq >= 0),"
	"  prev_hash TEXT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  path TEXT NOT NULL DEFAULT '',"
	"  result TEXT NOT NULL,"
	"  logged_at TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX bundle_by_sender ON bundle_log(sender, sender_seq);"

	/* who did what when; append-only */
	"CREATE TABLE audit ("
	"  seq INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  device TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL CHECK (action <> ''),"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT ''"
	") STRICT;"
	"CREATE INDEX audit_by_subject ON audit(subject);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
	"  SELECT RAISE(ABORT, 'the audit log is append-only');"
	"END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
	"  SELECT RAISE(ABORT, 'the audit log is append-only');"
	"END;";

/* Run one step's SQL; what names the step in the error. */
static fv_status step_sql(fv_store *s, const char *sql, const char *what, fv_errors *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? FV_OK : store_error(s, rc, what, err);
}

static fv_status migrate_0_1(fv_store *s, fv_errors *err)
{
	return step_sql(s, schema_v1, "creating the tables (schema 1)", err);
}


/* Schema 2: the date of each person's last submitted visit, kept by
 * triggers, so that listing 10,000 people reads a small table instead of
 * seeking into the index of every visit.  Derived data: never synced. */
static const char schema_v2[] =
	"CREATE TABLE person_last_visit ("
	"  person_id TEXT PRIMARY KEY,"
	"  visit_date TEXT NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"CREATE TRIGGER visit_last_insert AFTER INSERT ON visit"
	"  WHEN NEW.visit_date IS NOT NULL BEGIN"
	"  INSERT INTO person_last_visit VALUES (NEW.person_id, NEW.visit_date)"
	"    ON CONFLICT (person_id) DO UPDATE"
	"    SET visit_date = max(visit_date, excluded.visit_date);"
	"END;"
	"CREATE TRIGGER visit_last_update AFTER UPDATE OF visit_date ON visit"
	"  WHEN NEW.visit_date IS NOT NULL BEGIN"
	"  INSERT INTO person_last_visit VALUES (NEW.person_id, NEW.visit_date)"
	"    ON CONFLICT (person_id) DO UPDATE"
	"    SET visit_date = max(visit_date, excluded.visit_date);"
	"END;"
	"INSERT INTO person_last_visit"
	"  SELECT person_id, max(visit_date) FROM visit"
	"  WHERE visit_date IS NOT NULL GROUP BY person_id;";

static fv_status migrate_1_2(fv_store *s, fv_errors *err)
{
	return step_sql(s, schema_v2, "adding the last-visit table (schema 2)", err);
}

/* Schema 3: what schedules read.  The date by which a visit asks for a
 * follow-up (its form's followup_due calculate) is kept in a column like
 * score and band, covered by the immutability trigger.  visit_fact holds,
 * for each visit that counts (its latest version past the draft, not
 * returned), the few columns a schedule needs, in person order, kept by
 * triggers: a schedule of 10,000 people reads this small table instead of
 * every visit's answers.  Derived data: never synced. */
static const char schema_v3[] =
	"ALTER TABLE visit ADD COLUMN followup_due TEXT"
	"  CHECK (followup_due IS NULL OR"
	"    followup_due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');"
	"DROP TRIGGER visit_immutable;"
	"UPDATE visit SET followup_due = json_extract(answers, '$.followup_due')"
	"  WHERE json_valid(answers) AND json_type(answers, '$.followup_due') = 'text'"
	"  AND json_extract(answers, '$.followup_due')"
	"    GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]';"
	"CREATE TRIGGER visit_immutable BEFORE UPDATE OF id, version, author, person_id,"
	"  form_id, form_version, answers, checkin, checkout, duration, services, score,"
	"  band, visit_date, followup_due, created_at, submitted_at ON visit"
	"  WHEN OLD.state <> 'draft' BEGIN"
	"  SELECT RAISE(ABORT, 'a submitted visit cannot be changed');"
	"END;"

	"CREATE TABLE visit_fact ("
	"  person_id TEXT NOT NULL,"
	"  visit_date TEXT NOT NULL,"
	"  id TEXT NOT NULL UNIQUE,"
	"  version INTEGER NOT NULL,"
	"  form_id TEXT NOT NULL,"
	"  duration INTEGER,"
	"  followup_due TEXT,"
	"  PRIMARY KEY (person_id, visit_date, id)"
	") STRICT, WITHOUT ROWID;"
	/* a version that counts replaces an older one of the same visit */
	"CREATE TRIGGER visit_fact_insert AFTER INSERT ON visit"
	"  WHEN NEW.state NOT IN ('draft', 'returned') BEGIN"
	"  DELETE FROM visit_fact WHERE id = NEW.id AND version < NEW.version;"
	"  INSERT OR IGNORE INTO visit_fact SELECT NEW.person_id, NEW.visit_date, NEW.id,"
	"    NEW.version, NEW.form_id, NEW.duration, NEW.followup_due"
	"    WHERE NOT EXISTS (SELECT 1 FROM visit_fact WHERE id = NEW.id);"
	"END;"
	"CREATE TRIGGER visit_fact_state AFTER UPDATE OF state ON visit"
	"  WHEN NEW.state <> OLD.state BEGIN"
	"  DELETE FROM visit_fact WHERE id = NEW.id AND (version < NEW.version OR"
	"    (version = NEW.version AND NEW.state IN ('draft', 'returned')));"
	"  INSERT OR IGNORE INTO visit_fact SELECT NEW.person_id, NEW.visit_date, NEW.id,"
	"    NEW.version, NEW.form_id, NEW.duration, NEW.followup_due"
	"    WHERE NEW.state NOT IN ('draft', 'returned')"
	"    AND NOT EXISTS (SELECT 1 FROM visit_fact WHERE id = NEW.id);"
	"END;"
	/* a newer version (a draft after a return) takes the visit out */
	"CREATE TRIGGER visit_fact_newer AFTER INSERT ON visit"
	"  WHEN NEW.state IN ('draft', 'returned') BEGIN"
	"  DELETE FROM visit_fact WHERE id = NEW.id AND version < NEW.version;"
	"END;"
	"INSERT INTO visit_fact SELECT v.person_id, v.visit_date, v.id, v.version, v.form_id,"
	"  v.duration, v.followup_due FROM visit v"
	"  WHERE v.state NOT IN ('draft', 'returned')"
	"  AND v.version = (SELECT max(w.version) FROM visit w WHERE w.id = v.id);";

static fv_status migrate_2_3(fv_store *s, fv_errors *err)
{
	return step_sql(s, schema_v3, "adding the schedule facts (schema 3)", err);
}


/* Schema 4: sync (DESIGN.md section 5).  This store's keys (the secret
 * halves only ever here, inside the encrypted database), its team, the
 * peers it exchanges bundles with, a supervisor's queue of what each
 * worker is to get, a worker's receipts, the records that came with other
 * content under an (id, version) already here, and the bundle log found
 * by hash.  A worker may drop the answers of a visit its supervisor has
 * acknowledged (retention): answers may then become '{}' once, with
 * pruned_at set; nothing else of a submitted visit ever changes. */
static const char schema_v4[] =
	"CREATE TABLE sync_self ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  sign_seed BLOB NOT NULL CHECK (length(sign_seed) = 32),"
	"  sign_pk BLOB NOT NULL CHECK (length(sign_pk) = 32),"
	"  box_sk BLOB NOT NULL CHECK (length(box_sk) = 32),"
	"  box_pk BLOB NOT NULL CHECK (length(box_pk) = 32),"
	"  key_id BLOB NOT NULL CHECK (length(key_id) = 8),"
	"  created_at TEXT NOT NULL"
	") STRICT;"

	"CREATE TABLE team ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  id TEXT NOT NULL,"
	"  recovery_pk BLOB NOT NULL CHECK (length(recovery_pk) = 32),"
	"  joined_at TEXT NOT NULL"
	") STRICT;"

	"CREATE TABLE peer ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
	"  role TEXT NOT NULL CHECK (role IN ('worker', 'supervisor')),"
	"  key_id BLOB UNIQUE CHECK (key_id IS NULL OR length(key_id) = 8),"
	"  sign_pk BLOB,"
	"  box_pk BLOB,"
	"  device TEXT NOT NULL DEFAULT '',"
	"  villages TEXT NOT NULL DEFAULT '',"
	"  invite_key BLOB,"
	"  seq_in INTEGER NOT NULL DEFAULT 0,"
	"  hash_in BLOB,"
	"  seq_out INTEGER NOT NULL DEFAULT 0,"
	"  hash_out BLOB,"
	"  acked_out INTEGER NOT NULL DEFAULT 0,"
	"  ack_sent INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  enrolled_at TEXT,"
	"  CHECK ((key_id IS NULL) = (enrolled_at IS NULL))"
	") STRICT;"

	"CREATE TABLE sync_outbox ("
	"  peer TEXT NOT NULL REFERENCES peer(id),"
	"  tbl TEXT NOT NULL CHECK (tbl IN ('receipt', 'review', 'person', 'form', 'rule')),"
	"  ref TEXT NOT NULL DEFAULT '',"
	"  id TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  sent_seq INTEGER,"
	"  PRIMARY KEY (peer, tbl, ref, id, version)"
	") STRICT, WITHOUT ROWID;"

	"CREATE TABLE sync_receipt ("
	"  tbl TEXT NOT NULL CHECK (tbl IN ('person', 'visit')),"
	"  id TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  received_at TEXT NOT NULL,"
	"  PRIMARY KEY (tbl, id, version)"
	") STRICT, WITHOUT ROWID;"

	"CREATE TABLE sync_conflict ("
	"  seq INTEGER PRIMARY KEY,"
	"  tbl TEXT NOT NULL,"
	"  id TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  sender TEXT NOT NULL,"
	"  bundle_id TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  record TEXT NOT NULL,"
	"  logged_at TEXT NOT NULL"
	") STRICT;"
	"CREATE UNIQUE INDEX conflict_once ON sync_conflict(tbl, id, version, record);"

	"CREATE INDEX bundle_by_hash ON bundle_log(hash, direction);"
	"CREATE INDEX visit_by_author ON visit(author, state);"

	"ALTER TABLE visit ADD COLUMN pruned_at TEXT;"
	"DROP TRIGGER visit_immutable;"
	"CREATE TRIGGER visit_immutable BEFORE UPDATE OF id, version, author, person_id,"
	"  form_id, form_version, checkin, checkout, duration, services, score,"
	"  band, visit_date, followup_due, created_at, submitted_at ON visit"
	"  WHEN OLD.state <> 'draft' BEGIN"
	"  SELECT RAISE(ABORT, 'a submitted visit cannot be changed');"
	"END;"
	"CREATE TRIGGER visit_answers_kept BEFORE UPDATE OF answers, pruned_at ON visit"
	"  WHEN OLD.state <> 'draft' AND NOT (OLD.pruned_at IS NULL AND NEW.pruned_at IS NOT NULL"
	"    AND NEW.answers = '{}' AND OLD.state IN ('received', 'approved')) BEGIN"
	"  SELECT RAISE(ABORT, 'a submitted visit cannot be changed');"
	"END;";

static fv_status migrate_3_4(fv_store *s, fv_errors *err)
{
	int rc = sqlite3_exec(s->db, schema_v4, NULL, NULL, NULL);
	vault_key *seed, *box;
	uint8_t sign_pk[VAULT_SIGN_PK_BYTES], box_pk[VAULT_BOX_PK_BYTES], id[VAULT_KEY_ID_BYTES];
	char now[40];
	sqlite3_stmt *st;

	if (rc != SQLITE_OK)
		return store_error(s, rc, "adding the sync tables (schema 4)", err);
	/* every store has its keys from the start */
	vault_sign_keypair(&seed, sign_pk);
	vault_box_keypair(&box, box_pk);
	vault_key_id(sign_pk, id);
	store_sql_now(now);
	st = store_prepare(s, "INSERT INTO sync_self(one, sign_seed, sign_pk, box_sk, box_pk,"
			      " key_id, created_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)", err);
	if (st) {
		sqlite3_bind_blob(st, 1, vault_key_bytes(seed), VAULT_KEY_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 2, sign_pk, sizeof sign_pk, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 3, vault_key_bytes(box), VAULT_KEY_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 4, box_pk, sizeof box_pk, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 5, id, sizeof id, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
	}
	vault_key_free(seed);
	vault_key_free(box);
	return store_sql_done(s, st, "making the sync keys (schema 4)", err);
}

/* Schema 5: the same rules, cheaper triggers.  Three triggers of schemas
 * 1 and 3 built a temporary table on every row they fired for: the pairs
 * of visit_state as `(OLD.state, NEW.state) NOT IN (VALUES ...)`, and the
 * `INSERT ... SELECT ... WHERE NOT EXISTS (SELECT ... FROM visit_fact)` of
 * visit_fact_insert and visit_fact_state, which read the table they write
 * (so SQLite materialises the row first).  Their meaning is unchanged:
 *   - visit_state: the allowed pairs as plain comparisons (state is NOT
 *     NULL, so no comparison is ever NULL once NEW.state <> OLD.state);
 *   - visit_fact: a visit's row is replaced only by a higher version, and
 *     a version that stops counting (draft, returned) takes out its own
 *     row and older ones.  "Delete the older version, then insert unless
 *     one is left" is one upsert on visit_fact's UNIQUE(id) whose update
 *     applies only to a higher version.  Nothing else is derived, so no
 *     backfill: the rows schema 3 made are what these triggers make.
 * A CHECK of `x IN (...)` over more than two constants builds a temporary
 * table each time its statement runs, too: sync_outbox (one INSERT per
 * record imported, for its receipt) is rebuilt with the same CHECK as
 * comparisons.  Its rows are copied as they are. */
static const char schema_v5[] =
	"DROP TRIGGER visit_state;"
	"CREATE TRIGGER visit_state BEFORE UPDATE OF state ON visit"
	"  WHEN NEW.state <> OLD.state AND NOT ("
	"    (OLD.state = 'draft' AND NEW.state = 'submitted')"
	"    OR (OLD.state = 'submitted' AND NEW.state = 'sent')"
	"    OR (OLD.state = 'sent' AND NEW.state = 'received')"
	"    OR (OLD.state = 'received' AND NEW.state IN ('approved', 'returned'))) BEGIN"
	"  SELECT RAISE(ABORT, 'this change of visit state is not allowed');"
	"END;"

	"DROP TRIGGER visit_fact_insert;"
	"CREATE TRIGGER visit_fact_insert AFTER INSERT ON visit"
	"  WHEN NEW.state NOT IN ('draft', 'returned') BEGIN"
	"  INSERT INTO visit_fact(person_id, visit_date, id, version, form_id, duration,"
	"    followup_due) VALUES (NEW.person_id, NEW.visit_date, NEW.id, NEW.version,"
	"    NEW.form_id, NEW.duration, NEW.followup_due)"
	"    ON CONFLICT (id) DO UPDATE SET person_id = excluded.person_id,"
	"    visit_date = excluded.visit_date, version = excluded.version,"
	"    form_id = excluded.form_id, duration = excluded.duration,"
	"    followup_due = excluded.followup_due"
	"    WHERE excluded.version > visit_fact.version;"
	"END;"

	"DROP TRIGGER visit_fact_state;"
	"CREATE TRIGGER visit_fact_state AFTER UPDATE OF state ON visit"
	"  WHEN NEW.state <> OLD.state AND NEW.state NOT IN ('draft', 'returned') BEGIN"
	"  INSERT INTO visit_fact(person_id, visit_date, id, version, form_id, duration,"
	"    followup_due) VALUES (NEW.person_id, NEW.visit_date, NEW.id, NEW.version,"
	"    NEW.form_id, NEW.duration, NEW.followup_due)"
	"    ON CONFLICT (id) DO UPDATE SET person_id = excluded.person_id,"
	"    visit_date = excluded.visit_date, version = excluded.version,"
	"    form_id = excluded.form_id, duration = excluded.duration,"
	"    followup_due = excluded.followup_due"
	"    WHERE excluded.version > visit_fact.version;"
	"END;"
	"CREATE TRIGGER visit_fact_drop AFTER UPDATE OF state ON visit"
	"  WHEN NEW.state <> OLD.state AND NEW.state IN ('draft', 'returned') BEGIN"
	"  DELETE FROM visit_fact WHERE id = NEW.id AND version <= NEW.version;"
	"END;"

	"CREATE TABLE sync_outbox_5 ("
	"  peer TEXT NOT NULL REFERENCES peer(id),"
	"  tbl TEXT NOT NULL CHECK (tbl = 'receipt' OR tbl = 'review' OR tbl = 'person'"
	"    OR tbl = 'form' OR tbl = 'rule'),"
	"  ref TEXT NOT NULL DEFAULT '',"
	"  id TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  sent_seq INTEGER,"
	"  PRIMARY KEY (peer, tbl, ref, id, version)"
	") STRICT, WITHOUT ROWID;"
	"INSERT INTO sync_outbox_5(peer, tbl, ref, id, version, sent_seq)"
	"  SELECT peer, tbl, ref, id, version, sent_seq FROM sync_outbox;"
	"DROP TABLE sync_outbox;"
	"ALTER TABLE sync_outbox_5 RENAME TO sync_outbox;";

static fv_status migrate_4_5(fv_store *s, fv_errors *err)
{
	return step_sql(s, schema_v5, "replacing the visit triggers (schema 5)", err);
}

/* Schema 6: which version of a visit is its latest, kept in the row.
 * Lists of visits (the supervisor's inbox above all) asked for each row
 * whether a higher version exists, which on a year of visits meant
 * reading every row of the big table.  superseded is 1 on every version
 * but the highest of its visit, kept by two triggers: an insert marks the
 * lower versions (an older version arriving after a newer one marks
 * itself), the delete of the highest (only a draft can be deleted)
 * unmarks the one below.  A partial index of the latest versions by
 * state, date and form answers the inbox's counts and its most recent
 * visits from the index alone.  The column is not part of a visit's
 * content: it is not in bundles, nor covered by the immutability
 * trigger. */
static const char schema_v6[] =
	"ALTER TABLE visit ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0"
	"  CHECK (superseded = 0 OR superseded = 1);"
	"UPDATE visit SET superseded = 1"
	"  WHERE version < (SELECT max(w.version) FROM visit w WHERE w.id = visit.id);"
	"CREATE TRIGGER visit_superseded AFTER INSERT ON visit BEGIN"
	"  UPDATE visit SET superseded = 1 WHERE id = NEW.id AND superseded = 0"
	"    AND version < (SELECT max(w.version) FROM visit w WHERE w.id = NEW.id);"
	"END;"
	"CREATE TRIGGER visit_unsuperseded AFTER DELETE ON visit BEGIN"
	"  UPDATE visit SET superseded = 0 WHERE id = OLD.id"
	"    AND version = (SELECT max(w.version) FROM visit w WHERE w.id = OLD.id);"
	"END;"
	"CREATE INDEX visit_latest ON visit(state, visit_date, form_id) WHERE superseded = 0;";

static fv_status migrate_5_6(fv_store *s, fv_errors *err)
{
	return step_sql(s, schema_v6, "marking the latest version of each visit (schema 6)", err);
}

/* Schema 7: which visits a bundle carried, outside the visit row.  An
 * export marked every visit it wrote by updating its state to 'sent':
 * at 100,000 visits that rewrote every page of the visit table (answers
 * included) through the encrypted log, two indexes and the state
 * triggers, for one bit.  A visit now stays 'submitted' in its row and
 * gets a row here (the bundle that first carried it); a submitted visit
 * with a row here reads as 'sent' (VISIT_COLUMNS in visit.c), and moving
 * it to received passes through 'sent' in its row as before, so the
 * state machine and its trigger are unchanged.  Visits an older export
 * marked keep 'sent' in their row, which reads the same. */
static const char schema_v7[] =
	"CREATE TABLE visit_sent ("
	"  id TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  bundle_seq INTEGER NOT NULL,"
	"  PRIMARY KEY (id, version)"
	") STRICT, WITHOUT ROWID;";

static fv_status migrate_6_7(fv_store *s, fv_errors *err)
{
	return step_sql(s, schema_v7, "adding the sent marks (schema 7)", err);
}

/* Schema 8: how many visits there are, kept as they change.  The
 * supervisor's inbox shows the count of each state (under its filters of
 * form and dates) when it opens; counting 1,000,000 visits through the
 * index visit_latest took a quarter of a second.  visit_tally holds, for
 * the latest version of each visit (superseded = 0), the number by state
 * in its row, visit date ('' for a draft not yet dated) and form, kept by
 * three triggers whatever changes a visit: an insert, a change of state,
 * date or form (a draft's), a version superseded or unsuperseded, the
 * delete of a draft.  An increment and a decrement are both upserts, so
 * the order SQLite fires the triggers of one insert in does not matter;
 * a group that falls to 0 keeps its row.  `fieldvisit check` compares
 * the table with the visits.  Derived data: never synced. */
static const char schema_v8[] =
	"CREATE TABLE visit_tally ("
	"  state TEXT NOT NULL,"
	"  visit_date TEXT NOT NULL,"
	"  form_id TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (state, visit_date, form_id)"
	") STRICT, WITHOUT ROWID;"
	"INSERT INTO visit_tally SELECT state, coalesce(visit_date, ''), form_id, count(*)"
	"  FROM visit WHERE superseded = 0 GROUP BY 1, 2, 3;"
	"CREATE TRIGGER visit_tally_insert AFTER INSERT ON visit WHEN NEW.superseded = 0 BEGIN"
	"  INSERT INTO visit_tally VALUES (NEW.state, coalesce(NEW.visit_date, ''), NEW.form_id, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"END;"
	"CREATE TRIGGER visit_tally_update AFTER UPDATE OF state, superseded, visit_date, form_id"
	"  ON visit WHEN OLD.state IS NOT NEW.state OR OLD.superseded IS NOT NEW.superseded"
	"  OR OLD.visit_date IS NOT NEW.visit_date OR OLD.form_id IS NOT NEW.form_id BEGIN"
	"  INSERT INTO visit_tally SELECT OLD.state, coalesce(OLD.visit_date, ''), OLD.form_id, -1"
	"    WHERE OLD.superseded = 0 ON CONFLICT DO UPDATE SET n = n - 1;"
	"  INSERT INTO visit_tally SELECT NEW.state, coalesce(NEW.visit_date, ''), NEW.form_id, 1"
	"    WHERE NEW.superseded = 0 ON CONFLICT DO UPDATE SET n = n + 1;"
	"END;"
	"CREATE TRIGGER visit_tally_delete AFTER DELETE ON visit WHEN OLD.superseded = 0 BEGIN"
	"  INSERT INTO visit_tally VALUES (OLD.state, coalesce(OLD.visit_date, ''), OLD.form_id, -1)"
	"    ON CONFLICT DO UPDATE SET n = n - 1;"
	"END;";

static fv_status migrate_7_8(fv_store *s, fv_errors *err)
{
	return step_sql(s, schema_v8, "counting the visits (schema 8)", err);
}

/* Schema 9: what reports read.  A year of reports read every visit of the
 * period from the big visit table (rows of about 1.2 KB with their
 * answers: at 1,000,000 visits the whole 1.25 GB file decrypted per
 * report) and parsed the same texts each time.  report_fact holds, for
 * each visit that counts (the rows of visit_fact: its latest version,
 * past the draft, not returned), the columns the reports read, worked out
 * once when the visit is written: its day number, check-in, check-out and
 * submission as seconds of the wall clock (fv_time, as
 * fv_datetime_parse), a hash of its full answer text (fv_hash, FNV-1a)
 * and, for a satisfaction survey only, its answers (the rules say which
 * level codes to read).  Kept by the triggers of visit_fact's schema 5
 * (an upsert on id that only a higher version updates, a version that
 * stops counting takes out its row and older ones) and one more: pruning
 * a received visit's answers rehashes them, as a report read them.
 * Indexes: by day (a month reads its rows only), and the surveys by day
 * (the satisfaction report reads a few percent of the rows).  Derived
 * data, never synced; the backfill reads visit_fact's versions in the
 * visit table's order. */
/* The report facts of the visit NEW, unless a higher version has them. */
#define REPORT_FACT_UPSERT \
	"  INSERT INTO report_fact(id, version, day, person_id, form_id, author, duration," \
	"    checkin, checkout, submitted, services, answers, survey)" \
	"    VALUES (NEW.id, NEW.version, fv_day(NEW.visit_date), NEW.person_id," \
	"    NEW.form_id, NEW.author, NEW.duration, fv_time(NEW.checkin)," \
	"    fv_time(NEW.checkout), fv_time(NEW.submitted_at), NEW.services," \
	"    fv_hash(NEW.answers), CASE WHEN NEW.form_id = '" FV_REPORT_SATISFACTION_FORM "'" \
	"    THEN NEW.answers END)" \
	"    ON CONFLICT (id) DO UPDATE SET version = excluded.version, day = excluded.day," \
	"    person_id = excluded.person_id, form_id = excluded.form_id," \
	"    author = excluded.author, duration = excluded.duration," \
	"    checkin = excluded.checkin, checkout = excluded.checkout," \
	"    submitted = excluded.submitted, services = excluded.services," \
	"    answers = excluded.answers, survey = excluded.survey" \
	"    WHERE excluded.version > report_fact.version;"

static const char schema_v9[] =
	"CREATE TABLE report_fact ("
	"  id TEXT NOT NULL UNIQUE,"
	"  version INTEGER NOT NULL,"
	"  day INTEGER,"
	"  person_id TEXT NOT NULL,"
	"  form_id TEXT NOT NULL,"
	"  author TEXT NOT NULL,"
	"  duration INTEGER,"
	"  checkin REAL,"
	"  checkout REAL,"
	"  submitted REAL,"
	"  services TEXT NOT NULL,"
	"  answers INTEGER,"
	"  survey TEXT"
	") STRICT;"
	"CREATE INDEX report_fact_by_day ON report_fact(day);"
	"CREATE INDEX report_fact_survey ON report_fact(day)"
	"  WHERE form_id = '" FV_REPORT_SATISFACTION_FORM "';"
	"CREATE TRIGGER report_fact_insert AFTER INSERT ON visit"
	"  WHEN NEW.state NOT IN ('draft', 'returned') BEGIN"
	REPORT_FACT_UPSERT
	"END;"
	"CREATE TRIGGER report_fact_state AFTER UPDATE OF state ON visit"
	"  WHEN NEW.state <> OLD.state AND NEW.state NOT IN ('draft', 'returned') BEGIN"
	REPORT_FACT_UPSERT
	"END;"
	"CREATE TRIGGER report_fact_drop AFTER UPDATE OF state ON visit"
	"  WHEN NEW.state <> OLD.state AND NEW.state IN ('draft', 'returned') BEGIN"
	"  DELETE FROM report_fact WHERE id = NEW.id AND version <= NEW.version;"
	"END;"
	"CREATE TRIGGER report_fact_pruned AFTER UPDATE OF answers ON visit"
	"  WHEN OLD.state <> 'draft' BEGIN"
	"  UPDATE report_fact SET answers = fv_hash(NEW.answers),"
	"    survey = CASE WHEN NEW.form_id = '" FV_REPORT_SATISFACTION_FORM "' THEN NEW.answers END"
	"    WHERE id = NEW.id AND version = NEW.version;"
	"END;"
	"INSERT INTO report_fact(id, version, day, person_id, form_id, author, duration,"
	"  checkin, checkout, submitted, services, answers, survey)"
	"  SELECT v.id, v.version, fv_day(v.visit_date), v.person_id, v.form_id, v.author,"
	"  v.duration, fv_time(v.checkin), fv_time(v.checkout), fv_time(v.submitted_at),"
	"  v.services, fv_hash(v.answers),"
	"  CASE WHEN v.form_id = '" FV_REPORT_SATISFACTION_FORM "' THEN v.answers END"
	"  FROM visit v WHERE v.rowid IN (SELECT w.rowid FROM visit_fact f"
	"    JOIN visit w ON w.id = f.id AND w.version = f.version);";

static fv_status migrate_8_9(fv_store *s, fv_errors *err)
{
	return step_sql(s, schema_v9, "adding the report facts (schema 9)", err);
}

/* Schema 10: what schedules read, small and in few rows.  Today reads the
 * facts of every visit of two years; visit_fact keys them by text
 * (person UUID, date, visit UUID, form id: about 115 bytes a row), its
 * pages are spread over the whole file, so a cold Today read some 2,800
 * pages one by one, and 100,000 rows through SQLite cost more than what
 * is done with them.  sched_fact holds the same facts packed: one row per
 * person and span of 512 days (the person's rowid -- people are never
 * deleted, nor is the store vacuumed -- and day / 512), its visits in one
 * blob of entries (day, duration, follow-up day, the visit id as its 16
 * bytes when it is a lower-case UUID, the form id), about 37 bytes a
 * visit, sorted by day (facts.c has the layout).  Kept by triggers on visit_fact, so it follows every change of
 * what counts (an insert, a newer version, a state change, a draft's
 * delete) through the triggers that already say it; `check` compares the
 * two (store_check_sched).  Derived data: never synced. */
/* The visit_fact row NEW into its person's packed facts. */
#define SCHED_FACT_PUT \
	"  INSERT INTO sched_fact(person, span, facts) VALUES (" \
	"    (SELECT rowid FROM person WHERE id = NEW.person_id), fv_span(NEW.visit_date)," \
	"    fv_pack_one(NEW.visit_date, NEW.id, NEW.form_id, NEW.duration, NEW.followup_due))" \
	"    ON CONFLICT (person, span) DO UPDATE SET facts = fv_pack_put(facts, excluded.facts);"

/* The visit_fact row OLD out of its person's packed facts (a row left
 * empty goes). */
#define SCHED_FACT_TAKE \
	"  UPDATE sched_fact SET facts = fv_pack_del(facts, OLD.id)" \
	"    WHERE person = (SELECT rowid FROM person WHERE id = OLD.person_id)" \
	"    AND span = fv_span(OLD.visit_date);" \
	"  DELETE FROM sched_fact" \
	"    WHERE person = (SELECT rowid FROM person WHERE id = OLD.person_id)" \
	"    AND span = fv_span(OLD.visit_date) AND length(facts) = 0;"

static const char schema_v10[] =
	"CREATE TABLE sched_fact ("
	"  person INTEGER NOT NULL,"
	"  span INTEGER NOT NULL,"
	"  facts BLOB NOT NULL,"
	"  PRIMARY KEY (person, span)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TRIGGER sched_fact_insert AFTER INSERT ON visit_fact BEGIN"
	SCHED_FACT_PUT
	"END;"
	"CREATE TRIGGER sched_fact_delete AFTER DELETE ON visit_fact BEGIN"
	SCHED_FACT_TAKE
	"END;"
	"CREATE TRIGGER sched_fact_update AFTER UPDATE ON visit_fact BEGIN"
	SCHED_FACT_TAKE
	SCHED_FACT_PUT
	"END;"
	"INSERT INTO sched_fact(person, span, facts)"
	"  SELECT p.rowid, fv_span(f.visit_date),"
	"    fv_pack_agg(f.visit_date, f.id, f.form_id, f.duration, f.followup_due)"
	"  FROM visit_fact f JOIN person p ON p.id = f.person_id"
	"  GROUP BY 1, 2 ORDER BY 1, 2;";

static fv_status migrate_9_10(fv_store *s, fv_errors *err)
{
	return step_sql(s, schema_v10, "adding the compact schedule facts (schema 10)", err);
}

/* ------------------------------------------------------------------ */
/* Running the steps                                                   */

typedef fv_status (*migrate_step)(fv_store *s, fv_errors *err);

/* steps[v] upgrades a store at version v to version v + 1. */
static const migrate_step steps[] = {
	migrate_0_1,
	migrate_1_2,
	migrate_2_3,
	migrate_3_4,
	migrate_4_5,
	migrate_5_6,
	migrate_6_7,
	migrate_7_8,
	migrate_8_9,
	migrate_9_10,
};

_Static_assert(sizeof steps / sizeof steps[0] == STORE_SCHEMA_VERSION,
	       "one migration step per schema version");

fv_status store_schema_version(fv_store *s, int *version, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "PRAGMA user_version", err);
	int rc;
	if (!st)
		return FV_EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? FV_OK : store_error(s, rc, "reading the schema version", err);
}

static fv_status set_version(fv_store *s, int version, fv_errors *err)
{
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? FV_OK : store_error(s, rc, "setting the schema version", err);
}

fv_status store_schema_migrate_to(fv_store *s, int version, fv_errors *err)
{
	int have, own;
	fv_status st;

	if (version < 0 || version > STORE_SCHEMA_VERSION) {
		fv_errors_add(err, s->path, 0, "no schema version %d in this fieldvisit (0-%d)",
			      version, STORE_SCHEMA_VERSION);
		return FV_EINVAL;
	}
	if ((st = store_schema_version(s, &have, err)) != FV_OK)
		return st;
	if (have > STORE_SCHEMA_VERSION) {
		fv_errors_add(err, s->path, 0, "this store was made by a newer fieldvisit (schema %d)",
			      have);
		return FV_EIO;
	}
	if (have < 0) {
		fv_errors_add(err, s->path, 0, "not a fieldvisit schema (version %d)", have);
		return FV_EIO;
	}
	if (have >= version)
		return FV_OK;
	/* the triggers and backfills of schemas 9 and 10 call them */
	int rc = store_sql_functions(s->db);
	if (rc != SQLITE_OK)
		return store_error(s, rc, "migrating", err);
	own = sqlite3_get_autocommit(s->db);
	if (own && (st = store_begin(s, err)) != FV_OK)
		return st;
	for (; have < version && st == FV_OK; have++) {
		st = steps[have](s, err);
		if (st == FV_OK)
			st = set_version(s, have + 1, err);
	}
	if (own) {
		if (st == FV_OK)
			st = store_commit(s, err);
		else
			store_rollback(s);
	}
	return st;
}

/* The version store_schema_migrate brings stores to (tests pin it). */
static int pinned;

void store_schema_pin(int version)
{
	pinned = version;
}

fv_status store_schema_migrate(fv_store *s, fv_errors *err)
{
	return store_schema_migrate_to(s, pinned ? pinned : STORE_SCHEMA_VERSION, err);
}
