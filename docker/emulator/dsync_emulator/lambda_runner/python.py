"""Which Python runs a function, and how: the interpreter of the Runtime's
version, running dsync's Runtime API client (python_client.py) on a Runtime
API of its own (api_instance.py).

Where an interpreter may be, in order: /opt/python3.X (built from Debian's
source of CPython, or taken from AWS's image for the runtime, by dsync's
image build), then the image's own (/usr/bin, /usr/local/bin). boto3 and
botocore, which Lambda's Python runtimes carry, come from
/opt/lambda-python/3.X when dsync's image has them for that version.
"""

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "python_client.py")
PYTHON_CANDIDATES = ("/opt/python{version}/bin/python{version}", "/usr/bin/python{version}", "/usr/local/bin/python{version}")
SDK_ROOT = "/opt/lambda-python"


def version_of(runtime):
    match = re.fullmatch(r"python(\d+\.\d+)", runtime or "")
    return match.group(1) if match else None


def python_for(runtime):
    """The interpreter for a pythonX.Y runtime, or (None, why)."""
    version = version_of(runtime)
    for candidate in (c.format(version=version) for c in PYTHON_CANDIDATES):
        if os.access(candidate, os.X_OK):
            return candidate, None
    return None, (
        f"{runtime}: Python {version} is not in the emulator's image (dsync adds the template's Python versions "
        "when it builds the image; run `dsync up` again after changing Runtime)"
    )


def python_command(runtime, env, opt):
    """(argv, env) that run a Python function's instance, or (None, why)."""
    interpreter, why = python_for(runtime)
    if interpreter is None:
        return None, why
    version = version_of(runtime)
    env["PATH"] = f"{os.path.dirname(interpreter)}:{env['PATH']}"
    env["DSYNC_LAYER_ROOT"] = opt
    sdk = os.path.join(SDK_ROOT, version)
    if os.path.isdir(sdk):
        env["DSYNC_PYTHON_SDK"] = sdk
    env.setdefault("PYTHONUNBUFFERED", "1")
    real = os.path.realpath(interpreter)
    lib = os.path.join(os.path.dirname(os.path.dirname(real)), "lib")
    # An interpreter taken from AWS's image links its own libpython (Lambda has /var/lang/lib first).
    _library_path(env, env["LAMBDA_TASK_ROOT"], opt, [lib] if real.startswith("/opt/python") and os.path.isdir(lib) else [])
    return [interpreter, "-s", CLIENT], None


def _library_path(env, task, opt, first):
    """LD_LIBRARY_PATH as Lambda sets it: the runtime's own lib folder, then the task's and the layers' (or what the function sets)."""
    rest = env.get("LD_LIBRARY_PATH") or ":".join([task, f"{task}/lib", f"{opt}/lib"])
    env["LD_LIBRARY_PATH"] = ":".join([*first, rest])


def provided_command(task, opt, env):
    """A `provided` runtime: the `bootstrap` in the package, else in a layer (/opt/bootstrap)."""
    for candidate in (os.path.join(task, "bootstrap"), os.path.join(opt, "bootstrap")):
        if os.path.isfile(candidate):
            if not os.access(candidate, os.X_OK):
                return (
                    None,
                    f"{candidate[len(task) + 1 :] if candidate.startswith(task) else '/opt/bootstrap'} is not executable (Lambda needs chmod +x)",
                )
            env["PATH"] = f"{opt}/bin:{env['PATH']}"
            _library_path(env, task, opt, [])
            return [candidate], None
    return None, "a provided runtime needs an executable `bootstrap` at the root of the package or of a layer; there is none"
