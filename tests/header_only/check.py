#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs the header-only program and checks that it does not depend on the
Boost.JSON or Boost.URL shared libraries (so the test cannot pass by linking them).

Usage: check.py EXECUTABLE
"""

import shutil
import subprocess
import sys

exe = sys.argv[1]
readelf = shutil.which("readelf")
if readelf:
    dynamic = subprocess.run([readelf, "-d", exe], stdout=subprocess.PIPE, text=True, check=True).stdout
    linked = [l for l in dynamic.splitlines() if "NEEDED" in l and ("boost_json" in l or "boost_url" in l)]
    if linked:
        sys.exit("FAIL: the header-only build links Boost libraries:\n" + "\n".join(linked))
else:
    print("note: no readelf; not checking the executable's shared libraries")
proc = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(proc.stdout, end="")
if proc.returncode != 0:
    sys.exit(f"FAIL: {exe} exited with status {proc.returncode}")
print("ok: no libboost_json/libboost_url needed")
