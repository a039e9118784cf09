# The model registry, gates, mlwb ci and the git hook

sample=$(cd "$here/../../samples/quickstart" && pwd)

quickstart() {
	cp -r "$sample"/. . && "$MLWB" init >/dev/null
}

test_ci_promotes_then_holds_back() {
	quickstart || return 1
	run ci --junit j1.xml --markdown m1.md
	expect_rc 0 || { echo "$out"; return 1; }
	expect_out "model quickstart version 1 registered, now production; passed: auc >= 0.8 and auc > production.auc (auc=0.921723, production.auc=none)" || return 1
	expect_eq "$(sql "SELECT trigger FROM run WHERE id = 1")" ci || return 1
	# a worse model: registered, not promoted, and ci fails
	run ci -p train.lr=0.5 --junit j2.xml --markdown m2.md
	expect_rc 1 || return 1
	expect_out "version 2 registered; failed: auc >= 0.8 and auc > production.auc (auc=0.910798, production.auc=0.921723)" || return 1
	expect_out "run 2 succeeded in" && expect_out "a gate failed" || return 1
	run models show quickstart --format json
	expect_eq "$(json "d['production'], [(v['version'], v['stages'], v['gate_passed'], v['run']) for v in d['versions']]")" \
		"(1, [(2, [], False, 2), (1, ['production'], True, 1)])" || return 1
	python3 - <<'PY' || fail "JUnit"
import xml.etree.ElementTree as ET
root = ET.parse("j2.xml").getroot()
assert root.tag == "testsuites" and root.get("failures") == "1", root.attrib
cases = root.findall(".//testcase")
assert [c.get("name") for c in cases] == ["prepare", "train", "evaluate", "report", "quickstart version 2"], cases
failure = cases[-1].find("failure")
assert failure is not None and "production.auc=0.921723" in failure.get("message"), failure
assert ET.parse("j1.xml").getroot().get("failures") == "0"
PY
	grep -q "| quickstart | 2 | failed: auc >= 0.8" m2.md || fail "markdown: $(cat m2.md)" || return 1
	# a better one goes to production, the old one leaves it
	run ci -p train.lr=0.01
	expect_rc 0 || return 1
	run models history quickstart --format json
	expect_eq "$(json "[(e['version'], e['action'], e['stage']) for e in d]")" \
		"[(1, 'set', 'production'), (1, 'unset', 'production'), (3, 'set', 'production')]"
}

test_ci_exit_code_of_a_failing_run() {
	printf 'pipelines:\n  p:\n    tasks:\n      bad: {cmd: "echo oops; exit 4"}\n' > mlwb.yaml
	"$MLWB" init >/dev/null
	run ci --junit j.xml
	expect_rc 1 && expect_out "bad                  failed" && expect_out "run 1 failed" || return 1
	python3 -c "
import xml.etree.ElementTree as ET
f = ET.parse('j.xml').getroot().find('.//failure')
assert f.get('message') == 'failed (exit 4)' and 'oops' in f.text, (f.attrib, f.text)" || fail "JUnit failure"
}

test_registry_cli() {
	quickstart || return 1
	"$MLWB" run train --wait 2>/dev/null >/dev/null || return 1
	run models register clf --run 1 --artifact model/model.json --format json
	expect_rc 0 || return 1
	expect_eq "$(json "d['version'], d['task'], d['artifact']['path'], d['gate_passed']")" "(1, 'train', 'model/model.json', None)" || return 1
	run models register clf --run 1 --artifact model/model.json --gate "accuracy > 0.99" --promote-to staging
	expect_rc 0 && expect_out "registered clf version 2; gate failed: accuracy > 0.99 (accuracy=0.825)" || return 1
	run models register clf --run 1 --artifact model/missing.json
	expect_rc 2 && expect_err "run 1 has no output artifact model/missing.json" || return 1
	run models register clf --run 1 --artifact model/model.json --gate "aucc > 0.5"
	expect_rc 2 && expect_err 'unknown name "aucc"' && expect_err "run 1 has metrics: accuracy, auc, loss" || return 1
	run models promote clf 2 --to production
	expect_rc 1 && expect_err "failed its gate" || return 1
	run models promote clf 1 --to production --reason "first"
	expect_rc 0 || return 1
	run models promote clf 1 --to champion
	expect_rc 0 || return 1
	run models list --format json
	# the sample's own report task registered "quickstart" too
	expect_eq "$(json "[m for m in d if m['name'] == 'clf']")" "[{'name': 'clf', 'versions': 2, 'production': 1, 'staging': None}]" || return 1
	run models archive clf 1
	expect_rc 0 || return 1
	run models show clf --format json
	expect_eq "$(json "d['production'], [(v['version'], v['archived'], v['stages']) for v in d['versions']]")" "(None, [(2, False, []), (1, True, [])])" || return 1
	run models promote clf 1 --to production
	expect_rc 1 && expect_err "archived; --force" || return 1
	run models promote clf 1 --to production --force
	expect_rc 0 || return 1
	run models export clf@production -o exported
	expect_rc 0 || return 1
	cmp exported/model.json .mlwb/runs/1/ws/model/model.json || fail "export differs" || return 1
	run models export clf@2 -o e2
	expect_rc 0 && [ -f e2/model.json ] || fail "export @2" || return 1
	run models export clf@staging -o e3
	expect_rc 2 && expect_err "no version of clf holds staging" || return 1
	run models show nope
	expect_rc 2 && expect_err 'no model "nope"'
}

test_single_production_under_concurrent_promotions() {
	quickstart || return 1
	"$MLWB" run train --wait 2>/dev/null >/dev/null || return 1
	for i in 1 2 3 4 5 6; do
		"$MLWB" models register m --run 1 --artifact model/model.json >/dev/null || return 1
	done
	# six promotions at once, to the same stage
	for v in 1 2 3 4 5 6; do
		"$MLWB" models promote m $v --to production --reason "race $v" >/dev/null 2>&1 &
	done
	wait
	m="(SELECT id FROM model WHERE name = 'm')"
	expect_eq "$(sql "SELECT count(*) FROM model_stage WHERE stage = 'production' AND model_id = $m")" 1 || return 1
	# the history agrees: every set but the last holder's was undone once
	expect_eq "$(sql "SELECT count(*) FROM model_stage_history WHERE action = 'set' AND model_id = $m")" 6 || return 1
	expect_eq "$(sql "SELECT count(*) FROM model_stage_history WHERE action = 'unset' AND model_id = $m")" 5 || return 1
	holder=$(sql "SELECT v.version FROM model_stage s JOIN model_version v ON v.id = s.version_id WHERE s.model_id = $m")
	expect_eq "$(sql "SELECT v.version FROM model_stage_history h JOIN model_version v ON v.id = h.version_id WHERE h.action = 'set' AND h.model_id = $m ORDER BY h.id DESC LIMIT 1")" "$holder"
}

test_register_block_validation_and_broken_gate() {
	cat > mlwb.yaml <<'YAML'
pipelines:
  p:
    tasks:
      make: {cmd: "echo 1 > m.bin && echo '{\"auc\": 0.9}' > e.json", outs: [m.bin], metrics: [e.json]}
      reg:
        needs: [make]
        cmd: "true"
        register: {model: m, artifact: m.bin, gate: "acu > 0.5"}
YAML
	"$MLWB" init >/dev/null
	run run p --wait
	expect_rc 1 || return 1
	run logs 1 reg
	expect_out 'registering m.bin as a version of m failed: gate "acu > 0.5": unknown name "acu" (run 1 has metrics: auc)' || return 1
	cat > mlwb.yaml <<'YAML'
pipelines:
  p:
    tasks:
      make: {cmd: "true", outs: [m.bin]}
      reg:
        cmd: "true"
        register: {model: m, artifact: nope.bin, gate: "auc >", promote_to: archived, colour: red}
YAML
	run validate
	expect_rc 2 || return 1
	expect_err "mlwb.yaml:7:40: register.artifact nope.bin is not an out of any task of pipeline \"p\"" || return 1
	expect_err "mlwb.yaml:7:56: gate: a value is missing after auc >" || return 1
	expect_err "mlwb.yaml:7:77: promote_to must be a stage such as staging or production, got \"archived\"" || return 1
	expect_err 'unknown key "colour" in register'
}

test_hook_queues_a_run_on_commit() {
	git init -q -b main . && git config user.email t@example.com && git config user.name t || return 1
	printf '#!/bin/sh\necho existing-hook > .hook-ran\n' > .git/hooks/post-commit && chmod +x .git/hooks/post-commit
	printf 'pipelines:\n  p:\n    tasks:\n      t: {cmd: "echo from-commit"}\n' > mlwb.yaml
	"$MLWB" init >/dev/null
	run hooks install p
	expect_rc 0 && expect_out "every commit queues a run of p" || return 1
	git add mlwb.yaml && git commit -qm first || return 1
	i=0
	until [ "$(sql "SELECT count(*) FROM run WHERE trigger = 'commit'")" = 1 ]; do
		sleep 0.1; i=$((i + 1)); [ $i -lt 50 ] || { fail "no run queued by the commit"; return 1; }
	done
	[ -f .hook-ran ] || fail "the existing hook no longer runs" || return 1
	expect_eq "$(sql "SELECT git_commit FROM run WHERE trigger = 'commit'")" "$(git rev-parse HEAD)" || return 1
	run hooks uninstall
	expect_rc 0 && expect_out "removed the mlwb block" || return 1
	expect_eq "$(cat .git/hooks/post-commit)" "$(printf '#!/bin/sh\necho existing-hook > .hook-ran')" "only our block removed" || return 1
	run hooks install p
	run hooks uninstall
	run hooks install p
	rm .git/hooks/post-commit && run hooks install p && run hooks uninstall
	expect_out "held only the mlwb hook" && [ ! -e .git/hooks/post-commit ] || fail "hook file left"
}
