// Incremental runs (state), deletions and scoped runs, against the fake API:
// an incremental run gives exactly a full run's entities and records, asks
// only for what changed, deletes only after a complete listing, and the
// state file refuses to be misread.
#include <sigma/extract/extractor.hpp>
#include <sigma/extract/state.hpp>
#include <sigma/openmetadata/mapping.hpp>
#include <sigma/openmetadata/record_sink.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/manual_clock.hpp>

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace test_incremental {

using namespace sigma::extract;
using sigma::testing::fake_sigma;
using sigma::testing::simulated_org;
namespace om = sigma::openmetadata;

struct world {
    boost::asio::io_context ioc;
    fake_sigma api;
    sigma::testing::manual_clock clock;
    sigma::basic_client<sigma::testing::memory_transport> client;
    explicit world(simulated_org org, std::size_t concurrency = 4)
        : api(std::move(org)), client(api.config(), api.transport(ioc.get_executor()), options(concurrency)) {}
    sigma::client_options options(std::size_t concurrency) {
        sigma::client_options o;
        o.clock = clock.source();
        o.max_concurrency = concurrency;
        return o;
    }
};

struct outcome {
    inventory inv;
    std::vector<om::record> records;
    incremental inc;
    std::vector<sigma::testing::recorded_request> requests;
};

om::mapping mapping() {
    om::mapping_options mo;
    mo.serviceName = "sigma_test";
    return om::mapping::create(mo).value();
}

outcome run(world& w, options const& o, std::optional<state> previous) {
    outcome out;
    out.inc.previous = std::move(previous);
    collecting_sink sink;
    w.api.clear_requests();
    auto r = extract(w.client, o, sink, out.inc);
    REQUIRE(r.has_value());
    out.inv = std::move(sink.inv);
    out.records = om::to_records(out.inv, mapping());
    for (auto& r : w.api.requests())
        if (r.target.find("/auth/") == std::string::npos) out.requests.push_back(r); // the token is cached across runs
    return out;
}

simulated_org base_org() {
    sigma::testing::generator_options g;
    g.seed = 11;
    g.workbooks = 30;
    g.data_models = 5;
    return simulated_org::generate(g);
}

void remove_workbook(simulated_org& o, std::string const& id) {
    std::erase_if(o.workbooks, [&](auto const& w) { return w.workbook.workbookId == id; });
    std::erase_if(o.files, [&](auto const& f) { return f.id == id; });
}

void remove_data_model(simulated_org& o, std::string const& id) {
    std::erase_if(o.data_models, [&](auto const& m) { return m.data_model.dataModelId == id; });
    std::erase_if(o.files, [&](auto const& f) { return f.id == id; });
}

// A new version of a workbook: renamed, one element renamed, its last element
// gone (its id returned).
std::string change_workbook(simulated_org& o, std::size_t i) {
    auto& w = o.workbooks[i].workbook;
    w.latestVersion += 1;
    w.updatedAt = "2026-11-28T12:00:00.000Z";
    w.name += " (v" + std::to_string(w.latestVersion) + ")";
    auto& els = o.workbooks[i].elements;
    REQUIRE(els.size() >= 2);
    els.front().element.name = "Renamed " + els.front().element.name.value_or("element");
    std::string gone = els.back().element.elementId;
    els.pop_back();
    return gone;
}

std::vector<om::record> without_deletes(std::vector<om::record> rs) {
    std::erase_if(rs, [](om::record const& r) { return r.method == "DELETE"; });
    return rs;
}

// The entities (not the report: its request counts differ by design).
void check_same_entities(inventory const& a, inventory const& b) {
    CHECK(a.workspaces == b.workspaces);
    CHECK(a.connections == b.connections);
    CHECK(a.dataModels == b.dataModels);
    REQUIRE(a.workbooks.size() == b.workbooks.size());
    for (std::size_t i = 0; i < a.workbooks.size(); ++i) {
        CAPTURE(a.workbooks[i].workbook.workbookId);
        CHECK(a.workbooks[i] == b.workbooks[i]);

    }
}

bool asked_under(std::vector<sigma::testing::recorded_request> const& rs, std::string const& fragment) {
    return std::any_of(rs.begin(), rs.end(), [&](auto const& r) { return r.target.find(fragment) != std::string::npos; });
}

std::filesystem::path temp_path(std::string const& name) {
    auto dir = std::filesystem::temp_directory_path() / ("sigma-state-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir / name;
}

} // namespace test_incremental

TEST_CASE("incremental: after changes, additions and removals, the same entities and records as a full run") {
    using namespace test_incremental;
    simulated_org const base = base_org();
    REQUIRE(base.workbooks.size() >= 10);
    REQUIRE(base.data_models.size() >= 3);
    std::string const added_wb = base.workbooks[3].workbook.workbookId;   // new in the second run
    std::string const removed_wb = base.workbooks[5].workbook.workbookId; // gone in the second run
    std::string const removed_dm = base.data_models[1].data_model.dataModelId;

    simulated_org first = base;
    remove_workbook(first, added_wb);
    world w(first);
    auto one = run(w, {}, std::nullopt);
    REQUIRE(one.inc.advance);
    CHECK(one.inv.status.reused == 0);
    CHECK(one.inv.status.deletions.empty());
    CHECK(one.inc.next.workbooks.size() == one.inv.workbooks.size());
    CHECK(one.inc.next.dataModels.size() == one.inv.dataModels.size());

    // The organisation moves on: two workbooks change, one is new, one and a data model are gone.
    simulated_org second = base;
    remove_workbook(second, removed_wb);
    remove_data_model(second, removed_dm);
    std::size_t const changed_a = 0, changed_b = 7;
    std::vector<std::string> const lost = {change_workbook(second, changed_a), change_workbook(second, changed_b)};
    std::set<std::string> const changed = {second.workbooks[changed_a].workbook.workbookId,
                                           second.workbooks[changed_b].workbook.workbookId};
    w.api.modify([&](simulated_org& o) { o = second; });

    auto inc = run(w, {}, one.inc.next);
    world fresh(second);
    auto full = run(fresh, {}, std::nullopt);

    check_same_entities(inc.inv, full.inv);
    CHECK(without_deletes(inc.records) == full.records);
    CHECK(inc.inv.status.workbooks == full.inv.status.workbooks);
    CHECK(inc.inv.status.elements == full.inv.status.elements);
    CHECK(inc.inv.status.lineageEdges == full.inv.status.lineageEdges);
    CHECK(inc.inv.status.columnEdges == full.inv.status.columnEdges);
    CHECK(inc.inv.status.filteredOut == full.inv.status.filteredOut);

    // The next state is what a full run would leave.
    REQUIRE(inc.inc.advance);
    REQUIRE(full.inc.advance);
    CHECK(inc.inc.next.workbooks == full.inc.next.workbooks);
    CHECK(inc.inc.next.dataModels == full.inc.next.dataModels);

    // Only what changed or is new was read: no workbook-level request for any other.
    std::size_t reusable = 0;
    for (auto const& e : one.inc.next.workbooks) {
        bool const unchanged = !changed.count(e.workbookId) && e.workbookId != removed_wb;
        if (unchanged && e.reusable) {
            ++reusable;
            CHECK_MESSAGE(!asked_under(inc.requests, "/workbooks/" + e.workbookId + "/"), e.workbookId);
        }
    }
    for (auto const& e : one.inc.next.dataModels)
        if (e.reusable && e.updatedAt && e.dataModelId != removed_dm) {
            ++reusable;
            CHECK(!asked_under(inc.requests, "/dataModels/" + e.dataModelId + "/"));
        }
    CHECK(inc.inv.status.reused == reusable);
    CHECK(reusable > 20);
    for (auto const& id : changed) CHECK(asked_under(inc.requests, "/workbooks/" + id + "/pages"));
    CHECK(asked_under(inc.requests, "/workbooks/" + added_wb + "/pages"));
    CHECK(inc.requests.size() * 3 < full.requests.size());
    MESSAGE("full run: " << full.requests.size() << " requests; incremental: " << inc.requests.size());

    // Deletions: the removed workbook and its elements, the changed workbooks' lost
    // elements, the removed data model.
    auto const& dels = inc.inv.status.deletions;
    auto has = [&](entity_kind k, std::string const& id) {
        return std::any_of(dels.begin(), dels.end(), [&](deletion const& d) { return d.kind == k && d.id == id; });
    };
    CHECK(has(entity_kind::workbook, removed_wb));
    CHECK(has(entity_kind::data_model, removed_dm));
    std::size_t removed_elements = 0;
    for (auto const& e : one.inc.next.workbooks)
        if (e.workbookId == removed_wb)
            for (auto const& p : e.pages)
                for (auto const& el : p.elements) {
                    ++removed_elements;
                    CHECK(has(entity_kind::element, el.elementId));
                }
    for (auto const& gone : lost) {
        bool was_emitted = false;
        for (auto const& e : one.inc.next.workbooks)
            for (auto const& p : e.pages)
                for (auto const& el : p.elements) was_emitted = was_emitted || el.elementId == gone;
        if (was_emitted) CHECK(has(entity_kind::element, gone));
        removed_elements += was_emitted;
    }
    CHECK(dels.size() == removed_elements + 2);
    CHECK(!has(entity_kind::workbook, added_wb));

    // The records end with a soft delete per deletion.
    std::size_t deletes = 0;
    for (auto const& r : inc.records)
        if (r.method == "DELETE") {
            ++deletes;
            CHECK(r.path.ends_with("?hardDelete=false"));
            CHECK(r.body.is_null());
        }
    CHECK(deletes == dels.size());
    CHECK(inc.records.back().method == "DELETE");
    CHECK(inc.inv.status.stateNote.find("deleted") != std::string::npos);
}

TEST_CASE("incremental: a run with nothing changed reads only the listings and gives the same output") {
    using namespace test_incremental;
    world w(base_org());
    auto one = run(w, {}, std::nullopt);
    auto two = run(w, {}, one.inc.next);
    check_same_entities(one.inv, two.inv);
    CHECK(one.records == two.records);
    CHECK(two.inv.status.deletions.empty());
    CHECK(two.inc.next == one.inc.next);
    for (auto const& r : two.requests) {
        CAPTURE(r.target);
        // Listings and nothing per workbook or data model (tables are looked up per workbook read).
        CHECK(r.target.find("/pages") == std::string::npos);
        CHECK(r.target.find("/lineage") == std::string::npos);
        CHECK(r.target.find("/columns") == std::string::npos);
    }
    CHECK(two.requests.size() * 10 < one.requests.size());
}

TEST_CASE("incremental: a failed organisation-wide listing deletes nothing and does not advance the state") {
    using namespace test_incremental;
    simulated_org org = base_org();
    world w(org);
    auto one = run(w, {}, std::nullopt);
    std::string const gone = org.workbooks[2].workbook.workbookId;
    w.api.modify([&](simulated_org& o) { remove_workbook(o, gone); });
    w.api.script("/v2/workbooks", sigma::testing::fault::http(500).always());
    auto two = run(w, {}, one.inc.next);
    CHECK_FALSE(two.inv.status.complete);
    CHECK(two.inv.status.deletions.empty());
    CHECK_FALSE(two.inc.advance);
    CHECK(two.inc.next.workbooks.empty());
    CHECK(two.inv.status.stateNote.find("not advanced") != std::string::npos);
    for (auto const& r : two.records) CHECK(r.method != "DELETE");
}

TEST_CASE("incremental: a workbook that fails to read keeps its last state and is not deleted") {
    using namespace test_incremental;
    simulated_org org = base_org();
    world w(org);
    auto one = run(w, {}, std::nullopt);
    std::string const id = org.workbooks[4].workbook.workbookId;
    w.api.modify([&](simulated_org& o) { change_workbook(o, 4); });
    w.api.script("/v2/workbooks/" + id + "/pages", sigma::testing::fault::http(404).always());
    auto two = run(w, {}, one.inc.next);
    CHECK(two.inv.status.complete);
    REQUIRE(two.inc.advance);
    CHECK(two.inv.status.failures.size() == 1);
    for (auto const& d : two.inv.status.deletions) CHECK(d.workbookId != id);
    for (auto const& d : two.inv.status.deletions) CHECK(d.id != id);
    auto old = std::find_if(one.inc.next.workbooks.begin(), one.inc.next.workbooks.end(),
                            [&](auto const& e) { return e.workbookId == id; });
    auto kept = std::find_if(two.inc.next.workbooks.begin(), two.inc.next.workbooks.end(),
                             [&](auto const& e) { return e.workbookId == id; });
    REQUIRE(old != one.inc.next.workbooks.end());
    REQUIRE(kept != two.inc.next.workbooks.end());
    CHECK(*kept == *old); // re-read next time: its updatedAt is the old one
}

TEST_CASE("incremental: other options than the state's: everything is read, and deletions still follow") {
    using namespace test_incremental;
    world w(base_org());
    auto one = run(w, {}, std::nullopt);
    options no_columns;
    no_columns.includeColumns = false;
    auto two = run(w, no_columns, one.inc.next);
    CHECK(two.inv.status.reused == 0);
    CHECK(two.inv.status.deletions.empty());
    CHECK(two.inv.status.stateNote.find("options differ") != std::string::npos);
    CHECK(two.inc.next.optionsDigest != one.inc.next.optionsDigest);
    // Filtering a workbook out deletes it (as OpenMetadata's markDeleted does).
    options filtered;
    std::string name;
    for (char c : one.inv.workbooks[0].workbook.name) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) name += '\\';
        name += c;
    }
    filtered.dashboardFilterPattern.excludes = {name + "$"};
    auto three = run(w, filtered, one.inc.next);
    REQUIRE(three.inv.status.deletions.size() >= 1);
    CHECK(three.inv.status.deletions.back().kind == entity_kind::workbook);
    CHECK(three.inv.status.deletions.back().reason.find("dashboardFilterPattern") != std::string::npos);
}

TEST_CASE("incremental: deletions become soft deletes, or none when the mapping turns them off") {
    using namespace test_incremental;
    report r;
    r.deletions.push_back({entity_kind::workbook, "wb-1", "Revenue", {}, false, "not in the workbook listing"});
    r.deletions.push_back({entity_kind::element, "el.2", "Chart", "wb-1", true, "its workbook is gone"});
    r.deletions.push_back({entity_kind::data_model, "dm-3", "Model", {}, false, "not in the data model listing"});
    om::mapping_options mo;
    mo.serviceName = "my sigma";
    mo.elementDataModels = true;
    auto m = om::mapping::create(mo).value();
    std::vector<std::string> lines;
    for (auto const& d : r.deletions)
        for (auto const& rec : m.deletion(d)) lines.push_back(rec.method + " " + rec.path);
    CHECK(lines == std::vector<std::string>{
                       "DELETE /api/v1/dashboards/name/my%20sigma.wb-1?hardDelete=false",
                       "DELETE /api/v1/charts/name/my%20sigma.%22el.2%22?hardDelete=false",
                       "DELETE /api/v1/dashboard/datamodels/name/my%20sigma.model.%22el.2%22?hardDelete=false",
                       "DELETE /api/v1/dashboard/datamodels/name/my%20sigma.model.dm-3?hardDelete=false",
                   });
    mo.markDeletedDashboards = false;
    auto m2 = om::mapping::create(mo).value();
    CHECK(m2.deletion(r.deletions[0]).empty());
    CHECK(m2.deletion(r.deletions[1]).size() == 1); // only its element data model
    mo.markDeletedDataModels = false;
    auto m3 = om::mapping::create(mo).value();
    for (auto const& d : r.deletions) CHECK(m3.deletion(d).empty());
}

TEST_CASE("state file: written atomically, read back equal; damaged, cut, newer or foreign files are refused") {
    using namespace test_incremental;
    world w(base_org());
    auto one = run(w, {}, std::nullopt);
    auto path = temp_path("state.json").string();
    std::filesystem::remove(path);

    auto none = load_state(path);
    REQUIRE(none.has_value());
    CHECK_FALSE(none->has_value()); // no file yet: a first run

    REQUIRE(save_state(one.inc.next, path).has_value());
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    auto back = load_state(path);
    REQUIRE(back.has_value());
    REQUIRE(back->has_value());
    CHECK(**back == one.inc.next);

    std::string text;
    {
        std::ifstream in(path, std::ios::binary);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    auto refused = [&](std::string const& content, std::string const& needle) {
        CAPTURE(needle);
        auto r = parse_state(content, "nightly.state");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message().find("nightly.state") != std::string::npos);
        CHECK_MESSAGE(r.error().message().find(needle) != std::string::npos, r.error().message());
    };
    refused(text.substr(0, text.size() / 2), "line 1");          // cut short
    refused("", "empty");                                         // truncated to nothing
    refused("{\"sigmaState\": 2, \"workbooks\": []}", "format 2"); // from a newer sigma-cpp
    refused("{\"workbooks\": []}", "not a sigma-cpp state file");
    refused("[1, 2]", "expected object");
    {
        // An edited entry no longer matches its digest.
        auto s = one.inc.next;
        REQUIRE(!s.workbooks.empty());
        std::size_t i = 0;
        while (i < s.workbooks.size() && s.workbooks[i].pages.empty()) ++i;
        REQUIRE(i < s.workbooks.size());
        s.workbooks[i].pages.front().name = "edited by hand";
        refused(sigma::json::encode(s), "/workbooks/" + std::to_string(i) + ": the digest does not match");
    }
    {
        auto s = one.inc.next;
        s.workbooks.push_back(s.workbooks.front());
        refused(sigma::json::encode(s), "twice");
    }
    refused(text.substr(0, text.size() - 2) + ",\"extra\":1}\n", "extra");

    // A state of another organisation is not used.
    auto other = one.inc.next;
    other.hostPort = "https://api.other.example";
    incremental inc;
    inc.previous = other;
    collecting_sink sink;
    auto r = extract(w.client, {}, sink, inc);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message().find("https://api.other.example") != std::string::npos);

    // An unwritable place: the error names the file.
    auto bad = save_state(one.inc.next, "/nonexistent-dir/x/state.json");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message().find("/nonexistent-dir/x/state.json") != std::string::npos);
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST_CASE("scoped runs: only the workbooks in scope are read, and switches lower the request count") {
    using namespace test_incremental;
    simulated_org org = base_org();
    world w(org);
    auto full = run(w, {}, std::nullopt);
    REQUIRE(full.inv.workbooks.size() >= 4);

    // By ids: nothing is asked about any other workbook, and no data model.
    options by_id;
    std::string const a = full.inv.workbooks[0].workbook.workbookId, b = full.inv.workbooks[2].workbook.workbookId;
    by_id.workbookIds = {a, b};
    auto ids = run(w, by_id, std::nullopt);
    REQUIRE(ids.inv.workbooks.size() == 2);
    CHECK(ids.inv.dataModels.empty());
    CHECK_FALSE(asked_under(ids.requests, "/dataModels/")); // listed (for lineage's ids), none read
    for (auto const& wb : full.inv.workbooks)
        if (wb.workbook.workbookId != a && wb.workbook.workbookId != b)
            CHECK_FALSE(asked_under(ids.requests, "/workbooks/" + wb.workbook.workbookId + "/"));
    CHECK(ids.inv.workbooks[0] == full.inv.workbooks[0]);
    CHECK(ids.inv.workbooks[1] == full.inv.workbooks[2]);
    CHECK(ids.inv.status.outOfScope >= full.inv.workbooks.size() - 2);
    CHECK(ids.requests.size() * 4 < full.requests.size());

    // By path: the workbooks of one top-level folder (workspace).
    std::string top = full.inv.workbooks[1].workbook.path;
    top = top.substr(0, top.find('/'));
    options by_path;
    by_path.paths = {top + "/"};
    auto scoped = run(w, by_path, std::nullopt);
    std::size_t expected = 0;
    for (auto const& wb : full.inv.workbooks) {
        bool in = wb.workbook.path == top || wb.workbook.path.starts_with(top + "/");
        expected += in;
        if (!in) CHECK_FALSE(asked_under(scoped.requests, "/workbooks/" + wb.workbook.workbookId + "/"));
    }
    CHECK(scoped.inv.workbooks.size() == expected);
    CHECK(expected > 0);
    CHECK(scoped.requests.size() < full.requests.size());

    // Each switch removes its requests, and only those.
    auto count = [](outcome const& o, std::string const& fragment) {
        return std::count_if(o.requests.begin(), o.requests.end(),
                             [&](auto const& r) { return r.target.find(fragment) != std::string::npos; });
    };
    options no_lineage;
    no_lineage.includeLineage = false;
    auto nl = run(w, no_lineage, std::nullopt);
    CHECK(count(full, "/lineage") > 0);
    CHECK(count(nl, "/lineage") == 0);
    CHECK(nl.requests.size() < full.requests.size());
    CHECK(count(nl, "/pages") == count(full, "/pages"));
    options no_columns;
    no_columns.includeColumns = false;
    auto nc = run(w, no_columns, std::nullopt);
    CHECK(count(full, "/columns") > 0);
    CHECK(count(nc, "/columns") == 0);
    CHECK(nc.requests.size() + static_cast<std::size_t>(count(full, "/columns")) == full.requests.size());
    options no_models;
    no_models.includeDataModels = false;
    auto nm = run(w, no_models, std::nullopt);
    CHECK(count(full, "/dataModels") > 0);
    CHECK(count(nm, "/dataModels") == 0);
    CHECK(nm.inv.dataModels.empty());

    // A scoped run deletes nothing and keeps the rest of the state as it was.
    auto state_all = full.inc.next;
    w.api.modify([&](simulated_org& o) { remove_workbook(o, full.inv.workbooks[3].workbook.workbookId); });
    auto again = run(w, by_id, state_all);
    CHECK(again.inv.status.deletions.empty());
    REQUIRE(again.inc.advance);
    CHECK(again.inc.next.workbooks == state_all.workbooks);
    CHECK(again.inv.status.reused == 2);
}

TEST_CASE("scope paths match whole folder names") {
    using sigma::extract::detail::path_within;
    CHECK(path_within("Sales", "Sales"));
    CHECK(path_within("Sales/Q1", "Sales"));
    CHECK(path_within("Sales/Q1", "Sales/"));
    CHECK_FALSE(path_within("Salesforce", "Sales"));
    CHECK_FALSE(path_within("Marketing/Sales", "Sales"));
    CHECK(path_within("Sales/Q1/Deep", "Sales/Q1"));
    CHECK_FALSE(path_within("Sales/Q10", "Sales/Q1"));
}
