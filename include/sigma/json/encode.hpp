// SPDX-License-Identifier: MIT
// The mirror image of decode: decode(encode(x)) == x for every supported type.
#ifndef SIGMA_JSON_ENCODE_HPP
#define SIGMA_JSON_ENCODE_HPP

#include <sigma/json/detail/dom_decode.hpp>
#include <sigma/json/traits.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cmath>
#include <string>
#include <type_traits>
#include <variant>

namespace sigma::json {

namespace detail {

// Checks at the entry point for mistakes best named where the user wrote them.
// Any other unsupported type is reported from inside the engine, with the list
// of supported types and a note naming the type.
template <class T>
constexpr bool check_encodable() {
    static_assert(!undescribed_enum<T>,
                  "sigma::json::encode(x): x is an enum without a description. Add BOOST_DESCRIBE_ENUM(T, "
                  "enumerator1, enumerator2, ...) after its definition.");
    static_assert(!std::is_pointer_v<T> && !std::is_array_v<T>,
                  "sigma::json::encode(x): x is a pointer or an array; for text pass a std::string, for a "
                  "sequence a std::vector");
    return !undescribed_enum<T> && !std::is_pointer_v<T> && !std::is_array_v<T>;
}

template <class T>
void encode_value(T const& x, boost::json::value& out);

template <described_struct T>
void encode_members(T const& x, boost::json::object& obj) {
    check_struct<T>();
    obj.reserve(obj.size() + boost::mp11::mp_size<members_of<T>>::value);
    boost::mp11::mp_for_each<members_of<T>>([&](auto D) {
        using M = std::remove_cvref_t<decltype(x.*D.pointer)>;
        auto const& m = x.*D.pointer;
        if constexpr (is_optional<M>::value) {
            if (!m) return; // absent optionals are omitted
        }
        encode_value(m, obj[json_key_of<decltype(D)>()]);
    });
}

template <class T>
void encode_value(T const& x, boost::json::value& out) {
    if constexpr (has_codec<T>) {
        out = codec<T>::to_json(x);
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        out = x;
    } else if constexpr (std::is_same_v<T, bool>) {
        out = x;
    } else if constexpr (json_integer<T>) {
        if constexpr (std::is_signed_v<T>)
            out = static_cast<std::int64_t>(x);
        else
            out = static_cast<std::uint64_t>(x);
    } else if constexpr (std::is_floating_point_v<T>) {
        if (std::isfinite(x))
            out = static_cast<double>(x);
        else
            out = nullptr; // JSON has no NaN or infinity
    } else if constexpr (std::is_same_v<T, std::string>) {
        out = x;
    } else if constexpr (is_optional<T>::value) {
        if (x)
            encode_value(*x, out);
        else
            out = nullptr;
    } else if constexpr (is_vector<T>::value) {
        auto& arr = out.emplace_array();
        arr.reserve(x.size());
        for (auto const& e : x) encode_value(e, arr.emplace_back(nullptr));
    } else if constexpr (is_string_map<T>::value) {
        auto& obj = out.emplace_object();
        obj.reserve(x.size());
        for (auto const& [k, v] : x) encode_value(v, obj[k]);
    } else if constexpr (described_enum<T>) {
        std::string_view spelling;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto D) {
            if (spelling.empty() && D.value == x) spelling = enumerator_spelling<T>(D.value, D.name);
        });
        if (spelling.empty())
            out = static_cast<std::underlying_type_t<T>>(x); // a value with no enumerator
        else
            out = spelling;
    } else if constexpr (tagged_union<T>) {
        static_assert(check_tagged_union(static_cast<T const*>(nullptr)));
        std::visit(
            [&](auto const& alt) {
                using Alt = std::remove_cvref_t<decltype(alt)>;
                auto& obj = out.emplace_object();
                if constexpr (!is_fallback<Alt>()) {
                    if (!is_member_key<Alt>(Alt::json_tag.key)) obj[Alt::json_tag.key] = Alt::json_tag.values[0];
                }
                encode_members(alt, obj);
            },
            x);
    } else if constexpr (described_struct<T>) {
        encode_members(x, out.emplace_object());
    } else {
        static_assert(unsupported_member_type<T>::value);
    }
}

} // namespace detail

// The JSON value of x.
template <class T>
boost::json::value encode_value(T const& x) {
    boost::json::value v;
    if constexpr (detail::check_encodable<T>()) detail::encode_value(x, v);
    return v;
}

// The JSON text of x (compact).
template <class T>
std::string encode(T const& x) {
    return boost::json::serialize(encode_value(x));
}

} // namespace sigma::json

#endif
