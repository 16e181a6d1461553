"""EventBridge schedule expressions (pure): rate(N minutes|hours|days) and
the six fields of cron(minutes hours day-of-month month day-of-week year),
with AWS's `?`, `L` (last day; `5L`, the last Thursday), `W` (the weekday
nearest a day), `#` (`6#3`, the third Friday), names (JAN, MON) and steps.
Days of the week are 1-7 from Sunday, as AWS numbers them. All in UTC
unless a time zone is given."""

import calendar
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

MONTHS = {name: i for i, name in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}
DAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
RATE = re.compile(r"rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$")
UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}
MAX_DAYS = 366 * 5


class ScheduleError(ValueError):
    """An expression EventBridge would refuse."""


def rate_seconds(expression):
    """The period of a rate() expression in seconds, or None when it is no rate()."""
    match = RATE.match(expression.strip())
    if not match:
        return None
    count, unit = int(match.group(1)), match.group(2).rstrip("s")
    if count < 1:
        raise ScheduleError(f"{expression}: the rate must be at least 1")
    return count * UNIT_S[unit]


def _values(field, low, high, names=None):
    """The set of numbers a plain cron field allows (no L, W or #)."""
    out = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _number(a, names), _number(b, names)
        else:
            start = _number(part, names)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise ScheduleError(f"{field}: out of range {low}-{high}")
        out.update(range(start, end + 1, step))
    return out


def _number(text, names):
    text = text.strip().upper()
    if names and text in names:
        return names[text]
    if not text.isdigit():
        raise ScheduleError(f"{text} is not a number")
    return int(text)


def _day_matches(dom, dow, day):
    """Whether `day` (a date) fits the day-of-month and day-of-week fields."""
    last = calendar.monthrange(day.year, day.month)[1]
    aws_dow = (day.weekday() + 1) % 7 + 1  # Monday is 0 in Python; AWS: Sunday 1 .. Saturday 7
    if dom != "?":
        if dom == "L":
            return day.day == last
        if dom.endswith("W"):
            target = min(int(dom[:-1]), last)
            wanted = day.replace(day=target)
            if wanted.weekday() == 5:
                wanted -= timedelta(days=1) if target > 1 else timedelta(days=-2)
            elif wanted.weekday() == 6:
                wanted += timedelta(days=1) if target < last else timedelta(days=-2)
            return day == wanted
        return day.day in _values(dom, 1, 31)
    if dow == "?":
        return True
    if "#" in dow:
        weekday, nth = dow.split("#", 1)
        return aws_dow == _number(weekday, DAYS) and (day.day - 1) // 7 + 1 == int(nth)
    if dow.endswith("L"):
        return aws_dow == _number(dow[:-1] or "7", DAYS) and day.day + 7 > last
    return aws_dow in _values(dow, 1, 7, DAYS)


def parse_cron(expression):
    """The six fields of a cron() expression."""
    match = re.match(r"cron\((.*)\)$", expression.strip())
    fields = match.group(1).split() if match else []
    if len(fields) != 6:
        raise ScheduleError(f"{expression}: cron() takes six fields (minutes hours day-of-month month day-of-week year)")
    if (fields[2] == "?") == (fields[4] == "?"):
        raise ScheduleError(f"{expression}: one of day-of-month and day-of-week must be ?")
    return fields


def next_cron(expression, after, timezone=None):
    """The first time strictly after `after` (an aware datetime) that the cron() expression names, or None."""
    minutes, hours, dom, month, dow, year = parse_cron(expression)
    minute_set, hour_set = _values(minutes, 0, 59), _values(hours, 0, 23)
    month_set, year_set = _values(month, 1, 12, MONTHS), _values(year, 1970, 2199)
    zone = ZoneInfo(timezone) if timezone else UTC
    local = after.astimezone(zone).replace(second=0, microsecond=0) + timedelta(minutes=1)
    day = local.date()
    for _ in range(MAX_DAYS):
        if day.year in year_set and day.month in month_set and _day_matches(dom, dow, day):
            for hour in sorted(hour_set):
                for minute in sorted(minute_set):
                    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                    if moment >= local:
                        return moment.astimezone(UTC)
        day += timedelta(days=1)
    return None


def next_run(expression, after, timezone=None):
    """When a rate() or cron() (or at()) expression fires next after `after`; None when never again."""
    text = expression.strip()
    period = rate_seconds(text)
    if period is not None:
        return after + timedelta(seconds=period)
    if text.startswith("cron("):
        return next_cron(text, after, timezone)
    if text.startswith("at("):
        zone = ZoneInfo(timezone) if timezone else UTC
        moment = datetime.fromisoformat(text[3:-1]).replace(tzinfo=zone).astimezone(UTC)
        return moment if moment > after else None
    raise ScheduleError(f"{expression}: not a rate(), cron() or at() expression")
