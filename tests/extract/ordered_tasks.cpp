// The extraction's task runners on their own: run_all runs every task, never
// more than `limit` at once, starts them in index order, and stops starting
// after a failure; run_ordered hands results on in index order whatever order
// they end in.
#include <sigma/extract/detail/ordered_tasks.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace test_ordered_tasks {

namespace x = sigma::extract::detail;

// Tasks and handlers as std::function: the runners' coroutine frames are
// types of a header, and GCC warns when they hold a test's lambda (a type
// without linkage, from doctest's static test functions).
using task_fn = std::function<boost::asio::awaitable<void>(std::size_t)>;
using result_fn = std::function<boost::asio::awaitable<std::string>(std::size_t)>;
using emit_fn = std::function<void(std::size_t, std::string&&)>;

// Runs `op` to its end on a fresh io_context; its exception, if any, as text.
template <class Op>
std::string run(Op op) {
    boost::asio::io_context ioc{1};
    std::string error = "did not end";
    boost::asio::co_spawn(ioc, std::move(op), [&](std::exception_ptr e) {
        error.clear();
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (std::exception const& ex) {
            error = ex.what();
        }
    });
    ioc.run();
    return error;
}

// A task that stays suspended for `turns` passes of the event loop.
boost::asio::awaitable<void> yield_for(std::size_t turns) {
    for (std::size_t t = 0; t < turns; ++t) co_await boost::asio::post(boost::asio::use_awaitable);
}

struct tally {
    std::size_t running = 0, peak = 0;
    std::vector<std::size_t> started, ended;
    boost::asio::awaitable<void> task(std::size_t i, std::size_t turns) {
        started.push_back(i);
        peak = std::max(peak, ++running);
        co_await yield_for(turns);
        --running;
        ended.push_back(i);
    }
};

// A budget of `places` worker places shared by the pool (and, in the
// extraction, by every other pool); counts what it lent. At namespace scope:
// the pool's coroutine frame holds a copy, and a type without linkage there
// makes GCC warn.
struct budget_state {
    std::size_t places = 0, lent = 0, peak_lent = 0, refused = 0;
};
struct budget {
    budget_state* s;
    bool take() const {
        if (s->lent >= s->places) {
            ++s->refused;
            return false;
        }
        s->peak_lent = std::max(s->peak_lent, ++s->lent);
        return true;
    }
    void give() const { --s->lent; }
};

} // namespace test_ordered_tasks

TEST_CASE("ordered tasks: run_all runs every task, at most `limit` at once, started in index order") {
    using namespace test_ordered_tasks;
    for (std::size_t limit : {1u, 3u, 8u, 40u}) {
        CAPTURE(limit);
        tally t;
        // Uneven lengths, so that tasks end out of order.
        auto op = [&]() -> boost::asio::awaitable<void> {
            co_await x::run_all(20, limit, task_fn([&](std::size_t i) { return t.task(i, 1 + (i * 7) % 5); }));
        };
        CHECK(run(op) == "");
        CHECK(t.running == 0);
        CHECK(t.peak == std::min<std::size_t>(limit, 20));
        REQUIRE(t.started.size() == 20);
        for (std::size_t i = 0; i < 20; ++i) CHECK(t.started[i] == i);
        CHECK(t.ended.size() == 20);
        if (limit > 1) CHECK_FALSE(std::is_sorted(t.ended.begin(), t.ended.end()));
    }
}

TEST_CASE("ordered tasks: run_all with nothing to do, and a limit of 0 as 1") {
    using namespace test_ordered_tasks;
    tally t;
    auto none = [&]() -> boost::asio::awaitable<void> {
        co_await x::run_all(0, 4, task_fn([&](std::size_t i) { return t.task(i, 1); }));
    };
    CHECK(run(none) == "");
    CHECK(t.started.empty());
    auto serial = [&]() -> boost::asio::awaitable<void> {
        co_await x::run_all(5, 0, task_fn([&](std::size_t i) { return t.task(i, 2); }));
    };
    CHECK(run(serial) == "");
    CHECK(t.peak == 1);
    CHECK(t.started.size() == 5);
}

TEST_CASE("ordered tasks: after a task throws, run_all starts no other and rethrows once the running ones end") {
    using namespace test_ordered_tasks;
    tally t;
    std::size_t const limit = 4, bad = 6;
    task_fn task = [&](std::size_t i) -> boost::asio::awaitable<void> {
        if (i == bad) {
            t.started.push_back(i);
            co_await yield_for(1);
            throw std::runtime_error("task " + std::to_string(i) + " failed");
        }
        co_await t.task(i, 3);
    };
    auto op = [&]() -> boost::asio::awaitable<void> { co_await x::run_all(50, limit, task); };
    CHECK(run(op) == "task 6 failed");
    CHECK(t.running == 0);                    // the others ran to their end first
    CHECK(t.started.size() < bad + limit + 1); // nothing started after the failure was seen
    CHECK(std::find(t.started.begin(), t.started.end(), bad) != t.started.end());
    CHECK(t.ended.size() == t.started.size() - 1);
}

TEST_CASE("ordered tasks: run_all adds a worker past the first only for a place in a shared budget") {
    using namespace test_ordered_tasks;
    SUBCASE("no place: one worker does every task, in order") {
        budget_state b;
        tally t;
        auto op = [&]() -> boost::asio::awaitable<void> {
            co_await x::run_all(12, 8, task_fn([&](std::size_t i) { return t.task(i, 1 + i % 3); }), budget{&b});
        };
        CHECK(run(op) == "");
        CHECK(t.peak == 1);
        CHECK(t.ended.size() == 12);
        CHECK(std::is_sorted(t.ended.begin(), t.ended.end()));
        CHECK(b.refused > 0);
        CHECK(b.lent == 0);
    }
    SUBCASE("two places: three workers at most, all places given back") {
        budget_state b;
        b.places = 2;
        tally t;
        auto op = [&]() -> boost::asio::awaitable<void> {
            co_await x::run_all(20, 8, task_fn([&](std::size_t i) { return t.task(i, 1 + (i * 7) % 5); }), budget{&b});
        };
        CHECK(run(op) == "");
        CHECK(t.peak == 3);
        CHECK(b.peak_lent == 2);
        CHECK(b.lent == 0);
        REQUIRE(t.started.size() == 20);
        for (std::size_t i = 0; i < 20; ++i) CHECK(t.started[i] == i);
    }
    SUBCASE("places that appear later: the pool grows as tasks end, never past its limit") {
        budget_state b;
        tally t;
        std::size_t const limit = 4;
        auto op = [&]() -> boost::asio::awaitable<void> {
            co_await x::run_all(30, limit, task_fn([&](std::size_t i) {
                if (i == 5) b.places = 10; // another pool ended, say
                return t.task(i, 2);
            }), budget{&b});
        };
        CHECK(run(op) == "");
        CHECK(t.peak == limit);
        CHECK(b.peak_lent == limit - 1);
        CHECK(b.lent == 0);
        CHECK(t.ended.size() == 30);
    }
}

TEST_CASE("ordered tasks: run_ordered hands results on in index order, whatever order they end in") {
    using namespace test_ordered_tasks;
    std::vector<std::size_t> emitted;
    std::size_t running = 0, peak = 0;
    result_fn make = [&](std::size_t i) -> boost::asio::awaitable<std::string> {
        peak = std::max(peak, ++running);
        co_await yield_for(1 + (i * 5) % 4);
        --running;
        co_return "r" + std::to_string(i);
    };
    auto op = [&]() -> boost::asio::awaitable<void> {
        co_await x::run_ordered(30, 5, make, emit_fn([&](std::size_t i, std::string&& r) {
                                    CHECK(r == "r" + std::to_string(i));
                                    emitted.push_back(i);
                                }));
    };
    CHECK(run(op) == "");
    CHECK(peak == 5);
    REQUIRE(emitted.size() == 30);
    for (std::size_t i = 0; i < 30; ++i) CHECK(emitted[i] == i);
}
