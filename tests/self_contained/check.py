#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that every public header compiles on its own: each header under
include/sigma/ (not detail/ or impl/ parts, which their owners include) is the
only include of a translation unit, compiled with -fsyntax-only. A header
that leans on what another happened to include first breaks a user who
includes it alone.

Usage: check.py INCLUDE_DIR JOBS COMPILER [COMPILER ARGS...]
"""

import concurrent.futures
import pathlib
import subprocess
import sys

if len(sys.argv) < 4:
    sys.exit("usage: check.py INCLUDE_DIR JOBS COMPILER [ARGS...]")
include = pathlib.Path(sys.argv[1]).resolve()
jobs = max(1, int(sys.argv[2]))
compiler = sys.argv[3:]

root = include / "sigma"
headers = sorted(h for h in root.rglob("*.hpp") if not {"detail", "impl"} & set(h.relative_to(root).parts[:-1]))
# <sigma/src.hpp> is only for SIGMA_SEPARATE_COMPILATION builds, and says so.
headers = [h for h in headers if h.relative_to(root).as_posix() != "src.hpp"]
if not headers:
    sys.exit(f"FAIL: no headers under {root}")


def compile_alone(h: pathlib.Path) -> tuple[str, int, str]:
    name = h.relative_to(include).as_posix()
    source = f"#include <{name}>\n"
    proc = subprocess.run(compiler + ["-std=c++20", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only",
                                      "-I", str(include), "-x", "c++", "-"],
                          input=source, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return name, proc.returncode, proc.stdout


failed = []
with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
    for name, code, output in pool.map(compile_alone, headers):
        if code != 0:
            failed.append(f"{name} does not compile on its own:\n{output[-3000:]}")
        else:
            print(f"ok: {name}")

if failed:
    print("\n".join("FAIL: " + f for f in failed))
    sys.exit(1)
print(f"ok: {len(headers)} public headers compile on their own")
