#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes single_include/sigma/sigma.hpp: include/sigma/sigma.hpp with every
`#include <sigma/...>` inlined once, depth-first, in include order; and
single_include/sigma/testing.hpp: the same of include/sigma/testing.hpp (the
helpers for tests), less what sigma.hpp holds, which it includes from beside it.

Everything else is copied verbatim: Boost and standard includes (including the
Boost.JSON/URL sources pulled in under SIGMA_IMPLEMENTATION) and each header's
include guard, so that a <sigma/...> include after the single header is a no-op.

    python3 tools/amalgamate.py           regenerate both single headers
    python3 tools/amalgamate.py --check   fail if either is stale, or if a header under
                                          include/sigma/ is reachable from neither entry
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INCLUDE_DIR = ROOT / "include"
ENTRY = "sigma/sigma.hpp"
OUTPUT = ROOT / "single_include" / "sigma" / "sigma.hpp"
TESTING_ENTRY = "sigma/testing.hpp"
TESTING_OUTPUT = ROOT / "single_include" / "sigma" / "testing.hpp"
LICENSE = ROOT / "LICENSE"
REGENERATE = "python3 tools/amalgamate.py"

# `#include <sigma/x.hpp>` or "sigma/x.hpp", optionally followed by a comment.
SIGMA_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"](sigma/[^>"]+)[>"]\s*(?://.*|/\*.*\*/\s*)?$')
ANY_SIGMA_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]sigma/')
CONDITIONAL_OPEN = re.compile(r"^\s*#\s*if(?:n?def)?\b")
CONDITIONAL_CLOSE = re.compile(r"^\s*#\s*endif\b")
GUARD_OPEN = re.compile(r"^\s*#\s*ifndef\s+(\w+)")
VERSION = re.compile(r'^\s*#\s*define\s+SIGMA_VERSION_STRING\s+"([^"]+)"', re.M)
MESON_VERSION = re.compile(r"^project\([^)]*?\bversion\s*:\s*'([^']+)'", re.M | re.S)


class AmalgamationError(Exception):
    pass


def has_include_guard(lines: list[str]) -> bool:
    """True when the first preprocessor directive opens the file's include guard."""
    for line in lines:
        if line.lstrip().startswith("#"):
            return GUARD_OPEN.match(line) is not None
    return False


class Amalgamator:
    def __init__(self) -> None:
        self.done: set[str] = set()  # inlined unconditionally: later includes are dropped
        self.seen: set[str] = set()  # inlined at all (for the reachability check)
        self.out: list[str] = []

    def inline(self, name: str, stack: tuple[str, ...], conditional: bool) -> None:
        if name in stack:
            raise AmalgamationError("include cycle: " + " -> ".join(stack + (name,)))
        path = INCLUDE_DIR / name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            where = stack[-1] if stack else "(entry point)"
            raise AmalgamationError(f"{where} includes <{name}>, but include/{name} does not exist") from None
        self.seen.add(name)
        if not conditional:
            self.done.add(name)
        lines = text.splitlines()
        # Depth of #if nesting that still counts as unconditional: the guard's own #ifndef.
        base = 1 if has_include_guard(lines) else 0
        depth = 0
        self.out.append(f"// ---- begin <{name}> ----")
        for number, line in enumerate(lines, 1):
            m = SIGMA_INCLUDE.match(line)
            if m:
                child = m.group(1)
                if child not in self.done:
                    # An include inside a conditional block is inlined there but not
                    # marked done: the guards make a later unconditional copy a no-op.
                    self.inline(child, stack + (name,), conditional or depth > base)
                continue
            if ANY_SIGMA_INCLUDE.match(line):
                raise AmalgamationError(f"include/{name}:{number}: cannot read this include: {line.strip()}")
            if CONDITIONAL_OPEN.match(line):
                depth += 1
            elif CONDITIONAL_CLOSE.match(line):
                depth -= 1
            self.out.append(line)
        self.out.append(f"// ---- end <{name}> ----")


def read_version() -> str:
    m = VERSION.search((INCLUDE_DIR / "sigma" / "version.hpp").read_text(encoding="utf-8"))
    if not m:
        raise AmalgamationError("include/sigma/version.hpp does not define SIGMA_VERSION_STRING")
    return m.group(1)


def license_comment() -> list[str]:
    return [("// " + l).rstrip() for l in LICENSE.read_text(encoding="utf-8").strip().splitlines()]


# The warning both generated headers carry after their first lines.
DO_NOT_EDIT = [
    "//",
    "// DO NOT EDIT. Generated from include/ by tools/amalgamate.py; edit the headers",
    "// under include/sigma/ and regenerate with:",
    f"//     {REGENERATE}",
    "//",
]


def banner(version: str) -> list[str]:
    return [
        "// SPDX-License-Identifier: MIT",
        f"// sigma-cpp {version}: a header-only C++20 client for Sigma Computing's REST API,",
        "// as one header. The helpers for tests (sigma::testing) are in testing.hpp,",
        "// generated beside it.",
        *DO_NOT_EDIT,
        "// Every header keeps its include guard, so including <sigma/...> after this",
        "// file is harmless. Without the Boost.JSON and Boost.URL libraries, define",
        "// SIGMA_IMPLEMENTATION in exactly one source file before including this header.",
        "// With SIGMA_SEPARATE_COMPILATION defined for every file, define SIGMA_SOURCE",
        "// in exactly one file before including this header: that file compiles the",
        "// transport and the extraction (see <sigma/src.hpp>).",
        "//",
        *license_comment(),
        "",
    ]


def testing_banner(version: str) -> list[str]:
    return [
        "// SPDX-License-Identifier: MIT",
        f"// sigma-cpp {version}: the helpers for tests without a Sigma account",
        "// (sigma::testing), as one header. It includes the library's single header,",
        "// sigma.hpp, which must be beside it.",
        *DO_NOT_EDIT,
        *license_comment(),
        "",
        '#include "sigma.hpp"',
        "",
    ]


def generate() -> tuple[dict[Path, str], set[str]]:
    version = read_version()
    a = Amalgamator()
    a.inline(ENTRY, (), conditional=False)
    # The testing header leaves out what the library's holds (it includes that
    # file instead), so a program may include both, in either order.
    b = Amalgamator()
    b.done = set(a.done)
    b.inline(TESTING_ENTRY, (), conditional=False)
    texts = {
        OUTPUT: "\n".join(banner(version) + a.out) + "\n",
        TESTING_OUTPUT: "\n".join(testing_banner(version) + b.out) + "\n",
    }
    return texts, a.seen | b.seen


# Entry points of their own: <sigma/src.hpp> includes sigma.hpp (with the
# single header, SIGMA_SOURCE does its work).
OTHER_ENTRIES = {"sigma/src.hpp"}


def unreachable(seen: set[str]) -> list[str]:
    files = [p for ext in ("*.hpp", "*.ipp") for p in (INCLUDE_DIR / "sigma").rglob(ext)]
    headers = sorted(p.relative_to(INCLUDE_DIR).as_posix() for p in files)
    return [h for h in headers if h not in seen and h not in OTHER_ENTRIES]


def version_mismatch(version: str) -> str | None:
    meson = (ROOT / "meson.build").read_text(encoding="utf-8")
    m = MESON_VERSION.search(meson)
    if m and m.group(1) != version:
        return (f"meson.build says version {m.group(1)} but include/sigma/version.hpp says {version}: "
                "keep them equal")
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the committed single header is stale or incomplete")
    args = parser.parse_args()

    try:
        texts, seen = generate()
    except (AmalgamationError, OSError) as e:
        print(f"amalgamate.py: {e}", file=sys.stderr)
        return 2

    problems = []
    missing = unreachable(seen)
    if missing:
        problems.append("these headers are reachable from neither include/sigma/sigma.hpp nor "
                        "include/sigma/testing.hpp, so the single headers lack them (include them from "
                        "one of those or an umbrella header it includes):\n"
                        + "\n".join(f"    include/{h}" for h in missing))
    mismatch = version_mismatch(read_version())
    if mismatch:
        problems.append(mismatch)

    if args.check:
        for output, text in texts.items():
            rel = output.relative_to(ROOT).as_posix()
            current = output.read_text(encoding="utf-8") if output.exists() else ""
            if current != text:
                diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(),
                                                 f"{rel} (committed)", f"{rel} (generated)", lineterm="", n=1))
                shown = "\n".join(diff[:40]) + ("\n    ..." if len(diff) > 40 else "")
                problems.append(f"{rel} is out of date; regenerate it with `{REGENERATE}`\n{shown}")
        for p in problems:
            print(f"amalgamate.py --check: {p}", file=sys.stderr)
        if not problems:
            print(f"single_include/sigma/sigma.hpp and testing.hpp are up to date ({len(seen)} headers)")
        return 1 if problems else 0

    for output, text in texts.items():
        output.parent.mkdir(parents=True, exist_ok=True)
        with open(output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"wrote {output.relative_to(ROOT).as_posix()} ({text.count(chr(10))} lines)")
    print(f"{len(seen)} headers in all")
    for p in problems:
        print(f"amalgamate.py: warning: {p}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
