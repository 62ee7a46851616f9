// Tests for include/sigma/json/encode.hpp: the mirror image of decode.
#include <sigma/json/decode.hpp>
#include <sigma/json/encode.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace test_encode {

namespace json = sigma::json;

enum class level { low, mid, high, unknown };
BOOST_DESCRIBE_ENUM(level, low, mid, high, unknown)

enum class source_kind { data_model, dataModel = data_model, pivot_table, table };
BOOST_DESCRIBE_ENUM(source_kind, data_model, dataModel, pivot_table, table)
constexpr std::string_view sigma_json_enum_name(source_kind k) noexcept {
    switch (k) {
    case source_kind::data_model: return "data-model";
    case source_kind::pivot_table: return "pivot-table";
    default: return {};
    }
}

struct leaf {
    std::string text;
    std::optional<std::int32_t> n;
    bool operator==(leaf const&) const = default;
};
BOOST_DESCRIBE_STRUCT(leaf, (), (text, n))

struct base_part {
    std::string id;
    bool operator==(base_part const&) const = default;
};
BOOST_DESCRIBE_STRUCT(base_part, (), (id))

struct derived_part : base_part {
    std::int64_t size = 0;
    bool operator==(derived_part const&) const = default;
};
BOOST_DESCRIBE_STRUCT(derived_part, (base_part), (size))

struct table_ref {
    static constexpr json::tag json_tag{"kind", "table"};
    std::string inodeId;
    bool operator==(table_ref const&) const = default;
};
BOOST_DESCRIBE_STRUCT(table_ref, (), (inodeId))

struct model_ref {
    static constexpr json::tag json_tag{"kind", "data-model", "dataModel"};
    std::string dataModelId;
    std::vector<std::string> columns;
    bool operator==(model_ref const&) const = default;
};
BOOST_DESCRIBE_STRUCT(model_ref, (), (dataModelId, columns))

// A tagged alternative that keeps its tag as a member.
struct sql_ref {
    static constexpr json::tag json_tag{"kind", "sql"};
    std::string kind = "sql";
    std::string statement;
    bool operator==(sql_ref const&) const = default;
};
BOOST_DESCRIBE_STRUCT(sql_ref, (), (kind, statement))

struct other_ref {
    static constexpr json::tag json_tag{"kind"};
    std::string kind;
    bool operator==(other_ref const&) const = default;
};
BOOST_DESCRIBE_STRUCT(other_ref, (), (kind))

using ref = std::variant<table_ref, model_ref, sql_ref, other_ref>;

struct renamed {
    std::optional<int> default_;
    std::string delete_;
    static constexpr json::rename json_rename[]{{"default_", "default"}, {"delete_", "delete"}};
    bool operator==(renamed const&) const = default;
};
BOOST_DESCRIBE_STRUCT(renamed, (), (default_, delete_))

// Every supported member type, nested: the generator fills it at random.
struct node {
    std::string s;
    bool b = false;
    std::int8_t i8 = 0;
    std::int16_t i16 = 0;
    std::int32_t i32 = 0;
    std::int64_t i64 = 0;
    std::uint8_t u8 = 0;
    std::uint16_t u16 = 0;
    std::uint32_t u32 = 0;
    std::uint64_t u64 = 0;
    double d = 0;
    float f = 0;
    std::optional<std::string> opt_s;
    std::optional<double> opt_d;
    std::vector<std::int64_t> ints;
    std::vector<bool> flags;
    std::vector<std::optional<std::string>> maybe_strings;
    std::map<std::string, double> scores;
    std::unordered_map<std::string, leaf> leaves;
    level lv = level::low;
    source_kind kind = source_kind::table;
    std::optional<level> opt_lv;
    boost::json::value raw;
    std::vector<ref> refs;
    std::optional<ref> main_ref;
    derived_part part;
    renamed ren;
    std::vector<node> children;
    bool operator==(node const&) const = default;
};
BOOST_DESCRIBE_STRUCT(node, (),
                      (s, b, i8, i16, i32, i64, u8, u16, u32, u64, d, f, opt_s, opt_d, ints, flags, maybe_strings,
                       scores, leaves, lv, kind, opt_lv, raw, refs, main_ref, part, ren, children))

// A small deterministic generator (SplitMix64): the same values on every platform.
class generator {
public:
    explicit generator(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    bool coin() { return next() & 1; }

    template <class T>
    T integer() {
        // Half the time a limit or a neighbour of one, else any bit pattern.
        switch (below(6)) {
        case 0: return std::numeric_limits<T>::min();
        case 1: return std::numeric_limits<T>::max();
        case 2: return T(0);
        case 3: return static_cast<T>(std::numeric_limits<T>::max() - 1);
        default: return static_cast<T>(next());
        }
    }

    double real() {
        switch (below(5)) {
        case 0: return static_cast<double>(static_cast<std::int64_t>(next()) >> 20); // integral
        case 1: return static_cast<double>(next() % 1000000) / 1000.0;
        default: {
            for (;;) { // any finite bit pattern, subnormals included
                std::uint64_t bits = next();
                double d;
                std::memcpy(&d, &bits, sizeof d);
                if (std::isfinite(d)) return d;
            }
        }
        }
    }

    float real32() {
        for (;;) {
            auto bits = static_cast<std::uint32_t>(next());
            float f;
            std::memcpy(&f, &bits, sizeof f);
            if (std::isfinite(f)) return f;
        }
    }

    // Valid UTF-8 with the characters that need escaping or pointer escaping.
    std::string text() {
        static constexpr char32_t pool[] = {U'a', U'Z', U'0', U' ', U'"', U'\\', U'/', U'~', U'\n', U'\t',
                                            U'\x01', U'\x1f', U'\x7f', U'\u00e9', U'\u20ac', U'\U0001F600'};
        std::string s;
        std::size_t n = below(12);
        for (std::size_t i = 0; i < n; ++i) append_utf8(s, pool[below(std::size(pool))]);
        return s;
    }

    boost::json::value raw(int depth) {
        switch (below(depth > 0 ? 7 : 5)) {
        case 0: return nullptr;
        case 1: return coin();
        case 2: return static_cast<std::int64_t>(next());
        case 3: return real();
        case 4: return boost::json::string(text());
        case 5: {
            boost::json::array a;
            for (std::size_t i = below(4); i > 0; --i) a.push_back(raw(depth - 1));
            return a;
        }
        default: {
            boost::json::object o;
            for (std::size_t i = below(4); i > 0; --i) o[text()] = raw(depth - 1);
            return o;
        }
        }
    }

    ref reference() {
        switch (below(4)) {
        case 0: return table_ref{text()};
        case 1: {
            model_ref m{text(), {}};
            for (std::size_t i = below(3); i > 0; --i) m.columns.push_back(text());
            return m;
        }
        case 2: return sql_ref{"sql", text()};
        default: return other_ref{"kind-" + std::to_string(below(100))};
        }
    }

    node make(int depth) {
        node x;
        x.s = text();
        x.b = coin();
        x.i8 = integer<std::int8_t>();
        x.i16 = integer<std::int16_t>();
        x.i32 = integer<std::int32_t>();
        x.i64 = integer<std::int64_t>();
        x.u8 = integer<std::uint8_t>();
        x.u16 = integer<std::uint16_t>();
        x.u32 = integer<std::uint32_t>();
        x.u64 = integer<std::uint64_t>();
        x.d = real();
        x.f = real32();
        if (coin()) x.opt_s = text();
        if (coin()) x.opt_d = real();
        for (std::size_t i = below(4); i > 0; --i) x.ints.push_back(integer<std::int64_t>());
        for (std::size_t i = below(4); i > 0; --i) x.flags.push_back(coin());
        for (std::size_t i = below(3); i > 0; --i)
            x.maybe_strings.push_back(coin() ? std::optional<std::string>(text()) : std::nullopt);
        for (std::size_t i = below(3); i > 0; --i) x.scores[text()] = real();
        for (std::size_t i = below(3); i > 0; --i)
            x.leaves[text()] = leaf{text(), coin() ? std::optional<std::int32_t>(integer<std::int32_t>()) : std::nullopt};
        x.lv = static_cast<level>(below(4));
        x.kind = std::array{source_kind::data_model, source_kind::pivot_table, source_kind::table}[below(3)];
        if (coin()) x.opt_lv = static_cast<level>(below(4));
        x.raw = raw(3);
        for (std::size_t i = below(3); i > 0; --i) x.refs.push_back(reference());
        if (coin()) x.main_ref = reference();
        x.part.id = text();
        x.part.size = integer<std::int64_t>();
        if (coin()) x.ren.default_ = integer<int>();
        x.ren.delete_ = text();
        if (depth > 0)
            for (std::size_t i = below(3); i > 0; --i) x.children.push_back(make(depth - 1));
        return x;
    }

private:
    static void append_utf8(std::string& s, char32_t c) {
        if (c < 0x80) {
            s += static_cast<char>(c);
        } else if (c < 0x800) {
            s += static_cast<char>(0xc0 | (c >> 6));
            s += static_cast<char>(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            s += static_cast<char>(0xe0 | (c >> 12));
            s += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
            s += static_cast<char>(0x80 | (c & 0x3f));
        } else {
            s += static_cast<char>(0xf0 | (c >> 18));
            s += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
            s += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
            s += static_cast<char>(0x80 | (c & 0x3f));
        }
    }
    std::uint64_t state_;
};

// decode(encode(x)) == x, through the text and through the value.
template <class T>
void check_round_trip(T const& x) {
    std::string text = json::encode(x);
    CAPTURE(text);
    auto back = json::decode<T>(text);
    if (!back) FAIL("decode failed: " << back.error().message());
    CHECK(*back == x);
    auto via_value = json::decode<T>(json::encode_value(x));
    REQUIRE(via_value);
    CHECK(*via_value == x);
    // and encoding it again gives the same JSON (objects compare without order)
    CHECK(json::encode_value(*back) == json::encode_value(x));
}

} // namespace test_encode

TEST_CASE("encode: scalars and structs, members in declaration order") {
    using namespace test_encode;
    CHECK(json::encode(true) == "true");
    CHECK(json::encode(std::int8_t{-128}) == "-128");
    CHECK(json::encode(std::uint8_t{255}) == "255");
    CHECK(json::encode(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
    CHECK(json::encode(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
    CHECK(json::encode(2.5) == "2.5E0");
    CHECK(json::encode(std::string("a\"b\\c\n")) == R"("a\"b\\c\n")");
    CHECK(json::encode(leaf{"x", 3}) == R"({"text":"x","n":3})");
    CHECK(json::encode(derived_part{{"id1"}, 7}) == R"({"id":"id1","size":7})");
    CHECK(json::encode_value(leaf{"x", 3}) == boost::json::parse(R"({"n":3,"text":"x"})"));
}

TEST_CASE("encode: absent optionals are omitted from structs, null elsewhere") {
    using namespace test_encode;
    CHECK(json::encode(leaf{"x", std::nullopt}) == R"({"text":"x"})");
    CHECK(json::encode(std::optional<int>{}) == "null");
    CHECK(json::encode(std::vector<std::optional<int>>{1, std::nullopt}) == "[1,null]");
    CHECK(json::encode(std::map<std::string, std::optional<int>>{{"a", std::nullopt}}) == R"({"a":null})");
}

TEST_CASE("encode: containers, enums, raw values, renamed members") {
    using namespace test_encode;
    CHECK(json::encode(std::vector<bool>{true, false}) == "[true,false]");
    CHECK(json::encode(std::map<std::string, int>{{"b", 2}, {"a", 1}}) == R"({"a":1,"b":2})");
    CHECK(json::encode_value(std::unordered_map<std::string, int>{{"b", 2}, {"a", 1}}) ==
          boost::json::parse(R"({"a":1,"b":2})"));
    CHECK(json::encode(std::vector<level>{level::low, level::unknown}) == R"(["low","unknown"])");
    // the hook's spelling; an alias writes its canonical enumerator
    CHECK(json::encode(std::vector<source_kind>{source_kind::data_model, source_kind::dataModel,
                                                source_kind::pivot_table, source_kind::table}) ==
          R"(["data-model","data-model","pivot-table","table"])");
    // a value with no enumerator cannot be spelt: written as its number
    CHECK(json::encode(static_cast<level>(42)) == "42");
    CHECK(json::encode(boost::json::parse(R"({"k":[1,null]})")) == R"({"k":[1,null]})");
    CHECK(json::encode(renamed{5, "x"}) == R"({"default":5,"delete":"x"})");
    CHECK(json::encode(renamed{std::nullopt, ""}) == R"({"delete":""})");
}

TEST_CASE("encode: doubles that JSON cannot hold become null") {
    using namespace test_encode;
    CHECK(json::encode(std::numeric_limits<double>::quiet_NaN()) == "null");
    CHECK(json::encode(std::numeric_limits<double>::infinity()) == "null");
    CHECK(json::encode(-std::numeric_limits<float>::infinity()) == "null");
}

TEST_CASE("encode: tagged unions write their tag first") {
    using namespace test_encode;
    CHECK(json::encode(ref{table_ref{"t1"}}) == R"({"kind":"table","inodeId":"t1"})");
    CHECK(json::encode(ref{model_ref{"m", {"c"}}}) == R"({"kind":"data-model","dataModelId":"m","columns":["c"]})");
    // a member named like the tag is written once, as the member
    CHECK(json::encode(ref{sql_ref{"sql", "select 1"}}) == R"({"kind":"sql","statement":"select 1"})");
    // the fallback writes no tag of its own
    CHECK(json::encode(ref{other_ref{"chart"}}) == R"({"kind":"chart"})");
}

TEST_CASE("encode: round trip of every supported type") {
    using namespace test_encode;
    check_round_trip(std::string("\xf0\x9f\x98\x80 ~/ \"q\" \\"));
    check_round_trip(true);
    check_round_trip(std::numeric_limits<std::int8_t>::min());
    check_round_trip(std::numeric_limits<std::int16_t>::max());
    check_round_trip(std::numeric_limits<std::int32_t>::min());
    check_round_trip(std::numeric_limits<std::int64_t>::min());
    check_round_trip(std::numeric_limits<std::int64_t>::max());
    check_round_trip(std::numeric_limits<std::uint8_t>::max());
    check_round_trip(std::numeric_limits<std::uint16_t>::max());
    check_round_trip(std::numeric_limits<std::uint32_t>::max());
    check_round_trip(std::numeric_limits<std::uint64_t>::max());
    check_round_trip(0.1);
    check_round_trip(-0.0);
    check_round_trip(std::numeric_limits<double>::max());
    check_round_trip(std::numeric_limits<double>::lowest());
    check_round_trip(std::numeric_limits<double>::denorm_min());
    check_round_trip(std::numeric_limits<double>::min());
    check_round_trip(std::numeric_limits<float>::max());
    check_round_trip(std::numeric_limits<float>::denorm_min());
    check_round_trip(std::optional<int>{});
    check_round_trip(std::optional<int>{4});
    check_round_trip(std::vector<std::string>{"a", "", "c"});
    check_round_trip(std::vector<bool>{});
    check_round_trip(std::vector<std::vector<std::uint64_t>>{{1}, {}, {2, 3}});
    check_round_trip(std::map<std::string, std::vector<int>>{{"", {1}}, {"a/b~c", {}}});
    check_round_trip(std::unordered_map<std::string, leaf>{{"x", {"t", 1}}, {"y", {"u", std::nullopt}}});
    check_round_trip(level::high);
    check_round_trip(source_kind::data_model);
    check_round_trip(source_kind::pivot_table);
    check_round_trip(boost::json::parse(R"({"a":[1,-2,3.5,"x",null,true,{}]})"));
    check_round_trip(derived_part{{"i"}, -5});
    check_round_trip(renamed{1, "d"});
    check_round_trip(ref{table_ref{"t"}});
    check_round_trip(ref{model_ref{"m", {"a", "b"}}});
    check_round_trip(ref{sql_ref{"sql", "select 2"}});
    check_round_trip(ref{other_ref{"pivot"}});
    check_round_trip(std::vector<ref>{table_ref{"a"}, other_ref{"b"}});
    check_round_trip(node{});
}

TEST_CASE("encode: round trip of generated nested values") {
    using namespace test_encode;
    generator g(20240601);
    for (int i = 0; i < 400; ++i) {
        CAPTURE(i);
        node x = g.make(3);
        std::string text = json::encode(x);
        auto back = json::decode<node>(text, {.unknown_keys = json::reject});
        if (!back) FAIL("decode failed: " << back.error().message());
        CHECK(*back == x);
        CHECK(json::encode_value(*back) == json::encode_value(x));
    }
}

TEST_CASE("encode: generated doubles survive the text") {
    using namespace test_encode;
    generator g(7);
    std::vector<double> v;
    for (int i = 0; i < 100000; ++i) v.push_back(g.real());
    auto back = json::decode<std::vector<double>>(json::encode(v));
    REQUIRE(back);
    REQUIRE(back->size() == v.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (std::memcmp(&(*back)[i], &v[i], sizeof(double)) != 0) ++differ;
    CHECK(differ == 0);
}
