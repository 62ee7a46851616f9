// SPDX-License-Identifier: MIT
// HTTP requests and responses as plain values: what endpoints build and
// transports carry. No Asio here, so that the API layer can name them.
#ifndef SIGMA_TRANSPORT_HTTP_HPP
#define SIGMA_TRANSPORT_HTTP_HPP

#include <sigma/detail/prelude.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace sigma {

enum class http_method { get, post, put, patch, delete_ };

constexpr std::string_view to_string(http_method m) noexcept {
    switch (m) {
    case http_method::get: return "GET";
    case http_method::post: return "POST";
    case http_method::put: return "PUT";
    case http_method::patch: return "PATCH";
    case http_method::delete_: return "DELETE";
    }
    return "GET";
}

struct http_header {
    std::string name;
    std::string value;
};

namespace detail {
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}
} // namespace detail

// One request. The transport adds Host, User-Agent, Accept (unless given) and
// Content-Length itself.
struct http_request {
    http_method method = http_method::get;
    std::string origin;               // scheme://host[:port], no path: "https://api.sigmacomputing.com"
    std::string target;               // origin-form, already encoded: "/v2/workbooks?limit=1000"
    std::vector<http_header> headers; // e.g. Authorization, Content-Type
    std::string body;

    [[nodiscard]] std::string_view header(std::string_view name) const noexcept {
        for (auto const& h : headers)
            if (detail::iequals(h.name, name)) return h.value;
        return {};
    }
};

struct http_response {
    unsigned status = 0;
    std::vector<http_header> headers;
    std::string body;

    // The first header of that name (case-insensitive), or an empty view.
    [[nodiscard]] std::string_view header(std::string_view name) const noexcept {
        for (auto const& h : headers)
            if (detail::iequals(h.name, name)) return h.value;
        return {};
    }
};

// A Transport sends one request and answers with the response, or with a
// sigma::error (errc::transport or errc::timeout) when no complete response
// arrived. Any HTTP status is a response, not an error: retries and status
// handling belong to the client. Errors name the method and target, never a
// header value. Several async_send calls may be in flight at once.
} // namespace sigma

#endif
