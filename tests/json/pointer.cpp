// Tests for include/sigma/json/pointer.hpp: RFC 6901 pointers in errors.
#include <sigma/json/decode.hpp>
#include <sigma/json/pointer.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace test_pointer {

namespace json = sigma::json;

struct cell {
    int v = 0;
};
BOOST_DESCRIBE_STRUCT(cell, (), (v))

struct sheet {
    std::map<std::string, std::vector<std::unordered_map<std::string, std::vector<cell>>>> grid;
};
BOOST_DESCRIBE_STRUCT(sheet, (), (grid))

std::string token(std::string_view t) {
    std::string s;
    json::append_pointer_token(s, t);
    return s;
}

// The pointer in the error must lead, in the document, to the offending value.
template <class T>
void check_points_at_culprit(std::string_view text, std::string_view expected_pointer) {
    auto r = json::decode<T>(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().json_pointer() == expected_pointer);
    CHECK(r.error().message().rfind(std::string(expected_pointer) + ": ", 0) == 0);
    boost::json::value doc = boost::json::parse(text);
    boost::system::error_code ec;
    auto const* found = doc.find_pointer(r.error().json_pointer(), ec);
    CHECK_MESSAGE(found != nullptr, "pointer " << r.error().json_pointer() << " does not resolve: " << ec.message());
}

} // namespace test_pointer

TEST_CASE("pointer: tokens escape ~ as ~0 and / as ~1") {
    using namespace test_pointer;
    CHECK(token("plain") == "/plain");
    CHECK(token("") == "/");
    CHECK(token("a/b") == "/a~1b");
    CHECK(token("m~n") == "/m~0n");
    CHECK(token("~1") == "/~01");
    CHECK(token("/~") == "/~1~0");
    CHECK(token("~~//") == "/~0~0~1~1");
    CHECK(token("\xc3\xa9 \"q\"") == "/\xc3\xa9 \"q\"");
}

TEST_CASE("pointer: frames build the path from the root") {
    using sigma::json::detail::path_frame;
    CHECK(sigma::json::detail::to_pointer(nullptr).empty());
    path_frame a = path_frame::member(nullptr, "entries");
    path_frame b = path_frame::element(&a, 42);
    path_frame c = path_frame::member(&b, "a/b");
    path_frame d = path_frame::element(&c, 0);
    path_frame e = path_frame::member(&d, "~");
    CHECK(sigma::json::detail::to_pointer(&a) == "/entries");
    CHECK(sigma::json::detail::to_pointer(&b) == "/entries/42");
    CHECK(sigma::json::detail::to_pointer(&e) == "/entries/42/a~1b/0/~0");
    // an element whose index is 0 and a member named "0" spell the same
    path_frame zero = path_frame::member(nullptr, "0");
    path_frame first = path_frame::element(nullptr, 0);
    CHECK(sigma::json::detail::to_pointer(&zero) == sigma::json::detail::to_pointer(&first));
}

TEST_CASE("pointer: decode errors several levels deep") {
    using namespace test_pointer;
    check_points_at_culprit<sheet>(R"({"grid":{"s1":[{"c":[{"v":1},{"v":"x"}]}]}})", "/grid/s1/0/c/1/v");
    check_points_at_culprit<sheet>(R"({"grid":{"a/b":[{},{"m~n":[{"v":true}]}]}})", "/grid/a~1b/1/m~0n/0/v");
    check_points_at_culprit<sheet>(R"({"grid":{"":[{"":[{"v":null}]}]}})", "/grid//0//0/v");
    check_points_at_culprit<sheet>(R"({"grid":{"~1":[{"/":[{"v":1},{"v":2},{"v":"3"}]}]}})", "/grid/~01/0/~1/2/v");
    check_points_at_culprit<std::vector<std::vector<std::vector<int>>>>("[[],[[1,2]],[[3],[4,null]]]", "/2/1/1");
    check_points_at_culprit<std::map<std::string, std::map<std::string, int>>>(R"({"x":{"y~/z":"s"}})", "/x/y~0~1z");
    // the root itself: an empty pointer and a bare message
    auto r = json::decode<sheet>("[]");
    REQUIRE_FALSE(r);
    CHECK(r.error().json_pointer().empty());
    CHECK(r.error().message() == "expected object, got array");
}
