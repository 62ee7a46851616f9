#include <sigma/extract/column_lineage.hpp>

#include <doctest/doctest.h>

TEST_CASE("column lineage: formula references") {
    using sigma::extract::formula_references;
    CHECK(formula_references("[ORDERS/Amount] * 2") == std::vector<std::string>{"ORDERS/Amount"});
    CHECK(formula_references("Sum([A/x]) + [y]") == std::vector<std::string>{"A/x", "y"});
    CHECK(formula_references(R"(If([a] = "[not a ref]", 1, 0))") == std::vector<std::string>{"a"});
    CHECK(formula_references("[odd]]name]") == std::vector<std::string>{"odd]name"});
    CHECK(formula_references("[unterminated").empty());
    CHECK(formula_references("").empty());
}

TEST_CASE("column lineage: warehouse ids, then formulas, then names (counted)") {
    using namespace sigma::extract;
    std::vector<lineage_source> sources(2);
    sources[0].kind = source_kind::table;
    sources[0].id = "inode-T1";
    sources[0].name = "Orders";
    sources[1].kind = source_kind::element;
    sources[1].id = "el-9";
    sources[1].name = "Base Table";
    std::vector<column_info> cols{
        {"inode-T1/ORDER_ID", "Order Id", std::nullopt},
        {"c2", "Revenue", std::string("Sum([orders/AMOUNT])")},
        {"c3", "Region", std::string("[Base Table/Region]")},
        {"c4", "Calc", std::string("[Revenue] * 2")},
    };
    auto r = column_edges(cols, sources);
    REQUIRE(r.edges.size() == 3);
    CHECK(r.edges[0] == column_edge{"inode-T1", "ORDER_ID", "Order Id", column_match::warehouse_id});
    CHECK(r.edges[1] == column_edge{"inode-T1", "AMOUNT", "Revenue", column_match::formula});
    CHECK(r.edges[2] == column_edge{"el-9", "Region", "Region", column_match::formula});
    CHECK(r.name_fallbacks == 0);

    // One source and a bare reference: matched by name, and counted.
    auto one = column_edges({{"c1", "Total", std::string("[Amount] + 1")}}, {sources[0]});
    REQUIRE(one.edges.size() == 1);
    CHECK(one.edges[0].how == column_match::name);
    CHECK(one.name_fallbacks == 1);
}
