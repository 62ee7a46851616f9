// SPDX-License-Identifier: MIT
// Sigma element kinds -> OpenMetadata chartType, and readable names for them
// (nameless elements get a display name built from their kind).
#ifndef SIGMA_OPENMETADATA_CHART_TYPES_HPP
#define SIGMA_OPENMETADATA_CHART_TYPES_HPP

#include <sigma/openmetadata/requests.hpp>

#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace sigma::openmetadata {

struct viz_kind {
    std::string_view key;     // normalised: lower case, no '-', '_' or spaces
    chart_type type;
    std::string_view words;   // for display names: "bar chart", "KPI"
};

// Sigma's `vizualizationType` values. OpenMetadata's table (its
// get_standard_chart_type) covers table/levelTable, bar, box, pie, line, area,
// scatter, text, gauge, map, heatmap; the rest use the closest chartType
// OpenMetadata has (donut is a pie, region and point maps are maps, sankey is
// SanKey) and Other where it has none (funnel, kpi, combo).
inline constexpr std::array<viz_kind, 23> vizualization_chart_types{{
    {"table", chart_type::Table, "table"},
    {"leveltable", chart_type::Table, "table"},
    {"pivottable", chart_type::Table, "pivot table"},
    {"bar", chart_type::Bar, "bar chart"},
    {"column", chart_type::Bar, "column chart"},
    {"box", chart_type::BoxPlot, "box plot"},
    {"boxplot", chart_type::BoxPlot, "box plot"},
    {"pie", chart_type::Pie, "pie chart"},
    {"donut", chart_type::Pie, "donut chart"},
    {"line", chart_type::Line, "line chart"},
    {"area", chart_type::Area, "area chart"},
    {"scatter", chart_type::Scatter, "scatter plot"},
    {"histogram", chart_type::Histogram, "histogram"},
    {"text", chart_type::Text, "text"},
    {"gauge", chart_type::Gauge, "gauge"},
    {"map", chart_type::Map, "map"},
    {"regionmap", chart_type::Map, "region map"},
    {"pointmap", chart_type::Map, "point map"},
    {"heatmap", chart_type::Heatmap, "heatmap"},
    {"sankey", chart_type::SanKey, "Sankey diagram"},
    {"funnel", chart_type::Other, "funnel chart"},
    {"kpi", chart_type::Other, "KPI"},
    {"combo", chart_type::Other, "combo chart"},
}};

// Element `type`s, for elements without a vizualizationType.
inline constexpr std::array<viz_kind, 10> element_chart_types{{
    {"table", chart_type::Table, "table"},
    {"pivottable", chart_type::Table, "pivot table"},
    {"inputtable", chart_type::Table, "input table"},
    {"text", chart_type::Text, "text"},
    {"visualization", chart_type::Other, "chart"},
    {"control", chart_type::Other, "control"},
    {"image", chart_type::Other, "image"},
    {"button", chart_type::Other, "button"},
    {"divider", chart_type::Other, "divider"},
    {"embed", chart_type::Other, "embed"},
}};

namespace detail {

inline std::string normalise_kind(std::string_view s) {
    std::string key;
    key.reserve(s.size());
    for (char c : s)
        if (c != '-' && c != '_' && c != ' ') key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return key;
}

template <std::size_t N>
viz_kind const* find_kind(std::array<viz_kind, N> const& table, std::string_view value) {
    std::string key = normalise_kind(value);
    for (auto const& k : table)
        if (k.key == key) return &k;
    return nullptr;
}

inline bool present(std::optional<std::string> const& s) { return s && !s->empty(); }

} // namespace detail

// The chartType of an element: by its vizualizationType when it has one, else
// by its element type; Other for anything unknown.
inline chart_type chart_type_for(std::optional<std::string> const& vizualization_type,
                                 std::optional<std::string> const& element_type) {
    if (detail::present(vizualization_type)) {
        auto const* k = detail::find_kind(vizualization_chart_types, *vizualization_type);
        return k ? k->type : chart_type::Other;
    }
    if (detail::present(element_type)) {
        auto const* k = detail::find_kind(element_chart_types, *element_type);
        return k ? k->type : chart_type::Other;
    }
    return chart_type::Other;
}

// What an element is, in words ("bar chart", "pivot table", "image"); an
// unknown kind is given as Sigma spells it, "element" when nothing is known.
inline std::string element_kind_words(std::optional<std::string> const& vizualization_type,
                                      std::optional<std::string> const& element_type) {
    if (detail::present(vizualization_type)) {
        if (auto const* k = detail::find_kind(vizualization_chart_types, *vizualization_type)) return std::string(k->words);
        return *vizualization_type;
    }
    if (detail::present(element_type)) {
        if (auto const* k = detail::find_kind(element_chart_types, *element_type)) return std::string(k->words);
        return *element_type;
    }
    return "element";
}

} // namespace sigma::openmetadata

#endif
