#!/usr/bin/env python3
"""Writes the project's own conformance vectors into tests/vectors/.

Expected instants of the time vectors are computed here by an independent model of
DESIGN.md section 3 written on Python's zoneinfo (PEP 495 folds), not by the Rust code; the
rest are written out by hand from PROTOCOL.md and docs/protocol.md. Run it after changing a
vector: `python3 scripts/make_vectors.py`; `make test` checks the files are up to date.
"""
import calendar
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "vectors")
VECTORS = []


def vec(name, request, expect, absent=None):
    """A vector; `absent` lists paths the response must not have (what a subset cannot say)."""
    v = {"name": name, "request": request, "expect": expect}
    if absent:
        v["absent"] = absent
    VECTORS.append(v)


def vec_text(name, text, expect):
    """A vector whose request is sent as this exact text (what a JSON value cannot hold)."""
    VECTORS.append({"name": name, "request_text": text, "expect": expect})


def ok(result):
    return {"ok": True, "result": result}


def err(code, path):
    return {"ok": False, "error": {"code": code, "path": path}}


# ---- independent model of the time rules -------------------------------------------------

def parse(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def render(dt):
    off = dt.utcoffset()
    secs = int(off.total_seconds())
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + "%s%02d:%02d" % (sign, secs // 3600, secs // 60 % 60)


def cal_of(zone, home):
    return ZoneInfo(zone) if zone else home.tzinfo


def local(dt, cal):
    return dt.astimezone(cal)


def resolve(naive, cal, prefer=None):
    if not isinstance(cal, ZoneInfo):
        return naive.replace(tzinfo=cal)
    a = naive.replace(tzinfo=cal, fold=0)
    b = naive.replace(tzinfo=cal, fold=1)
    back = a.astimezone(timezone.utc).astimezone(cal).replace(tzinfo=None)
    if back != naive:  # gap: fold=0 reads it with the offset before the gap (moves forward)
        return a.astimezone(timezone.utc).astimezone(cal)
    if a.utcoffset() != b.utcoffset():  # fold
        if prefer is not None and b.utcoffset() == prefer:
            return b
        return a
    return a


def shift(d, value, unit):
    if unit == "days":
        return d + timedelta(days=value)
    if unit == "weeks":
        return d + timedelta(days=7 * value)
    months = value * (12 if unit == "years" else 1)
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    day = min(d.day, calendar.monthrange(y, m)[1])
    return d.replace(year=y, month=m, day=day)


def add(start, value, unit, cal):
    loc = local(start, cal)
    naive = shift(loc.replace(tzinfo=None), value, unit)
    return local(resolve(naive, cal, loc.utcoffset()), cal)


def expiry(start, value, unit, mode, cal):
    end = add(start, value, unit, cal)
    if mode == "end_of_day":
        d = local(end, cal).date() + timedelta(days=1)
        end = local(resolve(datetime(d.year, d.month, d.day), cal), cal)
    return end


def days(a, b, cal):
    return (local(b, cal).date() - local(a, cal).date()).days


def expiry_vec(name, start, value, unit, zone=None, mode=None):
    s = parse(start)
    cal = cal_of(zone, s)
    e = expiry(s, value, unit, mode or "exact", cal)
    req = {"op": "expiry", "start": start, "duration": {"value": value, "unit": unit}}
    if mode:
        req["expiry"] = mode
    if zone:
        req["zone"] = zone
    vec(name, req, ok({"start": render(local(s, cal)), "end": render(e), "days": days(s, e, cal)}))


# ---- expiry ----------------------------------------------------------------------------------

expiry_vec("expiry_jan31_plus_1_month_non_leap", "2025-01-31T10:00:00+01:00", 1, "months")
expiry_vec("expiry_mar31_plus_1_month_clamps_to_30", "2025-03-31T08:00:00+00:00", 1, "months")
expiry_vec("expiry_aug31_plus_6_months_clamps_to_feb28", "2025-08-31T12:00:00-03:00", 6, "months")
expiry_vec("expiry_oct31_plus_4_months_leap_feb29", "2027-10-31T12:00:00+00:00", 4, "months")
expiry_vec("expiry_counted_from_start_not_stepwise", "2025-01-31T09:00:00+00:00", 3, "months")
expiry_vec("expiry_leap_day_plus_4_years", "2024-02-29T12:00:00+00:00", 4, "years")
expiry_vec("expiry_leap_day_plus_12_months", "2024-02-29T12:00:00+00:00", 12, "months")
expiry_vec("expiry_leap_day_plus_48_months", "2024-02-29T23:59:59+05:30", 48, "months")
expiry_vec("expiry_weeks_are_seven_days", "2025-12-25T18:00:00+00:00", 3, "weeks")
expiry_vec("expiry_days_across_year_end", "2025-12-20T10:00:00+09:00", 30, "days")
expiry_vec("expiry_zero_is_identity", "2025-06-15T13:45:10+02:00", 0, "days", "Europe/Paris")
expiry_vec("expiry_zero_months_in_fold_keeps_offset", "2026-11-01T01:30:00-05:00", 0, "months", "America/New_York")
expiry_vec("expiry_days_keep_wall_clock_spring", "2026-03-01T09:00:00+01:00", 30, "days", "Europe/Berlin")
expiry_vec("expiry_days_keep_wall_clock_autumn", "2026-10-01T09:00:00+02:00", 30, "days", "Europe/Berlin")
expiry_vec("expiry_into_gap_london", "2026-03-28T01:30:00+00:00", 1, "days", "Europe/London")
expiry_vec("expiry_months_into_gap", "2026-02-08T02:30:00-05:00", 1, "months", "America/New_York")
expiry_vec("expiry_into_fold_keeps_start_offset_summer", "2026-10-24T02:30:00+02:00", 1, "days", "Europe/Berlin")
expiry_vec("expiry_fold_to_fold_winter_offset_kept", "2025-10-26T02:30:00+01:00", 364, "days", "Europe/Berlin")
expiry_vec("expiry_fold_to_fold_summer_offset_kept", "2025-10-26T02:30:00+02:00", 364, "days", "Europe/Berlin")
expiry_vec("expiry_into_fold_from_winter_takes_winter_offset", "2025-12-25T02:30:00+01:00", 10, "months", "Europe/Berlin")
expiry_vec("expiry_southern_hemisphere_dst", "2026-03-01T02:30:00+11:00", 6, "months", "Australia/Sydney")
expiry_vec("expiry_half_hour_zone", "2026-01-15T08:00:00+05:30", 1, "years", "Asia/Kolkata")
expiry_vec("expiry_utc_z_renders_plus_zero", "2026-01-15T08:00:00Z", 2, "years")
expiry_vec("expiry_rendered_in_request_zone", "2026-01-15T08:00:00Z", 1, "months", "Asia/Tokyo")
expiry_vec("expiry_negative_offset_no_zone", "2026-02-28T23:30:00-08:00", 1, "days")
expiry_vec("expiry_end_of_day_fixed_offset", "2026-05-10T00:00:00+03:00", 10, "days", None, "end_of_day")
expiry_vec("expiry_end_of_day_across_dst", "2026-03-20T15:00:00-04:00", 1, "months", "America/New_York", "end_of_day")
expiry_vec("expiry_end_of_day_midnight_gap_santiago", "2026-08-05T12:00:00-04:00", 1, "months", "America/Santiago", "end_of_day")
expiry_vec("expiry_end_of_day_last_day_of_year", "2025-12-31T23:59:59+00:00", 1, "years", "UTC", "end_of_day")
expiry_vec("expiry_large_days", "2000-01-01T00:00:00+00:00", 36500, "days")
vec("expiry_out_of_range_is_invalid_input",
    {"op": "expiry", "start": "9990-01-01T00:00:00Z", "duration": {"value": 20, "unit": "years"}},
    err("INVALID_INPUT", "duration.value"))
vec("error_expiry_bare_date", {"op": "expiry", "start": "2025-01-01", "duration": {"value": 1, "unit": "days"}},
    err("INVALID_INPUT", "start"))
vec("error_expiry_no_offset", {"op": "expiry", "start": "2025-01-01T10:00:00", "duration": {"value": 1, "unit": "days"}},
    err("INVALID_INPUT", "start"))
vec("error_expiry_not_a_real_date", {"op": "expiry", "start": "2025-02-29T10:00:00Z", "duration": {"value": 1, "unit": "days"}},
    err("INVALID_INPUT", "start"))
vec("error_expiry_unknown_zone", {"op": "expiry", "start": "2025-01-01T10:00:00Z", "duration": {"value": 1, "unit": "days"}, "zone": "Europe/Atlantis"},
    err("INVALID_INPUT", "zone"))
vec("error_expiry_negative_value", {"op": "expiry", "start": "2025-01-01T10:00:00Z", "duration": {"value": -1, "unit": "days"}},
    err("INVALID_INPUT", "duration.value"))
vec("error_expiry_fractional_value", {"op": "expiry", "start": "2025-01-01T10:00:00Z", "duration": {"value": 1.5, "unit": "days"}},
    err("INVALID_INPUT", "duration.value"))
vec("error_expiry_value_as_string", {"op": "expiry", "start": "2025-01-01T10:00:00Z", "duration": {"value": "1", "unit": "days"}},
    err("INVALID_INPUT", "duration.value"))
vec("error_expiry_missing_duration", {"op": "expiry", "start": "2025-01-01T10:00:00Z"},
    err("INVALID_INPUT", "duration"))
vec("error_expiry_missing_unit", {"op": "expiry", "start": "2025-01-01T10:00:00Z", "duration": {"value": 1}},
    err("INVALID_INPUT", "duration.unit"))
vec("error_expiry_unknown_field", {"op": "expiry", "start": "2025-01-01T10:00:00Z", "duration": {"value": 1, "unit": "days"}, "colour": "red"},
    err("INVALID_INPUT", "colour"))
vec("error_expiry_unknown_mode", {"op": "expiry", "start": "2025-01-01T10:00:00Z", "duration": {"value": 1, "unit": "days"}, "expiry": "midnight"},
    err("INVALID_INPUT", "expiry"))
vec("error_expiry_uppercase_unit", {"op": "expiry", "start": "2025-01-01T10:00:00Z", "duration": {"value": 1, "unit": "DAYS"}},
    err("INVALID_INPUT", "duration.unit"))

# ---- coverage --------------------------------------------------------------------------------

TV = {"id": "TV-2Y", "duration": {"value": 2, "unit": "years"}, "replacement": "carry_over",
      "reasons": [{"id": "DEFECT", "provides_coverage": True}, {"id": "DROP", "provides_coverage": False},
                  {"id": "POWER_SURGE", "provides_coverage": None},
                  {"id": "DOA", "provides_coverage": True, "replacement": "apply_new"}]}
LOADER = {"id": "LOADER-2Y-2000H", "duration": {"value": 2, "unit": "years"}, "replacement": "carry_over",
          "usage_limit": {"unit": "hours", "limit": "2000"},
          "reasons": [{"id": "DEFECT", "provides_coverage": True}, {"id": "MISUSE", "provides_coverage": False},
                      {"id": "WEAR", "provides_coverage": None}]}


def cov(name, policy, warranty, as_of, expect, zone=None, **extra):
    req = {"op": "coverage", "policy": policy, "warranty": warranty, "as_of": as_of}
    req.update(extra)
    if zone:
        req["zone"] = zone
    vec(name, req, expect)


def cres(outcome, codes, start, end, remaining):
    return ok({"outcome": outcome, "codes": codes, "start": start, "end": end, "remaining_days": remaining})


W = {"start": "2025-06-01T09:00:00+02:00"}
cov("coverage_not_started", TV, W, "2025-05-31T23:00:00+02:00",
    cres("not_covered", ["NOT_STARTED"], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 731), "Europe/Berlin")
cov("coverage_at_start_instant_is_covered", TV, W, "2025-06-01T09:00:00+02:00",
    cres("covered", [], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 730), "Europe/Berlin")
cov("coverage_end_is_exclusive", TV, W, "2027-06-01T09:00:00+02:00",
    cres("not_covered", ["EXPIRED"], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 0), "Europe/Berlin")
cov("coverage_one_second_before_end", TV, W, "2027-06-01T08:59:59+02:00",
    cres("covered", [], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 0), "Europe/Berlin")
cov("coverage_as_of_in_other_offset_counts_local_days", TV, W, "2027-05-30T23:30:00+00:00",
    cres("covered", [], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 1), "Europe/Berlin")
cov("coverage_reason_excluded", TV, W, "2026-01-10T15:00:00+01:00",
    cres("not_covered", ["REASON_EXCLUDED"], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 507), "Europe/Berlin", reason="DROP")
cov("coverage_reason_not_supported", TV, W, "2026-01-10T15:00:00+01:00",
    cres("not_covered", ["REASON_NOT_SUPPORTED"], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 507), "Europe/Berlin", reason="FLOOD")
cov("coverage_reason_ids_are_case_sensitive", TV, W, "2026-01-10T15:00:00+01:00",
    cres("not_covered", ["REASON_NOT_SUPPORTED"], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 507), "Europe/Berlin", reason="defect")
cov("coverage_no_reason_no_reason_code", TV, W, "2026-01-10T15:00:00+01:00",
    cres("covered", [], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 507), "Europe/Berlin")
cov("coverage_expired_and_excluded_all_codes", TV, W, "2028-01-10T15:00:00+01:00",
    cres("not_covered", ["EXPIRED", "REASON_EXCLUDED"], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 0), "Europe/Berlin", reason="DROP")
cov("coverage_expired_and_undecided_is_not_covered", TV, W, "2028-01-10T15:00:00+01:00",
    cres("not_covered", ["EXPIRED", "REASON_UNDECIDED"], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 0), "Europe/Berlin", reason="POWER_SURGE")
LW = {"start": "2026-01-15T07:00:00-06:00", "usage_at_start": "12.5"}
cov("coverage_usage_unknown_needs_review", LOADER, LW, "2026-09-01T07:00:00-05:00",
    cres("needs_review", ["USAGE_UNKNOWN"], "2026-01-15T07:00:00-06:00", "2028-01-15T07:00:00-06:00", 501), "America/Chicago")
cov("coverage_usage_exactly_at_limit_is_covered", LOADER, LW, "2026-09-01T07:00:00-05:00",
    cres("covered", [], "2026-01-15T07:00:00-06:00", "2028-01-15T07:00:00-06:00", 501), "America/Chicago", usage="2012.5")
cov("coverage_usage_just_over_limit", LOADER, LW, "2026-09-01T07:00:00-05:00",
    cres("not_covered", ["USAGE_LIMIT_EXCEEDED"], "2026-01-15T07:00:00-06:00", "2028-01-15T07:00:00-06:00", 501), "America/Chicago", usage="2012.51")
cov("coverage_usage_unknown_and_undecided_needs_review", LOADER, LW, "2026-09-01T07:00:00-05:00",
    cres("needs_review", ["USAGE_UNKNOWN", "REASON_UNDECIDED"], "2026-01-15T07:00:00-06:00", "2028-01-15T07:00:00-06:00", 501), "America/Chicago", reason="WEAR")
cov("coverage_usage_unknown_and_excluded_not_covered", LOADER, LW, "2026-09-01T07:00:00-05:00",
    cres("not_covered", ["USAGE_UNKNOWN", "REASON_EXCLUDED"], "2026-01-15T07:00:00-06:00", "2028-01-15T07:00:00-06:00", 501), "America/Chicago", reason="MISUSE")
cov("coverage_every_kind_of_code_in_order", LOADER, LW, "2028-02-01T07:00:00-06:00",
    cres("not_covered", ["EXPIRED", "USAGE_LIMIT_EXCEEDED", "REASON_EXCLUDED"], "2026-01-15T07:00:00-06:00", "2028-01-15T07:00:00-06:00", 0), "America/Chicago", reason="MISUSE", usage="5000")
cov("coverage_usage_without_cap_is_ignored", TV, {"start": "2025-06-01T09:00:00+02:00", "usage_at_start": "3"}, "2026-01-10T15:00:00+01:00",
    cres("covered", [], "2025-06-01T09:00:00+02:00", "2027-06-01T09:00:00+02:00", 507), "Europe/Berlin", usage="99999")
cov("error_coverage_usage_not_monotonic", LOADER, LW, "2026-09-01T07:00:00-05:00",
    err("INVALID_INPUT", "usage"), "America/Chicago", usage="10")
cov("error_coverage_usage_as_number", LOADER, LW, "2026-09-01T07:00:00-05:00",
    err("INVALID_INPUT", "usage"), "America/Chicago", usage=100)
cov("error_coverage_negative_usage", LOADER, LW, "2026-09-01T07:00:00-05:00",
    err("INVALID_INPUT", "usage"), "America/Chicago", usage="-1")
cov("coverage_carried_over_end_is_used", TV, {"start": "2026-02-10T16:00:00+01:00", "end": "2027-06-01T09:00:00+02:00"}, "2027-05-01T10:00:00+02:00",
    cres("covered", [], "2026-02-10T16:00:00+01:00", "2027-06-01T09:00:00+02:00", 31), "Europe/Berlin", reason="DEFECT")
cov("error_coverage_end_before_start", TV, {"start": "2026-02-10T16:00:00+01:00", "end": "2026-02-09T09:00:00+01:00"}, "2026-05-01T10:00:00+02:00",
    err("INVALID_INPUT", "warranty.end"), "Europe/Berlin")
cov("coverage_end_of_day_policy_covers_whole_last_day",
    {"id": "EOD-1M", "duration": {"value": 1, "unit": "months"}, "expiry": "end_of_day"},
    {"start": "2026-01-31T15:00:00+00:00"}, "2026-02-28T23:59:59+00:00",
    cres("covered", [], "2026-01-31T15:00:00+00:00", "2026-03-01T00:00:00+00:00", 1))
cov("coverage_parts_and_labour_windows_reported",
    {"id": "PL", "duration": {"value": 2, "unit": "years"}, "parts_duration": {"value": 2, "unit": "years"}, "labour_duration": {"value": 90, "unit": "days"}},
    {"start": "2026-01-01T10:00:00+00:00"}, "2026-06-01T10:00:00+00:00",
    ok({"outcome": "covered", "codes": [], "end": "2028-01-01T10:00:00+00:00", "labour_end": "2026-04-01T10:00:00+00:00"}))
cov("error_coverage_policy_missing_duration", {"id": "X"}, W, "2026-01-10T15:00:00+01:00",
    err("INVALID_INPUT", "policy.duration"))
cov("error_coverage_policy_unknown_field", dict(TV, colour="red"), W, "2026-01-10T15:00:00+01:00",
    err("INVALID_INPUT", "policy.colour"))
cov("error_coverage_duplicate_reason", dict(TV, reasons=[{"id": "A", "provides_coverage": True}, {"id": "A", "provides_coverage": False}]),
    W, "2026-01-10T15:00:00+01:00", err("INVALID_INPUT", "policy.reasons[1].id"))
cov("error_coverage_bad_provides_coverage", dict(TV, reasons=[{"id": "A", "provides_coverage": 1}]),
    W, "2026-01-10T15:00:00+01:00", err("INVALID_INPUT", "policy.reasons[0].provides_coverage"))
cov("error_coverage_bad_state", dict(TV, state="EFFECTIVE"), W, "2026-01-10T15:00:00+01:00",
    err("INVALID_INPUT", "policy.state"))
cov("error_coverage_as_of_missing", TV, W, None, err("INVALID_INPUT", "as_of"))
VECTORS[-1]["request"].pop("as_of")

# ---- replace ---------------------------------------------------------------------------------

def rep(name, policy, original, reason, requested_at, issued_at, expect, zone="Europe/Berlin", **extra):
    req = {"op": "replace", "policy": policy, "original": original, "reason": reason,
           "requested_at": requested_at, "issued_at": issued_at}
    req.update(extra)
    if zone:
        req["zone"] = zone
    vec(name, req, expect)


rep("replace_carry_over_downtime_not_lost", TV, W, "DEFECT", "2026-02-10T11:00:00+01:00", "2026-02-17T10:00:00+01:00",
    ok({"mode": "carry_over", "outcome": "covered", "codes": [],
        "replacement": {"start": "2026-02-17T10:00:00+01:00", "end": "2027-06-08T09:00:00+02:00", "remaining_days": 476}}))
rep("replace_chain_second_step_same_day_keeps_end", TV, {"start": "2026-02-10T16:00:00+01:00", "end": "2027-06-01T09:00:00+02:00"},
    "DEFECT", "2026-09-01T12:00:00+02:00", "2026-09-01T18:00:00+02:00",
    ok({"mode": "carry_over", "outcome": "covered", "codes": [],
        "replacement": {"start": "2026-09-01T18:00:00+02:00", "end": "2027-06-01T09:00:00+02:00", "remaining_days": 273}}))
rep("replace_expired_original_not_under_warranty", TV, W, "DEFECT", "2027-07-01T10:00:00+02:00", "2027-07-02T10:00:00+02:00",
    ok({"mode": "carry_over", "outcome": "not_covered", "codes": ["NOT_UNDER_WARRANTY", "EXPIRED"], "replacement": None}))
rep("replace_excluded_reason_not_under_warranty", TV, W, "DROP", "2026-02-10T11:00:00+01:00", "2026-02-10T16:00:00+01:00",
    ok({"mode": "carry_over", "outcome": "not_covered", "codes": ["NOT_UNDER_WARRANTY", "REASON_EXCLUDED"], "replacement": None}))
rep("replace_unlisted_reason_uses_policy_mode", TV, W, "FLOOD", "2026-02-10T11:00:00+01:00", "2026-02-10T16:00:00+01:00",
    ok({"mode": "carry_over", "outcome": "not_covered", "codes": ["NOT_UNDER_WARRANTY", "REASON_NOT_SUPPORTED"], "replacement": None}))
rep("replace_undecided_reason_carries_over_for_review", TV, W, "POWER_SURGE", "2026-02-10T11:00:00+01:00", "2026-02-10T16:00:00+01:00",
    ok({"mode": "carry_over", "outcome": "needs_review", "codes": ["REASON_UNDECIDED"],
        "replacement": {"start": "2026-02-10T16:00:00+01:00", "end": "2027-06-01T09:00:00+02:00", "remaining_days": 476}}))
rep("replace_no_warranty_mode", dict(TV, replacement="no_warranty"), W, "DEFECT", "2026-02-10T11:00:00+01:00", "2026-02-10T16:00:00+01:00",
    ok({"mode": "no_warranty", "outcome": "not_covered", "codes": ["REPLACEMENT_NOT_COVERED"], "replacement": None}))
rep("replace_default_mode_is_no_warranty", {"id": "P", "duration": {"value": 1, "unit": "years"}, "reasons": [{"id": "DEFECT", "provides_coverage": True}]},
    W, "DEFECT", "2026-02-10T11:00:00+01:00", "2026-02-10T16:00:00+01:00",
    ok({"mode": "no_warranty", "outcome": "not_covered", "codes": ["REPLACEMENT_NOT_COVERED"], "replacement": None}))
rep("replace_apply_new_from_policy", dict(TV, replacement="apply_new"), W, "DEFECT", "2026-02-10T11:00:00+01:00", "2026-02-12T16:00:00+01:00",
    ok({"mode": "apply_new", "outcome": "covered", "codes": [],
        "replacement": {"start": "2026-02-12T16:00:00+01:00", "end": "2028-02-12T16:00:00+01:00", "remaining_days": 730}}))
rep("replace_reason_override_to_carry_over", dict(TV, replacement="no_warranty", reasons=[{"id": "DEFECT", "provides_coverage": True, "replacement": "carry_over"}]),
    W, "DEFECT", "2026-02-10T11:00:00+01:00", "2026-02-10T16:00:00+01:00",
    ok({"mode": "carry_over", "outcome": "covered", "codes": [],
        "replacement": {"end": "2027-06-01T09:00:00+02:00", "remaining_days": 476}}))
rep("replace_carry_over_usage_unknown_needs_review", LOADER, LW, "DEFECT", "2026-09-01T07:00:00-05:00", "2026-09-03T07:00:00-05:00",
    ok({"mode": "carry_over", "outcome": "needs_review", "codes": ["USAGE_UNKNOWN"],
        "replacement": {"start": "2026-09-03T07:00:00-05:00", "end": "2028-01-17T07:00:00-06:00", "remaining_days": 501}}), "America/Chicago")
rep("replace_carry_over_usage_exceeded", LOADER, LW, "DEFECT", "2026-09-01T07:00:00-05:00", "2026-09-03T07:00:00-05:00",
    ok({"mode": "carry_over", "outcome": "not_covered", "codes": ["NOT_UNDER_WARRANTY", "USAGE_LIMIT_EXCEEDED"], "replacement": None}),
    "America/Chicago", usage="3000")
rep("error_replace_issued_before_requested", TV, W, "DEFECT", "2026-02-10T11:00:00+01:00", "2026-02-10T10:59:59+01:00",
    err("INVALID_INPUT", "issued_at"))
rep("error_replace_missing_reason", TV, W, None, "2026-02-10T11:00:00+01:00", "2026-02-10T16:00:00+01:00",
    err("INVALID_INPUT", "reason"))
VECTORS[-1]["request"].pop("reason")
rep("error_replace_original_end_before_start", TV, {"start": "2026-02-10T16:00:00+01:00", "end": "2026-01-01T00:00:00+01:00"}, "DEFECT",
    "2026-02-10T17:00:00+01:00", "2026-02-10T18:00:00+01:00", err("INVALID_INPUT", "original.end"))

# ---- resolve ---------------------------------------------------------------------------------

def pol(pid, cover, **kw):
    p = {"id": pid, "duration": {"value": 1, "unit": "years"}, "covers": cover}
    p.update(kw)
    return p


def res(name, policies, item, sold_at, expect, **extra):
    req = {"op": "resolve", "policies": policies, "item": item, "sold_at": sold_at}
    req.update(extra)
    vec(name, req, expect)


def won(policy, matched_by, candidates, **more):
    r = {"outcome": "covered", "codes": [], "policy": policy, "matched_by": matched_by,
         "candidates": [{"policy": p, "matched_by": m} for p, m in candidates]}
    r.update(more)
    return ok(r)


NOMATCH = ok({"outcome": "not_covered", "codes": ["NO_POLICY_MATCH"], "policy": None, "matched_by": None, "candidates": []})
SOLD = "2026-05-01T12:00:00+02:00"
res("resolve_type_beats_brand_and_family",
    [pol("F", [{"family": "Digital"}]), pol("B", [{"brand": "Philips"}]), pol("T", [{"product_type": "TV"}])],
    {"product_type": "TV", "brand": "Philips", "family": "Digital"}, SOLD,
    won("T", "product_type", [("T", "product_type"), ("B", "brand"), ("F", "family")],
        start="2026-05-01T12:00:00+02:00", end="2027-05-01T12:00:00+02:00"))
res("resolve_policy_counts_once_by_most_specific_key",
    [pol("P", [{"family": "Digital"}, {"brand": "Philips"}])],
    {"brand": "Philips", "family": "Digital"}, SOLD, won("P", "brand", [("P", "brand")]))
res("resolve_tie_later_effective_from_wins",
    [pol("OLD", [{"brand": "X"}], effective_from="2020-01-01T00:00:00+00:00"),
     pol("NEW", [{"brand": "X"}], effective_from="2025-01-01T00:00:00+00:00"),
     pol("NULL", [{"brand": "X"}])],
    {"brand": "X"}, SOLD, won("NEW", "brand", [("NEW", "brand"), ("OLD", "brand"), ("NULL", "brand")]))
res("resolve_tie_lowest_number_string_order",
    [pol("A", [{"brand": "X"}], number="9"), pol("B", [{"brand": "X"}], number="10"), pol("C", [{"brand": "X"}], number="10")],
    {"brand": "X"}, SOLD, won("B", "brand", [("B", "brand"), ("C", "brand"), ("A", "brand")]))
res("resolve_not_effective_is_skipped",
    [pol("OFF", [{"product": "P1"}], state="not_effective"), pol("ON", [{"brand": "X"}])],
    {"product": "P1", "brand": "X"}, SOLD, won("ON", "brand", [("ON", "brand")]))
res("resolve_effective_from_in_future_is_skipped",
    [pol("SOON", [{"product": "P1"}], effective_from="2026-05-01T12:00:01+02:00")],
    {"product": "P1"}, SOLD, NOMATCH)
res("resolve_effective_from_equal_sold_at_applies",
    [pol("NOW", [{"product": "P1"}], effective_from="2026-05-01T10:00:00Z")],
    {"product": "P1"}, SOLD, won("NOW", "product", [("NOW", "product")]))
res("resolve_effective_until_inclusive",
    [pol("UNTIL", [{"product": "P1"}], effective_until="2026-05-01T12:00:00+02:00")],
    {"product": "P1"}, SOLD, won("UNTIL", "product", [("UNTIL", "product")]))
res("resolve_effective_until_passed",
    [pol("UNTIL", [{"product": "P1"}], effective_until="2026-05-01T11:59:59+02:00")],
    {"product": "P1"}, SOLD, NOMATCH)
res("resolve_business_unit_allowed",
    [pol("BU", [{"product": "P1"}], business_units=["NIC-1", "LIM-2"]), pol("ALL", [{"brand": "X"}])],
    {"product": "P1", "brand": "X"}, SOLD, won("BU", "product", [("BU", "product"), ("ALL", "brand")]), business_unit="LIM-2")
res("resolve_business_unit_not_allowed",
    [pol("BU", [{"product": "P1"}], business_units=["NIC-1"]), pol("ALL", [{"brand": "X"}])],
    {"product": "P1", "brand": "X"}, SOLD, won("ALL", "brand", [("ALL", "brand")]), business_unit="LIM-2")
res("resolve_business_unit_missing_excludes_restricted",
    [pol("BU", [{"product": "P1"}], business_units=["NIC-1"])],
    {"product": "P1"}, SOLD, NOMATCH)
res("resolve_match_is_case_sensitive", [pol("B", [{"brand": "Philips"}])], {"brand": "philips"}, SOLD, NOMATCH)
res("resolve_empty_item_matches_nothing", [pol("B", [{"brand": "Philips"}])], {}, SOLD, NOMATCH)
res("resolve_end_of_day_policy_end",
    [pol("EOD", [{"product": "P1"}], expiry="end_of_day", duration={"value": 6, "unit": "months"})],
    {"product": "P1"}, "2026-05-01T12:00:00+02:00",
    won("EOD", "product", [("EOD", "product")], end="2026-11-02T00:00:00+01:00"), zone="Europe/Berlin")
# `candidates` (docs/protocol.md): "all" (the default), "none" (the winner only, `[]`), or N.
THREE = [pol("F", [{"family": "Digital"}]), pol("B", [{"brand": "Philips"}]), pol("T", [{"product_type": "TV"}])]
TV = {"product_type": "TV", "brand": "Philips", "family": "Digital"}
ALL3 = [("T", "product_type"), ("B", "brand"), ("F", "family")]
res("resolve_candidates_all_is_the_default", THREE, TV, SOLD, won("T", "product_type", ALL3,
    message="Covered by T for 1 year until 1 May 2027: it names the product type TV, the most specific of 3 applicable "
            "policies (ties go to the latest effective date, then the lowest number)."), candidates="all")
res("resolve_candidates_none_lists_no_candidate", THREE, TV, SOLD,
    won("T", "product_type", [], message="Covered by T for 1 year until 1 May 2027: it names the product type TV."),
    candidates="none")
res("resolve_candidates_first_two", THREE, TV, SOLD,
    won("T", "product_type", ALL3[:2], message="Covered by T for 1 year until 1 May 2027: it names the product type TV."),
    candidates=2)
res("resolve_candidates_more_than_there_are", THREE, TV, SOLD, won("T", "product_type", ALL3), candidates=10)
res("resolve_candidates_none_without_a_match", THREE, {"brand": "Sony"}, SOLD, NOMATCH, candidates="none")
res("error_resolve_candidates_unknown_word", THREE, TV, SOLD, err("INVALID_INPUT", "candidates"), candidates="some")
res("error_resolve_candidates_negative", THREE, TV, SOLD, err("INVALID_INPUT", "candidates"), candidates=-1)
res("error_resolve_candidates_array", THREE, TV, SOLD, err("INVALID_INPUT", "candidates"), candidates=[1])
res("error_resolve_candidates_object", THREE, TV, SOLD, err("INVALID_INPUT", "candidates"), candidates={"n": 1})
res("error_resolve_duplicate_policy_id", [pol("A", []), pol("A", [])], {}, SOLD, err("INVALID_INPUT", "policies[1].id"))
res("error_resolve_cover_with_two_kinds", [pol("A", [{"brand": "X", "family": "Y"}])], {}, SOLD, err("INVALID_INPUT", "policies[0].covers[0]"))
res("error_resolve_cover_with_no_kind", [pol("A", [{}])], {}, SOLD, err("INVALID_INPUT", "policies[0].covers[0]"))
res("error_resolve_unknown_item_field", [pol("A", [])], {"sku": "1"}, SOLD, err("INVALID_INPUT", "item.sku"))
res("error_resolve_bad_effective_from", [pol("A", [], effective_from="2016-03-15 00:00:00.0")], {}, SOLD,
    err("INVALID_INPUT", "policies[0].effective_from"))
vec("error_resolve_unknown_catalog", {"op": "resolve", "catalog": "nope", "item": {}, "sold_at": SOLD}, err("INVALID_INPUT", "catalog"))
vec("error_resolve_policies_and_catalog", {"op": "resolve", "catalog": "c", "policies": [], "item": {}, "sold_at": SOLD},
    err("INVALID_INPUT", "catalog"))
vec("error_resolve_neither_policies_nor_catalog", {"op": "resolve", "item": {}, "sold_at": SOLD}, err("INVALID_INPUT", "policies"))

# ---- plans -----------------------------------------------------------------------------------

PLAN = {"id": "EXT", "categories": ["tv"], "min_price": "200.00", "max_price": "2500.00",
        "duration": {"value": 3, "unit": "years"}, "sellable_within": {"value": 30, "unit": "days"}, "country": "US"}
CATS = [{"id": "electronics"}, {"id": "tv", "parent": "electronics"}, {"id": "oled", "parent": "tv"}]
ITEM = {"category": "oled", "price": "999.99", "purchased_at": "2026-11-20T14:00:00-05:00", "country": "US"}


def plan(name, plan_over, item_over, sold_at, eligible, codes, **more):
    p = dict(PLAN, **plan_over)
    i = dict(ITEM, **item_over)
    r = {"plan": "EXT", "eligible": eligible, "codes": codes}
    r.update(more)
    vec(name, {"op": "plans", "plans": [p], "categories": CATS, "item": i, "sold_at": sold_at, "zone": "America/New_York"},
        ok({"eligible": ["EXT"] if eligible else [], "plans": [r]}))


plan("plans_descendant_category_eligible", {}, {}, "2026-11-20T14:05:00-05:00", True, [],
     start="2026-11-20T14:00:00-05:00", end="2029-11-20T14:00:00-05:00")
plan("plans_category_not_covered", {}, {"category": "electronics"}, "2026-11-20T14:05:00-05:00", False, ["CATEGORY_NOT_COVERED"])
plan("plans_price_bounds_inclusive", {}, {"price": "2500.00"}, "2026-11-20T14:05:00-05:00", True, [])
plan("plans_price_above_max", {}, {"price": "2500.01"}, "2026-11-20T14:05:00-05:00", False, ["PRICE_ABOVE_MAX"])
plan("plans_price_below_min", {}, {"price": "199.99"}, "2026-11-20T14:05:00-05:00", False, ["PRICE_BELOW_MIN"])
plan("plans_flag_required", {"product_flags": ["portable"]}, {"flags": ["smart"]}, "2026-11-20T14:05:00-05:00", False, ["PRODUCT_FLAG_MISMATCH"])
plan("plans_flag_matches", {"product_flags": ["portable", "smart"]}, {"flags": ["smart"]}, "2026-11-20T14:05:00-05:00", True, [])
plan("plans_sellable_last_day", {}, {}, "2026-12-20T23:00:00-05:00", True, [])
plan("plans_sellable_window_passed", {}, {}, "2026-12-21T00:00:00-05:00", False, ["SELLABLE_WINDOW_PASSED"])
plan("plans_dop_same_day_only", {"sellable_within": {"value": 0, "unit": "days"}}, {}, "2026-11-20T23:59:00-05:00", True, [])
plan("plans_dop_next_day_fails", {"sellable_within": {"value": 0, "unit": "days"}}, {}, "2026-11-21T00:00:00-05:00", False, ["SELLABLE_WINDOW_PASSED"])
plan("plans_not_yet_available", {"available_from": "2027-01-01T00:00:00Z"}, {}, "2026-11-20T14:05:00-05:00", False, ["PLAN_NOT_YET_AVAILABLE"])
plan("plans_no_longer_available", {"available_to": "2026-11-01T00:00:00Z"}, {}, "2026-11-20T14:05:00-05:00", False, ["PLAN_NO_LONGER_AVAILABLE"])
plan("plans_country_mismatch", {}, {"country": "CA"}, "2026-11-20T14:05:00-05:00", False, ["COUNTRY_MISMATCH"])
plan("plans_unrepaired_damage", {}, {"has_damage": True}, "2026-11-20T14:05:00-05:00", False, ["UNREPAIRED_DAMAGE"])
plan("plans_damage_allowed_by_plan", {"covers_damaged": True}, {"has_damage": True}, "2026-11-20T14:05:00-05:00", True, [])
plan("plans_sold_before_purchase", {}, {}, "2026-11-20T13:00:00-05:00", False, ["SOLD_BEFORE_PURCHASE"])
plan("plans_several_failures_listed", {}, {"category": "electronics", "price": "50", "country": "IN"}, "2027-01-20T14:05:00-05:00", False,
     ["CATEGORY_NOT_COVERED", "PRICE_BELOW_MIN", "SELLABLE_WINDOW_PASSED", "COUNTRY_MISMATCH"])
vec("error_plans_price_not_string", {"op": "plans", "plans": [PLAN], "item": dict(ITEM, price=999.99), "sold_at": "2026-11-20T14:05:00-05:00"},
    err("INVALID_INPUT", "item.price"))

# ---- import_crm_com, catalogs, envelope -----------------------------------------------------

CRM_SHOW = {
    "status": {"message": "", "description": "", "code": "OK"},
    "data": {
        "physical_goods_covered": [
            {"product_family": None, "product_brand": {"altCode": "Phillips", "id": "0CCF", "name": "Phillips"}, "product_type": None, "product": None},
            {"product_family": {"id": "C23C", "name": "Digital", "code": None}, "product_brand": None, "product_type": None, "product": None},
            {"product_family": None, "product_brand": None, "product_type": None,
             "product": {"id": "279A", "code": "Decoder-Sakkas", "alternative_code": "D", "product_type": {"name": "Decoders-Sakkas"}}}],
        "effective_date": "2016-03-15 00:00:00.0",
        "coverage_reasoning": [
            {"provides_coverage": 1, "warranty_coverage_reason": {"altCode": "WCR2", "id": "D98A", "name": "Warranty Coverage Reasons 2"}},
            {"provides_coverage": None, "warranty_coverage_reason": {"altCode": "CR1", "id": "0ACA", "name": "Coverage Reason 1"}},
            {"provides_coverage": 0, "replacement_coverage_policy": "APPLY_NEW_WARRANTY", "warranty_coverage_reason": {"altCode": "CR3", "id": "0ACB"}}],
        "number": "3.2", "name": "Warranty Policy 3.2", "duration": 20, "id": "C208D849F5BF4741A81D5D8A977B0302",
        "customer_responsibilities": "Bring Back", "company_responsibilities": "Nothing", "udf_string_1": None, "udf_float_1": 1.5,
        "life_cycle_state": "EFFECTIVE", "unit_of_time": "DAYS", "replacement_coverage_policy": "CARRY_OVER_REMAINING_DURATION",
        "description": None, "expiration_date": None, "alternative_code": "WP3", "log_information": {"created_date": "2016-03-03T14:13:11"}}}
vec("import_crm_com_show_response", {"op": "import_crm_com", "response": CRM_SHOW, "zone": "Europe/Nicosia"},
    ok({"catalog": None, "policies": [{
        "id": "C208D849F5BF4741A81D5D8A977B0302", "number": "3.2", "name": "Warranty Policy 3.2", "alternative_code": "WP3",
        "state": "effective", "duration": {"value": 20, "unit": "days"}, "expiry": "exact", "replacement": "carry_over",
        "effective_from": "2016-03-15T00:00:00+02:00", "effective_until": None,
        "covers": [{"brand": "Phillips"}, {"family": "Digital"}, {"product": "Decoder-Sakkas"}],
        "reasons": [{"id": "WCR2", "provides_coverage": True, "name": "Warranty Coverage Reasons 2"},
                    {"id": "CR1", "provides_coverage": None, "name": "Coverage Reason 1"},
                    {"id": "CR3", "provides_coverage": False, "replacement": "apply_new"}],
        "business_units": [], "usage_limit": None,
        "company_responsibilities": "Nothing", "customer_responsibilities": "Bring Back", "udf": {"udf_float_1": 1.5}}],
        "warnings": []}))
vec("import_crm_com_list_response_summer_date", {"op": "import_crm_com", "zone": "Europe/Nicosia", "response": {
    "status": {"code": "OK"}, "data": [
        {"id": "A", "duration": 1, "unit_of_time": "YEARS", "life_cycle_state": "NOT_EFFECTIVE",
         "replacement_coverage_policy": "NO_WARRANTY", "effective_date": "2016-07-01 09:30:00.0", "expiration_date": "2017-07-01 00:00:00.0",
         "allowed_business_units_set": [{"id": "BU1", "name": "Nicosia"}]},
        {"id": "B", "duration": 6, "unit_of_time": "MONTHS", "replacement_coverage_policy": "APPLY_NEW_WARRANTY"}]}},
    ok({"policies": [
        {"id": "A", "state": "not_effective", "duration": {"value": 1, "unit": "years"}, "replacement": "no_warranty",
         "effective_from": "2016-07-01T09:30:00+03:00", "effective_until": "2017-07-01T00:00:00+03:00", "business_units": ["BU1"]},
        {"id": "B", "state": "effective", "duration": {"value": 6, "unit": "months"}, "replacement": "apply_new",
         "effective_from": None, "covers": [], "reasons": []}]}))
vec("error_import_crm_com_needs_zone", {"op": "import_crm_com", "response": CRM_SHOW}, err("INVALID_INPUT", "zone"))
vec("error_import_crm_com_bad_unit", {"op": "import_crm_com", "zone": "UTC", "response": {"data": [{"id": "A", "duration": 1, "unit_of_time": "FORTNIGHTS"}]}},
    err("INVALID_INPUT", "response.data[0].unit_of_time"))
vec("error_import_crm_com_bad_replacement", {"op": "import_crm_com", "zone": "UTC", "response": {"data": {"id": "A", "duration": 1, "unit_of_time": "DAYS", "replacement_coverage_policy": "MAYBE"}}},
    err("INVALID_INPUT", "response.data.replacement_coverage_policy"))
vec("error_import_crm_com_status_not_ok", {"op": "import_crm_com", "zone": "UTC", "response": {"status": {"code": "ERROR", "message": "token expired"}}},
    err("INVALID_INPUT", "response.status.code"))
vec("error_import_crm_com_cover_without_kind", {"op": "import_crm_com", "zone": "UTC", "response": {"data": [{"id": "A", "duration": 1, "unit_of_time": "DAYS",
    "physical_goods_covered": [{"product": None, "product_brand": None}]}]}}, err("INVALID_INPUT", "response.data[0].physical_goods_covered[0]"))
vec("error_resolve_cover_unknown_key_at_its_path", {"op": "resolve", "policies": [pol("A", [{"colour": "red"}])],
    "item": {}, "sold_at": "2026-05-01T12:00:00+02:00"}, err("INVALID_INPUT", "policies[0].covers[0].colour"))
vec("load_catalog_reports_count", {"op": "load_catalog", "name": "main", "policies": [pol("A", []), pol("B", [])]},
    ok({"name": "main", "policies": 2}))
vec("error_load_catalog_invalid_policy", {"op": "load_catalog", "name": "main", "policies": [pol("A", []), {"id": "B"}]},
    err("INVALID_INPUT", "policies[1].duration"))
vec("error_unload_unknown_catalog", {"op": "unload_catalog", "name": "main"}, err("INVALID_INPUT", "name"))
vec("list_catalogs_fresh_engine_is_empty", {"op": "list_catalogs"}, ok({"catalogs": []}))
vec("version_reports_protocol", {"op": "version"}, ok({"protocol": 1}))
vec("error_missing_op", {"start": "2025-01-01T00:00:00Z"}, err("UNKNOWN_OP", "op"))
vec("error_op_not_string", {"op": 7}, err("UNKNOWN_OP", "op"))
vec("error_op_case_sensitive", {"op": "Expiry"}, err("UNKNOWN_OP", "op"))
vec("error_request_not_object", [1, 2, 3], err("INVALID_INPUT", ""))
vec("error_version_unknown_field", {"op": "version", "verbose": True}, err("INVALID_INPUT", "verbose"))


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import claim_vectors  # noqa: E402

claim_vectors.add(vec, ok, err)

import strict_vectors  # noqa: E402

strict_vectors.add(vec, vec_text, ok, err)

import stack_vectors  # noqa: E402

stack_vectors.add(vec, ok, err, sys.modules[__name__])

SCENARIOS = []
SCENARIO_OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "scenarios")


def scenario(name, steps):
    SCENARIOS.append({"name": name, "steps": steps})


import sync_vectors  # noqa: E402

sync_vectors.add(vec, ok, err, scenario)

import cnh_vectors  # noqa: E402

cnh_vectors.add(vec, ok, err)

import partner_vectors  # noqa: E402

partner_vectors.add(vec, vec_text, ok, err, scenario)

import number_vectors  # noqa: E402

number_vectors.add(vec, vec_text, ok, err)


def main():
    os.makedirs(OUT, exist_ok=True)
    names = set()
    for v in VECTORS:
        assert v["name"] not in names, v["name"]
        names.add(v["name"])
    check = "--check" in sys.argv
    stale = []
    os.makedirs(SCENARIO_OUT, exist_ok=True)
    for v in SCENARIOS:
        assert v["name"] not in names, v["name"]
        names.add(v["name"])
    outputs = [(OUT, v) for v in VECTORS] + [(SCENARIO_OUT, v) for v in SCENARIOS]
    for d, v in outputs:
        path = os.path.join(d, v["name"] + ".json")
        text = json.dumps(v, indent=2, ensure_ascii=False) + "\n"
        if check:
            if not os.path.exists(path) or open(path).read() != text:
                stale.append(path)
        else:
            with open(path, "w") as f:
                f.write(text)
    if check and stale:
        print("stale vectors (run python3 scripts/make_vectors.py):", *stale, sep="\n  ")
        sys.exit(1)
    print(f"{len(VECTORS)} vectors in tests/vectors/ and {len(SCENARIOS)} scenarios in tests/scenarios/ "
          f"{'checked' if check else 'written'}")


main()
