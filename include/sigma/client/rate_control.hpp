// SPDX-License-Identifier: MIT
// How many requests a client keeps in flight and how fast it starts them,
// adapted to the server's rate limit. Pure logic over time points handed in by
// the caller, so tests drive it with a manual clock.
//
// Two limits work together, both lowered on a 429 and regrown without one:
// - a window of requests in flight (AIMD: halved on a 429, +1 per window's
//   worth of answers), which bounds load on a slow server;
// - a pace (requests started per second), set from the rate the server was
//   seen to admit while the client was sending before the 429, which is what
//   a token-bucket limit measures: with short latencies even one request in
//   flight can outrun it. Each 429 costs a client-wide pause, so the pace
//   regrows slowly (pace_growth per second, while it holds requests back):
//   probing fast would buy a pause per probe.
// One congestion event lowers the limits once: a 429 for a request started
// before the last decrease is part of the same event.
#ifndef SIGMA_CLIENT_RATE_CONTROL_HPP
#define SIGMA_CLIENT_RATE_CONTROL_HPP

#include <sigma/detail/prelude.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace sigma {

struct rate_control_options {
    // On a 429 the window is multiplied by this (it never drops below 1).
    double window_decrease = 0.5;
    // On a 429 the pace becomes this share of the rate the server admitted
    // over the last `measure_window` of sending time (pauses excluded).
    double pace_backoff = 0.9;
    std::chrono::milliseconds measure_window{2'000};
    // Each second without a 429 in which the pace held a request back, the
    // pace grows by this share.
    double pace_growth = 0.01;
    // The pace never drops below this many requests per second.
    double min_pace = 0.5;
};

class rate_controller {
public:
    using time_point = std::chrono::steady_clock::time_point;

    rate_controller(std::size_t max_concurrency, rate_control_options o)
        : max_(std::max<std::size_t>(1, max_concurrency)), window_(max_), opts_(o) {}

    // Requests allowed in flight now.
    [[nodiscard]] std::size_t window() const noexcept { return window_; }
    [[nodiscard]] std::size_t max_concurrency() const noexcept { return max_; }
    // Requests started per second at most; nullopt until the first 429.
    [[nodiscard]] std::optional<double> pace() const noexcept { return pace_; }
    // Counts decreases; a request remembers the epoch it started in.
    [[nodiscard]] std::uint64_t epoch() const noexcept { return epoch_; }
    [[nodiscard]] time_point paused_until() const noexcept { return paused_until_; }

    // The time at which a request asked for at `now` may start, reserved for
    // it: the caller waits until then (and re-checks the pause).
    time_point reserve(time_point now) {
        if (!first_) first_ = now;
        if (!pace_) return now;
        auto const gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(1.0 / *pace_));
        time_point at = std::max(now, next_start_);
        next_start_ = at + gap;
        if (at > now) held_back_ = now;
        return at;
    }

    // An answer other than 429 arrived.
    void on_answer(time_point now) {
        answers_.push_back(now);
        trim(now);
        // Additive increase: one more place per window's worth of answers.
        if (window_ < max_ && ++answers_at_window_ >= window_) {
            ++window_;
            answers_at_window_ = 0;
        }
        if (pace_ && held_back_ && now - *held_back_ <= std::chrono::seconds(1) &&
            now - last_change_ >= std::chrono::seconds(1)) {
            pace_ = *pace_ * (1.0 + opts_.pace_growth);
            last_change_ = now;
        }
    }

    // A 429 arrived for a request started in `started_epoch`; the client is
    // to pause until `resume_at`. True when this is a new congestion event
    // (the limits were lowered).
    bool on_rate_limited(std::uint64_t started_epoch, time_point now, time_point resume_at) {
        paused_until_ = std::max(paused_until_, resume_at);
        if (started_epoch != epoch_) {
            // Part of an event already handled, but it may lengthen the pause:
            // the next sample starts when sending really resumed.
            if (resumed_ && *resumed_ < paused_until_) resumed_ = paused_until_;
            return false;
        }
        ++epoch_;
        window_ = std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(window_) * opts_.window_decrease));
        answers_at_window_ = 0;

        // The rate admitted while sending: since the end of the last pause
        // (or the first request), over at most measure_window. A sample of
        // half a second or more is the server's rate, give or take its burst;
        // a shorter one is mostly burst, so it only halves what was sent.
        trim(now);
        time_point from = now - opts_.measure_window;
        if (first_ && *first_ > from) from = *first_;
        if (resumed_ && *resumed_ > from) from = *resumed_;
        double const span = std::chrono::duration<double>(now - from).count();
        auto const admitted = static_cast<double>(
            std::count_if(answers_.begin(), answers_.end(), [&](time_point t) { return t >= from; }));
        double const measure = std::chrono::duration<double>(opts_.measure_window).count();
        double next;
        if (span >= measure / 4 && admitted > 0) {
            next = opts_.pace_backoff * admitted / span;
            if (pace_) next = std::min(next, *pace_);
        } else if (pace_) {
            next = *pace_ / 2;
        } else {
            next = 0.5 * (admitted + 1) / std::max(span, 0.01);
        }
        pace_ = std::max(opts_.min_pace, next);
        resumed_ = paused_until_;
        last_change_ = now;
        held_back_.reset();
        return true;
    }

private:
    void trim(time_point now) {
        while (!answers_.empty() && now - answers_.front() > opts_.measure_window) answers_.pop_front();
    }

    std::size_t max_;
    std::size_t window_;
    std::size_t answers_at_window_ = 0;
    rate_control_options opts_;
    std::optional<double> pace_;
    std::uint64_t epoch_ = 0;
    std::optional<time_point> first_;
    std::optional<time_point> resumed_;
    std::optional<time_point> held_back_;
    time_point next_start_{};
    time_point last_change_{};
    time_point paused_until_{};
    std::deque<time_point> answers_;
};

} // namespace sigma

#endif
