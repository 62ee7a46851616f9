#include "test_support.hpp"

#include <doctest/doctest.h>

namespace test_client {
using namespace client_support;
using sigma::http_request;
using sigma::http_response;
using sigma::testing::json_response;

// Answers token requests with tok-1, tok-2, ... and workbooks with n entries in pages of `limit`.
struct org {
    int minted = 0;
    int workbooks = 5;
    sigma::result<http_response> operator()(http_request const& r) {
        if (r.target.starts_with("/v2/auth/token")) return json_response(200, token_body("tok-" + std::to_string(++minted)));
        if (r.target.starts_with("/v2/whoami")) return json_response(200, R"({"userId":"u1","organizationId":"o1"})");
        return json_response(404, R"({"code":"not_found","message":"no such thing","requestId":"rq-1"})");
    }
};

} // namespace test_client

TEST_CASE("client: whoami mints a token once and sends it as a bearer") {
    using namespace test_client;
    org o;
    harness h([&](http_request const& r) { return o(r); });
    auto r = h.c->get(sigma::api::get_whoami{});
    REQUIRE(r.has_value());
    CHECK(r->userId == "u1");
    auto r2 = h.c->get(sigma::api::get_whoami{});
    REQUIRE(r2.has_value());
    REQUIRE(h.requests().size() == 3);
    CHECK(h.requests()[0].method == sigma::http_method::post);
    CHECK(h.requests()[0].body == "grant_type=client_credentials&client_id=client-id-1&client_secret=s3cr3t-client-secret");
    CHECK(h.requests()[0].header("Content-Type") == "application/x-www-form-urlencoded");
    CHECK(h.requests()[1].header("Authorization") == "Bearer tok-1");
    CHECK(h.requests()[2].header("Authorization") == "Bearer tok-1");
    CHECK(o.minted == 1);
}

namespace test_client {

// A scripted server: the token endpoint always answers; other targets answer
// from a queue of responses per path prefix, then a default.
struct script {
    int minted = 0;
    int token_life = 3599;
    std::vector<std::pair<std::string, sigma::result<http_response>>> queue;
    std::function<sigma::result<http_response>(http_request const&)> fallback = [](http_request const&) {
        return sigma::result<http_response>(json_response(200, R"({"userId":"u1","organizationId":"o1"})"));
    };
    sigma::result<http_response> operator()(http_request const& r) {
        if (r.target.starts_with("/v2/auth/token"))
            return json_response(200, token_body("tok-" + std::to_string(++minted), token_life));
        for (auto it = queue.begin(); it != queue.end(); ++it) {
            if (r.target.starts_with(it->first)) {
                auto out = std::move(it->second);
                queue.erase(it);
                return out;
            }
        }
        return fallback(r);
    }
};

http_response with_header(http_response r, std::string name, std::string value) {
    r.headers.push_back({std::move(name), std::move(value)});
    return r;
}

std::vector<std::string> targets(std::vector<http_request> const& log) {
    std::vector<std::string> out;
    for (auto const& r : log) out.push_back(r.target);
    return out;
}

} // namespace test_client

TEST_CASE("client: 401 renews the token once and retries once") {
    using namespace test_client;
    script s;
    s.queue.push_back({"/v2/whoami", json_response(401, R"({"requestId":"r","message":"Token missing or malformed","code":"unauthorized"})")});
    harness h([&](http_request const& r) { return s(r); });
    auto r = h.c->get(sigma::api::get_whoami{});
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message()));
    CHECK(s.minted == 2);
    CHECK(targets(h.requests()) == std::vector<std::string>{"/v2/auth/token", "/v2/whoami", "/v2/auth/token", "/v2/whoami"});
    CHECK(h.requests()[3].header("Authorization") == "Bearer tok-2");
    // The second mint waited out the one-second minimum between mints.
    REQUIRE(h.clock.sleeps.size() == 1);
    CHECK(h.clock.sleeps[0] == std::chrono::milliseconds(1000));
}

TEST_CASE("client: a second 401 is an auth error that points at the host and credentials") {
    using namespace test_client;
    script s;
    s.fallback = [](http_request const&) {
        return sigma::result<http_response>(json_response(401, R"({"requestId":"req-9","message":"Token missing or malformed","code":"unauthorized"})"));
    };
    harness h([&](http_request const& r) { return s(r); });
    auto r = h.c->get(sigma::api::get_whoami{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::auth);
    std::string m = r.error().message();
    CHECK(m.find("GET /v2/whoami: HTTP 401 unauthorized: Token missing or malformed (requestId req-9)") == 0);
    CHECK(m.find("hostPort") != std::string::npos);
    CHECK(r.error().http().status == 401);
    CHECK(r.error().http().api_code == "unauthorized");
    CHECK(r.error().http().request_id == "req-9");
    CHECK(s.minted == 2);
    CHECK(h.requests().size() == 4);
}

TEST_CASE("client: bad credentials fail the mint with advice, without the secret") {
    using namespace test_client;
    harness h([&](http_request const& r) -> sigma::result<http_response> {
        // A hostile or buggy server echoing what it received.
        return json_response(401, R"({"code":"invalid_client","message":"bad secret: )" + r.body + R"("})");
    });
    auto r = h.c->get(sigma::api::get_whoami{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::auth);
    CHECK(r.error().message().find("POST /v2/auth/token: HTTP 401 invalid_client") == 0);
    CHECK(r.error().message().find("clientSecret") != std::string::npos);
    CHECK(r.error().message().find("s3cr3t-client-secret") == std::string::npos);
    for (auto const& l : h.logs) CHECK(l.find("s3cr3t-client-secret") == std::string::npos);
}

TEST_CASE("client: token renewed before expiry, not after each call") {
    using namespace test_client;
    script s;
    s.token_life = 3599;
    sigma::client_options o;
    o.token_margin = std::chrono::seconds(120);
    harness h([&](http_request const& r) { return s(r); }, o);
    REQUIRE(h.c->get(sigma::api::get_whoami{}).has_value());
    h.clock.now += std::chrono::seconds(3599 - 121);
    REQUIRE(h.c->get(sigma::api::get_whoami{}).has_value());
    CHECK(s.minted == 1);
    h.clock.now += std::chrono::seconds(2);
    REQUIRE(h.c->get(sigma::api::get_whoami{}).has_value());
    CHECK(s.minted == 2);
    CHECK(h.requests().back().header("Authorization") == "Bearer tok-2");
}

TEST_CASE("client: concurrent calls share one renewal") {
    using namespace test_client;
    script s;
    harness h([&](http_request const& r) { return s(r); });
    int done = 0;
    for (int i = 0; i < 8; ++i)
        boost::asio::co_spawn(h.ioc, [&]() -> boost::asio::awaitable<void> {
            auto r = co_await h.c->async_get(sigma::api::get_whoami{});
            CHECK(r.has_value());
            ++done;
        }, boost::asio::detached);
    h.ioc.run();
    CHECK(done == 8);
    CHECK(s.minted == 1);
    CHECK(h.requests().size() == 9);
}

TEST_CASE("client: 429 honours Retry-After, or waits at least 2 s without it") {
    using namespace test_client;
    script s;
    s.queue.push_back({"/v2/whoami", with_header(json_response(429, "{}"), "Retry-After", "7")});
    s.queue.push_back({"/v2/whoami", json_response(429, "")});
    s.queue.push_back({"/v2/whoami", with_header(json_response(429, "{}"), "Retry-After", "Sat, 28 Nov 2026 00:00:42 GMT")});
    harness h([&](http_request const& r) { return s(r); });
    h.clock.random = 0.01;
    auto r = h.c->get(sigma::api::get_whoami{});
    REQUIRE(r.has_value());
    // The fake wall clock starts at 2026-11-28 00:00:00 and has advanced 9 s by the third answer.
    CHECK(h.clock.sleeps == std::vector<std::chrono::milliseconds>{std::chrono::seconds(7), std::chrono::seconds(2), std::chrono::seconds(33)});
    CHECK(h.c->stats().rate_limited == 3);
    CHECK(h.c->stats().retries == 3);
}

TEST_CASE("client: 502/503/504 and transport errors are retried with back-off; 409 and 500 are not") {
    using namespace test_client;
    script s;
    s.queue.push_back({"/v2/whoami", json_response(502, "<html>Bad gateway</html>")});
    s.queue.push_back({"/v2/whoami", sigma::error(sigma::errc::transport, "connection reset")});
    s.queue.push_back({"/v2/whoami", json_response(504, "")});
    harness h([&](http_request const& r) { return s(r); });
    h.clock.random = 1.0;
    auto r = h.c->get(sigma::api::get_whoami{});
    REQUIRE(r.has_value());
    CHECK(h.clock.sleeps == std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(500), std::chrono::milliseconds(1000), std::chrono::milliseconds(2000)});

    script s2;
    s2.queue.push_back({"/v2/whoami", json_response(409, R"({"error":{"code":"conflict","message":"busy","requestId":"nested-1"}})")});
    harness h2([&](http_request const& r) { return s2(r); });
    auto r2 = h2.c->get(sigma::api::get_whoami{});
    REQUIRE_FALSE(r2.has_value());
    CHECK(r2.error().message() == "GET /v2/whoami: HTTP 409 conflict: busy (requestId nested-1)");
    CHECK(h2.clock.sleeps.empty());
}

TEST_CASE("client: retries stop at max_attempts and the error says so") {
    using namespace test_client;
    script s;
    s.fallback = [](http_request const&) {
        return sigma::result<http_response>(with_header(json_response(503, "<html><body>Service\nUnavailable</body></html>"), "X-Request-Id", "hdr-7"));
    };
    sigma::client_options o;
    o.retry.max_attempts = 3;
    harness h([&](http_request const& r) { return s(r); }, o);
    auto r = h.c->get(sigma::api::get_whoami{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::http_status);
    CHECK(r.error().message() == "GET /v2/whoami: HTTP 503: \"<html><body>Service Unavailable</body></html>\" (requestId hdr-7); gave up after 3 attempts");
    CHECK(h.clock.sleeps.size() == 2);
}

TEST_CASE("client: the retry budget bounds retries across calls") {
    using namespace test_client;
    script s;
    s.fallback = [](http_request const&) { return sigma::result<http_response>(json_response(503, "")); };
    sigma::client_options o;
    o.retry.budget = 4;
    harness h([&](http_request const& r) { return s(r); }, o);
    CHECK_FALSE(h.c->get(sigma::api::get_whoami{}).has_value());
    CHECK_FALSE(h.c->get(sigma::api::get_whoami{}).has_value());
    CHECK(h.c->stats().retries == 4);
}

TEST_CASE("client: soft statuses read as empty answers") {
    using namespace test_client;
    script s;
    s.fallback = [](http_request const& r) -> sigma::result<http_response> {
        if (r.target.find("/lineage/elements/") != std::string::npos) return json_response(409, "{}");
        if (r.target.ends_with("/query")) return json_response(404, "{}");
        if (r.target.find("/lineage") != std::string::npos) return json_response(400, "{}");
        return json_response(404, R"({"code":"not_found","message":"Workbook not found"})");
    };
    harness h([&](http_request const& r) { return s(r); });
    auto lin = h.c->get(sigma::api::get_element_lineage{{}, "wb", "el"});
    REQUIRE(lin.has_value());
    CHECK(lin->dependencies.empty());
    auto q = h.c->get(sigma::api::get_element_query{{}, "wb", "el"});
    REQUIRE(q.has_value());
    CHECK_FALSE(q->has_value());
    auto wl = h.c->list_all(sigma::api::list_workbook_lineage{{}, "wb"});
    REQUIRE(wl.has_value());
    CHECK(wl->empty());
    auto wb = h.c->get(sigma::api::get_workbook{{}, "wb"});
    REQUIRE_FALSE(wb.has_value());
    CHECK(wb.error().code() == sigma::errc::not_found);
    CHECK(h.c->stats().soft_statuses == 3);
}

TEST_CASE("client: a decode failure names the request and the JSON pointer") {
    using namespace test_client;
    script s;
    s.fallback = [](http_request const&) { return sigma::result<http_response>(json_response(200, R"({"userId":7,"organizationId":"o"})")); };
    harness h([&](http_request const& r) { return s(r); });
    auto r = h.c->get(sigma::api::get_whoami{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message() == "GET /v2/whoami: /userId: expected string, got number");
    CHECK(r.error().json_pointer() == "/userId");
}

TEST_CASE("client: paging guards against repeated cursors and endless listings") {
    using namespace test_client;
    script s;
    s.fallback = [](http_request const&) {
        return sigma::result<http_response>(json_response(200, R"({"entries":[],"nextPage":"same"})"));
    };
    harness h([&](http_request const& r) { return s(r); });
    auto r = h.c->list_all(sigma::api::list_tags{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::paging);
    CHECK(r.error().message().find("repeated the cursor \"same\" after page 2 of /tags") != std::string::npos);
    CHECK(targets(h.requests()) == std::vector<std::string>{"/v2/auth/token", "/v2/tags?limit=1000", "/v2/tags?limit=1000&page=same"});

    int n = 0;
    script s2;
    s2.fallback = [&](http_request const&) {
        return sigma::result<http_response>(json_response(200, R"({"entries":[],"nextPage":"c)" + std::to_string(++n) + "\"}"));
    };
    sigma::client_options o;
    o.max_pages = 5;
    harness h2([&](http_request const& r) { return s2(r); }, o);
    auto r2 = h2.c->list_all(sigma::api::list_tags{});
    REQUIRE_FALSE(r2.has_value());
    CHECK(r2.error().message().find("gave up after 5 pages") != std::string::npos);
}

TEST_CASE("client: a failing page reports its number and request") {
    using namespace test_client;
    script s;
    s.queue.push_back({"/v2/tags", json_response(200, R"({"entries":[],"nextPage":"p2"})")});
    s.fallback = [](http_request const&) { return sigma::result<http_response>(json_response(400, R"({"code":"bad_request","message":"bad cursor"})")); };
    harness h([&](http_request const& r) { return s(r); });
    auto r = h.c->list_all(sigma::api::list_tags{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message() == "page 2: GET /v2/tags?limit=1000&page=p2: HTTP 400 bad_request: bad cursor");
}

TEST_CASE("client: the lazy range fetches pages as iteration reaches them") {
    using namespace test_client;
    script s;
    std::string tag = R"({"versionTagId":"T","name":"n","ownerId":"o","createdBy":"o","updatedBy":"o","createdAt":"a","updatedAt":"b"})";
    s.queue.push_back({"/v2/tags", json_response(200, R"({"entries":[)" + tag + "," + tag + R"(],"nextPage":"2"})")});
    s.queue.push_back({"/v2/tags", json_response(200, R"({"entries":[],"nextPage":"3"})")});
    s.queue.push_back({"/v2/tags", json_response(200, R"({"entries":[)" + tag + R"(],"nextPage":null})")});
    sigma::client_options o;
    o.page_size = 2;
    harness h([&](http_request const& r) { return s(r); }, o);
    int count = 0;
    auto range = h.c->list(sigma::api::list_tags{});
    auto it = range.begin();
    CHECK(h.requests().size() == 2);
    for (; it != range.end(); ++it) {
        CHECK(it->versionTagId == "T");
        ++count;
    }
    CHECK(count == 3);
    CHECK(targets(h.requests()) == std::vector<std::string>{"/v2/auth/token", "/v2/tags?limit=2", "/v2/tags?limit=2&page=2", "/v2/tags?limit=2&page=3"});
}

TEST_CASE("client: no secret or token in any error or log line") {
    using namespace test_client;
    script s;
    s.fallback = [](http_request const& r) -> sigma::result<http_response> {
        // Echo the Authorization header back, as a misbehaving proxy might.
        return json_response(500, R"({"code":"oops","message":"saw )" + std::string(r.header("Authorization")) + R"("})");
    };
    harness h([&](http_request const& r) { return s(r); });
    auto r = h.c->get(sigma::api::get_whoami{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message().find("tok-1") == std::string::npos);
    CHECK(r.error().message().find("***") != std::string::npos);
    for (auto const& l : h.logs) {
        CHECK(l.find("tok-1") == std::string::npos);
        CHECK(l.find("s3cr3t-client-secret") == std::string::npos);
    }
}

TEST_CASE("client: an invalid configuration is refused at construction") {
    boost::asio::io_context ioc;
    auto cfg = client_support::test_config();
    cfg.hostPort = "http://api.sigmacomputing.com";
    try {
        client_support::client c(cfg, sigma::testing::memory_transport(ioc.get_executor(), nullptr));
        FAIL("expected an error");
    } catch (sigma::error const& e) {
        CHECK(e.code() == sigma::errc::config);
        CHECK(std::string(e.what()).find("hostPort") == 0);
    }
}

TEST_CASE("client: an endpoint call sends and names the same target on every attempt, logged or not") {
    using namespace test_client;
    for (bool logged : {false, true}) {
        CAPTURE(logged);
        boost::asio::io_context ioc;
        fake_clock clock;
        std::vector<std::string> seen;
        int calls = 0;
        sigma::client_options o;
        o.clock = clock.source();
        o.retry.max_attempts = 3;
        if (logged) o.log = [](sigma::log_level, std::string_view) {};
        auto handler = [&](http_request const& r) -> sigma::result<http_response> {
            if (r.target.starts_with("/v2/auth/token")) return json_response(200, token_body("tok-1"));
            seen.push_back(r.target);
            ++calls;
            if (r.target.starts_with("/v2/tags")) {
                if (r.target == "/v2/tags?limit=1000") return json_response(200, R"({"entries":[],"nextPage":"a+b/c"})");
                if (calls == 2) return json_response(401, "{}"); // renewed, then asked again
                return json_response(404, R"({"code":"not_found","message":"gone"})");
            }
            if (calls == 1) return sigma::error(sigma::errc::transport, "connection reset");
            if (calls == 2) return json_response(409, "{}"); // soft for element lineage
            return json_response(503, "");
        };
        client c(test_config(), sigma::testing::memory_transport(ioc.get_executor(), handler), o);

        std::string const lineage = "/v2/workbooks/w%20b/lineage/elements/e%2F1";
        auto soft = c.get(sigma::api::get_element_lineage{{}, "w b", "e/1"});
        REQUIRE(soft.has_value()); // a transport failure, then a soft status
        auto r = c.get(sigma::api::get_element_lineage{{}, "w b", "e/1"});
        REQUIRE_FALSE(r.has_value());
        CHECK(seen == std::vector<std::string>(5, lineage));
        CHECK(r.error().message().find("GET " + lineage + ": HTTP 503") == 0);
        CHECK(r.error().http().target == lineage);

        seen.clear();
        calls = 0;
        auto tags = c.list_all(sigma::api::list_tags{});
        REQUIRE_FALSE(tags.has_value());
        std::string const page2 = "/v2/tags?limit=1000&page=a%2Bb%2Fc";
        CHECK(seen == std::vector<std::string>{"/v2/tags?limit=1000", page2, page2});
        CHECK(tags.error().message() == "page 2: GET " + page2 + ": HTTP 404 not_found: gone");
        CHECK(tags.error().http().target == page2);
    }
}
