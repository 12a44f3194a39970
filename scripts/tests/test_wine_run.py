#!/usr/bin/env python3
"""scripts/wine-run tells a death inside Wine from a program's own exit (the crash mark of
fixtures/include/hc/crash_report.h): a suite binary that ends without a Windows exception while a
divergence naming crash modules is in force is reported as that divergence; any other exit passes
through unchanged.

  test_wine_run.py WINE_RUN PREFIX FIXTURES_SELFTEST_EXE   (registered with ctest by WineSuites.cmake)
"""
import json
import os
import subprocess
import sys
import unittest

WINE_RUN = PREFIX = SELFTEST = None
KNOWN_CRASH_EXIT = 87  # hc::kKnownCrashExitCode


def run(*args, env=None):
    """(exit status, output) of the selftest under wine-run; fails if wine-run left its crash mark
    behind (named by wine-run's pid, which the shell's exec keeps: other tests' marks may exist)."""
    out = subprocess.run(["bash", "-c", 'echo "pid=$$"; exec "$@"', "bash", WINE_RUN, "--prefix", PREFIX,
                          SELFTEST, *args], capture_output=True, text=True, timeout=60, check=False,
                         env=dict(os.environ, **(env or {})))
    pid = out.stdout.split("\n", 1)[0].removeprefix("pid=")
    mark = os.path.join(PREFIX, f"hc-crash-mark.{pid}")
    if os.path.exists(mark):
        raise AssertionError(f"wine-run left its crash mark {mark} behind")
    return out.returncode, out.stdout + out.stderr


class CrashMark(unittest.TestCase):

    def test_a_death_while_the_divergence_is_in_force_is_the_divergence(self):
        rc, out = run("--hc-provoke-vanish=secur32.dll", "--gtest_filter=HcCrashProvoked.VanishesWhileADivergenceIsInForce")
        self.assertIn("[ VANISHING ]", out)
        self.assertEqual(rc, 0, out)
        self.assertIn("[ KNOWN DIVERGENCE ] provoked: a death inside secur32.dll", out)
        self.assertIn("HcCrashProvoked.VanishesWhileADivergenceIsInForce: the Wine process ended (exit status 1) "
                      "without a Windows exception while this divergence was in force", out)

    def test_with_tests_left_it_ends_with_the_known_crash_code(self):
        rc, out = run("--hc-provoke-vanish=secur32.dll", "--gtest_filter=HcCrashProvoked.*")
        self.assertEqual(rc, KNOWN_CRASH_EXIT, out)
        self.assertNotIn("[ BODY RAN ]", out)
        self.assertIn("[ KNOWN DIVERGENCE ]", out)

    def test_the_results_written_ahead_say_what_ran_and_what_did_not(self):
        results = os.path.join(PREFIX, f"hc-wine-run-test-{os.getpid()}.json")
        try:
            rc, out = run("--hc-provoke-vanish=secur32.dll", "--gtest_filter=HcCrashProvoked.*",
                          "--gtest_output=json:Z:" + results)
            self.assertEqual(rc, KNOWN_CRASH_EXIT, out)
            with open(results, encoding="utf-8") as f:
                tests = {tc["name"]: tc for ts in json.load(f)["testsuites"] for tc in ts["testsuite"]}
            vanished = tests["VanishesWhileADivergenceIsInForce"]
            self.assertEqual(vanished.get("hc_verdict"), "known_divergence", vanished)
            self.assertEqual(vanished.get("hc_ended_process"), "yes", vanished)
            self.assertNotIn("failures", vanished)
            after = tests["StartsAfterTheCrash"]
            self.assertEqual(after.get("hc_not_started"), "yes", after)
            self.assertIn("not run: the Wine process ended while HcCrashProvoked.VanishesWhileADivergenceIsInForce ran",
                          after["failures"][0]["failure"])
        finally:
            if os.path.exists(results):
                os.unlink(results)

    def test_a_death_with_no_divergence_in_force_passes_through(self):
        rc, out = run("--hc-provoke-vanish=none", "--gtest_filter=HcCrashProvoked.VanishesWhileADivergenceIsInForce")
        self.assertIn("[ VANISHING ]", out)
        self.assertEqual(rc, 1, out)
        self.assertNotIn("KNOWN DIVERGENCE", out)

    def test_a_crash_the_report_saw_keeps_its_own_verdict(self):
        # A Windows exception outside the named module: the crash report fails the test and ends the
        # process itself (removing the mark), so wine-run must not call it the divergence.
        rc, out = run("--hc-provoke-crash=secur32.dll", "--gtest_filter=HcCrashProvoked.CrashesOnAWorkerThread")
        self.assertEqual(rc, 0xC0000005 & 0xFF, out)  # a Unix exit status keeps the low byte
        self.assertNotIn("KNOWN DIVERGENCE", out)

    def test_failed_tests_pass_through(self):
        # A 1 s budget used up by the first test: the two after it fail, GoogleTest exits 1.
        rc, out = run("--hc-provoke-budget=1200", "--gtest_filter=HcBudgetProvoked.*", env={"HC_BINARY_BUDGET_S": "1"})
        self.assertIn("not run: the binary's 1 s budget", out)
        self.assertEqual(rc, 1, out)
        self.assertNotIn("KNOWN DIVERGENCE", out)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    WINE_RUN, PREFIX, SELFTEST = sys.argv[1:4]
    unittest.main(argv=sys.argv[:1])
