// The fake OpenMetadata server: create-or-update by FQN, look-ups, lineage
// checked against known ids, the JWT, scripted failures.
#include <sigma/testing/fake_openmetadata.hpp>

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <string>

namespace test_fake_openmetadata {

using sigma::http_method;
using sigma::testing::fake_openmetadata;

struct client {
    fake_openmetadata& fake;
    std::string token = "jwt-1";

    sigma::http_response call(http_method m, std::string target, std::string body = {}) const {
        sigma::http_request r;
        r.method = m;
        r.origin = "http://om.test";
        r.target = std::move(target);
        if (!token.empty()) r.headers.push_back({"Authorization", "Bearer " + token});
        r.body = std::move(body);
        return fake(r);
    }
    boost::json::object put(std::string const& path, std::string const& body, unsigned want) const {
        auto r = call(http_method::put, path, body);
        CHECK_MESSAGE(r.status == want, path << " answered " << r.status << ": " << r.body);
        return r.body.empty() ? boost::json::object() : boost::json::parse(r.body).as_object();
    }
};

std::string str(boost::json::object const& o, char const* k) {
    auto const* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

} // namespace test_fake_openmetadata

TEST_CASE("fake_openmetadata: PUT creates then updates by FQN, answering the same id") {
    using namespace test_fake_openmetadata;
    fake_openmetadata fake("jwt-1");
    client c{fake};
    c.put("/api/v1/services/dashboardServices", R"({"name":"svc","serviceType":"Sigma"})", 201);
    auto a = c.put("/api/v1/charts", R"({"name":"el-1","service":"svc","displayName":"One"})", 201);
    CHECK(str(a, "fullyQualifiedName") == "svc.el-1");
    CHECK(str(a, "id").size() == 36);
    auto b = c.put("/api/v1/charts", R"({"name":"el-1","service":"svc","displayName":"Uno"})", 200);
    CHECK(str(b, "id") == str(a, "id"));
    CHECK(str(fake.entity("chart", "svc.el-1").value(), "displayName") == "Uno");
    auto m = c.put("/api/v1/dashboard/datamodels", R"({"name":"m.1","service":"svc","columns":[]})", 201);
    CHECK(str(m, "fullyQualifiedName") == "svc.model.\"m.1\"");
    c.put("/api/v1/dashboards", R"({"name":"wb","service":"svc","charts":["svc.el-1"],"dataModels":["svc.model.\"m.1\""]})", 201);
    // What a body names must exist.
    c.put("/api/v1/dashboards", R"({"name":"wb2","service":"svc","charts":["svc.nope"]})", 404);
    c.put("/api/v1/charts", R"({"name":"el-2","service":"other"})", 404);
    c.put("/api/v1/tags", R"({"name":"Endorsed","description":"d","classification":"Nope"})", 404);
    c.put("/api/v1/classifications", R"({"name":"SigmaTags","description":"d"})", 201);
    c.put("/api/v1/tags", R"({"name":"Endorsed","description":"d","classification":"SigmaTags"})", 201);
    c.put("/api/v1/charts", R"({"name":"el-3","service":"svc","tags":[{"tagFQN":"SigmaTags.Endorsed"}]})", 201);
    c.put("/api/v1/charts", R"({"name":"el-4","service":"svc","tags":[{"tagFQN":"SigmaTags.Nope"}]})", 404);
    c.put("/api/v1/charts", "not json", 400);
    c.put("/api/v1/charts", R"({"service":"svc"})", 400);
}

TEST_CASE("fake_openmetadata: owners must be references to known users") {
    using namespace test_fake_openmetadata;
    fake_openmetadata fake("jwt-1");
    client c{fake};
    auto id = fake.add_user("ana", "ana@example.com");
    c.put("/api/v1/services/dashboardServices", R"({"name":"svc"})", 201);
    c.put("/api/v1/charts", R"({"name":"a","service":"svc","owners":[{"id":")" + id + R"(","type":"user"}]})", 201);
    c.put("/api/v1/charts", R"({"name":"b","service":"svc","owners":[{"type":"user","email":"ana@example.com"}]})", 400);
    c.put("/api/v1/charts", R"({"name":"c","service":"svc","owners":[{"type":"user"}]})", 400);
    c.put("/api/v1/charts", R"({"name":"d","service":"svc","owners":[{"id":"00000000-0000-4000-8000-000000000999","type":"user"}]})", 404);
    c.put("/api/v1/charts", R"({"name":"e","service":"svc","owners":[{"id":")" + id + R"(","type":"team"}]})", 404);
}

TEST_CASE("fake_openmetadata: look-ups by name, by email and by FQN pattern") {
    using namespace test_fake_openmetadata;
    fake_openmetadata fake("jwt-1");
    client c{fake};
    auto uid = fake.add_user("ana", "ana+bi@example.com");
    auto tid = fake.add_table("snow.DB.SALES.ORDERS");
    fake.add_table("snow.DB.SALES.REGIONS");
    fake.add_table("other.DB2.SALES.ORDERS");

    auto r = c.call(http_method::get, "/api/v1/tables/name/snow.DB.SALES.ORDERS");
    CHECK(r.status == 200);
    CHECK(str(boost::json::parse(r.body).as_object(), "id") == tid);
    CHECK(c.call(http_method::get, "/api/v1/tables/name/snow.DB.SALES.NOPE").status == 404);
    auto e = boost::json::parse(c.call(http_method::get, "/api/v1/tables/name/x").body).as_object();
    CHECK(e.at("code").as_int64() == 404);
    CHECK(str(e, "message").find("not found") != std::string::npos);
    CHECK(c.call(http_method::get, "/api/v1/users/name/ana").status == 200);

    auto hits = [&](std::string const& target) {
        auto res = c.call(http_method::get, target);
        REQUIRE(res.status == 200);
        return boost::json::parse(res.body).at("hits").at("hits").as_array();
    };
    auto u = hits("/api/v1/search/query?q=email.keyword:ana%5C%2Bbi%40example.com&from=0&size=2&index=user_search_index");
    REQUIRE(u.size() == 1);
    CHECK(str(u[0].at("_source").as_object(), "id") == uid);
    CHECK(hits("/api/v1/search/query?q=email.keyword:bob%40example.com&index=user_search_index").empty());
    CHECK(hits("/api/v1/search/fieldQuery?fieldName=fullyQualifiedName&fieldValue=%2A.DB.SALES.ORDERS&index=table_search_index").size() == 1);
    CHECK(hits("/api/v1/search/fieldQuery?fieldName=fullyQualifiedName&fieldValue=%2A.SALES.ORDERS&index=table_search_index").size() == 2);
    CHECK(hits("/api/v1/search/fieldQuery?fieldName=fullyQualifiedName&fieldValue=snow.DB.SALES.%2A&index=table_search_index").size() == 2);
}

TEST_CASE("fake_openmetadata: lineage between known ids only") {
    using namespace test_fake_openmetadata;
    fake_openmetadata fake("jwt-1");
    client c{fake};
    auto t = fake.add_table("snow.DB.SALES.ORDERS");
    c.put("/api/v1/services/dashboardServices", R"({"name":"svc"})", 201);
    auto m = str(c.put("/api/v1/dashboard/datamodels", R"({"name":"m","service":"svc","columns":[]})", 201), "id");
    auto edge = [](std::string const& from, std::string const& ft, std::string const& to, std::string const& tt) {
        return R"({"edge":{"fromEntity":{"id":")" + from + R"(","type":")" + ft + R"("},"toEntity":{"id":")" + to +
               R"(","type":")" + tt + R"("},"lineageDetails":{"source":"DashboardLineage"}}})";
    };
    c.put("/api/v1/lineage", edge(t, "table", m, "dashboardDataModel"), 200);
    c.put("/api/v1/lineage", edge(t, "table", m, "dashboardDataModel"), 200); // the same edge again
    REQUIRE(fake.edges().size() == 1);
    CHECK(fake.edges()[0].fromId == t);
    CHECK(fake.edges()[0].toType == "dashboardDataModel");
    CHECK(fake.edges()[0].lineageDetails.at("source") == "DashboardLineage");
    c.put("/api/v1/lineage", edge(t, "table", "00000000-0000-4000-8000-00000000beef", "chart"), 404);
    c.put("/api/v1/lineage", edge(t, "chart", m, "dashboardDataModel"), 404); // wrong type for that id
    c.put("/api/v1/lineage", R"({"edge":{"fromEntity":{"type":"table","fullyQualifiedName":"x"},"toEntity":{"id":"1","type":"chart"}}})", 400);
    CHECK(fake.edges().size() == 1);
}

TEST_CASE("fake_openmetadata: the JWT is checked and failures are scripted by path and position") {
    using namespace test_fake_openmetadata;
    fake_openmetadata fake("jwt-1");
    client good{fake};
    client bad{fake, "jwt-2"};
    client none{fake, ""};
    auto r = bad.call(http_method::put, "/api/v1/services/dashboardServices", R"({"name":"svc"})");
    CHECK(r.status == 401);
    CHECK(boost::json::parse(r.body).at("code").as_int64() == 401);
    CHECK(none.call(http_method::get, "/api/v1/tables/name/x").status == 401);

    sigma::testing::openmetadata_fault f;
    f.path = "/api/v1/charts";
    f.status = 503;
    f.nth = 2;
    f.count = 2;
    f.retry_after = "3";
    fake.script(f);
    good.put("/api/v1/services/dashboardServices", R"({"name":"svc"})", 201);
    good.put("/api/v1/charts", R"({"name":"a","service":"svc"})", 201);
    auto second = good.call(http_method::put, "/api/v1/charts", R"({"name":"a","service":"svc"})");
    CHECK(second.status == 503);
    CHECK(second.header("Retry-After") == "3");
    good.put("/api/v1/charts", R"({"name":"a","service":"svc"})", 503);
    good.put("/api/v1/charts", R"({"name":"a","service":"svc"})", 200);
    CHECK(fake.log().size() == 7);
    CHECK(fake.log().back() == "PUT /api/v1/charts -> 200");
}
