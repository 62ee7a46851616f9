// SPDX-License-Identifier: MIT
// The JSON body of a Sigma error answer.
#ifndef SIGMA_API_MODELS_ERROR_BODY_HPP
#define SIGMA_API_MODELS_ERROR_BODY_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/decode.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sigma::api {

// `{"code": "unauthorized", "message": "Token missing or malformed", "requestId": "..."}`.
struct error_fields {
    std::optional<std::string> code;
    std::optional<std::string> message;
    std::optional<std::string> requestId;

    [[nodiscard]] bool empty() const noexcept { return !code && !message && !requestId; }

    bool operator==(error_fields const&) const = default;
};
BOOST_DESCRIBE_STRUCT(error_fields, (), (code, message, requestId))

// Any non-2xx answer of the API: the fields flat, or nested under "error",
// or (rarely) both. Proxies answer with HTML instead: see parse_error_body.
struct error_body : error_fields {
    std::optional<error_fields> error;

    bool operator==(error_body const&) const = default;
};
BOOST_DESCRIBE_STRUCT(error_body, (error_fields), (error))

// One set of fields from either form; a nested field wins over a flat one.
[[nodiscard]] inline error_fields flatten(error_body const& b) {
    error_fields out = static_cast<error_fields const&>(b);
    if (b.error) {
        if (b.error->code) out.code = b.error->code;
        if (b.error->message) out.message = b.error->message;
        if (b.error->requestId) out.requestId = b.error->requestId;
    }
    return out;
}

// The code, message and request id of an error answer's body, or nullopt
// when the body is not a Sigma error (HTML from a proxy, empty, other JSON).
// Never fails: an error path must not raise a second error.
[[nodiscard]] inline std::optional<error_fields> parse_error_body(std::string_view body) {
    auto decoded = sigma::json::decode<error_body>(body);
    if (decoded.has_value()) {
        error_fields f = flatten(*decoded);
        if (f.empty()) return std::nullopt;
        return f;
    }
    // A field of an unexpected type (say `"error": "invalid_grant"`): keep
    // whatever the flat form still gives.
    auto flat = sigma::json::decode<error_fields>(body);
    if (flat.has_value() && !flat->empty()) return *flat;
    return std::nullopt;
}

} // namespace sigma::api

#endif
