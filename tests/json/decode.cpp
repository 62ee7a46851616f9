#include <sigma/json/decode.hpp>

#include <boost/describe.hpp>
#include <doctest/doctest.h>

namespace test_decode {
struct item {
    std::string name;
};
BOOST_DESCRIBE_STRUCT(item, (), (name))
} // namespace test_decode

TEST_CASE("decode: smoke") {
    auto r = sigma::json::decode<std::vector<test_decode::item>>(R"([{"name":"a"},{"name":1}])");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message() == "/1/name: expected string, got number");
}
