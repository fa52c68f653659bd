/*
 * fieldvisit sync: teams and enrolment.
 *
 * An invitation file carries a worker's roster (people's names and
 * resident IDs), so it is never written in the clear: it is sealed with a
 * random code that the supervisor tells the worker in person.
 *
 *   invitation file   "FVINVT01" | version (2 bytes, little-endian, 1) |
 *                     XChaCha20-Poly1305 of the JSON document below under
 *                     the key BLAKE2b-256("fvinvaed" || code), the first 10
 *                     bytes as associated data ([nonce][ciphertext][tag])
 *   document          {"team", "recovery_pk", "supervisor": {"name",
 *                     "device", "sign_pk", "box_pk"}, "worker": {"name",
 *                     "enrolment"}, "records": [record lines: forms, rule
 *                     tables, people]}
 *
 * The code is 25 characters of a 32-letter alphabet without I, O, 0 and 1
 * (125 bits), shown in five groups.  The worker's hello proves it knows
 * the code: its proof is a keyed BLAKE2b-256 under BLAKE2b-256("fvinvprf"
 * || code) of its signing and box public keys, and the supervisor keeps
 * that key (not the code) until the hello comes.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync_internal.h"

#define INVITE_MAGIC "FVINVT01"
#define INVITE_VERSION 1
#define INVITE_HEAD 10
#define INVITE_MAX (UINT64_C(256) << 20)

static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

struct fv_invitation {
	json_t *doc;
	char *team, *worker, *enrolment, *supervisor, *device;
	uint8_t recovery_pk[VAULT_BOX_PK_BYTES];
	uint8_t sign_pk[VAULT_SIGN_PK_BYTES], box_pk[VAULT_BOX_PK_BYTES];
	vault_key *proof_key;
	char **lines;
	size_t nlines;
};

fv_status fv_sync_fingerprint(fv_store *s, char out[VAULT_FINGERPRINT_BYTES], fv_errors *err)
{
	fv_sync_self me;
	fv_status st = fv_store_sync_self(s, &me, err);
	if (st != FV_OK)
		return st;
	vault_fingerprint(me.key_id, out);
	fv_sync_self_release(&me);
	return FV_OK;
}

fv_status fv_sync_team_create(fv_store *s, const uint8_t recovery_pk[VAULT_BOX_PK_BYTES],
			      fv_errors *err)
{
	fv_team t;
	if (fv_store_role(s) != FV_ROLE_SUPERVISOR) {
		fv_errors_add(err, NULL, 0, "only a supervisor's store leads a team");
		return FV_EUSAGE;
	}
	vault_uuid(t.id);
	memcpy(t.recovery_pk, recovery_pk, sizeof t.recovery_pk);
	return fv_store_team_set(s, &t, err);
}

/* The code as typed (any case, with or without dashes and spaces) in its
 * canonical form, or NULL when it cannot be one. */
static char *normal_code(const char *code)
{
	char *out = fv_xmalloc(strlen(code) + 1);
	size_t n = 0;
	for (const char *p = code; *p; p++) {
		char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
		if (c == '-' || c == ' ')
			continue;
		if (!strchr(alphabet, c) || !c) {
			free(out);
			return NULL;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (n != 25) {
		free(out);
		return NULL;
	}
	return out;
}

static void new_code(char code[FV_INVITE_CODE_BYTES])
{
	uint8_t r[25];
	size_t o = 0;
	vault_random(r, sizeof r);
	for (size_t i = 0; i < 25; i++) {
		if (i && i % 5 == 0)
			code[o++] = '-';
		code[o++] = alphabet[r[i] & 31];
	}
	code[o] = '\0';
	vault_wipe(r, sizeof r);
}

static vault_key *code_key(const char *code, const char ctx[8])
{
	char *n = normal_code(code);
	vault_key *k = vault_key_from_code(n ? n : "", ctx);
	if (n) {
		vault_wipe(n, strlen(n));
		free(n);
	}
	return k;
}

static json_t *hexstr(const uint8_t *b, size_t n)
{
	char h[129];
	sync_hex(b, n, h);
	return json_string(h);
}

/* The records an invitation carries: forms, rule tables, the roster. */
static fv_status invitation_records(fv_store *s, const char *villages, const fv_rules *rules,
				    json_t *arr, fv_errors *err)
{
	char **ids, **versions;
	size_t n;
	fv_status st = fv_store_form_latest(s, &ids, &versions, &n, err);
	for (size_t i = 0; i < n; i++) {
		char *csv;
		if (st == FV_OK && (st = fv_store_form_text(s, ids[i], versions[i], &csv, err)) ==
				   FV_OK) {
			json_t *f = json_object();
			json_object_set_new(f, "form_version", json_string(versions[i]));
			json_object_set_new(f, "csv", json_string(csv));
			char *line = sync_line("form", ids[i], 1, f);
			json_array_append_new(arr, json_string(line));
			free(line);
			free(csv);
		}
		free(ids[i]);
		free(versions[i]);
	}
	free(ids);
	free(versions);
	if (st != FV_OK)
		return st;
	/* the rule tables: the store's when it holds them, else those given */
	fv_rules *own = NULL;
	if ((st = fv_store_rules(s, &own, err)) != FV_OK)
		return st;
	const fv_rules *use = own ? own : rules;
	for (int t = 0; use && t < FV_RULES_NTABLES; t++) {
		size_t len;
		const char *csv = fv_rules_source(use, (fv_rules_table)t, &len);
		json_t *f = json_object();
		json_object_set_new(f, "rule_version", json_string(fv_rules_version(use, (fv_rules_table)t)));
		json_object_set_new(f, "csv", json_stringn(csv, len));
		char *line = sync_line("rule", fv_rules_table_name((fv_rules_table)t), 1, f);
		json_array_append_new(arr, json_string(line));
		free(line);
		/* the supervisor keeps what it sent, so later changes travel too */
		if (!own) {
			fv_apply res;
			char *text = fv_xstrndup(csv, len);
			st = fv_store_rule_install(s, fv_rules_table_name((fv_rules_table)t),
						   fv_rules_version(use, (fv_rules_table)t), text, &res, err);
			free(text);
			if (st != FV_OK)
				break;
		}
	}
	fv_rules_free(own);
	if (st != FV_OK || !villages || !*villages)
		return st;
	fv_person *people;
	size_t np;
	if ((st = fv_person_list(s, NULL, &people, &np, err)) != FV_OK)
		return st;
	char *list = fv_xasprintf(" %s ", villages);
	for (size_t i = 0; i < np; i++) {
		char *word = fv_xasprintf(" %s ", people[i].village);
		if (strstr(list, word)) {
			char *line = fv_record_person_line(&people[i]);
			json_array_append_new(arr, json_string(line));
			free(line);
		}
		free(word);
	}
	free(list);
	fv_person_list_free(people, np);
	return FV_OK;
}

/* Write data to dir/name safely (file.c). */
static fv_status write_file(const char *dir, const char *name, const uint8_t *data, size_t len,
			    char **path, fv_errors *err)
{
	sync_file *f;
	fv_status st = sync_file_open(dir, name, &f, err);
	if (st != FV_OK)
		return st;
	if (sync_file_sink(f, data, len, err) != 0)
		st = FV_EIO;
	if (st == FV_OK)
		st = sync_file_commit(f, NULL, NULL, err);
	else
		sync_file_abort(f);
	if (st == FV_OK)
		*path = fv_xstrdup(sync_file_path(f));
	sync_file_free(f);
	return st;
}

fv_status fv_sync_invite(fv_store *s, const char *name, const char *villages,
			 const fv_rules *rules, const char *dir, char **path,
			 char code[FV_INVITE_CODE_BYTES], fv_errors *err)
{
	fv_sync_self me;
	fv_team team;
	fv_peer p;
	json_t *doc, *sup, *wk, *arr;
	vault_key *aead, *proof;
	uint8_t *out = NULL;
	char *text = NULL, *fname;
	size_t len;
	fv_status st;

	*path = NULL;
	code[0] = '\0';
	if (fv_store_role(s) != FV_ROLE_SUPERVISOR) {
		fv_errors_add(err, NULL, 0, "only a supervisor invites workers");
		return FV_EUSAGE;
	}
	if ((st = fv_store_team_get(s, &team, err)) != FV_OK)
		return st == FV_ENOTFOUND ? FV_EUSAGE : st;
	if (!*name || strchr(name, '/') || name[0] == '.' || !fv_utf8_valid(name, strlen(name)) ||
	    fv_utf8_len(name) > 100) {
		fv_errors_add(err, NULL, 0, "a worker's name is 1 to 100 characters, without '/',"
			      " not starting with '.'");
		return FV_EINVAL;
	}
	if ((st = fv_store_sync_self(s, &me, err)) != FV_OK)
		return st;
	new_code(code);
	aead = code_key(code, "fvinvaed");
	proof = code_key(code, "fvinvprf");
	memset(&p, 0, sizeof p);
	vault_uuid(p.id);
	p.name = (char *)name;
	p.role = FV_ROLE_WORKER;
	p.villages = (char *)(villages ? villages : "");
	p.device = "";
	memcpy(p.invite_key, vault_key_bytes(proof), VAULT_KEY_BYTES);
	vault_key_free(proof);

	doc = json_object();
	json_object_set_new(doc, "team", json_string(team.id));
	json_object_set_new(doc, "recovery_pk", hexstr(team.recovery_pk, 32));
	sup = json_object();
	json_object_set_new(sup, "name", json_string(fv_store_name(s)));
	json_object_set_new(sup, "device", json_string(fv_store_device(s)));
	json_object_set_new(sup, "sign_pk", hexstr(me.sign_pk, 32));
	json_object_set_new(sup, "box_pk", hexstr(me.box_pk, 32));
	json_object_set_new(doc, "supervisor", sup);
	wk = json_object();
	json_object_set_new(wk, "name", json_string(name));
	json_object_set_new(wk, "enrolment", json_string(p.id));
	json_object_set_new(doc, "worker", wk);
	arr = json_array();
	json_object_set_new(doc, "records", arr);

	if ((st = fv_store_begin(s, err)) != FV_OK)
		goto out;
	st = fv_store_peer_add(s, &p, err);
	if (st == FV_OK)
		st = invitation_records(s, villages, rules, arr, err);
	if (st == FV_OK) {
		/* what the invitation carries the worker has: queued as carried by
		 * bundle 0, which counts as acknowledged */
		fv_outbox_item *items;
		size_t nitems;
		if ((st = fv_store_outbox(s, &p, &items, &nitems, err)) == FV_OK) {
			fv_outbox_list_free(items, nitems);
			st = fv_store_outbox_sent(s, p.id, 0, err);
		}
	}
	if (st == FV_OK) {
		text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!text) {
			fputs("fieldvisit: out of memory\n", stderr);
			exit(4);
		}
		len = strlen(text);
		out = fv_xmalloc(INVITE_HEAD + len + VAULT_AEAD_NONCE_BYTES + VAULT_AEAD_TAG_BYTES);
		memcpy(out, INVITE_MAGIC, 8);
		out[8] = INVITE_VERSION;
		out[9] = 0;
		vault_aead_seal(aead, out, INVITE_HEAD, (const uint8_t *)text, len, out + INVITE_HEAD);
		fname = fv_xasprintf("invite-%s.fvi", name);
		st = write_file(dir, fname, out, INVITE_HEAD + len + VAULT_AEAD_NONCE_BYTES +
				VAULT_AEAD_TAG_BYTES, path, err);
		free(fname);
	}
	if (st == FV_OK) {
		st = fv_store_commit(s, err);
		if (st != FV_OK) {
			unlink(*path);
			free(*path);
			*path = NULL;
		}
	} else {
		fv_store_rollback(s);
	}
out:
	if (st != FV_OK)
		vault_wipe(code, FV_INVITE_CODE_BYTES);
	if (text) {
		vault_wipe(text, strlen(text));
		free(text);
	}
	free(out);
	json_decref(doc);
	vault_key_free(aead);
	vault_wipe(p.invite_key, sizeof p.invite_key);
	fv_sync_self_release(&me);
	return st;
}

/* ------------------------------------------------------------------ */
/* Joining                                                             */

void fv_invitation_free(fv_invitation *inv)
{
	if (!inv)
		return;
	json_decref(inv->doc);
	vault_key_free(inv->proof_key);
	for (size_t i = 0; i < inv->nlines; i++)
		free(inv->lines[i]);
	free(inv->lines);
	free(inv);
}

const char *fv_invitation_worker(const fv_invitation *inv)
{
	return inv->worker;
}

const char *fv_invitation_supervisor(const fv_invitation *inv)
{
	return inv->supervisor;
}

const uint8_t *fv_invitation_recovery_pk(const fv_invitation *inv)
{
	return inv->recovery_pk;
}

void fv_invitation_fingerprint(const fv_invitation *inv, char out[VAULT_FINGERPRINT_BYTES])
{
	uint8_t id[VAULT_KEY_ID_BYTES];
	vault_key_id(inv->sign_pk, id);
	vault_fingerprint(id, out);
}

static const char *get_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int get_key(json_t *o, const char *key, uint8_t *out, size_t n)
{
	const char *v = get_str(o, key);
	return v && sync_unhex(v, out, n);
}

fv_status fv_invitation_open(const char *path, const char *code, fv_invitation **out,
			     fv_errors *err)
{
	uint8_t *data, *plain;
	size_t len;
	json_error_t jerr;
	fv_invitation *inv;
	vault_key *aead;
	json_t *sup, *wk, *recs;
	fv_status st;
	char *n;

	*out = NULL;
	if (vault_init() != FV_OK) {
		fv_errors_add(err, NULL, 0, "cannot start the cipher library");
		return FV_EIO;
	}
	if ((st = sync_read_file(path, INVITE_MAX, NULL, &data, &len, err)) != FV_OK)
		return st;
	if (len < INVITE_HEAD + VAULT_AEAD_NONCE_BYTES + VAULT_AEAD_TAG_BYTES ||
	    memcmp(data, INVITE_MAGIC, 8) != 0) {
		fv_errors_add(err, path, 0, "not a fieldvisit invitation");
		free(data);
		return FV_EINVAL;
	}
	if (data[8] != INVITE_VERSION || data[9] != 0) {
		fv_errors_add(err, path, 0, "unknown invitation version %u (this fieldvisit reads"
			      " version %d)", data[8] | data[9] << 8, INVITE_VERSION);
		free(data);
		return FV_EINVAL;
	}
	if (!(n = normal_code(code))) {
		fv_errors_add(err, NULL, 0, "an invitation code is 25 letters and digits, as"
			      " ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ2");
		free(data);
		return FV_EINVAL;
	}
	free(n);
	aead = code_key(code, "fvinvaed");
	len -= INVITE_HEAD;
	plain = fv_xmalloc(len);
	if (vault_aead_open(aead, data, INVITE_HEAD, data + INVITE_HEAD, len, plain) != 0) {
		vault_key_free(aead);
		free(plain);
		free(data);
		fv_errors_add(err, path, 0, "wrong invitation code (or the file was changed)");
		return FV_EPASS;
	}
	vault_key_free(aead);
	len -= VAULT_AEAD_NONCE_BYTES + VAULT_AEAD_TAG_BYTES;
	inv = fv_xcalloc(1, sizeof *inv);
	inv->doc = json_loadb((const char *)plain, len, JSON_REJECT_DUPLICATES, &jerr);
	vault_wipe(plain, len);
	free(plain);
	free(data);
	sup = json_object_get(inv->doc, "supervisor");
	wk = json_object_get(inv->doc, "worker");
	recs = json_object_get(inv->doc, "records");
	inv->team = (char *)get_str(inv->doc, "team");
	inv->supervisor = (char *)get_str(sup, "name");
	inv->device = (char *)get_str(sup, "device");
	inv->worker = (char *)get_str(wk, "name");
	inv->enrolment = (char *)get_str(wk, "enrolment");
	if (!inv->team || !inv->supervisor || !inv->device || !inv->worker || !inv->enrolment ||
	    !get_key(inv->doc, "recovery_pk", inv->recovery_pk, 32) ||
	    !get_key(sup, "sign_pk", inv->sign_pk, 32) ||
	    !get_key(sup, "box_pk", inv->box_pk, 32) || !json_is_array(recs)) {
		fv_errors_add(err, path, 0, "not a fieldvisit invitation (its content is"
			      " incomplete)");
		fv_invitation_free(inv);
		return FV_EINVAL;
	}
	inv->nlines = json_array_size(recs);
	inv->lines = fv_xcalloc(inv->nlines ? inv->nlines : 1, sizeof *inv->lines);
	for (size_t i = 0; i < inv->nlines; i++) {
		const char *l = json_string_value(json_array_get(recs, i));
		inv->lines[i] = fv_xstrdup(l ? l : "");
	}
	inv->proof_key = code_key(code, "fvinvprf");
	*out = inv;
	return FV_OK;
}

fv_status fv_sync_join(fv_store *s, const fv_invitation *inv, const char *dir, char **hello,
		       fv_errors *err)
{
	fv_sync_self me;
	fv_team team;
	fv_peer sup;
	uint8_t msg[64], proof[32];
	fv_status st;

	*hello = NULL;
	if (fv_store_role(s) != FV_ROLE_WORKER) {
		fv_errors_add(err, NULL, 0, "only a worker's store joins a team");
		return FV_EUSAGE;
	}
	if ((st = fv_store_sync_self(s, &me, err)) != FV_OK)
		return st;
	memset(&team, 0, sizeof team);
	snprintf(team.id, sizeof team.id, "%s", inv->team);
	memcpy(team.recovery_pk, inv->recovery_pk, sizeof team.recovery_pk);
	memset(&sup, 0, sizeof sup);
	vault_uuid(sup.id);
	sup.name = inv->supervisor;
	sup.role = FV_ROLE_SUPERVISOR;
	sup.enrolled = 1;
	memcpy(sup.sign_pk, inv->sign_pk, 32);
	memcpy(sup.box_pk, inv->box_pk, 32);
	vault_key_id(sup.sign_pk, sup.key_id);
	sup.device = inv->device;
	sup.villages = "";
	memcpy(msg, me.sign_pk, 32);
	memcpy(msg + 32, me.box_pk, 32);
	vault_mac(inv->proof_key, msg, sizeof msg, proof);

	if ((st = fv_store_begin(s, err)) != FV_OK)
		goto out;
	st = fv_store_team_set(s, &team, err);
	if (st == FV_OK)
		st = fv_store_peer_add(s, &sup, err);
	if (st == FV_OK)
		st = sync_apply_lines(s, &sup, &me, (const char *const *)inv->lines, inv->nlines,
				      err);
	if (st == FV_OK)
		st = sync_write_hello(s, &me, &sup, inv->enrolment, proof, dir, hello, err);
	if (st == FV_OK) {
		st = fv_store_commit(s, err);
		if (st != FV_OK && *hello)
			unlink(*hello);
	} else {
		fv_store_rollback(s);
	}
	if (st != FV_OK) {
		free(*hello);
		*hello = NULL;
	}
out:
	fv_sync_self_release(&me);
	return st;
}
