// SPDX-License-Identifier: MIT
// SIGMA_SEPARATE_COMPILATION from a user's side: this file calls the HTTPS
// transport and the extraction for sigma::client, which source.cpp compiles
// (check_symbols.py checks that this file's object defines none of them), and
// the extraction for another client type, which is compiled here as usual.
#ifndef SIGMA_SEPARATE_COMPILATION
#error "tests/separate is built with -DSIGMA_SEPARATE_COMPILATION"
#endif

#include "../net/support.hpp"

#include <sigma/testing.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace test_separate {

using sigma::testing::fake_sigma;
using sigma::testing::simulated_org;

simulated_org small_org() {
    sigma::testing::generator_options o;
    o.workbooks = 6;
    o.pages_per_workbook = 2;
    o.elements_per_page = 3;
    return simulated_org::generate(o);
}

// The fake API over loopback HTTP, reached by sigma::client (the compiled type).
struct over_http {
    fake_sigma api{small_org()};
    sigma::testing::http_server server;
    boost::asio::io_context ioc;
    sigma::testing::manual_clock clock;
    sigma::client client;

    over_http() : server([a = api](sigma::http_request const& r) { return a(r); }), client(config(), transport(), options()) {}

    sigma::config config() const {
        auto c = api.config();
        c.hostPort = server.base_url();
        return c;
    }
    sigma::beast_transport transport() {
        auto o = test_net_support::trusting(server);
        o.request_timeout = std::chrono::milliseconds(5000);
        return sigma::beast_transport(ioc.get_executor(), o);
    }
    sigma::client_options options() {
        sigma::client_options o;
        o.clock = clock.source();
        return o;
    }
};

// The same organisation in memory: basic_client<memory_transport> is not the
// compiled type, so its extraction is instantiated in this file.
sigma::extract::inventory in_memory() {
    boost::asio::io_context ioc;
    fake_sigma api(small_org());
    sigma::basic_client<sigma::testing::memory_transport> c(api.config(), api.transport(ioc.get_executor()));
    return sigma::extract::collect(c).value();
}

void same_entities(sigma::extract::inventory got, sigma::extract::inventory const& expected) {
    got.status.requests = expected.status.requests;
    got.status.retries = expected.status.retries;
    got.status.rateLimited = expected.status.rateLimited;
    CHECK(got == expected);
}

// A user's own sink, reached through sink_ref by the compiled extraction.
struct recording_sink {
    std::vector<std::string> calls;
    sigma::extract::inventory inv;
    void on_workspace(sigma::extract::workspace_info const& w) {
        calls.push_back("workspace");
        inv.workspaces.push_back(w);
    }
    void on_connection(sigma::api::connection const& c) {
        calls.push_back("connection");
        inv.connections.push_back(c);
    }
    void on_data_model(sigma::extract::data_model_info&& dm) {
        calls.push_back("data model");
        inv.dataModels.push_back(std::move(dm));
    }
    void on_workbook(sigma::extract::workbook_info&& wb) {
        calls.push_back("workbook");
        inv.workbooks.push_back(std::move(wb));
    }
    void on_finish(sigma::extract::report const& r) {
        calls.push_back("finish");
        inv.status = r;
    }
};

} // namespace test_separate

TEST_CASE("separate compilation: collect() over HTTPS gives what the header-only path gives in memory") {
    using namespace test_separate;
    auto const expected = in_memory();
    REQUIRE_FALSE(expected.workbooks.empty());
    over_http h;
    auto inv = sigma::extract::collect(h.client);
    REQUIRE_MESSAGE(inv.has_value(), (inv ? "" : inv.error().message()));
    same_entities(*inv, expected);
    CHECK(h.client.transport().stats().requests_sent == inv->status.requests);
    CHECK(h.server.stats().connections_accepted >= 1);
}

TEST_CASE("separate compilation: a user's sink receives every entity, in the documented order") {
    using namespace test_separate;
    auto const expected = in_memory();
    over_http h;
    recording_sink s;
    auto r = sigma::extract::extract(h.client, sigma::extract::options{}, s);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message()));
    same_entities(s.inv, expected);
    REQUIRE_FALSE(s.calls.empty());
    CHECK(s.calls.back() == "finish");
    CHECK(std::count(s.calls.begin(), s.calls.end(), "finish") == 1);
    // Workspaces and connections first, then data models, then workbooks.
    auto first = [&](char const* what) { return std::find(s.calls.begin(), s.calls.end(), what) - s.calls.begin(); };
    auto last = [&](char const* what) {
        return std::find(s.calls.rbegin(), s.calls.rend(), what).base() - s.calls.begin() - 1;
    };
    if (!expected.dataModels.empty()) CHECK(last("connection") < first("data model"));
    CHECK(last("data model") < first("workbook"));
    CHECK(r->requests == s.inv.status.requests);
}

TEST_CASE("separate compilation: async_extract for sigma::client runs on the caller's io_context") {
    using namespace test_separate;
    auto const expected = in_memory();
    over_http h;
    sigma::extract::collecting_sink s;
    auto done = boost::asio::co_spawn(h.ioc, sigma::extract::async_extract(h.client, sigma::extract::options{}, s),
                                      boost::asio::use_future);
    h.ioc.run();
    auto r = done.get();
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message()));
    same_entities(s.inv, expected);
}

TEST_CASE("separate compilation: the compiled transport reports bad options and failed requests") {
    boost::asio::io_context ioc;
    sigma::beast_transport_options bad;
    bad.max_connections_per_origin = 0;
    auto t = sigma::beast_transport::make(ioc.get_executor(), bad);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code() == sigma::errc::config);
    CHECK(t.error().message().find("max_connections_per_origin") != std::string::npos);

    sigma::beast_transport_options o;
    o.proxy = std::string();
    auto ok = sigma::beast_transport::make(ioc.get_executor(), o);
    REQUIRE(ok.has_value());
    CHECK(ok->max_in_flight() == o.max_connections_per_origin);
    sigma::http_request req;
    req.origin = "http://127.0.0.1:1"; // plain http:// without allow_insecure_http
    req.target = "/v2/whoami";
    auto done = boost::asio::co_spawn(ioc, ok->async_send(req), boost::asio::use_future);
    ioc.run();
    auto r = done.get();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::transport);
    CHECK(r.error().message().find("allow_insecure_http") != std::string::npos);
}
