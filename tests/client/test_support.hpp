// Shared by the client tests: a fake clock and a small scripted Sigma.
#ifndef SIGMA_TESTS_CLIENT_SUPPORT_HPP
#define SIGMA_TESTS_CLIENT_SUPPORT_HPP

#include <sigma/client.hpp>
#include <sigma/api/endpoints.hpp>
#include <sigma/testing/manual_clock.hpp>
#include <sigma/testing/memory_transport.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace client_support {

using fake_clock = sigma::testing::manual_clock;

inline sigma::config test_config() {
    sigma::config c;
    c.hostPort = "https://api.sigmacomputing.com";
    c.clientId = "client-id-1";
    c.clientSecret = sigma::secret("s3cr3t-client-secret");
    return c;
}

inline std::string token_body(std::string const& token, int expires_in = 3599) {
    return R"({"access_token":")" + token + R"(","refresh_token":"refresh-)" + token +
           R"(","token_type":"bearer","expires_in":)" + std::to_string(expires_in) + "}";
}

using client = sigma::basic_client<sigma::testing::memory_transport>;

struct harness {
    boost::asio::io_context ioc;
    fake_clock clock;
    std::vector<std::string> logs;
    std::unique_ptr<client> c;

    explicit harness(sigma::testing::memory_transport::handler h, sigma::client_options o = {},
                     sigma::config cfg = test_config()) {
        o.clock = clock.source();
        o.log = [this](sigma::log_level l, std::string_view m) {
            logs.push_back(std::string(sigma::to_string(l)) + ": " + std::string(m));
        };
        c = std::make_unique<client>(std::move(cfg), sigma::testing::memory_transport(ioc.get_executor(), std::move(h)),
                                     std::move(o));
    }
    std::vector<sigma::http_request> const& requests() { return c->transport().requests(); }
};

} // namespace client_support

#endif
