// SPDX-License-Identifier: MIT
// Shared by the tests/net files: run a coroutine to its end on a fresh
// io_context, and a transport that trusts a test server.
#ifndef SIGMA_TESTS_NET_SUPPORT_HPP
#define SIGMA_TESTS_NET_SUPPORT_HPP

#include <sigma/testing/http_server.hpp>
#include <sigma/transport/beast.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdlib>
#include <optional>
#include <string>

namespace test_net_support {

template <class T>
T run(boost::asio::io_context& ioc, boost::asio::awaitable<T> task) {
    auto done = boost::asio::co_spawn(ioc, std::move(task), boost::asio::use_future);
    ioc.restart();
    ioc.run();
    return done.get();
}

// Options that trust the server's CA and ignore any proxy of the machine
// running the tests.
inline sigma::beast_transport_options trusting(sigma::testing::http_server const& server) {
    sigma::beast_transport_options o;
    o.ca_pem = server.ca_pem();
    o.proxy = std::string();
    o.no_proxy = std::string();
    o.allow_insecure_http = true;
    return o;
}

inline sigma::http_request get(std::string origin, std::string target) {
    sigma::http_request r;
    r.origin = std::move(origin);
    r.target = std::move(target);
    return r;
}

inline sigma::result<sigma::http_response> send_one(sigma::beast_transport_options options, sigma::http_request req) {
    boost::asio::io_context ioc;
    sigma::beast_transport t(ioc.get_executor(), std::move(options));
    return run(ioc, t.async_send(std::move(req)));
}

inline sigma::http_response ok_json(std::string body) {
    return sigma::http_response{200, {{"Content-Type", "application/json"}}, std::move(body)};
}

// Sets or unsets an environment variable for one scope.
class scoped_env {
public:
    scoped_env(char const* name, std::optional<std::string> value) : name_(name) {
        if (char const* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value->c_str(), 1);
        else ::unsetenv(name);
    }
    scoped_env(scoped_env const&) = delete;
    scoped_env& operator=(scoped_env const&) = delete;
    ~scoped_env() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }

private:
    char const* name_;
    std::optional<std::string> old_;
};

} // namespace test_net_support

#endif
