"""`dsync up --logs` in emulator mode: print one line per trigger run (a
rule's or schedule's delivery, a mapping's batch, an asynchronous try) as
the emulator records them, until stopped.

    python3 trigger_runs.py PORT REGION STACK

Long-polls the emulator's GET /_dsync/runs/REGION/STACK?after=N&wait=S, so
nothing runs while no trigger does. Starts after the newest run there is:
only runs from now on are printed. Stdlib only (runs on any image's Python).
"""

import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

WAIT_S = 20


def line(run):
    """One run as a line: ✔/✖, source → target, what it carried, the error."""
    mark = "✔" if run.get("ok") else "✖"
    text = f"{mark} {run.get('source')} → {run.get('target')}"
    if run.get("detail"):
        text += f": {run['detail']}"
    if run.get("error"):
        text += f" — {run['error']}"
    return text


def fetch(base, after):
    query = urllib.parse.urlencode({"after": "" if after is None else after, "wait": WAIT_S if after is not None else 0})
    with urllib.request.urlopen(f"{base}?{query}", timeout=WAIT_S + 10) as answer:
        return json.loads(answer.read().decode())


def follow(base, out=sys.stdout):
    after = None
    while True:
        try:
            answer = fetch(base, after)
        except (urllib.error.URLError, OSError, ValueError):
            time.sleep(1)  # the emulator restarts with a redeploy: try again
            continue
        for run in answer.get("runs", []):
            print(line(run), file=out, flush=True)
        last = answer.get("last", 0)
        after = last if after is None or last >= after else None  # a restarted emulator counts from 0 again


def main(argv):
    if len(argv) != 4:
        print("usage: trigger_runs.py PORT REGION STACK", file=sys.stderr)
        return 2
    port, region, stack = argv[1:]
    follow(f"http://127.0.0.1:{int(port)}/_dsync/runs/{urllib.parse.quote(region)}/{urllib.parse.quote(stack)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
