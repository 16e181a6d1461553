"""What each trigger did last, and a short log of its runs.

Every delivery that runs a function (a rule's target, a schedule, an event
source mapping, an asynchronous invocation's retries) is recorded here by
the ARN it came from: `dsync status` reads the last run and error of each,
and the run log (newest RUN_LOG_SIZE entries, numbered) is what
`dsync up --logs` prints one line of per run.
"""

import collections
import threading
import time

RUN_LOG_SIZE = 500

_lock = threading.Condition()
_last = {}  # key -> {"runs", "lastRunAt", "lastError"}
_log = collections.deque(maxlen=RUN_LOG_SIZE)
_seq = 0


def describe(error):
    """An error as one line: its type and message (a function error keeps its own words)."""
    if error is None:
        return None
    if isinstance(error, str):
        return error
    return f"{type(error).__name__}: {error}"


def record(key, source, target, error=None, detail=""):
    """One run of a trigger: `source` and `target` as a person reads them, `detail` what it carried."""
    global _seq
    now = time.time()
    text = describe(error)
    with _lock:
        entry = _last.setdefault(key, {"runs": 0, "lastRunAt": None, "lastError": None})
        entry["runs"] += 1
        entry["lastRunAt"] = now
        entry["lastError"] = text
        _seq += 1
        _log.append({"seq": _seq, "at": now, "source": source, "target": target, "ok": error is None, "error": text, "detail": detail})
        _lock.notify_all()


def last(key):
    with _lock:
        found = _last.get(key)
        return dict(found) if found else None


def since(seq, wait_s=0.0):
    """(the runs logged after `seq`, oldest first; the newest number), waiting up to `wait_s` for one.
    A `seq` of None asks only for the newest number (where a reader starts)."""
    with _lock:
        if seq is not None and wait_s > 0 and _seq <= seq:
            _lock.wait_for(lambda: _seq > seq, timeout=wait_s)
        entries = [] if seq is None else [dict(e) for e in _log if e["seq"] > seq]
        return entries, _seq
