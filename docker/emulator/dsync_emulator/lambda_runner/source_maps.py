"""Source maps a debugger on the host can use, for a debugged function's code.

SAM's esbuild builder bundles a copy of the code made in a scratch folder,
so a map's `sources` name files such as
`../../../../../tmp/tmpygmg0k8t/lib/summary.ts`, which exist nowhere, and
the map sits next to the bundle inside the container, where a debugger on
the host cannot read it. For each script of the function's code that has a
map (a file beside it, or inline), the map's sources are made the path the
source file would have beside the code in the emulator's folder
(task/lib/summary.ts), found by the longest tail of the written path that
is a file in the project's copy in the container (the code folder, or the
mirrored root for shared code outside it, which becomes its file URL on the
host); and the map is put inline in the
script (a data: URL), where every Chrome DevTools Protocol client receives
it. The editor's localRoot/remoteRoot then maps task/... to the developer's
own file, so a breakpoint in src/app.ts binds.
"""

import base64
import json
import os
import re
import urllib.parse

MAX_SCRIPT_BYTES = 20 * 1024 * 1024
SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs")
_MAP_COMMENT = re.compile(r"//# sourceMappingURL=(\S+)\s*$")


def _tail_match(source, roots):
    """The longest tail of `source`'s path that is a file under one of `roots`: that file, or None."""
    parts = [p for p in re.split(r"[\\/]+", re.sub(r"^[a-z]+://", "", source)) if p not in ("", ".", "..")]
    if "node_modules" in parts:
        return None  # a dependency's source: never the developer's file that shares its name
    for start in range(len(parts)):
        for root in roots:
            candidate = os.path.join(root, *parts[start:])
            if os.path.isfile(candidate):
                return candidate
    return None


def remote_sources(sources, task, code_dir, mirror, host_mirror=None):
    """Each source as the path it has beside the code in `task` (what localRoot/remoteRoot maps); a
    shared file outside the code folder as its file URL on the host (`host_mirror`: the mirrored
    folder's URL there), which no single root could map; unknown ones as they were."""
    out = []
    for source in sources:
        found = _tail_match(str(source), [code_dir, mirror] if mirror else [code_dir])
        if found is None:
            out.append(source)
        elif os.path.commonpath([found, code_dir]) == code_dir:
            out.append(os.path.join(task, os.path.relpath(found, code_dir)))
        elif host_mirror and mirror:
            out.append(host_mirror.rstrip("/") + "/" + urllib.parse.quote(os.path.relpath(found, mirror)))
        else:
            out.append(os.path.join(task, os.path.relpath(found, code_dir)))
    return out


def _read_map(script, reference):
    if reference.startswith("data:"):
        return json.loads(base64.b64decode(reference.split(",", 1)[1]))
    with open(os.path.join(os.path.dirname(script), reference), encoding="utf-8") as f:
        return json.load(f)


def inline(script, task, code_dir, mirror, host_mirror=None):
    """Rewrite one script's map (True when it had one)."""
    if os.path.getsize(script) > MAX_SCRIPT_BYTES:
        return False
    with open(script, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    found = _MAP_COMMENT.search(text)
    if not found:
        return False
    try:
        source_map = _read_map(script, found.group(1))
    except (OSError, ValueError):
        return False
    source_map["sources"] = remote_sources(source_map.get("sources") or [], task, code_dir, mirror, host_mirror)
    source_map.pop("sourceRoot", None)
    encoded = base64.b64encode(json.dumps(source_map).encode()).decode()
    with open(script, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text[: found.start()] + f"//# sourceMappingURL=data:application/json;charset=utf-8;base64,{encoded}\n")
    return True


def prepare(task, code_dir, mirror, host_mirror=None):
    """Every script of the function's own code (not node_modules) with a map gets a usable inline one; how many did."""
    done = 0
    for root, dirs, files in os.walk(task):
        dirs[:] = [d for d in dirs if d != "node_modules"]
        for name in files:
            if name.endswith(SCRIPT_SUFFIXES) and inline(os.path.join(root, name), task, code_dir, mirror, host_mirror):
                done += 1
    return done
