// SPDX-License-Identifier: MIT
#ifndef SIGMA_JSON_OPTIONS_HPP
#define SIGMA_JSON_OPTIONS_HPP

#include <cstddef>

namespace sigma::json {

// What to do with an object key that the target type does not describe.
// Sigma adds response fields every few months, so the default ignores them.
enum class key_policy { ignore, reject };
inline constexpr key_policy ignore = key_policy::ignore;
inline constexpr key_policy reject = key_policy::reject;

struct decode_options {
    key_policy unknown_keys = key_policy::ignore;
    // Deepest nesting accepted by the parser (arrays and objects).
    std::size_t max_depth = 64;
};

} // namespace sigma::json

#endif
