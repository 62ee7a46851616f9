// The fault matrix: every fault the loopback server (wire faults) or the fake
// Sigma API (HTTP statuses, token expiry) can play, on every class of
// endpoint, once transient (the first matching request only) and once
// permanent (every matching request), over HTTPS through
// sigma::beast_transport, run the way sigma-extract runs: a token first, then
// the extraction into the OpenMetadata JSON Lines sink. Each cell is checked
// against a fault-free run of the same test (output, report, exit status),
// with bounded requests and time, and everything produced is scanned for the
// client secret and every token the fake issued.
#include "support.hpp"

#include <sigma/client.hpp>
#include <sigma/extract/extractor.hpp>
#include <sigma/json/encode.hpp>
#include <sigma/openmetadata/jsonl_sink.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/manual_clock.hpp>

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace test_fault_matrix {

using sigma::testing::fake_sigma;
using sigma::testing::fault_kind;
using sigma::testing::simulated_org;
using client_type = sigma::basic_client<sigma::beast_transport>;

// Short wire timeouts, so that stalls cost little; the client's own waits
// (back-off, 429 pauses, the gap between mints) pass at once on a manual clock.
constexpr std::chrono::milliseconds request_timeout{400};
constexpr unsigned max_attempts = 3;
constexpr std::chrono::seconds cell_deadline{30}; // a cell still running then has hung

// ---- the endpoint classes ---------------------------------------------------

enum class endpoint_class { org_wide, per_workbook, element_lineage, table_path, auth };

struct class_info {
    endpoint_class id;
    char const* name;
    std::vector<std::string> patterns; // fake_sigma's globs: '*' within one segment
};

std::vector<class_info> const& classes() {
    static std::vector<class_info> const all = {
        {endpoint_class::org_wide,
         "org-wide",
         {"/v2/workbooks", "/v2/files", "/v2.1/members", "/v2.1/workspaces", "/v2/connections", "/v2/dataModels"}},
        {endpoint_class::per_workbook,
         "per-workbook",
         {"/v2/workbooks/*/pages", "/v2/workbooks/*/pages/*/elements", "/v2/workbooks/*/columns",
          "/v2/workbooks/*/queries", "/v2/workbooks/*/sources"}},
        {endpoint_class::element_lineage, "element lineage", {"/v2/workbooks/*/lineage/elements/*"}},
        {endpoint_class::table_path, "table path", {"/v2/connections/paths/*"}},
        {endpoint_class::auth, "auth", {"/v2/auth/token"}},
    };
    return all;
}

// The same glob as a regex for the server's fault rules.
std::string glob_regex(std::string_view glob) {
    std::string out;
    for (char c : glob) {
        if (c == '*') out += "[^/]*";
        else if (c == '.') out += "\\.";
        else out += c;
    }
    return out;
}

bool matches_class(class_info const& c, std::string_view path) {
    for (auto const& p : c.patterns)
        if (sigma::testing::detail::path_glob_match(p, path)) return true;
    return false;
}

// ---- the faults ---------------------------------------------------------------

enum class fault_source { wire, http, expiry };

struct fault_row {
    std::string name;
    fault_source source = fault_source::wire;
    fault_kind wire = fault_kind::close_before_answer;
    unsigned status = 0;
    std::optional<std::string> retry_after;
    bool lineage_only = false;   // a soft status: only on lineage endpoints
    bool transient_only = false; // tokens expiring on every request are the 401 row
};

std::vector<fault_row> const& rows() {
    static std::vector<fault_row> const all = [] {
        std::vector<fault_row> r;
        auto wire = [&](char const* name, fault_kind k) {
            fault_row f;
            f.name = name;
            f.wire = k;
            r.push_back(f);
        };
        auto http = [&](char const* name, unsigned status, std::optional<std::string> ra = std::nullopt,
                        bool lineage_only = false) {
            fault_row f;
            f.name = name;
            f.source = fault_source::http;
            f.status = status;
            f.retry_after = std::move(ra);
            f.lineage_only = lineage_only;
            r.push_back(f);
        };
        fault_row expiry;
        expiry.name = "401 (token expired)";
        expiry.source = fault_source::expiry;
        expiry.transient_only = true;
        wire("close before answer", fault_kind::close_before_answer);
        wire("close mid-body", fault_kind::close_mid_body);
        wire("truncated body", fault_kind::truncated_body);
        wire("malformed JSON", fault_kind::malformed_json);
        wire("HTML error page", fault_kind::html_error_page);
        wire("stall", fault_kind::stall);
        wire("wrong Content-Length", fault_kind::wrong_content_length);
        http("429 + Retry-After", 429, "1");
        http("429, no Retry-After", 429);
        http("500", 500);
        http("502", 502);
        http("503", 503);
        http("504", 504);
        http("401 (scripted)", 401);
        r.push_back(expiry);
        http("409", 409);
        http("400 (soft)", 400, std::nullopt, true);
        http("403 (soft)", 403, std::nullopt, true);
        return r;
    }();
    return all;
}

// ---- what a cell should give --------------------------------------------------

enum class verdict {
    not_applicable,
    same,       // the fault-free output exactly, exit 0
    reported,   // report.failures name the entities, the rest is there, exit 1
    incomplete, // report.complete false with incompleteReason, exit 2
    run_failed, // authentication failed: no run, exit 2
    soft,       // a soft status: no failure, that element's lineage is empty, exit 0
    fallback,   // a table resolved through /files instead (a warning), exit 0
    unexpected, // anything else (an error, a silent difference)
    hung,
};

char const* name_of(verdict v) {
    switch (v) {
    case verdict::not_applicable: return "-";
    case verdict::same: return "same";
    case verdict::reported: return "reported";
    case verdict::incomplete: return "incomplete";
    case verdict::run_failed: return "run failed";
    case verdict::soft: return "soft";
    case verdict::fallback: return "fallback";
    case verdict::unexpected: return "UNEXPECTED";
    case verdict::hung: return "HUNG";
    }
    return "?";
}

verdict expected(fault_row const& r, endpoint_class c, bool permanent) {
    if (r.lineage_only && c != endpoint_class::element_lineage) return verdict::not_applicable;
    if (permanent && r.transient_only) return verdict::not_applicable;
    if (r.source == fault_source::expiry && c == endpoint_class::auth) return verdict::not_applicable; // nothing to expire
    // Element lineage reads 400/403/409/500 as "no lineage", every time.
    if (r.source == fault_source::http && c == endpoint_class::element_lineage &&
        sigma::api::element_lineage_soft.contains(r.status))
        return verdict::soft;
    bool recovers = !permanent;
    if (r.source == fault_source::http) {
        if (r.status == 401) recovers = recovers && c != endpoint_class::auth; // the token endpoint's 401: bad credentials
        else if (!sigma::is_retryable_status(r.status)) recovers = false;     // 409, 500: never retried
    }
    if (recovers) return verdict::same;
    switch (c) {
    case endpoint_class::org_wide: return verdict::incomplete;
    case endpoint_class::per_workbook: return verdict::reported;
    case endpoint_class::element_lineage: return verdict::reported;
    case endpoint_class::table_path: return verdict::fallback;
    case endpoint_class::auth: return verdict::run_failed;
    }
    return verdict::unexpected;
}

// ---- one run, the way the tool runs -------------------------------------------

struct capture {
    std::mutex m;
    std::vector<std::string> tokens; // every access and refresh token the fake issued
    bool expired = false;
};

struct cell_setup {
    std::vector<sigma::testing::fault_rule> wire;
    std::vector<std::pair<std::string, sigma::testing::fault>> scripted;
    std::vector<std::string> expire_on; // expire every token at the first request matching one of these
};

template <class A, class B>
struct tee_sink {
    A& a;
    B& b;
    void on_workspace(sigma::extract::workspace_info const& w) {
        a.on_workspace(w);
        b.on_workspace(w);
    }
    void on_connection(sigma::api::connection const& c) {
        a.on_connection(c);
        b.on_connection(c);
    }
    void on_data_model(sigma::extract::data_model_info&& d) {
        auto copy = d;
        a.on_data_model(std::move(copy));
        b.on_data_model(std::move(d));
    }
    void on_workbook(sigma::extract::workbook_info&& w) {
        auto copy = w;
        a.on_workbook(std::move(copy));
        b.on_workbook(std::move(w));
    }
    void on_finish(sigma::extract::report const& r) {
        a.on_finish(r);
        b.on_finish(r);
    }
};

struct outcome {
    bool hung = false;
    std::optional<std::string> auth_error;
    std::optional<std::string> extract_error;
    std::optional<std::string> exception;
    sigma::extract::report rep;
    sigma::extract::inventory inv;
    std::vector<std::string> records; // JSON Lines, the port normalised
    int exit_status = sigma::extract::exit_run_failed;
    std::uint64_t client_requests = 0, server_requests = 0, soft_statuses = 0;
    std::vector<std::string> faulted_targets; // as the fake saw them (scripted faults)
    std::vector<std::string> tokens;
    std::string produced; // every text the run produced, for the secret scan
    double seconds = 0;
};

struct flow_result {
    std::optional<std::string> auth_error;
    std::optional<std::string> extract_error;
    sigma::extract::report rep;
};

struct cell_env {
    fake_sigma api;
    std::shared_ptr<capture> cap = std::make_shared<capture>();
    sigma::testing::http_server server;
    boost::asio::io_context ioc;
    sigma::testing::manual_clock clock;
    std::string log;
    client_type client;
    std::ostringstream out;
    sigma::openmetadata::jsonl_sink jsonl;
    sigma::extract::collecting_sink collected;

    cell_env(simulated_org const& org, cell_setup const& s)
        : api(org), server(handler(api, cap, s.expire_on), server_options(s)), client(config(), transport(), options()),
          jsonl(out, mapping(), config()) {
        for (auto const& [pattern, f] : s.scripted) api.script(pattern, f);
    }

    static sigma::testing::http_server::handler_type handler(fake_sigma api, std::shared_ptr<capture> cap,
                                                             std::vector<std::string> expire_on) {
        return [api, cap, expire_on](sigma::http_request const& r) mutable {
            std::string_view const path = std::string_view(r.target).substr(0, r.target.find('?'));
            if (!expire_on.empty()) {
                std::lock_guard lock(cap->m);
                for (auto const& p : expire_on)
                    if (!cap->expired && sigma::testing::detail::path_glob_match(p, path)) {
                        cap->expired = true;
                        api.expire_tokens();
                    }
            }
            sigma::http_response res = api(r);
            if (path.ends_with("/auth/token") && res.status == 200) {
                boost::system::error_code ec;
                auto v = boost::json::parse(res.body, ec);
                std::lock_guard lock(cap->m);
                if (!ec && v.is_object())
                    for (char const* key : {"access_token", "refresh_token"})
                        if (auto const* t = v.as_object().if_contains(key); t && t->is_string())
                            cap->tokens.emplace_back(t->as_string());
            }
            return res;
        };
    }
    static sigma::testing::http_server_options server_options(cell_setup const& s) {
        sigma::testing::http_server_options o;
        o.faults = s.wire;
        return o;
    }
    sigma::config config() const {
        auto c = api.config();
        c.hostPort = server.base_url();
        return c;
    }
    sigma::beast_transport transport() {
        auto t = test_net_support::trusting(server);
        t.request_timeout = request_timeout;
        t.connect_timeout = std::chrono::milliseconds(2000);
        t.handshake_timeout = std::chrono::milliseconds(2000);
        return sigma::beast_transport(ioc.get_executor(), t);
    }
    sigma::client_options options() {
        sigma::client_options o;
        o.clock = clock.source();
        o.retry.max_attempts = max_attempts;
        o.log = [this](sigma::log_level l, std::string_view m) {
            log += sigma::to_string(l);
            log += ' ';
            log += m;
            log += '\n';
        };
        return o;
    }
    static sigma::openmetadata::mapping mapping() {
        sigma::openmetadata::mapping_options mo;
        mo.serviceName = "sigma_demo";
        mo.dbServicePrefix = sigma::extract::options{}.dbServicePrefix;
        return sigma::openmetadata::mapping::create(mo).value();
    }

    boost::asio::awaitable<flow_result> flow() {
        flow_result f;
        auto a = co_await client.async_authenticate();
        if (!a) {
            f.auth_error = a.error().message();
            co_return f;
        }
        tee_sink<sigma::openmetadata::jsonl_sink, sigma::extract::collecting_sink> both{jsonl, collected};
        sigma::extract::options const opts; // a named object: GCC 12 mishandles temporaries in co_await
        auto r = co_await sigma::extract::async_extract(client, opts, both);
        if (!r) f.extract_error = r.error().message();
        else f.rep = std::move(*r);
        co_return f;
    }
};

std::vector<std::string> lines_of(std::string const& text, std::string const& base_url) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        for (auto pos = line.find(base_url); pos != std::string::npos; pos = line.find(base_url, pos))
            line.replace(pos, base_url.size(), "https://127.0.0.1:PORT");
        out.push_back(std::move(line));
    }
    return out;
}

outcome run_cell(simulated_org const& org, cell_setup const& s) {
    outcome o;
    auto const start = std::chrono::steady_clock::now();
    auto env = std::make_unique<cell_env>(org, s);
    std::optional<flow_result> done;
    std::exception_ptr failure;
    bool finished = false;
    boost::asio::co_spawn(env->ioc, env->flow(), [&](std::exception_ptr e, flow_result f) {
        finished = true;
        failure = e;
        if (!e) done.emplace(std::move(f));
    });
    while (!finished && std::chrono::steady_clock::now() - start < cell_deadline)
        env->ioc.run_one_for(std::chrono::milliseconds(100));
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!finished) {
        // Left running: destroying a client in the middle of its coroutines
        // is not what this test is about.
        o.hung = true;
        (void)env.release();
        return o;
    }
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (std::exception const& e) {
            o.exception = e.what();
        } catch (...) {
            o.exception = "unknown exception";
        }
    }
    if (done) {
        o.auth_error = done->auth_error;
        o.extract_error = done->extract_error;
        o.rep = done->rep;
    }
    o.inv = env->collected.inv;
    o.records = lines_of(env->out.str(), env->server.base_url());
    if (o.exception || o.auth_error || o.extract_error) o.exit_status = sigma::extract::exit_run_failed;
    else o.exit_status = sigma::extract::exit_status(o.rep);
    o.client_requests = env->client.stats().requests;
    o.soft_statuses = env->client.stats().soft_statuses;
    o.server_requests = env->server.stats().requests;
    for (auto const& r : env->api.requests())
        if (r.faulted) o.faulted_targets.push_back(r.target);
    {
        std::lock_guard lock(env->cap->m);
        o.tokens = env->cap->tokens;
    }
    o.produced = env->log;
    for (auto const* t : {&o.auth_error, &o.extract_error, &o.exception})
        if (*t) o.produced += **t + "\n";
    o.produced += sigma::json::encode(o.rep) + "\n";
    o.produced += sigma::json::encode(o.inv) + "\n";
    o.produced += env->out.str();
    return o;
}

// ---- comparing with the fault-free run ----------------------------------------

std::string first_word_after(std::string const& s, std::string_view prefix) {
    if (!s.starts_with(prefix)) return {};
    auto rest = s.substr(prefix.size());
    return rest.substr(0, rest.find_first_of(" :"));
}

void add_workbook_ids(sigma::extract::workbook_info const& w, std::set<std::string>& ids) {
    ids.insert(w.workbook.workbookId);
    if (!w.workbook.url.empty()) ids.insert(w.workbook.url);
    for (auto const& p : w.pages)
        for (auto const& e : p.elements) ids.insert(e.elementId);
}

void add_table_users(std::string inode, sigma::extract::inventory const& golden, std::set<std::string>& ids) {
    std::string const bare = inode.starts_with("inode-") ? inode.substr(6) : inode;
    auto reads = [&](std::vector<sigma::extract::lineage_source> const& sources) {
        for (auto const& s : sources)
            if (s.id == inode || s.id == bare || s.id == "inode-" + bare) return true;
        return false;
    };
    for (auto const& w : golden.workbooks)
        for (auto const& p : w.pages)
            for (auto const& e : p.elements)
                if (reads(e.sources)) ids.insert(e.elementId);
    for (auto const& d : golden.dataModels)
        for (auto const& e : d.elements)
            if (reads(e.sources)) ids.insert(d.dataModel.dataModelId);
}

// The ids (workbooks, their elements and URL, data models) whose records a
// cell may change: the entities its report names, the tables it resolved
// another way, the elements whose lineage came back soft.
std::set<std::string> affected_ids(outcome const& o, sigma::extract::inventory const& golden) {
    std::set<std::string> ids;
    for (auto const& f : o.rep.failures) {
        if (auto pos = f.entity.find(" element "); f.entity.starts_with("workbook ") && pos != std::string::npos) {
            ids.insert(f.entity.substr(pos + 9));
        } else if (auto id = first_word_after(f.entity, "workbook "); !id.empty()) {
            for (auto const& w : golden.workbooks)
                if (w.workbook.workbookId == id) add_workbook_ids(w, ids);
            ids.insert(id);
        } else if (auto dm = first_word_after(f.entity, "data model "); !dm.empty()) {
            ids.insert(dm);
        } else if (auto t = first_word_after(f.entity, "table "); !t.empty()) {
            add_table_users(t, golden, ids);
        } else if (auto ws = first_word_after(f.entity, "workspace "); !ws.empty()) {
            for (auto const& w : golden.workbooks)
                if (w.workspaceId == ws) add_workbook_ids(w, ids);
        } else {
            ids.insert(""); // unknown: everything
        }
    }
    for (auto const& w : o.rep.warnings)
        if (auto t = first_word_after(w, "table "); !t.empty()) add_table_users(t, golden, ids);
    for (auto const& target : o.faulted_targets)
        if (auto pos = target.find("/lineage/elements/"); pos != std::string::npos) {
            std::string id = target.substr(pos + 18);
            ids.insert(id.substr(0, id.find('?')));
        }
    return ids;
}

bool mentions(std::string const& record, std::set<std::string> const& ids) {
    for (auto const& id : ids)
        if (id.empty() || record.find(id) != std::string::npos) return true;
    return false;
}

// Tags and their classification are written before the first entity that
// uses them: for such a record, what an output record holds when it is needed.
std::optional<std::string> needed_when(std::string const& record) {
    boost::system::error_code ec;
    auto v = boost::json::parse(record, ec);
    if (ec || !v.is_object()) return std::nullopt;
    auto const* path = v.as_object().if_contains("path");
    auto const* body = v.as_object().if_contains("body");
    if (!path || !path->is_string() || !body || !body->is_object()) return std::nullopt;
    if (path->as_string() == "/api/v1/classifications") return std::string(R"("path":"/api/v1/tags")");
    auto const* name = body->as_object().if_contains("name");
    auto const* cls = body->as_object().if_contains("classification");
    if (path->as_string() == "/api/v1/tags" && name && name->is_string() && cls && cls->is_string())
        return R"("tagFQN":")" + std::string(cls->as_string()) + "." + std::string(name->as_string()) + "\"";
    return std::nullopt;
}

// The golden records that no affected entity touches are all there, and every
// record that is not golden belongs to an affected entity. Empty: fine.
std::string compare_unaffected(outcome const& o, outcome const& golden) {
    auto const ids = affected_ids(o, golden.inv);
    std::set<std::string> have(o.records.begin(), o.records.end()), gold(golden.records.begin(), golden.records.end());
    auto used = [&](std::string const& text) {
        for (auto const& r : o.records)
            if (r.find(text) != std::string::npos) return true;
        return false;
    };
    std::string problems;
    for (auto const& r : golden.records) {
        if (mentions(r, ids) || have.count(r)) continue;
        if (auto need = needed_when(r); need && !used(*need)) continue; // no entity left uses it
        problems += "missing: " + r.substr(0, 200) + "\n";
    }
    for (auto const& r : o.records)
        if (!gold.count(r) && !mentions(r, ids)) problems += "not golden: " + r.substr(0, 200) + "\n";
    return problems;
}

bool endpoint_in_class(std::string const& endpoint, class_info const& c) {
    auto space = endpoint.find(' ');
    std::string path = space == std::string::npos ? endpoint : endpoint.substr(space + 1);
    return matches_class(c, path.substr(0, path.find('?')));
}

verdict classify(outcome const& o, outcome const& golden) {
    if (o.hung) return verdict::hung;
    if (o.exception || o.extract_error) return verdict::unexpected;
    if (o.auth_error) return verdict::run_failed;
    if (!o.rep.complete) return verdict::incomplete;
    if (!o.rep.failures.empty()) return verdict::reported;
    if (o.records == golden.records && o.rep.warnings == golden.rep.warnings) return verdict::same;
    for (auto const& w : o.rep.warnings)
        if (w.find("using the /files path") != std::string::npos) return verdict::fallback;
    if (o.soft_statuses > golden.soft_statuses && o.rep.warnings == golden.rep.warnings) return verdict::soft;
    return verdict::unexpected;
}

std::string label(verdict v, outcome const& o) {
    if (v == verdict::not_applicable) return "-";
    std::string s = name_of(v);
    if (v == verdict::reported) s += " " + std::to_string(o.rep.failures.size());
    if (v != verdict::hung) s += " /" + std::to_string(o.exit_status);
    return s;
}

std::string describe(outcome const& o) {
    std::string s;
    if (o.exception) s += "exception: " + *o.exception + "\n";
    if (o.auth_error) s += "authentication: " + *o.auth_error + "\n";
    if (o.extract_error) s += "extraction: " + *o.extract_error + "\n";
    s += "complete " + std::string(o.rep.complete ? "yes" : "no") + " " + o.rep.incompleteReason + "\n";
    for (auto const& f : o.rep.failures) s += "failure: " + f.entity + " | " + f.endpoint + " | " + f.error + "\n";
    for (auto const& w : o.rep.warnings) s += "warning: " + w + "\n";
    s += "requests " + std::to_string(o.client_requests) + " (server " + std::to_string(o.server_requests) + "), " +
         std::to_string(o.records.size()) + " records\n";
    return s;
}

cell_setup setup_for(fault_row const& r, class_info const& c, bool permanent) {
    cell_setup s;
    for (auto const& p : c.patterns) {
        switch (r.source) {
        case fault_source::wire:
            s.wire.push_back({r.wire, glob_regex(p), true, permanent ? 0u : 1u, 1.0});
            break;
        case fault_source::http: {
            auto f = sigma::testing::fault::http(r.status, r.retry_after);
            if (permanent) f.always();
            s.scripted.emplace_back(p, f);
            break;
        }
        case fault_source::expiry: s.expire_on.push_back(p); break;
        }
    }
    return s;
}

} // namespace test_fault_matrix

TEST_CASE("fault matrix: every fault on every endpoint class, transient and permanent, over HTTPS") {
    using namespace test_fault_matrix;
    auto const t0 = std::chrono::steady_clock::now();
    simulated_org const org = simulated_org::demo();
    std::string const secret = org.clientSecret;
    REQUIRE(secret.size() >= 8);

    outcome const golden = run_cell(org, {});
    INFO(describe(golden));
    REQUIRE(classify(golden, golden) == verdict::same);
    REQUIRE(golden.rep.complete);
    REQUIRE(golden.rep.failures.empty());
    REQUIRE(golden.exit_status == sigma::extract::exit_clean);
    REQUIRE(golden.records.size() > 10);
    REQUIRE(golden.inv.workbooks.size() >= 3);
    REQUIRE_FALSE(golden.tokens.empty());

    std::vector<std::string> tokens = golden.tokens;
    std::vector<std::pair<std::string, std::string>> produced; // cell, text
    produced.emplace_back("fault-free", golden.produced);

    // fault -> class -> {transient, permanent}
    std::vector<std::vector<std::array<std::string, 2>>> table(rows().size(),
                                                               std::vector<std::array<std::string, 2>>(classes().size()));
    std::size_t cells = 0;
    double slowest = 0;
    std::string slowest_cell;
    for (std::size_t ri = 0; ri < rows().size(); ++ri) {
        auto const& row = rows()[ri];
        for (std::size_t ci = 0; ci < classes().size(); ++ci) {
            auto const& cls = classes()[ci];
            for (int mode = 0; mode < 2; ++mode) {
                bool const permanent = mode == 1;
                verdict const want = expected(row, cls.id, permanent);
                if (want == verdict::not_applicable) {
                    table[ri][ci][mode] = "-";
                    continue;
                }
                std::string const cell =
                    row.name + " x " + cls.name + (permanent ? " (permanent)" : " (transient)");
                outcome const o = run_cell(org, setup_for(row, cls, permanent));
                ++cells;
                if (o.seconds > slowest) {
                    slowest = o.seconds;
                    slowest_cell = cell;
                }
                verdict const got = classify(o, golden);
                table[ri][ci][mode] = label(got, o);
                INFO(cell);
                INFO(describe(o));
                REQUIRE_FALSE(o.hung);
                CHECK_FALSE(o.exception.has_value());
                CHECK(name_of(got) == std::string(name_of(want)));
                CHECK(o.seconds < 15.0);
                // Retries are bounded: the attempts per request, the transport's
                // one retry of a kept-alive connection.
                CHECK(o.client_requests <= golden.client_requests * max_attempts);
                CHECK(o.server_requests <= 2 * o.client_requests + 2);

                switch (want) {
                case verdict::same:
                    CHECK(o.records == golden.records);
                    CHECK(o.rep.complete);
                    CHECK(o.rep.failures.empty());
                    CHECK(o.exit_status == sigma::extract::exit_clean);
                    break;
                case verdict::reported: {
                    CHECK(o.rep.complete);
                    CHECK(o.exit_status == sigma::extract::exit_entity_failures);
                    REQUIRE_FALSE(o.rep.failures.empty());
                    for (auto const& f : o.rep.failures) {
                        CHECK_MESSAGE(endpoint_in_class(f.endpoint, cls), f.endpoint);
                        CHECK_FALSE(f.entity.empty());
                        CHECK_FALSE(f.error.empty());
                    }
                    auto problems = compare_unaffected(o, golden);
                    CHECK_MESSAGE(problems.empty(), problems);
                    break;
                }
                case verdict::incomplete: {
                    CHECK_FALSE(o.rep.complete);
                    CHECK_FALSE(o.rep.incompleteReason.empty());
                    CHECK(o.exit_status == sigma::extract::exit_run_failed);
                    bool named = false;
                    for (auto const& f : o.rep.failures)
                        named = named || (f.entity.starts_with("organisation: ") && endpoint_in_class(f.endpoint, cls) &&
                                          !f.error.empty());
                    CHECK(named);
                    REQUIRE_FALSE(o.records.empty());
                    CHECK(o.records.front() == golden.records.front()); // the service, whatever happened
                    break;
                }
                case verdict::run_failed:
                    CHECK(o.exit_status == sigma::extract::exit_run_failed);
                    REQUIRE(o.auth_error.has_value());
                    CHECK(o.auth_error->find("/auth/token") != std::string::npos);
                    break;
                case verdict::soft:
                case verdict::fallback: {
                    CHECK(o.rep.complete);
                    CHECK(o.rep.failures.empty());
                    CHECK(o.exit_status == sigma::extract::exit_clean);
                    auto problems = compare_unaffected(o, golden);
                    CHECK_MESSAGE(problems.empty(), problems);
                    if (want == verdict::soft) {
                        std::set<std::string> gold(golden.records.begin(), golden.records.end());
                        for (auto const& r : o.records) CHECK_MESSAGE(gold.count(r) == 1, "not golden: " << r);
                    }
                    break;
                }
                default: break;
                }
                tokens.insert(tokens.end(), o.tokens.begin(), o.tokens.end());
                produced.emplace_back(cell, o.produced);
            }
        }
    }

    // Secret hygiene: nothing any cell produced (logs at every level, errors,
    // the report, the inventory, the records) holds the secret or a token.
    std::set<std::string> const distinct(tokens.begin(), tokens.end());
    CHECK(distinct.size() >= 2);
    for (auto const& entry : produced) {
        auto const& [cell, text] = entry;
        INFO(entry.first); // not `cell`: clang 14 cannot capture a structured binding in INFO's lambda
        CHECK_MESSAGE(text.find(secret) == std::string::npos, "the client secret appears");
        for (auto const& t : distinct) CHECK_MESSAGE(text.find(t) == std::string::npos, "token " << t << " appears");
    }

    // The matrix.
    auto const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::ostringstream m;
    auto pad = [](std::string s, std::size_t w) {
        if (s.size() < w) s.append(w - s.size(), ' ');
        return s;
    };
    std::size_t const first = 22, col = 14;
    m << "\nfault matrix (outcome /exit status; transient | permanent)\n" << pad("", first);
    for (auto const& c : classes()) m << "| " << pad(c.name, 2 * col + 1);
    m << "\n";
    for (std::size_t ri = 0; ri < rows().size(); ++ri) {
        m << pad(rows()[ri].name, first);
        for (std::size_t ci = 0; ci < classes().size(); ++ci)
            m << "| " << pad(table[ri][ci][0], col) << pad(table[ri][ci][1], col + 1);
        m << "\n";
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "%zu cells plus the fault-free run in %.1f s; slowest cell %.2f s (", cells, seconds,
                  slowest);
    m << buf << slowest_cell << "); fault-free run: " << golden.client_requests << " requests, "
      << golden.records.size() << " records\n";
    std::cout << m.str() << std::flush;
    WARN(seconds < 60.0); // a loaded machine may be slower; the cells' own bounds are checked above
}
