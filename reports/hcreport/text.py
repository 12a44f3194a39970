"""Cleaning recorded text for HTML and XML, and the small value conversions every input needs."""
import re

TEXT_MAX_CHARS = 20000

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_LOCATION = re.compile(r"^(\S+:\d+|unknown file)(: Failure)?$")


def clean_text(text, limit=TEXT_MAX_CHARS):
    """Text safe for HTML and XML: no ANSI escapes or control characters, bounded length."""
    text = _ANSI.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    text = _CTRL.sub("\ufffd", text)
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF and ch not in "\ufffe\uffff")
    if len(text) > limit:
        text = text[:limit] + f"\n… ({len(text) - limit} more characters)"
    return text


def failure_summary(failure):
    """The first line of a GoogleTest failure's message (its first line is the location)."""
    lines = [l.strip() for l in failure.split("\n") if l.strip()]
    if len(lines) > 1 and _LOCATION.match(lines[0]):
        return lines[1]
    return lines[0] if lines else "failed"


def slug(text):
    """A string usable as an HTML id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-") or "x"


def as_number(x):
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        return x
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def parse_seconds(value):
    """GoogleTest's "0.25s" (or a number) as seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    m = re.match(r"\s*([0-9.]+)\s*s?\s*$", str(value))
    return float(m.group(1)) if m else None
