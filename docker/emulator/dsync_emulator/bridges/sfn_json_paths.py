"""Step Functions paths that name one value give that value, as AWS does.

moto 5.2.5's execution engine wraps the value of a path that goes through
an array index in a list: `$.Records[0].body` gave `["the body"]` and, after
a Parallel state, `$[0].total` gave `[42]`, where AWS gives `"the body"` and
`42` (moto took a list-wrapping rule meant for filters, `[?(...)]`, and
applied it to every path whose last step sits under an index). A path with
no wildcard, filter, slice, union or `..` names at most one value, and here
it gets that value; any other path is left to moto.

The engine's modules import `extract_json` by name, so each one that holds
it is patched; the one that reads Parameters, ResultSelector and the
input/output paths must be among them.
"""

import functools
import re
import sys

from jsonpath_ng.ext import parse
from moto.stepfunctions.parser.asl.component.common.string import string_expression
from moto.stepfunctions.parser.asl.utils import json_path

from .. import patching

# What makes a path name possibly many values: a wildcard, `..`, a filter or script, a slice or union in brackets.
_MANY = re.compile(r"\*|\.\.|\?\(|\(@|\[[^\]]*[:,][^\]]*\]")


@functools.lru_cache(maxsize=512)
def _parsed(path):
    return parse(path)


def names_one_value(path):
    return _MANY.search(path) is None


def _one_value(original):
    def extract_json(path, data):
        if names_one_value(path):
            found = _parsed(path).find(data)
            if len(found) == 1:
                return found[0].value
        return original(path, data)

    return extract_json


def install():
    original = patching.require(json_path, "extract_json", params=("path", "data"))
    holders = [
        m for n, m in sorted(sys.modules.items()) if n.startswith("moto.stepfunctions.parser.") and getattr(m, "extract_json", None) is original
    ]
    if string_expression not in holders:
        raise patching.PatchError(
            f"{string_expression.__name__} no longer holds moto's extract_json: Step Functions paths through an index "
            f"would give lists (installed: {patching.library_version(json_path)})"
        )
    for module in holders:
        patching.wrap(module, "extract_json", _one_value)
