#include <sigma/config.hpp>

#include <doctest/doctest.h>

#include <string>

namespace test_config {
sigma::config good() {
    sigma::config c;
    c.clientId = "id";
    c.clientSecret = sigma::secret("very-secret-value");
    return c;
}
std::string error_of(sigma::config c) {
    auto r = sigma::validate(std::move(c));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == sigma::errc::config);
    CHECK(r.error().message().find("very-secret-value") == std::string::npos);
    return r.error().message();
}
} // namespace test_config

TEST_CASE("config: defaults are OpenMetadata's") {
    sigma::config c;
    CHECK(c.hostPort == "https://api.sigmacomputing.com");
    CHECK(c.apiVersion == "v2");
    auto v = sigma::validate(test_config::good());
    REQUIRE(v.has_value());
    CHECK(v->origin == "https://api.sigmacomputing.com");
    CHECK(v->warnings.empty());
}

TEST_CASE("config: hostPort is normalised") {
    for (std::string host : {"https://aws-api.sigmacomputing.com/", "https://aws-api.sigmacomputing.com/v2",
                             "https://aws-api.sigmacomputing.com/v2/", "HTTPS://aws-api.sigmacomputing.com"}) {
        auto c = test_config::good();
        c.hostPort = host;
        auto v = sigma::validate(c);
        REQUIRE_MESSAGE(v.has_value(), host);
        CHECK(v->origin == "https://aws-api.sigmacomputing.com");
        CHECK(v->settings.hostPort == "https://aws-api.sigmacomputing.com");
    }
    auto c = test_config::good();
    c.hostPort = "https://proxy.example.com:8443";
    auto v = sigma::validate(c);
    REQUIRE(v.has_value());
    CHECK(v->origin == "https://proxy.example.com:8443");
    REQUIRE(v->warnings.size() == 1);
    CHECK(v->warnings[0].find("proxy.example.com") != std::string::npos);
}

TEST_CASE("config: each bad field has a clear error") {
    using test_config::error_of;
    auto c = test_config::good();
    c.hostPort = "http://api.sigmacomputing.com";
    CHECK(error_of(c).find("hostPort: ") == 0);
    CHECK(error_of(c).find("allow_insecure_http") != std::string::npos);
    c.allow_insecure_http = true;
    CHECK(sigma::validate(c).has_value());

    c = test_config::good();
    c.hostPort = "api.sigmacomputing.com";
    CHECK(error_of(c).find("not an absolute URL") != std::string::npos);
    c.hostPort = "ftp://api.sigmacomputing.com";
    CHECK(error_of(c).find("https://") != std::string::npos);
    c.hostPort = "https://api.sigmacomputing.com/api/v2";
    CHECK(error_of(c).find("has a path") != std::string::npos);
    c.hostPort = "https://api.sigmacomputing.com?x=1";
    CHECK(error_of(c).find("query") != std::string::npos);
    c.hostPort = "https://user:pw@api.sigmacomputing.com";
    CHECK(error_of(c).find("user information") != std::string::npos);

    c = test_config::good();
    c.clientId.clear();
    CHECK(error_of(c) == "clientId: must not be empty");
    c = test_config::good();
    c.clientSecret = sigma::secret("");
    CHECK(error_of(c) == "clientSecret: must not be empty");
    for (std::string v : {"2", "v", "v2.", "v2.1.3", "V2", "v2a"}) {
        c = test_config::good();
        c.apiVersion = v;
        CHECK(error_of(c).find("apiVersion: ") == 0);
    }
    for (std::string v : {"v2", "v2.1", "v10"}) {
        c = test_config::good();
        c.apiVersion = v;
        CHECK(sigma::validate(c).has_value());
    }
}

TEST_CASE("config: read from OpenMetadata's serviceConnection.config") {
    auto r = sigma::config_from_json(std::string_view(
        R"({"type":"Sigma","hostPort":"https://aws-api.sigmacomputing.com","clientId":"abc","clientSecret":"xyz-secret","apiVersion":"v2"})"));
    REQUIRE(r.has_value());
    CHECK(r->hostPort == "https://aws-api.sigmacomputing.com");
    CHECK(r->clientId == "abc");
    CHECK(r->clientSecret.reveal() == "xyz-secret");

    auto typo = sigma::config_from_json(std::string_view(R"({"clientID":"abc"})"));
    REQUIRE_FALSE(typo.has_value());
    CHECK(typo.error().message() == "clientID: unknown key; did you mean \"clientId\"?");

    auto far = sigma::config_from_json(std::string_view(R"({"zzzzzzzzzzzz":"abc"})"));
    REQUIRE_FALSE(far.has_value());
    CHECK(far.error().message().find("expected one of") != std::string::npos);

    auto wrong_type = sigma::config_from_json(std::string_view(R"({"type":"Tableau"})"));
    REQUIRE_FALSE(wrong_type.has_value());
    CHECK(wrong_type.error().message() == "type: must be \"Sigma\", got \"Tableau\"");

    auto not_string = sigma::config_from_json(std::string_view(R"({"clientSecret":12345})"));
    REQUIRE_FALSE(not_string.has_value());
    CHECK(not_string.error().message() == "clientSecret: expected string, got number");

    auto not_object = sigma::config_from_json(std::string_view("[]"));
    CHECK_FALSE(not_object.has_value());
    auto not_json = sigma::config_from_json(std::string_view("{"));
    CHECK_FALSE(not_json.has_value());
}

TEST_CASE("config: control characters in keys and values are escaped, never cut the message") {
    // fuzz_config found a key beginning with a NUL (a JSON escape): the NUL ended what() and
    // the message was empty.
    auto nul = sigma::config_from_json(std::string_view(R"({"\u0000Id":"id","clientSecret":"a-long-client-secret"})"));
    REQUIRE_FALSE(nul.has_value());
    CHECK(nul.error().message() == "\\x00Id: unknown key; expected one of: type, hostPort, clientId, clientSecret, apiVersion");
    auto esc = sigma::config_from_json(std::string_view(R"({"type":"\u001b[2JSigma"})"));
    REQUIRE_FALSE(esc.has_value());
    CHECK(esc.error().message() == "type: must be \"Sigma\", got \"\\x1B[2JSigma\"");
    auto c = test_config::good();
    c.hostPort = std::string("https://h\x7f\n.example.com");
    auto m = test_config::error_of(c);
    CHECK(m.find('\n') == std::string::npos);
    CHECK(m.find("\\x7F\\x0A") != std::string::npos);
}

TEST_CASE("config: known hosts are listed for users") {
    CHECK(sigma::known_api_hosts.size() == 13);
    for (auto h : sigma::known_api_hosts) CHECK(h.ends_with("sigmacomputing.com"));
}
