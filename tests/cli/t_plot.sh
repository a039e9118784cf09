# mlwb plot: charts as files, and its error paths

sample=$(cd "$here/../../samples/quickstart" && pwd)

runs() {
	cp -r "$sample"/. . && "$MLWB" init >/dev/null || return 1
	"$MLWB" run --wait >/dev/null 2>&1 && "$MLWB" run -p train.lr=0.5 --wait >/dev/null 2>&1
}

test_png_svg_pdf() {
	runs || return 1
	run plot 1 2 --metric loss -o loss.png
	expect_rc 0 && expect_out "wrote loss.png (2 runs" || return 1
	run plot 1 2 --metric loss --smooth 0.6 --size 800x500 -o small.png
	expect_rc 0 || return 1
	run plot 1 --metric loss --logy --x time -o loss.svg
	expect_rc 0 || return 1
	run plot 1 2 --metric auc -o auc.pdf
	expect_rc 0 || return 1
	python3 - <<'PY' || fail "the files"
import struct, xml.etree.ElementTree as ET
for name, size in (("loss.png", (1200, 700)), ("small.png", (800, 500))):
    data = open(name, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", name
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == size, (name, w, h)
root = ET.parse("loss.svg").getroot()
assert root.tag.endswith("svg"), root.tag
pdf = open("auc.pdf", "rb").read()
assert pdf[:5] == b"%PDF-" and b"%%EOF" in pdf[-64:], pdf[:16]
PY
}

test_plot_errors() {
	runs || return 1
	run plot 1 --metric loss -o /nonexistent/dir/x.png
	expect_rc 2 && expect_err "cannot write /nonexistent/dir/x.png" || return 1
	expect_eq "$out" "" "nothing on stdout" || return 1
	mkdir ro && chmod 555 ro
	if [ "$(id -u)" != 0 ]; then
		run plot 1 --metric loss -o ro/x.png
		expect_rc 2 && expect_err "permission denied" || return 1
	fi
	run plot 1 --metric loss -o chart.gif
	expect_rc 2 && expect_err "must end in .png, .svg or .pdf" || return 1
	run plot 1 --metric nope -o x.png
	expect_rc 2 && expect_err 'run 1 has no metric "nope"' || return 1
	[ ! -e x.png ] || fail "a file was left behind" || return 1
	run plot 99 --metric loss -o x.png
	expect_rc 2 && expect_err "no run 99" || return 1
	run plot 1 --metric loss --smooth 1.5 -o x.png
	expect_rc 2 && expect_err "--smooth takes a weight"
}
