// SPDX-License-Identifier: MIT
#include <sigma/testing/connect_proxy.hpp>
#include <sigma/testing/http_server.hpp>
#include <sigma/transport/beast.hpp>

#include <doctest/doctest.h>

#include "support.hpp"

#include <boost/asio/io_context.hpp>

#include <string>

namespace test_connect_proxy {

namespace asio = boost::asio;

inline sigma::http_response hello(sigma::http_request const& req) {
    return sigma::http_response{200, {{"Content-Type", "application/json"}}, R"({"host":")" + std::string(req.header("Host")) + R"("})"};
}

inline bool contains(std::string const& text, std::string const& part) { return text.find(part) != std::string::npos; }

// Five requests on one transport; how many answered 200.
inline int five(sigma::beast_transport_options options, std::string const& origin) {
    boost::asio::io_context ioc;
    sigma::beast_transport t(ioc.get_executor(), std::move(options));
    return test_net_support::run(ioc, [&]() -> boost::asio::awaitable<int> {
        int ok = 0;
        for (int i = 0; i < 5; ++i) {
            auto r = co_await t.async_send(test_net_support::get(origin, "/v2/whoami"));
            if (r && r->status == 200) ++ok;
        }
        co_return ok;
    }());
}

} // namespace test_connect_proxy

TEST_SUITE("connect_proxy") {

TEST_CASE("a proxy given in the options carries the requests through one kept-alive tunnel") {
    sigma::testing::http_server server(test_connect_proxy::hello);
    sigma::testing::connect_proxy proxy;
    auto options = test_net_support::trusting(server);
    options.proxy = proxy.url();
    CHECK(test_connect_proxy::five(options, server.base_url()) == 5);
    CHECK(proxy.stats().tunnels == 1);
    REQUIRE(proxy.targets().size() == 1);
    CHECK(proxy.targets()[0] == "127.0.0.1:" + std::to_string(server.port()));
    CHECK(server.stats().connections_accepted == 1);
    CHECK(server.stats().requests == 5);
}

TEST_CASE("https_proxy from the environment is honoured by default, and no_proxy bypasses it") {
    sigma::testing::http_server server(test_connect_proxy::hello);
    sigma::testing::connect_proxy proxy;
    test_net_support::scoped_env upper("HTTPS_PROXY", std::nullopt);
    test_net_support::scoped_env lower("https_proxy", proxy.url());
    test_net_support::scoped_env no_lower("no_proxy", std::nullopt);
    test_net_support::scoped_env no_upper("NO_PROXY", std::nullopt);
    sigma::beast_transport_options options;
    options.ca_pem = server.ca_pem(); // proxy and no_proxy left unset: from the environment

    SUBCASE("through the proxy") {
        CHECK(test_connect_proxy::five(options, server.base_url()) == 5);
        CHECK(proxy.stats().tunnels == 1);
    }
    SUBCASE("HTTPS_PROXY works too") {
        test_net_support::scoped_env unset("https_proxy", std::nullopt);
        test_net_support::scoped_env upper_set("HTTPS_PROXY", proxy.url());
        CHECK(test_connect_proxy::five(options, server.base_url()) == 5);
        CHECK(proxy.stats().tunnels == 1);
    }
    SUBCASE("no_proxy from the environment") {
        test_net_support::scoped_env bypass("no_proxy", "localhost,127.0.0.0/8");
        CHECK(test_connect_proxy::five(options, server.base_url()) == 5);
        CHECK(proxy.stats().tunnels == 0);
        CHECK(server.stats().connections_accepted == 1);
    }
    SUBCASE("NO_PROXY with a port") {
        test_net_support::scoped_env bypass("NO_PROXY", "127.0.0.1:" + std::to_string(server.port()));
        CHECK(test_connect_proxy::five(options, server.base_url()) == 5);
        CHECK(proxy.stats().tunnels == 0);
    }
    SUBCASE("no_proxy in the options") {
        options.no_proxy = "*";
        CHECK(test_connect_proxy::five(options, server.base_url()) == 5);
        CHECK(proxy.stats().tunnels == 0);
    }
    SUBCASE("an empty proxy option turns the environment's proxy off") {
        options.proxy = std::string();
        CHECK(test_connect_proxy::five(options, server.base_url()) == 5);
        CHECK(proxy.stats().tunnels == 0);
    }
    SUBCASE("an unusable https_proxy fails the proxied requests with a config error") {
        test_net_support::scoped_env bad("https_proxy", "socks5://user:secret@127.0.0.1:1");
        boost::asio::io_context ioc;
        sigma::beast_transport t(ioc.get_executor(), options);
        auto r = test_net_support::run(ioc, t.async_send(test_net_support::get(server.base_url(), "/")));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == sigma::errc::config);
        CHECK(test_connect_proxy::contains(r.error().message(), "https_proxy"));
        CHECK_FALSE(test_connect_proxy::contains(r.error().message(), "secret"));
    }
}

TEST_CASE("through a tunnel the certificate is checked against the origin's name, which the client never resolves") {
    sigma::testing::http_server_options so;
    so.certificate_hosts = {"api.sigma.test"};
    sigma::testing::http_server server(test_connect_proxy::hello, so);
    sigma::testing::connect_proxy_options po;
    po.remap["api.sigma.test:443"] = "127.0.0.1:" + std::to_string(server.port());
    po.remap["wrong.sigma.test:443"] = "127.0.0.1:" + std::to_string(server.port());
    sigma::testing::connect_proxy proxy(po);
    auto options = test_net_support::trusting(server);
    options.proxy = proxy.url();

    auto ok = test_net_support::send_one(options, test_net_support::get("https://api.sigma.test", "/v2/whoami"));
    REQUIRE(ok.has_value());
    CHECK(ok->body == R"({"host":"api.sigma.test"})");

    auto wrong = test_net_support::send_one(options, test_net_support::get("https://wrong.sigma.test", "/v2/whoami"));
    REQUIRE_FALSE(wrong.has_value());
    CHECK(test_connect_proxy::contains(wrong.error().message(), "hostname mismatch"));
    CHECK(proxy.stats().tunnels == 2);
}

TEST_CASE("proxy credentials go in Proxy-Authorization and never into messages") {
    sigma::testing::http_server server(test_connect_proxy::hello);
    sigma::testing::connect_proxy_options po;
    po.required_authorization = "Basic dXNlcjpwYXNz"; // user:pass
    sigma::testing::connect_proxy proxy(po);
    auto options = test_net_support::trusting(server);
    auto const port = std::to_string(proxy.port());

    options.proxy = "http://user:pass@127.0.0.1:" + port;
    CHECK(test_connect_proxy::five(options, server.base_url()) == 5);
    CHECK(proxy.stats().tunnels == 1);

    options.proxy = "http://user:guess@127.0.0.1:" + port;
    auto refused = test_net_support::send_one(options, test_net_support::get(server.base_url(), "/"));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code() == sigma::errc::transport);
    CHECK(test_connect_proxy::contains(refused.error().message(), "407"));
    CHECK(test_connect_proxy::contains(refused.error().message(), "proxy 127.0.0.1:" + port));
    CHECK_FALSE(test_connect_proxy::contains(refused.error().message(), "guess"));
    CHECK(proxy.stats().refused == 1);
}

TEST_CASE("a proxy that cannot reach the origin answers 502, which is a transport error") {
    sigma::testing::connect_proxy proxy;
    sigma::beast_transport_options options;
    options.proxy = proxy.url();
    options.no_proxy = std::string();
    auto r = test_net_support::send_one(options, test_net_support::get("https://127.0.0.1:1", "/"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::transport);
    CHECK(test_connect_proxy::contains(r.error().message(), "502"));
}

} // TEST_SUITE
