"""Starts an instance of a function version in the runtime its Runtime names:
Node.js through dsync's Node.js runtime (instance.py), Python through dsync's
Runtime API client, `provided` runtimes through their own `bootstrap` (both
on a Runtime API of their own: api_instance.py). Anything else is one clear
error, with the runtime, before any code is unpacked."""

import os
import re

from . import logs
from .api_instance import ApiInstance
from .debug import debugpy_dir
from .environment import lambda_environment
from .instance import Instance
from .node import node_for
from .python import provided_command, python_command, version_of


class RuntimeUnavailable(Exception):
    """The function's runtime cannot run here; the message says why, naming the runtime."""


def check(runtime):
    """Raise RuntimeUnavailable when nothing here can run `runtime`."""
    if (runtime or "").startswith("nodejs"):
        node, why = node_for(runtime)
        if node is None:
            raise RuntimeUnavailable(why)
    elif version_of(runtime) is None and not re.fullmatch(r"provided(\.al2(023)?)?", runtime or ""):
        raise RuntimeUnavailable(
            f"{runtime or 'this runtime'}: the emulator runs Node.js, Python and provided (bootstrap) functions, not this runtime"
        )


def launch(fn, key, task, opt, inspect_port=None):
    """A new instance of this version (its code unpacked in `task`, its layers in `opt`);
    with `inspect_port` (debug.py), a Node.js one with its inspector there, a Python one with debugpy."""
    runtime = fn.run_time or ""
    if runtime.startswith("nodejs"):
        node, why = node_for(runtime)
        if node is None:
            raise RuntimeUnavailable(why)
        return Instance(fn, key, node, task, opt, inspect_port)
    stream = logs.new_stream_name(fn.version)
    env = lambda_environment(fn, task, stream)
    if inspect_port and version_of(runtime):
        env.update(DSYNC_DEBUGPY_PORT=str(inspect_port), DSYNC_DEBUGPY_DIR=debugpy_dir() or "")
    command, why = python_command(runtime, env, opt) if version_of(runtime) else provided_command(task, opt, env)
    if command is None:
        raise RuntimeUnavailable(why if runtime.startswith("python") else f"{runtime}: {why}")
    try:
        instance = ApiInstance(fn, key, command, env, task)
        instance.inspect_port = inspect_port if version_of(runtime) else None
        return instance
    except OSError as error:  # not executable here: no interpreter line, another architecture, ...
        raise RuntimeUnavailable(f"{runtime}: {os.path.basename(command[0])} cannot be started: {error.strerror or error}") from None
