#!/usr/bin/env python3
"""Keeps suites/catalogue.json's "tests" lists in step with the suites' sources.

Each test names the statements it verifies with hc::Covers({"ID", ...}); this script reads those
calls and rewrites every statement's "tests" list (`--write`), or checks that the catalogue is in
step and that every id a test names exists (`--check`, the default; exit 1 with the differences).
Both modes also check suites/disputes.json (the groups of statements that contradict each other):
every id it names must be a statement, and its words in dispute must be in that statement's text.
"""
import argparse
import json
import pathlib
import re
import sys

TEST_RE = re.compile(r"^\s*TEST(?:_F|_P)?\(\s*(\w+)\s*,\s*(\w+)\s*\)", re.M)
COVERS_RE = re.compile(r"hc::Covers\(\{([^}]*)\}\)")
# A fixture whose TEST_P run over both transports: its tests are named "Test/Plain" and "Test/Tls".
OVER_TRANSPORTS_RE = re.compile(r"^\s*HC_OVER_TRANSPORTS\(\s*(\w+)\s*\)", re.M)
TRANSPORTS = ("Plain", "Tls")
# A fixture whose TEST_P run over plain HTTP only: "Test/Plain".
OVER_PLAIN_ONLY_RE = re.compile(r"^\s*HC_OVER_PLAIN_ONLY\(\s*(\w+)\s*\)", re.M)


def covered_by_tests(suites: pathlib.Path):
    """{test name: [ids]} from every *_test.cpp under suites/."""
    result = {}
    for src in sorted(suites.rglob("*.cpp")):
        text = src.read_text()
        over_transports = set(OVER_TRANSPORTS_RE.findall(text))
        plain_only = set(OVER_PLAIN_ONLY_RE.findall(text))
        heads = list(TEST_RE.finditer(text))
        for i, head in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            ids = []
            for m in COVERS_RE.finditer(text, head.end(), end):
                ids += [s.strip().strip('"') for s in m.group(1).split(",") if s.strip()]
            if not ids:
                continue
            name = f"{head.group(1)}.{head.group(2)}"
            if head.group(1) in over_transports:
                for transport in TRANSPORTS:
                    result[f"{name}/{transport}"] = ids
            elif head.group(1) in plain_only:
                result[f"{name}/Plain"] = ids
            else:
                result[name] = ids
    return result


def dispute_problems(path: pathlib.Path, statements):
    """What is wrong with disputes.json: unknown ids, words not in their statement."""
    if not path.exists():
        return []
    problems = []
    for g in json.loads(path.read_text()).get("disputes", []):
        for row in g.get("statements", []):
            s = statements.get(row.get("id"))
            if s is None:
                problems.append(f"disputes.json group {g.get('id')} names unknown catalogue id {row.get('id')}")
            elif row.get("words", "").lower() not in s["statement"].lower():
                problems.append(f"disputes.json group {g.get('id')}: \"{row.get('words')}\" is not in {s['id']}'s statement")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="report differences, exit 1 if any (default)")
    mode.add_argument("--write", action="store_true", help="rewrite the tests lists")
    args = ap.parse_args()

    path = args.root / "suites" / "catalogue.json"
    catalogue = json.loads(path.read_text())
    statements = {s["id"]: s for s in catalogue["statements"]}
    tests = covered_by_tests(args.root / "suites")

    problems = []
    wanted = {sid: [] for sid in statements}
    for test, ids in sorted(tests.items()):
        for sid in ids:
            if sid not in statements:
                problems.append(f"{test} covers unknown catalogue id {sid}")
            else:
                wanted[sid].append(test)
    for sid, s in statements.items():
        if sorted(s.get("tests", [])) != sorted(wanted[sid]):
            if args.write:
                s["tests"] = sorted(wanted[sid])
            else:
                problems.append(f"{sid}: catalogue lists {sorted(s.get('tests', []))}, sources say {sorted(wanted[sid])}")
    if args.write:
        path.write_text(json.dumps(catalogue, indent=2) + "\n")
        problems = [p for p in problems if "unknown catalogue id" in p]
    problems += dispute_problems(args.root / "suites" / "disputes.json", statements)
    for p in problems:
        print("catalogue:", p, file=sys.stderr)
    if problems:
        if not args.write:
            print("catalogue: run scripts/catalogue_sync.py --write to update the tests lists", file=sys.stderr)
        return 1
    covered = sum(1 for sid in wanted if wanted[sid])
    print(f"catalogue: {len(statements)} statements, {covered} covered by {len(tests)} tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
