#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks what separate compilation moves: the user's object (a static
library of user.cpp) defines none of the Beast transport's implementation and
none of the extraction for sigma::client, and the <sigma/src.hpp> object
(source.cpp) defines both. So the test cannot pass with the macro ignored.

Usage: check_symbols.py USER_LIBRARY SOURCE_LIBRARY
"""

import shutil
import subprocess
import sys

# Demangled names: the transport's implementation, and the extractor and its
# coroutines instantiated for the compiled client type.
MOVED = {
    "the transport's implementation": "sigma::detail::wire::",
    "the extraction for sigma::client": "sigma::extract::extractor<sigma::basic_client<sigma::beast_transport> >",
}

nm = shutil.which("nm")
if not nm:
    print("SKIP: no nm on this machine; the symbols are not checked")
    sys.exit(77)


def defined(path: str) -> list[str]:
    out = subprocess.run([nm, "-C", "--defined-only", path], stdout=subprocess.PIPE, text=True, check=True).stdout
    names = []
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "TtWwVv":
            names.append(parts[2])
    return names


def names_function_of(name: str, needle: str) -> bool:
    """True when `needle` is in the function's own qualified name, not only in
    a template argument or a parameter type (std::shared_ptr<wire::state>)."""
    at = name.find(needle)
    while at != -1:
        opened = sum(name.count(c, 0, at) for c in "<(")
        closed = sum(name.count(c, 0, at) for c in ">)")
        if opened <= closed:
            return True
        at = name.find(needle, at + 1)
    return False


user, source = defined(sys.argv[1]), defined(sys.argv[2])
failed = False
for what, needle in MOVED.items():
    in_user = [n for n in user if names_function_of(n, needle)]
    in_source = [n for n in source if names_function_of(n, needle)]
    if in_user:
        failed = True
        print(f"FAIL: the user's file defines {what} ({len(in_user)} functions), e.g. {in_user[0][:300]}")
    if not in_source:
        failed = True
        print(f"FAIL: the <sigma/src.hpp> file defines nothing of {what}: the check looks for the wrong names")
    if in_source and not in_user:
        print(f"ok: {what}: {len(in_source)} functions in the source file, none in the user's")
if failed:
    sys.exit(1)
