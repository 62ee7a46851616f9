// SPDX-License-Identifier: MIT
// sigma-bench: performance figures of sigma-cpp, each next to its goal. The
// benchmark reports; it never fails on a goal. Subcommands: crawl, ratelimit,
// decode, overhead, memory, compile-time, incremental (see bench/README.md). Each prints a
// table, or with --json one JSON object on stdout (the table then goes to stderr).
//
// This file does not include sigma-cpp: the command line, the tables, child
// processes and the compile-time measurement build in seconds; the workloads
// are in workloads.cpp.
#include "bench.hpp"
#include "bench_config.hpp"

#include <CLI/CLI.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

// ---- helpers (declared in bench.hpp) --------------------------------------------

std::string fixed(double v, int digits) {
    if (!std::isfinite(v)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

namespace {
double clock_seconds(clockid_t id) {
    timespec ts{};
    ::clock_gettime(id, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
std::uint64_t status_kib(char const* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    std::size_t const n = std::strlen(field);
    while (std::getline(in, line))
        if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
            return std::strtoull(line.c_str() + n + 1, nullptr, 10);
    return 0;
}
} // namespace

double cpu_seconds() { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }
double thread_cpu_seconds() { return clock_seconds(CLOCK_THREAD_CPUTIME_ID); }
double wall_seconds() { return clock_seconds(CLOCK_MONOTONIC); }
std::uint64_t rss_kib() { return status_kib("VmRSS"); }
std::uint64_t hwm_kib() { return status_kib("VmHWM"); }
std::uint64_t maxrss_kib() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<std::uint64_t>(ru.ru_maxrss);
}

namespace {
void put_goal(outcome& out, std::string const& key, std::string const& goal, std::optional<bool> met) {
    if (goal.empty()) return;
    if (!out.json.contains("goals")) out.json["goals"] = boost::json::object{};
    if (!out.json.contains("goals_met")) out.json["goals_met"] = boost::json::object{};
    out.json["goals"].as_object()[key] = goal;
    if (met) out.json["goals_met"].as_object()[key] = *met;
}
} // namespace

void put(outcome& out, std::string const& key, double value, int digits, std::string const& goal,
         std::optional<bool> met, std::string const& label) {
    out.json[key] = std::isfinite(value) ? boost::json::value(value) : boost::json::value(nullptr);
    put_goal(out, key, goal, met);
    out.table.push_back({label.empty() ? key : label, fixed(value, digits), goal, met});
}

void put(outcome& out, std::string const& key, std::uint64_t value, std::string const& goal, std::optional<bool> met,
         std::string const& label) {
    out.json[key] = value;
    put_goal(out, key, goal, met);
    out.table.push_back({label.empty() ? key : label, std::to_string(value), goal, met});
}

void put_text(outcome& out, std::string const& key, std::string const& value, std::string const& label) {
    out.json[key] = value;
    out.table.push_back({label.empty() ? key : label, value, {}, {}});
}

void note(outcome& out, std::string text) { out.notes.push_back(std::move(text)); }

namespace {

// ---- child processes ---------------------------------------------------------------

struct process_result {
    int exit_code = -1;
    std::string out;
    double wall = 0;
    double cpu = 0;               // the child's user + system time
    std::uint64_t maxrss_kib = 0; // the child's peak RSS, from wait4
};

// Runs argv (PATH searched) with stdin from /dev/null, stderr inherited and
// stdout captured (or inherited).
process_result run_process(std::vector<std::string> const& argv, bool capture) {
    int fds[2] = {-1, -1};
    if (capture && ::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::vector<char*> args;
    for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    double const w0 = wall_seconds();
    pid_t const pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        if (capture) {
            ::dup2(fds[1], STDOUT_FILENO);
            ::close(fds[0]);
            ::close(fds[1]);
        }
        std::FILE* devnull = std::fopen("/dev/null", "r");
        if (devnull) ::dup2(::fileno(devnull), STDIN_FILENO);
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "sigma-bench: cannot run %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    process_result r;
    if (capture) {
        ::close(fds[1]);
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(fds[0], buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            r.out.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fds[0]);
    }
    int status = 0;
    rusage ru{};
    while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    r.wall = wall_seconds() - w0;
    r.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
    r.maxrss_kib = static_cast<std::uint64_t>(ru.ru_maxrss);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return r;
}

std::string temp_dir() {
    char const* t = std::getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

// ---- memory --------------------------------------------------------------------------

struct memory_options {
    org_size org;
    std::vector<std::size_t> sizes{1000, 10000};
    std::size_t concurrency = 0;
    double max_mib = 64;
    double max_ratio = 1.5;
};

double mib(std::uint64_t kib) { return static_cast<double>(kib) / 1024.0; }

boost::json::object memory_child(memory_options const& o, std::size_t workbooks, std::string const& mode,
                                 std::string const& file) {
    std::vector<std::string> argv = {"/proc/self/exe", "__memory-child", "--mode", mode, "--record", file,
                                     "--workbooks", std::to_string(workbooks), "--pages", std::to_string(o.org.pages),
                                     "--elements", std::to_string(o.org.elements), "--seed", std::to_string(o.org.seed),
                                     "--concurrency", std::to_string(o.concurrency)};
    if (!o.org.lineage) argv.push_back("--no-lineage");
    auto r = run_process(argv, true);
    if (r.exit_code != 0) throw std::runtime_error("memory child (" + mode + ", " + std::to_string(workbooks) +
                                                   " workbooks) exited with " + std::to_string(r.exit_code));
    auto v = boost::json::parse(r.out).as_object();
    v["wait4_maxrss_kib"] = r.maxrss_kib;
    return v;
}

outcome run_memory(memory_options const& o) {
    outcome out;
    out.json["pages_per_workbook"] = o.org.pages;
    out.json["elements_per_page"] = o.org.elements;
    out.json["lineage"] = o.org.lineage;
    boost::json::array sizes;
    for (auto s : o.sizes) sizes.push_back(s);
    out.json["sizes"] = sizes;
    out.json["mode"] = "replay";
    boost::json::object children;
    std::vector<double> peaks;
    for (std::size_t n : o.sizes) {
        std::string const file =
            temp_dir() + "/sigma-bench-memory-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".bin";
        boost::json::object gen, rep;
        try {
            gen = memory_child(o, n, "generate", file);
            rep = memory_child(o, n, "replay", file);
        } catch (...) {
            std::remove(file.c_str());
            std::remove((file + ".idx").c_str());
            throw;
        }
        std::remove(file.c_str());
        std::remove((file + ".idx").c_str());
        auto kib = [](boost::json::object const& j, char const* k) {
            return static_cast<std::uint64_t>(j.at(k).to_number<std::int64_t>());
        };
        std::string const sfx = "_" + std::to_string(n);
        double const peak = mib(kib(rep, "maxrss_kib"));
        peaks.push_back(peak);
        bool const largest = n == o.sizes.back();
        put(out, "peak_rss_mib" + sfx, peak, 1, largest ? "<= " + fixed(o.max_mib, 0) : std::string(),
            largest ? std::optional<bool>(peak <= o.max_mib) : std::nullopt,
            std::to_string(n) + " workbooks: peak RSS MiB (extraction, responses replayed from disk)");
        put(out, "replay_baseline_mib" + sfx, mib(kib(rep, "baseline_kib")), 1, {}, std::nullopt,
            std::to_string(n) + " workbooks:   of which before extracting (the program)");
        put(out, "generate_peak_rss_mib" + sfx, mib(kib(gen, "maxrss_kib")), 1, {}, std::nullopt,
            std::to_string(n) + " workbooks: peak RSS MiB with the generator and fake_sigma in the process");
        put(out, "generate_baseline_mib" + sfx, mib(kib(gen, "baseline_kib")), 1, {}, std::nullopt,
            std::to_string(n) + " workbooks:   of which the generated organisation (RSS before extracting)");
        put(out, "generate_setup_peak_mib" + sfx, mib(kib(gen, "hwm_after_setup_kib")), 1, {}, std::nullopt,
            std::to_string(n) + " workbooks:   peak while generating");
        put(out, "requests" + sfx, kib(rep, "requests"), {}, std::nullopt, std::to_string(n) + " workbooks: requests");
        boost::json::object c;
        c["generate"] = std::move(gen);
        c["replay"] = std::move(rep);
        children[std::to_string(n)] = std::move(c);
    }
    out.json["children"] = std::move(children);
    if (peaks.size() >= 2) {
        double const ratio = peaks.back() / peaks.front();
        put(out, "ratio", ratio, 2, "<= " + fixed(o.max_ratio, 1), ratio <= o.max_ratio,
            "ratio peak " + std::to_string(o.sizes.back()) + " / " + std::to_string(o.sizes.front()));
    }
    note(out, "each size runs in fresh processes (peak RSS only grows): 'generate' builds the organisation and "
              "fake_sigma in the process and records every response to a temporary file; 'replay' extracts again "
              "from that file (pread per request, and a binary search over the sorted index file with pread), so "
              "its peak is the extraction's own plus the program. Goals apply to the replay figures. Sink: discarding.");
    return out;
}

// ---- compile-time ----------------------------------------------------------------------

struct compile_options {
    std::string sigma_tu = std::string(SIGMA_BENCH_SOURCE_DIR) + "/compile/sigma_tu.cpp";
    std::string boost_tu = std::string(SIGMA_BENCH_SOURCE_DIR) + "/compile/boost_tu.cpp";
    std::string source_tu = std::string(SIGMA_BENCH_SOURCE_DIR) + "/compile/sigma_src.cpp";
    std::string transport_tu = std::string(SIGMA_BENCH_SOURCE_DIR) + "/compile/transport_tu.cpp";
    std::vector<std::string> cxx;   // empty: the configured compiler
    std::vector<std::string> flags; // added to the configured ones
    std::size_t repeat = 1;
    double max_ratio = 1.5;
};

outcome run_compile_time(compile_options const& o) {
    outcome out;
    std::vector<std::string> base = o.cxx;
    if (base.empty()) base = SIGMA_BENCH_CXX_ARGV;
    std::vector<std::string> flags = SIGMA_BENCH_CXX_FLAGS;
    flags.insert(flags.end(), o.flags.begin(), o.flags.end());
    std::string const obj = temp_dir() + "/sigma-bench-compile-" + std::to_string(::getpid()) + ".o";
    auto compile = [&](std::string const& tu, std::vector<std::string> const& extra) {
        std::vector<std::string> argv = base;
        argv.insert(argv.end(), flags.begin(), flags.end());
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.insert(argv.end(), {"-c", tu, "-o", obj});
        auto r = run_process(argv, false);
        std::remove(obj.c_str());
        if (r.exit_code != 0) throw std::runtime_error("compiling " + tu + " failed (exit " + std::to_string(r.exit_code) + ")");
        return r;
    };
    // Each TU: best CPU and wall, highest peak memory.
    struct best {
        double cpu = 1e300, wall = 1e300;
        std::uint64_t rss = 0;
        void add(process_result const& r) {
            cpu = std::min(cpu, r.cpu);
            wall = std::min(wall, r.wall);
            rss = std::max(rss, r.maxrss_kib);
        }
    };
    std::vector<std::string> const separate{"-DSIGMA_SEPARATE_COMPILATION"};
    best header_only, boost, user, source, transport;
    for (std::size_t i = 0; i < std::max<std::size_t>(1, o.repeat); ++i) {
        header_only.add(compile(o.sigma_tu, {}));
        boost.add(compile(o.boost_tu, {}));
        user.add(compile(o.sigma_tu, separate));
        if (i == 0) source.add(compile(o.source_tu, separate)); // once per program: for reference
        if (i == 0) transport.add(compile(o.transport_tu, {}));   // part of header_only: for reference
    }
    std::string cmd;
    for (auto const& a : base) cmd += a + " ";
    for (auto const& a : flags) cmd += a + " ";
    out.json["command"] = cmd + "-c TU -o OBJ";
    out.json["sigma_tu"] = o.sigma_tu;
    out.json["boost_tu"] = o.boost_tu;
    out.json["source_tu"] = o.source_tu;
    out.json["transport_tu"] = o.transport_tu;
    out.json["repeat"] = o.repeat;
    auto const goal = "<= " + fixed(o.max_ratio, 1);
    put(out, "boost_seconds", boost.cpu, 2, {}, std::nullopt, "Boost-only TU: compiler CPU s");
    put(out, "sigma_seconds", header_only.cpu, 2, {}, std::nullopt, "sigma TU, header-only: compiler CPU s");
    double const ratio = header_only.cpu / boost.cpu;
    put(out, "ratio", ratio, 2, goal, ratio <= o.max_ratio, "ratio sigma / Boost, header-only (CPU)");
    put(out, "separate_seconds", user.cpu, 2, {}, std::nullopt,
        "sigma TU, SIGMA_SEPARATE_COMPILATION: compiler CPU s");
    double const ratio_separate = user.cpu / boost.cpu;
    put(out, "ratio_separate", ratio_separate, 2, goal, ratio_separate <= o.max_ratio,
        "ratio sigma / Boost, separate compilation (CPU)");
    put(out, "source_seconds", source.cpu, 2, {}, std::nullopt,
        "<sigma/src.hpp> TU (once per program): compiler CPU s");
    put(out, "transport_seconds", transport.cpu, 2, {}, std::nullopt,
        "HTTPS transport alone, header-only: compiler CPU s");
    put(out, "ratio_transport", transport.cpu / boost.cpu, 2, {}, std::nullopt,
        "ratio transport alone / Boost (CPU)");
    put(out, "sigma_wall_seconds", header_only.wall, 2, {}, std::nullopt, "sigma TU, header-only: wall s");
    put(out, "boost_wall_seconds", boost.wall, 2, {}, std::nullopt, "Boost-only TU: wall s");
    put(out, "ratio_wall", header_only.wall / boost.wall, 2, {}, std::nullopt, "ratio sigma / Boost, header-only (wall)");
    put(out, "sigma_compiler_peak_mib", static_cast<double>(header_only.rss) / 1024.0, 0, {}, std::nullopt,
        "sigma TU, header-only: compiler peak RSS MiB");
    put(out, "separate_compiler_peak_mib", static_cast<double>(user.rss) / 1024.0, 0, {}, std::nullopt,
        "sigma TU, separate compilation: compiler peak RSS MiB");
    put(out, "boost_compiler_peak_mib", static_cast<double>(boost.rss) / 1024.0, 0, {}, std::nullopt,
        "Boost-only TU: compiler peak RSS MiB");
    note(out, "best of " + std::to_string(o.repeat) + "; the ratios use the compiler's CPU time (user + system, from "
              "wait4), which a loaded machine disturbs less than wall time");
    note(out, "separate compilation: the same TU with -DSIGMA_SEPARATE_COMPILATION, so the transport and the "
              "extraction come from the one TU that includes <sigma/src.hpp> (source_seconds, compiled once per "
              "program, not per file)");
    note(out, "transport alone: <sigma/transport/beast.hpp> and one request through it, header-only; what a header-only "
              "TU that uses the default transport compiles at least, before the client and the extraction");
    return out;
}

// ---- output ---------------------------------------------------------------------------

void print_table(std::ostream& os, std::string const& title, outcome const& o) {
    std::size_t w0 = 6, w1 = 5, w2 = 4;
    for (auto const& f : o.table) {
        w0 = std::max(w0, f.name.size());
        w1 = std::max(w1, f.value.size());
        w2 = std::max(w2, f.goal.size());
    }
    auto pad = [](std::string s, std::size_t w) {
        s.resize(std::max(s.size(), w), ' ');
        return s;
    };
    os << title << "\n";
    os << pad("figure", w0) << "  " << pad("value", w1) << "  " << pad("goal", w2) << "  status\n";
    os << std::string(w0, '-') << "  " << std::string(w1, '-') << "  " << std::string(w2, '-') << "  ------\n";
    for (auto const& f : o.table) {
        std::string status = !f.met ? "" : *f.met ? "ok" : "MISSED";
        os << pad(f.name, w0) << "  " << pad(f.value, w1) << "  " << pad(f.goal, w2) << "  " << status << "\n";
    }
    for (auto const& n : o.notes) os << "note: " << n << "\n";
    os << std::flush;
}

int emit(std::string const& name, outcome o, bool json) {
    o.json["subcommand"] = name;
    boost::json::array notes;
    for (auto const& n : o.notes) notes.push_back(boost::json::value(n));
    o.json["notes"] = std::move(notes);
    if (json) {
        print_table(std::cerr, "sigma-bench " + name, o);
        std::cout << boost::json::serialize(o.json) << std::endl;
    } else {
        print_table(std::cout, "sigma-bench " + name, o);
    }
    return 0;
}

void org_flags(CLI::App* sub, org_size& s) {
    sub->add_option("--workbooks", s.workbooks, "Workbooks of the generated organisation")->capture_default_str();
    sub->add_option("--pages", s.pages, "Pages per workbook")->capture_default_str();
    sub->add_option("--elements", s.elements, "Elements per page")->capture_default_str();
    sub->add_option("--seed", s.seed, "Generator seed")->capture_default_str();
    sub->add_flag("--no-lineage{false}", s.lineage, "Extract without lineage");
}

} // namespace
} // namespace bench

int main(int argc, char** argv) {
    using namespace bench;
    CLI::App app{"sigma-bench: sigma-cpp's performance figures, each next to its goal (reported, never enforced)"};
    app.require_subcommand(1);
    bool json = false;
    app.add_flag("--json", json, "Print one JSON object on stdout (the table goes to stderr)");

    crawl_options crawl;
    auto* c = app.add_subcommand("crawl", "Full extraction over the loopback HTTP server at two concurrencies");
    org_flags(c, crawl.org);
    c->add_option("--latency-ms", crawl.latency_ms, "Server latency per request")->capture_default_str();
    c->add_option("--low", crawl.low, "Concurrency of the first run")->capture_default_str();
    c->add_option("--high", crawl.high, "Concurrency of the second run")->capture_default_str();
    c->add_option("--server-threads", crawl.server_threads, "Server threads")->capture_default_str();
    c->add_flag("--tls", crawl.tls, "HTTPS (the server's in-memory CA) instead of plain HTTP");
    c->add_flag("--json", json, "Print one JSON object on stdout");

    ratelimit_options rl;
    auto* r = app.add_subcommand("ratelimit", "Full extraction behind a token-bucket rate limit");
    org_flags(r, rl.org);
    r->add_option("--latency-ms", rl.latency_ms, "Server latency per request")->capture_default_str();
    r->add_option("--concurrency", rl.concurrency, "Client concurrency")->capture_default_str();
    r->add_option("--limit", rl.limit, "Server limit, requests per second")->capture_default_str();
    r->add_option("--burst", rl.burst, "Token bucket size")->capture_default_str();
    r->add_option("--without-retry-after", rl.without_retry_after, "Share of 429s without Retry-After")
        ->capture_default_str();
    r->add_option("--server-threads", rl.server_threads, "Server threads")->capture_default_str();
    r->add_flag("--tls", rl.tls, "HTTPS instead of plain HTTP");
    r->add_flag("--json", json, "Print one JSON object on stdout");

    decode_options dec;
    auto* d = app.add_subcommand("decode", "Decoding throughput against boost::json::parse");
    d->add_option("--entries", dec.entries, "Entries of the workbook and lineage pages")->capture_default_str();
    d->add_option("--graph-nodes", dec.graph_nodes, "Nodes of the element lineage graph")->capture_default_str();
    d->add_option("--min-time", dec.min_time, "Seconds per measurement, at least")->capture_default_str();
    d->add_option("--rounds", dec.min_rounds, "Rounds per measurement, at least")->capture_default_str();
    d->add_flag("--json", json, "Print one JSON object on stdout");

    overhead_options ov;
    auto* o = app.add_subcommand("overhead", "Extraction CPU time against parsing its responses alone");
    org_flags(o, ov.org);
    o->add_option("--concurrency", ov.concurrency, "Client concurrency (0: the client's default)")->capture_default_str();
    o->add_option("--min-time", ov.min_time, "Seconds per measurement, at least")->capture_default_str();
    o->add_option("--rounds", ov.min_rounds, "Rounds per measurement, at least")->capture_default_str();
    o->add_flag("--json", json, "Print one JSON object on stdout");

    memory_options mem;
    auto* m = app.add_subcommand("memory", "Peak RSS of extractions of two organisation sizes");
    m->add_option("--sizes", mem.sizes, "Workbook counts, smallest first")->capture_default_str()->delimiter(',');
    m->add_option("--pages", mem.org.pages, "Pages per workbook")->capture_default_str();
    m->add_option("--elements", mem.org.elements, "Elements per page")->capture_default_str();
    m->add_option("--seed", mem.org.seed, "Generator seed")->capture_default_str();
    m->add_flag("--no-lineage{false}", mem.org.lineage, "Extract without lineage");
    m->add_option("--concurrency", mem.concurrency, "Client concurrency (0: the client's default)")->capture_default_str();
    m->add_flag("--json", json, "Print one JSON object on stdout");

    incremental_options inc;
    auto* ic = app.add_subcommand("incremental", "Requests of an incremental run against a full one, 2 % changed");
    org_flags(ic, inc.org);
    ic->add_option("--changed-percent", inc.changed_percent, "Workbooks changed between the runs, %")->capture_default_str();
    ic->add_option("--removed-percent", inc.removed_percent, "Workbooks removed between the runs, %")->capture_default_str();
    ic->add_option("--concurrency", inc.concurrency, "Client concurrency (0: the client's default)")->capture_default_str();
    ic->add_flag("--json", json, "Print one JSON object on stdout");

    compile_options ct;
    auto* t = app.add_subcommand("compile-time", "Compile time of a sigma-cpp TU against a Boost-only one");
    t->add_option("--repeat", ct.repeat, "Compilations of each TU (best taken)")->capture_default_str();
    t->add_option("--sigma-tu", ct.sigma_tu, "The TU that uses sigma-cpp")->capture_default_str();
    t->add_option("--boost-tu", ct.boost_tu, "The TU that uses Boost only")->capture_default_str();
    t->add_option("--source-tu", ct.source_tu, "The TU that includes <sigma/src.hpp>")->capture_default_str();
    t->add_option("--transport-tu", ct.transport_tu, "The TU that uses only the HTTPS transport")->capture_default_str();
    t->add_option("--cxx", ct.cxx, "Compiler command (default: the one Meson configured)");
    t->add_option("--flag", ct.flags, "Extra compiler flag (repeatable)")->allow_extra_args(false);
    t->add_flag("--json", json, "Print one JSON object on stdout");

    memory_child_options child;
    auto* mc = app.add_subcommand("__memory-child", "internal");
    mc->group("");
    mc->add_option("--mode", child.mode)->required();
    mc->add_option("--record", child.record);
    org_flags(mc, child.org);
    mc->add_option("--concurrency", child.concurrency);

    CLI11_PARSE(app, argc, argv);
    try {
        if (*c) return emit("crawl", run_crawl(crawl), json);
        if (*r) return emit("ratelimit", run_ratelimit(rl), json);
        if (*d) return emit("decode", run_decode(dec), json);
        if (*o) return emit("overhead", run_overhead(ov), json);
        if (*m) {
            if (mem.sizes.empty()) throw std::runtime_error("--sizes: at least one size");
            return emit("memory", run_memory(mem), json);
        }
        if (*t) return emit("compile-time", run_compile_time(ct), json);
        if (*ic) return emit("incremental", run_incremental(inc), json);
        if (*mc) {
            std::cout << boost::json::serialize(run_memory_child(child)) << std::endl;
            return 0;
        }
    } catch (std::exception const& e) {
        std::cerr << "sigma-bench: " << e.what() << "\n";
        return 2;
    }
    return 2;
}
