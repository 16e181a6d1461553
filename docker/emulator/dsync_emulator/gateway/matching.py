"""Which route a request takes, as API Gateway picks it."""

import re


def match(template, path):
    """Match "/items/{id}/{proxy+}" against a path: the parameters, or None."""
    t_parts = [p for p in template.split("/") if p]
    p_parts = [p for p in path.split("/") if p]
    params = {}
    for i, part in enumerate(t_parts):
        if part.startswith("{") and part.endswith("+}"):
            if i >= len(p_parts):
                return None
            params[part[1:-2]] = "/".join(p_parts[i:])
            return params
        if i >= len(p_parts):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = p_parts[i]
        elif part != p_parts[i]:
            return None
    return params if len(t_parts) == len(p_parts) else None


def specificity(template):
    """Literal segments beat {param}, which beats {proxy+}."""
    parts = [p for p in template.split("/") if p]
    literal = sum(1 for p in parts if not p.startswith("{"))
    params = sum(1 for p in parts if p.startswith("{") and not p.endswith("+}"))
    return (literal, params, len(parts))


def function_of(uri):
    """(function name or ARN, qualifier) from a Lambda integration URI."""
    if not uri:
        return None, None
    m = re.search(r"functions/(arn:[^/]+?)/invocations", uri) or re.match(r"^(arn:aws[\w-]*:lambda:[^/]+)$", uri)
    if not m:
        return None, None
    arn = m.group(1)
    parts = arn.split(":")
    name = parts[6] if len(parts) > 6 else arn
    qualifier = parts[7] if len(parts) > 7 else None
    return name, qualifier
