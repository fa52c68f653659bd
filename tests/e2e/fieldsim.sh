#!/bin/sh
# The field simulation at its small size (HACKING.md "Field simulation"):
# a supervisor and three workers over two simulated months through the
# real binary, with kills, damaged and lost bundles, a recovered
# passphrase and a replaced laptop.  One TAP line per invariant.
# FV_FIELDSIM_SEED reruns another seed; the simulation's own output is
# shown as TAP comments.
. "$FV_SRCDIR/tests/e2e/lib.sh"
sim="${FV_BUILDDIR:-.}/tests/e2e/fieldsim"
seed="${FV_FIELDSIM_SEED:-1}"
"$sim" --bin "$FV_BIN" --srcdir "$FV_SRCDIR" --quick --seed "$seed" --root "$TMP" \
	> "$TMP/out" 2> "$TMP/err"
rc=$?
sed 's/^/# /' "$TMP/out"
sed 's/^/# /' "$TMP/err" | head -50
is "$rc" 0 "the simulation (seed $seed) ends with every invariant held"

fig() {  # fig LABEL: the rest of the figure's line
	sed -n "s/^$1: //p" "$TMP/out"
}
v=$(fig 'visits at the supervisor exactly once, latest version')
is "$(echo "$v" | awk '$1 == $3 && $1 > 100 { print "ok" }')" ok \
	"every visit submitted is at the supervisor exactly once ($v)"
r=$(fig returns)
is "$(echo "$r" | awk -F'[ ,]+' '$1 == $6 && $1 > 0 { print "ok" }')" ok \
	"every return reached its worker ($r)"
r=$(fig 'returns corrected and re-reviewed')
is "$(echo "$r" | awk '$1 == $3 && $1 > 0 { print "ok" }')" ok \
	"every return corrected and reviewed again ($r)"
w=$(fig "visits in their worker's store in the state the supervisor gave")
is "$(echo "$w" | awk '$1 == $3 && $1 > 100 { print "ok" }')" ok \
	"every receipt and review reached its worker ($w)"
p=$(fig people)
is "$(echo "$p" | awk -F'[ ,]+' '$1 == $3 + 1 { print "ok" }')" ok \
	"every person registered is at the supervisor, but the one registered twice ($p)"
c=$(fig 'integrity checks')
is "$(echo "$c" | awk '$1 == $3 && $1 == 4 { print "ok" }')" ok "every store passes check ($c)"
c=$(fig conflicts)
is "$(echo "$c" | awk -F'[ ,]+' '$2 == $4 && $2 > 0 { print "ok" }')" ok \
	"the conflicts are those the scenario made ($c)"
s=$(fig schedules)
has "$s" ', 0 differ from the recount' "the schedules agree with the recount ($s)"
s=$(fig reports)
has "$s" ' 0 figures differ from the recount' "the satisfaction report agrees with the recount ($s)"
k=$(fig kills)
is "$(echo "$k" | awk '$1 >= 10 { print "ok" }')" ok "processes were killed ($k)"
b=$(fig bundles)
is "$(echo "$b" | sed -n 's/.*damaged \([0-9]*\) (refused \([0-9]*\)).*/\1 \2/p' |
	awk '$1 == $2 && $1 >= 5 { print "ok" }')" ok "every damaged bundle was refused ($b)"
p=$(fig 'passphrases recovered')
is "$p" "1, laptops replaced: 1" "a passphrase recovered, a laptop replaced"
s=$(fig 'canaries found')
is "$(echo "$s" | awk '$1 == 0 { print "ok" }')" ok "no canary in any file written ($s)"
tap_done
