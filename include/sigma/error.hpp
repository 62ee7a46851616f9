// SPDX-License-Identifier: MIT
#ifndef SIGMA_ERROR_HPP
#define SIGMA_ERROR_HPP

#include <sigma/detail/prelude.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace sigma {

// What went wrong, coarse enough to branch on; the message says the rest.
enum class errc {
    ok = 0,
    // JSON schema engine
    json_syntax,        // the text is not JSON
    json_type,          // a value has the wrong JSON type
    json_missing_key,   // a required key is absent
    json_unknown_key,   // a key the type does not describe (only with key_policy::reject)
    json_out_of_range,  // an integer does not fit its member
    json_unknown_enum,  // a string names no enumerator and the enum has no `unknown`
    json_discriminator, // a tagged union's tag is missing or names no alternative
    json_invalid,       // a custom codec refused the value
    // configuration
    config,
    // network and API (filled in by the client and transports)
    transport,          // connection, TLS or protocol failure
    timeout,
    http_status,        // a non-success answer that is not one of the below
    auth,               // credentials refused
    rate_limited,       // gave up after 429s
    not_found,
    paging,             // a cursor repeated, or too many pages
    cancelled,
    invalid_argument,   // a caller-supplied value cannot be used (e.g. an id that is not a path segment)
};

constexpr std::string_view to_string(errc e) noexcept {
    switch (e) {
    case errc::ok: return "ok";
    case errc::json_syntax: return "json_syntax";
    case errc::json_type: return "json_type";
    case errc::json_missing_key: return "json_missing_key";
    case errc::json_unknown_key: return "json_unknown_key";
    case errc::json_out_of_range: return "json_out_of_range";
    case errc::json_unknown_enum: return "json_unknown_enum";
    case errc::json_discriminator: return "json_discriminator";
    case errc::json_invalid: return "json_invalid";
    case errc::config: return "config";
    case errc::transport: return "transport";
    case errc::timeout: return "timeout";
    case errc::http_status: return "http_status";
    case errc::auth: return "auth";
    case errc::rate_limited: return "rate_limited";
    case errc::not_found: return "not_found";
    case errc::paging: return "paging";
    case errc::cancelled: return "cancelled";
    case errc::invalid_argument: return "invalid_argument";
    }
    return "unknown";
}

// Where an HTTP failure happened. Never holds a token or a secret: the client
// fills `target` from the request line only, and `excerpt` from the answer.
struct http_details {
    unsigned status = 0;       // 0 when no answer was received
    std::string method;        // GET, POST, ...
    std::string target;        // path and query, e.g. /v2/workbooks?limit=1000
    std::string api_code;      // Sigma's `code`, e.g. "unauthorized"
    std::string request_id;    // body `requestId` or the X-Request-Id header
};

// The one error type of the library: a value inside sigma::result<T>, and the
// exception thrown by the *_or_throw calls. message() == what().
//
// Small on purpose (40 bytes): every result<T> is at least this large, and
// results live in coroutine frames; the JSON pointer and the HTTP details,
// present on few errors, are one shared immutable block, copied by reference.
class error : public std::runtime_error {
public:
    error(errc code, std::string const& message, std::string json_pointer = {})
        : std::runtime_error(message), code_(code) {
        if (!json_pointer.empty()) extra_ = std::make_shared<detail_block const>(std::move(json_pointer), http_details{});
    }

    error(errc code, std::string const& message, http_details details)
        : std::runtime_error(message), code_(code),
          extra_(std::make_shared<detail_block const>(std::string(), std::move(details))) {}

    [[nodiscard]] errc code() const noexcept { return code_; }
    [[nodiscard]] std::string message() const { return what(); }
    // RFC 6901 pointer of the offending JSON value; empty for the document root
    // and for errors that are not about a JSON value.
    [[nodiscard]] std::string const& json_pointer() const noexcept { return extra_ ? extra_->pointer : none().pointer; }
    [[nodiscard]] http_details const& http() const noexcept { return extra_ ? extra_->http : none().http; }

private:
    struct detail_block {
        detail_block(std::string p, http_details h) : pointer(std::move(p)), http(std::move(h)) {}
        std::string pointer;
        http_details http;
    };
    static detail_block const& none() noexcept {
        static detail_block const empty{std::string(), http_details{}};
        return empty;
    }

    errc code_;
    std::shared_ptr<detail_block const> extra_;
};

} // namespace sigma

#endif
