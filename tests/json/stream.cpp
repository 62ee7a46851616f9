// sigma::json::decode (straight from the parser's events) against
// sigma::json::decode_dom (parse, then decode the tree): the same value, or the
// same error code, message and pointer, for every text. The texts: every string
// literal of the json and api tests decoded as every fixture type, and random
// values of each type written out with mutations (seeded, so every run checks
// the same cases).
#include "fixtures.hpp"
#include "stream_support.hpp"

#include <sigma/json/decode.hpp>
#include <sigma/json/detail/stream_decode.hpp>
#include <sigma/json/encode.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace test_stream {

namespace json = sigma::json;
using namespace stream_support;

// The types of options.cpp and pointer.cpp.
struct small {
    int a = 0;
};
BOOST_DESCRIBE_STRUCT(small, (), (a))

struct cell {
    int v = 0;
};
BOOST_DESCRIBE_STRUCT(cell, (), (v))

struct sheet {
    std::map<std::string, std::vector<std::unordered_map<std::string, std::vector<cell>>>> grid;
};
BOOST_DESCRIBE_STRUCT(sheet, (), (grid))

// 72 members with its base: more than one 64-bit word of seen bits.
struct wide_base {
    std::optional<int> a00;
    int a01 = 0;
    int a02 = 0;
    std::optional<int> a03;
    int a04 = 0;
    int a05 = 0;
    std::optional<int> a06;
    int a07 = 0;
    int a08 = 0;
    std::optional<int> a09;
    int a10 = 0;
    int a11 = 0;
    std::optional<int> a12;
    int a13 = 0;
    int a14 = 0;
    std::optional<int> a15;
    int a16 = 0;
    int a17 = 0;
    std::optional<int> a18;
    int a19 = 0;
    int a20 = 0;
    std::optional<int> a21;
    int a22 = 0;
    int a23 = 0;
    std::optional<int> a24;
    int a25 = 0;
    int a26 = 0;
    std::optional<int> a27;
    int a28 = 0;
    int a29 = 0;
    std::optional<int> a30;
    int a31 = 0;
    int a32 = 0;
    std::optional<int> a33;
    int a34 = 0;
    int a35 = 0;
};
BOOST_DESCRIBE_STRUCT(wide_base, (), (a00, a01, a02, a03, a04, a05, a06, a07, a08, a09, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35))

struct wide : wide_base {
    std::optional<int> b00;
    int b01 = 0;
    int b02 = 0;
    std::optional<int> b03;
    int b04 = 0;
    int b05 = 0;
    std::optional<int> b06;
    int b07 = 0;
    int b08 = 0;
    std::optional<int> b09;
    int b10 = 0;
    int b11 = 0;
    std::optional<int> b12;
    int b13 = 0;
    int b14 = 0;
    std::optional<int> b15;
    int b16 = 0;
    int b17 = 0;
    std::optional<int> b18;
    int b19 = 0;
    int b20 = 0;
    std::optional<int> b21;
    int b22 = 0;
    int b23 = 0;
    std::optional<int> b24;
    int b25 = 0;
    int b26 = 0;
    std::optional<int> b27;
    int b28 = 0;
    int b29 = 0;
    std::optional<int> b30;
    int b31 = 0;
    int b32 = 0;
    std::optional<int> b33;
    int b34 = 0;
    int b35 = 0;
};
BOOST_DESCRIBE_STRUCT(wide, (wide_base), (b00, b01, b02, b03, b04, b05, b06, b07, b08, b09, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27, b28, b29, b30, b31, b32, b33, b34, b35))

// A type that contains itself.
struct tree {
    std::string name;
    std::vector<tree> children;
    std::optional<std::map<std::string, tree>> named;
};
BOOST_DESCRIBE_STRUCT(tree, (), (name, children, named))

// Every integer type, and floating point.
struct numbers {
    std::int8_t i8 = 0;
    std::uint8_t u8 = 0;
    std::int16_t i16 = 0;
    std::uint16_t u16 = 0;
    std::int32_t i32 = 0;
    std::uint32_t u32 = 0;
    std::int64_t i64 = 0;
    std::uint64_t u64 = 0;
    float f = 0;
    double d = 0;
    std::optional<float> of;
    std::vector<double> ds;
};
BOOST_DESCRIBE_STRUCT(numbers, (), (i8, u8, i16, u16, i32, u32, i64, u64, f, d, of, ds))

struct empty {};
BOOST_DESCRIBE_STRUCT(empty, (), ())

// Tagged unions in maps, optionals and arrays; a tag that is also a member.
struct unions {
    std::map<std::string, test_decode::open_node> by_name;
    std::optional<test_decode::strict_node> maybe;
    std::vector<std::vector<bool>> bits;
    std::vector<std::optional<int>> holes;
    std::optional<test_decode::color> colour;
    std::optional<test_decode::paint> paint;
    std::optional<boost::json::value> raw;
};
BOOST_DESCRIBE_STRUCT(unions, (), (by_name, maybe, bits, holes, colour, paint, raw))

// Decoding as each of these; one comparison function each.
template <class... T>
std::vector<compare_fn> comparisons() {
    return {&compare<T>...};
}

inline std::vector<compare_fn> const& every_type() {
    using namespace test_decode;
    static const std::vector<compare_fn> all = comparisons<
        scalars, inner, outer, with_optionals, containers, base_entity, owned_entity, color, node_type, raw_holder,
        table_node, open_node, strict_node, graph, strict_graph, renamed, paint, workbook, workbook_page,
        std::vector<inner>, std::vector<workbook>, boost::json::value, small, cell, sheet, wide, tree, numbers, empty,
        unions, std::string, int, std::uint8_t, double, float, bool, std::vector<std::optional<int>>,
        std::map<std::string, int>, std::unordered_map<std::string, inner>, std::optional<color>,
        std::vector<bool>, std::vector<std::uint16_t>, std::optional<open_node>>();
    return all;
}

template <class T>
std::string stream_error(std::string_view text, json::decode_options const& o = {}) {
    auto s = json::decode<T>(text, o);
    auto d = json::decode_dom<T>(text, o);
    REQUIRE_FALSE(s.has_value());
    REQUIRE_FALSE(d.has_value());
    CHECK(s.error().message() == d.error().message());
    CHECK(s.error().code() == d.error().code());
    CHECK(s.error().json_pointer() == d.error().json_pointer());
    return s.error().message();
}

// Whether the stream leaves the outcome to the DOM path.
template <class T>
bool ambiguous(std::string_view text, json::decode_options const& o = {}) {
    json::detail::decode_context c{o};
    T out{};
    auto r = json::detail::stream_decode(text, out, c);
    REQUIRE_FALSE(r.ec);
    return r.ambiguous;
}

void report(tally const& t) {
    MESSAGE(t.summary());
    for (auto const& d : t.differences) FAIL_CHECK(d);
    CHECK(t.differences.empty());
}

} // namespace test_stream

TEST_CASE("stream: errors in document order, absent keys at the object's end (both decoders)") {
    using namespace test_stream;
    using test_decode::scalars;
    auto const reject = json::decode_options{.unknown_keys = json::reject};
    // the first wrong value in the text, whatever the declaration order
    CHECK(stream_error<scalars>(R"({"i":"x","s":1})") == "/i: expected integer, got string");
    CHECK(stream_error<scalars>(R"({"d":{},"b":null,"s":"","i":1})") == "/d: expected number, got object");
    // present members before absent ones; absent ones in declaration order
    CHECK(stream_error<scalars>(R"({"i":"x"})") == "/i: expected integer, got string");
    CHECK(stream_error<scalars>(R"({"d":1,"i":2})") == "/s: missing required key");
    CHECK(stream_error<scalars>(R"({"s":"","d":1})") == "/b: missing required key");
    // unknown keys where they stand
    CHECK(stream_error<scalars>(R"({"z":0})", reject) == "/z: unknown key");
    CHECK(stream_error<scalars>(R"({"s":1,"z":0})", reject) == "/s: expected string, got number");
    CHECK(stream_error<scalars>(R"({"s":"","z":0,"b":1})", reject) == "/z: unknown key");
    CHECK(stream_error<test_decode::strict_graph>(R"({"nodes":[{"inodeId":"t","zz":1,"type":"table"}]})", reject) ==
          "/nodes/0/zz: unknown key");
    // the same through the boost::json::value overload
    auto v = boost::json::parse(R"({"i":"x","s":1,"z":0})");
    CHECK(json::decode<scalars>(v).error().message() == "/i: expected integer, got string");
    CHECK(json::decode<scalars>(boost::json::parse(R"({"z":0,"i":"x"})"), reject).error().message() ==
          "/z: unknown key");
}

TEST_CASE("stream: a repeated key keeps its last value, and reports as the DOM does") {
    using namespace test_stream;
    using test_decode::scalars;
    // Boost.JSON keeps the last value of a repeated key, at the key's first position.
    auto dom = boost::json::parse(R"({"a":1,"b":2,"a":3})").as_object();
    REQUIRE(dom.size() == 2);
    CHECK(dom.begin()->key() == "a");
    CHECK(dom.begin()->value() == 3);

    auto s = json::decode<scalars>(R"({"s":"x","b":true,"i":"bad","i":7,"d":1,"s":"y"})");
    REQUIRE(s);
    CHECK(s->i == 7);
    CHECK(s->s == "y");
    CHECK(stream_error<scalars>(R"({"s":"","b":true,"i":1,"i":"x","d":1})") == "/i: expected integer, got string");
    // the error is the repeated key's (at its first position), not the later one's
    CHECK(stream_error<scalars>(R"({"s":"","i":"bad","b":true,"s":5,"d":1})") == "/s: expected string, got number");
    CHECK(stream_error<std::map<std::string, int>>(R"({"a":1,"b":"x","a":"y"})") ==
          "/a: expected integer, got string");
    // a repeated object starts afresh
    CHECK(stream_error<test_decode::outer>(R"({"a":{"b":"x"},"a":{}})") == "/a/b: missing required key");
    auto w = json::decode<test_decode::with_optionals>(R"({"child":{"b":"x"},"name":"n","child":null,"name":"m"})");
    REQUIRE(w);
    CHECK_FALSE(w->child);
    CHECK(w->name == "m");
    // a repeated tag selects by its last value
    CHECK(stream_error<test_decode::open_node>(R"({"type":"table","inodeId":"t","type":"data-model"})") ==
          "/dataModelId: missing required key");
    auto n = json::decode<test_decode::open_node>(R"({"type":"chart","type":"table","inodeId":"t"})");
    REQUIRE(n);
    CHECK(std::get<test_decode::table_node>(*n).inodeId == "t");

    // Only repeats that can change the outcome send the stream to the DOM path.
    CHECK_FALSE(ambiguous<scalars>(R"({"s":"x","b":true,"i":1,"i":2,"d":1})"));
    CHECK_FALSE(ambiguous<scalars>(R"({"s":"x","i":"bad","b":true,"d":1,"z":1,"z":2})"));
    CHECK(ambiguous<scalars>(R"({"s":"","i":"bad","b":true,"s":5,"d":1})"));
    CHECK(ambiguous<std::map<std::string, int>>(R"({"a":1,"b":"x","a":"y"})"));
    CHECK(ambiguous<test_decode::open_node>(R"({"type":"table","type":"x"})"));
    CHECK(ambiguous<test_decode::strict_node>(R"({"type":"chart","type":"table"})"));
}

TEST_CASE("stream: tagged unions with the tag first, later, repeated, or not a string") {
    using namespace test_stream;
    using test_decode::open_node;
    auto first = json::decode<open_node>(R"({"type":"data-model","dataModelId":"m"})");
    REQUIRE(first);
    CHECK(std::get<test_decode::model_node>(*first).dataModelId == "m");
    auto later = json::decode<open_node>(R"({"dataModelId":"m","type":"dataModel"})");
    REQUIRE(later);
    CHECK(std::get<test_decode::model_node>(*later).dataModelId == "m");
    auto fallback = json::decode<open_node>(R"({"type":"vis\u0075alization","x":[1,{"y":2}]})");
    REQUIRE(fallback);
    CHECK(std::get<test_decode::other_node>(*fallback).type == "visualization");
    CHECK(stream_error<open_node>(R"({"type":7,"inodeId":"t"})") == "/type: expected string, got number");
    CHECK(stream_error<open_node>(R"({"type":{"a":[1]}})") == "/type: expected string, got object");
    CHECK(stream_error<open_node>("{}") == "/type: missing tag key");
    CHECK(stream_error<open_node>("[]") == "expected object, got array");
    CHECK(stream_error<open_node>("null") == "expected object, got null");
    CHECK(stream_error<test_decode::strict_node>(R"({"type":"chart","inodeId":1})") ==
          "/type: unknown tag \"chart\"; expected one of: table, data-model, dataModel");
    CHECK(stream_error<test_decode::graph>(R"({"nodes":[{"type":"table","inodeId":"t"},{"inodeId":5,"type":"table"}]})") ==
          "/nodes/1/inodeId: expected string, got number");
}

TEST_CASE("stream: strings and keys the parser hands over in parts") {
    using namespace test_stream;
    // Escapes split a string; past 4 KB the parser's buffer splits it again.
    std::string long_key = std::string(5000, 'k') + "\\u0041" + std::string(5000, 'k');
    std::string long_value = std::string(9000, 'v') + "\\n\\u00e9" + std::string(100, 'w');
    std::string text = "{\"" + long_key + "\":\"" + long_value + "\",\"s\\u0074r\":\"a\\tb\"}";
    auto m = json::decode<std::map<std::string, std::string>>(text);
    REQUIRE(m);
    REQUIRE(m->size() == 2);
    CHECK(m->at(std::string(5000, 'k') + "A" + std::string(5000, 'k')).size() == 9000 + 1 + 2 + 100);
    CHECK(m->at("str") == "a\tb");
    auto e = json::decode<std::vector<test_decode::node_type>>(R"(["dat\u0061-model","\u0075nion","t\u0061ble"])");
    REQUIRE(e);
    CHECK(*e == std::vector<test_decode::node_type>{test_decode::node_type::data_model, test_decode::node_type::union_,
                                                     test_decode::node_type::table});
    CHECK(stream_error<test_decode::color>("\"r\\u0065" + std::string(5000, 'd') + "\"").starts_with(
        "unknown enumerator \"re" + std::string(5000, 'd') + "\""));
    auto s = json::decode<test_decode::scalars>(R"({"\u0073":"x","\u0062":true,"\u0069":1,"d":2})");
    REQUIRE(s);
    CHECK(s->s == "x");
    CHECK(stream_error<test_decode::scalars>(R"({"s":"","b":true,"i":1,"d":1,"\u007a":1})",
                                             {.unknown_keys = json::reject}) == "/z: unknown key");
    tally t;
    for (auto const& o : option_sets()) {
        compare<std::map<std::string, std::string>>(text, o, t);
        compare<test_decode::open_node>(R"({"t\u0079pe":"t\u0061ble","inodeId":"x"})", o, t);
        compare<test_decode::open_node>("{\"type\":\"" + std::string(5000, 'x') + "\\u0041\",\"type\":1}", o, t);
    }
    report(t);
}

TEST_CASE("stream: numbers are the DOM path's, bit for bit") {
    using namespace test_stream;
    CHECK(json::decode<double>("-1.9934908051011654E189").value() == -1.9934908051011654E189);
    CHECK(json::decode<double>("1.1430767782883795E-192").value() == 1.1430767782883795E-192);
    CHECK(json::decode<double>("2.1542687414875476E-293").value() == 2.1542687414875476E-293);
    CHECK(json::decode<std::vector<double>>("[1.0000000000000002, 0.30000000000000004]").value() ==
          std::vector<double>{1.0000000000000002, 0.30000000000000004});
    tally t;
    for (std::string_view n : replacements) {
        std::string text = "[" + std::string(n) + "]";
        for (auto const& o : option_sets()) {
            compare<std::vector<double>>(text, o, t);
            compare<std::vector<float>>(text, o, t);
            compare<std::vector<std::int8_t>>(text, o, t);
            compare<std::vector<std::uint8_t>>(text, o, t);
            compare<std::vector<std::int32_t>>(text, o, t);
            compare<std::vector<std::uint32_t>>(text, o, t);
            compare<std::vector<std::int64_t>>(text, o, t);
            compare<std::vector<std::uint64_t>>(text, o, t);
            compare<std::vector<boost::json::value>>(text, o, t);
            compare<test_stream::numbers>("{\"of\":" + std::string(n) + "}", o, t);
        }
    }
    // every double the fuzzer writes, and its neighbours in text
    for (double d : tricky_doubles) {
        std::string text = boost::json::serialize(boost::json::value(d));
        compare<double>(text, {}, t);
        compare<float>(text, {}, t);
        compare<std::int64_t>(text, {}, t);
    }
    report(t);
}

TEST_CASE("stream: doubles are correctly rounded, with or without the second reading") {
    using namespace test_stream;
    // Random decimal texts around the fast path's limits (15 digits, |e| <= 22):
    // both decoders give std::from_chars's value, which rounds correctly.
    rng r{42};
    std::size_t checked = 0, wrong = 0;
    for (int n = 0; n < 200000; ++n) {
        std::string text;
        if (r.chance(30)) text += '-';
        std::size_t digits = 1 + r.below(19);
        std::size_t point = r.below(digits + 1);
        text += static_cast<char>('1' + r.below(9));
        for (std::size_t i = 1; i < digits; ++i) {
            if (i == point) text += '.';
            text += static_cast<char>('0' + r.below(10));
        }
        if (point == 0 || r.chance(60)) {
            text += r.chance(50) ? 'e' : 'E';
            int e = static_cast<int>(r.below(61)) - 30;
            if (r.chance(10)) e = static_cast<int>(r.below(700)) - 350;
            text += std::to_string(e);
        }
        double expected = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), expected);
        if (ec != std::errc{} || ptr != text.data() + text.size()) continue;
        auto s = json::decode<double>(text);
        auto d = json::decode_dom<double>(text);
        ++checked;
        bool same = s && d && std::memcmp(&*s, &expected, sizeof expected) == 0 &&
                    std::memcmp(&*d, &expected, sizeof expected) == 0;
        if (!same && ++wrong <= 10) FAIL_CHECK(text);
    }
    CHECK(wrong == 0);
    CHECK(checked > 150000);
}

TEST_CASE("stream: nesting at and past max_depth") {
    using namespace test_stream;
    tally t;
    for (std::size_t depth : {1, 2, 3, 4, 63, 64, 65, 200}) {
        std::string arrays = std::string(depth, '[') + std::string(depth, ']');
        std::string objects;
        for (std::size_t i = 0; i < depth; ++i) objects += "{\"a\":";
        objects += "1" + std::string(depth, '}');
        for (auto const& o : option_sets()) {
            compare<boost::json::value>(arrays, o, t);
            compare<boost::json::value>(objects, o, t);
            compare<tree>("{\"name\":\"x\",\"children\":[" + arrays + "]}", o, t);
            compare<tree>("{\"name\":\"x\",\"zz\":" + objects + "}", o, t);
            compare<test_decode::graph>("{\"nodes\":[{\"type\":\"chart\",\"x\":" + arrays + "}]}", o, t);
            compare<test_decode::graph>("{\"nodes\":[{\"x\":" + objects + ",\"type\":\"chart\"}]}", o, t);
            compare<std::vector<std::vector<int>>>(arrays, o, t);
        }
    }
    compare<boost::json::value>(std::string(1000000, '['), {}, t);
    report(t);
}

TEST_CASE("stream: structs of more than 64 members, and types that contain themselves") {
    using namespace test_stream;
    std::string text = "{";
    for (int i = 0; i < 36; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "\"a%02d\":%d,\"b%02d\":%d,", i, i, i, 100 + i);
        text += buf;
    }
    text.back() = '}';
    auto w = json::decode<wide>(text);
    REQUIRE(w);
    CHECK(w->a35 == 35);
    CHECK(w->b35 == 135);
    CHECK(w->a00 == 0);
    auto missing = text;
    missing.replace(missing.find("\"b34\""), 5, "\"zz\"");
    CHECK(stream_error<wide>(missing) == "/b34: missing required key");
    auto r = json::decode<tree>(R"({"name":"root","children":[{"name":"a","children":[]},
        {"name":"b","children":[{"name":"c","children":[],"named":{"x":{"name":"d","children":[]}}}]}]})");
    REQUIRE(r);
    CHECK(r->children.at(1).children.at(0).named->at("x").name == "d");
    CHECK(stream_error<tree>(R"({"name":"root","children":[{"name":"a","children":[{"name":1}]}]})") ==
          "/children/0/children/0/name: expected string, got number");
}

TEST_CASE("stream: every string literal of the json and api tests, as every type") {
    using namespace test_stream;
    auto texts = fixture_texts({"tests/json/decode.cpp", "tests/json/options.cpp", "tests/json/pointer.cpp",
                                "tests/json/encode.cpp", "tests/json/traits.cpp", "tests/json/stream.cpp",
                                "tests/api/models.cpp", "tests/api/stream.cpp"});
    bool const sources = !texts.empty();
    if (sources)
        CHECK(texts.size() > 300);
    else
        MESSAGE("SIGMA_SOURCE_ROOT is not set: only the generated documents are compared");
    texts.push_back(test_decode::make_page(100));
    texts.push_back(test_decode::make_page(100, 3));
    texts.push_back(test_decode::make_page(100, 97));
    tally t;
    auto const options = option_sets();
    for (auto const& text : texts)
        for (auto fn : every_type())
            for (auto const& o : options) fn(text, o, t);
    report(t);
    if (sources) {
        CHECK(t.values > 1000);
        CHECK(t.schema_errors > 10000);
    }
}

TEST_CASE("stream: random documents of every type, mutated") {
    using namespace test_stream;
    using namespace test_decode;
    rng r{20240601};
    tally t;
    auto const& others = every_type();
    fuzz<scalars>(r, 60, 12, others, t);
    fuzz<outer>(r, 30, 12, others, t);
    fuzz<with_optionals>(r, 60, 12, others, t);
    fuzz<containers>(r, 60, 12, others, t);
    fuzz<owned_entity>(r, 40, 12, others, t);
    fuzz<std::vector<color>>(r, 30, 12, others, t);
    fuzz<std::vector<node_type>>(r, 30, 12, others, t);
    fuzz<raw_holder>(r, 60, 12, others, t);
    fuzz<graph>(r, 80, 12, others, t);
    fuzz<strict_graph>(r, 60, 12, others, t);
    fuzz<open_node>(r, 60, 12, others, t);
    fuzz<renamed>(r, 30, 12, others, t);
    fuzz<paint>(r, 20, 12, others, t);
    fuzz<workbook_page>(r, 40, 12, others, t);
    fuzz<sheet>(r, 40, 12, others, t);
    fuzz<wide>(r, 20, 12, others, t);
    fuzz<tree>(r, 60, 12, others, t);
    fuzz<numbers>(r, 80, 12, others, t);
    fuzz<unions>(r, 80, 12, others, t);
    fuzz<empty>(r, 5, 12, others, t);
    fuzz<boost::json::value>(r, 60, 12, others, t);
    report(t);
    CHECK(t.cases > 20000);
    CHECK(t.values > 2000);
    CHECK(t.schema_errors > 2000);
    CHECK(t.syntax_errors > 2000);
}
