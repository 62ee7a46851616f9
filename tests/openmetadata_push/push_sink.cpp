// The push sink: the demo organisation, extracted from fake_sigma, pushed into
// fake_openmetadata, in memory and over loopback HTTP; references resolved,
// retries on a fake clock, failures and the JWT kept out of every message.
#include <sigma/openmetadata/push_sink.hpp>
#include <sigma/extract/extractor.hpp>
#include <sigma/testing/fake_openmetadata.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/manual_clock.hpp>
#include <sigma/testing/http_server.hpp>
#include <sigma/transport/beast.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace test_push_sink {

namespace om = sigma::openmetadata;
using sigma::testing::fake_openmetadata;
using sigma::testing::fake_sigma;
using sigma::testing::memory_transport;
using sigma::testing::simulated_org;

inline constexpr char const* jwt = "eyJhbGciOiJSUzI1NiJ9.test-jwt-NEVER-PRINT.c2lnbmF0dXJl";
inline constexpr char const* service = "sigma_demo";

using fake_clock = sigma::testing::manual_clock;

om::mapping demo_mapping() {
    om::mapping_options o;
    o.serviceName = service;
    return om::mapping::create(o).value();
}

// The demo's inventory, extracted once over the in-memory fake Sigma.
sigma::extract::inventory const& demo_inventory() {
    static sigma::extract::inventory inv = [] {
        boost::asio::io_context ioc;
        fake_sigma api(simulated_org::demo());
        sigma::testing::manual_clock clock;
        sigma::client_options o;
        o.clock = clock.source();
        sigma::basic_client<memory_transport> client(api.config(), api.transport(ioc.get_executor()), o);
        return sigma::extract::collect(client, {}).value();
    }();
    return inv;
}

std::string field(boost::json::value const& v, char const* k) {
    auto const* s = v.as_object().if_contains(k);
    return s && s->is_string() ? std::string(s->get_string()) : std::string();
}

// What the records name: the emails of owners and the tables of lineage.
struct named_things {
    std::set<std::string> emails, tables;
    std::vector<om::record> records;
};

named_things what_records_name(sigma::extract::inventory const& inv) {
    named_things n;
    n.records = om::to_records(inv, demo_mapping());
    for (auto const& r : n.records) {
        if (auto const* owners = r.body.as_object().if_contains("owners"))
            for (auto const& o : owners->as_array()) n.emails.insert(field(o, "email"));
        if (r.path == om::paths::lineage)
            for (auto k : {"fromEntity", "toEntity"}) {
                auto const& e = r.body.at("edge").at(k);
                if (field(e, "type") == "table") n.tables.insert(field(e, "fullyQualifiedName"));
            }
    }
    return n;
}

template <class Sink>
void feed(Sink& s, sigma::extract::inventory inv) {
    for (auto const& w : inv.workspaces) s.on_workspace(w);
    for (auto const& c : inv.connections) s.on_connection(c);
    for (auto& dm : inv.dataModels) s.on_data_model(std::move(dm));
    for (auto& wb : inv.workbooks) s.on_workbook(std::move(wb));
    s.on_finish(inv.status);
}

om::push_options options(fake_clock& clock, std::vector<std::string>* logs = nullptr) {
    om::push_options o;
    o.hostPort = "http://openmetadata.test:8585/api";
    o.jwt = sigma::secret(jwt);
    o.clock = clock.source();
    if (logs)
        o.log = [logs](sigma::log_level, std::string_view m) { logs->push_back(std::string(m)); };
    return o;
}

// Every entity and lineage record arrived with its references resolved.
void check_everything_arrived(fake_openmetadata const& fake, named_things const& n,
                              std::set<std::string> const& unknown_emails = {},
                              std::set<std::string> const& unknown_tables = {}) {
    std::map<std::string, std::string> type_of_path{{std::string(om::paths::charts), "chart"},
                                                    {std::string(om::paths::dashboards), "dashboard"},
                                                    {std::string(om::paths::data_models), "dashboardDataModel"}};
    std::size_t lineage = 0;
    for (auto const& r : n.records) {
        if (auto t = type_of_path.find(r.path); t != type_of_path.end()) {
            std::string name = field(r.body, "name");
            std::string fqn = t->second == "dashboardDataModel" ? om::data_model_fqn(service, name)
                                                                : om::build_fqn({service, name});
            auto e = fake.entity(t->second, fqn);
            REQUIRE_MESSAGE(e.has_value(), t->second << " " << fqn << " did not arrive");
            CHECK(field(*e, "displayName") == field(r.body, "displayName"));
            // Owners: each known email became its user's id; unknown ones are dropped.
            std::vector<std::string> want;
            if (auto const* owners = r.body.as_object().if_contains("owners"))
                for (auto const& o : owners->as_array())
                    if (!unknown_emails.count(field(o, "email"))) want.push_back(field(o, "email"));
            std::vector<std::string> got;
            if (auto const* owners = e->if_contains("owners"))
                for (auto const& o : owners->as_array()) {
                    CHECK(field(o, "type") == "user");
                    CHECK_FALSE(o.as_object().contains("email"));
                    auto user = fake.fqn_of(field(o, "id"));
                    REQUIRE(!user.empty());
                    got.push_back(std::string(fake.entity("user", user)->at("email").as_string()));
                }
            CHECK(got == want);
        }
        if (r.path == om::paths::lineage) {
            auto from = r.body.at("edge").at("fromEntity");
            auto to = r.body.at("edge").at("toEntity");
            if (unknown_tables.count(field(from, "fullyQualifiedName")) || unknown_tables.count(field(to, "fullyQualifiedName")))
                continue;
            ++lineage;
            bool found = false;
            for (auto const& e : fake.edges())
                if (fake.fqn_of(e.fromId) == field(from, "fullyQualifiedName") && e.fromType == field(from, "type") &&
                    fake.fqn_of(e.toId) == field(to, "fullyQualifiedName") && e.toType == field(to, "type"))
                    found = true;
            CHECK_MESSAGE(found, "edge " << field(from, "fullyQualifiedName") << " -> " << field(to, "fullyQualifiedName"));
        }
    }
    CHECK(fake.edges().size() == lineage);
}

std::size_t count_paths(std::vector<om::record> const& rs, std::string_view path) {
    return static_cast<std::size_t>(std::count_if(rs.begin(), rs.end(), [&](auto const& r) { return r.path == path; }));
}

} // namespace test_push_sink

TEST_CASE("push_sink: the demo arrives whole, every reference resolved, every look-up made once") {
    using namespace test_push_sink;
    auto n = what_records_name(demo_inventory());
    REQUIRE(n.emails.size() >= 2);
    REQUIRE(!n.tables.empty());
    fake_openmetadata fake(jwt);
    std::map<std::string, std::string> user_ids;
    for (auto const& e : n.emails) user_ids[e] = fake.add_user(e.substr(0, e.find('@')), e);
    for (auto const& t : n.tables) fake.add_table(t);

    boost::asio::io_context ioc;
    fake_clock clock;
    auto sink = om::push_sink<memory_transport>::create(fake.transport(ioc.get_executor()), options(clock), demo_mapping()).value();
    feed(sink, demo_inventory());
    auto report = sink.flush();

    CHECK(report.clean());
    CHECK(report.records == n.records.size());
    CHECK(report.sent == n.records.size());
    CHECK(report.failed == 0);
    CHECK(report.referencesUnresolved == 0);
    CHECK(report.unresolved.empty());
    CHECK(report.retries == 0);
    CHECK(clock.sleeps.empty());
    check_everything_arrived(fake, n);

    // Look-ups: one per distinct email and table, none for what the push created.
    auto log = fake.log();
    auto count = [&](std::string const& needle) {
        return std::count_if(log.begin(), log.end(), [&](auto const& l) { return l.find(needle) != std::string::npos; });
    };
    CHECK(static_cast<std::size_t>(count("GET /api/v1/search/query")) == n.emails.size());
    CHECK(static_cast<std::size_t>(count("GET /api/v1/tables/name/")) == n.tables.size());
    CHECK(count("GET /api/v1/charts/name/") == 0);
    CHECK(count("GET /api/v1/dashboard/datamodels/name/") == 0);
    CHECK(report.lookups == n.emails.size() + n.tables.size());
    CHECK(report.requests == n.records.size() + report.lookups);
    // The JWT went in the Authorization header, every time.
    for (auto const& a : fake.authorizations()) CHECK(a == std::string("Bearer ") + jwt);
}

TEST_CASE("push_sink: an owner OpenMetadata does not know is reported and left out, not fatal") {
    using namespace test_push_sink;
    auto n = what_records_name(demo_inventory());
    std::string const stranger = *n.emails.begin();
    fake_openmetadata fake(jwt);
    for (auto const& e : n.emails)
        if (e != stranger) fake.add_user(e.substr(0, e.find('@')), e);
    for (auto const& t : n.tables) fake.add_table(t);

    boost::asio::io_context ioc;
    fake_clock clock;
    std::vector<std::string> logs;
    auto sink = om::push_sink<memory_transport>::create(fake.transport(ioc.get_executor()), options(clock, &logs),
                                                        demo_mapping()).value();
    feed(sink, demo_inventory());
    auto report = sink.flush();

    CHECK(report.failed == 0);
    CHECK(report.sent == n.records.size());
    CHECK(report.lineageSkipped == 0);
    std::size_t naming = 0;
    for (auto const& r : n.records)
        if (auto const* owners = r.body.as_object().if_contains("owners"))
            for (auto const& o : owners->as_array()) naming += field(o, "email") == stranger;
    REQUIRE(naming > 0);
    CHECK(report.referencesUnresolved == naming);
    REQUIRE(report.unresolved.size() == naming);
    for (auto const& u : report.unresolved) {
        CHECK(u.reference == "user " + stranger);
        CHECK(u.reason.find("no OpenMetadata user has this email") != std::string::npos);
        CHECK(!u.entity.empty());
    }
    check_everything_arrived(fake, n, {stranger});
    // Searched once: the miss is cached too.
    auto log = fake.log();
    CHECK(std::count_if(log.begin(), log.end(), [&](auto const& l) { return l.find("search/query") != std::string::npos; }) ==
          static_cast<long>(n.emails.size()));
    bool warned = false;
    for (auto const& l : logs) warned = warned || l.find(stranger) != std::string::npos;
    CHECK(warned);
}

TEST_CASE("push_sink: a lineage end that cannot be resolved skips the edge and says why") {
    using namespace test_push_sink;
    auto n = what_records_name(demo_inventory());
    std::string const missing = *n.tables.begin();
    fake_openmetadata fake(jwt);
    for (auto const& e : n.emails) fake.add_user(e.substr(0, e.find('@')), e);
    for (auto const& t : n.tables)
        if (t != missing) fake.add_table(t);

    boost::asio::io_context ioc;
    fake_clock clock;
    auto sink = om::push_sink<memory_transport>::create(fake.transport(ioc.get_executor()), options(clock), demo_mapping()).value();
    feed(sink, demo_inventory());
    auto report = sink.flush();

    std::size_t naming = 0;
    for (auto const& r : n.records)
        if (r.path == om::paths::lineage)
            naming += field(r.body.at("edge").at("fromEntity"), "fullyQualifiedName") == missing;
    REQUIRE(naming > 0);
    CHECK(report.lineageSkipped == naming);
    CHECK(report.failed == 0);
    CHECK(report.sent == n.records.size() - naming);
    CHECK_FALSE(report.clean());
    for (auto const& u : report.unresolved) {
        CHECK(u.reference == "table " + missing);
        CHECK(u.reason.find("no table") != std::string::npos);
        CHECK(u.entity.find(missing + " -> ") != std::string::npos);
    }
    check_everything_arrived(fake, n, {}, {missing});
}

TEST_CASE("push_sink: a table with a `*` part is found by search, and only when one table matches") {
    using namespace test_push_sink;
    auto inv = demo_inventory();
    // A data model whose table's connection Sigma did not name: `*.DB.SCHEMA.TABLE`.
    REQUIRE(!inv.dataModels.empty());
    std::string table_name;
    for (auto& el : inv.dataModels[0].elements)
        for (auto& s : el.sources)
            if (s.table) {
                s.table->connectionName.reset();
                table_name = s.table->path.back();
            }
    REQUIRE(!table_name.empty());
    auto n = what_records_name(inv);
    std::set<std::string> wild;
    for (auto const& t : n.tables)
        if (t.starts_with("*.")) wild.insert(t);
    REQUIRE(!wild.empty());

    for (int matches : {1, 2}) {
        CAPTURE(matches);
        fake_openmetadata fake(jwt);
        for (auto const& e : n.emails) fake.add_user(e.substr(0, e.find('@')), e);
        for (auto const& t : n.tables)
            if (!t.starts_with("*.")) fake.add_table(t);
        // The pattern may already match a table the workbooks name: top up to `matches`.
        for (auto const& t : wild) {
            int existing = 0;
            for (auto const& c : n.tables) existing += !c.starts_with("*.") && c.ends_with(t.substr(1));
            for (int i = existing; i < matches; ++i) fake.add_table("warehouse_" + std::to_string(i) + t.substr(1));
        }
        boost::asio::io_context ioc;
        fake_clock clock;
        auto sink = om::push_sink<memory_transport>::create(fake.transport(ioc.get_executor()), options(clock), demo_mapping()).value();
        feed(sink, inv);
        auto report = sink.flush();
        CHECK(report.failed == 0);
        if (matches == 1) {
            CHECK(report.lineageSkipped == 0);
            CHECK(report.unresolved.empty());
        } else {
            CHECK(report.lineageSkipped > 0);
            REQUIRE(!report.unresolved.empty());
            CHECK(report.unresolved[0].reason.find("2 entities match") != std::string::npos);
        }
        auto log = fake.log();
        CHECK(std::count_if(log.begin(), log.end(), [](auto const& l) { return l.find("search/fieldQuery") != std::string::npos; }) ==
              static_cast<long>(wild.size()));
    }
}

TEST_CASE("push_sink: 503 then success is retried on the clock; Retry-After is honoured") {
    using namespace test_push_sink;
    auto n = what_records_name(demo_inventory());
    fake_openmetadata fake(jwt);
    for (auto const& e : n.emails) fake.add_user(e.substr(0, e.find('@')), e);
    for (auto const& t : n.tables) fake.add_table(t);
    sigma::testing::openmetadata_fault f;
    f.path = std::string(om::paths::charts);
    f.status = 503;
    f.nth = 2;
    fake.script(f);
    f.path = std::string(om::paths::lineage);
    f.status = 429;
    f.nth = 1;
    f.retry_after = "7";
    fake.script(f);
    f.path = "/api/v1/tables/name/*";
    f.status = 502;
    f.retry_after.reset();
    fake.script(f);

    boost::asio::io_context ioc;
    fake_clock clock;
    auto sink = om::push_sink<memory_transport>::create(fake.transport(ioc.get_executor()), options(clock), demo_mapping()).value();
    feed(sink, demo_inventory());
    auto report = sink.flush();

    CHECK(report.clean());
    CHECK(report.sent == n.records.size());
    CHECK(report.retries == 3);
    REQUIRE(clock.sleeps.size() == 3);
    CHECK(std::find(clock.sleeps.begin(), clock.sleeps.end(), std::chrono::milliseconds(7000)) != clock.sleeps.end());
    check_everything_arrived(fake, n);
}

TEST_CASE("push_sink: a record the server refuses is reported with its path, name, status and message") {
    using namespace test_push_sink;
    auto n = what_records_name(demo_inventory());
    fake_openmetadata fake(jwt);
    for (auto const& e : n.emails) fake.add_user(e.substr(0, e.find('@')), e);
    for (auto const& t : n.tables) fake.add_table(t);
    sigma::testing::openmetadata_fault f;
    f.path = std::string(om::paths::dashboards);
    f.status = 503;
    f.count = 0; // always
    f.message = "dashboard store is down";
    fake.script(f);

    boost::asio::io_context ioc;
    fake_clock clock;
    auto o = options(clock);
    o.retry.max_attempts = 3;
    auto sink = om::push_sink<memory_transport>::create(fake.transport(ioc.get_executor()), o, demo_mapping()).value();
    feed(sink, demo_inventory());
    auto report = sink.flush();

    std::size_t dashboards = count_paths(n.records, om::paths::dashboards);
    CHECK(report.failed == dashboards);
    REQUIRE(report.failures.size() == dashboards);
    std::set<std::string> names;
    for (auto const& r : n.records)
        if (r.path == om::paths::dashboards) names.insert(field(r.body, "name"));
    for (auto const& x : report.failures) {
        CHECK(x.path == om::paths::dashboards);
        CHECK(names.count(x.name) == 1);
        CHECK(x.status == 503);
        CHECK(x.message == "dashboard store is down");
    }
    CHECK(report.retries == dashboards * 2);
    // The rest went on: charts and lineage not naming a dashboard arrived.
    CHECK(report.sent + report.failed + report.lineageSkipped == n.records.size());
    CHECK(fake.entities("chart").size() == count_paths(n.records, om::paths::charts));
}

TEST_CASE("push_sink: a refused JWT stops the push with a clear message and never shows the token") {
    using namespace test_push_sink;
    auto n = what_records_name(demo_inventory());
    fake_openmetadata fake("another-token");

    boost::asio::io_context ioc;
    fake_clock clock;
    std::vector<std::string> logs;
    auto sink = om::push_sink<memory_transport>::create(fake.transport(ioc.get_executor()), options(clock, &logs),
                                                        demo_mapping()).value();
    feed(sink, demo_inventory());
    auto report = sink.flush();

    CHECK(report.sent == 0);
    CHECK(report.failed == 1);
    CHECK(report.notSent == n.records.size() - 1);
    CHECK(report.aborted.find("401") != std::string::npos);
    CHECK(report.aborted.find("jwtToken") != std::string::npos);
    CHECK(fake.log().size() == 1); // nothing after the refusal
    std::string everything = sigma::json::encode(report);
    for (auto const& l : logs) everything += l;
    CHECK(everything.find(jwt) == std::string::npos);
    CHECK(everything.find("NEVER-PRINT") == std::string::npos);
}

TEST_CASE("push_sink: a server that echoes the token in its errors does not make the report show it") {
    using namespace test_push_sink;
    boost::asio::io_context ioc;
    memory_transport echo(ioc.get_executor(), [](sigma::http_request const& r) -> sigma::result<sigma::http_response> {
        if (r.target.find("/search/") != std::string::npos)
            return sigma::testing::json_response(500, R"({"code":500,"message":"bad header )" +
                                                          std::string(r.header("Authorization")) + R"("})");
        if (r.target == "/api/v1/charts") return sigma::error(sigma::errc::transport, "reset while sending " + std::string(r.header("Authorization")));
        return sigma::testing::json_response(400, "<html>" + std::string(r.header("Authorization")) + "</html>");
    });
    fake_clock clock;
    std::vector<std::string> logs;
    auto o = options(clock, &logs);
    o.retry.max_attempts = 2;
    auto sink = om::push_sink<memory_transport>::create(echo, o, demo_mapping()).value();
    feed(sink, demo_inventory());
    auto report = sink.flush();
    CHECK(report.failed > 0);
    CHECK(report.referencesUnresolved > 0);
    std::string everything = sigma::json::encode(report);
    for (auto const& l : logs) everything += l;
    CHECK(everything.find("NEVER-PRINT") == std::string::npos);
    CHECK(everything.find("***") != std::string::npos);
}

TEST_CASE("push_sink: streaming sends while the crawl runs; without it nothing leaves before flush") {
    using namespace test_push_sink;
    auto n = what_records_name(demo_inventory());
    for (bool stream : {true, false}) {
        CAPTURE(stream);
        fake_openmetadata fake(jwt);
        for (auto const& e : n.emails) fake.add_user(e.substr(0, e.find('@')), e);
        for (auto const& t : n.tables) fake.add_table(t);
        // One io_context for the Sigma client and the push, as in the tool.
        boost::asio::io_context ioc;
        fake_sigma api(simulated_org::demo());
        fake_clock sigma_clock;
        sigma::client_options co;
        co.clock = sigma_clock.source();
        sigma::basic_client<memory_transport> client(api.config(), api.transport(ioc.get_executor()), co);
        fake_clock clock;
        auto o = options(clock);
        o.stream = stream;
        auto sink = om::push_sink<memory_transport>::create(fake.transport(ioc.get_executor()), o, demo_mapping()).value();
        auto r = sigma::extract::extract(client, {}, sink);
        REQUIRE(r.has_value());
        auto before = fake.log().size();
        if (stream) CHECK(before > 0);
        else CHECK(before == 0);
        auto report = sink.flush();
        CHECK(report.clean());
        CHECK(report.sent == n.records.size());
        check_everything_arrived(fake, n);
    }
}

TEST_CASE("push_sink: over loopback HTTP with the Beast transport") {
    using namespace test_push_sink;
    auto n = what_records_name(demo_inventory());
    fake_openmetadata fake(jwt);
    std::string const stranger = *n.emails.rbegin();
    for (auto const& e : n.emails)
        if (e != stranger) fake.add_user(e.substr(0, e.find('@')), e);
    for (auto const& t : n.tables) fake.add_table(t);
    sigma::testing::openmetadata_fault f;
    f.path = std::string(om::paths::data_models);
    f.status = 503;
    fake.script(f);
    sigma::testing::http_server_options so;
    so.tls = false;
    sigma::testing::http_server server([fake](sigma::http_request const& r) { return fake(r); }, so);

    boost::asio::io_context ioc;
    sigma::beast_transport_options to;
    to.allow_insecure_http = true;
    to.proxy = "";
    fake_clock clock;
    std::vector<std::string> logs;
    auto o = options(clock, &logs);
    o.hostPort = server.base_url() + "/api/";
    auto sink = om::push_sink<sigma::beast_transport>::create(sigma::beast_transport(ioc.get_executor(), to), o,
                                                              demo_mapping()).value();
    feed(sink, demo_inventory());
    auto report = sink.flush();

    CHECK(report.failed == 0);
    CHECK(report.sent == n.records.size());
    CHECK(report.retries == 1);
    CHECK(report.referencesUnresolved > 0);
    check_everything_arrived(fake, n, {stranger});
    for (auto const& l : logs) CHECK(l.find("NEVER-PRINT") == std::string::npos);
}

TEST_CASE("push_sink: hostPort is checked and its path kept before /api") {
    using namespace test_push_sink;
    CHECK(om::detail::parse_push_host("http://localhost:8585/api").value().origin == "http://localhost:8585");
    CHECK(om::detail::parse_push_host("http://localhost:8585/api").value().prefix.empty());
    CHECK(om::detail::parse_push_host("https://om.example.com/").value().prefix.empty());
    CHECK(om::detail::parse_push_host("https://om.example.com/catalog/api/").value().prefix == "/catalog");
    for (auto bad : {"", "localhost:8585", "ftp://x/api", "http://user:pw@x/api", "http://x/api?a=b"}) {
        CAPTURE(bad);
        auto r = om::detail::parse_push_host(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == sigma::errc::config);
        CHECK(r.error().message().find("hostPort") != std::string::npos);
    }
    boost::asio::io_context ioc;
    fake_clock clock;
    auto o = options(clock);
    o.hostPort = "not a url";
    fake_openmetadata fake(jwt);
    auto s = om::push_sink<memory_transport>::create(fake.transport(ioc.get_executor()), o, demo_mapping());
    CHECK_FALSE(s.has_value());

    // A prefix is put before every record path.
    o.hostPort = "http://om.test/catalog/api";
    memory_transport t(ioc.get_executor(), [](sigma::http_request const&) -> sigma::result<sigma::http_response> {
        return sigma::testing::json_response(200, R"({"id":"1","fullyQualifiedName":"x"})");
    });
    auto sink = om::push_sink<memory_transport>::create(t, o, demo_mapping()).value();
    sink.on_finish({});
    auto report = sink.flush();
    CHECK(report.sent == 1);
    REQUIRE(t.requests().size() == 1);
    CHECK(t.requests()[0].target == "/catalog/api/v1/services/dashboardServices");
    CHECK(t.requests()[0].origin == "http://om.test");
    CHECK(t.requests()[0].header("Content-Type") == "application/json");
}

static_assert(sigma::extract::sink<sigma::openmetadata::push_sink<sigma::testing::memory_transport>>);
static_assert(sigma::extract::sink<sigma::openmetadata::push_sink<sigma::beast_transport>>);
