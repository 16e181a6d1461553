"""EventBridge patterns and inputs (pure): AWS's semantics, case by case."""

import json

import pytest

from dsync_emulator.eventbridge.inputs import payload_for, resolve, transform
from dsync_emulator.eventbridge.patterns import matches

EVENT = {
    "source": "shop.orders",
    "detail-type": "OrderPlaced",
    "detail": {
        "id": "o-17",
        "total": 42.5,
        "paid": True,
        "note": None,
        "customer": {"tier": "Gold", "ip": "10.0.3.7"},
        "items": [{"sku": "pen", "qty": 2}, {"sku": "ink", "qty": 1}],
        "tags": ["new", "promo"],
    },
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"source": ["shop.orders"]}, True),
        ({"source": ["shop.other"]}, False),
        ({"detail": {"total": [42.5]}}, True),
        ({"detail": {"total": ["42.5"]}}, False),  # a string is not a number
        ({"detail": {"paid": [1]}}, False),  # true is not 1
        ({"detail": {"paid": [True]}}, True),
        ({"detail": {"note": [None]}}, True),
        ({"detail": {"tags": ["promo"]}}, True),  # any value of an array
        ({"detail": {"items": {"sku": ["ink"]}}}, True),  # any object of an array
        ({"detail": {"items": {"sku": ["ink"], "qty": [2]}}}, False),  # both in one object
        ({"detail-type": [{"prefix": "Order"}]}, True),
        ({"detail-type": [{"suffix": "Placed"}]}, True),
        ({"detail-type": [{"prefix": {"equals-ignore-case": "order"}}]}, True),
        ({"detail": {"customer": {"tier": [{"equals-ignore-case": "GOLD"}]}}}, True),
        ({"detail-type": [{"wildcard": "Order*d"}]}, True),
        ({"detail": {"customer": {"tier": [{"anything-but": ["Silver", "Bronze"]}]}}}, True),
        ({"detail": {"customer": {"tier": [{"anything-but": "Gold"}]}}}, False),
        ({"detail": {"customer": {"tier": [{"anything-but": {"prefix": "Go"}}]}}}, False),
        ({"detail": {"missing": [{"anything-but": "x"}]}}, False),  # anything-but needs the field
        ({"detail": {"total": [{"numeric": [">", 40, "<=", 42.5]}]}}, True),
        ({"detail": {"total": [{"numeric": [">", 50]}]}}, False),
        ({"detail": {"paid": [{"numeric": [">", 0]}]}}, False),  # a boolean is no number
        ({"detail": {"id": [{"exists": True}]}}, True),
        ({"detail": {"coupon": [{"exists": False}]}}, True),
        ({"detail": {"customer": [{"exists": True}]}}, False),  # exists is for leaves
        ({"detail": {"customer": {"ip": [{"cidr": "10.0.0.0/16"}]}}}, True),
        ({"detail": {"id": [{"prefx": "o"}]}}, False),  # no such operator: nothing matches
        ({"$or": [{"source": ["x"]}, {"detail": {"total": [42.5]}}]}, True),
        ({"$or": [{"source": ["x"]}, {"detail": {"total": [1]}}]}, False),
    ],
)
def test_patterns_match_as_eventbridge_matches(pattern, expected):
    assert matches(pattern, EVENT) is expected


def test_paths_and_input_transformers():
    assert resolve("$.detail.items[1].sku", EVENT) == "ink"
    assert resolve("$.detail.nothing", EVENT) is None
    template = '{"order": <id>, "text": "order <id> for <tier> (paid: <paid>)", "total": <total>, "rule": "<aws.events.rule-name>"}'
    out = transform(
        template,
        {"id": "$.detail.id", "tier": "$.detail.customer.tier", "paid": "$.detail.paid", "total": "$.detail.total"},
        EVENT,
        "arn:r",
        "my-rule",
    )
    assert json.loads(out) == {"order": "o-17", "text": "order o-17 for Gold (paid: true)", "total": 42.5, "rule": "my-rule"}
    quoted = transform('{"say": "<q>"}', {"q": "$.q"}, {"q": 'he said "hi"'}, "arn:r", "r")
    assert json.loads(quoted) == {"say": 'he said "hi"'}
    assert transform("Order <id> placed", {"id": "$.detail.id"}, EVENT, "arn:r", "r") == "Order o-17 placed"  # no JSON: text


def test_what_a_target_receives():
    assert payload_for({"Input": '{"fixed": 1}'}, EVENT, "arn", "r") == '{"fixed": 1}'
    assert json.loads(payload_for({"InputPath": "$.detail.customer"}, EVENT, "arn", "r")) == {"tier": "Gold", "ip": "10.0.3.7"}
    assert json.loads(payload_for({}, EVENT, "arn", "r")) == EVENT
