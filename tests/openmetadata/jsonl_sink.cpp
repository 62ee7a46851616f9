#include <sigma/openmetadata/jsonl_sink.hpp>

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <set>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

namespace test_jsonl_sink {

namespace ex = sigma::extract;
namespace om = sigma::openmetadata;

inline om::mapping make(bool element_models = false) {
    om::mapping_options o;
    o.serviceName = "my_sigma";
    o.elementDataModels = element_models;
    return om::mapping::create(o).value();
}

inline ex::workbook_info workbook(std::string id, std::vector<std::string> tags, std::string dm) {
    ex::workbook_info wb;
    wb.workbook.workbookId = id;
    wb.workbook.name = "Workbook " + id;
    wb.workbook.url = "https://app.sigmacomputing.com/acme/workbook/" + id;
    wb.tags = std::move(tags);
    wb.dataModelIds = {dm};
    ex::element_info el;
    el.elementId = id + "-el";
    el.workbookId = id;
    el.name = "Table of " + id;
    el.type = "table";
    el.dataElement = true;
    el.url = wb.workbook.url + "?:nodeId=" + el.elementId;
    el.columns = {{"c1", "Amount", std::nullopt}};
    ex::lineage_source s;
    s.kind = ex::source_kind::table;
    s.id = "inode-T";
    s.table = ex::table_ref{"inode-T", {}, std::string("wh"), {}, {}, {"DB", "S", "T"}, "connection-path"};
    el.sources = {s};
    el.columnLineage = {{"inode-T", "AMOUNT", "Amount", ex::column_match::warehouse_id}};
    ex::page_info p;
    p.pageId = "p";
    p.name = "Page";
    p.elements = {el};
    wb.pages = {p};
    return wb;
}

inline ex::data_model_info data_model(std::string id) {
    ex::data_model_info dm;
    dm.dataModel.dataModelId = id;
    dm.dataModel.name = "Model " + id;
    ex::data_model_element_info e;
    e.elementId = id + "-e";
    e.columns = {{"c", "Region", std::nullopt}};
    ex::lineage_source s;
    s.kind = ex::source_kind::table;
    s.id = "inode-U";
    s.table = ex::table_ref{"inode-U", {}, std::string("wh"), {}, {}, {"DB", "S", "U"}, "connection-path"};
    e.sources = {s};
    dm.elements = {e};
    dm.tags = {"Endorsed"};
    return dm;
}

struct line {
    std::string path;
    std::string name; // body.name, or "from->to" for lineage
};

inline std::vector<line> parse_lines(std::string const& text) {
    std::vector<line> out;
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) {
        boost::system::error_code ec;
        auto v = boost::json::parse(l, ec);
        REQUIRE_MESSAGE(!ec, "not JSON: " << l);
        REQUIRE(v.is_object());
        CHECK(v.at("method") == "PUT");
        auto const& body = v.at("body").as_object();
        std::string path(v.at("path").as_string());
        if (path == "/api/v1/lineage")
            out.push_back({path, std::string(body.at("edge").at("fromEntity").at("fullyQualifiedName").as_string()) +
                                     "->" +
                                     std::string(body.at("edge").at("toEntity").at("fullyQualifiedName").as_string())});
        else
            out.push_back({path, std::string(body.at("name").as_string())});
    }
    return out;
}

inline std::string run(ex::inventory const& inv, bool element_models = false) {
    std::ostringstream os;
    om::jsonl_sink sink(os, make(element_models));
    for (auto dm : inv.dataModels) sink.on_data_model(std::move(dm));
    for (auto wb : inv.workbooks) sink.on_workbook(std::move(wb));
    sink.on_finish(inv.status);
    CHECK(sink.good());
    return os.str();
}

// A stream whose buffer refuses every byte (a full disk, a closed pipe).
struct refusing_buf : std::streambuf {
    int_type overflow(int_type) override { return traits_type::eof(); }
    std::streamsize xsputn(char const*, std::streamsize) override { return 0; }
};

} // namespace test_jsonl_sink

TEST_CASE("jsonl: one valid JSON request per line, in an order OpenMetadata accepts") {
    namespace t = test_jsonl_sink;
    sigma::extract::inventory inv;
    inv.dataModels = {t::data_model("dm-1")};
    inv.workbooks = {t::workbook("wb-1", {"Endorsed", "Q3"}, "dm-1"), t::workbook("wb-2", {"Q3", "Deprecated"}, "dm-1")};
    auto lines = t::parse_lines(t::run(inv));
    std::vector<std::pair<std::string, std::string>> got;
    for (auto const& l : lines) got.emplace_back(l.path, l.name);
    std::vector<std::pair<std::string, std::string>> want{
        {"/api/v1/services/dashboardServices", "my_sigma"},
        {"/api/v1/classifications", "SigmaTags"},
        {"/api/v1/tags", "Endorsed"},
        {"/api/v1/dashboard/datamodels", "dm-1"},
        {"/api/v1/tags", "Q3"},
        {"/api/v1/charts", "wb-1-el"},
        {"/api/v1/dashboards", "wb-1"},
        {"/api/v1/tags", "Deprecated"},
        {"/api/v1/charts", "wb-2-el"},
        {"/api/v1/dashboards", "wb-2"},
        {"/api/v1/lineage", "wh.DB.S.U->my_sigma.model.dm-1"},
        {"/api/v1/lineage", "wh.DB.S.T->my_sigma.wb-1-el"},
        {"/api/v1/lineage", "my_sigma.model.dm-1->my_sigma.wb-1"},
        {"/api/v1/lineage", "wh.DB.S.T->my_sigma.wb-2-el"},
        {"/api/v1/lineage", "my_sigma.model.dm-1->my_sigma.wb-2"},
    };
    CHECK(got == want);
    CHECK(t::run(inv) == t::run(inv)); // the same extraction, the same bytes
}

TEST_CASE("jsonl: every name a record refers to is written before it") {
    namespace t = test_jsonl_sink;
    sigma::extract::inventory inv;
    inv.dataModels = {t::data_model("dm-1"), t::data_model("dm-2")};
    inv.workbooks = {t::workbook("wb-1", {"A"}, "dm-2"), t::workbook("wb-2", {"B"}, "dm-1")};
    std::string text = t::run(inv, true);
    std::set<std::string> written; // FQNs of entities written so far
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) {
        auto v = boost::json::parse(l);
        std::string path(v.at("path").as_string());
        auto const& body = v.at("body");
        auto need = [&](boost::json::value const& fqn) {
            CAPTURE(l);
            CHECK(written.count(std::string(fqn.as_string())) == 1);
        };
        if (path == "/api/v1/dashboards") {
            for (auto const& c : body.at("charts").as_array()) need(c);
            for (auto const& d : body.at("dataModels").as_array()) need(d);
            for (auto const& tag : body.at("tags").as_array()) need(tag.at("tagFQN"));
        } else if (path == "/api/v1/lineage") {
            for (char const* end : {"fromEntity", "toEntity"})
                if (body.at("edge").at(end).at("type") != "table") need(body.at("edge").at(end).at("fullyQualifiedName"));
        }
        if (path == "/api/v1/dashboard/datamodels") written.insert("my_sigma.model." + std::string(body.at("name").as_string()));
        if (path == "/api/v1/charts" || path == "/api/v1/dashboards")
            written.insert("my_sigma." + std::string(body.at("name").as_string()));
        if (path == "/api/v1/tags") written.insert("SigmaTags." + std::string(body.at("name").as_string()));
    }
    CHECK(written.size() == 2 /*models*/ + 2 /*element models*/ + 2 /*charts*/ + 2 /*dashboards*/ + 3 /*tags*/);
}

TEST_CASE("jsonl: only lineage is buffered until the end, and the output is stable") {
    namespace t = test_jsonl_sink;
    std::ostringstream os;
    test_jsonl_sink::om::jsonl_sink sink(os, t::make());
    sink.on_data_model(t::data_model("dm-1"));
    auto after_model = os.str();
    CHECK(after_model.find("/api/v1/dashboard/datamodels") != std::string::npos);
    CHECK(sink.buffered_lineage() == 1);
    sink.on_workbook(t::workbook("wb-1", {}, "dm-1"));
    CHECK(os.str().find("\"/api/v1/dashboards\"") != std::string::npos); // written at once
    CHECK(os.str().find("/api/v1/lineage") == std::string::npos);
    CHECK(sink.buffered_lineage() == 3);
    sink.on_finish({});
    CHECK(sink.buffered_lineage() == 0);
    // service, classification, tag, model, chart, dashboard, then 3 lineage records
    CHECK(sink.records_written() == 9);
}

TEST_CASE("jsonl: an empty run still writes the service, and never the secret") {
    std::ostringstream os;
    sigma::config c;
    c.hostPort = "https://api.sigmacomputing.com";
    c.clientId = "client-1";
    c.clientSecret = sigma::secret("s3cr3t-never-written");
    sigma::openmetadata::jsonl_sink sink(os, test_jsonl_sink::make(), c);
    sink.on_finish({});
    std::string text = os.str();
    CHECK(text.find("s3cr3t-never-written") == std::string::npos);
    auto lines = test_jsonl_sink::parse_lines(text);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].path == "/api/v1/services/dashboardServices");
    CHECK(boost::json::parse(text).at("body").at("connection").at("config").at("clientSecret") == "***");
}

TEST_CASE("jsonl: a stream that fails is reported, not ignored") {
    test_jsonl_sink::refusing_buf buf;
    std::ostream os(&buf);
    sigma::openmetadata::jsonl_sink sink(os, test_jsonl_sink::make());
    sink.on_workbook(test_jsonl_sink::workbook("wb-1", {}, "dm-1"));
    sink.on_finish({});
    CHECK_FALSE(sink.good());
    CHECK(sink.first_failed_line() == 0u);
}

TEST_CASE("jsonl: a dashboard names only data models that were written") {
    namespace t = test_jsonl_sink;
    sigma::extract::inventory inv; // data models not extracted (includeDataModels off)
    inv.workbooks = {t::workbook("wb-1", {}, "dm-never-written")};
    std::string text = t::run(inv);
    CHECK(text.find("dm-never-written") == std::string::npos);
    for (auto const& l : t::parse_lines(text)) CHECK(l.path != "/api/v1/dashboard/datamodels");
    // The pure mapping, without that knowledge, names it.
    auto rs = t::make().workbook(t::workbook("wb-1", {}, "dm-x"));
    CHECK(sigma::json::encode(rs.entities.back()).find("my_sigma.model.dm-x") != std::string::npos);
}
