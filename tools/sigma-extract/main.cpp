// sigma-extract: test a Sigma connection, extract an organisation's metadata
// (OpenMetadata request bodies, the typed inventory, or a lineage graph), or
// serve a simulated organisation for people building their own pipelines.
// `extract --record/--replay` write and serve snapshots of a run's HTTP
// exchanges; `anonymise` makes a snapshot fit for a bug report.
//
// Exit status: 0 clean; 1 completed with entity failures; 2 the run failed
// (bad configuration, authentication, an organisation-wide listing).

#ifdef SIGMA_BOOST_JSON_HEADER_ONLY
#define SIGMA_IMPLEMENTATION // this program compiles Boost.JSON and Boost.URL itself
#endif
#include "workflow.hpp"

#include <sigma/testing.hpp>

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

namespace {

using sigma::extract::inventory;
using sigma::extract::report;

// The library's mapping from a run's report to the exit status.
constexpr int exit_ok = sigma::extract::exit_clean;
constexpr int exit_entity_failures = sigma::extract::exit_entity_failures;
constexpr int exit_failed = sigma::extract::exit_run_failed;

struct common_flags {
    std::string config_file;
    bool demo = false;
    std::string host;
    std::string client_id;
    std::string api_version = "v2";
    bool quiet = false;
    bool verbose = false;
    bool insecure_skip_tls_verify = false;
    std::string ca_file;
    std::size_t concurrency = 8;
    std::string record; // extract --record FILE: the snapshot to write
    std::string replay; // extract --replay FILE: the snapshot to answer from
};

struct extract_flags {
    std::string output = "-";
    std::string format = "openmetadata";
    bool push = false;
    // Incremental runs and scope.
    std::string state_file;
    bool full = false;
    std::vector<std::string> workbook_ids;
    std::vector<std::string> paths;
    bool skip_lineage = false;
    bool skip_columns = false;
    bool skip_data_models = false;
};

struct simulate_flags {
    std::uint16_t port = 0;
    bool tls = false;
    unsigned latency_ms = 0;
    double rate_limit = 0;
    std::size_t workbooks = 0;
    std::uint64_t seed = 1;
};

void say(common_flags const& f, std::string const& line) {
    if (!f.quiet) std::cerr << line << '\n';
}

// The demo: the hand-written organisation served on a loopback port, reached
// through the real transport.
struct demo_server {
    sigma::testing::fake_sigma fake{sigma::testing::simulated_org::demo()};
    std::unique_ptr<sigma::testing::http_server> server;

    demo_server() {
        sigma::testing::http_server_options o;
        o.tls = false;
        server = std::make_unique<sigma::testing::http_server>(
            [f = fake](sigma::http_request const& r) { return f(r); }, o);
    }
    sigma::config config() const {
        auto c = fake.config();
        c.hostPort = server->base_url();
        c.allow_insecure_http = true;
        return c;
    }
};

// The --replay snapshot, read once: load_settings wants its header, make_session the rest.
std::optional<sigma::snapshot> replay_cache;

sigma::result<sigma::snapshot*> replay_snapshot(std::string const& path) {
    if (!replay_cache) {
        auto s = sigma::load_snapshot(path);
        if (!s) return std::move(s).error();
        replay_cache = std::move(*s);
    }
    return &*replay_cache;
}

// Never sent anywhere: a replay needs no credential, the client a non-empty one.
constexpr char const* replay_secret = "replay-needs-no-secret";

// Builds the tool's settings from the workflow file, or flags and the environment.
sigma::result<sigma_tool::workflow> load_settings(common_flags const& f, std::optional<demo_server>& demo) {
    sigma_tool::workflow w;
    if (!f.replay.empty() && (f.demo || !f.record.empty()))
        return sigma::error(sigma::errc::config, f.demo ? "--replay answers from a snapshot: drop --demo"
                                                        : "--record and --replay exclude each other");
    if (!f.replay.empty() && f.config_file.empty()) {
        // No workflow file: the connection the snapshot was recorded with.
        auto snap = replay_snapshot(f.replay);
        if (!snap) return std::move(snap).error();
        auto const& h = (*snap)->header;
        w.connection.hostPort = h.hostPort;
        w.connection.apiVersion = h.apiVersion;
        w.connection.clientId = h.clientId.empty() ? std::string("replay") : h.clientId;
        w.connection.clientSecret = sigma::secret(replay_secret);
        w.connection.allow_insecure_http = true; // nothing is sent
        if (h.serviceName) w.service_name = *h.serviceName;
        auto v = sigma::validate(w.connection);
        if (!v) return sigma::error(sigma::errc::config, f.replay + ": the snapshot's header: " + v.error().message());
        return w;
    }
    if (f.demo) {
        demo.emplace();
        w.connection = demo->config();
        w.service_name = "sigma_demo";
        return w;
    }
    if (!f.config_file.empty()) {
        auto doc = sigma_tool::load_document(f.config_file);
        if (!doc) return std::move(doc).error();
        auto r = sigma_tool::read_workflow(*doc, f.config_file);
        if (!r) return std::move(r).error();
        w = std::move(*r);
    } else {
        if (f.host.empty())
            return sigma::error(sigma::errc::config,
                                "no configuration: give --config FILE (an OpenMetadata workflow), or --host with "
                                "SIGMA_CLIENT_ID and SIGMA_CLIENT_SECRET in the environment, or --demo");
        w.connection.hostPort = f.host;
        w.connection.apiVersion = f.api_version;
        char const* id = std::getenv("SIGMA_CLIENT_ID");
        w.connection.clientId = !f.client_id.empty() ? f.client_id : (id ? id : "");
        char const* secret = std::getenv("SIGMA_CLIENT_SECRET");
        if (secret == nullptr || *secret == '\0')
            return sigma::error(sigma::errc::config, "command line: SIGMA_CLIENT_SECRET: not set in the environment");
        w.connection.clientSecret = sigma::secret(secret);
        if (w.connection.clientId.empty())
            return sigma::error(sigma::errc::config, "command line: clientId: give --client-id or set SIGMA_CLIENT_ID");
    }
    auto v = sigma::validate(w.connection);
    if (!v) {
        std::string msg = v.error().message();
        if (!f.config_file.empty())
            return sigma::error(sigma::errc::config, f.config_file + ": source.serviceConnection.config." + msg);
        // The setting as the user gave it: the flag that set it.
        for (auto [key, flag] : {std::pair{"hostPort:", "--host (hostPort):"}, std::pair{"apiVersion:", "--api-version (apiVersion):"},
                                 std::pair{"clientId:", "--client-id (clientId):"}})
            if (msg.rfind(key, 0) == 0) msg = flag + msg.substr(std::string_view(key).size());
        return sigma::error(sigma::errc::config, "command line: " + msg);
    }
    return w;
}

// One client type whatever the transport (HTTPS, recording, replay), so that
// the client and the extraction are compiled once in this program.
using tool_client = sigma::basic_client<sigma::any_transport>;
using recorder = sigma::recording_transport<sigma::beast_transport>;

struct session {
    // One thread runs the crawl: with the hint 1, Asio queues work posted from
    // that thread without taking the scheduler's lock (other threads still may).
    boost::asio::io_context ioc{1};
    // --replay: the client's waits (back-off, Retry-After) take no time.
    sigma::testing::manual_clock replay_clock;
    std::unique_ptr<tool_client> client;
    std::string record_path; // --record
    bool quiet = false;

    session() = default;
    session(session const&) = delete;
    session& operator=(session const&) = delete;
    ~session() {
        if (!client || record_path.empty()) return;
        if (auto const* rec = client->transport().target<recorder>()) {
            if (!rec->good())
                std::cerr << "sigma-extract: --record: writing " << record_path << " failed; the snapshot is incomplete\n";
            else if (!quiet)
                std::cerr << "recorded " << rec->exchanges() << " exchanges in " << record_path << '\n';
        }
    }
};

// Throws sigma::error when --replay's snapshot cannot be read or --record's
// cannot be written.
std::unique_ptr<session> make_session(common_flags const& f, sigma_tool::workflow const& w) {
    auto s = std::make_unique<session>();
    sigma::client_options o;
    o.max_concurrency = f.concurrency;
    bool verbose = f.verbose, quiet = f.quiet;
    o.log = [verbose, quiet](sigma::log_level l, std::string_view m) {
        if (quiet && l < sigma::log_level::error) return;
        if (!verbose && l < sigma::log_level::warn) return;
        std::cerr << "[" << sigma::to_string(l) << "] " << m << '\n';
    };
    if (!f.replay.empty()) {
        // No network: the snapshot answers.
        auto snap = replay_snapshot(f.replay);
        if (!snap) throw snap.error();
        sigma::replay_transport replay(s->ioc.get_executor(), std::move(**snap), f.replay);
        replay_cache.reset();
        o.clock = s->replay_clock.source();
        auto cfg = w.connection;
        cfg.allow_insecure_http = true; // nothing is sent
        s->client = std::make_unique<tool_client>(std::move(cfg), sigma::any_transport(std::move(replay)), std::move(o));
        return s;
    }
    sigma::beast_transport_options t;
    t.allow_insecure_http = w.connection.allow_insecure_http;
    t.insecure_skip_tls_verify = f.insecure_skip_tls_verify;
    t.ca_file = f.ca_file;
    t.max_connections_per_origin = f.concurrency;
    if (f.insecure_skip_tls_verify)
        std::cerr << "WARNING: --insecure-skip-tls-verify: the server's certificate is NOT checked; anyone on the "
                     "network path can read and forge this connection, including your credentials.\n";
    sigma::beast_transport https(s->ioc.get_executor(), t);
    if (f.record.empty()) {
        s->client = std::make_unique<tool_client>(w.connection, sigma::any_transport(std::move(https)), std::move(o));
        return s;
    }
    auto ro = sigma::recording_options_for(w.connection, f.record);
    ro.header.serviceName = w.service_name;
    s->record_path = f.record;
    s->quiet = f.quiet;
    s->client = std::make_unique<tool_client>(w.connection, sigma::any_transport(recorder(std::move(https), std::move(ro))),
                                              std::move(o));
    return s;
}

// ---- test-connection ------------------------------------------------------------

int test_connection(common_flags const& f) {
    std::optional<demo_server> demo;
    auto w = load_settings(f, demo);
    if (!w) {
        std::cerr << "sigma-extract: " << w.error().message() << '\n';
        return exit_failed;
    }
    auto s = make_session(f, *w);
    bool all = true;
    auto step = [&](char const* name, sigma::result<void> const& r) {
        std::cout << (r ? "[PASS] " : "[FAIL] ") << name;
        if (!r) std::cout << ": " << r.error().message();
        std::cout << '\n';
        all = all && r.has_value();
    };
    auto tok = s->client->authenticate();
    step("GetToken", tok);
    if (tok) {
        auto page = s->client->run(s->client->async_page(sigma::api::list_workbooks{}));
        step("GetWorkbooks", page ? sigma::result<void>{} : sigma::result<void>(page.error()));
        auto me = s->client->get(sigma::api::get_whoami{});
        step("WhoAmI", me ? sigma::result<void>{} : sigma::result<void>(me.error()));
    } else {
        std::cout << "[SKIP] GetWorkbooks: needs a token\n[SKIP] WhoAmI: needs a token\n";
    }
    return all ? exit_ok : exit_failed;
}

// ---- extract ---------------------------------------------------------------------

// Forwards to the output sink and shows progress on a terminal.
template <class Inner>
struct progress_sink {
    Inner& inner;
    tool_client const& client;
    bool show;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::size_t workbooks = 0, data_models = 0;

    void tick() {
        if (!show) return;
        auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        auto const& st = client.stats();
        std::fprintf(stderr, "\r%zu workbooks, %zu data models, %llu requests (%.1f/s), %llu retries, %.1f s   ",
                     workbooks, data_models, static_cast<unsigned long long>(st.requests),
                     secs > 0 ? static_cast<double>(st.requests) / secs : 0.0,
                     static_cast<unsigned long long>(st.retries), secs);
    }
    void on_workspace(sigma::extract::workspace_info const& w) { inner.on_workspace(w); }
    void on_connection(sigma::api::connection const& c) { inner.on_connection(c); }
    void on_data_model(sigma::extract::data_model_info&& d) {
        ++data_models;
        inner.on_data_model(std::move(d));
        tick();
    }
    void on_workbook(sigma::extract::workbook_info&& w) {
        ++workbooks;
        inner.on_workbook(std::move(w));
        tick();
    }
    void on_finish(report const& r) {
        if (show) std::fputc('\n', stderr);
        inner.on_finish(r);
    }
};

std::string summary(report const& r, double seconds) {
    std::string s = std::to_string(r.workspaces) + " workspaces, " + std::to_string(r.workbooks) + " workbooks, " +
                    std::to_string(r.pages) + " pages, " + std::to_string(r.elements) + " elements, " +
                    std::to_string(r.dataModels) + " data models, " + std::to_string(r.lineageEdges) +
                    " lineage edges (" + std::to_string(r.columnEdges) + " column edges); " +
                    std::to_string(r.filteredOut.size()) + " filtered, " + std::to_string(r.warnings.size()) +
                    " warnings, " + std::to_string(r.failures.size()) + " failures; " + std::to_string(r.requests) +
                    " requests, " + std::to_string(r.retries) + " retries, " + std::to_string(r.rateLimited) +
                    " rate-limited";
    if (r.reused > 0) s += "; " + std::to_string(r.reused) + " unchanged, from the state";
    if (!r.deletions.empty()) s += "; " + std::to_string(r.deletions.size()) + " deleted";
    if (r.outOfScope > 0) s += "; " + std::to_string(r.outOfScope) + " outside the scope";
    char buf[32];
    std::snprintf(buf, sizeof buf, ", %.2f s", seconds);
    return s + buf + (r.complete ? "" : "; INCOMPLETE: " + r.incompleteReason);
}

int finish(common_flags const& f, report const& r, double seconds) {
    for (auto const& w : r.warnings)
        if (f.verbose) std::cerr << "warning: " << w << '\n';
    for (auto const& x : r.failures)
        if (!f.quiet) std::cerr << "failure: " << x.entity << ": " << x.endpoint << ": " << x.error << '\n';
    if (f.verbose)
        for (auto const& x : r.filteredOut) std::cerr << "filtered: " << x.kind << " \"" << x.name << "\" by " << x.pattern << '\n';
    say(f, summary(r, seconds));
    if (f.verbose)
        for (auto const& d : r.deletions)
            std::cerr << "deleted: "
                      << (d.kind == sigma::extract::entity_kind::workbook  ? "workbook"
                          : d.kind == sigma::extract::entity_kind::element ? "element"
                                                                            : "data model")
                      << " " << d.id << " \"" << d.name << "\": " << d.reason
                      << '\n';
    if (!r.stateNote.empty()) say(f, "state: " + r.stateNote);
    return sigma::extract::exit_status(r);
}

// ---- incremental runs and scope ---------------------------------------------------

// The scope and switches of the command line, over the workflow's sourceConfig.
void apply_scope(extract_flags const& x, sigma::extract::options& o) {
    o.workbookIds.insert(o.workbookIds.end(), x.workbook_ids.begin(), x.workbook_ids.end());
    o.paths.insert(o.paths.end(), x.paths.begin(), x.paths.end());
    if (x.skip_lineage) o.includeLineage = false;
    if (x.skip_columns) o.includeColumns = false;
    if (x.skip_data_models) o.includeDataModels = false;
}

// --state: the last complete run's state (none with --full, or before the first run).
bool load_previous(extract_flags const& x, sigma::extract::incremental& inc) {
    if (x.state_file.empty()) {
        if (x.full) {
            std::cerr << "sigma-extract: --full: only means something with --state FILE\n";
            return false;
        }
        return true;
    }
    if (x.full) return true; // read everything; the state is rewritten after a complete run
    auto st = sigma::extract::load_state(x.state_file);
    if (!st) {
        std::cerr << "sigma-extract: --state " << st.error().message()
                  << "\n  (nothing was read or written; --full reads everything and replaces the file)\n";
        return false;
    }
    inc.previous = std::move(*st);
    return true;
}

// After a run whose output was written in full: the next state, when the run may advance it.
int save_next(common_flags const& f, extract_flags const& x, sigma::extract::incremental const& inc, int code) {
    if (x.state_file.empty()) return code;
    if (!inc.advance) {
        say(f, "state: " + x.state_file + " left as it was");
        return code;
    }
    auto saved = sigma::extract::save_state(inc.next, x.state_file);
    if (!saved) {
        std::cerr << "sigma-extract: --state " << saved.error().message() << '\n';
        return exit_failed;
    }
    say(f, "state: " + x.state_file + " written (" + std::to_string(inc.next.workbooks.size()) + " workbooks, " +
               std::to_string(inc.next.dataModels.size()) + " data models)");
    return code;
}

// --push: the records go straight to the workflow's OpenMetadata server,
// sent on the client's io_context while the crawl runs.
int push(common_flags const& f, extract_flags const& x, sigma_tool::workflow const& w) {
    std::string const where = f.config_file.empty() ? std::string("--push") : f.config_file;
    if (x.format != "openmetadata") {
        std::cerr << "sigma-extract: --push sends OpenMetadata records; --format " << x.format << " cannot be pushed\n";
        return exit_failed;
    }
    if (x.output != "-") {
        std::cerr << "sigma-extract: --push sends the records to the server; drop --output (or drop --push to write them)\n";
        return exit_failed;
    }
    if (!w.openmetadata_host || w.openmetadata_host->empty()) {
        std::cerr << "sigma-extract: " << where
                  << ": workflowConfig.openMetadataServerConfig.hostPort: missing; --push needs the OpenMetadata "
                     "server, e.g. http://localhost:8585/api (give --config with a workflow file)\n";
        return exit_failed;
    }
    if (!w.openmetadata_jwt || w.openmetadata_jwt->empty()) {
        std::cerr << "sigma-extract: " << where
                  << ": workflowConfig.openMetadataServerConfig.securityConfig.jwtToken: missing; --push needs a "
                     "bot's JWT\n";
        return exit_failed;
    }
    auto base = sigma::openmetadata::detail::parse_push_host(*w.openmetadata_host);
    if (!base) {
        std::cerr << "sigma-extract: " << where << ": workflowConfig.openMetadataServerConfig." << base.error().message() << '\n';
        return exit_failed;
    }
    bool const plain = base->origin.rfind("http://", 0) == 0;
    if (plain && base->origin.find("://localhost") == std::string::npos &&
        base->origin.find("://127.0.0.1") == std::string::npos && base->origin.find("://[::1]") == std::string::npos)
        std::cerr << "WARNING: the OpenMetadata server is reached over plain http://: the JWT crosses the network "
                     "unencrypted; use https:// outside a local set-up.\n";

    sigma::openmetadata::mapping_options mo;
    mo.serviceName = w.service_name;
    mo.dbServicePrefix = w.source.dbServicePrefix;
    mo.markDeletedDashboards = w.mark_deleted_dashboards;
    mo.markDeletedDataModels = w.mark_deleted_data_models;
    auto m = sigma::openmetadata::mapping::create(mo);
    if (!m) {
        std::cerr << "sigma-extract: " << m.error().message() << '\n';
        return exit_failed;
    }
    auto s = make_session(f, w);
    auto auth = s->client->authenticate();
    if (!auth) {
        std::cerr << "sigma-extract: " << auth.error().message() << '\n';
        return exit_failed;
    }
    sigma::beast_transport_options t;
    t.allow_insecure_http = plain;
    t.insecure_skip_tls_verify = f.insecure_skip_tls_verify;
    t.ca_file = f.ca_file;
    sigma::openmetadata::push_options po;
    po.hostPort = *w.openmetadata_host;
    po.jwt = *w.openmetadata_jwt;
    if (f.verbose)
        po.log = [](sigma::log_level l, std::string_view msg) { std::cerr << "[" << sigma::to_string(l) << "] " << msg << '\n'; };
    using push_sink = sigma::openmetadata::push_sink<sigma::beast_transport>;
    auto sink = push_sink::create(sigma::beast_transport(s->ioc.get_executor(), t), std::move(po), std::move(*m),
                                  w.connection);
    if (!sink) {
        std::cerr << "sigma-extract: " << sink.error().message() << '\n';
        return exit_failed;
    }
    sigma::extract::incremental inc;
    if (!load_previous(x, inc)) return exit_failed;
    bool show = !f.quiet && isatty(STDERR_FILENO);
    auto start = std::chrono::steady_clock::now();
    progress_sink<push_sink> p{*sink, *s->client, show};
    auto r = sigma::extract::extract(*s->client, w.source, p, x.state_file.empty() ? nullptr : &inc);
    if (!r) {
        std::cerr << "sigma-extract: " << r.error().message() << '\n';
        return exit_failed;
    }
    auto pr = sink->flush();
    int code = finish(f, *r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    for (auto const& x : pr.failures)
        if (!f.quiet)
            std::cerr << "push failed: " << x.path << " " << x.name << ": "
                      << (x.status ? "HTTP " + std::to_string(x.status) + ": " : std::string()) << x.message << '\n';
    if (f.verbose)
        for (auto const& u : pr.unresolved)
            std::cerr << "unresolved: " << u.entity << ": " << u.reference << ": " << u.reason << '\n';
    say(f, "OpenMetadata: " + std::to_string(pr.sent) + " of " + std::to_string(pr.records) + " records sent, " +
               std::to_string(pr.failed) + " failed, " + std::to_string(pr.lineageSkipped) + " lineage edges skipped, " +
               std::to_string(pr.notSent) + " not sent; references " + std::to_string(pr.referencesResolved) +
               " resolved, " + std::to_string(pr.referencesUnresolved) + " unresolved; " + std::to_string(pr.requests) +
               " requests, " + std::to_string(pr.retries) + " retries");
    if (!pr.aborted.empty()) {
        std::cerr << "sigma-extract: the push stopped: " << pr.aborted << '\n';
        return exit_failed;
    }
    if (code == exit_ok && pr.failed > 0) code = exit_entity_failures;
    if (!x.state_file.empty() && (pr.failed > 0 || pr.notSent > 0)) {
        // A record (a soft delete above all) that did not reach the server must be sent again next time.
        say(f, "state: " + x.state_file + " left as it was: not every record reached OpenMetadata");
        return code;
    }
    return save_next(f, x, inc, code);
}

int extract(common_flags const& f, extract_flags const& x) {
    std::optional<demo_server> demo;
    auto w = load_settings(f, demo);
    if (!w) {
        std::cerr << "sigma-extract: " << w.error().message() << '\n';
        return exit_failed;
    }
    if (x.format != "openmetadata" && x.format != "inventory" && x.format != "dot") {
        std::cerr << "sigma-extract: --format: expected openmetadata, inventory or dot, got \"" << x.format << "\"\n";
        return exit_failed;
    }
    apply_scope(x, w->source);
    if (x.push) return push(f, x, *w);
    sigma::extract::incremental inc;
    if (!load_previous(x, inc)) return exit_failed;
    auto* incp = x.state_file.empty() ? nullptr : &inc;
    std::ofstream file;
    std::ostream* out = &std::cout;
    if (x.output != "-") {
        file.open(x.output, std::ios::binary | std::ios::trunc);
        if (!file) {
            std::cerr << "sigma-extract: --output: cannot write " << x.output << '\n';
            return exit_failed;
        }
        out = &file;
    }
    auto s = make_session(f, *w);
    auto auth = s->client->authenticate();
    if (!auth) {
        std::cerr << "sigma-extract: " << auth.error().message() << '\n';
        return exit_failed;
    }
    bool show = !f.quiet && isatty(STDERR_FILENO);
    auto start = std::chrono::steady_clock::now();
    sigma::result<report> r = sigma::error(sigma::errc::invalid_argument, "unreachable");
    if (x.format == "inventory") {
        sigma::extract::collecting_sink c;
        progress_sink<sigma::extract::collecting_sink> p{c, *s->client, show};
        r = sigma::extract::extract(*s->client, w->source, p, incp);
        if (r) *out << sigma::json::encode(c.inv) << '\n';
    } else if (x.format == "dot") {
        sigma::openmetadata::dot_sink d(*out);
        progress_sink<sigma::openmetadata::dot_sink> p{d, *s->client, show};
        r = sigma::extract::extract(*s->client, w->source, p, incp);
    } else {
        sigma::openmetadata::mapping_options mo;
        mo.serviceName = w->service_name;
        mo.dbServicePrefix = w->source.dbServicePrefix;
        mo.markDeletedDashboards = w->mark_deleted_dashboards;
        mo.markDeletedDataModels = w->mark_deleted_data_models;
        auto m = sigma::openmetadata::mapping::create(mo);
        if (!m) {
            std::cerr << "sigma-extract: " << m.error().message() << '\n';
            return exit_failed;
        }
        sigma::openmetadata::jsonl_sink j(*out, std::move(*m), w->connection);
        progress_sink<sigma::openmetadata::jsonl_sink> p{j, *s->client, show};
        r = sigma::extract::extract(*s->client, w->source, p, incp);
        if (r && !j.good()) {
            std::cerr << "sigma-extract: writing " << x.output << " failed; the output is incomplete\n";
            return exit_failed;
        }
    }
    out->flush();
    if (!r) {
        std::cerr << "sigma-extract: " << (incp && r.error().code() == sigma::errc::config ? "--state " + x.state_file + ": " : "")
                  << r.error().message() << '\n';
        return exit_failed;
    }
    if (!*out) {
        std::cerr << "sigma-extract: writing " << x.output << " failed; the output is incomplete\n";
        return exit_failed;
    }
    int code = finish(f, *r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return save_next(f, x, inc, code);
}

// ---- simulate --------------------------------------------------------------------

std::atomic<bool> stop_requested{false};
extern "C" void on_signal(int) { stop_requested = true; }

int simulate(simulate_flags const& sf) {
    auto org = sf.workbooks > 0 ? [&] {
        sigma::testing::generator_options g;
        g.seed = sf.seed;
        g.workbooks = sf.workbooks;
        return sigma::testing::simulated_org::generate(g);
    }()
                                : sigma::testing::simulated_org::demo();
    sigma::testing::fake_sigma fake(std::move(org));
    sigma::testing::http_server_options o;
    o.tls = sf.tls;
    o.port = sf.port;
    o.latency = std::chrono::milliseconds(sf.latency_ms);
    o.rate_limit.requests_per_second = sf.rate_limit;
    o.rate_limit.burst = sf.rate_limit > 0 ? sf.rate_limit : 1;
    sigma::testing::http_server server([fake](sigma::http_request const& r) { return fake(r); }, o);
    auto cfg = fake.config();
    std::cout << "Serving a simulated Sigma organisation\n"
              << "  hostPort:     " << server.base_url() << '\n'
              << "  clientId:     " << cfg.clientId << '\n'
              << "  clientSecret: " << cfg.clientSecret.reveal() << "   (a test credential of this simulation)\n";
    if (sf.tls) {
        std::string ca = "sigma-simulate-ca.pem";
        std::ofstream(ca) << server.ca_pem();
        std::cout << "  CA:           " << ca << " (trust it with --ca-file)\n";
    }
    std::cout << "Press Ctrl-C to stop." << std::endl;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto st = server.stats();
    std::cout << "\nserved " << st.requests << " requests on " << st.connections_accepted << " connections\n";
    return exit_ok;
}

// ---- anonymise -------------------------------------------------------------------

struct anonymise_flags {
    std::string input;
    std::string output = "-";
    std::string salt;
    bool quiet = false;
};

// A --record snapshot with names, emails, URLs and SQL replaced by stable
// pseudonyms, to attach to a bug report; it still replays.
int anonymise(anonymise_flags const& a) {
    auto s = sigma::load_snapshot(a.input);
    if (!s) {
        std::cerr << "sigma-extract: " << s.error().message() << '\n';
        return exit_failed;
    }
    sigma::anonymise_options o;
    o.salt = a.salt;
    auto out = sigma::anonymise_snapshot(*s, o);
    if (a.output == "-") {
        if (!sigma::write_snapshot(std::cout, out)) {
            std::cerr << "sigma-extract: writing the anonymised snapshot failed\n";
            return exit_failed;
        }
    } else if (auto w = sigma::save_snapshot(a.output, out); !w) {
        std::cerr << "sigma-extract: " << w.error().message() << '\n';
        return exit_failed;
    }
    if (!a.quiet)
        std::cerr << "anonymised " << out.exchanges.size() << " exchanges of " << a.input
                  << (a.output == "-" ? std::string() : " into " + a.output) << '\n';
    return exit_ok;
}

void add_common(CLI::App* cmd, common_flags& f) {
    cmd->add_option("--config", f.config_file, "OpenMetadata workflow file (YAML or JSON)");
    cmd->add_flag("--demo", f.demo, "Run against the built-in simulated organisation (no credentials needed)");
    cmd->add_option("--host", f.host, "Sigma API base URL, e.g. https://aws-api.sigmacomputing.com "
                                      "(secret from SIGMA_CLIENT_SECRET)");
    cmd->add_option("--client-id", f.client_id, "API client id (or SIGMA_CLIENT_ID)");
    cmd->add_option("--api-version", f.api_version, "API version prefix (default v2)");
    cmd->add_option("--ca-file", f.ca_file, "Trust this CA (PEM) instead of the system store");
    cmd->add_flag("--insecure-skip-tls-verify", f.insecure_skip_tls_verify,
                  "Do not verify the server certificate (debugging only; insecure)");
    cmd->add_option("--concurrency", f.concurrency, "Requests in flight at most (default 8); lowered while Sigma answers 429")
        ->check(CLI::Range(1, 64));
    cmd->add_flag("-q,--quiet", f.quiet, "Only errors");
    cmd->add_flag("-v,--verbose", f.verbose, "Log requests, retries, warnings and filtered entities");
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"sigma-extract: read a Sigma Computing organisation's metadata (workbooks, elements, data "
                 "models, lineage) and write it for OpenMetadata"};
    app.set_version_flag("--version", std::string("sigma-extract ") + sigma::version_string);
    app.require_subcommand(1);

    common_flags common;
    extract_flags ex;
    simulate_flags sim;
    anonymise_flags anon;

    auto* tc = app.add_subcommand("test-connection", "Check the credentials: GetToken, GetWorkbooks, WhoAmI");
    add_common(tc, common);
    auto* ec = app.add_subcommand("extract", "Extract the organisation");
    add_common(ec, common);
    ec->add_option("--record", common.record,
                   "Also write every request and answer to a snapshot FILE, for --replay (the secret and tokens are "
                   "left out; names are not: see anonymise)");
    ec->add_option("--replay", common.replay,
                   "Answer from a snapshot FILE written by --record: no network, no credentials (the connection "
                   "comes from the snapshot unless --config is given)");
    ec->add_option("-o,--output", ex.output, "Output file, - for stdout");
    ec->add_option("--format", ex.format, "openmetadata (JSON Lines of request bodies), inventory (JSON) or dot");
    ec->add_flag("--push", ex.push, "Send the records to the OpenMetadata server of the workflow file");
    ec->add_option("--state", ex.state_file,
                   "Incremental runs: read what the last complete run saw from FILE, re-read only what changed, "
                   "report deletions, and update FILE after a complete run");
    ec->add_flag("--full", ex.full, "With --state: read everything, and replace the state after a complete run");
    ec->add_option("--workbook", ex.workbook_ids, "Only this workbook (by id; repeatable)")->allow_extra_args(false);
    ec->add_option("--path", ex.paths,
                   "Only the workbooks and data models in this workspace or folder, e.g. \"Sales/Quarterly\" "
                   "(repeatable)")
        ->allow_extra_args(false);
    ec->add_flag("--skip-lineage", ex.skip_lineage, "Do not read lineage (includeLineage: false)");
    ec->add_flag("--skip-columns", ex.skip_columns, "Do not read columns (includeColumns: false)");
    ec->add_flag("--skip-data-models", ex.skip_data_models, "Do not read data models (includeDataModels: false)");
    auto* sc = app.add_subcommand("simulate", "Serve a simulated Sigma organisation on 127.0.0.1");
    sc->add_option("--port", sim.port, "Port (default: any free one)");
    sc->add_flag("--tls", sim.tls, "Serve HTTPS with a fresh self-signed CA (written to sigma-simulate-ca.pem)");
    sc->add_option("--latency-ms", sim.latency_ms, "Delay before each answer");
    sc->add_option("--rate-limit", sim.rate_limit, "Requests per second before answering 429");
    sc->add_option("--workbooks", sim.workbooks, "Generate an organisation of this many workbooks (default: the demo)");
    sc->add_option("--seed", sim.seed, "Seed of the generated organisation");

    auto* an = app.add_subcommand("anonymise", "Replace the names, emails, URLs and SQL of a --record snapshot by "
                                               "stable pseudonyms, to attach it to a bug report (it still replays)");
    an->add_option("snapshot", anon.input, "The snapshot written by extract --record")->required();
    an->add_option("-o,--output", anon.output, "The anonymised snapshot, - for stdout");
    an->add_option("--salt", anon.salt,
                   "Mixed into every pseudonym, so that nobody without it can confirm a guessed name (the same salt "
                   "gives the same output)")
        ->envname("SIGMA_ANONYMISE_SALT");
    an->add_flag("-q,--quiet", anon.quiet, "Only errors");

    try {
        app.parse(argc, argv);
    } catch (CLI::ParseError const& e) {
        if (e.get_exit_code() == 0) return app.exit(e); // --help, --version
        std::cerr << "sigma-extract: command line: " << e.what() << "\n(run with --help for the options)\n";
        return exit_failed;
    }
    try {
        if (tc->parsed()) return test_connection(common);
        if (ec->parsed()) return extract(common, ex);
        if (sc->parsed()) return simulate(sim);
        if (an->parsed()) return anonymise(anon);
    } catch (sigma::error const& e) {
        std::cerr << "sigma-extract: " << e.what() << '\n';
        return exit_failed;
    } catch (std::exception const& e) {
        std::cerr << "sigma-extract: unexpected error: " << e.what() << '\n';
        return exit_failed;
    }
    return exit_failed;
}
