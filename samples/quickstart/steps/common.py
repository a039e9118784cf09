"""Shared by the quickstart steps: reading the CSV files, the model."""
import csv
import math


def load(path):
    xs, ys = [], []
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            xs.append([float(v) for v in row[:-1]])
            ys.append(int(row[-1]))
    return xs, ys


def predict(w, b, x):
    z = b + sum(wi * xi for wi, xi in zip(w, x))
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
