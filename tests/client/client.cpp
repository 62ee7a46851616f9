#include "test_support.hpp"

#include <doctest/doctest.h>

namespace test_client {
using namespace client_support;
using sigma::http_request;
using sigma::http_response;
using sigma::testing::json_response;

// Answers token requests with tok-1, tok-2, ... and workbooks with n entries in pages of `limit`.
struct org {
    int minted = 0;
    int workbooks = 5;
    sigma::result<http_response> operator()(http_request const& r) {
        if (r.target.starts_with("/v2/auth/token")) return json_response(200, token_body("tok-" + std::to_string(++minted)));
        if (r.target.starts_with("/v2/whoami")) return json_response(200, R"({"userId":"u1","organizationId":"o1"})");
        return json_response(404, R"({"code":"not_found","message":"no such thing","requestId":"rq-1"})");
    }
};

} // namespace test_client

TEST_CASE("client: whoami mints a token once and sends it as a bearer") {
    using namespace test_client;
    org o;
    harness h([&](http_request const& r) { return o(r); });
    auto r = h.c->get(sigma::api::get_whoami{});
    REQUIRE(r.has_value());
    CHECK(r->userId == "u1");
    auto r2 = h.c->get(sigma::api::get_whoami{});
    REQUIRE(r2.has_value());
    REQUIRE(h.requests().size() == 3);
    CHECK(h.requests()[0].method == sigma::http_method::post);
    CHECK(h.requests()[0].body == "grant_type=client_credentials&client_id=client-id-1&client_secret=s3cr3t-client-secret");
    CHECK(h.requests()[0].header("Content-Type") == "application/x-www-form-urlencoded");
    CHECK(h.requests()[1].header("Authorization") == "Bearer tok-1");
    CHECK(h.requests()[2].header("Authorization") == "Bearer tok-1");
    CHECK(o.minted == 1);
}
