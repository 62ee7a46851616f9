#include <sigma/extract/lineage_walk.hpp>
#include <sigma/json/decode.hpp>

#include <doctest/doctest.h>

TEST_CASE("lineage walk: through joins and unions to tables, data models and other elements") {
    // el-1 <- join <- (table A, union <- (table B, data model node named only by an edge)), el-2 (another element)
    auto g = sigma::json::decode_or_throw<sigma::api::element_lineage>(R"({
      "dependencies": {
        "n-sheet": {"nodeId": "n-sheet", "type": "sheet", "elementId": "el-1", "name": "Revenue"},
        "n-join":  {"nodeId": "n-join", "type": "join"},
        "inode-A": {"nodeId": "inode-A", "type": "table", "name": "ORDERS"},
        "n-union": {"nodeId": "n-union", "type": "union"},
        "inode-B": {"nodeId": "inode-B", "type": "table", "name": "RETURNS"},
        "n-other": {"nodeId": "n-other", "type": "sheet", "elementId": "el-2", "name": "Base"},
        "n-new":   {"nodeId": "n-new", "type": "brand-new-type", "name": "Future"}
      },
      "edges": [
        {"source": "n-join", "target": "n-sheet", "type": "source"},
        {"source": "inode-A", "target": "n-join", "type": "source"},
        {"source": "n-union", "target": "n-join", "type": "source"},
        {"source": "inode-B", "target": "n-union", "type": "source"},
        {"source": "dmUrl123/elX", "target": "n-union", "type": "source"},
        {"source": "n-other", "target": "n-sheet", "type": "lookup"},
        {"source": "n-new", "target": "n-sheet", "type": "source"},
        {"source": "n-sheet", "target": "n-join", "type": "dependency"}
      ]})");
    auto s = sigma::extract::walk_sources(g, "el-1");
    REQUIRE(s.size() == 5);
    using sigma::extract::source_kind;
    CHECK(s[0].kind == source_kind::element);
    CHECK(s[0].id == "el-2");
    CHECK(s[1].kind == source_kind::unknown);
    CHECK(s[1].name == "Future");
    CHECK(s[2].kind == source_kind::table);
    CHECK(s[2].id == "inode-A");
    CHECK(s[2].name == "ORDERS");
    CHECK(s[3].kind == source_kind::table);
    CHECK(s[3].id == "inode-B");
    CHECK(s[4].kind == source_kind::data_model);
    CHECK(s[4].id == "dmUrl123");
    CHECK(s[4].dataModelElementId == "elX");
}

TEST_CASE("lineage walk: empty graph, missing sheet node, cycles") {
    sigma::api::element_lineage empty;
    CHECK(sigma::extract::walk_sources(empty, "x").empty());
    auto g = sigma::json::decode_or_throw<sigma::api::element_lineage>(R"({
      "dependencies": {"a": {"nodeId": "a", "type": "join"}, "b": {"nodeId": "b", "type": "union"}},
      "edges": [{"source": "a", "target": "el", "type": "source"}, {"source": "b", "target": "a", "type": "source"},
                {"source": "a", "target": "b", "type": "source"}, {"source": "inode-T", "target": "b", "type": "source"}]})");
    auto s = sigma::extract::walk_sources(g, "el");
    REQUIRE(s.size() == 1);
    CHECK(s[0].id == "inode-T");
}
