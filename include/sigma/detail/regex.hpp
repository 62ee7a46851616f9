// SPDX-License-Identifier: MIT
// <regex>, included so that GCC's -Wmaybe-uninitialized false positive inside
// libstdc++'s regex compiler does not break -Werror builds with AddressSanitizer.
//
// GCC 12 and later, optimising (-O1 and up) with -fsanitize=address, warn that
// `__tmp` in std::__detail::_NFA::_M_insert_* (bits/regex_automaton.h) "may be
// used uninitialized" when _State's move constructor reads its std::function
// member: that member is only read for the match opcode, for which it was
// constructed. A false positive in libstdc++, not in our code; GCC bug 105616.
// The warning is placed at lines of the regex headers, so the pragma brackets
// only their inclusion: the headers <regex> builds on are included before it,
// outside the pragma, and no code of ours is covered. It takes effect only when
// this is the first inclusion of <regex> in the translation unit (sigma's
// headers include <regex> only through this one).
#ifndef SIGMA_DETAIL_REGEX_HPP
#define SIGMA_DETAIL_REGEX_HPP

#include <algorithm>
#include <bitset>
#include <functional>
#include <iterator>
#include <locale>
#include <map>
#include <memory>
#include <sstream>
#include <stack>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && defined(__SANITIZE_ADDRESS__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#else
#include <regex>
#endif

#endif
