"""A long-lived SAM CLI for dsync: imports samcli once, then runs one command per request.

Each `sam` start costs about two seconds of Python imports and set-up before
any work; dsync sends every `sam sync --code` of a session to this process
instead. Requests are JSON lines on stdin: {"id": N, "argv": [...], "env": {...}}.
The command's output goes to stdout/stderr as usual, then the worker prints
`DSYNC_DONE <id> <exit code>` on both streams. The command line is the same one
dsync would run as a separate `sam` process, so what gets deployed is the same.

A request whose argv runs one of dsync's helpers beside this file
(`python .../verify.py ...`, `python .../npm_patch.py ...`) runs it here, with
the modules already loaded.

The speed-ups patch botocore and samcli; each checks its target first
(require) and stops the worker with the target's name when SAM CLI changed it,
rather than run without it (or, worse, add an attribute nobody reads).
"""

import copy
import importlib.metadata
import importlib.util
import inspect
import json
import os
import sys
import time

BASE_ENV = dict(os.environ)
HELPERS = ("verify.py", "npm_patch.py")


class PatchError(RuntimeError):
    """A library attribute a speed-up patches is missing or changed."""


def require(owner, name, params=(), distribution="aws-sam-cli"):
    """owner.name, checked: it exists and its signature has these parameters."""
    try:
        value = inspect.getattr_static(owner, name)
    except AttributeError:
        value = None
    function = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
    try:
        names = list(inspect.signature(function).parameters) if params else []
    except (TypeError, ValueError):
        names = []
    missing = [p for p in params if p not in names]
    if value is None or missing:
        where = owner.__name__ if inspect.ismodule(owner) else f"{owner.__module__}.{owner.__qualname__}"
        problem = "no such attribute" if value is None else f"no parameter {', '.join(missing)}"
        version = importlib.metadata.version(distribution)
        raise PatchError(f"dsync's SAM worker cannot patch {where}.{name}: {problem} ({distribution} {version})")
    return getattr(owner, name)


def share_botocore_loader():
    """Every boto3 session SAM makes reads the same service models from disk (~0.3 s a client).

    The models are static files, so one loader (with its in-memory cache) is
    shared by all sessions in this process. Credentials and endpoints are not
    cached: they still come from each command's environment.
    """
    import botocore.loaders
    import botocore.session

    shared = {}
    original = require(botocore.loaders, "create_loader", params=("search_path_string",), distribution="botocore")
    require(botocore.session, "create_loader", distribution="botocore")

    def create_loader(search_path_string=None):
        key = search_path_string or ""
        if key not in shared:
            shared[key] = original(search_path_string)
        return shared[key]

    botocore.loaders.create_loader = create_loader
    botocore.session.create_loader = create_loader


def memoize_template_processing():
    """SAM runs its template plugins and intrinsic resolver 3-4 times per command.

    For a 50-function template that is about a second per `sam sync --code`.
    Both functions are pure in their arguments (and the region), so the result
    for the same template and overrides is kept and handed out as a deep copy.
    A changed template is a different key; nothing else changes behaviour.
    """
    from samcli.lib.providers.sam_base_provider import SamBaseProvider

    for name in ("get_template", "get_resolved_template_dict"):
        original = require(SamBaseProvider, name, params=("template_dict", "parameter_overrides"))
        cache = {}

        def cached(template_dict, parameter_overrides=None, *args, _original=original, _cache=cache, **kwargs):
            if args or kwargs.get("language_extension_result") is not None:
                return _original(template_dict, parameter_overrides, *args, **kwargs)
            try:
                key = json.dumps(
                    [template_dict, parameter_overrides, sorted(kwargs.items()), os.environ.get("AWS_REGION")],
                    sort_keys=True,
                    default=repr,
                )
            except (TypeError, ValueError):
                return _original(template_dict, parameter_overrides, **kwargs)
            if key not in _cache:
                if len(_cache) > 16:
                    _cache.clear()
                _cache[key] = _original(copy.deepcopy(template_dict), parameter_overrides, **kwargs)
            return copy.deepcopy(_cache[key])

        setattr(SamBaseProvider, name, staticmethod(cached))


def memoize_yaml_parse():
    """SAM parses the template text with pure-Python PyYAML several times per command.

    For 50 functions that is the largest per-command cost left. The result
    depends only on the text, so parses are kept by text and handed out as
    deep copies. Returns a function that points modules which imported the
    original (some are imported lazily, per command) at the cached one.
    """
    import samcli.yamlhelper as yamlhelper

    original = require(yamlhelper, "yaml_parse", params=("yamlstr",))
    cache = {}

    def yaml_parse(yamlstr):
        if not isinstance(yamlstr, str):
            return original(yamlstr)
        if yamlstr not in cache:
            if len(cache) > 16:
                cache.clear()
            cache[yamlstr] = original(yamlstr)
        return copy.deepcopy(cache[yamlstr])

    yamlhelper.yaml_parse = yaml_parse

    def rebind():
        for module in list(sys.modules.values()):
            if getattr(module, "yaml_parse", None) is original:
                module.yaml_parse = yaml_parse

    return rebind


class Sam:
    """SAM CLI, imported once and sped up."""

    def __init__(self):
        import click
        from samcli.cli.global_config import GlobalConfig
        from samcli.cli.main import cli

        share_botocore_loader()
        memoize_template_processing()
        self.rebind_yaml_parse = memoize_yaml_parse()
        self.click = click
        self.cli = cli
        self.global_config = GlobalConfig

    def opt_in(self, argv):
        """Record sam sync's one-time confirmation, which would otherwise read our request pipe."""
        if "sync" not in argv:
            return
        template = argv[argv.index("--template-file") + 1] if "--template-file" in argv else "template.yaml"
        stack = argv[argv.index("--stack-name") + 1] if "--stack-name" in argv else None
        if stack:
            config = self.global_config()
            # SAM checks the option value as given; record the forms it may see.
            for form in {template, os.path.abspath(template)}:
                if not config.is_accelerate_opt_in_stack(form, stack):
                    config.set_accelerate_opt_in_stack(form, stack)

    def run(self, argv):
        """One `sam` command line; its exit code."""
        self.rebind_yaml_parse()
        self.opt_in(argv)
        code = 0
        try:
            self.cli.main(args=argv, prog_name="sam", standalone_mode=False)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except self.click.exceptions.Abort:
            code = 1
        except self.click.ClickException as error:
            error.show()
            code = error.exit_code or 1
        except Exception as error:  # noqa: BLE001 - report any failure of one command and keep serving
            print(f"Error: {error}", file=sys.stderr, flush=True)
            code = 1
        return code


def helper_path(argv):
    """The script when argv (`python path/verify.py ...`) runs one of dsync's helpers, else None."""
    if len(argv) > 1 and os.path.basename(argv[1]) in HELPERS:
        return argv[1]
    return None


def run_helper(path, args):
    """Run a helper's main(args) in this process; each script is loaded once (by its path)."""
    name = "dsync_sam_tools_" + os.path.splitext(os.path.basename(path))[0]
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module.main(args)


def run(sam, request):
    argv = request["argv"]
    if argv and argv[0] == "sam":
        argv = argv[1:]
    os.environ.clear()
    os.environ.update(BASE_ENV)
    os.environ.update(request.get("env", {}))
    os.chdir(request.get("cwd", os.getcwd()))
    helper = helper_path(argv)
    if helper is not None:
        return run_helper(helper, argv[2:])
    return sam.run(argv)


def main():
    sam = Sam()
    print("DSYNC_READY", flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request = json.loads(line)
        started = time.time()
        code = run(sam, request)
        # The marker goes on both streams: each pipe keeps its own order, but the
        # two are read independently, so only both markers say all output is in.
        sys.stdout.flush()
        print(f"DSYNC_DONE {request['id']} {code}", file=sys.stderr, flush=True)
        print(f"DSYNC_DONE {request['id']} {code} {int((time.time() - started) * 1000)}", flush=True)


if __name__ == "__main__":
    main()
