"""Which Node.js runs a function: the image's own (/opt/node) or one dsync
added for the template's runtimes (/opt/nodeNN), of the Runtime's major."""

import os
import subprocess

# Where a node binary for major NN may be, in order ({major} is filled in).
NODE_CANDIDATES = ("/opt/node{major}/bin/node", "/opt/node/bin/node")

_majors = {}


def node_for(runtime):
    """The node binary for a nodejsNN.x runtime, or (None, why)."""
    if not runtime or not runtime.startswith("nodejs"):
        return None, f"{runtime or 'this runtime'} is not a Node.js runtime"
    major = "".join(ch for ch in runtime[len("nodejs") :] if ch.isdigit())
    for candidate in (c.format(major=major) for c in NODE_CANDIDATES):
        if os.path.exists(candidate) and major_of(candidate) == major:
            return candidate, None
    return None, (
        f"{runtime}: Node.js {major} is not in the emulator's image (dsync adds the template's Node.js versions "
        "when it builds the image; run `dsync up` again after changing Runtime)"
    )


def major_of(binary):
    """The major version a node binary reports (asked once per binary), or None."""
    if binary not in _majors:
        try:
            out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
            _majors[binary] = out.lstrip("v").split(".")[0]
        except Exception:  # noqa: BLE001 - an unusable binary is no candidate
            _majors[binary] = None
    return _majors[binary]
