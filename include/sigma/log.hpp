// SPDX-License-Identifier: MIT
// A hook for users' logging: no dependency on a logging library. Messages
// never contain a secret or a token.
#ifndef SIGMA_LOG_HPP
#define SIGMA_LOG_HPP

#include <sigma/detail/prelude.hpp>

#include <functional>
#include <string_view>

namespace sigma {

enum class log_level { trace, debug, info, warn, error };

constexpr std::string_view to_string(log_level l) noexcept {
    switch (l) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    }
    return "info";
}

// Called synchronously on the thread that runs the client; keep it cheap.
using log_sink = std::function<void(log_level, std::string_view message)>;

} // namespace sigma

#endif
