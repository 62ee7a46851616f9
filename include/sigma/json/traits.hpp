// SPDX-License-Identifier: MIT
// What the schema engine can decode and encode, stated as concepts, and the
// three ways a type customises its JSON form: tagged-union tags, enumerator
// spellings, and a full codec.
#ifndef SIGMA_JSON_TRAITS_HPP
#define SIGMA_JSON_TRAITS_HPP

#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

namespace sigma::json {

// ---------------------------------------------------------------------------
// Tagged unions. Each alternative of a std::variant declares, as a static
// member, which key carries its tag and which values select it:
//
//     struct table_entry {
//         static constexpr sigma::json::tag json_tag{"type", "table"};
//         std::string inodeId;
//     };
//     struct data_model_entry {
//         static constexpr sigma::json::tag json_tag{"type", "data-model", "dataModel"};
//         std::string dataModelId;
//     };
//     struct other_entry {                       // no values: the fallback,
//         static constexpr sigma::json::tag json_tag{"type"};  // takes any other tag
//         std::string type;
//     };
//
// Encoding writes the first value. A fallback alternative writes no tag of its
// own (give it a member named like the key to keep the value).
template <std::size_t N>
struct tag {
    std::string_view key;
    std::array<std::string_view, N> values;

    template <class... S>
        requires(sizeof...(S) == N && (std::convertible_to<S, std::string_view> && ...))
    constexpr tag(std::string_view k, S... v) : key(k), values{std::string_view(v)...} {}

    constexpr bool matches(std::string_view v) const noexcept {
        for (auto s : values)
            if (s == v) return true;
        return false;
    }
};
template <class... S>
tag(std::string_view, S...) -> tag<sizeof...(S)>;
template <class... S>
tag(char const*, S...) -> tag<sizeof...(S)>;

// ---------------------------------------------------------------------------
// Keys that cannot be C++ member names (`default`, `public`, `delete`, `x-id`):
// name the member differently and map it to its key in the struct, e.g.
//
//     struct timeout {
//         std::optional<int> default_;
//         static constexpr sigma::json::rename json_rename[]{{"default_", "default"}};
//     };
//
// A member not listed keeps its own name. Each class renames only the members
// it declares; a described base keeps its own json_rename.
struct rename {
    std::string_view member;
    std::string_view key;
};

// ---------------------------------------------------------------------------
// A full codec for a type the engine does not know (a secret, a timestamp):
//
//     template <> struct sigma::json::codec<my_type> {
//         // nullopt on success, else what is wrong (the engine adds the path)
//         static std::optional<std::string> from_json(boost::json::value const&, my_type&);
//         static boost::json::value to_json(my_type const&);
//     };
template <class T>
struct codec; // primary template deliberately undefined

// ---------------------------------------------------------------------------
// Enumerators are spelt as their names. An enum whose JSON spellings are not
// C++ identifiers (`data-model`, `union`) provides, next to it, a function
// found by argument-dependent lookup that returns the spelling, or an empty
// view to keep the enumerator's name:
//
//     constexpr std::string_view sigma_json_enum_name(node_type t) noexcept;
//
// Two enumerators with the same value act as aliases when decoding; encoding
// uses the first. The hook's spelling belongs to the first enumerator of a
// value; its aliases keep their own names, so
//
//     enum class kind { data_model, dataModel = data_model };
//     constexpr std::string_view sigma_json_enum_name(kind k) noexcept {
//         return k == kind::data_model ? "data-model" : "";
//     }
//
// reads both "data-model" and "dataModel" and writes "data-model".

namespace detail {

template <class>
inline constexpr bool dependent_false = false;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_string_map : std::false_type {};
template <class V, class C, class A>
struct is_string_map<std::map<std::string, V, C, A>> : std::true_type {};
template <class V, class H, class E, class A>
struct is_string_map<std::unordered_map<std::string, V, H, E, A>> : std::true_type {};

template <class T>
struct is_variant : std::false_type {};
template <class... A>
struct is_variant<std::variant<A...>> : std::true_type {};

template <class T>
concept character = std::same_as<T, char> || std::same_as<T, wchar_t> || std::same_as<T, char8_t> ||
                    std::same_as<T, char16_t> || std::same_as<T, char32_t>;

template <class C>
concept has_json_rename = requires {
    { C::json_rename[0].member } -> std::convertible_to<std::string_view>;
    { C::json_rename[0].key } -> std::convertible_to<std::string_view>;
    std::size(C::json_rename);
};

template <class M, class C>
C class_of_member(M C::*);

template <class E>
concept has_enum_name_hook = requires(E e) {
    { sigma_json_enum_name(e) } -> std::convertible_to<std::string_view>;
};

} // namespace detail

template <class T>
concept has_codec = requires(boost::json::value const& v, T& out, T const& in) {
    { codec<T>::from_json(v, out) } -> std::same_as<std::optional<std::string>>;
    { codec<T>::to_json(in) } -> std::convertible_to<boost::json::value>;
};

template <class T>
concept described_struct = std::is_class_v<T> && !std::is_union_v<T> &&
                           boost::describe::has_describe_members<T>::value;

template <class T>
concept described_enum = std::is_enum_v<T> && boost::describe::has_describe_enumerators<T>::value;

template <class T>
concept json_integer = std::integral<T> && !std::same_as<T, bool> && !detail::character<T>;

template <class T>
concept tagged_alternative = described_struct<T> && requires {
    { T::json_tag.key } -> std::convertible_to<std::string_view>;
    { T::json_tag.matches(std::string_view{}) } -> std::same_as<bool>;
};

template <class T>
concept tagged_union = detail::is_variant<T>::value;

// Public members of T and of its described bases, in declaration order.
template <class T>
using members_of = boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;

namespace detail {

// The JSON key of the member that descriptor D describes.
template <class D>
constexpr std::string_view json_key_of() noexcept {
    using C = decltype(class_of_member(D::pointer));
    std::string_view name = D::name;
    if constexpr (has_json_rename<C>) {
        for (auto const& r : C::json_rename)
            if (r.member == name) return r.key;
    }
    return name;
}

// Every json_rename entry of T names a member of T (a typo would silently keep
// the old key otherwise).
template <class T>
constexpr bool json_rename_valid() {
    if constexpr (has_json_rename<T>) {
        for (auto const& r : T::json_rename) {
            bool found = false;
            boost::mp11::mp_for_each<members_of<T>>([&](auto D) {
                if (r.member == std::string_view(D.name)) found = true;
            });
            if (!found) return false;
        }
    }
    return true;
}

// No two members of T read the same JSON key (a rename onto another member's
// name): a key selects one member.
template <class T>
constexpr bool json_keys_unique() {
    std::array<std::string_view, boost::mp11::mp_size<members_of<T>>::value> keys{};
    std::size_t n = 0;
    boost::mp11::mp_for_each<members_of<T>>([&](auto D) { keys[n++] = json_key_of<decltype(D)>(); });
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j)
            if (keys[i] == keys[j]) return false;
    return true;
}

template <class T>
constexpr void check_struct() {
    static_assert(json_rename_valid<T>(), "sigma::json: an entry of json_rename names no public member of the struct "
                                          "(the first string is the C++ member name, the second the JSON key)");
    static_assert(json_keys_unique<T>(), "sigma::json: two members of the struct have the same JSON key (check "
                                         "json_rename: a key may name one member only)");
}

template <class T>
constexpr bool is_fallback() {
    return T::json_tag.values.size() == 0;
}

// Compile-time validity of a tagged union; each failure names the rule.
template <class... A>
constexpr bool check_tagged_union(std::variant<A...> const*) {
    static_assert((tagged_alternative<A> && ...),
                  "sigma::json: every alternative of a std::variant must be a described struct with "
                  "`static constexpr sigma::json::tag json_tag{\"<key>\", \"<value>\", ...};`");
    if constexpr ((tagged_alternative<A> && ...)) {
        constexpr std::array<std::string_view, sizeof...(A)> keys{A::json_tag.key...};
        constexpr bool same_key = [&] {
            for (auto k : keys)
                if (k != keys[0]) return false;
            return true;
        }();
        static_assert(same_key, "sigma::json: all alternatives of a std::variant must name the same tag key "
                                "in their json_tag");
        constexpr std::size_t fallbacks = (std::size_t{is_fallback<A>()} + ...);
        static_assert(fallbacks <= 1, "sigma::json: a std::variant may have at most one fallback alternative "
                                      "(a json_tag with a key and no values)");
        return same_key && fallbacks <= 1;
    }
    return false;
}

} // namespace detail

} // namespace sigma::json

#endif
