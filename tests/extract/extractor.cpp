#include <sigma/extract/extractor.hpp>
#include <sigma/testing/memory_transport.hpp>

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

TEST_CASE("extractor: compiles against a client (smoke)") {
    boost::asio::io_context ioc;
    sigma::config cfg;
    cfg.clientId = "i";
    cfg.clientSecret = sigma::secret("s");
    sigma::basic_client<sigma::testing::memory_transport> c(
        cfg, sigma::testing::memory_transport(ioc.get_executor(), [](sigma::http_request const&) {
            return sigma::result<sigma::http_response>(sigma::testing::json_response(500, "{}"));
        }));
    sigma::extract::options o;
    auto inv = sigma::extract::collect(c, o);
    REQUIRE(inv.has_value());
    CHECK_FALSE(inv->status.complete);
}
