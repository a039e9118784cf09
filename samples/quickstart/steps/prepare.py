"""Make a deterministic synthetic binary classification data set.

Two informative features drawn from two Gaussian blobs, one noise feature;
80/20 train/test split.  Same seed, same files.
"""
import argparse
import csv
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rows", type=int, default=2000)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    rows = []
    for _ in range(args.rows):
        label = rng.random() < 0.5
        cx, cy = (1.0, 0.8) if label else (-0.6, -0.9)
        rows.append((rng.gauss(cx, 1.1), rng.gauss(cy, 1.3), rng.gauss(0, 1), int(label)))
    split = int(len(rows) * 0.8)
    os.makedirs("data", exist_ok=True)
    for name, part in (("train", rows[:split]), ("test", rows[split:])):
        with open(os.path.join("data", name + ".csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["x1", "x2", "noise", "label"])
            for r in part:
                w.writerow([f"{r[0]:.6f}", f"{r[1]:.6f}", f"{r[2]:.6f}", r[3]])
    print(f"prepare: {split} train rows, {len(rows) - split} test rows (seed {args.seed})")


if __name__ == "__main__":
    main()
