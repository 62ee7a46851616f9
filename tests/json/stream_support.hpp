// Comparing sigma::json::decode (the stream) with sigma::json::decode_dom (the
// reference) on the same texts, and making texts to compare them on: random
// values of a described type, written out with mutations (wrong types, dropped,
// unknown and repeated keys, nulls, exotic numbers and strings, escapes, deep
// nesting, truncation, stray bytes). Deterministic: one seed, one sequence.
// Shared by tests/json/stream.cpp and tests/api/stream.cpp.
#ifndef SIGMA_TESTS_JSON_STREAM_SUPPORT_HPP
#define SIGMA_TESTS_JSON_STREAM_SUPPORT_HPP

#include <sigma/json/decode.hpp>
#include <sigma/json/encode.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

namespace stream_support {

namespace json = sigma::json;

// splitmix64: the same sequence on every platform (the std distributions are not).
struct rng {
    std::uint64_t state = 0;

    std::uint64_t next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <class C>
    auto const& pick(C const& c) {
        return c[below(std::size(c))];
    }
};

// Equal values, with int64, uint64 and double told apart, doubles compared bit
// for bit (-0.0 is not 0.0) and objects compared by key.
inline bool identical(boost::json::value const& a, boost::json::value const& b) {
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
    case boost::json::kind::double_: {
        double x = a.get_double(), y = b.get_double();
        return std::memcmp(&x, &y, sizeof x) == 0;
    }
    case boost::json::kind::array: {
        auto const& x = a.get_array();
        auto const& y = b.get_array();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!identical(x[i], y[i])) return false;
        return true;
    }
    case boost::json::kind::object: {
        auto const& x = a.get_object();
        auto const& y = b.get_object();
        if (x.size() != y.size()) return false;
        for (auto const& kv : x) {
            auto const* other = y.if_contains(kv.key());
            if (other == nullptr || !identical(kv.value(), *other)) return false;
        }
        return true;
    }
    default: return a == b;
    }
}

// How many comparisons ended how (both decoders agreeing).
struct tally {
    std::size_t cases = 0;
    std::size_t values = 0;
    std::size_t syntax_errors = 0;
    std::size_t schema_errors = 0;
    std::size_t exceptions = 0;
    std::size_t to_dom = 0; // of those, decided by the DOM path (a repeated key, see stream_decode.hpp)
    std::vector<std::string> differences; // the first few, for the report

    void add(tally const& o) {
        cases += o.cases;
        values += o.values;
        syntax_errors += o.syntax_errors;
        schema_errors += o.schema_errors;
        exceptions += o.exceptions;
        to_dom += o.to_dom;
        for (auto const& d : o.differences)
            if (differences.size() < 20) differences.push_back(d);
    }
    [[nodiscard]] std::string summary() const {
        return std::to_string(cases) + " cases: " + std::to_string(values) + " values, " +
               std::to_string(schema_errors) + " schema errors, " + std::to_string(syntax_errors) +
               " syntax errors, " + std::to_string(exceptions) + " exceptions; " + std::to_string(to_dom) +
               " left to the DOM path by a repeated key; " + std::to_string(differences.size()) + " differences";
    }
};

// The text as a C++ literal would show it (for messages).
inline std::string printable(std::string_view s, std::size_t limit = 400) {
    std::string out;
    for (char c : s.substr(0, limit)) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    if (s.size() > limit) out += "...(" + std::to_string(s.size()) + " bytes)";
    return out;
}

template <class T>
std::string describe(sigma::result<T> const& r) {
    if (r) return "value " + printable(boost::json::serialize(json::encode_value(*r)));
    return "error " + std::string(sigma::to_string(r.error().code())) + " at \"" + r.error().json_pointer() +
           "\": " + printable(r.error().message());
}

inline std::string options_text(json::decode_options const& o) {
    return std::string(o.unknown_keys == json::reject ? "reject" : "ignore") + ", max_depth " +
           std::to_string(o.max_depth);
}

// Decodes `text` both ways and records how it went; a difference is recorded
// with the text. `Equal`: compare the values with operator== as well as by
// their encoding (which a codec such as sigma::secret may mask).
template <class T, bool Equal = false>
void compare(std::string_view text, json::decode_options const& o, tally& t) {
    ++t.cases;
    std::optional<sigma::result<T>> s, d;
    std::string s_threw, d_threw;
    try {
        s.emplace(json::decode<T>(text, o));
    } catch (std::exception const& e) {
        s_threw = std::string("threw ") + e.what();
    }
    try {
        d.emplace(json::decode_dom<T>(text, o));
    } catch (std::exception const& e) {
        d_threw = std::string("threw ") + e.what();
    }
    if (s && d) {
        json::detail::decode_context c{o};
        T out{};
        if (json::detail::stream_decode(text, out, c).ambiguous) ++t.to_dom;
    }
    std::string diff;
    if (!s || !d) {
        if (s || d || s_threw != d_threw)
            diff = "stream " + (s ? describe(*s) : s_threw) + "\n  dom    " + (d ? describe(*d) : d_threw);
        else
            ++t.exceptions;
    } else if (s->has_value() != d->has_value()) {
        diff = "stream " + describe(*s) + "\n  dom    " + describe(*d);
    } else if (!s->has_value()) {
        auto const& a = s->error();
        auto const& b = d->error();
        if (a.code() != b.code() || a.message() != b.message() || a.json_pointer() != b.json_pointer())
            diff = "stream " + describe(*s) + "\n  dom    " + describe(*d);
        else if (a.code() == sigma::errc::json_syntax)
            ++t.syntax_errors;
        else
            ++t.schema_errors;
    } else {
        bool same = identical(json::encode_value(**s), json::encode_value(**d));
        if constexpr (Equal) same = same && **s == **d;
        if (!same)
            diff = "stream " + describe(*s) + "\n  dom    " + describe(*d);
        else
            ++t.values;
    }
    if (!diff.empty() && t.differences.size() < 20) {
        t.differences.push_back(std::string(typeid(T).name()) + " (" + options_text(o) + ") on\n  " +
                                printable(text) + "\n  " + diff);
    }
}

using compare_fn = void (*)(std::string_view, json::decode_options const&, tally&);

// The option sets every text is decoded with.
inline std::vector<json::decode_options> option_sets() {
    return {
        json::decode_options{},
        json::decode_options{.unknown_keys = json::reject},
        json::decode_options{.unknown_keys = json::ignore, .max_depth = 3},
        json::decode_options{.unknown_keys = json::reject, .max_depth = 70},
    };
}

// ---------------------------------------------------------------------------
// Random values.

inline constexpr double tricky_doubles[] = {
    0.0, -0.0, 0.1, 0.5, -2.5, 1.0 / 3.0, 1e300, -1e300, 5e-324, 2.2250738585072014e-308,
    1.7976931348623157e308, -1.9934908051011654E189, 1.1430767782883795E-192, 2.1542687414875476E-293,
    1.0000000000000002, 0.30000000000000004, 9007199254740993.0, 123456.789, 3.0, 1e15, 1e22, 1e23,
};

inline std::string random_text(rng& r) {
    static const char* const pool[] = {
        "", "a", "x y", "\xc3\xa9t\xc3\xa9", "\xe2\x80\xa8", "quote\"back\\slash", "tab\tnl\n", "\x01\x1f",
        "a/b~c", "data-model", "dataModel", "table", "union", "red", "green", "unknown", "chart", "type",
        "#10ff00", "\xf0\x9f\x98\x80", "2024-01-01T00:00:00Z", "0", "null",
    };
    if (r.chance(2)) {
        // Longer than the parser's 4 KB buffer, with escapes: several string parts.
        std::string s(4090 + r.below(20), 'a');
        s += "\"\\\n";
        s += std::string(r.below(5000), 'b');
        return s;
    }
    return r.pick(pool);
}

inline std::string random_key(rng& r) {
    static const char* const pool[] = {"k", "", "a/b", "~0", "x y", "\xc3\xa9", "id", "name", "type", "z"};
    std::string k = r.pick(pool);
    if (r.chance(20)) k += std::to_string(r.below(10));
    return k;
}

inline boost::json::value random_json(rng& r, int depth) {
    switch (r.below(depth > 2 ? 6 : 8)) {
    case 0: return nullptr;
    case 1: return r.chance(50);
    case 2: return static_cast<std::int64_t>(r.next() >> r.below(64));
    case 3: return r.next();
    case 4: return r.pick(tricky_doubles);
    case 5: return boost::json::string(random_text(r));
    case 6: {
        boost::json::array a;
        for (std::size_t i = r.below(4); i > 0; --i) a.push_back(random_json(r, depth + 1));
        return a;
    }
    default: {
        boost::json::object o;
        for (std::size_t i = r.below(4); i > 0; --i) o[random_key(r)] = random_json(r, depth + 1);
        return o;
    }
    }
}

// A random value of T: every member set, containers of 0 to 3 elements.
template <class T>
void randomize(T& x, rng& r, int depth) {
    namespace d = json::detail;
    if constexpr (json::has_codec<T>) {
        // keeps T{}: the codec writes it as it likes
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        x = random_json(r, depth);
    } else if constexpr (std::is_same_v<T, bool>) {
        x = r.chance(50);
    } else if constexpr (json::json_integer<T>) {
        using L = std::numeric_limits<T>;
        switch (r.below(5)) {
        case 0: x = L::min(); break;
        case 1: x = L::max(); break;
        case 2: x = static_cast<T>(r.next()); break;
        default: x = static_cast<T>(r.below(100)); break;
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        double v = r.pick(tricky_doubles);
        if constexpr (sizeof(T) < sizeof(double)) {
            if (std::abs(v) > static_cast<double>(std::numeric_limits<T>::max())) v = 0.25;
        }
        x = static_cast<T>(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
        x = random_text(r);
    } else if constexpr (d::is_optional<T>::value) {
        if (r.chance(30))
            x.reset();
        else
            randomize(x.emplace(), r, depth);
    } else if constexpr (d::is_vector<T>::value) {
        x.clear();
        std::size_t n = depth > 4 ? 0 : r.below(4);
        for (std::size_t i = 0; i < n; ++i) {
            if constexpr (std::is_same_v<typename T::value_type, bool>)
                x.push_back(r.chance(50));
            else
                randomize(x.emplace_back(), r, depth + 1);
        }
    } else if constexpr (d::is_string_map<T>::value) {
        x.clear();
        std::size_t n = depth > 4 ? 0 : r.below(4);
        for (std::size_t i = 0; i < n; ++i) randomize(x[random_key(r)], r, depth + 1);
    } else if constexpr (json::described_enum<T>) {
        using L = boost::describe::describe_enumerators<T>;
        std::size_t i = r.below(boost::mp11::mp_size<L>::value);
        boost::mp11::mp_for_each<L>([&](auto D) {
            if (i-- == 0) x = D.value;
        });
    } else if constexpr (json::tagged_union<T>) {
        boost::mp11::mp_with_index<std::variant_size_v<T>>(
            r.below(std::variant_size_v<T>), [&](auto I) { randomize(x.template emplace<decltype(I)::value>(), r, depth); });
    } else if constexpr (json::described_struct<T>) {
        boost::mp11::mp_for_each<json::members_of<T>>([&](auto D) { randomize(x.*D.pointer, r, depth + 1); });
    }
}

// ---------------------------------------------------------------------------
// Writing a value with mutations.

// Replacements for any value: other kinds, numbers at every integer type's
// edge and beyond, exotic doubles, strings with escapes, bad escapes, bad UTF-8.
inline constexpr std::string_view replacements[] = {
    "null", "true", "false", "0", "-7", "3.5", "\"s\"", "[]", "{}", "[1,\"x\"]", "{\"k\":1}", "[null]",
    "1e400", "-1e400", "1E-400", "-0", "-0.0", "0e0", "1E+2", "1e1", "3.0", "-1.0", "255", "256", "-129", "-128",
    "127", "128", "65535", "65536", "-32769", "2147483647", "2147483648", "-2147483649", "4294967295",
    "4294967296", "9007199254740992.0", "9007199254740993", "1e18", "-1e15", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
    "18446744073709551616", "123456789012345678901234567890", "4.9e-324", "2.2250738585072011e-308",
    "-1.9934908051011654E189", "0.1", "1.0000000000000002", "1e300", "3.4028235e38", "3.5e38",
    "\"\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\x\"", "\"\\u12\"",
    "\"\xff\"", "\"\xc3\"", "\"\xc3\xa9\"", "\"\xed\xa0\x80\"", "\"\x01\"", "\"a\\/b\"", "\"tab\\there\"",
    "\"red\"", "\"Red\"", "\"data-model\"", "\"dataModel\"", "\"union\"", "\"union_\"", "\"table\"",
    "\"chart\"", "\"unknown\"", "\"#10ff00\"", "\"#zz\"", "\"2024-01-01\"", "tru", "nul", "NaN", "01", "1.",
    "-", "[1,]", "{\"a\"}", "{\"a\":}", "{,}", "\"unterminated",
};

class mutator {
public:
    explicit mutator(rng& r) : r_(r) {}

    // `v` written as JSON with about `mutations` of its nodes changed.
    std::string write(boost::json::value const& v, std::size_t mutations) {
        out_.clear();
        node_ = 0;
        std::size_t nodes = count(v);
        targets_.clear();
        for (std::size_t i = 0; i < mutations; ++i) targets_.push_back(r_.below(nodes));
        value(v, 0);
        return out_;
    }

    // Mutations of the text itself.
    std::string damage(std::string text) {
        static constexpr char bytes[] = {'{', '}', '[', ']', ',', ':', '"', '\\', 'x', '\xff', ' ', '\n', '0', '-', 'e'};
        switch (r_.below(6)) {
        case 0: text.resize(r_.below(text.size() + 1)); break;
        case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(r_.below(text.size() + 1)), r_.pick(bytes)); break;
        case 2:
            if (!text.empty()) text.erase(text.begin() + static_cast<std::ptrdiff_t>(r_.below(text.size())));
            break;
        case 3:
            if (!text.empty()) text[r_.below(text.size())] = r_.pick(bytes);
            break;
        case 4: text += r_.pick(std::array<std::string_view, 5>{" x", "{}", " \n", " // c", ","}); break;
        default: text = std::string(r_.pick(std::array<std::string_view, 3>{" ", "\n\t", "\r\n  "})) + text; break;
        }
        return text;
    }

private:
    static std::size_t count(boost::json::value const& v) {
        std::size_t n = 1;
        if (auto const* a = v.if_array())
            for (auto const& e : *a) n += count(e);
        if (auto const* o = v.if_object())
            for (auto const& kv : *o) n += count(kv.value());
        return n;
    }

    void space() {
        if (r_.chance(5)) out_ += r_.pick(std::array<std::string_view, 4>{" ", "\n", "\t", "\r\n "});
    }

    // A string, sometimes with needless escapes (\u0061, \/): the parser then
    // hands it over in parts.
    void string(std::string_view s) {
        bool escape_more = r_.chance(10);
        out_ += '"';
        for (char c : s) {
            auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out_ += '\\';
                out_ += c;
            } else if (u < 0x20 || (escape_more && u < 0x80 && r_.chance(30))) {
                if (c == '/' && r_.chance(50)) {
                    out_ += "\\/";
                    continue;
                }
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", u);
                out_ += buf;
            } else {
                out_ += c;
            }
        }
        out_ += '"';
    }

    void member(std::string_view key, boost::json::value const& v, int depth) {
        string(key);
        space();
        out_ += ':';
        space();
        value(v, depth + 1);
    }

    void object(boost::json::object const& o, int depth, bool mutate) {
        std::vector<std::pair<std::string, boost::json::value const*>> kv;
        for (auto const& e : o) kv.emplace_back(std::string(e.key()), &e.value());
        std::vector<std::pair<std::string, boost::json::value>> extra; // owned values of added keys
        extra.reserve(4);
        if (mutate) {
            switch (r_.below(5)) {
            case 0: // drop a key
                if (!kv.empty()) kv.erase(kv.begin() + static_cast<std::ptrdiff_t>(r_.below(kv.size())));
                break;
            case 1: { // an unknown key, or a known one with another value
                std::string k = r_.chance(50) || kv.empty() ? random_key(r_) : kv[r_.below(kv.size())].first + "X";
                extra.emplace_back(k, random_json(r_, depth));
                kv.insert(kv.begin() + static_cast<std::ptrdiff_t>(r_.below(kv.size() + 1)),
                          {extra.back().first, &extra.back().second});
                break;
            }
            case 2: // a repeated key: the same value, another one, or a replacement
                if (!kv.empty()) {
                    auto dup = kv[r_.below(kv.size())];
                    if (r_.chance(50)) {
                        extra.emplace_back(dup.first, r_.chance(50) ? random_json(r_, depth) : boost::json::value(nullptr));
                        dup.second = &extra.back().second;
                    }
                    kv.insert(kv.begin() + static_cast<std::ptrdiff_t>(r_.below(kv.size() + 1)), dup);
                }
                break;
            case 3: // another order
                for (std::size_t i = kv.size(); i > 1; --i) std::swap(kv[i - 1], kv[r_.below(i)]);
                break;
            default: // every key twice
                for (std::size_t i = 0, n = kv.size(); i < n; ++i) kv.push_back(kv[i]);
                break;
            }
        }
        out_ += '{';
        bool first = true;
        for (auto const& [k, v] : kv) {
            if (!first) out_ += ',';
            first = false;
            space();
            member(k, *v, depth);
        }
        out_ += '}';
    }

    void array(boost::json::array const& a, int depth, bool mutate) {
        std::vector<boost::json::value const*> items;
        for (auto const& e : a) items.push_back(&e);
        boost::json::value added;
        if (mutate) {
            switch (r_.below(3)) {
            case 0:
                if (!items.empty()) items.erase(items.begin() + static_cast<std::ptrdiff_t>(r_.below(items.size())));
                break;
            case 1:
                if (!items.empty()) items.push_back(items[r_.below(items.size())]);
                break;
            default:
                added = random_json(r_, depth);
                items.insert(items.begin() + static_cast<std::ptrdiff_t>(r_.below(items.size() + 1)), &added);
                break;
            }
        }
        out_ += '[';
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i) out_ += ',';
            space();
            value(*items[i], depth + 1);
        }
        out_ += ']';
    }

    void value(boost::json::value const& v, int depth) {
        std::size_t const id = node_++;
        bool mutate = std::find(targets_.begin(), targets_.end(), id) != targets_.end();
        if (mutate) {
            switch (r_.below(10)) {
            case 0:
            case 1:
            case 2: out_ += r_.pick(replacements); return;
            case 3: out_ += "null"; return;
            case 4: { // nested around the depth limits
                std::size_t n = r_.pick(std::array<std::size_t, 7>{1, 2, 30, 61, 63, 64, 70});
                bool arrays = r_.chance(50);
                for (std::size_t i = 0; i < n; ++i) out_ += arrays ? "[" : "{\"n\":";
                plain(v, depth);
                for (std::size_t i = 0; i < n; ++i) out_ += arrays ? ']' : '}';
                return;
            }
            case 5: out_ += boost::json::serialize(random_json(r_, depth)); return;
            default: break; // a container mutates its members below
            }
        }
        if (auto const* o = v.if_object())
            object(*o, depth, mutate);
        else if (auto const* a = v.if_array())
            array(*a, depth, mutate);
        else if (auto const* s = v.if_string())
            string(*s);
        else
            out_ += boost::json::serialize(v);
    }

    void plain(boost::json::value const& v, int depth) {
        if (auto const* o = v.if_object())
            object(*o, depth, false);
        else if (auto const* a = v.if_array())
            array(*a, depth, false);
        else if (auto const* s = v.if_string())
            string(*s);
        else
            out_ += boost::json::serialize(v);
    }

    rng& r_;
    std::string out_;
    std::size_t node_ = 0;
    std::vector<std::size_t> targets_;
};

// For random values of T: the clean text, then `mutants` mutated ones, each
// decoded as T and as one of `others`, with every option set. Small clean
// texts are also cut at every byte.
template <class T, bool Equal = false>
void fuzz(rng& r, std::size_t values, std::size_t mutants, std::vector<compare_fn> const& others, tally& t) {
    auto const options = option_sets();
    mutator m(r);
    for (std::size_t n = 0; n < values; ++n) {
        T x{};
        randomize(x, r, 0);
        boost::json::value v = json::encode_value(x);
        std::string clean = boost::json::serialize(v);
        for (auto const& o : options) compare<T, Equal>(clean, o, t);
        if (clean.size() <= 300 && n % 4 == 0) {
            for (std::size_t cut = 0; cut < clean.size(); ++cut)
                compare<T, Equal>(std::string_view(clean).substr(0, cut), options[cut % options.size()], t);
        }
        for (std::size_t i = 0; i < mutants; ++i) {
            std::string text = m.write(v, 1 + r.below(3));
            if (r.chance(25)) text = m.damage(std::move(text));
            auto const& o = r.pick(options);
            compare<T, Equal>(text, o, t);
            if (!others.empty()) r.pick(others)(text, r.pick(options), t);
        }
    }
}

// ---------------------------------------------------------------------------
// The test sources' own JSON texts: every string literal of the given files
// (raw literals as written; ordinary ones with their simple escapes undone).

inline std::optional<std::filesystem::path> source_root() {
    char const* r = std::getenv("SIGMA_SOURCE_ROOT");
    if (r == nullptr || *r == '\0') return std::nullopt;
    return std::filesystem::path(r);
}

inline std::vector<std::string> string_literals(std::string const& src) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < src.size()) {
        if (src.compare(i, 2, "//") == 0) {
            i = src.find('\n', i);
            if (i == std::string::npos) break;
            continue;
        }
        if (src[i] == '\'') { // a character literal: '"' must not open a string
            std::size_t end = src.find('\'', i + 1 + (src[i + 1] == '\\' ? 1 : 0) + 1);
            i = end == std::string::npos ? src.size() : end + 1;
            continue;
        }
        if (src[i] == 'R' && i + 1 < src.size() && src[i + 1] == '"') {
            std::size_t open = src.find('(', i + 2);
            if (open == std::string::npos) break;
            std::string close = ")" + src.substr(i + 2, open - i - 2) + "\"";
            std::size_t end = src.find(close, open + 1);
            if (end == std::string::npos) break;
            out.push_back(src.substr(open + 1, end - open - 1));
            i = end + close.size();
            continue;
        }
        if (src[i] == '"') {
            std::string s;
            bool ok = true;
            std::size_t j = i + 1;
            for (; j < src.size() && src[j] != '"'; ++j) {
                if (src[j] != '\\') {
                    s += src[j];
                    continue;
                }
                char e = src[++j];
                switch (e) {
                case '"': s += '"'; break;
                case '\\': s += '\\'; break;
                case 'n': s += '\n'; break;
                case 't': s += '\t'; break;
                case 'r': s += '\r'; break;
                case 'x': {
                    s += static_cast<char>(std::stoi(src.substr(j + 1, 2), nullptr, 16));
                    j += 2;
                    break;
                }
                default: ok = false; break;
                }
            }
            if (ok) out.push_back(std::move(s));
            i = j + 1;
            continue;
        }
        ++i;
    }
    return out;
}

// The literals of the files (relative to the source root), without repeats.
inline std::vector<std::string> fixture_texts(std::vector<std::string> const& files) {
    std::vector<std::string> all;
    auto root = source_root();
    if (!root) return all;
    for (auto const& f : files) {
        std::ifstream in(*root / f, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        for (auto& s : string_literals(ss.str())) all.push_back(std::move(s));
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
}

} // namespace stream_support

#endif
