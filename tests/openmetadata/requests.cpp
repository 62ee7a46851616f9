#include <sigma/openmetadata/requests.hpp>

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace test_requests {

// The keys of a JSON object, sorted.
inline std::vector<std::string> keys(boost::json::value const& v) {
    std::vector<std::string> out;
    for (auto const& kv : v.as_object()) out.emplace_back(kv.key());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace test_requests

TEST_CASE("requests: CreateChartRequest carries OpenMetadata's field names; absent optionals are omitted") {
    namespace om = sigma::openmetadata;
    om::create_chart_request c;
    c.name = "el-1";
    c.service = "my_sigma";
    auto minimal = sigma::json::encode_value(c);
    CHECK(test_requests::keys(minimal) == std::vector<std::string>{"name", "service"});

    c.displayName = "Revenue";
    c.description = "Own text";
    c.chartType = om::chart_type::BoxPlot;
    c.sourceUrl = "https://app.sigmacomputing.com/o/workbook/w?:nodeId=el-1";
    c.tags = std::vector<om::tag_label>{{"SigmaTags.Endorsed"}};
    c.owners = std::vector<om::entity_ref>{{{}, "user", {}, std::string("ana@example.com")}};
    auto full = sigma::json::encode_value(c);
    CHECK(test_requests::keys(full) == std::vector<std::string>{"chartType", "description", "displayName", "name",
                                                                "owners", "service", "sourceUrl", "tags"});
    CHECK(full.at("chartType") == "BoxPlot");
    CHECK(full.at("tags").at(0) ==
          boost::json::parse(R"({"tagFQN":"SigmaTags.Endorsed","source":"Classification","labelType":"Automated","state":"Confirmed"})"));
    CHECK(full.at("owners").at(0) == boost::json::parse(R"({"type":"user","email":"ana@example.com"})"));
}

TEST_CASE("requests: chartType spellings are OpenMetadata's enum") {
    namespace om = sigma::openmetadata;
    CHECK(sigma::json::encode(om::chart_type::SanKey) == R"("SanKey")");
    CHECK(sigma::json::encode(om::chart_type::Heatmap) == R"("Heatmap")");
    CHECK(sigma::json::encode(om::chart_type::Other) == R"("Other")");
}

TEST_CASE("requests: CreateDashboardRequest and CreateDashboardDataModelRequest fields") {
    namespace om = sigma::openmetadata;
    om::create_dashboard_request d;
    d.name = "wb-1";
    d.displayName = "Sales";
    d.description = "About sales";
    d.sourceUrl = "https://app.sigmacomputing.com/o/workbook/Sales-1";
    d.project = "Finance";
    d.charts = std::vector<std::string>{"my_sigma.el-1"};
    d.dataModels = std::vector<std::string>{"my_sigma.model.dm-1"};
    d.service = "my_sigma";
    CHECK(test_requests::keys(sigma::json::encode_value(d)) ==
          std::vector<std::string>{"charts", "dataModels", "description", "displayName", "name", "project",
                                   "service", "sourceUrl"});

    om::create_dashboard_data_model_request m;
    m.name = "dm-1";
    m.service = "my_sigma";
    auto v = sigma::json::encode_value(m);
    // columns is required by OpenMetadata: written even when empty.
    CHECK(test_requests::keys(v) ==
          std::vector<std::string>{"columns", "dataModelType", "name", "service", "serviceType"});
    CHECK(v.at("dataModelType") == "SigmaDataModel");
    CHECK(v.at("serviceType") == "Sigma");
    CHECK(v.at("columns").as_array().empty());

    om::column col;
    col.name = "Amount";
    CHECK(sigma::json::encode(col) == R"({"name":"Amount","dataType":"UNKNOWN"})");
}

TEST_CASE("requests: the service's connection never carries the secret") {
    namespace om = sigma::openmetadata;
    om::create_dashboard_service_request s;
    s.name = "my_sigma";
    om::sigma_connection c;
    c.hostPort = "https://aws-api.sigmacomputing.com";
    c.clientId = "id-1";
    c.clientSecret = sigma::secret("do-not-print-me");
    c.apiVersion = "v2";
    s.connection = om::dashboard_connection{c};
    std::string text = sigma::json::encode(s);
    CHECK(text.find("do-not-print-me") == std::string::npos);
    auto v = boost::json::parse(text);
    CHECK(v.at("serviceType") == "Sigma");
    CHECK(v.at("connection").at("config") ==
          boost::json::parse(R"({"type":"Sigma","hostPort":"https://aws-api.sigmacomputing.com","clientId":"id-1",)"
                             R"("clientSecret":"***","apiVersion":"v2"})"));
}

TEST_CASE("requests: AddLineageRequest is an entitiesEdge with lineageDetails") {
    namespace om = sigma::openmetadata;
    om::add_lineage_request r;
    r.edge.fromEntity = {{}, "table", std::string("wh.DB.S.T"), {}};
    r.edge.toEntity = {{}, "dashboardDataModel", std::string("my_sigma.model.el-1"), {}};
    r.edge.lineageDetails = om::lineage_details{
        {}, std::vector<om::column_lineage>{{{"wh.DB.S.T.A"}, "my_sigma.model.el-1.A", {}}}, {},
        om::lineage_source::DashboardLineage};
    CHECK(sigma::json::encode_value(r) == boost::json::parse(R"({"edge":{
        "fromEntity":{"type":"table","fullyQualifiedName":"wh.DB.S.T"},
        "toEntity":{"type":"dashboardDataModel","fullyQualifiedName":"my_sigma.model.el-1"},
        "lineageDetails":{"columnsLineage":[{"fromColumns":["wh.DB.S.T.A"],"toColumn":"my_sigma.model.el-1.A"}],
                          "source":"DashboardLineage"}}})"));
}

TEST_CASE("requests: a record is method, path and body") {
    namespace om = sigma::openmetadata;
    om::create_tag_request t{"Endorsed", "d", "SigmaTags"};
    auto r = om::make_record(om::paths::tags, t);
    CHECK(sigma::json::encode(r) ==
          R"({"method":"PUT","path":"/api/v1/tags","body":{"name":"Endorsed","description":"d","classification":"SigmaTags"}})");
}
