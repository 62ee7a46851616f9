// Record and replay: a run recorded through sigma::recording_transport and
// replayed by sigma::replay_transport gives byte for byte the same inventory
// and OpenMetadata output, at any concurrency; the snapshot holds no secret;
// broken snapshots are refused with the file, line and problem; an anonymised
// snapshot holds none of the organisation's names, emails, URLs or SQL and
// still replays to the same shape.
#include <sigma/client.hpp>
#include <sigma/extract/extractor.hpp>
#include <sigma/json.hpp>
#include <sigma/openmetadata/jsonl_sink.hpp>
#include <sigma/openmetadata/mapping.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/manual_clock.hpp>
#include <sigma/testing/memory_transport.hpp>
#include <sigma/testing/simulated_org.hpp>
#include <sigma/transport/anonymise.hpp>
#include <sigma/transport/any.hpp>
#include <sigma/transport/recording.hpp>
#include <sigma/transport/replay.hpp>
#include <sigma/transport/snapshot.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace test_record_replay {

using sigma::testing::fake_sigma;
using sigma::testing::fault;
using sigma::testing::simulated_org;

simulated_org organisation() {
    sigma::testing::generator_options g;
    g.seed = 23;
    g.workbooks = 16;
    g.data_models = 4;
    return simulated_org::generate(g);
}

// The error of a failed result, for a failure message (doctest also builds it on success).
template <class T>
std::string why(sigma::result<T> const& r) {
    return r ? std::string() : r.error().message();
}

// Feeds an inventory and the OpenMetadata JSON Lines from one run.
struct tee_sink {
    sigma::extract::collecting_sink& inv;
    sigma::openmetadata::jsonl_sink& jsonl;
    void on_workspace(sigma::extract::workspace_info const& w) {
        inv.on_workspace(w);
        jsonl.on_workspace(w);
    }
    void on_connection(sigma::api::connection const& c) {
        inv.on_connection(c);
        jsonl.on_connection(c);
    }
    void on_data_model(sigma::extract::data_model_info&& d) {
        auto copy = d;
        inv.on_data_model(std::move(copy));
        jsonl.on_data_model(std::move(d));
    }
    void on_workbook(sigma::extract::workbook_info&& w) {
        auto copy = w;
        inv.on_workbook(std::move(copy));
        jsonl.on_workbook(std::move(w));
    }
    void on_finish(sigma::extract::report const& r) {
        inv.on_finish(r);
        jsonl.on_finish(r);
    }
};

struct outcome {
    sigma::extract::inventory inv;
    std::string inventory_json;
    std::string jsonl;
};

// One extraction over `t` with a fake clock (no wall-clock waits).
template <class Transport>
outcome run(sigma::config const& cfg, Transport t, std::size_t concurrency, sigma::testing::manual_clock& clock) {
    sigma::client_options o;
    o.clock = clock.source();
    o.max_concurrency = concurrency;
    sigma::basic_client<Transport> client(cfg, std::move(t), std::move(o));
    sigma::openmetadata::mapping_options mo;
    mo.serviceName = "sigma_rr";
    auto m = sigma::openmetadata::mapping::create(mo);
    REQUIRE(m.has_value());
    std::ostringstream lines;
    sigma::extract::collecting_sink c;
    sigma::openmetadata::jsonl_sink j(lines, std::move(*m), cfg);
    tee_sink tee{c, j};
    auto r = sigma::extract::extract(client, {}, tee);
    REQUIRE(r.has_value());
    return {c.inv, sigma::json::encode(c.inv), lines.str()};
}

// The configuration a replay uses: the snapshot's header, a secret that is never sent anywhere.
sigma::config replay_config(sigma::snapshot_header const& h) {
    sigma::config c;
    c.hostPort = h.hostPort;
    c.clientId = h.clientId;
    c.apiVersion = h.apiVersion;
    c.clientSecret = sigma::secret("replay-needs-no-secret");
    return c;
}

// A recorded run of organisation() at concurrency 8 with scripted faults.
struct recording {
    boost::asio::io_context ioc;
    sigma::testing::manual_clock clock;
    fake_sigma fake{organisation()};
    std::ostringstream file;
    outcome out;
    std::string text;

    recording() {
        fake.script("/v2/workbooks/*/pages", fault::http(503).times(3));
        fake.script("/v2/workbooks/*/lineage/elements/*", fault::http(429, "1").times(3));
        fake.script("/v2/connections/paths/*", fault::transport().times(2));
        fake.script("/v2/files", fault::html(502));
        fake.script("/v2/workbooks/*/columns", fault::malformed());
        sigma::recording_options ro = sigma::recording_options_for(fake.config(), "recorded.snapshot");
        ro.stream = &file;
        sigma::recording_transport rec(fake.transport(ioc.get_executor()), std::move(ro));
        out = run(fake.config(), std::move(rec), 8, clock);
        text = file.str();
    }

    sigma::snapshot snap() const {
        std::istringstream in(text);
        auto s = sigma::read_snapshot(in, "recorded.snapshot");
        REQUIRE_MESSAGE(s.has_value(), why(s));
        return *s;
    }
};

outcome replay(sigma::snapshot const& s, std::size_t concurrency) {
    boost::asio::io_context ioc;
    sigma::testing::manual_clock clock;
    sigma::replay_transport t(ioc.get_executor(), s, "recorded.snapshot");
    return run(replay_config(s.header), t, concurrency, clock);
}

std::size_t count_lines(std::string const& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

sigma::result<sigma::snapshot> parse(std::string const& text, std::string const& name = "bad.snapshot") {
    std::istringstream in(text);
    return sigma::read_snapshot(in, name);
}

// A transport with a connection pool, as beast_transport has.
struct pooled_transport : sigma::testing::memory_transport {
    using memory_transport::memory_transport;
    [[nodiscard]] std::size_t max_in_flight() const { return 3; }
};

std::string const header_line =
    R"({"sigmaSnapshot":1,"hostPort":"https://api.sigmacomputing.com","apiVersion":"v2","clientId":"c","recordedBy":"test"})";

} // namespace test_record_replay

TEST_CASE("record and replay: the replayed run's inventory and OpenMetadata output are the recorded run's, byte for byte") {
    using namespace test_record_replay;
    recording rec;
    auto const& recorded = rec.out;
    // The faults happened and were recorded: the run is not trivially clean.
    REQUIRE(recorded.inv.status.complete);
    CHECK(recorded.inv.status.retries >= 8);
    CHECK(recorded.inv.status.rateLimited >= 3);
    CHECK(recorded.inv.workbooks.size() > 5);
    CHECK(count_lines(recorded.jsonl) > 50);
    auto snap = rec.snap();
    CHECK(snap.exchanges.size() == recorded.inv.status.requests);
    CHECK(snap.header.hostPort == rec.fake.config().hostPort);
    CHECK(snap.header.clientId == rec.fake.config().clientId);
    auto has = [&](auto pred) { return std::any_of(snap.exchanges.begin(), snap.exchanges.end(), pred); };
    CHECK(has([](auto const& x) { return x.status && *x.status == 503; }));
    CHECK(has([](auto const& x) { return x.status && *x.status == 429; }));
    CHECK(has([](auto const& x) { return x.error && x.error->code == "transport"; }));
    CHECK(has([](auto const& x) { return x.body && x.body->find("<html>") != std::string::npos; }));
    CHECK(has([](auto const& x) {
        return x.headers && x.headers->size() == 3 && (*x.headers)[2].name == "Retry-After" &&
               (*x.headers)[2].value == "1";
    }));

    for (std::size_t width : {1u, 8u}) {
        CAPTURE(width);
        auto replayed = replay(snap, width);
        CHECK(replayed.inventory_json == recorded.inventory_json);
        CHECK(replayed.jsonl == recorded.jsonl);
    }

    // Through any_transport: the same again.
    boost::asio::io_context ioc;
    sigma::testing::manual_clock clock;
    sigma::any_transport any(sigma::replay_transport(ioc.get_executor(), snap, "recorded.snapshot"));
    CHECK(any.target<sigma::replay_transport>() != nullptr);
    CHECK(any.max_in_flight() == 0);
    auto via_any = run(replay_config(snap.header), any, 4, clock);
    CHECK(via_any.jsonl == recorded.jsonl);
    CHECK(via_any.inventory_json == recorded.inventory_json);
}

TEST_CASE("record: the snapshot holds neither the secret nor any token, and no Authorization header") {
    using namespace test_record_replay;
    recording rec;
    std::string const secret = rec.fake.org().clientSecret;
    REQUIRE(secret.size() > 8);
    CHECK(rec.text.find(secret) == std::string::npos);
    CHECK(rec.text.find("fake-access-") == std::string::npos);
    CHECK(rec.text.find("fake-refresh-") == std::string::npos);
    CHECK(rec.text.find("Bearer") == std::string::npos);
    CHECK(rec.text.find("Authorization") == std::string::npos);
    CHECK(rec.text.find("redacted-access-token-1") != std::string::npos);
    CHECK(rec.text.find("client_secret=***") != std::string::npos);
    // Ids are kept as they are.
    CHECK(rec.text.find(rec.fake.org().workbooks.front().workbook.workbookId) != std::string::npos);
    // One line a completed exchange, after the header.
    CHECK(count_lines(rec.text) == rec.out.inv.status.requests + 1);
}

TEST_CASE("record: secrets and tokens are replaced as such, percent-encoded and JSON-escaped") {
    using namespace test_record_replay;
    std::string const secret = "s3cr+t/with space&more";
    std::string const token = "tok\"en/with+odd\\chars-123";
    boost::asio::io_context ioc;
    sigma::testing::memory_transport inner(ioc.get_executor(), [&](sigma::http_request const& r) {
        if (r.target == "/v2/auth/token") {
            boost::json::object o{{"access_token", token}, {"refresh_token", "refresh-42-abcdef"},
                                  {"token_type", "bearer"}, {"expires_in", 3599}};
            return sigma::result<sigma::http_response>(sigma::testing::json_response(200, boost::json::serialize(o)));
        }
        // An answer that echoes what it should not.
        boost::json::object o{{"userId", "u-1"}, {"organizationId", std::string(r.header("Authorization"))},
                              {"echo", secret}};
        auto resp = sigma::testing::json_response(200, boost::json::serialize(o));
        resp.headers.push_back({"Set-Cookie", "session=" + token});
        return sigma::result<sigma::http_response>(resp);
    });
    sigma::config cfg;
    cfg.clientId = "client-1";
    cfg.clientSecret = sigma::secret(secret);
    std::ostringstream file;
    auto ro = sigma::recording_options_for(cfg, "odd.snapshot");
    ro.stream = &file;
    sigma::testing::manual_clock clock;
    sigma::client_options o;
    o.clock = clock.source();
    sigma::basic_client<sigma::recording_transport<sigma::testing::memory_transport>> client(
        cfg, sigma::recording_transport(inner, std::move(ro)), std::move(o));
    REQUIRE(client.get(sigma::api::get_whoami{}).has_value());
    std::string const text = file.str();
    CHECK(text.find("s3cr") == std::string::npos);  // raw, JSON-escaped or percent-encoded
    CHECK(text.find("odd") == std::string::npos);   // the token, any of the three ways
    CHECK(text.find("with%") == std::string::npos);
    CHECK(text.find("refresh-42") == std::string::npos);
    CHECK(text.find("Set-Cookie") == std::string::npos);
    CHECK(text.find("redacted-access-token-1") != std::string::npos);
    CHECK(text.find("redacted-refresh-token-1") != std::string::npos);
    CHECK(client.transport().exchanges() == 2);
    CHECK(client.transport().good());
}

TEST_CASE("recording_transport and any_transport forward the inner transport's max_in_flight") {
    using namespace test_record_replay;
    static_assert(sigma::detail::has_max_in_flight<sigma::recording_transport<pooled_transport>>);
    static_assert(!sigma::detail::has_max_in_flight<sigma::recording_transport<sigma::testing::memory_transport>>);
    boost::asio::io_context ioc;
    pooled_transport inner(ioc.get_executor(), [](sigma::http_request const&) {
        return sigma::result<sigma::http_response>(sigma::testing::json_response(200, "{}"));
    });
    std::ostringstream file;
    sigma::recording_options ro;
    ro.stream = &file;
    sigma::recording_transport rec(inner, ro);
    CHECK(rec.max_in_flight() == 3);
    sigma::any_transport any(rec);
    CHECK(any.max_in_flight() == 3);
    CHECK(any.target<sigma::recording_transport<pooled_transport>>() != nullptr);
    CHECK(any.target<sigma::replay_transport>() == nullptr);
    sigma::config cfg;
    cfg.clientId = "c";
    cfg.clientSecret = sigma::secret("secret-1");
    sigma::client_options o;
    o.max_concurrency = 8;
    sigma::basic_client<sigma::recording_transport<pooled_transport>> direct(cfg, rec, o);
    CHECK(direct.options().max_concurrency == 3);
    sigma::basic_client<sigma::any_transport> erased(cfg, any, o);
    CHECK(erased.options().max_concurrency == 3);
    CHECK(count_lines(file.str()) == 1); // the header, nothing sent yet
}

TEST_CASE("replay: a request missing from the snapshot fails that entity, named with its target; the rest is intact") {
    using namespace test_record_replay;
    recording rec;
    auto snap = rec.snap();
    auto const& victim = rec.out.inv.workbooks.at(2).workbook.workbookId;
    std::string const prefix = "/v2/workbooks/" + victim + "/pages?";
    auto before = snap.exchanges.size();
    std::erase_if(snap.exchanges, [&](auto const& x) { return x.target.starts_with(prefix); });
    REQUIRE(snap.exchanges.size() < before);

    boost::asio::io_context ioc;
    sigma::testing::manual_clock clock;
    sigma::replay_transport t(ioc.get_executor(), snap, "recorded.snapshot");
    auto out = run(replay_config(snap.header), t, 8, clock);
    CHECK(out.inv.status.complete);
    REQUIRE(out.inv.status.failures.size() == rec.out.inv.status.failures.size() + 1);
    bool named = false;
    for (auto const& f : out.inv.status.failures)
        named = named || (f.entity.find(victim) != std::string::npos &&
                          f.error.find("not in the snapshot recorded.snapshot") != std::string::npos &&
                          f.error.find(prefix) != std::string::npos);
    CHECK_MESSAGE(named, sigma::json::encode(out.inv.status.failures));
    auto missed = t.missed();
    REQUIRE(!missed.empty());
    CHECK(missed.front().starts_with("GET " + prefix));
    // Every other workbook, and everything else, as recorded.
    REQUIRE(out.inv.workbooks.size() == rec.out.inv.workbooks.size() - 1);
    std::size_t j = 0;
    for (auto const& w : rec.out.inv.workbooks) {
        if (w.workbook.workbookId == victim) continue;
        CHECK(sigma::json::encode(out.inv.workbooks.at(j++)) == sigma::json::encode(w));
    }
    CHECK(sigma::json::encode(out.inv.dataModels) == sigma::json::encode(rec.out.inv.dataModels));
    CHECK(sigma::json::encode(out.inv.workspaces) == sigma::json::encode(rec.out.inv.workspaces));
}

TEST_CASE("replay: a target's answers are served first in, first out, and the last one repeats") {
    using namespace test_record_replay;
    auto s = parse(header_line + "\n" +
                   R"({"method":"GET","target":"/v2/x","status":503,"headers":[],"body":"busy"})" "\n" +
                   R"({"method":"GET","target":"/v2/y","error":{"code":"timeout","message":"GET /v2/y: timed out"}})" "\n" +
                   R"({"method":"GET","target":"/v2/x","status":200,"headers":[{"name":"Content-Type","value":"application/json"}],"json":{"a":[1,2]}})" "\n");
    REQUIRE_MESSAGE(s.has_value(), why(s));
    boost::asio::io_context ioc;
    sigma::replay_transport t(ioc.get_executor(), *s, "fifo.snapshot");
    std::vector<sigma::result<sigma::http_response>> got;
    auto send = [&](std::string target, sigma::http_method m = sigma::http_method::get) {
        sigma::http_request r;
        r.method = m;
        r.target = std::move(target);
        boost::asio::co_spawn(ioc, t.async_send(r), [&](std::exception_ptr, sigma::result<sigma::http_response> x) {
            got.push_back(std::move(x));
        });
        ioc.run();
        ioc.restart();
        return got.back();
    };
    auto a = send("/v2/x");
    REQUIRE(a.has_value());
    CHECK(a->status == 503);
    CHECK(a->body == "busy");
    auto b = send("/v2/x");
    REQUIRE(b.has_value());
    CHECK(b->status == 200);
    CHECK(b->body == R"({"a":[1,2]})");
    CHECK(b->header("content-type") == "application/json");
    auto c = send("/v2/x");
    REQUIRE(c.has_value());
    CHECK(c->status == 200);
    CHECK(t.repeated() == 1);
    auto y = send("/v2/y");
    REQUIRE(!y.has_value());
    CHECK(y.error().code() == sigma::errc::timeout);
    auto z = send("/v2/z?limit=5");
    REQUIRE(!z.has_value());
    CHECK(z.error().code() == sigma::errc::transport);
    CHECK(z.error().message() == "GET /v2/z?limit=5: not in the snapshot fifo.snapshot (recorded with other settings "
                                 "or another version of sigma-cpp?)");
    auto p = send("/v2/x", sigma::http_method::post);
    CHECK(!p.has_value()); // the method is part of the key
    // No token recorded: a working one is made up.
    auto tok = send("/v2/auth/token", sigma::http_method::post);
    REQUIRE(tok.has_value());
    CHECK(tok->status == 200);
    CHECK(tok->body.find("access_token") != std::string::npos);
    CHECK(t.unused() == 0);
}

TEST_CASE("snapshot files: broken, truncated, foreign and future files are refused with file, line and problem") {
    using namespace test_record_replay;
    auto error_of = [](sigma::result<sigma::snapshot> const& r) {
        REQUIRE(!r.has_value());
        return r.error().message();
    };
    std::string const ok = R"({"method":"GET","target":"/v2/x","status":200,"headers":[],"json":{"a":1}})";

    auto future = error_of(parse(R"({"sigmaSnapshot":2,"hostPort":"h","somethingNew":true})" "\n"));
    CHECK(future.starts_with("bad.snapshot:1: sigmaSnapshot 2: a newer snapshot format"));

    auto garbage = error_of(parse(header_line + "\n" + ok + "\n" + R"({"method":"GET", "target" )" + "\n" + ok + "\n"));
    CHECK(garbage.starts_with("bad.snapshot:3: not JSON"));
    CHECK(garbage.find("cut short") == std::string::npos);

    auto cut = error_of(parse(header_line + "\n" + ok + "\n" + ok.substr(0, ok.size() / 2)));
    CHECK(cut.starts_with("bad.snapshot:3: not JSON"));
    CHECK(cut.find("cut short") != std::string::npos);

    // A recording interrupted between two lines is a valid, shorter snapshot.
    auto whole_lines = parse(header_line + "\n" + ok + "\n");
    REQUIRE(whole_lines.has_value());
    CHECK(whole_lines->exchanges.size() == 1);

    CHECK(error_of(parse(R"({"hello":"world"})" "\n")).starts_with("bad.snapshot:1: not a sigma-cpp snapshot"));
    CHECK(error_of(parse("")).starts_with("bad.snapshot:1: empty"));
    CHECK(error_of(parse("\n\n")).starts_with("bad.snapshot:3: empty"));
    CHECK(error_of(parse(header_line + "\n[1]\n")).starts_with("bad.snapshot:2: expected a JSON object"));
    CHECK(error_of(parse(header_line + "\n" + R"({"method":"GET","target":"/v2/x"})" "\n"))
              .starts_with("bad.snapshot:2: an exchange needs either \"status\" or \"error\""));
    auto type = error_of(parse(header_line + "\n" + R"({"method":"GET","target":"/v2/x","status":"200"})" "\n"));
    CHECK(type.starts_with("bad.snapshot:2: /status: "));
    CHECK(error_of(parse(header_line + "\n" + R"({"target":"/v2/x","status":200})" "\n"))
              .starts_with("bad.snapshot:2: "));
    CHECK(error_of(parse(header_line + "\n" + R"({"method":"FETCH","target":"/v2/x","status":200})" "\n"))
              .starts_with("bad.snapshot:2: /method: unknown HTTP method \"FETCH\""));
    CHECK(error_of(parse(header_line + "\n" + R"({"method":"GET","target":"/v2/x","error":{"code":"oops","message":""}})" "\n"))
              .starts_with("bad.snapshot:2: /error/code: unknown error code \"oops\""));
    auto header_type = error_of(parse(R"({"sigmaSnapshot":1,"hostPort":7})" "\n"));
    CHECK(header_type.starts_with("bad.snapshot:1: header: "));
    CHECK(header_type.find("hostPort") != std::string::npos);

    // Files: a missing one and a garbage one, by name.
    auto dir = std::filesystem::temp_directory_path() / "sigma-record-replay-test";
    std::filesystem::create_directories(dir);
    auto missing = (dir / "no-such.snapshot").string();
    std::filesystem::remove(missing);
    auto m = sigma::load_snapshot(missing);
    REQUIRE(!m.has_value());
    CHECK(m.error().message().starts_with(missing + ": cannot open the snapshot"));
    auto junk = (dir / "junk.snapshot").string();
    std::ofstream(junk) << "PK\x03\x04 not a snapshot\n";
    boost::asio::io_context ioc;
    auto r = sigma::replay_transport::open(ioc.get_executor(), junk);
    REQUIRE(!r.has_value());
    CHECK(r.error().message().starts_with(junk + ":1: not JSON"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("snapshot bodies: JSON, text and bytes that are not UTF-8 come back byte for byte") {
    using namespace test_record_replay;
    for (std::string body : {std::string(R"({"a":1,"b":[true,null]})"), std::string("{ \"spaced\": 1 }"),
                             std::string("<html>502</html>"), std::string("null"), std::string("\xff\xfe\x00z", 4),
                             std::string("caf\xc3\xa9"), std::string()}) {
        sigma::snapshot_exchange ex;
        ex.method = "GET";
        ex.target = "/v2/x";
        ex.status = 200;
        sigma::set_snapshot_body(ex, body);
        auto back = parse(header_line + "\n" + sigma::snapshot_line(ex) + "\n");
        REQUIRE(back.has_value());
        REQUIRE(back->exchanges.size() == 1);
        CHECK(sigma::snapshot_body(back->exchanges[0]) == body);
    }
}

TEST_CASE("anonymise: no name, email, URL or SQL of the organisation is left, twice the same, and it still replays") {
    using namespace test_record_replay;
    recording rec;
    auto snap = rec.snap();
    auto anon = sigma::anonymise_snapshot(snap);
    auto again = sigma::anonymise_snapshot(snap);
    std::ostringstream a, b;
    REQUIRE(sigma::write_snapshot(a, anon));
    REQUIRE(sigma::write_snapshot(b, again));
    std::string const text = a.str();
    CHECK(text == b.str());
    CHECK(text != rec.text);
    CHECK(anon.header.anonymised == true);
    CHECK(anon.exchanges.size() == snap.exchanges.size());

    // Everything the organisation calls by name, and its people, links and SQL.
    auto const& org = rec.fake.org();
    std::set<std::string> originals;
    for (auto const& w : org.workbooks) {
        originals.insert(w.workbook.name);
        originals.insert(w.workbook.url);
        for (auto const& p : w.pages)
            if (p.name) originals.insert(*p.name);
        for (auto const& e : w.elements) {
            if (e.element.name) originals.insert(*e.element.name);
            if (e.query && e.query->sql) originals.insert(*e.query->sql);
        }
        for (auto const& s : w.sources)
            if (auto const* q = std::get_if<sigma::api::source_custom_sql>(&s)) originals.insert(q->definition);
    }
    for (auto const& d : org.data_models) {
        originals.insert(d.data_model.name);
        originals.insert(d.data_model.url);
        for (auto const& e : d.elements)
            if (e.name) originals.insert(*e.name);
        for (auto const& s : d.sources)
            if (auto const* q = std::get_if<sigma::api::source_custom_sql>(&s)) originals.insert(q->definition);
    }
    for (auto const& w : org.workspaces) originals.insert(w.workspace.name);
    for (auto const& m : org.members) {
        originals.insert(m.email);
        originals.insert(m.firstName + "\",\"lastName\":\"" + m.lastName);
    }
    for (auto const& c : org.connections) originals.insert(c.name);
    for (auto const& t : org.tables) originals.insert(t.name);
    originals.erase("");
    REQUIRE(originals.size() > 100);
    std::size_t sql = 0;
    for (auto const& o : originals) {
        sql += o.starts_with("SELECT") ? 1 : 0;
        CHECK_MESSAGE(text.find(o) == std::string::npos, o);
        // Inside JSON strings too.
        std::string quoted = boost::json::serialize(boost::json::value(boost::json::string(o)));
        CHECK_MESSAGE(text.find(quoted.substr(1, quoted.size() - 2)) == std::string::npos, o);
    }
    CHECK(sql > 0);
    for (std::string gone : {"@acme.example", "sigmacomputing.com", "SCHEMA_", "Cloudflare", "Scripted fault"})
        CHECK_MESSAGE(text.find(gone) == std::string::npos, gone);
    CHECK(text.find("@example.invalid") != std::string::npos);
    CHECK(text.find("https://example.invalid/") != std::string::npos);
    CHECK(text.find("SELECT * FROM t_") != std::string::npos);
    // Ids stay.
    CHECK(text.find(org.workbooks.front().workbook.workbookId) != std::string::npos);

    // Replays (the file as written) to the same shape: every entity, edge and failure.
    auto reread = parse(text, "anonymised.snapshot");
    REQUIRE_MESSAGE(reread.has_value(), why(reread));
    auto replayed = replay(*reread, 8);
    auto const& x = replayed.inv.status;
    auto const& y = rec.out.inv.status;
    CHECK(x.complete);
    CHECK(x.workspaces == y.workspaces);
    CHECK(x.workbooks == y.workbooks);
    CHECK(x.pages == y.pages);
    CHECK(x.elements == y.elements);
    CHECK(x.dataModels == y.dataModels);
    CHECK(x.lineageEdges == y.lineageEdges);
    CHECK(x.columnEdges == y.columnEdges);
    CHECK(x.columnNameFallbacks == y.columnNameFallbacks);
    CHECK(x.failures.size() == y.failures.size());
    CHECK(x.requests == y.requests);
    CHECK(count_lines(replayed.jsonl) == count_lines(rec.out.jsonl));
    CHECK(y.columnEdges > 0);
    CHECK(y.lineageEdges > 0);
}

TEST_CASE("anonymise: names map the same everywhere, case aside; paths by component; formulas by reference") {
    sigma::detail::anonymiser a("");
    CHECK(a.name("Orders") == a.name("ORDERS"));
    CHECK(a.name("Orders").starts_with("name-"));
    CHECK(a.name("Orders") != a.name("Order"));
    CHECK(a.path("Finance/Finance Folder 1") == a.name("Finance") + "/" + a.name("finance folder 1"));
    CHECK(a.formula(R"(If([Orders/Amount] > 10, "big", [Status]]x]))") ==
          "If([" + a.name("orders") + "/" + a.name("amount") + "] > 10, \"" + a.text("big") + "\", [" +
              a.name("Status]x") + "])");
    CHECK(a.column_id("inode-abc123/ORDER_DATE") == "inode-abc123/" + a.name("order_date"));
    CHECK(a.column_id("x7Hq2") == "x7Hq2");
    CHECK(a.email("Ada.Lovelace@acme.example") == a.email("ada.lovelace@acme.example"));
    CHECK(a.email("ada@acme.example").ends_with("@example.invalid"));
    // Fixed across platforms and runs: a known value.
    CHECK(sigma::detail::stable_hash("Sigma") == 0xeb7a3bedc702531aull);
    CHECK(a.hex("name", "x").size() == 12);
    sigma::detail::anonymiser salted("pepper");
    CHECK(salted.name("Orders") != a.name("Orders"));
    // Unknown keys never leak; ids, enums and cursors stay.
    boost::json::value v = boost::json::parse(
        R"({"workbookId":"wb-1","name":"Sales","newField":"Top secret","type":"table","nextPage":"c2","ok":"true",)"
        R"("nested":{"email":"a@b.example","list":["x@y.example","https://h.example/p"]},"n":3})");
    a.walk(v, sigma::detail::anonymise_as::text);
    auto const& o = v.as_object();
    auto str = [](boost::json::value const& x) { return std::string(x.as_string()); };
    CHECK(str(o.at("workbookId")) == "wb-1");
    CHECK(str(o.at("type")) == "table");
    CHECK(str(o.at("nextPage")) == "c2");
    CHECK(str(o.at("ok")) == "true");
    CHECK(o.at("n").as_int64() == 3);
    CHECK(str(o.at("name")) == a.name("Sales"));
    CHECK(str(o.at("newField")).starts_with("text-"));
    auto const& nested = o.at("nested").as_object();
    CHECK(str(nested.at("email")).ends_with("@example.invalid"));
    CHECK(str(nested.at("list").as_array().at(0)).ends_with("@example.invalid"));
    CHECK(str(nested.at("list").as_array().at(1)).starts_with("https://example.invalid/"));
}
