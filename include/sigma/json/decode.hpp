// SPDX-License-Identifier: MIT
#ifndef SIGMA_JSON_DECODE_HPP
#define SIGMA_JSON_DECODE_HPP

#include <sigma/error.hpp>
#include <sigma/json/detail/dom_decode.hpp>
#include <sigma/json/detail/parse.hpp>
#include <sigma/json/detail/stream_decode.hpp>
#include <sigma/json/options.hpp>
#include <sigma/json/traits.hpp>
#include <sigma/result.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace sigma::json {

namespace detail {

// Checks at the entry point, so that a wrong T is reported where the user wrote
// it; the entry points compile nothing else for such a T, so no second error
// follows from deep inside the engine.
template <class T>
constexpr bool check_decodable() {
    static_assert(!std::is_reference_v<T> && !std::is_const_v<T>,
                  "sigma::json::decode<T>: T must be a plain value type (no reference, no const)");
    static_assert(std::is_default_constructible_v<T>,
                  "sigma::json::decode<T>: T must be default-constructible; decoding fills its members in place");
    static_assert(!undescribed_class<T>,
                  "sigma::json::decode<T>: T is a class without a Boost.Describe description. Add "
                  "BOOST_DESCRIBE_STRUCT(T, (bases...), (member1, member2, ...)) after its definition (members "
                  "named exactly as the JSON keys), or specialise sigma::json::codec<T>.");
    static_assert(!undescribed_enum<T>,
                  "sigma::json::decode<T>: T is an enum without a description. Add BOOST_DESCRIBE_ENUM(T, "
                  "enumerator1, enumerator2, ...) after its definition.");
    return !std::is_reference_v<T> && !std::is_const_v<T> && std::is_default_constructible_v<T> &&
           !undescribed_class<T> && !undescribed_enum<T>;
}

// Line and column (both from 1) of a byte offset, for syntax errors.
inline std::string describe_offset(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1) + " (byte " +
           std::to_string(offset) + ")";
}

template <class T>
result<T> decode_parsed(boost::json::value const& v, decode_options const& options) {
    if constexpr (check_decodable<T>()) {
        decode_context c{options};
        T out{};
        if (!decode_value(v, out, c, nullptr)) return std::move(*c.failure);
        return out;
    } else {
        return sigma::error(errc::json_type, "unsupported type"); // not reached: check_decodable failed to compile
    }
}

inline sigma::error syntax_error(std::string_view text, boost::json::error_code const& ec, std::size_t offset) {
    return sigma::error(errc::json_syntax, "syntax error at " + describe_offset(text, offset) + ": " + ec.message());
}

} // namespace detail

// The reference path: parses `text` into a boost::json::value, then decodes
// that. decode() gives the same result, error message and pointer for every
// text; this one is kept readable, for comparison.
template <class T>
result<T> decode_dom(std::string_view text, decode_options const& options = {}) {
    if constexpr (detail::check_decodable<T>()) {
        // The parsed tree lives only until decoding has copied what T keeps out
        // of it, so it comes from one arena freed in a single step.
        boost::json::monotonic_resource scratch;
        boost::json::parse_options po;
        po.max_depth = options.max_depth;
        detail::parsed p = detail::parse_text(text.data(), text.size(), &scratch, po);
        if (p.ec) return detail::syntax_error(text, p.ec, p.offset);
        return detail::decode_parsed<T>(p.value, options);
    } else {
        return sigma::error(errc::json_type, "unsupported type"); // not reached: check_decodable failed to compile
    }
}

// Parses `text` and decodes it into T, straight from the parser's events.
// Syntax errors name the line, column and byte; schema errors name the RFC
// 6901 pointer of the offending value.
template <class T>
result<T> decode(std::string_view text, decode_options const& options = {}) {
    if constexpr (detail::check_decodable<T>()) {
        detail::decode_context c{options};
        T out{};
        detail::stream_outcome s = detail::stream_decode(text, out, c);
        if (s.ec) return detail::syntax_error(text, s.ec, s.offset);
        // A key repeated where it decides between errors: the DOM's rule (its
        // last value, at its first position) needs the whole object.
        if (s.ambiguous) return decode_dom<T>(text, options);
        if (c.failure) return std::move(*c.failure);
        return out;
    } else {
        return sigma::error(errc::json_type, "unsupported type"); // not reached: check_decodable failed to compile
    }
}

// Decodes an already parsed value.
template <class T, class V>
    requires std::same_as<V, boost::json::value>
result<T> decode(V const& value, decode_options const& options = {}) {
    return detail::decode_parsed<T>(value, options);
}

template <class T>
T decode_or_throw(std::string_view text, decode_options const& options = {}) {
    return decode<T>(text, options).value();
}

template <class T, class V>
    requires std::same_as<V, boost::json::value>
T decode_or_throw(V const& value, decode_options const& options = {}) {
    return decode<T>(value, options).value();
}

} // namespace sigma::json

#endif
