#include <sigma/openmetadata/fqn.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace test_fqn {
inline sigma::extract::table_ref table(std::optional<std::string> connection, std::vector<std::string> path) {
    sigma::extract::table_ref t;
    t.inodeId = "inode-T1";
    t.connectionName = std::move(connection);
    t.path = std::move(path);
    t.resolvedBy = "connection-path";
    return t;
}
} // namespace test_fqn

TEST_CASE("fqn: names with dots are quoted, as OpenMetadata writes them") {
    namespace om = sigma::openmetadata;
    CHECK(om::quote_name("orders") == "orders");
    CHECK(om::quote_name("v1.2") == "\"v1.2\"");
    CHECK(om::build_fqn({"svc", "db.prod", "s", "t"}) == "svc.\"db.prod\".s.t");
    CHECK(om::split_fqn("svc.\"db.prod\".s.t") == std::vector<std::string>{"svc", "db.prod", "s", "t"});
    CHECK(om::chart_fqn("my_sigma", "el-1") == "my_sigma.el-1");
    CHECK(om::dashboard_fqn("my.sigma", "wb") == "\"my.sigma\".wb");
    CHECK(om::data_model_fqn("my_sigma", "dm-1") == "my_sigma.model.dm-1");
    CHECK(om::column_fqn("my_sigma.model.dm-1", "Unit.Price") == "my_sigma.model.dm-1.\"Unit.Price\"");
}

TEST_CASE("fqn: dbServicePrefix parsing") {
    namespace om = sigma::openmetadata;
    auto p = om::db_service_prefix::parse("wh.*.PUBLIC");
    REQUIRE(p.has_value());
    CHECK(p->parts[0] == "wh");
    CHECK_FALSE(p->parts[1]);
    CHECK(p->parts[2] == "PUBLIC");
    CHECK_FALSE(p->parts[3]);
    auto empty = om::db_service_prefix::parse("");
    REQUIRE(empty.has_value());
    for (auto const& part : empty->parts) CHECK_FALSE(part);

    auto too_long = om::db_service_prefix::parse("a.b.c.d.e");
    REQUIRE_FALSE(too_long.has_value());
    CHECK(too_long.error().code() == sigma::errc::config);
    CHECK(too_long.error().message().find("dbServicePrefix") == 0);
    auto hole = om::db_service_prefix::parse("wh..s");
    REQUIRE_FALSE(hole.has_value());
    CHECK(hole.error().message().find("part 2 is empty") != std::string::npos);
}

TEST_CASE("fqn: lineage tables from the connection, the path and the prefix") {
    namespace om = sigma::openmetadata;
    using test_fqn::table;
    auto none = om::db_service_prefix::parse("").value();
    CHECK(om::table_fqn(table("snowflake_prod", {"SALES", "PUBLIC", "ORDERS"}), none) ==
          "snowflake_prod.SALES.PUBLIC.ORDERS");
    // The prefix's non-wildcard parts replace the ones in the same place.
    CHECK(om::table_fqn(table("Snowflake (prod)", {"SALES", "PUBLIC", "ORDERS"}),
                        om::db_service_prefix::parse("om_snowflake").value()) == "om_snowflake.SALES.PUBLIC.ORDERS");
    CHECK(om::table_fqn(table("wh", {"SALES", "PUBLIC", "ORDERS"}),
                        om::db_service_prefix::parse("*.*.CURATED").value()) == "wh.SALES.CURATED.ORDERS");
    CHECK(om::table_fqn(table("wh", {"SALES", "PUBLIC", "ORDERS"}),
                        om::db_service_prefix::parse("svc.ANALYTICS.*.*").value()) == "svc.ANALYTICS.PUBLIC.ORDERS");
    // A short path is aligned on the right; what nobody knows is `*`.
    CHECK(om::table_fqn(table(std::nullopt, {"PUBLIC", "ORDERS"}), none) == "*.*.PUBLIC.ORDERS");
    CHECK(om::table_fqn(table(std::nullopt, {"PUBLIC", "ORDERS"}), om::db_service_prefix::parse("wh.DB").value()) ==
          "wh.DB.PUBLIC.ORDERS");
    // A longer path keeps its last three parts.
    CHECK(om::table_fqn(table("wh", {"project", "DB", "S", "T"}), none) == "wh.DB.S.T");
    // Dotted names stay one part.
    CHECK(om::table_fqn(table("wh", {"DB", "S", "orders.v2"}), none) == "wh.DB.S.\"orders.v2\"");
}
