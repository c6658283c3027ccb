#!/usr/bin/env python3
"""`perf script` output -> folded stacks -> a flame graph (SVG) and the top frames (text).

Written here instead of pulling a flame-graph tool into setup: the folding is a few lines, and
the SVG needs no script (each frame's <title> carries its name, samples and share).

  perf script -i perf.data | bench/flamegraph.py --svg out.svg --top out.txt --title "sink parquet"
  bench/flamegraph.py --folded in.folded --svg out.svg       # already folded stacks
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import html
import re
import sys
from pathlib import Path

SAMPLE_HEADER = re.compile(r"^\S.*?\s+\d+(?:/\d+)?\s+[\d.]+:\s")
FRAME = re.compile(r"^\s+[0-9a-f]+\s+(.+?)\s+\((.*)\)\s*$")


def short_name(sym: str, dso: str) -> str:
    """A frame's function without its argument list and offset; [library] when unknown."""
    sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
    if sym in ("[unknown]", ""):
        return f"[{Path(dso).name}]" if dso and dso != "[unknown]" else "[unknown]"
    # Drop argument lists and template arguments, keep "operator()" and friends readable.
    out, depth_angle, depth_paren = [], 0, 0
    i = 0
    while i < len(sym):
        if sym.startswith("operator()", i):
            if depth_angle == 0 and depth_paren == 0:
                out.append("operator()")
            i += len("operator()")
            continue
        if sym.startswith("operator<<", i) or sym.startswith("operator>>", i):
            if depth_angle == 0 and depth_paren == 0:
                out.append(sym[i:i + 10])
            i += 10
            continue
        c = sym[i]
        if c == "(":
            depth_paren += 1
        elif c == ")":
            depth_paren = max(0, depth_paren - 1)
        elif c == "<" and depth_paren == 0:
            depth_angle += 1
        elif c == ">" and depth_paren == 0:
            depth_angle = max(0, depth_angle - 1)
        elif depth_angle == 0 and depth_paren == 0:
            out.append(c)
        i += 1
    name = "".join(out).strip()
    name = re.sub(r"\s+(const|\[clone.*)$", "", name)
    return name or sym


def fold(lines) -> collections.Counter:
    """perf script text -> Counter of 'comm;root;...;leaf' stacks."""
    stacks: collections.Counter = collections.Counter()
    comm, frames = None, []

    def flush():
        if comm is not None and frames:
            stacks[";".join([comm] + frames[::-1])] += 1

    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip():
            flush()
            comm, frames = None, []
            continue
        if comm is None and SAMPLE_HEADER.match(line):
            comm = line.split()[0]
            continue
        m = FRAME.match(line)
        if m and comm is not None:
            frames.append(short_name(m.group(1), m.group(2)).replace(";", ":"))
    flush()
    return stacks


def top_frames(stacks: collections.Counter, n: int) -> str:
    """Self and total shares of the n hottest functions."""
    total = sum(stacks.values()) or 1
    self_c: collections.Counter = collections.Counter()
    incl: collections.Counter = collections.Counter()
    for stack, count in stacks.items():
        frames = stack.split(";")[1:]
        if frames:
            self_c[frames[-1]] += count
        for f in set(frames):
            incl[f] += count
    rows = [f"{'self %':>7} {'total %':>8}  function   ({total:,} samples)"]
    for f, c in self_c.most_common(n):
        rows.append(f"{100 * c / total:7.1f} {100 * incl[f] / total:8.1f}  {f}")
    return "\n".join(rows) + "\n"


def color(name: str) -> str:
    h = int(hashlib.md5(name.encode()).hexdigest()[:6], 16)
    if name.startswith("[") or ".so" in name:
        return f"rgb({180 + h % 50},{180 + h % 50},{190 + h % 40})"  # libraries we cannot see into: grey
    if name.startswith("ticklake::"):
        return f"rgb({230 + h % 25},{90 + h % 90},{40 + h % 30})"  # ours: orange/red
    return f"rgb({200 + h % 55},{150 + h % 80},{50 + h % 40})"  # others: yellow


def svg(stacks: collections.Counter, title: str, width: int = 1200, row: int = 16, min_px: float = 0.3) -> str:
    root: dict = {"n": 0, "kids": {}}
    for stack, count in stacks.items():
        node = root
        node["n"] += count
        for f in stack.split(";"):
            node = node["kids"].setdefault(f, {"n": 0, "kids": {}})
            node["n"] += count
    total = root["n"] or 1
    rects: list[str] = []
    max_depth = 0

    def walk(node: dict, name: str, x: float, depth: int) -> None:
        nonlocal max_depth
        w = node["n"] / total * (width - 20)
        if w < min_px:
            return
        max_depth = max(max_depth, depth)
        rects.append((name, x, depth, w, node["n"]))
        cx = x
        for kid_name, kid in sorted(node["kids"].items()):
            walk(kid, kid_name, cx, depth + 1)
            cx += kid["n"] / total * (width - 20)

    walk(root, "all", 10.0, 0)
    height = (max_depth + 1) * row + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="monospace" font-size="11">',
           f'<rect width="100%" height="100%" fill="#f8f8f0"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15">{html.escape(title)}</text>',
           f'<text x="10" y="{height - 8}" fill="#555">{total:,} samples; hover a frame for its name and share. '
           f'Orange: ticklake, yellow: C/C++ libraries, grey: unresolved.</text>']
    for name, x, depth, w, n in rects:
        y = height - 30 - (depth + 1) * row
        label = name if len(name) * 6.6 < w - 4 else (name[: int((w - 4) / 6.6) - 2] + ".." if w > 26 else "")
        tip = f"{name} ({n:,} samples, {100 * n / total:.2f}%)"
        out.append(f'<g><title>{html.escape(tip)}</title><rect x="{x:.1f}" y="{y}" width="{w:.1f}" '
                   f'height="{row - 1}" fill="{color(name)}" rx="2"/>'
                   + (f'<text x="{x + 3:.1f}" y="{y + row - 4}">{html.escape(label)}</text>' if label else "")
                   + "</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folded", help="read folded stacks from this file instead of perf script on stdin")
    ap.add_argument("--write-folded", help="also write the folded stacks here")
    ap.add_argument("--svg", help="write the flame graph here")
    ap.add_argument("--top", help="write the top frames here ('-' for stdout)")
    ap.add_argument("--top-n", type=int, default=25)
    ap.add_argument("--title", default="flame graph")
    args = ap.parse_args(argv)
    if args.folded:
        stacks = collections.Counter()
        for line in Path(args.folded).read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if stack:
                stacks[stack] += int(count)
    else:
        stacks = fold(sys.stdin)
    if not stacks:
        print("flamegraph: no samples with stacks in the input", file=sys.stderr)
        return 1
    if args.write_folded:
        Path(args.write_folded).write_text("".join(f"{s} {c}\n" for s, c in sorted(stacks.items())))
    if args.svg:
        Path(args.svg).write_text(svg(stacks, args.title))
    if args.top:
        text = top_frames(stacks, args.top_n)
        if args.top == "-":
            sys.stdout.write(text)
        else:
            Path(args.top).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
