# mlwb drift: the CSV reader's edge cases, errors, output, and every number
# cross-checked against scipy/numpy/pandas (tests/drift/crosscheck.py).

drift_dir=$(cd "$here/../drift" && pwd)

test_drift_matches_scipy() {
	# Random pairs over every test and edge case; fails on any field that
	# differs from scipy by more than 1e-9 (statistics) or 1e-6 (p-values).
	/usr/bin/python3 "$drift_dir/crosscheck.py" "$MLWB" xc 11 48 > xc.log 2>&1 || {
		tail -20 xc.log
		fail "mlwb drift disagrees with scipy"
		return 1
	}
	grep -q "crosscheck: 624 columns checked, 0 differ" xc.log || fail "$(tail -1 xc.log)"
}

test_drift_csv_quoting_bom_crlf() {
	# BOM, CRLF, quoted commas, quotes and newlines read as pandas reads them.
	printf '\357\273\277city,n\r\n"Paris, FR",1\r\n"say ""hi""",2\r\n"two\r\nlines",3\r\nRome,4\r\n' > ref.csv
	printf 'city,n\n"Paris, FR",1\nRome,2\nRome,3\n"two\r\nlines",4\n' > cur.csv
	run drift --reference ref.csv --current cur.csv --format json
	expect_rc 0 || return 1
	expect_eq "$(json "[(c['column'], c['kind'], c['test'], c['n_reference'], c['n_current']) for c in d['columns']]")" \
		"[('city', 'cat', 'chisquare', 4, 4), ('n', 'cat', 'chisquare', 4, 4)]" || return 1
	# "say "hi"" is absent from the current side: (0-1)^2/1 + (2-1)^2/1
	expect_eq "$(json "float(d['columns'][0]['statistic'])")" "2.0"
}

test_drift_missing_values() {
	# Empty cells and pandas' NA markers are missing; inf is dropped.
	printf 'x,y\n1.5,\n2.5,NA\n,3\nnan,4\ninf,5\n3.5,6\n' > ref.csv
	printf 'x,y\n1.5,1\n2.5,2\n3.5,3\n' > cur.csv
	run drift --reference ref.csv --current cur.csv --format json
	expect_rc 0 || return 1
	expect_eq "$(json "[(c['column'], c['kind'], c['n_reference']) for c in d['columns']]")" \
		"[('x', 'num', 3), ('y', 'num', 4)]"
}

test_drift_all_missing_column_is_skipped() {
	printf 'x,e\n1,\n2,\n3,\n' > ref.csv
	printf 'x,e\n1,\n2,\n4,\n' > cur.csv
	run drift --reference ref.csv --current cur.csv --format json
	expect_rc 0 || return 1
	expect_eq "$(json "(d['columns'][1]['test'], d['columns'][1]['skipped'], d['tested_columns'])")" \
		"(None, 'no values in the reference', 1)" || return 1
	run drift --reference ref.csv --current cur.csv
	expect_rc 0 && expect_out "no values in the reference"
}

test_drift_table_output() {
	python3 -c "
import random
r = random.Random(3)
b = [r.gauss(0, 1) for i in range(300)]
open('ref.csv', 'w').write('a,b,c\n' + ''.join('%r,%r,%s\n' % (r.gauss(0, 1), b[i], 'xyz'[i % 3]) for i in range(300)))
open('cur.csv', 'w').write('a,b,c\n' + ''.join('%r,%r,%s\n' % (r.gauss(1, 1), b[299 - i], 'xyz'[i % 3]) for i in range(300)))
"
	run drift --reference ref.csv --current cur.csv
	expect_rc 0 || return 1
	expect_out "reference ref.csv (300 rows)  current cur.csv (300 rows)" || return 1
	expect_out "! a " || return 1
	expect_out "DRIFT" || return 1
	expect_out "no dataset drift: 1 of 3 columns drifted (33%)" || return 1
	run drift --reference ref.csv --current cur.csv --columns a --fail-on-drift
	expect_rc 1 && expect_out "DATASET DRIFT: 1 of 1 columns drifted (100%)" || return 1
	run drift --reference ref.csv --current cur.csv --columns b,c --test psi --threshold 0.5 --format json
	expect_rc 0 || return 1
	expect_eq "$(json "[(c['test'], c['threshold'], c['drift_score'] == c['psi'], c['p_value']) for c in d['columns']]")" \
		"[('psi', 0.5, True, None), ('psi', 0.5, True, None)]"
}

test_drift_bad_input() {
	printf 'a,b\n1,2\n3\n' > ragged.csv
	printf 'a,b\n1,2\n' > ok.csv
	run drift --reference ragged.csv --current ok.csv
	expect_rc 2 && expect_eq "$errout" "mlwb: ragged.csv:3: row has 1 field, the header has 2" || return 1
	printf 'a,b\n1,2\n1,2,3\n' > long.csv
	run drift --reference ok.csv --current long.csv
	expect_rc 2 && expect_eq "$errout" "mlwb: long.csv:3: row has more than the header's 2 fields" || return 1
	: > empty.csv
	run drift --reference empty.csv --current ok.csv
	expect_rc 2 && expect_eq "$errout" "mlwb: empty.csv: empty file: no header row" || return 1
	printf 'a,b\n1,2\n\377,3\n' > latin.csv
	run drift --reference ok.csv --current latin.csv
	expect_rc 2 && expect_eq "$errout" "mlwb: latin.csv:3:1: invalid UTF-8" || return 1
	printf 'a,c\n1,2\n' > other.csv
	run drift --reference ok.csv --current other.csv
	expect_rc 2 && expect_eq "$errout" 'mlwb: other.csv:1: no column "b" (the reference ok.csv has it)' || return 1
	printf 'a,b\n1,"open\n' > quote.csv
	run drift --reference quote.csv --current ok.csv
	expect_rc 2 && expect_eq "$errout" "mlwb: quote.csv:2:3: unterminated quoted field" || return 1
	printf 'a,b\n1,"x"y\n' > after.csv
	run drift --reference after.csv --current ok.csv
	expect_rc 2 && expect_eq "$errout" "mlwb: after.csv:2:6: unexpected character after a closing quote" || return 1
	run drift --reference ok.csv --current ok.csv --columns zz
	expect_rc 2 && expect_err 'ok.csv:1: no column "zz"' || return 1
	run drift --reference nope.csv --current ok.csv
	expect_rc 2 && expect_err "nope.csv" || return 1
	printf 'a,b\nx,1\ny,2\n' > cat.csv
	run drift --reference cat.csv --current cat.csv --test ks
	expect_rc 2 && expect_err 'column "a" is categorical: the ks test needs numbers' || return 1
	run drift --reference ok.csv --current ok.csv --test magic
	expect_rc 2 && expect_err 'unknown test "magic"'
}
