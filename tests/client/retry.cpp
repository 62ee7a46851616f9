#include <sigma/client/retry.hpp>

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_CASE("retry: full-jitter back-off doubles up to the cap") {
    sigma::retry_policy p;
    p.base = 500ms;
    p.cap = 30s;
    CHECK(sigma::backoff(p, 0, 1.0) == 500ms);
    CHECK(sigma::backoff(p, 1, 1.0) == 1000ms);
    CHECK(sigma::backoff(p, 3, 1.0) == 4000ms);
    CHECK(sigma::backoff(p, 20, 1.0) == 30s);
    CHECK(sigma::backoff(p, 3, 0.25) == 1000ms);
    CHECK(sigma::backoff(p, 3, 0.0) == 0ms);
}

TEST_CASE("retry: Retry-After in seconds and as an HTTP date") {
    auto now = std::chrono::sys_days{std::chrono::year{2015} / 10 / 21} + std::chrono::hours(7) +
               std::chrono::minutes(28);
    CHECK(sigma::parse_retry_after("120", now) == std::chrono::milliseconds(120'000));
    CHECK(sigma::parse_retry_after(" 3 ", now) == std::chrono::milliseconds(3'000));
    CHECK(sigma::parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == std::chrono::milliseconds(30'000));
    CHECK(sigma::parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now) == std::chrono::milliseconds(0));
    CHECK_FALSE(sigma::parse_retry_after("", now).has_value());
    CHECK_FALSE(sigma::parse_retry_after("-5", now).has_value());
    CHECK_FALSE(sigma::parse_retry_after("soon", now).has_value());
    CHECK_FALSE(sigma::parse_retry_after("Wed, 32 Oct 2015 07:28:30 GMT", now).has_value());
}

TEST_CASE("retry: which statuses and how long") {
    CHECK(sigma::is_retryable_status(429));
    CHECK(sigma::is_retryable_status(502));
    CHECK(sigma::is_retryable_status(503));
    CHECK(sigma::is_retryable_status(504));
    CHECK_FALSE(sigma::is_retryable_status(409));
    CHECK_FALSE(sigma::is_retryable_status(500));
    sigma::retry_policy p;
    // 429 without Retry-After: at least 2 s even when the draw is small.
    CHECK(sigma::retry_delay(p, 429, std::nullopt, 0, 0.1) == 2000ms);
    CHECK(sigma::retry_delay(p, 429, std::nullopt, 4, 1.0) == 8000ms);
    CHECK(sigma::retry_delay(p, 503, std::nullopt, 0, 0.1) == 50ms);
    CHECK(sigma::retry_delay(p, 429, 7000ms, 0, 0.1) == 7000ms);
    // A Retry-After beyond the policy's maximum is not waited for.
    CHECK_FALSE(sigma::retry_delay(p, 429, 3600s, 0, 0.1).has_value());
}
