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

#include <sigma/error.hpp>
#include <sigma/json/detail/dom_decode.hpp>
#include <sigma/json/traits.hpp>
#include <sigma/result.hpp>
#include <sigma/transport/http.hpp>

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
