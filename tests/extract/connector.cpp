// The connector over the fake Sigma API: every OpenMetadata defect listed in
// connector.md is checked absent, from the extracted inventory and the request log.
#include <sigma/extract/extractor.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/manual_clock.hpp>

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace test_connector {

using fake = sigma::testing::fault;
using sigma::testing::fake_sigma;
using sigma::testing::simulated_org;

struct run {
    boost::asio::io_context ioc;
    fake_sigma api;
    sigma::testing::manual_clock clock; // waits pass at once, on this clock
    sigma::basic_client<sigma::testing::memory_transport> client;
    explicit run(simulated_org org, sigma::client_options o = {})
        : api(std::move(org)), client(api.config(), api.transport(ioc.get_executor()), manual(std::move(o))) {}

    sigma::client_options manual(sigma::client_options o) {
        o.clock = clock.source();
        return o;
    }
    sigma::extract::inventory collect(sigma::extract::options const& opts = {}) {
        auto r = sigma::extract::collect(client, opts);
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message()));
        return std::move(*r);
    }
    std::size_t count(std::string_view prefix) const {
        auto l = api.lines();
        return static_cast<std::size_t>(std::count_if(l.begin(), l.end(), [&](std::string const& s) { return s.starts_with(prefix); }));
    }
};

sigma::extract::workbook_info const* find(sigma::extract::inventory const& inv, std::string_view name) {
    for (auto const& w : inv.workbooks)
        if (w.workbook.name == name) return &w;
    return nullptr;
}

std::size_t element_count(sigma::extract::workbook_info const& w) {
    std::size_t n = 0;
    for (auto const& p : w.pages) n += p.elements.size();
    return n;
}

// Endpoints derive from their base: no designated initialisers.
template <class E>
E of_workbook(std::string const& id) {
    E e;
    e.workbookId = id;
    return e;
}
template <class E>
E of_model(std::string const& id) {
    E e;
    e.dataModelId = id;
    return e;
}
template <class E>
E on_page(std::string const& id, std::string const& page) {
    E e;
    e.workbookId = id;
    e.pageId = page;
    return e;
}

} // namespace test_connector

TEST_CASE("connector: every workbook of the demo, with all its elements, and nothing asked twice") {
    using namespace test_connector;
    run r(simulated_org::demo());
    auto inv = r.collect();
    auto const& org = r.api.org();
    CHECK(inv.status.complete);
    CHECK(inv.status.failures.empty());
    std::size_t live = 0;
    for (auto const& w : org.workbooks) {
        if (w.workbook.isArchived.value_or(false)) continue;
        ++live;
        auto const* got = find(inv, w.workbook.name);
        REQUIRE_MESSAGE(got != nullptr, w.workbook.name);
        // Single-page workbooks keep their charts (OpenMetadata skipped the first page).
        CHECK_MESSAGE(element_count(*got) == w.elements.size(), w.workbook.name);
        CHECK(got->pages.size() == w.pages.size());
    }
    CHECK(inv.workbooks.size() == live);

    // No request twice: pages, elements, lineage, tables.
    auto lines = r.api.lines();
    std::map<std::string, int> seen;
    for (auto const& l : lines)
        if (!l.starts_with("POST")) ++seen[l];
    // (not a structured binding: clang 14 cannot capture one in CHECK_MESSAGE's lambda)
    for (auto const& e : seen) CHECK_MESSAGE(e.second == 1, e.first << " was requested " << e.second << " times");
    // One members listing; no per-workbook member look-ups.
    CHECK(r.count("GET /v2.1/members") == 1);
    CHECK(r.count("GET /v2/members/") == 0);
    // `limit` always sent on listings.
    for (auto const& l : lines)
        if (l.find("/pages?") != std::string::npos || l.starts_with("GET /v2/workbooks?")) CHECK(l.find("limit=") != std::string::npos);
}

TEST_CASE("connector: lineage only for data elements, never for layout elements") {
    using namespace test_connector;
    run r(simulated_org::demo());
    auto inv = r.collect();
    std::set<std::string> layout, data;
    for (auto const& w : inv.workbooks)
        for (auto const& p : w.pages)
            for (auto const& e : p.elements) (e.dataElement ? data : layout).insert(e.elementId);
    CHECK_FALSE(layout.empty());
    for (auto const& l : r.api.lines()) {
        auto pos = l.find("/lineage/elements/");
        if (pos == std::string::npos) continue;
        std::string id = l.substr(pos + 18);
        CHECK_MESSAGE(layout.count(id) == 0, "lineage asked of layout element " << id);
        CHECK(data.count(id) == 1);
    }
    CHECK(r.count("GET /v2/workbooks/") > 0);
}

TEST_CASE("connector: elements have their own deep link and no borrowed description") {
    using namespace test_connector;
    run r(simulated_org::demo());
    auto inv = r.collect();
    for (auto const& w : inv.workbooks)
        for (auto const& p : w.pages)
            for (auto const& e : p.elements) {
                CHECK(e.url != w.workbook.url);
                CHECK(e.url.starts_with(w.workbook.url));
                CHECK(e.url.find(":nodeId=" + e.elementId) != std::string::npos);
            }
}

TEST_CASE("connector: lineage through joins and unions reaches tables resolved by connection path") {
    using namespace test_connector;
    run r(simulated_org::demo());
    auto inv = r.collect();
    std::size_t tables = 0;
    for (auto const& w : inv.workbooks)
        for (auto const& p : w.pages)
            for (auto const& e : p.elements)
                for (auto const& s : e.sources) {
                    if (s.kind != sigma::extract::source_kind::table) continue;
                    ++tables;
                    REQUIRE(s.table.has_value());
                    CHECK(s.table->resolvedBy == "connection-path");
                    CHECK(s.table->path.size() == 3);
                    CHECK(s.table->serviceType.has_value());
                    auto const* t = r.api.org().find_table(s.id);
                    REQUIRE(t != nullptr);
                }
    CHECK(tables > 0);
    // Each table's path asked once, however many elements read it.
    std::map<std::string, int> paths;
    for (auto const& l : r.api.lines())
        if (l.find("/connections/paths/") != std::string::npos) ++paths[l];
    for (auto const& [l, n] : paths) CHECK(n == 1);
    // Join and union nodes are walked through, never looked up as files.
    CHECK(r.count("GET /v2/files/") == 0);
}

TEST_CASE("connector: filters on dashboards, charts, data models and projects are all applied") {
    using namespace test_connector;
    run r(simulated_org::demo());
    sigma::extract::options o;
    o.dashboardFilterPattern.excludes = {"^Marketing"};
    o.chartFilterPattern.excludes = {"^Revenue KPI$"};
    o.dataModelFilterPattern.includes = {"^Sales"};
    o.projectFilterPattern.excludes = {"^Finance$"};
    auto inv = r.collect(o);
    CHECK(find(inv, "Marketing Spend") == nullptr);
    CHECK(find(inv, "Quarterly Close") == nullptr); // in the Finance workspace
    auto const* rev = find(inv, "Revenue by Region");
    REQUIRE(rev != nullptr);
    for (auto const& p : rev->pages)
        for (auto const& e : p.elements) CHECK(e.name.value_or("") != "Revenue KPI");
    for (auto const& dm : inv.dataModels) CHECK(dm.dataModel.name.starts_with("Sales"));
    std::set<std::string> why;
    for (auto const& f : inv.status.filteredOut) why.insert(f.pattern.substr(0, f.pattern.find('.')));
    CHECK(why.count("dashboardFilterPattern") == 1);
    CHECK(why.count("chartFilterPattern") == 1);
    CHECK(why.count("dataModelFilterPattern") == 1);
    CHECK(why.count("projectFilterPattern") == 1);
    // Filtered workbooks cost no request beyond the listing.
    for (auto const& l : r.api.lines()) CHECK(l.find("Marketing") == std::string::npos);
}

TEST_CASE("connector: one workbook's pages fail; the others are all there and the failure is reported") {
    using namespace test_connector;
    auto org = simulated_org::demo();
    std::string victim;
    for (auto const& w : org.workbooks)
        if (w.workbook.name == "Quarterly Close") victim = w.workbook.workbookId;
    run r(org);
    r.api.script("/v2/workbooks/" + victim + "/pages", fake::http(500).always());
    auto inv = r.collect();
    CHECK(inv.status.complete);
    CHECK(find(inv, "Quarterly Close") == nullptr);
    CHECK(find(inv, "Revenue by Region") != nullptr);
    CHECK(find(inv, "Marketing Spend") != nullptr);
    REQUIRE(inv.status.failures.size() == 1);
    CHECK(inv.status.failures[0].entity.find("Quarterly Close") != std::string::npos);
    CHECK(inv.status.failures[0].endpoint == "GET /v2/workbooks/" + victim + "/pages");
    CHECK(inv.status.failures[0].error.find("HTTP 500") != std::string::npos);
}

TEST_CASE("connector: a failed organisation-wide listing makes the run incomplete") {
    using namespace test_connector;
    run r(simulated_org::demo());
    r.api.script("/v2/workbooks", fake::http(500).always());
    auto inv = r.collect();
    CHECK_FALSE(inv.status.complete);
    CHECK(inv.status.incompleteReason.find("workbooks") != std::string::npos);
    CHECK(inv.workbooks.empty());
}

TEST_CASE("connector: transient faults are retried and change nothing") {
    using namespace test_connector;
    run clean(simulated_org::demo());
    auto expected = clean.collect();
    run r(simulated_org::demo());
    r.api.script("/v2/workbooks/*/pages", fake::http(503).times(2));
    r.api.script("/v2/workbooks/*/lineage/elements/*", fake::http(429).times(3));
    r.api.script("/v2/connections/paths/*", fake::transport());
    auto inv = r.collect();
    inv.status.requests = expected.status.requests;
    inv.status.retries = expected.status.retries;
    inv.status.rateLimited = expected.status.rateLimited;
    CHECK(inv == expected);
}

TEST_CASE("connector: archived workbooks are left out by default, included and marked on request") {
    using namespace test_connector;
    run r(simulated_org::demo());
    auto def = r.collect();
    CHECK(find(def, "Old Pipeline Review") == nullptr);
    run r2(simulated_org::demo());
    sigma::extract::options o;
    o.includeArchived = true;
    auto inv = r2.collect(o);
    auto const* old = find(inv, "Old Pipeline Review");
    REQUIRE(old != nullptr);
    CHECK(old->archived);
}

TEST_CASE("connector: personal spaces and unreadable workspaces keep their workbooks") {
    using namespace test_connector;
    run r(simulated_org::demo());
    auto inv = r.collect();
    auto const* scratch = find(inv, "Grace's Scratchpad");
    REQUIRE(scratch != nullptr);
    CHECK(scratch->personal);
    REQUIRE(scratch->workspaceName.has_value());
    CHECK(scratch->workspaceName->starts_with("My Documents"));
    auto const* exec = find(inv, "Executive Dashboard");
    REQUIRE(exec != nullptr);
    CHECK(exec->workspaceName == "Executive");
    bool unreadable = false;
    for (auto const& w : inv.workspaces)
        if (w.name == "Executive") unreadable = !w.accessible;
    CHECK(unreadable);
}

TEST_CASE("connector: owners by email, tags from badges and version tags, SQL kept") {
    using namespace test_connector;
    run r(simulated_org::demo());
    auto inv = r.collect();
    std::size_t with_owner = 0, with_tags = 0, with_sql = 0;
    for (auto const& w : inv.workbooks) {
        if (w.ownerEmail) {
            ++with_owner;
            CHECK(w.ownerEmail->find('@') != std::string::npos);
        }
        if (!w.tags.empty()) ++with_tags;
        for (auto const& p : w.pages)
            for (auto const& e : p.elements) with_sql += e.sql.has_value();
    }
    CHECK(with_owner == inv.workbooks.size());
    CHECK(with_tags > 0);
    CHECK(with_sql > 0);
    bool custom_sql = false;
    for (auto const& dm : inv.dataModels)
        for (auto const& e : dm.elements) custom_sql = custom_sql || (e.sql && e.sql->find("SELECT") != std::string::npos);
    CHECK(custom_sql);
    sigma::extract::options o;
    o.includeOwners = false;
    o.includeTags = false;
    run r2(simulated_org::demo());
    auto bare = r2.collect(o);
    CHECK(r2.count("GET /v2.1/members") == 0);
    for (auto const& w : bare.workbooks) {
        CHECK_FALSE(w.ownerEmail.has_value());
        CHECK(w.tags.empty());
    }
}

TEST_CASE("connector: a generated organisation with unknown element types and conflicts completes") {
    using namespace test_connector;
    sigma::testing::generator_options g;
    g.seed = 7;
    g.workbooks = 30;
    g.unknown_type_percent = 20;
    g.lineage_conflict_percent = 20;
    run r(simulated_org::generate(g));
    auto inv = r.collect();
    CHECK(inv.status.complete);
    CHECK(inv.status.failures.empty());
    std::size_t live = 0;
    for (auto const& w : r.api.org().workbooks) live += !w.workbook.isArchived.value_or(false);
    CHECK(inv.workbooks.size() == live);
}

TEST_CASE("connector: its own views of files, columns, elements and queries read the same, even under strict decoding") {
    // The extraction reads these listings into views of only the keys it uses
    // (extract/detail/listings.hpp): the same requests, the same values, and
    // the keys left out are not failures when the client rejects unknown keys.
    using namespace test_connector;
    namespace x = sigma::extract::detail;
    sigma::testing::generator_options g;
    g.seed = 11;
    g.workbooks = 6;
    g.data_models = 2;
    auto org = simulated_org::generate(g);
    run lenient(org);
    sigma::client_options strict_options;
    strict_options.decoding.unknown_keys = sigma::json::reject;
    run strict(org, strict_options);
    auto must = [](auto r) {
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message()));
        return std::move(*r);
    };
    std::size_t columns = 0, elements = 0, queries = 0;
    for (auto const& w : org.workbooks) {
        std::string const& id = w.workbook.workbookId;
        auto full_columns = must(lenient.client.list_all(of_workbook<sigma::api::list_workbook_columns>(id)));
        auto my_columns = must(strict.client.list_all(of_workbook<x::list_workbook_columns>(id)));
        REQUIRE(my_columns.size() == full_columns.size());
        for (std::size_t i = 0; i < my_columns.size(); ++i) {
            CHECK(my_columns[i].columnId == full_columns[i].columnId);
            CHECK(my_columns[i].name == full_columns[i].name);
            CHECK(my_columns[i].label == full_columns[i].label);
            CHECK(my_columns[i].formula == full_columns[i].formula);
            CHECK(my_columns[i].elementId == full_columns[i].elementId);
        }
        columns += my_columns.size();

        auto full_queries = must(lenient.client.list_all(of_workbook<sigma::api::list_workbook_queries>(id)));
        auto my_queries = must(strict.client.list_all(of_workbook<x::list_workbook_queries>(id)));
        REQUIRE(my_queries.size() == full_queries.size());
        for (std::size_t i = 0; i < my_queries.size(); ++i) {
            CHECK(my_queries[i].elementId == full_queries[i].elementId);
            CHECK(my_queries[i].sql == full_queries[i].sql);
        }
        queries += my_queries.size();

        for (auto const& p : w.pages) {
            auto full = must(lenient.client.list_all(on_page<sigma::api::list_page_elements>(id, p.pageId)));
            auto mine = must(strict.client.list_all(on_page<x::list_page_elements>(id, p.pageId)));
            REQUIRE(mine.size() == full.size());
            for (std::size_t i = 0; i < mine.size(); ++i) {
                CHECK(mine[i].elementId == full[i].elementId);
                CHECK(mine[i].name == full[i].name);
                CHECK(mine[i].type == full[i].type);
                CHECK(mine[i].vizualizationType == full[i].vizualizationType);
            }
            elements += mine.size();
        }
    }
    for (auto const& d : org.data_models) {
        std::string const& id = d.data_model.dataModelId;
        auto full_columns = must(lenient.client.list_all(of_model<sigma::api::list_data_model_columns>(id)));
        auto my_columns = must(strict.client.list_all(of_model<x::list_data_model_columns>(id)));
        CHECK(my_columns.size() == full_columns.size());
        auto full = must(lenient.client.list_all(of_model<sigma::api::list_data_model_elements>(id)));
        auto mine = must(strict.client.list_all(of_model<x::list_data_model_elements>(id)));
        REQUIRE(mine.size() == full.size());
        for (std::size_t i = 0; i < mine.size(); ++i) CHECK(mine[i].elementId == full[i].elementId);
    }
    auto full_files = must(lenient.client.list_all(sigma::api::list_files{}));
    auto my_files = must(strict.client.list_all(x::list_files{}));
    REQUIRE(my_files.size() == full_files.size());
    for (std::size_t i = 0; i < my_files.size(); ++i) {
        CHECK(my_files[i].id == full_files[i].id);
        CHECK(my_files[i].name == full_files[i].name);
        CHECK(my_files[i].type == full_files[i].type);
        CHECK(my_files[i].parentId == full_files[i].parentId);
        CHECK(my_files[i].badge == full_files[i].badge);
    }
    CHECK_FALSE(my_files.empty());
    // Without partial_entries strict decoding would fail on the keys left out
    // (tests/api/models.cpp shows that on its own).
    static_assert(sigma::api::partial_entries<x::list_workbook_columns>);
    static_assert(sigma::api::partial_entries<x::list_page_elements>);
    CHECK(columns > 0);
    CHECK(elements > 0);
    CHECK(queries > 0);
}
