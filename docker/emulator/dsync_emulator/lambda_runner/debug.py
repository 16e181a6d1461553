"""Debugging functions the emulator runs (`dsync up --emulator --debug`).

dsync writes which functions to debug, by logical id, and the port of each
into CONFIG_FILE (read again whenever it changes). For such a function:

- its Node.js process runs with the inspector (a Python one with debugpy,
  which dsync installs in the container) on a port of its own inside the
  container, and a DebugPort listens on the function's stable port (the one
  dsync publishes on the host's loopback) and relays each debugger
  connection to the instance running now. Node.js names the WebSocket
  address after the Host the debugger asked with, so the address it gives
  is the stable port's; debugpy speaks plain DAP over TCP;
- its code is unpacked into one folder per function (STABLE_ROOT/<logical
  id>/task), whatever the version, so a breakpoint set by file path binds
  in every version and the editor maps it with one localRoot/remoteRoot;
  its source maps are put inline, naming the sources as the editor maps
  them (source_maps.py), so a breakpoint in a .ts file binds too;
- a debugger that connects before the first request, or after a save made
  while none was connected, starts an instance of the current version (so
  its breakpoints are set before the request comes);
- while a debugger is connected, the version is watched: a new one (a save)
  starts a new instance at once and the old connection is closed, so a
  debugger that reattaches (VS Code's `restart: true`) is in the new code
  before the next request;
- invocations run one at a time, and while a debugger is connected the
  function's Timeout and API Gateway's integration timeout are not enforced
  (a paused function would otherwise be killed under the developer).
"""

import json
import logging
import os
import socket
import threading
import time

from moto.cloudformation.models import cloudformation_backends
from moto.core import DEFAULT_ACCOUNT_ID

from . import source_maps

LOG = logging.getLogger("dsync.emulator")
CONFIG_FILE = os.environ.get("DSYNC_DEBUG_FILE", "/dsync/state/debug.json")
STABLE_ROOT = "/tmp/dsync-lambda/debug"
DEBUG_DEADLINE_S = 3600.0
WATCH_S = 0.5
CONNECT_S = 10.0


class _Config:
    """CONFIG_FILE's {"stack": name, "functions": {logical id: port}, "code": {logical id: its code folder
    in the container}, "mirror": the project's mirror in the container, "hostMirror": its file URL on the
    host}, read again when it changes."""

    def __init__(self, path):
        self.path = path
        self.stamp = None
        self.value = {}

    def get(self):
        try:
            stamp = os.stat(self.path).st_mtime_ns
        except OSError:
            self.stamp, self.value = None, {}
            return self.value
        if stamp != self.stamp:
            try:
                with open(self.path, encoding="utf-8") as f:
                    self.value = json.load(f)
            except (OSError, ValueError) as error:
                LOG.warning("debug settings %s unreadable: %s", self.path, error)
                self.value = {}
            self.stamp = stamp
        return self.value


CONFIG = _Config(CONFIG_FILE)
_ports = {}  # logical id -> DebugPort
_lock = threading.Lock()


def _stack_functions(stack_name):
    """(region, {logical id: function name}) of the stack's functions, or (None, {})."""
    for region, backend in list(cloudformation_backends[DEFAULT_ACCOUNT_ID].items()):
        for stack in list(backend.stacks.values()):
            if stack.name != stack_name or str(stack.status).startswith("DELETE"):
                continue
            resources = dict(getattr(stack.resource_map, "_parsed_resources", {}) or {})  # a copy: a deploy may be changing it
            return region, {logical: r.function_name for logical, r in resources.items() if isinstance(getattr(r, "function_name", None), str)}
    return None, {}


def sync_ports():
    """Open a DebugPort for each function the settings name (and close the others): a debugger may connect before any request."""
    functions = {logical: int(port) for logical, port in (CONFIG.get().get("functions") or {}).items()}
    with _lock:
        for logical in list(_ports):
            if functions.get(logical) != _ports[logical].port:
                _ports.pop(logical).close()
        for logical, port in functions.items():
            if logical not in _ports:
                try:
                    _ports[logical] = DebugPort(logical, port)
                except OSError as error:
                    LOG.warning("debug port %s of %s cannot be opened: %s", port, logical, error)


def debugpy_dir():
    """Where dsync installed debugpy in the container (for Python functions), if it did."""
    return CONFIG.get().get("debugpy")


def _debuggable(runtime):
    runtime = str(runtime or "")
    return runtime.startswith("nodejs") or (runtime.startswith("python") and bool(debugpy_dir()))


def port_for(fn):
    """The DebugPort of this function when it is being debugged (Node.js; Python with debugpy), else None."""
    config = CONFIG.get()
    if not config.get("functions") or not _debuggable(fn.run_time):
        return None
    sync_ports()
    region, functions = _stack_functions(config.get("stack"))
    logical = next((lg for lg, name in functions.items() if name == fn.function_name), None)
    with _lock:
        return _ports.get(logical) if logical else None


def function_of(logical):
    """(function name, region) of a debugged logical id in the configured stack, or None before it is deployed."""
    region, functions = _stack_functions(CONFIG.get().get("stack"))
    return (functions[logical], region) if logical in functions else None


def prepare_sources(logical, task, key):
    """Once per version: the code's source maps inline, naming sources as the editor maps them (source_maps.py)."""
    config = CONFIG.get()
    code_dir = (config.get("code") or {}).get(logical)
    marker = os.path.join(os.path.dirname(task), ".maps")
    if not code_dir or _read(marker) == key:
        return
    try:
        source_maps.prepare(task, code_dir, config.get("mirror"), config.get("hostMirror"))
    except OSError as error:
        LOG.warning("source maps of %s: %s", logical, error)
    with open(marker, "w", encoding="utf-8") as f:
        f.write(key)


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def attached(fn):
    """Whether a debugger is connected to this function now."""
    port = port_for(fn)
    return port is not None and port.attached()


def watch_settings():
    """Keep the ports in step with the settings file (dsync writes it before it deploys); once a second, a stat."""

    def loop():
        while True:
            try:
                sync_ports()
            except Exception as error:  # noqa: BLE001 - the next look may do better
                LOG.warning("debug settings: %s", error)
            time.sleep(1.0)

    threading.Thread(target=loop, name="dsync-debug-settings", daemon=True).start()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _hang_up(sock):
    """Close a socket another thread may be blocked on (close() alone neither wakes it nor tells the peer, on Linux)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def _pump(source, sink):
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class DebugPort:
    """The stable port of one debugged function: relays debuggers to its current instance."""

    # Set by the runtime: start an instance of the function's version now (name, region) -> None.
    prewarm = None
    # Set by the runtime: whether the function's deployed version differs from `key`.
    outdated = None

    def __init__(self, logical, port):
        self.logical, self.port = logical, port
        self.serial = threading.Lock()  # one invocation at a time while debugging
        self.inner = None  # the current instance's inspector port
        self.key = None  # the current instance's version
        self.links = set()
        self.lock = threading.Lock()
        self.watching = False
        self.server = socket.create_server(("0.0.0.0", port))
        threading.Thread(target=self._accept, name=f"dsync-debug-{logical}", daemon=True).start()

    def attached(self):
        with self.lock:
            return bool(self.links)

    def use(self, inner, key):
        """A new instance runs (inspector on `inner`): debuggers connected to the old one are let go, to reattach."""
        with self.lock:
            self.inner, self.key = inner, key
            old, self.links = self.links, set()
        for client, upstream in old:
            _hang_up(client)
            _hang_up(upstream)

    def close(self):
        _hang_up(self.server)
        self.use(None, None)

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._link, args=(client,), daemon=True).start()

    @property
    def function(self):
        return function_of(self.logical)

    def _refresh(self):
        """No instance yet, or one of an older version (saved while no debugger was attached): start the current one."""
        try:
            function = self.function
            if function and DebugPort.prewarm and (self.inner is None or (DebugPort.outdated and DebugPort.outdated(*function, self.key))):
                DebugPort.prewarm(*function)
        except Exception as error:  # noqa: BLE001 - the function is being replaced, or cannot start: try again shortly
            LOG.warning("debug port %s of %s: %s", self.port, self.logical, error)

    def _upstream(self):
        deadline = time.monotonic() + CONNECT_S
        while time.monotonic() < deadline:
            self._refresh()
            if self.inner is not None:
                try:
                    return socket.create_connection(("127.0.0.1", self.inner), timeout=2)
                except OSError:
                    pass  # the inspector is not listening yet
            time.sleep(0.05)
        return None

    def _link(self, client):
        upstream = self._upstream()
        if upstream is None:
            client.close()
            return
        upstream.settimeout(None)
        pair = (client, upstream)
        with self.lock:
            self.links.add(pair)
            start_watch = not self.watching
            self.watching = True
        if start_watch:
            threading.Thread(target=self._watch, daemon=True).start()
        threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
        _pump(client, upstream)
        with self.lock:
            self.links.discard(pair)

    def _watch(self):
        """While a debugger is connected: a new version starts its instance at once."""
        try:
            while self.attached():
                self._refresh()
                time.sleep(WATCH_S)
        finally:
            with self.lock:
                self.watching = False
