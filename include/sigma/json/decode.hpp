// SPDX-License-Identifier: MIT
#ifndef SIGMA_JSON_DECODE_HPP
#define SIGMA_JSON_DECODE_HPP

#include <sigma/error.hpp>
#include <sigma/json/detail/dom_decode.hpp>
#include <sigma/json/options.hpp>
#include <sigma/json/traits.hpp>
#include <sigma/result.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace sigma::json {

namespace detail {

// Checks at the entry point, so that a wrong T is reported where the user wrote it.
template <class T>
constexpr void check_decodable() {
    static_assert(!std::is_reference_v<T> && !std::is_const_v<T>,
                  "sigma::json::decode<T>: T must be a plain value type (no reference, no const)");
    static_assert(std::is_default_constructible_v<T>,
                  "sigma::json::decode<T>: T must be default-constructible; decoding fills its members in place");
    static_assert(!(std::is_class_v<T> && !is_optional<T>::value && !is_vector<T>::value &&
                    !is_string_map<T>::value && !is_variant<T>::value && !std::is_same_v<T, std::string> &&
                    !std::is_same_v<T, boost::json::value> && !has_codec<T> && !described_struct<T>),
                  "sigma::json::decode<T>: T is a class without a Boost.Describe description. Add "
                  "BOOST_DESCRIBE_STRUCT(T, (bases...), (member1, member2, ...)) after its definition (members "
                  "named exactly as the JSON keys), or specialise sigma::json::codec<T>.");
    static_assert(!(std::is_enum_v<T> && !described_enum<T>),
                  "sigma::json::decode<T>: T is an enum without a description. Add BOOST_DESCRIBE_ENUM(T, "
                  "enumerator1, enumerator2, ...) after its definition.");
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
    decode_context c{options};
    T out{};
    if (!decode_value(v, out, c, nullptr)) return std::move(*c.failure);
    return out;
}

} // namespace detail

// Parses `text` and decodes it into T. Syntax errors name the line, column and
// byte; schema errors name the RFC 6901 pointer of the offending value.
template <class T>
result<T> decode(std::string_view text, decode_options const& options = {}) {
    detail::check_decodable<T>();
    boost::json::monotonic_resource scratch;
    boost::json::parse_options po;
    po.max_depth = options.max_depth;
    boost::json::parser p(&scratch, po);
    boost::system::error_code ec;
    // write() consumes trailing white space and reports extra data, an
    // incomplete document, or the offset of the first bad character.
    std::size_t used = p.write(text.data(), text.size(), ec);
    if (ec) {
        return sigma::error(errc::json_syntax,
                            "syntax error at " + detail::describe_offset(text, used) + ": " + ec.message());
    }
    boost::json::value v = p.release();
    return detail::decode_parsed<T>(v, options);
}

// Decodes an already parsed value.
template <class T, class V>
    requires std::same_as<V, boost::json::value>
result<T> decode(V const& value, decode_options const& options = {}) {
    detail::check_decodable<T>();
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
