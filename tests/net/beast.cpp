// SPDX-License-Identifier: MIT
#include <sigma/transport/beast.hpp>
#include <sigma/testing/http_server.hpp>
#include <sigma/version.hpp>

#include <doctest/doctest.h>

#include "support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace test_beast {

namespace asio = boost::asio;
using sigma::errc;
using sigma::testing::fault_kind;
using sigma::testing::http_server;
using sigma::testing::http_server_options;
using test_net_support::get;
using test_net_support::ok_json;
using test_net_support::run;
using test_net_support::send_one;
using test_net_support::trusting;

// Answers with the path.
inline sigma::http_response echo(sigma::http_request const& req) {
    return sigma::http_response{200, {{"Content-Type", "application/json"}}, R"({"path":")" + req.target + R"("})"};
}

// Answers with the path, and records the last request seen.
struct recorder {
    std::mutex mutex;
    sigma::http_request last;
    sigma::http_response operator()(sigma::http_request const& req) {
        std::lock_guard lock(mutex);
        last = req;
        return ok_json(R"({"path":")" + req.target + R"("})");
    }
};

inline bool contains(std::string const& text, std::string const& part) { return text.find(part) != std::string::npos; }

inline std::string big(std::size_t n) { return std::string(n, 'x'); }

// Runs `count` requests at once on one transport; returns how many succeeded.
inline std::size_t concurrently(boost::asio::io_context& ioc, sigma::beast_transport& t, std::string const& origin, int count) {
    std::atomic<std::size_t> ok{0};
    for (int i = 0; i < count; ++i) {
        boost::asio::co_spawn(
            ioc,
            [&t, &ok, origin, i]() -> boost::asio::awaitable<void> {
                auto r = co_await t.async_send(get(origin, "/item/" + std::to_string(i)));
                if (r && r->status == 200 && r->body == R"({"path":"/item/)" + std::to_string(i) + R"("})") ++ok;
            },
            boost::asio::detached);
    }
    ioc.restart();
    ioc.run();
    return ok.load();
}

} // namespace test_beast

TEST_SUITE("beast_transport") {

TEST_CASE("an HTTPS request to a server whose CA is trusted succeeds, with the default headers") {
    test_beast::recorder rec;
    sigma::testing::http_server server(std::ref(rec));
    auto req = test_beast::get(server.base_url(), "/v2/workbooks?limit=10");
    req.headers.push_back({"Authorization", "Bearer secret-token"});
    auto r = test_beast::send_one(test_beast::trusting(server), req);
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(r->body == R"({"path":"/v2/workbooks?limit=10"})");
    CHECK(r->header("content-type") == "application/json");
    CHECK(rec.last.header("User-Agent") == "sigma-cpp/" SIGMA_VERSION_STRING);
    CHECK(rec.last.header("Accept") == "application/json");
    CHECK(rec.last.header("Host") == "127.0.0.1:" + std::to_string(server.port()));
    CHECK(rec.last.header("Authorization") == "Bearer secret-token");

    SUBCASE("a POST carries its body and Content-Length; the request's own User-Agent and Accept win") {
        auto post = test_beast::get(server.base_url(), "/v2/auth/token");
        post.method = sigma::http_method::post;
        post.body = "grant_type=client_credentials";
        post.headers = {{"User-Agent", "my-app/2"}, {"Accept", "*/*"},
                        {"Content-Type", "application/x-www-form-urlencoded"}};
        auto p = test_beast::send_one(test_beast::trusting(server), post);
        REQUIRE(p.has_value());
        CHECK(rec.last.method == sigma::http_method::post);
        CHECK(rec.last.body == "grant_type=client_credentials");
        CHECK(rec.last.header("Content-Length") == "29");
        CHECK(rec.last.header("User-Agent") == "my-app/2");
        CHECK(rec.last.header("Accept") == "*/*");
    }
}

TEST_CASE("a host name origin is resolved and checked against the certificate's DNS name") {
    test_beast::recorder rec;
    sigma::testing::http_server server(std::ref(rec));
    auto r = test_beast::send_one(test_beast::trusting(server),
                                  test_beast::get("https://localhost:" + std::to_string(server.port()), "/x"));
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(rec.last.header("Host") == "localhost:" + std::to_string(server.port()));
}

TEST_CASE("a server whose CA is not trusted is refused, and the error leaks no header value") {
    sigma::testing::http_server server(test_beast::echo);
    auto options = test_beast::trusting(server);
    options.ca_pem.clear(); // the system store does not know the test CA
    auto req = test_beast::get(server.base_url(), "/v2/members");
    req.headers.push_back({"Authorization", "Bearer secret-token"});
    auto r = test_beast::send_one(options, req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::transport);
    CHECK(test_beast::contains(r.error().message(), "certificate verify failed"));
    CHECK(test_beast::contains(r.error().message(), "TLS handshake"));
    CHECK_FALSE(test_beast::contains(r.error().message(), "secret-token"));
    CHECK(r.error().http().method == "GET");
    CHECK(r.error().http().target == "/v2/members");
    CHECK(server.stats().requests == 0);

    SUBCASE("a different CA is no better") {
        sigma::testing::http_server other(test_beast::echo);
        options.ca_pem = other.ca_pem();
        auto again = test_beast::send_one(options, test_beast::get(server.base_url(), "/"));
        REQUIRE_FALSE(again.has_value());
        CHECK(test_beast::contains(again.error().message(), "certificate verify failed"));
    }
    SUBCASE("only the option that says it is insecure turns verification off") {
        options.insecure_skip_tls_verify = true;
        auto insecure = test_beast::send_one(options, test_beast::get(server.base_url(), "/"));
        REQUIRE(insecure.has_value());
        CHECK(insecure->status == 200);
    }
}

TEST_CASE("a certificate issued for another host name is refused") {
    sigma::testing::http_server_options so;
    so.certificate_hosts = {"api.sigma.example"};
    sigma::testing::http_server server(test_beast::echo, so);
    auto r = test_beast::send_one(test_beast::trusting(server), test_beast::get(server.base_url(), "/"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::transport);
    CHECK(test_beast::contains(r.error().message(), "mismatch"));
    auto by_name = test_beast::send_one(test_beast::trusting(server),
                                        test_beast::get("https://localhost:" + std::to_string(server.port()), "/"));
    REQUIRE_FALSE(by_name.has_value());
    CHECK(test_beast::contains(by_name.error().message(), "hostname mismatch"));
}

TEST_CASE("100 sequential requests share one kept-alive connection") {
    sigma::testing::http_server server(test_beast::echo);
    boost::asio::io_context ioc;
    sigma::beast_transport t(ioc.get_executor(), test_beast::trusting(server));
    auto origin = server.base_url();
    int ok = test_net_support::run(ioc, [&]() -> boost::asio::awaitable<int> {
        int n = 0;
        for (int i = 0; i < 100; ++i) {
            auto r = co_await t.async_send(test_beast::get(origin, "/n/" + std::to_string(i)));
            if (r && r->body == R"({"path":"/n/)" + std::to_string(i) + R"("})") ++n;
        }
        co_return n;
    }());
    CHECK(ok == 100);
    CHECK(server.stats().connections_accepted == 1);
    CHECK(server.stats().requests == 100);
    CHECK(t.stats().connections_opened == 1);
    CHECK(t.stats().connections_reused == 99);
    CHECK(t.stats().requests_sent == 100);
}

TEST_CASE("concurrent requests never open more connections than the pool allows") {
    sigma::testing::http_server_options so;
    so.latency = std::chrono::milliseconds(5); // keeps requests overlapping
    sigma::testing::http_server server(test_beast::echo, so);

    SUBCASE("a pool of 4, 32 coroutines") {
        boost::asio::io_context ioc;
        auto options = test_beast::trusting(server);
        options.max_connections_per_origin = 4;
        sigma::beast_transport t(ioc.get_executor(), options);
        CHECK(test_beast::concurrently(ioc, t, server.base_url(), 32) == 32);
        CHECK(server.stats().connections_accepted <= 4);
        CHECK(server.stats().connections_accepted >= 2);
        CHECK(t.stats().connections_opened == server.stats().connections_accepted);
    }
    SUBCASE("the default pool of 8, 32 coroutines, twice") {
        boost::asio::io_context ioc;
        sigma::beast_transport t(ioc.get_executor(), test_beast::trusting(server));
        CHECK(t.options().max_connections_per_origin == 8);
        CHECK(test_beast::concurrently(ioc, t, server.base_url(), 32) == 32);
        CHECK(test_beast::concurrently(ioc, t, server.base_url(), 32) == 32);
        CHECK(server.stats().connections_accepted <= 8);
        CHECK(t.stats().connections_reused >= 64 - 8);
    }
    SUBCASE("the same from an io_context run by two threads") {
        boost::asio::thread_pool pool(2);
        auto options = test_beast::trusting(server);
        options.max_connections_per_origin = 3;
        sigma::beast_transport t(pool.get_executor(), options);
        std::vector<std::future<bool>> done;
        for (int i = 0; i < 32; ++i) {
            done.push_back(boost::asio::co_spawn(
                pool,
                [&t, origin = server.base_url(), i]() -> boost::asio::awaitable<bool> {
                    auto r = co_await t.async_send(test_beast::get(origin, "/p/" + std::to_string(i)));
                    co_return r && r->body == R"({"path":"/p/)" + std::to_string(i) + R"("})";
                },
                boost::asio::use_future));
        }
        int ok = 0;
        for (auto& f : done) ok += f.get() ? 1 : 0;
        pool.join();
        CHECK(ok == 32);
        CHECK(server.stats().connections_accepted <= 3);
    }
}

TEST_CASE("a connection the server closed is replaced without the caller noticing") {
    sigma::testing::http_server_options so;
    so.keep_alive_max = 1; // the server drops each connection after one answer, unannounced
    sigma::testing::http_server server(test_beast::echo, so);
    boost::asio::io_context ioc;
    sigma::beast_transport t(ioc.get_executor(), test_beast::trusting(server));
    auto origin = server.base_url();
    int ok = test_net_support::run(ioc, [&]() -> boost::asio::awaitable<int> {
        int n = 0;
        for (int i = 0; i < 10; ++i) {
            auto r = co_await t.async_send(test_beast::get(origin, "/again"));
            if (r && r->status == 200) ++n;
        }
        co_return n;
    }());
    CHECK(ok == 10);
    CHECK(server.stats().connections_accepted == 10);
    CHECK(server.stats().requests == 10);
    CHECK(t.stats().connections_opened == 10);
    // Each closed connection was noticed when idle, or failed and was retried.
    CHECK(t.stats().idle_dropped + t.stats().stale_retries == 9);
}

TEST_CASE("a kept-alive connection that fails before answering is retried once on a fresh one") {
    sigma::testing::http_server_options so;
    so.faults.push_back({.kind = sigma::testing::fault_kind::close_before_answer, .path = "*", .nth = 2});
    sigma::testing::http_server server(test_beast::echo, so);
    boost::asio::io_context ioc;
    sigma::beast_transport t(ioc.get_executor(), test_beast::trusting(server));
    auto origin = server.base_url();
    auto [first, second] = test_net_support::run(ioc, [&]() -> boost::asio::awaitable<std::pair<bool, bool>> {
        auto a = co_await t.async_send(test_beast::get(origin, "/one"));
        auto b = co_await t.async_send(test_beast::get(origin, "/two"));
        co_return std::pair{a && a->status == 200, b && b->status == 200 && b->body == R"({"path":"/two"})"};
    }());
    CHECK(first);
    CHECK(second);
    CHECK(t.stats().stale_retries == 1);
    CHECK(server.stats().connections_accepted == 2);
    CHECK(server.stats().requests == 3);
}

TEST_CASE("each server fault ends in a clear error or a faithful response, within the timeouts") {
    auto with_fault = [](sigma::testing::fault_kind kind) {
        sigma::testing::http_server_options so;
        so.faults.push_back({.kind = kind, .path = "/v2/workbooks", .nth = 1});
        return so;
    };
    auto handler = [](sigma::http_request const&) {
        return test_beast::ok_json(R"({"entries":[{"workbookId":"w1","name":"Sales"}],"nextPage":null})");
    };
    auto options_for = [](sigma::testing::http_server const& s) {
        auto o = test_beast::trusting(s);
        o.request_timeout = std::chrono::milliseconds(300);
        return o;
    };
    auto const target = std::string("/v2/workbooks");

    SUBCASE("closed before answering, on a fresh connection") {
        sigma::testing::http_server server(handler, with_fault(sigma::testing::fault_kind::close_before_answer));
        auto r = test_beast::send_one(options_for(server), test_beast::get(server.base_url(), target));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == sigma::errc::transport);
        CHECK(test_beast::contains(r.error().message(), "closed the connection without answering"));
        CHECK(r.error().http().target == target);
    }
    SUBCASE("closed in the middle of a chunked body") {
        sigma::testing::http_server server(handler, with_fault(sigma::testing::fault_kind::close_mid_body));
        auto r = test_beast::send_one(options_for(server), test_beast::get(server.base_url(), target));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == sigma::errc::transport);
        CHECK(test_beast::contains(r.error().message(), "in the middle of the response body"));
    }
    SUBCASE("a body shorter than its Content-Length") {
        sigma::testing::http_server server(handler, with_fault(sigma::testing::fault_kind::truncated_body));
        auto r = test_beast::send_one(options_for(server), test_beast::get(server.base_url(), target));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == sigma::errc::transport);
        CHECK(test_beast::contains(r.error().message(), "announced by Content-Length"));
    }
    SUBCASE("malformed JSON is the client's to judge: the transport returns it as sent") {
        sigma::testing::http_server server(handler, with_fault(sigma::testing::fault_kind::malformed_json));
        auto r = test_beast::send_one(options_for(server), test_beast::get(server.base_url(), target));
        REQUIRE(r.has_value());
        CHECK(r->status == 200);
        std::string const full = handler({}).body;
        CHECK(r->body == full.substr(0, full.size() / 2));
    }
    SUBCASE("an HTML error page from a proxy is a response") {
        sigma::testing::http_server server(handler, with_fault(sigma::testing::fault_kind::html_error_page));
        auto r = test_beast::send_one(options_for(server), test_beast::get(server.base_url(), target));
        REQUIRE(r.has_value());
        CHECK(r->status == 502);
        CHECK(r->header("Content-Type") == "text/html");
        CHECK(test_beast::contains(r->body, "Bad Gateway"));
    }
    SUBCASE("a server that stops sending mid-body times out") {
        sigma::testing::http_server server(handler, with_fault(sigma::testing::fault_kind::stall));
        auto r = test_beast::send_one(options_for(server), test_beast::get(server.base_url(), target));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == sigma::errc::timeout);
        CHECK(test_beast::contains(r.error().message(), "stalled"));
        CHECK(test_beast::contains(r.error().message(), "300 ms"));
    }
    SUBCASE("a Content-Length smaller than the body") {
        sigma::testing::http_server server(handler, with_fault(sigma::testing::fault_kind::wrong_content_length));
        auto r = test_beast::send_one(options_for(server), test_beast::get(server.base_url(), target));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == sigma::errc::transport);
        CHECK(test_beast::contains(r.error().message(), "past the end of the response"));
    }
    SUBCASE("after a fault the next request gets a fresh connection and succeeds") {
        sigma::testing::http_server server(handler, with_fault(sigma::testing::fault_kind::stall));
        boost::asio::io_context ioc;
        sigma::beast_transport t(ioc.get_executor(), options_for(server));
        auto origin = server.base_url();
        auto [first, second] = test_net_support::run(ioc, [&]() -> boost::asio::awaitable<std::pair<bool, bool>> {
            auto a = co_await t.async_send(test_beast::get(origin, target));
            auto b = co_await t.async_send(test_beast::get(origin, target));
            co_return std::pair{!a && a.error().code() == sigma::errc::timeout, b && b->status == 200};
        }());
        CHECK(first);
        CHECK(second);
        CHECK(server.stats().connections_accepted == 2);
    }
}

TEST_CASE("a TLS handshake that never completes times out") {
    // A listening socket nobody accepts on: the kernel completes the TCP
    // handshake, then nothing answers the ClientHello.
    boost::asio::io_context listener_ctx;
    boost::asio::ip::tcp::acceptor silent(listener_ctx, {boost::asio::ip::make_address("127.0.0.1"), 0});
    sigma::beast_transport_options o;
    o.proxy = std::string();
    o.handshake_timeout = std::chrono::milliseconds(200);
    auto r = test_beast::send_one(o, test_beast::get("https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()), "/"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::timeout);
    CHECK(test_beast::contains(r.error().message(), "TLS handshake"));
    CHECK(test_beast::contains(r.error().message(), "200 ms"));
}

TEST_CASE("a refused connection is a transport error naming the peer") {
    boost::asio::io_context ctx;
    std::uint16_t port = 0;
    {
        boost::asio::ip::tcp::acceptor a(ctx, {boost::asio::ip::make_address("127.0.0.1"), 0});
        port = a.local_endpoint().port();
    } // closed: nothing listens there now
    sigma::beast_transport_options o;
    o.proxy = std::string();
    auto r = test_beast::send_one(o, test_beast::get("https://127.0.0.1:" + std::to_string(port), "/"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::transport);
    CHECK(test_beast::contains(r.error().message(), "cannot connect to 127.0.0.1:" + std::to_string(port)));
}

TEST_CASE("response size limits are enforced and named") {
    sigma::testing::http_server server([](sigma::http_request const& req) {
        if (req.target == "/big-header")
            return sigma::http_response{200, {{"X-Padding", test_beast::big(10000)}}, "{}"};
        return test_beast::ok_json(test_beast::big(5000));
    });
    auto options = test_beast::trusting(server);
    options.max_body_bytes = 1000;
    options.max_header_bytes = 4096;
    auto body = test_beast::send_one(options, test_beast::get(server.base_url(), "/big-body"));
    REQUIRE_FALSE(body.has_value());
    CHECK(body.error().code() == sigma::errc::transport);
    CHECK(test_beast::contains(body.error().message(), "limit of 1000 bytes"));
    CHECK(test_beast::contains(body.error().message(), "max_body_bytes"));
    auto header = test_beast::send_one(options, test_beast::get(server.base_url(), "/big-header"));
    REQUIRE_FALSE(header.has_value());
    CHECK(test_beast::contains(header.error().message(), "max_header_bytes"));
    options.max_body_bytes = 5000;
    auto exact = test_beast::send_one(options, test_beast::get(server.base_url(), "/big-body"));
    REQUIRE(exact.has_value());
    CHECK(exact->body.size() == 5000);
}

TEST_CASE("a redirect is refused, not followed, and names its Location") {
    sigma::testing::http_server server([](sigma::http_request const&) {
        return sigma::http_response{302, {{"Location", "https://user:pw@elsewhere.example/v2/steal?x=1"}}, ""};
    });
    auto req = test_beast::get(server.base_url(), "/v2/workbooks");
    req.headers.push_back({"Authorization", "Bearer secret-token"});
    auto r = test_beast::send_one(test_beast::trusting(server), req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::http_status);
    CHECK(r.error().http().status == 302);
    CHECK(test_beast::contains(r.error().message(), "https://elsewhere.example/v2/steal?x=1"));
    CHECK_FALSE(test_beast::contains(r.error().message(), "pw@"));
    CHECK_FALSE(test_beast::contains(r.error().message(), "secret-token"));
    CHECK(server.stats().requests == 1);
}

TEST_CASE("plain http:// is refused unless allowed") {
    sigma::testing::http_server_options so;
    so.tls = false;
    sigma::testing::http_server server(test_beast::echo, so);
    CHECK(server.base_url().starts_with("http://127.0.0.1:"));
    CHECK(server.ca_pem().empty());
    auto options = test_beast::trusting(server);
    options.allow_insecure_http = false;
    auto refused = test_beast::send_one(options, test_beast::get(server.base_url(), "/"));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code() == sigma::errc::transport);
    CHECK(test_beast::contains(refused.error().message(), "allow_insecure_http"));
    CHECK(server.stats().connections_accepted == 0);
    options.allow_insecure_http = true;
    auto allowed = test_beast::send_one(options, test_beast::get(server.base_url(), "/"));
    REQUIRE(allowed.has_value());
    CHECK(allowed->status == 200);
}

TEST_CASE("bad requests and bad options are errors, not crashes") {
    sigma::beast_transport_options o;
    o.proxy = std::string();
    SUBCASE("an origin with a path") {
        auto r = test_beast::send_one(o, test_beast::get("https://example.com/api", "/x"));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == sigma::errc::config);
        CHECK(test_beast::contains(r.error().message(), "without a path"));
    }
    SUBCASE("an origin with credentials is refused without repeating them") {
        auto r = test_beast::send_one(o, test_beast::get("https://u:hunter2@example.com", "/x"));
        REQUIRE_FALSE(r.has_value());
        CHECK_FALSE(test_beast::contains(r.error().message(), "hunter2"));
    }
    SUBCASE("an unknown scheme") {
        auto r = test_beast::send_one(o, test_beast::get("ftp://example.com", "/x"));
        REQUIRE_FALSE(r.has_value());
        CHECK(test_beast::contains(r.error().message(), "scheme"));
    }
    SUBCASE("a header value that would split the request") {
        auto req = test_beast::get("https://127.0.0.1:9", "/x");
        req.headers.push_back({"X-Evil", "a\r\nInjected: yes"});
        auto r = test_beast::send_one(o, req);
        REQUIRE_FALSE(r.has_value());
        CHECK(test_beast::contains(r.error().message(), "X-Evil"));
        CHECK_FALSE(test_beast::contains(r.error().message(), "Injected"));
    }
    SUBCASE("a target that is not origin-form") {
        auto r = test_beast::send_one(o, test_beast::get("https://127.0.0.1:9", "x y"));
        REQUIRE_FALSE(r.has_value());
        CHECK(test_beast::contains(r.error().message(), "origin-form"));
    }
    SUBCASE("an unreadable CA file") {
        boost::asio::io_context ioc;
        o.ca_file = "/nonexistent/ca.pem";
        auto made = sigma::beast_transport::make(ioc.get_executor(), o);
        REQUIRE_FALSE(made.has_value());
        CHECK(made.error().code() == sigma::errc::config);
        CHECK(test_beast::contains(made.error().message(), "/nonexistent/ca.pem"));
        CHECK_THROWS_AS(sigma::beast_transport(ioc.get_executor(), o), sigma::error);
    }
    SUBCASE("CA text without a certificate") {
        boost::asio::io_context ioc;
        o.ca_pem = "not a certificate";
        auto made = sigma::beast_transport::make(ioc.get_executor(), o);
        REQUIRE_FALSE(made.has_value());
        CHECK(test_beast::contains(made.error().message(), "ca_pem"));
    }
    SUBCASE("a pool of zero") {
        boost::asio::io_context ioc;
        o.max_connections_per_origin = 0;
        auto made = sigma::beast_transport::make(ioc.get_executor(), o);
        REQUIRE_FALSE(made.has_value());
        CHECK(test_beast::contains(made.error().message(), "max_connections_per_origin"));
    }
}

TEST_CASE("a request waits for a busy connection instead of opening another") {
    // One connection, three requests at once: they queue on it in turn.
    sigma::testing::http_server_options so;
    so.latency = std::chrono::milliseconds(10);
    sigma::testing::http_server server(test_beast::echo, so);
    boost::asio::io_context ioc;
    auto options = test_beast::trusting(server);
    options.max_connections_per_origin = 1;
    sigma::beast_transport t(ioc.get_executor(), options);
    CHECK(test_beast::concurrently(ioc, t, server.base_url(), 3) == 3);
    CHECK(server.stats().connections_accepted == 1);
    CHECK(t.stats().connections_reused == 2);
}

} // TEST_SUITE
