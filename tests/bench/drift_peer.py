#!/usr/bin/python3
"""The peer of `mlwb drift` in the drift benchmark: pandas reads both files
and scipy/numpy compute what mlwb computes for every numeric column of a
large reference (Wasserstein over the reference's std, KS, Jensen-Shannon
and PSI on numpy's Sturges bins), as Evidently does.  Prints the drifted
count so the work cannot be skipped.  Usage: drift_peer.py REF CUR"""
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

ref = pd.read_csv(sys.argv[1])
cur = pd.read_csv(sys.argv[2])
drifted = 0
for col in ref.columns:
    r = ref[col].replace([np.inf, -np.inf], np.nan).dropna()
    c = cur[col].replace([np.inf, -np.inf], np.nan).dropna()
    wd = stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)
    ks = stats.ks_2samp(r, c)
    edges = np.histogram_bin_edges(pd.concat([r, c]), bins="sturges")
    rp = np.histogram(r, edges)[0] / len(r)
    cp = np.histogram(c, edges)[0] / len(c)
    js = distance.jensenshannon(rp, cp)
    frp, fcp = rp.copy(), cp.copy()
    for p in (frp, fcp):
        m = min(p[p != 0])
        np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    psi = np.sum((frp - fcp) * np.log(frp / fcp))
    drifted += wd >= 0.1
print("drifted", drifted, "of", len(ref.columns))
