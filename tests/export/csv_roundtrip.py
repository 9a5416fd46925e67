#!/usr/bin/env python3
"""Reads a CSV export with Python's csv module and compares it, cell by cell,
with the rows a test expected (a JSON file: {"header": [...], "rows": [[...]]}).

Usage: csv_roundtrip.py EXPORT.csv EXPECTED.json
Exits 0 when they match; otherwise prints the first difference and exits 1.
"""
import csv
import json
import sys


def first_difference(header, got, want):
    if len(got) != len(want):
        return f"{len(got)} cells, expected {len(want)}"
    for name, g, w in zip(header, got, want):
        if g != w:
            return f"column {name}: got {g[:120]!r} (length {len(g)}), expected {w[:120]!r} (length {len(w)})"
    return None


def main(csv_path, expected_path):
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    with open(csv_path, "rb") as f:
        raw = f.read()
    if raw and not raw.endswith(b"\r\n"):
        print("the last record does not end with CRLF")
        return 1
    # Outputs of a megabyte are normal: lift the csv module's 128 KB field limit.
    csv.field_size_limit(sys.maxsize)
    with open(csv_path, newline="", encoding="utf-8", errors="strict") as f:
        records = list(csv.reader(f, strict=True))
    if not records or records[0] != expected["header"]:
        print(f"header: got {records[:1]!r}, expected {expected['header']!r}")
        return 1
    body = records[1:]
    if len(body) != len(expected["rows"]):
        print(f"{len(body)} rows, expected {len(expected['rows'])}")
        return 1
    for index, (got, want) in enumerate(zip(body, expected["rows"]), start=1):
        difference = first_difference(records[0], got, want)
        if difference:
            print(f"row {index}: {difference}")
            return 1
    print(f"{len(body)} rows match")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
