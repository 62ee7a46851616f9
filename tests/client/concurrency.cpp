// Concurrency and rate-limit adaptation: the controller's rules on a manual
// clock, and the client's window and client-wide pause over a transport that
// keeps requests in flight for a few turns of the event loop.
#include "test_support.hpp"

#include <sigma/client/rate_control.hpp>

#include <functional>
#include <queue>

#include <boost/asio/post.hpp>
#include <doctest/doctest.h>

#include <algorithm>

namespace test_concurrency {
using namespace client_support;
using sigma::http_request;
using sigma::http_response;
using sigma::testing::json_response;
using namespace std::chrono_literals;
using tp = std::chrono::steady_clock::time_point;

// Holds each request for `turns` turns of the executor before answering, so
// that concurrent calls really overlap; records the peak overlap and when
// (on the test's clock) each request started.
struct slow_transport {
    struct state {
        std::function<sigma::result<http_response>(http_request const&)> handler;
        fake_clock* clock = nullptr;
        int turns = 3;
        std::size_t in_flight = 0, peak = 0;
        std::vector<std::pair<std::string, tp>> started;
    };
    boost::asio::any_io_executor ex;
    std::shared_ptr<state> st;

    boost::asio::any_io_executor get_executor() const { return ex; }
    boost::asio::awaitable<sigma::result<http_response>> async_send(http_request req) {
        auto s = st;
        s->started.emplace_back(req.target, s->clock->now);
        s->peak = std::max(s->peak, ++s->in_flight);
        for (int i = 0; i < s->turns; ++i) co_await boost::asio::post(ex, boost::asio::use_awaitable);
        --s->in_flight;
        co_return s->handler(req);
    }
};
static_assert(sigma::transport<slow_transport>);

struct rig {
    boost::asio::io_context ioc;
    fake_clock clock;
    std::shared_ptr<slow_transport::state> st = std::make_shared<slow_transport::state>();
    std::unique_ptr<sigma::basic_client<slow_transport>> c;

    rig(std::function<sigma::result<http_response>(http_request const&)> h, sigma::client_options o) {
        st->handler = std::move(h);
        st->clock = &clock;
        o.clock = clock.source();
        c = std::make_unique<sigma::basic_client<slow_transport>>(client_support::test_config(), slow_transport{ioc.get_executor(), st},
                                                                  std::move(o));
    }
    // n concurrent whoami calls; returns how many succeeded.
    int whoami(int n) {
        int ok = 0;
        for (int i = 0; i < n; ++i)
            boost::asio::co_spawn(ioc, [&]() -> boost::asio::awaitable<void> {
                if (co_await c->async_get(sigma::api::get_whoami{})) ++ok;
            }, boost::asio::detached);
        ioc.run();
        ioc.restart();
        return ok;
    }
};

sigma::result<http_response> whoami_ok(http_request const& r) {
    if (r.target.starts_with("/v2/auth/token")) return json_response(200, token_body("tok-1"));
    return json_response(200, R"({"userId":"u1","organizationId":"o1"})");
}

// A coroutine's arguments live in its frame, unlike a lambda's captures.
boost::asio::awaitable<void> get_workbook(sigma::basic_client<slow_transport>& c, std::string id, int& ok) {
    sigma::api::get_workbook const e{{}, std::move(id)};
    auto r = co_await c.async_get(e);
    if (r) ++ok;
}

} // namespace test_concurrency

TEST_CASE("rate control: one 429 event halves the window once; later 429s of the same event do not") {
    using namespace test_concurrency;
    sigma::rate_controller rc(16, {});
    tp t{std::chrono::hours(1)};
    CHECK(rc.window() == 16);
    CHECK_FALSE(rc.pace());
    auto e = rc.epoch();
    rc.reserve(t);
    CHECK(rc.on_rate_limited(e, t, t + 1s));
    CHECK(rc.window() == 8);
    CHECK(rc.paused_until() == t + 1s);
    // Requests started before the decrease report the same event.
    CHECK_FALSE(rc.on_rate_limited(e, t + 10ms, t + 10ms + 2s));
    CHECK(rc.window() == 8);
    CHECK(rc.paused_until() == t + 10ms + 2s); // the longest wait wins
}

TEST_CASE("rate control: a later 429 of the same event that lengthens the pause moves the next sample's start") {
    using namespace test_concurrency;
    sigma::rate_controller rc(16, {});
    tp t{std::chrono::hours(1)};
    rc.reserve(t);
    for (int i = 0; i < 100; ++i) rc.on_answer(t + std::chrono::milliseconds(i * 20));
    auto e = rc.epoch();
    REQUIRE(rc.on_rate_limited(e, t + 2s, t + 3s));       // Retry-After: 1
    REQUIRE_FALSE(rc.on_rate_limited(e, t + 2s, t + 4s)); // same event, no Retry-After: 2 s
    CHECK(rc.paused_until() == t + 4s);
    // Sending resumes at t+4s; a 429 300 ms later is a short sample (the
    // pause does not count as sending), so the pace halves.
    double const before = *rc.pace();
    rc.on_answer(t + 4100ms);
    REQUIRE(rc.on_rate_limited(rc.epoch(), t + 4300ms, t + 5300ms));
    CHECK(*rc.pace() == doctest::Approx(before / 2));
}

TEST_CASE("rate control: the window grows back by one per window of answers, up to the maximum") {
    using namespace test_concurrency;
    sigma::rate_controller rc(8, {});
    tp t{std::chrono::hours(1)};
    rc.reserve(t);
    rc.on_rate_limited(rc.epoch(), t, t);
    rc.on_rate_limited(rc.epoch(), t, t);
    CHECK(rc.window() == 2);
    int answers = 0;
    while (rc.window() < 8 && answers < 1000) {
        rc.on_answer(t);
        ++answers;
    }
    CHECK(rc.window() == 8);
    CHECK(answers == 2 + 3 + 4 + 5 + 6 + 7); // 2→3 takes 2 answers, 3→4 takes 3, ...
    for (int i = 0; i < 100; ++i) rc.on_answer(t);
    CHECK(rc.window() == 8);
}

TEST_CASE("rate control: the pace comes from the admitted rate less the burst, holds for the plateau, then regrows") {
    using namespace test_concurrency;
    sigma::rate_control_options o;
    sigma::rate_controller rc(16, o);
    tp t{std::chrono::hours(1)};
    rc.reserve(t);
    // First event after 100 ms: too short a sample to tell the rate from the
    // burst; the pace is half of what was sent, and the sample is the burst.
    for (int i = 0; i < 40; ++i) rc.on_answer(t + std::chrono::milliseconds(i * 2));
    REQUIRE(rc.on_rate_limited(rc.epoch(), t + 100ms, t + 1100ms));
    REQUIRE(rc.pace());
    CHECK(*rc.pace() == doctest::Approx(0.5 * 41 / 0.1));
    // After the pause, 80 answers in the second of sending, then a 429: a
    // sample long enough to be the server's rate plus its burst again; the
    // pause does not count. Rate = (80 - 40) / (1.0 - 0.1) s.
    tp resume = t + 1100ms;
    for (int i = 0; i < 80; ++i) rc.on_answer(resume + std::chrono::milliseconds(i * 12));
    tp now = resume + 1000ms;
    REQUIRE(rc.on_rate_limited(rc.epoch(), now, now + 1s));
    double const rate = 40 / 0.9;
    CHECK(*rc.pace() == doctest::Approx(o.rate_share * rate));
    double const first = *rc.pace();
    // Paced requests are spaced 1/pace apart.
    tp a = rc.reserve(now + 1s);
    tp b = rc.reserve(now + 1s);
    CHECK(std::chrono::duration<double>(b - a).count() == doctest::Approx(1.0 / first));
    // Held back, a second without a 429, but within the plateau: no growth.
    rc.on_answer(now + 1500ms);
    CHECK(*rc.pace() == doctest::Approx(first));
    // After the plateau: held back, a second without a 429, it grows by pace_growth.
    tp later = now + o.plateau + 1s;
    rc.reserve(later);
    rc.reserve(later);
    rc.on_answer(later + 500ms);
    CHECK(*rc.pace() == doctest::Approx(first * (1 + o.pace_growth)));
    // Not held back (the pace is not what limits): no growth.
    double const grown = *rc.pace();
    rc.on_answer(later + 5000ms);
    CHECK(*rc.pace() == doctest::Approx(grown));
}

TEST_CASE("rate control: a burst taken for most of a sample counts as at most half of it") {
    using namespace test_concurrency;
    sigma::rate_controller rc(16, {});
    tp t{std::chrono::hours(1)};
    rc.reserve(t);
    for (int i = 0; i < 40; ++i) rc.on_answer(t + std::chrono::milliseconds(i * 2));
    REQUIRE(rc.on_rate_limited(rc.epoch(), t + 100ms, t + 1100ms));
    // 50 answers in the next second: less a burst of 40 the rate would be 11/s,
    // which no token bucket that admitted 40 at once and then 50/s would give.
    tp resume = t + 1100ms;
    for (int i = 0; i < 50; ++i) rc.on_answer(resume + std::chrono::milliseconds(i * 20));
    REQUIRE(rc.on_rate_limited(rc.epoch(), resume + 1000ms, resume + 2000ms));
    CHECK(*rc.pace() == doctest::Approx(0.98 * 25));
}

TEST_CASE("rate control: answers to requests of the burst that arrive after its 429 count towards it") {
    using namespace test_concurrency;
    sigma::rate_controller rc(16, {});
    tp t{std::chrono::hours(1)};
    rc.reserve(t);
    auto const e0 = rc.epoch();
    for (int i = 0; i < 4; ++i) rc.on_answer(t + 10ms, e0);
    REQUIRE(rc.on_rate_limited(e0, t + 20ms, t + 1020ms));
    for (int i = 0; i < 6; ++i) rc.on_answer(t + 21ms, e0); // admitted with the burst, answered after the 429
    // A rested sample of 1 s: 60 answers, of which the burst (10) is not rate.
    tp resume = t + 1020ms;
    auto const e1 = rc.epoch();
    for (int i = 0; i < 60; ++i) rc.on_answer(resume + std::chrono::milliseconds(i * 16), e1);
    REQUIRE(rc.on_rate_limited(e1, resume + 1000ms, resume + 2000ms));
    CHECK(*rc.pace() == doctest::Approx(0.98 * (60 - 10) / (1.0 - 0.02)));
}

TEST_CASE("rate control: a 429 right after a pause halves the pace, which then grows back slowly") {
    using namespace test_concurrency;
    sigma::rate_control_options o;
    sigma::rate_controller rc(16, o);
    tp t{std::chrono::hours(1)};
    rc.reserve(t);
    for (int i = 0; i < 100; ++i) rc.on_answer(t + std::chrono::milliseconds(i * 20));
    REQUIRE(rc.on_rate_limited(rc.epoch(), t + 2s, t + 3s)); // 100 answers in 2 s: pace 45
    double const good = *rc.pace();
    CHECK(good == doctest::Approx(45));
    rc.on_answer(t + 3050ms);
    REQUIRE(rc.on_rate_limited(rc.epoch(), t + 3100ms, t + 4s)); // 100 ms after the pause: a short sample
    CHECK(*rc.pace() == doctest::Approx(good / 2));
    // Held back, a second without a 429: grows by pace_growth, not faster
    // (each 429 costs a pause of the whole client).
    rc.reserve(t + 4100ms);
    rc.reserve(t + 4100ms);
    rc.on_answer(t + 5000ms);
    CHECK(*rc.pace() == doctest::Approx(good / 2 * (1 + o.pace_growth)));
}

TEST_CASE("rate control: against a token bucket the pace settles just under its rate, holds, then probes") {
    using namespace test_concurrency;
    // A server admitting 50 requests/s with a burst of 10; a client with 16
    // requests in flight at 20 ms each (800/s), as the client drives the
    // controller (a request waits for the pause, then its turn in the pace, and
    // takes the epoch at its start), simulated for two minutes. Retry-After is
    // 1 s; every other 429 has none (2 s).
    sigma::rate_control_options const o;
    sigma::rate_controller rc(16, o);
    double const rate = 50, burst = 10;
    double tokens = burst;
    tp const t0{std::chrono::hours(1)};
    tp now = t0, last_refill = t0;
    struct request {
        tp done;
        std::uint64_t epoch;
        bool admitted;
        bool operator>(request const& r) const { return done > r.done; }
    };
    std::priority_queue<request, std::vector<request>, std::greater<>> in_flight;
    bool has_turn = false; // the next request has reserved its start, at `turn`
    tp turn{};
    struct event {
        tp at;
        double pace = 0; // when sending resumed after it
    };
    std::vector<event> events;
    std::vector<std::pair<tp, double>> paces; // at each start
    std::size_t admitted = 0, limited = 0;
    while (now < t0 + 120s) {
        while (in_flight.size() < rc.window() && now >= rc.paused_until()) {
            if (!has_turn) turn = std::max(rc.reserve(now), now), has_turn = true;
            if (turn > now) break;
            has_turn = false;
            tokens = std::min(burst, tokens + rate * std::chrono::duration<double>(now - last_refill).count());
            last_refill = now;
            bool const ok = tokens >= 1;
            if (ok) tokens -= 1;
            in_flight.push({now + 20ms, rc.epoch(), ok});
            if (!events.empty() && events.back().pace == 0) events.back().pace = *rc.pace();
            paces.emplace_back(now, *rc.pace());
        }
        tp wake = in_flight.empty() ? tp::max() : in_flight.top().done;
        if (in_flight.size() < rc.window())
            wake = std::min(wake, now < rc.paused_until() ? rc.paused_until() : has_turn ? turn : tp::max());
        if (in_flight.empty() || in_flight.top().done > wake) {
            now = wake;
            continue;
        }
        request const r = in_flight.top();
        in_flight.pop();
        now = std::max(now, r.done);
        if (r.admitted) {
            ++admitted;
            rc.on_answer(now, r.epoch);
        } else if (rc.on_rate_limited(r.epoch, now, now + (++limited % 2 ? 2s : 1s))) {
            events.push_back({now});
            has_turn = false; // a request waiting for its turn sees the pause, and asks again after it
        }
    }
    double const used = static_cast<double>(admitted) / (rate * 120 + burst);
    MESSAGE(events.size() << " congestion events, " << limited << " 429s; " << used
                          << " of the server's capacity used");
    // Within 10 s the pace is measured: just under the server's rate.
    auto measured = std::find_if(events.begin(), events.end(),
                                 [&](event const& e) { return e.pace >= 0.95 * rate && e.pace <= rate; });
    REQUIRE(measured != events.end());
    CHECK(measured->at < t0 + 10s);
    // It holds there for the plateau, then probes upwards until a 429.
    auto next = std::next(measured);
    REQUIRE(next != events.end());
    CHECK(next->at > measured->at + o.plateau);
    bool const probed = std::any_of(paces.begin(), paces.end(), [&](auto const& p) {
        return p.first > measured->at + o.plateau && p.first < next->at && p.second > rate;
    });
    CHECK(probed);
    CHECK(used >= 0.9);
}

TEST_CASE("client: at most max_concurrency requests in flight") {
    using namespace test_concurrency;
    sigma::client_options o;
    o.max_concurrency = 4;
    rig r(whoami_ok, o);
    CHECK(r.whoami(20) == 20);
    CHECK(r.st->peak == 4);
    CHECK(r.c->stats().peak_in_flight == 4);
    CHECK(r.c->stats().pauses == 0);
    CHECK(r.c->stats().concurrency_min == 4);

    sigma::client_options one;
    one.max_concurrency = 1;
    rig s(whoami_ok, one);
    CHECK(s.whoami(10) == 10);
    CHECK(s.st->peak == 1);
}

TEST_CASE("client: requests waiting for a place in the window start in the order they asked") {
    using namespace test_concurrency;
    sigma::client_options o;
    o.max_concurrency = 3;
    rig r([](http_request const& req) -> sigma::result<http_response> {
        if (req.target.starts_with("/v2/auth/token")) return json_response(200, token_body("tok-1"));
        return json_response(200, R"({"workbookId":"w","workbookUrlId":"u","name":"n","url":"x","path":"p",
            "latestVersion":1,"ownerId":"o","createdBy":"o","updatedBy":"o","createdAt":"t","updatedAt":"t"})");
    }, o);
    r.st->turns = 2;
    int const n = 24;
    int ok = 0;
    for (int i = 0; i < n; ++i)
        boost::asio::co_spawn(r.ioc, get_workbook(*r.c, "wb-" + std::to_string(100 + i), ok), boost::asio::detached);
    r.ioc.run();
    CHECK(ok == n);
    std::vector<std::string> asked;
    for (auto const& s : r.st->started)
        if (s.first.starts_with("/v2/workbooks/")) asked.push_back(s.first);
    REQUIRE(asked.size() == static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) CHECK(asked[static_cast<std::size_t>(i)] == "/v2/workbooks/wb-" + std::to_string(100 + i));
    CHECK(r.st->peak == 3);
}

TEST_CASE("client: requests still waiting for the window when their io_context goes away are forgotten") {
    using namespace test_concurrency;
    fake_clock clock;
    auto st = std::make_shared<slow_transport::state>();
    st->handler = whoami_ok;
    st->clock = &clock;
    st->turns = 1;
    sigma::client_options o;
    o.max_concurrency = 2;
    o.clock = clock.source();
    std::optional<sigma::basic_client<slow_transport>> c;
    {
        boost::asio::io_context ioc;
        c.emplace(client_support::test_config(), slow_transport{ioc.get_executor(), st}, o);
        boost::asio::co_spawn(ioc, [&]() -> boost::asio::awaitable<void> {
            (void)co_await c->async_get(sigma::api::get_whoami{}); // mints the token
        }, boost::asio::detached);
        ioc.run();
        ioc.restart();
        st->turns = 1000; // nothing more completes before the io_context is destroyed
        for (int i = 0; i < 6; ++i)
            boost::asio::co_spawn(ioc, [&]() -> boost::asio::awaitable<void> {
                (void)co_await c->async_get(sigma::api::get_whoami{});
            }, boost::asio::detached);
        for (int i = 0; i < 50; ++i) ioc.run_one();
        CHECK(st->in_flight == 2);
    } // the waiting coroutines are destroyed here, with the io_context
    CHECK(c->stats().peak_in_flight == 2);
    c.reset();
}

TEST_CASE("client: a request that waited for the window while the token was refused goes with the new one") {
    using namespace test_concurrency;
    sigma::client_options o;
    o.max_concurrency = 1;
    int mints = 0;
    bool revoked = false;
    std::vector<std::string> sent; // the token of each whoami, in order
    int refused = 0;
    rig r([&](http_request const& req) -> sigma::result<http_response> {
        if (req.target.starts_with("/v2/auth/token")) return json_response(200, token_body("tok-" + std::to_string(++mints)));
        auto const auth = std::string(req.header("Authorization"));
        sent.push_back(auth);
        if (revoked && auth == "Bearer tok-1") {
            ++refused;
            return json_response(401, R"({"code":"unauthorized","message":"token revoked"})");
        }
        return json_response(200, R"({"userId":"u1","organizationId":"o1"})");
    }, o);
    REQUIRE(r.whoami(1) == 1); // mints tok-1
    revoked = true;
    // The first goes with tok-1 and is refused; the second waits meanwhile.
    // The refusal drops the cached token, so the waiter, once admitted, asks
    // for the renewed one rather than going with the token it saw before.
    CHECK(r.whoami(2) == 2);
    CHECK(mints == 2);
    CHECK(refused == 1);
    std::vector<std::string> const expected{"Bearer tok-1", "Bearer tok-1", "Bearer tok-2", "Bearer tok-2"};
    CHECK(sent == expected);
}

TEST_CASE("client: a 429 pauses every request for its Retry-After and lowers the window") {
    using namespace test_concurrency;
    sigma::client_options o;
    o.max_concurrency = 8;
    rig r(whoami_ok, o);
    int whoamis = 0;
    r.st->handler = [&](http_request const& req) -> sigma::result<http_response> {
        if (req.target.starts_with("/v2/auth/token")) return json_response(200, token_body("tok-1"));
        if (++whoamis == 3) {
            auto resp = json_response(429, "{}");
            resp.headers.push_back({"Retry-After", "5"});
            return resp;
        }
        return json_response(200, R"({"userId":"u1","organizationId":"o1"})");
    };
    tp const t0 = r.clock.now;
    CHECK(r.whoami(24) == 24);
    // Before the 429: the first window of 8 (the token's mint came first, alone).
    // After it, nothing starts until the pause is over, not only the retried call.
    std::size_t at_start = 0, during_pause = 0, after = 0;
    for (auto const& [target, when] : r.st->started) {
        if (!target.starts_with("/v2/whoami")) continue;
        if (when == t0) ++at_start;
        else if (when < t0 + 5s) ++during_pause;
        else ++after;
    }
    CHECK(at_start == 8);
    CHECK(during_pause == 0);
    CHECK(after == 24 + 1 - 8); // the retried one included
    auto const& st = r.c->stats();
    CHECK(st.rate_limited == 1);
    CHECK(st.pauses == 1);
    CHECK(st.paused == 5s);
    CHECK(st.concurrency_min == 4);
    REQUIRE(st.concurrency_history.size() >= 2);
    CHECK(st.concurrency_history.front().window == 8);
    CHECK(std::any_of(st.concurrency_history.begin(), st.concurrency_history.end(),
                      [](auto const& s) { return s.window == 4 && s.at == std::chrono::milliseconds(0); }));
    // After the pause at most the halved window runs at once, growing back.
    CHECK(r.st->peak == 8);
}

TEST_CASE("client: max_concurrency is capped at the transport's pool and 0 means 1") {
    using namespace test_concurrency;
    sigma::client_options o;
    o.max_concurrency = 0;
    rig r(whoami_ok, o);
    CHECK(r.c->options().max_concurrency == 1);
}
