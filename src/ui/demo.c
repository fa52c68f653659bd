/*
 * fieldvisit screens: the throwaway demo store of `fieldvisit --demo`.
 * Fictional people and visits (the generator of `fieldvisit generate`) in
 * a store of its own, in a private folder that is removed on exit.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"
#include "fieldvisit/vault.h"
#include "ui_internal.h"

/* Enough to show every screen, small enough to make in a moment on an
 * old laptop. */
#define DEMO_PERSONS 60
#define DEMO_VISITS 240
#define DEMO_SEED 20261123

fv_status ui_demo_create(const char *dir, const char *name, const char *pass, char **path,
			 fv_errors *err)
{
	char *key = fv_xasprintf("%s/demo-recovery.key", dir);
	fv_store_init init;
	fv_cli_demo *demo = NULL;
	fv_cli_generated made;
	fv_store *s = NULL;
	fv_status st;

	*path = fv_xasprintf("%s/demo.fv", dir);
	memset(&init, 0, sizeof init);
	init.role = FV_ROLE_WORKER;
	init.name = name;
	init.passphrase = pass;
	/* the cheapest Argon2 cost: this store holds invented people only,
	 * its passphrase is on the screen and it is deleted on exit */
	init.cost = vault_pw_fast();
	uint8_t pk[VAULT_BOX_PK_BYTES];
	if ((st = vault_init()) != FV_OK)
		fv_errors_add(err, NULL, 0, "cannot start the cipher library");
	if (st == FV_OK)
		st = fv_cli_demo_load(&demo, err);
	if (st == FV_OK)
		st = vault_recovery_create(key, pk, err);
	if (st == FV_OK) {
		init.recovery_pk = pk;
		st = fv_store_create(*path, &init, fv_cli_forms_dir(), &s, err);
	}
	if (st == FV_OK)
		st = fv_cli_generate(s, demo, DEMO_PERSONS, DEMO_VISITS, DEMO_SEED, 0, &made, err);
	fv_store_close(s);
	fv_cli_demo_free(demo);
	free(key);
	if (st != FV_OK) {
		free(*path);
		*path = NULL;
	}
	return st;
}

int ui_demo_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = fv_xasprintf("%s/%s", dir, e->d_name);
		if (unlink(p) != 0)
			rc = -1;
		free(p);
	}
	closedir(d);
	if (rmdir(dir) != 0)
		rc = -1;
	return rc;
}
