// SPDX-License-Identifier: MIT
// Separate compilation: the one file of a program that compiles sigma-cpp's
// heaviest code, when every file is compiled with SIGMA_SEPARATE_COMPILATION.
//
// Without that macro the library is header-only and every file that uses the
// HTTPS transport or the extraction compiles them again (Beast's HTTP and TLS
// operations, every endpoint's decoding, the extraction's coroutines). With
// it, those files compile only declarations, and this file compiles:
//   - sigma::beast_transport (<sigma/transport/impl/beast.ipp>);
//   - the extraction for sigma::client into any sink (extract::collect,
//     extract::extract, extract::async_extract; <sigma/extract/impl/compiled.ipp>).
// Other client types (another transport, basic_client<any_transport>) are
// still compiled where they are used.
//
// Include it in exactly one source file, before any other sigma-cpp header:
//
//     // sigma_src.cpp, compiled with -DSIGMA_SEPARATE_COMPILATION like the rest
//     #include <sigma/src.hpp>
//
// With the single header (single_include/sigma/sigma.hpp), write instead
// `#define SIGMA_SOURCE` before including it in that one file.
#ifndef SIGMA_SRC_HPP
#define SIGMA_SRC_HPP

#ifndef SIGMA_SEPARATE_COMPILATION
#error "<sigma/src.hpp> is for separate compilation: define SIGMA_SEPARATE_COMPILATION for every file of the program (e.g. -DSIGMA_SEPARATE_COMPILATION), or do not include this header"
#endif
#ifdef SIGMA_DETAIL_PRELUDE_HPP
#error "include <sigma/src.hpp> before any other sigma-cpp header in its file"
#endif

#define SIGMA_SOURCE
#include <sigma/sigma.hpp>

#endif
