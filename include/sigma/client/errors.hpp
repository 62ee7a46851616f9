// SPDX-License-Identifier: MIT
// What an error answer says: Sigma's code, message and request id from a JSON
// body (flat or under "error"), else a short excerpt of whatever came (HTML
// from a proxy), plus X-Request-Id.
#ifndef SIGMA_CLIENT_ERRORS_HPP
#define SIGMA_CLIENT_ERRORS_HPP

#include <sigma/api/models/error_body.hpp>
#include <sigma/transport/transport.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace sigma::detail {

// At most `max` printable characters of `text`, white space folded, "..." when cut.
inline std::string excerpt(std::string_view text, std::size_t max = 160) {
    std::string out;
    bool space = false;
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (u == ' ' || u == '\t' || u == '\r' || u == '\n') {
            space = !out.empty();
            continue;
        }
        if (u < 0x20 || u == 0x7f) continue;
        if (space) out += ' ';
        space = false;
        if (out.size() >= max) {
            out += "...";
            return out;
        }
        out += c;
    }
    return out;
}

struct error_summary {
    std::string code;
    std::string message;
    std::string request_id;
};

inline error_summary read_error_body(http_response const& r) {
    error_summary s;
    if (auto f = api::parse_error_body(r.body)) {
        if (f->code) s.code = *f->code;
        if (f->message) s.message = excerpt(*f->message, 300);
        if (f->requestId) s.request_id = *f->requestId;
    } else if (!r.body.empty()) {
        s.message = "\"" + excerpt(r.body) + "\"";
    }
    if (s.request_id.empty()) s.request_id = std::string(r.header("X-Request-Id"));
    return s;
}

} // namespace sigma::detail

#endif
