"""What a rule's target receives (pure): the matched event, or the target's
Input (fixed JSON), InputPath (a part of the event) or InputTransformer
(values picked by InputPathsMap, put into InputTemplate). In a JSON
template, a value inside quotes is put in as JSON string content and one
outside quotes as JSON; a template that is no JSON takes the values as text.
The reserved names <aws.events.rule-arn>, <aws.events.rule-name>,
<aws.events.event.ingestion-time> and <aws.events.event> (the whole event)
are filled in too. moto wrote Python's repr (False) into templates, broke
JSON on quotes, ignored Input and InputPath."""

import json
import re

PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def resolve(path, document):
    """A JSONPath of the simple kind EventBridge takes ($.detail.items[0].id); None when absent."""
    if not isinstance(path, str) or not path.startswith("$"):
        return None
    value = document
    for name, index in PATH_PART.findall(path[1:]):
        if name and isinstance(value, dict):
            value = value.get(name)
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return None
    return value


def _inside_string(template, position):
    """Whether `position` in the template is within a JSON string literal."""
    inside = escaped = False
    for ch in template[:position]:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            inside = not inside
    return inside


def transform(template, paths_map, event, rule_arn, rule_name):
    values = {name: resolve(path, event) for name, path in (paths_map or {}).items()}
    values.update(
        {
            "aws.events.rule-arn": rule_arn,
            "aws.events.rule-name": rule_name,
            "aws.events.event.ingestion-time": event.get("time"),
            "aws.events.event": event,
            "aws.events.event.json": event,
        }
    )
    template = template or ""
    try:
        json.loads(PLACEHOLDER.sub("null", template))
        is_json = True
    except ValueError:
        is_json = False

    def put(match):
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        if not is_json:
            return value if isinstance(value, str) else json.dumps(value)
        if _inside_string(template, match.start()):
            return json.dumps(value if isinstance(value, str) else json.dumps(value))[1:-1]
        return json.dumps(value)

    return PLACEHOLDER.sub(put, template)


def payload_for(target, event, rule_arn, rule_name):
    """The text the target receives."""
    if "Input" in target and target["Input"] is not None:
        return target["Input"] if isinstance(target["Input"], str) else json.dumps(target["Input"])
    if target.get("InputPath"):
        return json.dumps(resolve(target["InputPath"], event))
    transformer = target.get("InputTransformer")
    if transformer:
        return transform(transformer.get("InputTemplate"), transformer.get("InputPathsMap"), event, rule_arn, rule_name)
    return json.dumps(event)
