"""What a suite binary's exit status means: ok, failed, crashed, hung, error or unknown."""
from .error_codes import NTSTATUS, SIGNALS

# fixtures/include/hc/exit_codes.h
HANG_DETECTOR_EXIT = 86  # the suites' hang detector exits with this code
KNOWN_CRASH_EXIT = 87    # a crash a marked divergence names ended the binary with tests left


def describe_exit(code, duration, has_json):
    """(status, text) of an exit code ("timeout": the runner killed it) of a binary that did or
    did not write its GoogleTest JSON."""
    if code == "timeout":
        return "hung", f"hung (killed after {duration:.0f} s)" if duration else "hung (killed by the runner)"
    if code is None:
        return ("unknown", "exit status not recorded") if has_json else ("error", "no results, exit status not recorded")
    if isinstance(code, bool) or not isinstance(code, int):
        return "error", f"exit status {code!r}"
    if code == HANG_DETECTOR_EXIT:
        return "hung", f"hung (the suite's hang detector fired, exit code {HANG_DETECTOR_EXIT})"
    if code == KNOWN_CRASH_EXIT:
        return "crashed", (f"ended by a crash that a marked divergence names, with tests left (exit code "
                           f"{KNOWN_CRASH_EXIT})")
    if code == 0:
        return ("ok", "exit code 0") if has_json else ("error", "exit code 0 but no results file")
    if code == 1 and has_json:
        return "failed", "exit code 1 (tests failed)"
    if -64 <= code < 0:
        sig = SIGNALS.get(-code, f"signal {-code}")
        return "crashed", f"crashed (killed by {sig})"
    unsigned = code & 0xFFFFFFFF
    if unsigned >= 0x80000000:
        entry = NTSTATUS.get(unsigned)
        return "crashed", f"crashed (exit code 0x{unsigned:08X}{', ' + entry[1] if entry else ''})"
    if not has_json:
        return "crashed", f"crashed (exit code {code}, no results written)"
    return "error", f"exit code {code}"
