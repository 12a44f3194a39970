// Each rule of check-workflows.mjs fires on a workflow that breaks it, and a good set passes.
//   node --test scripts/validators/check-workflows.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { checkFiles } from "./check-workflows.mjs";

const called = `on:
  workflow_call:
jobs:
  build:
    strategy:
      matrix:
        image: [windows-2022, windows-2025]
    runs-on: \${{ matrix.image }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/upload-artifact@v4
        with:
          name: report-\${{ matrix.image }}
          path: out/
`;
const caller = `on: [push]
jobs:
  halves:
    uses: ./.github/workflows/called.yml
  linux:
    runs-on: ubuntu-22.04
    container: debian:12
    steps:
      - uses: actions/upload-artifact@v4
        with:
          name: report-linux
          path: out/
  compare:
    needs: [halves, linux]
    if: always()
    runs-on: ubuntu-22.04
    steps:
      - run: scripts/conformance compare a b
`;

// Writes the two workflows (each edited by its function) into a fresh tree; returns the problems.
function check(editCalled = (s) => s, editCaller = (s) => s) {
  const root = mkdtempSync(path.join(tmpdir(), "wf-"));
  const dir = path.join(root, ".github", "workflows");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "called.yml"), editCalled(called));
  writeFileSync(path.join(dir, "caller.yml"), editCaller(caller));
  try {
    return checkFiles([path.join(dir, "called.yml"), path.join(dir, "caller.yml")]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
const expectOne = (problems, pattern) => {
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(problems[0], pattern);
};

test("a good set passes", () => assert.deepEqual(check(), []));
test("a -latest matrix image", () =>
  expectOne(check((s) => s.replace("windows-2025]", "windows-latest]")), /runs-on 'windows-latest' is not a pinned/));
test("an unversioned runs-on", () =>
  expectOne(check(undefined, (s) => s.replace("runs-on: ubuntu-22.04\n    container", "runs-on: ubuntu-latest\n    container")), /ubuntu-latest/));
test("a container without a tag", () =>
  expectOne(check(undefined, (s) => s.replace("debian:12", "debian")), /container image 'debian' has no pinned tag/));
test("an action at a branch", () =>
  expectOne(check((s) => s.replace("checkout@v4", "checkout@main")), /not used at a version/));
test("a matrix artifact without the matrix in its name", () =>
  expectOne(check((s) => s.replace("report-${{ matrix.image }}", "report")), /put the matrix in its name/));
test("two artifacts of one name", () =>
  expectOne(check(undefined, (s) => s.replace("report-linux", "report-windows-2022")), /also uploaded/));
test("a missing reusable workflow", () =>
  expectOne(check(undefined, (s) => s.replace("called.yml", "absent.yml")), /does not exist/));
test("a reusable workflow without workflow_call", () =>
  expectOne(check((s) => s.replace("workflow_call:", "push:")), /no workflow_call trigger/));
test("a comparing job that misses a job", () =>
  expectOne(check(undefined, (s) => s.replace("needs: [halves, linux]", "needs: [halves]")), /does not need job linux/));
test("a comparing job skipped on failure", () =>
  expectOne(check(undefined, (s) => s.replace("    if: always()\n", "")), /add if: always\(\)/));
