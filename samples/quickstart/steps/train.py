"""Logistic regression trained by plain SGD; logs the loss of every epoch."""
import argparse
import json
import math
import os
import random

from common import load, predict

try:  # the mlwb helper is on PYTHONPATH inside a run; the script works without it
    import mlwb
except ImportError:
    mlwb = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    xs, ys = load("data/train.csv")
    rng = random.Random(args.seed)
    w, b = [0.0] * len(xs[0]), 0.0
    order = list(range(len(xs)))
    for epoch in range(args.epochs):
        rng.shuffle(order)
        for i in order:
            g = predict(w, b, xs[i]) - ys[i]
            w = [wi - args.lr * g * xi for wi, xi in zip(w, xs[i])]
            b -= args.lr * g
        loss = 0.0
        for x, y in zip(xs, ys):
            p = min(max(predict(w, b, x), 1e-12), 1 - 1e-12)
            loss -= y * math.log(p) + (1 - y) * math.log(1 - p)
        loss /= len(xs)
        if mlwb:
            mlwb.log_metric("loss", loss, step=epoch)
        print(f"epoch {epoch + 1}/{args.epochs} loss {loss:.4f}")
    os.makedirs("model", exist_ok=True)
    with open("model/model.json", "w") as f:
        json.dump({"weights": w, "bias": b, "lr": args.lr, "epochs": args.epochs}, f, indent=2)


if __name__ == "__main__":
    main()
