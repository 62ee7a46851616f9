// SPDX-License-Identifier: MIT
#include <sigma/testing/http_server.hpp>
#include <sigma/transport/beast.hpp>

#include <doctest/doctest.h>

#include "support.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace test_http_server {

namespace asio = boost::asio;

inline sigma::http_response ok(sigma::http_request const&) {
    return sigma::http_response{200, {{"Content-Type", "application/json"}}, R"({"ok":true})"};
}

// Sends each target in turn on one transport; returns the statuses (0: error).
inline std::vector<unsigned> statuses(sigma::testing::http_server const& server, std::vector<std::string> const& targets,
                                      std::vector<std::string>* retry_after = nullptr) {
    boost::asio::io_context ioc;
    sigma::beast_transport t(ioc.get_executor(), test_net_support::trusting(server));
    return test_net_support::run(ioc, [&]() -> boost::asio::awaitable<std::vector<unsigned>> {
        std::vector<unsigned> out;
        for (auto const& target : targets) {
            auto r = co_await t.async_send(test_net_support::get(server.base_url(), target));
            out.push_back(r ? r->status : 0u);
            if (retry_after && r) retry_after->push_back(std::string(r->header("Retry-After")));
        }
        co_return out;
    }());
}

inline std::vector<std::string> repeat(std::string const& target, std::size_t n) { return std::vector<std::string>(n, target); }

} // namespace test_http_server

TEST_SUITE("testing::http_server") {

TEST_CASE("glob patterns") {
    using sigma::testing::detail::glob_match;
    CHECK(glob_match("*", "/anything"));
    CHECK(glob_match("/v2/workbooks*", "/v2/workbooks/abc/pages"));
    CHECK(glob_match("/v2/*/pages", "/v2/workbooks/pages"));
    CHECK(glob_match("/v?/x", "/v2/x"));
    CHECK_FALSE(glob_match("/v2/workbooks", "/v2/workbooks/abc"));
    CHECK_FALSE(glob_match("/v2/*/pages", "/v2/workbooks/elements"));
}

TEST_CASE("the certificate authority makes PEM for the CA, the certificate and the key") {
    sigma::testing::detail::cert_authority ca({"sigma.test", "10.1.2.3"});
    CHECK(ca.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    CHECK(ca.certificate_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    CHECK(ca.private_key_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
    CHECK(ca.ca_pem() != ca.certificate_pem());
    sigma::testing::detail::cert_authority other;
    CHECK(other.ca_pem() != ca.ca_pem()); // a fresh key every time
}

TEST_CASE("the handler sees the request; the server counts requests and connections") {
    sigma::http_request seen;
    sigma::testing::http_server server([&seen](sigma::http_request const& req) {
        seen = req;
        return sigma::http_response{201, {{"X-Request-Id", "r-1"}}, R"({"created":true})"};
    });
    auto req = test_net_support::get(server.base_url(), "/v2/things?x=1");
    req.method = sigma::http_method::put;
    req.body = R"({"name":"n"})";
    auto r = test_net_support::send_one(test_net_support::trusting(server), req);
    REQUIRE(r.has_value());
    CHECK(r->status == 201);
    CHECK(r->header("X-Request-Id") == "r-1");
    CHECK(r->header("Content-Type") == "application/json"); // the server's default
    CHECK(seen.method == sigma::http_method::put);
    CHECK(seen.target == "/v2/things?x=1");
    CHECK(seen.origin == server.base_url());
    CHECK(seen.body == R"({"name":"n"})");
    CHECK(server.stats().requests == 1);
    CHECK(server.stats().connections_accepted == 1);
}

TEST_CASE("a handler that throws answers 500") {
    sigma::testing::http_server server([](sigma::http_request const&) -> sigma::http_response { throw std::runtime_error("boom"); });
    CHECK(test_http_server::statuses(server, {"/"}) == std::vector<unsigned>{500});
}

TEST_CASE("latency with seeded jitter delays answers without changing them") {
    sigma::testing::http_server_options so;
    so.latency = std::chrono::milliseconds(1);
    so.jitter = std::chrono::milliseconds(3);
    sigma::testing::http_server server(test_http_server::ok, so);
    CHECK(test_http_server::statuses(server, test_http_server::repeat("/", 5)) == std::vector<unsigned>(5, 200));
}

TEST_CASE("the rate limit is a token bucket answering 429, with or without Retry-After") {
    auto now = std::chrono::steady_clock::time_point{};
    sigma::testing::http_server_options so;
    so.rate_limit.requests_per_second = 0.5; // one token every 2 s
    so.rate_limit.burst = 3;
    so.clock = [&now] { return now; };

    SUBCASE("burst, then 429 with Retry-After, then refilled by the clock") {
        sigma::testing::http_server server(test_http_server::ok, so);
        std::vector<std::string> retry_after;
        CHECK(test_http_server::statuses(server, test_http_server::repeat("/", 5), &retry_after) ==
              std::vector<unsigned>{200, 200, 200, 429, 429});
        CHECK(retry_after[3] == "2");
        CHECK(server.stats().rate_limited == 2);
        now += std::chrono::seconds(4); // two tokens
        CHECK(test_http_server::statuses(server, test_http_server::repeat("/", 3)) == std::vector<unsigned>{200, 200, 429});
        CHECK(server.stats().rate_limited == 3);
        CHECK(server.stats().requests == 8);
    }
    SUBCASE("the share without Retry-After") {
        so.rate_limit.share_without_retry_after = 1.0;
        sigma::testing::http_server server(test_http_server::ok, so);
        std::vector<std::string> retry_after;
        (void)test_http_server::statuses(server, test_http_server::repeat("/", 5), &retry_after);
        CHECK(retry_after[3].empty());
        CHECK(retry_after[4].empty());
    }
}

TEST_CASE("fault rules fire by path and count, or by seeded probability") {
    SUBCASE("the nth request matching a glob") {
        sigma::testing::http_server_options so;
        so.faults.push_back({.kind = sigma::testing::fault_kind::html_error_page, .path = "/v2/workbooks*", .nth = 2});
        sigma::testing::http_server server(test_http_server::ok, so);
        CHECK(test_http_server::statuses(server, {"/v2/members", "/v2/workbooks", "/v2/members", "/v2/workbooks/w1",
                                                  "/v2/workbooks"}) == std::vector<unsigned>{200, 200, 200, 502, 200});
        CHECK(server.stats().faults_injected == 1);
    }
    SUBCASE("a regex") {
        sigma::testing::http_server_options so;
        so.faults.push_back({.kind = sigma::testing::fault_kind::html_error_page, .path = "/v2/(files|members)",
                             .path_is_regex = true});
        sigma::testing::http_server server(test_http_server::ok, so);
        CHECK(test_http_server::statuses(server, {"/v2/files", "/v2/workbooks", "/v2/members?x=1"}) ==
              std::vector<unsigned>{502, 200, 502});
    }
    SUBCASE("a probability, reproducible from the seed") {
        auto run_with_seed = [](std::uint64_t seed) {
            sigma::testing::http_server_options so;
            so.seed = seed;
            so.faults.push_back({.kind = sigma::testing::fault_kind::html_error_page, .probability = 0.5});
            sigma::testing::http_server server(test_http_server::ok, so);
            return test_http_server::statuses(server, test_http_server::repeat("/", 40));
        };
        auto const a = run_with_seed(7);
        CHECK(a == run_with_seed(7));
        auto const failures = std::count(a.begin(), a.end(), 502u);
        CHECK(failures > 5);
        CHECK(failures < 35);
    }
}

TEST_CASE("a server on a given port, stopped twice") {
    std::uint16_t port = 0;
    {
        sigma::testing::http_server first(test_http_server::ok);
        port = first.port();
    }
    sigma::testing::http_server_options so;
    so.port = port;
    sigma::testing::http_server server(test_http_server::ok, so);
    CHECK(server.port() == port);
    CHECK(server.base_url() == "https://127.0.0.1:" + std::to_string(port));
    CHECK(test_http_server::statuses(server, {"/"}) == std::vector<unsigned>{200});
    server.stop();
    server.stop();
}

} // TEST_SUITE
