#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Runs one libFuzzer target for FUZZ_SECONDS (default 60) over its seed corpus:
# new inputs go to a scratch corpus in the build directory, never into the
# repository's seeds; a crash is written to the build directory and fails the test.
import os, subprocess, sys

exe, seeds, dictionary, work = sys.argv[1:5]
seconds = os.environ.get("FUZZ_SECONDS", "60")
os.makedirs(work, exist_ok=True)
artifacts = os.path.join(work, "artifacts") + os.sep
os.makedirs(artifacts, exist_ok=True)
cmd = [exe, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048", "-max_len=65536",
       f"-dict={dictionary}", f"-artifact_prefix={artifacts}", "-print_final_stats=1", work, seeds]
print(" ".join(cmd), flush=True)
sys.exit(subprocess.call(cmd))
