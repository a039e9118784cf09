#!/usr/bin/python3
"""Cross-checks `mlwb drift --format json` against numpy/scipy/pandas.

The reference numbers are computed here from Evidently's published rules
(docs/drift.md) with Debian's python3-scipy, python3-numpy and
python3-pandas: pandas reads the CSV files, scipy runs the tests.  Random
cases cover every test, ties, constant and all-missing columns, categories
on one side only, the exact/asymptotic KS boundary and Sturges bin counts at
powers of two.  Usage: crosscheck.py MLWB WORKDIR [SEED] [CASES]
"""
import json, math, os, random, subprocess, sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

TOL_STAT = 1e-9
TOL_P = 1e-6


def fractions(r, c, numeric):
    if numeric and r.nunique() > 20:
        edges = np.histogram_bin_edges(pd.concat([r, c]), bins="sturges")
        return np.histogram(r, edges)[0] / len(r), np.histogram(c, edges)[0] / len(c), len(edges) - 1
    keys = sorted(set(r.unique()) | set(c.unique()))
    rc, cc = r.value_counts(), c.value_counts()
    return (np.array([rc.get(k, 0) / len(r) for k in keys]),
            np.array([cc.get(k, 0) / len(c) for k in keys]), len(keys))


def fill(p):
    p = p.copy()
    m = min(p[p != 0])
    np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return p


def expected(ref, cur, col):
    r, c = ref[col], cur[col]
    numeric = (pd.api.types.is_numeric_dtype(r) and pd.api.types.is_numeric_dtype(c)
               and not pd.api.types.is_bool_dtype(r))
    if numeric:
        r = r.replace([np.inf, -np.inf], np.nan)
        c = c.replace([np.inf, -np.inf], np.nan)
    r, c = r.dropna(), c.dropna()
    out = {"column": col}
    if len(r) == 0 or len(c) == 0:
        out["skipped"] = True
        return out
    if (numeric and pd.api.types.is_integer_dtype(ref[col]) and pd.api.types.is_integer_dtype(cur[col])
            and r.nunique() <= 5):
        numeric = False
    out["kind"] = "num" if numeric else "cat"
    nvals = pd.concat([r, c]).nunique()
    if len(r) <= 1000:
        test = "ks" if numeric and nvals > 5 else ("chisquare" if nvals > 2 else "z")
    else:
        test = "wasserstein" if numeric and nvals > 5 else "jensenshannon"
    out["test"] = test
    rp, cp, nb = fractions(r, c, numeric)
    out["nbins"] = nb
    out["jensenshannon"] = float(distance.jensenshannon(rp, cp))
    frp, fcp = fill(rp), fill(cp)
    out["psi"] = float(np.sum((frp - fcp) * np.log(frp / fcp)))
    if numeric:
        ks = stats.ks_2samp(r, c)
        out["ks_statistic"], out["ks_p_value"] = float(ks[0]), float(ks[1])
        out["wasserstein"] = float(stats.wasserstein_distance(r, c) / max(np.std(r), 0.001))
    if test == "ks":
        out["statistic"], out["p_value"] = out["ks_statistic"], out["ks_p_value"]
        out["drifted"] = out["p_value"] <= 0.05
    elif test == "chisquare":
        keys = sorted(set(r.unique()) | set(c.unique()))
        rc, cc = r.value_counts(), c.value_counts()
        k = len(c) / len(r)
        obs = [cc.get(x, 0) for x in keys]
        exp = [rc.get(x, 0) * k for x in keys]
        with np.errstate(divide="ignore", invalid="ignore"):
            st, p = stats.chisquare(obs, exp)
        out["statistic"], out["p_value"] = float(st), float(p)
        out["drifted"] = p < 0.05
    elif test == "z":
        if r.nunique() == 1 and c.nunique() == 1 and r.unique()[0] == c.unique()[0]:
            out["p_value"] = 1.0
            out["statistic"] = 0.0
        else:
            key = sorted(set(r.unique()) | set(c.unique()))[0]
            a = r.apply(lambda x: 0 if x == key else 1)
            b = c.apply(lambda x: 0 if x == key else 1)
            n1, n2 = len(a), len(b)
            p1, p2 = float(sum(a)) / n1, float(sum(b)) / n2
            P = float(p1 * n1 + p2 * n2) / (n1 + n2)
            z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
            out["statistic"] = float(z)
            out["p_value"] = float(2 * (1 - stats.norm.cdf(np.abs(z))))
        out["drifted"] = out["p_value"] < 0.05
    elif test == "wasserstein":
        out["statistic"], out["p_value"] = out["wasserstein"], None
        out["drifted"] = out["statistic"] >= 0.1
    else:
        out["statistic"], out["p_value"] = out["jensenshannon"], None
        out["drifted"] = out["statistic"] >= 0.1
    return out


def close(a, b, tol):
    if b is not None and math.isinf(b):
        return a is None  # JSON writes infinity as null
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    return abs(a - b) <= tol * max(abs(a), abs(b)) or abs(a - b) <= 1e-300


def fmt(v):
    return repr(float(v))


def write(path, cols):
    names = list(cols)
    n = len(cols[names[0]])
    with open(path, "w", newline="") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            f.write(",".join(cols[k][i] for k in names) + "\n")


def gen_case(rng, i):
    """One reference/current pair of columns of several kinds."""
    kind = i % 12
    nr = rng.choice([20, 57, 200, 999, 1000, 1001, 2500])
    nc = rng.choice([15, 57, 300, 1000, 4000])
    if kind == 9:  # the exact/asymptotic KS boundary
        nr, nc = rng.choice([(600, 10000), (600, 10001), (1000, 10000), (800, 12000)])
    if kind == 10:  # Sturges at a power of two: n_ref + n_cur = 2^k
        k = rng.choice([10, 11, 12, 13])
        nr = rng.randrange(100, 2 ** k - 100)
        nc = 2 ** k - nr
    if kind == 11:  # tiny samples, or equal sizes (the exact square formula)
        nr, nc = rng.choice([(1, 1), (2, 3), (3, 2), (5, 4), (7, 7), (3000, 3000), (800, 800)])
    shift = rng.choice([0.0, 0.0, 0.1, 0.5])

    def num(n, s, digits=None):
        out = []
        for _ in range(n):
            v = rng.gauss(s, 1)
            out.append(fmt(round(v, digits) if digits is not None else v))
        return out

    ref, cur = {}, {}
    ref["x"], cur["x"] = num(nr, 0), num(nc, shift)
    ref["ties"], cur["ties"] = num(nr, 0, 1), num(nc, shift, 1)
    cats = ["a", "b", "c", "d,e", "f \"q\"", "é"][: rng.choice([2, 3, 4, 6])]
    w = [1 + j for j in range(len(cats))]
    ref["cat"] = [rng.choices(cats, w)[0] for _ in range(nr)]
    wc = w[:] if shift == 0 else list(reversed(w))
    cur["cat"] = [rng.choices(cats, wc)[0] for _ in range(nc)]
    if kind % 3 == 0:  # a category the reference never saw
        cur["cat"][0] = "new"
    ref["code"] = [str(rng.randrange(3)) for _ in range(nr)]
    cur["code"] = [str(rng.randrange(3 + (shift > 0))) for _ in range(nc)]
    ref["few"] = [fmt(rng.choice([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5])) for _ in range(nr)]
    cur["few"] = [fmt(rng.choice([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5 + shift])) for _ in range(nc)]
    ref["const"], cur["const"] = ["7"] * nr, ["7"] * nc
    ref["holes"] = [("" if rng.random() < 0.2 else ("inf" if rng.random() < 0.02 else fmt(rng.random())))
                    for _ in range(nr)]
    cur["holes"] = [("" if rng.random() < 0.3 else fmt(rng.random() + shift)) for _ in range(nc)]
    ref["empty"], cur["empty"] = [""] * nr, [""] * nc
    ref["bin"] = [rng.choice(["yes", "no"]) for _ in range(nr)]
    cur["bin"] = [rng.choice(["yes", "no", "no"] if shift else ["yes", "no"]) for _ in range(nc)]
    # many categories: the stored histogram folds, the statistics do not
    ref["many"] = ["c%d" % int(rng.expovariate(0.03)) for _ in range(nr)]
    cur["many"] = ["c%d" % int(rng.expovariate(0.03 if not shift else 0.02)) for _ in range(nc)]
    # 20 or 21 distinct reference values: one bin per value, or Sturges
    k = 20 + i % 2
    ref["levels"] = [fmt(j % k * 0.5) for j in range(nr)]
    cur["levels"] = [fmt(rng.randrange(k + (shift > 0)) * 0.5) for _ in range(nc)]
    # integers with a hole: numeric, not categories
    ref["inthole"] = [str(rng.randrange(4)) if j else "" for j in range(nr)]
    cur["inthole"] = [str(rng.randrange(4)) for _ in range(nc)]
    # skewed, heavy ties
    ref["skew"] = [fmt(round(rng.expovariate(1.0), 2)) for _ in range(nr)]
    cur["skew"] = [fmt(round(rng.expovariate(1.0 + shift), 2)) for _ in range(nc)]
    return ref, cur


def csv_escape(cols):
    out = {}
    for k, v in cols.items():
        out[k] = ['"' + s.replace('"', '""') + '"' if ("," in s or '"' in s) else s for s in v]
    return out


def main():
    mlwb, work = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    cases = int(sys.argv[4]) if len(sys.argv) > 4 else 24
    rng = random.Random(seed)
    os.makedirs(work, exist_ok=True)
    bad = checked = 0
    for i in range(cases):
        ref, cur = gen_case(rng, i)
        rp, cp = os.path.join(work, "ref%d.csv" % i), os.path.join(work, "cur%d.csv" % i)
        write(rp, csv_escape(ref))
        write(cp, csv_escape(cur))
        out = subprocess.run([mlwb, "drift", "--reference", rp, "--current", cp, "--format", "json"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print("case %d: mlwb failed: %s" % (i, out.stderr.strip()))
            bad += 1
            continue
        got = {c["column"]: c for c in json.loads(out.stdout)["columns"]}
        rdf, cdf = pd.read_csv(rp), pd.read_csv(cp)
        for col in ref:
            exp = expected(rdf, cdf, col)
            g = got[col]
            checked += 1
            problems = []
            if exp.get("skipped"):
                if g["test"] is not None:
                    problems.append("should be skipped")
            else:
                for key in ("kind", "test", "drifted"):
                    if g.get(key) != exp[key]:
                        problems.append("%s %r != %r" % (key, g.get(key), exp[key]))
                for key in ("statistic", "jensenshannon", "psi", "wasserstein", "ks_statistic"):
                    if key in exp and not close(g.get(key), exp[key], TOL_STAT):
                        problems.append("%s %r != %r" % (key, g.get(key), exp[key]))
                for key in ("p_value", "ks_p_value"):
                    if key in exp and not close(g.get(key), exp[key], TOL_P):
                        problems.append("%s %r != %r" % (key, g.get(key), exp[key]))
            if problems:
                bad += 1
                print("case %d (%d x %d) column %s: %s" % (i, len(rdf), len(cdf), col, "; ".join(problems)))
    print("crosscheck: %d columns checked, %d differ" % (checked, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
