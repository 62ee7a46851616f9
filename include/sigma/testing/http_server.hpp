// SPDX-License-Identifier: MIT
// sigma::testing::http_server: a real HTTP/1.1 server on 127.0.0.1 for tests,
// serving any handler, over HTTPS with a certificate made at start-up (trust
// ca_pem()) or plain HTTP. It can add latency, rate-limit with 429s and inject
// faults by rule (dropped connections, truncated or stalled bodies, bad JSON,
// proxy error pages, wrong Content-Length), and counts what it did.
#ifndef SIGMA_TESTING_HTTP_SERVER_HPP
#define SIGMA_TESTING_HTTP_SERVER_HPP

#include <sigma/detail/regex.hpp>
#include <sigma/testing/detail/cert_authority.hpp>
#include <sigma/testing/detail/loopback.hpp>
#include <sigma/transport/transport.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::testing {

enum class fault_kind {
    close_before_answer,  // read the request, close the connection without a byte of answer
    close_mid_body,       // chunked answer, half the body, then close
    truncated_body,       // Content-Length larger than the body sent, then close
    malformed_json,       // 200 with the handler's body cut in half (still valid framing)
    html_error_page,      // 502 text/html page, as an intermediate proxy would send
    stall,                // headers and half the body, then silence with the connection open
    wrong_content_length, // Content-Length smaller than the body sent
};

// When a fault fires: on requests whose path (target without the query)
// matches `path`, either on the nth such request or with a probability drawn
// from the server's seeded generator.
struct fault_rule {
    fault_kind kind = fault_kind::close_before_answer;
    std::string path = "*";     // glob ('*' any run, '?' one character), or ECMAScript regex if path_is_regex
    bool path_is_regex = false;
    std::uint64_t nth = 0;      // 1-based; 0: use probability
    double probability = 1.0;
};

// A token bucket: `burst` requests at once, refilled at requests_per_second.
struct rate_limit_options {
    double requests_per_second = 0; // 0: no limit
    double burst = 1;
    double share_without_retry_after = 0; // of the 429s, the share sent without Retry-After (seeded)
};

struct http_server_options {
    bool tls = true;
    std::uint16_t port = 0; // 0: an ephemeral port
    // The subjectAltNames of the server certificate. Name another host to
    // test that clients check the name.
    std::vector<std::string> certificate_hosts = {"127.0.0.1", "localhost"};
    std::chrono::milliseconds latency{0}; // before each answer
    std::chrono::milliseconds jitter{0};  // plus a uniform draw in [0, jitter]
    std::uint64_t seed = 42;
    rate_limit_options rate_limit;
    std::vector<fault_rule> faults;       // the first rule that fires wins
    // After this many requests on one connection, close it after the answer
    // without announcing it (no Connection: close), as servers with an idle
    // timeout do. 0: never.
    std::size_t keep_alive_max = 0;
    std::size_t threads = 1;              // more than one: the handler must be thread-safe
    std::function<std::chrono::steady_clock::time_point()> clock; // for the rate limiter; default steady_clock
};

struct http_server_stats {
    std::uint64_t requests = 0;             // requests read, whatever the answer
    std::uint64_t connections_accepted = 0;
    std::uint64_t rate_limited = 0;         // 429s served
    std::uint64_t faults_injected = 0;
};

namespace detail {

inline bool glob_match(std::string_view pattern, std::string_view text) {
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

inline std::optional<http_method> method_of(boost::beast::http::verb v) {
    using boost::beast::http::verb;
    switch (v) {
    case verb::get: return http_method::get;
    case verb::post: return http_method::post;
    case verb::put: return http_method::put;
    case verb::patch: return http_method::patch;
    case verb::delete_: return http_method::delete_;
    default: return std::nullopt;
    }
}

} // namespace detail

class http_server {
public:
    using handler_type = std::function<http_response(http_request const&)>;

    explicit http_server(handler_type handler, http_server_options options = {})
        : handler_(std::move(handler)), options_(std::move(options)), runner_(options_.port), rng_(options_.seed) {
        if (!handler_) throw std::invalid_argument("sigma::testing::http_server: no handler");
        for (auto const& r : options_.faults) {
            rules_.push_back({r, r.path_is_regex ? std::optional<std::regex>(std::regex(r.path)) : std::nullopt, 0});
        }
        if (!options_.clock) options_.clock = [] { return std::chrono::steady_clock::now(); };
        tokens_ = options_.rate_limit.burst;
        last_refill_ = options_.clock();
        if (options_.tls) {
            ca_.emplace(options_.certificate_hosts);
            tls_.emplace(boost::asio::ssl::context::tls_server);
            SSL_CTX_set_min_proto_version(tls_->native_handle(), TLS1_2_VERSION);
            tls_->use_certificate_chain(boost::asio::buffer(ca_->certificate_pem()));
            tls_->use_private_key(boost::asio::buffer(ca_->private_key_pem()), boost::asio::ssl::context::pem);
        }
        boost::asio::co_spawn(runner_.context(), accept_loop(), boost::asio::detached);
        runner_.start(options_.threads);
    }

    http_server(http_server const&) = delete;
    http_server& operator=(http_server const&) = delete;
    ~http_server() { runner_.stop(); }

    // "https://127.0.0.1:PORT" (or http://): a request origin.
    [[nodiscard]] std::string base_url() const {
        return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(runner_.port());
    }
    [[nodiscard]] std::uint16_t port() const noexcept { return runner_.port(); }
    // The CA that signed the server certificate (empty for plain HTTP).
    [[nodiscard]] std::string ca_pem() const { return ca_ ? ca_->ca_pem() : std::string(); }

    [[nodiscard]] http_server_stats stats() const noexcept {
        return {requests_.load(), connections_.load(), rate_limited_.load(), faults_.load()};
    }

    // Stops serving; pending connections are dropped. The destructor calls it.
    void stop() { runner_.stop(); }

private:
    struct rule_state {
        fault_rule rule;
        std::optional<std::regex> regex;
        std::uint64_t matched;
    };

    boost::asio::awaitable<void> accept_loop() {
        auto& acceptor = runner_.acceptor();
        for (;;) {
            boost::system::error_code ec;
            boost::asio::ip::tcp::socket sock(boost::asio::make_strand(runner_.context()));
            co_await acceptor.async_accept(sock, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec == boost::asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) continue;
            ++connections_;
            auto ex = sock.get_executor();
            boost::asio::co_spawn(ex, session(std::move(sock)), boost::asio::detached);
        }
    }

    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket sock) {
        boost::beast::tcp_stream plain(std::move(sock));
        if (!tls_) {
            co_await serve(plain);
            co_return;
        }
        boost::beast::ssl_stream<boost::beast::tcp_stream> stream(std::move(plain), *tls_);
        boost::system::error_code ec;
        co_await stream.async_handshake(boost::asio::ssl::stream_base::server,
                                        boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return;
        co_await serve(stream);
    }

    std::optional<fault_kind> pick_fault(std::string_view path) {
        std::lock_guard lock(mutex_);
        for (auto& r : rules_) {
            bool const matches = r.regex ? std::regex_match(path.begin(), path.end(), *r.regex)
                                         : detail::glob_match(r.rule.path, path);
            if (!matches) continue;
            ++r.matched;
            bool fire = false;
            if (r.rule.nth != 0) fire = r.matched == r.rule.nth;
            else fire = std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < r.rule.probability;
            if (fire) return r.rule.kind;
        }
        return std::nullopt;
    }

    // nullopt: admitted; else whether the 429 carries Retry-After, and its value.
    std::optional<std::optional<long>> rate_limited() {
        auto const& rl = options_.rate_limit;
        if (rl.requests_per_second <= 0) return std::nullopt;
        std::lock_guard lock(mutex_);
        auto const now = options_.clock();
        double const elapsed = std::chrono::duration<double>(now - last_refill_).count();
        last_refill_ = now;
        tokens_ = std::min(rl.burst, tokens_ + std::max(0.0, elapsed) * rl.requests_per_second);
        if (tokens_ >= 1.0) {
            tokens_ -= 1.0;
            return std::nullopt;
        }
        if (std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < rl.share_without_retry_after)
            return std::optional<long>();
        return std::optional<long>(static_cast<long>(std::ceil((1.0 - tokens_) / rl.requests_per_second)));
    }

    std::chrono::milliseconds draw_latency() {
        if (options_.jitter.count() <= 0) return options_.latency;
        std::lock_guard lock(mutex_);
        auto const extra = std::uniform_int_distribution<long long>(0, options_.jitter.count())(rng_);
        return options_.latency + std::chrono::milliseconds(extra);
    }

    static std::string head(unsigned status, std::vector<http_header> const& headers, std::string const& framing) {
        namespace http = boost::beast::http;
        std::string h = "HTTP/1.1 " + std::to_string(status) + " " +
                        std::string(http::obsolete_reason(http::int_to_status(status))) + "\r\n";
        bool has_type = false;
        for (auto const& f : headers) {
            if (sigma::detail::iequals(f.name, "Content-Length") || sigma::detail::iequals(f.name, "Transfer-Encoding") ||
                sigma::detail::iequals(f.name, "Connection"))
                continue;
            has_type = has_type || sigma::detail::iequals(f.name, "Content-Type");
            h += f.name + ": " + f.value + "\r\n";
        }
        if (!has_type) h += "Content-Type: application/json\r\n";
        return h + framing + "\r\n";
    }

    template <class Stream>
    static void drop(Stream& s) {
        boost::system::error_code ec;
        auto& sock = boost::beast::get_lowest_layer(s).socket();
        sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        sock.close(ec);
    }

    template <class Stream>
    static boost::asio::awaitable<bool> put(Stream& s, std::string const& data) {
        boost::system::error_code ec;
        co_await boost::asio::async_write(s, boost::asio::buffer(data), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        co_return !ec;
    }

    template <class Stream>
    boost::asio::awaitable<void> serve(Stream& s) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        for (std::size_t served = 1;; ++served) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(std::uint64_t{256} << 20);
            boost::system::error_code ec;
            co_await http::async_read(s, buffer, parser, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec) co_return;
            ++requests_;
            auto& req = parser.get();
            bool close = !req.keep_alive();
            bool const silent_close = options_.keep_alive_max != 0 && served >= options_.keep_alive_max;

            if (auto delay = draw_latency(); delay.count() > 0) {
                boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
                co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            }

            auto const method = detail::method_of(req.method());
            std::string const target(req.target());
            std::string_view const path = std::string_view(target).substr(0, target.find('?'));
            std::optional<fault_kind> fault;
            http_response res;
            if (auto limited = rate_limited()) {
                ++rate_limited_;
                res.status = 429;
                if (*limited) res.headers.push_back({"Retry-After", std::to_string(**limited)});
                res.body = R"({"code":"too_many_requests","message":"Rate limit exceeded"})";
            } else if (!method) {
                res.status = 405;
                res.body = R"({"code":"method_not_allowed","message":"Method not allowed"})";
            } else {
                fault = pick_fault(path);
                if (fault) ++faults_;
                if (fault == fault_kind::close_before_answer) {
                    drop(s);
                    co_return;
                }
                if (fault == fault_kind::html_error_page) {
                    res.status = 502;
                    res.headers.push_back({"Content-Type", "text/html"});
                    res.body = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                               "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
                } else {
                    http_request in;
                    in.method = *method;
                    in.origin = base_url();
                    in.target = target;
                    for (auto const& f : req) in.headers.push_back({std::string(f.name_string()), std::string(f.value())});
                    in.body = std::move(req.body());
                    bool drop = false;
                    try {
                        res = handler_(in);
                    } catch (sigma::error const& e) {
                        // A handler's transport failure (fake_sigma's scripted
                        // fault): drop the connection without an answer.
                        drop = e.code() == errc::transport || e.code() == errc::timeout;
                        res = http_response{500, {}, std::string(R"({"code":"internal","message":"handler threw"})")};
                    } catch (...) {
                        res = http_response{500, {}, std::string(R"({"code":"internal","message":"handler threw"})")};
                    }
                    if (drop) co_return;
                }
            }

            std::string body = std::move(res.body);
            if (fault && body.size() < 2 &&
                (*fault == fault_kind::close_mid_body || *fault == fault_kind::truncated_body ||
                 *fault == fault_kind::malformed_json || *fault == fault_kind::stall ||
                 *fault == fault_kind::wrong_content_length))
                body = R"({"entries":[{"id":"a"},{"id":"b"}],"hasMore":false})";
            std::size_t const half = body.size() / 2;
            if (fault == fault_kind::close_mid_body) {
                char size_hex[32];
                std::snprintf(size_hex, sizeof size_hex, "%zx", half);
                (void)co_await put(s, head(res.status, res.headers, "Transfer-Encoding: chunked\r\n") + size_hex + "\r\n" +
                                          body.substr(0, half) + "\r\n");
                drop(s);
                co_return;
            }
            if (fault == fault_kind::truncated_body) {
                (void)co_await put(s, head(res.status, res.headers, "Content-Length: " + std::to_string(body.size() + 100) + "\r\n") + body);
                drop(s);
                co_return;
            }
            if (fault == fault_kind::stall) {
                if (!co_await put(s, head(res.status, res.headers, "Content-Length: " + std::to_string(body.size()) + "\r\n") +
                                         body.substr(0, half)))
                    co_return;
                // Silence: wait until the client gives up and closes.
                char sink[512];
                for (;;) {
                    co_await s.async_read_some(boost::asio::buffer(sink), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
                    if (ec) co_return;
                }
            }
            if (fault == fault_kind::malformed_json) body.resize(half);
            std::size_t const announced = fault == fault_kind::wrong_content_length ? half : body.size();
            std::string framing = "Content-Length: " + std::to_string(announced) + "\r\n";
            if (close) framing += "Connection: close\r\n";
            if (!co_await put(s, head(res.status, res.headers, framing) + body)) co_return;
            if (close || silent_close) {
                drop(s);
                co_return;
            }
        }
    }

    handler_type handler_;
    http_server_options options_;
    std::optional<detail::cert_authority> ca_;
    std::optional<boost::asio::ssl::context> tls_;
    std::vector<rule_state> rules_;
    std::mutex mutex_; // rules_, rng_, token bucket
    detail::loopback_runner runner_;
    std::mt19937_64 rng_;
    double tokens_ = 0;
    std::chrono::steady_clock::time_point last_refill_;
    std::atomic<std::uint64_t> requests_{0}, connections_{0}, rate_limited_{0}, faults_{0};
};

} // namespace sigma::testing

#endif
