// Tests for include/sigma/json/options.hpp: the decode options and their effects.
#include <sigma/json/decode.hpp>
#include <sigma/json/options.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <string>

namespace test_options {

namespace json = sigma::json;

struct small {
    int a = 0;
};
BOOST_DESCRIBE_STRUCT(small, (), (a))

std::string nested_arrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

} // namespace test_options

TEST_CASE("options: defaults ignore unknown keys and allow 64 levels") {
    using namespace test_options;
    json::decode_options o;
    CHECK(o.unknown_keys == json::key_policy::ignore);
    CHECK(o.max_depth == 64);
    static_assert(json::ignore == json::key_policy::ignore);
    static_assert(json::reject == json::key_policy::reject);
    CHECK(json::decode<small>(R"({"a":1,"b":2})").has_value());
}

TEST_CASE("options: unknown_keys = reject") {
    using namespace test_options;
    json::decode_options o{.unknown_keys = json::reject};
    CHECK(json::decode<small>(R"({"a":1})", o).has_value());
    auto r = json::decode<small>(R"({"z":0,"a":1,"b":2})", o);
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "/z: unknown key"); // the first one in document order
    // the same through the boost::json::value overload
    auto v = boost::json::parse(R"({"a":1,"b":2})");
    CHECK(json::decode<small>(v, o).error().message() == "/b: unknown key");
    CHECK(json::decode<small>(v).has_value());
    CHECK_THROWS_WITH_AS((void)json::decode_or_throw<small>(v, o), "/b: unknown key", sigma::error);
}

TEST_CASE("options: max_depth") {
    using namespace test_options;
    CHECK(json::decode<boost::json::value>(nested_arrays(64)).has_value());
    auto r = json::decode<boost::json::value>(nested_arrays(65));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == sigma::errc::json_syntax);
    CHECK(r.error().message() == "syntax error at line 1, column 65 (byte 64): too deep");

    json::decode_options shallow{.max_depth = 2};
    CHECK(json::decode<boost::json::value>(R"({"a":[1]})", shallow).has_value());
    CHECK(json::decode<boost::json::value>(R"({"a":[[1]]})", shallow).error().message() ==
          "syntax error at line 1, column 7 (byte 6): too deep");

    json::decode_options deep{.max_depth = 5000};
    auto d = json::decode<boost::json::value>(nested_arrays(5000), deep);
    CHECK(d.has_value());
    // a hostile document far beyond the default fails cleanly
    CHECK_FALSE(json::decode<boost::json::value>(nested_arrays(1000000)).has_value());
}
