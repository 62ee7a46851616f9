// SPDX-License-Identifier: MIT
// sigma-bench compile-time: what an application that uses sigma-cpp compiles.
// The umbrella header, the client over the default HTTPS transport, and the
// extraction (every endpoint, the decoding of every model, the lineage walk).
// Compiled by `sigma-bench compile-time`, never linked or run.
#include <sigma/sigma.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    boost::asio::io_context ioc;
    sigma::config cfg;
    cfg.clientId = argc > 1 ? argv[1] : "id";
    cfg.clientSecret = sigma::secret(argc > 2 ? argv[2] : "secret");
    sigma::client c(cfg, sigma::beast_transport(ioc.get_executor()));
    auto inv = sigma::extract::collect(c);
    if (!inv) {
        std::fprintf(stderr, "%s\n", inv.error().what());
        return 1;
    }
    std::printf("%zu workbooks\n", inv->workbooks.size());
    return 0;
}
