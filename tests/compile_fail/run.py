#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compiles one snippet with -fsyntax-only and checks the outcome its first lines declare.

    // expect-error: <substring>   the compile must fail, and a diagnostic line that
                                   says "error:" must contain <substring>
                                   (several such lines: each must appear)
    // expect-note: <substring>    with expect-error: any line of the compiler's output
                                   (such as a `with T = ...` note) must contain it
    // expect-ok                   the compile must succeed (a control snippet: proves
                                   the include path and flags are right)

Usage: run.py SNIPPET -I INCLUDE_DIR [-I ...] -- COMPILER [COMPILER ARGS...]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

EXPECT_ERROR = re.compile(r"^//\s*expect-error:\s*(.+?)\s*$")
EXPECT_NOTE = re.compile(r"^//\s*expect-note:\s*(.+?)\s*$")
EXPECT_OK = re.compile(r"^//\s*expect-ok\s*$")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def expectations(snippet: Path) -> tuple[bool, list[str], list[str]]:
    """(expect_ok, error substrings, note substrings) from the comment lines at the top."""
    ok, errors, notes = False, [], []
    for line in snippet.read_text(encoding="utf-8").splitlines():
        if not line.startswith("//"):
            break
        if m := EXPECT_ERROR.match(line):
            errors.append(m.group(1))
        elif m := EXPECT_NOTE.match(line):
            notes.append(m.group(1))
        elif EXPECT_OK.match(line):
            ok = True
    if ok == bool(errors) or (ok and notes):
        raise SystemExit(f"{snippet}: start with either `// expect-error: <substring>` lines or `// expect-ok`")
    return ok, errors, notes


def main() -> int:
    argv = sys.argv[1:]
    if "--" not in argv:
        raise SystemExit(__doc__)
    split = argv.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("snippet", type=Path)
    parser.add_argument("-I", dest="includes", action="append", default=[])
    args = parser.parse_args(argv[:split])
    compiler = argv[split + 1:]
    if not compiler:
        raise SystemExit("no compiler after --")

    expect_ok, substrings, notes = expectations(args.snippet)
    cmd = [*compiler, "-std=c++20", "-fsyntax-only", "-fdiagnostics-color=never",
           "-Wall", "-Wextra", "-Wpedantic", *[f"-I{d}" for d in args.includes], str(args.snippet)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = ANSI.sub("", proc.stdout)

    def report(problem: str) -> int:
        print(f"FAIL {args.snippet.name}: {problem}")
        print("command: " + " ".join(cmd))
        print("---- compiler output ----")
        print(output, end="" if output.endswith("\n") else "\n")
        return 1

    if expect_ok:
        if proc.returncode != 0:
            return report("expected to compile, but it did not")
        print(f"ok {args.snippet.name}: compiles")
        return 0

    if proc.returncode == 0:
        return report("expected a compile error, but it compiled")
    # Only diagnostic lines count: the compiler also echoes source lines, which
    # could contain the text without the diagnostic having fired.
    error_lines = [l for l in output.splitlines() if "error:" in l]
    missing = [s for s in substrings if not any(s in l for l in error_lines)]
    missing += [s for s in notes if s not in output]
    if missing:
        return report("the compile failed, but the output lacks: " + "; ".join(repr(s) for s in missing))
    print(f"ok {args.snippet.name}: fails with " + "; ".join(repr(s) for s in substrings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
