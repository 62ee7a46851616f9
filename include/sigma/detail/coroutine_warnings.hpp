// SPDX-License-Identifier: MIT
// GCC 12 reports -Wmismatched-new-delete for Asio's awaitable frames (its
// frames use a class-specific operator new/delete pair that the middle end
// mismatches: a false positive). Headers that define coroutines bracket them:
//
//     #include <sigma/detail/coroutine_warnings.hpp>
//     SIGMA_COROUTINES_BEGIN
//     ... coroutines ...
//     SIGMA_COROUTINES_END
#ifndef SIGMA_DETAIL_COROUTINE_WARNINGS_HPP
#define SIGMA_DETAIL_COROUTINE_WARNINGS_HPP

#if defined(__GNUC__) && !defined(__clang__)
#define SIGMA_COROUTINES_BEGIN \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmismatched-new-delete\"")
#define SIGMA_COROUTINES_END _Pragma("GCC diagnostic pop")
#else
#define SIGMA_COROUTINES_BEGIN
#define SIGMA_COROUTINES_END
#endif

#endif
