// SPDX-License-Identifier: MIT
// Included first by every sigma-cpp header.
#ifndef SIGMA_DETAIL_PRELUDE_HPP
#define SIGMA_DETAIL_PRELUDE_HPP

#if __cplusplus < 202002L
#error "sigma-cpp needs C++20: compile with -std=c++20 (Meson: cpp_std=c++20)"
#endif

#include <boost/version.hpp>
#if BOOST_VERSION < 108100
#error "sigma-cpp needs Boost 1.81 or newer (Debian 12: libboost1.81-dev)"
#endif

// SIGMA_SEPARATE_COMPILATION, defined for every file of a program, moves the
// heaviest code (the Beast transport, and the extraction for sigma::client)
// out of the headers: it is compiled once, in the one file that includes
// <sigma/src.hpp>, instead of in every file that uses it. SIGMA_DECL marks
// the functions concerned: inline when header-only, ordinary functions of
// that one file otherwise.
#ifdef SIGMA_SEPARATE_COMPILATION
#define SIGMA_DECL
#else
#define SIGMA_DECL inline
#endif

// Without the Boost.JSON and Boost.URL libraries, define SIGMA_IMPLEMENTATION in
// exactly one source file before including any sigma header: that file then
// compiles their sources. Any other file must not define it.
#if defined(SIGMA_IMPLEMENTATION) && !defined(SIGMA_IMPLEMENTATION_INCLUDED)
#define SIGMA_IMPLEMENTATION_INCLUDED
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
#endif

#endif
