// SPDX-License-Identifier: MIT
// Time as the client sees it: injectable, so that tests of token expiry and
// retry back-off advance a fake clock instead of sleeping.
#ifndef SIGMA_CLOCK_HPP
#define SIGMA_CLOCK_HPP

#include <sigma/detail/prelude.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <sigma/detail/coroutine_warnings.hpp>

SIGMA_COROUTINES_BEGIN

namespace sigma {

struct clock_source {
    // Monotonic time, for token expiry and rate limiting.
    std::function<std::chrono::steady_clock::time_point()> now;
    // Calendar time, to read Retry-After given as an HTTP date.
    std::function<std::chrono::system_clock::time_point()> wall_now;
    // Waits (the client's only way to pass time).
    std::function<boost::asio::awaitable<void>(std::chrono::milliseconds)> sleep;
    // Uniform in [0, 1), for back-off jitter.
    std::function<double()> random;

    // The real clocks, an Asio timer on the calling coroutine's executor, and
    // a generator seeded from std::random_device.
    static clock_source system() {
        clock_source c;
        c.now = [] { return std::chrono::steady_clock::now(); };
        c.wall_now = [] { return std::chrono::system_clock::now(); };
        c.sleep = [](std::chrono::milliseconds d) -> boost::asio::awaitable<void> {
            boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
            co_await t.async_wait(boost::asio::use_awaitable);
        };
        struct rng_state {
            std::mutex m;
            std::mt19937_64 g{std::random_device{}()};
        };
        auto st = std::make_shared<rng_state>();
        c.random = [st] {
            std::lock_guard lock(st->m);
            return std::uniform_real_distribution<double>(0.0, 1.0)(st->g);
        };
        return c;
    }
};

} // namespace sigma

SIGMA_COROUTINES_END

#endif
