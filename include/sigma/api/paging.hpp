// SPDX-License-Identifier: MIT
// Paging, generated from an endpoint's paging style: which parameters a page
// request carries, how its answer is decoded and where the next cursor is.
// No I/O here; the client drives it.
#ifndef SIGMA_API_PAGING_HPP
#define SIGMA_API_PAGING_HPP

#include <sigma/api/endpoint.hpp>
#include <sigma/api/models/common.hpp>
#include <sigma/json/decode.hpp>
#include <sigma/result.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma::api {

// One decoded page, whatever the style.
template <class Entry>
struct page {
    std::vector<Entry> entries;
    std::optional<std::string> next; // the cursor for the next page; none on the last
};

template <class E>
inline constexpr bool is_paged = E::paging_style != paging::none;

// The page request's extra query parameters: the size always (so a server
// default of 50 never truncates a listing), the cursor from the second page on.
template <class E>
std::vector<std::pair<std::string_view, std::string>> page_parameters(std::size_t page_size,
                                                                      std::optional<std::string> const& cursor) {
    std::size_t n = std::clamp<std::size_t>(page_size, 1, E::max_page_size);
    std::vector<std::pair<std::string_view, std::string>> out;
    switch (E::paging_style) {
    case paging::a:
    case paging::a_or_bare:
        out.emplace_back("limit", std::to_string(n));
        if (cursor) out.emplace_back("page", *cursor);
        break;
    case paging::b:
        out.emplace_back("pageSize", std::to_string(n));
        if (cursor) out.emplace_back("pageToken", *cursor);
        break;
    case paging::bare_array:
    case paging::none: break;
    }
    return out;
}

namespace detail {
inline bool starts_with_array(std::string_view body) noexcept {
    for (char c : body) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        return c == '[';
    }
    return false;
}
inline std::optional<std::string> non_empty(std::optional<std::string> s) {
    if (s && s->empty()) return std::nullopt;
    return s;
}
} // namespace detail

namespace detail {

template <class T, bool Dom>
result<T> decode_body(std::string_view body, json::decode_options const& opts) {
    if constexpr (Dom)
        return json::decode_dom<T>(body, opts);
    else
        return json::decode<T>(body, opts);
}

// One page's body according to the endpoint's style; `Dom`: through the
// reference decoder. A bare array and a style-A object tell themselves apart by
// their first token.
template <class E, bool Dom>
result<page<typename E::response_type>> decode_page_as(std::string_view body, json::decode_options const& opts) {
    using entry = typename E::response_type;
    page<entry> out;
    constexpr paging style = E::paging_style;
    if constexpr (style == paging::bare_array) {
        auto r = decode_body<std::vector<entry>, Dom>(body, opts);
        if (!r) return std::move(r).error();
        out.entries = std::move(*r);
    } else if constexpr (style == paging::b) {
        auto r = decode_body<page_b<entry>, Dom>(body, opts);
        if (!r) return std::move(r).error();
        out.entries = std::move(r->entries);
        out.next = non_empty(std::move(r->nextPageToken));
    } else {
        static_assert(style == paging::a || style == paging::a_or_bare, "decode_page: not a paged endpoint");
        if (style == paging::a_or_bare && starts_with_array(body)) {
            auto r = decode_body<std::vector<entry>, Dom>(body, opts);
            if (!r) return std::move(r).error();
            out.entries = std::move(*r);
        } else {
            auto r = decode_body<page_a<entry>, Dom>(body, opts);
            if (!r) return std::move(r).error();
            out.entries = std::move(r->entries);
            out.next = non_empty(std::move(r->nextPage));
        }
    }
    return out;
}

} // namespace detail

// Decodes one page's body according to the endpoint's style, straight from
// the text (json::decode).
template <class E>
result<page<typename E::response_type>> decode_page(std::string_view body, json::decode_options const& opts = {}) {
    return detail::decode_page_as<E, false>(body, opts);
}

// The same through the reference decoder (json::decode_dom), for comparison.
template <class E>
result<page<typename E::response_type>> decode_page_dom(std::string_view body,
                                                        json::decode_options const& opts = {}) {
    return detail::decode_page_as<E, true>(body, opts);
}

} // namespace sigma::api

#endif
