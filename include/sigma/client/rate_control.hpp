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
//   flight can outrun it.
// Each 429 costs a client-wide pause (1-2 s), so the controller tries to need
// few of them. A sample that starts with a rested server (the first request,
// or the end of a pause) holds the server's burst as well as its rate; the
// shortest such sample is mostly burst, so the difference between a longer
// one and it is the rate alone. Once the rate is known the pace holds just
// under it for `plateau`, then probes upwards slowly (pace_growth per second
// while it holds requests back), in case the limit was raised.
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
    // over the last `measure_window` of sending time (pauses excluded)...
    double pace_backoff = 0.9;
    // ...or this share of the server's rate, when the burst could be told
    // apart from it (see the top of this file); growth stops there too.
    double rate_share = 0.98;
    double short_rate_share = 0.95; // the same from a sample shorter than min_sample
    std::chrono::milliseconds measure_window{5'000};
    // A sample shorter than this is mostly burst: it only halves the pace.
    std::chrono::milliseconds min_sample{500};
    // After a 429 the pace grows no further than rate_share of what the
    // server admitted for this long (limits seldom change, and each probe
    // above one costs a pause of the whole client)...
    std::chrono::seconds plateau{60};
    // ...and then, each second without a 429 in which the pace held a
    // request back, by this share.
    double pace_growth = 0.01;
    // Before any sample was long enough to measure the rate, the pace is a
    // guess from a burst, and grows by this share per second instead.
    double guess_growth = 0.05;
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

    // An answer other than 429 arrived, for a request started in `started_epoch`.
    void on_answer(time_point now, std::optional<std::uint64_t> started_epoch = std::nullopt) {
        // Admitted before a 429 that measured the burst or the rate, answered
        // after it: the sample was short of it.
        if (started_epoch && burst_ && *started_epoch == burst_epoch_) ++burst_->admitted;
        if (started_epoch && measured_ && *started_epoch == measured_->epoch) {
            ++measured_->admitted;
            apply_measured();
        }
        answers_.push_back(now);
        trim(now);
        // Additive increase: one more place per window's worth of answers.
        if (window_ < max_ && ++answers_at_window_ >= window_) {
            ++window_;
            answers_at_window_ = 0;
        }
        if (pace_ && held_back_ && now - *held_back_ <= std::chrono::seconds(1) &&
            now - last_change_ >= std::chrono::seconds(1)) {
            double grown = *pace_ * (1.0 + (rate_known_ ? opts_.pace_growth : opts_.guess_growth));
            if (rate_known_ && now < plateau_until_) grown = std::min(grown, cap_);
            if (grown > *pace_) {
                pace_ = grown;
                last_change_ = now;
            }
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
        measured_.reset();
        window_ = std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(window_) * opts_.window_decrease));
        answers_at_window_ = 0;

        // The rate admitted while sending: since the end of the last pause
        // (or the first request), over at most measure_window.
        trim(now);
        time_point from = now - opts_.measure_window;
        bool rested = false; // the sample starts where the server had rested
        for (auto const& start : {first_, resumed_})
            if (start && *start >= from) {
                from = *start;
                rested = true;
            }
        double const span = std::chrono::duration<double>(now - from).count();
        auto const admitted = static_cast<double>(
            std::count_if(answers_.begin(), answers_.end(), [&](time_point t) { return t >= from; }));
        double const min_sample = std::chrono::duration<double>(opts_.min_sample).count();
        std::optional<double> const ceiling = pace_; // a 429 at this pace: never above it
        double next;
        // A rested sample less the burst is the rate alone, when a shorter
        // rested sample measured the burst; that holds for a shorter sample
        // too, with a wider margin for the answers still in flight.
        bool const less_burst = rested && burst_ && admitted > burst_->admitted && span - burst_->span >= min_sample / 2;
        if ((span >= min_sample && admitted > 0) || less_burst) {
            double const rate = admitted / span; // the server's rate plus, when rested, its burst
            next = opts_.pace_backoff * rate;
            cap_ = opts_.rate_share * rate;
            if (pace_) next = std::min(next, *pace_);
            rate_known_ = true;
            plateau_until_ = now + opts_.plateau;
        } else {
            // Mostly burst: what was admitted, over so short a time, says
            // little of the rate. Record it as the burst, and back off.
            if (rested && (!burst_ || span < burst_->span)) {
                burst_ = sample{admitted, span};
                burst_epoch_ = epoch_ - 1;
            }
            if (pace_) next = *pace_ / 2;
            else next = 0.5 * (admitted + 1) / std::max(span, 0.01);
            if (pace_) cap_ = std::min(cap_, *pace_);
        }
        pace_ = std::max(opts_.min_pace, next);
        cap_ = std::max(cap_, *pace_);
        if (less_burst) {
            // Less the burst, the rate alone; answers still in flight refine it.
            measured_ = sample_less_burst{epoch_ - 1,
                                          admitted,
                                          span,
                                          span - burst_->span >= min_sample ? opts_.rate_share : opts_.short_rate_share,
                                          ceiling};
            apply_measured();
        }
        resumed_ = paused_until_;
        last_change_ = now;
        held_back_.reset();
        return true;
    }

private:
    // The pace from a rested sample less the burst. Taken as at most half the
    // sample: a server that is no token bucket can give any figure here.
    void apply_measured() {
        auto const& m = *measured_;
        double const rate = m.admitted / m.span;
        double const estimate =
            std::clamp((m.admitted - burst_->admitted) / (m.span - burst_->span), rate / 2, rate);
        double next = m.share * estimate;
        if (m.ceiling) next = std::min(next, *m.ceiling);
        pace_ = std::max(opts_.min_pace, next);
        cap_ = std::max(opts_.rate_share * estimate, *pace_);
    }

    void trim(time_point now) {
        while (!answers_.empty() && now - answers_.front() > opts_.measure_window) answers_.pop_front();
    }

    struct sample {
        double admitted;
        double span; // seconds
    };
    struct sample_less_burst {
        std::uint64_t epoch; // answers to requests started in it still count
        double admitted;
        double span;
        double share;
        std::optional<double> ceiling;
    };

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
    time_point plateau_until_{};
    double cap_ = 0; // the pace's ceiling until plateau_until_
    std::optional<sample> burst_;
    std::uint64_t burst_epoch_ = 0; // requests started in it count towards burst_
    std::optional<sample_less_burst> measured_; // the last 429's, while its answers arrive
    bool rate_known_ = false;                    // a long enough sample has measured the server's rate
    std::deque<time_point> answers_;
};

} // namespace sigma

#endif
