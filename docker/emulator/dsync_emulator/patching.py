"""The one way dsync's emulator patches a library (moto, werkzeug, samtranslator).

moto is a moving target: when it once renamed a method, a bare assignment
quietly added an attribute nobody called, and the emulator ran on without
the fix. So every patch names its owner (a class or a module) and the
attribute, and is checked when it is installed:

- `wrap`, `wrap_classmethod`, `replace`: the attribute must exist (own or
  inherited), and its signature must still have the parameters the
  replacement relies on (in that order, as moto may pass them by position
  or by name).
- `add` (a hook moto looks for by name but lacks on this class): the class
  must not define it itself (else moto grew its own and the addition needs a
  second look), and the moto code that should call it must still name it.
- `add_action` (an API operation moto's server does not answer): the
  response class must not answer it yet, moto must still dispatch a request
  to the method named after its operation, and the operation must be in the
  service model moto reads requests and writes answers with.
- `require`: something the emulator only calls or reads, checked the same way.

A failed check raises PatchError naming the target and the installed
library version, so the emulator fails at start-up instead of silently
doing nothing. Each installed patch is recorded in INSTALLED (for tests).
"""

import functools
import importlib.metadata
import inspect
import types
from dataclasses import dataclass

# Distribution names of the libraries the emulator patches, by top-level module.
_DISTRIBUTIONS = {"moto": "moto", "werkzeug": "werkzeug", "samtranslator": "aws-sam-translator", "botocore": "botocore"}


class PatchError(RuntimeError):
    """A patch target is missing or no longer looks as the patch expects."""


@dataclass(frozen=True)
class Patch:
    """One installed patch: what was put where, and how."""

    owner: object
    name: str
    kind: str  # "wrap", "replace" or "add"
    value: object

    @property
    def target(self):
        return target_name(self.owner, self.name)


INSTALLED: list[Patch] = []


def target_name(owner, name):
    """The dotted name of owner.name, as a developer would look it up."""
    if isinstance(owner, types.ModuleType):
        return f"{owner.__name__}.{name}"
    return f"{owner.__module__}.{getattr(owner, '__qualname__', type(owner).__name__)}.{name}"


def library_version(owner):
    """'moto 5.2.5': the library an owner belongs to and its installed version."""
    module = owner.__name__ if isinstance(owner, types.ModuleType) else getattr(owner, "__module__", "") or ""
    top = module.split(".")[0]
    try:
        return f"{top} {importlib.metadata.version(_DISTRIBUTIONS.get(top, top))}"
    except importlib.metadata.PackageNotFoundError:
        return f"{top} (version unknown)"


def _fail(owner, name, problem):
    raise PatchError(
        f"dsync's emulator cannot patch {target_name(owner, name)}: {problem} "
        f"(installed: {library_version(owner)}; the emulator is written for the version docker/Dockerfile pins)"
    )


def _current(owner, name):
    try:
        return inspect.getattr_static(owner, name)
    except AttributeError:
        return _fail(owner, name, "no such attribute (renamed or removed?)")


def _function_of(value):
    if isinstance(value, (classmethod, staticmethod)):
        return value.__func__
    return value if callable(value) else None


def _check_params(owner, name, value, params):
    """The parameters a replacement relies on are still there, in this order."""
    if not params:
        return
    function = _function_of(value)
    try:
        names = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        _fail(owner, name, f"it is not a function with a signature ({type(value).__name__})")
    missing = [p for p in params if p not in names]
    if missing:
        _fail(owner, name, f"its parameters are ({', '.join(names)}); the patch relies on {', '.join(missing)}")
    positions = [names.index(p) for p in params]
    if positions != sorted(positions):
        _fail(owner, name, f"its parameters ({', '.join(names)}) are no longer in the order {', '.join(params)}")


def _check_not_patched(owner, name, current):
    if any(p.owner is owner and p.name == name and p.value is current for p in INSTALLED):
        _fail(owner, name, "it is patched already (installed twice?)")


def _install(owner, name, kind, value):
    setattr(owner, name, value)
    INSTALLED.append(Patch(owner, name, kind, value))
    return value


def require(owner, name, params=()):
    """owner.name, which the emulator calls or reads: checked like a patch target."""
    _check_params(owner, name, _current(owner, name), params)
    return getattr(owner, name)


def wrap(owner, name, make_wrapper, params=()):
    """Replace owner.name by make_wrapper(original): the wrapper calls the original."""
    current = _current(owner, name)
    _check_not_patched(owner, name, current)
    _check_params(owner, name, current, params)
    return _install(owner, name, "wrap", make_wrapper(getattr(owner, name)))


def wrap_classmethod(cls, name, wrapper, params=()):
    """Replace a classmethod by one that calls wrapper(original function, cls, *args, **kwargs)."""
    current = _current(cls, name)
    _check_not_patched(cls, name, current)
    if not isinstance(current, classmethod):
        _fail(cls, name, f"it is no longer a classmethod ({type(current).__name__})")
    _check_params(cls, name, current, params)
    inner = current.__func__

    # (Not __dict__: an abstract method's __isabstractmethod__ would make moto skip the wrapper.)
    @functools.wraps(inner, updated=())
    def call(klass, *args, **kwargs):
        return wrapper(inner, klass, *args, **kwargs)

    return _install(cls, name, "wrap", classmethod(call))


def replace(owner, name, value, params=()):
    """Put value in place of an attribute the library has (own or inherited); the original is not called.

    `params` are checked on the original: the parameters the library passes
    and the replacement takes."""
    current = _current(owner, name)
    _check_not_patched(owner, name, current)
    _check_params(owner, name, current, params)
    return _install(owner, name, "replace", value)


_sources = {}


def _source_of(owner, name, code):
    key = id(code)
    if key not in _sources:
        try:
            _sources[key] = inspect.getsource(code)
        except (OSError, TypeError) as error:
            _fail(owner, name, f"the source of the code that should call it cannot be read ({error})")
    return _sources[key]


def add(owner, name, value, called_by):
    """Give a class a hook the library looks for by name (getattr/hasattr) and does not define there.

    `called_by` is the library code (function, class or module) that looks
    for it: if that code no longer names the hook, the addition would never be used."""
    if any(p.owner is owner and p.name == name for p in INSTALLED):
        _fail(owner, name, "it is patched already (installed twice?)")
    if name in vars(owner):
        _fail(owner, name, "the library now defines it itself: check whether dsync's addition is still needed, then use replace")
    if name not in _source_of(owner, name, called_by):
        where = called_by.__name__ if isinstance(called_by, types.ModuleType) else target_name(inspect.getmodule(called_by), called_by.__name__)
        _fail(owner, name, f"{where} no longer looks for {name}, so the addition would never be used")
    return _install(owner, name, "add", value)


# What moto's BaseResponse.call_action must still do for an added action to be reached:
# name the method after the request's operation, and look it up among the class's functions.
_DISPATCH_MARKS = ("camelcase_to_underscores(self._get_action())", "method_names_from_class(self.__class__)")


def add_action(response_class, service, operation, handler):
    """Make moto's server answer `operation` (e.g. "StartSyncExecution") of `service` with handler(self).

    moto answers a request with the method of its response class named after
    the operation (start_sync_execution), and with a 500 when there is none."""
    from moto.core.responses import BaseResponse
    from moto.core.utils import camelcase_to_underscores, get_service_model

    name = camelcase_to_underscores(operation)
    if any(p.owner is response_class and p.name == name for p in INSTALLED):
        _fail(response_class, name, "it is patched already (installed twice?)")
    if hasattr(response_class, name):
        _fail(response_class, name, f"moto answers {operation} itself now: check whether dsync's handler is still needed")
    dispatch = _source_of(BaseResponse, "call_action", BaseResponse.call_action)
    if not all(mark in dispatch for mark in _DISPATCH_MARKS):
        _fail(
            BaseResponse, "call_action", f"it no longer dispatches a request to the method named after its operation, so {name} would never be called"
        )
    if operation not in get_service_model(service).operation_names:
        _fail(response_class, name, f"moto's model of {service} has no operation {operation}: it could neither read the request nor write the answer")
    return _install(response_class, name, "add", handler)
