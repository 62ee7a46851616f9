#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that the API's model and endpoint headers pull in no Asio or Beast
header, so that code which only describes or decodes Sigma's types does not
pay for the network stack at compile time; and that <sigma/sigma.hpp> pulls in
none of sigma::testing (<sigma/testing.hpp> does), whose servers and fakes
would cost every file that includes the library.

Every header under include/sigma/api/models/ and include/sigma/api/*.hpp is
preprocessed on its own with -M (the list of every file it includes, however
deeply) and that list is searched for boost/asio and boost/beast; so is
sigma/sigma.hpp's, for sigma/testing.

Usage: check.py INCLUDE_DIR COMPILER [COMPILER ARGS...]
"""

import pathlib
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit("usage: check.py INCLUDE_DIR COMPILER [ARGS...]")
include = pathlib.Path(sys.argv[1]).resolve()
compiler = sys.argv[2:]
headers = sorted((include / "sigma" / "api" / "models").glob("*.hpp")) + sorted((include / "sigma" / "api").glob("*.hpp"))
if not headers:
    sys.exit(f"FAIL: no headers under {include / 'sigma' / 'api'}")

forbidden = ("boost/asio", "boost/beast")
failed = []
for h in headers:
    proc = subprocess.run(compiler + ["-std=c++20", "-I", str(include), "-x", "c++", "-M", str(h)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    name = h.relative_to(include)
    if proc.returncode != 0:
        failed.append(f"{name}: does not preprocess on its own:\n{proc.stderr}")
        continue
    deps = proc.stdout.replace("\\\n", " ").split()
    bad = [d for d in deps if any(f in d for f in forbidden)]
    if bad:
        # Which direct sigma include brought them in: rerun with -H for the chain.
        chain = subprocess.run(compiler + ["-std=c++20", "-I", str(include), "-x", "c++", "-E", "-H", "-o", "/dev/null", str(h)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True).stderr.splitlines()
        path = []
        for line in chain:
            dots = len(line) - len(line.lstrip("."))
            if dots == 0:
                continue
            path = path[: dots - 1] + [line.strip(". ")]
            if any(f in line for f in forbidden):
                break
        failed.append(f"{name}: includes {len(bad)} Asio/Beast headers, e.g. {bad[0]}\n    via " + " -> ".join(path))
    else:
        print(f"ok: {name}")

umbrella = include / "sigma" / "sigma.hpp"
proc = subprocess.run(compiler + ["-std=c++20", "-I", str(include), "-x", "c++", "-M", str(umbrella)],
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
if proc.returncode != 0:
    failed.append(f"sigma/sigma.hpp: does not preprocess on its own:\n{proc.stderr}")
else:
    testing = sorted({d for d in proc.stdout.replace("\\\n", " ").split() if "sigma/testing" in d})
    if testing:
        failed.append("sigma/sigma.hpp includes sigma::testing headers (they belong in sigma/testing.hpp):\n    "
                      + "\n    ".join(testing))
    else:
        print("ok: sigma/sigma.hpp includes none of sigma/testing")

if failed:
    print("\n".join("FAIL: " + f for f in failed))
    sys.exit(1)
print(f"ok: {len(headers)} headers, none includes Asio or Beast")
