// SPDX-License-Identifier: MIT
// sigma-bench: the workloads (everything that runs sigma-cpp). One translation
// unit, because each one that includes Asio and Beast costs minutes to build.
#ifdef SIGMA_BOOST_JSON_HEADER_ONLY
#define SIGMA_IMPLEMENTATION // this program compiles Boost.JSON and Boost.URL itself
#endif
#include "bench.hpp"

#include <sigma/testing.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace bench {

namespace {

using sigma::testing::fake_sigma;
using sigma::testing::simulated_org;

// ---- the organisation and what an extraction of it yields ---------------------

simulated_org make_org(org_size const& s, unsigned archived_percent = 10) {
    sigma::testing::generator_options g;
    g.seed = s.seed;
    g.workbooks = s.workbooks;
    g.pages_per_workbook = s.pages;
    g.elements_per_page = s.elements;
    g.archived_percent = archived_percent;
    return simulated_org::generate(g);
}

sigma::extract::options extract_options(org_size const& s) {
    sigma::extract::options o;
    o.includeLineage = s.lineage;
    return o;
}

// What a run delivered to its sink, counted: two runs lost nothing against
// each other when every count is equal.
struct tally {
    std::uint64_t workspaces = 0, connections = 0, data_models = 0, data_model_elements = 0, workbooks = 0,
                  pages = 0, elements = 0, columns = 0, lineage_sources = 0, column_edges = 0;

    // Entities (of any kind) that `ref` has and this run has not.
    [[nodiscard]] std::uint64_t lost_against(tally const& ref) const {
        auto gap = [](std::uint64_t want, std::uint64_t got) { return want > got ? want - got : 0; };
        return gap(ref.workspaces, workspaces) + gap(ref.connections, connections) +
               gap(ref.data_models, data_models) + gap(ref.data_model_elements, data_model_elements) +
               gap(ref.workbooks, workbooks) + gap(ref.pages, pages) + gap(ref.elements, elements) +
               gap(ref.columns, columns) + gap(ref.lineage_sources, lineage_sources) +
               gap(ref.column_edges, column_edges);
    }
    [[nodiscard]] std::uint64_t entities() const {
        return workspaces + connections + data_models + data_model_elements + workbooks + pages + elements;
    }
    bool operator==(tally const&) const = default;
};

struct tally_sink {
    tally t;
    void on_workspace(sigma::extract::workspace_info const&) { ++t.workspaces; }
    void on_connection(sigma::api::connection const&) { ++t.connections; }
    void on_data_model(sigma::extract::data_model_info&& dm) {
        ++t.data_models;
        t.data_model_elements += dm.elements.size();
    }
    void on_workbook(sigma::extract::workbook_info&& wb) {
        ++t.workbooks;
        t.pages += wb.pages.size();
        for (auto const& p : wb.pages) {
            t.elements += p.elements.size();
            for (auto const& e : p.elements) {
                t.columns += e.columns.size();
                t.lineage_sources += e.sources.size();
                t.column_edges += e.columnLineage.size();
            }
        }
    }
    void on_finish(sigma::extract::report const&) {}
};
static_assert(sigma::extract::sink<tally_sink>);

boost::json::object to_json(tally const& t) {
    return {{"workspaces", t.workspaces},       {"connections", t.connections},
            {"data_models", t.data_models},     {"data_model_elements", t.data_model_elements},
            {"workbooks", t.workbooks},         {"pages", t.pages},
            {"elements", t.elements},           {"columns", t.columns},
            {"lineage_sources", t.lineage_sources}, {"column_edges", t.column_edges}};
}

// ---- features other engineers are adding (used when they exist) ---------------

template <class O>
bool set_concurrency(O& o, std::size_t n) {
    if constexpr (requires { o.max_concurrency = n; }) {
        if (n != 0) o.max_concurrency = n;
        return true;
    } else {
        (void)o;
        (void)n;
        return false;
    }
}

template <class O>
std::optional<std::uint64_t> concurrency_of(O const& o) {
    if constexpr (requires { o.max_concurrency; })
        return static_cast<std::uint64_t>(o.max_concurrency);
    else
        return std::nullopt;
}

template <class X>
std::int64_t as_integer(X const& x) {
    if constexpr (requires { x.count(); })
        return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(x).count());
    else
        return static_cast<std::int64_t>(x);
}

// Every client_stats member that exists, into the JSON object; the ones the
// AIMD work adds print only once they are there.
template <class S>
boost::json::object stats_json(S const& s) {
    boost::json::object o;
    o["requests"] = s.requests;
    o["retries"] = s.retries;
    o["rate_limited"] = s.rate_limited;
    o["tokens_minted"] = s.tokens_minted;
    o["waited_ms"] = s.waited.count();
    if constexpr (requires { s.peak_in_flight; }) o["peak_in_flight"] = as_integer(s.peak_in_flight);
    if constexpr (requires { s.pauses; }) o["pauses"] = as_integer(s.pauses);
    if constexpr (requires { s.concurrency_min; }) o["concurrency_min"] = as_integer(s.concurrency_min);
    if constexpr (requires { s.paused; }) o["paused_ms"] = as_integer(s.paused);
    if constexpr (requires { s.concurrency_history.size(); }) {
        // [ms since the first request, window, pace (requests/s, 0: unpaced)] per change.
        boost::json::array h;
        for (auto const& point : s.concurrency_history) {
            boost::json::array p;
            if constexpr (requires { point.at; point.window; }) {
                p.push_back(as_integer(point.at));
                p.push_back(as_integer(point.window));
                if constexpr (requires { point.pace; }) p.push_back(static_cast<double>(point.pace));
            } else {
                auto const& [at, limit] = point;
                p.push_back(as_integer(at));
                p.push_back(as_integer(limit));
            }
            h.push_back(std::move(p));
        }
        o["concurrency_history"] = std::move(h);
    }
    return o;
}

// ---- transports for the in-memory workloads -------------------------------------

std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = 14695981039346656037ull) {
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

std::uint64_t request_key(sigma::http_request const& r) {
    return fnv1a64(r.target, fnv1a64(sigma::to_string(r.method)));
}

// One recorded answer; bodies live in a blob (memory) or a file (disk).
struct recorded {
    std::uint64_t key = 0;
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    std::uint32_t status = 0;
};
static_assert(std::is_trivially_copyable_v<recorded>);

// Responses by request, recorded from one extraction and served again to the
// next ones, so that a measurement sees the client and the extraction alone.
class response_store {
public:
    // In memory.
    response_store() = default;

    // On disk: `path` holds the bodies, `path + ".idx"` the index (sorted by
    // finish(), in the recording process). The replaying process reads both
    // with pread and holds neither: its peak RSS is the extraction's own.
    static std::unique_ptr<response_store> create_file(std::string const& path) {
        auto s = std::make_unique<response_store>();
        s->bodies_ = std::fopen(path.c_str(), "wb");
        s->index_path_ = path + ".idx";
        s->index_file_ = std::fopen(s->index_path_.c_str(), "wb");
        if (!s->bodies_ || !s->index_file_) throw std::runtime_error("cannot create " + path);
        return s;
    }
    static std::unique_ptr<response_store> open_file(std::string const& path) {
        auto s = std::make_unique<response_store>();
        s->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        s->index_fd_ = ::open((path + ".idx").c_str(), O_RDONLY | O_CLOEXEC);
        if (s->fd_ < 0 || s->index_fd_ < 0) throw std::runtime_error("cannot open " + path);
        struct stat st {};
        ::fstat(s->index_fd_, &st);
        s->count_ = static_cast<std::size_t>(st.st_size) / sizeof(recorded);
        return s;
    }
    response_store(response_store const&) = delete;
    response_store& operator=(response_store const&) = delete;
    ~response_store() {
        if (bodies_) std::fclose(bodies_);
        if (index_file_) std::fclose(index_file_);
        if (fd_ >= 0) ::close(fd_);
        if (index_fd_ >= 0) ::close(index_fd_);
    }

    void add(sigma::http_request const& req, sigma::http_response const& res) {
        recorded r{request_key(req), size_, static_cast<std::uint32_t>(res.body.size()), res.status};
        size_ += res.body.size();
        ++count_;
        if (bodies_) {
            std::fwrite(res.body.data(), 1, res.body.size(), bodies_);
            std::fwrite(&r, sizeof r, 1, index_file_);
        } else {
            blob_ += res.body;
            index_.push_back(r);
        }
    }
    // Sorts the index for look-ups; closes the files being written (and
    // sorts the index file in place).
    void finish() {
        auto by_key = [](recorded const& a, recorded const& b) { return a.key < b.key; };
        if (!bodies_) {
            std::stable_sort(index_.begin(), index_.end(), by_key);
            return;
        }
        std::fclose(std::exchange(bodies_, nullptr));
        std::fclose(std::exchange(index_file_, nullptr));
        std::vector<recorded> all(count_);
        std::FILE* in = std::fopen(index_path_.c_str(), "r+b");
        if (!in || std::fread(all.data(), sizeof(recorded), all.size(), in) != all.size())
            throw std::runtime_error("cannot read back the response index");
        std::stable_sort(all.begin(), all.end(), by_key);
        std::rewind(in);
        if (std::fwrite(all.data(), sizeof(recorded), all.size(), in) != all.size())
            throw std::runtime_error("cannot write the response index");
        std::fclose(in);
    }

    [[nodiscard]] std::optional<sigma::http_response> find(sigma::http_request const& req) const {
        auto key = request_key(req);
        recorded found{};
        if (index_fd_ >= 0) {
            // Binary search over the sorted index file: the first entry of `key`.
            std::size_t lo = 0, hi = count_;
            auto at = [&](std::size_t i) {
                recorded r{};
                if (::pread(index_fd_, &r, sizeof r, static_cast<off_t>(i * sizeof r)) != static_cast<ssize_t>(sizeof r))
                    throw std::runtime_error("cannot read the response index");
                return r;
            };
            while (lo < hi) {
                std::size_t mid = lo + (hi - lo) / 2;
                if (at(mid).key < key) lo = mid + 1;
                else hi = mid;
            }
            if (lo == count_ || (found = at(lo)).key != key) return std::nullopt;
        } else {
            auto it = std::lower_bound(index_.begin(), index_.end(), key,
                                       [](recorded const& a, std::uint64_t k) { return a.key < k; });
            if (it == index_.end() || it->key != key) return std::nullopt;
            found = *it;
        }
        auto const* it = &found;
        sigma::http_response r;
        r.status = it->status;
        r.headers.push_back({"Content-Type", "application/json"});
        if (fd_ >= 0) {
            r.body.resize(it->length);
            if (::pread(fd_, r.body.data(), it->length, static_cast<off_t>(it->offset)) != static_cast<ssize_t>(it->length))
                return std::nullopt;
        } else {
            r.body.assign(blob_, it->offset, it->length);
        }
        return r;
    }

    // Every body, for parsing alone (in-memory stores).
    template <class F>
    void each_body(F&& f) const {
        for (auto const& r : index_) f(std::string_view(blob_).substr(r.offset, r.length));
    }

    [[nodiscard]] std::size_t count() const noexcept { return count_ ? count_ : index_.size(); }
    [[nodiscard]] std::uint64_t bytes() const noexcept { return size_; }
    [[nodiscard]] std::size_t index_bytes() const noexcept { return index_.capacity() * sizeof(recorded); }

private:
    std::vector<recorded> index_;
    std::string blob_;
    std::uint64_t size_ = 0;
    std::size_t count_ = 0;
    std::FILE* bodies_ = nullptr;
    std::FILE* index_file_ = nullptr;
    int fd_ = -1;
    int index_fd_ = -1;
    std::string index_path_;
};

// fake_sigma in the process, without memory_transport's request log (which
// keeps every request and would grow with the run); optionally records.
class fake_transport {
public:
    fake_transport(boost::asio::any_io_executor ex, fake_sigma api, response_store* rec = nullptr)
        : ex_(std::move(ex)), api_(std::move(api)), rec_(rec) {}

    boost::asio::any_io_executor get_executor() const { return ex_; }

    boost::asio::awaitable<sigma::result<sigma::http_response>> async_send(sigma::http_request req) {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable); // complete asynchronously, as a wire would
        auto r = api_.handle(req);
        if (++sent_ % 1024 == 0) api_.clear_requests(); // the fake's own log, likewise
        if (r && rec_) rec_->add(req, *r);
        co_return r;
    }

private:
    boost::asio::any_io_executor ex_;
    fake_sigma api_;
    response_store* rec_;
    std::uint64_t sent_ = 0;
};
static_assert(sigma::transport<fake_transport>);

// Answers from a response_store.
class replay_transport {
public:
    replay_transport(boost::asio::any_io_executor ex, response_store const& store) : ex_(std::move(ex)), store_(&store) {}

    boost::asio::any_io_executor get_executor() const { return ex_; }

    boost::asio::awaitable<sigma::result<sigma::http_response>> async_send(sigma::http_request req) {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto r = store_->find(req);
        if (!r) co_return sigma::error(sigma::errc::transport, "replay: not recorded: " + req.target);
        co_return std::move(*r);
    }

private:
    boost::asio::any_io_executor ex_;
    response_store const* store_;
};
static_assert(sigma::transport<replay_transport>);

sigma::client_options client_options_for(std::size_t concurrency) {
    sigma::client_options o;
    set_concurrency(o, concurrency);
    return o;
}

template <class Transport>
struct run_result {
    tally t;
    sigma::extract::report report;
    boost::json::object client;
    double wall = 0;
    double cpu = 0;
};

template <class Client>
run_result<typename Client::transport_type> extract_with(Client& c, org_size const& s) {
    run_result<typename Client::transport_type> out;
    tally_sink sink;
    double const w0 = wall_seconds(), c0 = cpu_seconds();
    auto r = sigma::extract::extract(c, extract_options(s), sink);
    out.cpu = cpu_seconds() - c0;
    out.wall = wall_seconds() - w0;
    if (!r) throw std::runtime_error("extraction failed: " + r.error().message());
    out.report = std::move(*r);
    out.t = sink.t;
    out.client = stats_json(c.stats());
    return out;
}

// Counts of a fault-free extraction, in memory (no latency).
tally reference_tally(fake_sigma const& api, org_size const& s) {
    boost::asio::io_context ioc{1}; // one thread runs it, as in sigma-extract
    sigma::basic_client<fake_transport> c(api.config(), fake_transport(ioc.get_executor(), api));
    return extract_with(c, s).t;
}

std::string goal_ge(double v) { return ">= " + fixed(v, v == std::floor(v) ? 0 : 2); }
std::string goal_le(double v) { return "<= " + fixed(v, v == std::floor(v) ? 0 : 2); }

// ---- over the loopback server -------------------------------------------------------

struct wire_run {
    run_result<sigma::beast_transport> r;
    sigma::beast_transport_stats transport;
    sigma::testing::http_server_stats server;
    bool concurrency_set = false;
};

wire_run extract_over_wire(fake_sigma const& api, sigma::testing::http_server& server, bool tls, org_size const& s,
                           std::size_t concurrency) {
    boost::asio::io_context ioc{1}; // one thread runs it, as in sigma-extract
    sigma::beast_transport_options t;
    t.proxy = std::string();
    t.no_proxy = std::string();
    t.allow_insecure_http = !tls;
    t.ca_pem = server.ca_pem();
    t.max_connections_per_origin = std::max<std::size_t>(t.max_connections_per_origin, concurrency);
    auto cfg = api.config();
    cfg.hostPort = server.base_url();
    cfg.allow_insecure_http = !tls;
    auto opts = client_options_for(concurrency);
    wire_run w;
    w.concurrency_set = set_concurrency(opts, concurrency);
    sigma::basic_client<sigma::beast_transport> c(cfg, sigma::beast_transport(ioc.get_executor(), t), opts);
    auto const before = server.stats();
    w.r = extract_with(c, s);
    w.transport = c.transport().stats();
    auto const after = server.stats();
    w.server = {after.requests - before.requests, after.connections_accepted - before.connections_accepted,
                after.rate_limited - before.rate_limited, after.faults_injected - before.faults_injected};
    return w;
}

// When the server handled requests (after its latency), to tell the
// organisation-wide listings at the start of a run (a serial chain) from the
// per-workbook requests that concurrency overlaps.
struct timeline {
    std::mutex m;
    std::vector<std::pair<double, bool>> arrivals; // (wall seconds, per-workbook request)
    void clear() {
        std::lock_guard lock(m);
        arrivals.clear();
    }
};

std::unique_ptr<sigma::testing::http_server> serve(fake_sigma const& api, sigma::testing::http_server_options so,
                                                   std::shared_ptr<timeline> tl = nullptr) {
    return std::make_unique<sigma::testing::http_server>(
        [api, tl](sigma::http_request const& r) {
            if (tl) {
                bool const per_workbook = r.target.starts_with("/v2/workbooks/");
                std::lock_guard lock(tl->m);
                tl->arrivals.emplace_back(wall_seconds(), per_workbook);
            }
            return api(r);
        },
        std::move(so));
}

struct prelude {
    double seconds = 0;        // first request to the first per-workbook request
    std::uint64_t requests = 0; // requests before it
};

prelude prelude_of(timeline& tl) {
    std::lock_guard lock(tl.m);
    prelude p;
    if (tl.arrivals.empty()) return p;
    double const first = tl.arrivals.front().first;
    for (auto const& [t, wb] : tl.arrivals) {
        if (wb) {
            p.seconds = t - first;
            break;
        }
        ++p.requests;
    }
    return p;
}

void org_figures(outcome& out, org_size const& s) {
    out.json["workbooks"] = s.workbooks;
    out.json["pages_per_workbook"] = s.pages;
    out.json["elements_per_page"] = s.elements;
    out.json["lineage"] = s.lineage;
    out.json["seed"] = s.seed;
}

// ---- timing -----------------------------------------------------------------------------

struct timing {
    double best = 0;   // seconds per iteration
    double median = 0;
    std::size_t iterations = 0;
};

// Runs the candidates in interleaved rounds (each round times k iterations of
// every candidate, k chosen per candidate so that its share of a round lasts
// ~50 ms) until each has run min_time and min_rounds are done; thread CPU
// time. Interleaving exposes every candidate to the same load on a busy machine.
std::vector<timing> measure(std::vector<std::function<void()>> const& fs, double min_time, std::size_t min_rounds) {
    std::vector<std::size_t> k;
    for (auto const& f : fs) {
        f(); // warm-up
        double const t0 = thread_cpu_seconds();
        f();
        double const once = std::max(thread_cpu_seconds() - t0, 1e-7);
        k.push_back(static_cast<std::size_t>(std::max(1.0, 0.05 / once)));
    }
    std::vector<std::vector<double>> per(fs.size());
    std::vector<double> total(fs.size(), 0.0);
    std::vector<timing> out(fs.size());
    auto done = [&] {
        if (per.front().size() < std::max<std::size_t>(1, min_rounds)) return false;
        for (double t : total)
            if (t < min_time) return false;
        return true;
    };
    while (!done()) {
        for (std::size_t i = 0; i < fs.size(); ++i) {
            double const s = thread_cpu_seconds();
            for (std::size_t j = 0; j < k[i]; ++j) fs[i]();
            double const d = thread_cpu_seconds() - s;
            total[i] += d;
            per[i].push_back(d / static_cast<double>(k[i]));
            out[i].iterations += k[i];
        }
    }
    for (std::size_t i = 0; i < fs.size(); ++i) {
        std::sort(per[i].begin(), per[i].end());
        out[i].best = per[i].front();
        out[i].median = per[i][per[i].size() / 2];
    }
    return out;
}

volatile std::size_t g_sink = 0; // keeps the measured work observable

template <class R>
void consume(R const& r) {
    if (!r) throw std::runtime_error("decode failed: " + r.error().message());
    g_sink = g_sink + 1;
}

// decode_dom<T>, being added next to decode<T>: found by argument-dependent
// lookup through decode_options, so this compiles before and after it lands.
template <class T>
constexpr bool has_decode_dom = requires(std::string_view s, sigma::json::decode_options const& o) {
    decode_dom<T>(s, o);
};

// A decoder through decode_dom<T>, or nothing before it exists.
template <class T>
std::function<void()> dom_decoder(std::string const* b) {
    if constexpr (has_decode_dom<T>)
        return [b] { consume(decode_dom<T>(std::string_view(*b), sigma::json::decode_options{})); };
    else
        return {};
}

} // namespace

// ==== crawl ============================================================================

outcome run_crawl(crawl_options const& o) {
    outcome out;
    org_figures(out, o.org);
    auto api = fake_sigma(make_org(o.org));
    sigma::testing::http_server_options so;
    so.tls = o.tls;
    so.latency = std::chrono::milliseconds(o.latency_ms);
    so.threads = o.server_threads;
    auto tl = std::make_shared<timeline>();
    auto server = serve(api, so, tl);
    out.json["latency_ms"] = o.latency_ms;
    out.json["tls"] = o.tls;
    out.json["server_threads"] = o.server_threads;

    std::vector<wire_run> runs;
    prelude pre;
    for (std::size_t c : {o.low, o.high}) {
        tl->clear();
        runs.push_back(extract_over_wire(api, *server, o.tls, o.org, c));
        pre = prelude_of(*tl);
    }
    auto const& lo = runs.front();
    auto const& hi = runs.back();
    if (!hi.concurrency_set)
        note(out, "sigma::client_options has no max_concurrency yet: both runs used the client's default "
                  "(sequential) extraction; the pool allowed " + std::to_string(o.high) + " connections");
    bool const same = lo.r.t == hi.r.t;
    if (!same) note(out, "the two runs extracted different entities (see low.extracted / high.extracted)");

    auto const requests = hi.r.report.requests; // token mints included
    double const speedup = lo.r.wall / hi.r.wall;
    double const ideal = static_cast<double>(requests) * (o.latency_ms / 1000.0) / static_cast<double>(o.high);
    double const efficiency = ideal / hi.r.wall;
    put(out, "requests", static_cast<std::uint64_t>(requests));
    put(out, "wall_seconds_low", lo.r.wall, 2, {}, std::nullopt, "wall s at concurrency " + std::to_string(o.low));
    put(out, "wall_seconds_high", hi.r.wall, 2, {}, std::nullopt, "wall s at concurrency " + std::to_string(o.high));
    put(out, "speedup", speedup, 2, goal_ge(12), speedup >= 12, "speedup (low / high)");
    put(out, "efficiency", efficiency, 2, goal_ge(0.8), efficiency >= 0.8,
        "efficiency (requests x latency / " + std::to_string(o.high) + ") / wall");
    put(out, "cpu_seconds_high", hi.r.cpu, 2, {}, std::nullopt, "process CPU s during the high run (client + server)");
    // What the run spent before any workbook could start: the organisation-wide
    // listings are a chain of dependent requests that no concurrency overlaps.
    put(out, "prelude_requests", pre.requests, {}, std::nullopt, "high run: requests before the first per-workbook one");
    put(out, "prelude_seconds", pre.seconds, 2, {}, std::nullopt, "high run: seconds before the first per-workbook request");
    double const rest = static_cast<double>(requests - std::min<std::uint64_t>(requests, pre.requests)) *
                        (o.latency_ms / 1000.0) / static_cast<double>(o.high);
    put(out, "efficiency_after_prelude", rest / (hi.r.wall - pre.seconds), 2, {}, std::nullopt,
        "high run: efficiency of the per-workbook part");
    out.json["concurrency_low"] = o.low;
    out.json["concurrency_high"] = o.high;
    out.json["same_entities"] = same;
    auto run_json = [](wire_run const& w) {
        boost::json::object j;
        j["wall_seconds"] = w.r.wall;
        j["requests"] = w.r.report.requests;
        j["failures"] = w.r.report.failures.size();
        j["complete"] = w.r.report.complete;
        j["extracted"] = to_json(w.r.t);
        j["client"] = w.r.client;
        j["connections_opened"] = w.transport.connections_opened;
        j["connections_reused"] = w.transport.connections_reused;
        j["server_requests"] = w.server.requests;
        j["server_connections"] = w.server.connections_accepted;
        return j;
    };
    out.json["low"] = run_json(lo);
    out.json["high"] = run_json(hi);
    put(out, "connections_high", hi.transport.connections_opened, {}, std::nullopt, "connections opened (high)");
    if (auto p = hi.r.client.if_contains("peak_in_flight"))
        put(out, "peak_in_flight", static_cast<std::uint64_t>(p->to_number<std::int64_t>()), {}, std::nullopt,
            "client peak in flight (high)");
    return out;
}

// ==== ratelimit ========================================================================

outcome run_ratelimit(ratelimit_options const& o) {
    outcome out;
    org_figures(out, o.org);
    auto api = fake_sigma(make_org(o.org));
    tally const ref = reference_tally(api, o.org);

    sigma::testing::http_server_options so;
    so.tls = o.tls;
    so.latency = std::chrono::milliseconds(o.latency_ms);
    so.threads = o.server_threads;
    so.rate_limit.requests_per_second = o.limit;
    so.rate_limit.burst = o.burst;
    so.rate_limit.share_without_retry_after = o.without_retry_after;
    auto server = serve(api, so);
    out.json["limit_rps"] = o.limit;
    out.json["burst"] = o.burst;
    out.json["share_without_retry_after"] = o.without_retry_after;
    out.json["latency_ms"] = o.latency_ms;
    out.json["concurrency"] = o.concurrency;

    auto w = extract_over_wire(api, *server, o.tls, o.org, o.concurrency);
    if (!w.concurrency_set)
        note(out, "sigma::client_options has no max_concurrency yet: the client's default (sequential) "
                  "extraction ran, so the limit is hardly reached");
    auto const served = w.server.requests;
    auto const limited = w.server.rate_limited;
    double const achieved = static_cast<double>(served - limited) / w.r.wall;
    double const fraction = achieved / o.limit;
    double const share = served ? static_cast<double>(limited) / static_cast<double>(served) : 0.0;
    std::uint64_t const lost = w.r.t.lost_against(ref);

    put(out, "requests", served, {}, std::nullopt, "requests served (429s included)");
    put(out, "wall_seconds", w.r.wall, 2);
    put(out, "achieved_rps", achieved, 1, {}, std::nullopt, "achieved requests/s (answered, not 429)");
    put(out, "limit_fraction", fraction, 3, goal_ge(0.9), fraction >= 0.9, "limit_fraction (achieved / limit)");
    put(out, "share_429", share, 4, goal_le(0.05), share <= 0.05, "share of requests answered 429");
    put(out, "lost", lost, "0", lost == 0, "entities lost (vs a fault-free run)");
    put(out, "failures", static_cast<std::uint64_t>(w.r.report.failures.size()), "0", w.r.report.failures.empty(),
        "entity failures in the report");
    out.json["complete"] = w.r.report.complete;
    out.json["extracted"] = to_json(w.r.t);
    out.json["reference"] = to_json(ref);
    out.json["client"] = w.r.client;
    auto const& c = w.r.client;
    for (char const* k : {"retries", "rate_limited", "waited_ms", "peak_in_flight", "pauses", "paused_ms", "concurrency_min"})
        if (auto v = c.if_contains(k))
            put(out, std::string("client_") + k, static_cast<std::uint64_t>(v->to_number<std::int64_t>()), {},
                std::nullopt, std::string("client ") + k);
    if (auto h = c.if_contains("concurrency_history")) {
        std::string line;
        auto const& a = h->as_array();
        for (std::size_t i = 0; i < a.size() && i < 40; ++i)
        {
            auto const& p = a[i].as_array();
            line += (i ? " " : "") + std::to_string(p[0].to_number<std::int64_t>()) + "ms:" +
                    std::to_string(p[1].to_number<std::int64_t>());
            if (p.size() > 2 && p[2].to_number<double>() > 0) line += "@" + fixed(p[2].to_number<double>(), 1) + "/s";
        }
        if (a.size() > 40) line += " ... (" + std::to_string(a.size()) + " changes)";
        put_text(out, "concurrency_history_text", line, "concurrency history (ms:window[@pace])");
    }
    return out;
}

// ==== decode ===========================================================================

namespace {

std::string fetch(fake_sigma const& api, std::string const& target) {
    boost::asio::io_context ioc{1}; // one thread runs it, as in sigma-extract
    sigma::basic_client<fake_transport> c(api.config(), fake_transport(ioc.get_executor(), api));
    auto r = c.run(c.send(sigma::http_method::get, target, true));
    if (!r || r->status != 200) throw std::runtime_error("decode: cannot fetch " + target);
    return std::move(r->body);
}

// One element's lineage graph with `n` nodes: sheets, tables, joins and
// data-model nodes in a chain, each reading the previous ones.
sigma::api::element_lineage make_graph(std::size_t n) {
    sigma::api::element_lineage g;
    sigma::testing::detail::sim_rng rng(7);
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < n; ++i) {
        sigma::api::lineage_node node;
        switch (i % 4) {
        case 0:
            node.type = sigma::api::lineage_node_type::sheet;
            node.nodeId = rng.base62(10);
            node.elementId = node.nodeId;
            node.name = "Revenue by Region " + std::to_string(i);
            break;
        case 1:
            node.type = sigma::api::lineage_node_type::table;
            node.nodeId = "inode-" + rng.base62(22);
            node.name = "ORDERS_" + std::to_string(i);
            break;
        case 2: node.type = sigma::api::lineage_node_type::join; node.nodeId = rng.uuid(); break;
        default:
            node.type = sigma::api::lineage_node_type::data_model;
            node.nodeId = rng.base62(22) + "/" + rng.base62(8);
            node.name = "Sales model";
        }
        if (!ids.empty()) {
            g.edges.push_back({node.nodeId, ids[rng.below(ids.size())], sigma::api::lineage_edge_type::source});
            if (i % 3 == 0) g.edges.push_back({node.nodeId, ids.back(), sigma::api::lineage_edge_type::dependency});
        }
        ids.push_back(node.nodeId);
        g.dependencies.emplace(node.nodeId, std::move(node));
    }
    return g;
}

} // namespace

outcome run_decode(decode_options const& o) {
    outcome out;
    out.json["entries"] = o.entries;
    out.json["graph_nodes"] = o.graph_nodes;
    out.json["min_time"] = o.min_time;

    // The bodies, as fake_sigma serves them (its quirks included).
    std::string workbooks_body, lineage_body, graph_body;
    {
        org_size s;
        s.workbooks = o.entries;
        s.pages = 1;
        s.elements = 1;
        sigma::testing::fake_sigma_options fo;
        fo.max_limit = std::max<std::size_t>(fo.max_limit, o.entries);
        fake_sigma api(make_org(s, 0), fo);
        workbooks_body = fetch(api, "/v2/workbooks?limit=" + std::to_string(o.entries));
    }
    std::size_t lineage_entries = 0;
    {
        // One workbook with enough data elements for `entries` lineage entries.
        org_size s;
        s.workbooks = 1;
        s.pages = 10;
        s.elements = std::max<std::size_t>(1, (o.entries * 3 / 2 + 9) / 10);
        sigma::testing::fake_sigma_options fo;
        fo.max_limit = std::max<std::size_t>(fo.max_limit, o.entries);
        fake_sigma api(make_org(s, 0), fo);
        auto const id = api.org().workbooks.front().workbook.workbookId;
        lineage_body = fetch(api, "/v2/workbooks/" + id + "/lineage?limit=" + std::to_string(o.entries));
        lineage_entries = boost::json::parse(lineage_body).as_object().at("entries").as_array().size();
    }
    graph_body = sigma::json::encode(make_graph(o.graph_nodes));

    using wb_page = sigma::api::page_a<sigma::api::workbook>;
    using lin_page = sigma::api::page_a<sigma::api::workbook_lineage_entry>;
    using graph = sigma::api::element_lineage;
    constexpr bool dom = has_decode_dom<wb_page>;
    out.json["dom_available"] = dom;
    if (!dom) note(out, "sigma::json::decode_dom<T> does not exist yet: no DOM column");

    struct row {
        std::string name;
        std::string const* body;
        std::size_t entries;
        std::function<void()> streaming, dom, parse, parse_monotonic;
    };
    std::vector<row> rows;
    auto parse_of = [](std::string const* b) { return [b] { g_sink = g_sink + boost::json::parse(*b).is_object(); }; };
    auto parse_mono_of = [](std::string const* b) {
        return [b] {
            boost::json::monotonic_resource mr;
            g_sink = g_sink + boost::json::parse(*b, &mr).is_object();
        };
    };
    {
        row r{"workbooks page", &workbooks_body, o.entries, {}, {}, {}, {}};
        r.streaming = [b = r.body] { consume(sigma::api::decode_page<sigma::api::list_workbooks>(*b)); };
        r.dom = dom_decoder<wb_page>(r.body);
        rows.push_back(std::move(r));
    }
    {
        row r{"lineage page", &lineage_body, lineage_entries, {}, {}, {}, {}};
        r.streaming = [b = r.body] { consume(sigma::api::decode_page<sigma::api::list_workbook_lineage>(*b)); };
        r.dom = dom_decoder<lin_page>(r.body);
        rows.push_back(std::move(r));
    }
    {
        row r{"element lineage graph", &graph_body, o.graph_nodes, {}, {}, {}, {}};
        r.streaming = [b = r.body] { consume(sigma::json::decode<graph>(*b)); };
        r.dom = dom_decoder<graph>(r.body);
        rows.push_back(std::move(r));
    }

    boost::json::array table;
    double worst = 1e300;
    for (auto& r : rows) {
        r.parse = parse_of(r.body);
        r.parse_monotonic = parse_mono_of(r.body);
        double const mb = static_cast<double>(r.body->size()) / 1e6;
        std::vector<std::function<void()>> candidates{r.streaming, r.parse, r.parse_monotonic};
        if (r.dom) candidates.push_back(r.dom);
        auto const timed = measure(candidates, o.min_time, o.min_rounds);
        auto const& s = timed[0];
        auto const& p = timed[1];
        auto const& pm = timed[2];
        boost::json::object j;
        j["name"] = r.name;
        j["bytes"] = r.body->size();
        j["entries"] = r.entries;
        j["streaming_mb_s"] = mb / s.best;
        j["streaming_mb_s_median"] = mb / s.median;
        j["parse_mb_s"] = mb / p.best;
        j["parse_mb_s_median"] = mb / p.median;
        j["parse_monotonic_mb_s"] = mb / pm.best;
        double const ratio = p.best / s.best;
        j["ratio"] = ratio;
        worst = std::min(worst, ratio);
        std::string label = r.name + " (" + fixed(mb, 2) + " MB, " + std::to_string(r.entries) + " entries)";
        std::string key = r.name;
        std::replace(key.begin(), key.end(), ' ', '_');
        out.table.push_back({label + ": decode MB/s", fixed(mb / s.best, 1) + " (median " + fixed(mb / s.median, 1) + ")", {}, {}});
        if (r.dom) {
            auto const& d = timed[3];
            j["dom_mb_s"] = mb / d.best;
            j["dom_mb_s_median"] = mb / d.median;
            j["dom_ratio"] = p.best / d.best;
            out.table.push_back({label + ": decode_dom MB/s", fixed(mb / d.best, 1), {}, {}});
        }
        out.table.push_back({label + ": boost::json::parse MB/s", fixed(mb / p.best, 1) + " (monotonic resource: " +
                                                                       fixed(mb / pm.best, 1) + ")", {}, {}});
        out.table.push_back({label + ": ratio decode / parse", fixed(ratio, 2), goal_ge(1.0), ratio >= 1.0});
        out.json[key + "_ratio"] = ratio;
        table.push_back(std::move(j));
    }
    out.json["rows"] = std::move(table);
    out.json["ratio"] = worst;
    out.json["goals"] = boost::json::object{{"ratio", ">= 1.0"}};
    out.json["goals_met"] = boost::json::object{{"ratio", worst >= 1.0}};
    note(out, "MB = 10^6 bytes; best of interleaved rounds, thread CPU time; 'decode' is sigma::api::decode_page / "
              "sigma::json::decode<T> as the client calls it; ratio = parse time / decode time (>= 1: decoding "
              "into the model is at least as fast as boost::json::parse alone)");
    return out;
}

// ==== overhead =========================================================================

outcome run_overhead(overhead_options const& o) {
    outcome out;
    org_figures(out, o.org);
    auto api = fake_sigma(make_org(o.org));
    response_store store;
    {
        boost::asio::io_context ioc{1}; // one thread runs it, as in sigma-extract
        sigma::basic_client<fake_transport> c(api.config(), fake_transport(ioc.get_executor(), api, &store),
                                              client_options_for(o.concurrency));
        extract_with(c, o.org);
    }
    store.finish();

    auto parse_all = [&] {
        store.each_body([](std::string_view b) {
            if (b.empty()) return;
            boost::system::error_code ec;
            auto v = boost::json::parse(b, ec);
            g_sink = g_sink + v.is_object();
        });
    };
    parse_all(); // warm-up

    // Allocations (operator new) of one replayed extraction and of one parse
    // of every body, counted apart from the timed rounds.
    std::uint64_t extraction_allocations = 0, parse_allocations = 0;
    {
        boost::asio::io_context ioc{1}; // one thread runs it, as in sigma-extract
        sigma::basic_client<replay_transport> c(api.config(), replay_transport(ioc.get_executor(), store),
                                                client_options_for(o.concurrency));
        auto const a0 = thread_allocations();
        extract_with(c, o.org);
        extraction_allocations = thread_allocations() - a0;
        auto const p0 = thread_allocations();
        parse_all();
        parse_allocations = thread_allocations() - p0;
    }

    // Interleaved rounds (one extraction, one parse of every body), so that a
    // busy machine weighs on both alike.
    tally first{};
    bool same = true;
    std::vector<double> extraction, parse;
    std::uint64_t requests = 0;
    double total_x = 0, total_p = 0;
    while (total_x < o.min_time || total_p < o.min_time || extraction.size() < std::max<std::size_t>(1, o.min_rounds)) {
        {
            boost::asio::io_context ioc{1}; // one thread runs it, as in sigma-extract
            sigma::basic_client<replay_transport> c(api.config(), replay_transport(ioc.get_executor(), store),
                                                    client_options_for(o.concurrency));
            auto r = extract_with(c, o.org);
            if (extraction.empty()) first = r.t;
            same = same && r.t == first && r.report.failures.empty();
            requests = r.report.requests;
            extraction.push_back(r.cpu);
            total_x += r.cpu;
        }
        double const c0 = cpu_seconds();
        parse_all();
        double const d = cpu_seconds() - c0;
        parse.push_back(d);
        total_p += d;
    }
    std::sort(extraction.begin(), extraction.end());
    std::sort(parse.begin(), parse.end());
    double const ratio = extraction.front() / parse.front();

    put(out, "requests", requests);
    put(out, "responses_mb", static_cast<double>(store.bytes()) / 1e6, 2, {}, std::nullopt, "response bodies, MB");
    put(out, "extraction_cpu_seconds", extraction.front(), 4, {}, std::nullopt,
        "extraction CPU s (best of " + std::to_string(extraction.size()) + ")");
    put(out, "parse_cpu_seconds", parse.front(), 4, {}, std::nullopt,
        "boost::json::parse of every body, CPU s (best of " + std::to_string(parse.size()) + ")");
    put(out, "ratio", ratio, 2, goal_le(2.0), ratio <= 2.0, "ratio extraction / parse");
    put(out, "extraction_us_per_request", extraction.front() / static_cast<double>(requests) * 1e6, 1, {},
        std::nullopt, "extraction CPU per request, us");
    auto const per_request = [&](std::uint64_t n) { return static_cast<double>(n) / static_cast<double>(requests); };
    put(out, "extraction_allocations_per_request", per_request(extraction_allocations), 1, {}, std::nullopt,
        "extraction: operator new calls per request");
    put(out, "parse_allocations_per_request", per_request(parse_allocations), 1, {}, std::nullopt,
        "boost::json::parse: operator new calls per request");
    out.json["extraction_cpu_seconds_median"] = extraction[extraction.size() / 2];
    out.json["parse_cpu_seconds_median"] = parse[parse.size() / 2];
    out.json["consistent"] = same;
    out.json["extracted"] = to_json(first);
    if (!same) note(out, "the replayed runs did not all extract the same entities without failures");
    note(out, "the extraction is replayed from responses recorded from fake_sigma (the fake's own CPU is not "
              "counted); process CPU time (user + system); allocations counted in one more run of each, apart from "
              "the timed ones (Asio's coroutine frames come from its own cache and are not counted)");
    return out;
}

// ==== memory (child) ===================================================================

boost::json::object run_memory_child(memory_child_options const& o) {
    boost::json::object out;
    out["mode"] = o.mode;
    out["workbooks"] = o.org.workbooks;
    double const w0 = wall_seconds();
    boost::asio::io_context ioc{1}; // one thread runs it, as in sigma-extract
    sigma::extract::report report;
    tally t;
    std::uint64_t baseline = 0, hwm_setup = 0;
    boost::json::object client;
    if (o.mode == "generate") {
        auto rec = o.record.empty() ? nullptr : response_store::create_file(o.record);
        auto api = fake_sigma(make_org(o.org));
        ::malloc_trim(0);
        baseline = rss_kib();
        hwm_setup = hwm_kib();
        out["setup_seconds"] = wall_seconds() - w0;
        sigma::basic_client<fake_transport> c(api.config(), fake_transport(ioc.get_executor(), api, rec.get()),
                                              client_options_for(o.concurrency));
        auto r = extract_with(c, o.org);
        report = std::move(r.report);
        t = r.t;
        client = std::move(r.client);
        if (rec) {
            rec->finish();
            out["recorded_responses"] = rec->count();
            out["recorded_bytes"] = rec->bytes();
        }
    } else if (o.mode == "replay") {
        auto store = response_store::open_file(o.record);
        ::malloc_trim(0);
        baseline = rss_kib();
        hwm_setup = hwm_kib();
        out["index_bytes"] = store->index_bytes();
        out["setup_seconds"] = wall_seconds() - w0;
        sigma::config cfg;
        cfg.hostPort = "https://api.sigmacomputing.com";
        cfg.clientId = "bench";
        cfg.clientSecret = sigma::secret("bench-secret");
        sigma::basic_client<replay_transport> c(cfg, replay_transport(ioc.get_executor(), *store),
                                                client_options_for(o.concurrency));
        auto r = extract_with(c, o.org);
        report = std::move(r.report);
        t = r.t;
        client = std::move(r.client);
    } else {
        throw std::runtime_error("memory child: unknown mode " + o.mode);
    }
    out["baseline_kib"] = baseline;
    out["hwm_after_setup_kib"] = hwm_setup;
    out["maxrss_kib"] = maxrss_kib();
    out["hwm_kib"] = hwm_kib();
    out["requests"] = report.requests;
    out["failures"] = report.failures.size();
    out["complete"] = report.complete;
    out["extracted"] = to_json(t);
    out["client"] = std::move(client);
    out["wall_seconds"] = wall_seconds() - w0;
    return out;
}

// ---- incremental ----------------------------------------------------------------

namespace {

// A run's OpenMetadata output as text, its report and what it leaves to save.
struct incremental_run {
    std::string output;
    sigma::extract::report report;
    sigma::extract::incremental inc;
    double wall = 0;
};

incremental_run run_with_state(fake_sigma const& api, std::size_t concurrency,
                               std::optional<sigma::extract::state> previous) {
    incremental_run out;
    out.inc.previous = std::move(previous);
    boost::asio::io_context ioc{1}; // one thread runs it, as in sigma-extract
    sigma::basic_client<sigma::testing::memory_transport> c(api.config(), api.transport(ioc.get_executor()),
                                                            client_options_for(concurrency));
    sigma::openmetadata::mapping_options mo;
    mo.serviceName = "sigma_bench";
    std::ostringstream text;
    sigma::openmetadata::jsonl_sink sink(text, sigma::openmetadata::mapping::create(mo).value());
    double const w0 = wall_seconds();
    auto r = sigma::extract::extract(c, {}, sink, out.inc);
    out.wall = wall_seconds() - w0;
    if (!r) throw std::runtime_error("extraction failed: " + r.error().message());
    out.report = std::move(*r);
    out.output = std::move(text).str();
    return out;
}

std::string without_deletes(std::string const& jsonl) {
    std::string out;
    std::size_t at = 0;
    while (at < jsonl.size()) {
        auto end = jsonl.find('\n', at);
        end = end == std::string::npos ? jsonl.size() : end + 1;
        std::string_view line(jsonl.data() + at, end - at);
        if (line.rfind("{\"method\":\"DELETE\"", 0) != 0) out.append(line);
        at = end;
    }
    return out;
}

} // namespace

outcome run_incremental(incremental_options const& o) {
    outcome out;
    org_figures(out, o.org);
    fake_sigma api(make_org(o.org));
    auto first = run_with_state(api, o.concurrency, std::nullopt);
    if (!first.inc.advance) throw std::runtime_error("the first run did not complete: " + first.report.incompleteReason);

    // Change every n-th live workbook: a new version, one element renamed.
    std::size_t changed = 0, removed = 0;
    api.modify([&](simulated_org& org) {
        std::size_t const n = org.workbooks.size();
        std::size_t const want = static_cast<std::size_t>(std::ceil(static_cast<double>(n) * o.changed_percent / 100.0));
        std::size_t const step = want > 0 ? std::max<std::size_t>(1, n / want) : n + 1;
        for (std::size_t i = 0; i < n && changed < want; i += step) {
            auto& w = org.workbooks[i];
            w.workbook.latestVersion += 1;
            w.workbook.updatedAt = "2030-01-01T00:00:00.000Z";
            if (!w.elements.empty()) w.elements.front().element.name = "Changed " + w.elements.front().element.name.value_or("");
            ++changed;
        }
        std::size_t const drop = static_cast<std::size_t>(std::ceil(static_cast<double>(n) * o.removed_percent / 100.0));
        for (; removed < drop && org.workbooks.size() > 1; ++removed) {
            auto id = org.workbooks.back().workbook.workbookId;
            org.workbooks.pop_back();
            std::erase_if(org.files, [&](auto const& f) { return f.id == id; });
        }
    });
    auto second = run_with_state(api, o.concurrency, first.inc.next);
    auto full = run_with_state(api, o.concurrency, std::nullopt);

    bool const same = without_deletes(second.output) == full.output;
    double const ratio = static_cast<double>(second.report.requests) / static_cast<double>(full.report.requests);
    put(out, "workbooks_changed", static_cast<std::uint64_t>(changed));
    put(out, "workbooks_removed", static_cast<std::uint64_t>(removed));
    put(out, "full_requests", full.report.requests, {}, std::nullopt, "full run: requests");
    put(out, "incremental_requests", second.report.requests, {}, std::nullopt, "incremental run: requests");
    put(out, "reused", second.report.reused, {}, std::nullopt, "entities re-emitted from the state");
    put(out, "deletions", static_cast<std::uint64_t>(second.report.deletions.size()));
    put(out, "full_seconds", full.wall, 3, {}, std::nullopt, "full run, wall s (in memory)");
    put(out, "incremental_seconds", second.wall, 3, {}, std::nullopt, "incremental run, wall s (in memory)");
    put(out, "state_mb", static_cast<double>(sigma::json::encode(second.inc.next).size()) / 1e6, 2, {}, std::nullopt,
        "state file, MB");
    put(out, "ratio", ratio, 4, goal_le(0.05), ratio <= 0.05, "ratio incremental / full requests");
    put_text(out, "same_output", same ? "yes" : "NO", "incremental output = full output (deletes aside)");
    out.json["same_output"] = same;
    if (!same) note(out, "the incremental run's records differ from the full run's");
    return out;
}

} // namespace bench

SIGMA_COROUTINES_END
