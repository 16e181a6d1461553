"""Schedules: rate() and cron() as EventBridge reads them (pure), and the
emulator's clock firing SAM's Schedule and ScheduleV2 events (moved by the
test, never waited for)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from dsync_emulator.eventbridge import schedules
from dsync_emulator.eventbridge.cron import ScheduleError, next_run
from support import EVENT_LOGGER, deploy, logged_events, make_zip, resources, sam_function, sam_template, upload

T0 = datetime(2026, 12, 3, 10, 7, 30, tzinfo=UTC)  # a Thursday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(5 minutes)", datetime(2026, 12, 3, 10, 12, 30, tzinfo=UTC)),
        ("rate(1 hour)", datetime(2026, 12, 3, 11, 7, 30, tzinfo=UTC)),
        ("cron(0 12 * * ? *)", datetime(2026, 12, 3, 12, 0, tzinfo=UTC)),
        ("cron(0/15 * * * ? *)", datetime(2026, 12, 3, 10, 15, tzinfo=UTC)),
        ("cron(0 8 ? * MON-FRI *)", datetime(2026, 12, 4, 8, 0, tzinfo=UTC)),
        ("cron(0 2 L * ? *)", datetime(2026, 12, 31, 2, 0, tzinfo=UTC)),
        ("cron(0 9 ? * 6#3 *)", datetime(2026, 12, 18, 9, 0, tzinfo=UTC)),  # the third Friday
        ("cron(0 9 ? * 5L *)", datetime(2026, 12, 31, 9, 0, tzinfo=UTC)),  # the last Thursday
        ("cron(0 9 5W * ? *)", datetime(2026, 12, 4, 9, 0, tzinfo=UTC)),  # the 5th is a Saturday: Friday the 4th
        ("cron(30 1 1 JAN ? 2027)", datetime(2027, 1, 1, 1, 30, tzinfo=UTC)),
    ],
)
def test_when_a_schedule_fires_next(expression, expected):
    assert next_run(expression, T0) == expected


def test_a_time_zone_and_refusals():
    assert next_run("cron(0 9 * * ? *)", T0, "Europe/Paris") == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    for bad in ("cron(0 9 * * * *)", "cron(0 9 * *)", "rate(0 minutes)", "every day"):
        with pytest.raises(ScheduleError):
            next_run(bad, T0)


def test_the_clock_fires_schedule_and_schedule_v2_events(emulator, cfn, s3, name, runtime):
    uri = upload(s3, f"{name}/logger.zip", make_zip({"index.js": EVENT_LOGGER}))
    events_ = {
        "Every5": {"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)"}},
        "Nightly": {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "cron(0 2 * * ? *)", "Input": '{"job": "nightly"}'}},
    }
    deploy(cfn, name, sam_template({"Fn": sam_function(uri, runtime, Events=events_)}))
    function = resources(cfn, name)["Fn"][1]
    mine = {resources(cfn, name)["FnEvery5"][1], resources(cfn, name)["FnNightly"][1]}
    ours = lambda arns: sorted(a for a in arns if a.rsplit("/", 1)[-1] in mine)  # noqa: E731
    now = datetime.now(UTC)
    assert ours(schedules.tick(now)) == []  # first seen: nothing fires yet
    assert ours(schedules.tick(now + timedelta(minutes=4))) == []
    fired = ours(schedules.tick(now + timedelta(days=1, minutes=6)))
    assert len(fired) == 2, fired  # five minutes passed, and 2 a.m. came
    got = logged_events(emulator, function, 2)
    scheduled = next(e for e in got if e.get("detail-type") == "Scheduled Event")
    assert scheduled["source"] == "aws.events" and scheduled["resources"][0].endswith(f"rule/{resources(cfn, name)['FnEvery5'][1]}")
    assert {"job": "nightly"} in got


def fire(emulator, stack, logical_id, event=None):
    import requests

    answer = requests.post(f"{emulator.url}/_dsync/trigger/us-east-1/{stack}/{logical_id}", data=event, timeout=30)
    return answer.status_code, answer.json()


def test_dsync_trigger_fires_a_schedule_a_rule_or_a_function_s_one_trigger_now(emulator, cfn, s3, name, runtime):
    uri = upload(s3, f"{name}/logger.zip", make_zip({"index.js": EVENT_LOGGER}))
    events_ = {
        "Hourly": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)"}},
        "Orders": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["shop"]}}},
    }
    template = sam_template(
        {
            "Fn": sam_function(uri, runtime, Events=events_),
            "Other": sam_function(
                uri, runtime, Events={"Nightly": {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "cron(0 2 * * ? *)"}}}
            ),
        }
    )
    deploy(cfn, name, template)
    status, answer = fire(emulator, name, "FnHourly")
    assert (status, answer["kind"]) == (200, "rule")
    assert logged_events(emulator, resources(cfn, name)["Fn"][1], 1)[0]["detail-type"] == "Scheduled Event"
    status, answer = fire(emulator, name, "FnOrders")
    assert status == 400 and "give the event to send" in answer["message"]
    status, _ = fire(emulator, name, "FnOrders", json.dumps({"source": "shop", "detail-type": "x", "detail": {"n": 1}}))
    assert status == 200
    assert any(e.get("detail") == {"n": 1} for e in logged_events(emulator, resources(cfn, name)["Fn"][1], 2))
    status, answer = fire(emulator, name, "Other")  # a function with one trigger: that one
    assert (status, answer["fired"], answer["kind"]) == (200, "OtherNightly", "schedule")
    assert logged_events(emulator, resources(cfn, name)["Other"][1], 1) == [{}]
    status, answer = fire(emulator, name, "Fn")  # two triggers: say which
    assert status == 400 and answer["triggers"] == ["FnHourly", "FnOrders"]
    status, answer = fire(emulator, name, "Nope")
    assert status == 404 and "FnHourly" in answer["triggers"]


def test_the_stack_s_triggers_are_listed_with_their_last_run(emulator, cfn, s3, name, runtime):
    import requests

    uri = upload(s3, f"{name}/logger.zip", make_zip({"index.js": EVENT_LOGGER}))
    sqs = emulator.client("sqs")
    queue_arn = sqs.get_queue_attributes(QueueUrl=sqs.create_queue(QueueName=f"{name}-q")["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events_ = {
        "Hourly": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)"}},
        "Jobs": {"Type": "SQS", "Properties": {"Queue": queue_arn, "BatchSize": 5}},
    }
    deploy(cfn, name, sam_template({"Fn": sam_function(uri, runtime, Events=events_)}))
    fire(emulator, name, "FnHourly")
    listed = {t["id"]: t for t in requests.get(f"{emulator.url}/_dsync/triggers/us-east-1/{name}", timeout=10).json()}
    assert set(listed) == {"FnHourly", "FnJobs"}
    hourly = listed["FnHourly"]
    assert (hourly["kind"], hourly["source"], hourly["state"], hourly["lastError"]) == ("rule", "rate(1 hour)", "ENABLED", None)
    assert hourly["lastRunAt"] and hourly["targets"][0].startswith("function:")
    assert (listed["FnJobs"]["kind"], listed["FnJobs"]["source"]) == ("mapping", f"{name}-q")
