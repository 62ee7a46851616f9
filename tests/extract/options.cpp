#include <sigma/extract/options.hpp>
#include <sigma/extract/service_types.hpp>

#include <doctest/doctest.h>

TEST_CASE("filters: includes, excludes, anchored at the start, case-insensitive") {
    sigma::extract::filter_pattern p{{"^Finance", "sales"}, {"draft"}};
    auto f = sigma::extract::compiled_filter::compile("dashboardFilterPattern", p);
    REQUIRE(f.has_value());
    CHECK_FALSE(f->rejects("Finance Overview"));
    CHECK_FALSE(f->rejects("SALES by region"));
    CHECK(f->rejects("Quarterly sales") == "dashboardFilterPattern.includes (no match)");
    CHECK(f->rejects("Draft of finance") == "dashboardFilterPattern.excludes \"draft\"");
    auto none = sigma::extract::compiled_filter::compile("chartFilterPattern", {});
    REQUIRE(none.has_value());
    CHECK_FALSE(none->rejects("anything"));
    CHECK_FALSE(none->rejects(""));
}

TEST_CASE("filters: a bad regex names the setting, list and index") {
    sigma::extract::options o;
    o.projectFilterPattern.excludes = {"ok", "(unclosed"};
    auto f = sigma::extract::compiled_filters::compile(o);
    REQUIRE_FALSE(f.has_value());
    CHECK(f.error().code() == sigma::errc::config);
    CHECK(f.error().message().find("projectFilterPattern.excludes[1]: invalid regular expression \"(unclosed\"") == 0);
}

TEST_CASE("filters: a number too large for the regex compiler is refused, not undefined behaviour") {
    // fuzz_config found `{18446744073709551616}`: libstdc++ 12 overflows a long reading it.
    for (std::string re : {"a{18446744073709551616}", "a{1,99999999999}", "(a)\\12345678901", "x{0000000000001}"}) {
        sigma::extract::filter_pattern p{{re}, {}};
        auto f = sigma::extract::compiled_filter::compile("chartFilterPattern", p);
        REQUIRE_FALSE_MESSAGE(f.has_value(), re);
        CHECK(f.error().message().find("chartFilterPattern.includes[0]: invalid regular expression") == 0);
        CHECK(f.error().message().find("more than 9 digits") != std::string::npos);
    }
    // Long numbers elsewhere are plain text; small counts are fine.
    for (std::string re : {"^Report 20240101123456", "a{2,12}", "[{]12345678901", "\\{12345678901"}) {
        sigma::extract::filter_pattern p{{re}, {}};
        CHECK_MESSAGE(sigma::extract::compiled_filter::compile("chartFilterPattern", p).has_value(), re);
    }
}

TEST_CASE("service types: Sigma connection types to OpenMetadata's") {
    using sigma::extract::service_type_for;
    CHECK(service_type_for("snowflake") == "Snowflake");
    CHECK(service_type_for("bigQuery") == "BigQuery");
    CHECK(service_type_for("big-query") == "BigQuery");
    CHECK(service_type_for("Redshift") == "Redshift");
    CHECK(service_type_for("databricks") == "Databricks");
    CHECK(service_type_for("postgres") == "Postgres");
    CHECK(service_type_for("mysql") == "Mysql");
    CHECK(service_type_for("athena") == "Athena");
    CHECK(service_type_for("trino") == "Trino");
    CHECK(service_type_for("presto") == "Presto");
    CHECK_FALSE(service_type_for("carrier-pigeon").has_value());
}
