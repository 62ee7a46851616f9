// SPDX-License-Identifier: MIT
// A string that never shows itself: client secrets and tokens travel through
// logs, error messages and JSON dumps, so the type, not the caller's care,
// keeps them out.
#ifndef SIGMA_SECRET_HPP
#define SIGMA_SECRET_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/detail/dom_decode.hpp>
#include <sigma/json/traits.hpp>

#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace sigma {

// Holds a credential. Streaming, to_string() and JSON encoding all give
// `***`; only reveal() gives the value, so every use is easy to grep for.
// Not convertible to a string on purpose.
class secret {
public:
    static constexpr std::string_view mask = "***";

    secret() = default;
    explicit secret(std::string value) : value_(std::move(value)) {}
    explicit secret(std::string_view value) : value_(value) {}
    explicit secret(char const* value) : value_(value == nullptr ? "" : value) {}

    // The value itself, for the one place that must send it (an HTTP body or header).
    [[nodiscard]] std::string const& reveal() const noexcept { return value_; }
    [[nodiscard]] bool empty() const noexcept { return value_.empty(); }

    // Compares every byte whatever the first difference, so that the time
    // taken does not tell how much of a guess was right.
    friend bool operator==(secret const& a, secret const& b) noexcept {
        if (a.value_.size() != b.value_.size()) return false;
        unsigned char diff = 0;
        for (std::size_t i = 0; i < a.value_.size(); ++i)
            diff |= static_cast<unsigned char>(a.value_[i] ^ b.value_[i]);
        return diff == 0;
    }

    friend std::ostream& operator<<(std::ostream& os, secret const&) { return os << mask; }

private:
    std::string value_;
};

// What any text rendering of a secret shows.
inline std::string to_string(secret const&) { return std::string(secret::mask); }

} // namespace sigma

// JSON: decoded from a string; encoded as the mask, so that dumping a decoded
// answer (a token response, a configuration) never leaks it.
namespace sigma::json {
template <>
struct codec<sigma::secret> {
    static std::optional<std::string> from_json(boost::json::value const& v, sigma::secret& out) {
        // The message names the JSON kind only, never the value.
        auto const* s = v.if_string();
        if (s == nullptr) {
            std::string what = "expected string, got ";
            what += detail::kind_name(v.kind());
            return what;
        }
        out = sigma::secret(std::string_view(*s));
        return std::nullopt;
    }
    static boost::json::value to_json(sigma::secret const&) { return boost::json::string(sigma::secret::mask); }
};
} // namespace sigma::json

#endif
