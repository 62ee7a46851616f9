// SPDX-License-Identifier: MIT
// When to retry and how long to wait: pure functions of the attempt, the
// answer's Retry-After and a random draw, so tests check the waits exactly.
#ifndef SIGMA_CLIENT_RETRY_HPP
#define SIGMA_CLIENT_RETRY_HPP

#include <sigma/detail/prelude.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace sigma {

struct retry_policy {
    // Attempts per request, the first included.
    unsigned max_attempts = 6;
    // Back-off: a uniform draw in [0, min(cap, base * 2^retry)] ("full jitter").
    std::chrono::milliseconds base{500};
    std::chrono::milliseconds cap{30'000};
    // After a 429 without Retry-After (Cloudflare often omits it).
    std::chrono::milliseconds min_wait_after_429{2'000};
    // A Retry-After longer than this is not waited for: the call fails.
    std::chrono::milliseconds max_retry_after{300'000};
    // Retries allowed over the client's life, so that an outage cannot make a
    // crawl of thousands of calls retry each one six times.
    std::uint64_t budget = 10'000;
};

constexpr bool is_retryable_status(unsigned status) noexcept {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

// The full-jitter back-off before retry number `retry` (0 for the first retry).
inline std::chrono::milliseconds backoff(retry_policy const& p, unsigned retry, double uniform01) {
    double ceiling = static_cast<double>(p.base.count());
    for (unsigned i = 0; i < retry && ceiling < static_cast<double>(p.cap.count()); ++i) ceiling *= 2;
    ceiling = std::min(ceiling, static_cast<double>(p.cap.count()));
    double u = std::clamp(uniform01, 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(ceiling * u));
}

namespace detail {

inline bool parse_http_date(std::string_view s, std::chrono::system_clock::time_point& out) {
    // IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"), which RFC 9110 requires senders to use.
    static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (s.size() != 29 || s[3] != ',' || s.substr(26) != "GMT") return false;
    auto num = [&](std::size_t pos, std::size_t len, int& v) {
        auto r = std::from_chars(s.data() + pos, s.data() + pos + len, v);
        return r.ec == std::errc{} && r.ptr == s.data() + pos + len;
    };
    int day, year, hh, mm, ss;
    if (!num(5, 2, day) || !num(12, 4, year) || !num(17, 2, hh) || !num(20, 2, mm) || !num(23, 2, ss)) return false;
    int month = -1;
    for (int i = 0; i < 12; ++i)
        if (s.substr(8, 3) == months[i]) month = i + 1;
    if (month < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return false;
    using namespace std::chrono;
    auto ymd = year_month_day{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                              std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return false;
    out = sys_days{ymd} + hours{hh} + minutes{mm} + seconds{ss};
    return true;
}

} // namespace detail

// Retry-After as a delay: delta-seconds or an HTTP date; nullopt when absent or unreadable.
inline std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view v,
                                                                  std::chrono::system_clock::time_point now) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (v.empty()) return std::nullopt;
    std::int64_t secs = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), secs);
    if (r.ec == std::errc{} && r.ptr == v.data() + v.size()) {
        if (secs < 0) return std::nullopt;
        return std::chrono::milliseconds(std::min<std::int64_t>(secs, 86'400) * 1000);
    }
    std::chrono::system_clock::time_point at;
    if (detail::parse_http_date(v, at)) {
        auto d = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
        return std::max(d, std::chrono::milliseconds(0));
    }
    return std::nullopt;
}

// How long to wait before retrying an answer with `status`, or nullopt to stop.
inline std::optional<std::chrono::milliseconds> retry_delay(retry_policy const& p, unsigned status,
                                                            std::optional<std::chrono::milliseconds> retry_after,
                                                            unsigned retry, double uniform01) {
    auto jitter = backoff(p, retry, uniform01);
    if (retry_after) {
        if (*retry_after > p.max_retry_after) return std::nullopt;
        return std::max(*retry_after, std::chrono::milliseconds(0));
    }
    if (status == 429) return std::max(jitter, p.min_wait_after_429);
    return jitter;
}

} // namespace sigma

#endif
