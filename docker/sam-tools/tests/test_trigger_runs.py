"""The trigger-run follower's lines."""

from trigger_runs import line


def test_a_run_that_worked_and_one_that_failed():
    assert line({"ok": True, "source": "Jobs", "target": "Worker", "detail": "3 messages", "error": None}) == "✔ Jobs → Worker: 3 messages"
    failed = {"ok": False, "source": "Feed", "target": "Worker", "detail": "2 records, try 1", "error": "Error: boom"}
    assert line(failed) == "✖ Feed → Worker: 2 records, try 1 — Error: boom"
