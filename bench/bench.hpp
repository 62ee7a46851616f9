// SPDX-License-Identifier: MIT
// sigma-bench: what the two translation units share. main.cpp (command line,
// tables, processes, the compile-time measurement) does not include sigma-cpp;
// workloads.cpp (everything that runs the library) does.
#ifndef SIGMA_BENCH_BENCH_HPP
#define SIGMA_BENCH_BENCH_HPP

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bench {

// One line of a human table: a figure, its goal (empty: none) and whether it
// meets it. The benchmark reports goals; it never fails on them.
struct figure {
    std::string name;
    std::string value;
    std::string goal;
    std::optional<bool> met;
};

struct outcome {
    boost::json::object json; // the --json object (figures, goals, goals_met, notes)
    std::vector<figure> table;
    std::vector<std::string> notes;
};

// The generated organisation every extraction subcommand uses.
struct org_size {
    std::size_t workbooks = 100;
    std::size_t pages = 3;
    std::size_t elements = 6;
    std::uint64_t seed = 1;
    bool lineage = true;
};

struct crawl_options {
    org_size org;
    unsigned latency_ms = 20;
    std::size_t low = 1;   // concurrency of the first run
    std::size_t high = 16; // and of the second
    std::size_t server_threads = 1;
    bool tls = false;
};

struct ratelimit_options {
    org_size org;
    unsigned latency_ms = 20;
    std::size_t concurrency = 16;
    double limit = 50;          // requests per second (server token bucket)
    double burst = 10;          // bucket size
    double without_retry_after = 0.5; // share of 429s sent without Retry-After
    std::size_t server_threads = 1;
    bool tls = false;
};

struct decode_options {
    std::size_t entries = 1000;  // entries of the workbook page and of the lineage page
    std::size_t graph_nodes = 2000; // nodes of the element lineage graph
    double min_time = 0.5;       // seconds per measurement, at least
    std::size_t min_rounds = 5;  // measurement rounds, at least
};

struct overhead_options {
    org_size org;
    std::size_t concurrency = 0; // 0: the client's default
    double min_time = 0.5;
    std::size_t min_rounds = 3;
};

struct memory_child_options {
    org_size org;
    std::size_t concurrency = 0;
    std::string mode;      // "generate" (organisation generated in the process) or "replay"
    std::string record;    // generate: record the responses to this file; replay: read them from it
};

struct incremental_options {
    org_size org{2000, 3, 6, 1, true};
    double changed_percent = 2;  // workbooks given a new version between the runs
    double removed_percent = 0;  // and workbooks deleted
    std::size_t concurrency = 0; // 0: the client's default
};

outcome run_crawl(crawl_options const& o);
outcome run_incremental(incremental_options const& o);
outcome run_ratelimit(ratelimit_options const& o);
outcome run_decode(decode_options const& o);
outcome run_overhead(overhead_options const& o);
// Runs in a fresh process (sigma-bench __memory-child); prints one JSON object.
boost::json::object run_memory_child(memory_child_options const& o);

// ---- small helpers shared by both translation units -------------------------

std::string fixed(double v, int digits);
double cpu_seconds();        // this process, user + system
double thread_cpu_seconds(); // the calling thread
double wall_seconds();       // steady clock
std::uint64_t rss_kib();     // current VmRSS
std::uint64_t hwm_kib();     // VmHWM: this image's peak RSS
std::uint64_t maxrss_kib();  // getrusage(RUSAGE_SELF).ru_maxrss
std::uint64_t thread_allocations() noexcept; // operator new calls on this thread so far (alloc_count.cpp)

// Records a figure both in the table and the JSON object.
void put(outcome& out, std::string const& key, double value, int digits, std::string const& goal = {},
         std::optional<bool> met = std::nullopt, std::string const& label = {});
void put(outcome& out, std::string const& key, std::uint64_t value, std::string const& goal = {},
         std::optional<bool> met = std::nullopt, std::string const& label = {});
void put_text(outcome& out, std::string const& key, std::string const& value, std::string const& label = {});
void note(outcome& out, std::string text);

} // namespace bench

#endif
