#!/usr/bin/env python3
"""Prints criterion's last estimates (target/criterion/<group>/<bench>/new/estimates.json) as
`group/bench  median`, for the notes and docs/performance.md. usage: criterion-table.py [PREFIX]"""
import json
import os
import sys

root = os.path.join(os.path.dirname(__file__), "..", "target", "criterion")
prefix = sys.argv[1] if len(sys.argv) > 1 else ""


def fmt(ns):
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.2f µs" % (ns / 1e3)
    return "%.1f ns" % ns


for group in sorted(os.listdir(root)):
    if not group.startswith(prefix):
        continue
    gdir = os.path.join(root, group)
    for bench in sorted(os.listdir(gdir)):
        est = os.path.join(gdir, bench, "new", "estimates.json")
        if os.path.exists(est):
            with open(est) as f:
                median = json.load(f)["median"]["point_estimate"]
            print("%-60s %s" % (group + "/" + bench, fmt(median)))
