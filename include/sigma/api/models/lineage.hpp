// SPDX-License-Identifier: MIT
// Lineage: the per-element graph and the per-workbook / per-data-model lists.
#ifndef SIGMA_API_MODELS_LINEAGE_HPP
#define SIGMA_API_MODELS_LINEAGE_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sigma::api {

// `type` of a node of the element lineage graph. Spelt kebab-case by Sigma;
// types not listed here decode as `unknown` (the node is kept).
enum class lineage_node_type {
    unknown,
    sheet,     // a workbook element; carries elementId and name
    table,     // nodeId `inode-<tableUrlId>`
    dataset,   // nodeId `inode-<urlId>`
    join,      // no name; walk through it
    union_,    // "union"; no name; walk through it
    data_model, // "data-model"; nodeId `<dataModelUrlId>/<suffix>`
    datasheet,
    datafile,
    semantic_view, // "semantic-view"
    customSQL,
};
BOOST_DESCRIBE_ENUM(lineage_node_type, unknown, sheet, table, dataset, join, union_, data_model, datasheet, datafile,
                    semantic_view, customSQL)

constexpr std::string_view sigma_json_enum_name(lineage_node_type t) noexcept {
    switch (t) {
    case lineage_node_type::union_: return "union";
    case lineage_node_type::data_model: return "data-model";
    case lineage_node_type::semantic_view: return "semantic-view";
    default: return {};
    }
}

// `type` of an edge: how the target uses the source.
enum class lineage_edge_type { unknown, source, lookup, dependency };
BOOST_DESCRIBE_ENUM(lineage_edge_type, unknown, source, lookup, dependency)

// A node of GET /v2/workbooks/{workbookId}/lineage/elements/{elementId}
// (`dependencies`, keyed by nodeId). Only `sheet` nodes carry `elementId`;
// join and union nodes have no name.
struct lineage_node {
    std::string nodeId;
    lineage_node_type type = lineage_node_type::unknown;
    std::optional<std::string> name;
    std::optional<std::string> elementId;
    std::optional<std::string> semanticViewTable;

    bool operator==(lineage_node const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_node, (), (nodeId, type, name, elementId, semanticViewTable))

// An edge of the element lineage graph; walk from target to source.
struct lineage_edge {
    std::string source;
    std::string target;
    lineage_edge_type type = lineage_edge_type::unknown;

    bool operator==(lineage_edge const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_edge, (), (source, target, type))

// GET /v2/workbooks/{workbookId}/lineage/elements/{elementId}. Node ids seen
// in `edges` need not appear in `dependencies` (data-model nodes).
struct element_lineage {
    std::map<std::string, lineage_node> dependencies;
    std::vector<lineage_edge> edges;

    bool operator==(element_lineage const&) const = default;
};
BOOST_DESCRIBE_STRUCT(element_lineage, (), (dependencies, edges))

// Entries of GET /v2/workbooks/{workbookId}/lineage and
// GET /v2/dataModels/{dataModelId}/lineage (paging A), tagged by `type`.
// The spec allows null for `connectionId`, `name`, `sourceIds` and `dataSourceIds`.

// An element and what it reads: `sourceIds` are element ids or `inode-<urlId>`.
struct lineage_element_entry {
    static constexpr sigma::json::tag json_tag{"type", "element"};
    std::string elementId;
    std::optional<std::vector<std::string>> sourceIds;
    std::optional<std::vector<std::string>> dataSourceIds;

    bool operator==(lineage_element_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_element_entry, (), (elementId, sourceIds, dataSourceIds))

// A warehouse table.
struct lineage_table_entry {
    static constexpr sigma::json::tag json_tag{"type", "table"};
    std::string inodeId;
    std::optional<std::string> connectionId;
    std::optional<std::string> name;

    bool operator==(lineage_table_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_table_entry, (), (inodeId, connectionId, name))

// A (retired) dataset.
struct lineage_dataset_entry {
    static constexpr sigma::json::tag json_tag{"type", "dataset"};
    std::string inodeId;
    std::optional<std::string> connectionId;
    std::optional<std::string> name;

    bool operator==(lineage_dataset_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_dataset_entry, (), (inodeId, connectionId, name))

// A data model; both spellings of the tag occur.
struct lineage_data_model_entry {
    static constexpr sigma::json::tag json_tag{"type", "data-model", "dataModel"};
    std::string dataModelId;
    std::optional<std::string> connectionId;
    std::optional<std::string> name;

    bool operator==(lineage_data_model_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_data_model_entry, (), (dataModelId, connectionId, name))

// Custom SQL; both spellings of the tag occur.
struct lineage_custom_sql_entry {
    static constexpr sigma::json::tag json_tag{"type", "customSQL", "customSql"};
    std::string definition;
    std::optional<std::string> connectionId;
    std::optional<std::string> name;

    bool operator==(lineage_custom_sql_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_custom_sql_entry, (), (definition, connectionId, name))

// Any other kind (csv-upload, semantic-view, sql-document, worksheet, and
// kinds not yet seen): kept, with its tag, instead of failing the page.
struct lineage_other_entry {
    static constexpr sigma::json::tag json_tag{"type"};
    std::string type;
    std::optional<std::string> connectionId;
    std::optional<std::string> name;

    bool operator==(lineage_other_entry const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_other_entry, (), (type, connectionId, name))

using lineage_entry = std::variant<lineage_element_entry, lineage_table_entry, lineage_dataset_entry,
                                   lineage_data_model_entry, lineage_custom_sql_entry, lineage_other_entry>;
using workbook_lineage_entry = lineage_entry;
using data_model_lineage_entry = lineage_entry;

} // namespace sigma::api

#endif
