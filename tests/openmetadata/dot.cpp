#include <sigma/openmetadata/dot.hpp>

#include <doctest/doctest.h>

#include <sstream>
#include <string>

namespace test_dot {

namespace ex = sigma::extract;

inline ex::inventory inventory() {
    ex::inventory inv;
    ex::data_model_info dm;
    dm.dataModel.dataModelId = "dm-1";
    dm.dataModel.name = "Customers";
    ex::data_model_element_info dme;
    dme.elementId = "e";
    ex::lineage_source t;
    t.kind = ex::source_kind::table;
    t.id = "inode-T";
    t.table = ex::table_ref{"inode-T", {}, std::string("wh"), {}, {}, {"DB", "S", "T"}, "connection-path"};
    dme.sources = {t};
    dm.elements = {dme};
    inv.dataModels = {dm};

    ex::workbook_info wb;
    wb.workbook.workbookId = "wb-1";
    wb.workbook.name = "Sales \"Q3\" \\ report\nfinal";
    wb.dataModelIds = {"dm-1"};
    ex::element_info a;
    a.elementId = "el-a";
    a.name = "evil\"]; x [label=\"pwned";
    a.type = "table";
    a.dataElement = true;
    a.sources = {t};
    a.columnLineage = {{"inode-T", "X", "X", ex::column_match::warehouse_id},
                       {"inode-T", "Y", "Y", ex::column_match::warehouse_id}};
    ex::element_info b;
    b.elementId = "el-b";
    b.type = "visualization";
    b.vizualizationType = "line";
    b.dataElement = true;
    ex::lineage_source from_a;
    from_a.kind = ex::source_kind::element;
    from_a.id = "el-a";
    b.sources = {from_a};
    ex::page_info p;
    p.pageId = "p";
    p.name = "Main";
    p.elements = {a, b};
    wb.pages = {p};
    inv.workbooks = {wb};
    return inv;
}

} // namespace test_dot

TEST_CASE("dot: labels and ids are escaped") {
    using sigma::openmetadata::dot_quote;
    CHECK(dot_quote("plain") == "\"plain\"");
    CHECK(dot_quote("a\"b") == "\"a\\\"b\"");
    CHECK(dot_quote("a\\b") == "\"a\\\\b\"");
    CHECK(dot_quote("two\nlines\r") == "\"two\\nlines\"");
    CHECK(dot_quote("tab\there\x01") == "\"tab here \"");
    CHECK(dot_quote("") == "\"\"");
}

TEST_CASE("dot: the lineage graph of tables, data models, elements and workbooks") {
    std::ostringstream os;
    sigma::openmetadata::write_dot(os, test_dot::inventory());
    std::string g = os.str();
    CHECK(g.rfind("digraph sigma_lineage {\n", 0) == 0);
    CHECK(g.substr(g.size() - 2) == "}\n");
    // Each node is declared once, with its kind's shape.
    auto count = [&](std::string const& s) {
        std::size_t n = 0;
        for (auto pos = g.find(s); pos != std::string::npos; pos = g.find(s, pos + 1)) ++n;
        return n;
    };
    CHECK(count("\"table:inode-T\" [shape=cylinder, label=\"wh\\nDB.S.T\"]") == 1);
    CHECK(count("\"model:dm-1\" [shape=component, label=\"Customers\"]") == 1);
    CHECK(count("\"workbook:wb-1\" [shape=folder, label=\"Sales \\\"Q3\\\" \\\\ report\\nfinal\"]") == 1);
    CHECK(count("\"element:wb-1/el-a\" [shape=box, label=\"evil\\\"]; x [label=\\\"pwned\"]") == 1);
    CHECK(count("\"element:wb-1/el-b\" [shape=box, label=\"Line chart on Main\"]") == 1);
    // Lineage edges, with their column counts; membership dashed.
    CHECK(count("\"table:inode-T\" -> \"model:dm-1\";") == 1);
    CHECK(count("\"table:inode-T\" -> \"element:wb-1/el-a\" [label=\"2 columns\"];") == 1);
    CHECK(count("\"element:wb-1/el-a\" -> \"element:wb-1/el-b\";") == 1);
    CHECK(count("\"model:dm-1\" -> \"workbook:wb-1\";") == 1);
    CHECK(count("\"element:wb-1/el-b\" -> \"workbook:wb-1\" [style=dashed, arrowhead=none];") == 1);
    // No raw quote from a name ends a string early: every line has an even number of unescaped quotes.
    std::istringstream in(g);
    std::string line;
    while (std::getline(in, line)) {
        int quotes = 0;
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '\\') ++i;
            else if (line[i] == '"') ++quotes;
        }
        CAPTURE(line);
        CHECK(quotes % 2 == 0);
    }
}
