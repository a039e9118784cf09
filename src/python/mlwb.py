"""mlwb's logging helper for jobs written in Python.  Standard library only.

    import mlwb
    mlwb.log_metric("loss", 0.31, step=5)
    mlwb.log_metrics({"loss": 0.31, "acc": 0.9}, step=5)
    mlwb.log_param("optimizer", "sgd")
    mlwb.set_tag("note", "baseline")
    mlwb.log_artifact("plots/roc.png", kind="report")
    lr = mlwb.params()["train"]["lr"]

Inside a run, the executor hands the job a pipe (the file descriptor in
MLWB_FD) and reads one line per call: `metric NAME VALUE [STEP]`,
`param NAME VALUE`, `tag NAME VALUE`, `artifact PATH [KIND]`.  Outside mlwb
every call does nothing and params() returns {}, so the same script runs
anywhere.  Writing never raises: a logging problem must not fail training.
"""

import atexit
import json
import math
import os
import time

__all__ = ["log_metric", "log_metrics", "log_param", "log_params", "set_tag",
           "log_artifact", "params", "flush", "active"]

_out = None
_opened = False
_last_flush = 0.0
_writes = 0


def _stream():
    global _out, _opened
    if _opened:
        return _out
    _opened = True
    fd = os.environ.get("MLWB_FD")
    if not fd:
        return None
    try:
        # A large buffer: a training loop can log hundreds of thousands of
        # points a second; lines are flushed at least every 0.2 s.
        _out = os.fdopen(int(fd), "w", buffering=1 << 16, encoding="utf-8", closefd=False)
        atexit.register(flush)
    except (OSError, ValueError):
        _out = None
    return _out


def active():
    """True inside an mlwb run."""
    return _stream() is not None


def _word(s):
    # Names are single words on the wire.
    return "_".join(str(s).split()) or "_"


def _line(text):
    global _out, _last_flush, _writes
    out = _stream()
    if out is None:
        return
    try:
        out.write(text)
        _writes += 1
        if _writes & 1023 == 0 or text[0] != "m":
            now = time.monotonic()
            if now - _last_flush > 0.2 or text[0] != "m":
                out.flush()
                _last_flush = now
    except (OSError, ValueError):
        _out = None  # the executor went away: keep training, stop logging


def _num(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def log_metric(name, value, step=None):
    """Records one point of metric `name`.  Without a step, the next one."""
    try:
        v = _num(value)
    except (TypeError, ValueError):
        return
    if step is None:
        _line("metric %s %s\n" % (_word(name), v))
    else:
        _line("metric %s %s %d\n" % (_word(name), v, int(step)))


def log_metrics(metrics, step=None):
    for name, value in metrics.items():
        log_metric(name, value, step)


def _text(value):
    return " ".join(str(value).splitlines())


def log_param(name, value):
    _line("param %s %s\n" % (_word(name), _text(value)))


def log_params(values):
    for name, value in values.items():
        log_param(name, value)


def set_tag(name, value):
    _line("tag %s %s\n" % (_word(name), _text(value)))


def log_artifact(path, kind=None):
    """Stores a file the job wrote (relative to the run's workspace)."""
    _line("artifact %s%s\n" % (_text(path), " " + _word(kind) if kind else ""))


def params():
    """The run's resolved params as nested dicts ({} outside mlwb)."""
    path = os.environ.get("MLWB_PARAMS")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def flush():
    global _out
    if _out is not None:
        try:
            _out.flush()
        except (OSError, ValueError):
            _out = None
