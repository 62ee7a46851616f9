// SPDX-License-Identifier: MIT
// Decoding from a parsed boost::json::value into described types: the
// reference path. Every rule of the schema engine lives here once.
#ifndef SIGMA_JSON_DETAIL_DOM_DECODE_HPP
#define SIGMA_JSON_DETAIL_DOM_DECODE_HPP

#include <sigma/error.hpp>
#include <sigma/json/options.hpp>
#include <sigma/json/pointer.hpp>
#include <sigma/json/traits.hpp>

#include <boost/json/value.hpp>
#include <boost/json/serialize.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace sigma::json::detail {

// Instantiated only for an unsupported type, so that the compiler's note names it.
template <class T>
struct unsupported_member_type {
    static_assert(dependent_false<T>,
                  "sigma::json: this type cannot be decoded or encoded (see the `with T = ...` note). Supported: "
                  "bool, integers, double, std::string, std::optional<T>, std::vector<T>, std::map/unordered_map"
                  "<std::string, T>, boost::json::value, structs described with BOOST_DESCRIBE_STRUCT, enums "
                  "described with BOOST_DESCRIBE_ENUM, std::variant of described structs that declare a json_tag, "
                  "and types with a sigma::json::codec<T> specialisation.");
    static constexpr bool value = false;
};

// A class the engine cannot handle because it lacks a description (checked at
// the public entry points, where the message is most useful).
template <class T>
inline constexpr bool undescribed_class =
    std::is_class_v<T> && !is_optional<T>::value && !is_vector<T>::value && !is_string_map<T>::value &&
    !is_variant<T>::value && !std::is_same_v<T, std::string> && !std::is_same_v<T, boost::json::value> &&
    !has_codec<T> && !described_struct<T>;

template <class T>
inline constexpr bool undescribed_enum = std::is_enum_v<T> && !described_enum<T>;

inline std::string_view kind_name(boost::json::kind k) noexcept {
    switch (k) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "bool";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "number";
    case boost::json::kind::string: return "string";
    case boost::json::kind::array: return "array";
    case boost::json::kind::object: return "object";
    }
    return "value";
}

// The shared error sink of one decode call.
struct decode_context {
    decode_options const& options;
    std::optional<sigma::error> failure{};

    bool fail(errc code, path_frame const* at, std::string_view what) {
        std::string ptr = to_pointer(at);
        std::string msg;
        if (!ptr.empty()) {
            msg.reserve(ptr.size() + 2 + what.size());
            msg += ptr;
            msg += ": ";
        }
        msg += what;
        failure.emplace(code, msg, std::move(ptr));
        return false;
    }

    bool type_error(std::string_view expected, boost::json::value const& got, path_frame const* at) {
        std::string what = "expected ";
        what += expected;
        what += ", got ";
        what += kind_name(got.kind());
        return fail(errc::json_type, at, what);
    }
};

template <class T>
constexpr std::string_view integer_name() {
    if constexpr (std::is_signed_v<T>) {
        switch (sizeof(T)) {
        case 1: return "int8";
        case 2: return "int16";
        case 4: return "int32";
        default: return "int64";
        }
    } else {
        switch (sizeof(T)) {
        case 1: return "uint8";
        case 2: return "uint16";
        case 4: return "uint32";
        default: return "uint64";
        }
    }
}

template <json_integer T>
std::string out_of_range_text(std::string_view got) {
    std::string s = "integer out of range: ";
    s += got;
    s += " does not fit ";
    s += integer_name<T>();
    s += " [";
    s += std::to_string(std::numeric_limits<T>::min());
    s += ", ";
    s += std::to_string(std::numeric_limits<T>::max());
    s += "]";
    return s;
}

template <json_integer T>
bool decode_integer(boost::json::value const& v, T& out, decode_context& c, path_frame const* at) {
    switch (v.kind()) {
    case boost::json::kind::int64: {
        std::int64_t x = v.get_int64();
        if (std::in_range<T>(x)) {
            out = static_cast<T>(x);
            return true;
        }
        return c.fail(errc::json_out_of_range, at, out_of_range_text<T>(std::to_string(x)));
    }
    case boost::json::kind::uint64: {
        std::uint64_t x = v.get_uint64();
        if (std::in_range<T>(x)) {
            out = static_cast<T>(x);
            return true;
        }
        return c.fail(errc::json_out_of_range, at, out_of_range_text<T>(std::to_string(x)));
    }
    case boost::json::kind::double_: {
        // The spec types counts as `number`; accept 3.0 but not 3.5.
        double d = v.get_double();
        if (!std::isfinite(d)) return c.fail(errc::json_out_of_range, at, "integer out of range: number too large");
        if (d != std::trunc(d)) return c.type_error("integer", v, at);
        // [lo, hi) is exactly T's range: both bounds are 0 or powers of two.
        constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
        constexpr double hi = 2.0 * static_cast<double>(std::numeric_limits<T>::max() / 2 + 1);
        if (d < lo || d >= hi) return c.fail(errc::json_out_of_range, at, out_of_range_text<T>(boost::json::serialize(v)));
        // Beyond 2^53 a double is not one integer but the nearest of several
        // texts (-9223372036854775809 reads as -2^63), so it is refused rather
        // than silently changed.
        if (std::abs(d) >= 9007199254740992.0) {
            std::string what = "integer out of range: ";
            what += boost::json::serialize(v);
            what += " cannot be read exactly (beyond 2^53 as a floating-point number)";
            return c.fail(errc::json_out_of_range, at, what);
        }
        out = static_cast<T>(d);
        return true;
    }
    default: return c.type_error("integer", v, at);
    }
}

// The name of the first enumerator whose value is v; later ones are aliases.
template <described_enum E>
constexpr std::string_view canonical_enumerator_name(E v) noexcept {
    std::string_view n;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
        if (n.empty() && D.value == v) n = D.name;
    });
    return n;
}

// The JSON spelling of the enumerator named `name` (value e): the hook's, for
// the first enumerator of a value, else its name.
template <described_enum E>
std::string_view enumerator_spelling(E e, std::string_view name) noexcept {
    if constexpr (has_enum_name_hook<E>) {
        if (name == canonical_enumerator_name(e)) {
            std::string_view s = sigma_json_enum_name(e);
            if (!s.empty()) return s;
        }
    }
    return name;
}

template <described_enum E>
struct enum_spelling {
    std::string_view spelling;
    E value;
};

// Spelling -> value for every enumerator, built once per enum (the hook need
// not be constexpr).
template <described_enum E>
auto const& enum_spellings() {
    using L = boost::describe::describe_enumerators<E>;
    static auto const table = [] {
        std::array<enum_spelling<E>, boost::mp11::mp_size<L>::value> t{};
        std::size_t i = 0;
        boost::mp11::mp_for_each<L>([&](auto D) { t[i++] = {enumerator_spelling<E>(D.value, D.name), D.value}; });
        return t;
    }();
    return table;
}

template <described_enum E>
bool enum_from_spelling(std::string_view s, E& out) noexcept {
    for (auto const& e : enum_spellings<E>()) {
        if (e.spelling == s) {
            out = e.value;
            return true;
        }
    }
    return false;
}

template <described_enum E>
constexpr bool has_unknown_enumerator() {
    bool has = false;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
        if (std::string_view(D.name) == "unknown") has = true;
    });
    return has;
}

template <described_enum E>
constexpr E unknown_enumerator() {
    E e{};
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
        if (std::string_view(D.name) == "unknown") e = D.value;
    });
    return e;
}

// Reads an enumerator from its JSON spelling; a spelling no enumerator has is
// `unknown` when the enum has one, else an error.
template <described_enum E>
bool decode_enum(std::string_view s, E& out, decode_context& c, path_frame const* at) {
    if (enum_from_spelling(s, out)) return true;
    if constexpr (has_unknown_enumerator<E>()) {
        out = unknown_enumerator<E>();
        return true;
    } else {
        std::string what = "unknown enumerator \"";
        what += s;
        what += "\"; expected one of:";
        bool first = true;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
            what += first ? " " : ", ";
            what += enumerator_spelling<E>(D.value, D.name);
            first = false;
        });
        return c.fail(errc::json_unknown_enum, at, what);
    }
}

// ---------------------------------------------------------------------------
// Structs. Both decoders walk an object in document order: each key selects a
// member (or is unknown), and only at the object's end are absent members
// checked (optionals reset, the first absent required one in description
// order reported).

template <described_struct T>
inline constexpr std::size_t member_count = boost::mp11::mp_size<members_of<T>>::value;

// The JSON keys of T's members, in description order.
template <described_struct T>
inline constexpr auto member_keys = [] {
    std::array<std::string_view, member_count<T>> keys{};
    std::size_t i = 0;
    boost::mp11::mp_for_each<members_of<T>>([&](auto D) { keys[i++] = json_key_of<decltype(D)>(); });
    return keys;
}();

inline constexpr std::size_t no_member = static_cast<std::size_t>(-1);

// The member whose key is `key`, or no_member. Documents mostly list keys in
// declaration order, so the member after the previous one (`hint`) is tried
// first; the scan compares lengths before bytes.
template <described_struct T>
std::size_t member_index(std::string_view key, std::size_t hint = 0) noexcept {
    constexpr auto const& keys = member_keys<T>;
    if (hint < keys.size() && keys[hint] == key) return hint;
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (keys[i].size() == key.size() && keys[i] == key) return i;
    return no_member;
}

// Whether `key` is the JSON key of a member of T.
template <described_struct T>
constexpr bool is_member_key(std::string_view key) noexcept {
    for (auto k : member_keys<T>)
        if (k == key) return true;
    return false;
}

// The members met in one object, one bit each.
constexpr std::size_t seen_words(std::size_t members) noexcept { return (members + 63) / 64; }
constexpr bool seen_bit(std::uint64_t const* seen, std::size_t i) noexcept { return (seen[i / 64] >> (i % 64)) & 1u; }
constexpr void set_seen_bit(std::uint64_t* seen, std::size_t i) noexcept { seen[i / 64] |= std::uint64_t{1} << (i % 64); }

// The end of an object decoded into `out`: absent optionals are reset, an
// absent required member is an error (the first in description order).
template <described_struct T>
bool finish_members(T& out, std::uint64_t const* seen, decode_context& c, path_frame const* at) {
    bool ok = true;
    std::size_t i = 0;
    boost::mp11::mp_for_each<members_of<T>>([&](auto D) {
        std::size_t const index = i++;
        if (!ok || seen_bit(seen, index)) return;
        using M = std::remove_cvref_t<decltype(out.*D.pointer)>;
        if constexpr (is_optional<M>::value) {
            (out.*D.pointer).reset();
        } else {
            path_frame f = path_frame::member(at, json_key_of<decltype(D)>());
            ok = c.fail(errc::json_missing_key, &f, "missing required key");
        }
    });
    return ok;
}

template <class T>
bool decode_value(boost::json::value const& v, T& out, decode_context& c, path_frame const* at);

template <described_struct T>
bool decode_member(boost::json::value const& v, T& out, std::size_t index, decode_context& c, path_frame const* at) {
    return boost::mp11::mp_with_index<member_count<T>>(index, [&](auto I) {
        using D = boost::mp11::mp_at_c<members_of<T>, decltype(I)::value>;
        return decode_value(v, out.*D::pointer, c, at);
    });
}

// `tag_key`: the tag of a tagged union's alternative, never an unknown key
// (optional: "" is a key like any other).
template <described_struct T>
bool decode_struct(boost::json::value const& v, T& out, decode_context& c, path_frame const* at,
                   std::optional<std::string_view> tag_key = std::nullopt) {
    check_struct<T>();
    auto const* obj = v.if_object();
    if (obj == nullptr) return c.type_error("object", v, at);
    std::array<std::uint64_t, seen_words(member_count<T>)> seen{};
    if constexpr (member_count<T> > 0) {
        std::size_t hint = 0;
        for (auto const& kv : *obj) {
            std::string_view k = kv.key();
            std::size_t i = member_index<T>(k, hint);
            if (i == no_member) {
                if (c.options.unknown_keys == key_policy::reject && (!tag_key || k != *tag_key)) {
                    path_frame f = path_frame::member(at, k);
                    return c.fail(errc::json_unknown_key, &f, "unknown key");
                }
                continue;
            }
            hint = i + 1;
            set_seen_bit(seen.data(), i);
            path_frame f = path_frame::member(at, member_keys<T>[i]);
            if (!decode_member(kv.value(), out, i, c, &f)) return false;
        }
    } else if (c.options.unknown_keys == key_policy::reject) {
        for (auto const& kv : *obj) {
            if (tag_key && kv.key() == *tag_key) continue;
            path_frame f = path_frame::member(at, kv.key());
            return c.fail(errc::json_unknown_key, &f, "unknown key");
        }
    }
    return finish_members(out, seen.data(), c, at);
}

// ---------------------------------------------------------------------------
// Tagged unions.

template <class V>
struct variant_traits;
template <class... A>
struct variant_traits<std::variant<A...>> {
    static_assert(check_tagged_union(static_cast<std::variant<A...> const*>(nullptr)));
    using alternatives = boost::mp11::mp_list<A...>;
    static constexpr std::string_view tag_key = boost::mp11::mp_first<alternatives>::json_tag.key;
};

inline constexpr std::size_t no_alternative = static_cast<std::size_t>(-1);

// The alternative a tag value selects: one that lists it, else the fallback.
template <class... A>
std::size_t alternative_for(std::string_view tag, std::variant<A...> const*) noexcept {
    std::size_t found = no_alternative;
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<sizeof...(A)>>([&](auto I) {
        using Alt = boost::mp11::mp_at_c<boost::mp11::mp_list<A...>, decltype(I)::value>;
        if (found == no_alternative && !is_fallback<Alt>() && Alt::json_tag.matches(tag)) found = I;
    });
    if (found != no_alternative) return found;
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<sizeof...(A)>>([&](auto I) {
        using Alt = boost::mp11::mp_at_c<boost::mp11::mp_list<A...>, decltype(I)::value>;
        if (found == no_alternative && is_fallback<Alt>()) found = I;
    });
    return found;
}

template <class... A>
std::string unknown_tag_text(std::string_view tag, std::variant<A...> const*) {
    std::string what = "unknown tag \"";
    what += tag;
    what += "\"; expected one of:";
    bool first_value = true;
    ((
         [&] {
             for (auto t : A::json_tag.values) {
                 what += first_value ? " " : ", ";
                 what += t;
                 first_value = false;
             }
         }()),
     ...);
    return what;
}

template <class... A>
bool decode_variant(boost::json::value const& v, std::variant<A...>& out, decode_context& c, path_frame const* at) {
    using traits = variant_traits<std::variant<A...>>;
    constexpr std::string_view key = traits::tag_key;
    auto const* obj = v.if_object();
    if (obj == nullptr) return c.type_error("object", v, at);
    path_frame f = path_frame::member(at, key);
    auto it = obj->find(key);
    if (it == obj->end()) return c.fail(errc::json_discriminator, &f, "missing tag key");
    auto const* tag_value = it->value().if_string();
    if (tag_value == nullptr) return c.type_error("string", it->value(), &f);
    std::string_view s = *tag_value;
    std::size_t index = alternative_for(s, &out);
    if (index == no_alternative) return c.fail(errc::json_discriminator, &f, unknown_tag_text(s, &out));
    return boost::mp11::mp_with_index<sizeof...(A)>(
        index, [&](auto I) { return decode_struct(v, out.template emplace<decltype(I)::value>(), c, at, key); });
}

template <class T>
bool decode_value(boost::json::value const& v, T& out, decode_context& c, path_frame const* at) {
    if constexpr (has_codec<T>) {
        if (auto why = codec<T>::from_json(v, out)) return c.fail(errc::json_invalid, at, *why);
        return true;
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        out = v;
        return true;
    } else if constexpr (std::is_same_v<T, bool>) {
        if (auto const* b = v.if_bool()) {
            out = *b;
            return true;
        }
        return c.type_error("bool", v, at);
    } else if constexpr (json_integer<T>) {
        return decode_integer(v, out, c, at);
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!v.is_number()) return c.type_error("number", v, at);
        double d = v.to_number<double>();
        // The parser keeps 1e400 as infinity so that unread members cannot fail a
        // document; a member that reads it fails here.
        if (!std::isfinite(d)) return c.fail(errc::json_out_of_range, at, "number out of range: does not fit double");
        if constexpr (sizeof(T) < sizeof(double)) {
            if (std::abs(d) > static_cast<double>(std::numeric_limits<T>::max())) {
                std::string what = "number out of range: ";
                what += boost::json::serialize(v);
                what += " does not fit float";
                return c.fail(errc::json_out_of_range, at, what);
            }
        }
        out = static_cast<T>(d);
        return true;
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (auto const* s = v.if_string()) {
            out.assign(s->data(), s->size());
            return true;
        }
        return c.type_error("string", v, at);
    } else if constexpr (is_optional<T>::value) {
        if (v.is_null()) {
            out.reset();
            return true;
        }
        return decode_value(v, out.emplace(), c, at);
    } else if constexpr (is_vector<T>::value) {
        auto const* arr = v.if_array();
        if (arr == nullptr) return c.type_error("array", v, at);
        out.clear();
        out.reserve(arr->size());
        for (std::size_t i = 0; i < arr->size(); ++i) {
            path_frame f = path_frame::element(at, i);
            if constexpr (std::is_same_v<typename T::value_type, bool>) {
                bool b = false; // std::vector<bool> hands out proxies, not bool&
                if (!decode_value((*arr)[i], b, c, &f)) return false;
                out.push_back(b);
            } else {
                if (!decode_value((*arr)[i], out.emplace_back(), c, &f)) return false;
            }
        }
        return true;
    } else if constexpr (is_string_map<T>::value) {
        auto const* obj = v.if_object();
        if (obj == nullptr) return c.type_error("object", v, at);
        out.clear();
        for (auto const& kv : *obj) {
            std::string_view k = kv.key();
            path_frame f = path_frame::member(at, k);
            typename T::mapped_type m{};
            if (!decode_value(kv.value(), m, c, &f)) return false;
            out.insert_or_assign(std::string(k), std::move(m));
        }
        return true;
    } else if constexpr (described_enum<T>) {
        auto const* s = v.if_string();
        if (s == nullptr) return c.type_error("string", v, at);
        return decode_enum(std::string_view(*s), out, c, at);
    } else if constexpr (tagged_union<T>) {
        return decode_variant(v, out, c, at);
    } else if constexpr (described_struct<T>) {
        return decode_struct(v, out, c, at);
    } else {
        static_assert(unsupported_member_type<T>::value);
        return false;
    }
}

} // namespace sigma::json::detail

#endif
