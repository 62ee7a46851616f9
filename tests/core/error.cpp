// Tests for include/sigma/error.hpp.
#include <sigma/error.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace test_error {

constexpr sigma::errc all_codes[] = {
    sigma::errc::ok,           sigma::errc::json_syntax,        sigma::errc::json_type,
    sigma::errc::json_missing_key, sigma::errc::json_unknown_key, sigma::errc::json_out_of_range,
    sigma::errc::json_unknown_enum, sigma::errc::json_discriminator, sigma::errc::json_invalid,
    sigma::errc::config,       sigma::errc::transport,          sigma::errc::timeout,
    sigma::errc::http_status,  sigma::errc::auth,               sigma::errc::rate_limited,
    sigma::errc::not_found,    sigma::errc::paging,             sigma::errc::cancelled,
};

} // namespace test_error

TEST_CASE("error: a std::runtime_error with a code and a message") {
    static_assert(std::is_base_of_v<std::runtime_error, sigma::error>);
    sigma::error e(sigma::errc::json_type, "/a/b: expected string, got number", "/a/b");
    CHECK(e.code() == sigma::errc::json_type);
    CHECK(e.message() == "/a/b: expected string, got number");
    CHECK(std::string(e.what()) == e.message());
    CHECK(e.json_pointer() == "/a/b");
    CHECK(e.http().status == 0);
    CHECK(e.http().method.empty());

    sigma::error plain(sigma::errc::config, "hostPort is empty");
    CHECK(plain.json_pointer().empty());

    try {
        throw sigma::error(sigma::errc::timeout, "timed out");
    } catch (std::runtime_error const& re) {
        CHECK(std::string(re.what()) == "timed out");
    }
}

TEST_CASE("error: HTTP details") {
    sigma::http_details d;
    d.status = 404;
    d.method = "GET";
    d.target = "/v2/workbooks/wb-1";
    d.api_code = "not_found";
    d.request_id = "req-123";
    sigma::error e(sigma::errc::not_found, "GET /v2/workbooks/wb-1: 404 not_found", d);
    CHECK(e.code() == sigma::errc::not_found);
    CHECK(e.http().status == 404);
    CHECK(e.http().method == "GET");
    CHECK(e.http().target == "/v2/workbooks/wb-1");
    CHECK(e.http().api_code == "not_found");
    CHECK(e.http().request_id == "req-123");
    CHECK(e.json_pointer().empty());
    sigma::error copy = e;
    CHECK(copy.http().request_id == "req-123");
    CHECK(copy.message() == e.message());
}

TEST_CASE("error: copies, moves and assignments keep the pointer and the details; the error stays small") {
    sigma::http_details d;
    d.status = 503;
    d.method = "GET";
    d.target = "/v2/files";
    std::optional<sigma::error> original(std::in_place, sigma::errc::http_status, "GET /v2/files: 503", d);
    sigma::error copy = *original;
    sigma::error pointed(sigma::errc::json_type, "/entries/3/name: expected string, got number", "/entries/3/name");
    sigma::error moved = std::move(pointed);
    original.reset(); // the copy's details outlive the original
    CHECK(copy.http().status == 503);
    CHECK(copy.http().target == "/v2/files");
    CHECK(copy.json_pointer().empty());
    CHECK(moved.json_pointer() == "/entries/3/name");
    CHECK(moved.http().status == 0);
    copy = moved;
    CHECK(copy.code() == sigma::errc::json_type);
    CHECK(copy.json_pointer() == "/entries/3/name");
    CHECK(copy.http().target.empty());
    // Every result<T> holds one, in coroutine frames that Asio recycles only
    // up to 1020 bytes: the rare parts are one shared block, not inline.
    CHECK(sizeof(sigma::error) <= sizeof(std::runtime_error) + 3 * sizeof(void*));
}

TEST_CASE("error: every code has its own name") {
    using namespace test_error;
    std::set<std::string_view> names;
    for (auto c : all_codes) {
        auto n = sigma::to_string(c);
        CHECK(n != "unknown");
        CHECK_FALSE(n.empty());
        names.insert(n);
    }
    CHECK(names.size() == std::size(all_codes));
    CHECK(sigma::to_string(sigma::errc::json_missing_key) == "json_missing_key");
    CHECK(sigma::to_string(static_cast<sigma::errc>(999)) == "unknown");
    static_assert(sigma::to_string(sigma::errc::auth) == "auth");
}
