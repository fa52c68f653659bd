/*
 * fieldvisit sync: writing, importing and inspecting bundles.
 *
 * Export: the records are read and written to NAME.part inside one store
 * transaction; the file is synced, read back, checked and renamed, and
 * only then does the transaction record it (sequence number, hash chain,
 * visits sent) and commit.  A failure before the rename leaves no file and
 * rolls back; a failed commit removes the renamed file again.
 *
 * Import: header, recipient, sender, signature and replay are checked
 * before anything is decrypted; then the records are decrypted, inflated
 * and applied one by one inside one transaction, which commits only when
 * every record was valid.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync_internal.h"

static void hexid(const uint8_t *b, size_t n, char *out)
{
	sync_hex(b, n, out);
}

char *sync_bundle_name(const fv_bundle_header *h)
{
	char from[17], to[17];
	hexid(h->sender, 8, from);
	hexid(h->recipient, 8, to);
	return fv_xasprintf("%s-%s-%s-%06llu.fvb", fv_bundle_kind_name(h->kind), from, to,
			    (unsigned long long)h->seq);
}

void fv_sync_files_free(fv_sync_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(files[i].path);
		free(files[i].peer);
	}
	free(files);
}

void fv_sync_report_release(fv_sync_report *r)
{
	free(r->sender);
	fv_errors_release(&r->notes);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ */
/* Writing one bundle                                                  */

typedef struct outctx {
	fv_bundle_writer *w;
	fv_buf line;             /* one person or visit line at a time */
	size_t records;
	fv_sync_progress progress;
	void *pctx;
	size_t total;
} outctx;

static void add_line(outctx *o, char *line)
{
	fv_bundle_writer_add(o->w, line, strlen(line));
	free(line);
	o->records++;
	if (o->progress)
		o->progress(o->pctx, "writing", o->records, o->total);
}

static char *ack_line(const fv_peer *peer)
{
	char id[17];
	json_t *f = json_object();
	hexid(peer->key_id, 8, id);
	json_object_set_new(f, "seq", json_integer(peer->seq_in));
	return sync_line("ack", id, 1, f);
}

/* Start a bundle of kind to peer into dir: the header filled, the file
 * open, the writer ready. */
static fv_status start_bundle(const fv_sync_self *me, const fv_peer *peer, int kind,
			      const char *dir, fv_bundle_header *h, sync_file **file,
			      fv_bundle_writer **w, fv_errors *err)
{
	char *name;
	fv_status st;
	memset(h, 0, sizeof *h);
	h->version = FV_BUNDLE_VERSION;
	h->kind = (uint8_t)kind;
	vault_random(h->id, sizeof h->id);
	memcpy(h->sender, me->key_id, sizeof h->sender);
	memcpy(h->sender_pk, me->sign_pk, sizeof h->sender_pk);
	memcpy(h->recipient, peer->key_id, sizeof h->recipient);
	h->seq = (uint64_t)peer->seq_out + 1;
	if (peer->seq_out)
		memcpy(h->prev_hash, peer->hash_out, sizeof h->prev_hash);
	h->created = (int64_t)time(NULL);
	name = sync_bundle_name(h);
	st = sync_file_open(dir, name, file, err);
	free(name);
	if (st != FV_OK)
		return st;
	st = fv_bundle_writer_new(h, peer->box_pk, sync_file_sink, *file, w, err);
	if (st != FV_OK) {
		sync_file_free(*file);
		*file = NULL;
	}
	return st;
}

/* Finish the bundle, commit the file, and record it in the store (inside
 * the caller's transaction). */
static fv_status finish_bundle(fv_store *s, const fv_sync_self *me, const fv_peer *peer,
			       fv_bundle_header *h, sync_file *file, fv_bundle_writer *w,
			       const fv_sync_options *o, fv_errors *err)
{
	uint8_t hash[VAULT_HASH512_BYTES];
	char id[33], from[17], to[17], prev[129], hh[129];
	fv_bundle_log e;
	fv_status st = fv_bundle_writer_finish(w, me->sign_seed, hash, err);
	if (st == FV_OK)
		st = sync_file_commit(file, o ? o->progress : NULL, o ? o->progress_ctx : NULL, err);
	else
		sync_file_abort(file);
	if (st != FV_OK)
		return st;
	hexid(h->id, 16, id);
	hexid(h->sender, 8, from);
	hexid(h->recipient, 8, to);
	hexid(h->prev_hash, 64, prev);
	hexid(hash, 64, hh);
	memset(&e, 0, sizeof e);
	e.bundle_id = id;
	e.direction = "written";
	e.kind = (char *)fv_bundle_kind_name(h->kind);
	e.sender = from;
	e.recipient = to;
	e.sender_seq = (int64_t)h->seq;
	e.prev_hash = prev;
	e.hash = hh;
	e.path = (char *)sync_file_path(file);
	e.result = "written";
	if ((st = fv_store_peer_out(s, peer->id, (int64_t)h->seq, hash, peer->seq_in, err)) ==
		    FV_OK &&
	    (st = fv_store_bundle_log_add(s, &e, err)) == FV_OK) {
		char *detail = fv_xasprintf("%s %llu to %s", e.kind, (unsigned long long)h->seq,
					    peer->name);
		st = fv_store_audit_note(s, "bundle.export", id, detail, err);
		free(detail);
	}
	return st;
}

/* Commit the transaction of a written bundle; on failure the file goes. */
static fv_status commit_or_unlink(fv_store *s, sync_file *file, fv_errors *err)
{
	fv_status st = fv_store_commit(s, err);
	if (st != FV_OK)
		sync_file_unlink(file);
	return st;
}

static void add_file(fv_sync_file **files, size_t *n, size_t *cap, const char *path,
		     const fv_peer *peer, int kind, uint64_t seq, size_t records)
{
	*files = fv_xgrow(*files, cap, *n + 1, sizeof **files);
	fv_sync_file *f = &(*files)[(*n)++];
	f->path = fv_xstrdup(path);
	f->peer = fv_xstrdup(peer->name);
	f->kind = kind;
	f->seq = seq;
	f->records = records;
}

/* ------------------------------------------------------------------ */
/* Up-bundles (a worker)                                               */

static int count_person(void *ctx, const fv_person *p)
{
	(void)p;
	return ++*(size_t *)ctx >= 1;   /* one is enough to know */
}

static int count_visit(void *ctx, const fv_visit *v)
{
	(void)v;
	return ++*(size_t *)ctx >= 1;
}

/* A person or visit line, built in one buffer for all of them. */
static void add_built(outctx *o)
{
	fv_bundle_writer_add(o->w, o->line.s, o->line.len);
	o->records++;
	if (o->progress)
		o->progress(o->pctx, "writing", o->records, o->total);
}

static int write_person(void *ctx, const fv_person *p)
{
	outctx *o = ctx;
	fv_buf_reset(&o->line);
	sync_person_line(&o->line, p);
	add_built(o);
	return 0;
}

static int write_visit(void *ctx, const fv_visit *v)
{
	outctx *o = ctx;
	fv_buf_reset(&o->line);
	sync_visit_line(&o->line, v);
	add_built(o);
	return 0;
}

/* The supervisor of a worker's store. */
static fv_status supervisor_of(fv_store *s, fv_peer *out, fv_errors *err)
{
	fv_peer *all;
	size_t n;
	int found = 0;
	fv_status st = fv_store_peer_list(s, &all, &n, err);
	if (st != FV_OK)
		return st;
	for (size_t i = 0; i < n; i++) {
		if (!found && all[i].role == FV_ROLE_SUPERVISOR && all[i].enrolled) {
			*out = all[i];
			memset(&all[i], 0, sizeof all[i]);
			found = 1;
		}
	}
	fv_peer_list_free(all, n);
	if (found)
		return FV_OK;
	fv_errors_add(err, NULL, 0, "this store has no supervisor: join a team first"
		      " ('fieldvisit init --join FILE')");
	return FV_EUSAGE;
}

static fv_status export_up(fv_store *s, const fv_sync_self *me, const char *dir,
			   const fv_sync_options *o, fv_sync_file **files, size_t *n,
			   size_t *cap, fv_errors *err)
{
	fv_peer sup;
	fv_bundle_header h;
	sync_file *file = NULL;
	fv_bundle_writer *w = NULL;
	size_t pending = 0, count = 0;
	fv_status st = supervisor_of(s, &sup, err);
	outctx wo = {0};

	if (st != FV_OK)
		return st;
	if ((st = fv_store_begin_bulk(s, err)) != FV_OK)
		goto done;
	st = fv_store_unreceipted(s, count_person, count_visit, &pending, &count, err);
	if (st != FV_OK || (!pending && sup.seq_in <= sup.ack_sent)) {
		fv_store_rollback(s);
		goto done;   /* nothing to send */
	}
	if ((st = start_bundle(me, &sup, FV_BUNDLE_UP, dir, &h, &file, &w, err)) != FV_OK) {
		fv_store_rollback(s);
		goto done;
	}
	wo.w = w;
	wo.progress = o ? o->progress : NULL;
	wo.pctx = o ? o->progress_ctx : NULL;
	fv_buf_init(&wo.line);
	add_line(&wo, ack_line(&sup));
	count = 0;
	st = fv_store_unreceipted(s, write_person, write_visit, &wo, &count, err);
	if (wo.line.s)
		vault_wipe(wo.line.s, wo.line.cap);
	fv_buf_release(&wo.line);
	if (st == FV_OK)
		st = fv_store_mark_sent(s, (int64_t)h.seq, err);
	if (st == FV_OK)
		st = finish_bundle(s, me, &sup, &h, file, w, o, err);
	else
		sync_file_abort(file);
	if (st == FV_OK)
		st = commit_or_unlink(s, file, err);
	else
		fv_store_rollback(s);
	if (st == FV_OK)
		add_file(files, n, cap, sync_file_path(file), &sup, FV_BUNDLE_UP, h.seq,
			 wo.records);
done:
	fv_bundle_writer_free(w);
	sync_file_free(file);
	fv_peer_release(&sup);
	return st;
}

/* ------------------------------------------------------------------ */
/* Down-bundles (a supervisor)                                         */

static fv_status down_item(fv_store *s, const fv_outbox_item *it, outctx *wo, fv_errors *err)
{
	fv_status st = FV_OK;
	json_t *f;
	char *csv;
	if (strcmp(it->tbl, "form") == 0 || strcmp(it->tbl, "rule") == 0) {
		int form = it->tbl[0] == 'f';
		st = form ? fv_store_form_text(s, it->id, it->ref, &csv, err)
			  : fv_store_rule_text(s, it->id, it->ref, &csv, err);
		if (st != FV_OK)
			return st;
		f = json_object();
		json_object_set_new(f, form ? "form_version" : "rule_version", json_string(it->ref));
		json_object_set_new(f, "csv", json_string(csv));
		free(csv);
		add_line(wo, sync_line(it->tbl, it->id, 1, f));
	} else if (strcmp(it->tbl, "person") == 0) {
		fv_person p;
		if ((st = fv_person_get(s, it->id, &p, err)) != FV_OK)
			return st;
		if (p.version == it->version)   /* a newer version has its own item */
			add_line(wo, fv_record_person_line(&p));
		fv_person_release(&p);
	} else if (strcmp(it->tbl, "receipt") == 0) {
		f = json_object();
		json_object_set_new(f, "table", json_string(it->ref));
		add_line(wo, sync_line("receipt", it->id, it->version, f));
	} else if (strcmp(it->tbl, "review") == 0) {
		fv_review rv;
		if ((st = fv_review_get(s, it->id, &rv, err)) != FV_OK)
			return st;
		add_line(wo, fv_record_review_line(&rv));
		fv_review_release(&rv);
	}
	return st;
}

/* A down-bundle that failed gives its number back (export_down_one): the
 * store is as it was.  Its own errors go to err after the failure's. */
static void give_back(fv_store *s, const fv_peer *peer, fv_errors *err)
{
	if (fv_store_begin(s, err) != FV_OK)
		return;
	if (fv_store_peer_out(s, peer->id, peer->seq_out, peer->seq_out ? peer->hash_out : NULL,
			      peer->ack_sent, err) != FV_OK ||
	    fv_store_commit(s, err) != FV_OK)
		fv_store_rollback(s);
}

static fv_status export_down_one(fv_store *s, const fv_sync_self *me, const fv_peer *peer,
				 const char *dir, const fv_sync_options *o, fv_sync_file **files,
				 size_t *n, size_t *cap, fv_errors *err)
{
	fv_outbox_item *items = NULL;
	size_t nitems = 0;
	fv_bundle_header h;
	sync_file *file = NULL;
	fv_bundle_writer *w = NULL;
	outctx wo = {0};
	int taken = 0;
	fv_status st = fv_store_begin(s, err);

	if (st != FV_OK)
		return st;
	st = fv_store_outbox(s, peer, &items, &nitems, err);
	if (st != FV_OK || (!nitems && peer->seq_in <= peer->ack_sent)) {
		fv_store_rollback(s);
		goto done;
	}
	/* The bundle's number is the store's before the file exists: a crash
	 * after the rename and before the commit below leaves a bundle the
	 * store did not record, and the next one must not share its number.
	 * If it did, the worker's acknowledgement of the first would count for
	 * the second, and what only the second carried (a review made in
	 * between) would never be sent again.  A failure given back below. */
	if ((st = fv_store_peer_out(s, peer->id, peer->seq_out + 1, peer->hash_out,
				    peer->ack_sent, err)) != FV_OK ||
	    (st = fv_store_commit(s, err)) != FV_OK) {
		fv_store_rollback(s);
		goto done;
	}
	taken = 1;
	if ((st = fv_store_begin(s, err)) != FV_OK)
		goto done;
	if ((st = start_bundle(me, peer, FV_BUNDLE_DOWN, dir, &h, &file, &w, err)) != FV_OK) {
		fv_store_rollback(s);
		goto done;
	}
	wo.w = w;
	wo.progress = o ? o->progress : NULL;
	wo.pctx = o ? o->progress_ctx : NULL;
	wo.total = nitems + 1;
	add_line(&wo, ack_line(peer));
	for (size_t i = 0; st == FV_OK && i < nitems; i++)
		st = down_item(s, &items[i], &wo, err);
	if (st == FV_OK)
		st = fv_store_outbox_sent(s, peer->id, (int64_t)h.seq, err);
	if (st == FV_OK)
		st = finish_bundle(s, me, peer, &h, file, w, o, err);
	else
		sync_file_abort(file);
	if (st == FV_OK)
		st = commit_or_unlink(s, file, err);
	else
		fv_store_rollback(s);
	if (st == FV_OK)
		add_file(files, n, cap, sync_file_path(file), peer, FV_BUNDLE_DOWN, h.seq,
			 wo.records);
done:
	if (st != FV_OK && taken)
		give_back(s, peer, err);
	fv_outbox_list_free(items, nitems);
	fv_bundle_writer_free(w);
	sync_file_free(file);
	return st;
}

static fv_status export_down(fv_store *s, const fv_sync_self *me, const char *dir,
			     const fv_sync_options *o, fv_sync_file **files, size_t *n,
			     size_t *cap, fv_errors *err)
{
	fv_peer *peers;
	size_t np, matched = 0;
	fv_status st = fv_store_peer_list(s, &peers, &np, err);
	if (st != FV_OK)
		return st;
	for (size_t i = 0; st == FV_OK && i < np; i++) {
		if (peers[i].role != FV_ROLE_WORKER)
			continue;
		if (o && o->only && strcmp(o->only, peers[i].name) != 0)
			continue;
		matched++;
		if (!peers[i].enrolled)
			continue;   /* no keys before its hello */
		st = export_down_one(s, me, &peers[i], dir, o, files, n, cap, err);
	}
	if (st == FV_OK && o && o->only && !matched) {
		fv_errors_add(err, NULL, 0, "no worker named %s in this team", o->only);
		st = FV_EINVAL;
	}
	fv_peer_list_free(peers, np);
	return st;
}

fv_status fv_sync_export(fv_store *s, const char *dir, const fv_sync_options *o,
			 fv_sync_file **files, size_t *n, fv_errors *err)
{
	fv_sync_self me;
	fv_team team;
	size_t cap = 0;
	fv_status st;

	*files = NULL;
	*n = 0;
	if ((st = fv_store_team_get(s, &team, err)) != FV_OK)
		return st == FV_ENOTFOUND ? FV_EUSAGE : st;
	if ((st = fv_store_sync_self(s, &me, err)) != FV_OK)
		return st;
	if (fv_store_role(s) == FV_ROLE_WORKER)
		st = export_up(s, &me, dir, o, files, n, &cap, err);
	else
		st = export_down(s, &me, dir, o, files, n, &cap, err);
	fv_sync_self_release(&me);
	return st;
}

/* ------------------------------------------------------------------ */
/* Import                                                              */

typedef struct inctx {
	fv_store *s;
	const char *name;
	fv_bundle_header *h;
	fv_peer *peer;           /* the sender (filled by the hello for a hello) */
	const fv_sync_self *me;
	char bundle_id[33];
	fv_sync_report *rep;
	size_t lineno;
	uint64_t size;
	const fv_sync_options *o;
} inctx;

/* Which tables each kind of bundle may carry. */
static int allowed(int kind, fv_record_table t)
{
	switch (kind) {
	case FV_BUNDLE_HELLO:
		return t == FV_REC_HELLO;
	case FV_BUNDLE_UP:
		return t == FV_REC_PERSON || t == FV_REC_VISIT || t == FV_REC_ACK;
	case FV_BUNDLE_DOWN:
		return t == FV_REC_PERSON || t == FV_REC_RECEIPT || t == FV_REC_REVIEW ||
		       t == FV_REC_FORM || t == FV_REC_RULE || t == FV_REC_ACK;
	}
	return 0;
}

static fv_status apply_hello(inctx *c, const fv_record *r, fv_errors *err)
{
	uint8_t msg[VAULT_SIGN_PK_BYTES + VAULT_BOX_PK_BYTES], mac[32], id[VAULT_KEY_ID_BYTES];
	fv_peer p;
	fv_errors quiet;
	fv_status st;

	if (c->lineno != 1) {
		fv_errors_add(err, NULL, 0, "a hello bundle holds one hello record");
		return FV_EINVAL;
	}
	fv_errors_init(&quiet);
	st = fv_store_peer_get(c->s, r->id, &p, &quiet);
	fv_errors_release(&quiet);
	if (st == FV_ENOTFOUND) {
		fv_errors_add(err, NULL, 0, "unknown sender: this store sent no invitation %s",
			      r->id);
		return FV_EINVAL;
	}
	if (st != FV_OK)
		return fv_store_peer_get(c->s, r->id, &p, err);
	vault_key_id(r->sign_pk, id);
	if (memcmp(r->sign_pk, c->h->sender_pk, sizeof r->sign_pk) != 0 ||
	    memcmp(id, c->h->sender, sizeof id) != 0) {
		fv_errors_add(err, NULL, 0, "the hello's key is not the key that signed it");
		st = FV_EINVAL;
	} else if (p.enrolled) {
		fv_errors_add(err, NULL, 0, "%s is enrolled already", p.name);
		st = FV_EINVAL;
	} else {
		vault_key *k = vault_key_from(p.invite_key);
		memcpy(msg, r->sign_pk, VAULT_SIGN_PK_BYTES);
		memcpy(msg + VAULT_SIGN_PK_BYTES, r->box_pk, VAULT_BOX_PK_BYTES);
		vault_mac(k, msg, sizeof msg, mac);
		vault_key_free(k);
		if (!vault_equal(mac, r->proof, sizeof mac)) {
			fv_errors_add(err, NULL, 0, "the hello does not answer the invitation of %s",
				      p.name);
			st = FV_EINVAL;
		} else {
			st = fv_store_peer_enrol(c->s, p.id, r->sign_pk, r->box_pk, r->device, err);
		}
	}
	if (st == FV_OK) {
		fv_peer_release(c->peer);
		st = fv_store_peer_get(c->s, r->id, c->peer, err);
	}
	fv_peer_release(&p);
	return st;
}

static fv_status apply_rule(inctx *c, const fv_record *r, fv_apply *res, fv_errors *err)
{
	fv_rules_table t;
	fv_rules *set;
	fv_status st;
	char *name;
	if (!fv_rules_table_parse(r->id, &t)) {
		fv_errors_add(err, NULL, 0, "no rule table '%s'", r->id);
		return FV_EINVAL;
	}
	set = fv_rules_new();
	name = fv_xasprintf("%s.csv", r->id);
	st = fv_rules_parse_table(set, t, name, r->text2, strlen(r->text2), err);
	free(name);
	if (st == FV_OK && strcmp(fv_rules_version(set, t), r->text) != 0) {
		fv_errors_add(err, NULL, 0, "rule table %s says version %s, not %s", r->id,
			      fv_rules_version(set, t), r->text);
		st = FV_EINVAL;
	}
	fv_rules_free(set);
	if (st == FV_OK)
		st = fv_store_rule_install(c->s, r->id, r->text, r->text2, res, err);
	return st == FV_OK || st == FV_EIO || st == FV_EBUSY ? st : FV_EINVAL;
}

static fv_status apply(inctx *c, const fv_record *r, const char *line, fv_errors *err)
{
	fv_apply res = FV_APPLY_SAME;
	fv_status st = FV_OK;
	char self[17];

	if (!allowed(c->h->kind, r->table)) {
		fv_errors_add(err, NULL, 0, "a %s record does not belong in %s %s bundle",
			      fv_record_table_name(r->table),
			      c->h->kind == FV_BUNDLE_UP ? "an" : "a", fv_bundle_kind_name(c->h->kind));
		return FV_EINVAL;
	}
	switch (r->table) {
	case FV_REC_HELLO:
		st = apply_hello(c, r, err);
		res = FV_APPLY_ADDED;
		break;
	case FV_REC_PERSON:
		st = fv_store_apply_person(c->s, c->peer, &r->person, line, c->bundle_id, &res, err);
		break;
	case FV_REC_VISIT:
		st = fv_store_apply_visit(c->s, c->peer, &r->visit, line, c->bundle_id, &res, err);
		break;
	case FV_REC_REVIEW:
		st = fv_store_apply_review(c->s, c->peer, &r->review, line, c->bundle_id, &res, err);
		if (st == FV_OK && res == FV_APPLY_ADDED)
			c->rep->reviews++;
		break;
	case FV_REC_RECEIPT:
		st = fv_store_apply_receipt(c->s, r->text, r->id, r->version, &res, err);
		if (st == FV_OK && res == FV_APPLY_ADDED)
			c->rep->receipts++;
		break;
	case FV_REC_FORM: {
		char *name = fv_xasprintf("%s@%s", r->id, r->text);
		st = fv_store_form_install_text(c->s, name, r->text2, strlen(r->text2), &res, err);
		free(name);
		break;
	}
	case FV_REC_RULE:
		st = apply_rule(c, r, &res, err);
		break;
	case FV_REC_ACK:
		hexid(c->me->key_id, 8, self);
		if (strcmp(r->id, self) != 0) {
			fv_errors_add(err, NULL, 0, "an acknowledgement for another store (%s)", r->id);
			return FV_EINVAL;
		}
		/* bookkeeping, not a record of data: not counted */
		c->rep->records--;
		return fv_store_peer_acked(c->s, c->peer->id, r->seq, err);
	}
	if (st != FV_OK)
		return st;
	switch (res) {
	case FV_APPLY_ADDED: c->rep->added++; break;
	case FV_APPLY_SAME: c->rep->same++; break;
	case FV_APPLY_OLDER: c->rep->older++; break;
	case FV_APPLY_CONFLICT:
		c->rep->conflicts++;
		fv_errors_add(&c->rep->notes, c->name, 0, "conflict: %s %s version %d from %s"
			      " differs from the one here; kept aside, nothing overwritten (see"
			      " 'fieldvisit bundle conflicts')", fv_record_table_name(r->table),
			      r->id, r->version, c->peer->name);
		break;
	}
	return FV_OK;
}

static int on_record(void *ctx, const char *line, size_t len, fv_errors *err)
{
	inctx *c = ctx;
	fv_record r;
	size_t before = err->n;
	char *text;
	fv_status st;

	c->lineno++;
	c->rep->records++;
	st = fv_record_parse(line, len, c->lineno, &r, err);
	if (st == FV_OK) {
		text = fv_xstrndup(line, len);
		/* visits are written 32 at a time: anything else comes after them */
		if (r.table != FV_REC_VISIT)
			st = fv_store_flush(c->s, err);
		if (st == FV_OK)
			st = apply(c, &r, text, err);
		free(text);
		/* say which record and why, on one line each */
		for (size_t i = before; i < err->n; i++) {
			char *one = fv_xasprintf("invalid record %zu (%s %s): %s", c->lineno,
						 fv_record_table_name(r.table), r.id, err->lines[i]);
			free(err->lines[i]);
			err->lines[i] = one;
		}
		fv_record_release(&r);
	} else {
		for (size_t i = before; i < err->n; i++) {
			char *one = fv_xasprintf("invalid %s", err->lines[i]);
			free(err->lines[i]);
			err->lines[i] = one;
		}
	}
	if (c->o && c->o->progress)
		c->o->progress(c->o->progress_ctx, "importing", c->lineno, 0);
	if (st != FV_OK && err->n == before)
		fv_errors_add(err, NULL, 0, "invalid record %zu", c->lineno);
	return st == FV_OK ? 0 : -1;
}

/* Prefix the lines added since before with the file's name.  Store
 * errors (which name the store) are left as they are. */
static void name_file(fv_errors *err, size_t before, const char *name)
{
	for (size_t i = before; i < err->n; i++) {
		if (strncmp(err->lines[i], name, strlen(name)) == 0)
			continue;
		if (strncmp(err->lines[i], "invalid ", 8) != 0 &&
		    strncmp(err->lines[i], "record ", 7) != 0)
			continue;
		char *one = fv_xasprintf("%s: %s", name, err->lines[i]);
		free(err->lines[i]);
		err->lines[i] = one;
	}
}

/* Gaps and forks of the sender's chain, as notes. */
static fv_status check_chain(fv_store *s, const char *name, const fv_bundle_header *h,
			     const fv_peer *peer, fv_sync_report *rep, fv_errors *err)
{
	char sender[17], prev[129], *have = NULL;
	fv_status st;
	hexid(h->sender, 8, sender);
	if (h->seq > (uint64_t)peer->seq_in + 1)
		fv_errors_add(&rep->notes, name, 0, "gap: bundles %lld to %llu from %s have not been"
			      " imported here", (long long)peer->seq_in + 1,
			      (unsigned long long)h->seq - 1, peer->name);
	else if (h->seq <= (uint64_t)peer->seq_in)
		fv_errors_add(&rep->notes, name, 0, "out of order: bundle %llu from %s comes after"
			      " bundle %lld", (unsigned long long)h->seq, peer->name,
			      (long long)peer->seq_in);
	if ((st = fv_store_bundle_hash_at(s, sender, (int64_t)h->seq, &have, err)) != FV_OK)
		return st;
	if (have) {
		fv_errors_add(&rep->notes, name, 0, "fork: %s wrote two different bundles numbered"
			      " %llu", peer->name, (unsigned long long)h->seq);
		free(have);
		return FV_OK;
	}
	if (h->seq > 1) {
		if ((st = fv_store_bundle_hash_at(s, sender, (int64_t)h->seq - 1, &have, err)) !=
		    FV_OK)
			return st;
		hexid(h->prev_hash, 64, prev);
		if (have && strcmp(have, prev) != 0)
			fv_errors_add(&rep->notes, name, 0, "fork: bundle %llu from %s does not"
				      " follow the bundle %llu imported here",
				      (unsigned long long)h->seq, peer->name,
				      (unsigned long long)h->seq - 1);
		free(have);
	}
	return FV_OK;
}

/* Header, recipient, sender, signature and replay: everything that is
 * checked before a byte is decrypted.  *peer is the sender (enrolled), or
 * zeroed for a hello. */
static fv_status check_outside(fv_store *s, const char *name, const uint8_t *data, size_t len,
			       const fv_sync_self *me, fv_bundle_info *info, fv_peer *peer,
			       fv_errors *err)
{
	char fp[VAULT_FINGERPRINT_BYTES], hh[129], *when = NULL;
	fv_role role = fv_store_role(s);
	fv_status st = fv_bundle_check(name, data, len, info, err);

	memset(peer, 0, sizeof *peer);
	if (st != FV_OK)
		return st;
	if (memcmp(info->h.recipient, me->key_id, VAULT_KEY_ID_BYTES) != 0) {
		vault_fingerprint(info->h.recipient, fp);
		fv_errors_add(err, name, 0, "not for this store (it is for %s)", fp);
		return FV_EINVAL;
	}
	if ((role == FV_ROLE_WORKER) != (info->h.kind == FV_BUNDLE_DOWN)) {
		fv_errors_add(err, name, 0, "%s %s bundle is not for a %s's store",
			      info->h.kind == FV_BUNDLE_UP ? "an" : "a",
			      fv_bundle_kind_name(info->h.kind), fv_role_name(role));
		return FV_EINVAL;
	}
	if (info->h.kind != FV_BUNDLE_HELLO) {
		fv_errors quiet;
		fv_errors_init(&quiet);
		st = fv_store_peer_by_key(s, info->h.sender, peer, &quiet);
		fv_errors_release(&quiet);
		if (st == FV_ENOTFOUND ||
		    (st == FV_OK && memcmp(peer->sign_pk, info->h.sender_pk, VAULT_SIGN_PK_BYTES))) {
			vault_fingerprint(info->h.sender, fp);
			fv_errors_add(err, name, 0, "unknown sender %s (not in this team)", fp);
			fv_peer_release(peer);
			return FV_EINVAL;
		}
		if (st != FV_OK)
			return fv_store_peer_by_key(s, info->h.sender, peer, err);
	}
	if (!info->sig_ok) {
		fv_errors_add(err, name, 0, "bad signature: the file was changed, damaged or cut"
			      " short");
		fv_peer_release(peer);
		return FV_EINVAL;
	}
	hexid(info->hash, 64, hh);
	if ((st = fv_store_bundle_imported(s, hh, &when, err)) != FV_OK) {
		fv_peer_release(peer);
		return st;
	}
	if (when) {
		fv_errors_add(err, name, 0, "replayed: this bundle was imported on %.16s; nothing"
			      " changed", when);
		free(when);
		fv_peer_release(peer);
		return FV_EINVAL;
	}
	return FV_OK;
}

static fv_status log_read(fv_store *s, const char *path, const fv_bundle_info *info,
			  const char *id, fv_errors *err)
{
	char from[17], to[17], prev[129], hh[129];
	fv_bundle_log e;
	hexid(info->h.sender, 8, from);
	hexid(info->h.recipient, 8, to);
	hexid(info->h.prev_hash, 64, prev);
	hexid(info->hash, 64, hh);
	memset(&e, 0, sizeof e);
	e.bundle_id = (char *)id;
	e.direction = "read";
	e.kind = (char *)fv_bundle_kind_name(info->h.kind);
	e.sender = from;
	e.recipient = to;
	e.sender_seq = (int64_t)info->h.seq;
	e.prev_hash = prev;
	e.hash = hh;
	e.path = (char *)path;
	e.result = "imported";
	return fv_store_bundle_log_add(s, &e, err);
}

fv_status fv_sync_import(fv_store *s, const char *path, const fv_sync_options *o,
			 fv_sync_report *rep, fv_errors *err)
{
	fv_sync_self me;
	fv_bundle_info info;
	fv_peer peer;
	uint8_t *data = NULL;
	size_t len, before = err->n;
	fv_status st;
	inctx c;

	memset(rep, 0, sizeof *rep);
	fv_errors_init(&rep->notes);
	memset(&peer, 0, sizeof peer);
	if ((st = sync_read_file(path, FV_BUNDLE_MAX_BYTES, FV_BUNDLE_MAGIC, &data, &len, err)) != FV_OK)
		return st;
	if ((st = fv_store_sync_self(s, &me, err)) != FV_OK) {
		free(data);
		return st;
	}
	st = check_outside(s, path, data, len, &me, &info, &peer, err);
	if (st != FV_OK)
		goto out;
	rep->kind = info.h.kind;
	rep->seq = info.h.seq;
	if ((st = fv_store_begin_bulk(s, err)) != FV_OK)
		goto out;
	memset(&c, 0, sizeof c);
	c.s = s;
	c.name = path;
	c.h = &info.h;
	c.peer = &peer;
	c.me = &me;
	c.rep = rep;
	c.size = len;
	c.o = o;
	hexid(info.h.id, 16, c.bundle_id);
	if (info.h.kind != FV_BUNDLE_HELLO)
		st = check_chain(s, path, &info.h, &peer, rep, err);
	if (st == FV_OK)
		st = fv_bundle_records(path, data, len, me.box_sk, me.box_pk,
				       o && o->inflate_cap ? o->inflate_cap : 0, on_record, &c,
				       o ? o->progress : NULL, o ? o->progress_ctx : NULL, err);
	if (st == FV_OK && info.h.kind == FV_BUNDLE_HELLO && !peer.enrolled) {
		fv_errors_add(err, path, 0, "a hello bundle without its hello record");
		st = FV_EINVAL;
	}
	if (st == FV_OK)
		st = fv_store_flush(s, err);
	if (st == FV_OK)
		st = fv_store_peer_in(s, peer.id, (int64_t)info.h.seq, info.hash, err);
	if (st == FV_OK)
		st = log_read(s, path, &info, c.bundle_id, err);
	if (st == FV_OK && fv_store_role(s) == FV_ROLE_WORKER && o && o->retention_days >= 0)
		st = fv_store_prune(s, o->retention_days, &rep->pruned, err);
	if (st == FV_OK) {
		char *detail = fv_xasprintf("%s %llu from %s: %zu records", fv_bundle_kind_name(
						    info.h.kind), (unsigned long long)info.h.seq,
					    peer.name, rep->records);
		st = fv_store_audit_note(s, "bundle.import", c.bundle_id, detail, err);
		free(detail);
	}
	if (st == FV_OK)
		st = fv_store_commit(s, err);
	else
		fv_store_rollback(s);
	if (st == FV_OK) {
		rep->sender = fv_xstrdup(peer.name);
		vault_fingerprint(info.h.sender, rep->fingerprint);
	}
out:
	name_file(err, before, path);
	if (st != FV_OK) {
		fv_errors_release(&rep->notes);
		fv_errors_init(&rep->notes);
	}
	fv_peer_release(&peer);
	fv_sync_self_release(&me);
	free(data);
	return st;
}

/* ------------------------------------------------------------------ */
/* Inspect                                                             */

typedef struct counter {
	fv_sync_inspection *in;
	size_t lineno;
	char **keys;      /* "form_id version" */
	size_t *counts;
	size_t n, cap, ccap;
} counter;

static int count_record(void *ctx, const char *line, size_t len, fv_errors *err)
{
	counter *c = ctx;
	fv_record r;
	if (fv_record_parse(line, len, ++c->lineno, &r, err) != FV_OK)
		return -1;
	c->in->counts[r.table]++;
	if (r.table == FV_REC_VISIT) {
		char *key = fv_xasprintf("%s %s", r.visit.form_id, r.visit.form_version);
		size_t i = 0;
		while (i < c->n && strcmp(c->keys[i], key) != 0)
			i++;
		if (i == c->n) {
			c->keys = fv_xgrow(c->keys, &c->cap, c->n + 1, sizeof *c->keys);
			c->counts = fv_xgrow(c->counts, &c->ccap, c->n + 1, sizeof *c->counts);
			c->keys[c->n] = key;
			c->counts[c->n++] = 0;
		} else {
			free(key);
		}
		c->counts[i]++;
	}
	fv_record_release(&r);
	return 0;
}

void fv_sync_inspection_release(fv_sync_inspection *in)
{
	free(in->sender_name);
	for (size_t i = 0; i < in->nforms; i++)
		free(in->forms[i]);
	free(in->forms);
	memset(in, 0, sizeof *in);
}

fv_status fv_sync_inspect(fv_store *s, const char *path, fv_sync_inspection *out,
			  fv_errors *err)
{
	uint8_t *data;
	size_t len, before = err->n;
	fv_status st;

	memset(out, 0, sizeof *out);
	if (vault_init() != FV_OK) {
		fv_errors_add(err, NULL, 0, "cannot start the cipher library");
		return FV_EIO;
	}
	if ((st = sync_read_file(path, FV_BUNDLE_MAX_BYTES, FV_BUNDLE_MAGIC, &data, &len, err)) != FV_OK)
		return st;
	if ((st = fv_bundle_check(path, data, len, &out->info, err)) != FV_OK) {
		free(data);
		return st;
	}
	vault_fingerprint(out->info.h.sender, out->sender_fp);
	vault_fingerprint(out->info.h.recipient, out->recipient_fp);
	if (s) {
		fv_sync_self me;
		fv_peer peer;
		fv_errors quiet;
		fv_errors_init(&quiet);
		if (fv_store_peer_by_key(s, out->info.h.sender, &peer, &quiet) == FV_OK) {
			out->sender_name = fv_xstrdup(peer.name);
			fv_peer_release(&peer);
		}
		fv_errors_release(&quiet);
		st = fv_store_sync_self(s, &me, err);
		if (st == FV_OK && memcmp(me.key_id, out->info.h.recipient, 8) != 0) {
			fv_errors_add(err, path, 0, "not for this store (it is for %s)",
				      out->recipient_fp);
			st = FV_EINVAL;
		} else if (st == FV_OK && !out->info.sig_ok) {
			fv_errors_add(err, path, 0, "bad signature: the file was changed, damaged or"
				      " cut short");
			st = FV_EINVAL;
		} else if (st == FV_OK) {
			counter c = {out, 0, NULL, NULL, 0, 0, 0};
			st = fv_bundle_records(path, data, len, me.box_sk, me.box_pk, 0,
					       count_record, &c, NULL, NULL, err);
			out->opened = st == FV_OK;
			out->forms = fv_xcalloc(c.n ? c.n : 1, sizeof *out->forms);
			for (size_t i = 0; i < c.n; i++) {
				out->forms[i] = fv_xasprintf("%s: %zu visits", c.keys[i], c.counts[i]);
				free(c.keys[i]);
			}
			out->nforms = c.n;
			free(c.keys);
			free(c.counts);
		}
		if (st == FV_OK || st == FV_EINVAL)
			name_file(err, before, path);
		fv_sync_self_release(&me);
	}
	free(data);
	return st;
}

/* ------------------------------------------------------------------ */
/* For enrolment (invite.c)                                            */

fv_status sync_apply_lines(fv_store *s, fv_peer *sender, const fv_sync_self *me,
			   const char *const *lines, size_t n, fv_errors *err)
{
	fv_bundle_header h;
	fv_sync_report rep;
	inctx c;
	fv_status st = FV_OK;
	memset(&h, 0, sizeof h);
	h.kind = FV_BUNDLE_DOWN;
	memset(&rep, 0, sizeof rep);
	fv_errors_init(&rep.notes);
	memset(&c, 0, sizeof c);
	c.s = s;
	c.name = "invitation";
	c.h = &h;
	c.peer = sender;
	c.me = me;
	c.rep = &rep;
	snprintf(c.bundle_id, sizeof c.bundle_id, "invitation");
	for (size_t i = 0; st == FV_OK && i < n; i++)
		if (on_record(&c, lines[i], strlen(lines[i]), err) != 0)
			st = FV_EINVAL;
	fv_sync_report_release(&rep);
	return st;
}

fv_status sync_write_hello(fv_store *s, const fv_sync_self *me, const fv_peer *sup,
			   const char *enrolment, const uint8_t proof[32], const char *dir,
			   char **path, fv_errors *err)
{
	fv_bundle_header h;
	sync_file *file = NULL;
	fv_bundle_writer *w = NULL;
	char spk[65], bpk[65], pr[65];
	json_t *f;
	outctx wo = {0};
	fv_status st = start_bundle(me, sup, FV_BUNDLE_HELLO, dir, &h, &file, &w, err);
	*path = NULL;
	if (st != FV_OK)
		return st;
	sync_hex(me->sign_pk, 32, spk);
	sync_hex(me->box_pk, 32, bpk);
	sync_hex(proof, 32, pr);
	f = json_object();
	json_object_set_new(f, "name", json_string(fv_store_name(s)));
	json_object_set_new(f, "device", json_string(fv_store_device(s)));
	json_object_set_new(f, "sign_pk", json_string(spk));
	json_object_set_new(f, "box_pk", json_string(bpk));
	json_object_set_new(f, "proof", json_string(pr));
	wo.w = w;
	add_line(&wo, sync_line("hello", enrolment, 1, f));
	st = finish_bundle(s, me, sup, &h, file, w, NULL, err);
	if (st == FV_OK)
		*path = fv_xstrdup(sync_file_path(file));
	fv_bundle_writer_free(w);
	sync_file_free(file);
	return st;
}
