// SPDX-License-Identifier: MIT
// sigma::testing::connect_proxy: a tiny HTTP CONNECT proxy on 127.0.0.1 for
// tests. It opens tunnels (optionally demanding a Proxy-Authorization value,
// optionally mapping the requested authority to another one so tests can name
// hosts that have no DNS entry), relays bytes both ways, and counts tunnels.
#ifndef SIGMA_TESTING_CONNECT_PROXY_HPP
#define SIGMA_TESTING_CONNECT_PROXY_HPP

#include <sigma/testing/detail/loopback.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sigma::testing {

struct connect_proxy_options {
    std::uint16_t port = 0;             // 0: an ephemeral port
    std::string required_authorization; // the exact Proxy-Authorization value wanted; empty: none
    // Requested authority ("api.example.test:443") -> where to connect ("127.0.0.1:8443").
    std::map<std::string, std::string> remap;
};

struct connect_proxy_stats {
    std::uint64_t connections_accepted = 0;
    std::uint64_t tunnels = 0; // CONNECTs answered 200
    std::uint64_t refused = 0; // answered 4xx/5xx
};

class connect_proxy {
public:
    explicit connect_proxy(connect_proxy_options options = {}) : options_(std::move(options)), runner_(options_.port) {
        boost::asio::co_spawn(runner_.context(), accept_loop(), boost::asio::detached);
        runner_.start(1);
    }
    connect_proxy(connect_proxy const&) = delete;
    connect_proxy& operator=(connect_proxy const&) = delete;
    ~connect_proxy() { runner_.stop(); }

    // "http://127.0.0.1:PORT": what https_proxy or beast_transport_options::proxy takes.
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(runner_.port()); }
    [[nodiscard]] std::uint16_t port() const noexcept { return runner_.port(); }
    [[nodiscard]] connect_proxy_stats stats() const noexcept { return {accepted_.load(), tunnels_.load(), refused_.load()}; }
    // The authorities clients asked tunnels to, in order.
    [[nodiscard]] std::vector<std::string> targets() const {
        std::lock_guard lock(mutex_);
        return targets_;
    }

private:
    using tcp = boost::asio::ip::tcp;

    boost::asio::awaitable<void> accept_loop() {
        auto& acceptor = runner_.acceptor();
        for (;;) {
            boost::system::error_code ec;
            tcp::socket sock(boost::asio::make_strand(runner_.context()));
            co_await acceptor.async_accept(sock, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec == boost::asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) continue;
            ++accepted_;
            auto ex = sock.get_executor();
            boost::asio::co_spawn(ex, session(std::move(sock)), boost::asio::detached);
        }
    }

    static boost::asio::awaitable<void> answer(tcp::socket& s, std::string const& text) {
        boost::system::error_code ec;
        co_await boost::asio::async_write(s, boost::asio::buffer(text), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        s.shutdown(tcp::socket::shutdown_both, ec);
        s.close(ec);
    }

    static boost::asio::awaitable<void> relay(tcp::socket& from, tcp::socket& to) {
        char buf[16384];
        boost::system::error_code ec;
        for (;;) {
            std::size_t const n =
                co_await from.async_read_some(boost::asio::buffer(buf), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec) break;
            co_await boost::asio::async_write(to, boost::asio::buffer(buf, n), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec) break;
        }
        to.shutdown(tcp::socket::shutdown_send, ec);
    }

    boost::asio::awaitable<void> session(tcp::socket client) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        http::request_parser<http::empty_body> parser;
        boost::system::error_code ec;
        co_await http::async_read_header(client, buffer, parser, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return;
        auto const& req = parser.get();
        if (req.method() != http::verb::connect) {
            ++refused_;
            co_await answer(client, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            co_return;
        }
        if (!options_.required_authorization.empty() &&
            req[http::field::proxy_authorization] != options_.required_authorization) {
            ++refused_;
            co_await answer(client, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                                    "Content-Length: 0\r\nConnection: close\r\n\r\n");
            co_return;
        }
        std::string const asked(req.target());
        {
            std::lock_guard lock(mutex_);
            targets_.push_back(asked);
        }
        std::string authority = asked;
        if (auto it = options_.remap.find(asked); it != options_.remap.end()) authority = it->second;
        auto const colon = authority.rfind(':');
        tcp::socket upstream(client.get_executor());
        if (colon != std::string::npos) {
            tcp::resolver resolver(client.get_executor());
            std::string host = authority.substr(0, colon);
            if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
            auto eps = co_await resolver.async_resolve(host, authority.substr(colon + 1),
                                                       boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (!ec) co_await boost::asio::async_connect(upstream, eps, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        }
        if (colon == std::string::npos || ec) {
            ++refused_;
            co_await answer(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            co_return;
        }
        std::string const ok = "HTTP/1.1 200 Connection Established\r\n\r\n";
        co_await boost::asio::async_write(client, boost::asio::buffer(ok), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return;
        ++tunnels_;
        if (buffer.size() != 0) {
            co_await boost::asio::async_write(upstream, buffer.data(), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec) co_return;
        }
        using namespace boost::asio::experimental::awaitable_operators;
        co_await (relay(client, upstream) && relay(upstream, client));
    }

    connect_proxy_options options_;
    mutable std::mutex mutex_;
    std::vector<std::string> targets_;
    detail::loopback_runner runner_;
    std::atomic<std::uint64_t> accepted_{0}, tunnels_{0}, refused_{0};
};

} // namespace sigma::testing

#endif
