"""An instance's process runs in a session of its own, so stopping it stops
whatever it started too (a `bootstrap` script that runs its binary without
exec, a handler that spawned a helper): nothing of an old version lives on
holding its code or its log pipe."""

import os
import signal


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        try:
            proc.kill()
        except OSError:
            pass
