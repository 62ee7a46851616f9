// SPDX-License-Identifier: MIT
// A clock for tests: time passes only when the code under test sleeps or the
// test advances it, every sleep is recorded, and the random draw is fixed, so
// retry and expiry tests check exact waits and never sleep on the wall clock.
#ifndef SIGMA_TESTING_MANUAL_CLOCK_HPP
#define SIGMA_TESTING_MANUAL_CLOCK_HPP

#include <sigma/clock.hpp>
#include <sigma/detail/coroutine_warnings.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma::testing {

struct manual_clock {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
    std::chrono::system_clock::time_point wall{std::chrono::sys_days{std::chrono::year{2026} / 11 / 28}};
    std::vector<std::chrono::milliseconds> sleeps;
    double random = 0.5; // what clock_source::random returns

    void advance(std::chrono::milliseconds d) {
        now += d;
        wall += d;
    }

    // A clock_source reading this object; it must outlive the source's users.
    sigma::clock_source source() {
        sigma::clock_source c;
        c.now = [this] { return now; };
        c.wall_now = [this] { return wall; };
        c.sleep = [this](std::chrono::milliseconds d) -> boost::asio::awaitable<void> {
            sleeps.push_back(d);
            advance(d);
            co_return;
        };
        c.random = [this] { return random; };
        return c;
    }
};

} // namespace sigma::testing

SIGMA_COROUTINES_END

#endif
