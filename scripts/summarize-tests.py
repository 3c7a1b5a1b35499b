#!/usr/bin/env python3
"""Counts lit and gtest results and prints the closing line CI reads.

Usage: summarize-tests.py RESULTS_DIR
RESULTS_DIR holds lit.json (lit --output) and one <suite>.json per gtest
binary (--gtest_output=json). Prints the skipped tests by name, then
`N passed, N failed, N skipped`. Exit status 1 when anything failed or when
no test ran at all.
"""

import json
import os
import sys

PASS = {"PASS", "XFAIL"}
SKIP = {"UNSUPPORTED", "SKIPPED", "EXCLUDED"}


def main():
    results = sys.argv[1]
    passed, failed, skipped = [], [], []

    lit_path = os.path.join(results, "lit.json")
    if not os.path.exists(lit_path):
        failed.append("lit: no results (lit did not run)")
    else:
        with open(lit_path) as f:
            for test in json.load(f)["tests"]:
                code, name = test["code"], test["name"]
                if code in PASS:
                    passed.append(name)
                elif code in SKIP:
                    skipped.append(name)
                else:
                    failed.append(f"{name} ({code})")

    for entry in sorted(os.listdir(results)):
        if entry == "lit.json" or not entry.endswith(".json"):
            continue
        with open(os.path.join(results, entry)) as f:
            report = json.load(f)
        suite_name = entry[: -len(".json")]
        for suite in report.get("testsuites", []):
            for test in suite.get("testsuite", []):
                name = f"{suite_name} :: {suite['name']}.{test['name']}"
                if test.get("result") == "SKIPPED" or test.get("status") == "NOTRUN":
                    skipped.append(name)
                elif test.get("failures"):
                    failed.append(name)
                else:
                    passed.append(name)

    for name in skipped:
        print(f"skipped: {name}")
    for name in failed:
        print(f"FAILED: {name}")
    print(f"{len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
