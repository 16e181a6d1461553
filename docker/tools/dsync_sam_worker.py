"""A long-lived SAM CLI for dsync: imports samcli once, then runs one command per request.

Each `sam` start costs about two seconds of Python imports and set-up before
any work; dsync sends every `sam sync --code` of a session to this process
instead. Requests are JSON lines on stdin: {"id": N, "argv": [...], "env": {...}}.
The command's output goes to stdout/stderr as usual, then the worker prints
`DSYNC_DONE <id> <exit code>` on both streams. The command line is the same one
dsync would run as a separate `sam` process, so what gets deployed is the same.
"""
import copy
import json
import os
import sys
import time

import botocore.loaders
import botocore.session
import click

from samcli.cli.global_config import GlobalConfig
from samcli.cli.main import cli

BASE_ENV = dict(os.environ)


def share_botocore_loader():
    """Every boto3 session SAM makes reads the same service models from disk (~0.3 s a client).

    The models are static files, so one loader (with its in-memory cache) is
    shared by all sessions in this process. Credentials and endpoints are not
    cached: they still come from each command's environment.
    """
    shared = {}
    original = botocore.loaders.create_loader

    def create_loader(search_path_string=None):
        key = search_path_string or ""
        if key not in shared:
            shared[key] = original(search_path_string)
        return shared[key]

    botocore.loaders.create_loader = create_loader
    botocore.session.create_loader = create_loader


share_botocore_loader()


def memoize_template_processing():
    """SAM runs its template plugins and intrinsic resolver 3-4 times per command.

    For a 50-function template that is about a second per `sam sync --code`.
    Both functions are pure in their arguments (and the region), so the result
    for the same template and overrides is kept and handed out as a deep copy.
    A changed template is a different key; nothing else changes behaviour.
    """
    from samcli.lib.providers.sam_base_provider import SamBaseProvider

    for name in ("get_template", "get_resolved_template_dict"):
        original = getattr(SamBaseProvider, name)
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


memoize_template_processing()


def memoize_yaml_parse():
    """SAM parses the template text with pure-Python PyYAML several times per command.

    For 50 functions that is the largest per-command cost left. The result
    depends only on the text, so parses are kept by text and handed out as
    deep copies. Returns a function that points modules which imported the
    original (some are imported lazily, per command) at the cached one.
    """
    import samcli.yamlhelper as yamlhelper

    original = yamlhelper.yaml_parse
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
                setattr(module, "yaml_parse", yaml_parse)

    return rebind


rebind_yaml_parse = memoize_yaml_parse()


def opt_in(argv):
    """Record sam sync's one-time confirmation, which would otherwise read our request pipe."""
    if "sync" not in argv:
        return
    template = argv[argv.index("--template-file") + 1] if "--template-file" in argv else "template.yaml"
    stack = argv[argv.index("--stack-name") + 1] if "--stack-name" in argv else None
    if stack:
        config = GlobalConfig()
        # SAM checks the option value as given; record the forms it may see.
        for form in {template, os.path.abspath(template)}:
            if not config.is_accelerate_opt_in_stack(form, stack):
                config.set_accelerate_opt_in_stack(form, stack)


def run(request):
    argv = request["argv"]
    if argv and argv[0] == "sam":
        argv = argv[1:]
    os.environ.clear()
    os.environ.update(BASE_ENV)
    os.environ.update(request.get("env", {}))
    os.chdir(request.get("cwd", os.getcwd()))
    if len(argv) > 1 and os.path.basename(argv[1]) in ("dsync_verify.py", "dsync_patch.py"):
        # dsync's own helpers (the check of what the emulator holds, the npm shortcut), with the modules already loaded here.
        import importlib

        if os.path.dirname(argv[1]) not in sys.path:
            sys.path.insert(0, os.path.dirname(argv[1]))
        return importlib.import_module(os.path.basename(argv[1])[:-3]).main(argv[2:])
    rebind_yaml_parse()
    opt_in(argv)
    code = 0
    try:
        cli.main(args=argv, prog_name="sam", standalone_mode=False)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except click.exceptions.Abort:
        code = 1
    except click.ClickException as error:
        error.show()
        code = error.exit_code or 1
    except Exception as error:  # noqa: BLE001 - report any failure of one command and keep serving
        print(f"Error: {error}", file=sys.stderr, flush=True)
        code = 1
    return code


def main():
    print("DSYNC_READY", flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request = json.loads(line)
        started = time.time()
        code = run(request)
        # The marker goes on both streams: each pipe keeps its own order, but the
        # two are read independently, so only both markers say all output is in.
        sys.stdout.flush()
        print(f"DSYNC_DONE {request['id']} {code}", file=sys.stderr, flush=True)
        print(f"DSYNC_DONE {request['id']} {code} {int((time.time() - started) * 1000)}", flush=True)


if __name__ == "__main__":
    main()
