#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Picks the inputs worth adding to a seed directory from a libFuzzer merge
# control file (-merge=1 -merge_control_file=F): greedily, the input that adds
# the most coverage edges (the file's COV lines) beyond the first directory of
# the merge and the inputs already picked, until --max-files or --max-bytes is
# reached or nothing adds an edge. The picks are copied into SEEDS_DIR under
# their libFuzzer (SHA-1) names. See README.md, "Growing the seeds".
#
# Usage: pick_seeds.py CONTROL_FILE SEEDS_DIR [--max-files N] [--max-bytes B] [--dry-run]
import argparse
import os
import shutil

ap = argparse.ArgumentParser()
ap.add_argument("control")
ap.add_argument("seeds")
ap.add_argument("--max-files", type=int, default=40)
ap.add_argument("--max-bytes", type=int, default=100_000)
ap.add_argument("--dry-run", action="store_true")
a = ap.parse_args()

lines = open(a.control, encoding="utf-8").read().split("\n")
n, first = int(lines[0]), int(lines[1])
paths = lines[2:2 + n]
cov = {}
for line in lines[2 + n:]:
    if line.startswith("COV "):
        parts = line.split()
        cov[int(parts[1])] = set(map(int, parts[2:]))

known = set()
for i in range(first):
    known |= cov.get(i, set())
new = {i: cov[i] - known for i in range(first, n) if i in cov and cov[i] - known}
reachable = len(set().union(*new.values())) if new else 0
print(f"the first directory covers {len(known)} edges; the others add {reachable}")

covered, used = set(), 0
picked = []
while new and len(picked) < a.max_files:
    def gain(i):
        return len(new[i] - covered), -os.path.getsize(paths[i])
    best = max(new, key=gain)
    g = len(new[best] - covered)
    size = os.path.getsize(paths[best])
    if g == 0 or used + size > a.max_bytes:
        break
    covered |= new.pop(best)
    used += size
    picked.append(paths[best])
    print(f"{len(picked):4d} +{g:5d} edges, {len(covered):6d} of {reachable} "
          f"({100 * len(covered) / reachable:5.1f}%), {used:7d} bytes  {os.path.basename(paths[best])}")

for p in picked:
    if not a.dry_run:
        shutil.copyfile(p, os.path.join(a.seeds, os.path.basename(p)))
print(f"{'would add' if a.dry_run else 'added'} {len(picked)} files, {used} bytes, "
      f"{len(covered)} of {reachable} new edges")
