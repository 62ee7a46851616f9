// SPDX-License-Identifier: MIT
// sigma::beast_transport: the default Transport. HTTPS (TLS >= 1.2, verified
// against the system CA store or a given CA) over Boost.Beast, HTTP/1.1
// keep-alive with a bounded pool of connections per origin, deadlines on every
// phase, size limits on responses, CONNECT proxies from the environment or
// the options. Redirects are refused, never followed.
//
// This header declares; <sigma/transport/impl/beast.ipp> implements, and is
// included at the end unless SIGMA_SEPARATE_COMPILATION moves it to the one
// file that includes <sigma/src.hpp>. So with separate compilation a file
// that uses the transport compiles none of Beast.
#ifndef SIGMA_TRANSPORT_BEAST_HPP
#define SIGMA_TRANSPORT_BEAST_HPP

#include <sigma/error.hpp>
#include <sigma/result.hpp>
#include <sigma/transport/http.hpp>
#include <sigma/transport/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sigma {

struct beast_transport_options {
    // request_timeout bounds the whole call: waiting for a free connection,
    // connecting, the TLS handshake, sending and reading the response. The
    // other two bound their phase within it.
    std::chrono::milliseconds connect_timeout{10'000};   // TCP connect, and the proxy's CONNECT answer
    std::chrono::milliseconds handshake_timeout{10'000}; // TLS handshake
    std::chrono::milliseconds request_timeout{60'000};

    std::size_t max_connections_per_origin = 8; // busy plus idle
    std::size_t max_header_bytes = 64 * 1024;   // response status line and headers
    std::uint64_t max_body_bytes = std::uint64_t{64} << 20;

    // Trusted CAs: a PEM file and/or PEM text; with neither, the system store
    // (OpenSSL's default paths, which honour SSL_CERT_FILE / SSL_CERT_DIR).
    std::string ca_file;
    std::string ca_pem;
    // Accept any certificate from any host. For debugging only: it makes
    // the connection readable and forgeable by anyone on the path.
    bool insecure_skip_tls_verify = false;
    // Allow http:// origins (loopback tests). Off: they fail with errc::transport.
    bool allow_insecure_http = false;

    // CONNECT proxy. Unset: https_proxy / HTTPS_PROXY for https:// origins.
    // "": no proxy. "http://[user:password@]host[:port]": that proxy for every origin.
    std::optional<std::string> proxy;
    // Hosts that bypass the proxy, as no_proxy spells them ("*", "example.com",
    // ".example.com", "10.0.0.0/8", "host:port"). Unset: no_proxy / NO_PROXY.
    std::optional<std::string> no_proxy;
};

// Counters since construction, for tests and benchmarks.
struct beast_transport_stats {
    std::uint64_t connections_opened = 0; // TCP connections made (to the origin or a proxy)
    std::uint64_t tunnels_opened = 0;     // of which CONNECT tunnels
    std::uint64_t requests_sent = 0;      // requests written, retries included
    std::uint64_t connections_reused = 0; // requests that started on a kept-alive connection
    std::uint64_t stale_retries = 0;      // requests retried after a kept-alive connection failed before answering
    std::uint64_t idle_dropped = 0;       // kept-alive connections found closed by the server before reuse
};

namespace detail::wire {
struct transport_state; // impl/beast.ipp
} // namespace detail::wire

// Copies share one pool, one TLS context and one set of counters.
class beast_transport {
public:
    using executor_type = boost::asio::any_io_executor;

    // Throws sigma::error (errc::config) when the options cannot work: an
    // unreadable CA file, a bad proxy URL, a zero limit. make() returns it instead.
    SIGMA_DECL explicit beast_transport(executor_type ex, beast_transport_options options = {});

    SIGMA_DECL static result<beast_transport> make(executor_type ex, beast_transport_options options = {});

    [[nodiscard]] SIGMA_DECL executor_type get_executor() const noexcept;

    // The transport's state is shared with requests in flight, so the object
    // may be moved or destroyed while they finish.
    SIGMA_DECL boost::asio::awaitable<result<http_response>> async_send(http_request req);

    [[nodiscard]] SIGMA_DECL beast_transport_stats stats() const noexcept;

    [[nodiscard]] SIGMA_DECL beast_transport_options const& options() const noexcept;
    // The most requests this transport runs at once to one origin (a client caps its concurrency here).
    [[nodiscard]] SIGMA_DECL std::size_t max_in_flight() const noexcept;

private:
    using state_ptr = std::shared_ptr<detail::wire::transport_state>;
    SIGMA_DECL explicit beast_transport(state_ptr st);
    SIGMA_DECL static result<state_ptr> build(executor_type ex, beast_transport_options opt);

    state_ptr st_;
};

static_assert(transport<beast_transport>, "sigma::beast_transport must satisfy sigma::transport");

} // namespace sigma

#if !defined(SIGMA_SEPARATE_COMPILATION) || defined(SIGMA_SOURCE)
#include <sigma/transport/impl/beast.ipp>
#endif

#endif
