// Tests for include/sigma/result.hpp.
#include <sigma/result.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace test_result {

sigma::result<int> parse_digit(char c) {
    if (c < '0' || c > '9') return sigma::error(sigma::errc::json_type, "not a digit");
    return c - '0';
}

sigma::result<void> check_positive(int x) {
    if (x <= 0) return sigma::error(sigma::errc::config, "must be positive");
    return {};
}

struct point {
    int x = 0, y = 0;
    point() = default;
    point(int a, int b) : x(a), y(b) {}
};

} // namespace test_result

TEST_CASE("result: a value") {
    using namespace test_result;
    auto r = parse_digit('7');
    CHECK(r.has_value());
    CHECK(static_cast<bool>(r));
    CHECK(*r == 7);
    CHECK(r.value() == 7);
    *r = 8;
    CHECK(r.value() == 8);

    sigma::result<std::string> s = std::string("abc");
    CHECK(s->size() == 3);
    std::string moved = *std::move(s);
    CHECK(moved == "abc");

    sigma::result<point> p(std::in_place, 1, 2);
    CHECK(p->x == 1);
    CHECK(p->y == 2);
    sigma::result<point> const& cp = p;
    CHECK(cp->y == 2);
    CHECK((*cp).x == 1);
    CHECK(cp.value().x == 1);

    sigma::result<std::vector<int>> def;
    CHECK(def.has_value());
    CHECK(def->empty());
}

TEST_CASE("result: an error") {
    using namespace test_result;
    auto r = parse_digit('x');
    CHECK_FALSE(r.has_value());
    CHECK_FALSE(static_cast<bool>(r));
    CHECK(r.error().code() == sigma::errc::json_type);
    CHECK(r.error().message() == "not a digit");
    CHECK_THROWS_WITH_AS((void)r.value(), "not a digit", sigma::error);
    try {
        (void)std::move(r).value();
        FAIL("expected an exception");
    } catch (sigma::error const& e) {
        CHECK(e.code() == sigma::errc::json_type);
    }
    auto e = std::move(r).error();
    CHECK(e.message() == "not a digit");
}

TEST_CASE("result: move-only values") {
    sigma::result<std::unique_ptr<int>> r = std::make_unique<int>(5);
    REQUIRE(r);
    CHECK(**r == 5);
    std::unique_ptr<int> p = std::move(r).value();
    CHECK(*p == 5);
    sigma::result<std::unique_ptr<int>> bad = sigma::error(sigma::errc::not_found, "gone");
    CHECK_THROWS_AS((void)std::move(bad).value(), sigma::error);
}

TEST_CASE("result<void>") {
    using namespace test_result;
    auto ok = check_positive(1);
    CHECK(ok.has_value());
    CHECK_NOTHROW(ok.value());
    auto bad = check_positive(0);
    CHECK_FALSE(bad);
    CHECK(bad.error().code() == sigma::errc::config);
    CHECK_THROWS_WITH_AS(bad.value(), "must be positive", sigma::error);
    sigma::result<void> def;
    CHECK(def.has_value());
}

TEST_CASE("result: copies and moves keep the state") {
    using namespace test_result;
    auto a = parse_digit('x');
    auto b = a;
    CHECK_FALSE(b);
    CHECK(b.error().message() == "not a digit");
    auto c = parse_digit('3');
    b = c;
    CHECK(b.value() == 3);
    static_assert(std::is_nothrow_move_constructible_v<sigma::result<int>>);
    static_assert(std::is_same_v<sigma::result<int>::value_type, int>);
    static_assert(std::is_same_v<sigma::result<void>::value_type, void>);
}
