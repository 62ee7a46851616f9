#include <sigma/openmetadata/mapping.hpp>

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace test_mapping {

namespace ex = sigma::extract;
namespace om = sigma::openmetadata;

inline std::vector<std::string> keys(boost::json::value const& v) {
    std::vector<std::string> out;
    for (auto const& kv : v.as_object()) out.emplace_back(kv.key());
    std::sort(out.begin(), out.end());
    return out;
}

inline om::mapping make(om::mapping_options o = {}) {
    if (o.serviceName.empty()) o.serviceName = "my_sigma";
    return om::mapping::create(std::move(o)).value();
}

inline ex::lineage_source table_source(std::string inode, std::string conn, std::vector<std::string> path) {
    ex::lineage_source s;
    s.kind = ex::source_kind::table;
    s.id = inode;
    s.name = path.back();
    ex::table_ref t;
    t.inodeId = inode;
    t.connectionName = conn;
    t.path = std::move(path);
    t.resolvedBy = "connection-path";
    s.table = t;
    return s;
}

inline ex::element_info element(std::string id, std::optional<std::string> name, std::string type,
                                std::optional<std::string> viz = std::nullopt) {
    ex::element_info e;
    e.elementId = id;
    e.workbookId = "wb-1";
    e.pageId = "p-1";
    e.name = std::move(name);
    e.type = type;
    e.vizualizationType = std::move(viz);
    e.dataElement = ex::is_data_element_type(type);
    e.url = "https://app.sigmacomputing.com/acme/workbook/Sales-abc?:nodeId=" + id + "&:fullScreen=true";
    return e;
}

// Page "Overview": el-orders (a table on ORDERS, column lineage), el-chart (a
// nameless bar chart reading el-orders and data model dm-1), el-text (text).
inline ex::workbook_info workbook() {
    ex::workbook_info wb;
    wb.workbook.workbookId = "wb-1";
    wb.workbook.name = "Sales";
    wb.workbook.url = "https://app.sigmacomputing.com/acme/workbook/Sales-abc";
    wb.workbook.description = "The workbook's own description";
    wb.workspaceName = "Finance";
    wb.ownerEmail = "ana@example.com";
    wb.tags = {"Endorsed", "v1.2"};
    wb.dataModelIds = {"dm-1"};

    auto orders = element("el-orders", std::string("Orders"), "table");
    orders.columns = {{"inode-T1/ORDER_ID", "Order Id", std::nullopt}, {"c2", "Amount", std::string("[ORDERS/AMOUNT]")}};
    orders.sources = {table_source("inode-T1", "snowflake_prod", {"SALES", "PUBLIC", "ORDERS"})};
    orders.columnLineage = {{"inode-T1", "ORDER_ID", "Order Id", ex::column_match::warehouse_id},
                            {"inode-T1", "AMOUNT", "Amount", ex::column_match::formula}};
    orders.sql = "select * from SALES.PUBLIC.ORDERS";

    auto chart = element("el-chart", std::nullopt, "visualization", std::string("bar"));
    chart.columns = {{"c3", "Total", std::string("Sum([Orders/Amount])")}, {"c4", "Region", std::nullopt}};
    ex::lineage_source from_el;
    from_el.kind = ex::source_kind::element;
    from_el.id = "el-orders";
    ex::lineage_source from_dm;
    from_dm.kind = ex::source_kind::data_model;
    from_dm.id = "dm-1";
    ex::lineage_source gone;
    gone.kind = ex::source_kind::element;
    gone.id = "el-filtered-out";
    ex::lineage_source sql;
    sql.kind = ex::source_kind::custom_sql;
    sql.id = "q1";
    chart.sources = {from_el, from_dm, gone, sql};
    chart.columnLineage = {{"el-orders", "Amount", "Total", ex::column_match::formula},
                           {"dm-1", "Region", "Region", ex::column_match::name}};

    auto text = element("el-text", std::nullopt, "text");

    ex::page_info page;
    page.pageId = "p-1";
    page.name = "Overview";
    page.elements = {orders, chart, text};
    wb.pages = {page};
    return wb;
}

inline ex::data_model_info data_model() {
    ex::data_model_info dm;
    dm.dataModel.dataModelId = "dm-1";
    dm.dataModel.name = "Customers";
    dm.dataModel.description = "Customer model";
    dm.workspaceName = "Finance";
    dm.ownerEmail = "bo@example.com";
    ex::data_model_element_info a;
    a.elementId = "dme-1";
    a.columns = {{"c1", "Region", std::nullopt}, {"c2", "Customer Id", std::nullopt}};
    a.sources = {table_source("inode-T2", "snowflake_prod", {"SALES", "PUBLIC", "CUSTOMERS"})};
    a.sql = "select * from CUSTOMERS";
    ex::data_model_element_info b;
    b.elementId = "dme-2";
    b.columns = {{"c3", "Region", std::nullopt}, {"c4", "Segment", std::nullopt}};
    b.sources = {table_source("inode-T2", "snowflake_prod", {"SALES", "PUBLIC", "CUSTOMERS"})};
    dm.elements = {a, b};
    dm.tags = {"Certified"};
    return dm;
}

inline boost::json::value const* find(std::vector<om::record> const& rs, std::string_view path, std::string_view name) {
    for (auto const& r : rs)
        if (r.path == path && r.body.as_object().contains("name") && r.body.at("name").as_string() == name) return &r.body;
    return nullptr;
}

// The lineage record from `from` to `to` (fully qualified names), or null.
inline boost::json::value const* edge(std::vector<om::record> const& rs, std::string_view from, std::string_view to) {
    for (auto const& r : rs)
        if (r.body.at("edge").at("fromEntity").at("fullyQualifiedName").as_string() == from &&
            r.body.at("edge").at("toEntity").at("fullyQualifiedName").as_string() == to)
            return &r.body;
    return nullptr;
}

} // namespace test_mapping

TEST_CASE("mapping: options are checked once") {
    namespace om = sigma::openmetadata;
    auto no_service = om::mapping::create({});
    REQUIRE_FALSE(no_service.has_value());
    CHECK(no_service.error().message().find("serviceName") == 0);
    om::mapping_options o;
    o.serviceName = "s";
    o.dbServicePrefix = "a.b.c.d.e";
    auto bad_prefix = om::mapping::create(o);
    REQUIRE_FALSE(bad_prefix.has_value());
    CHECK(bad_prefix.error().code() == sigma::errc::config);
    o.dbServicePrefix = "";
    o.columnNameMaxLength = 3;
    CHECK_FALSE(om::mapping::create(o).has_value());
}

TEST_CASE("mapping: a workbook is a CreateDashboardRequest naming its charts and data models") {
    auto m = test_mapping::make();
    auto rs = m.workbook(test_mapping::workbook());
    auto const* d = test_mapping::find(rs.entities, "/api/v1/dashboards", "wb-1");
    REQUIRE(d);
    CHECK(test_mapping::keys(*d) == std::vector<std::string>{"charts", "dataModels", "description", "displayName",
                                                            "name", "owners", "project", "service", "sourceUrl",
                                                            "tags"});
    CHECK(*d == boost::json::parse(R"({
        "name": "wb-1", "displayName": "Sales", "description": "The workbook's own description",
        "sourceUrl": "https://app.sigmacomputing.com/acme/workbook/Sales-abc", "project": "Finance",
        "charts": ["my_sigma.el-orders", "my_sigma.el-chart", "my_sigma.el-text"],
        "dataModels": ["my_sigma.model.dm-1"],
        "tags": [{"tagFQN": "SigmaTags.Endorsed", "source": "Classification", "labelType": "Automated", "state": "Confirmed"},
                 {"tagFQN": "SigmaTags.\"v1.2\"", "source": "Classification", "labelType": "Automated", "state": "Confirmed"}],
        "owners": [{"type": "user", "email": "ana@example.com"}],
        "service": "my_sigma"})"));
    CHECK(rs.tags == std::vector<std::string>{"Endorsed", "v1.2"});
    // The dashboard comes after its charts.
    REQUIRE(rs.entities.size() == 4);
    CHECK(rs.entities.back().path == "/api/v1/dashboards");
}

TEST_CASE("mapping: a chart has the element's own URL and never the workbook's description") {
    auto m = test_mapping::make();
    auto wb = test_mapping::workbook();
    auto rs = m.workbook(wb);
    auto const* c = test_mapping::find(rs.entities, "/api/v1/charts", "el-orders");
    REQUIRE(c);
    CHECK(test_mapping::keys(*c) ==
          std::vector<std::string>{"chartType", "displayName", "name", "service", "sourceUrl"});
    CHECK(c->at("sourceUrl").as_string() == wb.pages[0].elements[0].url);
    CHECK(c->at("sourceUrl").as_string() != wb.workbook.url);
    CHECK(c->at("chartType") == "Table");
    CHECK(c->at("displayName") == "Orders");
    for (auto const& r : rs.entities)
        if (r.path == "/api/v1/charts") CHECK_FALSE(r.body.as_object().contains("description"));
}

TEST_CASE("mapping: nameless elements get readable display names") {
    auto m = test_mapping::make();
    auto wb = test_mapping::workbook();
    auto rs = m.workbook(wb);
    CHECK(test_mapping::find(rs.entities, "/api/v1/charts", "el-chart")->at("displayName") == "Bar chart on Overview");
    CHECK(test_mapping::find(rs.entities, "/api/v1/charts", "el-chart")->at("chartType") == "Bar");
    CHECK(test_mapping::find(rs.entities, "/api/v1/charts", "el-text")->at("displayName") == "Text on Overview");
    CHECK(test_mapping::find(rs.entities, "/api/v1/charts", "el-text")->at("chartType") == "Text");

    wb.pages[0].name.reset();
    wb.pages[0].elements[1].name = "   "; // blank is nameless too
    rs = m.workbook(wb);
    CHECK(test_mapping::find(rs.entities, "/api/v1/charts", "el-chart")->at("displayName") ==
          "Untitled bar chart (el-chart)");
    CHECK(test_mapping::find(rs.entities, "/api/v1/charts", "el-text")->at("displayName") == "Untitled text (el-text)");
}

TEST_CASE("mapping: workbook lineage without element data models") {
    auto m = test_mapping::make();
    auto rs = m.workbook(test_mapping::workbook());
    // table -> chart, element -> element, data model -> chart, data model -> dashboard; nothing for
    // custom SQL or an element that is not in the workbook.
    CHECK(rs.lineage.size() == 4);
    auto const* t = test_mapping::edge(rs.lineage, "snowflake_prod.SALES.PUBLIC.ORDERS", "my_sigma.el-orders");
    REQUIRE(t);
    CHECK(t->at("edge").at("fromEntity").at("type") == "table");
    CHECK(t->at("edge").at("toEntity").at("type") == "chart");
    // A chart has no columns in OpenMetadata: no column lineage, but the query is kept.
    CHECK_FALSE(t->at("edge").at("lineageDetails").as_object().contains("columnsLineage"));
    CHECK(t->at("edge").at("lineageDetails").at("sqlQuery") == "select * from SALES.PUBLIC.ORDERS");
    CHECK(t->at("edge").at("lineageDetails").at("source") == "DashboardLineage");
    CHECK(test_mapping::edge(rs.lineage, "my_sigma.el-orders", "my_sigma.el-chart"));
    CHECK(test_mapping::edge(rs.lineage, "my_sigma.model.dm-1", "my_sigma.el-chart"));
    auto const* d = test_mapping::edge(rs.lineage, "my_sigma.model.dm-1", "my_sigma.wb-1");
    REQUIRE(d);
    CHECK(d->at("edge").at("toEntity").at("type") == "dashboard");
    for (auto const& r : rs.lineage) CHECK(r.path == "/api/v1/lineage");
}

TEST_CASE("mapping: element data models carry columns and column lineage") {
    sigma::openmetadata::mapping_options o;
    o.elementDataModels = true;
    auto m = test_mapping::make(o);
    auto rs = m.workbook(test_mapping::workbook());
    // Data elements only (the text element has none), before every chart.
    REQUIRE(rs.entities.size() == 6);
    CHECK(rs.entities[0].path == "/api/v1/dashboard/datamodels");
    CHECK(rs.entities[1].path == "/api/v1/dashboard/datamodels");
    CHECK(rs.entities[2].path == "/api/v1/charts");
    auto const* dm = test_mapping::find(rs.entities, "/api/v1/dashboard/datamodels", "el-orders");
    REQUIRE(dm);
    CHECK(dm->at("dataModelType") == "SigmaDataModel");
    CHECK(dm->at("sql") == "select * from SALES.PUBLIC.ORDERS");
    CHECK(dm->at("columns").at(0) == boost::json::parse(
        R"({"name":"Order Id","dataType":"UNKNOWN","dataTypeDisplay":"Sigma column","ordinalPosition":1})"));
    auto const* d = test_mapping::find(rs.entities, "/api/v1/dashboards", "wb-1");
    CHECK(d->at("dataModels") ==
          boost::json::parse(R"(["my_sigma.model.dm-1","my_sigma.model.el-orders","my_sigma.model.el-chart"])"));

    auto const* t =
        test_mapping::edge(rs.lineage, "snowflake_prod.SALES.PUBLIC.ORDERS", "my_sigma.model.el-orders");
    REQUIRE(t);
    CHECK(t->at("edge").at("toEntity").at("type") == "dashboardDataModel");
    CHECK(t->at("edge").at("lineageDetails").at("columnsLineage") == boost::json::parse(R"([
        {"fromColumns": ["snowflake_prod.SALES.PUBLIC.ORDERS.ORDER_ID"], "toColumn": "my_sigma.model.el-orders.Order Id"},
        {"fromColumns": ["snowflake_prod.SALES.PUBLIC.ORDERS.AMOUNT"], "toColumn": "my_sigma.model.el-orders.Amount"}])"));
    auto const* e = test_mapping::edge(rs.lineage, "my_sigma.model.el-orders", "my_sigma.model.el-chart");
    REQUIRE(e);
    CHECK(e->at("edge").at("lineageDetails").at("columnsLineage") == boost::json::parse(
        R"([{"fromColumns": ["my_sigma.model.el-orders.Amount"], "toColumn": "my_sigma.model.el-chart.Total"}])"));
    auto const* f = test_mapping::edge(rs.lineage, "my_sigma.model.dm-1", "my_sigma.model.el-chart");
    REQUIRE(f);
    CHECK(f->at("edge").at("lineageDetails").at("columnsLineage") == boost::json::parse(
        R"([{"fromColumns": ["my_sigma.model.dm-1.Region"], "toColumn": "my_sigma.model.el-chart.Region"}])"));
    // Each element's model feeds its chart.
    auto const* own = test_mapping::edge(rs.lineage, "my_sigma.model.el-chart", "my_sigma.el-chart");
    REQUIRE(own);
    CHECK(own->at("edge").at("toEntity").at("type") == "chart");
    CHECK_FALSE(test_mapping::edge(rs.lineage, "my_sigma.model.el-text", "my_sigma.el-text"));
}

TEST_CASE("mapping: a Sigma data model, its columns and its lineage") {
    auto m = test_mapping::make();
    auto rs = m.data_model(test_mapping::data_model());
    REQUIRE(rs.entities.size() == 1);
    auto const& body = rs.entities[0].body;
    CHECK(rs.entities[0].path == "/api/v1/dashboard/datamodels");
    CHECK(test_mapping::keys(body) == std::vector<std::string>{"columns", "dataModelType", "description", "displayName",
                                                               "name", "owners", "project", "service", "serviceType",
                                                               "sql", "tags"});
    CHECK(body.at("name") == "dm-1");
    CHECK(body.at("displayName") == "Customers");
    CHECK(body.at("sql") == "select * from CUSTOMERS"); // the one SQL element's
    // Columns of all its elements, each name once.
    auto const& cols = body.at("columns").as_array();
    REQUIRE(cols.size() == 3);
    CHECK(cols[0].at("name") == "Region");
    CHECK(cols[2].at("name") == "Segment");
    CHECK(rs.tags == std::vector<std::string>{"Certified"});
    REQUIRE(rs.lineage.size() == 1); // two elements on one table: one edge
    CHECK(test_mapping::edge(rs.lineage, "snowflake_prod.SALES.PUBLIC.CUSTOMERS", "my_sigma.model.dm-1"));
}

TEST_CASE("mapping: long column names are cut to OpenMetadata's limit, the full name kept") {
    namespace om = sigma::openmetadata;
    std::string long_name(300, 'x');
    std::string other = long_name + "-other";
    // "é" is two bytes, one UTF-16 unit: 200 of them are 200 units.
    std::string accented;
    for (int i = 0; i < 300; ++i) accented += "\xC3\xA9";
    std::vector<sigma::extract::column_info> in{
        {"1", long_name, std::nullopt}, {"2", other, std::nullopt}, {"3", accented, std::nullopt},
        {"4", "a::b", std::nullopt}, {"5", "short", std::nullopt}};
    std::map<std::string, std::string> names;
    auto cols = om::columns_for(in, 256, &names);
    REQUIRE(cols.size() == 5);
    CHECK(cols[0].name == std::string(256, 'x'));
    CHECK(cols[0].displayName == long_name);
    // Two names equal once cut are told apart.
    CHECK(cols[1].name.size() == 256);
    CHECK(cols[1].name.substr(254) == "~2");
    CHECK(cols[1].displayName == other);
    CHECK(cols[2].name.size() == 512); // 256 characters of two bytes, none split
    CHECK(cols[2].displayName == accented);
    CHECK(cols[3].name == "a:b"); // "::" is reserved in OpenMetadata names
    CHECK(cols[3].displayName == "a::b");
    CHECK(cols[4].name == "short");
    CHECK_FALSE(cols[4].displayName);
    CHECK(names.at(long_name) == cols[0].name);

    // The limit is an option (older servers: 128).
    auto old = om::columns_for(in, 128);
    CHECK(old[0].name.size() == 128);

    // Through the mapping: the lineage names the cut column.
    om::mapping_options o;
    o.elementDataModels = true;
    auto m = test_mapping::make(o);
    auto wb = test_mapping::workbook();
    wb.pages[0].elements[0].columns[1].name = long_name;
    wb.pages[0].elements[0].columnLineage[1].toColumn = long_name;
    auto rs = m.workbook(wb);
    auto const* dm = test_mapping::find(rs.entities, "/api/v1/dashboard/datamodels", "el-orders");
    CHECK(dm->at("columns").at(1).at("name").as_string() == std::string(256, 'x'));
    CHECK(dm->at("columns").at(1).at("displayName").as_string() == long_name);
    auto const* t = test_mapping::edge(rs.lineage, "snowflake_prod.SALES.PUBLIC.ORDERS", "my_sigma.model.el-orders");
    REQUIRE(t);
    CHECK(t->at("edge").at("lineageDetails").at("columnsLineage").at(1).at("toColumn").as_string() ==
          "my_sigma.model.el-orders." + std::string(256, 'x'));
}

TEST_CASE("mapping: dbServicePrefix names the lineage tables") {
    namespace om = sigma::openmetadata;
    om::mapping_options o;
    o.dbServicePrefix = "om_snowflake.*.CURATED";
    o.elementDataModels = true;
    auto m = test_mapping::make(o);
    auto rs = m.workbook(test_mapping::workbook());
    auto const* t = test_mapping::edge(rs.lineage, "om_snowflake.SALES.CURATED.ORDERS", "my_sigma.model.el-orders");
    REQUIRE(t);
    CHECK(t->at("edge").at("lineageDetails").at("columnsLineage").at(0).at("fromColumns").at(0) ==
          "om_snowflake.SALES.CURATED.ORDERS.ORDER_ID");
    CHECK(m.data_model(test_mapping::data_model()).lineage.at(0).body.at("edge").at("fromEntity").at(
              "fullyQualifiedName") == "om_snowflake.SALES.CURATED.CUSTOMERS");
}

TEST_CASE("mapping: the service record, with and without its connection") {
    namespace om = sigma::openmetadata;
    sigma::config c;
    c.hostPort = "https://aws-api.sigmacomputing.com";
    c.clientId = "client-1";
    c.clientSecret = sigma::secret("TOP-SECRET-VALUE");
    auto m = test_mapping::make();
    auto r = m.service(c);
    CHECK(r.path == "/api/v1/services/dashboardServices");
    std::string text = sigma::json::encode(r);
    CHECK(text.find("TOP-SECRET-VALUE") == std::string::npos);
    CHECK(r.body.at("name") == "my_sigma");
    CHECK(r.body.at("serviceType") == "Sigma");
    CHECK(r.body.at("connection").at("config").at("clientSecret") == "***");
    CHECK(r.body.at("connection").at("config").at("clientId") == "client-1");
    CHECK(r.body.at("connection").at("config").at("apiVersion") == "v2");

    om::mapping_options o;
    o.serviceConnection = false;
    CHECK_FALSE(test_mapping::make(o).service(c).body.as_object().contains("connection"));
    CHECK_FALSE(m.service().body.as_object().contains("connection"));
}

TEST_CASE("mapping: tags off and owners absent write no tags or owners") {
    namespace om = sigma::openmetadata;
    om::mapping_options o;
    o.tagClassification = "";
    auto m = test_mapping::make(o);
    auto wb = test_mapping::workbook();
    wb.ownerEmail.reset();
    auto rs = m.workbook(wb);
    auto const* d = test_mapping::find(rs.entities, "/api/v1/dashboards", "wb-1");
    CHECK_FALSE(d->as_object().contains("tags"));
    CHECK_FALSE(d->as_object().contains("owners"));
    CHECK(rs.tags.empty());
    auto t = m.tag("Endorsed");
    CHECK(t.path == "/api/v1/tags");
}
