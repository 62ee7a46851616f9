// SPDX-License-Identifier: MIT
// sigma-bench compile-time smoke test: a TU that compiles in no time, so that
// the bench-smoke suite checks the plumbing (compiler, flags) without minutes of work.
int main() { return 0; }
