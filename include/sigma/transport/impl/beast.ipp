// SPDX-License-Identifier: MIT
// The implementation of sigma::beast_transport (<sigma/transport/beast.hpp>):
// included at the end of that header, or, with SIGMA_SEPARATE_COMPILATION,
// only by <sigma/src.hpp>. Not a header to include on its own.
#ifndef SIGMA_TRANSPORT_IMPL_BEAST_IPP
#define SIGMA_TRANSPORT_IMPL_BEAST_IPP

#include <sigma/transport/beast.hpp>
#include <sigma/error.hpp>
#include <sigma/result.hpp>
#include <sigma/transport/detail/pool.hpp>
#include <sigma/transport/detail/proxy.hpp>
#include <sigma/transport/detail/tls.hpp>
#include <sigma/transport/transport.hpp>
#include <sigma/version.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma {

namespace detail::wire {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using clock = std::chrono::steady_clock;
using request_message = http::request<http::string_body>;

struct origin {
    bool https = true;
    std::string host;        // for DNS, SNI and the certificate check; IPv6 without brackets
    bool host_is_ip = false;
    std::string port;
    std::string authority;   // host:port as sent in CONNECT ([v6]:port)
    std::string host_header; // Host: value (port omitted when default)
    std::string key;         // scheme://authority, lower case: the pool's name
};

inline result<origin> parse_origin(std::string_view text) {
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed) return error(errc::config, "the request origin is not an absolute URL (want https://host[:port])");
    auto const& u = *parsed;
    if (u.has_userinfo()) return error(errc::config, "the request origin must not carry user information");
    std::string const shown(text);
    std::string const scheme = ascii_lower(std::string(u.scheme().data(), u.scheme().size()));
    origin o;
    if (scheme == "https") o.https = true;
    else if (scheme == "http") o.https = false;
    else return error(errc::config, "origin '" + shown + "': the scheme must be https:// (or http:// with allow_insecure_http)");
    if (!(u.encoded_path().empty() || u.encoded_path() == "/") || u.has_query() || u.has_fragment())
        return error(errc::config, "origin '" + shown + "' must be scheme://host[:port] without a path, query or fragment");
    auto const encoded_host = std::string(u.encoded_host().data(), u.encoded_host().size());
    if (encoded_host.empty() || encoded_host.find('%') != std::string::npos)
        return error(errc::config, "origin '" + shown + "' has no usable host");
    o.host = ascii_lower(u.host_address());
    o.host_is_ip = u.host_type() == boost::urls::host_type::ipv4 || u.host_type() == boost::urls::host_type::ipv6;
    std::string const default_port = o.https ? "443" : "80";
    if (u.has_port()) {
        if (u.port_number() == 0) return error(errc::config, "origin '" + shown + "' has an invalid port");
        o.port = std::to_string(u.port_number());
    } else {
        o.port = default_port;
    }
    o.authority = ascii_lower(encoded_host) + ":" + o.port;
    o.host_header = ascii_lower(encoded_host) + (o.port == default_port ? std::string() : ":" + o.port);
    o.key = scheme + "://" + o.authority;
    return o;
}

inline bool is_token_char(char c) noexcept {
    auto const u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Request fields that could split the request or smuggle another one.
inline std::optional<std::string> invalid_request_part(http_request const& req) {
    if (req.target.empty() || req.target.front() != '/')
        return "the target must be origin-form (start with '/')";
    for (char c : req.target)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return "the target contains a space or control character";
    for (auto const& h : req.headers) {
        if (h.name.empty() || !std::all_of(h.name.begin(), h.name.end(), is_token_char))
            return "a header name is not an HTTP token";
        for (char c : h.value)
            if (c == '\r' || c == '\n' || c == '\0') return "the value of header " + h.name + " contains CR, LF or NUL";
    }
    return std::nullopt;
}

struct connection {
    explicit connection(asio::any_io_executor const& ex) : strand(asio::make_strand(ex)) {}

    // Every operation on the connection runs here, so that Beast's timeout
    // handlers never race the I/O even on a multi-threaded io_context.
    asio::strand<asio::any_io_executor> strand;
    std::optional<beast::tcp_stream> plain;                 // until TLS wraps it
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

// An idle connection is reusable when nothing is readable on it: a readable
// socket means the server closed it (EOF), reset it, or sent bytes nobody
// asked for. Checked without blocking, just before reuse.
inline bool still_open(connection& c) {
    auto& sock = c.lowest().socket();
    boost::system::error_code ec;
    sock.non_blocking(true, ec);
    if (ec) return false;
    char byte = 0;
    (void)sock.receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, ec);
    boost::system::error_code ignored;
    sock.non_blocking(false, ignored);
    return ec == asio::error::would_block;
}

struct origin_entry {
    origin_entry(asio::any_io_executor const& ex, std::size_t capacity, bool proxied) : pool(ex, capacity), use_proxy(proxied) {}
    connection_pool<connection> pool;
    bool use_proxy;
};

struct transport_state {
    asio::any_io_executor exec;
    beast_transport_options options;
    std::shared_ptr<asio::ssl::context> tls;

    std::optional<proxy_endpoint> proxy;
    std::string proxy_problem; // the configured proxy cannot be used
    bool proxy_for_http = false;
    std::vector<no_proxy_entry> no_proxy;

    std::mutex mutex;
    std::map<std::string, std::shared_ptr<origin_entry>> origins;

    std::atomic<std::uint64_t> connections_opened{0}, tunnels_opened{0}, requests_sent{0}, connections_reused{0},
        stale_retries{0}, idle_dropped{0};

    std::shared_ptr<origin_entry> entry_for(origin const& o) {
        std::lock_guard lock(mutex);
        auto& e = origins[o.key];
        if (!e) {
            bool const wants = (proxy || !proxy_problem.empty()) && (o.https || proxy_for_http);
            bool const proxied = wants && !bypasses_proxy(no_proxy, o.host, o.port);
            e = std::make_shared<origin_entry>(exec, options.max_connections_per_origin, proxied);
        }
        return e;
    }
};

inline std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

struct exchange_outcome {
    result<http_response> response;
    bool stale = false; // a kept-alive connection failed before any byte of answer: retry on a fresh one
    bool keep = false;  // the connection may serve another request
};

// TCP connect (to the origin or the proxy), CONNECT tunnel, TLS handshake.
inline asio::awaitable<result<void>> open_connection(transport_state& st, connection& c, origin const& o, bool use_proxy,
                                                     clock::time_point deadline) {
    using tcp = asio::ip::tcp;
    auto const& opt = st.options;
    auto const connect_deadline = std::min(deadline, clock::now() + opt.connect_timeout);
    std::string const& host = use_proxy ? st.proxy->host : o.host;
    std::string const& port = use_proxy ? st.proxy->port : o.port;
    std::string const peer = use_proxy ? "proxy " + st.proxy->display : o.authority;
    boost::system::error_code ec;

    // Name resolution has no Beast deadline: a timer on the same strand
    // cancels it.
    auto resolver = std::make_shared<tcp::resolver>(c.strand);
    asio::steady_timer guard(c.strand, connect_deadline);
    guard.async_wait([resolver](boost::system::error_code e) {
        if (!e) resolver->cancel();
    });
    boost::system::error_code parse_ec;
    (void)asio::ip::make_address(host, parse_ec);
    auto const flags = parse_ec ? tcp::resolver::flags{} : tcp::resolver::numeric_host;
    auto endpoints = co_await resolver->async_resolve(host, port, flags, asio::redirect_error(asio::use_awaitable, ec));
    guard.cancel();
    if (ec) {
        if (clock::now() >= connect_deadline)
            co_return error(errc::timeout, "resolving " + peer + " timed out after " + ms(opt.connect_timeout));
        co_return error(errc::transport, "cannot resolve " + peer + ": " + ec.message());
    }

    c.plain.emplace(c.strand);
    auto& s = *c.plain;
    s.expires_at(connect_deadline);
    co_await s.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout)
        co_return error(errc::timeout, "connecting to " + peer + " timed out after " + ms(opt.connect_timeout));
    if (ec) co_return error(errc::transport, "cannot connect to " + peer + ": " + ec.message());
    ++st.connections_opened;
    s.socket().set_option(tcp::no_delay(true), ec);

    if (use_proxy) {
        std::string const req = connect_request(o.authority, *st.proxy);
        co_await asio::async_write(s, asio::buffer(req), asio::redirect_error(asio::use_awaitable, ec));
        http::response_parser<http::empty_body> p;
        p.skip(true); // a 2xx answer to CONNECT has no body: the tunnel starts after the header
        if (!ec) co_await http::async_read(s, c.buffer, p, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == beast::error::timeout)
            co_return error(errc::timeout, peer + " did not open a tunnel to " + o.authority + " within " + ms(opt.connect_timeout));
        if (ec) co_return error(errc::transport, "CONNECT through " + peer + " to " + o.authority + " failed: " + ec.message());
        auto const status = p.get().result_int();
        if (status < 200 || status > 299)
            co_return error(errc::transport, peer + " refused the tunnel to " + o.authority + ": " + std::to_string(status) + " " +
                                                 std::string(p.get().reason()));
        if (c.buffer.size() != 0)
            co_return error(errc::transport, peer + " sent data before the tunnel to " + o.authority + " was used");
        ++st.tunnels_opened;
    }

    if (o.https) {
        c.tls.emplace(std::move(*c.plain), *st.tls);
        c.plain.reset();
        auto& t = *c.tls;
        if (auto r = configure_tls_connection(t.native_handle(), o.host, o.host_is_ip, !opt.insecure_skip_tls_verify); !r)
            co_return r;
        beast::get_lowest_layer(t).expires_at(std::min(deadline, clock::now() + opt.handshake_timeout));
        co_await t.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == beast::error::timeout)
            co_return error(errc::timeout, "TLS handshake with " + o.authority + " timed out after " + ms(opt.handshake_timeout));
        if (ec) co_return error(errc::transport, "TLS handshake with " + o.authority + " failed: " + tls_failure_reason(t.native_handle(), ec));
    }
    co_return result<void>{};
}

template <class Stream>
asio::awaitable<void> write_then_read(Stream& s, beast::flat_buffer& buffer, request_message const& msg,
                                      http::response_parser<http::string_body>& parser, bool& write_failed,
                                      boost::system::error_code& ec) {
    co_await http::async_write(s, msg, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        write_failed = true;
        co_return;
    }
    co_await http::async_read(s, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
}

inline bool is_connection_closed(boost::system::error_code const& ec) {
    return ec == http::error::end_of_stream || ec == http::error::partial_message ||
           ec == asio::ssl::error::stream_truncated || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::error::connection_aborted;
}

// One request on one connection; runs on the connection's strand.
inline asio::awaitable<exchange_outcome> exchange(transport_state& st, connection& c, origin const& o, bool use_proxy,
                                                  request_message const& msg, clock::time_point deadline, bool reused,
                                                  http_details const& details, std::string const& label) {
    exchange_outcome out;
    auto const& opt = st.options;
    auto fail = [&](errc code, std::string const& text) {
        out.response = error(code, label + text, details);
        return std::move(out);
    };
    if (!reused) {
        auto opened = co_await open_connection(st, c, o, use_proxy, deadline);
        if (!opened) co_return fail(opened.error().code(), opened.error().message());
    }

    http::response_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opt.max_header_bytes, UINT32_MAX)));
    parser.body_limit(opt.max_body_bytes);
    bool write_failed = false;
    boost::system::error_code ec;
    c.lowest().expires_at(deadline);
    ++st.requests_sent;
    if (c.tls) co_await write_then_read(*c.tls, c.buffer, msg, parser, write_failed, ec);
    else co_await write_then_read(*c.plain, c.buffer, msg, parser, write_failed, ec);

    if (ec) {
        bool const got_bytes = !write_failed && (parser.got_some() || c.buffer.size() != 0);
        if (ec == beast::error::timeout) {
            if (!parser.is_header_done())
                co_return fail(errc::timeout, "no response within " + ms(opt.request_timeout) + " (request_timeout)");
            co_return fail(errc::timeout, "the response stalled: not complete within " + ms(opt.request_timeout) +
                                              " (request_timeout), " + std::to_string(parser.get().body().size()) +
                                              " body bytes received");
        }
        if (reused && !got_bytes) {
            out.stale = true;
            co_return out;
        }
        if (write_failed) co_return fail(errc::transport, "sending the request failed: " + ec.message());
        if (ec == http::error::body_limit)
            co_return fail(errc::transport, "the response body exceeds the limit of " + std::to_string(opt.max_body_bytes) +
                                                " bytes (beast_transport_options::max_body_bytes)");
        if (ec == http::error::header_limit)
            co_return fail(errc::transport, "the response header exceeds the limit of " + std::to_string(opt.max_header_bytes) +
                                                " bytes (beast_transport_options::max_header_bytes)");
        if (is_connection_closed(ec)) {
            if (!got_bytes) co_return fail(errc::transport, "the server closed the connection without answering");
            if (!parser.is_header_done())
                co_return fail(errc::transport, "the server closed the connection in the middle of the response header");
            std::string text = "the server closed the connection in the middle of the response body, after " +
                               std::to_string(parser.get().body().size()) + " bytes";
            if (auto n = parser.content_length()) text += " of the " + std::to_string(*n) + " announced by Content-Length";
            co_return fail(errc::transport, text);
        }
        co_return fail(errc::transport, "reading the response failed: " + ec.message());
    }
    c.lowest().expires_never();

    auto& res = parser.get();
    // Bytes after the end of the body: its framing was wrong (a
    // Content-Length smaller than the body), so the body cannot be trusted.
    std::size_t extra = c.buffer.size();
    if (c.tls) extra += static_cast<std::size_t>(SSL_pending(c.tls->native_handle()));
    if (extra != 0)
        co_return fail(errc::transport, "the server sent " + std::to_string(extra) +
                                            " bytes past the end of the response (wrong Content-Length?)");
    http_response r;
    r.status = res.result_int();
    r.headers.reserve(static_cast<std::size_t>(std::distance(res.begin(), res.end())));
    for (auto const& f : res)
        r.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    r.body = std::move(res.body());
    out.keep = res.keep_alive();
    out.response = std::move(r);
    co_return out;
}

// A Location for a message: without user information, bounded in size.
inline std::string printable_location(std::string_view loc) {
    std::string out;
    auto parsed = boost::urls::parse_uri_reference(loc);
    if (parsed && parsed->has_userinfo()) {
        boost::urls::url u(*parsed);
        u.remove_userinfo();
        out = std::string(u.buffer());
    } else {
        out = std::string(loc);
    }
    for (auto& ch : out)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    if (out.size() > 512) out = out.substr(0, 512) + "...";
    return out;
}

inline asio::awaitable<result<http_response>> send_unguarded(std::shared_ptr<transport_state> st, http_request req,
                                                             http_details& details, std::string& label) {
    auto o = parse_origin(req.origin);
    if (!o) co_return error(o.error().code(), label + o.error().message(), details);
    label = details.method + " " + o->key + req.target + ": ";
    auto fail = [&](errc code, std::string const& text) { return result<http_response>(error(code, label + text, details)); };
    if (!o->https && !st->options.allow_insecure_http)
        co_return fail(errc::transport, "plain http:// is refused; set beast_transport_options::allow_insecure_http to allow it (tests only)");
    if (auto bad = invalid_request_part(req)) co_return fail(errc::transport, *bad);

    auto entry = st->entry_for(*o);
    if (entry->use_proxy && !st->proxy_problem.empty()) co_return fail(errc::config, st->proxy_problem);

    request_message msg;
    static constexpr http::verb verbs[] = {http::verb::get, http::verb::post, http::verb::put, http::verb::patch,
                                           http::verb::delete_};
    msg.method(verbs[static_cast<int>(req.method)]);
    msg.target(req.target);
    msg.version(11);
    for (auto const& h : req.headers) {
        // Framing and routing headers are the transport's.
        if (iequals(h.name, "Host") || iequals(h.name, "Content-Length") || iequals(h.name, "Transfer-Encoding") ||
            iequals(h.name, "Connection"))
            continue;
        msg.insert(h.name, h.value);
    }
    msg.set(http::field::host, o->host_header);
    if (req.header("User-Agent").empty()) msg.set(http::field::user_agent, "sigma-cpp/" SIGMA_VERSION_STRING);
    if (req.header("Accept").empty()) msg.set(http::field::accept, "application/json");
    msg.body() = std::move(req.body);
    msg.prepare_payload();

    auto const& opt = st->options;
    auto const deadline = clock::now() + opt.request_timeout;
    auto slot = co_await entry->pool.acquire(deadline);
    if (!slot)
        co_return fail(errc::timeout, "no free connection within " + ms(opt.request_timeout) + " (request_timeout): all " +
                                          std::to_string(entry->pool.capacity()) + " connections to the origin stayed busy");

    for (int attempt = 0;; ++attempt) {
        std::unique_ptr<connection> conn;
        if (attempt == 0) {
            std::size_t dropped = 0;
            conn = entry->pool.take_idle([](connection& c) { return still_open(c); }, dropped);
            st->idle_dropped += dropped;
        }
        bool const reused = conn != nullptr;
        if (reused) ++st->connections_reused;
        else conn = std::make_unique<connection>(st->exec);
        auto out = co_await asio::co_spawn(
            conn->strand, exchange(*st, *conn, *o, entry->use_proxy, msg, deadline, reused, details, label), asio::use_awaitable);
        if (out.stale && attempt == 0) {
            ++st->stale_retries;
            continue;
        }
        if (out.stale) co_return fail(errc::transport, "the server closed the connection without answering");
        if (out.keep) entry->pool.put_idle(std::move(conn));
        if (!out.response) co_return std::move(out.response);
        unsigned const status = out.response->status;
        if (status >= 300 && status < 400 && status != 304) {
            details.status = status;
            auto const loc = out.response->header("Location");
            co_return fail(errc::http_status,
                           "the server answered " + std::to_string(status) + " redirecting to " +
                               (loc.empty() ? std::string("(no Location header)") : printable_location(loc)) +
                               "; redirects are not followed, so credentials never leave the origin");
        }
        co_return std::move(out.response);
    }
}

inline asio::awaitable<result<http_response>> send(std::shared_ptr<transport_state> st, http_request req) {
    http_details details;
    details.method = std::string(to_string(req.method));
    details.target = req.target;
    std::string label = details.method + " " + req.target + ": ";
    try {
        co_return co_await send_unguarded(std::move(st), std::move(req), details, label);
    } catch (std::exception const& e) {
        co_return error(errc::transport, label + "internal failure: " + e.what(), details);
    }
}

} // namespace detail::wire

SIGMA_DECL beast_transport::beast_transport(executor_type ex, beast_transport_options options)
    : st_(build(std::move(ex), std::move(options)).value()) {}

SIGMA_DECL result<beast_transport> beast_transport::make(executor_type ex, beast_transport_options options) {
    auto st = build(std::move(ex), std::move(options));
    if (!st) return st.error();
    return beast_transport(std::move(*st));
}

SIGMA_DECL beast_transport::executor_type beast_transport::get_executor() const noexcept { return st_->exec; }

SIGMA_DECL boost::asio::awaitable<result<http_response>> beast_transport::async_send(http_request req) {
    return detail::wire::send(st_, std::move(req));
}

SIGMA_DECL beast_transport_stats beast_transport::stats() const noexcept {
    beast_transport_stats s;
    s.connections_opened = st_->connections_opened.load();
    s.tunnels_opened = st_->tunnels_opened.load();
    s.requests_sent = st_->requests_sent.load();
    s.connections_reused = st_->connections_reused.load();
    s.stale_retries = st_->stale_retries.load();
    s.idle_dropped = st_->idle_dropped.load();
    return s;
}

SIGMA_DECL beast_transport_options const& beast_transport::options() const noexcept { return st_->options; }

SIGMA_DECL std::size_t beast_transport::max_in_flight() const noexcept {
    return st_->options.max_connections_per_origin;
}

SIGMA_DECL beast_transport::beast_transport(state_ptr st) : st_(std::move(st)) {}

SIGMA_DECL result<beast_transport::state_ptr> beast_transport::build(executor_type ex, beast_transport_options opt) {
    auto bad = [](std::string const& what) { return error(errc::config, "beast_transport_options: " + what); };
    if (opt.max_connections_per_origin == 0) return bad("max_connections_per_origin must be at least 1");
    if (opt.max_header_bytes == 0) return bad("max_header_bytes must be positive");
    if (opt.connect_timeout.count() <= 0 || opt.handshake_timeout.count() <= 0 || opt.request_timeout.count() <= 0)
        return bad("connect_timeout, handshake_timeout and request_timeout must be positive");
    auto tls = detail::make_tls_client_context({opt.ca_file, opt.ca_pem, opt.insecure_skip_tls_verify});
    if (!tls) return tls.error();

    auto st = std::make_shared<detail::wire::transport_state>();
    st->exec = std::move(ex);
    st->tls = std::move(*tls);
    if (opt.proxy) {
        if (!opt.proxy->empty()) {
            auto p = detail::parse_proxy_url(*opt.proxy, "beast_transport_options::proxy");
            if (!p) return p.error();
            st->proxy = std::move(*p);
            st->proxy_for_http = true;
        }
    } else if (auto env = detail::env_value("https_proxy", "HTTPS_PROXY")) {
        auto p = detail::parse_proxy_url(*env, "https_proxy");
        if (p) st->proxy = std::move(*p);
        else st->proxy_problem = p.error().message(); // fails only the requests that would use it
    }
    std::string no_proxy = opt.no_proxy ? *opt.no_proxy : detail::env_value("no_proxy", "NO_PROXY").value_or("");
    st->no_proxy = detail::parse_no_proxy(no_proxy);
    st->options = std::move(opt);
    return st;
}

} // namespace sigma

#endif
