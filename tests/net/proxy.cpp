// SPDX-License-Identifier: MIT
#include <sigma/transport/detail/proxy.hpp>

#include <doctest/doctest.h>

TEST_SUITE("proxy settings") {

TEST_CASE("no_proxy entries match hosts, domains, addresses, networks and ports") {
    auto const list = sigma::detail::parse_no_proxy(" example.com, .corp.internal ,10.0.0.0/8, [::1], 192.168.1.5:8443,*.wild.test");
    auto bypass = [&](char const* host, char const* port = "443") { return sigma::detail::bypasses_proxy(list, host, port); };
    CHECK(bypass("example.com"));
    CHECK(bypass("EXAMPLE.com."));
    CHECK(bypass("api.example.com"));
    CHECK_FALSE(bypass("badexample.com"));
    CHECK(bypass("corp.internal"));
    CHECK(bypass("db.corp.internal"));
    CHECK(bypass("a.wild.test"));
    CHECK(bypass("10.1.2.3"));
    CHECK_FALSE(bypass("11.1.2.3"));
    CHECK(bypass("::1"));
    CHECK(bypass("192.168.1.5", "8443"));
    CHECK_FALSE(bypass("192.168.1.5", "443"));
    CHECK_FALSE(bypass("api.sigmacomputing.com"));
    CHECK(sigma::detail::bypasses_proxy(sigma::detail::parse_no_proxy("*"), "anything", "1"));
    CHECK_FALSE(sigma::detail::bypasses_proxy(sigma::detail::parse_no_proxy(""), "anything", "1"));
}

TEST_CASE("proxy URLs: scheme, default port, credentials kept out of the display form") {
    auto p = sigma::detail::parse_proxy_url("http://alice:s3cret@proxy.corp:3128", "test");
    REQUIRE(p.has_value());
    CHECK(p->host == "proxy.corp");
    CHECK(p->port == "3128");
    CHECK(p->display == "proxy.corp:3128");
    CHECK(p->authorization == "Basic YWxpY2U6czNjcmV0");

    auto bare = sigma::detail::parse_proxy_url("proxy.corp:8080", "test");
    REQUIRE(bare.has_value());
    CHECK(bare->port == "8080");
    CHECK(bare->authorization.empty());

    auto no_port = sigma::detail::parse_proxy_url("http://proxy.corp", "test");
    REQUIRE(no_port.has_value());
    CHECK(no_port->port == "1080");

    auto tls = sigma::detail::parse_proxy_url("https://alice:s3cret@proxy.corp", "https_proxy");
    REQUIRE_FALSE(tls.has_value());
    CHECK(tls.error().code() == sigma::errc::config);
    CHECK(tls.error().message().find("https_proxy") != std::string::npos);
    CHECK(tls.error().message().find("s3cret") == std::string::npos);
}

} // TEST_SUITE
