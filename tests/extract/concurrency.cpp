// The concurrent crawl gives exactly the sequential crawl's output, in the
// same order, with the same requests; only the overlap differs.
#include <sigma/extract/extractor.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/manual_clock.hpp>

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace test_concurrent_crawl {

using sigma::testing::fake_sigma;
using sigma::testing::simulated_org;

struct crawl {
    boost::asio::io_context ioc;
    fake_sigma api;
    sigma::testing::manual_clock clock;
    sigma::basic_client<sigma::testing::memory_transport> client;
    crawl(simulated_org org, std::size_t concurrency)
        : api(std::move(org)), client(api.config(), api.transport(ioc.get_executor()), options(concurrency)) {}
    sigma::client_options options(std::size_t concurrency) {
        sigma::client_options o;
        o.clock = clock.source();
        o.max_concurrency = concurrency;
        return o;
    }
};

// Records the order of the sink's calls.
struct order_sink {
    std::vector<std::string> calls;
    void on_workspace(sigma::extract::workspace_info const& w) { calls.push_back("workspace " + w.workspaceId); }
    void on_connection(sigma::api::connection const& c) { calls.push_back("connection " + c.connectionId); }
    void on_data_model(sigma::extract::data_model_info&& d) { calls.push_back("model " + d.dataModel.dataModelId); }
    void on_workbook(sigma::extract::workbook_info&& w) { calls.push_back("workbook " + w.workbook.workbookId); }
    void on_finish(sigma::extract::report const&) { calls.push_back("finish"); }
};

simulated_org organisation() {
    sigma::testing::generator_options g;
    g.seed = 7;
    g.workbooks = 40;
    g.data_models = 5;
    return simulated_org::generate(g);
}

} // namespace test_concurrent_crawl

TEST_CASE("concurrent crawl: same inventory, same order, same requests as one at a time") {
    using namespace test_concurrent_crawl;
    crawl one(organisation(), 1);
    auto a = sigma::extract::collect(one.client, {});
    REQUIRE(a.has_value());
    CHECK(one.client.stats().peak_in_flight == 1);
    for (std::size_t width : {2u, 8u, 16u}) {
        CAPTURE(width);
        crawl many(organisation(), width);
        auto b = sigma::extract::collect(many.client, {});
        REQUIRE(b.has_value());
        CHECK(*b == *a); // entities, their order, and the report (request counts included)
        CHECK(many.client.stats().peak_in_flight == width);
        CHECK(many.api.lines().size() == one.api.lines().size());
    }
}

TEST_CASE("concurrent crawl: the sink hears listing order whatever order entities complete in") {
    using namespace test_concurrent_crawl;
    order_sink seq, par;
    crawl one(organisation(), 1);
    REQUIRE(sigma::extract::extract(one.client, {}, seq).has_value());
    crawl many(organisation(), 16);
    // Slow down the first workbook's lineage so that later workbooks finish first.
    many.api.script("/v2/workbooks/*/lineage/elements/*", sigma::testing::fault::http(503).times(3));
    REQUIRE(sigma::extract::extract(many.client, {}, par).has_value());
    CHECK(par.calls == seq.calls);
}

TEST_CASE("concurrent crawl: 429s in the middle pause the crawl and lose nothing") {
    using namespace test_concurrent_crawl;
    crawl clean(organisation(), 16);
    auto expected = sigma::extract::collect(clean.client, {});
    REQUIRE(expected.has_value());
    crawl limited(organisation(), 16);
    limited.api.script("/v2/workbooks/*/columns", sigma::testing::fault::http(429, "1").times(4));
    limited.api.script("/v2/workbooks/*/lineage/elements/*", sigma::testing::fault::http(429).times(3));
    auto got = sigma::extract::collect(limited.client, {});
    REQUIRE(got.has_value());
    auto const& st = limited.client.stats();
    CHECK(st.rate_limited == 7);
    CHECK(st.pauses >= 1);
    CHECK(st.concurrency_min < 16);
    CHECK(got->status.rateLimited == 7);
    got->status.requests = expected->status.requests;
    got->status.retries = expected->status.retries;
    got->status.rateLimited = expected->status.rateLimited;
    CHECK(*got == *expected);
}
