// SPDX-License-Identifier: MIT
// sigma-bench compile-time: the default HTTPS transport alone, header-only
// (<sigma/transport/beast.hpp> and one request through it), for the part of
// the header-only figure that the transport's Beast code takes whatever the
// client and the extraction cost. Compiled by `sigma-bench compile-time`,
// never linked or run.
#include <sigma/transport/beast.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <utility>

namespace {
boost::asio::awaitable<void> get(sigma::beast_transport t, sigma::http_request req) {
    auto res = co_await t.async_send(std::move(req));
    std::printf("%s\n", res ? res->body.c_str() : res.error().what());
}
} // namespace

int main(int argc, char** argv) {
    boost::asio::io_context ioc;
    sigma::http_request req;
    req.origin = argc > 1 ? argv[1] : "https://example.com";
    req.target = "/v2/workbooks";
    boost::asio::co_spawn(ioc, get(sigma::beast_transport(ioc.get_executor()), std::move(req)), boost::asio::detached);
    ioc.run();
    return 0;
}
