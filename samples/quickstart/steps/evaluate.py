"""Accuracy and ROC AUC of the trained model on the test split."""
import json
import os

from common import load, predict


def auc(scores, labels):
    # Mann-Whitney U: the chance that a positive outranks a negative, ties half.
    pairs = sorted(zip(scores, labels))
    rank_sum, i, n = 0.0, 0, len(pairs)
    while i < n:
        j = i
        while j < n and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j + 1) / 2.0
        rank_sum += avg_rank * sum(1 for k in range(i, j) if pairs[k][1] == 1)
        i = j
    pos = sum(labels)
    neg = n - pos
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def main():
    with open("model/model.json") as f:
        m = json.load(f)
    xs, ys = load("data/test.csv")
    scores = [predict(m["weights"], m["bias"], x) for x in xs]
    acc = sum((s >= 0.5) == (y == 1) for s, y in zip(scores, ys)) / len(ys)
    result = {"accuracy": round(acc, 6), "auc": round(auc(scores, ys), 6)}
    os.makedirs("metrics", exist_ok=True)
    with open("metrics/eval.json", "w") as f:
        json.dump(result, f, indent=2)
    print(f"evaluate: accuracy {result['accuracy']:.4f} auc {result['auc']:.4f}")


if __name__ == "__main__":
    main()
