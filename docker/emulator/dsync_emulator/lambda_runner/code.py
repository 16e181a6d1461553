"""A function version's code on disk: its zip and its layers, unpacked once."""

import io
import os
import shutil
import threading
import uuid
import zipfile

from moto.awslambda import models as lam

WORK_DIR = "/tmp/dsync-lambda"


def unzip(data, target):
    """Unpack a zip as Lambda does, keeping file modes and nothing outside `target`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = info.filename
            if name.startswith("/") or ".." in name.split("/"):
                continue
            archive.extract(info, target)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(os.path.join(target, name), mode | 0o400)


def _unpack_layers(fn, opt, folder):
    backend = lam.lambda_backends[fn.account_id][fn.region]
    for layer in fn.layers or []:
        arn = layer.get("Arn", "")
        parts = arn.split(":")
        try:
            version = backend.get_layer_version(parts[6], parts[7])
            unzip(version.code_bytes, opt)
        except Exception:  # noqa: BLE001 - a layer moto cannot give is left out, said in the logs
            with open(os.path.join(folder, "missing-layers"), "a") as f:
                f.write(arn + "\n")


def _ready_key(base):
    """The version unpacked in `base`, when it is complete."""
    try:
        with open(os.path.join(base, ".ready"), encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


class Unpacker:
    """Unpacks each version once; one caller at a time per version, into a fresh
    folder renamed into place: two cold starts at once never unpack over each other."""

    def __init__(self):
        self.lock = threading.Lock()
        self.guards = {}  # version folder -> lock

    def prepare(self, fn, key, base=None):
        """(task dir, the folder standing for /opt) of this version; in `base` when given (a debugged
        function's one folder for every version), else in a folder of the version's own."""
        base = base or os.path.join(WORK_DIR, f"{fn.function_name}-{key}")
        task, opt = os.path.join(base, "task"), os.path.join(base, "opt")
        with self.lock:
            guard = self.guards.setdefault(base, threading.Lock())
        with guard:
            if _ready_key(base) == key:
                return task, opt
            fresh = f"{base}.{uuid.uuid4().hex[:8]}"
            os.makedirs(os.path.join(fresh, "task"))
            os.makedirs(os.path.join(fresh, "opt"))
            unzip(fn.code_bytes, os.path.join(fresh, "task"))
            _unpack_layers(fn, os.path.join(fresh, "opt"), fresh)
            with open(os.path.join(fresh, ".ready"), "w") as f:
                f.write(key)
            shutil.rmtree(base, ignore_errors=True)
            os.rename(fresh, base)
        return task, opt


def retire(base, keep=()):
    """Drop a version's unpacked code, in the background (not a folder in `keep`: a debugged function's, which the next version reuses)."""
    if any(os.path.commonpath([base, k]) == k for k in keep):
        return
    threading.Thread(target=shutil.rmtree, args=(base,), kwargs={"ignore_errors": True}, daemon=True).start()
