// Tests for include/sigma/json/decode.hpp: every rule of the decoder.
#include "fixtures.hpp"

#include <sigma/json/decode.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace test_decode {

namespace json = sigma::json;

template <class T>
std::string error_of(std::string_view text, json::decode_options const& o = {}) {
    auto r = json::decode<T>(text, o);
    REQUIRE_FALSE(r.has_value());
    return r.error().message();
}

template <class T>
T value_of(std::string_view text, json::decode_options const& o = {}) {
    auto r = json::decode<T>(text, o);
    if (!r) FAIL("unexpected error: " << r.error().message());
    return *r;
}

template <class T>
void check_integer_limits(std::string_view name) {
    CAPTURE(name);
    using L = std::numeric_limits<T>;
    CHECK(value_of<T>(std::to_string(L::max())) == L::max());
    CHECK(value_of<T>(std::to_string(L::min())) == L::min());
    CHECK(value_of<T>("0") == T{0});
    CHECK(value_of<T>("3.0") == T{3});
    CHECK(value_of<T>("1e1") == T{10});

    std::string range = "[" + std::to_string(L::min()) + ", " + std::to_string(L::max()) + "]";
    // One past the maximum, written as an integer.
    std::string over;
    if constexpr (sizeof(T) == 8 && std::is_unsigned_v<T>)
        over = "18446744073709551616"; // no 64-bit type holds max + 1
    else if constexpr (sizeof(T) == 8)
        over = "9223372036854775808";
    else
        over = std::to_string(static_cast<std::int64_t>(L::max()) + 1);
    auto r = json::decode<T>(over);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::json_out_of_range);
    if constexpr (sizeof(T) < 8 || std::is_signed_v<T>)
        CHECK(r.error().message() ==
              "integer out of range: " + over + " does not fit " + std::string(name) + " " + range);
    else // 2^64 is read as a double
        CHECK(r.error().message() ==
              "integer out of range: 1.8446744073709552E19 does not fit uint64 " + range);

    // One below the minimum.
    std::string under;
    if constexpr (std::is_unsigned_v<T>)
        under = "-1";
    else if constexpr (sizeof(T) == 8)
        under = "-9223372036854775809";
    else
        under = std::to_string(static_cast<std::int64_t>(L::min()) - 1);
    r = json::decode<T>(under);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::json_out_of_range);
    if constexpr (sizeof(T) == 8 && std::is_signed_v<T>)
        // The nearest double is -2^63 itself: refused, not rounded into range.
        CHECK(r.error().message() == "integer out of range: -9.223372036854776E18 cannot be read exactly "
                                     "(beyond 2^53 as a floating-point number)");
    else
        CHECK(r.error().message() ==
              "integer out of range: " + under + " does not fit " + std::string(name) + " " + range);

    CHECK(error_of<T>("3.5") == "expected integer, got number");
    CHECK(error_of<T>("\"3\"") == "expected integer, got string");
    CHECK(error_of<T>("true") == "expected integer, got bool");
    CHECK(error_of<T>("null") == "expected integer, got null");
    r = json::decode<T>("1e300");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::json_out_of_range);
    CHECK(r.error().message() == "integer out of range: 1E300 does not fit " + std::string(name) + " " + range);
    r = json::decode<T>("-1e300");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::json_out_of_range);
}

} // namespace test_decode

TEST_CASE("decode: scalars into a struct") {
    using namespace test_decode;
    auto s = value_of<scalars>(R"({"s":"x\u00e9\n","b":true,"i":-7,"d":2.5})");
    CHECK(s.s == "x\xc3\xa9\n");
    CHECK(s.b);
    CHECK(s.i == -7);
    CHECK(s.d == 2.5);
    // an integer is a valid double
    CHECK(value_of<scalars>(R"({"s":"","b":false,"i":0,"d":4})").d == 4.0);
}

TEST_CASE("decode: wrong types name the pointer and both kinds") {
    using namespace test_decode;
    CHECK(error_of<scalars>(R"({"s":1,"b":true,"i":1,"d":1})") == "/s: expected string, got number");
    CHECK(error_of<scalars>(R"({"s":"","b":"yes","i":1,"d":1})") == "/b: expected bool, got string");
    CHECK(error_of<scalars>(R"({"s":"","b":true,"i":[],"d":1})") == "/i: expected integer, got array");
    CHECK(error_of<scalars>(R"({"s":"","b":true,"i":1,"d":{}})") == "/d: expected number, got object");
    CHECK(error_of<scalars>("[]") == "expected object, got array");
    CHECK(error_of<std::string>("1") == "expected string, got number");
    CHECK(error_of<std::vector<int>>("{}") == "expected array, got object");
    CHECK(error_of<std::map<std::string, int>>("[]") == "expected object, got array");

    auto r = json::decode<scalars>(R"({"s":1,"b":true,"i":1,"d":1})");
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == sigma::errc::json_type);
    CHECK(r.error().json_pointer() == "/s");
}

TEST_CASE("decode: every integer type is range-checked, never wrapped") {
    using namespace test_decode;
    check_integer_limits<std::int8_t>("int8");
    check_integer_limits<std::int16_t>("int16");
    check_integer_limits<std::int32_t>("int32");
    check_integer_limits<std::int64_t>("int64");
    check_integer_limits<std::uint8_t>("uint8");
    check_integer_limits<std::uint16_t>("uint16");
    check_integer_limits<std::uint32_t>("uint32");
    check_integer_limits<std::uint64_t>("uint64");
    check_integer_limits<long long>("int64");
    check_integer_limits<unsigned long>("uint64");
    check_integer_limits<short>("int16");

    CHECK(value_of<std::uint64_t>("18446744073709551615") == std::numeric_limits<std::uint64_t>::max());
    CHECK(value_of<std::uint8_t>("-0.0") == 0);
    CHECK(value_of<std::int64_t>("-1e15") == -1000000000000000);
    CHECK(value_of<std::int64_t>("9007199254740991.0") == 9007199254740991);
    // A double beyond 2^53 stands for many integers: refused even when in range.
    auto r = json::decode<std::int64_t>("1e18");
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == sigma::errc::json_out_of_range);
    CHECK(r.error().message() ==
          "integer out of range: 1E18 cannot be read exactly (beyond 2^53 as a floating-point number)");
    CHECK(error_of<std::int32_t>("1e400") == "integer out of range: number too large");
    CHECK(error_of<std::uint8_t>("-1.0") == "integer out of range: -1E0 does not fit uint8 [0, 255]");
    CHECK(error_of<std::vector<std::uint16_t>>("[1, 65536]") ==
          "/1: integer out of range: 65536 does not fit uint16 [0, 65535]");
}

TEST_CASE("decode: doubles are read exactly") {
    using namespace test_decode;
    CHECK(value_of<double>("0.1") == 0.1);
    CHECK(value_of<double>("1e300") == 1e300);
    CHECK(value_of<double>("-2.2250738585072014e-308") == -2.2250738585072014e-308);
    CHECK(value_of<double>("5e-324") == 5e-324);
    CHECK(value_of<double>("18446744073709551616") == 18446744073709551616.0);
    // Values that Boost 1.81's own parser rounds to a neighbour.
    CHECK(value_of<double>("-1.9934908051011654E189") == -1.9934908051011654E189);
    CHECK(value_of<double>("1.1430767782883795E-192") == 1.1430767782883795E-192);
    CHECK(value_of<double>("2.1542687414875476E-293") == 2.1542687414875476E-293);
    CHECK(value_of<std::vector<double>>("[1.0000000000000002, 0.30000000000000004]") ==
          std::vector<double>{1.0000000000000002, 0.30000000000000004});
    CHECK(value_of<float>("0.1") == 0.1f);

    auto r = json::decode<double>("1e400");
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == sigma::errc::json_out_of_range);
    CHECK(r.error().message() == "number out of range: does not fit double");
    CHECK(error_of<float>("1e300") == "number out of range: 1E300 does not fit float");
    // An unread huge number does not fail the document.
    CHECK(value_of<test_decode::inner>(R"({"b":"x","big":1e400})").b == "x");
}

TEST_CASE("decode: optionals may be absent or null") {
    using namespace test_decode;
    auto a = value_of<with_optionals>("{}");
    CHECK_FALSE(a.name);
    CHECK_FALSE(a.ids);
    CHECK_FALSE(a.child);
    auto b = value_of<with_optionals>(R"({"name":null,"ids":null,"child":null})");
    CHECK_FALSE(b.name);
    CHECK_FALSE(b.ids);
    auto c = value_of<with_optionals>(R"({"name":"n","ids":[1,2],"child":{"b":"x"}})");
    CHECK(c.name == "n");
    CHECK(c.ids == std::vector<int>{1, 2});
    REQUIRE(c.child);
    CHECK(c.child->b == "x");
    CHECK(error_of<with_optionals>(R"({"ids":[1,"2"]})") == "/ids/1: expected integer, got string");
    CHECK(error_of<with_optionals>(R"({"child":{}})") == "/child/b: missing required key");
    CHECK_FALSE(value_of<std::optional<int>>("null"));
    CHECK(value_of<std::optional<int>>("5") == 5);
    CHECK(value_of<std::vector<std::optional<int>>>("[1,null,3]") == std::vector<std::optional<int>>{1, std::nullopt, 3});
}

TEST_CASE("decode: vectors and string maps") {
    using namespace test_decode;
    auto c = value_of<containers>(R"({"list":["a","b"],"flags":[true,false,true],"grid":[[1],[],[2,3]],
        "counts":{"x":1,"y":2},"children":{"k":{"b":"v"}}})");
    CHECK(c.list == std::vector<std::string>{"a", "b"});
    CHECK(c.flags == std::vector<bool>{true, false, true});
    CHECK(c.grid == std::vector<std::vector<int>>{{1}, {}, {2, 3}});
    CHECK(c.counts == std::map<std::string, int>{{"x", 1}, {"y", 2}});
    REQUIRE(c.children.count("k") == 1);
    CHECK(c.children.at("k").b == "v");

    CHECK(error_of<containers>(R"({"list":[],"flags":[1],"grid":[],"counts":{},"children":{}})") ==
          "/flags/0: expected bool, got number");
    CHECK(error_of<containers>(R"({"list":[],"flags":[],"grid":[[1],[2,"x"]],"counts":{},"children":{}})") ==
          "/grid/1/1: expected integer, got string");
    CHECK(error_of<containers>(R"({"list":[],"flags":[],"grid":[],"counts":{"a":1,"b":null},"children":{}})") ==
          "/counts/b: expected integer, got null");
    CHECK(error_of<containers>(R"({"list":[],"flags":[],"grid":[],"counts":{},"children":{"k":{}}})") ==
          "/children/k/b: missing required key");
}

TEST_CASE("decode: nested structs, described bases, missing keys and null") {
    using namespace test_decode;
    CHECK(value_of<outer>(R"({"a":{"b":"x"}})").a.b == "x");
    auto r = json::decode<outer>(R"({"a":{}})");
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "/a/b: missing required key");
    CHECK(r.error().code() == sigma::errc::json_missing_key);
    CHECK(r.error().json_pointer() == "/a/b");
    CHECK(error_of<outer>("{}") == "/a: missing required key");
    CHECK(error_of<outer>(R"({"a":{"b":null}})") == "/a/b: expected string, got null");
    CHECK(error_of<outer>(R"({"a":null})") == "/a: expected object, got null");

    auto e = value_of<owned_entity>(R"({"id":"1","name":"n","ownerId":"o"})");
    CHECK(e.id == "1");
    CHECK(e.name == "n");
    CHECK(e.ownerId == "o");
    CHECK(error_of<owned_entity>(R"({"name":"n"})") == "/id: missing required key");
    CHECK(error_of<owned_entity>(R"({"id":"1"})") == "/name: missing required key");
    // base members are known keys under reject
    CHECK(json::decode<owned_entity>(R"({"id":"1","name":"n"})", {.unknown_keys = json::reject}).has_value());
}

TEST_CASE("decode: described enums") {
    using namespace test_decode;
    CHECK(value_of<color>("\"green\"") == color::green);
    auto r = json::decode<color>("\"purple\"");
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == sigma::errc::json_unknown_enum);
    CHECK(r.error().message() == "unknown enumerator \"purple\"; expected one of: red, green, blue");
    CHECK(error_of<std::vector<color>>(R"(["red",1])") == "/1: expected string, got number");
    CHECK(error_of<color>("\"Red\"") == "unknown enumerator \"Red\"; expected one of: red, green, blue");

    // spellings from sigma_json_enum_name, aliases, and the `unknown` catch-all
    CHECK(value_of<node_type>("\"data-model\"") == node_type::data_model);
    CHECK(value_of<node_type>("\"dataModel\"") == node_type::data_model);
    CHECK(value_of<node_type>("\"union\"") == node_type::union_);
    CHECK(value_of<node_type>("\"table\"") == node_type::table);
    CHECK(value_of<node_type>("\"pivot-table\"") == node_type::unknown);
    CHECK(value_of<node_type>("\"union_\"") == node_type::unknown); // the C++ name is not a spelling
    CHECK(value_of<node_type>("\"data_model\"") == node_type::unknown);
    CHECK(error_of<node_type>("7") == "expected string, got number");
}

TEST_CASE("decode: boost::json::value members are kept raw") {
    using namespace test_decode;
    auto h = value_of<raw_holder>(R"({"id":"1","extra":{"a":[1,2.5,null,"x"],"b":{"c":true}}})");
    CHECK(h.extra == boost::json::parse(R"({"a":[1,2.5,null,"x"],"b":{"c":true}})"));
    CHECK(value_of<raw_holder>(R"({"id":"1","extra":null})").extra.is_null());
    CHECK(error_of<raw_holder>(R"({"id":"1"})") == "/extra: missing required key");
    auto whole = value_of<boost::json::value>(R"([1,{"k":"v"}])");
    CHECK(whole == boost::json::parse(R"([1,{"k":"v"}])"));
    // the copy does not share the parser's scratch memory
    CHECK(whole.storage().get() == boost::json::storage_ptr().get());
}

TEST_CASE("decode: tagged unions") {
    using namespace test_decode;
    auto g = value_of<graph>(R"({"nodes":[
        {"type":"table","inodeId":"t1"},
        {"type":"data-model","dataModelId":"m1"},
        {"type":"dataModel","dataModelId":"m2"},
        {"type":"visualization","extra":1}]})");
    REQUIRE(g.nodes.size() == 4);
    REQUIRE(std::holds_alternative<table_node>(g.nodes[0]));
    CHECK(std::get<table_node>(g.nodes[0]).inodeId == "t1");
    REQUIRE(std::holds_alternative<model_node>(g.nodes[1]));
    CHECK(std::get<model_node>(g.nodes[1]).dataModelId == "m1");
    REQUIRE(std::holds_alternative<model_node>(g.nodes[2]));
    CHECK(std::get<model_node>(g.nodes[2]).dataModelId == "m2");
    REQUIRE(std::holds_alternative<other_node>(g.nodes[3]));
    CHECK(std::get<other_node>(g.nodes[3]).type == "visualization");

    auto r = json::decode<graph>(R"({"nodes":[{"type":"table","inodeId":"t"},{"inodeId":"t"}]})");
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == sigma::errc::json_discriminator);
    CHECK(r.error().message() == "/nodes/1/type: missing tag key");
    CHECK(error_of<graph>(R"({"nodes":[{"type":7}]})") == "/nodes/0/type: expected string, got number");
    CHECK(error_of<graph>(R"({"nodes":[{"type":null}]})") == "/nodes/0/type: expected string, got null");
    CHECK(error_of<graph>(R"({"nodes":["table"]})") == "/nodes/0: expected object, got string");
    CHECK(error_of<graph>(R"({"nodes":[{"type":"table"}]})") == "/nodes/0/inodeId: missing required key");

    r = json::decode<graph>(R"({"nodes":[{"type":"data-model","dataModelId":3}]})");
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "/nodes/0/dataModelId: expected string, got number");

    auto s = json::decode<strict_graph>(R"({"nodes":[{"type":"chart"}]})");
    REQUIRE_FALSE(s);
    CHECK(s.error().code() == sigma::errc::json_discriminator);
    CHECK(s.error().message() == "/nodes/0/type: unknown tag \"chart\"; expected one of: table, data-model, dataModel");
    CHECK(value_of<strict_node>(R"({"type":"dataModel","dataModelId":"m"})").index() == 1);
}

TEST_CASE("decode: unknown keys are ignored by default and reported under reject") {
    using namespace test_decode;
    auto const reject = json::decode_options{.unknown_keys = json::reject};
    CHECK(value_of<inner>(R"({"b":"x","c":1,"d":{"e":[]}})").b == "x");

    auto r = json::decode<inner>(R"({"b":"x","c":1,"d":2})", reject);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == sigma::errc::json_unknown_key);
    CHECK(r.error().message() == "/c: unknown key");
    CHECK(r.error().json_pointer() == "/c");

    CHECK(error_of<containers>(R"({"list":[],"flags":[],"grid":[],"counts":{},"children":{"k":{"b":"v","x/y":0}}})",
                               reject) == "/children/k/x~1y: unknown key");
    CHECK(error_of<std::vector<outer>>(R"([{"a":{"b":"1"}},{"a":{"b":"2","zz":null}}])", reject) ==
          "/1/a/zz: unknown key");
    // map keys are data, never unknown
    CHECK(json::decode<std::map<std::string, int>>(R"({"anything":1})", reject).has_value());

    // inside variants the tag key is not unknown, other keys are
    CHECK(json::decode<graph>(R"({"nodes":[{"type":"table","inodeId":"t"}]})", reject).has_value());
    CHECK(json::decode<graph>(R"({"nodes":[{"type":"chart"}]})", reject).has_value());
    CHECK(error_of<graph>(R"({"nodes":[{"type":"table","inodeId":"t"},{"type":"chart","x":1}]})", reject) ==
          "/nodes/1/x: unknown key");
    CHECK(error_of<strict_graph>(R"({"nodes":[{"type":"table","inodeId":"t","dataModelId":"m"}]})", reject) ==
          "/nodes/0/dataModelId: unknown key");
}

TEST_CASE("decode: renamed members read their JSON key") {
    using namespace test_decode;
    auto r = value_of<renamed>(R"({"default":30,"public":true})");
    CHECK(r.default_ == 30);
    CHECK(r.public_);
    CHECK(error_of<renamed>(R"({"default":1})") == "/public: missing required key");
    CHECK(error_of<renamed>(R"({"public":true,"default":"x"})") == "/default: expected integer, got string");
    // the C++ name is not a key
    CHECK(error_of<renamed>(R"({"public":true,"public_":true})", {.unknown_keys = json::reject}) ==
          "/public_: unknown key");
}

TEST_CASE("decode: sigma::json::codec specialisations") {
    using namespace test_decode;
    CHECK(value_of<paint>(R"({"fill":"#10ff00"})").fill.packed == 0x10ff00u);
    auto r = json::decode<paint>(R"({"fill":"red"})");
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == sigma::errc::json_invalid);
    CHECK(r.error().message() == "/fill: expected a colour like \"#a0b1c2\"");
}

TEST_CASE("decode: the boost::json::value overload and decode_or_throw") {
    using namespace test_decode;
    boost::json::value v = boost::json::parse(R"({"a":{"b":"x"}})");
    auto r = json::decode<outer>(v);
    REQUIRE(r);
    CHECK(r->a.b == "x");
    boost::json::value bad = boost::json::parse(R"({"a":{"b":false}})");
    CHECK(json::decode<outer>(bad).error().message() == "/a/b: expected string, got bool");
    CHECK(json::decode_or_throw<outer>(v).a.b == "x");
    CHECK(json::decode_or_throw<outer>(std::string(R"({"a":{"b":"y"}})")).a.b == "y");

    try {
        (void)json::decode_or_throw<outer>(R"({"a":{"b":1}})");
        FAIL("expected an exception");
    } catch (sigma::error const& e) {
        CHECK(std::string(e.what()) == "/a/b: expected string, got number");
        CHECK(e.message() == "/a/b: expected string, got number");
        CHECK(e.code() == sigma::errc::json_type);
        CHECK(e.json_pointer() == "/a/b");
    }
    CHECK_THROWS_AS((void)json::decode_or_throw<outer>(bad), std::runtime_error);
    CHECK_THROWS_WITH_AS((void)json::decode_or_throw<outer>("{"), doctest::Contains("syntax error at line 1"),
                         sigma::error);
}

TEST_CASE("decode: syntax errors give the line, column and byte") {
    using namespace test_decode;
    auto syntax = [](std::string_view text) {
        auto r = json::decode<boost::json::value>(text);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == sigma::errc::json_syntax);
        CHECK(r.error().json_pointer().empty());
        return r.error().message();
    };
    CHECK(syntax("") == "syntax error at line 1, column 1 (byte 0): incomplete JSON");
    CHECK(syntax("  \n ") == "syntax error at line 2, column 2 (byte 4): incomplete JSON");
    CHECK(syntax("[1,2") == "syntax error at line 1, column 5 (byte 4): incomplete JSON");
    CHECK(syntax("{\"a\":\"unterminated") == "syntax error at line 1, column 19 (byte 18): incomplete JSON");
    CHECK(syntax("{\"a\":1} x") == "syntax error at line 1, column 9 (byte 8): extra data");
    CHECK(syntax("{\"a\":1}{}") == "syntax error at line 1, column 8 (byte 7): extra data");
    CHECK(syntax("[1,\n2,\n@]") == "syntax error at line 3, column 1 (byte 7): syntax error");
    // a bad literal is reported where it starts
    CHECK(syntax("{\n  \"a\": 1,\n  \"b\": tru\n}") == "syntax error at line 3, column 8 (byte 19): syntax error");
    CHECK(syntax("[1,]") == "syntax error at line 1, column 4 (byte 3): syntax error");
    CHECK(syntax("{'a':1}") == "syntax error at line 1, column 2 (byte 1): syntax error");
    CHECK(syntax("[1] // c") == "syntax error at line 1, column 5 (byte 4): extra data");
    CHECK(syntax("\"\xff\"") == "syntax error at line 1, column 2 (byte 1): syntax error");
    CHECK(syntax("NaN") == "syntax error at line 1, column 1 (byte 0): syntax error");
    // the error comes before any schema check
    CHECK(error_of<outer>("{\"a\":") == "syntax error at line 1, column 6 (byte 5): incomplete JSON");
}

TEST_CASE("decode: a 10 MB array") {
    using namespace test_decode;
    std::string text = "[";
    std::size_t n = 0;
    while (text.size() < 10 * 1024 * 1024) {
        if (n) text += ',';
        text += "{\"b\":\"item-";
        text += std::to_string(n);
        text += "\"}";
        ++n;
    }
    text += ']';
    auto r = json::decode<std::vector<inner>>(text);
    REQUIRE(r);
    REQUIRE(r->size() == n);
    CHECK(r->front().b == "item-0");
    CHECK(r->back().b == "item-" + std::to_string(n - 1));

    // the same size of plain numbers, and an error at the very end
    std::string nums = "[";
    for (std::size_t i = 0; nums.size() < 10 * 1024 * 1024; ++i) {
        nums += std::to_string(i * 7919);
        nums += ',';
    }
    std::string good = nums + "0]";
    auto ints = json::decode<std::vector<std::int64_t>>(good);
    REQUIRE(ints);
    CHECK(ints->at(1) == 7919);
    std::string bad = nums + "-1]";
    auto u = json::decode<std::vector<std::uint64_t>>(bad);
    REQUIRE_FALSE(u);
    CHECK(u.error().json_pointer() == "/" + std::to_string(ints->size() - 1));
}

TEST_CASE("decode: a 1,000-entry page of workbooks") {
    using namespace test_decode;
    auto page = json::decode<workbook_page>(make_page(1000));
    REQUIRE(page);
    REQUIRE(page->entries.size() == 1000);
    CHECK(page->total == 5000);
    CHECK(page->nextPage == "1000");
    CHECK(page->entries[999].workbookId == "wb-999");
    CHECK(page->entries[998].isArchived == false);
    CHECK(page->entries[995].isArchived == true);
    CHECK(page->entries[3].ownerId == "user-3");
    CHECK_FALSE(page->entries[4].ownerId);
    CHECK(page->entries[10].tags == std::vector<std::string>{"t1", "shared"});

    auto bad = json::decode<workbook_page>(make_page(1000, 3));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message() == "/entries/3/workbookId: expected string, got number");

    bad = json::decode<workbook_page>(make_page(1000, 997));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message() == "/entries/997/workbookId: expected string, got number");
    CHECK(bad.error().json_pointer() == "/entries/997/workbookId");
}
