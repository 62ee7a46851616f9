#include <sigma/openmetadata/chart_types.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace test_chart_types {
inline std::optional<std::string> s(char const* v) { return std::string(v); }
} // namespace test_chart_types

TEST_CASE("chart types: vizualizationType -> chartType, as documented") {
    namespace om = sigma::openmetadata;
    using test_chart_types::s;
    std::vector<std::pair<char const*, om::chart_type>> table{
        {"table", om::chart_type::Table},    {"levelTable", om::chart_type::Table},  {"bar", om::chart_type::Bar},
        {"box", om::chart_type::BoxPlot},    {"pie", om::chart_type::Pie},         {"donut", om::chart_type::Pie},
        {"line", om::chart_type::Line},      {"area", om::chart_type::Area},       {"scatter", om::chart_type::Scatter},
        {"text", om::chart_type::Text},      {"gauge", om::chart_type::Gauge},     {"map", om::chart_type::Map},
        {"region-map", om::chart_type::Map}, {"point-map", om::chart_type::Map},   {"heatmap", om::chart_type::Heatmap},
        {"sankey", om::chart_type::SanKey},  {"funnel", om::chart_type::Other},    {"kpi", om::chart_type::Other},
        {"combo", om::chart_type::Other},    {"histogram", om::chart_type::Histogram},
    };
    for (auto const& row : table) {
        auto const& viz = row.first; // not a structured binding: clang 14 cannot capture one in CAPTURE
        CAPTURE(viz);
        CHECK(om::chart_type_for(s(viz), s("visualization")) == row.second);
    }
    // Spelling variants Sigma uses are compared without case, '-' or '_'.
    CHECK(om::chart_type_for(s("Region_Map"), std::nullopt) == om::chart_type::Map);
    CHECK(om::chart_type_for(s("LEVELTABLE"), std::nullopt) == om::chart_type::Table);
    // Unknown kinds are Other, even on a table element.
    CHECK(om::chart_type_for(s("waterfall-3d"), s("table")) == om::chart_type::Other);
}

TEST_CASE("chart types: elements without vizualizationType by their type") {
    namespace om = sigma::openmetadata;
    using test_chart_types::s;
    CHECK(om::chart_type_for(std::nullopt, s("table")) == om::chart_type::Table);
    CHECK(om::chart_type_for(std::nullopt, s("pivot-table")) == om::chart_type::Table);
    CHECK(om::chart_type_for(std::nullopt, s("input-table")) == om::chart_type::Table);
    CHECK(om::chart_type_for(std::nullopt, s("text")) == om::chart_type::Text);
    CHECK(om::chart_type_for(s(""), s("text")) == om::chart_type::Text); // empty = absent
    for (char const* t : {"image", "control", "button", "divider", "visualization", "something-new"}) {
        CAPTURE(t);
        CHECK(om::chart_type_for(std::nullopt, s(t)) == om::chart_type::Other);
    }
    CHECK(om::chart_type_for(std::nullopt, std::nullopt) == om::chart_type::Other);
}

TEST_CASE("chart types: kinds in words, for display names") {
    namespace om = sigma::openmetadata;
    using test_chart_types::s;
    CHECK(om::element_kind_words(s("bar"), s("visualization")) == "bar chart");
    CHECK(om::element_kind_words(s("kpi"), std::nullopt) == "KPI");
    CHECK(om::element_kind_words(std::nullopt, s("pivot-table")) == "pivot table");
    CHECK(om::element_kind_words(s("hologram"), s("visualization")) == "hologram");
    CHECK(om::element_kind_words(std::nullopt, s("widget")) == "widget");
    CHECK(om::element_kind_words(std::nullopt, std::nullopt) == "element");
}
