// SPDX-License-Identifier: MIT
// sigma-bench compile-time: the one TU of a program built with
// SIGMA_SEPARATE_COMPILATION that compiles the transport and the extraction
// for the other files (sigma_tu.cpp compiled with that macro). Compiled by
// `sigma-bench compile-time`, never linked or run.
#include <sigma/src.hpp>
