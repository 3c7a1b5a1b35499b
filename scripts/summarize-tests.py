#!/usr/bin/env python3
"""Counts lit and gtest results and prints the closing line CI reads.

Usage: summarize-tests.py RESULTS_DIR
RESULTS_DIR holds lit.json (lit --output), one <suite>.json per gtest
binary (--gtest_output=json), pytest.xml (pytest --junitxml) and fuzz.json
(scripts/run-fuzz.sh --json: the fuzz smoke run as one test, in gtest's JSON
shape). Prints the skipped tests by name, then
`N passed, N failed, N skipped`. Exit status 1 when anything failed or when
no test ran at all.
"""

import json
import os
import sys
import xml.etree.ElementTree as ET

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

    pytest_path = os.path.join(results, "pytest.xml")
    if os.path.exists(pytest_path):
        for case in ET.parse(pytest_path).getroot().iter("testcase"):
            name = f"pytest :: {case.get('classname')}.{case.get('name')}"
            if case.find("skipped") is not None:
                reason = case.find("skipped").get("message", "")
                skipped.append(f"{name} ({reason})")
            elif case.find("failure") is not None or case.find("error") is not None:
                failed.append(name)
            else:
                passed.append(name)

    # Skipped pytest cases share a few reasons (no torch, no GPU): group them.
    groups = {}
    for name in skipped:
        if name.startswith("pytest :: ") and name.endswith(")"):
            reason = name[name.rindex("(") + 1 : -1]
            groups.setdefault(reason, []).append(name)
        else:
            print(f"skipped: {name}")
    for reason, names in groups.items():
        print(f"skipped: {len(names)} pytest tests ({reason}), e.g. "
              + ", ".join(n.split(" :: ")[1].split(" (")[0] for n in names[:2]))
    for name in failed:
        print(f"FAILED: {name}")
    print(f"{len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
