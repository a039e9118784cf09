# make install / uninstall into a user prefix

repo=$(cd "$here/../.." && pwd)

test_install_and_uninstall() {
	prefix=$TMP/prefix
	make -s -C "$repo" install PREFIX="$prefix" BUILD="$(dirname "$MLWB")" >/dev/null || fail "install failed" || return 1
	[ -x "$prefix/bin/mlwb" ] || fail "no binary" || return 1
	[ -f "$prefix/share/man/man1/mlwb.1" ] || fail "no man page" || return 1
	[ -f "$prefix/share/mlwb/python/mlwb.py" ] || fail "no python helper" || return 1
	for t in default light high-contrast mono; do
		[ -f "$prefix/share/mlwb/themes/$t.yaml" ] || fail "no theme $t" || return 1
	done
	"$prefix/bin/mlwb" --version | grep -q '^mlwb ' || fail "installed binary does not run" || return 1
	make -s -C "$repo" uninstall PREFIX="$prefix" >/dev/null 2>&1
	left=$(find "$prefix" -type f)
	expect_eq "$left" "" "files left after uninstall"
}
