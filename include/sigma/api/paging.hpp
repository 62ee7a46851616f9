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
#include <array>
#include <charconv>
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

// An endpoint whose entry type describes only the keys its caller reads
// (`static constexpr bool partial_entries = true;`): its pages skip the other
// keys even under json::key_policy::reject, since they are known, not new.
template <class E>
concept partial_entries = requires { requires E::partial_entries; };

namespace detail {

// page_parameters as views, into `cursor` and into `digits` (which gets the
// size's text): no allocation, for the client's own page requests.
struct page_parameter_views {
    std::array<std::pair<std::string_view, std::string_view>, 2> items{};
    std::size_t count = 0;
    [[nodiscard]] auto begin() const noexcept { return items.begin(); }
    [[nodiscard]] auto end() const noexcept { return items.begin() + static_cast<std::ptrdiff_t>(count); }
};

template <class E>
page_parameter_views page_parameters_in(std::size_t page_size, std::optional<std::string> const& cursor,
                                        std::array<char, 20>& digits) {
    std::size_t n = std::clamp<std::size_t>(page_size, 1, E::max_page_size);
    char const* const end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
    std::string_view const size(digits.data(), static_cast<std::size_t>(end - digits.data()));
    page_parameter_views out;
    auto add = [&](std::string_view k, std::string_view v) { out.items[out.count++] = {k, v}; };
    switch (E::paging_style) {
    case paging::a:
    case paging::a_or_bare:
        add("limit", size);
        if (cursor) add("page", *cursor);
        break;
    case paging::b:
        add("pageSize", size);
        if (cursor) add("pageToken", *cursor);
        break;
    case paging::bare_array:
    case paging::none: break;
    }
    return out;
}

} // namespace detail

// The page request's extra query parameters: the size always (so a server
// default of 50 never truncates a listing), the cursor from the second page on.
template <class E>
std::vector<std::pair<std::string_view, std::string>> page_parameters(std::size_t page_size,
                                                                      std::optional<std::string> const& cursor) {
    std::array<char, 20> digits{};
    std::vector<std::pair<std::string_view, std::string>> out;
    for (auto const& [k, v] : detail::page_parameters_in<E>(page_size, cursor, digits))
        out.emplace_back(k, std::string(v));
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
result<page<typename E::response_type>> decode_page_as(std::string_view body, json::decode_options const& given) {
    using entry = typename E::response_type;
    json::decode_options opts = given;
    if constexpr (partial_entries<E>) opts.unknown_keys = json::key_policy::ignore;
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
