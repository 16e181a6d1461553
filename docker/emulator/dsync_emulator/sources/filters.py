"""FilterCriteria of an event source mapping: which records reach the
function (pure). Each filter's Pattern is an EventBridge pattern (the same
grammar and matcher as rules, eventbridge/patterns.py); a record passes
when any filter matches it. As Lambda does, an SQS `body` and a Kinesis
`data` are matched as the JSON object they hold when they hold one (data
is base64 first), and as plain text otherwise."""

import base64
import binascii
import json

from ..eventbridge.patterns import matches


class FilterError(ValueError):
    pass


def patterns_of(criteria):
    """The parsed patterns of a FilterCriteria ({"Filters": [{"Pattern": "<json>"}]}); [] when none."""
    out = []
    for entry in (criteria or {}).get("Filters") or []:
        text = entry.get("Pattern")
        try:
            pattern = json.loads(text) if isinstance(text, str) else text
        except ValueError as error:
            raise FilterError(f"a FilterCriteria pattern is not JSON: {text!r} ({error})") from error
        if not isinstance(pattern, dict):
            raise FilterError(f"a FilterCriteria pattern must be a JSON object: {text!r}")
        out.append(pattern)
    return out


def _as_json(text):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _matchable(record):
    """The record as the patterns see it: JSON payloads opened."""
    view = dict(record)
    if "body" in view:
        view["body"] = _as_json(view["body"])
    if "kinesis" in view:
        try:
            data = base64.b64decode(view["kinesis"].get("data") or "", validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            data = view["kinesis"].get("data")
        view["data"] = _as_json(data)
    return view


def passes(patterns, record):
    """Whether a record reaches the function: no patterns, or any pattern matches."""
    if not patterns:
        return True
    view = _matchable(record)
    return any(matches(p, view) for p in patterns)
