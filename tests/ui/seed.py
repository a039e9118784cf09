"""Seeds a project for the UI tests: fixed runs, tasks, metrics and logs, so
that every screen dump is the same on every machine (TZ=UTC,
MLWB_TUI_NOW fixed).  Usage: python3 seed.py PROJECT_DIR"""
import os
import sqlite3
import sys

root = sys.argv[1]
db = sqlite3.connect(os.path.join(root, ".mlwb", "mlwb.db"))
T0 = 1764000000000  # 2025-11-24 16:00:00 UTC
c = db.cursor()
c.execute("INSERT INTO experiment(id, name, created) VALUES (1, 'train', 0), (2, 'tuning', 0)")
runs = [
    # id, exp, status, trigger, started, finished, commit, dirty, parent
    (1, 1, "succeeded", "manual", T0, T0 + 12300, "0123456789abcdef0123456789abcdef01234567", 0, None),
    (2, 1, "failed", "manual", T0 + 60000, T0 + 65000, "0123456789abcdef0123456789abcdef01234567", 1, None),
    (3, 2, "running", "sweep", T0 + 120000, None, "fedcba9876543210fedcba9876543210fedcba98", 0, None),
    (4, 2, "queued", "sweep", None, None, "fedcba9876543210fedcba9876543210fedcba98", 0, None),
]
for rid, exp, status, trig, st, fin, commit, dirty, parent in runs:
    c.execute("""INSERT INTO run(id, experiment_id, pipeline, status, trigger, user, host, created,
                 started, finished, git_commit, git_branch, git_dirty, parent_id, workspace)
                 VALUES (?, ?, 'train', ?, ?, 'alice', 'box', ?, ?, ?, ?, 'main', ?, ?, ?)""",
              (rid, exp, status, trig, (st or T0 + 200000) - 1000, st, fin, commit, dirty, parent,
               os.path.join(root, ".mlwb", "runs", str(rid), "ws")))
    for name, value in (("seed", "7"), ("train.epochs", "20"), ("train.lr", ["0.1", "0.5", "0.01", "0.2"][rid - 1])):
        c.execute("INSERT INTO run_param VALUES (?, ?, ?)", (rid, name, value))

tasks = {  # run -> [(name, status, layer, exit, reason, started, finished, upstream names)]
    1: [("prepare", "succeeded", 0, 0, "exit", 0, 1000, []),
        ("train", "succeeded", 1, 0, "exit", 1000, 9000, ["prepare"]),
        ("evaluate", "succeeded", 2, 0, "exit", 9000, 11000, ["prepare", "train"]),
        ("report", "succeeded", 3, 0, "exit", 11000, 12300, ["evaluate"])],
    2: [("prepare", "succeeded", 0, 0, "exit", 0, 1000, []),
        ("train", "failed", 1, 3, "exit", 1000, 5000, ["prepare"]),
        ("evaluate", "upstream_failed", 2, None, None, None, 5000, ["prepare", "train"]),
        ("report", "upstream_failed", 3, None, None, None, 5000, ["evaluate"])],
    3: [("prepare", "succeeded", 0, 0, "exit", 0, 1000, []),
        ("train", "running", 1, None, None, 1000, None, ["prepare"]),
        ("evaluate", "pending", 2, None, None, None, None, ["prepare", "train"]),
        ("report", "pending", 3, None, None, None, None, ["evaluate"])],
    4: [("prepare", "pending", 0, None, None, None, None, []),
        ("train", "pending", 1, None, None, None, None, ["prepare"]),
        ("evaluate", "pending", 2, None, None, None, None, ["prepare", "train"]),
        ("report", "pending", 3, None, None, None, None, ["evaluate"])],
}
for rid, ts in tasks.items():
    base = T0 + (rid - 1) * 60000
    ids = {}
    for name, status, layer, code, reason, st, fin, ups in ts:
        c.execute("""INSERT INTO task(run_id, name, cmd, status, layer, exit_code, reason, started, finished)
                     VALUES (?, ?, 'true', ?, ?, ?, ?, ?, ?)""",
                  (rid, name, status, layer, code, reason, None if st is None else base + st,
                   None if fin is None else base + fin))
        ids[name] = c.lastrowid
        for u in ups:
            c.execute("INSERT INTO task_edge VALUES (?, ?)", (ids[name], ids[u]))
        if st is not None:
            logdir = os.path.join(root, ".mlwb", "runs", str(rid), "logs")
            os.makedirs(logdir, exist_ok=True)
            log = os.path.join(logdir, f"{name}.1.log")
            with open(log, "w") as f:
                if name == "train":
                    for e in range(1, 21):
                        f.write(f"epoch {e}/20 loss {1 / (e + 1):.4f}\n")
                    if status == "failed":
                        f.write("Traceback (most recent call last):\n  File \"train.py\", line 3\n")
                        f.write("ValueError: learning rate too large\n")
                else:
                    f.write(f"{name}: done\n")
            c.execute("""INSERT INTO attempt(task_id, number, status, started, finished, exit_code, reason,
                         log_path) VALUES (?, 1, ?, ?, ?, ?, ?, ?)""",
                      (ids[name], "running" if status == "running" else "failed" if status == "failed" else "succeeded",
                       base + st, None if fin is None else base + fin, code, reason, log))
c.execute("INSERT INTO metric_key(id, name) VALUES (1, 'loss'), (2, 'auc')")
for rid in (1, 2, 3):
    n = {1: 20, 2: 8, 3: 5}[rid]
    for s in range(n):
        c.execute("INSERT INTO metric VALUES (?, 1, ?, 0, ?, ?, NULL)", (rid, s, 1 / (s + 2) + 0.01 * rid, T0 + s))
    c.execute("INSERT INTO metric_summary VALUES (?, 1, ?, ?, ?, ?, ?)",
              (rid, 1 / (n + 1) + 0.01 * rid, n - 1, 1 / (n + 1) + 0.01 * rid, 0.5 + 0.01 * rid, n))
c.execute("INSERT INTO metric(run_id, key_id, step, seq, value, time) VALUES (1, 2, 0, 0, 0.91, ?)", (T0,))
c.execute("INSERT INTO metric_summary VALUES (1, 2, 0.91, 0, 0.91, 0.91, 1)")
# the registry: clf v1 (production, gate passed) and v2 (gate failed)
for rid in (1, 2):
    c.execute("INSERT INTO artifact(id, run_id, task_id, path, sha256, size, kind, created) "
              "VALUES (?, ?, NULL, 'model.bin', ?, 100, 'model', ?)", (rid, rid, f"{rid:064x}", T0))
c.execute("INSERT INTO model(id, name, created) VALUES (1, 'clf', ?)", (T0,))
c.execute("""INSERT INTO model_version(id, model_id, version, artifact_id, run_id, created, user, gate, gate_passed, gate_reason)
             VALUES (1, 1, 1, 1, 1, ?, 'alice', 'auc > production.auc', 1, 'passed: auc > production.auc (auc=0.91, production.auc=none)'),
                    (2, 1, 2, 2, 2, ?, 'alice', 'auc > production.auc', 0, 'failed: auc > production.auc (auc=0.5, production.auc=0.91)')""",
          (T0 + 20000, T0 + 70000))
c.execute("INSERT INTO model_stage VALUES (1, 'production', 1)")
c.execute("INSERT INTO model_stage_history(model_id, version_id, stage, action, user, time, reason) "
          "VALUES (1, 1, 'production', 'set', 'alice', ?, 'registered from run 1, gate passed')", (T0 + 20000,))
db.commit()
