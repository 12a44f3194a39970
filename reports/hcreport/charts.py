"""Inline SVG charts, built as xml.etree elements (so every label is escaped by construction) and
returned as markup for the templates. Colours and fonts come from report.css."""
import math
import xml.etree.ElementTree as ET

from markupsafe import Markup

from .format import fmt_num

SVG_NS = "http://www.w3.org/2000/svg"
LABEL_MAX_W = 340


def text_width(text):
    """About how wide `text` is in the charts' 11.5px sans-serif labels (no font metrics here)."""
    def w(ch):
        if ch in " .,:;'|!()[]ilIjft":
            return 3.6
        if ch.isupper() or ch.isdigit() or ch in "_mwMW%":
            return 7.9
        return 6.4
    return sum(w(ch) for ch in text)


def fit(text, width):
    """text, cut with an ellipsis to fit width."""
    while text and text_width(text) > width:
        text = text[:-2] + "…" if len(text) > 1 else ""
    return text


def _svg(cls, width, height, caption):
    svg = ET.Element("svg", {"class": f"chart {cls}", "xmlns": SVG_NS, "width": str(width),
                             "height": str(height), "viewBox": f"0 0 {width} {height}", "role": "img",
                             "aria-label": caption})
    ET.SubElement(svg, "title").text = caption
    return svg


def _add(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): _attr(v) for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _attr(v):
    return f"{v:.1f}" if isinstance(v, float) else str(v)


def _markup(svg):
    return Markup(ET.tostring(svg, encoding="unicode", short_empty_elements=True))


def outcome_bars(outcomes, caption):
    """One row per outcome: its name, a bar of its share of the trials, the count and percent."""
    longest = max((text_width(o.label) for o in outcomes.items), default=60)
    label_w = min(max(math.ceil(longest) + 12, 110), LABEL_MAX_W)
    bar_w, value_w, row_h = 200, 100, 22
    width = label_w + bar_w + value_w
    svg = _svg("chart-bars", width, max(1, len(outcomes.items)) * row_h + 6, caption)
    if not outcomes.items:
        _add(svg, "text", "no outcomes recorded", x=4, y=16, class_="muted")
    total = outcomes.total
    for i, o in enumerate(outcomes.items):
        y = 3 + i * row_h
        frac = outcomes.fraction(o)
        g = _add(svg, "g")
        _add(g, "title", f"{o.label}: {o.count} of {fmt_num(total)}")
        _add(g, "text", fit(o.label, label_w - 12), x=label_w - 6, y=y + 14, text_anchor="end")
        _add(g, "rect", x=label_w, y=y + 3, width=bar_w, height=row_h - 8, class_="track")
        _add(g, "rect", x=label_w, y=y + 3, width=float(max(1.5 if o.count else 0, bar_w * min(frac, 1))),
             height=row_h - 8, class_=f"bar o-{o.kind}")
        value = _add(g, "text", f"{fmt_num(o.count)} ", x=label_w + bar_w + 6, y=y + 14)
        _add(value, "tspan", f"({frac * 100:.1f}%)", class_="muted")
    return _markup(svg)


def outcome_strip(outcomes, caption, width=260, height=14):
    """The outcome distribution as one stacked bar (the matrix's side-by-side view)."""
    svg = _svg("chart-strip", width, height, caption)
    x = 0.0
    for o in outcomes.items:
        w = width * outcomes.fraction(o)
        if w <= 0:
            continue
        seg = _add(svg, "rect", x=x, y=0.0, width=float(max(w, 1.0)), height=height, class_=f"bar o-{o.kind}")
        _add(seg, "title", f"{o.label}: {o.count} ({outcomes.fraction(o) * 100:.1f}%)")
        x += w
    if x == 0:
        _add(svg, "rect", x=0, y=0, width=width, height=height, class_="track")
    return _markup(svg)


def nice_step(span, target=5):
    if span <= 0:
        return 1
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def timeline(tl):
    """Connections open at the server against time, the documented limit as a dashed line and
    the observed peak marked."""
    events, limit = tl.events, tl.documented_limit
    max_open = max((n for _, n in events), default=0)
    peak = tl.observed_peak if tl.observed_peak is not None else max_open
    W, H, ml, mr, mt, mb = 570, 240, 46, 150, 14, 42
    pw, ph = W - ml - mr, H - mt - mb
    xmax = max((t for t, _ in events), default=0) or 1.0
    xstep = nice_step(xmax)
    xmax = math.ceil(xmax / xstep) * xstep
    ytop = max(peak or 0, limit or 0, max_open, 1) + 1
    ystep = 1 if ytop <= 12 else nice_step(ytop)
    ytop = math.ceil(ytop / ystep) * ystep

    def X(t):
        return float(ml + pw * t / xmax)

    def Y(n):
        return float(mt + ph * (1 - n / ytop))

    svg = _svg("chart-timeline", W, H, tl.title)
    v = 0
    while v <= ytop + 1e-9:
        _add(svg, "line", x1=ml, x2=ml + pw, y1=Y(v), y2=Y(v), class_="grid")
        _add(svg, "text", fmt_num(v), x=ml - 6, y=Y(v) + 4, text_anchor="end", class_="tick")
        v += ystep
    v = 0
    while v <= xmax + 1e-9:
        _add(svg, "line", x1=X(v), x2=X(v), y1=mt + ph, y2=mt + ph + 4, class_="axis")
        _add(svg, "text", fmt_num(v), x=X(v), y=mt + ph + 16, text_anchor="middle", class_="tick")
        v += xstep
    _add(svg, "line", x1=ml, x2=ml + pw, y1=mt + ph, y2=mt + ph, class_="axis")
    _add(svg, "line", x1=ml, x2=ml, y1=mt, y2=mt + ph, class_="axis")
    _add(svg, "text", "time (ms)", x=ml + pw / 2, y=H - 6, text_anchor="middle", class_="axis-label")
    _add(svg, "text", "connections open", transform=f"translate(13 {mt + ph / 2}) rotate(-90)",
         text_anchor="middle", class_="axis-label")
    if events:
        steps = "".join(f"H{X(t):.1f}V{Y(n):.1f}" for t, n in events)
        path = f"M{X(0):.1f},{Y(0):.1f}{steps}H{X(events[-1][0]):.1f}"
        _add(svg, "path", d=f"{path}V{Y(0):.1f}Z", class_="area")
        _add(svg, "path", d=path, class_="step")
    else:
        _add(svg, "text", "no events recorded", x=ml + 10, y=mt + 20, class_="muted")
    if limit is not None:
        _add(svg, "line", x1=ml, x2=ml + pw, y1=Y(limit), y2=Y(limit), class_="limit")
        _add(svg, "text", f"documented limit = {fmt_num(limit)}", x=ml + pw + 6, y=Y(limit) + 4,
             class_="limit-label")
    if events and peak is not None:
        at = next(((t, n) for t, n in events if n >= peak), max(events, key=lambda e: e[1]))
        cls = "peak-over" if limit is not None and peak > limit else "peak-ok"
        px, py = X(at[0]), Y(min(peak, ytop))
        label_y = py + 4
        if limit is not None and abs(py - Y(limit)) < 14:  # keep the two labels apart
            label_y = Y(limit) - 10 if py <= Y(limit) else Y(limit) + 18
        _add(svg, "circle", cx=px, cy=py, r=4, class_=cls)
        _add(svg, "text", f"observed peak = {fmt_num(peak)}", x=ml + pw + 6, y=float(max(label_y, mt + 8)),
             class_=f"{cls}-label")
        _add(svg, "line", x1=px, x2=ml + pw + 4, y1=py, y2=py, class_="peak-guide")
    return _markup(svg)
