#include "support.hpp"

#include <sigma/api/paging.hpp>
#include <sigma/json/decode.hpp>

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace test_fake_sigma {

using namespace testing_support;
namespace api = sigma::api;
using sigma::http_method;
using sigma::http_request;
using sigma::testing::fault;
using sigma::testing::fake_sigma;
using sigma::testing::generator_options;
using sigma::testing::simulated_org;

inline simulated_org generated(std::size_t workbooks = 12, std::uint64_t seed = 11) {
    generator_options g;
    g.seed = seed;
    g.workbooks = workbooks;
    g.pages_per_workbook = 2;
    g.elements_per_page = 5;
    return simulated_org::generate(g);
}

inline std::vector<api::workbook> workbooks_where(simulated_org const& o, bool archived) {
    std::vector<api::workbook> out;
    for (auto const& w : o.workbooks)
        if (w.workbook.isArchived.value_or(false) == archived) out.push_back(w.workbook);
    return out;
}

// A token minted directly from the handler, for raw requests.
inline std::string mint(fake_sigma const& f) {
    http_request r;
    r.method = http_method::post;
    r.target = "/v2/auth/token";
    r.body = "grant_type=client_credentials&client_id=" + f.org().clientId + "&client_secret=" + f.org().clientSecret;
    auto a = f(r);
    REQUIRE(a.status == 200);
    return std::string(boost::json::parse(a.body).at("access_token").as_string());
}

inline sigma::http_response raw_get(fake_sigma const& f, std::string const& token, std::string target) {
    http_request r;
    r.target = std::move(target);
    r.headers.push_back({"Authorization", "Bearer " + token});
    return f(r);
}

inline boost::json::object body_object(sigma::http_response const& r) {
    return boost::json::parse(r.body).as_object();
}

inline std::string base64(std::string_view in) {
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        for (int k = 18; k >= 0; k -= 6) out += table[(v >> k) & 63];
    }
    if (i + 1 == in.size()) {
        unsigned v = (unsigned char)in[i] << 16;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// Every endpoint of sigma/api/endpoints.hpp, through the client, against the organisation's data.
inline void check_every_endpoint(rig& r) {
    auto& c = *r.c;
    simulated_org const& o = r.org();

    auto who = c.get(api::get_whoami{});
    REQUIRE(who.has_value());
    CHECK(who->userId == o.userId);
    CHECK(who->organizationId == o.organizationId);

    CHECK(c.list_all(api::list_workbooks{}).value() == workbooks_where(o, false));
    api::list_workbooks archived;
    archived.isArchived = true;
    CHECK(c.list_all(archived).value() == workbooks_where(o, true));

    for (auto const& w : o.workbooks) {
        std::string const& id = w.workbook.workbookId;
        CAPTURE(w.workbook.name);
        CHECK(c.get(api::get_workbook{{}, id}).value() == w.workbook);
        CHECK(c.list_all(api::list_workbook_pages{{}, id}).value() == w.pages);
        std::vector<api::workbook_element> all;
        for (auto const& e : w.elements) all.push_back(e.element);
        CHECK(c.list_all(api::list_workbook_elements{{}, id}).value() == all);
        for (auto const& p : w.pages) {
            std::vector<api::workbook_element> on_page;
            for (auto const& e : w.elements)
                if (e.pageId == p.pageId) on_page.push_back(e.element);
            CHECK(c.list_all(api::list_page_elements{{}, id, p.pageId}).value() == on_page);
        }
        std::vector<api::element_query> queries;
        for (auto const& e : w.elements) {
            CAPTURE(e.element.elementId);
            auto lineage = c.get(api::get_element_lineage{{}, id, e.element.elementId});
            REQUIRE(lineage.has_value());
            // 400/409/500 are "no lineage": the client reads them as an empty graph.
            CHECK(*lineage == (e.lineage_status == 200 ? e.lineage : api::element_lineage{}));
            auto query = c.get(api::get_element_query{{}, id, e.element.elementId});
            REQUIRE(query.has_value());
            CHECK(*query == e.query);
            if (e.query) queries.push_back(*e.query);
        }
        CHECK(c.list_all(api::list_workbook_queries{{}, id}).value() == queries);
        CHECK(c.list_all(api::list_workbook_lineage{{}, id}).value() ==
              (w.lineage_status == 200 ? w.lineage : std::vector<api::lineage_entry>{}));
        CHECK(c.list_all(api::list_workbook_columns{{}, id}).value() == w.columns);
        CHECK(c.list_all(api::list_workbook_sources{{}, id}).value() == w.sources);
    }

    CHECK(c.list_all(api::list_files{}).value() == o.files);
    for (auto const& f : o.files) {
        CHECK(c.get(api::get_file{{}, f.id}).value() == f);
        CHECK(c.get(api::get_file{{}, f.urlId}).value() == f);
    }
    api::list_files only_workbooks;
    only_workbooks.typeFilters = "workbook";
    auto wb_files = c.list_all(only_workbooks).value();
    CHECK(wb_files.size() == o.workbooks.size());
    for (auto const& f : wb_files) CHECK(o.find_workbook(f.id) != nullptr);

    std::vector<api::member> current;
    for (auto const& m : o.members)
        if (!m.isArchived.value_or(false) && !m.isInactive.value_or(false)) current.push_back(m);
    CHECK(c.list_all(api::list_members{}).value() == current);
    api::list_members everyone;
    everyone.includeArchived = true;
    everyone.includeInactive = true;
    CHECK(c.list_all(everyone).value() == o.members);
    for (auto const& m : o.members) CHECK(c.get(api::get_member{{}, m.memberId}).value() == m);

    std::vector<api::workspace> readable;
    for (auto const& w : o.workspaces)
        if (w.readable) readable.push_back(w.workspace);
    CHECK(c.list_all(api::list_workspaces{}).value() == readable);
    for (auto const& w : o.workspaces) {
        auto got = c.get(api::get_workspace{{}, w.workspace.workspaceId});
        if (w.readable) {
            CHECK(got.value() == w.workspace);
        } else {
            REQUIRE_FALSE(got.has_value());
            CHECK(got.error().http().status == 403);
            CHECK(got.error().http().api_code == "forbidden");
        }
    }

    std::vector<api::data_model> models;
    for (auto const& d : o.data_models) models.push_back(d.data_model);
    CHECK(c.list_all(api::list_data_models{}).value() == models);
    for (auto const& d : o.data_models) {
        std::string const& id = d.data_model.dataModelId;
        CHECK(c.get(api::get_data_model{{}, id}).value() == d.data_model);
        CHECK(c.list_all(api::list_data_model_elements{{}, id}).value() == d.elements);
        CHECK(c.list_all(api::list_data_model_columns{{}, id}).value() == d.columns);
        CHECK(c.list_all(api::list_data_model_lineage{{}, id}).value() == d.lineage);
        CHECK(c.list_all(api::list_data_model_sources{{}, id}).value() == d.sources);
    }

    std::vector<api::connection> active;
    for (auto const& x : o.connections)
        if (!x.isArchived.value_or(false)) active.push_back(x);
    CHECK(c.list_all(api::list_connections{}).value() == active);
    api::list_connections with_archived;
    with_archived.includeArchived = true;
    CHECK(c.list_all(with_archived).value() == o.connections);
    for (auto const& x : o.connections) CHECK(c.get(api::get_connection{{}, x.connectionId}).value() == x);
    for (auto const& t : o.tables) {
        auto p = c.get(api::get_connection_path{{}, t.inodeId}).value();
        CHECK(p.connectionId == t.connectionId);
        CHECK(p.path == t.path);
    }
    CHECK(c.list_all(api::list_tags{}).value() == o.tags);
}

// Lists E at page size k and checks the exact request sequence: the token,
// then one request per page, `limit` (or `pageSize`) always sent, no page
// twice, each cursor exactly the previous answer's.
template <class E>
void check_paging(E const& e, simulated_org org, std::size_t k,
                  std::vector<typename E::response_type> const& expected, bool opaque) {
    CAPTURE(k);
    rig r(std::move(org), page_size(k));
    CHECK(r.c->list_all(e).value() == expected);
    constexpr bool style_b = E::paging_style == api::paging::b;
    char const* size_key = style_b ? "pageSize" : "limit";
    char const* cursor_key = style_b ? "pageToken" : "page";
    auto const sent = r.sent(); // a copy: replays below add to the log
    std::size_t pages = std::max<std::size_t>(1, (expected.size() + k - 1) / k);
    REQUIRE(sent.size() == 1 + pages);
    CHECK(sent[0].method == http_method::post);
    CHECK(sent[0].target == "/v2/auth/token");
    std::set<std::string> targets;
    for (std::size_t i = 1; i < sent.size(); ++i) {
        CAPTURE(sent[i].target);
        CHECK(targets.insert(sent[i].target).second);
        CHECK(query_param(sent[i].target, size_key) == std::to_string(k));
        auto cursor = query_param(sent[i].target, cursor_key);
        if (i == 1) {
            CHECK_FALSE(cursor.has_value());
            continue;
        }
        REQUIRE(cursor.has_value());
        if (opaque) CHECK(cursor->find_first_not_of("0123456789") != std::string::npos);
        // The cursor is the previous answer's, passed through as it came.
        auto previous = r.fake.handle(sent[i - 1]).value();
        auto next = boost::json::parse(previous.body).as_object();
        CHECK(std::string(next.at(style_b ? "nextPageToken" : "nextPage").as_string()) == *cursor);
    }
    // The last answer says it is the last.
    auto last = boost::json::parse(r.fake.handle(sent.back()).value().body).as_object();
    if (style_b)
        CHECK_FALSE(last.contains("nextPageToken"));
    else
        CHECK(last.at("nextPage").is_null());
}

} // namespace test_fake_sigma

TEST_CASE("fake_sigma: every endpoint against the demo organisation") {
    using namespace test_fake_sigma;
    rig r(simulated_org::demo());
    check_every_endpoint(r);
    CHECK(r.fake.tokens_minted() == 1);
    CHECK(r.c->stats().soft_statuses > 0);
}

TEST_CASE("fake_sigma: every endpoint against generated organisations") {
    using namespace test_fake_sigma;
    for (std::uint64_t seed : {11u, 12u}) {
        CAPTURE(seed);
        rig r(generated(10, seed), page_size(7));
        check_every_endpoint(r);
    }
}

TEST_CASE("fake_sigma: style A paging at page sizes 1, 2, 7 and 1000") {
    using namespace test_fake_sigma;
    simulated_org const org = generated(23);
    auto const active = workbooks_where(org, false);
    REQUIRE(active.size() > 7);
    auto const& w = *std::max_element(org.workbooks.begin(), org.workbooks.end(),
                                      [](auto const& a, auto const& b) { return a.columns.size() < b.columns.size(); });
    REQUIRE(w.columns.size() > 7);
    for (std::size_t k : {1u, 2u, 7u, 1000u}) {
        // Numeric cursors on /workbooks, opaque ones elsewhere.
        check_paging(api::list_workbooks{}, org, k, active, false);
        check_paging(api::list_workbook_columns{{}, w.workbook.workbookId}, org, k, w.columns, true);
        check_paging(api::list_files{}, org, k, org.files, true);
    }
}

TEST_CASE("fake_sigma: style B paging") {
    using namespace test_fake_sigma;
    simulated_org const org = simulated_org::demo();
    auto const& d = *std::max_element(org.data_models.begin(), org.data_models.end(),
                                      [](auto const& a, auto const& b) { return a.sources.size() < b.sources.size(); });
    REQUIRE(d.sources.size() >= 2);
    for (std::size_t k : {1u, 2u, 1000u})
        check_paging(api::list_data_model_sources{{}, d.data_model.dataModelId}, org, k, d.sources, true);
}

TEST_CASE("fake_sigma: limit defaults to 50, is checked, and cursors belong to their listing") {
    using namespace test_fake_sigma;
    fake_sigma f(generated(120));
    std::string tok = mint(f);
    std::size_t active = workbooks_where(f.org(), false).size();
    REQUIRE(active > 50);
    auto first = body_object(raw_get(f, tok, "/v2/workbooks"));
    CHECK(first.at("entries").as_array().size() == 50);
    CHECK(first.at("nextPage").as_string() == "50");
    CHECK(first.at("total").as_int64() == static_cast<std::int64_t>(active));
    CHECK(first.at("hasMore").as_bool());
    for (char const* bad : {"/v2/workbooks?limit=0", "/v2/workbooks?limit=1001", "/v2/workbooks?limit=ten",
                            "/v2/workbooks?limit=5&page=x", "/v2/files?limit=5&page=5"})
        CHECK_MESSAGE(raw_get(f, tok, bad).status == 400, bad);
    CHECK(raw_get(f, tok, "/v2/workbooks?limit=1000").status == 200);
    // A cursor of /files is refused by /dataModels.
    auto files = body_object(raw_get(f, tok, "/v2/files?limit=1"));
    std::string cursor(files.at("nextPage").as_string());
    CHECK(raw_get(f, tok, "/v2/files?limit=1&page=" + cursor).status == 200);
    CHECK(raw_get(f, tok, "/v2/dataModels?limit=1&page=" + cursor).status == 400);
    // The deprecated hasMore comes as the string "true" on /files; total is the page size on /connections/paths.
    CHECK(files.at("hasMore") == boost::json::value("true"));
    auto paths = body_object(raw_get(f, tok, "/v2/connections/paths?limit=2"));
    CHECK(paths.at("total").as_int64() == 2);
    CHECK(f.org().tables.size() > 2);
}

TEST_CASE("fake_sigma: legacy bare arrays without limit, pages with it and under v2.1") {
    using namespace test_fake_sigma;
    rig r(simulated_org::demo());
    auto send = [&](std::string target) { return r.c->run(r.c->send(http_method::get, target, true)).value(); };
    auto bare = send("/v2/members");
    REQUIRE(bare.status == 200);
    CHECK(bare.body.front() == '[');
    auto decoded = api::decode_page<api::list_members>(bare.body).value();
    CHECK(decoded.entries == r.c->list_all(api::list_members{}).value());
    CHECK_FALSE(decoded.next.has_value());
    CHECK(send("/v2/members?limit=2").body.front() == '{');
    CHECK(send("/v2.1/members").body.front() == '{');
    auto ws = send("/v2/workspaces");
    CHECK(ws.body.front() == '[');
    CHECK(api::decode_page<api::list_workspaces>(ws.body).value().entries ==
          r.c->list_all(api::list_workspaces{}).value());
    CHECK(send("/v2.1/workspaces").body.front() == '{');
    // Only the listings exist under v2.1.
    CHECK(send("/v2.1/workbooks").status == 404);
    CHECK(send("/v3/workbooks").status == 404);
}

TEST_CASE("fake_sigma: tokens") {
    using namespace test_fake_sigma;
    fake_clock clock;
    sigma::testing::fake_sigma_options fo;
    fo.now = [&] { return clock.now; };
    fo.min_mint_interval = std::chrono::seconds(1);
    fake_sigma f(simulated_org::demo(), fo);

    SUBCASE("unknown, missing and expired tokens get Sigma's 401") {
        for (std::string tok : {std::string("not-a-token"), std::string()}) {
            auto a = raw_get(f, tok, "/v2/whoami");
            CHECK(a.status == 401);
            auto b = body_object(a);
            CHECK(b.at("code") == "unauthorized");
            CHECK(b.at("message") == "Token missing or malformed");
            CHECK(b.at("requestId").as_string() == a.header("X-Request-Id"));
        }
        std::string tok = mint(f);
        CHECK(raw_get(f, tok, "/v2/whoami").status == 200);
        clock.advance(std::chrono::seconds(3598));
        CHECK(raw_get(f, tok, "/v2/whoami").status == 200);
        clock.advance(std::chrono::seconds(2));
        CHECK(raw_get(f, tok, "/v2/whoami").status == 401);
    }
    SUBCASE("wrong credentials, grants, HTTP Basic, refresh, minting too fast") {
        http_request r;
        r.method = http_method::post;
        r.target = "/v2/auth/token";
        r.body = "grant_type=client_credentials&client_id=demo-client-id&client_secret=wrong";
        auto a = f(r);
        CHECK(a.status == 401);
        CHECK(body_object(a).at("code") == "unauthorized");
        CHECK(a.body.find("wrong") == std::string::npos);
        r.body = "client_id=demo-client-id&client_secret=demo-client-secret";
        CHECK(f(r).status == 400);
        r.body = "grant_type=password&client_id=demo-client-id&client_secret=demo-client-secret";
        CHECK(f(r).status == 400);

        r.body = "grant_type=client_credentials";
        r.headers.push_back({"Authorization", "Basic " + base64("demo-client-id:demo-client-secret")});
        auto basic = f(r);
        REQUIRE(basic.status == 200);
        auto tokens = body_object(basic);
        CHECK(tokens.at("token_type") == "bearer");
        CHECK(tokens.at("expires_in") == 3599);

        clock.advance(std::chrono::seconds(2));
        r.headers.clear();
        std::string refresh(tokens.at("refresh_token").as_string());
        r.body = "grant_type=refresh_token&refresh_token=" + refresh +
                 "&client_id=demo-client-id&client_secret=demo-client-secret";
        CHECK(f(r).status == 200);
        clock.advance(std::chrono::seconds(2));
        CHECK(f(r).status == 401); // a refresh token is used once
        // Two mints within a second: 429.
        clock.advance(std::chrono::seconds(2));
        mint(f);
        r.body = "grant_type=client_credentials&client_id=demo-client-id&client_secret=demo-client-secret";
        CHECK(f(r).status == 429);
    }
}

TEST_CASE("fake_sigma: a token expiring in the middle of a listing") {
    using namespace test_fake_sigma;
    simulated_org const org = generated(9);
    auto const expected = workbooks_where(org, false);
    REQUIRE(expected.size() >= 4);

    SUBCASE("the client renews before expiry as the clock passes") {
        rig r(org, page_size(2));
        auto pager = r.c->pages(api::list_workbooks{});
        std::vector<api::workbook> got;
        while (auto page = r.c->run(pager.next()).value()) {
            got.insert(got.end(), page->begin(), page->end());
            r.clock.advance(std::chrono::hours(2));
        }
        CHECK(got == expected);
        CHECK(r.fake.tokens_minted() == pager.pages_fetched());
        for (auto const& q : r.fake.requests()) CHECK(q.status == 200);
    }
    SUBCASE("a token that dies early: 401, renewal, the same page again") {
        sigma::testing::fake_sigma_options fo;
        fo.token_lifetime = std::chrono::seconds(600);
        fo.announced_lifetime = std::chrono::seconds(3599);
        rig r(org, page_size(2), fo);
        auto pager = r.c->pages(api::list_workbooks{});
        std::vector<api::workbook> got;
        auto first = r.c->run(pager.next()).value();
        REQUIRE(first);
        got.insert(got.end(), first->begin(), first->end());
        r.clock.advance(std::chrono::seconds(700));
        while (auto page = r.c->run(pager.next()).value()) got.insert(got.end(), page->begin(), page->end());
        CHECK(got == expected);
        auto log = r.fake.requests();
        REQUIRE(log.size() >= 5);
        CHECK(log[0].line() == "POST /v2/auth/token");
        CHECK(log[1].line() == "GET /v2/workbooks?limit=2");
        CHECK(log[2].line() == "GET /v2/workbooks?limit=2&page=2");
        CHECK(log[2].status == 401);
        CHECK(log[3].line() == "POST /v2/auth/token");
        CHECK(log[4].line() == "GET /v2/workbooks?limit=2&page=2");
        CHECK(log[4].status == 200);
        CHECK(r.fake.tokens_minted() == 2);
    }
}

TEST_CASE("fake_sigma: 401 then success; 401 twice is an authentication error") {
    using namespace test_fake_sigma;
    rig r(simulated_org::demo());
    r.fake.script("/v2/whoami", fault::http(401));
    CHECK(r.c->get(api::get_whoami{}).has_value());
    CHECK(r.fake.lines() == std::vector<std::string>{"POST /v2/auth/token", "GET /v2/whoami", "POST /v2/auth/token",
                                                     "GET /v2/whoami"});
    r.fake.clear_requests();
    r.clock.advance(std::chrono::seconds(5));
    r.fake.script("/v2/workbooks", fault::http(401).times(2));
    auto failed = r.c->list_all(api::list_workbooks{});
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().code() == sigma::errc::auth);
    CHECK(r.fake.lines().size() == 3); // GET, POST token, GET
}

TEST_CASE("fake_sigma: scripted faults") {
    using namespace test_fake_sigma;
    rig r(simulated_org::demo());
    auto statuses = [&](std::string_view prefix) {
        std::vector<unsigned> out;
        for (auto const& q : r.fake.requests())
            if (q.target.starts_with(prefix)) out.push_back(q.status);
        return out;
    };

    SUBCASE("503 twice with Retry-After, then success") {
        r.fake.script("/v2/workbooks", fault::http(503, "3").times(2));
        CHECK(r.c->list_all(api::list_workbooks{}).value() == workbooks_where(r.org(), false));
        CHECK(statuses("/v2/workbooks") == std::vector<unsigned>{503, 503, 200});
        REQUIRE(r.clock.sleeps.size() == 2);
        for (auto s : r.clock.sleeps) CHECK(s >= std::chrono::seconds(3));
    }
    SUBCASE("a transport error is an error of the memory transport, then success") {
        r.fake.script("/v2/whoami", fault::transport());
        CHECK(r.c->get(api::get_whoami{}).has_value());
        CHECK(statuses("/v2/whoami") == std::vector<unsigned>{0, 200});
        http_request q;
        q.target = "/v2/whoami";
        r.fake.script("/v2/whoami", fault::transport());
        CHECK(r.fake.handle(q).error().code() == sigma::errc::transport);
        r.fake.script("/v2/whoami", fault::transport());
        CHECK_THROWS_AS(r.fake(q), sigma::error);
    }
    SUBCASE("a malformed or truncated body once is asked again; every time, it fails decoding with the request named") {
        r.fake.script("/v2/workbooks", fault::malformed());
        CHECK(r.c->list_all(api::list_workbooks{}).value() == workbooks_where(r.org(), false));
        CHECK(statuses("/v2/workbooks").size() == 2);
        r.fake.script("/v2/tags", fault::truncated());
        CHECK(r.c->list_all(api::list_tags{}).has_value());
        CHECK(statuses("/v2/tags").size() == 2);
        r.fake.clear_requests();
        r.fake.script("/v2/workbooks", fault::malformed().always());
        auto a = r.c->list_all(api::list_workbooks{});
        REQUIRE_FALSE(a.has_value());
        CHECK(a.error().code() == sigma::errc::json_syntax);
        CHECK(a.error().message().find("/v2/workbooks") != std::string::npos);
        CHECK(statuses("/v2/workbooks").size() == r.c->options().retry.max_attempts);
        r.fake.script("/v2/tags", fault::truncated().always());
        auto b = r.c->list_all(api::list_tags{});
        REQUIRE_FALSE(b.has_value());
        CHECK(b.error().code() != sigma::errc::ok);
    }
    SUBCASE("an HTML page from a proxy, every time") {
        r.fake.script("/v2/workbooks/*", fault::html(502).always());
        auto a = r.c->get(api::get_workbook{{}, r.org().workbooks[0].workbook.workbookId});
        REQUIRE_FALSE(a.has_value());
        CHECK(a.error().http().status == 502);
        CHECK(a.error().message().find("Cloudflare") != std::string::npos);
        CHECK_FALSE(a.error().http().request_id.empty());
        CHECK(statuses("/v2/workbooks/").size() == r.c->options().retry.max_attempts);
        CHECK(r.c->list_all(api::list_workbooks{}).has_value()); // `*` stays within one segment
    }
    SUBCASE("the nth matching request, and a method filter") {
        auto const& w = r.org().workbooks[0];
        r.fake.script("/v2/workbooks/*/pages/*/elements", fault::http(500).from(2));
        for (std::size_t i = 0; i < w.pages.size(); ++i) {
            auto got = r.c->list_all(api::list_page_elements{{}, w.workbook.workbookId, w.pages[i].pageId});
            CHECK(got.has_value() == (i != 1));
        }
        r.fake.script("/v2/auth/token", fault::http(429, "1").only(http_method::post));
        r.fake.expire_tokens();
        CHECK(r.c->get(api::get_whoami{}).has_value());
        CHECK(statuses("/v2/auth/token") == std::vector<unsigned>{200, 429, 200});
    }
    SUBCASE("glob patterns") {
        using sigma::testing::detail::path_glob_match;
        CHECK(path_glob_match("/v2/workbooks/*/pages", "/v2/workbooks/abc/pages"));
        CHECK_FALSE(path_glob_match("/v2/workbooks/*/pages", "/v2/workbooks/a/b/pages"));
        CHECK(path_glob_match("/v2/**", "/v2/workbooks/a/b/pages"));
        CHECK_FALSE(path_glob_match("/v2/workbooks/*", "/v2/workbooks"));
        CHECK(path_glob_match("/v2/workbooks*", "/v2/workbooks"));
    }
}

TEST_CASE("fake_sigma: X-Request-Id on every answer, equal to the body's requestId") {
    using namespace test_fake_sigma;
    fake_sigma f(simulated_org::demo());
    std::string tok = mint(f);
    f.script("/v2/tags", fault::http(503));
    std::set<std::string> ids;
    auto const& w = f.org().workbooks[0];
    for (std::string const& t : std::vector<std::string>{"/v2/whoami", "/v2/tags", "/v2/nothing",
                                                         "/v2/workbooks/" + w.workbook.workbookId, "/v2/workbooks/nope",
                                                         "/v2/datasets/" + f.org().datasets[0].datasetId}) {
        auto a = raw_get(f, tok, t);
        std::string id(a.header("X-Request-Id"));
        CHECK_FALSE(id.empty());
        CHECK(ids.insert(id).second);
        if (a.status >= 400) CHECK(body_object(a).at("requestId").as_string() == id);
    }
}

TEST_CASE("fake_sigma: soft statuses and the retired dataset API") {
    using namespace test_fake_sigma;
    fake_sigma f(simulated_org::demo());
    std::string tok = mint(f);
    auto const& o = f.org();
    for (auto const& w : o.workbooks)
        for (auto const& e : w.elements) {
            auto a = raw_get(f, tok, "/v2/workbooks/" + w.workbook.workbookId + "/lineage/elements/" + e.element.elementId);
            CHECK(a.status == e.lineage_status);
            auto q = raw_get(f, tok, "/v2/workbooks/" + w.workbook.workbookId + "/elements/" + e.element.elementId + "/query");
            CHECK(q.status == (e.query ? 200u : 404u));
        }
    for (auto const& d : o.datasets) CHECK(raw_get(f, tok, "/v2/datasets/" + d.datasetId).status == d.status);
    CHECK(raw_get(f, tok, "/v2/datasets").status == 410);
    generator_options g;
    g.datasets = 3;
    fake_sigma many(simulated_org::generate(g));
    std::string tok2 = mint(many);
    std::set<unsigned> seen;
    for (auto const& d : many.org().datasets) seen.insert(raw_get(many, tok2, "/v2/datasets/" + d.datasetId).status);
    CHECK(seen == std::set<unsigned>{404, 409, 410});
    // Connection paths exist for tables only.
    for (auto const& file : o.files) {
        auto a = raw_get(f, tok, "/v2/connections/paths/" + file.id);
        CHECK(a.status == (file.type == api::file_type::table ? 200u : 400u));
    }
}

TEST_CASE("fake_sigma: the real API's quirks reach the decoder") {
    using namespace test_fake_sigma;
    fake_sigma f(simulated_org::demo());
    std::string tok = mint(f);
    auto page = raw_get(f, tok, "/v2/workbooks?limit=1");
    // A key the models do not know: tolerated by default, refused when asked.
    CHECK(body_object(page).at("entries").as_array()[0].as_object().contains("isExploration"));
    CHECK(api::decode_page<api::list_workbooks>(page.body).has_value());
    sigma::json::decode_options strict;
    strict.unknown_keys = sigma::json::reject;
    CHECK_FALSE(api::decode_page<api::list_workbooks>(page.body, strict).has_value());
    // Data-model lineage spells custom SQL `customSql`.
    bool custom_sql = false;
    for (auto const& d : f.org().data_models) {
        auto l = body_object(raw_get(f, tok, "/v2/dataModels/" + d.data_model.dataModelId + "/lineage"));
        for (auto const& e : l.at("entries").as_array()) custom_sql = custom_sql || e.at("type") == "customSql";
    }
    CHECK(custom_sql);
    // Without quirks the same answers are plain model encodings.
    sigma::testing::fake_sigma_options plain;
    plain.quirks = false;
    fake_sigma g(simulated_org::demo(), plain);
    auto strict_page = raw_get(g, mint(g), "/v2/workbooks?limit=1");
    CHECK(api::decode_page<api::list_workbooks>(strict_page.body, strict).has_value());
}

TEST_CASE("fake_sigma: requests are recorded in order; the organisation can change") {
    using namespace test_fake_sigma;
    rig r(simulated_org::demo(), page_size(1000));
    auto before = r.c->list_all(api::list_workbooks{}).value();
    r.fake.modify([](simulated_org& o) { o.workbooks.erase(o.workbooks.begin()); });
    auto after = r.c->list_all(api::list_workbooks{}).value();
    CHECK(after.size() + 1 == before.size());
    CHECK(r.fake.lines() == std::vector<std::string>{"POST /v2/auth/token", "GET /v2/workbooks?limit=1000",
                                                     "GET /v2/workbooks?limit=1000"});
    CHECK(r.c->get(api::get_workbook{{}, before[0].workbookId}).error().code() == sigma::errc::not_found);
}

TEST_CASE("fake_sigma: 10,000 workbooks in pages of 1000") {
    using namespace test_fake_sigma;
    generator_options g;
    g.seed = 3;
    g.workbooks = 10'000;
    g.pages_per_workbook = 1;
    g.elements_per_page = 2;
    g.archived_percent = 0;
    rig r(simulated_org::generate(g));
    auto all = r.c->list_all(api::list_workbooks{}).value();
    CHECK(all.size() == 10'000);
    CHECK(r.fake.requests().size() == 11);
}
