/*
 * fieldvisit store: what sync keeps (schema 4) -- this store's keys, its
 * team and peers, the bundle log, a supervisor's queue for each worker,
 * a worker's receipts, conflicts, and the records applied from bundles.
 * The bundles themselves are src/sync/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

static void blob(sqlite3_stmt *st, int col, uint8_t *out, size_t n)
{
	const void *p = sqlite3_column_blob(st, col);
	if (p && (size_t)sqlite3_column_bytes(st, col) == n)
		memcpy(out, p, n);
	else
		memset(out, 0, n);
}


/* ------------------------------------------------------------------ */
/* Keys and team                                                       */

void fv_sync_self_release(fv_sync_self *k)
{
	vault_key_free(k->sign_seed);
	vault_key_free(k->box_sk);
	memset(k, 0, sizeof *k);
}

fv_status fv_store_sync_self(fv_store *s, fv_sync_self *out, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT sign_seed, sign_pk, box_sk, box_pk, key_id"
					    " FROM sync_self WHERE one = 1", err);
	int rc;
	memset(out, 0, sizeof *out);
	if (!st)
		return FV_EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == VAULT_KEY_BYTES &&
	    sqlite3_column_bytes(st, 2) == VAULT_KEY_BYTES) {
		out->sign_seed = vault_key_from(sqlite3_column_blob(st, 0));
		out->box_sk = vault_key_from(sqlite3_column_blob(st, 2));
		blob(st, 1, out->sign_pk, sizeof out->sign_pk);
		blob(st, 3, out->box_pk, sizeof out->box_pk);
		blob(st, 4, out->key_id, sizeof out->key_id);
	}
	sqlite3_finalize(st);
	if (out->sign_seed)
		return FV_OK;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, rc, "reading the sync keys", err);
	fv_errors_add(err, s->path, 0, "the store has no sync keys (damaged?)");
	return FV_EIO;
}

fv_status fv_store_team_get(fv_store *s, fv_team *out, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id, recovery_pk FROM team WHERE one = 1", err);
	int rc;
	memset(out, 0, sizeof *out);
	if (!st)
		return FV_EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		snprintf(out->id, sizeof out->id, "%s", id ? id : "");
		blob(st, 1, out->recovery_pk, sizeof out->recovery_pk);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return FV_OK;
	if (rc != SQLITE_DONE)
		return store_error(s, rc, "reading the team", err);
	fv_errors_add(err, NULL, 0, "this store is in no team (a supervisor's store made by"
		      " 'init --role supervisor' leads one; a worker joins with 'init --join')");
	return FV_ENOTFOUND;
}

fv_status fv_store_team_set(fv_store *s, const fv_team *t, fv_errors *err)
{
	fv_team have;
	fv_errors quiet;
	char now[40];
	fv_status st;
	fv_errors_init(&quiet);
	st = fv_store_team_get(s, &have, &quiet);
	fv_errors_release(&quiet);
	if (st == FV_OK) {
		fv_errors_add(err, NULL, 0, "this store is in a team already (%s)", have.id);
		return FV_EINVAL;
	}
	store_sql_now(now);
	sqlite3_stmt *w = store_prepare(s, "INSERT INTO team(one, id, recovery_pk, joined_at)"
					   " VALUES (1, ?1, ?2, ?3)", err);
	if (w) {
		sqlite3_bind_text(w, 1, t->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(w, 2, t->recovery_pk, VAULT_BOX_PK_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 3, now, -1, SQLITE_TRANSIENT);
	}
	if ((st = store_sql_begin(s, err)) != FV_OK) {
		sqlite3_finalize(w);
		return st;
	}
	st = store_sql_done(s, w, "saving the team", err);
	if (st == FV_OK)
		st = store_audit(s, "team.join", t->id, NULL, err);
	return store_sql_end(s, st, err);
}

/* ------------------------------------------------------------------ */
/* Peers                                                               */

#define PEER_COLUMNS                                                                   \
	"id, name, role, key_id, sign_pk, box_pk, device, villages, invite_key, seq_in,"  \
	" hash_in, seq_out, hash_out, acked_out, ack_sent"

void fv_peer_release(fv_peer *p)
{
	free(p->name);
	free(p->device);
	free(p->villages);
	vault_wipe(p->invite_key, sizeof p->invite_key);
	memset(p, 0, sizeof *p);
}

void fv_peer_list_free(fv_peer *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fv_peer_release(&items[i]);
	free(items);
}

static void row_to_peer(sqlite3_stmt *st, fv_peer *p)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	memset(p, 0, sizeof *p);
	snprintf(p->id, sizeof p->id, "%s", id ? id : "");
	p->name = store_sql_text(st, 1);
	const char *role = (const char *)sqlite3_column_text(st, 2);
	p->role = FV_ROLE_WORKER;
	if (role)
		(void)fv_role_parse(role, &p->role);
	p->enrolled = sqlite3_column_type(st, 3) != SQLITE_NULL;
	blob(st, 3, p->key_id, sizeof p->key_id);
	blob(st, 4, p->sign_pk, sizeof p->sign_pk);
	blob(st, 5, p->box_pk, sizeof p->box_pk);
	p->device = store_sql_text(st, 6);
	p->villages = store_sql_text(st, 7);
	blob(st, 8, p->invite_key, sizeof p->invite_key);
	p->seq_in = sqlite3_column_int64(st, 9);
	blob(st, 10, p->hash_in, sizeof p->hash_in);
	p->seq_out = sqlite3_column_int64(st, 11);
	blob(st, 12, p->hash_out, sizeof p->hash_out);
	p->acked_out = sqlite3_column_int64(st, 13);
	p->ack_sent = sqlite3_column_int64(st, 14);
}

/* Peers matching where (with ?1 bound to key when not NULL). */
static fv_status peers(fv_store *s, const char *where, const void *key, int keylen, int text,
		       fv_peer **out, size_t *n, fv_errors *err)
{
	char *sql = fv_xasprintf("SELECT " PEER_COLUMNS " FROM peer %s ORDER BY name", where);
	sqlite3_stmt *st = store_prepare(s, sql, err);
	fv_peer *items = NULL;
	size_t cap = 0, count = 0;
	int rc;
	free(sql);
	*out = NULL;
	*n = 0;
	if (!st)
		return FV_EIO;
	if (key && text)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	else if (key)
		sqlite3_bind_blob(st, 1, key, keylen, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		items = fv_xgrow(items, &cap, count + 1, sizeof *items);
		row_to_peer(st, &items[count++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fv_peer_list_free(items, count);
		return store_error(s, rc, "reading the team", err);
	}
	*out = items;
	*n = count;
	return FV_OK;
}

fv_status fv_store_peer_list(fv_store *s, fv_peer **out, size_t *n, fv_errors *err)
{
	return peers(s, "", NULL, 0, 0, out, n, err);
}

static fv_status one_peer(fv_store *s, const char *where, const void *key, int keylen,
			  int text, fv_peer *out, fv_errors *err)
{
	fv_peer *items;
	size_t n;
	fv_status st = peers(s, where, key, keylen, text, &items, &n, err);
	memset(out, 0, sizeof *out);
	if (st != FV_OK)
		return st;
	if (n == 0) {
		free(items);
		return FV_ENOTFOUND;
	}
	*out = items[0];
	for (size_t i = 1; i < n; i++)
		fv_peer_release(&items[i]);
	free(items);
	return FV_OK;
}

fv_status fv_store_peer_by_key(fv_store *s, const uint8_t key_id[VAULT_KEY_ID_BYTES],
			       fv_peer *out, fv_errors *err)
{
	return one_peer(s, "WHERE key_id = ?1", key_id, VAULT_KEY_ID_BYTES, 0, out, err);
}

fv_status fv_store_peer_get(fv_store *s, const char *id, fv_peer *out, fv_errors *err)
{
	return one_peer(s, "WHERE id = ?1", id, 0, 1, out, err);
}

fv_status fv_store_peer_add(fv_store *s, const fv_peer *p, fv_errors *err)
{
	fv_peer same;
	char now[40];
	fv_status st = one_peer(s, "WHERE name = ?1", p->name, 0, 1, &same, err);
	if (st == FV_OK) {
		fv_errors_add(err, NULL, 0, "a %s named %s is in the team already",
			      fv_role_name(same.role), p->name);
		fv_peer_release(&same);
		return FV_EINVAL;
	}
	if (st != FV_ENOTFOUND)
		return st;
	store_sql_now(now);
	sqlite3_stmt *w = store_prepare(s,
		"INSERT INTO peer(id, name, role, key_id, sign_pk, box_pk, device, villages,"
		" invite_key, created_at, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		" ?9, ?10, CASE WHEN ?4 IS NULL THEN NULL ELSE ?10 END)", err);
	if (w) {
		sqlite3_bind_text(w, 1, p->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 2, p->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 3, fv_role_name(p->role), -1, SQLITE_STATIC);
		if (p->enrolled) {
			sqlite3_bind_blob(w, 4, p->key_id, VAULT_KEY_ID_BYTES, SQLITE_TRANSIENT);
			sqlite3_bind_blob(w, 5, p->sign_pk, VAULT_SIGN_PK_BYTES, SQLITE_TRANSIENT);
			sqlite3_bind_blob(w, 6, p->box_pk, VAULT_BOX_PK_BYTES, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_blob(w, 9, p->invite_key, VAULT_KEY_BYTES, SQLITE_TRANSIENT);
		}
		sqlite3_bind_text(w, 7, p->device ? p->device : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 8, p->villages ? p->villages : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 10, now, -1, SQLITE_TRANSIENT);
	}
	if ((st = store_sql_begin(s, err)) != FV_OK) {
		sqlite3_finalize(w);
		return st;
	}
	st = store_sql_done(s, w, "saving a team member", err);
	if (st == FV_OK)
		st = store_audit(s, p->enrolled ? "team.peer" : "team.invite", p->id, NULL, err);
	return store_sql_end(s, st, err);
}

fv_status fv_store_peer_enrol(fv_store *s, const char *id,
			      const uint8_t sign_pk[VAULT_SIGN_PK_BYTES],
			      const uint8_t box_pk[VAULT_BOX_PK_BYTES], const char *device,
			      fv_errors *err)
{
	uint8_t key_id[VAULT_KEY_ID_BYTES];
	char now[40];
	fv_status st;
	vault_key_id(sign_pk, key_id);
	store_sql_now(now);
	sqlite3_stmt *w = store_prepare(s,
		"UPDATE peer SET key_id = ?2, sign_pk = ?3, box_pk = ?4, device = ?5,"
		" invite_key = NULL, enrolled_at = ?6 WHERE id = ?1 AND key_id IS NULL", err);
	if (w) {
		sqlite3_bind_text(w, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(w, 2, key_id, sizeof key_id, SQLITE_TRANSIENT);
		sqlite3_bind_blob(w, 3, sign_pk, VAULT_SIGN_PK_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_blob(w, 4, box_pk, VAULT_BOX_PK_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 5, device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 6, now, -1, SQLITE_TRANSIENT);
	}
	if ((st = store_sql_begin(s, err)) != FV_OK) {
		sqlite3_finalize(w);
		return st;
	}
	st = store_sql_done(s, w, "enrolling a team member", err);
	if (st == FV_OK && sqlite3_changes(s->db) != 1) {
		fv_errors_add(err, NULL, 0, "this worker is enrolled already");
		st = FV_EINVAL;
	}
	if (st == FV_OK)
		st = store_audit(s, "team.enrol", id, NULL, err);
	return store_sql_end(s, st, err);
}

static fv_status peer_update(fv_store *s, const char *sql, const char *id, int64_t a,
			     const uint8_t *hash, int64_t b, fv_errors *err)
{
	sqlite3_stmt *w = store_prepare(s, sql, err);
	if (w) {
		sqlite3_bind_text(w, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(w, 2, a);
		if (hash)
			sqlite3_bind_blob(w, 3, hash, VAULT_HASH512_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_int64(w, 4, b);
	}
	return store_sql_done(s, w, "saving a team member's chain", err);
}

fv_status fv_store_peer_in(fv_store *s, const char *id, int64_t seq,
			   const uint8_t hash[VAULT_HASH512_BYTES], fv_errors *err)
{
	return peer_update(s, "UPDATE peer SET seq_in = ?2, hash_in = ?3 WHERE id = ?1"
			      " AND seq_in < ?2 AND ?4 = 0", id, seq, hash, 0, err);
}

fv_status fv_store_peer_out(fv_store *s, const char *id, int64_t seq,
			    const uint8_t hash[VAULT_HASH512_BYTES], int64_t ack_sent,
			    fv_errors *err)
{
	return peer_update(s, "UPDATE peer SET seq_out = ?2, hash_out = ?3, ack_sent = ?4"
			      " WHERE id = ?1", id, seq, hash, ack_sent, err);
}

fv_status fv_store_peer_acked(fv_store *s, const char *id, int64_t seq, fv_errors *err)
{
	return peer_update(s, "UPDATE peer SET acked_out = ?2 WHERE id = ?1 AND acked_out < ?2"
			      " AND ?2 <= seq_out AND ?4 = 0", id, seq, NULL, 0, err);
}

/* ------------------------------------------------------------------ */
/* The bundle log                                                      */

fv_status fv_store_bundle_log_add(fv_store *s, const fv_bundle_log *e, fv_errors *err)
{
	char now[40];
	store_sql_now(now);
	sqlite3_stmt *w = store_prepare(s,
		"INSERT INTO bundle_log(bundle_id, direction, kind, sender, recipient, sender_seq,"
		" prev_hash, hash, path, result, logged_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		" ?8, ?9, ?10, ?11)", err);
	if (w) {
		const char *t[] = {e->bundle_id, e->direction, e->kind, e->sender, e->recipient};
		for (int i = 0; i < 5; i++)
			sqlite3_bind_text(w, i + 1, t[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(w, 6, e->sender_seq);
		sqlite3_bind_text(w, 7, e->prev_hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 8, e->hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 9, e->path ? e->path : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 10, e->result, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 11, now, -1, SQLITE_TRANSIENT);
	}
	return store_sql_done(s, w, "writing the bundle log", err);
}

void fv_bundle_log_list_free(fv_bundle_log *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fv_bundle_log *e = &items[i];
		char *f[] = {e->bundle_id, e->direction, e->kind, e->sender, e->recipient,
			     e->prev_hash, e->hash, e->path, e->result, e->logged_at, e->peer};
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
			free(f[k]);
	}
	free(items);
}

fv_status fv_store_bundle_log_list(fv_store *s, fv_bundle_log **out, size_t *n, fv_errors *err)
{
	/* key ids are stored as hex in the log and as blobs in peer */
	sqlite3_stmt *st = store_prepare(s,
		"SELECT b.seq, b.bundle_id, b.direction, b.kind, b.sender, b.recipient,"
		" b.sender_seq, b.prev_hash, b.hash, b.path, b.result, b.logged_at,"
		" b.direction = 'written' AND p.acked_out >= b.sender_seq, coalesce(p.name, '')"
		" FROM bundle_log b LEFT JOIN peer p ON lower(hex(p.key_id)) ="
		"  CASE b.direction WHEN 'written' THEN b.recipient ELSE b.sender END"
		" ORDER BY b.seq", err);
	fv_bundle_log *items = NULL;
	size_t cap = 0, count = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (!st)
		return FV_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		items = fv_xgrow(items, &cap, count + 1, sizeof *items);
		fv_bundle_log *e = &items[count++];
		e->seq = sqlite3_column_int64(st, 0);
		e->bundle_id = store_sql_text(st, 1);
		e->direction = store_sql_text(st, 2);
		e->kind = store_sql_text(st, 3);
		e->sender = store_sql_text(st, 4);
		e->recipient = store_sql_text(st, 5);
		e->sender_seq = sqlite3_column_int64(st, 6);
		e->prev_hash = store_sql_text(st, 7);
		e->hash = store_sql_text(st, 8);
		e->path = store_sql_text(st, 9);
		e->result = store_sql_text(st, 10);
		e->logged_at = store_sql_text(st, 11);
		e->acked = sqlite3_column_int(st, 12);
		e->peer = store_sql_text(st, 13);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fv_bundle_log_list_free(items, count);
		return store_error(s, rc, "reading the bundle log", err);
	}
	*out = items;
	*n = count;
	return FV_OK;
}

fv_status fv_store_bundle_imported(fv_store *s, const char *hash, char **when, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT logged_at FROM bundle_log WHERE hash = ?1"
					    " AND direction = 'read' ORDER BY seq LIMIT 1", err);
	int rc;
	*when = NULL;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*when = store_sql_text(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? FV_OK
						     : store_error(s, rc, "reading the bundle log", err);
}

/* ------------------------------------------------------------------ */
/* Records going out                                                   */

fv_status fv_store_unreceipted(fv_store *s, fv_person_fn pf, fv_visit_fn vf, void *ctx,
			       size_t *count, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT id FROM person p WHERE author = ?1 AND NOT EXISTS (SELECT 1 FROM"
		" sync_receipt r WHERE r.tbl = 'person' AND r.id = p.id AND r.version = p.version)"
		" ORDER BY created_at, id", err);
	int rc, stop = 0;
	fv_status result = FV_OK;
	*count = 0;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, s->device, -1, SQLITE_STATIC);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		fv_person p;
		char *id = store_sql_text(st, 0);
		result = fv_person_get(s, id, &p, err);
		free(id);
		if (result != FV_OK)
			break;
		stop = pf(ctx, &p) != 0;
		fv_person_release(&p);
		++*count;
	}
	if (result == FV_OK && !stop && rc != SQLITE_DONE)
		result = store_error(s, rc, "reading people", err);
	sqlite3_finalize(st);
	if (result != FV_OK || stop)
		return result;
	return store_visit_each(s, "v.author = ?1 AND v.state IN ('submitted', 'sent')", vf, ctx,
				count, err);
}

fv_status fv_store_mark_sent(fv_store *s, int64_t seq, fv_errors *err)
{
	/* beside the visit rows, not in them (schema 7): the first bundle
	 * that carried a visit keeps its mark */
	sqlite3_stmt *w = store_prepare(s, "INSERT OR IGNORE INTO visit_sent(id, version,"
					   " bundle_seq) SELECT id, version, ?2 FROM visit"
					   " WHERE author = ?1 AND state = 'submitted'"
					   " ORDER BY id, version", err);
	if (w) {
		sqlite3_bind_text(w, 1, s->device, -1, SQLITE_STATIC);
		sqlite3_bind_int64(w, 2, seq);
	}
	return store_sql_done(s, w, "marking visits sent", err);
}

void fv_outbox_list_free(fv_outbox_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].tbl);
		free(items[i].ref);
		free(items[i].id);
	}
	free(items);
}

/* Queue the latest version of each form or rule table for peer. */
static fv_status queue_latest(fv_store *s, const char *peer, const char *tbl, fv_errors *err)
{
	char **ids, **versions;
	size_t n;
	fv_status st = strcmp(tbl, "form") == 0 ? fv_store_form_latest(s, &ids, &versions, &n, err)
						: fv_store_rule_latest(s, &ids, &versions, &n, err);
	for (size_t i = 0; i < n; i++) {
		if (st == FV_OK) {
			sqlite3_stmt *w = store_prepare(s,
				"INSERT OR IGNORE INTO sync_outbox(peer, tbl, ref, id, version)"
				" VALUES (?1, ?2, ?3, ?4, 1)", err);
			if (w) {
				sqlite3_bind_text(w, 1, peer, -1, SQLITE_TRANSIENT);
				sqlite3_bind_text(w, 2, tbl, -1, SQLITE_STATIC);
				sqlite3_bind_text(w, 3, versions[i], -1, SQLITE_TRANSIENT);
				sqlite3_bind_text(w, 4, ids[i], -1, SQLITE_TRANSIENT);
			}
			st = store_sql_done(s, w, "queueing a bundle", err);
		}
		free(ids[i]);
		free(versions[i]);
	}
	free(ids);
	free(versions);
	return st;
}

/* Queue the people of the worker's villages that it does not have: the
 * latest version, unless the worker made it. */
static fv_status queue_roster(fv_store *s, const fv_peer *peer, fv_errors *err)
{
	sqlite3_stmt *w = store_prepare(s,
		"INSERT OR IGNORE INTO sync_outbox(peer, tbl, ref, id, version)"
		" SELECT ?1, 'person', '', p.id, p.version FROM person p"
		" WHERE p.author <> ?3 AND instr(' ' || ?2 || ' ', ' ' || p.village || ' ') > 0",
		err);
	if (w) {
		sqlite3_bind_text(w, 1, peer->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 2, peer->villages, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 3, peer->device, -1, SQLITE_TRANSIENT);
	}
	return store_sql_done(s, w, "queueing the roster", err);
}

fv_status fv_store_outbox(fv_store *s, const fv_peer *peer, fv_outbox_item **out, size_t *n,
			  fv_errors *err)
{
	fv_outbox_item *items = NULL;
	size_t cap = 0, count = 0;
	fv_status st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = queue_latest(s, peer->id, "form", err)) != FV_OK ||
	    (st = queue_latest(s, peer->id, "rule", err)) != FV_OK ||
	    (*peer->villages && (st = queue_roster(s, peer, err)) != FV_OK))
		return st;
	sqlite3_stmt *q = store_prepare(s,
		"SELECT tbl, ref, id, version FROM sync_outbox o WHERE peer = ?1"
		" AND (sent_seq IS NULL OR sent_seq > ?2)"
		" ORDER BY CASE tbl WHEN 'form' THEN 0 WHEN 'rule' THEN 1 WHEN 'person' THEN 2"
		"  WHEN 'receipt' THEN 3 ELSE 4 END, id, version", err);
	if (!q)
		return FV_EIO;
	sqlite3_bind_text(q, 1, peer->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, peer->acked_out);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		items = fv_xgrow(items, &cap, count + 1, sizeof *items);
		items[count].tbl = store_sql_text(q, 0);
		items[count].ref = store_sql_text(q, 1);
		items[count].id = store_sql_text(q, 2);
		items[count].version = sqlite3_column_int(q, 3);
		count++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		fv_outbox_list_free(items, count);
		return store_error(s, rc, "reading the queue", err);
	}
	*out = items;
	*n = count;
	return FV_OK;
}

fv_status fv_store_outbox_sent(fv_store *s, const char *peer, int64_t seq, fv_errors *err)
{
	sqlite3_stmt *w = store_prepare(s,
		"UPDATE sync_outbox SET sent_seq = ?2 WHERE peer = ?1 AND (sent_seq IS NULL OR"
		" sent_seq > (SELECT acked_out FROM peer WHERE id = ?1))", err);
	if (w) {
		sqlite3_bind_text(w, 1, peer, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(w, 2, seq);
	}
	return store_sql_done(s, w, "updating the queue", err);
}

fv_status fv_store_outbox_receipt(fv_store *s, const char *peer, const char *tbl, const char *id,
				  int version, fv_errors *err)
{
	return store_stage_receipt(s, peer, tbl, id, version, err);
}

/* ------------------------------------------------------------------ */
/* Records coming in                                                   */

static fv_status keep_conflict(fv_store *s, const fv_peer *sender, const char *tbl,
			       const char *id, int version, const char *why, const char *line,
			       const char *bundle, fv_errors *err)
{
	char now[40];
	store_sql_now(now);
	sqlite3_stmt *w = store_prepare(s,
		"INSERT OR IGNORE INTO sync_conflict(tbl, id, version, sender, bundle_id, reason,"
		" record, logged_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
	if (w) {
		sqlite3_bind_text(w, 1, tbl, -1, SQLITE_STATIC);
		sqlite3_bind_text(w, 2, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(w, 3, version);
		sqlite3_bind_text(w, 4, sender->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 5, bundle, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 6, why, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 7, line, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 8, now, -1, SQLITE_TRANSIENT);
	}
	return store_sql_done(s, w, "keeping a conflict", err);
}

/* Prefix the lines added to err since before with "WHAT ID version N: ". */
static void name_lines(fv_errors *err, size_t before, const char *what, const char *id,
		       int version)
{
	for (size_t i = before; i < err->n; i++) {
		char *line = fv_xasprintf("%s %s version %d: %s", what, id, version,
					  err->lines[i]);
		free(err->lines[i]);
		err->lines[i] = line;
	}
}

fv_status fv_store_apply_person(fv_store *s, const fv_peer *sender, const fv_person *p,
				const char *line, const char *bundle, fv_apply *out,
				fv_errors *err)
{
	const char *why;
	char *other = NULL;
	size_t before = err->n;
	fv_status st = store_person_import(s, p, out, &why, &other, err);
	name_lines(err, before, "person", p->id, p->version);
	if (st == FV_OK && *out == FV_APPLY_CONFLICT) {
		char *reason = other ? fv_xasprintf("%s (%s)", why, other) : fv_xstrdup(why);
		st = keep_conflict(s, sender, "person", p->id, p->version, reason, line, bundle,
				   err);
		free(reason);
	}
	free(other);
	/* a supervisor acknowledges what it got (a conflict too: it is kept) */
	if (st == FV_OK && s->role == FV_ROLE_SUPERVISOR && *out != FV_APPLY_OLDER)
		st = fv_store_outbox_receipt(s, sender->id, "person", p->id, p->version, err);
	return st;
}

fv_status fv_store_apply_visit(fv_store *s, const fv_peer *sender, const fv_visit *v,
			       const char *line, const char *bundle, fv_apply *out,
			       fv_errors *err)
{
	const char *why;
	size_t before = err->n;
	fv_status st;
	if (s->role != FV_ROLE_SUPERVISOR) {
		fv_errors_add(err, NULL, 0, "visit %s: visits go to a supervisor, not to a worker",
			      v->id);
		return FV_EINVAL;
	}
	/* the same record again (a bundle re-sending it): nothing to check,
	 * its person is here (the visit's foreign key), so not kept aside */
	int here;
	if ((st = store_visit_here(s, v, &here, err)) != FV_OK) {
		name_lines(err, before, "visit", v->id, v->version);
		return st;
	}
	if (here == 1) {
		*out = FV_APPLY_SAME;
		return fv_store_outbox_receipt(s, sender->id, "visit", v->id, v->version, err);
	}
	/* a visit about a person kept aside is kept aside with it */
	sqlite3_stmt *q = store_prepare_cached(s,
		"SELECT 1 FROM sync_conflict c WHERE c.tbl = 'person' AND c.id = ?1"
		" AND NOT EXISTS (SELECT 1 FROM person p WHERE p.id = ?1)", err);
	if (!q)
		return FV_EIO;
	sqlite3_bind_text(q, 1, v->person, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, rc, "reading conflicts", err);
	if (rc == SQLITE_ROW) {
		*out = FV_APPLY_CONFLICT;
		why = "its person is kept aside as a conflict";
		st = FV_OK;
	} else {
		st = store_visit_import(s, v, FV_VISIT_RECEIVED, here, out, &why, err);
	}
	name_lines(err, before, "visit", v->id, v->version);
	if (st == FV_OK && *out == FV_APPLY_CONFLICT)
		st = keep_conflict(s, sender, "visit", v->id, v->version, why, line, bundle, err);
	if (st == FV_OK)
		st = fv_store_outbox_receipt(s, sender->id, "visit", v->id, v->version, err);
	return st;
}

fv_status fv_store_apply_review(fv_store *s, const fv_peer *sender, const fv_review *rv,
				const char *line, const char *bundle, fv_apply *out,
				fv_errors *err)
{
	const char *why;
	size_t before = err->n;
	fv_status st;
	if (s->role != FV_ROLE_WORKER) {
		fv_errors_add(err, NULL, 0, "review %s: reviews go to a worker", rv->id);
		return FV_EINVAL;
	}
	st = store_review_import(s, rv, out, &why, err);
	name_lines(err, before, "review", rv->id, rv->version);
	if (st == FV_OK && *out == FV_APPLY_CONFLICT)
		st = keep_conflict(s, sender, "review", rv->id, rv->version, why, line, bundle, err);
	return st;
}

fv_status fv_store_apply_receipt(fv_store *s, const char *tbl, const char *id, int version,
				 fv_apply *out, fv_errors *err)
{
	char now[40];
	fv_status st;
	int rc;
	if (strcmp(tbl, "person") != 0 && strcmp(tbl, "visit") != 0) {
		fv_errors_add(err, NULL, 0, "receipt %s: a receipt is for a person or a visit, not"
			      " '%s'", id, tbl);
		return FV_EINVAL;
	}
	store_sql_now(now);
	sqlite3_stmt *w = store_prepare(s, "INSERT OR IGNORE INTO sync_receipt(tbl, id, version,"
					   " received_at) VALUES (?1, ?2, ?3, ?4)", err);
	if (w) {
		sqlite3_bind_text(w, 1, tbl, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 2, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(w, 3, version);
		sqlite3_bind_text(w, 4, now, -1, SQLITE_TRANSIENT);
	}
	if ((st = store_sql_done(s, w, "keeping a receipt", err)) != FV_OK)
		return st;
	*out = sqlite3_changes(s->db) ? FV_APPLY_ADDED : FV_APPLY_SAME;
	if (strcmp(tbl, "visit") != 0)
		return FV_OK;
	/* the visit moves on to received (through sent, when the store did
	 * not record the bundle that carried it) */
	sqlite3_stmt *q = store_prepare(s, "SELECT state FROM visit WHERE id = ?1 AND version = ?2"
					   " AND author = ?3", err);
	if (!q)
		return FV_EIO;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 2, version);
	sqlite3_bind_text(q, 3, s->device, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	char *state = rc == SQLITE_ROW ? store_sql_text(q, 0) : NULL;
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, rc, "reading visits", err);
	if (!state) {
		fv_errors_add(err, NULL, 0, "receipt for visit %s version %d: no such visit of this"
			      " store", id, version);
		return FV_EINVAL;
	}
	st = FV_OK;
	if (strcmp(state, "submitted") == 0)
		st = store_visit_set_state(s, id, version, FV_VISIT_SENT, err);
	if (st == FV_OK && (strcmp(state, "submitted") == 0 || strcmp(state, "sent") == 0))
		st = store_visit_set_state(s, id, version, FV_VISIT_RECEIVED, err);
	free(state);
	return st;
}

fv_status fv_store_rule_install(fv_store *s, const char *table, const char *version,
				const char *csv, fv_apply *out, fv_errors *err)
{
	char *have = NULL;
	char now[40];
	fv_errors quiet;
	fv_status st;
	fv_errors_init(&quiet);
	st = fv_store_rule_text(s, table, version, &have, &quiet);
	fv_errors_release(&quiet);
	if (st == FV_OK) {
		int same = strcmp(have, csv) == 0;
		free(have);
		*out = FV_APPLY_SAME;
		if (same)
			return FV_OK;
		fv_errors_add(err, NULL, 0, "rule table %s version %s is installed already with"
			      " other content; give the new one a new version", table, version);
		return FV_EINVAL;
	}
	if (st != FV_ENOTFOUND)
		return fv_store_rule_text(s, table, version, &have, err);
	store_sql_now(now);
	sqlite3_stmt *w = store_prepare(s, "INSERT INTO rule(rule_id, version, csv, installed_at)"
					   " VALUES (?1, ?2, ?3, ?4)", err);
	if (w) {
		sqlite3_bind_text(w, 1, table, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 2, version, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 3, csv, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 4, now, -1, SQLITE_TRANSIENT);
	}
	if ((st = store_sql_begin(s, err)) != FV_OK) {
		sqlite3_finalize(w);
		return st;
	}
	st = store_sql_done(s, w, "installing a rule table", err);
	if (st == FV_OK)
		st = store_audit(s, "rule.install", table, version, err);
	*out = FV_APPLY_ADDED;
	return store_sql_end(s, st, err);
}

fv_status fv_store_rule_text(fv_store *s, const char *table, const char *version, char **csv,
			     fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT csv FROM rule WHERE rule_id = ?1 AND"
					    " version = ?2", err);
	int rc;
	*csv = NULL;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*csv = store_sql_text(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return FV_OK;
	if (rc != SQLITE_DONE)
		return store_error(s, rc, "reading the rule tables", err);
	fv_errors_add(err, NULL, 0, "rule table %s version %s is not installed", table, version);
	return FV_ENOTFOUND;
}

fv_status fv_store_rule_latest(fv_store *s, char ***tables, char ***versions, size_t *n,
			       fv_errors *err)
{
	return store_latest_versions(s, "SELECT rule_id, version FROM rule ORDER BY rule_id",
				     tables, versions, n, err);
}

fv_status fv_store_rules(fv_store *s, fv_rules **out, fv_errors *err)
{
	char **tables, **versions;
	size_t n;
	fv_rules *r = NULL;
	fv_status st = fv_store_rule_latest(s, &tables, &versions, &n, err);
	*out = NULL;
	if (st == FV_OK && n) {
		r = fv_rules_new();
		for (size_t i = 0; st == FV_OK && i < n; i++) {
			fv_rules_table t;
			char *csv;
			if (!fv_rules_table_parse(tables[i], &t))
				continue;   /* a table of a later fieldvisit */
			if ((st = fv_store_rule_text(s, tables[i], versions[i], &csv, err)) != FV_OK)
				break;
			char *name = fv_xasprintf("%s.csv (in the store)", tables[i]);
			st = fv_rules_parse_table(r, t, name, csv, strlen(csv), err);
			free(name);
			free(csv);
		}
		if (st == FV_OK)
			st = fv_rules_check_complete(r, err);
	}
	for (size_t i = 0; i < n; i++) {
		free(tables[i]);
		free(versions[i]);
	}
	free(tables);
	free(versions);
	if (st != FV_OK) {
		fv_rules_free(r);
		return st;
	}
	*out = r;
	return FV_OK;
}

void fv_conflict_list_free(fv_conflict *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].tbl);
		free(items[i].id);
		free(items[i].sender);
		free(items[i].bundle_id);
		free(items[i].reason);
		free(items[i].record);
		free(items[i].logged_at);
	}
	free(items);
}

fv_status fv_store_sync_conflicts(fv_store *s, fv_conflict **out, size_t *n, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT seq, tbl, id, version, sender, bundle_id,"
					    " reason, record, logged_at FROM sync_conflict"
					    " ORDER BY seq", err);
	fv_conflict *items = NULL;
	size_t cap = 0, count = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (!st)
		return FV_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		items = fv_xgrow(items, &cap, count + 1, sizeof *items);
		fv_conflict *c = &items[count++];
		c->seq = sqlite3_column_int64(st, 0);
		c->tbl = store_sql_text(st, 1);
		c->id = store_sql_text(st, 2);
		c->version = sqlite3_column_int(st, 3);
		c->sender = store_sql_text(st, 4);
		c->bundle_id = store_sql_text(st, 5);
		c->reason = store_sql_text(st, 6);
		c->record = store_sql_text(st, 7);
		c->logged_at = store_sql_text(st, 8);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fv_conflict_list_free(items, count);
		return store_error(s, rc, "reading conflicts", err);
	}
	*out = items;
	*n = count;
	return FV_OK;
}

fv_status fv_store_prune(fv_store *s, int days, size_t *n, fv_errors *err)
{
	char now[40], cutoff[16];
	fv_status st;
	*n = 0;
	if (days < 0)
		return FV_OK;
	store_sql_now(now);
	fv_date_format(store_sql_today() - days, cutoff);
	sqlite3_stmt *w = store_prepare(s,
		"UPDATE visit SET answers = '{}', pruned_at = ?2 WHERE author = ?1"
		" AND state IN ('received', 'approved') AND pruned_at IS NULL AND EXISTS (SELECT 1"
		" FROM sync_receipt r WHERE r.tbl = 'visit' AND r.id = visit.id"
		" AND r.version = visit.version AND substr(r.received_at, 1, 10) < ?3)", err);
	if (w) {
		sqlite3_bind_text(w, 1, s->device, -1, SQLITE_STATIC);
		sqlite3_bind_text(w, 2, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 3, cutoff, -1, SQLITE_TRANSIENT);
	}
	if ((st = store_sql_done(s, w, "dropping old visit answers", err)) != FV_OK)
		return st;
	*n = (size_t)sqlite3_changes(s->db);
	if (*n) {
		char *detail = fv_xasprintf("%zu visits received before %s", *n, cutoff);
		st = store_audit(s, "visit.prune", NULL, detail, err);
		free(detail);
	}
	return st;
}

fv_status fv_store_bundle_hash_at(fv_store *s, const char *sender, int64_t seq, char **hash,
				  fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT hash FROM bundle_log WHERE direction = 'read'"
					    " AND sender = ?1 AND sender_seq = ?2 ORDER BY seq"
					    " LIMIT 1", err);
	int rc;
	*hash = NULL;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, sender, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*hash = store_sql_text(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? FV_OK
						     : store_error(s, rc, "reading the bundle log", err);
}
