#!/usr/bin/env python3
"""Writes a reference and a week of daily batches where drift starts on day
4 (lead_time shifts, a new country appears; adr stays), deterministically:
data/train.csv, data/incoming/day1.csv .. day7.csv, and data/stream.csv
(the same week as one file with a ts column, for window monitors), all
under DIR.  Standard library only.  Usage: week.py DIR [ROWS]"""
import os
import random
import sys

root = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 300
r = random.Random(1)
os.makedirs(os.path.join(root, "data", "incoming"), exist_ok=True)


def row(shift):
    countries = ["PT", "GB", "FR", "ES"] + (["DE", "DE", "DE"] if shift else [])
    return "%.4f,%.2f,%s" % (r.gauss(30 + 20 * shift, 10), r.gauss(100, 20), r.choice(countries))


with open(os.path.join(root, "data", "train.csv"), "w") as f:
    f.write("lead_time,adr,country\n")
    for _ in range(rows * 2):
        f.write(row(0) + "\n")
with open(os.path.join(root, "data", "stream.csv"), "w") as s:
    s.write("ts,lead_time,adr,country\n")
    for day in range(1, 8):
        shift = 1 if day >= 4 else 0
        with open(os.path.join(root, "data", "incoming", "day%d.csv" % day), "w") as f:
            f.write("lead_time,adr,country\n")
            for i in range(rows):
                line = row(shift)
                f.write(line + "\n")
                s.write("2026-11-%02dT%02d:%02d:00Z,%s\n" % (day, i * 24 // rows, i % 60, line))
