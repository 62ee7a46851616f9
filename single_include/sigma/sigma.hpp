// SPDX-License-Identifier: MIT
// sigma-cpp 0.1.0: a header-only C++20 client for Sigma Computing's REST API,
// as one header. The helpers for tests (sigma::testing) are in testing.hpp,
// generated beside it.
//
// DO NOT EDIT. Generated from include/ by tools/amalgamate.py; edit the headers
// under include/sigma/ and regenerate with:
//     python3 tools/amalgamate.py
//
// Every header keeps its include guard, so including <sigma/...> after this
// file is harmless. Without the Boost.JSON and Boost.URL libraries, define
// SIGMA_IMPLEMENTATION in exactly one source file before including this header.
// With SIGMA_SEPARATE_COMPILATION defined for every file, define SIGMA_SOURCE
// in exactly one file before including this header: that file compiles the
// transport and the extraction (see <sigma/src.hpp>).
//
// MIT License
//
// Copyright (c) 2026 the sigma-cpp developers
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

// ---- begin <sigma/sigma.hpp> ----
// SPDX-License-Identifier: MIT
// sigma-cpp: a header-only C++20 client for Sigma Computing's REST API.
// This umbrella header includes the whole library but the helpers for tests
// (sigma::testing: fakes, servers, simulated organisations), which are in
// <sigma/testing.hpp>: a file that includes this one does not pay for their
// compilation.
#ifndef SIGMA_SIGMA_HPP
#define SIGMA_SIGMA_HPP

// ---- begin <sigma/version.hpp> ----
// sigma-cpp: a header-only C++20 client for Sigma Computing's REST API.
// SPDX-License-Identifier: MIT
#ifndef SIGMA_VERSION_HPP
#define SIGMA_VERSION_HPP

#define SIGMA_VERSION_MAJOR 0
#define SIGMA_VERSION_MINOR 1
#define SIGMA_VERSION_PATCH 0
#define SIGMA_VERSION_STRING "0.1.0"

namespace sigma {
inline constexpr char const* version_string = SIGMA_VERSION_STRING;
} // namespace sigma

#endif
// ---- end <sigma/version.hpp> ----
// ---- begin <sigma/error.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_ERROR_HPP
#define SIGMA_ERROR_HPP

// ---- begin <sigma/detail/prelude.hpp> ----
// SPDX-License-Identifier: MIT
// Included first by every sigma-cpp header.
#ifndef SIGMA_DETAIL_PRELUDE_HPP
#define SIGMA_DETAIL_PRELUDE_HPP

#if __cplusplus < 202002L
#error "sigma-cpp needs C++20: compile with -std=c++20 (Meson: cpp_std=c++20)"
#endif

#include <boost/version.hpp>
#if BOOST_VERSION < 108100
#error "sigma-cpp needs Boost 1.81 or newer (Debian 12: libboost1.81-dev)"
#endif

// SIGMA_SEPARATE_COMPILATION, defined for every file of a program, moves the
// heaviest code (the Beast transport, and the extraction for sigma::client)
// out of the headers: it is compiled once, in the one file that includes
// <sigma/src.hpp>, instead of in every file that uses it. SIGMA_DECL marks
// the functions concerned: inline when header-only, ordinary functions of
// that one file otherwise.
#ifdef SIGMA_SEPARATE_COMPILATION
#define SIGMA_DECL
#else
#define SIGMA_DECL inline
#endif

// Without the Boost.JSON and Boost.URL libraries, define SIGMA_IMPLEMENTATION in
// exactly one source file before including any sigma header: that file then
// compiles their sources. Any other file must not define it.
#if defined(SIGMA_IMPLEMENTATION) && !defined(SIGMA_IMPLEMENTATION_INCLUDED)
#define SIGMA_IMPLEMENTATION_INCLUDED
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
#endif

#endif
// ---- end <sigma/detail/prelude.hpp> ----

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
// ---- end <sigma/error.hpp> ----
// ---- begin <sigma/result.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_RESULT_HPP
#define SIGMA_RESULT_HPP


#include <type_traits>
#include <utility>
#include <variant>

namespace sigma {

// A value or a sigma::error. Failures that are expected in normal operation
// (a bad payload, a 404, a dropped connection) travel as values; the
// *_or_throw helpers and value() turn them into exceptions for callers who
// prefer those.
template <class T>
class [[nodiscard]] result {
    static_assert(!std::is_reference_v<T>, "sigma::result<T>: T must not be a reference; hold a value or a pointer");
    static_assert(!std::is_same_v<std::remove_cv_t<T>, ::sigma::error>, "sigma::result<sigma::error> is ambiguous");

public:
    using value_type = T;

    // Default-constructed results hold a value-initialised T so that results can
    // live in containers and coroutine frames.
    result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
    result(T const& v) : v_(std::in_place_index<0>, v) {}
    result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
    result(::sigma::error e) : v_(std::in_place_index<1>, std::move(e)) {}
    template <class... A>
    explicit result(std::in_place_t, A&&... a) : v_(std::in_place_index<0>, std::forward<A>(a)...) {}

    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& operator*() & noexcept { return *std::get_if<0>(&v_); }
    T const& operator*() const& noexcept { return *std::get_if<0>(&v_); }
    T&& operator*() && noexcept { return std::move(*std::get_if<0>(&v_)); }
    T* operator->() noexcept { return std::get_if<0>(&v_); }
    T const* operator->() const noexcept { return std::get_if<0>(&v_); }

    // The value, or the error thrown.
    T& value() & { check(); return *std::get_if<0>(&v_); }
    T const& value() const& { check(); return *std::get_if<0>(&v_); }
    T&& value() && { check(); return std::move(*std::get_if<0>(&v_)); }

    // Precondition: !has_value().
    [[nodiscard]] ::sigma::error const& error() const& noexcept { return *std::get_if<1>(&v_); }
    [[nodiscard]] ::sigma::error&& error() && noexcept { return std::move(*std::get_if<1>(&v_)); }

private:
    void check() const {
        if (v_.index() != 0) throw *std::get_if<1>(&v_);
    }
    std::variant<T, ::sigma::error> v_;
};

template <>
class [[nodiscard]] result<void> {
public:
    using value_type = void;
    result() = default;
    result(::sigma::error e) : e_(std::in_place_index<1>, std::move(e)) {}

    [[nodiscard]] bool has_value() const noexcept { return e_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    void value() const {
        if (e_.index() != 0) throw *std::get_if<1>(&e_);
    }
    [[nodiscard]] ::sigma::error const& error() const& noexcept { return *std::get_if<1>(&e_); }

private:
    std::variant<std::monostate, ::sigma::error> e_;
};

} // namespace sigma

#endif
// ---- end <sigma/result.hpp> ----
// ---- begin <sigma/secret.hpp> ----
// SPDX-License-Identifier: MIT
// A string that never shows itself: client secrets and tokens travel through
// logs, error messages and JSON dumps, so the type, not the caller's care,
// keeps them out.
#ifndef SIGMA_SECRET_HPP
#define SIGMA_SECRET_HPP

// ---- begin <sigma/json/detail/dom_decode.hpp> ----
// SPDX-License-Identifier: MIT
// Decoding from a parsed boost::json::value into described types: the
// reference path. Every rule of the schema engine lives here once.
#ifndef SIGMA_JSON_DETAIL_DOM_DECODE_HPP
#define SIGMA_JSON_DETAIL_DOM_DECODE_HPP

// ---- begin <sigma/json/options.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_JSON_OPTIONS_HPP
#define SIGMA_JSON_OPTIONS_HPP

#include <cstddef>

namespace sigma::json {

// What to do with an object key that the target type does not describe.
// Sigma adds response fields every few months, so the default ignores them.
enum class key_policy { ignore, reject };
inline constexpr key_policy ignore = key_policy::ignore;
inline constexpr key_policy reject = key_policy::reject;

struct decode_options {
    key_policy unknown_keys = key_policy::ignore;
    // Deepest nesting accepted by the parser (arrays and objects).
    std::size_t max_depth = 64;
};

} // namespace sigma::json

#endif
// ---- end <sigma/json/options.hpp> ----
// ---- begin <sigma/json/pointer.hpp> ----
// SPDX-License-Identifier: MIT
// RFC 6901 JSON pointers, built only when an error is reported: while decoding,
// the path is a chain of frames on the C++ stack and costs no allocation.
#ifndef SIGMA_JSON_POINTER_HPP
#define SIGMA_JSON_POINTER_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace sigma::json {

// Appends one reference token, escaping `~` as `~0` and `/` as `~1`.
inline void append_pointer_token(std::string& out, std::string_view token) {
    out += '/';
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
}

namespace detail {

struct path_frame {
    path_frame const* parent = nullptr;
    std::string_view key{};
    std::size_t index = 0;
    bool is_index = false;

    static path_frame member(path_frame const* parent, std::string_view key) noexcept { return {parent, key, 0, false}; }
    static path_frame element(path_frame const* parent, std::size_t i) noexcept { return {parent, {}, i, true}; }
};

inline void append_path(std::string& out, path_frame const* f) {
    if (f == nullptr) return;
    append_path(out, f->parent);
    if (f->is_index) {
        out += '/';
        out += std::to_string(f->index);
    } else {
        append_pointer_token(out, f->key);
    }
}

inline std::string to_pointer(path_frame const* f) {
    std::string s;
    append_path(s, f);
    return s;
}

} // namespace detail
} // namespace sigma::json

#endif
// ---- end <sigma/json/pointer.hpp> ----
// ---- begin <sigma/json/traits.hpp> ----
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
// ---- end <sigma/json/traits.hpp> ----

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
// ---- end <sigma/json/detail/dom_decode.hpp> ----

#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace sigma {

// Holds a credential. Streaming, to_string() and JSON encoding all give
// `***`; only reveal() gives the value, so every use is easy to grep for.
// Not convertible to a string on purpose.
class secret {
public:
    static constexpr std::string_view mask = "***";

    secret() = default;
    explicit secret(std::string value) : value_(std::move(value)) {}
    explicit secret(std::string_view value) : value_(value) {}
    explicit secret(char const* value) : value_(value == nullptr ? "" : value) {}

    // The value itself, for the one place that must send it (an HTTP body or header).
    [[nodiscard]] std::string const& reveal() const noexcept { return value_; }
    [[nodiscard]] bool empty() const noexcept { return value_.empty(); }

    // Compares every byte whatever the first difference, so that the time
    // taken does not tell how much of a guess was right.
    friend bool operator==(secret const& a, secret const& b) noexcept {
        if (a.value_.size() != b.value_.size()) return false;
        unsigned char diff = 0;
        for (std::size_t i = 0; i < a.value_.size(); ++i)
            diff |= static_cast<unsigned char>(a.value_[i] ^ b.value_[i]);
        return diff == 0;
    }

    friend std::ostream& operator<<(std::ostream& os, secret const&) { return os << mask; }

private:
    std::string value_;
};

// What any text rendering of a secret shows.
inline std::string to_string(secret const&) { return std::string(secret::mask); }

} // namespace sigma

// JSON: decoded from a string; encoded as the mask, so that dumping a decoded
// answer (a token response, a configuration) never leaks it.
namespace sigma::json {
template <>
struct codec<sigma::secret> {
    static std::optional<std::string> from_json(boost::json::value const& v, sigma::secret& out) {
        // The message names the JSON kind only, never the value.
        auto const* s = v.if_string();
        if (s == nullptr) {
            std::string what = "expected string, got ";
            what += detail::kind_name(v.kind());
            return what;
        }
        out = sigma::secret(std::string_view(*s));
        return std::nullopt;
    }
    static boost::json::value to_json(sigma::secret const&) { return boost::json::string(sigma::secret::mask); }
};
} // namespace sigma::json

#endif
// ---- end <sigma/secret.hpp> ----
// ---- begin <sigma/json.hpp> ----
// SPDX-License-Identifier: MIT
// The schema engine: JSON <-> Boost.Describe-described C++ types. Knows nothing of Sigma.
#ifndef SIGMA_JSON_HPP
#define SIGMA_JSON_HPP

// ---- begin <sigma/json/decode.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_JSON_DECODE_HPP
#define SIGMA_JSON_DECODE_HPP

// ---- begin <sigma/json/detail/parse.hpp> ----
// SPDX-License-Identifier: MIT
// Text -> boost::json::value with correctly rounded doubles.
//
// Boost.JSON before 1.83 rounds some decimal numbers to a neighbouring double
// (about one number in ten written with 17 digits comes back one ulp off), which
// breaks decode(encode(x)) == x. This parser is Boost's own grammar
// (basic_parser) feeding Boost's own value_stack, except that every number with
// a fraction or exponent is converted again from its text with std::from_chars,
// which rounds correctly.
#ifndef SIGMA_JSON_DETAIL_PARSE_HPP
#define SIGMA_JSON_DETAIL_PARSE_HPP

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

namespace sigma::json::detail {

// Whether Boost's reading of the number [first, last) is already correctly
// rounded: it computes double(m) * 10^e (or / 10^-e) with an exact power of ten,
// one IEEE operation, which is exact when the digits fit m (15 significant
// digits) and |e| <= 22 (Clinger's fast path). Most numbers qualify, and
// std::from_chars is the slow part of reading them.
inline bool boost_reads_exactly(char const* first, char const* last) noexcept {
    char const* p = first;
    if (p != last && *p == '-') ++p;
    int digits = 0;   // significant digits (after leading zeros)
    int fraction = 0; // digits after the point
    bool point = false;
    for (; p != last; ++p) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            if ((digits > 0 || c != '0') && ++digits > 15) return false;
            if (point) ++fraction;
        } else if (c == '.') {
            point = true;
        } else {
            break;
        }
    }
    int exponent = 0;
    if (p != last) { // e or E
        ++p;
        bool negative = false;
        if (p != last && (*p == '+' || *p == '-')) negative = *p++ == '-';
        if (last - p > 3) return false;
        for (; p != last; ++p) exponent = exponent * 10 + (*p - '0');
        if (negative) exponent = -exponent;
    }
    int const e = exponent - fraction;
    return e >= -22 && e <= 22;
}

// The correctly rounded value of the number whose text ends with `s` and that
// Boost read as `d`. `pending` holds the text of earlier parts (a number that
// straddles two write_some calls, see on_number_part) and is left empty.
inline double exact_double(double d, boost::json::string_view s, std::string& pending) {
    char const* first = s.data();
    char const* last = s.data() + s.size();
    if (!pending.empty()) {
        pending.append(s.data(), s.size());
        first = pending.data();
        last = pending.data() + pending.size();
    }
    if (boost_reads_exactly(first, last)) {
        pending.clear();
        return d;
    }
    double exact = 0;
    auto [ptr, ec] = std::from_chars(first, last, exact);
    // Out of range (1e400, 1e-400): keep Boost's infinity or zero, so that a
    // value nobody decodes as a double does not fail the whole document.
    if (ec == std::errc{} && ptr == last) d = exact;
    pending.clear();
    return d;
}

class value_builder {
public:
    static constexpr std::size_t max_object_size = boost::json::object::max_size();
    static constexpr std::size_t max_array_size = boost::json::array::max_size();
    static constexpr std::size_t max_key_size = boost::json::string::max_size();
    static constexpr std::size_t max_string_size = boost::json::string::max_size();

    using error_code = boost::json::error_code;
    using string_view = boost::json::string_view;

    explicit value_builder(boost::json::storage_ptr sp) : sp_(std::move(sp)) {}

    boost::json::value release() { return st_.release(); }

    bool on_document_begin(error_code&) {
        st_.reset(sp_);
        return true;
    }
    bool on_document_end(error_code&) { return true; }
    bool on_array_begin(error_code&) { return true; }
    bool on_array_end(std::size_t n, error_code&) {
        st_.push_array(n);
        return true;
    }
    bool on_object_begin(error_code&) { return true; }
    bool on_object_end(std::size_t n, error_code&) {
        st_.push_object(n);
        return true;
    }
    bool on_string_part(string_view s, std::size_t, error_code&) {
        st_.push_chars(s);
        return true;
    }
    bool on_string(string_view s, std::size_t, error_code&) {
        st_.push_string(s);
        return true;
    }
    bool on_key_part(string_view s, std::size_t, error_code&) {
        st_.push_chars(s);
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&) {
        st_.push_key(s);
        return true;
    }
    bool on_number_part(string_view s, error_code&) {
        // Only when a number straddles two write_some calls; decode() passes the
        // whole text at once, so this stays cold.
        number_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, string_view, error_code&) {
        number_.clear();
        st_.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, string_view, error_code&) {
        number_.clear();
        st_.push_uint64(u);
        return true;
    }
    bool on_double(double d, string_view s, error_code&) {
        st_.push_double(exact_double(d, s, number_));
        return true;
    }
    bool on_bool(bool b, error_code&) {
        st_.push_bool(b);
        return true;
    }
    bool on_null(error_code&) {
        st_.push_null();
        return true;
    }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }

private:
    boost::json::storage_ptr sp_;
    boost::json::value_stack st_;
    std::string number_;
};

struct parsed {
    boost::json::value value;
    boost::json::error_code ec;
    std::size_t offset = 0; // bytes consumed; the position of the error when ec is set
};

// Parses one complete JSON text; white space may follow it, nothing else.
inline parsed parse_text(char const* data, std::size_t size, boost::json::storage_ptr sp,
                         boost::json::parse_options const& options) {
    boost::json::basic_parser<value_builder> p(options, sp);
    // Same storage as the result, so that assigning it below moves instead of
    // copying the tree.
    parsed r{boost::json::value(sp), {}, 0};
    r.offset = p.write_some(false, data, size, r.ec);
    if (!r.ec && r.offset < size) r.ec = boost::json::error::extra_data;
    if (!r.ec) r.value = p.handler().release();
    return r;
}

} // namespace sigma::json::detail

#endif
// ---- end <sigma/json/detail/parse.hpp> ----
// ---- begin <sigma/json/detail/stream_decode.hpp> ----
// SPDX-License-Identifier: MIT
// Decoding straight from the parser's events into described types, without a
// boost::json::value in between: the fast path behind sigma::json::decode.
//
// The handler keeps a stack of frames, one per open array or object that is
// being decoded into a C++ container or struct; each frame's operations are
// generated per type from the Boost.Describe descriptions. What needs a whole
// value (a tagged union whose tag is not its first key, a boost::json::value,
// a codec) is built as a boost::json::value by Boost's value_stack and handed
// to the DOM decoder (dom_decode.hpp) with its path, so each rule lives once.
//
// Results and errors equal the DOM path's (parse, then decode_value):
// - syntax errors win over schema errors: after the first schema error the
//   parser still reads to the end, decoding nothing;
// - schema errors are found in document order, absent keys at an object's end,
//   as the DOM decoder walks;
// - a repeated key keeps its last value in a DOM (at its first position), which
//   a stream cannot know in advance. The stream overwrites, which gives the
//   same value; when a repetition could change which error is reported (a key
//   repeated after an error in an object still open, a second tag key), the
//   outcome is `ambiguous` and the caller asks the DOM path.
#ifndef SIGMA_JSON_DETAIL_STREAM_DECODE_HPP
#define SIGMA_JSON_DETAIL_STREAM_DECODE_HPP


#include <boost/config.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>
#include <boost/mp11/algorithm.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace sigma::json::detail {

// One event of the parser that starts or continues a value.
enum class token_kind : unsigned char { null, boolean, int64, uint64, double_, string, object, array };

struct token {
    token_kind kind = token_kind::null;
    bool first = true; // string: the first piece of its text
    bool last = true;  // string: the last piece
    union {            // the member `kind` names
        bool b;
        std::int64_t i;
        std::uint64_t u = 0;
        double d;
    };
    std::string_view s{};
};

// A scalar token as the DOM decoder sees it. Strings, arrays and objects come
// out empty: only their kind is read, to name it in a type error.
inline boost::json::value token_value(token const& t) {
    switch (t.kind) {
    case token_kind::null: break;
    case token_kind::boolean: return boost::json::value(t.b);
    case token_kind::int64: return boost::json::value(t.i);
    case token_kind::uint64: return boost::json::value(t.u);
    case token_kind::double_: return boost::json::value(t.d);
    case token_kind::string: return boost::json::value(boost::json::string_kind);
    case token_kind::object: return boost::json::value(boost::json::object_kind);
    case token_kind::array: return boost::json::value(boost::json::array_kind);
    }
    return boost::json::value(nullptr);
}

// A bool, an integer in range or a finite double: what decode_value would
// store, without building a boost::json::value. Anything else (every error,
// 3.0 read as an integer, floats) is decode_value's.
template <class T>
bool plain_scalar(token const& t, T& out) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
        if (t.kind != token_kind::boolean) return false;
        out = t.b;
        return true;
    } else if constexpr (json_integer<T>) {
        if (t.kind == token_kind::int64 && std::in_range<T>(t.i)) {
            out = static_cast<T>(t.i);
            return true;
        }
        if (t.kind == token_kind::uint64 && std::in_range<T>(t.u)) {
            out = static_cast<T>(t.u);
            return true;
        }
        return false;
    } else if constexpr (std::is_same_v<T, double>) {
        switch (t.kind) {
        case token_kind::double_:
            if (!std::isfinite(t.d)) return false;
            out = t.d;
            return true;
        case token_kind::int64: out = static_cast<double>(t.i); return true;
        case token_kind::uint64: out = static_cast<double>(t.u); return true;
        default: return false;
        }
    } else {
        return false;
    }
}

class stream_decoder;

// Decodes one token into the value at `target`.
using value_fn = void (*)(stream_decoder&, void* target, token const&);
// Takes a subtree built by the value_stack.
using complete_fn = void (*)(stream_decoder&, void* target, boost::json::value&&);

struct stream_frame;

struct frame_ops {
    void (*key)(stream_decoder&, std::string_view);                               // objects: sets the slot
    void (*element)(stream_decoder&, token const&);                               // arrays: a new element
    void (*end)(stream_decoder&);                                                 // checks, then pops
    bool (*has_key)(stream_decoder const&, stream_frame const&, std::string_view); // met already?
};

struct stream_frame {
    frame_ops const* ops = nullptr;
    void* target = nullptr;
    path_frame pf{};            // where the child being decoded is; its parent is the previous frame's
    std::uint64_t seen = 0;     // struct: members met; above 64 members, an offset into wide_seen
    std::size_t hint = 0;       // struct: the member expected next
    std::string_view tag_key{}; // struct chosen by its tag: that key, met already
    bool tagged = false;
    bool estimated = false;     // array: its room was reserved from an estimate of its length
    char const* mark = nullptr; // array: about where its first element began in the text
};

template <class T>
void on_value(stream_decoder& d, void* target, token const& t);

class stream_decoder {
public:
    static constexpr std::size_t max_object_size = value_builder::max_object_size;
    static constexpr std::size_t max_array_size = value_builder::max_array_size;
    static constexpr std::size_t max_key_size = value_builder::max_key_size;
    static constexpr std::size_t max_string_size = value_builder::max_string_size;

    using error_code = boost::json::error_code;
    using string_view = boost::json::string_view;

    stream_decoder(decode_context& c, value_fn root, void* target) : ctx(c), slot_fn_(root), slot_target_(target) {}
    // frames_ points into the object itself.
    stream_decoder(stream_decoder const&) = delete;
    stream_decoder& operator=(stream_decoder const&) = delete;

    decode_context& ctx;

    // Whether a repeated key leaves the outcome to the DOM path.
    [[nodiscard]] bool ambiguous() const noexcept { return ambiguous_; }

    // ---- parser events --------------------------------------------------------

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }

    bool on_object_begin(error_code&) {
        container_begin(token_kind::object);
        return true;
    }
    bool on_array_begin(error_code&) {
        container_begin(token_kind::array);
        return true;
    }
    bool on_object_end(std::size_t n, error_code&) {
        if (mode_ == mode::sub) {
            st_.push_object(n);
            if (--sub_depth_ == 0) finish_sub();
        } else {
            container_end();
        }
        return true;
    }
    bool on_array_end(std::size_t n, error_code&) {
        if (mode_ == mode::sub) {
            st_.push_array(n);
            if (--sub_depth_ == 0) finish_sub();
        } else {
            container_end();
        }
        return true;
    }

    bool on_key_part(string_view s, std::size_t, error_code&) {
        if (mode_ == mode::sub) {
            st_.push_chars(s);
            return true;
        }
        if (!key_open_) {
            key_.clear();
            key_open_ = true;
        }
        key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&) {
        last_ = s.data() + s.size();
        if (mode_ == mode::sub) {
            st_.push_key(s);
            return true;
        }
        std::string_view k(s.data(), s.size());
        if (key_open_) {
            key_.append(s.data(), s.size());
            k = key_;
            key_open_ = false;
        }
        if (mode_ == mode::normal) {
            top().ops->key(*this, k);
        } else if (failed_ && skip_depth_ == 0 && !ambiguous_) {
            // A key of an object that was open at the error: met before, it
            // may move the error or replace the failing value.
            stream_frame const& f = top();
            if (f.ops->has_key(*this, f, k)) ambiguous_ = true;
        }
        return true;
    }

    bool on_string_part(string_view s, std::size_t, error_code&) {
        bool const first = !string_open_;
        string_open_ = true;
        if (mode_ == mode::sub) {
            st_.push_chars(s);
        } else if (mode_ == mode::normal) {
            token t;
            t.kind = token_kind::string;
            t.first = first;
            t.last = false;
            t.s = std::string_view(s.data(), s.size());
            if (first)
                begin_value(t);
            else
                slot_fn_(*this, slot_target_, t);
        }
        return true;
    }
    bool on_string(string_view s, std::size_t, error_code&) {
        last_ = s.data() + s.size();
        bool const first = !string_open_;
        string_open_ = false;
        if (mode_ == mode::sub) {
            st_.push_string(s);
            if (sub_depth_ == 0) finish_sub();
        } else if (mode_ == mode::normal) {
            token t;
            t.kind = token_kind::string;
            t.first = first;
            t.s = std::string_view(s.data(), s.size());
            if (first)
                begin_value(t);
            else
                slot_fn_(*this, slot_target_, t);
        }
        return true;
    }

    bool on_number_part(string_view s, error_code&) {
        // Only when a number straddles two write_some calls (see value_builder).
        number_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, string_view, error_code&) {
        number_.clear();
        token t;
        t.kind = token_kind::int64;
        t.i = i;
        scalar(t);
        return true;
    }
    bool on_uint64(std::uint64_t u, string_view, error_code&) {
        number_.clear();
        token t;
        t.kind = token_kind::uint64;
        t.u = u;
        scalar(t);
        return true;
    }
    bool on_double(double d, string_view s, error_code&) {
        token t;
        t.kind = token_kind::double_;
        t.d = exact_double(d, s, number_);
        scalar(t);
        return true;
    }
    bool on_bool(bool b, error_code&) {
        token t;
        t.kind = token_kind::boolean;
        t.b = b;
        scalar(t);
        return true;
    }
    bool on_null(error_code&) {
        scalar(token{});
        return true;
    }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }

    // ---- for the operations of the types ---------------------------------------

    stream_frame& top() noexcept { return frames_[depth_ - 1]; }
    std::size_t depth() const noexcept { return depth_; }

    // The whole text, parsed in one piece: positions in it measure arrays.
    void set_text(std::string_view text) noexcept {
        text_first_ = text.data();
        text_last_ = text.data() + text.size();
        last_ = text_first_;
    }
    // About where the parser is: the end of the last key or string read.
    char const* position() const noexcept { return last_; }
    // How many elements of `size` bytes an array will have once `done` of them
    // took the text from `mark` to here, if the rest of the text is more of
    // the same (with an eighth for luck); 0 when positions say nothing (an
    // escaped string's text is the parser's copy, not in the text) or when
    // that room would take more than four times the text it stands for.
    std::size_t expected_elements(char const* mark, std::size_t done, std::size_t size) const noexcept {
        auto const first = reinterpret_cast<std::uintptr_t>(text_first_);
        auto const last = reinterpret_cast<std::uintptr_t>(text_last_);
        auto const from = reinterpret_cast<std::uintptr_t>(mark);
        auto const here = reinterpret_cast<std::uintptr_t>(last_);
        if (done == 0 || from < first || here > last || here <= from) return 0;
        std::size_t const each = (here - from) / done;
        if (each == 0 || size > 4 * each) return 0;
        std::size_t const more = (last - here) / each;
        return done + more + more / 8 + 1;
    }

    void push(frame_ops const* ops, void* target, bool is_array) {
        if (depth_ == capacity_) grow();
        stream_frame& f = frames_[depth_];
        f.pf.parent = depth_ == 0 ? nullptr : &frames_[depth_ - 1].pf;
        ++depth_;
        reset(f, ops, target, is_array);
    }
    void pop() noexcept { --depth_; }
    // The top frame becomes another container's (a tagged union's alternative).
    void replace_top(frame_ops const* ops, void* target) noexcept { reset(top(), ops, target, false); }

    void set_slot(value_fn fn, void* target) noexcept {
        slot_fn_ = fn;
        slot_target_ = target;
    }
    void dispatch(token const& t) { slot_fn_(*this, slot_target_, t); }

    // The path of the value being decoded (that of the slot): null at the root.
    path_frame const* path() const noexcept { return depth_ == 0 ? nullptr : &frames_[depth_ - 1].pf; }

    // After an error (already in ctx): the rest of the document is only read.
    void failed() noexcept {
        failed_ = true;
        mode_ = mode::skip;
    }
    void fail(errc code, std::string_view what) {
        ctx.fail(code, path(), what);
        failed();
    }
    // A repeated key decides the outcome: the DOM path will.
    void give_up() noexcept {
        ambiguous_ = true;
        failed();
    }

    // Decodes a scalar (or names a container's kind) with the DOM rules. Out
    // of line: mostly an error's path, which would otherwise cost the hot
    // callers (on_value) a stack frame on every call.
    template <class T>
    BOOST_NOINLINE void decode_token(token const& t, T& out) {
        if (!decode_value(token_value(t), out, ctx, path())) failed();
    }
    // The same, with the common valid cases taken without building a value.
    template <class T>
    void decode_scalar(token const& t, T& out) {
        if (!plain_scalar(t, out)) decode_token(t, out);
    }
    template <class T>
    bool decode_token_ok(token const& t, T& out) {
        if (decode_value(token_value(t), out, ctx, path())) return true;
        failed();
        return false;
    }

    // The value of the slot is not decoded (an unknown key): a container's
    // contents are skipped.
    static void ignore(stream_decoder&, void*, token const&) noexcept {}

    // Builds the value starting at `t` with the value_stack, then `complete`.
    // `owned`: the value is kept (default storage), not only read.
    void begin_sub(token const& t, complete_fn complete, void* target, bool owned) {
        start_sub(complete, target, owned);
        forward(t);
    }
    // The same for an object of which `key` is the first key, already read.
    void begin_sub_object(std::string_view key, complete_fn complete, void* target) {
        start_sub(complete, target, false);
        st_.push_key(key);
        sub_depth_ = 1;
    }
    // One token into the subtree; a complete value ends it.
    void forward(token const& t) {
        switch (t.kind) {
        case token_kind::null: st_.push_null(); break;
        case token_kind::boolean: st_.push_bool(t.b); break;
        case token_kind::int64: st_.push_int64(t.i); break;
        case token_kind::uint64: st_.push_uint64(t.u); break;
        case token_kind::double_: st_.push_double(t.d); break;
        case token_kind::string:
            if (!t.last) {
                st_.push_chars(t.s);
                return;
            }
            st_.push_string(t.s);
            break;
        case token_kind::object:
        case token_kind::array: ++sub_depth_; return;
        }
        if (sub_depth_ == 0) finish_sub();
    }

    // Text of a string that arrives in pieces and is needed whole (enums, tags).
    std::string text;

    // Seen bits of structs with more than 64 members.
    std::vector<std::uint64_t> wide_seen;

private:
    enum class mode : unsigned char {
        normal, // decoding
        sub,    // building a subtree in st_
        skip,   // skipping skip_depth_ levels (an unknown key's value), or everything after an error
    };

    void begin_value(token const& t) {
        if (depth_ != 0) {
            if (auto element = top().ops->element) return element(*this, t);
        }
        slot_fn_(*this, slot_target_, t);
    }

    void scalar(token const& t) {
        if (mode_ == mode::normal) {
            begin_value(t);
        } else if (mode_ == mode::sub) {
            forward(t);
        }
    }

    void container_begin(token_kind k) {
        if (mode_ == mode::sub) {
            ++sub_depth_;
            return;
        }
        if (mode_ == mode::skip) {
            ++skip_depth_;
            return;
        }
        std::size_t const depth = depth_;
        token t;
        t.kind = k;
        begin_value(t);
        // Neither a frame nor a subtree took it (an unknown key's value, or a
        // type error): skip its contents.
        if (mode_ != mode::sub && depth_ == depth) {
            mode_ = mode::skip;
            skip_depth_ = 1;
        }
    }

    void container_end() {
        if (mode_ == mode::normal) {
            top().ops->end(*this);
            return;
        }
        if (skip_depth_ > 0) {
            if (--skip_depth_ == 0 && !failed_) mode_ = mode::normal;
            return;
        }
        pop(); // after an error: an object or array open at the error closes
    }

    // Deeper than the inline frames: on the heap, twice as many.
    void grow() {
        auto more = std::make_unique<stream_frame[]>(2 * capacity_);
        std::copy(frames_, frames_ + depth_, more.get());
        // The frames' paths point at their parents: link them again after the move.
        for (std::size_t i = 1; i < depth_; ++i) more[i].pf.parent = &more[i - 1].pf;
        heap_frames_ = std::move(more);
        frames_ = heap_frames_.get();
        capacity_ *= 2;
    }

    void start_sub(complete_fn complete, void* target, bool owned) {
        if (owned) {
            st_.reset();
        } else {
            if (!scratch_) scratch_.emplace();
            st_.reset(boost::json::storage_ptr(&*scratch_));
        }
        mode_ = mode::sub;
        sub_depth_ = 0;
        sub_complete_ = complete;
        sub_target_ = target;
    }

    void finish_sub() {
        mode_ = mode::normal;
        boost::json::value v = st_.release();
        sub_complete_(*this, sub_target_, std::move(v));
    }

    // Only what a frame's operations read is set: the key or index of its
    // path when a child starts, the rest here.
    static void reset(stream_frame& f, frame_ops const* ops, void* target, bool is_array) noexcept {
        f.ops = ops;
        f.target = target;
        f.pf.is_index = is_array;
        f.seen = 0;
        f.hint = 0;
        f.tagged = false;
        f.estimated = false;
    }

    // [0, depth_) are open; the rest is room. Most documents nest less than
    // eight containers deep: no allocation per decode for the stack.
    std::array<stream_frame, 8> inline_frames_{};
    std::unique_ptr<stream_frame[]> heap_frames_;
    stream_frame* frames_ = inline_frames_.data();
    std::size_t capacity_ = inline_frames_.size();
    std::size_t depth_ = 0;
    value_fn slot_fn_;
    void* slot_target_;
    mode mode_ = mode::normal;
    bool failed_ = false;
    bool ambiguous_ = false;
    bool string_open_ = false;
    bool key_open_ = false;
    std::size_t skip_depth_ = 0;
    std::size_t sub_depth_ = 0;
    char const* text_first_ = nullptr;
    char const* text_last_ = nullptr;
    char const* last_ = nullptr;
    std::string key_;
    std::string number_;

    // Subtrees: where values that are only read live (declared first: the
    // stack may hold some when the parser stops half-way), the stack, and what
    // to do next.
    std::optional<boost::json::monotonic_resource> scratch_;
    // The stack's first 16 values live here rather than in a malloc per decode.
    alignas(boost::json::value) unsigned char st_room_[16 * sizeof(boost::json::value)];
    boost::json::value_stack st_{boost::json::storage_ptr(), st_room_, sizeof(st_room_)};
    complete_fn sub_complete_ = nullptr;
    void* sub_target_ = nullptr;
};

// ---------------------------------------------------------------------------
// Subtrees handed to the DOM decoder.

template <class T>
void complete_dom(stream_decoder& d, void* target, boost::json::value&& v) {
    if (!decode_value(v, *static_cast<T*>(target), d.ctx, d.path())) d.failed();
}

inline void complete_json_value(stream_decoder&, void* target, boost::json::value&& v) {
    // Both in the default storage: a swap is the move, without the checks of
    // a move-assignment's temporary.
    static_cast<boost::json::value*>(target)->swap(v);
}

// ---------------------------------------------------------------------------
// Structs.

template <class T, class D>
void* member_address(void* p) noexcept {
    return &(static_cast<T*>(p)->*D::pointer);
}

template <class T, class D>
using member_type = std::remove_cvref_t<decltype(std::declval<T&>().*D::pointer)>;

template <described_struct T>
inline constexpr bool many_members = member_count<T> > 64;

template <described_struct T>
std::uint64_t* seen_of(stream_decoder& d, stream_frame& f) noexcept {
    if constexpr (many_members<T>)
        return d.wide_seen.data() + f.seen;
    else
        return &f.seen;
}
template <described_struct T>
std::uint64_t const* seen_of(stream_decoder const& d, stream_frame const& f) noexcept {
    if constexpr (many_members<T>)
        return d.wide_seen.data() + f.seen;
    else
        return &f.seen;
}

// member_index with each key a constant, so that every comparison is a length
// check and a few inlined word compares instead of a call to memcmp.
template <described_struct T, std::size_t I>
bool is_key(std::string_view k) noexcept {
    constexpr std::string_view key = member_keys<T>[I];
    // memcmp, not ==: GCC leaves string_view's == out of line, and with it the
    // call to memcmp; with a constant length it compares inline.
    return k.size() == key.size() && (key.empty() || std::memcmp(k.data(), key.data(), key.size()) == 0);
}

template <described_struct T>
std::size_t find_member(std::string_view k) noexcept {
    std::size_t found = no_member;
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<member_count<T>>>([&](auto I) {
        if (found == no_member && is_key<T, I>(k)) found = I;
    });
    return found;
}

// The key of member I was read: its value comes next. With I a constant, the
// slot's function and address are too (no table, no indirect call).
template <described_struct T, std::size_t I>
void take_member(stream_decoder& d, stream_frame& f) noexcept {
    using D = boost::mp11::mp_at_c<members_of<T>, I>;
    f.hint = I + 1;
    set_seen_bit(seen_of<T>(d, f), I);
    f.pf.key = member_keys<T>[I];
    d.set_slot(&on_value<member_type<T, D>>, member_address<T, D>(f.target));
}

template <described_struct T>
void struct_key(stream_decoder& d, std::string_view k) {
    stream_frame& f = d.top();
    if (f.tagged && k == f.tag_key) return d.give_up(); // a second tag: the last one selects, in a DOM
    constexpr std::size_t n = member_count<T>;
    if constexpr (n > 0) {
        // The member after the previous one, most often (see member_index).
        if (f.hint < n && boost::mp11::mp_with_index<n>(f.hint, [&](auto I) {
                if (!is_key<T, I>(k)) return false;
                take_member<T, I>(d, f);
                return true;
            }))
            return;
        if (std::size_t const i = find_member<T>(k); i != no_member)
            return boost::mp11::mp_with_index<n>(i, [&](auto I) { take_member<T, I>(d, f); });
    }
    if (d.ctx.options.unknown_keys == key_policy::reject) {
        f.pf.key = k;
        return d.fail(errc::json_unknown_key, "unknown key");
    }
    d.set_slot(&stream_decoder::ignore, nullptr);
}

template <described_struct T>
void struct_end(stream_decoder& d) {
    // Only what finish_members reads, not a copy of the whole frame.
    stream_frame const& f = d.top();
    T& out = *static_cast<T*>(f.target);
    std::uint64_t const seen = f.seen;
    d.pop();
    if constexpr (many_members<T>) {
        if (!finish_members(out, d.wide_seen.data() + seen, d.ctx, d.path())) d.failed();
        d.wide_seen.resize(seen);
    } else {
        if (!finish_members(out, &seen, d.ctx, d.path())) d.failed();
    }
}

template <described_struct T>
bool struct_has_key(stream_decoder const& d, stream_frame const& f, std::string_view k) {
    if (f.tagged && k == f.tag_key) return true;
    std::size_t const i = member_index<T>(k);
    return i != no_member && seen_bit(seen_of<T>(d, f), i);
}

template <described_struct T>
inline constexpr frame_ops struct_ops{&struct_key<T>, nullptr, &struct_end<T>, &struct_has_key<T>};

// `in_place`: the top frame (a tagged union's) becomes the struct's.
template <described_struct T>
void push_struct(stream_decoder& d, T& out, bool in_place = false) {
    check_struct<T>();
    if (in_place)
        d.replace_top(&struct_ops<T>, &out);
    else
        d.push(&struct_ops<T>, &out, false);
    if constexpr (many_members<T>) {
        stream_frame& f = d.top();
        f.seen = d.wide_seen.size();
        d.wide_seen.resize(d.wide_seen.size() + seen_words(member_count<T>));
    }
}

// ---------------------------------------------------------------------------
// Tagged unions: when the tag is the first key, its alternative is decoded as
// a struct from the stream; otherwise the object is built and decoded as a DOM.

template <class V>
void variant_tag(stream_decoder& d, void* target, token const& t);

template <class V>
void variant_key(stream_decoder& d, std::string_view k) {
    constexpr std::string_view tag_key = variant_traits<V>::tag_key;
    stream_frame& f = d.top();
    if (k == tag_key) {
        f.pf.key = tag_key;
        return d.set_slot(&variant_tag<V>, f.target);
    }
    void* target = f.target;
    d.pop();
    d.begin_sub_object(k, &complete_dom<V>, target);
}

template <class V>
void variant_end(stream_decoder& d) {
    // {}: the DOM decoder names the missing tag.
    void* target = d.top().target;
    d.pop();
    complete_dom<V>(d, target, boost::json::value(boost::json::object_kind));
}

template <class V>
bool variant_has_key(stream_decoder const&, stream_frame const&, std::string_view k) {
    return k == variant_traits<V>::tag_key;
}

template <class V>
inline constexpr frame_ops variant_ops{&variant_key<V>, nullptr, &variant_end<V>, &variant_has_key<V>};

template <class V>
void variant_tag(stream_decoder& d, void* target, token const& t) {
    constexpr std::string_view tag_key = variant_traits<V>::tag_key;
    if (t.kind != token_kind::string) {
        // Not a string: the DOM decoder says so, from the whole object.
        d.pop();
        d.begin_sub_object(tag_key, &complete_dom<V>, target);
        d.forward(t);
        return;
    }
    std::string_view s = t.s;
    if (!(t.first && t.last)) {
        if (t.first)
            d.text.assign(t.s);
        else
            d.text.append(t.s);
        if (!t.last) return;
        s = d.text;
    }
    V& out = *static_cast<V*>(target);
    std::size_t const index = alternative_for(s, &out);
    if (index == no_alternative) return d.fail(errc::json_discriminator, unknown_tag_text(s, &out));
    boost::mp11::mp_with_index<std::variant_size_v<V>>(index, [&](auto I) {
        using alt = std::variant_alternative_t<decltype(I)::value, V>;
        push_struct(d, out.template emplace<decltype(I)::value>(), true);
        stream_frame& f = d.top();
        if constexpr (is_member_key<alt>(tag_key)) {
            // The tag is also a member (a fallback that keeps it): decode it there.
            struct_key<alt>(d, tag_key);
            token whole;
            whole.kind = token_kind::string;
            whole.s = s;
            d.dispatch(whole);
        }
        f.tagged = true;
        f.tag_key = tag_key;
    });
}

// ---------------------------------------------------------------------------
// Arrays and maps.

template <class V>
void push_bool(stream_decoder& d, void* target, token const& t) {
    bool b = false; // std::vector<bool> hands out proxies, not bool&
    if (plain_scalar(t, b) || d.decode_token_ok(t, b)) static_cast<V*>(target)->push_back(b);
}

// A value starts in an array: a new element, and the slot of the string
// pieces that may follow.
template <class V>
void vector_element(stream_decoder& d, token const& t) {
    stream_frame& f = d.top();
    V& out = *static_cast<V*>(f.target);
    using E = typename V::value_type;
    std::size_t const n = out.size();
    f.pf.index = n;
    if (n == 0) {
        // Most arrays of an answer are short: room for four at the first
        // element saves the reallocations of 1, 2, 4 (an empty array
        // allocates nothing).
        if (out.capacity() == 0) out.reserve(4);
        f.mark = d.position();
    } else if (n == 4 && out.capacity() == 4 && d.depth() <= 2) {
        // A page's entries (the root array, or one in the root object), when
        // four did not suffice: room for as many as the rest of the text
        // holds at the size of the first four, rather than doubling (each
        // step moves every element, and big blocks cost malloc more).
        if (std::size_t const expected = d.expected_elements(f.mark, n, sizeof(E)); expected > 2 * n) {
            out.reserve(expected);
            f.estimated = true;
        }
    }
    if constexpr (std::is_same_v<E, bool>) {
        d.set_slot(&push_bool<V>, &out);
        push_bool<V>(d, &out, t);
    } else {
        E& e = out.emplace_back();
        d.set_slot(&on_value<E>, &e);
        on_value<E>(d, &e, t);
    }
}

inline void pop_end(stream_decoder& d) { d.pop(); }

template <class V>
void vector_end(stream_decoder& d) {
    stream_frame const& f = d.top();
    if (f.estimated) {
        // The estimate was far off (an array followed by more text of
        // another kind): give back what it reserved in vain.
        V& out = *static_cast<V*>(f.target);
        if (out.capacity() / 2 > out.size()) out.shrink_to_fit();
    }
    d.pop();
}

inline bool no_keys(stream_decoder const&, stream_frame const&, std::string_view) { return false; }

template <class V>
inline constexpr frame_ops vector_ops{nullptr, &vector_element<V>, &vector_end<V>, &no_keys};

template <class M>
void map_key(stream_decoder& d, std::string_view k) {
    stream_frame& f = d.top();
    M& out = *static_cast<M*>(f.target);
    auto [it, inserted] = out.try_emplace(std::string(k));
    if (!inserted) it->second = typename M::mapped_type{}; // a repeated key: its last value, from scratch
    f.pf.key = it->first;
    d.set_slot(&on_value<typename M::mapped_type>, &it->second);
}

template <class M>
bool map_has_key(stream_decoder const&, stream_frame const& f, std::string_view k) {
    M const& out = *static_cast<M const*>(f.target);
    return out.find(std::string(k)) != out.end();
}

template <class M>
inline constexpr frame_ops map_ops{&map_key<M>, nullptr, &pop_end, &map_has_key<M>};

// ---------------------------------------------------------------------------
// One token into a T, the rules in the same order as decode_value's.

template <class T>
void on_value(stream_decoder& d, void* target, token const& t) {
    T& out = *static_cast<T*>(target);
    if constexpr (has_codec<T>) {
        d.begin_sub(t, &complete_dom<T>, target, false);
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        switch (t.kind) { // a number, bool or null needs no stack
        case token_kind::null: out = nullptr; return;
        case token_kind::boolean: out = t.b; return;
        case token_kind::int64: out = t.i; return;
        case token_kind::uint64: out = t.u; return;
        case token_kind::double_: out = t.d; return;
        default: break;
        }
        d.begin_sub(t, &complete_json_value, target, true);
    } else if constexpr (std::is_same_v<T, bool> || json_integer<T> || std::is_floating_point_v<T>) {
        d.decode_scalar(t, out);
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (t.kind != token_kind::string) return d.decode_token(t, out);
        if (t.first && !out.empty()) out.clear();
        // Into an empty string (the usual case) append is assign without its
        // aliasing checks. A whole string longer than the room gets its exact
        // room first: cheaper than append's regrowth (_M_mutate).
        if (t.first && t.last && t.s.size() > out.capacity()) out.reserve(t.s.size());
        out.append(t.s);
    } else if constexpr (is_optional<T>::value) {
        if (t.kind == token_kind::null) return out.reset();
        if (t.kind != token_kind::string || t.first) out.emplace();
        on_value<typename T::value_type>(d, &*out, t);
    } else if constexpr (is_vector<T>::value) {
        if (t.kind != token_kind::array) return d.decode_token(t, out);
        out.clear();
        d.push(&vector_ops<T>, target, true);
    } else if constexpr (is_string_map<T>::value) {
        if (t.kind != token_kind::object) return d.decode_token(t, out);
        out.clear();
        d.push(&map_ops<T>, target, false);
    } else if constexpr (described_enum<T>) {
        if (t.kind != token_kind::string) return d.decode_token(t, out);
        if (t.first && t.last) {
            if (!decode_enum(t.s, out, d.ctx, d.path())) d.failed();
            return;
        }
        if (t.first)
            d.text.assign(t.s);
        else
            d.text.append(t.s);
        if (t.last && !decode_enum(std::string_view(d.text), out, d.ctx, d.path())) d.failed();
    } else if constexpr (tagged_union<T>) {
        (void)variant_traits<T>::tag_key; // the checks of the union
        if (t.kind != token_kind::object) return d.begin_sub(t, &complete_dom<T>, target, false);
        d.push(&variant_ops<T>, target, false);
    } else if constexpr (described_struct<T>) {
        if (t.kind != token_kind::object) {
            check_struct<T>();
            return d.decode_token(t, out);
        }
        push_struct(d, out);
    } else {
        static_assert(unsupported_member_type<T>::value);
    }
}

// ---------------------------------------------------------------------------

struct stream_outcome {
    boost::json::error_code ec;
    std::size_t offset = 0; // bytes consumed; the position of the error when ec is set
    bool ambiguous = false; // only the DOM path can tell the outcome (see the top of this file)
};

// Parses `text` into `out`; schema errors go to `c`.
template <class T>
stream_outcome stream_decode(std::string_view text, T& out, decode_context& c) {
    boost::json::parse_options po;
    po.max_depth = c.options.max_depth;
    boost::json::basic_parser<stream_decoder> p(po, c, &on_value<T>, &out);
    p.handler().set_text(text);
    stream_outcome r;
    r.offset = p.write_some(false, text.data(), text.size(), r.ec);
    if (!r.ec && r.offset < text.size()) r.ec = boost::json::error::extra_data;
    r.ambiguous = p.handler().ambiguous();
    return r;
}

} // namespace sigma::json::detail

#endif
// ---- end <sigma/json/detail/stream_decode.hpp> ----

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
// ---- end <sigma/json/decode.hpp> ----
// ---- begin <sigma/json/encode.hpp> ----
// SPDX-License-Identifier: MIT
// The mirror image of decode: decode(encode(x)) == x for every supported type.
#ifndef SIGMA_JSON_ENCODE_HPP
#define SIGMA_JSON_ENCODE_HPP


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
// ---- end <sigma/json/encode.hpp> ----

#endif
// ---- end <sigma/json.hpp> ----
// ---- begin <sigma/log.hpp> ----
// SPDX-License-Identifier: MIT
// A hook for users' logging: no dependency on a logging library. Messages
// never contain a secret or a token.
#ifndef SIGMA_LOG_HPP
#define SIGMA_LOG_HPP


#include <functional>
#include <string_view>

namespace sigma {

enum class log_level { trace, debug, info, warn, error };

constexpr std::string_view to_string(log_level l) noexcept {
    switch (l) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    }
    return "info";
}

// Called synchronously on the thread that runs the client; keep it cheap.
using log_sink = std::function<void(log_level, std::string_view message)>;

} // namespace sigma

#endif
// ---- end <sigma/log.hpp> ----
// ---- begin <sigma/clock.hpp> ----
// SPDX-License-Identifier: MIT
// Time as the client sees it: injectable, so that tests of token expiry and
// retry back-off advance a fake clock instead of sleeping.
#ifndef SIGMA_CLOCK_HPP
#define SIGMA_CLOCK_HPP


#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
// ---- begin <sigma/detail/coroutine_warnings.hpp> ----
// SPDX-License-Identifier: MIT
// GCC 12 reports -Wmismatched-new-delete for Asio's awaitable frames (its
// frames use a class-specific operator new/delete pair that the middle end
// mismatches: a false positive). Headers that define coroutines bracket them:
//
//     #include <sigma/detail/coroutine_warnings.hpp>
//     SIGMA_COROUTINES_BEGIN
//     ... coroutines ...
//     SIGMA_COROUTINES_END
#ifndef SIGMA_DETAIL_COROUTINE_WARNINGS_HPP
#define SIGMA_DETAIL_COROUTINE_WARNINGS_HPP

#if defined(__GNUC__) && !defined(__clang__)
#define SIGMA_COROUTINES_BEGIN \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmismatched-new-delete\"")
#define SIGMA_COROUTINES_END _Pragma("GCC diagnostic pop")
#else
#define SIGMA_COROUTINES_BEGIN
#define SIGMA_COROUTINES_END
#endif

#endif
// ---- end <sigma/detail/coroutine_warnings.hpp> ----

SIGMA_COROUTINES_BEGIN

namespace sigma {

struct clock_source {
    // Monotonic time, for token expiry and rate limiting.
    std::function<std::chrono::steady_clock::time_point()> now;
    // Calendar time, to read Retry-After given as an HTTP date.
    std::function<std::chrono::system_clock::time_point()> wall_now;
    // Waits (the client's only way to pass time).
    std::function<boost::asio::awaitable<void>(std::chrono::milliseconds)> sleep;
    // Uniform in [0, 1), for back-off jitter.
    std::function<double()> random;

    // The real clocks, an Asio timer on the calling coroutine's executor, and
    // a generator seeded from std::random_device.
    static clock_source system() {
        clock_source c;
        c.now = [] { return std::chrono::steady_clock::now(); };
        c.wall_now = [] { return std::chrono::system_clock::now(); };
        c.sleep = [](std::chrono::milliseconds d) -> boost::asio::awaitable<void> {
            boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
            co_await t.async_wait(boost::asio::use_awaitable);
        };
        struct rng_state {
            std::mutex m;
            std::mt19937_64 g{std::random_device{}()};
        };
        auto st = std::make_shared<rng_state>();
        c.random = [st] {
            std::lock_guard lock(st->m);
            return std::uniform_real_distribution<double>(0.0, 1.0)(st->g);
        };
        return c;
    }
};

} // namespace sigma

SIGMA_COROUTINES_END

#endif
// ---- end <sigma/clock.hpp> ----
// ---- begin <sigma/config.hpp> ----
// SPDX-License-Identifier: MIT
// The connector's four settings, named and defaulted as in OpenMetadata's
// Sigma connection (serviceConnection.config), and their validation.
#ifndef SIGMA_CONFIG_HPP
#define SIGMA_CONFIG_HPP


#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <concepts>
#include <string>
#include <string_view>
#include <vector>

namespace sigma {

// Sigma's API hosts by cloud and region. A token minted on one host is refused
// by all others, so a wrong host shows up as 401. Used for help texts and
// warnings only: proxies and new regions exist, so other hosts are accepted.
inline constexpr std::array<std::string_view, 13> known_api_hosts{
    "api.sigmacomputing.com",          // GCP US
    "api.sa.gcp.sigmacomputing.com",   // GCP KSA
    "aws-api.sigmacomputing.com",      // AWS US West
    "api.us-a.aws.sigmacomputing.com", // AWS US East
    "api.ca.aws.sigmacomputing.com",   "api.eu.aws.sigmacomputing.com", "api.au.aws.sigmacomputing.com",
    "api.uk.aws.sigmacomputing.com",   "api.us.azure.sigmacomputing.com", "api.eu.azure.sigmacomputing.com",
    "api.ca.azure.sigmacomputing.com", "api.uk.azure.sigmacomputing.com", "api.au.azure.sigmacomputing.com",
};

inline constexpr std::string_view default_host_port = "https://api.sigmacomputing.com";
inline constexpr std::string_view default_api_version = "v2";

struct config {
    std::string hostPort{default_host_port};
    std::string clientId;
    secret clientSecret;
    std::string apiVersion{default_api_version};
    // Not an OpenMetadata setting: lets hostPort be http:// (loopback tests, the demo).
    bool allow_insecure_http = false;
};

// A configuration after validation: the origin to connect to, the version
// prefix, and advice that is not an error.
struct validated_config {
    config settings;
    std::string origin;                 // scheme://host[:port], no trailing slash
    std::vector<std::string> warnings;  // e.g. an unknown Sigma host
};

namespace detail {

inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

inline bool valid_api_version(std::string_view v) {
    // v2, v2.1, v10
    if (v.size() < 2 || v[0] != 'v') return false;
    std::size_t i = 1, digits = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++digits;
    if (digits == 0) return false;
    if (i == v.size()) return true;
    if (v[i] != '.') return false;
    ++i;
    digits = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++digits;
    return digits > 0 && i == v.size();
}

// `text` with control characters shown as \xNN. Messages echo keys and values,
// and an error's message is a C string (std::runtime_error::what()): a NUL in
// a key (a JSON escape) cut it short, to nothing at all (found by fuzz_config).
inline std::string printable(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto const c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xF];
        } else {
            out += ch;
        }
    }
    return out;
}

inline sigma::error config_error(std::string_view key, std::string_view problem) {
    std::string msg = printable(key);
    msg += ": ";
    msg += printable(problem);
    return sigma::error(errc::config, msg);
}

} // namespace detail

// The closest of `candidates` to `key`, when close enough to be a likely typo.
template <class Range>
std::string closest_key(std::string_view key, Range const& candidates) {
    std::string best;
    std::size_t best_d = key.size() / 2 + 2;
    for (std::string_view c : candidates) {
        std::size_t d = detail::edit_distance(key, c);
        if (d < best_d) {
            best_d = d;
            best = std::string(c);
        }
    }
    return best;
}

// Checks a configuration and normalises hostPort (a trailing `/` or a version
// suffix such as `/v2` is dropped, so it is never doubled).
inline result<validated_config> validate(config c) {
    validated_config out;
    auto parsed = boost::urls::parse_absolute_uri(c.hostPort);
    if (!parsed)
        return detail::config_error("hostPort", "\"" + c.hostPort +
                                                    "\" is not an absolute URL; expected e.g. "
                                                    "https://aws-api.sigmacomputing.com");
    boost::urls::url u(*parsed);
    std::string scheme(u.scheme());
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (scheme == "http") {
        if (!c.allow_insecure_http)
            return detail::config_error("hostPort", "\"" + c.hostPort +
                                                        "\" uses http://; Sigma's API is served over https:// "
                                                        "(plain http is allowed only for loopback testing, with "
                                                        "allow_insecure_http)");
    } else if (scheme != "https") {
        return detail::config_error("hostPort", "\"" + c.hostPort + "\" must be an https:// URL");
    }
    if (u.encoded_host().empty()) return detail::config_error("hostPort", "\"" + c.hostPort + "\" has no host");
    if (u.has_userinfo())
        return detail::config_error("hostPort", "must not contain user information; use clientId and clientSecret");
    if (u.has_query() || u.has_fragment())
        return detail::config_error("hostPort", "\"" + c.hostPort + "\" must not have a query or a fragment");
    std::string path(u.encoded_path());
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (!path.empty()) {
        std::string_view last = std::string_view(path).substr(1);
        if (path.find('/', 1) != std::string::npos || !detail::valid_api_version(last))
            return detail::config_error("hostPort", "\"" + c.hostPort +
                                                        "\" has a path; give the API's base URL only, e.g. "
                                                        "https://aws-api.sigmacomputing.com");
        // A pasted ".../v2" is accepted; apiVersion decides the prefix.
    }
    if (c.clientId.empty()) return detail::config_error("clientId", "must not be empty");
    if (c.clientSecret.empty()) return detail::config_error("clientSecret", "must not be empty");
    if (!detail::valid_api_version(c.apiVersion))
        return detail::config_error("apiVersion", "\"" + c.apiVersion + "\" is not a version such as v2 or v2.1");

    std::string host(u.encoded_host());
    std::transform(host.begin(), host.end(), host.begin(), [](unsigned char ch) { return std::tolower(ch); });
    out.origin = scheme + "://" + std::string(u.encoded_host_and_port());
    c.hostPort = out.origin;
    bool known = std::find(known_api_hosts.begin(), known_api_hosts.end(), host) != known_api_hosts.end();
    bool loopback = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
    if (!known && !loopback)
        out.warnings.push_back("hostPort: " + host +
                               " is not one of Sigma's known API hosts; fine for a proxy, otherwise check the "
                               "region (Administration > Developer Access shows the API URL)");
    out.settings = std::move(c);
    return out;
}

// Reads a JSON object shaped like OpenMetadata's serviceConnection.config:
// {"type": "Sigma", "hostPort": ..., "clientId": ..., "clientSecret": ..., "apiVersion": ...}.
// Unknown keys are errors (OpenMetadata's schema forbids them) with a suggestion.
// Only reads; call validate() to check the values.
template <class V>
    requires std::same_as<V, boost::json::value>
result<config> config_from_json(V const& v) {
    static constexpr std::array<std::string_view, 5> keys{"type", "hostPort", "clientId", "clientSecret",
                                                          "apiVersion"};
    auto const* obj = v.if_object();
    if (obj == nullptr)
        return sigma::error(errc::config, std::string("expected an object, got ") +
                                              std::string(json::detail::kind_name(v.kind())));
    config c;
    for (auto const& kv : *obj) {
        std::string_view key = kv.key();
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            std::string msg = "unknown key";
            if (auto best = closest_key(key, keys); !best.empty()) msg += "; did you mean \"" + best + "\"?";
            else {
                msg += "; expected one of: type, hostPort, clientId, clientSecret, apiVersion";
            }
            return detail::config_error(key, msg);
        }
        auto const* s = kv.value().if_string();
        if (s == nullptr)
            return detail::config_error(key, std::string("expected string, got ") +
                                                 std::string(json::detail::kind_name(kv.value().kind())));
        std::string_view val = *s;
        if (key == "type") {
            if (val != "Sigma") return detail::config_error(key, "must be \"Sigma\", got \"" + std::string(val) + "\"");
        } else if (key == "hostPort") {
            c.hostPort = val;
        } else if (key == "clientId") {
            c.clientId = val;
        } else if (key == "clientSecret") {
            c.clientSecret = secret(val);
        } else if (key == "apiVersion") {
            c.apiVersion = val;
        }
    }
    return c;
}

inline result<config> config_from_json(std::string_view text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) return sigma::error(errc::config, "configuration is not valid JSON: " + ec.message());
    return config_from_json<boost::json::value>(v);
}

} // namespace sigma

#endif
// ---- end <sigma/config.hpp> ----

// HTTP
// ---- begin <sigma/transport/transport.hpp> ----
// SPDX-License-Identifier: MIT
// What the client needs from HTTP, stated as a concept. The default is
// sigma::beast_transport (HTTPS over Boost.Beast); sigma::testing has in-memory
// and loopback ones.
#ifndef SIGMA_TRANSPORT_TRANSPORT_HPP
#define SIGMA_TRANSPORT_TRANSPORT_HPP

// ---- begin <sigma/transport/http.hpp> ----
// SPDX-License-Identifier: MIT
// HTTP requests and responses as plain values: what endpoints build and
// transports carry. No Asio here, so that the API layer can name them.
#ifndef SIGMA_TRANSPORT_HTTP_HPP
#define SIGMA_TRANSPORT_HTTP_HPP


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
// ---- end <sigma/transport/http.hpp> ----

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <concepts>

namespace sigma {

template <class T>
concept transport = requires(T& t, http_request req) {
    { t.get_executor() } -> std::convertible_to<boost::asio::any_io_executor>;
    { t.async_send(std::move(req)) } -> std::same_as<boost::asio::awaitable<result<http_response>>>;
};

} // namespace sigma

#endif
// ---- end <sigma/transport/transport.hpp> ----
// ---- begin <sigma/transport/beast.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::beast_transport: the default Transport. HTTPS (TLS >= 1.2, verified
// against the system CA store or a given CA) over Boost.Beast, HTTP/1.1
// keep-alive with a bounded pool of connections per origin, deadlines on every
// phase, size limits on responses, CONNECT proxies from the environment or
// the options. Redirects are refused, never followed.
//
// This header declares; <sigma/transport/impl/beast.ipp> implements, and is
// included at the end unless SIGMA_SEPARATE_COMPILATION moves it to the one
// file that includes <sigma/src.hpp>. So with separate compilation a file
// that uses the transport compiles none of Beast.
#ifndef SIGMA_TRANSPORT_BEAST_HPP
#define SIGMA_TRANSPORT_BEAST_HPP


#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sigma {

struct beast_transport_options {
    // request_timeout bounds the whole call: waiting for a free connection,
    // connecting, the TLS handshake, sending and reading the response. The
    // other two bound their phase within it.
    std::chrono::milliseconds connect_timeout{10'000};   // TCP connect, and the proxy's CONNECT answer
    std::chrono::milliseconds handshake_timeout{10'000}; // TLS handshake
    std::chrono::milliseconds request_timeout{60'000};

    std::size_t max_connections_per_origin = 8; // busy plus idle
    std::size_t max_header_bytes = 64 * 1024;   // response status line and headers
    std::uint64_t max_body_bytes = std::uint64_t{64} << 20;

    // Trusted CAs: a PEM file and/or PEM text; with neither, the system store
    // (OpenSSL's default paths, which honour SSL_CERT_FILE / SSL_CERT_DIR).
    std::string ca_file;
    std::string ca_pem;
    // Accept any certificate from any host. For debugging only: it makes
    // the connection readable and forgeable by anyone on the path.
    bool insecure_skip_tls_verify = false;
    // Allow http:// origins (loopback tests). Off: they fail with errc::transport.
    bool allow_insecure_http = false;

    // CONNECT proxy. Unset: https_proxy / HTTPS_PROXY for https:// origins.
    // "": no proxy. "http://[user:password@]host[:port]": that proxy for every origin.
    std::optional<std::string> proxy;
    // Hosts that bypass the proxy, as no_proxy spells them ("*", "example.com",
    // ".example.com", "10.0.0.0/8", "host:port"). Unset: no_proxy / NO_PROXY.
    std::optional<std::string> no_proxy;
};

// Counters since construction, for tests and benchmarks.
struct beast_transport_stats {
    std::uint64_t connections_opened = 0; // TCP connections made (to the origin or a proxy)
    std::uint64_t tunnels_opened = 0;     // of which CONNECT tunnels
    std::uint64_t requests_sent = 0;      // requests written, retries included
    std::uint64_t connections_reused = 0; // requests that started on a kept-alive connection
    std::uint64_t stale_retries = 0;      // requests retried after a kept-alive connection failed before answering
    std::uint64_t idle_dropped = 0;       // kept-alive connections found closed by the server before reuse
};

namespace detail::wire {
struct transport_state; // impl/beast.ipp
} // namespace detail::wire

// Copies share one pool, one TLS context and one set of counters.
class beast_transport {
public:
    using executor_type = boost::asio::any_io_executor;

    // Throws sigma::error (errc::config) when the options cannot work: an
    // unreadable CA file, a bad proxy URL, a zero limit. make() returns it instead.
    SIGMA_DECL explicit beast_transport(executor_type ex, beast_transport_options options = {});

    SIGMA_DECL static result<beast_transport> make(executor_type ex, beast_transport_options options = {});

    [[nodiscard]] SIGMA_DECL executor_type get_executor() const noexcept;

    // The transport's state is shared with requests in flight, so the object
    // may be moved or destroyed while they finish.
    SIGMA_DECL boost::asio::awaitable<result<http_response>> async_send(http_request req);

    [[nodiscard]] SIGMA_DECL beast_transport_stats stats() const noexcept;

    [[nodiscard]] SIGMA_DECL beast_transport_options const& options() const noexcept;
    // The most requests this transport runs at once to one origin (a client caps its concurrency here).
    [[nodiscard]] SIGMA_DECL std::size_t max_in_flight() const noexcept;

private:
    using state_ptr = std::shared_ptr<detail::wire::transport_state>;
    SIGMA_DECL explicit beast_transport(state_ptr st);
    SIGMA_DECL static result<state_ptr> build(executor_type ex, beast_transport_options opt);

    state_ptr st_;
};

static_assert(transport<beast_transport>, "sigma::beast_transport must satisfy sigma::transport");

} // namespace sigma

#if !defined(SIGMA_SEPARATE_COMPILATION) || defined(SIGMA_SOURCE)
// ---- begin <sigma/transport/impl/beast.ipp> ----
// SPDX-License-Identifier: MIT
// The implementation of sigma::beast_transport (<sigma/transport/beast.hpp>):
// included at the end of that header, or, with SIGMA_SEPARATE_COMPILATION,
// only by <sigma/src.hpp>. Not a header to include on its own.
#ifndef SIGMA_TRANSPORT_IMPL_BEAST_IPP
#define SIGMA_TRANSPORT_IMPL_BEAST_IPP

// ---- begin <sigma/transport/detail/pool.hpp> ----
// SPDX-License-Identifier: MIT
// A bounded set of kept-alive connections to one origin. At most `capacity`
// connections exist (busy or idle); a request that finds them all busy waits
// on a channel of slot tokens, racing a timer set to its deadline, so waiting
// costs no polling and wakes exactly when a slot is handed back. Safe to use
// from several threads.
#ifndef SIGMA_TRANSPORT_DETAIL_POOL_HPP
#define SIGMA_TRANSPORT_DETAIL_POOL_HPP


#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace sigma::detail {

template <class Connection>
class connection_pool {
public:
    connection_pool(boost::asio::any_io_executor ex, std::size_t capacity)
        : capacity_(capacity), slots_(ex, capacity) {
        for (std::size_t i = 0; i < capacity; ++i) (void)slots_.try_send(boost::system::error_code{});
    }

    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

    // Hands a slot back when it goes out of scope, however the request ends.
    class slot {
    public:
        slot() = default;
        explicit slot(connection_pool* p) : pool_(p) {}
        slot(slot&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)) {}
        slot& operator=(slot&& o) noexcept {
            if (this != &o) {
                release();
                pool_ = std::exchange(o.pool_, nullptr);
            }
            return *this;
        }
        ~slot() { release(); }
        [[nodiscard]] explicit operator bool() const noexcept { return pool_ != nullptr; }

    private:
        void release() noexcept {
            if (pool_) (void)pool_->slots_.try_send(boost::system::error_code{});
            pool_ = nullptr;
        }
        connection_pool* pool_ = nullptr;
    };

    // A slot, or an empty one when the deadline passed first.
    boost::asio::awaitable<slot> acquire(std::chrono::steady_clock::time_point deadline) {
        bool got = false;
        (void)slots_.try_receive([&](boost::system::error_code) { got = true; });
        if (got) co_return slot(this);
        auto ex = co_await boost::asio::this_coro::executor;
        boost::asio::steady_timer timer(ex, deadline);
        auto [order, receive_ec, timer_ec] =
            co_await boost::asio::experimental::make_parallel_group(slots_.async_receive(boost::asio::deferred),
                                                                    timer.async_wait(boost::asio::deferred))
                .async_wait(boost::asio::experimental::wait_for_one(), boost::asio::use_awaitable);
        (void)order;
        (void)timer_ec;
        // Judge by the receive's own outcome: it may have completed even when
        // the timer is reported first, and a token taken must not be lost.
        if (!receive_ec) co_return slot(this);
        co_return slot();
    }

    // An idle connection for which `usable` holds, or null; unusable ones are
    // dropped (their count goes to `dropped`).
    template <class Pred>
    std::unique_ptr<Connection> take_idle(Pred usable, std::size_t& dropped) {
        std::vector<std::unique_ptr<Connection>> dead;
        std::unique_ptr<Connection> found;
        {
            std::lock_guard lock(mutex_);
            while (!idle_.empty() && !found) {
                auto c = std::move(idle_.back());
                idle_.pop_back();
                if (usable(*c)) found = std::move(c);
                else dead.push_back(std::move(c));
            }
        }
        dropped = dead.size();
        return found;
    }

    void put_idle(std::unique_ptr<Connection> c) {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(c));
    }

    [[nodiscard]] std::size_t idle_count() const {
        std::lock_guard lock(mutex_);
        return idle_.size();
    }

private:
    std::size_t capacity_;
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> slots_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_; // most recently used last
};

} // namespace sigma::detail

#endif
// ---- end <sigma/transport/detail/pool.hpp> ----
// ---- begin <sigma/transport/detail/proxy.hpp> ----
// SPDX-License-Identifier: MIT
// HTTP proxies for beast_transport: the proxy URL (from the options or from
// https_proxy / HTTPS_PROXY), the no_proxy / NO_PROXY bypass list, and the
// CONNECT request that opens a tunnel. Credentials in a proxy URL become a
// Proxy-Authorization header and never appear in a message.
#ifndef SIGMA_TRANSPORT_DETAIL_PROXY_HPP
#define SIGMA_TRANSPORT_DETAIL_PROXY_HPP


#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::detail {

struct proxy_endpoint {
    std::string host;          // connect here (IPv6 without brackets)
    std::string port;          // service, e.g. "3128"
    std::string authorization; // "Basic ..." or empty; a secret
    std::string display;       // host:port, safe to print
};

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

inline std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int const n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<unsigned char const*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// `source` names where the URL came from, for messages; the URL itself is
// never repeated (it may hold a password).
inline result<proxy_endpoint> parse_proxy_url(std::string_view text, std::string_view source) {
    std::string s(text);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    if (s.find("://") == std::string::npos) s = "http://" + s; // "host:port", as curl accepts
    auto parsed = boost::urls::parse_uri(s);
    std::string const where = "the proxy URL from " + std::string(source);
    if (!parsed) return error(errc::config, where + " is not a URL");
    auto const& u = *parsed;
    if (ascii_lower(std::string(u.scheme().data(), u.scheme().size())) != "http")
        return error(errc::config, where + " must use the http:// scheme (a CONNECT proxy); got " +
                                       std::string(u.scheme().data(), u.scheme().size()) + "://");
    if (u.encoded_host().empty()) return error(errc::config, where + " has no host");
    proxy_endpoint p;
    p.host = u.host_address();
    p.port = u.has_port() ? std::string(u.port().data(), u.port().size()) : std::string("1080");
    if (p.port.empty()) p.port = "1080";
    p.display = std::string(u.encoded_host().data(), u.encoded_host().size()) + ":" + p.port;
    if (u.has_userinfo()) p.authorization = "Basic " + base64(u.user() + ":" + u.password());
    return p;
}

// One no_proxy entry: "*", a host or domain ("example.com" and
// ".example.com" both match example.com and its subdomains), an IP address
// or CIDR block ("10.0.0.0/8"), each optionally with ":port".
struct no_proxy_entry {
    std::string name;                             // lower case, no leading dot
    std::optional<boost::asio::ip::address> net;  // for IP entries
    unsigned prefix = 0;
    std::string port;                             // empty: any
    bool any = false;
};

inline std::vector<no_proxy_entry> parse_no_proxy(std::string_view list) {
    std::vector<no_proxy_entry> out;
    std::size_t i = 0;
    while (i < list.size()) {
        std::size_t j = list.find_first_of(", \t", i);
        if (j == std::string_view::npos) j = list.size();
        std::string item = ascii_lower(list.substr(i, j - i));
        i = j + 1;
        if (item.empty()) continue;
        no_proxy_entry e;
        if (item == "*") {
            e.any = true;
            out.push_back(std::move(e));
            continue;
        }
        // Split off a port: "[v6]:p", "host:p"; a bare IPv6 address has several colons.
        if (item.front() == '[') {
            auto close = item.find(']');
            if (close == std::string::npos) continue;
            if (close + 1 < item.size() && item[close + 1] == ':') e.port = item.substr(close + 2);
            item = item.substr(1, close - 1);
        } else if (std::count(item.begin(), item.end(), ':') == 1) {
            auto colon = item.find(':');
            e.port = item.substr(colon + 1);
            item.resize(colon);
        }
        std::string addr = item;
        unsigned prefix = 0;
        bool has_prefix = false;
        if (auto slash = item.find('/'); slash != std::string::npos) {
            addr = item.substr(0, slash);
            prefix = static_cast<unsigned>(std::strtoul(item.c_str() + slash + 1, nullptr, 10));
            has_prefix = true;
        }
        boost::system::error_code ec;
        auto ip = boost::asio::ip::make_address(addr, ec);
        if (!ec) {
            e.net = ip;
            unsigned const bits = ip.is_v4() ? 32u : 128u;
            e.prefix = has_prefix ? std::min(prefix, bits) : bits;
        } else {
            while (!item.empty() && (item.front() == '.' || item.front() == '*')) item.erase(item.begin());
            while (!item.empty() && item.back() == '.') item.pop_back();
            if (item.empty()) continue;
            e.name = std::move(item);
        }
        out.push_back(std::move(e));
    }
    return out;
}

inline bool ip_in_network(boost::asio::ip::address const& a, boost::asio::ip::address const& net, unsigned prefix) {
    if (a.is_v4() != net.is_v4()) return false;
    auto match = [prefix](auto const& x, auto const& y) {
        for (unsigned bit = 0; bit < prefix; ++bit) {
            unsigned const byte = bit / 8, mask = 0x80u >> (bit % 8);
            if ((x[byte] & mask) != (y[byte] & mask)) return false;
        }
        return true;
    };
    return a.is_v4() ? match(a.to_v4().to_bytes(), net.to_v4().to_bytes())
                     : match(a.to_v6().to_bytes(), net.to_v6().to_bytes());
}

// Whether a request to host:port goes direct.
inline bool bypasses_proxy(std::vector<no_proxy_entry> const& list, std::string_view host_in, std::string_view port) {
    std::string host = ascii_lower(host_in);
    while (!host.empty() && host.back() == '.') host.pop_back();
    boost::system::error_code ec;
    auto const ip = boost::asio::ip::make_address(host, ec);
    for (auto const& e : list) {
        if (e.any) return true;
        if (!e.port.empty() && e.port != port) continue;
        if (e.net) {
            if (!ec && ip_in_network(ip, *e.net, e.prefix)) return true;
            continue;
        }
        if (host == e.name) return true;
        if (host.size() > e.name.size() && host.ends_with(e.name) && host[host.size() - e.name.size() - 1] == '.')
            return true;
    }
    return false;
}

inline std::optional<std::string> env_value(char const* lower, char const* upper) {
    if (char const* v = std::getenv(lower); v && *v) return std::string(v);
    if (char const* v = std::getenv(upper); v && *v) return std::string(v);
    return std::nullopt;
}

// The CONNECT request for a tunnel to authority (host:port).
inline std::string connect_request(std::string const& authority, proxy_endpoint const& proxy) {
    std::string r = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!proxy.authorization.empty()) r += "Proxy-Authorization: " + proxy.authorization + "\r\n";
    r += "\r\n";
    return r;
}

} // namespace sigma::detail

#endif
// ---- end <sigma/transport/detail/proxy.hpp> ----
// ---- begin <sigma/transport/detail/tls.hpp> ----
// SPDX-License-Identifier: MIT
// The client side of TLS for beast_transport: one OpenSSL context per
// transport (TLS >= 1.2, peer verification on unless explicitly turned off)
// and the per-connection settings (SNI, host name or IP address check).
#ifndef SIGMA_TRANSPORT_DETAIL_TLS_HPP
#define SIGMA_TRANSPORT_DETAIL_TLS_HPP


#include <boost/asio/ssl/context.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace sigma::detail {

struct tls_client_settings {
    std::string ca_file;       // PEM file of trusted CAs; empty: none
    std::string ca_pem;        // PEM text of trusted CAs; empty: none
    bool skip_verify = false;  // only ever from beast_transport_options::insecure_skip_tls_verify
};

inline std::string openssl_last_error() {
    unsigned long const e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

// Adds every certificate of a PEM text to the context's trust store.
inline result<void> add_trusted_pem(SSL_CTX* ctx, std::string const& pem) {
    struct bio_free { void operator()(BIO* b) const noexcept { BIO_free(b); } };
    std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return error(errc::config, "ca_pem: cannot read the PEM text: " + openssl_last_error());
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    int count = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        int const ok = X509_STORE_add_cert(store, cert);
        X509_free(cert);
        if (ok != 1) return error(errc::config, "ca_pem: cannot add a certificate to the trust store: " + openssl_last_error());
        ++count;
    }
    ERR_clear_error(); // PEM_read_bio_X509 leaves "no start line" at the end of the text
    if (count == 0) return error(errc::config, "ca_pem holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    return {};
}

inline result<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(tls_client_settings const& s) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1)
        return error(errc::config, "cannot require TLS 1.2: " + openssl_last_error());
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    if (s.skip_verify) {
        ctx->set_verify_mode(ssl::verify_none);
        return ctx;
    }
    ctx->set_verify_mode(ssl::verify_peer);
    if (!s.ca_file.empty()) {
        boost::system::error_code ec;
        ctx->load_verify_file(s.ca_file, ec);
        if (ec) return error(errc::config, "cannot load the CA file '" + s.ca_file + "': " + ec.message());
    }
    if (!s.ca_pem.empty()) {
        if (auto r = add_trusted_pem(native, s.ca_pem); !r) return r.error();
    }
    if (s.ca_file.empty() && s.ca_pem.empty()) {
        boost::system::error_code ec;
        ctx->set_default_verify_paths(ec);
        if (ec) return error(errc::config, "cannot load the system CA store: " + ec.message());
    }
    return ctx;
}

// Before the handshake: SNI for names (never for IP literals, RFC 6066), and
// the identity the peer's certificate must carry.
inline result<void> configure_tls_connection(SSL* ssl, std::string const& host, bool host_is_ip, bool verify) {
    if (!host_is_ip && SSL_set_tlsext_host_name(ssl, const_cast<char*>(host.c_str())) != 1)
        return error(errc::transport, "cannot set TLS SNI for " + host + ": " + openssl_last_error());
    if (!verify) return {};
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    int ok = 0;
    if (host_is_ip) {
        ok = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        ok = X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
    if (ok != 1) return error(errc::transport, "cannot set the expected TLS identity " + host + ": " + openssl_last_error());
    return {};
}

// Why a handshake failed, in words: the certificate check's verdict when
// there is one ("hostname mismatch", "self-signed certificate in certificate
// chain"), else the TLS error.
inline std::string tls_failure_reason(SSL* ssl, boost::system::error_code const& ec) {
    long const v = SSL_get_verify_result(ssl);
    std::string reason = ec.message();
    if (v != X509_V_OK) reason = std::string("certificate verify failed: ") + X509_verify_cert_error_string(v);
    return reason;
}

} // namespace sigma::detail

#endif
// ---- end <sigma/transport/detail/tls.hpp> ----

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma {

namespace detail::wire {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using clock = std::chrono::steady_clock;
using request_message = http::request<http::string_body>;

struct origin {
    bool https = true;
    std::string host;        // for DNS, SNI and the certificate check; IPv6 without brackets
    bool host_is_ip = false;
    std::string port;
    std::string authority;   // host:port as sent in CONNECT ([v6]:port)
    std::string host_header; // Host: value (port omitted when default)
    std::string key;         // scheme://authority, lower case: the pool's name
};

inline result<origin> parse_origin(std::string_view text) {
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed) return error(errc::config, "the request origin is not an absolute URL (want https://host[:port])");
    auto const& u = *parsed;
    if (u.has_userinfo()) return error(errc::config, "the request origin must not carry user information");
    std::string const shown(text);
    std::string const scheme = ascii_lower(std::string(u.scheme().data(), u.scheme().size()));
    origin o;
    if (scheme == "https") o.https = true;
    else if (scheme == "http") o.https = false;
    else return error(errc::config, "origin '" + shown + "': the scheme must be https:// (or http:// with allow_insecure_http)");
    if (!(u.encoded_path().empty() || u.encoded_path() == "/") || u.has_query() || u.has_fragment())
        return error(errc::config, "origin '" + shown + "' must be scheme://host[:port] without a path, query or fragment");
    auto const encoded_host = std::string(u.encoded_host().data(), u.encoded_host().size());
    if (encoded_host.empty() || encoded_host.find('%') != std::string::npos)
        return error(errc::config, "origin '" + shown + "' has no usable host");
    o.host = ascii_lower(u.host_address());
    o.host_is_ip = u.host_type() == boost::urls::host_type::ipv4 || u.host_type() == boost::urls::host_type::ipv6;
    std::string const default_port = o.https ? "443" : "80";
    if (u.has_port()) {
        if (u.port_number() == 0) return error(errc::config, "origin '" + shown + "' has an invalid port");
        o.port = std::to_string(u.port_number());
    } else {
        o.port = default_port;
    }
    o.authority = ascii_lower(encoded_host) + ":" + o.port;
    o.host_header = ascii_lower(encoded_host) + (o.port == default_port ? std::string() : ":" + o.port);
    o.key = scheme + "://" + o.authority;
    return o;
}

inline bool is_token_char(char c) noexcept {
    auto const u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Request fields that could split the request or smuggle another one.
inline std::optional<std::string> invalid_request_part(http_request const& req) {
    if (req.target.empty() || req.target.front() != '/')
        return "the target must be origin-form (start with '/')";
    for (char c : req.target)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return "the target contains a space or control character";
    for (auto const& h : req.headers) {
        if (h.name.empty() || !std::all_of(h.name.begin(), h.name.end(), is_token_char))
            return "a header name is not an HTTP token";
        for (char c : h.value)
            if (c == '\r' || c == '\n' || c == '\0') return "the value of header " + h.name + " contains CR, LF or NUL";
    }
    return std::nullopt;
}

struct connection {
    explicit connection(asio::any_io_executor const& ex) : strand(asio::make_strand(ex)) {}

    // Every operation on the connection runs here, so that Beast's timeout
    // handlers never race the I/O even on a multi-threaded io_context.
    asio::strand<asio::any_io_executor> strand;
    std::optional<beast::tcp_stream> plain;                 // until TLS wraps it
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

// An idle connection is reusable when nothing is readable on it: a readable
// socket means the server closed it (EOF), reset it, or sent bytes nobody
// asked for. Checked without blocking, just before reuse.
inline bool still_open(connection& c) {
    auto& sock = c.lowest().socket();
    boost::system::error_code ec;
    sock.non_blocking(true, ec);
    if (ec) return false;
    char byte = 0;
    (void)sock.receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, ec);
    boost::system::error_code ignored;
    sock.non_blocking(false, ignored);
    return ec == asio::error::would_block;
}

struct origin_entry {
    origin_entry(asio::any_io_executor const& ex, std::size_t capacity, bool proxied) : pool(ex, capacity), use_proxy(proxied) {}
    connection_pool<connection> pool;
    bool use_proxy;
};

struct transport_state {
    asio::any_io_executor exec;
    beast_transport_options options;
    std::shared_ptr<asio::ssl::context> tls;

    std::optional<proxy_endpoint> proxy;
    std::string proxy_problem; // the configured proxy cannot be used
    bool proxy_for_http = false;
    std::vector<no_proxy_entry> no_proxy;

    std::mutex mutex;
    std::map<std::string, std::shared_ptr<origin_entry>> origins;

    std::atomic<std::uint64_t> connections_opened{0}, tunnels_opened{0}, requests_sent{0}, connections_reused{0},
        stale_retries{0}, idle_dropped{0};

    std::shared_ptr<origin_entry> entry_for(origin const& o) {
        std::lock_guard lock(mutex);
        auto& e = origins[o.key];
        if (!e) {
            bool const wants = (proxy || !proxy_problem.empty()) && (o.https || proxy_for_http);
            bool const proxied = wants && !bypasses_proxy(no_proxy, o.host, o.port);
            e = std::make_shared<origin_entry>(exec, options.max_connections_per_origin, proxied);
        }
        return e;
    }
};

inline std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

struct exchange_outcome {
    result<http_response> response;
    bool stale = false; // a kept-alive connection failed before any byte of answer: retry on a fresh one
    bool keep = false;  // the connection may serve another request
};

// TCP connect (to the origin or the proxy), CONNECT tunnel, TLS handshake.
inline asio::awaitable<result<void>> open_connection(transport_state& st, connection& c, origin const& o, bool use_proxy,
                                                     clock::time_point deadline) {
    using tcp = asio::ip::tcp;
    auto const& opt = st.options;
    auto const connect_deadline = std::min(deadline, clock::now() + opt.connect_timeout);
    std::string const& host = use_proxy ? st.proxy->host : o.host;
    std::string const& port = use_proxy ? st.proxy->port : o.port;
    std::string const peer = use_proxy ? "proxy " + st.proxy->display : o.authority;
    boost::system::error_code ec;

    // Name resolution has no Beast deadline: a timer on the same strand
    // cancels it.
    auto resolver = std::make_shared<tcp::resolver>(c.strand);
    asio::steady_timer guard(c.strand, connect_deadline);
    guard.async_wait([resolver](boost::system::error_code e) {
        if (!e) resolver->cancel();
    });
    boost::system::error_code parse_ec;
    (void)asio::ip::make_address(host, parse_ec);
    auto const flags = parse_ec ? tcp::resolver::flags{} : tcp::resolver::numeric_host;
    auto endpoints = co_await resolver->async_resolve(host, port, flags, asio::redirect_error(asio::use_awaitable, ec));
    guard.cancel();
    if (ec) {
        if (clock::now() >= connect_deadline)
            co_return error(errc::timeout, "resolving " + peer + " timed out after " + ms(opt.connect_timeout));
        co_return error(errc::transport, "cannot resolve " + peer + ": " + ec.message());
    }

    c.plain.emplace(c.strand);
    auto& s = *c.plain;
    s.expires_at(connect_deadline);
    co_await s.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout)
        co_return error(errc::timeout, "connecting to " + peer + " timed out after " + ms(opt.connect_timeout));
    if (ec) co_return error(errc::transport, "cannot connect to " + peer + ": " + ec.message());
    ++st.connections_opened;
    s.socket().set_option(tcp::no_delay(true), ec);

    if (use_proxy) {
        std::string const req = connect_request(o.authority, *st.proxy);
        co_await asio::async_write(s, asio::buffer(req), asio::redirect_error(asio::use_awaitable, ec));
        http::response_parser<http::empty_body> p;
        p.skip(true); // a 2xx answer to CONNECT has no body: the tunnel starts after the header
        if (!ec) co_await http::async_read(s, c.buffer, p, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == beast::error::timeout)
            co_return error(errc::timeout, peer + " did not open a tunnel to " + o.authority + " within " + ms(opt.connect_timeout));
        if (ec) co_return error(errc::transport, "CONNECT through " + peer + " to " + o.authority + " failed: " + ec.message());
        auto const status = p.get().result_int();
        if (status < 200 || status > 299)
            co_return error(errc::transport, peer + " refused the tunnel to " + o.authority + ": " + std::to_string(status) + " " +
                                                 std::string(p.get().reason()));
        if (c.buffer.size() != 0)
            co_return error(errc::transport, peer + " sent data before the tunnel to " + o.authority + " was used");
        ++st.tunnels_opened;
    }

    if (o.https) {
        c.tls.emplace(std::move(*c.plain), *st.tls);
        c.plain.reset();
        auto& t = *c.tls;
        if (auto r = configure_tls_connection(t.native_handle(), o.host, o.host_is_ip, !opt.insecure_skip_tls_verify); !r)
            co_return r;
        beast::get_lowest_layer(t).expires_at(std::min(deadline, clock::now() + opt.handshake_timeout));
        co_await t.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == beast::error::timeout)
            co_return error(errc::timeout, "TLS handshake with " + o.authority + " timed out after " + ms(opt.handshake_timeout));
        if (ec) co_return error(errc::transport, "TLS handshake with " + o.authority + " failed: " + tls_failure_reason(t.native_handle(), ec));
    }
    co_return result<void>{};
}

template <class Stream>
asio::awaitable<void> write_then_read(Stream& s, beast::flat_buffer& buffer, request_message const& msg,
                                      http::response_parser<http::string_body>& parser, bool& write_failed,
                                      boost::system::error_code& ec) {
    co_await http::async_write(s, msg, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        write_failed = true;
        co_return;
    }
    co_await http::async_read(s, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
}

inline bool is_connection_closed(boost::system::error_code const& ec) {
    return ec == http::error::end_of_stream || ec == http::error::partial_message ||
           ec == asio::ssl::error::stream_truncated || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::error::connection_aborted;
}

// One request on one connection; runs on the connection's strand.
inline asio::awaitable<exchange_outcome> exchange(transport_state& st, connection& c, origin const& o, bool use_proxy,
                                                  request_message const& msg, clock::time_point deadline, bool reused,
                                                  http_details const& details, std::string const& label) {
    exchange_outcome out;
    auto const& opt = st.options;
    auto fail = [&](errc code, std::string const& text) {
        out.response = error(code, label + text, details);
        return std::move(out);
    };
    if (!reused) {
        auto opened = co_await open_connection(st, c, o, use_proxy, deadline);
        if (!opened) co_return fail(opened.error().code(), opened.error().message());
    }

    http::response_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opt.max_header_bytes, UINT32_MAX)));
    parser.body_limit(opt.max_body_bytes);
    bool write_failed = false;
    boost::system::error_code ec;
    c.lowest().expires_at(deadline);
    ++st.requests_sent;
    if (c.tls) co_await write_then_read(*c.tls, c.buffer, msg, parser, write_failed, ec);
    else co_await write_then_read(*c.plain, c.buffer, msg, parser, write_failed, ec);

    if (ec) {
        bool const got_bytes = !write_failed && (parser.got_some() || c.buffer.size() != 0);
        if (ec == beast::error::timeout) {
            if (!parser.is_header_done())
                co_return fail(errc::timeout, "no response within " + ms(opt.request_timeout) + " (request_timeout)");
            co_return fail(errc::timeout, "the response stalled: not complete within " + ms(opt.request_timeout) +
                                              " (request_timeout), " + std::to_string(parser.get().body().size()) +
                                              " body bytes received");
        }
        if (reused && !got_bytes) {
            out.stale = true;
            co_return out;
        }
        if (write_failed) co_return fail(errc::transport, "sending the request failed: " + ec.message());
        if (ec == http::error::body_limit)
            co_return fail(errc::transport, "the response body exceeds the limit of " + std::to_string(opt.max_body_bytes) +
                                                " bytes (beast_transport_options::max_body_bytes)");
        if (ec == http::error::header_limit)
            co_return fail(errc::transport, "the response header exceeds the limit of " + std::to_string(opt.max_header_bytes) +
                                                " bytes (beast_transport_options::max_header_bytes)");
        if (is_connection_closed(ec)) {
            if (!got_bytes) co_return fail(errc::transport, "the server closed the connection without answering");
            if (!parser.is_header_done())
                co_return fail(errc::transport, "the server closed the connection in the middle of the response header");
            std::string text = "the server closed the connection in the middle of the response body, after " +
                               std::to_string(parser.get().body().size()) + " bytes";
            if (auto n = parser.content_length()) text += " of the " + std::to_string(*n) + " announced by Content-Length";
            co_return fail(errc::transport, text);
        }
        co_return fail(errc::transport, "reading the response failed: " + ec.message());
    }
    c.lowest().expires_never();

    auto& res = parser.get();
    // Bytes after the end of the body: its framing was wrong (a
    // Content-Length smaller than the body), so the body cannot be trusted.
    std::size_t extra = c.buffer.size();
    if (c.tls) extra += static_cast<std::size_t>(SSL_pending(c.tls->native_handle()));
    if (extra != 0)
        co_return fail(errc::transport, "the server sent " + std::to_string(extra) +
                                            " bytes past the end of the response (wrong Content-Length?)");
    http_response r;
    r.status = res.result_int();
    r.headers.reserve(static_cast<std::size_t>(std::distance(res.begin(), res.end())));
    for (auto const& f : res)
        r.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    r.body = std::move(res.body());
    out.keep = res.keep_alive();
    out.response = std::move(r);
    co_return out;
}

// A Location for a message: without user information, bounded in size.
inline std::string printable_location(std::string_view loc) {
    std::string out;
    auto parsed = boost::urls::parse_uri_reference(loc);
    if (parsed && parsed->has_userinfo()) {
        boost::urls::url u(*parsed);
        u.remove_userinfo();
        out = std::string(u.buffer());
    } else {
        out = std::string(loc);
    }
    for (auto& ch : out)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    if (out.size() > 512) out = out.substr(0, 512) + "...";
    return out;
}

inline asio::awaitable<result<http_response>> send_unguarded(std::shared_ptr<transport_state> st, http_request req,
                                                             http_details& details, std::string& label) {
    auto o = parse_origin(req.origin);
    if (!o) co_return error(o.error().code(), label + o.error().message(), details);
    label = details.method + " " + o->key + req.target + ": ";
    auto fail = [&](errc code, std::string const& text) { return result<http_response>(error(code, label + text, details)); };
    if (!o->https && !st->options.allow_insecure_http)
        co_return fail(errc::transport, "plain http:// is refused; set beast_transport_options::allow_insecure_http to allow it (tests only)");
    if (auto bad = invalid_request_part(req)) co_return fail(errc::transport, *bad);

    auto entry = st->entry_for(*o);
    if (entry->use_proxy && !st->proxy_problem.empty()) co_return fail(errc::config, st->proxy_problem);

    request_message msg;
    static constexpr http::verb verbs[] = {http::verb::get, http::verb::post, http::verb::put, http::verb::patch,
                                           http::verb::delete_};
    msg.method(verbs[static_cast<int>(req.method)]);
    msg.target(req.target);
    msg.version(11);
    for (auto const& h : req.headers) {
        // Framing and routing headers are the transport's.
        if (iequals(h.name, "Host") || iequals(h.name, "Content-Length") || iequals(h.name, "Transfer-Encoding") ||
            iequals(h.name, "Connection"))
            continue;
        msg.insert(h.name, h.value);
    }
    msg.set(http::field::host, o->host_header);
    if (req.header("User-Agent").empty()) msg.set(http::field::user_agent, "sigma-cpp/" SIGMA_VERSION_STRING);
    if (req.header("Accept").empty()) msg.set(http::field::accept, "application/json");
    msg.body() = std::move(req.body);
    msg.prepare_payload();

    auto const& opt = st->options;
    auto const deadline = clock::now() + opt.request_timeout;
    auto slot = co_await entry->pool.acquire(deadline);
    if (!slot)
        co_return fail(errc::timeout, "no free connection within " + ms(opt.request_timeout) + " (request_timeout): all " +
                                          std::to_string(entry->pool.capacity()) + " connections to the origin stayed busy");

    for (int attempt = 0;; ++attempt) {
        std::unique_ptr<connection> conn;
        if (attempt == 0) {
            std::size_t dropped = 0;
            conn = entry->pool.take_idle([](connection& c) { return still_open(c); }, dropped);
            st->idle_dropped += dropped;
        }
        bool const reused = conn != nullptr;
        if (reused) ++st->connections_reused;
        else conn = std::make_unique<connection>(st->exec);
        auto out = co_await asio::co_spawn(
            conn->strand, exchange(*st, *conn, *o, entry->use_proxy, msg, deadline, reused, details, label), asio::use_awaitable);
        if (out.stale && attempt == 0) {
            ++st->stale_retries;
            continue;
        }
        if (out.stale) co_return fail(errc::transport, "the server closed the connection without answering");
        if (out.keep) entry->pool.put_idle(std::move(conn));
        if (!out.response) co_return std::move(out.response);
        unsigned const status = out.response->status;
        if (status >= 300 && status < 400 && status != 304) {
            details.status = status;
            auto const loc = out.response->header("Location");
            co_return fail(errc::http_status,
                           "the server answered " + std::to_string(status) + " redirecting to " +
                               (loc.empty() ? std::string("(no Location header)") : printable_location(loc)) +
                               "; redirects are not followed, so credentials never leave the origin");
        }
        co_return std::move(out.response);
    }
}

inline asio::awaitable<result<http_response>> send(std::shared_ptr<transport_state> st, http_request req) {
    http_details details;
    details.method = std::string(to_string(req.method));
    details.target = req.target;
    std::string label = details.method + " " + req.target + ": ";
    try {
        co_return co_await send_unguarded(std::move(st), std::move(req), details, label);
    } catch (std::exception const& e) {
        co_return error(errc::transport, label + "internal failure: " + e.what(), details);
    }
}

} // namespace detail::wire

SIGMA_DECL beast_transport::beast_transport(executor_type ex, beast_transport_options options)
    : st_(build(std::move(ex), std::move(options)).value()) {}

SIGMA_DECL result<beast_transport> beast_transport::make(executor_type ex, beast_transport_options options) {
    auto st = build(std::move(ex), std::move(options));
    if (!st) return st.error();
    return beast_transport(std::move(*st));
}

SIGMA_DECL beast_transport::executor_type beast_transport::get_executor() const noexcept { return st_->exec; }

SIGMA_DECL boost::asio::awaitable<result<http_response>> beast_transport::async_send(http_request req) {
    return detail::wire::send(st_, std::move(req));
}

SIGMA_DECL beast_transport_stats beast_transport::stats() const noexcept {
    beast_transport_stats s;
    s.connections_opened = st_->connections_opened.load();
    s.tunnels_opened = st_->tunnels_opened.load();
    s.requests_sent = st_->requests_sent.load();
    s.connections_reused = st_->connections_reused.load();
    s.stale_retries = st_->stale_retries.load();
    s.idle_dropped = st_->idle_dropped.load();
    return s;
}

SIGMA_DECL beast_transport_options const& beast_transport::options() const noexcept { return st_->options; }

SIGMA_DECL std::size_t beast_transport::max_in_flight() const noexcept {
    return st_->options.max_connections_per_origin;
}

SIGMA_DECL beast_transport::beast_transport(state_ptr st) : st_(std::move(st)) {}

SIGMA_DECL result<beast_transport::state_ptr> beast_transport::build(executor_type ex, beast_transport_options opt) {
    auto bad = [](std::string const& what) { return error(errc::config, "beast_transport_options: " + what); };
    if (opt.max_connections_per_origin == 0) return bad("max_connections_per_origin must be at least 1");
    if (opt.max_header_bytes == 0) return bad("max_header_bytes must be positive");
    if (opt.connect_timeout.count() <= 0 || opt.handshake_timeout.count() <= 0 || opt.request_timeout.count() <= 0)
        return bad("connect_timeout, handshake_timeout and request_timeout must be positive");
    auto tls = detail::make_tls_client_context({opt.ca_file, opt.ca_pem, opt.insecure_skip_tls_verify});
    if (!tls) return tls.error();

    auto st = std::make_shared<detail::wire::transport_state>();
    st->exec = std::move(ex);
    st->tls = std::move(*tls);
    if (opt.proxy) {
        if (!opt.proxy->empty()) {
            auto p = detail::parse_proxy_url(*opt.proxy, "beast_transport_options::proxy");
            if (!p) return p.error();
            st->proxy = std::move(*p);
            st->proxy_for_http = true;
        }
    } else if (auto env = detail::env_value("https_proxy", "HTTPS_PROXY")) {
        auto p = detail::parse_proxy_url(*env, "https_proxy");
        if (p) st->proxy = std::move(*p);
        else st->proxy_problem = p.error().message(); // fails only the requests that would use it
    }
    std::string no_proxy = opt.no_proxy ? *opt.no_proxy : detail::env_value("no_proxy", "NO_PROXY").value_or("");
    st->no_proxy = detail::parse_no_proxy(no_proxy);
    st->options = std::move(opt);
    return st;
}

} // namespace sigma

#endif
// ---- end <sigma/transport/impl/beast.ipp> ----
#endif

#endif
// ---- end <sigma/transport/beast.hpp> ----
// ---- begin <sigma/transport/any.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::any_transport: any transport behind one type, as asio's
// any_io_executor is for executors. A program that picks its transport at run
// time (HTTPS, recording, replay) instantiates basic_client<any_transport>,
// and the client and the whole extraction, once instead of once per choice;
// the cost is one virtual call per request.
#ifndef SIGMA_TRANSPORT_ANY_HPP
#define SIGMA_TRANSPORT_ANY_HPP


#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <concepts>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace sigma {

class any_transport {
public:
    // Holds `t`. Copies of an any_transport share the one held transport.
    template <class T>
        requires(!std::same_as<std::remove_cvref_t<T>, any_transport> && transport<std::remove_cvref_t<T>>)
    any_transport(T&& t) // NOLINT(google-explicit-constructor): converts like any_io_executor
        : p_(std::make_shared<holder<std::remove_cvref_t<T>>>(std::forward<T>(t))) {}

    boost::asio::any_io_executor get_executor() const { return p_->get_executor(); }

    boost::asio::awaitable<result<http_response>> async_send(http_request req) {
        return p_->async_send(std::move(req));
    }

    // The held transport's max_in_flight(), or 0 (no limit) when it has none.
    [[nodiscard]] std::size_t max_in_flight() const { return p_->max_in_flight(); }

    // The held transport, when it is a T.
    template <class T>
    [[nodiscard]] T* target() noexcept {
        auto* h = dynamic_cast<holder<T>*>(p_.get());
        return h == nullptr ? nullptr : &h->t;
    }
    template <class T>
    [[nodiscard]] T const* target() const noexcept {
        auto const* h = dynamic_cast<holder<T> const*>(p_.get());
        return h == nullptr ? nullptr : &h->t;
    }

private:
    struct base {
        virtual ~base() = default;
        virtual boost::asio::any_io_executor get_executor() = 0;
        virtual boost::asio::awaitable<result<http_response>> async_send(http_request req) = 0;
        virtual std::size_t max_in_flight() const = 0;
    };

    template <class T>
    struct holder final : base {
        template <class U>
        explicit holder(U&& u) : t(std::forward<U>(u)) {}
        boost::asio::any_io_executor get_executor() override { return t.get_executor(); }
        boost::asio::awaitable<result<http_response>> async_send(http_request req) override {
            return t.async_send(std::move(req));
        }
        std::size_t max_in_flight() const override {
            if constexpr (requires(T const& x) {
                              { x.max_in_flight() } -> std::convertible_to<std::size_t>;
                          })
                return t.max_in_flight();
            else
                return 0;
        }
        T t;
    };

    std::shared_ptr<base> p_;
};

static_assert(transport<any_transport>);

} // namespace sigma

#endif
// ---- end <sigma/transport/any.hpp> ----
// ---- begin <sigma/transport/snapshot.hpp> ----
// SPDX-License-Identifier: MIT
// The snapshot format shared by sigma::recording_transport (which writes it),
// sigma::replay_transport (which serves it) and sigma::anonymise_snapshot:
// JSON Lines, one object a line, so that an interrupted recording still leaves
// every completed exchange readable and a snapshot diffs and greps well.
//
//     {"sigmaSnapshot":1,"hostPort":"https://aws-api.sigmacomputing.com","apiVersion":"v2",
//      "clientId":"…","recordedBy":"sigma-cpp 0.1.0"}
//     {"method":"POST","target":"/v2/auth/token","requestBody":"grant_type=…&client_secret=***",
//      "status":200,"headers":[{"name":"Content-Type","value":"application/json"}],
//      "json":{"access_token":"redacted-access-token-1",…}}
//     {"method":"GET","target":"/v2/workbooks?limit=1000","status":503,"headers":[…],"json":{…}}
//     {"method":"GET","target":"/v2/files?limit=1000","error":{"code":"timeout","message":"…"}}
//
// The first line is the header; each further line is one exchange: the
// request (method, origin-form target, body) and either the answer (status,
// the response headers worth keeping, the body) or the transport error that
// took its place. A body is kept as `json` when it is JSON that serialises back
// to the same bytes (readable, and the anonymiser can walk it), else as `body`
// (text) or `bodyBase64` (bytes that are not UTF-8). Nothing in a snapshot is
// secret: the recorder leaves out the Authorization header and replaces the
// client secret and every token (see recording.hpp).
#ifndef SIGMA_TRANSPORT_SNAPSHOT_HPP
#define SIGMA_TRANSPORT_SNAPSHOT_HPP


#include <boost/describe/class.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma {

// The format this library writes, and the newest it reads.
inline constexpr std::int64_t snapshot_format_version = 1;

// The first line. Connection settings (never the secret), so that a replay
// needs no configuration of its own.
struct snapshot_header {
    std::int64_t sigmaSnapshot = snapshot_format_version;
    std::string hostPort;
    std::string apiVersion = "v2";
    std::string clientId;
    std::string recordedBy = std::string("sigma-cpp ") + SIGMA_VERSION_STRING;
    // What the recording program wants back on replay (sigma-extract: the
    // OpenMetadata service name, which its output names).
    std::optional<std::string> serviceName;
    // Set by anonymise_snapshot.
    std::optional<bool> anonymised;
    bool operator==(snapshot_header const&) const = default;
};
BOOST_DESCRIBE_STRUCT(snapshot_header, (),
                      (sigmaSnapshot, hostPort, apiVersion, clientId, recordedBy, serviceName, anonymised))

struct snapshot_field {
    std::string name;
    std::string value;
    bool operator==(snapshot_field const&) const = default;
};
BOOST_DESCRIBE_STRUCT(snapshot_field, (), (name, value))

// A transport failure in place of an answer: the errc's name and the message.
struct snapshot_error {
    std::string code;
    std::string message;
    bool operator==(snapshot_error const&) const = default;
};
BOOST_DESCRIBE_STRUCT(snapshot_error, (), (code, message))

struct snapshot_exchange {
    std::string method; // GET, POST, ...
    std::string target; // origin-form, as sent: "/v2/workbooks?limit=1000"
    std::optional<std::string> requestBody;
    std::optional<unsigned> status; // absent: no answer, see `error`
    std::optional<std::vector<snapshot_field>> headers;
    std::optional<boost::json::value> json;
    std::optional<std::string> body;
    std::optional<std::string> bodyBase64;
    std::optional<snapshot_error> error;
    bool operator==(snapshot_exchange const&) const = default;
};
BOOST_DESCRIBE_STRUCT(snapshot_exchange, (),
                      (method, target, requestBody, status, headers, json, body, bodyBase64, error))

struct snapshot {
    snapshot_header header;
    std::vector<snapshot_exchange> exchanges;
    bool operator==(snapshot const&) const = default;
};

// The response headers a snapshot keeps: what the client reads. Others (cookies,
// tracing, a CDN's) are left out.
inline bool snapshot_keeps_header(std::string_view name) noexcept {
    return detail::iequals(name, "Content-Type") || detail::iequals(name, "Retry-After") ||
           detail::iequals(name, "X-Request-Id");
}

namespace detail {

inline bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        auto const c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (s.size() - i <= n) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            auto const b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0u) != 0x80u) return false;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if (n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
        if (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
        i += n + 1;
    }
    return true;
}

inline std::string base64_encode(std::string_view in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        std::uint32_t v = (static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16) |
                          (static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8) |
                          static_cast<unsigned char>(in[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i < in.size()) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
        if (i + 1 < in.size()) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += i + 1 < in.size() ? alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

inline std::optional<std::string> base64_decode_strict(std::string_view in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    std::uint32_t buf = 0;
    int bits = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '=') {
            for (std::size_t k = i; k < in.size(); ++k)
                if (in[k] != '=') return std::nullopt;
            break;
        }
        int v = val(in[i]);
        if (v < 0) return std::nullopt;
        buf = (buf << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buf >> bits) & 0xFF);
        }
    }
    return out;
}

inline std::optional<http_method> method_from_string(std::string_view s) noexcept {
    for (auto m : {http_method::get, http_method::post, http_method::put, http_method::patch, http_method::delete_})
        if (to_string(m) == s) return m;
    return std::nullopt;
}

inline std::optional<errc> errc_from_string(std::string_view s) noexcept {
    for (int i = 0; i <= static_cast<int>(errc::invalid_argument); ++i)
        if (to_string(static_cast<errc>(i)) == s) return static_cast<errc>(i);
    return std::nullopt;
}

inline sigma::error snapshot_error_at(std::string_view file, std::size_t line, std::string_view problem,
                                      errc code = errc::invalid_argument) {
    std::string m(file);
    m += ':';
    m += std::to_string(line);
    m += ": ";
    m += problem;
    return sigma::error(code, m);
}

} // namespace detail

// Stores a body the most readable way that gives back the same bytes.
inline void set_snapshot_body(snapshot_exchange& ex, std::string_view body) {
    ex.json.reset();
    ex.body.reset();
    ex.bodyBase64.reset();
    if (body.empty()) return;
    if (!detail::valid_utf8(body)) {
        ex.bodyBase64 = detail::base64_encode(body);
        return;
    }
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    // null would read back as an absent member; anything that does not
    // serialise to the same bytes is kept as text.
    if (!ec && !v.is_null() && boost::json::serialize(v) == body)
        ex.json = std::move(v);
    else
        ex.body = std::string(body);
}

// The body's bytes, whichever way they are stored.
[[nodiscard]] inline std::string snapshot_body(snapshot_exchange const& ex) {
    if (ex.json) return boost::json::serialize(*ex.json);
    if (ex.body) return *ex.body;
    if (ex.bodyBase64) return detail::base64_decode_strict(*ex.bodyBase64).value_or(std::string());
    return {};
}

// The answer an exchange records, or the transport error in its place.
[[nodiscard]] inline result<http_response> snapshot_response(snapshot_exchange const& ex) {
    if (ex.error) {
        errc code = detail::errc_from_string(ex.error->code).value_or(errc::transport);
        return sigma::error(code, ex.error->message);
    }
    http_response r;
    r.status = ex.status.value_or(0);
    if (ex.headers)
        for (auto const& h : *ex.headers) r.headers.push_back({h.name, h.value});
    r.body = snapshot_body(ex);
    return r;
}

// One line of the file, without its newline.
[[nodiscard]] inline std::string snapshot_line(snapshot_header const& h) { return sigma::json::encode(h); }
[[nodiscard]] inline std::string snapshot_line(snapshot_exchange const& ex) { return sigma::json::encode(ex); }

// Reads a snapshot. `name` (the file name) starts every error message, with
// the line number and what is wrong: not a snapshot, a newer format, a line
// that is not JSON or lacks a member, an exchange with neither answer nor
// error, a line cut short.
[[nodiscard]] inline result<snapshot> read_snapshot(std::istream& in, std::string_view name) {
    snapshot s;
    std::string line;
    std::size_t number = 0;
    bool have_header = false;
    while (std::getline(in, line)) {
        ++number;
        bool const cut = in.eof(); // the last line had no newline
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue; // blank lines are allowed
        boost::system::error_code ec;
        boost::json::parse_options po;
        po.max_depth = 128; // a body nested as deep as Boost.JSON's default allows, plus the line's own levels
        boost::json::value v = boost::json::parse(line, ec, {}, po);
        if (ec) {
            std::string why = "not JSON (" + ec.message() + ")";
            if (cut) why += "; the line is cut short: was the recording interrupted? Delete the last line to use the rest";
            return detail::snapshot_error_at(name, number, why, errc::json_syntax);
        }
        if (!v.is_object()) return detail::snapshot_error_at(name, number, "expected a JSON object", errc::json_type);
        if (!have_header) {
            auto const* ver = v.as_object().if_contains("sigmaSnapshot");
            if (ver == nullptr)
                return detail::snapshot_error_at(name, number,
                                                 "not a sigma-cpp snapshot: the first line has no \"sigmaSnapshot\"");
            if (!ver->is_int64() && !ver->is_uint64())
                return detail::snapshot_error_at(name, number, "sigmaSnapshot: expected an integer format version",
                                                 errc::json_type);
            auto const version = ver->is_int64() ? ver->get_int64() : static_cast<std::int64_t>(ver->get_uint64());
            if (ver->is_uint64() || version > snapshot_format_version)
                return detail::snapshot_error_at(
                    name, number,
                    "sigmaSnapshot " + (ver->is_uint64() ? std::to_string(ver->get_uint64()) : std::to_string(version)) +
                        ": a newer snapshot format than this sigma-cpp reads (" +
                        std::to_string(snapshot_format_version) + "); upgrade sigma-cpp");
            if (version < 1)
                return detail::snapshot_error_at(name, number,
                                                 "sigmaSnapshot " + std::to_string(version) + ": no such format version");
            auto h = sigma::json::decode<snapshot_header>(v);
            if (!h) return detail::snapshot_error_at(name, number, "header: " + h.error().message(), h.error().code());
            s.header = std::move(*h);
            have_header = true;
            continue;
        }
        auto ex = sigma::json::decode<snapshot_exchange>(v);
        if (!ex) return detail::snapshot_error_at(name, number, ex.error().message(), ex.error().code());
        if (!detail::method_from_string(ex->method))
            return detail::snapshot_error_at(name, number, "/method: unknown HTTP method \"" + ex->method + "\"");
        if (ex->target.empty() || ex->target.front() != '/')
            return detail::snapshot_error_at(name, number, "/target: expected an origin-form target starting with /");
        if (ex->status.has_value() == ex->error.has_value())
            return detail::snapshot_error_at(name, number, "an exchange needs either \"status\" or \"error\"",
                                             errc::json_missing_key);
        if (ex->status && (*ex->status < 100 || *ex->status > 599))
            return detail::snapshot_error_at(name, number, "/status: " + std::to_string(*ex->status) +
                                                               " is not an HTTP status");
        if (ex->error && !detail::errc_from_string(ex->error->code))
            return detail::snapshot_error_at(name, number, "/error/code: unknown error code \"" + ex->error->code + "\"");
        if (ex->bodyBase64 && !detail::base64_decode_strict(*ex->bodyBase64))
            return detail::snapshot_error_at(name, number, "/bodyBase64: not base64");
        if (int(ex->json.has_value()) + int(ex->body.has_value()) + int(ex->bodyBase64.has_value()) > 1)
            return detail::snapshot_error_at(name, number, "give one of \"json\", \"body\" and \"bodyBase64\"");
        s.exchanges.push_back(std::move(*ex));
    }
    if (in.bad()) return detail::snapshot_error_at(name, number + 1, "read error");
    if (!have_header)
        return detail::snapshot_error_at(name, number + 1, "empty: no snapshot header (is this a sigma-cpp snapshot?)");
    return s;
}

[[nodiscard]] inline result<snapshot> load_snapshot(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int const e = errno;
        return sigma::error(errc::invalid_argument,
                            path + ": cannot open the snapshot (" + (e != 0 ? std::strerror(e) : "unreadable") + ")");
    }
    return read_snapshot(in, path);
}

// Writes a whole snapshot (the anonymiser's output); false when the stream failed.
inline bool write_snapshot(std::ostream& os, snapshot const& s) {
    os << snapshot_line(s.header) << '\n';
    for (auto const& ex : s.exchanges) os << snapshot_line(ex) << '\n';
    os.flush();
    return static_cast<bool>(os);
}

[[nodiscard]] inline result<void> save_snapshot(std::string const& path, snapshot const& s) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        int const e = errno;
        return sigma::error(errc::invalid_argument,
                            path + ": cannot write the snapshot (" + (e != 0 ? std::strerror(e) : "unwritable") + ")");
    }
    if (!write_snapshot(out, s)) return sigma::error(errc::invalid_argument, path + ": writing the snapshot failed");
    return result<void>{};
}

} // namespace sigma

#endif
// ---- end <sigma/transport/snapshot.hpp> ----
// ---- begin <sigma/transport/recording.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::recording_transport<Inner>: a transport decorator that sends every
// request through Inner and writes the exchange to a snapshot (see
// snapshot.hpp), for sigma::replay_transport to serve later with no network,
// in a test or on a developer's machine reproducing a user's run.
//
//     sigma::recording_transport rec(sigma::beast_transport(ex), sigma::recording_options_for(cfg, "run.snapshot"));
//     sigma::basic_client<sigma::recording_transport<sigma::beast_transport>> client(cfg, std::move(rec));
//
// Each exchange is written as one line when it completes, and flushed, so an
// interrupted run still leaves a readable snapshot; any number of requests may
// be in flight (the lines are then in completion order, which replay does not
// need). Nothing secret is written: request headers (Authorization among
// them) are not recorded at all, and the client secret and every token the
// token endpoint hands out (learnt from its answers) are replaced wherever
// they occur, as such, percent-encoded or JSON-escaped: the secret by `***`,
// tokens by `redacted-access-token-<n>` / `redacted-refresh-token-<n>`. Ids,
// names and everything else are kept as they are (anonymise.hpp removes names).
#ifndef SIGMA_TRANSPORT_RECORDING_HPP
#define SIGMA_TRANSPORT_RECORDING_HPP


#include <boost/asio/awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cerrno>
#include <concepts>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma {

struct recording_options {
    // The snapshot file (created, or truncated) ...
    std::string path;
    // ... or, when set, a stream the caller keeps alive; `path` then only names it.
    std::ostream* stream = nullptr;
    // The first line: hostPort, apiVersion and clientId of the recorded client
    // (sigmaSnapshot and recordedBy are filled in already).
    snapshot_header header;
    // Replaced by `***` wherever it appears.
    secret client_secret;
    // Any other value to keep out of the snapshot (a proxy password, ...).
    std::vector<secret> redact;
};

// The options for recording a client configured with `cfg` into `path`.
[[nodiscard]] inline recording_options recording_options_for(config const& cfg, std::string path) {
    recording_options o;
    o.path = std::move(path);
    o.header.hostPort = cfg.hostPort;
    o.header.apiVersion = cfg.apiVersion;
    o.header.clientId = cfg.clientId;
    o.client_secret = cfg.clientSecret;
    return o;
}

namespace detail {

template <class T>
concept has_max_in_flight = requires(T const& t) {
    { t.max_in_flight() } -> std::convertible_to<std::size_t>;
};

inline std::string_view target_path(std::string_view target) noexcept { return target.substr(0, target.find('?')); }

// The token endpoint, whatever the version prefix: /v2/auth/token.
inline bool is_token_target(std::string_view target) noexcept { return target_path(target).ends_with("/auth/token"); }

// Replaces known secret values in text bound for a snapshot.
class snapshot_redactor {
public:
    // Values shorter than this are not replaced: they cannot be told apart
    // from ordinary text (the client's own log redaction does the same).
    static constexpr std::size_t min_length = 4;

    void add(std::string const& value, std::string placeholder) {
        if (value.size() < min_length) return;
        for (auto const& r : rules_)
            if (r.first == value) return;
        auto add_form = [&](std::string v) {
            if (v.size() < min_length) return;
            for (auto const& r : rules_)
                if (r.first == v) return;
            rules_.emplace_back(std::move(v), placeholder);
        };
        add_form(value);
        // As sent in a form body, and as it appears inside a JSON string.
        add_form(boost::urls::encode(value, boost::urls::unreserved_chars));
        std::string quoted = boost::json::serialize(boost::json::value(boost::json::string(value)));
        add_form(quoted.substr(1, quoted.size() - 2));
        // Longest first, so that a value containing another is replaced whole.
        std::stable_sort(rules_.begin(), rules_.end(),
                         [](auto const& a, auto const& b) { return a.first.size() > b.first.size(); });
    }

    [[nodiscard]] bool knows(std::string const& value) const {
        for (auto const& r : rules_)
            if (r.first == value) return true;
        return false;
    }

    [[nodiscard]] std::string scrub(std::string text) const {
        for (auto const& [value, placeholder] : rules_)
            for (std::size_t pos = text.find(value); pos != std::string::npos; pos = text.find(value, pos)) {
                text.replace(pos, value.size(), placeholder);
                pos += placeholder.size();
            }
        return text;
    }

private:
    std::vector<std::pair<std::string, std::string>> rules_;
};

} // namespace detail

template <transport Inner>
class recording_transport {
public:
    using inner_type = Inner;

    // Writes the header line at once. Throws sigma::error (errc::invalid_argument)
    // when the file cannot be written.
    recording_transport(Inner inner, recording_options options)
        : inner_(std::move(inner)), st_(std::make_shared<state>()) {
        st_->name = options.path.empty() ? std::string("the snapshot stream") : options.path;
        if (options.stream != nullptr) {
            st_->os = options.stream;
        } else {
            st_->file = std::make_unique<std::ofstream>(options.path, std::ios::binary | std::ios::trunc);
            if (!*st_->file) {
                int const e = errno;
                throw sigma::error(errc::invalid_argument, options.path + ": cannot write the snapshot (" +
                                                               (e != 0 ? std::strerror(e) : "unwritable") + ")");
            }
            st_->os = st_->file.get();
        }
        st_->redactor.add(options.client_secret.reveal(), std::string(secret::mask));
        for (auto const& s : options.redact) st_->redactor.add(s.reveal(), std::string(secret::mask));
        auto h = std::move(options.header);
        h.sigmaSnapshot = snapshot_format_version;
        st_->write(st_->redactor.scrub(snapshot_line(h)));
    }

    // As the constructor, with the failure as a value.
    [[nodiscard]] static result<recording_transport> create(Inner inner, recording_options options) {
        try {
            return recording_transport(std::move(inner), std::move(options));
        } catch (sigma::error const& e) {
            return e;
        }
    }

    auto get_executor() { return inner_.get_executor(); }

    // The inner transport's limit, when it has one (the client caps its
    // concurrency at it).
    [[nodiscard]] std::size_t max_in_flight() const
        requires detail::has_max_in_flight<Inner>
    {
        return inner_.max_in_flight();
    }

    boost::asio::awaitable<result<http_response>> async_send(http_request req) {
        auto st = st_;
        snapshot_exchange ex;
        ex.method = std::string(to_string(req.method));
        ex.target = req.target;
        std::string request_body = req.body;
        auto r = co_await inner_.async_send(std::move(req));
        st->record(std::move(ex), request_body, r);
        co_return r;
    }

    Inner& inner() noexcept { return inner_; }

    // Exchanges written so far (the header not counted).
    [[nodiscard]] std::size_t exchanges() const {
        std::lock_guard lock(st_->m);
        return st_->written;
    }
    // False once a line could not be written (disk full): the snapshot is incomplete.
    [[nodiscard]] bool good() const {
        std::lock_guard lock(st_->m);
        return !st_->failed;
    }

private:
    struct state {
        mutable std::mutex m;
        std::string name;
        std::unique_ptr<std::ofstream> file;
        std::ostream* os = nullptr;
        detail::snapshot_redactor redactor;
        std::size_t access_tokens = 0, refresh_tokens = 0;
        std::size_t written = 0;
        bool failed = false;

        void write(std::string const& line) {
            *os << line << '\n';
            os->flush();
            if (!*os) failed = true;
        }

        // Tokens in a token answer become known secrets before anything is
        // written. False when the answer is not a JSON object (cut short, say):
        // it may still hold a token that cannot be told apart, so it is not kept.
        bool learn_tokens(std::string const& body) {
            boost::system::error_code ec;
            auto v = boost::json::parse(body, ec);
            if (ec || !v.is_object()) return false;
            auto learn = [&](char const* key, char const* kind, std::size_t& counter) {
                auto const* t = v.as_object().if_contains(key);
                if (t == nullptr || !t->is_string()) return;
                std::string value(t->as_string());
                if (value.empty() || redactor.knows(value)) return;
                redactor.add(value, std::string("redacted-") + kind + "-" + std::to_string(++counter));
            };
            learn("access_token", "access-token", access_tokens);
            learn("refresh_token", "refresh-token", refresh_tokens);
            return true;
        }

        // The token request's form: credentials out whatever their spelling.
        std::string redact_form(std::string const& body) const {
            std::string out;
            std::size_t start = 0;
            for (;;) {
                auto amp = body.find('&', start);
                std::string field = body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
                auto eq = field.find('=');
                std::string key = field.substr(0, eq);
                if (eq != std::string::npos &&
                    (key == "client_secret" || key == "password" || key == "assertion" || key == "refresh_token")) {
                    std::string value = field.substr(eq + 1);
                    std::string scrubbed = redactor.scrub(value);
                    // A refresh token this recording saw issued keeps its
                    // placeholder (which request used which token); any other
                    // credential is masked.
                    field = key + "=" + (scrubbed != value && key == "refresh_token" ? scrubbed : std::string(secret::mask));
                }
                out += field;
                if (amp == std::string::npos) break;
                out += '&';
                start = amp + 1;
            }
            return out;
        }

        void record(snapshot_exchange ex, std::string const& request_body, result<http_response> const& r) {
            std::lock_guard lock(m);
            bool const token = detail::is_token_target(ex.target);
            bool const unreadable_token_answer = token && r && !r->body.empty() && !learn_tokens(r->body);
            if (!request_body.empty()) ex.requestBody = redactor.scrub(token ? redact_form(request_body) : request_body);
            if (r) {
                ex.status = r->status;
                std::vector<snapshot_field> kept;
                for (auto const& h : r->headers)
                    if (snapshot_keeps_header(h.name)) kept.push_back({h.name, redactor.scrub(h.value)});
                if (!kept.empty()) ex.headers = std::move(kept);
                if (unreadable_token_answer)
                    set_snapshot_body(ex, "<a token answer that is not JSON, " + std::to_string(r->body.size()) +
                                              " bytes, left out: it may hold a token>");
                else
                    set_snapshot_body(ex, redactor.scrub(r->body));
            } else {
                ex.error = snapshot_error{std::string(to_string(r.error().code())), redactor.scrub(r.error().message())};
            }
            write(snapshot_line(ex));
            ++written;
        }
    };

    Inner inner_;
    std::shared_ptr<state> st_;
};

} // namespace sigma

SIGMA_COROUTINES_END

#endif
// ---- end <sigma/transport/recording.hpp> ----
// ---- begin <sigma/transport/replay.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::replay_transport: serves a snapshot (snapshot.hpp), written by
// sigma::recording_transport, with no network: a recorded run replays with
// the same answers, so it gives the same output, in a test or when a user's
// problem is reproduced from the snapshot they sent.
//
// Matching. A request is answered by the recorded exchanges with its method
// and target, first in, first out: a target recorded as 503 then 200 replays
// as 503 then 200, so the client's retries replay too. Concurrency changes the
// order across targets, never within one. The token endpoint is matched by
// method and path only (its recorded body has the secret masked), and answers
// what was recorded, whose tokens are placeholders that work here; a snapshot
// with no token exchange at all gets a working token made up.
//
// When a target's answers are used up, the last one is repeated: a run that
// asks more often than the recorded one (another retry policy, a token that
// expired sooner) still gets the recorded outcome. A request the snapshot does
// not hold at all fails with errc::transport, "METHOD target: not in the
// snapshot FILE", so the run reports that entity as failed and goes on (the
// client retries it first, as any transport error; give the client a
// manual_clock-like clock to replay without waiting).
#ifndef SIGMA_TRANSPORT_REPLAY_HPP
#define SIGMA_TRANSPORT_REPLAY_HPP


#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma {

class replay_transport {
public:
    // `name` (the file name) is named in the errors of requests the snapshot lacks.
    replay_transport(boost::asio::any_io_executor ex, snapshot s, std::string name = "the snapshot")
        : ex_(std::move(ex)), st_(std::make_shared<state>()) {
        st_->name = std::move(name);
        st_->header = std::move(s.header);
        for (auto& x : s.exchanges) {
            auto& q = st_->answers[key(x.method, x.target)];
            q.answers.push_back(snapshot_response(x));
            ++st_->recorded;
        }
    }

    // Loads the snapshot file; the error names the file, the line and the problem.
    [[nodiscard]] static result<replay_transport> open(boost::asio::any_io_executor ex, std::string const& path) {
        auto s = load_snapshot(path);
        if (!s) return std::move(s).error();
        return replay_transport(std::move(ex), std::move(*s), path);
    }

    boost::asio::any_io_executor get_executor() const { return ex_; }

    boost::asio::awaitable<result<http_response>> async_send(http_request req) {
        // Yield once, as a real transport would, so that concurrent callers interleave.
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto st = st_;
        std::string const method(to_string(req.method));
        std::lock_guard lock(st->m);
        auto it = st->answers.find(key(method, req.target));
        if (it == st->answers.end()) {
            if (detail::is_token_target(req.target)) co_return made_up_token();
            st->missed.push_back(method + " " + req.target);
            co_return sigma::error(errc::transport,
                                   method + " " + req.target + ": not in the snapshot " + st->name +
                                       " (recorded with other settings or another version of sigma-cpp?)");
        }
        auto& q = it->second;
        ++st->served;
        if (q.next < q.answers.size()) co_return q.answers[q.next++];
        ++st->repeated;
        co_return q.answers.back();
    }

    [[nodiscard]] snapshot_header const& header() const noexcept { return st_->header; }

    // Recorded exchanges never served: a replay that asked less than the recording.
    [[nodiscard]] std::size_t unused() const {
        std::lock_guard lock(st_->m);
        std::size_t n = 0;
        for (auto const& [k, q] : st_->answers) n += q.answers.size() - q.next;
        return n;
    }
    // Answers given again because their target's recorded ones were used up.
    [[nodiscard]] std::size_t repeated() const {
        std::lock_guard lock(st_->m);
        return st_->repeated;
    }
    // "METHOD target" of every request the snapshot did not hold, in order.
    [[nodiscard]] std::vector<std::string> missed() const {
        std::lock_guard lock(st_->m);
        return st_->missed;
    }

private:
    struct queue {
        std::vector<result<http_response>> answers;
        std::size_t next = 0;
    };
    struct state {
        mutable std::mutex m;
        std::string name;
        snapshot_header header;
        std::map<std::string, queue> answers;
        std::size_t recorded = 0, served = 0, repeated = 0;
        std::vector<std::string> missed;
    };

    // The token endpoint by path: its body (and a refresh grant's token) differ between runs.
    static std::string key(std::string const& method, std::string const& target) {
        if (detail::is_token_target(target)) return method + " " + std::string(detail::target_path(target));
        return method + " " + target;
    }

    static http_response made_up_token() {
        http_response r;
        r.status = 200;
        r.headers.push_back({"Content-Type", "application/json"});
        r.body = R"({"access_token":"replay-access-token","token_type":"bearer","expires_in":3599})";
        return r;
    }

    boost::asio::any_io_executor ex_;
    std::shared_ptr<state> st_;
};

static_assert(transport<replay_transport>);

} // namespace sigma

SIGMA_COROUTINES_END

#endif
// ---- end <sigma/transport/replay.hpp> ----
// ---- begin <sigma/transport/anonymise.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::anonymise_snapshot: a snapshot (snapshot.hpp) a user can attach to a
// bug report. Names, emails, URLs, SQL, formulas' literals and any other text
// in the recorded bodies become stable pseudonyms; ids, enums, timestamps,
// cursors, numbers, booleans, nulls, keys and the shape of every answer stay,
// so the anonymised snapshot still replays (sigma::replay_transport) to an
// extraction with the same workbooks, pages, elements, data models and
// lineage.
//
// Deny by default: a string is kept only under a key known to hold an id, a
// type or enum, a timestamp, a version or a cursor (see detail::anonymise_key),
// or when it is "", "true" or "false". Every other string, under any key this
// library does not know, is replaced:
//
//     names (name, label, columns, warehouse paths, ...)   name-<hex>    (case-insensitive: "Orders" = "orders")
//     folder paths                                          each component as a name: name-<hex>/name-<hex>
//     emails                                                user-<hex>@example.invalid
//     URLs                                                  https://example.invalid/<hex>
//     SQL (sql, definition)                                 SELECT * FROM t_<hex>
//     formulas                                              [Source/Column] references as names, string
//                                                           literals as text, the rest (functions, operators) kept
//     warehouse column ids inode-<urlId>/<COLUMN>           the column as a name
//     anything else                                         text-<hex>
//
// One name map serves the whole snapshot, so whatever the connector matches
// by name (a formula's `[Source/Column]` against lineage node names, a
// workbook's path against its workspace, a table's /files path) still
// matches. Bodies that are not JSON (a proxy's HTML page) are replaced by a
// short non-JSON placeholder; transport error messages by a pseudonym; the
// header's hostPort, clientId and serviceName too. Request targets are kept:
// the API's path parameters are ids and its query parameters ids, flags,
// type filters, page sizes and cursors, never names.
//
// Pseudonyms come from a fixed 64-bit hash (FNV-1a, then a mixing step), the
// same on every platform, so anonymising one snapshot twice gives identical
// files. Without a salt, anyone can confirm a guess ("is name-… Finance?") by
// hashing it; give anonymise_options::salt, kept private, to prevent that.
#ifndef SIGMA_TRANSPORT_ANONYMISE_HPP
#define SIGMA_TRANSPORT_ANONYMISE_HPP

// ---- begin <sigma/detail/formula.hpp> ----
// SPDX-License-Identifier: MIT
// Reading a Sigma formula's `[Source/Column]` references: the extraction's
// column lineage and the snapshot anonymiser both take formulas apart, and
// must agree on where a reference ends (`]]` inside one is an escaped `]`).
#ifndef SIGMA_DETAIL_FORMULA_HPP
#define SIGMA_DETAIL_FORMULA_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace sigma::detail {

struct formula_reference {
    std::string text;      // between the brackets, `]]` read as `]`
    std::size_t close = 0; // index of the closing `]`, or f.size() when there is none
};

// The reference whose `[` is at f[open].
inline formula_reference read_formula_reference(std::string_view f, std::size_t open) {
    formula_reference r;
    std::size_t from = open + 1; // the start of the text not copied yet: copied in runs, not by character
    std::size_t j = from;
    for (; j < f.size(); ++j) {
        if (f[j] != ']') continue;
        r.text.append(f.substr(from, j - from));
        if (j + 1 < f.size() && f[j + 1] == ']') {
            r.text += ']';
            from = ++j + 1;
            continue;
        }
        r.close = j;
        return r;
    }
    r.text.append(f.substr(from, j - from));
    r.close = j;
    return r;
}

} // namespace sigma::detail

#endif
// ---- end <sigma/detail/formula.hpp> ----

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma {

struct anonymise_options {
    // Mixed into every pseudonym; the same salt gives the same output.
    std::string salt;
};

namespace detail {

// FNV-1a over the bytes, then splitmix64's finaliser so that similar inputs
// ("Page 1", "Page 2") share no prefix. Fixed-width arithmetic only: the same
// value everywhere (std::hash is not).
inline std::uint64_t stable_hash(std::string_view s) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

enum class anonymise_as { keep, name, path, email, url, sql, formula, column_id, text };

// What a string under `key` is. Unknown keys are text: replaced.
inline anonymise_as anonymise_key(std::string_view key) noexcept {
    static constexpr std::string_view keep[] = {
        // ids
        "id", "urlId", "organizationId", "userId", "memberId", "workbookId", "workbookUrlId", "dataModelId",
        "dataModelUrlId", "elementId", "elementIds", "pageId", "connectionId", "workspaceId", "workspaceUrlId",
        "parentId", "parentUrlId", "parentSourceUrlId", "ownerId", "createdBy", "updatedBy", "homeFolderId",
        "versionTagId", "taggedWorkbookId", "taggedSourceUrlId", "inodeId", "nodeId", "source", "target",
        "sourceIds", "dataSourceIds", "tableId", "datasetId", "customSqlId", "requestId",
        // the recorder's token placeholders
        "access_token", "refresh_token",
        // types and enums
        "type", "memberType", "userKind", "vizualizationType", "permission", "badge", "color", "code",
        "token_type", "grant_type",
        // timestamps
        "createdAt", "updatedAt", "lastActiveAt", "taggedAt", "workbookTaggedAt",
        // paging
        "nextPage", "nextPageToken", "hasMore"};
    for (auto k : keep)
        if (key == k) return anonymise_as::keep;
    if (key == "name" || key == "label" || key == "firstName" || key == "lastName" || key == "tagName" ||
        key == "columns" || key == "semanticViewTable" || key == "displayName" || key == "title" ||
        key == "account" || key == "host" || key == "warehouse" || key == "user" || key == "role")
        return anonymise_as::name;
    if (key == "path") return anonymise_as::path;
    if (key == "email") return anonymise_as::email;
    if (key == "url" || key == "profileImgUrl") return anonymise_as::url;
    if (key == "sql" || key == "definition") return anonymise_as::sql;
    if (key == "formula") return anonymise_as::formula;
    if (key == "columnId") return anonymise_as::column_id;
    return anonymise_as::text;
}

class anonymiser {
public:
    explicit anonymiser(std::string salt) : salt_(std::move(salt)) {}

    [[nodiscard]] std::string hex(std::string_view kind, std::string_view s) const {
        std::string in = salt_;
        in += '\0';
        in += kind;
        in += '\0';
        in += s;
        std::uint64_t h = stable_hash(in);
        static constexpr char digits[] = "0123456789abcdef";
        std::string out(12, '0');
        for (int i = 11; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = digits[h & 15];
        return out;
    }

    [[nodiscard]] std::string name(std::string_view s) const {
        if (s.empty()) return {};
        std::string lower(s);
        for (auto& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return "name-" + hex("name", lower);
    }

    [[nodiscard]] std::string path(std::string_view s) const {
        std::string out;
        for (;;) {
            auto slash = s.find('/');
            out += name(s.substr(0, slash));
            if (slash == std::string_view::npos) break;
            out += '/';
            s.remove_prefix(slash + 1);
        }
        return out;
    }

    [[nodiscard]] std::string email(std::string_view s) const {
        std::string lower(s);
        for (auto& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return "user-" + hex("email", lower) + "@example.invalid";
    }
    [[nodiscard]] std::string url(std::string_view s) const { return "https://example.invalid/" + hex("url", s); }
    [[nodiscard]] std::string sql(std::string_view s) const { return "SELECT * FROM t_" + hex("sql", s); }
    [[nodiscard]] std::string text(std::string_view s) const { return "text-" + hex("text", s); }

    // `[Source/Column]` and `[Column]` references through the name map, string
    // literals as text; functions, operators and numbers stay.
    [[nodiscard]] std::string formula(std::string_view f) const {
        std::string out;
        for (std::size_t i = 0; i < f.size(); ++i) {
            char c = f[i];
            if (c == '"' || c == '\'') {
                auto end = f.find(c, i + 1);
                std::string_view lit = f.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1);
                out += c;
                out += text(lit);
                out += c;
                if (end == std::string_view::npos) break;
                i = end;
                continue;
            }
            if (c != '[') {
                out += c;
                continue;
            }
            auto const [ref, j] = sigma::detail::read_formula_reference(f, i);
            auto slash = ref.find('/');
            out += '[';
            if (slash == std::string::npos) {
                out += name(ref);
            } else {
                out += name(std::string_view(ref).substr(0, slash));
                out += '/';
                out += name(std::string_view(ref).substr(slash + 1));
            }
            if (j < f.size()) out += ']';
            i = j;
        }
        return out;
    }

    [[nodiscard]] std::string column_id(std::string_view id) const {
        if (id.starts_with("inode-")) {
            auto slash = id.find('/');
            if (slash != std::string_view::npos && slash + 1 < id.size())
                return std::string(id.substr(0, slash + 1)) + name(id.substr(slash + 1));
        }
        return std::string(id);
    }

    [[nodiscard]] std::string replace(std::string_view s, anonymise_as how) const {
        if (s.empty() || s == "true" || s == "false") return std::string(s);
        switch (how) {
        case anonymise_as::keep: return std::string(s);
        case anonymise_as::name: return name(s);
        case anonymise_as::path: return path(s);
        case anonymise_as::email: return email(s);
        case anonymise_as::url: return url(s);
        case anonymise_as::sql: return sql(s);
        case anonymise_as::formula: return formula(s);
        case anonymise_as::column_id: return column_id(s);
        case anonymise_as::text: break;
        }
        // Unknown keys: keep the shape of what looks like an email or a URL.
        if (s.find('@') != std::string_view::npos && s.find(' ') == std::string_view::npos) return email(s);
        if (s.starts_with("http://") || s.starts_with("https://")) return url(s);
        return text(s);
    }

    // Walks a JSON value; `how` is what its key says (array elements inherit it).
    void walk(boost::json::value& v, anonymise_as how) const {
        switch (v.kind()) {
        case boost::json::kind::string: v = boost::json::string(replace(v.get_string(), how)); break;
        case boost::json::kind::array:
            for (auto& e : v.get_array()) walk(e, how);
            break;
        case boost::json::kind::object:
            for (auto& kv : v.get_object()) walk(kv.value(), anonymise_key(kv.key()));
            break;
        default: break; // numbers, booleans, null
        }
    }

    // A body: JSON walked; anything else replaced by a placeholder that is
    // not JSON either, so the client reacts to it as to the original.
    void body(snapshot_exchange& ex) const {
        if (ex.json) {
            walk(*ex.json, anonymise_as::text);
            return;
        }
        std::string const raw = snapshot_body(ex);
        if (raw.empty()) return;
        boost::system::error_code ec;
        auto v = boost::json::parse(raw, ec);
        if (!ec && !v.is_null()) {
            walk(v, anonymise_as::text);
            ex.body.reset();
            ex.bodyBase64.reset();
            ex.json = std::move(v);
            return;
        }
        set_snapshot_body(ex, "<anonymised: " + std::to_string(raw.size()) + " bytes that are not JSON>");
    }

    // The token request's form: the client id becomes its pseudonym (the
    // secret and tokens were masked when recording).
    [[nodiscard]] std::string form(std::string_view body) const {
        std::string out;
        for (;;) {
            auto amp = body.find('&');
            std::string_view field = body.substr(0, amp);
            auto eq = field.find('=');
            std::string_view key = field.substr(0, eq);
            if (eq != std::string_view::npos && key == "client_id")
                out += "client_id=" + client_id(field.substr(eq + 1));
            else if (eq != std::string_view::npos && key != "grant_type" && key != "client_secret" &&
                     key != "refresh_token")
                out += std::string(key) + "=" + text(field.substr(eq + 1));
            else
                out += field;
            if (amp == std::string_view::npos) break;
            out += '&';
            body.remove_prefix(amp + 1);
        }
        return out;
    }

    [[nodiscard]] std::string client_id(std::string_view id) const {
        return id.empty() ? std::string() : "client-" + hex("client", id);
    }

private:
    std::string salt_;
};

} // namespace detail

// The anonymised copy of `in` (see the top of this file).
[[nodiscard]] inline snapshot anonymise_snapshot(snapshot const& in, anonymise_options const& options = {}) {
    detail::anonymiser a(options.salt);
    snapshot out;
    out.header = in.header;
    if (!out.header.hostPort.empty()) out.header.hostPort = "https://" + a.hex("host", out.header.hostPort) + ".example.invalid";
    out.header.clientId = a.client_id(in.header.clientId);
    if (out.header.serviceName) out.header.serviceName = a.name(*out.header.serviceName);
    out.header.anonymised = true;
    out.exchanges.reserve(in.exchanges.size());
    for (auto ex : in.exchanges) {
        if (ex.requestBody) {
            if (detail::is_token_target(ex.target)) {
                ex.requestBody = a.form(*ex.requestBody);
            } else {
                boost::system::error_code ec;
                auto v = boost::json::parse(*ex.requestBody, ec);
                if (!ec) {
                    a.walk(v, detail::anonymise_as::text);
                    ex.requestBody = boost::json::serialize(v);
                } else {
                    ex.requestBody = a.text(*ex.requestBody);
                }
            }
        }
        if (ex.headers) {
            std::vector<snapshot_field> kept;
            for (auto& h : *ex.headers)
                if (snapshot_keeps_header(h.name)) kept.push_back(std::move(h));
            ex.headers = std::move(kept);
        }
        a.body(ex);
        if (ex.error) ex.error->message = "anonymised " + ex.error->code + " error " + a.text(ex.error->message);
        out.exchanges.push_back(std::move(ex));
    }
    return out;
}

} // namespace sigma

#endif
// ---- end <sigma/transport/anonymise.hpp> ----

// The API as types, and the client
// ---- begin <sigma/api/models.hpp> ----
// SPDX-License-Identifier: MIT
// Every response model of the Sigma REST API that sigma-cpp reads. Only the
// schema engine is needed: no networking header comes in through here.
#ifndef SIGMA_API_MODELS_HPP
#define SIGMA_API_MODELS_HPP

// ---- begin <sigma/api/models/common.hpp> ----
// SPDX-License-Identifier: MIT
// The two paging envelopes of Sigma's list endpoints.
#ifndef SIGMA_API_MODELS_COMMON_HPP
#define SIGMA_API_MODELS_COMMON_HPP


#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sigma::api {

// Style A: `limit` + `page` in, `{entries, nextPage, total, hasMore}` out
// (GET /v2/workbooks, /files, /v2.1/members, /dataModels, /connections, /tags, ...).
// `nextPage` is an opaque cursor, null or empty on the last page. `total` is
// not always right (/connections/paths). `hasMore` is deprecated and has been
// seen as the string "true", so it is kept raw and never relied on.
template <class T>
struct page_a {
    std::vector<T> entries;
    std::optional<std::string> nextPage;
    std::optional<std::int64_t> total;
    std::optional<boost::json::value> hasMore;

    bool operator==(page_a const&) const = default;
    BOOST_DESCRIBE_CLASS(page_a, (), (entries, nextPage, total, hasMore), (), ())
};

// Style B: `pageSize` + `pageToken` in, `{entries, nextPageToken}` out, the
// token absent on the last page (GET /v2/connections/tables/{tableId}/columns,
// /v2/dataModels/{id}/sources, /v2/dataModels/{id}/materializationSchedules, /v2/tenants).
template <class T>
struct page_b {
    std::vector<T> entries;
    std::optional<std::string> nextPageToken;

    bool operator==(page_b const&) const = default;
    BOOST_DESCRIBE_CLASS(page_b, (), (entries, nextPageToken), (), ())
};

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/common.hpp> ----
// ---- begin <sigma/api/models/auth.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_AUTH_HPP
#define SIGMA_API_MODELS_AUTH_HPP


#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace sigma::api {

// POST /v2/auth/token (client_credentials or refresh_token grant). Both tokens
// are secrets: printing or encoding this answer shows `***`. `expires_in` is
// about an hour, not exactly 3600.
struct token_response {
    sigma::secret access_token;
    std::optional<sigma::secret> refresh_token;
    std::string token_type;
    std::int64_t expires_in = 0;

    bool operator==(token_response const&) const = default;
};
BOOST_DESCRIBE_STRUCT(token_response, (), (access_token, refresh_token, token_type, expires_in))

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/auth.hpp> ----
// ---- begin <sigma/api/models/whoami.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_WHOAMI_HPP
#define SIGMA_API_MODELS_WHOAMI_HPP


#include <boost/describe/class.hpp>

#include <string>

namespace sigma::api {

// GET /v2/whoami: the cheapest check that a token works.
struct whoami {
    std::string userId;
    std::string organizationId;

    bool operator==(whoami const&) const = default;
};
BOOST_DESCRIBE_STRUCT(whoami, (), (userId, organizationId))

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/whoami.hpp> ----
// ---- begin <sigma/api/models/workbook.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_WORKBOOK_HPP
#define SIGMA_API_MODELS_WORKBOOK_HPP


#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sigma::api {

// A version tag applied to a workbook: `tags` of GET /v2/workbooks and
// /v2/workbooks/{workbookId}; entries of GET /v2/workbooks/{workbookId}/tags.
struct workbook_tag {
    std::string versionTagId;
    std::string name;
    std::int64_t sourceWorkbookVersion = 0; // `number` in the spec, an integer in practice
    std::string taggedWorkbookId;
    std::string workbookTaggedAt;

    bool operator==(workbook_tag const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_tag, (), (versionTagId, name, sourceWorkbookVersion, taggedWorkbookId, workbookTaggedAt))

// GET /v2/workbooks (entries, paging A) and GET /v2/workbooks/{workbookId}.
// Timestamps are ISO-8601 strings. Owner is `ownerId`, not `createdBy`.
struct workbook {
    std::string workbookId;
    std::string workbookUrlId;
    std::string name;
    std::string url;
    std::string path;
    std::int64_t latestVersion = 0; // `number` in the spec, an integer in practice
    std::string ownerId;
    std::string createdBy;
    std::string updatedBy;
    std::string createdAt;
    std::string updatedAt;
    std::optional<bool> isArchived;
    std::optional<std::string> description;
    std::optional<std::vector<workbook_tag>> tags;
    std::optional<std::string> taggedSourceUrlId;

    bool operator==(workbook const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook, (),
                      (workbookId, workbookUrlId, name, url, path, latestVersion, ownerId, createdBy, updatedBy,
                       createdAt, updatedAt, isArchived, description, tags, taggedSourceUrlId))

// GET /v2/workbooks/{workbookId}/pages (entries, paging A).
struct workbook_page {
    std::string pageId;
    std::optional<std::string> name;
    std::optional<bool> hidden;

    bool operator==(workbook_page const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_page, (), (pageId, name, hidden))

// GET /v2/workbooks/{workbookId}/pages/{pageId}/elements and
// GET /v2/workbooks/{workbookId}/elements (entries, paging A); the same shape
// for GET /v2/dataModels/{dataModelId}/elements. Layout elements (`text`,
// `image`, `control`, ...) are often nameless. `type` and `vizualizationType`
// (Sigma's spelling) stay strings: new kinds appear without notice.
struct workbook_element {
    std::string elementId;
    std::optional<std::string> name;
    std::optional<std::string> type;
    std::optional<std::vector<std::string>> columns; // display names
    std::optional<std::string> vizualizationType;
    std::optional<std::string> error;

    bool operator==(workbook_element const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_element, (), (elementId, name, type, columns, vizualizationType, error))

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/workbook.hpp> ----
// ---- begin <sigma/api/models/lineage.hpp> ----
// SPDX-License-Identifier: MIT
// Lineage: the per-element graph and the per-workbook / per-data-model lists.
#ifndef SIGMA_API_MODELS_LINEAGE_HPP
#define SIGMA_API_MODELS_LINEAGE_HPP


#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sigma::api {

// `type` of a node of the element lineage graph. Spelt kebab-case by Sigma;
// types not listed here decode as `unknown` (the node is kept).
enum class lineage_node_type {
    unknown,
    sheet,     // a workbook element; carries elementId and name
    table,     // nodeId `inode-<tableUrlId>`
    dataset,   // nodeId `inode-<urlId>`
    join,      // no name; walk through it
    union_,    // "union"; no name; walk through it
    data_model, // "data-model"; nodeId `<dataModelUrlId>/<suffix>`
    datasheet,
    datafile,
    semantic_view, // "semantic-view"
    customSQL,
};
BOOST_DESCRIBE_ENUM(lineage_node_type, unknown, sheet, table, dataset, join, union_, data_model, datasheet, datafile,
                    semantic_view, customSQL)

constexpr std::string_view sigma_json_enum_name(lineage_node_type t) noexcept {
    switch (t) {
    case lineage_node_type::union_: return "union";
    case lineage_node_type::data_model: return "data-model";
    case lineage_node_type::semantic_view: return "semantic-view";
    default: return {};
    }
}

// `type` of an edge: how the target uses the source.
enum class lineage_edge_type { unknown, source, lookup, dependency };
BOOST_DESCRIBE_ENUM(lineage_edge_type, unknown, source, lookup, dependency)

// A node of GET /v2/workbooks/{workbookId}/lineage/elements/{elementId}
// (`dependencies`, keyed by nodeId). Only `sheet` nodes carry `elementId`;
// join and union nodes have no name.
struct lineage_node {
    std::string nodeId;
    lineage_node_type type = lineage_node_type::unknown;
    std::optional<std::string> name;
    std::optional<std::string> elementId;
    std::optional<std::string> semanticViewTable;

    bool operator==(lineage_node const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_node, (), (nodeId, type, name, elementId, semanticViewTable))

// An edge of the element lineage graph; walk from target to source.
struct lineage_edge {
    std::string source;
    std::string target;
    lineage_edge_type type = lineage_edge_type::unknown;

    bool operator==(lineage_edge const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_edge, (), (source, target, type))

// GET /v2/workbooks/{workbookId}/lineage/elements/{elementId}. Node ids seen
// in `edges` need not appear in `dependencies` (data-model nodes).
struct element_lineage {
    std::map<std::string, lineage_node> dependencies;
    std::vector<lineage_edge> edges;

    bool operator==(element_lineage const&) const = default;
};
BOOST_DESCRIBE_STRUCT(element_lineage, (), (dependencies, edges))

// Entries of GET /v2/workbooks/{workbookId}/lineage and
// GET /v2/dataModels/{dataModelId}/lineage (paging A), tagged by `type`.
// The spec allows null for `connectionId`, `name`, `sourceIds` and `dataSourceIds`.

// An element and what it reads: `sourceIds` are element ids or `inode-<urlId>`.
struct lineage_element_entry {
    static constexpr sigma::json::tag json_tag{"type", "element"};
    std::string elementId;
    std::optional<std::vector<std::string>> sourceIds;
    std::optional<std::vector<std::string>> dataSourceIds;

    bool operator==(lineage_element_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_element_entry, (), (elementId, sourceIds, dataSourceIds))

// A warehouse table.
struct lineage_table_entry {
    static constexpr sigma::json::tag json_tag{"type", "table"};
    std::string inodeId;
    std::optional<std::string> connectionId;
    std::optional<std::string> name;

    bool operator==(lineage_table_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_table_entry, (), (inodeId, connectionId, name))

// A (retired) dataset.
struct lineage_dataset_entry {
    static constexpr sigma::json::tag json_tag{"type", "dataset"};
    std::string inodeId;
    std::optional<std::string> connectionId;
    std::optional<std::string> name;

    bool operator==(lineage_dataset_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_dataset_entry, (), (inodeId, connectionId, name))

// A data model; both spellings of the tag occur.
struct lineage_data_model_entry {
    static constexpr sigma::json::tag json_tag{"type", "data-model", "dataModel"};
    std::string dataModelId;
    std::optional<std::string> connectionId;
    std::optional<std::string> name;

    bool operator==(lineage_data_model_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_data_model_entry, (), (dataModelId, connectionId, name))

// Custom SQL; both spellings of the tag occur.
struct lineage_custom_sql_entry {
    static constexpr sigma::json::tag json_tag{"type", "customSQL", "customSql"};
    std::string definition;
    std::optional<std::string> connectionId;
    std::optional<std::string> name;

    bool operator==(lineage_custom_sql_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_custom_sql_entry, (), (definition, connectionId, name))

// Any other kind (csv-upload, semantic-view, sql-document, worksheet, and
// kinds not yet seen): kept, with its tag, instead of failing the page.
struct lineage_other_entry {
    static constexpr sigma::json::tag json_tag{"type"};
    std::string type;
    std::optional<std::string> connectionId;
    std::optional<std::string> name;

    bool operator==(lineage_other_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_other_entry, (), (type, connectionId, name))

using lineage_entry = std::variant<lineage_element_entry, lineage_table_entry, lineage_dataset_entry,
                                   lineage_data_model_entry, lineage_custom_sql_entry, lineage_other_entry>;
using workbook_lineage_entry = lineage_entry;
using data_model_lineage_entry = lineage_entry;

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/lineage.hpp> ----
// ---- begin <sigma/api/models/source.hpp> ----
// SPDX-License-Identifier: MIT
// What a workbook or a data model reads from, tagged by `type`.
#ifndef SIGMA_API_MODELS_SOURCE_HPP
#define SIGMA_API_MODELS_SOURCE_HPP


#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sigma::api {

// A data model and the elements of it that are used; both tag spellings occur.
struct source_data_model {
    static constexpr sigma::json::tag json_tag{"type", "data-model", "dataModel"};
    std::string dataModelId;
    std::vector<std::string> elementIds;
    std::optional<std::string> versionTagId;

    bool operator==(source_data_model const&) const = default;
};
BOOST_DESCRIBE_STRUCT(source_data_model, (), (dataModelId, elementIds, versionTagId))

// Custom SQL: spelt `custom-sql` by the spec; `customSQL` and `customSql` occur too.
struct source_custom_sql {
    static constexpr sigma::json::tag json_tag{"type", "custom-sql", "customSQL", "customSql"};
    std::string connectionId;
    std::string definition;
    std::optional<std::string> customSqlId;

    bool operator==(source_custom_sql const&) const = default;
};
BOOST_DESCRIBE_STRUCT(source_custom_sql, (), (connectionId, definition, customSqlId))

// A kind of source not modelled here: kept with its tag.
struct source_other {
    static constexpr sigma::json::tag json_tag{"type"};
    std::string type;

    bool operator==(source_other const&) const = default;
};
BOOST_DESCRIBE_STRUCT(source_other, (), (type))

// A (retired) dataset read by a workbook.
struct workbook_source_dataset {
    static constexpr sigma::json::tag json_tag{"type", "dataset"};
    std::string inodeId;
    std::string url;

    bool operator==(workbook_source_dataset const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_source_dataset, (), (inodeId, url))

// A warehouse table read by a workbook.
struct workbook_source_table {
    static constexpr sigma::json::tag json_tag{"type", "table"};
    std::string inodeId;

    bool operator==(workbook_source_table const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_source_table, (), (inodeId))

// GET /v2/workbooks/{workbookId}/sources: a bare JSON array of these.
using workbook_source = std::variant<source_data_model, workbook_source_dataset, workbook_source_table,
                                     source_custom_sql, source_other>;

// A dataset read by a data model.
struct data_model_source_dataset {
    static constexpr sigma::json::tag json_tag{"type", "dataset"};
    std::string datasetId;

    bool operator==(data_model_source_dataset const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_source_dataset, (), (datasetId))

// A warehouse table read by a data model.
struct data_model_source_table {
    static constexpr sigma::json::tag json_tag{"type", "table"};
    std::string tableId;

    bool operator==(data_model_source_table const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_source_table, (), (tableId))

// GET /v2/dataModels/{dataModelId}/sources (entries, paging B).
using data_model_source = std::variant<source_data_model, data_model_source_dataset, data_model_source_table,
                                       source_custom_sql, source_other>;

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/source.hpp> ----
// ---- begin <sigma/api/models/query.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_QUERY_HPP
#define SIGMA_API_MODELS_QUERY_HPP


#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace sigma::api {

// GET /v2/workbooks/{workbookId}/elements/{elementId}/query (404 = the
// element has no query) and the entries of GET /v2/workbooks/{workbookId}/queries
// (paging A). `error` replaces `sql` when Sigma cannot compile the element.
struct element_query {
    std::string elementId;
    std::optional<std::string> name;
    std::optional<std::string> sql;
    std::optional<std::string> error;

    bool operator==(element_query const&) const = default;
};
BOOST_DESCRIBE_STRUCT(element_query, (), (elementId, name, sql, error))

using workbook_query = element_query;

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/query.hpp> ----
// ---- begin <sigma/api/models/column.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_COLUMN_HPP
#define SIGMA_API_MODELS_COLUMN_HPP


#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sigma::api {

// GET /v2/workbooks/{workbookId}/columns and GET /v2/dataModels/{dataModelId}/columns
// (paging A). The display name comes as `name` or as `label`. `formula`
// references `[Source/Column]`; warehouse-backed column ids look like
// `inode-<tableUrlId>/<NATIVE_NAME>`. `type` is an object whose shape Sigma
// does not document, kept raw.
struct workbook_column {
    std::string columnId;
    std::optional<std::string> name;
    std::optional<std::string> label;
    std::string formula;
    std::string elementId;
    boost::json::value type;

    // `name`, else `label`, else empty.
    [[nodiscard]] std::string_view display_name() const noexcept {
        if (name) return *name;
        if (label) return *label;
        return {};
    }

    bool operator==(workbook_column const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_column, (), (columnId, name, label, formula, elementId, type))

// GET /v2/workbooks/{workbookId}/elements/{elementId}/columns (paging A).
struct element_column {
    std::string columnId;
    std::string label;
    std::string formula;
    boost::json::value type;

    bool operator==(element_column const&) const = default;
};
BOOST_DESCRIBE_STRUCT(element_column, (), (columnId, label, formula, type))

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/column.hpp> ----
// ---- begin <sigma/api/models/file.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_FILE_HPP
#define SIGMA_API_MODELS_FILE_HPP


#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sigma::api {

// `type` of a file (an inode of Sigma's document tree). A data model occurs
// spelt both `data-model` and `dataModel`; they are kept apart so that
// encoding gives back what was read: test with is_data_model().
enum class file_type {
    unknown,
    workspace,
    folder,
    workbook,
    dataset,
    data_model, // "data-model"
    dataModel,
    sql,
    worksheet,
    dashboard,
    template_, // "template"
    table,
    symlink,
    report,
};
BOOST_DESCRIBE_ENUM(file_type, unknown, workspace, folder, workbook, dataset, data_model, dataModel, sql, worksheet,
                    dashboard, template_, table, symlink, report)

constexpr std::string_view sigma_json_enum_name(file_type t) noexcept {
    switch (t) {
    case file_type::data_model: return "data-model";
    case file_type::template_: return "template";
    default: return {};
    }
}

constexpr bool is_data_model(file_type t) noexcept {
    return t == file_type::data_model || t == file_type::dataModel;
}

// What the credential may do with a file.
enum class file_permission { unknown, create, annotate, organize, explore, view, edit, apply };
BOOST_DESCRIBE_ENUM(file_permission, unknown, create, annotate, organize, explore, view, edit, apply)

// GET /v2/files (entries, paging A; filters `typeFilters`, `parentId`,
// `permissionFilter`) and GET /v2/files/{inodeId} (the UUID or the urlId).
// `path` is the folder path (`Connection Root/DB/SCHEMA` for a table);
// `badge` is Endorsed, Deprecated, Warning or null.
struct file {
    std::string id;
    std::string urlId;
    std::string name;
    file_type type = file_type::unknown;
    std::string parentId;
    std::string parentUrlId;
    std::string path;
    std::optional<std::string> badge;
    file_permission permission = file_permission::unknown;
    bool isArchived = false;
    std::optional<std::string> ownerId;
    std::optional<std::string> description;
    std::optional<std::string> parentSourceUrlId;
    std::optional<std::string> createdBy;
    std::optional<std::string> updatedBy;
    std::optional<std::string> createdAt;
    std::optional<std::string> updatedAt;

    bool operator==(file const&) const = default;
};
BOOST_DESCRIBE_STRUCT(file, (),
                      (id, urlId, name, type, parentId, parentUrlId, path, badge, permission, isArchived, ownerId,
                       description, parentSourceUrlId, createdBy, updatedBy, createdAt, updatedAt))

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/file.hpp> ----
// ---- begin <sigma/api/models/member.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_MEMBER_HPP
#define SIGMA_API_MODELS_MEMBER_HPP


#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace sigma::api {

// GET /v2.1/members (entries, paging A), GET /v2/members (a bare array when
// `limit` is absent) and GET /v2/members/{memberId}. Owners are matched by
// `email`. `memberType` (admin, creator, viewer, custom account types) and
// `userKind` stay strings.
struct member {
    std::optional<std::string> organizationId;
    std::string memberId;
    std::string memberType;
    std::string firstName;
    std::string lastName;
    std::string email;
    std::optional<std::string> profileImgUrl;
    std::optional<std::string> createdBy;
    std::optional<std::string> updatedBy;
    std::optional<std::string> createdAt;
    std::optional<std::string> updatedAt;
    std::optional<std::string> homeFolderId;
    std::string userKind;
    std::optional<bool> isArchived;
    std::optional<bool> isInactive;

    bool operator==(member const&) const = default;
};
BOOST_DESCRIBE_STRUCT(member, (),
                      (organizationId, memberId, memberType, firstName, lastName, email, profileImgUrl, createdBy,
                       updatedBy, createdAt, updatedAt, homeFolderId, userKind, isArchived, isInactive))

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/member.hpp> ----
// ---- begin <sigma/api/models/workspace.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_WORKSPACE_HPP
#define SIGMA_API_MODELS_WORKSPACE_HPP


#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace sigma::api {

// GET /v2.1/workspaces (entries, paging A), GET /v2/workspaces (a bare array
// when `limit` is absent) and GET /v2/workspaces/{workspaceId} (403 when the
// credential cannot see it). `workspaceUrlId` is required by the spec, yet
// real answers can omit it.
struct workspace {
    std::string workspaceId;
    std::optional<std::string> workspaceUrlId;
    std::string name;
    std::string createdBy;
    std::string updatedBy;
    std::string createdAt;
    std::string updatedAt;

    bool operator==(workspace const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workspace, (), (workspaceId, workspaceUrlId, name, createdBy, updatedBy, createdAt, updatedAt))

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/workspace.hpp> ----
// ---- begin <sigma/api/models/data_model.hpp> ----
// SPDX-License-Identifier: MIT
// Sigma data models (the successors of datasets) and what is read from them.
#ifndef SIGMA_API_MODELS_DATA_MODEL_HPP
#define SIGMA_API_MODELS_DATA_MODEL_HPP


#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sigma::api {

// A version tag applied to a data model: `tags` of GET /v2/dataModels and
// /v2/dataModels/{dataModelId}. Named differently from a workbook's tag.
struct data_model_tag {
    std::string versionTagId;
    std::string tagName;
    std::int64_t sourceVersion = 0; // `number` in the spec, an integer in practice
    std::string taggedAt;

    bool operator==(data_model_tag const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_tag, (), (versionTagId, tagName, sourceVersion, taggedAt))

// GET /v2/dataModels (entries, paging A) and GET /v2/dataModels/{dataModelId}.
struct data_model {
    std::string dataModelId;
    std::string dataModelUrlId;
    std::string name;
    std::string url;
    std::string path;
    std::int64_t latestVersion = 0; // `number` in the spec, an integer in practice
    std::string ownerId;
    std::optional<std::string> createdBy;
    std::optional<std::string> updatedBy;
    std::optional<std::string> createdAt;
    std::optional<std::string> updatedAt;
    std::optional<std::string> description;
    std::optional<bool> isArchived;
    std::optional<std::vector<data_model_tag>> tags;

    bool operator==(data_model const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model, (),
                      (dataModelId, dataModelUrlId, name, url, path, latestVersion, ownerId, createdBy, updatedBy,
                       createdAt, updatedAt, description, isArchived, tags))

// GET /v2/dataModels/{dataModelId}/elements: the shape of a workbook element.
using data_model_element = workbook_element;
// GET /v2/dataModels/{dataModelId}/columns: the shape of a workbook column.
using data_model_column = workbook_column;
// GET /v2/dataModels/{dataModelId}/lineage entries (data_model_lineage_entry)
// are declared with the workbook's in lineage.hpp; their `element` entries'
// sourceIds name elements or `inode-<urlId>`.

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/data_model.hpp> ----
// ---- begin <sigma/api/models/connection.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_CONNECTION_HPP
#define SIGMA_API_MODELS_CONNECTION_HPP


#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sigma::api {

// GET /v2/connections (entries, paging A) and GET /v2/connections/{connectionId}.
// `type` (snowflake, bigQuery, redshift, databricks, postgres, ...) stays a
// string: new warehouse types appear. Optional strings can be present and
// empty (`""`) where a value is missing. `host` is sent for host-based
// warehouses although the spec does not list it.
struct connection {
    std::optional<std::string> organizationId;
    std::string connectionId;
    std::optional<bool> isSample;
    std::optional<bool> isAuditLog;
    std::optional<std::string> lastActiveAt;
    std::string name;
    std::string type;
    std::optional<bool> useOauth;
    std::optional<std::string> createdBy;
    std::optional<std::string> updatedBy;
    std::optional<std::string> createdAt;
    std::optional<std::string> updatedAt;
    std::optional<bool> isArchived;
    std::optional<std::string> account;
    std::optional<std::string> host;
    std::optional<std::string> warehouse;
    std::optional<std::string> user;
    std::optional<std::string> role;

    bool operator==(connection const&) const = default;
};
BOOST_DESCRIBE_STRUCT(connection, (),
                      (organizationId, connectionId, isSample, isAuditLog, lastActiveAt, name, type, useOauth,
                       createdBy, updatedBy, createdAt, updatedAt, isArchived, account, host, warehouse, user, role))

// GET /v2/connections/paths/{inodeId}: where a table lives in its warehouse,
// `path` = ["DB", "SCHEMA", "TABLE"] (an error for non-tables). The entries of
// GET /v2/connections/paths (paging A, `total` unreliable) add `urlId`.
struct connection_path {
    std::string connectionId;
    std::vector<std::string> path;
    std::optional<std::string> urlId;

    bool operator==(connection_path const&) const = default;
};
BOOST_DESCRIBE_STRUCT(connection_path, (), (connectionId, path, urlId))

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/connection.hpp> ----
// ---- begin <sigma/api/models/version_tag.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_VERSION_TAG_HPP
#define SIGMA_API_MODELS_VERSION_TAG_HPP


#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace sigma::api {

// GET /v2/tags (entries, paging A): the organisation's version tags. A tag
// applied to a workbook is a workbook_tag (workbook.hpp). `color` stays a
// string (cyan, grass, violet, plum, amber, bronze so far).
struct version_tag {
    std::string versionTagId;
    std::string name;
    std::optional<std::string> ownerId;
    std::optional<std::string> createdBy;
    std::optional<std::string> updatedBy;
    std::optional<std::string> createdAt;
    std::optional<std::string> updatedAt;
    std::optional<bool> isArchived;
    std::optional<std::string> description;
    std::optional<std::string> color;

    bool operator==(version_tag const&) const = default;
};
BOOST_DESCRIBE_STRUCT(version_tag, (),
                      (versionTagId, name, ownerId, createdBy, updatedBy, createdAt, updatedAt, isArchived,
                       description, color))

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/version_tag.hpp> ----
// ---- begin <sigma/api/models/error_body.hpp> ----
// SPDX-License-Identifier: MIT
// The JSON body of a Sigma error answer.
#ifndef SIGMA_API_MODELS_ERROR_BODY_HPP
#define SIGMA_API_MODELS_ERROR_BODY_HPP


#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sigma::api {

// `{"code": "unauthorized", "message": "Token missing or malformed", "requestId": "..."}`.
struct error_fields {
    std::optional<std::string> code;
    std::optional<std::string> message;
    std::optional<std::string> requestId;

    [[nodiscard]] bool empty() const noexcept { return !code && !message && !requestId; }

    bool operator==(error_fields const&) const = default;
};
BOOST_DESCRIBE_STRUCT(error_fields, (), (code, message, requestId))

// Any non-2xx answer of the API: the fields flat, or nested under "error",
// or (rarely) both. Proxies answer with HTML instead: see parse_error_body.
struct error_body : error_fields {
    std::optional<error_fields> error;

    bool operator==(error_body const&) const = default;
};
BOOST_DESCRIBE_STRUCT(error_body, (error_fields), (error))

// One set of fields from either form; a nested field wins over a flat one.
[[nodiscard]] inline error_fields flatten(error_body const& b) {
    error_fields out = static_cast<error_fields const&>(b);
    if (b.error) {
        if (b.error->code) out.code = b.error->code;
        if (b.error->message) out.message = b.error->message;
        if (b.error->requestId) out.requestId = b.error->requestId;
    }
    return out;
}

// The code, message and request id of an error answer's body, or nullopt
// when the body is not a Sigma error (HTML from a proxy, empty, other JSON).
// Never fails: an error path must not raise a second error.
[[nodiscard]] inline std::optional<error_fields> parse_error_body(std::string_view body) {
    auto decoded = sigma::json::decode<error_body>(body);
    if (decoded.has_value()) {
        error_fields f = flatten(*decoded);
        if (f.empty()) return std::nullopt;
        return f;
    }
    // A field of an unexpected type (say `"error": "invalid_grant"`): keep
    // whatever the flat form still gives.
    auto flat = sigma::json::decode<error_fields>(body);
    if (flat.has_value() && !flat->empty()) return *flat;
    return std::nullopt;
}

} // namespace sigma::api

#endif
// ---- end <sigma/api/models/error_body.hpp> ----

#endif
// ---- end <sigma/api/models.hpp> ----
// ---- begin <sigma/api/endpoint.hpp> ----
// SPDX-License-Identifier: MIT
// An endpoint is a described struct that derives from sigma::api::endpoint<...>:
// the base states method, path template, response and paging style; the
// struct's described members are its parameters. Members named by a `{...}`
// placeholder of the path are path parameters, the others query parameters.
//
//     struct list_pages : endpoint<"/workbooks/{workbookId}/pages", page, paging::a> {
//         std::string workbookId;
//     };
//     BOOST_DESCRIBE_STRUCT(list_pages, (), (workbookId))
#ifndef SIGMA_API_ENDPOINT_HPP
#define SIGMA_API_ENDPOINT_HPP


#include <boost/config.hpp>
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/grammar/string_token.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sigma::api {

// A string usable as a template argument (the path template).
template <std::size_t N>
struct fixed_string {
    char chars[N]{};
    constexpr fixed_string() = default;
    constexpr fixed_string(char const (&s)[N]) noexcept { std::copy_n(s, N, chars); }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
};

// How an endpoint pages.
enum class paging {
    none,          // one object
    a,             // limit/page -> {entries, nextPage, total, hasMore}
    b,             // pageSize/pageToken -> {entries, nextPageToken}
    bare_array,    // a plain JSON array, no paging
    a_or_bare,     // style A, or a bare array from legacy servers
};

// Statuses that mean "nothing here" rather than failure (lineage of a layout
// element, an element without a query): the call yields an empty response.
struct soft_statuses {
    std::array<unsigned, 6> codes{};
    std::size_t count = 0;
    constexpr soft_statuses() = default;
    constexpr soft_statuses(std::initializer_list<unsigned> l) {
        for (unsigned c : l) codes[count++] = c;
    }
    [[nodiscard]] constexpr bool contains(unsigned s) const noexcept {
        for (std::size_t i = 0; i < count; ++i)
            if (codes[i] == s) return true;
        return false;
    }
};

// Base of every endpoint. Response: the answer for paging::none, else one entry.
// Version: empty for the configured apiVersion, or a fixed one ("v2.1").
template <fixed_string Path, class Response, paging Paging = paging::none, soft_statuses Soft = soft_statuses{},
          http_method Method = http_method::get, fixed_string Version = "", std::size_t MaxPageSize = 1000>
struct endpoint {
    static constexpr std::string_view path_template = Path.view();
    using response_type = Response;
    static constexpr paging paging_style = Paging;
    static constexpr soft_statuses soft = Soft;
    static constexpr http_method method = Method;
    static constexpr std::string_view fixed_version = Version.view();
    static constexpr std::size_t max_page_size = MaxPageSize;
};

namespace detail {

template <class E>
concept has_endpoint_base = requires {
    { E::path_template } -> std::convertible_to<std::string_view>;
    typename E::response_type;
    { E::paging_style } -> std::convertible_to<paging>;
    { E::method } -> std::convertible_to<http_method>;
};

// The helpers below run at compile time on the path template, which lives in a
// template parameter object (fixed_string). They index the characters one by
// one rather than call std::string_view::find/compare or std::count: under
// -fsanitize=undefined GCC 12 instruments the pointers that char_traits
// returns (a null check on the address of the template parameter object) and
// then refuses to evaluate them as constant expressions.

// Whether a and b hold the same characters.
constexpr bool same_text(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t k = 0; k < a.size(); ++k)
        if (a[k] != b[k]) return false;
    return true;
}

// Whether a equals the NUL-terminated s (a described member's name).
constexpr bool same_text(std::string_view a, char const* s) noexcept {
    std::size_t k = 0;
    for (; k < a.size(); ++k)
        if (s[k] == '\0' || s[k] != a[k]) return false;
    return s[k] == '\0';
}

// The index of the first c in p at or after from, or p.size().
constexpr std::size_t index_of(std::string_view p, char c, std::size_t from) noexcept {
    for (std::size_t k = from; k < p.size(); ++k)
        if (p[k] == c) return k;
    return p.size();
}

// The placeholders of a path template, in order.
constexpr std::size_t placeholder_count(std::string_view p) noexcept {
    std::size_t n = 0;
    for (std::size_t k = 0; k < p.size(); ++k)
        if (p[k] == '{') ++n;
    return n;
}

// The name inside the i-th placeholder (i < placeholder_count(p), p well formed).
constexpr std::string_view placeholder(std::string_view p, std::size_t i) {
    std::size_t open = index_of(p, '{', 0);
    for (std::size_t k = 0; k < i; ++k) open = index_of(p, '{', open + 1);
    std::size_t close = index_of(p, '}', open);
    return p.substr(open + 1, close - open - 1);
}

constexpr bool well_formed_template(std::string_view p) noexcept {
    if (p.empty() || p[0] != '/') return false;
    bool in = false;
    for (std::size_t k = 0; k < p.size(); ++k) {
        char c = p[k];
        if (c == '{') {
            if (in) return false;
            in = true;
        } else if (c == '}') {
            if (!in) return false;
            in = false;
        }
    }
    return !in;
}

template <class E>
constexpr bool names_member(std::string_view name) {
    bool found = false;
    boost::mp11::mp_for_each<json::members_of<E>>([&](auto D) {
        if (same_text(name, D.name)) found = true;
    });
    return found;
}

template <class E>
constexpr bool is_path_parameter(std::string_view member) {
    constexpr std::string_view p = E::path_template;
    for (std::size_t i = 0; i < placeholder_count(p); ++i)
        if (same_text(placeholder(p, i), member)) return true;
    return false;
}

// Names the offending placeholder in the compiler's note: "placeholder<..."workbokId"...>".
template <class E, fixed_string Name>
struct placeholder_names_no_member {
    static constexpr bool value = names_member<E>(Name.view());
    static_assert(value, "sigma::api::endpoint: a {placeholder} in the path template names no described member "
                         "of the endpoint (see the `placeholder_names_no_member<..., \"name\">` note). Add that "
                         "member to the struct and to its BOOST_DESCRIBE_STRUCT, or fix the template.");
};

template <class E, std::size_t I>
constexpr auto placeholder_name() {
    constexpr std::string_view name = placeholder(E::path_template, I);
    fixed_string<name.size() + 1> out;
    for (std::size_t k = 0; k < name.size(); ++k) out.chars[k] = name[k];
    out.chars[name.size()] = '\0';
    return out;
}

template <class E, std::size_t... I>
constexpr bool check_placeholders(std::index_sequence<I...>) {
    return (placeholder_names_no_member<E, placeholder_name<E, I>()>::value && ...);
}

template <class T>
struct query_value_ok : std::bool_constant<std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                                           json::json_integer<T> || json::described_enum<T>> {};
template <class T>
struct query_value_ok<std::optional<T>> : query_value_ok<T> {};

} // namespace detail

// An endpoint type, checked: used by the client at each entry point.
template <class E>
concept endpoint_type = detail::has_endpoint_base<E> && json::described_struct<E>;

template <class E>
constexpr bool check_endpoint() {
    static_assert(detail::has_endpoint_base<E>,
                  "sigma: an endpoint must derive from sigma::api::endpoint<\"/path/{param}\", Response, paging>");
    static_assert(json::described_struct<E> || boost::mp11::mp_empty<json::members_of<E>>::value,
                  "sigma: describe the endpoint's parameters with BOOST_DESCRIBE_STRUCT(E, (), (params...)), "
                  "even when it has none: BOOST_DESCRIBE_STRUCT(E, (), ())");
    static_assert(detail::well_formed_template(E::path_template),
                  "sigma: an endpoint's path template must start with '/' and have balanced {placeholders}");
    constexpr bool ok =
        detail::check_placeholders<E>(std::make_index_sequence<detail::placeholder_count(E::path_template)>{});
    boost::mp11::mp_for_each<json::members_of<E>>([](auto D) {
        using M = std::remove_cvref_t<decltype(std::declval<E const&>().*D.pointer)>;
        static_assert(detail::query_value_ok<M>::value,
                      "sigma: endpoint parameters must be std::string, bool, an integer or a described enum, "
                      "or std::optional of one of them");
    });
    return ok;
}

namespace detail {

// A path segment taken from data: empty, "." and ".." would change which
// resource the path names after normalisation, so they are refused.
inline bool acceptable_segment(std::string_view s) noexcept {
    // Not empty, "." or "..": only a one- or two-character run of dots is refused.
    return !s.empty() && (s.size() > 2 || s.front() != '.' || s.back() != '.');
}

// Where a parameter goes: a path placeholder, the query, or nowhere (an
// empty optional query parameter).
enum class param_kind : unsigned char { path, query, absent };

// One parameter of an endpoint call as text, gathered per endpoint type so
// that the rest of a target is built by code shared by every endpoint.
struct param_text {
    std::string_view name; // the described member's
    std::string_view text; // a view of the member's string, a literal, or digits of the call
    param_kind kind = param_kind::absent;
};

// Query parameters added to an endpoint's own: page parameters, build_target's extra.
using param_view = std::pair<std::string_view, std::string_view>;
using param_views = std::span<param_view const>;

// Room for an integer's text: 20 digits and a sign.
struct number_text {
    char chars[24];
};

// The query/path text of v, without a copy for strings.
template <class T>
std::string_view text_of(T const& v, number_text& digits) {
    if constexpr (std::is_same_v<T, std::string>) {
        return v;
    } else if constexpr (std::is_same_v<T, bool>) {
        return v ? "true" : "false";
    } else if constexpr (json::json_integer<T>) {
        char* const end = std::to_chars(digits.chars, digits.chars + sizeof digits.chars, v).ptr;
        return {digits.chars, static_cast<std::size_t>(end - digits.chars)};
    } else {
        std::string_view s;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto D) {
            if (s.empty() && D.value == v) s = json::detail::enumerator_spelling<T>(D.value, D.name);
        });
        return s;
    }
}

template <class E>
inline constexpr std::size_t member_count = boost::mp11::mp_size<json::members_of<E>>::value;

// An endpoint call's parameters as text, on the stack: one per member, in
// declaration order (N: the member count, at least 1).
template <std::size_t N>
struct call_params {
    std::array<param_text, N> items;
    std::array<number_text, N> digits;
};

// The only per-endpoint step of a target: each member's text. An empty
// optional path parameter is an empty text, to be refused as a segment.
template <class E, std::size_t N>
void gather_params(E const& e, call_params<N>& out) {
    std::size_t i = 0;
    boost::mp11::mp_for_each<json::members_of<E>>([&](auto D) {
        constexpr param_kind kind = is_path_parameter<E>(decltype(D)::name) ? param_kind::path : param_kind::query;
        using M = std::remove_cvref_t<decltype(e.*D.pointer)>;
        param_text& p = out.items[i];
        p.name = D.name;
        p.kind = kind;
        if constexpr (json::detail::is_optional<M>::value) {
            if (e.*D.pointer)
                p.text = text_of(*(e.*D.pointer), out.digits[i]);
            else if constexpr (kind == param_kind::query)
                p.kind = param_kind::absent;
        } else {
            p.text = text_of(e.*D.pointer, out.digits[i]);
        }
        ++i;
    });
}

// The text of the path parameter `name`, or null.
inline param_text const* path_value(std::span<param_text const> params, std::string_view name) noexcept {
    for (auto const& p : params)
        if (p.kind == param_kind::path && p.name == name) return &p;
    return nullptr;
}

// Calls param(key, value) for each query parameter of an endpoint call, then
// for each of `extra`.
template <class Param>
void walk_query(std::span<param_text const> params, param_views extra, Param&& param) {
    for (auto const& p : params)
        if (p.kind == param_kind::query) param(p.name, p.text);
    for (auto const& [k, v] : extra) param(k, v);
}

// The error of a path parameter that cannot be a path segment.
BOOST_NOINLINE inline sigma::error bad_segment(std::string_view member, std::string_view value,
                                               std::string_view path_template) {
    std::string msg = "path parameter ";
    msg += member;
    msg += " is \"";
    msg += value;
    msg += "\", which cannot be a path segment of ";
    msg += path_template;
    return sigma::error(errc::invalid_argument, std::move(msg));
}

// Walks an endpoint call's target: segment(text) for each path segment after
// the version (filled placeholders included), then param(key, value) for each
// query parameter and each of `extra`. Fails for an id that cannot be a path
// segment.
template <class Segment, class Param>
std::optional<sigma::error> walk_target(std::string_view path_template, std::span<param_text const> params,
                                        param_views extra, Segment&& segment, Param&& param) {
    std::string_view p = path_template.substr(1);
    while (!p.empty()) {
        std::size_t slash = p.find('/');
        std::string_view seg = p.substr(0, slash);
        p = slash == std::string_view::npos ? std::string_view{} : p.substr(slash + 1);
        if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
            if (auto const* v = path_value(params, seg.substr(1, seg.size() - 2))) {
                if (!acceptable_segment(v->text)) return bad_segment(v->name, v->text, path_template);
                segment(v->text);
            }
        } else {
            segment(seg);
        }
    }
    walk_query(params, extra, param);
    return std::nullopt;
}

// Which characters of a set go out as they are: one load per character
// (lut_chars tests a bit of a mask, a few instructions more per character).
struct char_table {
    unsigned char plain[256]{};
};

constexpr char_table table_of(boost::urls::grammar::lut_chars const& cs) noexcept {
    char_table t;
    for (unsigned c = 0; c < 256; ++c) t.plain[c] = cs(static_cast<unsigned char>(c)) ? 1 : 0;
    return t;
}

inline constexpr char_table pchar_table = table_of(boost::urls::pchars);
inline constexpr char_table unreserved_table = table_of(boost::urls::unreserved_chars);

// Whether every character of s is in t. No early exit: s seldom has one
// outside, and four lookups ANDed per step cost less than a branch each.
inline bool all_plain(std::string_view s, char_table const& t) noexcept {
    auto const* p = reinterpret_cast<unsigned char const*>(s.data());
    std::size_t const n = s.size();
    std::size_t i = 0;
    unsigned ok = 1;
    for (; i + 4 <= n; i += 4) ok &= t.plain[p[i]] & t.plain[p[i + 1]] & t.plain[p[i + 2]] & t.plain[p[i + 3]];
    for (; i < n; ++i) ok &= t.plain[p[i]];
    return ok != 0;
}

// Appends `s` percent-encoded over `cs` (whose table is `t`), as
// boost::urls::encode does. Ids, keys and cursors seldom need encoding: one
// scan then spares its two passes.
template <class CharSet>
void append_encoded(std::string& out, std::string_view s, CharSet const& cs, char_table const& t) {
    if (all_plain(s, t))
        out.append(s);
    else
        boost::urls::encode(s, cs, {}, boost::urls::string_token::append_to(out));
}

// Whether every literal segment of the template would be written as its
// plain encoding (not empty, "." or "..", which Boost.URL treats specially).
inline bool plain_template(std::string_view path_template, std::string_view version) noexcept {
    if (!acceptable_segment(version)) return false;
    std::string_view p = path_template.substr(1);
    while (!p.empty()) {
        std::size_t slash = p.find('/');
        if (!acceptable_segment(p.substr(0, slash))) return false;
        p = slash == std::string_view::npos ? std::string_view{} : p.substr(slash + 1);
    }
    return true;
}

// Whether E's template is made of whole-segment placeholders that name
// members and of literal segments written as they are (path characters only,
// none empty, "." or ".."): its literal text then goes out unchanged, with the
// values in place of the placeholders. Evaluated at compile time; indexes
// characters by hand for the reason given above.
template <class E>
constexpr bool fixed_literals() {
    constexpr std::string_view p = E::path_template;
    if (!well_formed_template(p)) return false;
    std::size_t start = 1;
    while (start <= p.size()) {
        std::size_t const end = index_of(p, '/', start);
        std::string_view const seg = p.substr(start, end - start);
        if (seg.empty() || same_text(seg, ".") || same_text(seg, "..")) return false;
        if (index_of(seg, '{', 0) < seg.size() || index_of(seg, '}', 0) < seg.size()) {
            if (seg[0] != '{' || index_of(seg, '}', 0) != seg.size() - 1 ||
                !names_member<E>(seg.substr(1, seg.size() - 2)))
                return false;
        } else {
            for (std::size_t k = 0; k < seg.size(); ++k)
                if (!boost::urls::pchars(seg[k])) return false;
        }
        start = end + 1;
    }
    return true;
}

// The literal text of a template before its i-th placeholder (after the
// previous one), or after the last one for i == placeholder_count(p).
constexpr std::string_view literal_before(std::string_view p, std::size_t i) {
    std::size_t from = 0;
    if (i > 0) {
        std::size_t open = index_of(p, '{', 0);
        for (std::size_t k = 1; k < i; ++k) open = index_of(p, '{', open + 1);
        from = index_of(p, '}', open) + 1;
    }
    std::size_t const to = i < placeholder_count(p) ? index_of(p, '{', from) : p.size();
    return p.substr(from, to - from);
}

// The index of the member called `name`, in declaration order.
template <class E>
constexpr std::size_t member_index(std::string_view name) {
    std::size_t i = 0;
    std::size_t found = member_count<E>;
    boost::mp11::mp_for_each<json::members_of<E>>([&](auto D) {
        if (found == member_count<E> && same_text(name, D.name)) found = i;
        ++i;
    });
    return found;
}

// A fixed_literals template taken apart at compile time: its literal text
// between placeholders, and the member of each placeholder.
struct path_plan {
    std::span<std::string_view const> literals; // one more than members
    std::span<std::size_t const> members;
};

template <class E>
struct path_plan_of {
    static constexpr std::size_t count = placeholder_count(E::path_template);
    static constexpr auto literals = [] {
        std::array<std::string_view, count + 1> out{};
        for (std::size_t i = 0; i <= count; ++i) out[i] = literal_before(E::path_template, i);
        return out;
    }();
    static constexpr auto members = [] {
        std::array<std::size_t, count> out{};
        for (std::size_t i = 0; i < count; ++i) out[i] = member_index<E>(placeholder(E::path_template, i));
        return out;
    }();
    static constexpr path_plan plan{literals, members};
};

// Appends a fixed_literals template: its literal text as it is, each
// placeholder's value encoded; the error of a value that cannot be a segment.
inline std::optional<sigma::error> put_path(std::string& out, path_plan const& plan, std::string_view path_template,
                                            std::span<param_text const> params) {
    for (std::size_t i = 0; i < plan.members.size(); ++i) {
        out.append(plan.literals[i]);
        param_text const& v = params[plan.members[i]];
        if (!acceptable_segment(v.text)) return bad_segment(v.name, v.text, path_template);
        append_encoded(out, v.text, boost::urls::pchars, pchar_table);
    }
    out.append(plan.literals.back());
    return std::nullopt;
}

// The target of an endpoint call from its parameters' text, whatever the
// endpoint: one function for all of them. `fixed`: the plan of a
// fixed_literals template, else null.
BOOST_NOINLINE inline result<std::string> build_target_from(std::string_view path_template,
                                                             std::string_view fixed_version, path_plan const* fixed,
                                                             std::string_view api_version,
                                                             std::span<param_text const> params, param_views extra) {
    std::string_view const version = fixed_version.empty() ? api_version : fixed_version;

    // Everything but unreserved characters is percent-encoded in parameters,
    // '+' included: url::params() leaves a '+' as it is, which servers (and
    // Boost.URL's own reading) take for a space, so a base64 cursor would come
    // back changed.
    char sep = '?';
    auto param = [&](std::string& out, std::string_view k, std::string_view v) {
        out += sep;
        sep = '&';
        append_encoded(out, k, boost::urls::unreserved_chars, unreserved_table);
        out += '=';
        append_encoded(out, v, boost::urls::unreserved_chars, unreserved_table);
    };
    if (fixed && acceptable_segment(version)) {
        // The template's literal text is known plain at compile time: it is
        // appended whole, with no encoding; only the version and values are checked.
        std::string out;
        out.reserve(path_template.size() + 96);
        out += '/';
        append_encoded(out, version, boost::urls::pchars, pchar_table);
        if (auto bad = put_path(out, *fixed, path_template, params)) return std::move(*bad);
        walk_query(params, extra, [&](std::string_view k, std::string_view v) { param(out, k, v); });
        return out;
    }
    if (plain_template(path_template, version)) {
        // Written straight into one string: a boost::urls::url costs several
        // allocations and a re-parse per segment, on every request.
        std::string out;
        out.reserve(path_template.size() + 96);
        auto segment = [&](std::string_view s) {
            out += '/';
            append_encoded(out, s, boost::urls::pchars, pchar_table);
        };
        segment(version);
        auto query = [&](std::string_view k, std::string_view v) { param(out, k, v); };
        if (auto bad = walk_target(path_template, params, extra, segment, query)) return std::move(*bad);
        return out;
    }

    // An empty, "." or ".." version: Boost.URL decides how it is written.
    boost::urls::url u;
    u.set_path_absolute(true);
    auto segs = u.segments();
    segs.push_back(version);
    auto segment = [&](std::string_view s) { segs.push_back(s); };
    auto url_param = [&](std::string_view key, std::string_view value) {
        std::string const k = boost::urls::encode(key, boost::urls::unreserved_chars);
        std::string const v = boost::urls::encode(value, boost::urls::unreserved_chars);
        u.encoded_params().append({boost::urls::pct_string_view(k), boost::urls::pct_string_view(v)});
    };
    if (auto bad = walk_target(path_template, params, extra, segment, url_param)) return std::move(*bad);
    return std::string(u.encoded_target());
}

// build_target with extra parameters as views, so that the client's page
// parameters need no vector of strings. Only the gathering is per endpoint.
template <class E>
result<std::string> build_target_with(E const& e, std::string_view api_version, param_views extra) {
    path_plan const* fixed = nullptr;
    if constexpr (fixed_literals<E>()) fixed = &path_plan_of<E>::plan;
    call_params<std::max<std::size_t>(member_count<E>, 1)> params;
    gather_params(e, params);
    return build_target_from(E::path_template, E::fixed_version, fixed, api_version,
                             std::span<param_text const>(params.items.data(), member_count<E>), extra);
}

// build_target's extra parameters as views: on the stack unless there are many.
class extra_views {
public:
    explicit extra_views(std::vector<std::pair<std::string_view, std::string>> const& extra) {
        param_view* to = small_.data();
        if (extra.size() > small_.size()) {
            large_.resize(extra.size());
            to = large_.data();
        }
        for (auto const& [k, v] : extra) to[count_++] = {k, v};
        data_ = to;
    }
    extra_views(extra_views const&) = delete;
    extra_views& operator=(extra_views const&) = delete;
    [[nodiscard]] param_views view() const noexcept { return {data_, count_}; }

private:
    std::array<param_view, 4> small_{};
    std::vector<param_view> large_;
    param_view const* data_ = nullptr;
    std::size_t count_ = 0;
};

} // namespace detail

// The request target (path and query, percent-encoded as Boost.URL does) of an
// endpoint call: /<version><path>?<query params>&<extra>. Fails for an id that
// cannot be a path segment.
template <class E>
result<std::string> build_target(E const& e, std::string_view api_version,
                                 std::vector<std::pair<std::string_view, std::string>> const& extra = {}) {
    static_assert(check_endpoint<E>());
    detail::extra_views const views(extra);
    return detail::build_target_with(e, api_version, views.view());
}

} // namespace sigma::api

#endif
// ---- end <sigma/api/endpoint.hpp> ----
// ---- begin <sigma/api/endpoints.hpp> ----
// SPDX-License-Identifier: MIT
// The Sigma endpoints the connector reads, each a described struct whose
// members are its parameters. Paths are relative to {hostPort}/{apiVersion}
// unless an endpoint fixes its version (the paginated /v2.1 listings).
#ifndef SIGMA_API_ENDPOINTS_HPP
#define SIGMA_API_ENDPOINTS_HPP


#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace sigma::api {

// Lineage of a layout element, or of an element without lineage metadata,
// answers 400/403/409/500: read as "no lineage".
inline constexpr soft_statuses element_lineage_soft{400, 403, 409, 500};
// Workbooks and data models without a lineage graph answer 400/403/404.
inline constexpr soft_statuses lineage_soft{400, 403, 404};

struct get_whoami : endpoint<"/whoami", whoami> {};
BOOST_DESCRIBE_STRUCT(get_whoami, (), ())

// ---- workbooks -------------------------------------------------------------
struct list_workbooks : endpoint<"/workbooks", workbook, paging::a> {
    std::optional<bool> isArchived;
    std::optional<bool> excludeTags;
    std::optional<bool> skipPermissionCheck;
    std::optional<bool> excludeExplorations;
};
BOOST_DESCRIBE_STRUCT(list_workbooks, (), (isArchived, excludeTags, skipPermissionCheck, excludeExplorations))

struct get_workbook : endpoint<"/workbooks/{workbookId}", workbook, paging::none, soft_statuses{}> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(get_workbook, (), (workbookId))

struct list_workbook_pages : endpoint<"/workbooks/{workbookId}/pages", workbook_page, paging::a> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_pages, (), (workbookId))

struct list_page_elements
    : endpoint<"/workbooks/{workbookId}/pages/{pageId}/elements", workbook_element, paging::a> {
    std::string workbookId;
    std::string pageId;
};
BOOST_DESCRIBE_STRUCT(list_page_elements, (), (workbookId, pageId))

struct list_workbook_elements : endpoint<"/workbooks/{workbookId}/elements", workbook_element, paging::a> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_elements, (), (workbookId))

struct get_element_lineage : endpoint<"/workbooks/{workbookId}/lineage/elements/{elementId}", element_lineage,
                                      paging::none, element_lineage_soft> {
    std::string workbookId;
    std::string elementId;
};
BOOST_DESCRIBE_STRUCT(get_element_lineage, (), (workbookId, elementId))

struct list_workbook_lineage
    : endpoint<"/workbooks/{workbookId}/lineage", workbook_lineage_entry, paging::a, lineage_soft> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_lineage, (), (workbookId))

// 404: the element has no query.
struct get_element_query : endpoint<"/workbooks/{workbookId}/elements/{elementId}/query",
                                    std::optional<element_query>, paging::none, soft_statuses{404}> {
    std::string workbookId;
    std::string elementId;
};
BOOST_DESCRIBE_STRUCT(get_element_query, (), (workbookId, elementId))

struct list_workbook_queries : endpoint<"/workbooks/{workbookId}/queries", workbook_query, paging::a> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_queries, (), (workbookId))

struct list_workbook_columns : endpoint<"/workbooks/{workbookId}/columns", workbook_column, paging::a> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_columns, (), (workbookId))

struct list_workbook_sources : endpoint<"/workbooks/{workbookId}/sources", workbook_source, paging::bare_array> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_sources, (), (workbookId))

// ---- files, members, workspaces ------------------------------------------------
struct list_files : endpoint<"/files", file, paging::a> {
    std::optional<std::string> typeFilters;      // e.g. "workbook", "folder,workspace"
    std::optional<std::string> parentId;
    std::optional<std::string> permissionFilter;
};
BOOST_DESCRIBE_STRUCT(list_files, (), (typeFilters, parentId, permissionFilter))

// inodeId: the file's UUID or its urlId.
struct get_file : endpoint<"/files/{inodeId}", file> {
    std::string inodeId;
};
BOOST_DESCRIBE_STRUCT(get_file, (), (inodeId))

// /v2/members answers a bare array without `limit`; /v2.1 pages.
struct list_members : endpoint<"/members", member, paging::a_or_bare, soft_statuses{}, http_method::get, "v2.1"> {
    std::optional<bool> includeArchived;
    std::optional<bool> includeInactive;
};
BOOST_DESCRIBE_STRUCT(list_members, (), (includeArchived, includeInactive))

struct get_member : endpoint<"/members/{memberId}", member> {
    std::string memberId;
};
BOOST_DESCRIBE_STRUCT(get_member, (), (memberId))

struct list_workspaces
    : endpoint<"/workspaces", workspace, paging::a_or_bare, soft_statuses{}, http_method::get, "v2.1"> {};
BOOST_DESCRIBE_STRUCT(list_workspaces, (), ())

// 403: not accessible to this credential (the extraction falls back to the folder path).
struct get_workspace : endpoint<"/workspaces/{workspaceId}", workspace> {
    std::string workspaceId;
};
BOOST_DESCRIBE_STRUCT(get_workspace, (), (workspaceId))

// ---- data models ------------------------------------------------------------
struct list_data_models : endpoint<"/dataModels", data_model, paging::a> {
    std::optional<bool> excludeTags;
    std::optional<bool> skipPermissionCheck;
};
BOOST_DESCRIBE_STRUCT(list_data_models, (), (excludeTags, skipPermissionCheck))

struct get_data_model : endpoint<"/dataModels/{dataModelId}", data_model> {
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(get_data_model, (), (dataModelId))

struct list_data_model_elements : endpoint<"/dataModels/{dataModelId}/elements", data_model_element, paging::a> {
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_elements, (), (dataModelId))

struct list_data_model_columns : endpoint<"/dataModels/{dataModelId}/columns", data_model_column, paging::a> {
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_columns, (), (dataModelId))

struct list_data_model_lineage
    : endpoint<"/dataModels/{dataModelId}/lineage", data_model_lineage_entry, paging::a, lineage_soft> {
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_lineage, (), (dataModelId))

struct list_data_model_sources : endpoint<"/dataModels/{dataModelId}/sources", data_model_source, paging::b> {
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_sources, (), (dataModelId))

// ---- connections and tags -----------------------------------------------------
struct list_connections : endpoint<"/connections", connection, paging::a> {
    std::optional<bool> includeArchived;
};
BOOST_DESCRIBE_STRUCT(list_connections, (), (includeArchived))

struct get_connection : endpoint<"/connections/{connectionId}", connection> {
    std::string connectionId;
};
BOOST_DESCRIBE_STRUCT(get_connection, (), (connectionId))

// The exact warehouse location of a table inode; an error for non-tables.
struct get_connection_path : endpoint<"/connections/paths/{inodeId}", connection_path> {
    std::string inodeId;
};
BOOST_DESCRIBE_STRUCT(get_connection_path, (), (inodeId))

struct list_tags : endpoint<"/tags", version_tag, paging::a> {};
BOOST_DESCRIBE_STRUCT(list_tags, (), ())

} // namespace sigma::api

#endif
// ---- end <sigma/api/endpoints.hpp> ----
// ---- begin <sigma/api/paging.hpp> ----
// SPDX-License-Identifier: MIT
// Paging, generated from an endpoint's paging style: which parameters a page
// request carries, how its answer is decoded and where the next cursor is.
// No I/O here; the client drives it.
#ifndef SIGMA_API_PAGING_HPP
#define SIGMA_API_PAGING_HPP


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
// ---- end <sigma/api/paging.hpp> ----
// ---- begin <sigma/client.hpp> ----
// SPDX-License-Identifier: MIT
#ifndef SIGMA_CLIENT_HPP
#define SIGMA_CLIENT_HPP

// ---- begin <sigma/client/client.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::basic_client<Transport>: authentication, retries, soft statuses,
// decoding and paging over any Transport. Asynchronous (Asio coroutines) at
// heart, with synchronous calls on top for clients that own their io_context.
#ifndef SIGMA_CLIENT_CLIENT_HPP
#define SIGMA_CLIENT_CLIENT_HPP

// ---- begin <sigma/client/errors.hpp> ----
// SPDX-License-Identifier: MIT
// What an error answer says: Sigma's code, message and request id from a JSON
// body (flat or under "error"), else a short excerpt of whatever came (HTML
// from a proxy), plus X-Request-Id.
#ifndef SIGMA_CLIENT_ERRORS_HPP
#define SIGMA_CLIENT_ERRORS_HPP


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
// ---- end <sigma/client/errors.hpp> ----
// ---- begin <sigma/client/rate_control.hpp> ----
// SPDX-License-Identifier: MIT
// How many requests a client keeps in flight and how fast it starts them,
// adapted to the server's rate limit. Pure logic over time points handed in by
// the caller, so tests drive it with a manual clock.
//
// Two limits work together, both lowered on a 429 and regrown without one:
// - a window of requests in flight (AIMD: halved on a 429, +1 per window's
//   worth of answers), which bounds load on a slow server;
// - a pace (requests started per second), set from the rate the server was
//   seen to admit while the client was sending before the 429, which is what
//   a token-bucket limit measures: with short latencies even one request in
//   flight can outrun it.
// Each 429 costs a client-wide pause (1-2 s), so the controller tries to need
// few of them. A sample that starts with a rested server (the first request,
// or the end of a pause) holds the server's burst as well as its rate; the
// shortest such sample is mostly burst, so the difference between a longer
// one and it is the rate alone. Once the rate is known the pace holds just
// under it for `plateau`, then probes upwards slowly (pace_growth per second
// while it holds requests back), in case the limit was raised.
// One congestion event lowers the limits once: a 429 for a request started
// before the last decrease is part of the same event.
#ifndef SIGMA_CLIENT_RATE_CONTROL_HPP
#define SIGMA_CLIENT_RATE_CONTROL_HPP


#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace sigma {

struct rate_control_options {
    // On a 429 the window is multiplied by this (it never drops below 1).
    double window_decrease = 0.5;
    // On a 429 the pace becomes this share of the rate the server admitted
    // over the last `measure_window` of sending time (pauses excluded)...
    double pace_backoff = 0.9;
    // ...or this share of the server's rate, when the burst could be told
    // apart from it (see the top of this file); growth stops there too.
    double rate_share = 0.98;
    double short_rate_share = 0.95; // the same from a sample shorter than min_sample
    std::chrono::milliseconds measure_window{5'000};
    // A sample shorter than this is mostly burst: it only halves the pace.
    std::chrono::milliseconds min_sample{500};
    // After a 429 the pace grows no further than rate_share of what the
    // server admitted for this long (limits seldom change, and each probe
    // above one costs a pause of the whole client)...
    std::chrono::seconds plateau{60};
    // ...and then, each second without a 429 in which the pace held a
    // request back, by this share.
    double pace_growth = 0.01;
    // Before any sample was long enough to measure the rate, the pace is a
    // guess from a burst, and grows by this share per second instead.
    double guess_growth = 0.05;
    // The pace never drops below this many requests per second.
    double min_pace = 0.5;
};

class rate_controller {
public:
    using time_point = std::chrono::steady_clock::time_point;

    rate_controller(std::size_t max_concurrency, rate_control_options o)
        : max_(std::max<std::size_t>(1, max_concurrency)), window_(max_), opts_(o) {}

    // Requests allowed in flight now.
    [[nodiscard]] std::size_t window() const noexcept { return window_; }
    [[nodiscard]] std::size_t max_concurrency() const noexcept { return max_; }
    // Requests started per second at most; nullopt until the first 429.
    [[nodiscard]] std::optional<double> pace() const noexcept { return pace_; }
    // Counts decreases; a request remembers the epoch it started in.
    [[nodiscard]] std::uint64_t epoch() const noexcept { return epoch_; }
    [[nodiscard]] time_point paused_until() const noexcept { return paused_until_; }

    // The time at which a request asked for at `now` may start, reserved for
    // it: the caller waits until then (and re-checks the pause).
    time_point reserve(time_point now) {
        if (!first_) first_ = now;
        if (!pace_) return now;
        auto const gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(1.0 / *pace_));
        time_point at = std::max(now, next_start_);
        next_start_ = at + gap;
        if (at > now) held_back_ = now;
        return at;
    }

    // An answer other than 429 arrived, for a request started in `started_epoch`.
    void on_answer(time_point now, std::optional<std::uint64_t> started_epoch = std::nullopt) {
        // Admitted before a 429 that measured the burst or the rate, answered
        // after it: the sample was short of it.
        if (started_epoch && burst_ && *started_epoch == burst_epoch_) ++burst_->admitted;
        if (started_epoch && measured_ && *started_epoch == measured_->epoch) {
            ++measured_->admitted;
            apply_measured();
        }
        answers_.push_back(now);
        trim(now);
        // Additive increase: one more place per window's worth of answers.
        if (window_ < max_ && ++answers_at_window_ >= window_) {
            ++window_;
            answers_at_window_ = 0;
        }
        if (pace_ && held_back_ && now - *held_back_ <= std::chrono::seconds(1) &&
            now - last_change_ >= std::chrono::seconds(1)) {
            double grown = *pace_ * (1.0 + (rate_known_ ? opts_.pace_growth : opts_.guess_growth));
            if (rate_known_ && now < plateau_until_) grown = std::min(grown, cap_);
            if (grown > *pace_) {
                pace_ = grown;
                last_change_ = now;
            }
        }
    }

    // A 429 arrived for a request started in `started_epoch`; the client is
    // to pause until `resume_at`. True when this is a new congestion event
    // (the limits were lowered).
    bool on_rate_limited(std::uint64_t started_epoch, time_point now, time_point resume_at) {
        paused_until_ = std::max(paused_until_, resume_at);
        if (started_epoch != epoch_) {
            // Part of an event already handled, but it may lengthen the pause:
            // the next sample starts when sending really resumed.
            if (resumed_ && *resumed_ < paused_until_) resumed_ = paused_until_;
            return false;
        }
        ++epoch_;
        measured_.reset();
        window_ = std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(window_) * opts_.window_decrease));
        answers_at_window_ = 0;

        // The rate admitted while sending: since the end of the last pause
        // (or the first request), over at most measure_window.
        trim(now);
        time_point from = now - opts_.measure_window;
        bool rested = false; // the sample starts where the server had rested
        for (auto const& start : {first_, resumed_})
            if (start && *start >= from) {
                from = *start;
                rested = true;
            }
        double const span = std::chrono::duration<double>(now - from).count();
        auto const admitted = static_cast<double>(
            std::count_if(answers_.begin(), answers_.end(), [&](time_point t) { return t >= from; }));
        double const min_sample = std::chrono::duration<double>(opts_.min_sample).count();
        std::optional<double> const ceiling = pace_; // a 429 at this pace: never above it
        double next;
        // A rested sample less the burst is the rate alone, when a shorter
        // rested sample measured the burst; that holds for a shorter sample
        // too, with a wider margin for the answers still in flight.
        bool const less_burst = rested && burst_ && admitted > burst_->admitted && span - burst_->span >= min_sample / 2;
        if ((span >= min_sample && admitted > 0) || less_burst) {
            double const rate = admitted / span; // the server's rate plus, when rested, its burst
            next = opts_.pace_backoff * rate;
            cap_ = opts_.rate_share * rate;
            if (pace_) next = std::min(next, *pace_);
            rate_known_ = true;
            plateau_until_ = now + opts_.plateau;
        } else {
            // Mostly burst: what was admitted, over so short a time, says
            // little of the rate. Record it as the burst, and back off.
            if (rested && (!burst_ || span < burst_->span)) {
                burst_ = sample{admitted, span};
                burst_epoch_ = epoch_ - 1;
            }
            if (pace_) next = *pace_ / 2;
            else next = 0.5 * (admitted + 1) / std::max(span, 0.01);
            if (pace_) cap_ = std::min(cap_, *pace_);
        }
        pace_ = std::max(opts_.min_pace, next);
        cap_ = std::max(cap_, *pace_);
        if (less_burst) {
            // Less the burst, the rate alone; answers still in flight refine it.
            measured_ = sample_less_burst{epoch_ - 1,
                                          admitted,
                                          span,
                                          span - burst_->span >= min_sample ? opts_.rate_share : opts_.short_rate_share,
                                          ceiling};
            apply_measured();
        }
        resumed_ = paused_until_;
        last_change_ = now;
        held_back_.reset();
        return true;
    }

private:
    // The pace from a rested sample less the burst. Taken as at most half the
    // sample: a server that is no token bucket can give any figure here.
    void apply_measured() {
        auto const& m = *measured_;
        double const rate = m.admitted / m.span;
        double const estimate =
            std::clamp((m.admitted - burst_->admitted) / (m.span - burst_->span), rate / 2, rate);
        double next = m.share * estimate;
        if (m.ceiling) next = std::min(next, *m.ceiling);
        pace_ = std::max(opts_.min_pace, next);
        cap_ = std::max(opts_.rate_share * estimate, *pace_);
    }

    void trim(time_point now) {
        while (!answers_.empty() && now - answers_.front() > opts_.measure_window) answers_.pop_front();
    }

    struct sample {
        double admitted;
        double span; // seconds
    };
    struct sample_less_burst {
        std::uint64_t epoch; // answers to requests started in it still count
        double admitted;
        double span;
        double share;
        std::optional<double> ceiling;
    };

    std::size_t max_;
    std::size_t window_;
    std::size_t answers_at_window_ = 0;
    rate_control_options opts_;
    std::optional<double> pace_;
    std::uint64_t epoch_ = 0;
    std::optional<time_point> first_;
    std::optional<time_point> resumed_;
    std::optional<time_point> held_back_;
    time_point next_start_{};
    time_point last_change_{};
    time_point paused_until_{};
    time_point plateau_until_{};
    double cap_ = 0; // the pace's ceiling until plateau_until_
    std::optional<sample> burst_;
    std::uint64_t burst_epoch_ = 0; // requests started in it count towards burst_
    std::optional<sample_less_burst> measured_; // the last 429's, while its answers arrive
    bool rate_known_ = false;                    // a long enough sample has measured the server's rate
    std::deque<time_point> answers_;
};

} // namespace sigma

#endif
// ---- end <sigma/client/rate_control.hpp> ----
// ---- begin <sigma/client/retry.hpp> ----
// SPDX-License-Identifier: MIT
// When to retry and how long to wait: pure functions of the attempt, the
// answer's Retry-After and a random draw, so tests check the waits exactly.
#ifndef SIGMA_CLIENT_RETRY_HPP
#define SIGMA_CLIENT_RETRY_HPP


#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace sigma {

struct retry_policy {
    // Attempts per request, the first included.
    unsigned max_attempts = 6;
    // Back-off: a uniform draw in [0, min(cap, base * 2^retry)] ("full jitter").
    std::chrono::milliseconds base{500};
    std::chrono::milliseconds cap{30'000};
    // After a 429 without Retry-After (Cloudflare often omits it).
    std::chrono::milliseconds min_wait_after_429{2'000};
    // A Retry-After longer than this is not waited for: the call fails.
    std::chrono::milliseconds max_retry_after{300'000};
    // Retries allowed over the client's life, so that an outage cannot make a
    // crawl of thousands of calls retry each one six times.
    std::uint64_t budget = 10'000;
};

constexpr bool is_retryable_status(unsigned status) noexcept {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

// The full-jitter back-off before retry number `retry` (0 for the first retry).
inline std::chrono::milliseconds backoff(retry_policy const& p, unsigned retry, double uniform01) {
    double ceiling = static_cast<double>(p.base.count());
    for (unsigned i = 0; i < retry && ceiling < static_cast<double>(p.cap.count()); ++i) ceiling *= 2;
    ceiling = std::min(ceiling, static_cast<double>(p.cap.count()));
    double u = std::clamp(uniform01, 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(ceiling * u));
}

namespace detail {

inline bool parse_http_date(std::string_view s, std::chrono::system_clock::time_point& out) {
    // IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"), which RFC 9110 requires senders to use.
    static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (s.size() != 29 || s[3] != ',' || s.substr(26) != "GMT") return false;
    auto num = [&](std::size_t pos, std::size_t len, int& v) {
        auto r = std::from_chars(s.data() + pos, s.data() + pos + len, v);
        return r.ec == std::errc{} && r.ptr == s.data() + pos + len;
    };
    int day, year, hh, mm, ss;
    if (!num(5, 2, day) || !num(12, 4, year) || !num(17, 2, hh) || !num(20, 2, mm) || !num(23, 2, ss)) return false;
    int month = -1;
    for (int i = 0; i < 12; ++i)
        if (s.substr(8, 3) == months[i]) month = i + 1;
    if (month < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return false;
    using namespace std::chrono;
    auto ymd = year_month_day{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                              std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return false;
    out = sys_days{ymd} + hours{hh} + minutes{mm} + seconds{ss};
    return true;
}

} // namespace detail

// Retry-After as a delay: delta-seconds or an HTTP date; nullopt when absent or unreadable.
inline std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view v,
                                                                  std::chrono::system_clock::time_point now) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (v.empty()) return std::nullopt;
    std::int64_t secs = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), secs);
    if (r.ec == std::errc{} && r.ptr == v.data() + v.size()) {
        if (secs < 0) return std::nullopt;
        return std::chrono::milliseconds(std::min<std::int64_t>(secs, 86'400) * 1000);
    }
    std::chrono::system_clock::time_point at;
    if (detail::parse_http_date(v, at)) {
        auto d = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
        return std::max(d, std::chrono::milliseconds(0));
    }
    return std::nullopt;
}

// How long to wait before retrying an answer with `status`, or nullopt to stop.
inline std::optional<std::chrono::milliseconds> retry_delay(retry_policy const& p, unsigned status,
                                                            std::optional<std::chrono::milliseconds> retry_after,
                                                            unsigned retry, double uniform01) {
    auto jitter = backoff(p, retry, uniform01);
    if (retry_after) {
        if (*retry_after > p.max_retry_after) return std::nullopt;
        return std::max(*retry_after, std::chrono::milliseconds(0));
    }
    if (status == 429) return std::max(jitter, p.min_wait_after_429);
    return jitter;
}

} // namespace sigma

#endif
// ---- end <sigma/client/retry.hpp> ----

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/config.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma {

class beast_transport; // the default Transport, <sigma/transport/beast.hpp>

namespace detail {
template <class T>
concept complete_type = requires { sizeof(T); };

// The decoding step of an endpoint call, type-erased so that one request
// loop serves every endpoint: reads a 2xx body into the caller's object, or
// says why it could not (the object is then left as it was).
class body_decoder {
public:
    body_decoder() = default;

    template <class T>
    static body_decoder into(T& out) {
        return body_decoder(&out, [](void* to, std::string_view body, json::decode_options const& opts) {
            auto r = json::decode<T>(body, opts);
            if (!r) return result<void>(std::move(r).error());
            *static_cast<T*>(to) = std::move(*r);
            return result<void>();
        });
    }

    using decode_fn = result<void> (*)(void*, std::string_view, json::decode_options const&);
    body_decoder(void* to, decode_fn f) : to_(to), decode_(f) {}

    // Reads a page of P's style into an api::page<P::response_type>.
    template <class P>
    static result<void> read_page(void* to, std::string_view body, json::decode_options const& opts) {
        auto r = api::decode_page<P>(body, opts);
        if (!r) return result<void>(std::move(r).error());
        *static_cast<api::page<typename P::response_type>*>(to) = std::move(*r);
        return result<void>();
    }

    explicit operator bool() const noexcept { return decode_ != nullptr; }
    result<void> operator()(std::string_view body, json::decode_options const& opts) const {
        return decode_(to_, body, opts);
    }

private:
    void* to_ = nullptr;
    decode_fn decode_ = nullptr;
};

// An endpoint's paging without the endpoint: a page's decoding and its
// parameters depend on these alone, so endpoints that agree share that code.
template <class Entry, api::paging Style, bool Partial, std::size_t MaxPageSize>
struct paging_traits {
    using response_type = Entry;
    static constexpr api::paging paging_style = Style;
    static constexpr bool partial_entries = Partial;
    static constexpr std::size_t max_page_size = MaxPageSize;
};
template <class E>
using page_decoding_of = paging_traits<typename E::response_type, E::paging_style, api::partial_entries<E>, 0>;
template <class E>
using page_parameters_of = paging_traits<void, E::paging_style, false, E::max_page_size>;
static_assert(api::partial_entries<paging_traits<int, api::paging::a, true, 0>> &&
              !api::partial_entries<paging_traits<int, api::paging::a, false, 0>>);

// The typed steps of a listing, as plain functions of the entry type.
template <class Entry>
struct page_entries {
    static std::optional<std::string>& next(void* page) { return static_cast<api::page<Entry>*>(page)->next; }
    // Moves a page's entries to the end of `all` (a std::vector<Entry>) and
    // empties the page for the next one.
    static void append(void* all, void* page) {
        auto& to = *static_cast<std::vector<Entry>*>(all);
        auto& p = *static_cast<api::page<Entry>*>(page);
        if (to.empty())
            to = std::move(p.entries);
        else
            to.insert(to.end(), std::make_move_iterator(p.entries.begin()), std::make_move_iterator(p.entries.end()));
        p = api::page<Entry>{};
    }
};

// Where a listing stands, and the checks around each of its pages, the same
// for every endpoint (`path_template` names the listing in errors).
class listing_state {
public:
    explicit listing_state(std::string_view path_template) : path_template_(path_template) {}

    // Before a page: nullopt when it is to be asked for; else the listing
    // stops here, at its end (a value) or with the error of one page too many.
    std::optional<result<void>> before_page(std::size_t max_pages) {
        if (done_) return result<void>();
        if (pages_ >= max_pages) {
            done_ = true;
            return result<void>(too_many_pages());
        }
        return std::nullopt;
    }

    // After a page's request: its error (numbered), or success with the
    // page's cursor taken as the next one (the entries are the caller's).
    BOOST_NOINLINE result<void> after_page(result<http_response> r, std::optional<std::string>& next) {
        ++pages_;
        if (!r) {
            done_ = true;
            return sigma::error(r.error().code(), "page " + std::to_string(pages_) + ": " + r.error().message(),
                                r.error().http());
        }
        if (!next) {
            done_ = true;
        } else if (!seen_.insert(*next).second) {
            done_ = true;
            return sigma::error(errc::paging, "paging: the server repeated the cursor \"" + excerpt(*next, 64) +
                                                  "\" after page " + std::to_string(pages_) + " of " +
                                                  std::string(path_template_));
        }
        cursor_ = std::move(next);
        return {};
    }

    [[nodiscard]] std::optional<std::string> const& cursor() const noexcept { return cursor_; }
    [[nodiscard]] std::size_t pages() const noexcept { return pages_; }

private:
    BOOST_NOINLINE sigma::error too_many_pages() const {
        return sigma::error(errc::paging, "paging: gave up after " + std::to_string(pages_) + " pages of " +
                                              std::string(path_template_) + " (client_options::max_pages)");
    }

    std::string_view path_template_;
    std::optional<std::string> cursor_;
    std::set<std::string> seen_;
    std::size_t pages_ = 0;
    bool done_ = false;
};
} // namespace detail

struct client_options {
    // Entries asked per page (`limit` / `pageSize`), clamped to each endpoint's maximum.
    std::size_t page_size = 1000;
    // A listing longer than this many pages is an error (a server that never ends).
    std::size_t max_pages = 100'000;
    // The token is renewed this long before `expires_in` runs out.
    std::chrono::seconds token_margin{120};
    // Sigma limits minting to about one per second.
    std::chrono::milliseconds min_mint_interval{1'000};
    // Requests in flight at most (the extraction's concurrency). Lowered while
    // the server answers 429; at most the transport's pool size when it has one.
    std::size_t max_concurrency = 8;
    rate_control_options rate_control{};
    retry_policy retry{};
    json::decode_options decoding{};
    log_sink log{};
    // Empty members are filled from clock_source::system().
    clock_source clock{};
};

// Counters for reports and tests.
struct client_stats {
    std::uint64_t requests = 0;       // HTTP exchanges attempted, token mints included
    std::uint64_t retries = 0;
    std::uint64_t rate_limited = 0;   // 429 answers seen
    std::uint64_t tokens_minted = 0;
    std::uint64_t soft_statuses = 0;  // answers read as "nothing here"
    std::chrono::milliseconds waited{0};  // retry waits and client-wide pauses, summed
    std::uint64_t pauses = 0;             // client-wide pauses after a 429 (congestion events)
    std::chrono::milliseconds paused{0};  // time the whole client stood still for 429s
    std::size_t peak_in_flight = 0;
    std::size_t concurrency_min = 0;      // the lowest window reached (max_concurrency if never lowered)
    // The window and pace each time they changed, from the first request on.
    struct sample {
        std::chrono::milliseconds at{0};
        std::size_t window = 0;
        double pace = 0; // requests/s; 0: not paced
    };
    std::vector<sample> concurrency_history;
};

template <class Transport = beast_transport>
class basic_client {
    static_assert(detail::complete_type<Transport>,
                  "sigma::basic_client<>: the default transport is sigma::beast_transport; include "
                  "<sigma/transport/beast.hpp> (or <sigma/sigma.hpp>) to use it");
    static_assert(transport<Transport>,
                  "sigma::basic_client<Transport>: Transport does not satisfy sigma::transport. It needs "
                  "get_executor() and `boost::asio::awaitable<sigma::result<sigma::http_response>> "
                  "async_send(sigma::http_request)`; see <sigma/transport/transport.hpp>");

public:
    using transport_type = Transport;

    // Validates the configuration: throws sigma::error (errc::config) when it is wrong.
    basic_client(config cfg, Transport t, client_options opts = {})
        : settings_(validate(std::move(cfg)).value()), transport_(std::move(t)), opts_(std::move(opts)) {
        clock_source sys;
        if (!opts_.clock.now || !opts_.clock.wall_now || !opts_.clock.sleep || !opts_.clock.random)
            sys = clock_source::system();
        if (!opts_.clock.now) opts_.clock.now = sys.now;
        if (!opts_.clock.wall_now) opts_.clock.wall_now = sys.wall_now;
        if (!opts_.clock.sleep) opts_.clock.sleep = sys.sleep;
        if (!opts_.clock.random) opts_.clock.random = sys.random;
        for (auto const& w : settings_.warnings) log(log_level::warn, w);
        if (opts_.max_concurrency == 0) opts_.max_concurrency = 1;
        if constexpr (requires(Transport const& t) {
                          { t.max_in_flight() } -> std::convertible_to<std::size_t>;
                      }) {
            std::size_t const pool = transport_.max_in_flight();
            if (pool > 0 && opts_.max_concurrency > pool) {
                log(log_level::warn, "max_concurrency " + std::to_string(opts_.max_concurrency) +
                                         " is more than the transport's " + std::to_string(pool) +
                                         " connections; using " + std::to_string(pool));
                opts_.max_concurrency = pool;
            }
        }
        ctl_ = rate_controller(opts_.max_concurrency, opts_.rate_control);
        stats_.concurrency_min = opts_.max_concurrency;
    }

    basic_client(basic_client const&) = delete;
    basic_client& operator=(basic_client const&) = delete;

    Transport& transport() noexcept { return transport_; }
    validated_config const& settings() const noexcept { return settings_; }
    client_options const& options() const noexcept { return opts_; }
    client_stats const& stats() const noexcept { return stats_; }
    auto get_executor() { return transport_.get_executor(); }

    // ---- asynchronous API -------------------------------------------------

    // Mints a token now unless a valid one is cached.
    boost::asio::awaitable<result<void>> async_authenticate() {
        auto t = co_await token();
        if (!t) co_return std::move(t).error();
        co_return result<void>{};
    }

    // One call of an endpoint without paging. A soft status yields an empty response.
    template <class E>
    boost::asio::awaitable<result<typename E::response_type>> async_get(E const& e) {
        static_assert(api::check_endpoint<E>());
        static_assert(!api::is_paged<E>, "sigma::basic_client::get: this endpoint pages; use list() or list_all()");
        typename E::response_type out{}; // stays empty for a soft status
        auto r = co_await get_into(e, out);
        if (!r) co_return std::move(r).error();
        co_return std::move(out);
    }

    // One page of a paged endpoint; `cursor` is the previous page's `next`.
    template <class E>
    boost::asio::awaitable<result<api::page<typename E::response_type>>> async_page(
        E const& e, std::optional<std::string> const& cursor = std::nullopt) {
        static_assert(api::check_endpoint<E>());
        static_assert(api::is_paged<E>, "sigma::basic_client::page: this endpoint does not page; use get()");
        api::page<typename E::response_type> out; // stays empty for a soft status
        auto r = co_await page_into(e, cursor, out);
        if (!r) co_return std::move(r).error();
        co_return std::move(out);
    }

    // Pages of a listing, fetched on demand: `co_await p.next()` gives the
    // next page's entries, nullopt after the last one.
    template <class E>
    class async_pager {
    public:
        using entry_type = typename E::response_type;

        async_pager(basic_client& c, E e) : client_(&c), endpoint_(std::move(e)), state_(E::path_template) {}

        boost::asio::awaitable<result<std::optional<std::vector<entry_type>>>> next() {
            if (auto stop = state_.before_page(client_->opts_.max_pages)) {
                if (!*stop) co_return stop->error();
                co_return std::optional<std::vector<entry_type>>();
            }
            api::page<entry_type> page;
            page_source const src = page_source_of(endpoint_);
            auto got = co_await client_->request_page(src, state_.cursor(), &page);
            auto r = state_.after_page(std::move(got), page.next);
            if (!r) co_return r.error();
            co_return std::optional<std::vector<entry_type>>(std::move(page.entries));
        }

        [[nodiscard]] std::size_t pages_fetched() const noexcept { return state_.pages(); }

    private:
        basic_client* client_;
        E endpoint_;
        detail::listing_state state_;
    };

    template <class E>
    async_pager<E> pages(E e) {
        static_assert(api::check_endpoint<E>());
        static_assert(api::is_paged<E>, "sigma::basic_client::pages: this endpoint does not page; use get()");
        return async_pager<E>(*this, std::move(e));
    }

    // Every entry of a listing. The loop is list_pages(), one coroutine for
    // every endpoint; only the entries' vector is typed here.
    template <class E>
    boost::asio::awaitable<result<std::vector<typename E::response_type>>> async_list_all(E e) {
        static_assert(api::check_endpoint<E>());
        static_assert(api::is_paged<E>, "sigma::basic_client::list_all: this endpoint does not page; use get()");
        using entry = typename E::response_type;
        std::vector<entry> all;
        api::page<entry> page;
        page_source const src = page_source_of(e);
        auto r = co_await list_pages(src, &page, &all, &detail::page_entries<entry>::append);
        if (!r) co_return r.error();
        co_return all;
    }

    // ---- synchronous API --------------------------------------------------
    // These run the transport's io_context on the calling thread until the
    // call completes, so the client must own that context (nothing else may
    // run it at the same time). Errors are thrown as sigma::error.

    result<void> authenticate() { return run(async_authenticate()); }

    template <class E>
    result<typename E::response_type> get(E const& e) {
        return run(async_get(e));
    }

    template <class E>
    result<std::vector<typename E::response_type>> list_all(E e) {
        return run(async_list_all(std::move(e)));
    }

    // A lazy input range over a listing: pages are fetched as iteration
    // reaches them. A failure throws sigma::error from operator++ / begin().
    template <class E>
    class sync_range {
    public:
        using entry_type = typename E::response_type;

        class iterator {
        public:
            using iterator_category = std::input_iterator_tag;
            using value_type = entry_type;
            using difference_type = std::ptrdiff_t;
            using pointer = entry_type const*;
            using reference = entry_type const&;

            iterator() = default;
            reference operator*() const { return range_->buffer_[index_]; }
            pointer operator->() const { return &range_->buffer_[index_]; }
            iterator& operator++() {
                if (++index_ >= range_->buffer_.size()) {
                    index_ = 0;
                    if (!range_->fill()) range_ = nullptr;
                }
                return *this;
            }
            void operator++(int) { ++*this; }
            friend bool operator==(iterator const& a, iterator const& b) noexcept {
                return a.range_ == b.range_ && (a.range_ == nullptr || a.index_ == b.index_);
            }

        private:
            friend class sync_range;
            explicit iterator(sync_range* r) : range_(r) {}
            sync_range* range_ = nullptr;
            std::size_t index_ = 0;
        };

        sync_range(basic_client& c, E e) : client_(&c), pager_(c, std::move(e)) {}
        sync_range(sync_range&&) = default;

        iterator begin() {
            if (started_) throw sigma::error(errc::invalid_argument, "a sigma list range can be iterated once");
            started_ = true;
            return fill() ? iterator(this) : iterator();
        }
        iterator end() { return iterator(); }

    private:
        // Loads the next non-empty page; false at the end.
        bool fill() {
            for (;;) {
                auto r = client_->run(pager_.next());
                if (!r) throw r.error();
                if (!*r) return false;
                buffer_ = std::move(**r);
                if (!buffer_.empty()) return true;
            }
        }

        basic_client* client_;
        async_pager<E> pager_;
        std::vector<entry_type> buffer_;
        bool started_ = false;
    };

    template <class E>
    sync_range<E> list(E e) {
        static_assert(api::check_endpoint<E>());
        static_assert(api::is_paged<E>, "sigma::basic_client::list: this endpoint does not page; use get()");
        return sync_range<E>(*this, std::move(e));
    }

    // Runs an operation of this client to completion on the calling thread.
    template <class T>
    T run(boost::asio::awaitable<T> op) {
        boost::asio::any_io_executor ex = transport_.get_executor();
        auto const* iox = ex.target<boost::asio::io_context::executor_type>();
        if (iox == nullptr)
            throw sigma::error(errc::invalid_argument,
                               "synchronous sigma calls need a transport on a boost::asio::io_context; use the "
                               "async_ calls with other executors");
        boost::asio::io_context* ioc = &iox->context();
        if (iox->running_in_this_thread())
            throw sigma::error(errc::invalid_argument,
                               "a synchronous sigma call was made from inside the io_context it needs to run; "
                               "co_await the async_ call instead");
        std::optional<T> out;
        std::exception_ptr failure;
        boost::asio::co_spawn(ex, std::move(op), [&](std::exception_ptr e, T v) {
            failure = e;
            if (!e) out.emplace(std::move(v));
        });
        ioc->restart();
        while (!out && !failure && ioc->run_one() > 0) {
        }
        if (failure) std::rethrow_exception(failure);
        if (!out) throw sigma::error(errc::cancelled, "the io_context stopped before the sigma call completed");
        return std::move(*out);
    }

    // ---- lower level ------------------------------------------------------

    // Sends one request to this client's host (target = origin-form, with the
    // version prefix), with authentication, 401 renewal and retries. Any HTTP
    // status is returned; only transport failures and exhausted retries are errors.
    // Transport failures and 502/503/504 are retried for GET, PUT and DELETE,
    // and for any method when `repeatable` says the request is safe to repeat.
    boost::asio::awaitable<result<http_response>> send(http_method method, std::string const& target,
                                                        bool authorized, std::string body = {},
                                                        std::string content_type = {}, bool repeatable_request = false) {
        request_options o;
        o.authorized = authorized;
        o.repeatable = repeatable_request;
        if (!body.empty() || !content_type.empty())
            o.payload = std::make_unique<request_payload const>(request_payload{std::move(body), std::move(content_type)});
        return perform(method, target, std::move(o));
    }

private:
    // How perform() builds an endpoint call's target again, after it went
    // with a request: from the endpoint and the page cursor, which outlive the
    // call. Null for send(), whose target perform() copies instead.
    struct target_source {
        void const* endpoint = nullptr;
        std::optional<std::string> const* cursor = nullptr;
        result<std::string> (*build)(basic_client const&, void const*, std::optional<std::string> const*) = nullptr;
        result<std::string> operator()(basic_client const& c) const { return build(c, endpoint, cursor); }
    };

    // What perform() needs besides the method and target. Endpoint calls set
    // `decode`; send() leaves it null and gets the response as it is.
    // A body is for send() alone: endpoint calls carry a null pointer, not
    // two empty strings, in perform()'s frame.
    struct request_payload {
        std::string body;
        std::string content_type;
    };
    struct request_options {
        bool authorized = true;
        bool repeatable = false; // safe to repeat whatever the method
        std::unique_ptr<request_payload const> payload;
        api::soft_statuses const* soft = nullptr; // the endpoint's own (E::soft); null: none
        bool log_soft = false; // async_get's debug line for a soft status
        [[nodiscard]] bool is_soft(unsigned status) const noexcept { return soft && soft->contains(status); }
        detail::body_decoder decode{};
        target_source rebuild{};
    };

    // The request of one call of E (not paged), decoded into `out`. Only the
    // target and the decoding depend on E; the loop is perform()'s.
    template <class E>
    boost::asio::awaitable<result<http_response>> get_into(E const& e, typename E::response_type& out) {
        request_options o;
        o.soft = &E::soft;
        o.log_soft = true;
        o.decode = detail::body_decoder::into(out);
        o.rebuild = {&e, nullptr, [](basic_client const& c, void const* ep, std::optional<std::string> const*) {
                         return api::detail::build_target_with(*static_cast<E const*>(ep),
                                                               c.settings_.settings.apiVersion, {});
                     }};
        auto target = o.rebuild(*this);
        return perform(E::method, std::move(target), std::move(o));
    }

    // What a page request needs of its endpoint, type-erased: made per
    // endpoint type by page_source_of(), used by code shared by all of them.
    struct page_source {
        void const* endpoint = nullptr;
        std::string_view path_template;
        http_method method = http_method::get;
        api::soft_statuses const* soft = nullptr;
        decltype(target_source::build) build = nullptr;
        detail::body_decoder::decode_fn decode = nullptr;          // a body into an api::page of the entries
        std::optional<std::string>& (*next)(void* page) = nullptr; // that page's cursor
    };

    // The target of one page of E after `cursor`. The page parameters are
    // views (into `digits` and the cursor): no vector of strings per page.
    template <class E>
    static result<std::string> page_target(basic_client const& c, void const* ep,
                                           std::optional<std::string> const* cursor) {
        std::array<char, 20> digits{};
        auto const params =
            api::detail::page_parameters_in<detail::page_parameters_of<E>>(c.opts_.page_size, *cursor, digits);
        return api::detail::build_target_with(*static_cast<E const*>(ep), c.settings_.settings.apiVersion,
                                              api::detail::param_views(params.items.data(), params.count));
    }

    template <class E>
    static page_source page_source_of(E const& e) {
        static_assert(api::check_endpoint<E>());
        using entry = typename E::response_type;
        return {&e,
                E::path_template,
                E::method,
                &E::soft,
                &page_target<E>,
                &detail::body_decoder::read_page<detail::page_decoding_of<E>>,
                &detail::page_entries<entry>::next};
    }

    // The request of one page after `cursor`, decoded into `page` (an
    // api::page of the source's entries, left as it is for a soft status).
    boost::asio::awaitable<result<http_response>> request_page(page_source const& src,
                                                               std::optional<std::string> const& cursor, void* page) {
        request_options o;
        o.soft = src.soft;
        o.decode = detail::body_decoder(page, src.decode);
        o.rebuild = {src.endpoint, &cursor, src.build};
        auto target = o.rebuild(*this);
        return perform(src.method, std::move(target), std::move(o));
    }

    // The request of one page of E after `cursor`, decoded into `out`.
    template <class E>
    boost::asio::awaitable<result<http_response>> page_into(E const& e, std::optional<std::string> const& cursor,
                                                            api::page<typename E::response_type>& out) {
        return request_page(page_source_of(e), cursor, &out);
    }

    // Every page of a listing, each handed to append(all, page) (which
    // empties the page): the paging loop of every endpoint's async_list_all.
    // request_page() is a plain function: no coroutine frame of its own per page.
    boost::asio::awaitable<result<void>> list_pages(page_source src, void* page, void* all,
                                                    void (*append)(void*, void*)) {
        detail::listing_state state(src.path_template);
        for (;;) {
            if (auto stop = state.before_page(opts_.max_pages)) co_return std::move(*stop);
            auto got = co_await request_page(src, state.cursor(), page);
            auto r = state.after_page(std::move(got), src.next(page));
            if (!r) co_return r;
            append(all, page);
        }
    }

    // The one request loop of the client, shared by every endpoint and by
    // send(): authentication, admission, the transport, 401 renewal, retries;
    // with a decoder also soft statuses, status errors and the retry of a
    // garbled body (each a new request with its own attempts and renewal).
    // An invalid target is returned as the error, before any request.
    boost::asio::awaitable<result<http_response>> perform(http_method method, result<std::string> built,
                                                           request_options o) {
        if (!built) co_return std::move(built).error();
        std::string& target = *built;
        // An endpoint call's target goes into the request itself, and is
        // built again only on the paths that name it afterwards (a log line,
        // an error, a retry): a 2xx answer decoded as expected never does.
        bool const lent = o.rebuild.build != nullptr;
        bool const idempotent = o.repeatable || repeatable(method);
        bool renewed = false;
        unsigned attempt = 0; // transport failures, 502/503/504 and 429s of this request
        unsigned garbled = 0; // bodies that were not JSON
        // The one outcome of every rare path (an error, or a wait and why):
        // GCC gives each local of a coroutine its own place in the frame, and
        // a frame over 1020 bytes is never recycled by Asio, so it is kept small.
        next_step s;
        for (;;) {
            // One reading of the clock serves the token's expiry, admission
            // and the start: nothing waits between them on the usual path.
            auto now = opts_.clock.now();
            secret const* tok = nullptr;
            std::optional<secret> fresh; // a token minted for this request
            if (o.authorized) {
                // A valid cached token is used as it is: token() would cost a
                // coroutine frame and a copy of the secret on every request.
                tok = cached_token(now);
                if (!tok) {
                    auto r = co_await token();
                    if (!r) co_return std::move(r).error();
                    tok = &fresh.emplace(std::move(*r));
                    now = opts_.clock.now();
                }
            }
            // Most requests are admitted at once: the coroutine only for a
            // wait. The request is built once admitted (a waiting frame holds
            // no copy of it), with the token looked up again after a wait: a
            // renewal may have replaced the cached one meanwhile.
            std::uint64_t epoch = 0;
            if (auto a = admit_now(now); a.what == admission::none) {
                epoch = ctl_.epoch();
            } else {
                epoch = co_await admit(a);
                now = opts_.clock.now();
                if (tok && !fresh && !(tok = cached_token(now))) {
                    release(); // it expired or was refused while this one waited: mint, then queue again
                    continue;
                }
            }
            ++stats_.requests;
            auto const started = now;
            auto resp = co_await send_attempt(method, target, lent, tok, o);
            release();
            now = opts_.clock.now(); // the answer's time, for the log and the controller
            if (lent && names_target(resp, o) && !restore_target(o, target, s)) co_return std::move(*s.error);

            if (!resp) {
                after_transport_failure(method, target, resp.error(), idempotent, attempt, s);
                if (s.error) co_return std::move(*s.error);
                co_await pause(s.wait, s.why);
                ++attempt;
                continue;
            }
            if (opts_.log) log_answer(method, target, resp->status, now - started);
            if (resp->status != 429) {
                ctl_.on_answer(now, epoch);
                note_limits();
                wake_waiters(); // the window may have grown
            }

            if (resp->status == 401 && o.authorized) {
                if (!renewed) {
                    renewed = true;
                    token_.reset(); // the token was refused: mint a new one, once
                    log_renewal(method, target);
                    continue;
                }
                co_return status_error(method, target, *resp, errc::auth,
                                       "the API refused a freshly minted token; check that hostPort is your "
                                       "organisation's API host (a token is valid only on the host that minted it) "
                                       "and that the API credentials are still active");
            }
            if (is_retryable_status(resp->status)) {
                after_retryable_status(method, target, *resp, epoch, idempotent, attempt, s);
                if (s.error) co_return std::move(*s.error);
                if (s.sleep) co_await pause(s.wait, s.why);
                ++attempt;
                continue;
            }
            if (!o.decode) co_return std::move(*resp); // send(): any status is the caller's
            if (o.is_soft(resp->status)) {
                ++stats_.soft_statuses;
                if (o.log_soft && opts_.log) log_soft(method, target, resp->status);
                co_return http_response{};
            }
            if (resp->status < 200 || resp->status >= 300)
                co_return status_error(method, target, *resp,
                                       resp->status == 404 ? errc::not_found : errc::http_status);
            auto r = o.decode(resp->body, opts_.decoding);
            if (r) co_return http_response{};
            if (lent && !opts_.log && !restore_target(o, target, s)) co_return std::move(*s.error);
            if (retry_garbled(repeatable(method), r.error(), garbled)) {
                s.why = garbled_reason(method, target, r.error());
                co_await pause(backoff(opts_.retry, garbled, opts_.clock.random()), s.why);
                ++garbled;
                renewed = false; // asked again as a new request
                attempt = 0;
                continue;
            }
            co_return decode_error(method, target, r.error());
        }
    }

    // The request of one attempt. The Authorization value is a copy of the
    // cached "Bearer <token>": no concatenation per request.
    http_request new_request(http_method method, std::string target, secret const* tok,
                             request_options const& o) const {
        http_request req;
        req.method = method;
        req.origin = settings_.origin;
        req.target = std::move(target);
        bool const typed = o.payload && !o.payload->content_type.empty();
        req.headers.reserve(static_cast<std::size_t>(tok != nullptr) + static_cast<std::size_t>(typed));
        if (tok != nullptr) {
            if (token_ && tok == &*token_)
                req.headers.push_back(http_header{"Authorization", bearer_.reveal()});
            else
                req.headers.push_back(http_header{"Authorization", "Bearer " + tok->reveal()});
        }
        if (typed) req.headers.push_back(http_header{"Content-Type", o.payload->content_type});
        if (o.payload) req.body = o.payload->body;
        return req;
    }

    // The transport's operation for one attempt. A plain function: the
    // request is built on its stack and moved into the transport's coroutine,
    // so perform()'s frame holds no copy of it.
    boost::asio::awaitable<result<http_response>> send_attempt(http_method method, std::string& target, bool lent,
                                                               secret const* tok, request_options const& o) {
        return transport_.async_send(new_request(method, lent ? std::move(target) : std::string(target), tok, o));
    }

    // Whether what follows an answer names the target: a log line, an error
    // or a retry does; a 2xx answer (until its decoding fails) and a soft
    // status do not.
    bool names_target(result<http_response> const& resp, request_options const& o) const noexcept {
        if (!resp || opts_.log) return true;
        unsigned const s = resp->status;
        if ((s == 401 && o.authorized) || is_retryable_status(s)) return true;
        return (s < 200 || s >= 300) && !o.is_soft(s);
    }

    // What perform() does after a failed attempt: give up with `error`, or
    // retry, after pause(wait, why) when `sleep` (a 429 waits in admit()).
    // Out of line, like the other rare paths, to keep perform()'s hot code small.
    struct next_step {
        std::optional<sigma::error> error;
        bool sleep = true;
        std::chrono::milliseconds wait{0};
        std::string why;
    };

    // The target of an endpoint call again, as it was built the first time
    // (the same endpoint, cursor, version and page size).
    // False, with the error in `s`, when it cannot be built.
    BOOST_NOINLINE bool restore_target(request_options const& o, std::string& target, next_step& s) const {
        auto again = o.rebuild(*this);
        if (!again) {
            s.error.emplace(std::move(again).error());
            return false;
        }
        target = std::move(*again);
        return true;
    }

    BOOST_NOINLINE void after_transport_failure(http_method method, std::string const& target, sigma::error const& e,
                                                bool idempotent, unsigned attempt, next_step& s) {
        s = next_step{};
        if (opts_.log)
            log(log_level::debug, std::string(to_string(method)) + " " + target + ": " + redact(e.message()));
        if (idempotent && attempt + 1 < opts_.retry.max_attempts && budget_left()) {
            s.wait = backoff(opts_.retry, attempt, opts_.clock.random());
            s.why = std::string(to_string(method)) + " " + target + " failed (" + redact(e.message()) + ")";
            return;
        }
        s.error.emplace(e.code(), redact(with_request(method, target, e.message())),
                        http_details{0, std::string(to_string(method)), target, {}, {}});
    }

    BOOST_NOINLINE void after_retryable_status(http_method method, std::string const& target,
                                               http_response const& resp, std::uint64_t epoch, bool idempotent,
                                               unsigned attempt, next_step& s) {
        s = next_step{};
        if (resp.status == 429) ++stats_.rate_limited;
        std::optional<std::chrono::milliseconds> ra;
        if (auto h = resp.header("Retry-After"); !h.empty()) ra = parse_retry_after(h, opts_.clock.wall_now());
        auto wait = retry_delay(opts_.retry, resp.status, ra, attempt, opts_.clock.random());
        if (resp.status == 429) {
            // The limit is the client's, not this request's: everything
            // waits, and the window and pace come down (once per event).
            auto const wait_for = wait.value_or(opts_.retry.min_wait_after_429);
            pause_client(epoch, wait_for, std::string(to_string(method)) + " " + target + ": HTTP 429");
        }
        if (wait && (idempotent || resp.status == 429) && attempt + 1 < opts_.retry.max_attempts && budget_left()) {
            if (resp.status == 429) {
                ++stats_.retries; // the wait happens in admit(), with everyone else's
                s.sleep = false;
            } else {
                s.wait = *wait;
                s.why = std::string(to_string(method)) + " " + target + ": HTTP " + std::to_string(resp.status);
            }
            return;
        }
        errc code = resp.status == 429 ? errc::rate_limited : errc::http_status;
        s.error.emplace(
            status_error(method, target, resp, code, "gave up after " + std::to_string(attempt + 1) + " attempts"));
    }

    BOOST_NOINLINE void log_answer(http_method method, std::string const& target, unsigned status,
                                   std::chrono::steady_clock::duration d) const {
        auto const took = std::chrono::duration_cast<std::chrono::milliseconds>(d);
        log(log_level::debug, std::string(to_string(method)) + " " + target + " -> " + std::to_string(status) + " (" +
                                  std::to_string(took.count()) + " ms)");
    }

    BOOST_NOINLINE void log_renewal(http_method method, std::string const& target) const {
        log(log_level::info,
            std::string(to_string(method)) + " " + target + ": 401, renewing the token and retrying once");
    }

    BOOST_NOINLINE void log_soft(http_method method, std::string const& target, unsigned status) const {
        log(log_level::debug, std::string(to_string(method)) + " " + target + ": HTTP " + std::to_string(status) +
                                  " read as empty");
    }

    bool budget_left() const noexcept { return stats_.retries < opts_.retry.budget; }

    static constexpr bool repeatable(http_method m) noexcept {
        return m == http_method::get || m == http_method::put || m == http_method::delete_;
    }

    // A 2xx answer whose body is not JSON at all was damaged on the way (cut
    // short by a proxy, or framing that looked right over a truncated body):
    // asked again like a transport failure when the request may be repeated,
    // within max_attempts and the budget. Other decoding failures (a wrong
    // type, a missing key) would come back the same: they are not retried.
    bool retry_garbled(bool may_repeat, sigma::error const& e, unsigned attempt) const noexcept {
        return may_repeat && e.code() == errc::json_syntax && attempt + 1 < opts_.retry.max_attempts && budget_left();
    }

    static std::string garbled_reason(http_method m, std::string const& target, sigma::error const& e) {
        return with_request(m, target, "the answer is not JSON (" + e.message() + ")");
    }

    // Admission: no client-wide pause, a free place in the window and its
    // turn in the pace. A request that started then carries the controller's
    // epoch, so that a 429 can tell whether it belongs to an event already
    // handled.
    struct admission {
        enum kind { none, paused, full, paced } what = none; // none: admitted
        std::chrono::milliseconds sleep{0};                // paused, paced: how long
    };

    // One pass of admission, without waiting: admitted (and counted in
    // flight), or what admit() must wait for. A newcomer queues behind the
    // waiters already queued; `woken` is the pass of a waiter whose turn came.
    admission admit_now(std::chrono::steady_clock::time_point now, bool woken = false) {
        if (!first_request_) {
            first_request_ = now;
            note_limits();
        }
        if (auto until = ctl_.paused_until(); now < until) return {admission::paused, ceil_ms(until - now)};
        if (in_flight_ + waking_ >= ctl_.window() || (!woken && !waiters_.empty())) return {admission::full, {}};
        ++in_flight_; // held while waiting for the pace, so the window stays exact
        auto at = ctl_.reserve(now);
        if (at > now) return {admission::paced, ceil_ms(at - now)};
        stats_.peak_in_flight = std::max(stats_.peak_in_flight, in_flight_);
        return {};
    }

    // Waits for what admit_now() reported, and passes again until admitted.
    // Returns the epoch at the start.
    boost::asio::awaitable<std::uint64_t> admit(admission a) {
        bool woken = false; // this request's turn in the queue came
        for (;;) {
            switch (a.what) {
            case admission::none: co_return ctl_.epoch();
            case admission::paused: co_await opts_.clock.sleep(a.sleep); break;
            case admission::full: {
                // First come, first served: a waiter whose place was taken
                // again (the window shrank) keeps its turn at the front. The
                // timer lives in this frame: no allocation of its own.
                boost::asio::steady_timer timer(transport_.get_executor(), boost::asio::steady_timer::time_point::max());
                queued_waiter q(*this, &timer);
                if (woken)
                    waiters_.push_front(&timer);
                else
                    waiters_.push_back(&timer);
                boost::system::error_code ec;
                co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
                q.resumed = true;
                --waking_; // the promised place is this pass's to take
                woken = true;
                break;
            }
            case admission::paced:
                co_await opts_.clock.sleep(a.sleep);
                if (opts_.clock.now() < ctl_.paused_until()) { // a 429 came in meanwhile
                    release();
                    break;
                }
                stats_.peak_in_flight = std::max(stats_.peak_in_flight, in_flight_);
                co_return ctl_.epoch();
            }
            a = admit_now(opts_.clock.now(), woken);
        }
    }

    // A waiter's place in the queue, for a wait that ends without its wake
    // (its frame destroyed with the io_context): the queue forgets it.
    struct queued_waiter {
        basic_client& c;
        boost::asio::steady_timer* timer;
        bool resumed = false;
        queued_waiter(basic_client& client, boost::asio::steady_timer* t) : c(client), timer(t) {}
        queued_waiter(queued_waiter const&) = delete;
        queued_waiter& operator=(queued_waiter const&) = delete;
        ~queued_waiter() {
            if (resumed) return;
            if (auto it = std::find(c.waiters_.begin(), c.waiters_.end(), timer); it != c.waiters_.end())
                c.waiters_.erase(it);
            else
                --c.waking_; // woken, never resumed
        }
    };

    void release() {
        --in_flight_;
        wake_waiters();
    }

    // Wakes as many waiters, in order, as there are places nobody was
    // promised yet: each woken waiter counts in waking_ until it runs, so a
    // second call (after release(), then after an answer) wakes nobody twice.
    void wake_waiters() {
        std::size_t const taken = in_flight_ + waking_;
        for (std::size_t free = ctl_.window() > taken ? ctl_.window() - taken : 0; free > 0 && !waiters_.empty();
             --free) {
            waiters_.front()->cancel();
            waiters_.pop_front();
            ++waking_;
        }
    }

    void pause_client(std::uint64_t epoch, std::chrono::milliseconds wait, std::string const& why) {
        auto const now = opts_.clock.now();
        auto const before = std::max(now, ctl_.paused_until());
        bool const was_paused = now < ctl_.paused_until();
        bool const lowered = ctl_.on_rate_limited(epoch, now, now + wait);
        auto const after = ctl_.paused_until();
        if (after > before) {
            auto const added = std::chrono::duration_cast<std::chrono::milliseconds>(after - before);
            stats_.paused += added;
            stats_.waited += added;
        }
        if (!was_paused && after > now) ++stats_.pauses;
        if (lowered) {
            auto const pace = ctl_.pace();
            log(log_level::warn, why + "; pausing all requests for " + std::to_string(wait.count()) +
                                     " ms, window " + std::to_string(ctl_.window()) +
                                     (pace ? ", pace " + std::to_string(static_cast<long>(*pace)) + "/s" : std::string()));
        }
        note_limits();
    }

    // Records the window and pace when they changed.
    void note_limits() {
        if (!first_request_) return;
        std::size_t const w = ctl_.window();
        double const p = ctl_.pace().value_or(0.0);
        stats_.concurrency_min = std::min(stats_.concurrency_min, w);
        auto& h = stats_.concurrency_history;
        if (!h.empty() && h.back().window == w && h.back().pace == p) return;
        if (h.size() >= 100'000) return; // bounded: a day-long crawl stays small
        auto const now = opts_.clock.now();
        h.push_back({std::chrono::duration_cast<std::chrono::milliseconds>(now - *first_request_), w, p});
    }

    static std::chrono::milliseconds ceil_ms(std::chrono::steady_clock::duration d) {
        return std::chrono::ceil<std::chrono::milliseconds>(d);
    }

    boost::asio::awaitable<void> pause(std::chrono::milliseconds wait, std::string const& why) {
        ++stats_.retries;
        stats_.waited += wait;
        log(log_level::warn, why + "; retrying in " + std::to_string(wait.count()) + " ms");
        co_await opts_.clock.sleep(wait);
    }

    // The token, while it is valid at `now`; null when it must be minted.
    secret const* cached_token(std::chrono::steady_clock::time_point now) const {
        return token_ && now < token_expiry_ ? &*token_ : nullptr;
    }

    // The cached token, renewed when it is within the margin of expiry. One
    // renewal at a time: callers arriving during one wait for its outcome.
    boost::asio::awaitable<result<secret>> token() {
        if (auto const* t = cached_token(opts_.clock.now())) co_return *t;
        if (renewing_) {
            // Armed once: re-arming would cancel the other waiters, which
            // would re-arm in turn, and so on, a busy loop.
            if (!renewal_done_)
                renewal_done_ = std::make_unique<boost::asio::steady_timer>(transport_.get_executor(),
                                                                            boost::asio::steady_timer::time_point::max());
            while (renewing_) {
                boost::system::error_code ec;
                co_await renewal_done_->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            }
            if (token_) co_return *token_;
            co_return last_auth_error_ ? *last_auth_error_
                                       : sigma::error(errc::auth, "authentication failed");
        }
        renewing_ = true;
        auto r = co_await mint();
        renewing_ = false;
        if (renewal_done_) renewal_done_->cancel();
        if (!r) {
            last_auth_error_ = r.error();
            co_return std::move(r).error();
        }
        last_auth_error_.reset();
        co_return *token_;
    }

    boost::asio::awaitable<result<void>> mint() {
        if (last_mint_) {
            auto since = opts_.clock.now() - *last_mint_;
            if (since < opts_.min_mint_interval) {
                auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(opts_.min_mint_interval - since);
                stats_.waited += wait;
                co_await opts_.clock.sleep(wait);
            }
        }
        last_mint_ = opts_.clock.now();
        std::string target = "/" + settings_.settings.apiVersion + "/auth/token";
        std::string body = "grant_type=client_credentials&client_id=" + form_encode(settings_.settings.clientId) +
                           "&client_secret=" + form_encode(settings_.settings.clientSecret.reveal());
        // Minting again is harmless (a lost answer costs one unused token), so
        // the POST is retried like a GET: a blip on the token endpoint must
        // not fail a whole run.
        std::optional<api::token_response> tok;
        for (unsigned attempt = 0; !tok; ++attempt) {
            ++stats_.tokens_minted;
            auto resp = co_await send(http_method::post, target, false, body, "application/x-www-form-urlencoded",
                                      /*repeatable_request=*/true);
            if (!resp) co_return std::move(resp).error();
            if (resp->status == 400 || resp->status == 401 || resp->status == 403)
                co_return status_error(http_method::post, target, *resp, errc::auth,
                                       "authentication failed: check clientId and clientSecret, and that hostPort is "
                                       "your organisation's API host");
            if (resp->status < 200 || resp->status >= 300)
                co_return status_error(http_method::post, target, *resp, errc::http_status);
            auto decoded = json::decode<api::token_response>(resp->body);
            if (decoded) {
                tok = std::move(*decoded);
            } else if (retry_garbled(true, decoded.error(), attempt)) {
                std::string const why = garbled_reason(http_method::post, target, decoded.error());
                co_await pause(backoff(opts_.retry, attempt, opts_.clock.random()), why);
            } else {
                co_return decode_error(http_method::post, target, decoded.error());
            }
        }
        if (tok->access_token.empty())
            co_return sigma::error(errc::auth, "POST " + target + ": the token answer has an empty access_token");
        token_ = tok->access_token;
        bearer_ = secret("Bearer " + token_->reveal());
        secrets_.push_back(tok->access_token);
        if (tok->refresh_token) secrets_.push_back(*tok->refresh_token);
        auto life = std::chrono::seconds(tok->expires_in);
        auto margin = opts_.token_margin;
        if (life <= margin) margin = life / 2; // a short-lived token is still used for half its life
        token_expiry_ = *last_mint_ + (life - margin);
        log(log_level::info, "minted an API token valid for " + std::to_string(tok->expires_in) + " s");
        co_return result<void>{};
    }

    static std::string form_encode(std::string_view s) {
        return boost::urls::encode(s, boost::urls::unreserved_chars);
    }

    // Removes every secret this client knows from a text bound for a log or an error.
    std::string redact(std::string text) const {
        auto scrub = [&](std::string const& s) {
            if (s.size() < 4) return; // too short to tell apart from ordinary text
            for (std::size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos))
                text.replace(pos, s.size(), secret::mask);
        };
        scrub(settings_.settings.clientSecret.reveal());
        for (auto const& s : secrets_) scrub(s.reveal());
        return text;
    }

    static std::string with_request(http_method m, std::string const& target, std::string_view what) {
        std::string s(to_string(m));
        s += ' ';
        s += target;
        s += ": ";
        s += what;
        return s;
    }

    BOOST_NOINLINE sigma::error status_error(http_method m, std::string const& target, http_response const& r,
                                             errc code, std::string_view advice = {}) const {
        auto info = detail::read_error_body(r);
        http_details d{r.status, std::string(to_string(m)), target, info.code, info.request_id};
        std::string msg = with_request(m, target, "HTTP " + std::to_string(r.status));
        if (!info.code.empty()) msg += " " + info.code;
        if (!info.message.empty()) msg += ": " + info.message;
        if (!info.request_id.empty()) msg += " (requestId " + info.request_id + ")";
        if (!advice.empty()) {
            msg += "; ";
            msg += advice;
        }
        return sigma::error(code, redact(std::move(msg)), std::move(d));
    }

    BOOST_NOINLINE sigma::error decode_error(http_method m, std::string const& target, sigma::error const& e) const {
        // Keep the pointer; prefix the request so the failing call is known.
        return sigma::error(e.code(), redact(with_request(m, target, e.message())), e.json_pointer());
    }

    void log(log_level l, std::string const& msg) const {
        if (opts_.log) opts_.log(l, redact(msg));
    }

    validated_config settings_;
    Transport transport_;
    client_options opts_;
    client_stats stats_{};
    rate_controller ctl_{1, {}};
    std::size_t in_flight_ = 0;
    std::deque<boost::asio::steady_timer*> waiters_; // in admit()'s frames, first come first
    std::size_t waking_ = 0;                          // woken waiters not yet run: places promised
    std::optional<std::chrono::steady_clock::time_point> first_request_;

    std::optional<secret> token_;
    secret bearer_; // "Bearer <token_>", the Authorization value, built once per token
    std::chrono::steady_clock::time_point token_expiry_{};
    std::optional<std::chrono::steady_clock::time_point> last_mint_;
    bool renewing_ = false;
    std::unique_ptr<boost::asio::steady_timer> renewal_done_;
    std::optional<sigma::error> last_auth_error_;
    std::vector<secret> secrets_; // every token issued to this client, for redaction
};

// The client over the default HTTPS transport (<sigma/transport/beast.hpp>).
using client = basic_client<>;

} // namespace sigma

SIGMA_COROUTINES_END

#endif
// ---- end <sigma/client/client.hpp> ----

#endif
// ---- end <sigma/client.hpp> ----

// The connector
// ---- begin <sigma/extract/inventory.hpp> ----
// SPDX-License-Identifier: MIT
// What the extraction knows about an organisation, in Sigma's terms: plain
// described structs, so that the typed inventory encodes to JSON as it is.
// The OpenMetadata mapping (sigma/openmetadata/) reads these; nothing here
// knows OpenMetadata.
#ifndef SIGMA_EXTRACT_INVENTORY_HPP
#define SIGMA_EXTRACT_INVENTORY_HPP


#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::extract {

// A warehouse table that lineage reaches, resolved to its connection.
struct table_ref {
    std::string inodeId;                    // inode-<urlId> as lineage names it
    std::optional<std::string> connectionId;
    std::optional<std::string> connectionName;
    std::optional<std::string> connectionType;   // Sigma's type: snowflake, bigQuery, ...
    std::optional<std::string> serviceType;      // OpenMetadata's database service type: Snowflake, BigQuery, ...
    std::vector<std::string> path;               // database, schema, table (as many as known)
    // "connection-path" (exact) or "files" (the folder path of /files) or "none".
    std::string resolvedBy = "none";
    bool operator==(table_ref const&) const = default;
};
BOOST_DESCRIBE_STRUCT(table_ref, (), (inodeId, connectionId, connectionName, connectionType, serviceType, path, resolvedBy))

enum class source_kind { table, dataset, data_model, element, custom_sql, unknown };
BOOST_DESCRIBE_ENUM(source_kind, table, dataset, data_model, element, custom_sql, unknown)

// One true source of an element, reached through join/union/intermediate nodes.
struct lineage_source {
    source_kind kind = source_kind::unknown;
    std::string id;                          // inodeId, dataModelId or urlId, elementId
    std::optional<std::string> name;
    std::optional<table_ref> table;          // for kind == table
    std::optional<std::string> dataModelElementId; // for a data model's element, when known
    std::optional<std::string> sql;          // for custom SQL
    bool operator==(lineage_source const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_source, (), (kind, id, name, table, dataModelElementId, sql))

// How a column edge was found: from a formula `[Source/Column]`, from a
// warehouse column id `inode-<urlId>/<COLUMN>`, or by matching names (a fallback).
enum class column_match { formula, warehouse_id, name };
BOOST_DESCRIBE_ENUM(column_match, formula, warehouse_id, name)

struct column_edge {
    std::string fromSource;   // lineage_source::id
    std::string fromColumn;
    std::string toColumn;     // the element's column (display name)
    column_match how = column_match::name;
    bool operator==(column_edge const&) const = default;
};
BOOST_DESCRIBE_STRUCT(column_edge, (), (fromSource, fromColumn, toColumn, how))

struct column_info {
    std::string columnId;
    std::string name;                        // `name`, else `label`
    std::optional<std::string> formula;
    bool operator==(column_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(column_info, (), (columnId, name, formula))

// Data elements have lineage; layout elements (text, image, control, divider,
// button) do not, and are kept flagged as such.
constexpr bool is_data_element_type(std::string_view type) noexcept {
    return type == "table" || type == "pivot-table" || type == "input-table" || type == "visualization";
}

struct element_info {
    std::string elementId;
    std::string workbookId;
    std::string pageId;
    std::optional<std::string> name;
    std::optional<std::string> type;
    std::optional<std::string> vizualizationType;
    bool dataElement = false;
    std::string url;                         // the element's own deep link
    std::vector<column_info> columns;
    std::optional<std::string> sql;
    std::vector<lineage_source> sources;
    std::vector<column_edge> columnLineage;
    bool operator==(element_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(element_info, (),
                      (elementId, workbookId, pageId, name, type, vizualizationType, dataElement, url, columns, sql,
                       sources, columnLineage))

struct page_info {
    std::string pageId;
    std::optional<std::string> name;
    std::optional<bool> hidden;
    std::vector<element_info> elements;
    bool operator==(page_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(page_info, (), (pageId, name, hidden, elements))

struct workbook_info {
    api::workbook workbook;
    std::optional<std::string> workspaceId;
    std::optional<std::string> workspaceName;  // the project; falls back to the path's first part
    std::optional<std::string> ownerEmail;
    std::optional<std::string> badge;          // Endorsed, Deprecated, Warning
    std::vector<std::string> tags;             // badge and version tag names
    bool archived = false;
    bool personal = false;                     // in a member's My Documents
    std::vector<page_info> pages;
    std::vector<std::string> dataModelIds;     // data models it reads (sources)
    bool operator==(workbook_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_info, (),
                      (workbook, workspaceId, workspaceName, ownerEmail, badge, tags, archived, personal, pages,
                       dataModelIds))

struct data_model_element_info {
    std::string elementId;
    std::optional<std::string> name;
    std::optional<std::string> type;
    std::vector<column_info> columns;
    std::optional<std::string> sql;            // custom SQL elements keep their SQL
    std::vector<lineage_source> sources;
    bool operator==(data_model_element_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_element_info, (), (elementId, name, type, columns, sql, sources))

struct data_model_info {
    api::data_model dataModel;
    std::optional<std::string> workspaceName;
    std::optional<std::string> ownerEmail;
    std::vector<std::string> tags;
    bool archived = false;
    std::vector<data_model_element_info> elements;
    bool operator==(data_model_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_info, (), (dataModel, workspaceName, ownerEmail, tags, archived, elements))

struct workspace_info {
    std::string workspaceId;
    std::string name;
    bool accessible = true;                   // false when /workspaces/{id} answered 403
    bool personal = false;                    // a member's My Documents
    std::optional<std::string> ownerEmail;
    bool operator==(workspace_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workspace_info, (), (workspaceId, name, accessible, personal, ownerEmail))

// A failure that did not stop the run.
struct failure {
    std::string entity;       // e.g. "workbook 3f0c... (Revenue)"
    std::string endpoint;     // e.g. "GET /v2/workbooks/3f0c.../pages"
    std::string error;
    bool operator==(failure const&) const = default;
};
BOOST_DESCRIBE_STRUCT(failure, (), (entity, endpoint, error))

struct filtered {
    std::string kind;         // workbook, element, data model, workspace
    std::string name;
    std::string pattern;      // which setting and which regex filtered it
    bool operator==(filtered const&) const = default;
};
BOOST_DESCRIBE_STRUCT(filtered, (), (kind, name, pattern))

// An entity a complete run no longer found (or no longer emits: filtered
// out, archived) although the last complete run did: a catalogue may delete it.
enum class entity_kind { workbook, element, data_model };
BOOST_DESCRIBE_ENUM(entity_kind, workbook, element, data_model)

struct deletion {
    entity_kind kind = entity_kind::workbook;
    std::string id;           // workbookId, elementId or dataModelId
    std::string name;         // as the last run saw it
    std::string workbookId;   // elements: the workbook it was in
    bool dataElement = false; // elements: a data element (also an element data model, when mapped so)
    std::string reason;       // "not in the listing", "not in the workbook any more", a filter
    bool operator==(deletion const&) const = default;
};
BOOST_DESCRIBE_STRUCT(deletion, (), (kind, id, name, workbookId, dataElement, reason))

struct report {
    // True when every organisation-wide listing succeeded: only then may a
    // catalogue delete what this run did not see.
    bool complete = false;
    std::string incompleteReason;
    std::uint64_t workspaces = 0;
    std::uint64_t workbooks = 0;
    std::uint64_t pages = 0;
    std::uint64_t elements = 0;
    std::uint64_t dataModels = 0;
    std::uint64_t lineageEdges = 0;
    std::uint64_t columnEdges = 0;
    std::uint64_t columnNameFallbacks = 0;   // column edges found only by matching names
    std::uint64_t requests = 0;
    std::uint64_t retries = 0;
    std::uint64_t rateLimited = 0;
    std::vector<std::string> warnings;
    std::vector<failure> failures;
    std::vector<filtered> filteredOut;
    // Incremental runs (sigma/extract/state.hpp): the workbooks and data
    // models handed on from the state without asking the API, what the run
    // found deleted, and what it did with the state (or why it did not).
    std::uint64_t reused = 0;
    std::uint64_t outOfScope = 0; // scoped runs: workbooks and data models not read
    std::vector<deletion> deletions;
    std::string stateNote;
    bool operator==(report const&) const = default;
};
BOOST_DESCRIBE_STRUCT(report, (),
                      (complete, incompleteReason, workspaces, workbooks, pages, elements, dataModels, lineageEdges,
                       columnEdges, columnNameFallbacks, requests, retries, rateLimited, warnings, failures,
                       filteredOut, reused, outOfScope, deletions, stateNote))

// The exit status of a finished run, as sigma-extract gives it: 0 clean; 1
// completed with entity failures; 2 the run failed (an organisation-wide
// listing failed: the run is incomplete). A run that never got a report
// (configuration, authentication) is exit_run_failed too.
inline constexpr int exit_clean = 0;
inline constexpr int exit_entity_failures = 1;
inline constexpr int exit_run_failed = 2;

[[nodiscard]] inline int exit_status(report const& r) noexcept {
    if (!r.complete) return exit_run_failed;
    return r.failures.empty() ? exit_clean : exit_entity_failures;
}

// Everything, collected (the alternative to streaming into a sink).
struct inventory {
    std::vector<workspace_info> workspaces;
    std::vector<api::connection> connections;
    std::vector<data_model_info> dataModels;
    std::vector<workbook_info> workbooks;
    report status;
    bool operator==(inventory const&) const = default;
};
BOOST_DESCRIBE_STRUCT(inventory, (), (workspaces, connections, dataModels, workbooks, status))

} // namespace sigma::extract

#endif
// ---- end <sigma/extract/inventory.hpp> ----
// ---- begin <sigma/extract/options.hpp> ----
// SPDX-License-Identifier: MIT
// What to extract: OpenMetadata's sourceConfig names, and sigma-cpp's switches.
#ifndef SIGMA_EXTRACT_OPTIONS_HPP
#define SIGMA_EXTRACT_OPTIONS_HPP

// ---- begin <sigma/detail/regex.hpp> ----
// SPDX-License-Identifier: MIT
// <regex>, included so that GCC's -Wmaybe-uninitialized false positive inside
// libstdc++'s regex compiler does not break -Werror builds with AddressSanitizer.
//
// GCC 12 and later, optimising (-O1 and up) with -fsanitize=address, warn that
// `__tmp` in std::__detail::_NFA::_M_insert_* (bits/regex_automaton.h) "may be
// used uninitialized" when _State's move constructor reads its std::function
// member: that member is only read for the match opcode, for which it was
// constructed. A false positive in libstdc++, not in our code; GCC bug 105616.
// The warning is placed at lines of the regex headers, so the pragma brackets
// only their inclusion: the headers <regex> builds on are included before it,
// outside the pragma, and no code of ours is covered. It takes effect only when
// this is the first inclusion of <regex> in the translation unit (sigma's
// headers include <regex> only through this one).
#ifndef SIGMA_DETAIL_REGEX_HPP
#define SIGMA_DETAIL_REGEX_HPP

#include <algorithm>
#include <bitset>
#include <functional>
#include <iterator>
#include <locale>
#include <map>
#include <memory>
#include <sstream>
#include <stack>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && defined(__SANITIZE_ADDRESS__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#else
#include <regex>
#endif

#endif
// ---- end <sigma/detail/regex.hpp> ----

#include <boost/describe/class.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::extract {

// OpenMetadata's filterPattern: a name is kept when it matches one of
// `includes` (or there are none) and none of `excludes`. Like OpenMetadata's
// Python (re.match with IGNORECASE), a regex matches from the start of the
// name, case-insensitively.
struct filter_pattern {
    std::vector<std::string> includes;
    std::vector<std::string> excludes;
    bool operator==(filter_pattern const&) const = default;
};
BOOST_DESCRIBE_STRUCT(filter_pattern, (), (includes, excludes))

struct options {
    filter_pattern dashboardFilterPattern;  // workbook names
    filter_pattern chartFilterPattern;      // element names
    filter_pattern dataModelFilterPattern;  // data model names
    filter_pattern projectFilterPattern;    // workspace names
    bool includeOwners = true;
    bool includeDataModels = true;
    bool includeTags = true;
    bool includeLineage = true;
    bool includeArchived = false;           // archived workbooks and data models, marked
    bool includeColumns = true;             // /columns (column lineage)
    bool includeQueries = true;             // element SQL
    // Scoped runs (sigma-cpp's own): only the workbooks with these ids, and
    // those in these folders or workspaces (a path as Sigma writes it,
    // "Sales" or "Sales/Quarterly": the folder and everything under it).
    // Either list alone limits the run; both: what either names. With ids
    // alone no data model is read; with paths, the data models in them.
    // Nothing outside the scope is asked for, and a scoped run deletes nothing.
    std::vector<std::string> workbookIds;
    std::vector<std::string> paths;
    [[nodiscard]] bool scoped() const noexcept { return !workbookIds.empty() || !paths.empty(); }
    // OpenMetadata `dbServicePrefix` (`service.db.schema.table`, `*` wildcards):
    // where lineage looks for warehouse tables; used by the output.
    std::string dbServicePrefix;
};

namespace detail {

// libstdc++ up to GCC 12 reads the bounds of a quantifier ({n,m}) and the
// number of a back-reference (\n) into a long without an overflow check:
// `a{99999999999999999999}` is undefined behaviour (found by fuzz_config).
// No sane pattern has such a number of more than 9 digits; it is refused first.
inline bool has_huge_regex_number(std::string_view re) {
    auto digits_at = [&](std::size_t i) {
        std::size_t j = i;
        while (j < re.size() && re[j] >= '0' && re[j] <= '9') ++j;
        return j - i;
    };
    bool in_braces = false;
    for (std::size_t i = 0; i < re.size(); ++i) {
        char const c = re[i];
        if (c == '\\') {
            if (i + 1 < re.size() && digits_at(i + 1) > 9) return true;
            ++i; // the escaped character
        } else if (c == '{' || (c == ',' && in_braces)) {
            in_braces = true;
            if (digits_at(i + 1) > 9) return true;
        } else if (c == '}') {
            in_braces = false;
        }
    }
    return false;
}

} // namespace detail

// A filter_pattern compiled once; names the setting that filtered.
class compiled_filter {
public:
    compiled_filter() = default;

    // Fails with errc::config naming the setting, the list and the index.
    static result<compiled_filter> compile(std::string_view setting, filter_pattern const& p) {
        compiled_filter f;
        f.setting_ = setting;
        auto add = [&](std::vector<std::string> const& src, char const* list,
                       std::vector<entry>& out) -> std::optional<sigma::error> {
            for (std::size_t i = 0; i < src.size(); ++i) {
                if (detail::has_huge_regex_number(src[i]))
                    return sigma::error(errc::config, std::string(setting) + "." + list + "[" + std::to_string(i) +
                                                          "]: invalid regular expression \"" + src[i] +
                                                          "\": a repetition count or back-reference of more "
                                                          "than 9 digits");
                try {
                    out.push_back({std::regex(src[i], std::regex::ECMAScript | std::regex::icase), src[i]});
                } catch (std::regex_error const& e) {
                    return sigma::error(errc::config, std::string(setting) + "." + list + "[" + std::to_string(i) +
                                                          "]: invalid regular expression \"" + src[i] +
                                                          "\": " + e.what());
                }
            }
            return std::nullopt;
        };
        if (auto e = add(p.includes, "includes", f.includes_)) return std::move(*e);
        if (auto e = add(p.excludes, "excludes", f.excludes_)) return std::move(*e);
        return f;
    }

    // nullopt when `name` is kept; else why it is not, e.g.
    // `dashboardFilterPattern.excludes "^Tmp"`.
    [[nodiscard]] std::optional<std::string> rejects(std::string_view name) const {
        auto matches = [&](entry const& e) {
            return std::regex_search(name.begin(), name.end(), e.re, std::regex_constants::match_continuous);
        };
        for (auto const& e : excludes_)
            if (matches(e)) return setting_ + ".excludes \"" + e.source + "\"";
        if (includes_.empty()) return std::nullopt;
        for (auto const& e : includes_)
            if (matches(e)) return std::nullopt;
        return setting_ + ".includes (no match)";
    }

private:
    struct entry {
        std::regex re;
        std::string source;
    };
    std::string setting_;
    std::vector<entry> includes_;
    std::vector<entry> excludes_;
};

struct compiled_filters {
    compiled_filter dashboards, charts, data_models, projects;

    static result<compiled_filters> compile(options const& o) {
        compiled_filters f;
        auto d = compiled_filter::compile("dashboardFilterPattern", o.dashboardFilterPattern);
        if (!d) return std::move(d).error();
        auto c = compiled_filter::compile("chartFilterPattern", o.chartFilterPattern);
        if (!c) return std::move(c).error();
        auto m = compiled_filter::compile("dataModelFilterPattern", o.dataModelFilterPattern);
        if (!m) return std::move(m).error();
        auto p = compiled_filter::compile("projectFilterPattern", o.projectFilterPattern);
        if (!p) return std::move(p).error();
        f.dashboards = std::move(*d);
        f.charts = std::move(*c);
        f.data_models = std::move(*m);
        f.projects = std::move(*p);
        return f;
    }
};

} // namespace sigma::extract

#endif
// ---- end <sigma/extract/options.hpp> ----
// ---- begin <sigma/extract/sink.hpp> ----
// SPDX-License-Identifier: MIT
// Where extracted entities go, as soon as each is known. A sink is any type
// with these member functions; the extraction calls them on the thread that
// runs the client, in this order: workspaces and connections first, then data
// models, then workbooks (each complete: pages, elements, lineage), then
// on_finish with the run's report.
#ifndef SIGMA_EXTRACT_SINK_HPP
#define SIGMA_EXTRACT_SINK_HPP


#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

namespace sigma::extract {

template <class S>
concept sink = requires(S& s, workspace_info const& w, api::connection const& c, data_model_info&& dm,
                        workbook_info&& wb, report const& r) {
    s.on_workspace(w);
    s.on_connection(c);
    s.on_data_model(std::move(dm));
    s.on_workbook(std::move(wb));
    s.on_finish(r);
};

// Collects everything into an inventory.
struct collecting_sink {
    inventory inv;
    void on_workspace(workspace_info const& w) { inv.workspaces.push_back(w); }
    void on_connection(api::connection const& c) { inv.connections.push_back(c); }
    void on_data_model(data_model_info&& dm) { inv.dataModels.push_back(std::move(dm)); }
    void on_workbook(workbook_info&& wb) { inv.workbooks.push_back(std::move(wb)); }
    void on_finish(report const& r) { inv.status = r; }
};

// Keeps nothing (benchmarks, request counting).
struct discarding_sink {
    void on_workspace(workspace_info const&) {}
    void on_connection(api::connection const&) {}
    void on_data_model(data_model_info&&) {}
    void on_workbook(workbook_info&&) {}
    void on_finish(report const&) {}
};

// Any sink, by reference, behind one type: what the separately compiled
// extraction (SIGMA_SEPARATE_COMPILATION) is compiled for. The referenced
// sink must outlive the sink_ref.
class sink_ref {
public:
    template <class S>
        requires(!std::same_as<std::remove_cv_t<S>, sink_ref> && sink<S>)
    sink_ref(S& s) noexcept // NOLINT(google-explicit-constructor): a reference converts
        : obj_(const_cast<void*>(static_cast<void const*>(std::addressof(s)))), calls_(&calls_for<S>) {}

    void on_workspace(workspace_info const& w) { calls_->workspace(obj_, w); }
    void on_connection(api::connection const& c) { calls_->connection(obj_, c); }
    void on_data_model(data_model_info&& dm) { calls_->data_model(obj_, std::move(dm)); }
    void on_workbook(workbook_info&& wb) { calls_->workbook(obj_, std::move(wb)); }
    void on_finish(report const& r) { calls_->finish(obj_, r); }

private:
    struct calls {
        void (*workspace)(void*, workspace_info const&);
        void (*connection)(void*, api::connection const&);
        void (*data_model)(void*, data_model_info&&);
        void (*workbook)(void*, workbook_info&&);
        void (*finish)(void*, report const&);
    };
    template <class S>
    static constexpr calls calls_for{
        [](void* o, workspace_info const& w) { static_cast<S*>(o)->on_workspace(w); },
        [](void* o, api::connection const& c) { static_cast<S*>(o)->on_connection(c); },
        [](void* o, data_model_info&& dm) { static_cast<S*>(o)->on_data_model(std::move(dm)); },
        [](void* o, workbook_info&& wb) { static_cast<S*>(o)->on_workbook(std::move(wb)); },
        [](void* o, report const& r) { static_cast<S*>(o)->on_finish(r); },
    };

    void* obj_;
    calls const* calls_;
};

static_assert(sink<collecting_sink>);
static_assert(sink<discarding_sink>);
static_assert(sink<sink_ref>);

} // namespace sigma::extract

#endif
// ---- end <sigma/extract/sink.hpp> ----
// ---- begin <sigma/extract/lineage_walk.hpp> ----
// SPDX-License-Identifier: MIT
// From an element's lineage graph to its true sources: walk edges from the
// element's own `sheet` node towards sources, passing through join, union and
// other intermediate nodes. Pure: no I/O; tables are resolved later.
#ifndef SIGMA_EXTRACT_LINEAGE_WALK_HPP
#define SIGMA_EXTRACT_LINEAGE_WALK_HPP


#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sigma::extract {

namespace detail {

inline bool is_pass_through(api::lineage_node_type t) noexcept {
    return t == api::lineage_node_type::join || t == api::lineage_node_type::union_;
}

// A node named only by an edge: data models appear as `<dataModelUrlId>/<suffix>`.
inline lineage_source source_from_bare_id(std::string id) {
    lineage_source s;
    s.id = std::move(id);
    if (s.id.rfind("inode-", 0) == 0) {
        s.kind = source_kind::table; // resolved (or refuted) by /connections/paths
    } else if (auto slash = s.id.find('/'); slash != std::string::npos) {
        s.kind = source_kind::data_model;
        s.dataModelElementId = s.id.substr(slash + 1);
        s.id.resize(slash);
    }
    return s;
}

// Whether x1 + "|" + x2 == y1 + "|" + y2, without building either.
inline bool same_joined(std::string_view x1, std::string_view x2, std::string_view y1, std::string_view y2) noexcept {
    if (x1.size() + x2.size() != y1.size() + y2.size()) return false;
    if (x1.size() == y1.size()) return x1 == y1 && x2 == y2;
    auto at = [](std::string_view a, std::string_view b, std::size_t i) {
        return i < a.size() ? a[i] : i == a.size() ? '|' : b[i - a.size() - 1];
    };
    for (std::size_t i = 0, n = x1.size() + 1 + x2.size(); i < n; ++i)
        if (at(x1, x2, i) != at(y1, y2, i)) return false;
    return true;
}

// Sources are told apart by `id|dataModelElementId`. An element has few, so
// the output itself is searched while short (no key strings, no nodes);
// past that, a set of the keys.
class emitted_sources {
public:
    bool insert(std::vector<lineage_source> const& out, lineage_source const& s) {
        std::string_view const sub = s.dataModelElementId ? std::string_view(*s.dataModelElementId) : std::string_view();
        if (out.size() < linear_max) {
            for (auto const& o : out)
                if (same_joined(o.id, o.dataModelElementId ? std::string_view(*o.dataModelElementId) : std::string_view(),
                                s.id, sub))
                    return false;
            return true;
        }
        if (keys_.empty())
            for (auto const& o : out) keys_.insert(o.id + "|" + o.dataModelElementId.value_or(""));
        return keys_.insert(s.id + "|" + std::string(sub)).second;
    }

private:
    static constexpr std::size_t linear_max = 32;
    std::set<std::string> keys_;
};

// Node ids seen: searched linearly while few, a set past that.
class seen_nodes {
public:
    bool insert(std::string_view v) {
        if (many_.empty()) {
            for (std::size_t i = 0; i < count_; ++i)
                if (few_[i] == v) return false;
            if (count_ < few_.size()) {
                few_[count_++] = v;
                return true;
            }
            many_.insert(few_.begin(), few_.end());
        }
        return many_.insert(v).second;
    }

private:
    std::array<std::string_view, 16> few_{};
    std::size_t count_ = 0;
    std::set<std::string_view> many_;
};

// The walk; with a graph it may take apart (G not const), the sources' ids
// and names move out of it.
template <class G>
std::vector<lineage_source> walk_sources_in(G& g, std::string_view element_id) {
    constexpr bool take = !std::is_const_v<G>;
    std::vector<lineage_source> out;
    // Views into `g` (or element_id), which outlive the walk: no copy per node.
    std::string_view start;
    for (auto const& [id, node] : g.dependencies)
        if (node.type == api::lineage_node_type::sheet && node.elementId && *node.elementId == element_id) start = id;
    if (start.empty()) {
        // Some answers key the element's node by its element id.
        auto it = g.dependencies.find(std::string(element_id));
        start = it != g.dependencies.end() ? std::string_view(it->first) : element_id;
    }
    seen_nodes seen;
    seen.insert(start);
    emitted_sources emitted;
    std::vector<std::string_view> frontier{start};
    while (!frontier.empty()) {
        std::vector<std::string_view> next;
        for (auto const node_id : frontier) {
            // Keep the answer's edge order among one node's sources.
            for (auto const& e : g.edges) {
                if (e.target != node_id) continue;
                std::string const& src = e.source;
                if (!seen.insert(src)) continue;
                auto it = g.dependencies.find(src);
                if (it == g.dependencies.end()) {
                    auto s = source_from_bare_id(src);
                    if (emitted.insert(out, s)) out.push_back(std::move(s));
                    continue;
                }
                auto& n = it->second;
                if (is_pass_through(n.type)) {
                    next.push_back(src);
                    continue;
                }
                // Each node is reached once (seen), so what it holds can move.
                std::string id;
                std::optional<std::string> name;
                if (n.nodeId.empty()) id = src;
                else if constexpr (take) id = std::move(n.nodeId);
                else id = n.nodeId;
                if constexpr (take) name = std::move(n.name);
                else name = n.name;
                lineage_source s;
                switch (n.type) {
                case api::lineage_node_type::table: s.kind = source_kind::table; break;
                case api::lineage_node_type::dataset:
                case api::lineage_node_type::datasheet: s.kind = source_kind::dataset; break;
                case api::lineage_node_type::data_model:
                    s = source_from_bare_id(std::move(id));
                    s.kind = source_kind::data_model;
                    break;
                case api::lineage_node_type::sheet:
                    s.kind = source_kind::element;
                    if (n.elementId) id = *n.elementId;
                    break;
                case api::lineage_node_type::customSQL: s.kind = source_kind::custom_sql; break;
                default: s.kind = source_kind::unknown; break;
                }
                if (n.type != api::lineage_node_type::data_model) s.id = std::move(id);
                s.name = std::move(name);
                if (emitted.insert(out, s)) out.push_back(std::move(s));
            }
        }
        frontier = std::move(next);
    }
    return out;
}

} // namespace detail

// The true sources of `element_id`, in the order first reached (breadth first,
// edges in answer order), each once. Cycles are cut.
inline std::vector<lineage_source> walk_sources(api::element_lineage const& g, std::string_view element_id) {
    return detail::walk_sources_in(g, element_id);
}

// The same, moving the sources' ids and names out of `g` (left valid but unspecified).
inline std::vector<lineage_source> walk_sources(api::element_lineage&& g, std::string_view element_id) {
    return detail::walk_sources_in(g, element_id);
}

} // namespace sigma::extract

#endif
// ---- end <sigma/extract/lineage_walk.hpp> ----
// ---- begin <sigma/extract/column_lineage.hpp> ----
// SPDX-License-Identifier: MIT
// Column-level lineage of one element from its columns: a warehouse-backed
// column id `inode-<tableUrlId>/<NATIVE_NAME>` names the table column exactly;
// a formula reference `[Source/Column]` names a source by its display name;
// failing both, a bare `[Column]` reference in an element with one source is
// matched by name, and counted, since display names often differ from
// warehouse names.
#ifndef SIGMA_EXTRACT_COLUMN_LINEAGE_HPP
#define SIGMA_EXTRACT_COLUMN_LINEAGE_HPP


#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma::extract {

// fn(std::string_view) for each `[...]` reference of a formula, brackets
// removed, in order. `]]` inside a reference is an escaped `]`. A view into
// `f` unless the reference has an escape: no string per reference.
template <class Fn>
void for_each_formula_reference(std::string_view f, Fn&& fn) {
    bool in_string = false;
    char quote = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
        char c = f[i];
        if (in_string) {
            if (c == quote) in_string = false;
            continue;
        }
        if (c == '"' || c == '\'') {
            in_string = true;
            quote = c;
            continue;
        }
        if (c != '[') continue;
        auto const close = f.find(']', i + 1);
        if (close == std::string_view::npos) return; // unterminated: no reference, and nothing after it
        if (close + 1 < f.size() && f[close + 1] == ']') {
            auto ref = sigma::detail::read_formula_reference(f, i);
            if (ref.close < f.size() && !ref.text.empty()) fn(std::string_view(ref.text));
            i = ref.close;
            continue;
        }
        if (close > i + 1) fn(f.substr(i + 1, close - i - 1));
        i = close;
    }
}

// The `[...]` references of a formula, brackets removed, in order. `]]` inside
// a reference is an escaped `]`.
inline std::vector<std::string> formula_references(std::string_view f) {
    std::vector<std::string> out;
    for_each_formula_reference(f, [&](std::string_view ref) { out.emplace_back(ref); });
    return out;
}

namespace detail {
inline bool same_name(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}
} // namespace detail

struct column_lineage_result {
    std::vector<column_edge> edges;
    std::uint64_t name_fallbacks = 0;
};

inline column_lineage_result column_edges(std::vector<column_info> const& columns,
                                          std::vector<lineage_source> const& sources) {
    column_lineage_result r;
    r.edges.reserve(columns.size()); // about one edge per column
    // Views until an edge is kept: most references repeat or name nothing.
    auto add = [&](std::string_view from, std::string_view col, std::string const& to, column_match how) {
        for (auto const& e : r.edges)
            if (e.toColumn == to && e.fromColumn == col && e.fromSource == from) return; // likeliest to differ first
        r.edges.push_back({std::string(from), std::string(col), to, how});
        if (how == column_match::name) ++r.name_fallbacks;
    };
    for (auto const& c : columns) {
        std::string_view id = c.columnId;
        if (id.rfind("inode-", 0) == 0) {
            if (auto slash = id.find('/'); slash != std::string_view::npos && slash + 1 < id.size()) {
                add(id.substr(0, slash), id.substr(slash + 1), c.name, column_match::warehouse_id);
                continue;
            }
        }
        if (!c.formula) continue;
        bool found = false;
        for_each_formula_reference(*c.formula, [&](std::string_view ref) {
            auto slash = ref.find('/');
            if (slash == std::string_view::npos) return; // bare: below
            std::string_view src_name = ref.substr(0, slash);
            std::string_view col = ref.substr(slash + 1);
            for (auto const& s : sources) {
                if (s.name && detail::same_name(*s.name, src_name)) {
                    add(s.id, col, c.name, column_match::formula);
                    found = true;
                }
            }
        });
        // The bare references, read again only when they count (no list kept).
        if (!found && sources.size() == 1)
            for_each_formula_reference(*c.formula, [&](std::string_view ref) {
                if (ref.find('/') == std::string_view::npos) add(sources.front().id, ref, c.name, column_match::name);
            });
    }
    return r;
}

} // namespace sigma::extract

#endif
// ---- end <sigma/extract/column_lineage.hpp> ----
// ---- begin <sigma/extract/service_types.hpp> ----
// SPDX-License-Identifier: MIT
// Sigma connection types mapped to OpenMetadata database service types, so
// that lineage can name the warehouse table's service.
#ifndef SIGMA_EXTRACT_SERVICE_TYPES_HPP
#define SIGMA_EXTRACT_SERVICE_TYPES_HPP


#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sigma::extract {

// Keys are compared without case and without '-', '_' and spaces, since Sigma
// spells them variously (bigQuery, big-query).
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 17> connection_service_types{{
    {"snowflake", "Snowflake"},
    {"bigquery", "BigQuery"},
    {"redshift", "Redshift"},
    {"databricks", "Databricks"},
    {"postgres", "Postgres"},
    {"postgresql", "Postgres"},
    {"alloydb", "Postgres"},
    {"mysql", "Mysql"},
    {"athena", "Athena"},
    {"trino", "Trino"},
    {"starburst", "Trino"},
    {"presto", "Presto"},
    {"sqlserver", "Mssql"},
    {"azuresql", "AzureSQL"},
    {"synapse", "Synapse"},
    {"oracle", "Oracle"},
    {"clickhouse", "Clickhouse"},
}};

// OpenMetadata's DatabaseServiceType for a Sigma connection type, or nullopt.
inline std::optional<std::string> service_type_for(std::string_view connection_type) {
    std::string key;
    for (char c : connection_type)
        if (c != '-' && c != '_' && c != ' ') key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto const& [k, v] : connection_service_types)
        if (k == key) return std::string(v);
    return std::nullopt;
}

} // namespace sigma::extract

#endif
// ---- end <sigma/extract/service_types.hpp> ----
// ---- begin <sigma/extract/extractor.hpp> ----
// SPDX-License-Identifier: MIT
// The connector's walk of an organisation: listings once, then each data
// model and each workbook in full, handed to a sink as soon as it is complete.
// Failures of one entity are recorded and the walk goes on; failures of an
// organisation-wide listing make the run incomplete.
#ifndef SIGMA_EXTRACT_EXTRACTOR_HPP
#define SIGMA_EXTRACT_EXTRACTOR_HPP

// ---- begin <sigma/extract/detail/listings.hpp> ----
// SPDX-License-Identifier: MIT
// The extraction's own views of the listings it reads most: the same requests
// as sigma::api's endpoints, decoded into only the members it uses. A key not
// described is skipped by the parser without being built, and these pages are
// mostly such keys: a column's raw `type` object (a boost::json::value: a DOM
// build and two allocations per column, then thrown away), an element's
// `columns` (display names the column listing gives again), a file's dates,
// path, owner and permission. They are skipped under json::key_policy::reject
// too (api::partial_entries).
#ifndef SIGMA_EXTRACT_DETAIL_LISTINGS_HPP
#define SIGMA_EXTRACT_DETAIL_LISTINGS_HPP


#include <boost/describe/class.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace sigma::extract::detail {

// A column of GET /workbooks/{id}/columns or /dataModels/{id}/columns.
struct column_fields {
    std::string columnId;
    std::optional<std::string> name;
    std::optional<std::string> label;
    std::string formula;
    std::string elementId;
};
BOOST_DESCRIBE_STRUCT(column_fields, (), (columnId, name, label, formula, elementId))

// An element of a page's or a data model's element listing.
struct element_fields {
    std::string elementId;
    std::optional<std::string> name;
    std::optional<std::string> type;
    std::optional<std::string> vizualizationType;
};
BOOST_DESCRIBE_STRUCT(element_fields, (), (elementId, name, type, vizualizationType))

// An entry of GET /workbooks/{id}/queries.
struct query_fields {
    std::string elementId;
    std::optional<std::string> sql;
};
BOOST_DESCRIBE_STRUCT(query_fields, (), (elementId, sql))

// An entry of GET /files: what places workbooks and data models in their
// workspaces, and their badge.
struct file_fields {
    std::string id;
    std::string name;
    api::file_type type = api::file_type::unknown;
    std::string parentId;
    std::optional<std::string> badge;
};
BOOST_DESCRIBE_STRUCT(file_fields, (), (id, name, type, parentId, badge))

struct list_files : api::endpoint<"/files", file_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
};
BOOST_DESCRIBE_STRUCT(list_files, (), ())

struct list_workbook_columns : api::endpoint<"/workbooks/{workbookId}/columns", column_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_columns, (), (workbookId))

struct list_page_elements
    : api::endpoint<"/workbooks/{workbookId}/pages/{pageId}/elements", element_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string workbookId;
    std::string pageId;
};
BOOST_DESCRIBE_STRUCT(list_page_elements, (), (workbookId, pageId))

struct list_workbook_queries : api::endpoint<"/workbooks/{workbookId}/queries", query_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_queries, (), (workbookId))

struct list_data_model_elements
    : api::endpoint<"/dataModels/{dataModelId}/elements", element_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_elements, (), (dataModelId))

struct list_data_model_columns : api::endpoint<"/dataModels/{dataModelId}/columns", column_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_columns, (), (dataModelId))

// The same requests as the public endpoints, whatever they become.
template <class Mine, class Theirs>
constexpr bool same_request() {
    return Mine::path_template == Theirs::path_template && Mine::paging_style == Theirs::paging_style &&
           Mine::method == Theirs::method && Mine::fixed_version == Theirs::fixed_version &&
           Mine::soft.codes == Theirs::soft.codes &&
           Mine::soft.count == Theirs::soft.count && Mine::max_page_size == Theirs::max_page_size;
}
static_assert(same_request<list_files, api::list_files>());
static_assert(same_request<list_workbook_columns, api::list_workbook_columns>());
static_assert(same_request<list_page_elements, api::list_page_elements>());
static_assert(same_request<list_workbook_queries, api::list_workbook_queries>());
static_assert(same_request<list_data_model_elements, api::list_data_model_elements>());
static_assert(same_request<list_data_model_columns, api::list_data_model_columns>());

} // namespace sigma::extract::detail

#endif
// ---- end <sigma/extract/detail/listings.hpp> ----
// ---- begin <sigma/extract/detail/ordered_tasks.hpp> ----
// SPDX-License-Identifier: MIT
// Runs n coroutines with a bound on how many run at once and hands their
// results on in index order, whatever order they finish in: concurrency for
// speed, a stable order for the output.
#ifndef SIGMA_EXTRACT_DETAIL_ORDERED_TASKS_HPP
#define SIGMA_EXTRACT_DETAIL_ORDERED_TASKS_HPP


#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma::extract::detail {

// What co_await of a T gives: T itself when T is not an awaitable (a feed's
// next() may return its optional directly).
template <class T>
struct awaitable_value {
    using type = T;
};
template <class T, class E>
struct awaitable_value<boost::asio::awaitable<T, E>> {
    using type = T;
};

template <class T>
inline constexpr bool is_awaitable_v = false;
template <class T, class E>
inline constexpr bool is_awaitable_v<boost::asio::awaitable<T, E>> = true;

// How a task hands its result over: as its awaitable's value, by filling a
// slot it is given (no moves of a large result), or not at all (void).
enum class ordered_result { value, in_place, none };

// Results wait for their turn in a ring: no task starts `lookahead` places
// past the first result not yet emitted, so `lookahead` slots never collide
// (a map node per task cost an allocation each).
template <class V>
struct ordered_slots {
    std::vector<std::optional<V>> values;
    std::vector<unsigned char> done;
    explicit ordered_slots(std::size_t n) : values(n), done(n, 0) {}
};
template <>
struct ordered_slots<void> {
    std::vector<unsigned char> done;
    explicit ordered_slots(std::size_t n) : done(n, 0) {}
};

// The loop of run_ordered and run_ordered_feed_in_place. next() gives the next
// item (an optional, or an awaitable of one; nullopt at the end), asked for
// only when a task could start; make(item) -> awaitable<V> (value, none) or
// make(item, V&) -> awaitable<void> (in_place); emit(i, V&&), or emit(i) for
// none, in index order on this coroutine. At most `limit` tasks run at once,
// none more than `lookahead` places past the first result not yet emitted.
// The executor must run on one thread (or be a strand): the tasks share the
// caller's state.
template <class V, ordered_result How, class Next, class Make, class Emit>
boost::asio::awaitable<void> ordered_loop(std::size_t ring, std::size_t limit, std::size_t lookahead, Next next,
                                          Make make, Emit emit) {
    using next_type = std::invoke_result_t<Next&>;
    auto ex = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer wake(ex);
    ordered_slots<V> held(std::max<std::size_t>(1, ring));
    ring = held.done.size();
    std::exception_ptr failure;
    std::size_t next_start = 0, next_emit = 0, running = 0;
    bool exhausted = false;

    while (!exhausted || next_emit < next_start || running > 0) {
        while (!failure && !exhausted && running < limit && next_start < next_emit + lookahead) {
            typename awaitable_value<next_type>::type item;
            if constexpr (is_awaitable_v<next_type>) {
                try {
                    item = co_await next();
                } catch (...) {
                    failure = std::current_exception();
                    break;
                }
            } else {
                item = next();
            }
            if (!item) {
                exhausted = true;
                break;
            }
            ++running;
            std::size_t const k = next_start % ring;
            auto finish = [&, k](std::exception_ptr e) {
                --running;
                if (e) {
                    if (!failure) failure = e;
                } else {
                    held.done[k] = 1;
                }
                wake.cancel();
            };
            if constexpr (How == ordered_result::value) {
                boost::asio::co_spawn(ex, make(std::move(*item)), [&, k, finish](std::exception_ptr e, V v) {
                    if (!e) held.values[k].emplace(std::move(v));
                    finish(e);
                });
            } else if constexpr (How == ordered_result::in_place) {
                boost::asio::co_spawn(ex, make(std::move(*item), held.values[k].emplace()), finish);
            } else {
                boost::asio::co_spawn(ex, make(std::move(*item)), finish);
            }
            ++next_start;
        }
        bool progressed = false;
        while (!failure && next_emit < next_start && held.done[next_emit % ring]) {
            std::size_t const k = next_emit % ring;
            held.done[k] = 0;
            if constexpr (How == ordered_result::none) {
                emit(next_emit);
            } else {
                emit(next_emit, std::move(*held.values[k]));
                held.values[k].reset();
            }
            ++next_emit;
            progressed = true;
        }
        if (failure && running == 0) break;
        if (progressed) continue;
        if (running == 0 && (exhausted || failure)) break;
        if (running == 0) continue; // room to start more: ask for the next item
        wake.expires_at(boost::asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    if (failure) std::rethrow_exception(failure);
}

inline std::size_t default_lookahead(std::size_t limit, std::size_t lookahead) {
    return lookahead < std::max<std::size_t>(1, limit) ? 4 * std::max<std::size_t>(1, limit) : lookahead;
}

// The two wrappers below are plain functions returning the loop: no coroutine
// frame of their own.

// make(i) -> awaitable<R> for i in [0, n); emit(i, R&&) in index order on
// this coroutine (R void: emit(i)). At most `limit` tasks run at once, and
// none starts more than `lookahead` places after the first result not yet
// emitted, which bounds the results held back waiting for a slow predecessor.
template <class Make, class Emit>
boost::asio::awaitable<void> run_ordered(std::size_t n, std::size_t limit, Make make, Emit emit,
                                         std::size_t lookahead = 0) {
    using value_type = typename awaitable_value<std::invoke_result_t<Make&, std::size_t>>::type;
    constexpr auto how = std::is_void_v<value_type> ? ordered_result::none : ordered_result::value;
    lookahead = default_lookahead(limit, lookahead);
    auto next = [i = std::size_t{0}, n]() mutable -> std::optional<std::size_t> {
        if (i == n) return std::nullopt;
        return i++;
    };
    return ordered_loop<value_type, how>(std::min(n, lookahead), std::max<std::size_t>(1, limit), lookahead,
                                         std::move(next), std::move(make), std::move(emit));
}

// The tasks of run_all and their budget, behind one interface, so that the
// loop below is compiled once rather than once per caller's lambda.
class pool_tasks {
public:
    virtual ~pool_tasks() = default;
    virtual boost::asio::awaitable<void> task(std::size_t i) = 0;
    virtual bool take() = 0;
    virtual void give() = 0;
};

template <class Make, class Extra>
class pool_tasks_of final : public pool_tasks {
public:
    pool_tasks_of(Make make, Extra extra) : make_(std::move(make)), extra_(std::move(extra)) {}
    boost::asio::awaitable<void> task(std::size_t i) override { return make_(i); }
    bool take() override { return extra_.take(); }
    void give() override { extra_.give(); }

private:
    Make make_;
    Extra extra_;
};

inline boost::asio::awaitable<void> run_pool(std::size_t n, std::size_t limit, std::unique_ptr<pool_tasks> tasks) {
    if (n == 0) co_return;
    limit = std::max<std::size_t>(1, limit);
    auto ex = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer all_ended(ex, boost::asio::steady_timer::time_point::max());
    std::exception_ptr failure;
    std::size_t next = 0, running = 0;
    pool_tasks& pool = *tasks;
    auto ended = [&](std::exception_ptr e) {
        if (e && !failure) failure = e;
        if (--running == 0) all_ended.cancel();
    };
    auto extra_ended = [&](std::exception_ptr e) {
        pool.give();
        ended(e);
    };
    auto worker = [&](auto& self) -> boost::asio::awaitable<void> {
        while (!failure && next < n) {
            co_await pool.task(next++);
            // One more worker when a task is left besides the one this one
            // takes next, and the budget has a place.
            if (!failure && running < limit && next + 1 < n && pool.take()) {
                ++running;
                boost::asio::co_spawn(ex, self(self), extra_ended);
            }
        }
    };
    ++running;
    boost::asio::co_spawn(ex, worker(worker), ended);
    for (std::size_t w = 1; w < std::min(n, limit) && pool.take(); ++w) {
        ++running;
        boost::asio::co_spawn(ex, worker(worker), extra_ended);
    }
    if (running > 0) { // else every worker ended before this point: nothing to wait for
        boost::system::error_code ec;
        co_await all_ended.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    if (failure) std::rethrow_exception(failure);
}

// Tasks without a result, all run (at most `limit` at once) before it
// returns. Nothing waits to be handed on in order, so workers each take the
// next index until none is left: no spawn per task, and the caller wakes
// once, when the last worker ends. After a task throws no other starts; the
// first exception is rethrown once the running ones have ended.
//
// Workers past the first each take a place from `extra` (a handle, copied:
// take() -> bool, give() when the worker ends), at the start and whenever a
// task ends. Pools nest (a workbook's pages inside the pool of workbooks): a
// shared budget keeps the workers of every level within what the client
// serves at once, where a `limit` per level multiplied into coroutines
// queued at its admission, a wait and a wake each for nothing.
//
// A plain function: `make` and `extra` move into the loop's frame.
template <class Make, class Extra>
boost::asio::awaitable<void> run_all(std::size_t n, std::size_t limit, Make make, Extra extra) {
    return run_pool(n, limit, std::make_unique<pool_tasks_of<Make, Extra>>(std::move(make), std::move(extra)));
}

// A budget without bounds: `limit` workers at once.
struct unbounded_workers {
    static constexpr bool take() noexcept { return true; }
    static constexpr void give() noexcept {}
};

template <class Make>
boost::asio::awaitable<void> run_all(std::size_t n, std::size_t limit, Make make) {
    return run_all(n, limit, std::move(make), unbounded_workers{});
}

// Over items that arrive one by one: next() -> awaitable<optional<Item>> (or
// optional<Item>; nullopt at the end) is asked for an item only when a task
// could start, so a paged listing is read as the crawl needs it rather than
// held whole. make(Item&&, R&) -> awaitable<void> fills a default-constructed
// R that waits there for its turn, so a large R is not moved from coroutine
// to handler to queue; emit(R&&) in the items' order.
template <class R, class Next, class Make, class Emit>
boost::asio::awaitable<void> run_ordered_feed_in_place(std::size_t limit, Next next, Make make, Emit emit,
                                                       std::size_t lookahead = 0) {
    lookahead = default_lookahead(limit, lookahead);
    return ordered_loop<R, ordered_result::in_place>(
        lookahead, std::max<std::size_t>(1, limit), lookahead, std::move(next), std::move(make),
        [emit = std::move(emit)](std::size_t, R&& v) mutable { emit(std::move(v)); });
}

} // namespace sigma::extract::detail

SIGMA_COROUTINES_END

#endif
// ---- end <sigma/extract/detail/ordered_tasks.hpp> ----
// ---- begin <sigma/extract/state.hpp> ----
// SPDX-License-Identifier: MIT
// The state of incremental runs: what the last complete run saw of each
// workbook and data model (its updatedAt and latestVersion, and everything
// that run read about it), so that the next run re-reads only what changed
// and still hands the sink exactly what a full run would.
//
// The file is JSON, versioned ("sigmaState": 1), written atomically (a
// temporary file in the same directory, flushed, then renamed over the old
// one) and checked when read: a file that is not JSON, is cut short, comes
// from a newer sigma-cpp, names another organisation, or whose entries do
// not match their digests is refused with an error naming the file and what
// is wrong. It is never silently discarded: a full run (`--full`) is the way
// to start again.
#ifndef SIGMA_EXTRACT_STATE_HPP
#define SIGMA_EXTRACT_STATE_HPP


#include <boost/describe/class.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace sigma::extract {

// The format this library writes and the newest it reads.
inline constexpr int state_format = 1;

// Lineage names a data model by its urlId; the extraction writes the id the
// data model listing gives for it. The state keeps the pair, so that a later
// run can write what its own listing says (the model may be gone, or back).
struct data_model_alias {
    std::string urlId;
    std::string dataModelId;
    bool operator==(data_model_alias const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_alias, (), (urlId, dataModelId))

// What a run read about one workbook, beyond its listing entry. The parts
// that come from organisation-wide listings (owner, workspace, badge, tags,
// names, URLs) are not kept: each run takes them from its own listings.
struct state_workbook {
    std::string workbookId;
    std::string name;
    std::string updatedAt;
    std::int64_t latestVersion = 0;
    // Read without a failure and every table resolved exactly: may be
    // re-emitted as it is while the workbook is unchanged. An entry that is
    // not reusable still names the elements (for deletions) and is re-read.
    bool reusable = true;
    std::string digest; // of pages, dataModelIds and dataModelAliases, checked when the file is read
    std::vector<page_info> pages;
    std::vector<std::string> dataModelIds;
    std::vector<std::string> warnings;   // what the read noted (e.g. a retired dataset source)
    std::vector<filtered> filteredOut;   // its elements the chart filter left out
    std::vector<data_model_alias> dataModelAliases; // the data model sources' ids, as this run wrote them
    bool operator==(state_workbook const&) const = default;
};
BOOST_DESCRIBE_STRUCT(state_workbook, (),
                      (workbookId, name, updatedAt, latestVersion, reusable, digest, pages, dataModelIds, warnings,
                       filteredOut, dataModelAliases))

struct state_data_model {
    std::string dataModelId;
    std::string name;
    std::optional<std::string> updatedAt; // absent in the listing: never reused
    std::int64_t latestVersion = 0;
    bool reusable = true;
    std::string digest; // of elements
    std::vector<data_model_element_info> elements;
    bool operator==(state_data_model const&) const = default;
};
BOOST_DESCRIBE_STRUCT(state_data_model, (),
                      (dataModelId, name, updatedAt, latestVersion, reusable, digest, elements))

struct state {
    int sigmaState = state_format;
    std::string writtenBy;     // "sigma-cpp 0.3.0"
    std::string hostPort;      // the organisation it describes: the same host
    std::string clientId;      // and credential must read it back
    std::string optionsDigest; // the options that shape what is read; another set: nothing is reused
    std::vector<state_workbook> workbooks;   // by id
    std::vector<state_data_model> dataModels; // by id
    bool operator==(state const&) const = default;
};
BOOST_DESCRIBE_STRUCT(state, (), (sigmaState, writtenBy, hostPort, clientId, optionsDigest, workbooks, dataModels))

// A run's incremental side: the state it starts from and the one it leaves.
struct incremental {
    // What the last complete run saw; nullopt for a first or a full run (the
    // run then reads everything, and deletes nothing).
    std::optional<state> previous;
    // What this run saw, for the next one. Save it only when `advance`: an
    // incomplete run (an organisation-wide listing failed) leaves it unset.
    state next;
    bool advance = false;
};

namespace detail {

// FNV-1a, 64 bits: a fixed function, so digests are the same on every
// platform and build (std::hash is not).
constexpr std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) noexcept {
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

inline std::string hex64(std::uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 0xf];
    return s;
}

// The options that change what a workbook's or data model's read gives.
struct options_fingerprint {
    filter_pattern chartFilterPattern;
    bool includeColumns = true;
    bool includeQueries = true;
    bool includeLineage = true;
    bool includeDataModels = true;
    std::string apiVersion;
};
BOOST_DESCRIBE_STRUCT(options_fingerprint, (),
                      (chartFilterPattern, includeColumns, includeQueries, includeLineage, includeDataModels,
                       apiVersion))

struct state_header {
    std::optional<int> sigmaState;
};
BOOST_DESCRIBE_STRUCT(state_header, (), (sigmaState))

struct workbook_digest_view {
    std::vector<page_info> const* pages;
    std::vector<std::string> const* dataModelIds;
};

} // namespace detail

[[nodiscard]] inline std::string options_digest(options const& o, std::string_view api_version) {
    detail::options_fingerprint f{o.chartFilterPattern, o.includeColumns, o.includeQueries, o.includeLineage,
                                  o.includeDataModels, std::string(api_version)};
    return detail::hex64(detail::fnv1a(json::encode(f)));
}

[[nodiscard]] inline std::string digest_of(state_workbook const& w) {
    auto h = detail::fnv1a(json::encode(w.pages));
    h = detail::fnv1a(json::encode(w.dataModelIds), h);
    return detail::hex64(detail::fnv1a(json::encode(w.dataModelAliases), h));
}

[[nodiscard]] inline std::string digest_of(state_data_model const& m) {
    return detail::hex64(detail::fnv1a(json::encode(m.elements)));
}

namespace detail {
// One organisation, as far as a state file can tell: the same API host and
// credential. A loopback host (a simulated organisation, a test server) is
// the same whatever its port, which such servers pick afresh on each start.
inline bool same_origin(std::string_view a, std::string_view b) {
    if (a == b) return true;
    auto without_port = [](std::string_view u) -> std::string_view {
        for (std::string_view host : {"://127.0.0.1:", "://localhost:", "://[::1]:"}) {
            auto at = u.find(host);
            if (at != std::string_view::npos) return u.substr(0, at + host.size() - 1);
        }
        return {};
    };
    auto pa = without_port(a), pb = without_port(b);
    return !pa.empty() && pa == pb;
}
} // namespace detail

// Checks that `s` may be read back by a run against `connection`; the error
// reads after "the state ".
[[nodiscard]] inline result<void> check_state(state const& s, sigma::config const& connection) {
    if (!detail::same_origin(s.hostPort, connection.hostPort) || s.clientId != connection.clientId)
        return sigma::error(errc::config, "was written for hostPort " + s.hostPort + " and clientId " + s.clientId +
                                              ", not for this run's (" + connection.hostPort + ", " +
                                              connection.clientId +
                                              "): give another state file, or run in full to replace it");
    return {};
}

// Reads a state file's text. `name` (the file) starts every error.
[[nodiscard]] inline result<state> parse_state(std::string_view text, std::string_view name) {
    std::string const where(name);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return sigma::error(errc::json_syntax, where + ": empty (cut short?); not a sigma-cpp state file");
    auto header = json::decode<detail::state_header>(text);
    if (!header) return sigma::error(header.error().code(), where + ": " + header.error().message());
    if (!header->sigmaState)
        return sigma::error(errc::json_missing_key, where + ": no \"sigmaState\": not a sigma-cpp state file");
    if (*header->sigmaState > state_format || *header->sigmaState < 1)
        return sigma::error(errc::config, where + ": format " + std::to_string(*header->sigmaState) +
                                              " (this sigma-cpp reads format " + std::to_string(state_format) +
                                              "; it was written by a newer one)");
    json::decode_options strict;
    strict.unknown_keys = json::key_policy::reject; // a key we do not know means we would lose it on rewrite
    auto s = json::decode<state>(text, strict);
    if (!s) return sigma::error(s.error().code(), where + ": " + s.error().message(), s.error().json_pointer());
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < s->workbooks.size(); ++i) {
        auto const& w = s->workbooks[i];
        std::string at = where + ": /workbooks/" + std::to_string(i);
        if (!seen.insert(w.workbookId).second) return sigma::error(errc::json_invalid, at + ": workbook " + w.workbookId + " twice");
        if (digest_of(w) != w.digest)
            return sigma::error(errc::json_invalid, at + ": the digest does not match workbook " + w.workbookId +
                                                        " (the file was edited or damaged)");
    }
    seen.clear();
    for (std::size_t i = 0; i < s->dataModels.size(); ++i) {
        auto const& m = s->dataModels[i];
        std::string at = where + ": /dataModels/" + std::to_string(i);
        if (!seen.insert(m.dataModelId).second)
            return sigma::error(errc::json_invalid, at + ": data model " + m.dataModelId + " twice");
        if (digest_of(m) != m.digest)
            return sigma::error(errc::json_invalid, at + ": the digest does not match data model " + m.dataModelId +
                                                        " (the file was edited or damaged)");
    }
    return std::move(*s);
}

// Reads the state file at `path`: nullopt when there is none yet (a first
// run); an error when it exists but cannot be read or used.
[[nodiscard]] inline result<std::optional<state>> load_state(std::string const& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        if (errno == ENOENT) return std::optional<state>();
        return sigma::error(errc::config, path + ": cannot be read (" + std::strerror(errno) + ")");
    }
    std::string text;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    bool const failed = std::ferror(f) != 0;
    int const err = errno;
    std::fclose(f);
    if (failed) return sigma::error(errc::config, path + ": cannot be read (" + std::strerror(err) + ")");
    auto s = parse_state(text, path);
    if (!s) return std::move(s).error();
    return std::optional<state>(std::move(*s));
}

// Writes `s` to `path` atomically: a reader sees the old file or the new
// one, never a part of either.
[[nodiscard]] inline result<void> save_state(state const& s, std::string const& path) {
    std::string const tmp = path + ".tmp";
    std::string const text = json::encode(s) + "\n";
    auto fail = [&](char const* what) {
        int const err = errno;
        std::remove(tmp.c_str());
        return sigma::error(errc::config, path + ": cannot " + what + " the state (" + std::strerror(err) + ")");
    };
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) return fail("write");
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0;
#if defined(__unix__) || defined(__APPLE__)
    ok = ok && ::fsync(::fileno(f)) == 0; // the data is on disk before the rename makes it the state
#endif
    if (std::fclose(f) != 0) ok = false;
    if (!ok) return fail("write");
    if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail("replace");
    return {};
}

} // namespace sigma::extract

#endif
// ---- end <sigma/extract/state.hpp> ----

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <memory>

#include <map>
#include <optional>
#include <set>
#include <variant>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma::extract {

namespace detail {

template <class>
struct is_basic_client : std::false_type {};
template <class T>
struct is_basic_client<basic_client<T>> : std::true_type {};

inline std::string element_url(std::string const& workbook_url, std::string const& element_id) {
    if (workbook_url.empty()) return {};
    char sep = workbook_url.find('?') == std::string::npos ? '?' : '&';
    constexpr std::string_view node = ":nodeId=", full = "&:fullScreen=true";
    std::string out; // sized once: one allocation per element, not one per `+`
    out.reserve(workbook_url.size() + 1 + node.size() + element_id.size() + full.size());
    out += workbook_url;
    out += sep;
    out += node;
    out += element_id;
    out += full;
    return out;
}

inline std::string strip_inode(std::string const& id) { return id.rfind("inode-", 0) == 0 ? id.substr(6) : id; }

inline std::string first_path_part(std::string const& path) {
    auto slash = path.find('/');
    return slash == std::string::npos ? path : path.substr(0, slash);
}

// `path` is `scope` or a folder under it ("Sales" holds "Sales/Q1", not "Salesforce").
inline bool path_within(std::string_view path, std::string_view scope) {
    while (!scope.empty() && scope.back() == '/') scope.remove_suffix(1);
    if (scope.empty()) return true;
    return path.substr(0, scope.size()) == scope && (path.size() == scope.size() || path[scope.size()] == '/');
}

// A workbook's elements by id, the last of equal ids winning (as a map
// assigned in order would). One open-addressed table of positions, not a
// node per element; and since the listings come in element order, the
// element after the last hit is tried first when ids are unique.
class element_index {
public:
    void reserve(std::size_t n) { order_.reserve(n); }
    void add(element_info& el) { order_.push_back(&el); }
    void seal() {
        std::size_t cap = 8;
        while (cap < 2 * order_.size()) cap *= 2;
        slots_.assign(cap, empty);
        for (std::size_t pos = 0; pos < order_.size(); ++pos) {
            std::string_view const id = order_[pos]->elementId;
            for (std::size_t h = hash(id) & (cap - 1);; h = (h + 1) & (cap - 1)) {
                if (slots_[h] == empty) {
                    slots_[h] = pos;
                    break;
                }
                if (order_[slots_[h]]->elementId == id) {
                    slots_[h] = pos; // the later one wins
                    unique_ = false;
                    break;
                }
            }
        }
    }
    element_info* find(std::string_view id) {
        if (last_ < order_.size()) {
            if (order_[last_]->elementId == id) return order_[last_];
            if (unique_ && last_ + 1 < order_.size() && order_[last_ + 1]->elementId == id) return order_[++last_];
        }
        std::size_t const mask = slots_.size() - 1;
        for (std::size_t h = hash(id) & mask; slots_[h] != empty; h = (h + 1) & mask)
            if (order_[slots_[h]]->elementId == id) {
                last_ = slots_[h];
                return order_[last_];
            }
        return nullptr;
    }

private:
    static constexpr std::size_t empty = static_cast<std::size_t>(-1);
    static std::size_t hash(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }
    std::vector<element_info*> order_;
    std::vector<std::size_t> slots_;
    std::size_t last_ = empty;
    bool unique_ = true;
};

} // namespace detail

template <class Client>
class extractor {
    static_assert(detail::is_basic_client<Client>::value,
                  "sigma::extract: the client must be a sigma::basic_client<Transport>");

public:
    extractor(Client& c, options o, compiled_filters f) : client_(c), opts_(std::move(o)), filters_(std::move(f)) {}

    // Up to the client's max_concurrency requests run at once; the sink still
    // receives entities in the order of a sequential walk (listing order), and
    // the report's lists are in that order too, so runs are reproducible.
    // With `inc`, an incremental run: unchanged workbooks and data models come
    // from inc->previous without asking the API, and inc->next is what this
    // run saw (see sigma/extract/state.hpp).
    template <sink S>
    boost::asio::awaitable<report> run(S& out, incremental* inc = nullptr) {
        auto const start = client_.stats();
        rep_ = report{};
        rep_.complete = true;
        width_ = std::max<std::size_t>(1, client_.options().max_concurrency);
        start_state(inc);

        // The organisation-wide listings do not depend on each other.
        notes n_members, n_files, n_workspaces, n_connections, n_models, n_workbooks;
        std::vector<api::list_workspaces::response_type> listed_workspaces;
        std::vector<api::connection> connections;
        std::vector<api::data_model> models;
        bool models_ok = false;
        workbook_feed workbooks(*this, n_workbooks);
        auto listing = [&](std::size_t i) -> boost::asio::awaitable<void> {
            switch (i) {
            case 0:
                if (opts_.includeOwners) co_await load_members(n_members);
                break;
            case 1: co_await load_files(n_files); break;
            case 2: co_await list_all(api::list_workspaces{}, "workspaces", n_workspaces, listed_workspaces); break;
            case 3: co_await list_all(api::list_connections{}, "connections", n_connections, connections); break;
            case 4:
                // Listed also when scoped to workbook ids alone (which reads
                // none of them): lineage names data models by urlId.
                if (opts_.includeDataModels)
                    models_ok = co_await list_all(api::list_data_models{}, "data models", n_models, models);
                break;
            default: co_await workbooks.prefetch(); break; // the first page, while the rest is listed
            }
        };
        co_await detail::run_all(6, width_, listing, workers());
        merge(std::move(n_members));
        merge(std::move(n_files));
        merge(std::move(n_workspaces));

        co_await load_workspaces(std::move(listed_workspaces), out);
        merge(std::move(n_connections));
        for (auto& c : connections) {
            out.on_connection(c);
            connections_.emplace(c.connectionId, std::move(c));
        }
        merge(std::move(n_models));
        if (!models_ok) models.clear();
        co_await extract_entities(std::move(models), workbooks, out);
        merge(std::move(n_workbooks));

        // Tables are shared by many entities; their notes come last, by id.
        for (auto& [id, t] : table_notes_) merge(std::move(t));
        finish_state();

        auto const& end = client_.stats();
        rep_.requests = end.requests - start.requests;
        rep_.retries = end.retries - start.retries;
        rep_.rateLimited = end.rate_limited - start.rate_limited;
        out.on_finish(rep_);
        co_return rep_;
    }

private:
    // An answer not asked for yet (a switched-off part) is nullopt.
    template <class E>
    using listing = std::optional<result<std::vector<typename E::response_type>>>;
    template <class E>
    using answer = std::optional<result<typename E::response_type>>;

    // What one part of the run found wrong, merged into the report in a fixed
    // order whatever order the parts finished in.
    struct notes {
        bool incomplete = false;
        std::string incompleteReason;
        std::vector<std::string> warnings;
        std::vector<failure> failures;
        std::vector<filtered> filteredOut;
        std::uint64_t lineageEdges = 0, columnEdges = 0, columnNameFallbacks = 0;

        void fail(std::string entity, std::string endpoint, sigma::error const& e) {
            failures.push_back({std::move(entity), std::move(endpoint), e.message()});
        }
        void filter_out(std::string kind, std::string name, std::string why) {
            filteredOut.push_back({std::move(kind), std::move(name), std::move(why)});
        }
    };

    void merge(notes&& n) {
        if (n.incomplete) {
            rep_.complete = false;
            if (rep_.incompleteReason.empty()) rep_.incompleteReason = std::move(n.incompleteReason);
        }
        for (auto& w : n.warnings) rep_.warnings.push_back(std::move(w));
        for (auto& f : n.failures) rep_.failures.push_back(std::move(f));
        for (auto& f : n.filteredOut) rep_.filteredOut.push_back(std::move(f));
        rep_.lineageEdges += n.lineageEdges;
        rep_.columnEdges += n.columnEdges;
        rep_.columnNameFallbacks += n.columnNameFallbacks;
    }

    // ---- helpers -------------------------------------------------------------

    template <class E>
    std::string describe(E const& e) const {
        auto t = api::build_target(e, client_.settings().settings.apiVersion);
        return std::string(to_string(E::method)) + " " + (t ? *t : std::string(E::path_template));
    }

    static void listing_failed(notes& n, std::string const& what, std::string endpoint, sigma::error const& e) {
        if (!n.incomplete) n.incompleteReason = "listing " + what + " failed: " + e.message();
        n.incomplete = true;
        n.fail("organisation: " + what, std::move(endpoint), e);
    }

    std::optional<std::string> email_of(std::optional<std::string> const& member_id) const {
        if (!opts_.includeOwners || !member_id) return std::nullopt;
        auto it = member_email_.find(*member_id);
        if (it == member_email_.end() || it->second.empty()) return std::nullopt;
        return it->second;
    }

    // Every entry of an organisation-wide listing; false (and the run
    // incomplete) when it fails.
    template <class E, class T>
    boost::asio::awaitable<bool> list_all(E e, std::string const& what, notes& n, std::vector<T>& into) {
        auto r = co_await client_.async_list_all(e);
        if (!r) {
            listing_failed(n, what, describe(e), r.error());
            co_return false;
        }
        into = std::move(*r);
        co_return true;
    }

    // ---- organisation-wide listings ---------------------------------------

    boost::asio::awaitable<void> load_members(notes& n) {
        std::vector<api::list_members::response_type> all;
        if (!co_await list_all(api::list_members{}, "members", n, all)) co_return;
        for (auto& m : all) {
            member_email_[m.memberId] = m.email;
            if (m.homeFolderId && !m.homeFolderId->empty()) home_folder_owner_[*m.homeFolderId] = m.memberId;
        }
    }

    // Only what the walk needs of each file, page by page: an organisation's
    // /files listing is its largest.
    boost::asio::awaitable<void> load_files(notes& n) {
        detail::list_files e;
        auto pages = client_.pages(e);
        for (;;) {
            auto r = co_await pages.next();
            if (!r) {
                files_.clear(); // half a tree would misplace workbooks
                listing_failed(n, "files", describe(e), r.error());
                co_return;
            }
            if (!*r) break;
            for (auto& f : **r) {
                file_node node;
                node.parentId = std::move(f.parentId);
                node.type = f.type;
                if (f.type == api::file_type::workspace) node.name = std::move(f.name);
                if (f.badge && !f.badge->empty()) node.badge = std::move(f.badge);
                files_.insert_or_assign(std::move(f.id), std::move(node));
            }
        }
    }

    // The workbooks, listed page by page as the crawl asks for them (the
    // listing is never held whole): the live ones, then with includeArchived
    // the archived ones not already seen.
    class workbook_feed {
    public:
        workbook_feed(extractor& x, notes& n) : x_(x), n_(n), pager_(x.client_.pages(api::list_workbooks{})) {}

        // Reads the first page ahead, alongside the other listings.
        boost::asio::awaitable<void> prefetch() { co_await fill(); }

        boost::asio::awaitable<std::optional<api::workbook>> next() {
            for (;;) {
                if (pos_ < buffer_.size()) {
                    auto w = std::move(buffer_[pos_++]);
                    if (x_.opts_.includeArchived && !seen_.insert(w.workbookId).second) continue;
                    co_return std::optional<api::workbook>(std::move(w));
                }
                if (done_) co_return std::optional<api::workbook>();
                co_await fill();
            }
        }

    private:
        boost::asio::awaitable<void> fill() {
            buffer_.clear();
            pos_ = 0;
            if (done_) co_return;
            auto r = co_await pager_.next();
            if (!r) {
                api::list_workbooks e;
                if (archived_) e.isArchived = true;
                listing_failed(n_, archived_ ? "archived workbooks" : "workbooks", x_.describe(e), r.error());
                done_ = true;
                co_return;
            }
            if (*r) {
                buffer_ = std::move(**r);
                co_return;
            }
            if (!archived_ && x_.opts_.includeArchived) {
                archived_ = true;
                api::list_workbooks e;
                e.isArchived = true;
                pager_ = x_.client_.pages(std::move(e));
                co_return;
            }
            done_ = true;
        }

        extractor& x_;
        notes& n_;
        typename Client::template async_pager<api::list_workbooks> pager_;
        std::vector<api::workbook> buffer_;
        std::size_t pos_ = 0;
        bool archived_ = false;
        bool done_ = false;
        std::set<std::string> seen_; // only with includeArchived: the two listings overlap
    };

    // The workspace (or personal space) a file lives in: walk its parents.
    struct space {
        std::string id;
        bool personal = false;
    };
    std::optional<space> space_of(std::string const& file_id) const {
        std::string cur = file_id;
        for (int depth = 0; depth < 64 && !cur.empty(); ++depth) {
            if (home_folder_owner_.count(cur)) return space{cur, true};
            auto it = files_.find(cur);
            if (it == files_.end()) return std::nullopt;
            if (it->second.type == api::file_type::workspace) return space{cur, false};
            cur = it->second.parentId;
        }
        return std::nullopt;
    }

    template <sink S>
    boost::asio::awaitable<void> load_workspaces(std::vector<api::list_workspaces::response_type> listed, S& out) {
        for (auto& w : listed) workspaces_[w.workspaceId] = workspace_info{w.workspaceId, w.name, true, false, {}};
        // Workspaces seen only through /files: ask for each once; 403 means the
        // credential cannot read it, and its folder name stands in.
        std::vector<std::pair<std::string const, file_node> const*> unseen;
        for (auto const& entry : files_)
            if (entry.second.type == api::file_type::workspace && !workspaces_.count(entry.first)) unseen.push_back(&entry);
        struct found {
            workspace_info info;
            notes n;
        };
        auto ask = [&](std::size_t i) -> boost::asio::awaitable<found> {
            auto const& [id, f] = *unseen[i];
            found r;
            api::get_workspace g;
            g.workspaceId = id;
            auto w = co_await client_.async_get(g);
            if (w) {
                r.info = workspace_info{w->workspaceId, w->name, true, false, {}};
            } else {
                r.info = workspace_info{id, f.name, false, false, {}};
                if (w.error().http().status != 403) r.n.fail("workspace " + id + " (" + f.name + ")", describe(g), w.error());
            }
            co_return r;
        };
        co_await detail::run_ordered(unseen.size(), width_, ask, [&](std::size_t i, found&& r) {
            workspaces_[unseen[i]->first] = std::move(r.info);
            merge(std::move(r.n));
        });
        // Personal spaces that hold something.
        std::set<std::string> used;
        for (auto const& [id, f] : files_)
            if (home_folder_owner_.count(f.parentId)) used.insert(f.parentId);
        for (auto const& home : used) {
            auto email = email_of(home_folder_owner_.at(home));
            workspace_info w{home, "My Documents", true, true, email};
            if (email) w.name = "My Documents (" + *email + ")";
            workspaces_[home] = w;
        }
        for (auto const& [id, w] : workspaces_) {
            if (auto why = filters_.projects.rejects(w.personal ? std::string("My Documents") : w.name)) {
                filtered_projects_.insert(id);
                rep_.filteredOut.push_back({"workspace", w.name, *why});
                continue;
            }
            ++rep_.workspaces;
            out.on_workspace(w);
        }
    }

    // ---- tables ------------------------------------------------------------

    // Resolves a table source exactly through /connections/paths, else through
    // the /files path (`Connection Root/DB/SCHEMA` + the table's name). Each
    // table is asked for once per run: callers arriving while it is being
    // resolved wait for that answer.
    struct table_slot {
        bool ready = false;
        table_ref value;
        std::unique_ptr<boost::asio::steady_timer> done;
    };

    boost::asio::awaitable<table_ref> resolve_table(std::string const& inode_id, std::optional<std::string> name,
                                                    std::optional<std::string> connection_id) {
        if (auto it = tables_.find(inode_id); it != tables_.end()) {
            auto slot = it->second;
            while (!slot->ready) {
                boost::system::error_code ec;
                co_await slot->done->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            }
            co_return slot->value;
        }
        auto slot = std::make_shared<table_slot>();
        slot->done = std::make_unique<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor,
                                                                 boost::asio::steady_timer::time_point::max());
        tables_.emplace(inode_id, slot);
        notes& n = table_notes_[inode_id];

        table_ref t;
        t.inodeId = inode_id;
        t.connectionId = std::move(connection_id);
        std::string const bare = detail::strip_inode(inode_id);
        api::get_connection_path p;
        p.inodeId = bare;
        auto r = co_await client_.async_get(p);
        if (r) {
            t.connectionId = r->connectionId;
            t.path = r->path;
            t.resolvedBy = "connection-path";
        } else {
            n.warnings.push_back("table " + inode_id + ": " + describe(p) + " failed (" + r.error().message() +
                                 "); using the /files path");
            api::get_file f;
            f.inodeId = bare;
            auto file = co_await client_.async_get(f);
            if (file) {
                // "Connection Root/DB/SCHEMA": drop the root, append the table.
                std::vector<std::string> parts;
                std::string_view path = file->path;
                while (!path.empty()) {
                    auto slash = path.find('/');
                    parts.emplace_back(path.substr(0, slash));
                    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
                }
                if (!parts.empty()) parts.erase(parts.begin());
                parts.push_back(file->name);
                t.path = std::move(parts);
                t.resolvedBy = "files";
                if (!name) name = file->name;
            } else {
                n.fail("table " + inode_id, describe(f), file.error());
            }
        }
        if (t.connectionId) {
            if (auto c = connections_.find(*t.connectionId); c != connections_.end()) {
                t.connectionName = c->second.name;
                t.connectionType = c->second.type;
                t.serviceType = service_type_for(c->second.type);
            }
        }
        slot->value = t;
        slot->ready = true;
        slot->done->cancel();
        co_return t;
    }

    // Names the data models among `sources` by id and fills in the tables
    // resolved already; returns the indices of the tables still to resolve.
    std::vector<std::size_t> prepare_sources(std::vector<lineage_source>& sources) const {
        for (auto& s : sources)
            if (s.kind == source_kind::data_model) {
                // Lineage names data models by urlId; the output wants the id.
                if (auto it = data_model_by_url_id_.find(s.id); it != data_model_by_url_id_.end()) s.id = it->second;
            }
        std::vector<std::size_t> pending;
        for (std::size_t i = 0; i < sources.size(); ++i) {
            auto& s = sources[i];
            if (s.kind != source_kind::table) continue;
            auto it = tables_.find(s.id);
            if (it == tables_.end() || !it->second->ready) {
                pending.push_back(i);
                continue;
            }
            s.table = it->second->value;
            if (!s.name && !s.table->path.empty()) s.name = s.table->path.back();
        }
        return pending;
    }

    // Resolves the tables prepare_sources() left, all at once: a task (a
    // coroutine and its spawn) only for those, not for every source.
    boost::asio::awaitable<void> resolve_pending(std::vector<lineage_source>& sources,
                                                 std::vector<std::size_t> const& pending) {
        auto one = [&](std::size_t k) -> boost::asio::awaitable<void> {
            auto& s = sources[pending[k]];
            s.table = co_await resolve_table(s.id, s.name, std::nullopt);
            if (!s.name && !s.table->path.empty()) s.name = s.table->path.back();
        };
        co_await detail::run_all(pending.size(), width_, one, workers());
    }

    // ---- data models ---------------------------------------------------------

    // One data model or workbook, read in full, or why not.
    struct entity_outcome {
        std::optional<data_model_info> model;
        std::optional<workbook_info> workbook;
        notes n;
        // Incremental runs: what the state keeps of it (when emitted), or why not.
        std::string id;
        bool is_model = false;
        std::optional<state_workbook> workbook_entry;
        std::optional<state_data_model> model_entry;
        bool reused = false;
        bool keep_previous = false; // failed, or outside the scope: its last state stands
        std::optional<std::string> dropped; // filtered out: why (a deletion's reason)
    };

    // Data models, then workbooks, as one stream of tasks: no barrier between
    // the two, while the sink still hears every data model before any workbook.
    template <sink S>
    boost::asio::awaitable<void> extract_entities(std::vector<api::data_model> models, workbook_feed& workbooks,
                                                  S& out) {
        for (auto const& dm : models) {
            data_model_by_url_id_[dm.dataModelUrlId] = dm.dataModelId;
            data_model_url_id_of_[dm.dataModelId] = dm.dataModelUrlId;
        }
        using item = std::variant<api::data_model, api::workbook>;
        std::size_t next_model = 0;
        auto next = [&]() -> boost::asio::awaitable<std::optional<item>> {
            if (next_model < models.size()) co_return std::optional<item>(std::move(models[next_model++]));
            auto w = co_await workbooks.next();
            if (!w) co_return std::optional<item>();
            co_return std::optional<item>(std::move(*w));
        };
        // Built in place: an outcome is large, and moving it from task to
        // queue to sink cost more than its reading.
        auto one = [&](item&& it, entity_outcome& r) {
            return counted(it.index() == 0 ? extract_data_model(std::get<0>(std::move(it)), r)
                                           : extract_workbook(std::get<1>(std::move(it)), r));
        };
        co_await detail::run_ordered_feed_in_place<entity_outcome>(width_, next, one, [&](entity_outcome&& r) {
            keep_state(r);
            merge(std::move(r.n));
            if (r.model) {
                ++rep_.dataModels;
                out.on_data_model(std::move(*r.model));
            } else if (r.workbook) {
                ++rep_.workbooks;
                rep_.pages += r.workbook->pages.size();
                for (auto const& p : r.workbook->pages) rep_.elements += p.elements.size();
                out.on_workbook(std::move(*r.workbook));
            }
        });
    }

    boost::asio::awaitable<void> extract_data_model(api::data_model dm, entity_outcome& r) {
        notes& n = r.n;
        r.id = dm.dataModelId;
        r.is_model = true;
        if (!in_scope(dm.path, nullptr)) {
            r.keep_previous = true;
            ++rep_.outOfScope;
            co_return;
        }
        bool archived = dm.isArchived.value_or(false);
        if (archived && !opts_.includeArchived) {
            drop(r, "data model", dm.name, "archived (includeArchived is off)");
            co_return;
        }
        if (auto why = filters_.data_models.rejects(dm.name)) {
            drop(r, "data model", dm.name, *why);
            co_return;
        }
        data_model_info info;
        info.archived = archived;
        info.ownerEmail = email_of(dm.ownerId);
        if (auto sp = space_of(dm.dataModelId)) {
            if (filtered_projects_.count(sp->id)) {
                drop(r, "data model", dm.name, "projectFilterPattern (its workspace)");
                co_return;
            }
            info.workspaceName = workspaces_.count(sp->id) ? workspaces_[sp->id].name : std::string{};
        }
        if (opts_.includeTags && dm.tags)
            for (auto const& t : *dm.tags) info.tags.push_back(t.tagName);
        // Named only when something fails: most entities never need it.
        auto entity = [&] { return "data model " + dm.dataModelId + " (" + dm.name + ")"; };

        if (auto const* old = reusable(dm)) {
            info.elements = old->elements;
            for (auto& el : info.elements) {
                refresh_tables(el.sources);
                n.lineageEdges += el.sources.size();
            }
            r.model_entry = *old;
            r.model_entry->name = dm.name;
            r.reused = true;
            info.dataModel = std::move(dm);
            r.model = std::move(info);
            co_return;
        }

        // Elements, columns and lineage are independent listings.
        listing<detail::list_data_model_elements> elements;
        listing<detail::list_data_model_columns> cols;
        listing<api::list_data_model_lineage> lin;
        detail::list_data_model_elements le;
        le.dataModelId = dm.dataModelId;
        detail::list_data_model_columns lc;
        lc.dataModelId = dm.dataModelId;
        api::list_data_model_lineage ll;
        ll.dataModelId = dm.dataModelId;
        auto fetch = [&](std::size_t i) -> boost::asio::awaitable<void> {
            if (i == 0) elements = co_await client_.async_list_all(le);
            if (i == 1 && opts_.includeColumns) cols = co_await client_.async_list_all(lc);
            if (i == 2 && opts_.includeLineage) lin = co_await client_.async_list_all(ll);
        };
        co_await detail::run_all(3, width_, fetch, workers());
        if (!*elements) {
            n.fail(entity(), describe(le), elements->error());
            r.keep_previous = true;
            co_return;
        }
        std::map<std::string, std::vector<column_info>> columns;
        if (cols) {
            if (!*cols)
                n.fail(entity(), describe(lc), cols->error());
            else
                for (auto const& c : **cols)
                    columns[c.elementId].push_back({c.columnId, c.name ? *c.name : c.label.value_or(std::string()), c.formula});
        }
        std::map<std::string, std::vector<lineage_source>> sources;
        std::vector<std::string> custom_sql;
        if (lin) {
            if (!*lin) {
                n.fail(entity(), describe(ll), lin->error());
            } else {
                std::map<std::string, api::lineage_table_entry> tables;
                for (auto const& entry : **lin) {
                    if (auto const* t = std::get_if<api::lineage_table_entry>(&entry)) tables[t->inodeId] = *t;
                    if (auto const* q = std::get_if<api::lineage_custom_sql_entry>(&entry))
                        custom_sql.push_back(q->definition);
                }
                // Collect the edges first, then resolve every table at once.
                std::vector<std::pair<std::string, lineage_source>> edges;
                for (auto const& entry : **lin) {
                    auto const* el = std::get_if<api::lineage_element_entry>(&entry);
                    if (el == nullptr || !el->sourceIds) continue;
                    for (auto const& sid : *el->sourceIds) {
                        lineage_source s;
                        s.id = sid;
                        s.kind = sid.rfind("inode-", 0) == 0 ? source_kind::table : source_kind::element;
                        edges.emplace_back(el->elementId, std::move(s));
                    }
                }
                auto one = [&](std::size_t i) -> boost::asio::awaitable<void> {
                    auto& s = edges[i].second;
                    if (s.kind != source_kind::table) co_return;
                    if (auto t = tables.find(s.id); t != tables.end()) {
                        s.name = t->second.name;
                        s.table = co_await resolve_table(s.id, t->second.name, t->second.connectionId);
                    } else {
                        s.table = co_await resolve_table(s.id, std::nullopt, std::nullopt);
                    }
                    if (!s.name && !s.table->path.empty()) s.name = s.table->path.back();
                };
                co_await detail::run_all(edges.size(), width_, one, workers());
                for (auto& [element_id, s] : edges) {
                    sources[element_id].push_back(std::move(s));
                    ++n.lineageEdges;
                }
            }
        }
        for (auto& el : **elements) {
            data_model_element_info ei;
            ei.elementId = el.elementId;
            ei.name = el.name;
            ei.type = el.type;
            if (auto c = columns.find(el.elementId); c != columns.end()) ei.columns = std::move(c->second);
            if (auto s = sources.find(el.elementId); s != sources.end()) ei.sources = std::move(s->second);
            info.elements.push_back(std::move(ei));
        }
        // Custom SQL belongs to the model's SQL elements; with one such element it is unambiguous.
        if (!custom_sql.empty()) {
            std::vector<data_model_element_info*> sql_elements;
            for (auto& ei : info.elements)
                if (ei.type && ei.type->find("sql") != std::string::npos) sql_elements.push_back(&ei);
            if (sql_elements.size() == custom_sql.size())
                for (std::size_t i = 0; i < sql_elements.size(); ++i) sql_elements[i]->sql = custom_sql[i];
            else if (info.elements.size() == 1)
                info.elements.front().sql = custom_sql.front();
        }
        if (inc_) {
            state_data_model e;
            e.dataModelId = dm.dataModelId;
            e.name = dm.name;
            e.updatedAt = dm.updatedAt;
            e.latestVersion = dm.latestVersion;
            e.elements = info.elements;
            e.reusable = n.failures.empty();
            for (auto const& el : e.elements) e.reusable = e.reusable && tables_exact(el.sources);
            e.digest = digest_of(e);
            r.model_entry = std::move(e);
        }
        info.dataModel = std::move(dm);
        r.model = std::move(info);
        co_return;
    }

    // ---- workbooks -----------------------------------------------------------

    boost::asio::awaitable<void> extract_workbook(api::workbook wb, entity_outcome& r) {
        notes& n = r.n;
        r.id = wb.workbookId;
        if (!in_scope(wb.path, &wb.workbookId)) {
            r.keep_previous = true;
            ++rep_.outOfScope;
            co_return;
        }
        bool archived = wb.isArchived.value_or(false);
        if (archived && !opts_.includeArchived) {
            drop(r, "workbook", wb.name, "archived (includeArchived is off)");
            co_return;
        }
        if (auto why = filters_.dashboards.rejects(wb.name)) {
            drop(r, "workbook", wb.name, *why);
            co_return;
        }
        workbook_info info;
        info.archived = archived;
        info.ownerEmail = email_of(wb.ownerId);
        if (auto sp = space_of(wb.workbookId)) {
            if (filtered_projects_.count(sp->id)) {
                drop(r, "workbook", wb.name, "projectFilterPattern (its workspace)");
                co_return;
            }
            info.workspaceId = sp->id;
            info.personal = sp->personal;
            if (auto w = workspaces_.find(sp->id); w != workspaces_.end()) info.workspaceName = w->second.name;
        } else if (!wb.path.empty()) {
            // Not visible through /files (non-admin credentials): the path stands in.
            info.workspaceName = detail::first_path_part(wb.path);
            if (auto why = filters_.projects.rejects(*info.workspaceName)) {
                drop(r, "workbook", wb.name, *why + " (its workspace)");
                co_return;
            }
        }
        if (auto f = files_.find(wb.workbookId); f != files_.end() && f->second.badge) info.badge = f->second.badge;
        if (opts_.includeTags) {
            if (info.badge) info.tags.push_back(*info.badge);
            if (wb.tags)
                for (auto const& t : *wb.tags) info.tags.push_back(t.name);
        }
        // Named only when something fails: most workbooks never need it.
        auto entity = [&] { return "workbook " + wb.workbookId + " (" + wb.name + ")"; };

        if (auto const* old = reusable(wb)) {
            info.pages = old->pages;
            info.dataModelIds = old->dataModelIds;
            auto ids = data_model_ids_now(*old);
            for (auto& p : info.pages)
                for (auto& el : p.elements) {
                    el.workbookId = wb.workbookId;
                    el.url = detail::element_url(wb.url, el.elementId);
                    refresh_tables(el.sources);
                    for (auto& s : el.sources)
                        if (auto it = ids.find(s.id); s.kind == source_kind::data_model && it != ids.end()) s.id = it->second;
                    for (auto& c : el.columnLineage)
                        if (auto it = ids.find(c.fromSource); it != ids.end()) c.fromSource = it->second;
                    n.lineageEdges += el.sources.size();
                    n.columnEdges += el.columnLineage.size();
                    for (auto const& c : el.columnLineage) n.columnNameFallbacks += c.how == column_match::name;
                }
            n.warnings = old->warnings;
            n.filteredOut = old->filteredOut;
            r.workbook_entry = *old;
            r.workbook_entry->name = wb.name;
            if (!ids.empty()) {
                r.workbook_entry->pages = info.pages;
                r.workbook_entry->dataModelAliases = aliases_of(info.pages);
                r.workbook_entry->digest = digest_of(*r.workbook_entry);
            }
            r.reused = true;
            info.workbook = std::move(wb);
            r.workbook = std::move(info);
            co_return;
        }

        // Pages, then each page's elements: a workbook whose structure cannot
        // be read is not emitted at all, so a catalogue never loses its charts
        // to a half-read workbook.
        api::list_workbook_pages lp;
        lp.workbookId = wb.workbookId;
        auto pages = co_await client_.async_list_all(lp);
        if (!pages) {
            n.fail(entity(), describe(lp), pages.error());
            r.keep_previous = true;
            co_return;
        }
        std::vector<listing<detail::list_page_elements>> page_elements(pages->size());
        info.pages.reserve(pages->size());
        auto list_page = [&](std::size_t i) -> boost::asio::awaitable<void> {
            detail::list_page_elements le;
            le.workbookId = wb.workbookId;
            le.pageId = (*pages)[i].pageId;
            page_elements[i] = co_await client_.async_list_all(le);
        };
        co_await detail::run_all(pages->size(), width_, list_page, workers());
        for (std::size_t i = 0; i < pages->size(); ++i) {
            auto& p = (*pages)[i];
            auto& els = *page_elements[i];
            if (!els) {
                detail::list_page_elements le;
                le.workbookId = wb.workbookId;
                le.pageId = p.pageId;
                n.fail(entity(), describe(le), els.error());
                r.keep_previous = true;
                co_return;
            }
            page_info& pi = info.pages.emplace_back(); // built in place: no moves
            pi.pageId = std::move(p.pageId); // the listing is not read again
            pi.name = std::move(p.name);
            pi.hidden = p.hidden;
            pi.elements.reserve(els->size());
            for (auto& el : *els) {
                if (auto why = filters_.charts.rejects(el.name ? std::string_view(*el.name) : std::string_view())) {
                    n.filter_out("element", el.name.value_or(el.elementId), *why);
                    continue;
                }
                // The listing is read once: its strings move into the output.
                element_info& ei = pi.elements.emplace_back();
                ei.dataElement = el.type && is_data_element_type(*el.type);
                ei.url = detail::element_url(wb.url, el.elementId);
                ei.elementId = std::move(el.elementId);
                ei.workbookId = wb.workbookId;
                ei.pageId = pi.pageId;
                ei.name = std::move(el.name);
                ei.type = std::move(el.type);
                ei.vizualizationType = std::move(el.vizualizationType);
            }
        }

        // Keys view the elements' ids: info.pages no longer changes shape.
        detail::element_index by_id;
        std::vector<element_info*> data_elements;
        {
            std::size_t count = 0;
            for (auto const& p : info.pages) count += p.elements.size();
            by_id.reserve(count);
            data_elements.reserve(count);
        }
        for (auto& p : info.pages)
            for (auto& el : p.elements) {
                by_id.add(el);
                if (el.dataElement) data_elements.push_back(&el); // layout elements have no lineage: never asked
            }
        by_id.seal();

        // Columns, queries, sources and every data element's lineage, at once.
        listing<detail::list_workbook_columns> cols;
        listing<detail::list_workbook_queries> queries;
        listing<api::list_workbook_sources> srcs;
        std::vector<answer<api::get_element_lineage>> graphs(data_elements.size());
        detail::list_workbook_columns lc;
        lc.workbookId = wb.workbookId;
        detail::list_workbook_queries lq;
        lq.workbookId = wb.workbookId;
        api::list_workbook_sources ls;
        ls.workbookId = wb.workbookId;
        auto element_lineage = [&](std::size_t i) {
            api::get_element_lineage gl;
            gl.workbookId = wb.workbookId;
            gl.elementId = data_elements[i]->elementId;
            return gl;
        };
        auto fetch = [&](std::size_t i) -> boost::asio::awaitable<void> {
            if (i == 0) {
                if (opts_.includeColumns) cols = co_await client_.async_list_all(lc);
            } else if (i == 1) {
                if (opts_.includeQueries) queries = co_await client_.async_list_all(lq);
            } else if (i == 2) {
                if (opts_.includeDataModels || opts_.includeLineage) srcs = co_await client_.async_list_all(ls);
            } else if (opts_.includeLineage) {
                graphs[i - 3] = co_await client_.async_get(element_lineage(i - 3));
            }
        };
        co_await detail::run_all(3 + data_elements.size(), width_, fetch, workers());

        if (cols) {
            if (!*cols)
                n.fail(entity(), describe(lc), cols->error());
            else
                // Read once: the strings move. The listing comes grouped by
                // element, so each run of one element's columns is sized once.
                for (std::size_t i = 0, end = (*cols)->size(); i < end;) {
                    auto& first = (**cols)[i];
                    std::size_t run = i + 1;
                    while (run < end && (**cols)[run].elementId == first.elementId) ++run;
                    if (auto* el = by_id.find(first.elementId)) {
                        auto& to = el->columns;
                        if (to.capacity() < to.size() + (run - i))
                            to.reserve(std::max(to.size() + (run - i), 2 * to.capacity()));
                        for (std::size_t k = i; k < run; ++k) {
                            auto& c = (**cols)[k];
                            // display_name(), moved rather than copied
                            std::string name = c.name    ? std::move(*c.name)
                                               : c.label ? std::move(*c.label)
                                                         : std::string();
                            // Braces: clang 14 has no parenthesised aggregate initialisation.
                            to.push_back({std::move(c.columnId), std::move(name), std::move(c.formula)});
                        }
                    }
                    i = run;
                }
        }
        if (queries) {
            if (!*queries)
                n.fail(entity(), describe(lq), queries->error());
            else
                for (auto& q : **queries)
                    if (auto* el = by_id.find(q.elementId); el != nullptr && q.sql) el->sql = std::move(q.sql);
        }
        if (srcs) {
            if (*srcs) {
                for (auto const& s : **srcs)
                    if (auto const* dm = std::get_if<api::source_data_model>(&s)) info.dataModelIds.push_back(dm->dataModelId);
            } else if (auto st = srcs->error().http().status; st == 404 || st == 409 || st == 410) {
                // The dataset API was retired (2026-09-15): its sources are gone, not failing.
                n.warnings.push_back(entity() + ": " + describe(ls) + " answered " + std::to_string(st) +
                                     " (retired dataset source); skipped");
            } else {
                n.fail(entity(), describe(ls), srcs->error());
            }
        }
        if (opts_.includeLineage) {
            for (std::size_t i = 0; i < data_elements.size(); ++i) {
                auto& g = graphs[i];
                if (g && !*g) n.fail(entity() + " element " + data_elements[i]->elementId, describe(element_lineage(i)), g->error());
                else if (g) data_elements[i]->sources = walk_sources(std::move(**g), data_elements[i]->elementId); // read once
            }
            // Tables known already are filled in now; tasks only for elements
            // with tables still to ask for.
            std::vector<std::vector<std::size_t>> pending(data_elements.size());
            std::vector<std::size_t> to_resolve;
            for (std::size_t i = 0; i < data_elements.size(); ++i) {
                if (!graphs[i] || !*graphs[i]) continue;
                pending[i] = prepare_sources(data_elements[i]->sources);
                if (!pending[i].empty()) to_resolve.push_back(i);
            }
            auto resolve = [&](std::size_t k) -> boost::asio::awaitable<void> {
                std::size_t const i = to_resolve[k];
                co_await resolve_pending(data_elements[i]->sources, pending[i]);
            };
            if (!to_resolve.empty())
                co_await detail::run_all(to_resolve.size(), width_, resolve, workers());
            for (std::size_t i = 0; i < data_elements.size(); ++i) {
                if (!graphs[i] || !*graphs[i]) continue;
                element_info* el = data_elements[i];
                n.lineageEdges += el->sources.size();
                auto cl = column_edges(el->columns, el->sources);
                n.columnEdges += cl.edges.size();
                n.columnNameFallbacks += cl.name_fallbacks;
                el->columnLineage = std::move(cl.edges);
            }
        }

        if (inc_) {
            state_workbook e;
            e.workbookId = wb.workbookId;
            e.name = wb.name;
            e.updatedAt = wb.updatedAt;
            e.latestVersion = wb.latestVersion;
            e.pages = info.pages;
            e.dataModelIds = info.dataModelIds;
            e.warnings = n.warnings;
            e.filteredOut = n.filteredOut;
            e.dataModelAliases = aliases_of(e.pages);
            e.reusable = n.failures.empty();
            for (auto const& p : e.pages)
                for (auto const& el : p.elements) e.reusable = e.reusable && tables_exact(el.sources);
            e.digest = digest_of(e);
            r.workbook_entry = std::move(e);
        }
        info.workbook = std::move(wb);
        r.workbook = std::move(info);
        co_return;
    }

    // ---- incremental runs and scope --------------------------------------------

    void drop(entity_outcome& r, std::string kind, std::string const& name, std::string why) {
        r.dropped = kind + " filtered out: " + why;
        r.n.filter_out(std::move(kind), name, std::move(why));
    }

    // Scope: `id` null for data models (which only paths can name).
    bool in_scope(std::string const& path, std::string const* id) const {
        if (!opts_.scoped()) return true;
        if (id != nullptr && std::find(opts_.workbookIds.begin(), opts_.workbookIds.end(), *id) != opts_.workbookIds.end())
            return true;
        for (auto const& p : opts_.paths)
            if (detail::path_within(path, p)) return true;
        return false;
    }

    // A table found through the /files fallback (or not at all) is asked
    // for again next time rather than kept.
    static bool tables_exact(std::vector<lineage_source> const& sources) {
        for (auto const& s : sources)
            if (s.kind == source_kind::table && (!s.table || s.table->resolvedBy != "connection-path")) return false;
        return true;
    }

    // A kept table names its connection by id; the name and type are this run's.
    void refresh_tables(std::vector<lineage_source>& sources) const {
        for (auto& s : sources) {
            if (!s.table || !s.table->connectionId) continue;
            if (auto c = connections_.find(*s.table->connectionId); c != connections_.end()) {
                s.table->connectionName = c->second.name;
                s.table->connectionType = c->second.type;
                s.table->serviceType = service_type_for(c->second.type);
            }
        }
    }

    // The data model sources that carry a listed data model's id.
    std::vector<data_model_alias> aliases_of(std::vector<page_info> const& pages) const {
        std::vector<data_model_alias> out;
        std::set<std::string> seen;
        for (auto const& p : pages)
            for (auto const& el : p.elements)
                for (auto const& s : el.sources)
                    if (s.kind == source_kind::data_model && seen.insert(s.id).second)
                        if (auto it = data_model_url_id_of_.find(s.id); it != data_model_url_id_of_.end())
                            out.push_back({it->second, s.id});
        return out;
    }

    // A kept workbook's data model sources as this run's listing names them:
    // the state's id -> this run's, for those that differ.
    std::unordered_map<std::string, std::string> data_model_ids_now(state_workbook const& old) const {
        std::unordered_map<std::string, std::string> now;
        std::set<std::string> aliased;
        for (auto const& a : old.dataModelAliases) {
            aliased.insert(a.dataModelId);
            auto it = data_model_by_url_id_.find(a.urlId);
            std::string const id = it != data_model_by_url_id_.end() ? it->second : a.urlId;
            if (id != a.dataModelId) now.emplace(a.dataModelId, id);
        }
        // A urlId the last run could not name (its model was not listed) that this run can.
        for (auto const& p : old.pages)
            for (auto const& el : p.elements)
                for (auto const& s : el.sources)
                    if (s.kind == source_kind::data_model && !aliased.count(s.id))
                        if (auto it = data_model_by_url_id_.find(s.id); it != data_model_by_url_id_.end())
                            now.emplace(s.id, it->second);
        return now;
    }

    state_workbook const* reusable(api::workbook const& wb) const {
        if (!reuse_) return nullptr;
        auto it = previous_workbooks_.find(wb.workbookId);
        if (it == previous_workbooks_.end()) return nullptr;
        auto const* e = it->second;
        return e->reusable && e->updatedAt == wb.updatedAt && e->latestVersion == wb.latestVersion ? e : nullptr;
    }

    state_data_model const* reusable(api::data_model const& dm) const {
        if (!reuse_ || !dm.updatedAt) return nullptr;
        auto it = previous_models_.find(dm.dataModelId);
        if (it == previous_models_.end()) return nullptr;
        auto const* e = it->second;
        return e->reusable && e->updatedAt == dm.updatedAt && e->latestVersion == dm.latestVersion ? e : nullptr;
    }

    void start_state(incremental* inc) {
        inc_ = inc;
        reuse_ = false;
        if (inc_ == nullptr) return;
        inc_->next = state{};
        inc_->advance = false;
        auto const& cfg = client_.settings().settings;
        inc_->next.writtenBy = std::string("sigma-cpp ") + sigma::version_string;
        inc_->next.hostPort = cfg.hostPort;
        inc_->next.clientId = cfg.clientId;
        inc_->next.optionsDigest = options_digest(opts_, cfg.apiVersion);
        if (!inc_->previous) return;
        for (auto const& w : inc_->previous->workbooks) previous_workbooks_.emplace(w.workbookId, &w);
        for (auto const& m : inc_->previous->dataModels) previous_models_.emplace(m.dataModelId, &m);
        reuse_ = inc_->previous->optionsDigest == inc_->next.optionsDigest;
    }

    // An entity's outcome, in listing order: what the next state keeps.
    void keep_state(entity_outcome& r) {
        if (r.reused) ++rep_.reused;
        if (inc_ == nullptr) return;
        auto& next = inc_->next;
        if (r.workbook_entry) {
            next.workbooks.push_back(std::move(*r.workbook_entry));
        } else if (r.model_entry) {
            next.dataModels.push_back(std::move(*r.model_entry));
        } else if (r.keep_previous) {
            if (!r.is_model) {
                if (auto w = previous_workbooks_.find(r.id); w != previous_workbooks_.end())
                    next.workbooks.push_back(*w->second);
            } else if (auto m = previous_models_.find(r.id); m != previous_models_.end()) {
                next.dataModels.push_back(*m->second);
            }
        } else if (r.dropped) {
            dropped_.emplace(r.id, *r.dropped);
        }
    }

    // After the walk: deletions and the next state, or why neither.
    void finish_state() {
        if (inc_ == nullptr) return;
        auto& next = inc_->next;
        if (!rep_.complete) {
            next = state{};
            rep_.stateNote = "the run is incomplete (" + rep_.incompleteReason +
                             "): nothing is deleted and the state is not advanced";
            return;
        }
        auto const* prev = inc_->previous ? &*inc_->previous : nullptr;
        if (prev != nullptr && opts_.scoped()) {
            // Everything outside the scope stands as the last run saw it.
            auto carry = [](auto const& from, auto& into, auto id) {
                std::set<std::string> have;
                for (auto const& e : into) have.insert(id(e));
                for (auto const& e : from)
                    if (!have.count(id(e))) into.push_back(e);
            };
            carry(prev->workbooks, next.workbooks, [](state_workbook const& e) { return e.workbookId; });
            carry(prev->dataModels, next.dataModels, [](state_data_model const& e) { return e.dataModelId; });
        }
        std::sort(next.workbooks.begin(), next.workbooks.end(),
                  [](auto const& a, auto const& b) { return a.workbookId < b.workbookId; });
        std::sort(next.dataModels.begin(), next.dataModels.end(),
                  [](auto const& a, auto const& b) { return a.dataModelId < b.dataModelId; });
        auto counts = [&] {
            return std::to_string(next.workbooks.size()) + " workbooks and " + std::to_string(next.dataModels.size()) +
                   " data models";
        };
        if (prev == nullptr) {
            rep_.stateNote = "no previous state: everything was read; the state now holds " + counts();
        } else if (opts_.scoped()) {
            rep_.stateNote = "a scoped run: nothing is deleted; " + std::to_string(rep_.reused) +
                             " reused from the state; the state now holds " + counts();
        } else {
            find_deletions(*prev);
            rep_.stateNote = std::string(reuse_ ? "" : "the options differ from the state's, so everything was read; ") +
                             std::to_string(rep_.reused) + " reused from the state, " +
                             std::to_string(rep_.deletions.size()) + " deleted; the state now holds " + counts();
        }
        inc_->advance = true;
    }

    void find_deletions(state const& prev) {
        std::unordered_map<std::string_view, state_workbook const*> now;
        for (auto const& w : inc_->next.workbooks) now.emplace(w.workbookId, &w);
        auto element_gone = [&](element_info const& el, std::string const& workbook_id, std::string reason) {
            rep_.deletions.push_back({entity_kind::element, el.elementId, el.name.value_or(el.elementId), workbook_id,
                                      el.dataElement, std::move(reason)});
        };
        for (auto const& old : prev.workbooks) {
            auto it = now.find(old.workbookId);
            if (it == now.end()) {
                auto d = dropped_.find(old.workbookId);
                std::string why = d != dropped_.end() ? d->second : "not in the workbook listing";
                for (auto const& p : old.pages)
                    for (auto const& el : p.elements) element_gone(el, old.workbookId, "its workbook is gone (" + why + ")");
                rep_.deletions.push_back({entity_kind::workbook, old.workbookId, old.name, {}, false, why});
                continue;
            }
            std::set<std::string_view> kept;
            for (auto const& p : it->second->pages)
                for (auto const& el : p.elements) kept.insert(el.elementId);
            for (auto const& p : old.pages)
                for (auto const& el : p.elements)
                    if (!kept.count(el.elementId)) element_gone(el, old.workbookId, "no longer in its workbook (or filtered out)");
        }
        std::set<std::string_view> models;
        for (auto const& m : inc_->next.dataModels) models.insert(m.dataModelId);
        for (auto const& old : prev.dataModels) {
            if (models.count(old.dataModelId)) continue;
            auto d = dropped_.find(old.dataModelId);
            std::string why = d != dropped_.end() ? d->second
                              : opts_.includeDataModels ? "not in the data model listing"
                                                        : "data models are not read (includeDataModels is off)";
            rep_.deletions.push_back({entity_kind::data_model, old.dataModelId, old.name, {}, false, why});
        }
    }

    // Workers that may send requests at once, over every pool: the
    // extraction's own coroutine (the feed of workbooks asks on it), each
    // entity being extracted, and each worker a pool adds past its first
    // (which is its caller's). width_ bounds them: a pool adds workers only
    // when entities are too few to fill the client's window (at the start,
    // at the end), never requests to queue at its admission.
    struct worker_budget {
        std::size_t* busy;
        std::size_t width;
        bool take() const noexcept {
            if (*busy >= width) return false;
            ++*busy;
            return true;
        }
        void give() const noexcept { --*busy; }
    };
    worker_budget workers() noexcept { return {&busy_, width_}; }
    // An entity's extraction, counted among the workers while it runs. Not
    // by a destructor: frames destroyed with an io_context may outlive the
    // extractor.
    boost::asio::awaitable<void> counted(boost::asio::awaitable<void> task) {
        ++busy_;
        try {
            co_await std::move(task);
        } catch (...) {
            --busy_;
            throw;
        }
        --busy_;
    }

    Client& client_;
    options opts_;
    compiled_filters filters_;
    report rep_;
    std::size_t width_ = 1;
    std::size_t busy_ = 1; // see worker_budget: the extraction's own coroutine

    std::unordered_map<std::string, std::string> member_email_;
    std::unordered_map<std::string, std::string> home_folder_owner_; // homeFolderId -> memberId
    struct file_node {
        std::string parentId;
        api::file_type type = api::file_type::unknown;
        std::string name;                 // workspaces only
        std::optional<std::string> badge; // non-empty badges only
    };
    std::map<std::string, file_node> files_;
    std::map<std::string, workspace_info> workspaces_;
    std::set<std::string> filtered_projects_;
    std::unordered_map<std::string, api::connection> connections_;
    std::unordered_map<std::string, std::string> data_model_by_url_id_;
    std::unordered_map<std::string, std::string> data_model_url_id_of_;
    std::unordered_map<std::string, std::shared_ptr<table_slot>> tables_;
    std::map<std::string, notes> table_notes_;

    incremental* inc_ = nullptr;
    bool reuse_ = false; // a previous state taken with the same options
    std::unordered_map<std::string_view, state_workbook const*> previous_workbooks_;
    std::unordered_map<std::string_view, state_data_model const*> previous_models_;
    std::unordered_map<std::string, std::string> dropped_; // filtered out this run: why
};

namespace detail {

template <class Client, sink S>
boost::asio::awaitable<result<report>> run_extraction(Client& client, options const& opts, S& out, incremental* inc) {
    if (inc != nullptr && inc->previous) {
        if (auto ok = check_state(*inc->previous, client.settings().settings); !ok)
            co_return sigma::error(errc::config, "the state " + ok.error().message());
    }
    auto filters = compiled_filters::compile(opts);
    if (!filters) co_return std::move(filters).error();
    extractor<Client> x(client, opts, std::move(*filters));
    co_return co_await x.run(out, inc);
}

#ifdef SIGMA_SEPARATE_COMPILATION
// The extraction for sigma::client, into any sink: compiled once, by the
// file that includes <sigma/src.hpp> (extract/impl/compiled.ipp).
boost::asio::awaitable<result<report>> compiled_extraction(basic_client<beast_transport>& client, options const& opts,
                                                           sink_ref out, incremental* inc);
result<report> compiled_extract(basic_client<beast_transport>& client, options const& opts, sink_ref out,
                                incremental* inc);
template <class Client>
inline constexpr bool is_compiled_client = std::same_as<Client, basic_client<beast_transport>>;
#endif

} // namespace detail

// Walks the organisation into `out`. Fails only for invalid options (a bad
// regex) or a state that belongs to another organisation; everything that
// goes wrong during the run is in the report.
//
// With `inc`, an incremental run: unchanged workbooks and data models come
// from `inc->previous` (when set) without asking the API, deletions are found
// against it, and `inc->next` is what to save for the next run when
// `inc->advance` (see sigma/extract/state.hpp).
template <class Client, sink S>
boost::asio::awaitable<result<report>> async_extract(Client& client, options const& opts, S& out,
                                                     incremental* inc = nullptr) {
#ifdef SIGMA_SEPARATE_COMPILATION
    if constexpr (detail::is_compiled_client<Client>) return detail::compiled_extraction(client, opts, out, inc);
    else
#endif
        return detail::run_extraction(client, opts, out, inc);
}

template <class Client, sink S>
result<report> extract(Client& client, options const& opts, S& out, incremental* inc = nullptr) {
#ifdef SIGMA_SEPARATE_COMPILATION
    if constexpr (detail::is_compiled_client<Client>) return detail::compiled_extract(client, opts, out, inc);
    else
#endif
        return client.run(detail::run_extraction(client, opts, out, inc));
}

template <class Client, sink S>
result<report> extract(Client& client, options const& opts, S& out, incremental& inc) {
    return extract(client, opts, out, &inc);
}

// Everything into an inventory.
template <class Client>
result<inventory> collect(Client& client, options const& opts = {}) {
    collecting_sink s;
    auto r = extract(client, opts, s);
    if (!r) return std::move(r).error();
    return std::move(s.inv);
}

} // namespace sigma::extract

SIGMA_COROUTINES_END

#if defined(SIGMA_SEPARATE_COMPILATION) && defined(SIGMA_SOURCE)
// ---- begin <sigma/extract/impl/compiled.ipp> ----
// SPDX-License-Identifier: MIT
// The extraction for sigma::client, compiled once under
// SIGMA_SEPARATE_COMPILATION: only <sigma/src.hpp> includes this file (through
// <sigma/extract/extractor.hpp>). Every other file calls it through the
// declarations in extractor.hpp, with its sink behind a sink_ref, and so
// compiles none of the extraction itself.
#ifndef SIGMA_EXTRACT_IMPL_COMPILED_IPP
#define SIGMA_EXTRACT_IMPL_COMPILED_IPP


#include <boost/asio/awaitable.hpp>


SIGMA_COROUTINES_BEGIN

namespace sigma::extract::detail {

// A coroutine, not a forwarding call: `out` must live in this frame while
// the extraction refers to it.
boost::asio::awaitable<result<report>> compiled_extraction(basic_client<beast_transport>& client, options const& opts,
                                                           sink_ref out, incremental* inc) {
    co_return co_await run_extraction(client, opts, out, inc);
}

result<report> compiled_extract(basic_client<beast_transport>& client, options const& opts, sink_ref out,
                                incremental* inc) {
    return client.run(compiled_extraction(client, opts, out, inc));
}

} // namespace sigma::extract::detail

SIGMA_COROUTINES_END

#endif
// ---- end <sigma/extract/impl/compiled.ipp> ----
#endif

#endif
// ---- end <sigma/extract/extractor.hpp> ----

// OpenMetadata output
// ---- begin <sigma/openmetadata.hpp> ----
// SPDX-License-Identifier: MIT
// The OpenMetadata output: request bodies, the mapping from extracted Sigma
// entities, the JSON Lines writer, the Graphviz lineage graph, and the sink
// that pushes to a server over any sigma::transport (push_sink.hpp, the one
// that needs Asio; include the others one by one to stay without it).
#ifndef SIGMA_OPENMETADATA_HPP
#define SIGMA_OPENMETADATA_HPP

// ---- begin <sigma/openmetadata/requests.hpp> ----
// SPDX-License-Identifier: MIT
// OpenMetadata REST API request bodies, as described structs whose members
// carry OpenMetadata's field names, so that sigma::json::encode writes them as
// the server reads them. Only the fields the Sigma connector fills are here;
// absent optionals are omitted. The field names follow OpenMetadata's current
// JSON schemas (openmetadata-spec: api/data/create*.json,
// api/services/createDashboardService.json, api/lineage/addLineage.json,
// type/entityLineage.json, type/tagLabel.json, entity/data/table.json#column):
// `owners` is a list of references and charts have `sourceUrl`.
#ifndef SIGMA_OPENMETADATA_REQUESTS_HPP
#define SIGMA_OPENMETADATA_REQUESTS_HPP


#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::openmetadata {

// entity/data/chart.json#/definitions/chartType.
enum class chart_type {
    Line, Table, Bar, Area, Pie, Histogram, Scatter, Text, BoxPlot, SanKey, Gauge, Map, Graph, Heatmap, Timeline, Other
};
BOOST_DESCRIBE_ENUM(chart_type, Line, Table, Bar, Area, Pie, Histogram, Scatter, Text, BoxPlot, SanKey, Gauge, Map,
                    Graph, Heatmap, Timeline, Other)

// entity/data/dashboardDataModel.json#/definitions/dataModelType: the one value
// a Sigma service writes.
enum class data_model_type { SigmaDataModel };
BOOST_DESCRIBE_ENUM(data_model_type, SigmaDataModel)

// type/tagLabel.json: source, labelType, state.
enum class tag_source { Classification, Glossary };
BOOST_DESCRIBE_ENUM(tag_source, Classification, Glossary)
enum class label_type { Manual, Propagated, Automated, Derived };
BOOST_DESCRIBE_ENUM(label_type, Manual, Propagated, Automated, Derived)
enum class label_state { Suggested, Confirmed };
BOOST_DESCRIBE_ENUM(label_state, Suggested, Confirmed)

// type/entityLineage.json#/definitions/lineageDetails/source (the values used here).
enum class lineage_source { Manual, DashboardLineage, QueryLineage, ChildAssets };
BOOST_DESCRIBE_ENUM(lineage_source, Manual, DashboardLineage, QueryLineage, ChildAssets)

// The OpenMetadata service type of everything this connector writes
// (entity/services/dashboardService.json#/definitions/dashboardServiceType).
inline constexpr std::string_view service_type = "Sigma";

// An EntityReference before its id is known. OpenMetadata's EntityReference
// needs `id` and `type`; a record cannot know server-side ids, so it names the
// entity instead and whoever sends it resolves the name to an id:
//
//     {"type": "table", "fullyQualifiedName": "snowflake_prod.SALES.PUBLIC.ORDERS"}
//     {"type": "dashboardDataModel", "fullyQualifiedName": "my_sigma.model.3f0c..."}
//     {"type": "user", "email": "ana@example.com"}
//
// `email` is not an EntityReference field: users are found by email (as
// OpenMetadata's own connector does) and the resolver replaces it by `id`.
// A resolver sets `id` and may drop `email`; the other fields are
// EntityReference's own.
struct entity_ref {
    std::optional<std::string> id;
    std::string type;
    std::optional<std::string> fullyQualifiedName;
    std::optional<std::string> email;
    bool operator==(entity_ref const&) const = default;
};
BOOST_DESCRIBE_STRUCT(entity_ref, (), (id, type, fullyQualifiedName, email))

// type/tagLabel.json.
struct tag_label {
    std::string tagFQN;
    tag_source source = tag_source::Classification;
    label_type labelType = label_type::Automated;
    label_state state = label_state::Confirmed;
    bool operator==(tag_label const&) const = default;
};
BOOST_DESCRIBE_STRUCT(tag_label, (), (tagFQN, source, labelType, state))

// entity/data/table.json#/definitions/column (name: 1..256 characters, no "::").
struct column {
    std::string name;
    std::optional<std::string> displayName;
    std::string dataType = "UNKNOWN";   // ColumnDataType; Sigma does not tell the warehouse type
    std::optional<std::string> dataTypeDisplay;
    std::optional<std::string> description;
    std::optional<int> ordinalPosition;
    bool operator==(column const&) const = default;
};
BOOST_DESCRIBE_STRUCT(column, (), (name, displayName, dataType, dataTypeDisplay, description, ordinalPosition))

// entity/services/connections/dashboard/sigmaConnection.json. The secret is a
// sigma::secret, which encodes as "***" whatever it holds: a record never
// carries the client secret.
struct sigma_connection {
    std::string type{service_type};
    std::string hostPort;
    std::string clientId;
    secret clientSecret{std::string(secret::mask)};
    std::string apiVersion;
};
BOOST_DESCRIBE_STRUCT(sigma_connection, (), (type, hostPort, clientId, clientSecret, apiVersion))

// entity/services/dashboardService.json#/definitions/dashboardConnection.
struct dashboard_connection {
    sigma_connection config;
};
BOOST_DESCRIBE_STRUCT(dashboard_connection, (), (config))

// api/services/createDashboardService.json (required: name, serviceType).
struct create_dashboard_service_request {
    std::string name;
    std::optional<std::string> displayName;
    std::optional<std::string> description;
    std::string serviceType{service_type};
    std::optional<dashboard_connection> connection;
};
BOOST_DESCRIBE_STRUCT(create_dashboard_service_request, (), (name, displayName, description, serviceType, connection))

// api/classification/createClassification.json (required: name, description).
struct create_classification_request {
    std::string name;
    std::string description;
    std::optional<bool> mutuallyExclusive;
    bool operator==(create_classification_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(create_classification_request, (), (name, description, mutuallyExclusive))

// api/classification/createTag.json (required: name, description).
struct create_tag_request {
    std::string name;
    std::string description;
    std::string classification;
    bool operator==(create_tag_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(create_tag_request, (), (name, description, classification))

// api/data/createChart.json (required: name, service).
struct create_chart_request {
    std::string name;
    std::optional<std::string> displayName;
    std::optional<std::string> description;
    std::optional<chart_type> chartType;
    std::optional<std::string> sourceUrl;
    std::optional<std::vector<tag_label>> tags;
    std::optional<std::vector<entity_ref>> owners;
    std::string service;
    bool operator==(create_chart_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(create_chart_request, (),
                      (name, displayName, description, chartType, sourceUrl, tags, owners, service))

// api/data/createDashboard.json (required: name, service). `charts` and
// `dataModels` are fully qualified names.
struct create_dashboard_request {
    std::string name;
    std::optional<std::string> displayName;
    std::optional<std::string> description;
    std::optional<std::string> sourceUrl;
    std::optional<std::string> project;
    std::optional<std::vector<std::string>> charts;
    std::optional<std::vector<std::string>> dataModels;
    std::optional<std::vector<tag_label>> tags;
    std::optional<std::vector<entity_ref>> owners;
    std::string service;
    bool operator==(create_dashboard_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(create_dashboard_request, (),
                      (name, displayName, description, sourceUrl, project, charts, dataModels, tags, owners, service))

// api/data/createDashboardDataModel.json (required: name, service,
// dataModelType, columns).
struct create_dashboard_data_model_request {
    std::string name;
    std::optional<std::string> displayName;
    std::optional<std::string> description;
    std::optional<std::vector<tag_label>> tags;
    std::optional<std::vector<entity_ref>> owners;
    std::string service;
    std::optional<std::string> serviceType{std::string(service_type)};
    data_model_type dataModelType = data_model_type::SigmaDataModel;
    std::optional<std::string> sql;
    std::vector<column> columns;
    std::optional<std::string> project;
    bool operator==(create_dashboard_data_model_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(create_dashboard_data_model_request, (),
                      (name, displayName, description, tags, owners, service, serviceType, dataModelType, sql, columns,
                       project))

// type/entityLineage.json#/definitions/columnLineage: fully qualified column names.
struct column_lineage {
    std::vector<std::string> fromColumns;
    std::string toColumn;
    std::optional<std::string> function;
    bool operator==(column_lineage const&) const = default;
};
BOOST_DESCRIBE_STRUCT(column_lineage, (), (fromColumns, toColumn, function))

// type/entityLineage.json#/definitions/lineageDetails.
struct lineage_details {
    std::optional<std::string> sqlQuery;
    std::optional<std::vector<column_lineage>> columnsLineage;
    std::optional<std::string> description;
    std::optional<lineage_source> source;
    bool operator==(lineage_details const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_details, (), (sqlQuery, columnsLineage, description, source))

// type/entityLineage.json#/definitions/entitiesEdge.
struct entities_edge {
    entity_ref fromEntity;
    entity_ref toEntity;
    std::optional<std::string> description;
    std::optional<lineage_details> lineageDetails;
    bool operator==(entities_edge const&) const = default;
};
BOOST_DESCRIBE_STRUCT(entities_edge, (), (fromEntity, toEntity, description, lineageDetails))

// api/lineage/addLineage.json (required: edge).
struct add_lineage_request {
    entities_edge edge;
    bool operator==(add_lineage_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(add_lineage_request, (), (edge))

// One request to replay: `{"method": "PUT", "path": "/api/v1/charts", "body": {...}}`.
// PUT is OpenMetadata's create-or-update, so replaying a file twice is harmless.
struct record {
    std::string method = "PUT";
    std::string path;
    boost::json::value body;
    bool operator==(record const&) const = default;
};
BOOST_DESCRIBE_STRUCT(record, (), (method, path, body))

// The endpoint of each request body (paths under OpenMetadata's `/api`).
namespace paths {
inline constexpr std::string_view dashboard_services = "/api/v1/services/dashboardServices";
inline constexpr std::string_view classifications = "/api/v1/classifications";
inline constexpr std::string_view tags = "/api/v1/tags";
inline constexpr std::string_view data_models = "/api/v1/dashboard/datamodels";
inline constexpr std::string_view charts = "/api/v1/charts";
inline constexpr std::string_view dashboards = "/api/v1/dashboards";
inline constexpr std::string_view lineage = "/api/v1/lineage";
} // namespace paths

template <class Body>
record make_record(std::string_view path, Body const& body) {
    return record{"PUT", std::string(path), sigma::json::encode_value(body)};
}

} // namespace sigma::openmetadata

#endif
// ---- end <sigma/openmetadata/requests.hpp> ----
// ---- begin <sigma/openmetadata/chart_types.hpp> ----
// SPDX-License-Identifier: MIT
// Sigma element kinds -> OpenMetadata chartType, and readable names for them
// (nameless elements get a display name built from their kind).
#ifndef SIGMA_OPENMETADATA_CHART_TYPES_HPP
#define SIGMA_OPENMETADATA_CHART_TYPES_HPP


#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace sigma::openmetadata {

struct viz_kind {
    std::string_view key;     // normalised: lower case, no '-', '_' or spaces
    chart_type type;
    std::string_view words;   // for display names: "bar chart", "KPI"
};

// Sigma's `vizualizationType` values. OpenMetadata's table (its
// get_standard_chart_type) covers table/levelTable, bar, box, pie, line, area,
// scatter, text, gauge, map, heatmap; the rest use the closest chartType
// OpenMetadata has (donut is a pie, region and point maps are maps, sankey is
// SanKey) and Other where it has none (funnel, kpi, combo).
inline constexpr std::array<viz_kind, 23> vizualization_chart_types{{
    {"table", chart_type::Table, "table"},
    {"leveltable", chart_type::Table, "table"},
    {"pivottable", chart_type::Table, "pivot table"},
    {"bar", chart_type::Bar, "bar chart"},
    {"column", chart_type::Bar, "column chart"},
    {"box", chart_type::BoxPlot, "box plot"},
    {"boxplot", chart_type::BoxPlot, "box plot"},
    {"pie", chart_type::Pie, "pie chart"},
    {"donut", chart_type::Pie, "donut chart"},
    {"line", chart_type::Line, "line chart"},
    {"area", chart_type::Area, "area chart"},
    {"scatter", chart_type::Scatter, "scatter plot"},
    {"histogram", chart_type::Histogram, "histogram"},
    {"text", chart_type::Text, "text"},
    {"gauge", chart_type::Gauge, "gauge"},
    {"map", chart_type::Map, "map"},
    {"regionmap", chart_type::Map, "region map"},
    {"pointmap", chart_type::Map, "point map"},
    {"heatmap", chart_type::Heatmap, "heatmap"},
    {"sankey", chart_type::SanKey, "Sankey diagram"},
    {"funnel", chart_type::Other, "funnel chart"},
    {"kpi", chart_type::Other, "KPI"},
    {"combo", chart_type::Other, "combo chart"},
}};

// Element `type`s, for elements without a vizualizationType.
inline constexpr std::array<viz_kind, 10> element_chart_types{{
    {"table", chart_type::Table, "table"},
    {"pivottable", chart_type::Table, "pivot table"},
    {"inputtable", chart_type::Table, "input table"},
    {"text", chart_type::Text, "text"},
    {"visualization", chart_type::Other, "chart"},
    {"control", chart_type::Other, "control"},
    {"image", chart_type::Other, "image"},
    {"button", chart_type::Other, "button"},
    {"divider", chart_type::Other, "divider"},
    {"embed", chart_type::Other, "embed"},
}};

namespace detail {

inline std::string normalise_kind(std::string_view s) {
    std::string key;
    key.reserve(s.size());
    for (char c : s)
        if (c != '-' && c != '_' && c != ' ') key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return key;
}

template <std::size_t N>
viz_kind const* find_kind(std::array<viz_kind, N> const& table, std::string_view value) {
    std::string key = normalise_kind(value);
    for (auto const& k : table)
        if (k.key == key) return &k;
    return nullptr;
}

inline bool present(std::optional<std::string> const& s) { return s && !s->empty(); }

} // namespace detail

// The chartType of an element: by its vizualizationType when it has one, else
// by its element type; Other for anything unknown.
inline chart_type chart_type_for(std::optional<std::string> const& vizualization_type,
                                 std::optional<std::string> const& element_type) {
    if (detail::present(vizualization_type)) {
        auto const* k = detail::find_kind(vizualization_chart_types, *vizualization_type);
        return k ? k->type : chart_type::Other;
    }
    if (detail::present(element_type)) {
        auto const* k = detail::find_kind(element_chart_types, *element_type);
        return k ? k->type : chart_type::Other;
    }
    return chart_type::Other;
}

// What an element is, in words ("bar chart", "pivot table", "image"); an
// unknown kind is given as Sigma spells it, "element" when nothing is known.
inline std::string element_kind_words(std::optional<std::string> const& vizualization_type,
                                      std::optional<std::string> const& element_type) {
    if (detail::present(vizualization_type)) {
        if (auto const* k = detail::find_kind(vizualization_chart_types, *vizualization_type)) return std::string(k->words);
        return *vizualization_type;
    }
    if (detail::present(element_type)) {
        if (auto const* k = detail::find_kind(element_chart_types, *element_type)) return std::string(k->words);
        return *element_type;
    }
    return "element";
}

} // namespace sigma::openmetadata

#endif
// ---- end <sigma/openmetadata/chart_types.hpp> ----
// ---- begin <sigma/openmetadata/fqn.hpp> ----
// SPDX-License-Identifier: MIT
// OpenMetadata fully qualified names: how charts, data models and warehouse
// tables are named across entities, and the `dbServicePrefix` setting.
#ifndef SIGMA_OPENMETADATA_FQN_HPP
#define SIGMA_OPENMETADATA_FQN_HPP


#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::openmetadata {

// One part of an FQN as OpenMetadata writes it: a name containing '.' is
// wrapped in double quotes (`"v1.2"`), any other name is kept as is.
inline std::string quote_name(std::string_view name) {
    if (name.find('.') == std::string_view::npos || name.find('"') != std::string_view::npos) return std::string(name);
    std::string out;
    out.reserve(name.size() + 2);
    out += '"';
    out += name;
    out += '"';
    return out;
}

inline std::string build_fqn(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (auto p : parts) {
        if (!out.empty()) out += '.';
        out += quote_name(p);
    }
    return out;
}

// Splits an FQN at the dots outside double quotes; quotes are removed.
inline std::vector<std::string> split_fqn(std::string_view fqn) {
    std::vector<std::string> parts(1);
    bool quoted = false;
    for (char c : fqn) {
        if (c == '"') quoted = !quoted;
        else if (c == '.' && !quoted) parts.emplace_back();
        else parts.back() += c;
    }
    return parts;
}

// Names of the dashboard service's entities: charts are `<service>.<chart>`,
// dashboards `<service>.<dashboard>`, data models `<service>.model.<model>`.
inline std::string chart_fqn(std::string_view service, std::string_view chart) { return build_fqn({service, chart}); }
inline std::string dashboard_fqn(std::string_view service, std::string_view dashboard) {
    return build_fqn({service, dashboard});
}
inline std::string data_model_fqn(std::string_view service, std::string_view model) {
    return build_fqn({service, "model", model});
}
inline std::string column_fqn(std::string_view parent_fqn, std::string_view column) {
    return std::string(parent_fqn) + "." + quote_name(column);
}

// OpenMetadata's `dbServicePrefix`: `service[.database[.schema[.table]]]`,
// each part a name or `*`. The rule sigma-cpp applies to a lineage table:
// its FQN is `<service>.<database>.<schema>.<table>`, built from what Sigma
// knows (the connection's name as the service, the connection path for the
// rest), then every non-wildcard part of the prefix replaces the part in the
// same place. So `snowflake_prod` names the database service of every table,
// `snowflake_prod.ANALYTICS` also pins the database, and `*.*.PUBLIC` only
// the schema. A part that neither Sigma nor the prefix knows is written `*`,
// which a resolver reads as "any" (a search, as OpenMetadata's connector does).
struct db_service_prefix {
    std::array<std::optional<std::string>, 4> parts; // service, database, schema, table; nullopt = `*`

    static result<db_service_prefix> parse(std::string_view text) {
        db_service_prefix p;
        if (text.empty()) return p;
        auto split = split_fqn(text);
        if (split.size() > 4)
            return sigma::error(errc::config, "dbServicePrefix: \"" + std::string(text) +
                                                  "\" has more than 4 parts; expected service.database.schema.table");
        for (std::size_t i = 0; i < split.size(); ++i) {
            if (split[i].empty())
                return sigma::error(errc::config, "dbServicePrefix: \"" + std::string(text) + "\": part " +
                                                      std::to_string(i + 1) + " is empty (use * for any)");
            if (split[i] != "*") p.parts[i] = split[i];
        }
        return p;
    }
};

inline constexpr std::string_view any_part = "*";

// The FQN parts of a lineage table (service, database, schema, table). The
// connection path is aligned on the right: the table is its last part, the
// schema the one before, the database the one before that.
inline std::array<std::string, 4> table_fqn_parts(extract::table_ref const& t, db_service_prefix const& prefix) {
    std::array<std::string, 4> parts;
    if (t.connectionName && !t.connectionName->empty()) parts[0] = *t.connectionName;
    std::size_t const n = t.path.size() < 3 ? t.path.size() : 3;
    for (std::size_t i = 0; i < n; ++i) parts[3 - i] = t.path[t.path.size() - 1 - i];
    for (std::size_t i = 0; i < 4; ++i) {
        if (prefix.parts[i]) parts[i] = *prefix.parts[i];
        if (parts[i].empty()) parts[i] = any_part;
    }
    return parts;
}

inline std::string table_fqn(extract::table_ref const& t, db_service_prefix const& prefix) {
    auto p = table_fqn_parts(t, prefix);
    return build_fqn({p[0], p[1], p[2], p[3]});
}

} // namespace sigma::openmetadata

#endif
// ---- end <sigma/openmetadata/fqn.hpp> ----
// ---- begin <sigma/openmetadata/graph.hpp> ----
// SPDX-License-Identifier: MIT
// The lineage of one extracted entity as edges between Sigma objects (tables,
// data models, workbook elements, workbooks), before they are named the
// OpenMetadata way. The request mapping and the Graphviz writer both read it,
// so the two always show the same lineage.
#ifndef SIGMA_OPENMETADATA_GRAPH_HPP
#define SIGMA_OPENMETADATA_GRAPH_HPP


#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace sigma::openmetadata {

enum class node_kind { table, data_model, element, workbook };

struct graph_node {
    node_kind kind = node_kind::table;
    std::string id;                          // inodeId, dataModelId, elementId, workbookId
    std::optional<extract::table_ref> table; // kind == table
    std::optional<std::string> name;         // for labels, when known
};

struct graph_column {
    std::string from;
    std::string to;
};

struct graph_edge {
    graph_node from;
    graph_node to;
    std::vector<graph_column> columns; // column lineage, from column -> to column
};

namespace detail {

// Collects edges once per (from, to), merging their column pairs.
class edge_set {
public:
    graph_edge& add(graph_node from, graph_node to) {
        auto key = std::make_tuple(from.kind, from.id, to.kind, to.id);
        auto it = index_.find(key);
        if (it != index_.end()) return edges_[it->second];
        index_.emplace(std::move(key), edges_.size());
        edges_.push_back(graph_edge{std::move(from), std::move(to), {}});
        return edges_.back();
    }
    void add_column(graph_edge& e, std::string const& from, std::string const& to) {
        graph_column c{from, to};
        for (auto const& have : e.columns)
            if (have.from == c.from && have.to == c.to) return;
        e.columns.push_back(std::move(c));
    }
    std::vector<graph_edge> take() && { return std::move(edges_); }

private:
    std::map<std::tuple<node_kind, std::string, node_kind, std::string>, std::size_t> index_;
    std::vector<graph_edge> edges_;
};

inline graph_node table_node(extract::lineage_source const& s) {
    graph_node n{node_kind::table, s.id, s.table, s.name};
    if (!n.table) n.table = extract::table_ref{s.id, {}, {}, {}, {}, {}, "none"};
    return n;
}

} // namespace detail

// Edges of a workbook: into each element from its tables, data models and
// other elements of the same workbook (with the column edges the extraction
// found), and from each data model the workbook reads into the workbook.
// Sources that name no catalog entity (custom SQL, retired datasets, unknown
// kinds) and elements not in the workbook (filtered out) give no edge.
inline std::vector<graph_edge> lineage_edges(extract::workbook_info const& wb) {
    detail::edge_set edges;
    std::map<std::string, extract::element_info const*> elements;
    for (auto const& p : wb.pages)
        for (auto const& el : p.elements) elements.emplace(el.elementId, &el);

    for (auto const& p : wb.pages) {
        for (auto const& el : p.elements) {
            graph_node to{node_kind::element, el.elementId, std::nullopt, el.name};
            for (auto const& s : el.sources) {
                graph_node from;
                switch (s.kind) {
                case extract::source_kind::table: from = detail::table_node(s); break;
                case extract::source_kind::data_model:
                    from = graph_node{node_kind::data_model, s.id, std::nullopt, s.name};
                    break;
                case extract::source_kind::element: {
                    auto it = elements.find(s.id);
                    if (it == elements.end() || s.id == el.elementId) continue;
                    from = graph_node{node_kind::element, s.id, std::nullopt, it->second->name};
                    break;
                }
                default: continue;
                }
                auto& e = edges.add(std::move(from), to);
                for (auto const& c : el.columnLineage)
                    if (c.fromSource == s.id) edges.add_column(e, c.fromColumn, c.toColumn);
            }
        }
    }
    std::set<std::string> seen;
    for (auto const& dm : wb.dataModelIds)
        if (seen.insert(dm).second)
            edges.add(graph_node{node_kind::data_model, dm, std::nullopt, std::nullopt},
                      graph_node{node_kind::workbook, wb.workbook.workbookId, std::nullopt, wb.workbook.name});
    return std::move(edges).take();
}

// Edges of a Sigma data model: from each warehouse table one of its elements reads.
inline std::vector<graph_edge> lineage_edges(extract::data_model_info const& dm) {
    detail::edge_set edges;
    graph_node to{node_kind::data_model, dm.dataModel.dataModelId, std::nullopt, dm.dataModel.name};
    for (auto const& el : dm.elements)
        for (auto const& s : el.sources)
            if (s.kind == extract::source_kind::table) edges.add(detail::table_node(s), to);
    return std::move(edges).take();
}

} // namespace sigma::openmetadata

#endif
// ---- end <sigma/openmetadata/graph.hpp> ----
// ---- begin <sigma/openmetadata/mapping.hpp> ----
// SPDX-License-Identifier: MIT
// Extracted Sigma entities -> OpenMetadata request records. Pure functions of
// their input (no I/O, no server): a JSON Lines writer and a push-to-server
// sink share them.
//
// What becomes what:
// - the service: CreateDashboardServiceRequest, name = the workflow's
//   serviceName, serviceType "Sigma", connection without the secret;
// - a Sigma data model: CreateDashboardDataModelRequest `<service>.model.<dataModelId>`,
//   columns = its elements' columns;
// - a workbook element: CreateChartRequest `<service>.<elementId>`; with
//   elementDataModels, a data element is also a data model
//   `<service>.model.<elementId>` with its columns (what OpenMetadata's
//   connector does when includeDataModels is on);
// - a workbook: CreateDashboardRequest `<service>.<workbookId>` naming its
//   charts and data models;
// - badges and version tags: tags of the classification `tagClassification`
//   (CreateClassificationRequest and CreateTagRequest records, which must
//   precede the entities using them);
// - lineage: AddLineageRequest per edge: table -> data model, data model ->
//   chart or dashboard, element -> element, with column lineage where the
//   downstream end has columns (a data model) and the extraction matched them;
// - what an incremental run found deleted (extract::report::deletions): a
//   soft delete, `DELETE <entity path>/name/<fqn>?hardDelete=false` with no
//   body, as OpenMetadata's markDeletedDashboards / markDeletedDataModels do.
#ifndef SIGMA_OPENMETADATA_MAPPING_HPP
#define SIGMA_OPENMETADATA_MAPPING_HPP


#include <boost/describe/class.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma::openmetadata {

struct mapping_options {
    // The OpenMetadata dashboard service (the workflow's `serviceName`).
    std::string serviceName;
    // OpenMetadata's `dbServicePrefix`; see db_service_prefix for the rule.
    std::string dbServicePrefix;
    // Also write every data element as a data model with its columns, as
    // OpenMetadata's connector does; lineage then runs through those models
    // and carries column lineage.
    bool elementDataModels = false;
    // Write the service's connection (hostPort, clientId, apiVersion; the
    // secret as "***"). Off: the service record has no connection, so replaying
    // it never touches a connection configured in OpenMetadata.
    bool serviceConnection = true;
    // The classification holding Sigma's badges and version tags; empty: no tags.
    std::string tagClassification = "SigmaTags";
    // OpenMetadata's column name limit (entity/data/table.json#/definitions/columnName:
    // 256; older servers had 128). Longer names are cut, the full name kept as displayName.
    std::size_t columnNameMaxLength = 256;
    // OpenMetadata's sourceConfig switches: write a soft delete for each
    // workbook and chart (resp. data model) an incremental run found gone.
    bool markDeletedDashboards = true;
    bool markDeletedDataModels = true;
};
BOOST_DESCRIBE_STRUCT(mapping_options, (),
                      (serviceName, dbServicePrefix, elementDataModels, serviceConnection, tagClassification,
                       columnNameMaxLength, markDeletedDashboards, markDeletedDataModels))

// The records of one extracted entity.
struct entity_records {
    std::vector<std::string> tags;   // tag names its records use: their tag records must come first
    std::vector<record> entities;    // in an order OpenMetadata accepts (data models, charts, dashboard)
    std::vector<record> lineage;     // AddLineageRequest records (after every entity they name exists)
};

namespace detail {

// UTF-16 code units of a UTF-8 string's prefix, as Java's String.length()
// counts them (OpenMetadata validates lengths in Java).
inline std::size_t utf8_sequence_length(unsigned char lead) noexcept {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1; // a stray byte counts as one unit
}

inline std::size_t utf16_length(std::string_view s) noexcept {
    std::size_t units = 0;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_sequence_length(static_cast<unsigned char>(s[i]));
        units += n == 4 ? 2 : 1;
        i += n;
    }
    return units;
}

// The longest prefix of at most `max_units` UTF-16 units, never splitting a character.
inline std::string utf8_prefix(std::string_view s, std::size_t max_units) {
    std::size_t units = 0, i = 0;
    while (i < s.size()) {
        std::size_t n = utf8_sequence_length(static_cast<unsigned char>(s[i]));
        std::size_t u = n == 4 ? 2 : 1;
        if (units + u > max_units || i + n > s.size()) break;
        units += u;
        i += n;
    }
    return std::string(s.substr(0, i));
}

inline std::string capitalised(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

inline bool has_text(std::optional<std::string> const& s) {
    if (!s) return false;
    for (char c : *s)
        if (!std::isspace(static_cast<unsigned char>(c))) return true;
    return false;
}

} // namespace detail

// The display name of an element: its own name, else what it is and where:
// "Bar chart on Overview", or "Untitled bar chart (el-42)" on an unnamed page.
inline std::string element_display_name(extract::element_info const& el, std::optional<std::string> const& page_name) {
    if (detail::has_text(el.name)) return *el.name;
    std::string kind = element_kind_words(el.vizualizationType, el.type);
    if (detail::has_text(page_name)) return detail::capitalised(kind) + " on " + *page_name;
    return "Untitled " + kind + " (" + el.elementId + ")";
}

// An OpenMetadata column name for a Sigma column name: "::" (reserved in
// OpenMetadata names) becomes ":", and the result is cut to `max_units`.
inline std::string column_name(std::string_view full, std::size_t max_units) {
    std::string name;
    name.reserve(full.size());
    for (std::size_t i = 0; i < full.size(); ++i) {
        if (full[i] == ':' && !name.empty() && name.back() == ':') continue;
        name += full[i];
    }
    if (name.empty()) name = "-"; // OpenMetadata's name for an unnamed column
    if (detail::utf16_length(name) > max_units) name = detail::utf8_prefix(name, max_units);
    return name;
}

// Sigma columns -> OpenMetadata columns with unique names; `names` receives
// full name -> column name, for column lineage.
inline std::vector<column> columns_for(std::vector<extract::column_info> const& in, std::size_t max_units,
                                       std::map<std::string, std::string>* names = nullptr) {
    std::vector<column> out;
    std::set<std::string> used;
    std::map<std::string, std::string> local;
    auto& map = names ? *names : local;
    for (auto const& c : in) {
        if (map.count(c.name)) continue; // the same column twice (several elements of a model)
        std::string name = column_name(c.name, max_units);
        // Two long names sharing a prefix would collide once cut: number them.
        for (int n = 2; used.count(name); ++n) {
            std::string suffix = "~" + std::to_string(n);
            name = detail::utf8_prefix(column_name(c.name, max_units), max_units - suffix.size()) + suffix;
        }
        used.insert(name);
        map.emplace(c.name, name);
        column col;
        col.name = name;
        if (name != c.name) col.displayName = c.name;
        col.dataTypeDisplay = "Sigma column";
        if (c.formula && !c.formula->empty()) col.description = "Sigma formula: `" + *c.formula + "`";
        col.ordinalPosition = static_cast<int>(out.size()) + 1;
        out.push_back(std::move(col));
    }
    return out;
}

// Options checked once; every mapping function is const and pure.
class mapping {
public:
    static result<mapping> create(mapping_options o) {
        if (o.serviceName.empty())
            return sigma::error(errc::config, "serviceName: must not be empty (the OpenMetadata dashboard service)");
        if (o.columnNameMaxLength < 16)
            return sigma::error(errc::config, "columnNameMaxLength: " + std::to_string(o.columnNameMaxLength) +
                                                  " is too small (OpenMetadata allows 256)");
        auto prefix = db_service_prefix::parse(o.dbServicePrefix);
        if (!prefix) return std::move(prefix).error();
        mapping m;
        m.opts_ = std::move(o);
        m.prefix_ = std::move(*prefix);
        return m;
    }

    [[nodiscard]] mapping_options const& options() const noexcept { return opts_; }
    [[nodiscard]] db_service_prefix const& prefix() const noexcept { return prefix_; }

    // The service, without a connection.
    [[nodiscard]] record service() const { return make_record(paths::dashboard_services, service_request(nullptr)); }
    // The service with its connection settings (never the secret).
    [[nodiscard]] record service(sigma::config const& c) const {
        return make_record(paths::dashboard_services, service_request(&c));
    }

    [[nodiscard]] record classification() const {
        create_classification_request r{opts_.tagClassification,
                                        "Sigma badges (Endorsed, Deprecated, Warning) and version tags.", false};
        return make_record(paths::classifications, r);
    }

    [[nodiscard]] record tag(std::string const& name) const {
        create_tag_request r{name, "Sigma badge or version tag \"" + name + "\".", opts_.tagClassification};
        return make_record(paths::tags, r);
    }

    [[nodiscard]] std::string table_fqn(extract::table_ref const& t) const { return openmetadata::table_fqn(t, prefix_); }

    // The soft deletes of one deletion (none when its switch is off): a chart
    // that was also an element data model goes as both.
    [[nodiscard]] std::vector<record> deletion(extract::deletion const& d) const {
        std::vector<record> out;
        auto del = [&](std::string_view path, std::string const& fqn) {
            out.push_back(record{"DELETE",
                                 std::string(path) + "/name/" +
                                     boost::urls::encode(fqn, boost::urls::unreserved_chars) + "?hardDelete=false",
                                 boost::json::value()});
        };
        switch (d.kind) {
        case extract::entity_kind::workbook:
            if (opts_.markDeletedDashboards) del(paths::dashboards, dashboard_fqn(opts_.serviceName, d.id));
            break;
        case extract::entity_kind::element:
            if (opts_.markDeletedDashboards) del(paths::charts, chart_fqn(opts_.serviceName, d.id));
            if (opts_.markDeletedDataModels && opts_.elementDataModels && d.dataElement)
                del(paths::data_models, data_model_fqn(opts_.serviceName, d.id));
            break;
        case extract::entity_kind::data_model:
            if (opts_.markDeletedDataModels) del(paths::data_models, data_model_fqn(opts_.serviceName, d.id));
            break;
        }
        return out;
    }

    // A Sigma data model and its lineage from warehouse tables.
    [[nodiscard]] entity_records data_model(extract::data_model_info const& dm) const {
        entity_records out;
        create_dashboard_data_model_request r;
        r.name = dm.dataModel.dataModelId;
        r.displayName = dm.dataModel.name;
        if (detail::has_text(dm.dataModel.description)) r.description = dm.dataModel.description;
        r.service = opts_.serviceName;
        r.project = dm.workspaceName;
        r.owners = owners(dm.ownerEmail);
        r.tags = tags(dm.tags, out.tags);
        std::vector<extract::column_info> all;
        std::optional<std::string> sql;
        int with_sql = 0;
        for (auto const& el : dm.elements) {
            all.insert(all.end(), el.columns.begin(), el.columns.end());
            if (el.sql && !el.sql->empty()) {
                ++with_sql;
                sql = el.sql;
            }
        }
        if (with_sql == 1) r.sql = sql; // several SQL elements: no one query is "the" model's
        r.columns = columns_for(all, opts_.columnNameMaxLength);
        out.entities.push_back(make_record(paths::data_models, r));
        for (auto const& e : lineage_edges(dm)) out.lineage.push_back(lineage_record(e, nullptr));
        return out;
    }

    // A workbook: its element data models (when asked), its charts, the
    // dashboard, and its lineage. `known_data_models`, when given, holds the
    // Sigma data models written so far: the dashboard and the lineage name
    // only those (OpenMetadata refuses a dashboard naming a data model it does
    // not have, e.g. when data models were not extracted).
    [[nodiscard]] entity_records workbook(extract::workbook_info const& wb,
                                          std::set<std::string> const* known_data_models = nullptr) const {
        auto known = [&](std::string const& id) { return !known_data_models || known_data_models->count(id) > 0; };
        entity_records out;
        context ctx;
        std::vector<std::string> charts, models;
        std::vector<std::string> tag_names;
        auto dashboard_tags = tags(wb.tags, tag_names);
        auto dashboard_owners = owners(wb.ownerEmail);

        for (auto const& p : wb.pages) {
            for (auto const& el : p.elements) {
                ctx.elements.emplace(el.elementId, &el);
                std::string display = element_display_name(el, p.name);
                if (is_model(el)) {
                    create_dashboard_data_model_request m;
                    m.name = el.elementId;
                    m.displayName = display;
                    m.service = opts_.serviceName;
                    m.project = wb.workspaceName;
                    m.owners = dashboard_owners;
                    if (el.sql && !el.sql->empty()) m.sql = el.sql;
                    m.columns = columns_for(el.columns, opts_.columnNameMaxLength, &ctx.column_names[el.elementId]);
                    out.entities.push_back(make_record(paths::data_models, m));
                    models.push_back(data_model_fqn(opts_.serviceName, el.elementId));
                }
                create_chart_request c;
                c.name = el.elementId;
                c.displayName = display;
                // Elements have no description of their own in Sigma's API; the
                // workbook's is never copied onto its charts.
                c.chartType = chart_type_for(el.vizualizationType, el.type);
                if (!el.url.empty()) c.sourceUrl = el.url;
                c.service = opts_.serviceName;
                out.entities.push_back(make_record(paths::charts, c));
                charts.push_back(chart_fqn(opts_.serviceName, el.elementId));
            }
        }
        // Move element data models before every chart: a chart's lineage may
        // name any model, and models never depend on charts.
        std::stable_partition(out.entities.begin(), out.entities.end(),
                              [](record const& r) { return r.path == paths::data_models; });

        std::set<std::string> seen;
        std::vector<std::string> dm_fqns;
        for (auto const& id : wb.dataModelIds)
            if (known(id) && seen.insert(id).second) dm_fqns.push_back(data_model_fqn(opts_.serviceName, id));
        dm_fqns.insert(dm_fqns.end(), models.begin(), models.end());

        create_dashboard_request d;
        d.name = wb.workbook.workbookId;
        d.displayName = wb.workbook.name;
        if (detail::has_text(wb.workbook.description)) d.description = wb.workbook.description;
        if (!wb.workbook.url.empty()) d.sourceUrl = wb.workbook.url;
        d.project = wb.workspaceName;
        d.charts = std::move(charts);
        d.dataModels = std::move(dm_fqns);
        d.tags = std::move(dashboard_tags);
        d.owners = std::move(dashboard_owners);
        d.service = opts_.serviceName;
        out.entities.push_back(make_record(paths::dashboards, d));
        out.tags = std::move(tag_names);

        for (auto const& e : lineage_edges(wb))
            if (e.from.kind != node_kind::data_model || known(e.from.id)) out.lineage.push_back(lineage_record(e, &ctx));
        // An element's own data model feeds its chart.
        for (auto const& [id, el] : ctx.elements)
            if (is_model(*el)) {
                add_lineage_request r;
                r.edge.fromEntity = entity_ref{{}, "dashboardDataModel", data_model_fqn(opts_.serviceName, id), {}};
                r.edge.toEntity = entity_ref{{}, "chart", chart_fqn(opts_.serviceName, id), {}};
                r.edge.lineageDetails = lineage_details{{}, {}, {}, lineage_source::DashboardLineage};
                out.lineage.push_back(make_record(paths::lineage, r));
            }
        return out;
    }

private:
    struct context {
        std::map<std::string, extract::element_info const*> elements;
        std::map<std::string, std::map<std::string, std::string>> column_names; // element -> full -> OM name
    };

    [[nodiscard]] bool is_model(extract::element_info const& el) const { return opts_.elementDataModels && el.dataElement; }

    create_dashboard_service_request service_request(sigma::config const* c) const {
        create_dashboard_service_request r;
        r.name = opts_.serviceName;
        r.description = "Sigma Computing, written by sigma-cpp.";
        if (c && opts_.serviceConnection) {
            sigma_connection conn;
            conn.hostPort = c->hostPort;
            conn.clientId = c->clientId;
            conn.apiVersion = c->apiVersion;
            // conn.clientSecret stays the mask: the secret is never copied.
            r.connection = dashboard_connection{std::move(conn)};
        }
        return r;
    }

    static std::optional<std::vector<entity_ref>> owners(std::optional<std::string> const& email) {
        if (!email || email->empty()) return std::nullopt;
        return std::vector<entity_ref>{entity_ref{{}, "user", {}, *email}};
    }

    std::optional<std::vector<tag_label>> tags(std::vector<std::string> const& names,
                                               std::vector<std::string>& used) const {
        if (opts_.tagClassification.empty() || names.empty()) return std::nullopt;
        std::vector<tag_label> out;
        for (auto const& n : names) {
            if (n.empty()) continue;
            std::string fqn = build_fqn({opts_.tagClassification, n});
            bool dup = false;
            for (auto const& t : out) dup = dup || t.tagFQN == fqn;
            if (dup) continue;
            out.push_back(tag_label{fqn});
            used.push_back(n);
        }
        if (out.empty()) return std::nullopt;
        return out;
    }

    // An end of an edge, named the OpenMetadata way, and the FQN prefix of its
    // columns when it has columns in OpenMetadata.
    struct end {
        entity_ref ref;
        std::optional<std::string> columns_of;
        std::map<std::string, std::string> const* names = nullptr; // full -> OM column name
    };

    end end_of(graph_node const& n, context const* ctx) const {
        std::string const& svc = opts_.serviceName;
        switch (n.kind) {
        case node_kind::table: {
            std::string fqn = n.table ? table_fqn(*n.table) : build_fqn({any_part, any_part, any_part, n.id});
            return end{entity_ref{{}, "table", fqn, {}}, fqn, nullptr};
        }
        case node_kind::data_model: {
            std::string fqn = data_model_fqn(svc, n.id);
            return end{entity_ref{{}, "dashboardDataModel", fqn, {}}, fqn, nullptr};
        }
        case node_kind::element: {
            if (ctx) {
                auto it = ctx->elements.find(n.id);
                if (it != ctx->elements.end() && is_model(*it->second)) {
                    std::string fqn = data_model_fqn(svc, n.id);
                    auto names = ctx->column_names.find(n.id);
                    return end{entity_ref{{}, "dashboardDataModel", fqn, {}}, fqn,
                               names == ctx->column_names.end() ? nullptr : &names->second};
                }
            }
            return end{entity_ref{{}, "chart", chart_fqn(svc, n.id), {}}, std::nullopt, nullptr};
        }
        case node_kind::workbook: return end{entity_ref{{}, "dashboard", dashboard_fqn(svc, n.id), {}}, std::nullopt, nullptr};
        }
        return {};
    }

    std::string om_column(end const& e, std::string const& full) const {
        if (e.names) {
            auto it = e.names->find(full);
            if (it != e.names->end()) return column_fqn(*e.columns_of, it->second);
        }
        // Tables keep their own names; other models' names are cut the same way.
        return column_fqn(*e.columns_of, e.ref.type == "table" ? full : column_name(full, opts_.columnNameMaxLength));
    }

    record lineage_record(graph_edge const& e, context const* ctx) const {
        end from = end_of(e.from, ctx);
        end to = end_of(e.to, ctx);
        add_lineage_request r;
        r.edge.fromEntity = from.ref;
        r.edge.toEntity = to.ref;
        lineage_details details;
        details.source = lineage_source::DashboardLineage;
        if (from.columns_of && to.columns_of && !e.columns.empty()) {
            // One entry per downstream column, with all its upstream columns.
            std::map<std::string, std::vector<std::string>> by_target;
            std::vector<std::string> order;
            for (auto const& c : e.columns) {
                std::string target = om_column(to, c.to);
                auto [it, fresh] = by_target.try_emplace(target);
                if (fresh) order.push_back(target);
                std::string source = om_column(from, c.from);
                bool dup = false;
                for (auto const& s : it->second) dup = dup || s == source;
                if (!dup) it->second.push_back(std::move(source));
            }
            std::vector<column_lineage> cols;
            for (auto const& target : order) cols.push_back(column_lineage{by_target[target], target, {}});
            details.columnsLineage = std::move(cols);
        }
        // The element's own query, for edges from the tables it reads.
        if (ctx && e.from.kind == node_kind::table && e.to.kind == node_kind::element) {
            auto it = ctx->elements.find(e.to.id);
            if (it != ctx->elements.end() && it->second->sql && !it->second->sql->empty())
                details.sqlQuery = it->second->sql;
        }
        r.edge.lineageDetails = std::move(details);
        return make_record(paths::lineage, r);
    }

    mapping_options opts_;
    db_service_prefix prefix_;
};

} // namespace sigma::openmetadata

#endif
// ---- end <sigma/openmetadata/mapping.hpp> ----
// ---- begin <sigma/openmetadata/record_sink.hpp> ----
// SPDX-License-Identifier: MIT
// A sink (sigma::extract::sink) that turns the extraction's stream into
// OpenMetadata records in an order the server accepts, and hands each to a
// callable: the JSON Lines writer and a push-to-server sink are this plus
// where the records go.
//
// The order, stable for a given extraction:
//   1. the dashboard service (before anything else, also for an empty run);
//   2. the tag classification and each tag, once, just before the first
//      entity that uses it;
//   3. each Sigma data model, as it arrives (the extraction hands all data
//      models over before any workbook);
//   4. per workbook, as it arrives: its element data models (elementDataModels),
//      its charts in page order, then its dashboard;
//   5. at on_finish, every lineage record, in the order the entities came;
//   6. then the soft deletes of what an incremental run found gone (the
//      report's deletions, in its order), unless mapping_options turn them off.
// So every entity of the dashboard service that a record names is written
// before it; warehouse tables and users are the server's, found by the resolver.
//
// Memory: an entity's records are handed on as soon as it arrives; only the
// lineage records wait for the end (an edge may point at an entity that comes
// later, or a warehouse table), plus the names of the tags and the ids of the
// data models already written (a dashboard names only data models that were
// written). buffered_lineage() says how many records are waiting.
#ifndef SIGMA_OPENMETADATA_RECORD_SINK_HPP
#define SIGMA_OPENMETADATA_RECORD_SINK_HPP


#include <concepts>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sigma::openmetadata {

template <class Emit>
class record_sink {
    static_assert(std::invocable<Emit&, record const&>,
                  "sigma::openmetadata::record_sink<Emit>: Emit must be callable as emit(record const&)");

public:
    // `connection` (optional) fills the service's connection settings; its
    // secret is never read.
    record_sink(Emit emit, mapping m, std::optional<sigma::config> connection = std::nullopt)
        : emit_(std::move(emit)), map_(std::move(m)) {
        if (connection) {
            connection->clientSecret = secret{}; // not kept: nothing here needs it
            connection_ = std::move(connection);
        }
    }

    void on_workspace(extract::workspace_info const&) {} // workspaces become each entity's `project`
    void on_connection(api::connection const&) {}        // table_ref already names its connection

    void on_data_model(extract::data_model_info&& dm) {
        write(map_.data_model(dm));
        data_models_.insert(dm.dataModel.dataModelId);
    }
    void on_workbook(extract::workbook_info&& wb) { write(map_.workbook(wb, &data_models_)); }

    void on_finish(extract::report const& rep) {
        start();
        for (auto const& r : lineage_) put(r);
        lineage_.clear();
        lineage_.shrink_to_fit();
        for (auto const& d : rep.deletions)
            for (auto const& r : map_.deletion(d)) put(r);
    }

    [[nodiscard]] std::size_t buffered_lineage() const noexcept { return lineage_.size(); }
    [[nodiscard]] std::size_t records_written() const noexcept { return written_; }
    [[nodiscard]] mapping const& get_mapping() const noexcept { return map_; }
    [[nodiscard]] Emit& emitter() noexcept { return emit_; }

private:
    void start() {
        if (started_) return;
        started_ = true;
        put(connection_ ? map_.service(*connection_) : map_.service());
    }

    void write(entity_records&& rs) {
        start();
        for (auto const& t : rs.tags) {
            if (!classification_written_) {
                put(map_.classification());
                classification_written_ = true;
            }
            if (tags_written_.insert(t).second) put(map_.tag(t));
        }
        for (auto const& r : rs.entities) put(r);
        for (auto& r : rs.lineage) lineage_.push_back(std::move(r));
    }

    void put(record const& r) {
        emit_(r);
        ++written_;
    }

    Emit emit_;
    mapping map_;
    std::optional<sigma::config> connection_;
    bool started_ = false;
    bool classification_written_ = false;
    std::set<std::string> tags_written_;
    std::set<std::string> data_models_; // ids of the Sigma data models written
    std::vector<record> lineage_;
    std::size_t written_ = 0;
};

namespace detail {
struct record_collector {
    std::vector<record>* out;
    void operator()(record const& r) const { out->push_back(r); }
};
} // namespace detail

// Every record of an inventory, in the sink's order (for tests and small
// organisations; a large one streams through a sink instead).
inline std::vector<record> to_records(extract::inventory const& inv, mapping const& m,
                                      std::optional<sigma::config> connection = std::nullopt) {
    std::vector<record> out;
    record_sink<detail::record_collector> s(detail::record_collector{&out}, m, std::move(connection));
    for (auto const& w : inv.workspaces) s.on_workspace(w);
    for (auto const& c : inv.connections) s.on_connection(c);
    for (auto dm : inv.dataModels) s.on_data_model(std::move(dm));
    for (auto wb : inv.workbooks) s.on_workbook(std::move(wb));
    s.on_finish(inv.status);
    return out;
}

static_assert(extract::sink<record_sink<detail::record_collector>>);

} // namespace sigma::openmetadata

#endif
// ---- end <sigma/openmetadata/record_sink.hpp> ----
// ---- begin <sigma/openmetadata/jsonl_sink.hpp> ----
// SPDX-License-Identifier: MIT
// OpenMetadata records as JSON Lines: one request per line,
//
//     {"method":"PUT","path":"/api/v1/charts","body":{"name":"el-42",...}}
//
// in the order record_sink documents, so that replaying the file line by line
// against a server (curl -X PUT "$OM/api${path}" -d "$body" with a token, the
// references resolved) creates every entity before anything names it.
#ifndef SIGMA_OPENMETADATA_JSONL_SINK_HPP
#define SIGMA_OPENMETADATA_JSONL_SINK_HPP


#include <cstddef>
#include <optional>
#include <ostream>
#include <string>

namespace sigma::openmetadata {

namespace detail {
struct jsonl_writer {
    std::ostream* os = nullptr;
    std::size_t lines = 0;
    std::optional<std::size_t> first_failed; // the 0-based line that could not be written
    void operator()(record const& r) {
        std::string line = sigma::json::encode(r);
        line += '\n';
        os->write(line.data(), static_cast<std::streamsize>(line.size()));
        if (!*os && !first_failed) first_failed = lines;
        ++lines;
    }
};
} // namespace detail

class jsonl_sink : public record_sink<detail::jsonl_writer> {
public:
    // The stream must outlive the sink.
    jsonl_sink(std::ostream& os, mapping m, std::optional<sigma::config> connection = std::nullopt)
        : record_sink<detail::jsonl_writer>(detail::jsonl_writer{&os, 0, std::nullopt}, std::move(m),
                                            std::move(connection)) {}

    void on_finish(extract::report const& r) {
        record_sink<detail::jsonl_writer>::on_finish(r);
        emitter().os->flush();
        if (!*emitter().os && !emitter().first_failed) emitter().first_failed = emitter().lines;
    }

    // False once a line could not be written (disk full, closed pipe): the
    // output is then incomplete and must not be replayed as a whole.
    [[nodiscard]] bool good() noexcept { return !emitter().first_failed; }
    [[nodiscard]] std::optional<std::size_t> first_failed_line() noexcept { return emitter().first_failed; }
};

static_assert(extract::sink<jsonl_sink>);

} // namespace sigma::openmetadata

#endif
// ---- end <sigma/openmetadata/jsonl_sink.hpp> ----
// ---- begin <sigma/openmetadata/dot.hpp> ----
// SPDX-License-Identifier: MIT
// The lineage graph as a Graphviz digraph: warehouse tables (cylinders), data
// models (components), workbook elements (boxes) and workbooks (folders),
// lineage as solid edges (labelled with the number of column edges), an
// element's membership of its workbook as a dashed edge. A sink, so it
// streams: only the ids of tables and data models already drawn are kept.
//
//     dot -Tsvg lineage.dot > lineage.svg
#ifndef SIGMA_OPENMETADATA_DOT_HPP
#define SIGMA_OPENMETADATA_DOT_HPP


#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>

namespace sigma::openmetadata {

// A DOT quoted string (an id or a label): quotes and backslashes escaped,
// line breaks as \n, other control characters as spaces, so no name can end
// the string or inject attributes.
inline std::string dot_quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                out += ' ';
            else
                out += c;
        }
    }
    out += '"';
    return out;
}

class dot_sink {
public:
    // The stream must outlive the sink.
    explicit dot_sink(std::ostream& os) : os_(&os) {}

    void on_workspace(extract::workspace_info const&) {}
    void on_connection(api::connection const&) {}

    void on_data_model(extract::data_model_info&& dm) {
        start();
        model_node(dm.dataModel.dataModelId, dm.dataModel.name);
        for (auto const& e : lineage_edges(dm)) edge(e, {});
    }

    void on_workbook(extract::workbook_info&& wb) {
        start();
        std::string const wb_id = "workbook:" + wb.workbook.workbookId;
        *os_ << "  " << dot_quote(wb_id) << " [shape=folder, label=" << dot_quote(wb.workbook.name) << "];\n";
        for (auto const& p : wb.pages)
            for (auto const& el : p.elements) {
                std::string id = element_id(wb.workbook.workbookId, el.elementId);
                *os_ << "  " << dot_quote(id) << " [shape=box, label=" << dot_quote(element_display_name(el, p.name))
                     << "];\n";
                *os_ << "  " << dot_quote(id) << " -> " << dot_quote(wb_id) << " [style=dashed, arrowhead=none];\n";
            }
        for (auto const& e : lineage_edges(wb)) edge(e, wb.workbook.workbookId);
    }

    void on_finish(extract::report const&) {
        start();
        *os_ << "}\n";
        os_->flush();
    }

private:
    static std::string element_id(std::string const& workbook, std::string const& element) {
        return "element:" + workbook + "/" + element;
    }

    void start() {
        if (started_) return;
        started_ = true;
        *os_ << "digraph sigma_lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
    }

    void model_node(std::string const& id, std::optional<std::string> const& name) {
        if (!models_.insert(id).second) return;
        *os_ << "  " << dot_quote("model:" + id) << " [shape=component, label=" << dot_quote(name ? *name : id)
             << "];\n";
    }

    std::string node_id(graph_node const& n, std::string const& workbook) {
        switch (n.kind) {
        case node_kind::table: {
            std::string id = "table:" + n.id;
            if (tables_.insert(n.id).second) {
                std::string label;
                if (n.table) {
                    if (n.table->connectionName) label = *n.table->connectionName + "\n";
                    std::string path;
                    for (auto const& part : n.table->path) path += (path.empty() ? "" : ".") + part;
                    label += path.empty() ? n.name.value_or(n.id) : path;
                } else {
                    label = n.name.value_or(n.id);
                }
                *os_ << "  " << dot_quote(id) << " [shape=cylinder, label=" << dot_quote(label) << "];\n";
            }
            return id;
        }
        case node_kind::data_model: model_node(n.id, n.name); return "model:" + n.id;
        case node_kind::element: return element_id(workbook, n.id);
        case node_kind::workbook: return "workbook:" + n.id;
        }
        return n.id;
    }

    void edge(graph_edge const& e, std::string const& workbook) {
        std::string from = node_id(e.from, workbook);
        std::string to = node_id(e.to, workbook);
        *os_ << "  " << dot_quote(from) << " -> " << dot_quote(to);
        if (!e.columns.empty())
            *os_ << " [label=" << dot_quote(std::to_string(e.columns.size()) +
                                            (e.columns.size() == 1 ? " column" : " columns"))
                 << "]";
        *os_ << ";\n";
    }

    std::ostream* os_;
    bool started_ = false;
    std::set<std::string> tables_;
    std::set<std::string> models_;
};

static_assert(extract::sink<dot_sink>);

// The whole inventory as one digraph.
inline void write_dot(std::ostream& os, extract::inventory const& inv) {
    dot_sink s(os);
    for (auto dm : inv.dataModels) s.on_data_model(std::move(dm));
    for (auto wb : inv.workbooks) s.on_workbook(std::move(wb));
    s.on_finish(inv.status);
}

} // namespace sigma::openmetadata

#endif
// ---- end <sigma/openmetadata/dot.hpp> ----
// ---- begin <sigma/openmetadata/push_sink.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::openmetadata::push_sink<Transport>: a sink (sigma::extract::sink)
// that sends the records straight to an OpenMetadata server instead of
// writing them down. The records and their order are record_sink's; this
// adds where they go:
//
//   - every reference a record names is resolved to an id with the server's
//     API: users by email (the search API, as OpenMetadata's own connector
//     does), tables by FQN (GET /v1/tables/name/{fqn}, or the search API when
//     a part is `*`), charts, dashboards and data models by FQN (the ids the
//     PUTs answered, else GET .../name/{fqn}). Every lookup is cached, found
//     or not. An owner that cannot be resolved is reported and the record is
//     sent without it; a lineage edge with an end that cannot be resolved is
//     reported and skipped.
//   - requests are retried on 429/502/503/504 and on transport failures
//     (every request is a PUT or a GET, so idempotent), with the client's
//     back-off (sigma::retry_policy, Retry-After honoured), on an injectable
//     clock;
//   - a 401 stops the push: the JWT was refused and every other request
//     would be too. Other failures are recorded per record and the push goes on.
//
// Threading and memory. The extraction calls the sink synchronously on the
// thread that runs the client. Records go to a queue; a coroutine on a strand
// of the transport's executor sends them, one at a time and in order (each
// record may name the ones before it). With `stream` on (the default) the
// sender starts with the first record, so when the transport shares the
// client's io_context (the usual set-up) records are sent while the crawl
// runs and the queue holds only what the server has not caught up with;
// with `stream` off, or a transport on an executor nobody runs during the
// crawl, the whole output waits in memory for flush(). Lineage records wait
// in record_sink until on_finish either way (an edge may name an entity that
// comes later). flush() / async_flush() sends what is left and returns the
// report; call it after the extraction (which calls on_finish).
//
// The JWT is held as a sigma::secret, sent only in the Authorization header,
// and removed from any text the server answers before it reaches a report
// or a log.
#ifndef SIGMA_OPENMETADATA_PUSH_SINK_HPP
#define SIGMA_OPENMETADATA_PUSH_SINK_HPP


#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url_view.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma::openmetadata {

struct push_options {
    // The OpenMetadata API, as in workflowConfig.openMetadataServerConfig.hostPort:
    // "http://localhost:8585/api". Record paths (/api/v1/...) are sent under
    // the path before its final /api.
    std::string hostPort;
    // Sent as `Authorization: Bearer <jwt>`; empty: no Authorization header.
    secret jwt;
    // Attempts per request and back-off; the budget bounds retries over the whole push.
    retry_policy retry{};
    // Sleeps, wall time for Retry-After dates, jitter. Tests inject one that never sleeps.
    clock_source clock = clock_source::system();
    // Send records as they come (see the header comment); off: all at flush().
    bool stream = true;
    // Warnings (unresolved references, retries) and errors; never holds the JWT.
    log_sink log;
    // At most this many failures and unresolved references are kept in the
    // report with their details; the counters count them all.
    std::size_t max_reported = 1000;
};

// A record the server did not accept.
struct push_failure {
    std::string path;    // /api/v1/charts
    std::string name;    // the entity's name, or "from -> to" for lineage
    unsigned status = 0; // 0: no answer (transport failure)
    std::string message; // the server's `message`, or what went wrong
};
BOOST_DESCRIBE_STRUCT(push_failure, (), (path, name, status, message))

// A reference that could not be resolved to an id.
struct unresolved_reference {
    std::string entity;    // the record that named it: "/api/v1/dashboards wb-1"
    std::string reference; // "user ana@example.com", "table svc.db.schema.orders"
    std::string reason;
};
BOOST_DESCRIBE_STRUCT(unresolved_reference, (), (entity, reference, reason))

struct push_report {
    std::size_t records = 0;             // records the sink was given
    std::size_t sent = 0;                // accepted by the server (2xx; a delete also 404)
    std::size_t deleted = 0;             // of those, soft deletes
    std::size_t failed = 0;              // answered with an error, or no answer after the retries
    std::size_t lineageSkipped = 0;      // lineage edges not sent: an end could not be resolved
    std::size_t notSent = 0;             // never tried: the push was aborted first
    std::size_t referencesResolved = 0;  // references replaced by an id (each occurrence)
    std::size_t referencesUnresolved = 0;
    std::size_t lookups = 0;             // look-up requests made (the cache answers the rest)
    std::size_t requests = 0;            // HTTP requests, retries included
    std::size_t retries = 0;
    std::vector<push_failure> failures;
    std::vector<unresolved_reference> unresolved;
    std::string aborted;                 // non-empty: why the push stopped (e.g. the JWT was refused)

    // Every record was sent (unresolved owners allowed, skipped lineage not).
    [[nodiscard]] bool clean() const noexcept { return failed == 0 && notSent == 0 && lineageSkipped == 0 && aborted.empty(); }
};
BOOST_DESCRIBE_STRUCT(push_report, (),
                      (records, sent, deleted, failed, lineageSkipped, notSent, referencesResolved, referencesUnresolved, lookups,
                       requests, retries, failures, unresolved, aborted))

namespace detail {

// scheme://host[:port] and the path prefix put before record paths.
struct push_base {
    std::string origin;
    std::string prefix; // "" for http://host:8585/api, "/om" for http://host/om/api
};

inline result<push_base> parse_push_host(std::string_view host_port) {
    auto bad = [&](std::string const& why) {
        return sigma::error(errc::config, "OpenMetadata hostPort \"" + std::string(host_port) + "\": " + why);
    };
    if (host_port.empty()) return bad("empty; expected e.g. http://localhost:8585/api");
    auto u = boost::urls::parse_uri(host_port);
    if (!u) return bad("not an absolute URL; expected e.g. http://localhost:8585/api");
    if (u->scheme() != "http" && u->scheme() != "https") return bad("the scheme must be http:// or https://");
    if (u->has_userinfo()) return bad("must not carry user information (the JWT is given separately)");
    if (u->has_query() || u->has_fragment()) return bad("must not have a query or fragment");
    if (u->encoded_host().empty()) return bad("has no host");
    push_base b;
    b.origin = std::string(u->scheme()) + "://" + std::string(u->encoded_host_and_port());
    std::string path(u->encoded_path());
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.size() >= 4 && path.compare(path.size() - 4, 4, "/api") == 0) path.resize(path.size() - 4);
    b.prefix = std::move(path);
    return b;
}

inline std::string push_encode(std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

// Lucene query syntax: backslash before every reserved character.
inline std::string lucene_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (std::string_view("+-=&|><!(){}[]^\"~*?:\\/ ").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

// The entity type an OpenMetadata path creates, for caching the ids PUTs answer.
inline std::string_view push_entity_type(std::string_view path) {
    if (path == paths::charts) return "chart";
    if (path == paths::dashboards) return "dashboard";
    if (path == paths::data_models) return "dashboardDataModel";
    if (path == paths::dashboard_services) return "dashboardService";
    return {};
}

// Where an entity of that type is found by FQN.
inline std::string_view push_by_name_path(std::string_view type) {
    if (type == "table") return "/api/v1/tables/name/";
    if (type == "chart") return "/api/v1/charts/name/";
    if (type == "dashboard") return "/api/v1/dashboards/name/";
    if (type == "dashboardDataModel") return "/api/v1/dashboard/datamodels/name/";
    if (type == "user") return "/api/v1/users/name/";
    return {};
}

inline std::string json_string_at(boost::json::value const& v, std::string_view key) {
    if (auto const* o = v.if_object())
        if (auto const* s = o->if_contains(key); s && s->is_string()) return std::string(s->get_string());
    return {};
}

// What a record is about, for reports: its name, or "from -> to" for lineage.
inline std::string push_record_name(record const& r) {
    if (r.method == "DELETE") { // .../name/<fqn>?hardDelete=false
        auto at = r.path.rfind("/name/");
        auto end = r.path.find('?');
        return at == std::string::npos ? r.path : r.path.substr(at + 6, end == std::string::npos ? end : end - at - 6);
    }
    if (r.path == paths::lineage) {
        auto const* o = r.body.if_object();
        auto const* e = o ? o->if_contains("edge") : nullptr;
        if (e == nullptr) return {};
        auto end = [&](std::string_view k) {
            auto const* eo = e->if_object();
            auto const* x = eo ? eo->if_contains(k) : nullptr;
            return x ? json_string_at(*x, "fullyQualifiedName") : std::string();
        };
        return end("fromEntity") + " -> " + end("toEntity");
    }
    return json_string_at(r.body, "name");
}

// Printable, bounded, without the secret.
inline std::string push_clean(std::string text, secret const& jwt, std::size_t limit = 500) {
    if (!jwt.empty())
        for (std::size_t p; (p = text.find(jwt.reveal())) != std::string::npos;)
            text.replace(p, jwt.reveal().size(), secret::mask);
    for (auto& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (text.size() > limit) text = text.substr(0, limit) + "...";
    return text;
}

// OpenMetadata's error body is {"code": 404, "message": "..."}; anything else
// (an HTML page from a proxy) is shown cut short.
inline std::string push_server_message(http_response const& r, secret const& jwt) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (!ec) {
        auto m = json_string_at(v, "message");
        if (!m.empty()) return push_clean(std::move(m), jwt);
    }
    if (r.body.empty()) return "(empty body)";
    return push_clean(r.body, jwt, 200);
}

// A resolved reference or why not.
struct push_lookup {
    std::optional<std::string> id;
    std::string reason;
};

template <class Transport>
struct push_state : std::enable_shared_from_this<push_state<Transport>> {
    using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

    push_state(Transport t, push_options o, push_base b)
        : transport(std::move(t)), opts(std::move(o)), base(std::move(b)),
          strand(boost::asio::make_strand(boost::asio::any_io_executor(transport.get_executor()))), idle(strand) {}

    Transport transport;
    push_options opts;
    push_base base;
    strand_type strand;
    boost::asio::steady_timer idle; // cancelled whenever the sender stops

    std::mutex queue_mutex; // the queue and `sending`: the extraction's thread and the strand
    std::deque<record> queue;
    bool sending = false;

    // Everything below: the strand only.
    std::map<std::string, push_lookup> cache; // "type\nname" -> id or reason
    push_report report;

    void log(log_level l, std::string const& m) const {
        if (opts.log) opts.log(l, m);
    }

    // Called by the record sink's emitter on the extraction's thread.
    void enqueue(record const& r) {
        bool start = false;
        {
            std::lock_guard lock(queue_mutex);
            queue.push_back(r);
            ++report.records; // only written here (the strand reads it after the queue is drained)
            if (opts.stream && !sending) start = sending = true;
        }
        if (start) spawn_sender();
    }

    void spawn_sender() {
        auto self = this->shared_from_this();
        boost::asio::co_spawn(strand, self->drain(), [self](std::exception_ptr e) {
            if (e) {
                // A bug or std::bad_alloc: count what is left as not sent, never lose track.
                std::lock_guard lock(self->queue_mutex);
                self->report.notSent += self->queue.size();
                self->queue.clear();
                self->sending = false;
                if (self->report.aborted.empty()) self->report.aborted = "internal failure while sending";
                self->idle.cancel();
            }
        });
    }

    boost::asio::awaitable<void> drain() {
        for (;;) {
            std::optional<record> next;
            {
                std::lock_guard lock(queue_mutex);
                if (queue.empty()) {
                    sending = false;
                    idle.cancel();
                    co_return;
                }
                next.emplace(std::move(queue.front()));
                queue.pop_front();
            }
            if (!report.aborted.empty()) {
                ++report.notSent;
                continue;
            }
            co_await push_one(std::move(*next));
        }
    }

    // Until the queue is empty and no sender runs; runs on the strand.
    boost::asio::awaitable<push_report> flush() {
        for (;;) {
            bool start = false;
            {
                std::lock_guard lock(queue_mutex);
                if (queue.empty() && !sending) break;
                if (!sending) start = sending = true;
            }
            if (start) {
                co_await drain();
                continue;
            }
            idle.expires_at(boost::asio::steady_timer::time_point::max());
            boost::system::error_code ec;
            co_await idle.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        }
        co_return report;
    }

    void fail(record const& r, std::string name, unsigned status, std::string message) {
        ++report.failed;
        log(log_level::error, "OpenMetadata: " + r.method + " " + r.path + " " + name +
                                  ": " + (status ? "HTTP " + std::to_string(status) + ": " : std::string()) + message);
        if (report.failures.size() < opts.max_reported)
            report.failures.push_back(push_failure{r.path, std::move(name), status, std::move(message)});
    }

    void unresolved(std::string entity, std::string reference, std::string reason) {
        ++report.referencesUnresolved;
        log(log_level::warn, "OpenMetadata: " + entity + ": cannot resolve " + reference + ": " + reason);
        if (report.unresolved.size() < opts.max_reported)
            report.unresolved.push_back(unresolved_reference{std::move(entity), std::move(reference), std::move(reason)});
    }

    void abort_on_401(http_response const& r) {
        if (report.aborted.empty())
            report.aborted = "OpenMetadata refused the JWT (HTTP 401: " + push_server_message(r, opts.jwt) +
                             "); check workflowConfig.openMetadataServerConfig.securityConfig.jwtToken "
                             "(a bot's token, not expired)";
        log(log_level::error, report.aborted);
    }

    // One request with retries. Any final status is a response; only a
    // transport failure after the retries is an error.
    boost::asio::awaitable<result<http_response>> send(http_method method, std::string const& target,
                                                       std::string const* body) {
        std::string const what = std::string(to_string(method)) + " " + target;
        for (unsigned attempt = 0;; ++attempt) {
            http_request req;
            req.method = method;
            req.origin = base.origin;
            req.target = target;
            if (!opts.jwt.empty()) req.headers.push_back({"Authorization", "Bearer " + opts.jwt.reveal()});
            req.headers.push_back({"Accept", "application/json"});
            if (body) {
                req.headers.push_back({"Content-Type", "application/json"});
                req.body = *body;
            }
            ++report.requests;
            auto resp = co_await transport.async_send(std::move(req));
            bool const can_retry = attempt + 1 < opts.retry.max_attempts && report.retries < opts.retry.budget;
            if (!resp) {
                std::string why = push_clean(resp.error().message(), opts.jwt);
                if (!can_retry) co_return sigma::error(resp.error().code(), why);
                co_await pause(backoff(opts.retry, attempt, opts.clock.random()), what + " failed (" + why + ")");
                continue;
            }
            if (is_retryable_status(resp->status) && can_retry) {
                std::optional<std::chrono::milliseconds> ra;
                if (auto h = resp->header("Retry-After"); !h.empty()) ra = parse_retry_after(h, opts.clock.wall_now());
                auto wait = retry_delay(opts.retry, resp->status, ra, attempt, opts.clock.random());
                if (wait) {
                    co_await pause(*wait, what + ": HTTP " + std::to_string(resp->status));
                    continue;
                }
            }
            co_return std::move(*resp);
        }
    }

    boost::asio::awaitable<void> pause(std::chrono::milliseconds wait, std::string const& why) {
        ++report.retries;
        log(log_level::warn, "OpenMetadata: " + why + "; retrying in " + std::to_string(wait.count()) + " ms");
        co_await opts.clock.sleep(wait);
    }

    // ---- references ------------------------------------------------------

    static std::string cache_key(std::string_view type, std::string_view name) {
        std::string k(type);
        k += '\n';
        k += name;
        return k;
    }

    // A failed look-up: the reason, with the server's answer.
    std::string lookup_failure(result<http_response> const& r) {
        if (!r) return "look-up failed: " + r.error().message();
        if (r->status == 401) abort_on_401(*r);
        return "look-up answered HTTP " + std::to_string(r->status) + ": " + push_server_message(*r, opts.jwt);
    }

    // GET that answers an entity; its `id`.
    boost::asio::awaitable<push_lookup> get_id(std::string const& target, std::string const& not_found) {
        ++report.lookups;
        auto r = co_await send(http_method::get, target, nullptr);
        if (r && r->status == 404) co_return push_lookup{std::nullopt, not_found};
        if (!r || r->status < 200 || r->status > 299) co_return push_lookup{std::nullopt, lookup_failure(r)};
        boost::system::error_code ec;
        auto v = boost::json::parse(r->body, ec);
        auto id = ec ? std::string() : json_string_at(v, "id");
        if (id.empty()) co_return push_lookup{std::nullopt, "the server's answer has no id"};
        co_return push_lookup{id, {}};
    }

    // A search (…/search/query or …/search/fieldQuery) answering Elasticsearch
    // hits; exactly one hit resolves.
    boost::asio::awaitable<push_lookup> search_one(std::string const& target, std::string_view type,
                                                   std::string const& none) {
        ++report.lookups;
        auto r = co_await send(http_method::get, target, nullptr);
        if (!r || r->status < 200 || r->status > 299) co_return push_lookup{std::nullopt, lookup_failure(r)};
        boost::system::error_code ec;
        auto v = boost::json::parse(r->body, ec);
        boost::json::array const* hits = nullptr;
        if (!ec)
            if (auto const* o = v.if_object())
                if (auto const* h = o->if_contains("hits"); h && h->is_object())
                    if (auto const* a = h->get_object().if_contains("hits"); a && a->is_array()) hits = &a->get_array();
        if (hits == nullptr) co_return push_lookup{std::nullopt, "the search answer has no hits.hits"};
        if (hits->empty()) co_return push_lookup{std::nullopt, none};
        if (hits->size() > 1)
            co_return push_lookup{std::nullopt, std::to_string(hits->size()) +
                                                    " entities match; name it fully (dbServicePrefix) to choose one"};
        auto const* hit = (*hits)[0].if_object();
        auto const* source = hit ? hit->if_contains("_source") : nullptr;
        if (source == nullptr) co_return push_lookup{std::nullopt, "the search hit has no _source"};
        if (auto id = json_string_at(*source, "id"); !id.empty()) co_return push_lookup{id, {}};
        auto fqn = json_string_at(*source, "fullyQualifiedName");
        if (fqn.empty()) co_return push_lookup{std::nullopt, "the search hit has neither id nor fullyQualifiedName"};
        co_return co_await get_id(base.prefix + std::string(push_by_name_path(type)) + push_encode(fqn),
                                  "found by search but not by name");
    }

    boost::asio::awaitable<push_lookup> lookup(std::string const& type, std::string const& name, bool by_email) {
        std::string key = cache_key(by_email ? "email" : type, name);
        if (auto it = cache.find(key); it != cache.end()) co_return it->second;
        push_lookup found;
        if (by_email) {
            // OpenMetadata's connector finds owners the same way: the user index, by email.
            found = co_await search_one(base.prefix + "/api/v1/search/query?q=" +
                                            push_encode("email.keyword:" + lucene_escape(name)) +
                                            "&from=0&size=2&index=user_search_index",
                                        "user", "no OpenMetadata user has this email");
        } else if (type == "table" && name.find('*') != std::string::npos) {
            // A part neither Sigma nor dbServicePrefix knows: any service/database/schema.
            found = co_await search_one(base.prefix + "/api/v1/search/fieldQuery?fieldName=fullyQualifiedName&fieldValue=" +
                                            push_encode(name) + "&from=0&size=2&index=table_search_index&deleted=false",
                                        type, "no table matches (set dbServicePrefix to name its service)");
        } else {
            auto path = push_by_name_path(type);
            if (path.empty()) found.reason = "cannot look up an entity of type " + type;
            else found = co_await get_id(base.prefix + std::string(path) + push_encode(name),
                                         "no " + type + " with this fully qualified name in OpenMetadata");
        }
        cache.emplace(std::move(key), found);
        co_return found;
    }

    // Replaces a placeholder by {id, type[, fullyQualifiedName]}; false when unresolved.
    boost::asio::awaitable<bool> resolve_ref(boost::json::value& ref, std::string const& entity) {
        auto* o = ref.if_object();
        if (o == nullptr) co_return false;
        if (auto id = json_string_at(ref, "id"); !id.empty()) co_return true; // already an EntityReference
        std::string type = json_string_at(ref, "type");
        std::string email = json_string_at(ref, "email");
        std::string fqn = json_string_at(ref, "fullyQualifiedName");
        bool const by_email = !email.empty();
        std::string const& name = by_email ? email : fqn;
        std::string const shown = type + " " + name;
        if (name.empty()) {
            unresolved(entity, type, "the reference names neither an email nor a fully qualified name");
            co_return false;
        }
        auto found = co_await lookup(type, name, by_email);
        if (!found.id) {
            unresolved(entity, shown, found.reason);
            co_return false;
        }
        ++report.referencesResolved;
        (*o)["id"] = *found.id;
        o->erase("email"); // not an EntityReference field
        co_return true;
    }

    // ---- one record ------------------------------------------------------

    boost::asio::awaitable<void> push_one(record r) {
        std::string name = push_record_name(r);
        std::string const entity = r.path + " " + name;
        if (auto* body = r.body.if_object()) {
            if (r.path == paths::lineage) {
                auto* edge = body->if_contains("edge");
                bool ok = edge != nullptr && edge->is_object();
                for (auto end : {"fromEntity", "toEntity"}) {
                    if (!ok) break;
                    auto* ref = edge->get_object().if_contains(end);
                    if (ref == nullptr) ok = false;
                    else ok = co_await resolve_ref(*ref, entity);
                }
                if (!ok) {
                    ++report.lineageSkipped;
                    co_return;
                }
            } else if (auto* owners = body->if_contains("owners"); owners && owners->is_array()) {
                boost::json::array kept;
                for (auto& ref : owners->get_array())
                    if (co_await resolve_ref(ref, entity)) kept.push_back(std::move(ref));
                if (kept.empty()) body->erase("owners");
                else *owners = std::move(kept);
            }
        }
        if (!report.aborted.empty()) { // a look-up met a 401
            ++report.notSent;
            co_return;
        }
        if (r.method == "DELETE") {
            // A soft delete of what is already gone (404) has done its job.
            auto resp = co_await send(http_method::delete_, base.prefix + r.path, nullptr);
            if (!resp) {
                fail(r, std::move(name), 0, resp.error().message());
            } else if (resp->status == 404 || (resp->status >= 200 && resp->status <= 299)) {
                ++report.sent;
                ++report.deleted;
            } else {
                if (resp->status == 401) abort_on_401(*resp);
                fail(r, std::move(name), resp->status, push_server_message(*resp, opts.jwt));
            }
            co_return;
        }
        http_method method = r.method == "POST" ? http_method::post : http_method::put;
        std::string const payload = boost::json::serialize(r.body);
        auto resp = co_await send(method, base.prefix + r.path, &payload);
        if (!resp) {
            fail(r, std::move(name), 0, resp.error().message());
            co_return;
        }
        if (resp->status < 200 || resp->status > 299) {
            if (resp->status == 401) abort_on_401(*resp);
            fail(r, std::move(name), resp->status, push_server_message(*resp, opts.jwt));
            co_return;
        }
        ++report.sent;
        // The ids of what this push created: lineage needs no look-up for them.
        if (auto type = push_entity_type(r.path); !type.empty()) {
            boost::system::error_code ec;
            auto v = boost::json::parse(resp->body, ec);
            if (!ec) {
                auto id = json_string_at(v, "id");
                auto fqn = json_string_at(v, "fullyQualifiedName");
                if (!id.empty() && !fqn.empty()) cache.insert_or_assign(cache_key(type, fqn), push_lookup{id, {}});
            }
        }
    }
};

template <class Transport>
struct push_emitter {
    std::shared_ptr<push_state<Transport>> st;
    void operator()(record const& r) const { st->enqueue(r); }
};

} // namespace detail

template <class Transport>
class push_sink {
    static_assert(sigma::transport<Transport>,
                  "sigma::openmetadata::push_sink<Transport>: Transport must satisfy sigma::transport "
                  "(get_executor() and async_send(http_request) -> awaitable<result<http_response>>), e.g. "
                  "sigma::beast_transport or sigma::testing::memory_transport");

    using state = detail::push_state<Transport>;
    using inner_sink = record_sink<detail::push_emitter<Transport>>;

public:
    // Checks hostPort; the transport must be able to reach it (an http://
    // server needs beast_transport_options::allow_insecure_http).
    static result<push_sink> create(Transport transport, push_options options, mapping m,
                                    std::optional<sigma::config> connection = std::nullopt) {
        auto base = detail::parse_push_host(options.hostPort);
        if (!base) return std::move(base).error();
        if (!options.clock.sleep || !options.clock.random || !options.clock.wall_now)
            return sigma::error(errc::config, "push_options::clock: sleep, random and wall_now must all be set");
        if (options.retry.max_attempts == 0)
            return sigma::error(errc::config, "push_options::retry.max_attempts must be at least 1");
        auto st = std::make_shared<state>(std::move(transport), std::move(options), std::move(*base));
        return push_sink(st, inner_sink(detail::push_emitter<Transport>{st}, std::move(m), std::move(connection)));
    }

    void on_workspace(extract::workspace_info const& w) { inner_.on_workspace(w); }
    void on_connection(api::connection const& c) { inner_.on_connection(c); }
    void on_data_model(extract::data_model_info&& dm) { inner_.on_data_model(std::move(dm)); }
    void on_workbook(extract::workbook_info&& wb) { inner_.on_workbook(std::move(wb)); }
    void on_finish(extract::report const& r) { inner_.on_finish(r); }

    // Sends every record still queued, waits for the one being sent, and
    // answers the report. Runs on a strand of the transport's executor.
    boost::asio::awaitable<push_report> async_flush() {
        auto st = st_;
        co_return co_await boost::asio::co_spawn(st->strand, st->flush(), boost::asio::use_awaitable);
    }

    // The same, running the transport's io_context on this thread until done
    // (as basic_client's synchronous calls do): the tool's way, after extract().
    push_report flush() {
        boost::asio::any_io_executor ex = st_->transport.get_executor();
        auto const* iox = ex.target<boost::asio::io_context::executor_type>();
        if (iox == nullptr)
            throw sigma::error(errc::invalid_argument,
                               "push_sink::flush() needs a transport on a boost::asio::io_context; co_await "
                               "async_flush() with other executors");
        if (iox->running_in_this_thread())
            throw sigma::error(errc::invalid_argument,
                               "push_sink::flush() was called from inside the io_context it needs to run; co_await "
                               "async_flush() instead");
        boost::asio::io_context& ioc = iox->context();
        std::optional<push_report> out;
        std::exception_ptr failure;
        boost::asio::co_spawn(st_->strand, st_->flush(), [&](std::exception_ptr e, push_report r) {
            failure = e;
            if (!e) out.emplace(std::move(r));
        });
        ioc.restart();
        while (!out && !failure && ioc.run_one() > 0) {
        }
        if (failure) std::rethrow_exception(failure);
        if (!out) throw sigma::error(errc::cancelled, "the io_context stopped before the push completed");
        return std::move(*out);
    }

    // Records handed to the sender so far, and lineage records waiting for on_finish.
    [[nodiscard]] std::size_t records_written() const noexcept { return inner_.records_written(); }
    [[nodiscard]] std::size_t buffered_lineage() const noexcept { return inner_.buffered_lineage(); }
    [[nodiscard]] mapping const& get_mapping() const noexcept { return inner_.get_mapping(); }

private:
    push_sink(std::shared_ptr<state> st, inner_sink inner) : st_(std::move(st)), inner_(std::move(inner)) {}

    std::shared_ptr<state> st_;
    inner_sink inner_;
};

} // namespace sigma::openmetadata

SIGMA_COROUTINES_END

#endif
// ---- end <sigma/openmetadata/push_sink.hpp> ----

#endif
// ---- end <sigma/openmetadata.hpp> ----

#endif
// ---- end <sigma/sigma.hpp> ----
