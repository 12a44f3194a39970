"""Reading JSON inputs, with errors that name the file and what is wrong with it."""
import json


class ReportError(Exception):
    """An input is missing or malformed; the message names it."""


def read_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise ReportError(f"{what} not found: {path}")
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{what} unreadable: {path}: {e}")
    except json.JSONDecodeError as e:
        raise ReportError(f"{what} is not valid JSON: {path}: line {e.lineno} column {e.colno}: {e.msg}")


def parse_json_property(raw):
    """A recorded property holding JSON: (value, None) or (None, error message)."""
    if isinstance(raw, (dict, list)):
        return raw, None
    try:
        return json.loads(raw), None
    except (TypeError, ValueError) as e:
        return None, f"not valid JSON: {e}"


def json_object_property(raw):
    """A property that must hold a JSON object: (dict, None) or (None, error message)."""
    value, err = parse_json_property(raw)
    if err is None and not isinstance(value, dict):
        return None, "not a JSON object"
    return value, err
