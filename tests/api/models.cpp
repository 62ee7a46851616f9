// Decoding the documented answers of the Sigma REST API into sigma::api models.
#include <sigma/api/models.hpp>
#include <sigma/api/endpoints.hpp>
#include <sigma/api/paging.hpp>
#include <sigma/json/decode.hpp>
#include <sigma/json/encode.hpp>

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace test_models {

template <class T>
T must_decode(std::string_view text) {
    auto r = sigma::json::decode<T>(text);
    if (!r.has_value()) FAIL("decode failed: " << r.error().message());
    return std::move(*r);
}

// decode(encode(x)) == x: the model loses nothing it keeps.
template <class T>
void check_round_trip(T const& x) {
    auto again = sigma::json::decode<T>(sigma::json::encode(x));
    REQUIRE_MESSAGE(again.has_value(), again.error().message());
    CHECK(*again == x);
}

// Every model ignores unknown keys and fails with a path when a required one is missing.
template <class T>
void check_rejects_strict_but_accepts_default(std::string_view text) {
    CHECK(sigma::json::decode<T>(text).has_value());
    auto strict = sigma::json::decode<T>(text, {.unknown_keys = sigma::json::reject});
    REQUIRE_FALSE(strict.has_value());
    CHECK(strict.error().code() == sigma::errc::json_unknown_key);
}

constexpr std::string_view workbook_json = R"({
  "workbookId": "4a3b1e9c-7f0e-4b8a-9c61-2f7e5d0a1b23",
  "workbookUrlId": "3fJkq0XyZa1bCdEfGhIjKl",
  "name": "Revenue overview",
  "url": "https://app.sigmacomputing.com/acme/workbook/Revenue-overview-3fJkq0XyZa1bCdEfGhIjKl",
  "path": "Finance/Reports",
  "latestVersion": 17,
  "ownerId": "Wq7yR2pLx9sT4vB8nM3kJ6hG1fD5a",
  "createdBy": "Wq7yR2pLx9sT4vB8nM3kJ6hG1fD5a",
  "updatedBy": "SigmaSchedulerRobot",
  "createdAt": "2024-04-15T13:44:51.477Z",
  "updatedAt": "2024-05-02T08:01:12.003Z",
  "isArchived": false,
  "description": "Monthly revenue by region",
  "tags": [{"versionTagId": "b2c0f3a4-1111-2222-3333-444455556666", "name": "Production",
            "sourceWorkbookVersion": 16, "taggedWorkbookId": "9d8c7b6a-0000-1111-2222-333344445555",
            "workbookTaggedAt": "2024-05-01T10:00:00.000Z"}],
  "someFieldAddedNextYear": {"nested": [1, 2, 3]}
})";

} // namespace test_models

TEST_CASE("models: workbook, with its version tags, ignoring unknown keys") {
    auto w = test_models::must_decode<sigma::api::workbook>(test_models::workbook_json);
    CHECK(w.workbookId == "4a3b1e9c-7f0e-4b8a-9c61-2f7e5d0a1b23");
    CHECK(w.workbookUrlId == "3fJkq0XyZa1bCdEfGhIjKl");
    CHECK(w.latestVersion == 17);
    CHECK(w.ownerId == "Wq7yR2pLx9sT4vB8nM3kJ6hG1fD5a");
    CHECK(w.updatedBy == "SigmaSchedulerRobot");
    CHECK(w.createdAt == "2024-04-15T13:44:51.477Z");
    CHECK(w.isArchived == false);
    CHECK(w.description == "Monthly revenue by region");
    REQUIRE(w.tags);
    REQUIRE(w.tags->size() == 1);
    CHECK((*w.tags)[0].name == "Production");
    CHECK((*w.tags)[0].sourceWorkbookVersion == 16);
    CHECK_FALSE(w.taggedSourceUrlId);
    test_models::check_round_trip(w);
    test_models::check_rejects_strict_but_accepts_default<sigma::api::workbook>(test_models::workbook_json);
}

TEST_CASE("models: workbook minimal, optional fields absent or null; integers typed `number` by the spec") {
    auto w = test_models::must_decode<sigma::api::workbook>(R"({
      "workbookId": "w", "workbookUrlId": "u", "name": "n", "url": "https://x", "path": "My Documents",
      "latestVersion": 3.0, "ownerId": "o", "createdBy": "c", "updatedBy": "c",
      "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-01T00:00:00.000Z",
      "description": null})");
    CHECK(w.latestVersion == 3);
    CHECK_FALSE(w.isArchived);
    CHECK_FALSE(w.description);
    CHECK_FALSE(w.tags);

    auto fractional = sigma::json::decode<sigma::api::workbook>(R"({
      "workbookId": "w", "workbookUrlId": "u", "name": "n", "url": "https://x", "path": "p",
      "latestVersion": 3.5, "ownerId": "o", "createdBy": "c", "updatedBy": "c",
      "createdAt": "t", "updatedAt": "t"})");
    REQUIRE_FALSE(fractional.has_value());
    CHECK(fractional.error().json_pointer() == "/latestVersion");

    auto missing = sigma::json::decode<sigma::api::workbook>(R"({"workbookId": "w"})");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code() == sigma::errc::json_missing_key);
    CHECK(missing.error().json_pointer() == "/workbookUrlId");
}

TEST_CASE("models: paging style A, nextPage opaque or null, hasMore kept raw") {
    using page = sigma::api::page_a<sigma::api::workbook_page>;
    auto p = test_models::must_decode<page>(R"({
      "entries": [{"pageId": "aB3dE", "name": "Summary"}, {"pageId": "xY9", "hidden": true}],
      "nextPage": "50", "total": 120, "hasMore": "true"})");
    REQUIRE(p.entries.size() == 2);
    CHECK(p.entries[0].pageId == "aB3dE");
    CHECK(p.entries[0].name == "Summary");
    CHECK_FALSE(p.entries[0].hidden);
    CHECK_FALSE(p.entries[1].name);
    CHECK(p.entries[1].hidden == true);
    CHECK(p.nextPage == "50");
    CHECK(p.total == 120);
    REQUIRE(p.hasMore);
    CHECK(*p.hasMore == boost::json::value("true"));
    test_models::check_round_trip(p);

    auto last = test_models::must_decode<page>(R"({"entries": [], "nextPage": null, "hasMore": false})");
    CHECK(last.entries.empty());
    CHECK_FALSE(last.nextPage);
    CHECK_FALSE(last.total);
    CHECK(*last.hasMore == boost::json::value(false));

    auto opaque = test_models::must_decode<page>(R"({"entries": [], "nextPage": "eyJvZmZzZXQiOjUwfQ=="})");
    CHECK(opaque.nextPage == "eyJvZmZzZXQiOjUwfQ==");

    auto bad = sigma::json::decode<page>(R"({"entries": [{"pageId": "a"}, {"pageId": 7}], "nextPage": null})");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message() == "/entries/1/pageId: expected string, got number");
}

TEST_CASE("models: paging style B, nextPageToken absent on the last page") {
    using page = sigma::api::page_b<sigma::api::data_model_source>;
    auto p = test_models::must_decode<page>(
        R"({"entries": [{"type": "table", "tableId": "t1"}], "nextPageToken": "tok-2"})");
    CHECK(p.nextPageToken == "tok-2");
    REQUIRE(p.entries.size() == 1);
    CHECK(std::get<sigma::api::data_model_source_table>(p.entries[0]).tableId == "t1");
    auto last = test_models::must_decode<page>(R"({"entries": []})");
    CHECK_FALSE(last.nextPageToken);
    test_models::check_round_trip(p);
}

TEST_CASE("models: token answer holds its tokens as secrets") {
    auto t = test_models::must_decode<sigma::api::token_response>(
        R"({"access_token": "eyJhbGciOiJSUzI1NiJ9.access-value", "refresh_token": "refresh-value-123",
            "token_type": "bearer", "expires_in": 3599})");
    CHECK(t.access_token.reveal() == "eyJhbGciOiJSUzI1NiJ9.access-value");
    REQUIRE(t.refresh_token);
    CHECK(t.refresh_token->reveal() == "refresh-value-123");
    CHECK(t.token_type == "bearer");
    CHECK(t.expires_in == 3599);

    std::string encoded = sigma::json::encode(t);
    CHECK(encoded.find("access-value") == std::string::npos);
    CHECK(encoded.find("refresh-value-123") == std::string::npos);
    CHECK(encoded == R"({"access_token":"***","refresh_token":"***","token_type":"bearer","expires_in":3599})");

    auto no_refresh = test_models::must_decode<sigma::api::token_response>(
        R"({"access_token": "a", "token_type": "bearer", "expires_in": 3600})");
    CHECK_FALSE(no_refresh.refresh_token);

    // A wrong type is reported by kind and path only, never with the value.
    auto bad = sigma::json::decode<sigma::api::token_response>(
        R"({"access_token": ["hunter2-secret"], "token_type": "bearer", "expires_in": 1})");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message() == "/access_token: expected string, got array");
    CHECK(std::string(bad.error().what()).find("hunter2") == std::string::npos);
}

TEST_CASE("models: secret never prints") {
    sigma::secret s("s3cr3t-value");
    CHECK(s.reveal() == "s3cr3t-value");
    CHECK_FALSE(s.empty());
    CHECK(sigma::secret().empty());
    CHECK(sigma::secret("") == sigma::secret());

    std::ostringstream os;
    os << s << ' ' << sigma::secret("other");
    CHECK(os.str() == "*** ***");
    CHECK(to_string(s) == "***");
    CHECK(sigma::json::encode(s) == R"("***")");
    CHECK(sigma::json::encode(std::optional<sigma::secret>(s)) == R"("***")");

    CHECK(s == sigma::secret(std::string("s3cr3t-value")));
    CHECK_FALSE(s == sigma::secret("s3cr3t-valuE"));
    CHECK_FALSE(s == sigma::secret("s3cr3t"));
    CHECK(s != sigma::secret("x"));

    auto d = sigma::json::decode<sigma::secret>(R"("from-json")");
    REQUIRE(d.has_value());
    CHECK(d->reveal() == "from-json");
    auto wrong = sigma::json::decode<sigma::secret>("42");
    REQUIRE_FALSE(wrong.has_value());
    CHECK(wrong.error().code() == sigma::errc::json_invalid);
    CHECK(wrong.error().message().find("42") == std::string::npos);

    static_assert(!std::is_convertible_v<sigma::secret, std::string>);
    static_assert(!std::is_convertible_v<sigma::secret, std::string_view>);
    static_assert(!std::is_convertible_v<std::string, sigma::secret>, "a secret is made on purpose");
}

TEST_CASE("models: whoami") {
    auto w = test_models::must_decode<sigma::api::whoami>(
        R"({"userId": "Wq7yR2pLx9sT4vB8nM3kJ6hG1fD5a", "organizationId": "0b1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff"})");
    CHECK(w.userId == "Wq7yR2pLx9sT4vB8nM3kJ6hG1fD5a");
    CHECK(w.organizationId == "0b1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff");
    test_models::check_round_trip(w);
}

TEST_CASE("models: elements keep the vizualizationType spelling; layout elements are nameless") {
    using page = sigma::api::page_a<sigma::api::workbook_element>;
    auto p = test_models::must_decode<page>(R"({"entries": [
        {"elementId": "eL1", "name": "Revenue by month", "type": "visualization",
         "columns": ["Month of Date", "Sum of Revenue"], "vizualizationType": "bar"},
        {"elementId": "eL2", "type": "text"},
        {"elementId": "eL3", "name": "Orders", "type": "table", "vizualizationType": "levelTable",
         "error": "Column not found"}],
      "nextPage": null, "total": 3})");
    REQUIRE(p.entries.size() == 3);
    CHECK(p.entries[0].vizualizationType == "bar");
    REQUIRE(p.entries[0].columns);
    CHECK(p.entries[0].columns->at(1) == "Sum of Revenue");
    CHECK_FALSE(p.entries[1].name);
    CHECK(p.entries[1].type == "text");
    CHECK(p.entries[2].error == "Column not found");
    test_models::check_round_trip(p);
    // The spec's correct spelling is not Sigma's: it is an unknown key, not the field.
    auto other = test_models::must_decode<sigma::api::workbook_element>(
        R"({"elementId": "e", "visualizationType": "bar"})");
    CHECK_FALSE(other.vizualizationType);
    static_assert(std::is_same_v<sigma::api::data_model_element, sigma::api::workbook_element>);
}

TEST_CASE("models: element lineage graph, every node type spelling") {
    auto g = test_models::must_decode<sigma::api::element_lineage>(R"({
      "dependencies": {
        "eL1": {"nodeId": "eL1", "type": "sheet", "name": "Revenue by month", "elementId": "eL1"},
        "j1": {"nodeId": "j1", "type": "join"},
        "u1": {"nodeId": "u1", "type": "union"},
        "inode-AbC": {"nodeId": "inode-AbC", "type": "table", "name": "ORDERS"},
        "inode-DeF": {"nodeId": "inode-DeF", "type": "dataset", "name": "Orders dataset"},
        "dmU/xyz": {"nodeId": "dmU/xyz", "type": "data-model", "name": "Sales model"},
        "ds": {"nodeId": "ds", "type": "datasheet", "name": "d"},
        "df": {"nodeId": "df", "type": "datafile", "name": "upload.csv"},
        "sv": {"nodeId": "sv", "type": "semantic-view", "name": "v", "semanticViewTable": "T"},
        "sql": {"nodeId": "sql", "type": "customSQL", "name": "Custom SQL"},
        "new": {"nodeId": "new", "type": "hologram", "name": "from the future"}
      },
      "edges": [
        {"source": "inode-AbC", "target": "j1", "type": "source"},
        {"source": "dmU/other", "target": "j1", "type": "lookup"},
        {"source": "j1", "target": "eL1", "type": "dependency"},
        {"source": "u1", "target": "eL1", "type": "brand-new-edge"}
      ]})");
    using nt = sigma::api::lineage_node_type;
    using et = sigma::api::lineage_edge_type;
    auto type_of = [&](std::string const& id) { return g.dependencies.at(id).type; };
    CHECK(type_of("eL1") == nt::sheet);
    CHECK(g.dependencies.at("eL1").elementId == "eL1");
    CHECK(type_of("j1") == nt::join);
    CHECK_FALSE(g.dependencies.at("j1").name);
    CHECK(type_of("u1") == nt::union_);
    CHECK(type_of("inode-AbC") == nt::table);
    CHECK(type_of("inode-DeF") == nt::dataset);
    CHECK(type_of("dmU/xyz") == nt::data_model);
    CHECK(type_of("ds") == nt::datasheet);
    CHECK(type_of("df") == nt::datafile);
    CHECK(type_of("sv") == nt::semantic_view);
    CHECK(g.dependencies.at("sv").semanticViewTable == "T");
    CHECK(type_of("sql") == nt::customSQL);
    CHECK(type_of("new") == nt::unknown);
    REQUIRE(g.edges.size() == 4);
    CHECK(g.edges[0].type == et::source);
    CHECK(g.edges[1].type == et::lookup);
    CHECK(g.edges[2].type == et::dependency);
    CHECK(g.edges[3].type == et::unknown);
    CHECK(g.edges[1].source == "dmU/other"); // only in edges, not a dependency

    // The kebab-case spellings are written back as read.
    auto v = sigma::json::encode_value(g);
    auto const& deps = v.at("dependencies");
    CHECK(deps.at("u1").at("type") == "union");
    CHECK(deps.at("dmU/xyz").at("type") == "data-model");
    CHECK(deps.at("sv").at("type") == "semantic-view");
    CHECK(deps.at("sql").at("type") == "customSQL");

    auto bad = sigma::json::decode<sigma::api::element_lineage>(
        R"({"dependencies": {"a/b": {"nodeId": "a/b", "type": 3}}, "edges": []})");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().json_pointer() == "/dependencies/a~1b/type");
}

namespace test_models {
constexpr std::string_view lineage_page_json = R"({"entries": [
    {"type": "element", "elementId": "eL1", "sourceIds": ["eL0", "inode-AbC"], "dataSourceIds": ["inode-AbC"]},
    {"type": "element", "elementId": "eL0", "sourceIds": null, "dataSourceIds": null},
    {"type": "table", "inodeId": "inode-AbC", "connectionId": "c0ffee00-1111-2222-3333-444455556666", "name": "ORDERS"},
    {"type": "dataset", "inodeId": "inode-DeF", "connectionId": null, "name": null},
    {"type": "data-model", "dataModelId": "dm-1", "name": "Sales"},
    {"type": "dataModel", "dataModelId": "dm-2"},
    {"type": "customSQL", "definition": "select 1", "connectionId": "c1"},
    {"type": "customSql", "definition": "select 2", "connectionId": null},
    {"type": "csv-upload", "csvId": "csv-1", "name": "upload.csv", "connectionId": null},
    {"type": "worksheet", "worksheetId": "ws"}
  ], "nextPage": null, "total": 10})";
} // namespace test_models

TEST_CASE("models: workbook and data-model lineage entries, tagged by type, every spelling") {
    using namespace sigma::api; // NOLINT: local to this test
    auto p = test_models::must_decode<page_a<workbook_lineage_entry>>(test_models::lineage_page_json);
    REQUIRE(p.entries.size() == 10);
    auto const& e0 = std::get<lineage_element_entry>(p.entries[0]);
    CHECK(e0.elementId == "eL1");
    REQUIRE(e0.sourceIds);
    CHECK(e0.sourceIds->size() == 2);
    CHECK(e0.dataSourceIds->at(0) == "inode-AbC");
    CHECK_FALSE(std::get<lineage_element_entry>(p.entries[1]).sourceIds);
    auto const& t = std::get<lineage_table_entry>(p.entries[2]);
    CHECK(t.inodeId == "inode-AbC");
    CHECK(t.name == "ORDERS");
    CHECK_FALSE(std::get<lineage_dataset_entry>(p.entries[3]).connectionId);
    CHECK(std::get<lineage_data_model_entry>(p.entries[4]).dataModelId == "dm-1");
    CHECK(std::get<lineage_data_model_entry>(p.entries[5]).dataModelId == "dm-2");
    CHECK(std::get<lineage_custom_sql_entry>(p.entries[6]).definition == "select 1");
    CHECK(std::get<lineage_custom_sql_entry>(p.entries[7]).definition == "select 2");
    auto const& other = std::get<lineage_other_entry>(p.entries[8]);
    CHECK(other.type == "csv-upload");
    CHECK(other.name == "upload.csv");
    CHECK(std::get<lineage_other_entry>(p.entries[9]).type == "worksheet");

    // Re-encoding writes the first spelling of each tag and keeps a fallback's own.
    auto v = sigma::json::encode_value(p);
    auto const& entries = v.at("entries").as_array();
    CHECK(entries[5].at("type") == "data-model");
    CHECK(entries[7].at("type") == "customSQL");
    CHECK(entries[8].at("type") == "csv-upload");

    // Data-model lineage has the same shape.
    auto dm = test_models::must_decode<page_a<data_model_lineage_entry>>(test_models::lineage_page_json);
    CHECK(dm == p);

    auto untagged = sigma::json::decode<page_a<workbook_lineage_entry>>(R"({"entries": [{"elementId": "e"}]})");
    REQUIRE_FALSE(untagged.has_value());
    CHECK(untagged.error().code() == sigma::errc::json_discriminator);
    CHECK(untagged.error().json_pointer() == "/entries/0/type");
}

TEST_CASE("models: workbook sources, a bare array tagged by type, every spelling") {
    using namespace sigma::api; // NOLINT: local to this test
    auto s = test_models::must_decode<std::vector<workbook_source>>(R"([
      {"type": "data-model", "dataModelId": "dm-1", "elementIds": ["a", "b"], "versionTagId": "vt"},
      {"type": "dataModel", "dataModelId": "dm-2", "elementIds": []},
      {"type": "dataset", "inodeId": "inode-1", "url": "https://app.sigmacomputing.com/acme/dataset/x"},
      {"type": "table", "inodeId": "inode-2"},
      {"type": "custom-sql", "connectionId": "c1", "definition": "select 1", "customSqlId": "cs1"},
      {"type": "customSQL", "connectionId": "c2", "definition": "select 2"},
      {"type": "customSql", "connectionId": "c3", "definition": "select 3"},
      {"type": "semantic-view", "semanticViewId": "sv"}
    ])");
    REQUIRE(s.size() == 8);
    CHECK(std::get<source_data_model>(s[0]).elementIds.size() == 2);
    CHECK(std::get<source_data_model>(s[0]).versionTagId == "vt");
    CHECK(std::get<source_data_model>(s[1]).dataModelId == "dm-2");
    CHECK(std::get<workbook_source_dataset>(s[2]).url == "https://app.sigmacomputing.com/acme/dataset/x");
    CHECK(std::get<workbook_source_table>(s[3]).inodeId == "inode-2");
    CHECK(std::get<source_custom_sql>(s[4]).customSqlId == "cs1");
    CHECK(std::get<source_custom_sql>(s[5]).connectionId == "c2");
    CHECK(std::get<source_custom_sql>(s[6]).definition == "select 3");
    CHECK(std::get<source_other>(s[7]).type == "semantic-view");
    test_models::check_round_trip(s);

    auto dm = test_models::must_decode<page_b<data_model_source>>(R"({"entries": [
      {"type": "data-model", "dataModelId": "dm", "elementIds": ["e"]},
      {"type": "dataset", "datasetId": "ds"},
      {"type": "table", "tableId": "tb"},
      {"type": "custom-sql", "connectionId": "c", "definition": "select 1", "customSqlId": "x"}]})");
    CHECK(std::get<data_model_source_dataset>(dm.entries[1]).datasetId == "ds");
    CHECK(std::get<data_model_source_table>(dm.entries[2]).tableId == "tb");
    CHECK(std::get<source_custom_sql>(dm.entries[3]).customSqlId == "x");
}

TEST_CASE("models: element query and workbook queries") {
    auto q = test_models::must_decode<sigma::api::element_query>(
        R"({"elementId": "eL1", "name": "Revenue", "sql": "select \"REVENUE\" from \"DB\".\"S\".\"ORDERS\""})");
    CHECK(q.sql == R"(select "REVENUE" from "DB"."S"."ORDERS")");
    CHECK_FALSE(q.error);
    auto page = test_models::must_decode<sigma::api::page_a<sigma::api::workbook_query>>(
        R"({"entries": [{"elementId": "a", "error": "cannot compile"}, {"elementId": "b"}], "nextPage": "b3BhcXVl"})");
    CHECK(page.entries[0].error == "cannot compile");
    CHECK_FALSE(page.entries[1].sql);
    CHECK(page.nextPage == "b3BhcXVl");
    test_models::check_round_trip(page);
}

TEST_CASE("models: columns, named by name or label, type kept raw") {
    using page = sigma::api::page_a<sigma::api::workbook_column>;
    auto p = test_models::must_decode<page>(R"json({"entries": [
      {"columnId": "inode-AbC/REVENUE", "name": "Revenue", "formula": "[ORDERS/Revenue]", "elementId": "eL1",
       "type": {"type": "number", "format": {"kind": "currency"}}},
      {"columnId": "c2", "label": "Month of Date", "formula": "DateTrunc(\"month\", [Date])", "elementId": "eL1",
       "type": {"type": "datetime"}}],
      "nextPage": null})json");
    CHECK(p.entries[0].display_name() == "Revenue");
    CHECK(p.entries[1].display_name() == "Month of Date");
    CHECK_FALSE(p.entries[1].name);
    CHECK(p.entries[0].type.at("format").at("kind") == "currency");
    test_models::check_round_trip(p);
    static_assert(std::is_same_v<sigma::api::data_model_column, sigma::api::workbook_column>);

    auto ec = test_models::must_decode<sigma::api::element_column>(
        R"({"columnId": "c", "label": "Region", "formula": "[ORDERS/Region]", "type": {"type": "text"}})");
    CHECK(ec.label == "Region");
    CHECK(ec.type.at("type") == "text");

    auto no_type = sigma::json::decode<sigma::api::workbook_column>(
        R"({"columnId": "c", "name": "n", "formula": "f", "elementId": "e"})");
    REQUIRE_FALSE(no_type.has_value());
    CHECK(no_type.error().json_pointer() == "/type");
}

TEST_CASE("models: files, both data-model spellings, unknown types and permissions kept as unknown") {
    using namespace sigma::api; // NOLINT: local to this test
    auto p = test_models::must_decode<page_a<file>>(R"({"entries": [
      {"id": "0f1e2d3c-aaaa-bbbb-cccc-000000000001", "urlId": "6kM2pQ8rT1vX4zB7dF0hJ3", "name": "Revenue overview",
       "type": "workbook", "parentId": "p1", "parentUrlId": "pu1", "path": "Workspaces/Finance",
       "badge": "Endorsed", "permission": "edit", "isArchived": false, "ownerId": "owner1",
       "createdBy": "c", "updatedBy": "u", "createdAt": "2024-04-15T13:44:51.477Z", "updatedAt": "2024-04-15T13:44:51.477Z"},
      {"id": "2", "urlId": "u2", "name": "Sales", "type": "data-model", "parentId": "p", "parentUrlId": "pu",
       "path": "My Documents", "badge": null, "permission": "view", "isArchived": true, "ownerId": null,
       "createdBy": "c", "updatedBy": "u", "createdAt": "t", "updatedAt": "t"},
      {"id": "3", "urlId": "u3", "name": "Old", "type": "dataModel", "parentId": "p", "parentUrlId": "pu",
       "path": "p", "badge": "Deprecated", "permission": "share-with-everyone", "isArchived": false,
       "createdBy": "c", "updatedBy": "u", "createdAt": "t", "updatedAt": "t"},
      {"id": "4", "urlId": "u4", "name": "ORDERS", "type": "a-new-kind", "parentId": "p", "parentUrlId": "pu",
       "path": "Connection Root/DB/SCHEMA", "badge": null, "permission": "view", "isArchived": false,
       "createdBy": "c", "updatedBy": "u", "createdAt": "t", "updatedAt": "t"},
      {"id": "5", "urlId": "u5", "name": "T", "type": "template", "parentId": "p", "parentUrlId": "pu",
       "path": "p", "badge": null, "permission": "organize", "isArchived": false,
       "createdBy": "c", "updatedBy": "u", "createdAt": "t", "updatedAt": "t"}],
      "nextPage": null, "total": 5, "hasMore": false})");
    REQUIRE(p.entries.size() == 5);
    CHECK(p.entries[0].type == file_type::workbook);
    CHECK(p.entries[0].permission == file_permission::edit);
    CHECK(p.entries[0].badge == "Endorsed");
    CHECK(p.entries[0].ownerId == "owner1");
    CHECK(p.entries[1].type == file_type::data_model);
    CHECK(is_data_model(p.entries[1].type));
    CHECK_FALSE(p.entries[1].badge);
    CHECK_FALSE(p.entries[1].ownerId);
    CHECK(p.entries[2].type == file_type::dataModel);
    CHECK(is_data_model(p.entries[2].type));
    CHECK(p.entries[2].permission == file_permission::unknown);
    CHECK(p.entries[3].type == file_type::unknown);
    CHECK(p.entries[3].path == "Connection Root/DB/SCHEMA");
    CHECK(p.entries[4].type == file_type::template_);
    CHECK_FALSE(is_data_model(p.entries[4].type));
    // Each spelling is written back as read.
    auto v = sigma::json::encode_value(p);
    CHECK(v.at("entries").at(1).at("type") == "data-model");
    CHECK(v.at("entries").at(2).at("type") == "dataModel");
    CHECK(v.at("entries").at(4).at("type") == "template");
}

TEST_CASE("models: members and workspaces") {
    auto m = test_models::must_decode<sigma::api::page_a<sigma::api::member>>(R"({"entries": [
      {"organizationId": "org", "memberId": "Wq7yR2pLx9sT4vB8nM3kJ6hG1fD5a", "memberType": "admin",
       "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "profileImgUrl": null,
       "createdBy": "c", "updatedBy": "u", "createdAt": "t", "updatedAt": "t", "homeFolderId": "h",
       "userKind": "internal", "isArchived": false, "isInactive": false}],
      "nextPage": null, "total": 1})");
    REQUIRE(m.entries.size() == 1);
    CHECK(m.entries[0].email == "ada@example.com");
    CHECK(m.entries[0].memberType == "admin");
    CHECK_FALSE(m.entries[0].profileImgUrl);
    CHECK(m.entries[0].isInactive == false);
    test_models::check_round_trip(m);

    // GET /v2/members without `limit`: a bare array of the same entries.
    auto bare = test_models::must_decode<std::vector<sigma::api::member>>(
        R"([{"organizationId": "org", "memberId": "m2", "memberType": "viewer", "firstName": "", "lastName": "",
             "email": "bot@example.com", "createdBy": "c", "updatedBy": "u", "createdAt": "t", "updatedAt": "t",
             "homeFolderId": "h", "userKind": "embed"}])");
    CHECK(bare[0].userKind == "embed");
    CHECK_FALSE(bare[0].isArchived);

    auto w = test_models::must_decode<sigma::api::workspace>(
        R"({"workspaceId": "ws-1", "name": "Finance", "createdBy": "c", "updatedBy": "u",
            "createdAt": "t", "updatedAt": "t"})");
    CHECK(w.name == "Finance");
    CHECK_FALSE(w.workspaceUrlId);
    auto w2 = test_models::must_decode<sigma::api::workspace>(
        R"({"workspaceId": "ws-2", "workspaceUrlId": "3xYz", "name": "Ops", "createdBy": "c", "updatedBy": "u",
            "createdAt": "t", "updatedAt": "t"})");
    CHECK(w2.workspaceUrlId == "3xYz");
    test_models::check_round_trip(w2);
}

TEST_CASE("models: data models, their tags, elements, columns") {
    auto d = test_models::must_decode<sigma::api::data_model>(R"({
      "dataModelId": "dm-uuid", "dataModelUrlId": "dmUrl", "name": "Sales model",
      "url": "https://app.sigmacomputing.com/acme/data-model/x", "path": "Workspaces/Sales",
      "latestVersion": 4, "ownerId": "o", "createdBy": "c", "updatedBy": "u", "createdAt": "t", "updatedAt": "t",
      "description": "Orders joined with customers", "isArchived": false,
      "tags": [{"versionTagId": "vt", "tagName": "Production", "sourceVersion": 3, "taggedAt": "t"}]})");
    CHECK(d.latestVersion == 4);
    CHECK(d.description == "Orders joined with customers");
    REQUIRE(d.tags);
    CHECK(d.tags->at(0).tagName == "Production");
    CHECK(d.tags->at(0).sourceVersion == 3);
    test_models::check_round_trip(d);
}

TEST_CASE("models: connections keep their type as a string; connection paths") {
    auto c = test_models::must_decode<sigma::api::connection>(R"({
      "organizationId": "org", "connectionId": "c0ffee00-1111-2222-3333-444455556666", "isSample": false,
      "isAuditLog": false, "lastActiveAt": "t", "name": "Snowflake prod", "type": "snowflake", "useOauth": false,
      "createdBy": "c", "updatedBy": "u", "createdAt": "t", "updatedAt": "t",
      "account": "acme-xy12345", "warehouse": "COMPUTE_WH", "host": "", "role": "",
      "timeout": {"default": 120}})");
    CHECK(c.type == "snowflake");
    CHECK(c.account == "acme-xy12345");
    CHECK(c.host == ""); // empty strings stand for missing values
    CHECK_FALSE(c.user);
    auto pg = test_models::must_decode<sigma::api::connection>(R"({
      "organizationId": "org", "connectionId": "c2", "isSample": false, "isAuditLog": false, "lastActiveAt": "t",
      "name": "Postgres", "type": "a-warehouse-from-2030", "useOauth": true, "createdBy": "c", "updatedBy": "u",
      "createdAt": "t", "updatedAt": "t", "host": "db.example.com", "isArchived": true})");
    CHECK(pg.type == "a-warehouse-from-2030");
    CHECK(pg.host == "db.example.com");
    test_models::check_round_trip(pg);

    auto path = test_models::must_decode<sigma::api::connection_path>(
        R"({"connectionId": "c0ffee00", "path": ["ANALYTICS", "PUBLIC", "ORDERS"]})");
    CHECK(path.path == std::vector<std::string>{"ANALYTICS", "PUBLIC", "ORDERS"});
    CHECK_FALSE(path.urlId);
    auto paths = test_models::must_decode<sigma::api::page_a<sigma::api::connection_path>>(
        R"({"entries": [{"connectionId": "c", "urlId": "AbC", "path": ["DB", "S", "T"]}], "nextPage": null,
            "total": 1000, "hasMore": false})");
    CHECK(paths.entries[0].urlId == "AbC");
}

TEST_CASE("models: version tags") {
    auto p = test_models::must_decode<sigma::api::page_a<sigma::api::version_tag>>(R"({"entries": [
      {"versionTagId": "vt", "name": "Production", "ownerId": "o", "createdBy": "c", "updatedBy": "u",
       "createdAt": "t", "updatedAt": "t", "color": "grass", "description": "live"}], "nextPage": null})");
    CHECK(p.entries[0].name == "Production");
    CHECK(p.entries[0].color == "grass");
    CHECK_FALSE(p.entries[0].isArchived);
    test_models::check_round_trip(p);
}

TEST_CASE("models: error bodies, flat, nested, both, and not JSON") {
    using sigma::api::parse_error_body;
    auto flat = parse_error_body(
        R"({"requestId":"req-123","message":"Token missing or malformed","code":"unauthorized"})");
    REQUIRE(flat);
    CHECK(flat->code == "unauthorized");
    CHECK(flat->message == "Token missing or malformed");
    CHECK(flat->requestId == "req-123");

    auto nested = parse_error_body(R"({"error": {"code": "not_found", "message": "Workbook not found",
                                                "requestId": "req-9"}})");
    REQUIRE(nested);
    CHECK(nested->code == "not_found");
    CHECK(nested->requestId == "req-9");

    auto both = parse_error_body(R"({"requestId": "outer", "error": {"code": "conflict", "message": "m"}})");
    REQUIRE(both);
    CHECK(both->code == "conflict");
    CHECK(both->requestId == "outer");

    auto model = test_models::must_decode<sigma::api::error_body>(R"({"error": {"code": "x"}, "code": "y"})");
    CHECK(model.code == "y");
    REQUIRE(model.error);
    CHECK(model.error->code == "x");
    CHECK(sigma::api::flatten(model).code == "x");

    auto oauth_like = parse_error_body(R"({"error": "invalid_client", "message": "bad credentials"})");
    REQUIRE(oauth_like);
    CHECK(oauth_like->message == "bad credentials");

    CHECK_FALSE(parse_error_body("<html><body>error code: 1015</body></html>"));
    CHECK_FALSE(parse_error_body(""));
    CHECK_FALSE(parse_error_body("{}"));
    CHECK_FALSE(parse_error_body("[1,2]"));
    CHECK_FALSE(parse_error_body(R"({"error": 5})"));
}

namespace test_models {

struct page_id_only {
    std::string pageId;
};
BOOST_DESCRIBE_STRUCT(page_id_only, (), (pageId))

// The same request, decoded into a type that leaves `name` and `hidden` out:
// once on purpose (partial_entries), once not.
struct list_page_ids : sigma::api::endpoint<"/workbooks/{workbookId}/pages", page_id_only, sigma::api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_page_ids, (), (workbookId))

struct list_page_ids_strict
    : sigma::api::endpoint<"/workbooks/{workbookId}/pages", page_id_only, sigma::api::paging::a> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_page_ids_strict, (), (workbookId))

} // namespace test_models

TEST_CASE("models: an endpoint with partial entries skips the keys its type leaves out, even under reject") {
    using namespace test_models;
    static_assert(sigma::api::partial_entries<list_page_ids>);
    static_assert(!sigma::api::partial_entries<list_page_ids_strict>);
    static_assert(!sigma::api::partial_entries<sigma::api::list_workbook_pages>);
    std::string_view const body =
        R"({"entries": [{"pageId": "p1", "name": "Summary", "hidden": true}, {"pageId": "p2"}], "nextPage": "2"})";
    sigma::json::decode_options const reject{.unknown_keys = sigma::json::reject};
    for (bool dom : {false, true}) {
        CAPTURE(dom);
        auto p = dom ? sigma::api::decode_page_dom<list_page_ids>(body, reject)
                     : sigma::api::decode_page<list_page_ids>(body, reject);
        REQUIRE_MESSAGE(p.has_value(), p.error().message());
        REQUIRE(p->entries.size() == 2);
        CHECK(p->entries[0].pageId == "p1");
        CHECK(p->entries[1].pageId == "p2");
        CHECK(p->next == "2");
        // Still typed: a described key of the wrong type is an error.
        auto bad = dom ? sigma::api::decode_page_dom<list_page_ids>(R"({"entries": [{"pageId": 1}]})", reject)
                       : sigma::api::decode_page<list_page_ids>(R"({"entries": [{"pageId": 1}]})", reject);
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().message() == "/entries/0/pageId: expected string, got number");

        auto strict = dom ? sigma::api::decode_page_dom<list_page_ids_strict>(body, reject)
                          : sigma::api::decode_page<list_page_ids_strict>(body, reject);
        REQUIRE_FALSE(strict.has_value());
        CHECK(strict.error().message() == "/entries/0/name: unknown key");
    }
}
