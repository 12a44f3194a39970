#!/usr/bin/env python3
"""Checks that what the prose quotes exists: catalogue ids, GoogleTest names and repository paths.

Read: every tracked README*.md and *.md under suites/, and the comments of every tracked C++
header (*.h, *.hpp). A catalogue id (WH-..., WI-...) must be a statement of suites/catalogue.json;
a test name (Suite.Test, Suite alone before an escaped dot as in a ctest -R pattern, or an example
TEST(Suite, Test)) must be declared
by TEST/TEST_F/TEST_P in a source under suites/; a repository path in backquotes (a top-level
directory of this repository, then a path) must exist, unless it lies in a build tree.
Exit 1 with one line per dangling reference.
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

ID_RE = re.compile(r"\b(?:WH|WI)-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
# Suite names of this project start with the API or the lab; the test part is CamelCase.
# A suite alone is quoted as a ctest -R pattern, with an escaped dot (WinInetAsyncMode\.); a bare
# API name ending a sentence ("... WinHttpReadData.") is neither.
TEST_REF_RE = re.compile(r"\b((?:WinHttp|WinInet|Unsafe|Selftest)[A-Za-z0-9]*)(?:\.([A-Z][A-Za-z0-9_]*)|\\\.)")
TEST_DECL_RE = re.compile(r"^\s*TEST(?:_F|_P)?\(\s*(\w+)\s*,\s*(\w+)\s*\)", re.M)
# INSTANTIATE_TEST_SUITE_P(Prefix, Suite, ...): Prefix/Suite.Test/N is the full name.
INSTANTIATE_RE = re.compile(r"INSTANTIATE_TEST_SUITE_P\(\s*(\w+)\s*,\s*(\w+)", re.M)
PATH_RE = re.compile(r"`([A-Za-z0-9_.\-]+/[A-Za-z0-9_./\-]*)`")
COMMENT_RE = re.compile(r"//(.*)$", re.M)


def tracked(root):
    out = subprocess.run(["git", "-C", str(root), "ls-files"], capture_output=True, text=True, check=True)
    return [root / p for p in out.stdout.splitlines()]


def declared_tests(files):
    suites, tests = set(), set()
    for f in files:
        if f.suffix != ".cpp" or "suites" not in f.parts:
            continue
        text = f.read_text(errors="replace")
        for m in TEST_DECL_RE.finditer(text):
            suites.add(m.group(1))
            tests.add(f"{m.group(1)}.{m.group(2)}")
        for m in INSTANTIATE_RE.finditer(text):
            suites.add(m.group(1))
    return suites, tests


def quoted_text(path):
    """The prose of a file: the whole of a Markdown file, the comments of a header."""
    text = path.read_text(errors="replace")
    if path.suffix == ".md":
        return text
    return "\n".join(m.group(1) for m in COMMENT_RE.finditer(text))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    args = ap.parse_args()
    root = args.root.resolve()

    files = tracked(root)
    ids = {s["id"] for s in json.loads((root / "suites" / "catalogue.json").read_text())["statements"]}
    suites, tests = declared_tests(files)
    top_dirs = {p.relative_to(root).parts[0] for p in files if len(p.relative_to(root).parts) > 1}

    docs = [f for f in files if (f.suffix == ".md" and (f.name.startswith("README") or "suites" in f.parts))
            or f.suffix in (".h", ".hpp")]
    problems = []
    for doc in docs:
        rel = doc.relative_to(root)
        text = quoted_text(doc)
        for m in ID_RE.finditer(text):
            if m.group(0) not in ids:
                problems.append(f"{rel}: catalogue id {m.group(0)} does not exist")
        for m in TEST_REF_RE.finditer(text):
            suite, test = m.group(1), m.group(2)
            if test and f"{suite}.{test}" not in tests:
                problems.append(f"{rel}: test {suite}.{test} does not exist")
            elif not test and suite not in suites:
                problems.append(f"{rel}: test suite {suite} does not exist")
        for m in TEST_DECL_RE.finditer(text):
            if f"{m.group(1)}.{m.group(2)}" not in tests:
                problems.append(f"{rel}: example test {m.group(1)}.{m.group(2)} does not exist")
        for m in PATH_RE.finditer(text):
            ref = m.group(1).rstrip("/.")
            first = ref.split("/")[0]
            if first not in top_dirs or first == "build" or "*" in ref:
                continue
            if not (root / ref).exists():
                problems.append(f"{rel}: path {ref} does not exist")
    for p in sorted(set(problems)):
        print("doc references:", p, file=sys.stderr)
    if problems:
        return 1
    print(f"doc references: {len(docs)} files checked, every quoted id, test and path exists")
    return 0


if __name__ == "__main__":
    sys.exit(main())
