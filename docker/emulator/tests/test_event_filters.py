"""FilterCriteria as Lambda applies them (pure): JSON bodies and data opened, plain text kept, any filter passes."""

import base64
import json

import pytest

from dsync_emulator.sources import filters


def criteria(*patterns):
    return {"Filters": [{"Pattern": json.dumps(p)} for p in patterns]}


def test_no_criteria_lets_everything_through():
    assert filters.passes(filters.patterns_of(None), {"body": "x"})
    assert filters.patterns_of({"Filters": []}) == []


def test_an_sqs_body_holding_json_is_matched_as_the_object():
    patterns = filters.patterns_of(criteria({"body": {"kind": ["order"], "total": [{"numeric": [">", 10]}]}}))
    assert filters.passes(patterns, {"body": json.dumps({"kind": "order", "total": 12})})
    assert not filters.passes(patterns, {"body": json.dumps({"kind": "order", "total": 3})})
    assert not filters.passes(patterns, {"body": "kind=order"})  # plain text has no fields


def test_a_plain_text_body_is_matched_as_text():
    patterns = filters.patterns_of(criteria({"body": [{"prefix": "urgent:"}]}))
    assert filters.passes(patterns, {"body": "urgent: call back"})
    assert not filters.passes(patterns, {"body": "later"})


def test_kinesis_data_is_decoded_and_any_filter_passes():
    patterns = filters.patterns_of(criteria({"data": {"temp": [{"numeric": [">", 50]}]}}, {"kinesis": {"partitionKey": ["alarm"]}}))
    record = lambda data, key="p": {"kinesis": {"data": base64.b64encode(json.dumps(data).encode()).decode(), "partitionKey": key}}  # noqa: E731
    assert filters.passes(patterns, record({"temp": 70}))
    assert not filters.passes(patterns, record({"temp": 20}))
    assert filters.passes(patterns, record({"temp": 20}, key="alarm"))


def test_a_dynamodb_record_is_matched_as_it_is():
    patterns = filters.patterns_of(criteria({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["ready"]}}}}))
    assert filters.passes(patterns, {"eventName": "INSERT", "dynamodb": {"NewImage": {"status": {"S": "ready"}}}})
    assert not filters.passes(patterns, {"eventName": "MODIFY", "dynamodb": {"NewImage": {"status": {"S": "ready"}}}})


def test_a_pattern_that_is_not_a_json_object_is_a_clear_error():
    with pytest.raises(filters.FilterError, match="not JSON"):
        filters.patterns_of({"Filters": [{"Pattern": "{body"}]})
    with pytest.raises(filters.FilterError, match="JSON object"):
        filters.patterns_of({"Filters": [{"Pattern": "[1]"}]})
