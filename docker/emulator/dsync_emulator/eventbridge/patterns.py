"""EventBridge event patterns, matched as EventBridge matches them (pure).

A pattern is an object whose leaves are arrays of matchers; a field matches
when any of its values (an array in the event counts value by value)
matches any matcher. Matchers: literals (strings, numbers compared as
numbers, booleans, null), prefix, suffix (both also with
equals-ignore-case), equals-ignore-case, wildcard, anything-but (a value, a
list, or prefix/suffix/equals-ignore-case/wildcard), numeric ranges, exists
and cidr; `$or` takes alternatives. A nested pattern applies to a nested
object, or to any object of an array of them. moto's own matcher missed
arrays of objects, took `true` for 1 and let an unknown operator match
everything.
"""

import ipaddress
import re

NUMERIC_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "=": lambda a, b: a == b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def matches(pattern, event):
    """Whether `event` (a dict) matches `pattern` (a dict)."""
    if not isinstance(pattern, dict):
        return False
    for key, rule in pattern.items():
        if key == "$or":
            if not any(matches(alternative, event) for alternative in rule or []):
                return False
            continue
        present = isinstance(event, dict) and key in event
        value = event.get(key) if present else None
        if isinstance(rule, dict):
            objects = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]
            if not (any(matches(rule, o) for o in objects) or (not present and _only_absence(rule))):
                return False
        elif isinstance(rule, list):
            if not _field(rule, present, value):
                return False
        else:
            return False
    return True


def _only_absence(rule):
    """A nested pattern a missing object still matches: every leaf asks for `exists: false`."""
    for leaf in rule.values():
        if isinstance(leaf, dict):
            if not _only_absence(leaf):
                return False
        elif not (isinstance(leaf, list) and any(isinstance(m, dict) and m.get("exists") is False for m in leaf)):
            return False
    return bool(rule)


def _field(matchers, present, value):
    values = value if isinstance(value, list) else [value]
    for matcher in matchers:
        if isinstance(matcher, dict):
            if len(matcher) != 1:
                continue
            ((op, arg),) = matcher.items()
            if op == "exists":
                if bool(arg) == (present and not isinstance(value, dict)):
                    return True
            elif present and any(_operator(op, arg, v) for v in values):
                return True
        elif present and any(_literal(matcher, v) for v in values):
            return True
    return False


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _literal(expected, v):
    if expected is None:
        return v is None
    if isinstance(expected, bool):
        return isinstance(v, bool) and v == expected
    if _is_number(expected):
        return _is_number(v) and float(v) == float(expected)
    return isinstance(v, str) and v == expected


def _text_op(arg, v, test):
    """prefix/suffix: a string, or {"equals-ignore-case": string}."""
    if not isinstance(v, str):
        return False
    if isinstance(arg, dict) and "equals-ignore-case" in arg:
        return test(v.lower(), str(arg["equals-ignore-case"]).lower())
    return isinstance(arg, str) and test(v, arg)


def _wildcard(arg, v):
    if not isinstance(v, str) or not isinstance(arg, str):
        return False
    parts = re.split(r"(?<!\\)\*", arg)
    return re.fullmatch(".*".join(re.escape(p.replace("\\*", "*")) for p in parts), v, re.S) is not None


def _numeric(arg, v):
    if not _is_number(v) or not isinstance(arg, list) or len(arg) % 2:
        return False
    return all(
        op in NUMERIC_OPS and _is_number(bound) and NUMERIC_OPS[op](float(v), float(bound)) for op, bound in zip(arg[::2], arg[1::2], strict=True)
    )


def _anything_but(arg, v):
    if isinstance(arg, dict):
        return len(arg) == 1 and not _operator(*next(iter(arg.items())), v) and v is not None
    excluded = arg if isinstance(arg, list) else [arg]
    return not any(_literal(e, v) for e in excluded)


def _cidr(arg, v):
    try:
        return isinstance(v, str) and ipaddress.ip_address(v) in ipaddress.ip_network(str(arg), strict=False)
    except ValueError:
        return False


def _operator(op, arg, v):
    if op == "prefix":
        return _text_op(arg, v, str.startswith)
    if op == "suffix":
        return _text_op(arg, v, str.endswith)
    if op == "equals-ignore-case":
        return isinstance(v, str) and any(isinstance(a, str) and v.lower() == a.lower() for a in (arg if isinstance(arg, list) else [arg]))
    if op == "wildcard":
        return _wildcard(arg, v)
    if op == "numeric":
        return _numeric(arg, v)
    if op == "anything-but":
        return _anything_but(arg, v)
    if op == "cidr":
        return _cidr(arg, v)
    return False  # an operator EventBridge does not have matches nothing
