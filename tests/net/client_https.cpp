// The client and the connector over the real wire: the fake Sigma API served
// by the loopback HTTPS server, reached through sigma::beast_transport.
#include "support.hpp"

#include <sigma/client.hpp>
#include <sigma/extract/extractor.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/manual_clock.hpp>

#include <doctest/doctest.h>

namespace test_client_https {

using sigma::testing::fake_sigma;
using sigma::testing::simulated_org;

struct over_https {
    fake_sigma api{simulated_org::demo()};
    sigma::testing::http_server server;
    boost::asio::io_context ioc;
    sigma::testing::manual_clock clock;
    sigma::basic_client<sigma::beast_transport> client;

    explicit over_https(sigma::testing::http_server_options o = {})
        : server([a = api](sigma::http_request const& r) { return a(r); }, o), client(config(), transport(), options()) {}

    sigma::config config() const {
        auto c = api.config();
        c.hostPort = server.base_url();
        return c;
    }
    sigma::beast_transport transport() {
        auto t = test_net_support::trusting(server);
        t.request_timeout = std::chrono::milliseconds(2000);
        return sigma::beast_transport(ioc.get_executor(), t);
    }
    // The client's waits pass at once on a manual clock (the wire's own timeouts stay real).
    sigma::client_options options() {
        sigma::client_options o;
        o.clock = clock.source();
        return o;
    }
};

sigma::extract::inventory in_memory() {
    boost::asio::io_context ioc;
    fake_sigma api(simulated_org::demo());
    sigma::basic_client<sigma::testing::memory_transport> c(api.config(), api.transport(ioc.get_executor()));
    return sigma::extract::collect(c).value();
}

void same_entities(sigma::extract::inventory got, sigma::extract::inventory const& expected) {
    got.status.requests = expected.status.requests;
    got.status.retries = expected.status.retries;
    got.status.rateLimited = expected.status.rateLimited;
    CHECK(got == expected);
}

} // namespace test_client_https

TEST_CASE("client over HTTPS: the same answers as in memory, on one kept-alive connection") {
    using namespace test_client_https;
    over_https h;
    auto me = h.client.get(sigma::api::get_whoami{});
    REQUIRE_MESSAGE(me.has_value(), (me ? "" : me.error().message()));
    CHECK(me->userId == h.api.org().userId);
    auto wbs = h.client.list_all(sigma::api::list_workbooks{});
    REQUIRE(wbs.has_value());
    CHECK_FALSE(wbs->empty());
    // One call at a time: one kept-alive connection.
    CHECK(h.server.stats().connections_accepted == 1);
    CHECK(h.client.transport().stats().connections_reused + 1 == h.client.transport().stats().requests_sent);
    auto inv = sigma::extract::collect(h.client);
    REQUIRE_MESSAGE(inv.has_value(), (inv ? "" : inv.error().message()));
    same_entities(*inv, in_memory());
    // The crawl runs max_concurrency requests at once: at most that many
    // connections, each kept alive and reused.
    auto const t = h.client.transport().stats();
    CHECK(h.server.stats().connections_accepted <= h.client.options().max_concurrency);
    CHECK(t.connections_opened == h.server.stats().connections_accepted);
    CHECK(t.connections_reused + t.connections_opened == t.requests_sent);
}

TEST_CASE("client over HTTPS: transient wire faults are retried and lose nothing") {
    using namespace test_client_https;
    sigma::testing::http_server_options o;
    using fk = sigma::testing::fault_kind;
    o.faults = {
        {fk::close_before_answer, "/v2/workbooks/*/pages", false, 1, 1.0},
        {fk::close_mid_body, "/v2/workbooks/*/columns", false, 2, 1.0},
        {fk::html_error_page, "/v2/dataModels", false, 1, 1.0},
        {fk::truncated_body, "/v2/connections/paths/*", false, 1, 1.0},
        {fk::stall, "/v2/workbooks/*/queries", false, 1, 1.0},
    };
    over_https h(o);
    auto inv = sigma::extract::collect(h.client);
    REQUIRE(inv.has_value());
    CHECK(inv->status.complete);
    CHECK(inv->status.failures.empty());
    same_entities(*inv, in_memory());
    CHECK(h.server.stats().faults_injected == 5);
    // A connection closed before any answer may be retried by the transport
    // itself (a stale kept-alive connection); every other fault by the client.
    CHECK(h.client.stats().retries + h.client.transport().stats().stale_retries >= 5);
}

TEST_CASE("client over HTTPS: a token refused mid-run is renewed once") {
    using namespace test_client_https;
    over_https h;
    REQUIRE(h.client.list_all(sigma::api::list_workbooks{}).has_value());
    h.api.expire_tokens();
    auto r = h.client.list_all(sigma::api::list_data_models{});
    REQUIRE(r.has_value());
    CHECK(h.api.tokens_minted() == 2);
}
