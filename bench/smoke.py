#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs one sigma-bench subcommand at a small size and checks only that it exits
0 and prints one valid JSON object on stdout. No figure is judged.

Usage: smoke.py SIGMA_BENCH SUBCOMMAND [ARGS...]
"""

import json
import subprocess
import sys

cmd = sys.argv[1:]
if len(cmd) < 2:
    sys.exit("usage: smoke.py SIGMA_BENCH SUBCOMMAND [ARGS...]")
proc = subprocess.run(cmd + ["--json"], stdout=subprocess.PIPE, text=True)
if proc.returncode != 0:
    sys.exit(f"FAIL: {' '.join(cmd)} exited with status {proc.returncode}")
try:
    doc = json.loads(proc.stdout)
except json.JSONDecodeError as e:
    sys.exit(f"FAIL: stdout is not one JSON document ({e}):\n{proc.stdout[:2000]}")
if not isinstance(doc, dict) or doc.get("subcommand") != cmd[1]:
    sys.exit(f"FAIL: expected a JSON object with \"subcommand\": \"{cmd[1]}\"")
print(json.dumps(doc, indent=1)[:4000])
print(f"ok: {cmd[1]} printed valid JSON")
