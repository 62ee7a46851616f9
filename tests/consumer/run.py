#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds project/main.cpp the ways a downstream user integrates sigma-cpp,
and runs it (it exits 0 only when its decoding results are right).

  subproject  project/ is a Meson project that gets sigma-cpp through
              dependency('sigma-cpp') from subprojects/sigma-cpp (a symlink to this
              source tree). Also checks that sigma-cpp, as a subproject, defines no
              build targets and no tests of its own.
  pkg-config  sigma-cpp is configured and installed into a staging directory; the
              program is compiled with `pkg-config --cflags --libs sigma-cpp`.
  vendored    only single_include/sigma/sigma.hpp is copied beside the program,
              which is compiled against that copy alone; then testing.hpp is
              copied beside it and project/testing_user.cpp (sigma::testing's
              fake and in-memory transport) is built against the two.
  vendored-separate
              the same with SIGMA_SEPARATE_COMPILATION: a second file defines
              SIGMA_SOURCE before including the copy, and compiles the transport
              and the extraction for the program.
  readme      the README's example (the ```cpp block after <!-- readme-example -->)
              is compiled against include/ and run; its output must equal the block
              after <!-- readme-example-output -->.

Usage: run.py MODE SOURCE_ROOT WORK_DIR --meson MESON -- CXX [CXX ARGS...]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

# The program's own warnings, as strict as the project's; -O0 without debug
# information, since what is checked is that it builds, links and decodes.
CXXFLAGS = ["-std=c++20", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-O0"]
LIBS = ["-lboost_json", "-lboost_url", "-lssl", "-lcrypto", "-pthread"]


def fail(message: str) -> None:
    print("FAIL: " + message, flush=True)
    raise SystemExit(1)


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    print("$ " + shlex.join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        print(proc.stdout, flush=True)
        fail(f"exit status {proc.returncode}: {shlex.join(cmd)}")
    return proc.stdout


def run_program(exe: Path) -> str:
    proc = subprocess.run([str(exe)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(proc.stdout, end="", flush=True)
    if proc.returncode != 0:
        fail(f"{exe} exited with status {proc.returncode}")
    return proc.stdout


def subproject(source: Path, work: Path, meson: list[str], _cxx: list[str]) -> None:
    project = work / "project"
    shutil.copytree(source / "tests" / "consumer" / "project", project)
    (project / "subprojects").mkdir()
    (project / "subprojects" / "sigma-cpp").symlink_to(source, target_is_directory=True)
    build = project / "build"
    # An installed sigma-cpp.pc must not stand in for the subproject.
    run([*meson, "setup", str(build), "--force-fallback-for=sigma-cpp", "--buildtype=plain"], project)
    targets = json.loads(run([*meson, "introspect", "--targets", str(build)], project))
    theirs = [t["name"] for t in targets if t.get("subproject")]
    if theirs:
        fail(f"as a subproject, sigma-cpp defines build targets {theirs}; "
             "guard them with `if not meson.is_subproject()`")
    tests = json.loads(run([*meson, "introspect", "--tests", str(build)], project))
    if tests:
        fail(f"as a subproject, sigma-cpp registers tests {[t['name'] for t in tests]}")
    run([*meson, "compile", "-C", str(build)], project)
    run_program(build / "consumer")


def pkg_config(source: Path, work: Path, meson: list[str], cxx: list[str]) -> None:
    build, stage = work / "sigma-build", work / "stage"
    run([*meson, "setup", str(build), str(source), "--prefix=/usr", "--libdir=lib",
         "-Dtests=disabled", "-Dtools=disabled", "-Dbenchmarks=disabled"], work)
    run([*meson, "install", "-C", str(build), "--destdir", str(stage)], work)
    pc_dir = stage / "usr" / "lib" / "pkgconfig"
    if not (pc_dir / "sigma-cpp.pc").exists():
        fail(f"meson install wrote no {pc_dir / 'sigma-cpp.pc'}")
    env = dict(os.environ, PKG_CONFIG_PATH=str(pc_dir), PKG_CONFIG_SYSROOT_DIR=str(stage))
    flags = shlex.split(run(["pkg-config", "--cflags", "--libs", "sigma-cpp"], work, env))
    if not any(f == f"-I{stage}/usr/include" for f in flags):
        fail(f"pkg-config's flags {flags} do not point at the installed headers")
    exe = work / "consumer"
    run([*cxx, *CXXFLAGS, str(source / "tests" / "consumer" / "project" / "main.cpp"), "-o", str(exe), *flags], work)
    run_program(exe)


def vendored(source: Path, work: Path, _meson: list[str], cxx: list[str]) -> None:
    third_party = work / "third_party" / "sigma"
    third_party.mkdir(parents=True)
    shutil.copy2(source / "single_include" / "sigma" / "sigma.hpp", third_party / "sigma.hpp")
    exe = work / "consumer"
    run([*cxx, *CXXFLAGS, f"-I{work / 'third_party'}", str(source / "tests" / "consumer" / "project" / "main.cpp"),
         "-o", str(exe), *LIBS], work)
    run_program(exe)
    shutil.copy2(source / "single_include" / "sigma" / "testing.hpp", third_party / "testing.hpp")
    testing_exe = work / "testing_user"
    run([*cxx, *CXXFLAGS, f"-I{work / 'third_party'}",
         str(source / "tests" / "consumer" / "project" / "testing_user.cpp"), "-o", str(testing_exe), *LIBS], work)
    run_program(testing_exe)


def vendored_separate(source: Path, work: Path, _meson: list[str], cxx: list[str]) -> None:
    third_party = work / "third_party" / "sigma"
    third_party.mkdir(parents=True)
    shutil.copy2(source / "single_include" / "sigma" / "sigma.hpp", third_party / "sigma.hpp")
    src = work / "sigma_src.cpp"
    src.write_text("#define SIGMA_SOURCE\n#include <sigma/sigma.hpp>\n", encoding="utf-8")
    flags = [*CXXFLAGS, "-DSIGMA_SEPARATE_COMPILATION", f"-I{work / 'third_party'}"]
    main_obj, src_obj = work / "main.o", work / "sigma_src.o"
    run([*cxx, *flags, "-c", str(source / "tests" / "consumer" / "project" / "main.cpp"), "-o", str(main_obj)], work)
    run([*cxx, *flags, "-c", str(src), "-o", str(src_obj)], work)
    exe = work / "consumer"
    run([*cxx, str(main_obj), str(src_obj), "-o", str(exe), *LIBS], work)
    if "separate compilation" not in run_program(exe):
        fail("the program was not compiled with SIGMA_SEPARATE_COMPILATION")


def fenced_block(text: str, marker: str) -> str:
    """The body of the first fenced block after `<!-- marker -->`."""
    lines = text.splitlines()
    try:
        start = lines.index(f"<!-- {marker} -->")
    except ValueError:
        fail(f"README.md has no <!-- {marker} --> line")
    body, inside = [], False
    for line in lines[start + 1:]:
        if line.startswith("```"):
            if inside:
                return "\n".join(body) + "\n"
            inside = True
        elif inside:
            body.append(line)
    fail(f"README.md has no complete fenced block after <!-- {marker} -->")
    return ""


def readme(source: Path, work: Path, _meson: list[str], cxx: list[str]) -> None:
    text = (source / "README.md").read_text(encoding="utf-8")
    program, expected = fenced_block(text, "readme-example"), fenced_block(text, "readme-example-output")
    (work / "example.cpp").write_text(program, encoding="utf-8")
    exe = work / "example"
    run([*cxx, *CXXFLAGS, f"-I{source / 'include'}", str(work / "example.cpp"), "-o", str(exe), *LIBS], work)
    proc = subprocess.run([str(exe)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0 or proc.stdout != expected:
        print("---- expected (README) ----\n" + expected + "---- got ----\n" + proc.stdout, end="")
        fail(f"the README example exited with status {proc.returncode}" if proc.returncode
             else "the README example's output differs from the README")
    print(proc.stdout, end="")


MODES = {"subproject": subproject, "pkg-config": pkg_config, "vendored": vendored,
         "vendored-separate": vendored_separate, "readme": readme}


def main() -> int:
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("source", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--meson", required=True)
    args = parser.parse_args(argv[:split])
    cxx = argv[split + 1:]
    source, work = args.source.resolve(), args.work.resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    MODES[args.mode](source, work, [args.meson], cxx)
    print(f"ok: {'the README example' if args.mode == 'readme' else 'the consumer program'} built ({args.mode}) and ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
