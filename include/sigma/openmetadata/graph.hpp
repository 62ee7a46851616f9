// SPDX-License-Identifier: MIT
// The lineage of one extracted entity as edges between Sigma objects (tables,
// data models, workbook elements, workbooks), before they are named the
// OpenMetadata way. The request mapping and the Graphviz writer both read it,
// so the two always show the same lineage.
#ifndef SIGMA_OPENMETADATA_GRAPH_HPP
#define SIGMA_OPENMETADATA_GRAPH_HPP

#include <sigma/extract/inventory.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace sigma::openmetadata {

enum class node_kind { table, data_model, element, workbook };

struct graph_node {
    node_kind kind = node_kind::table;
    std::string id;                          // inodeId, dataModelId, elementId, workbookId
    std::optional<extract::table_ref> table; // kind == table
    std::optional<std::string> name;         // for labels, when known
};

struct graph_column {
    std::string from;
    std::string to;
};

struct graph_edge {
    graph_node from;
    graph_node to;
    std::vector<graph_column> columns; // column lineage, from column -> to column
};

namespace detail {

// Collects edges once per (from, to), merging their column pairs.
class edge_set {
public:
    graph_edge& add(graph_node from, graph_node to) {
        auto key = std::make_tuple(from.kind, from.id, to.kind, to.id);
        auto it = index_.find(key);
        if (it != index_.end()) return edges_[it->second];
        index_.emplace(std::move(key), edges_.size());
        edges_.push_back(graph_edge{std::move(from), std::move(to), {}});
        return edges_.back();
    }
    void add_column(graph_edge& e, std::string const& from, std::string const& to) {
        graph_column c{from, to};
        for (auto const& have : e.columns)
            if (have.from == c.from && have.to == c.to) return;
        e.columns.push_back(std::move(c));
    }
    std::vector<graph_edge> take() && { return std::move(edges_); }

private:
    std::map<std::tuple<node_kind, std::string, node_kind, std::string>, std::size_t> index_;
    std::vector<graph_edge> edges_;
};

inline graph_node table_node(extract::lineage_source const& s) {
    graph_node n{node_kind::table, s.id, s.table, s.name};
    if (!n.table) n.table = extract::table_ref{s.id, {}, {}, {}, {}, {}, "none"};
    return n;
}

} // namespace detail

// Edges of a workbook: into each element from its tables, data models and
// other elements of the same workbook (with the column edges the extraction
// found), and from each data model the workbook reads into the workbook.
// Sources that name no catalog entity (custom SQL, retired datasets, unknown
// kinds) and elements not in the workbook (filtered out) give no edge.
inline std::vector<graph_edge> lineage_edges(extract::workbook_info const& wb) {
    detail::edge_set edges;
    std::map<std::string, extract::element_info const*> elements;
    for (auto const& p : wb.pages)
        for (auto const& el : p.elements) elements.emplace(el.elementId, &el);

    for (auto const& p : wb.pages) {
        for (auto const& el : p.elements) {
            graph_node to{node_kind::element, el.elementId, std::nullopt, el.name};
            for (auto const& s : el.sources) {
                graph_node from;
                switch (s.kind) {
                case extract::source_kind::table: from = detail::table_node(s); break;
                case extract::source_kind::data_model:
                    from = graph_node{node_kind::data_model, s.id, std::nullopt, s.name};
                    break;
                case extract::source_kind::element: {
                    auto it = elements.find(s.id);
                    if (it == elements.end() || s.id == el.elementId) continue;
                    from = graph_node{node_kind::element, s.id, std::nullopt, it->second->name};
                    break;
                }
                default: continue;
                }
                auto& e = edges.add(std::move(from), to);
                for (auto const& c : el.columnLineage)
                    if (c.fromSource == s.id) edges.add_column(e, c.fromColumn, c.toColumn);
            }
        }
    }
    std::set<std::string> seen;
    for (auto const& dm : wb.dataModelIds)
        if (seen.insert(dm).second)
            edges.add(graph_node{node_kind::data_model, dm, std::nullopt, std::nullopt},
                      graph_node{node_kind::workbook, wb.workbook.workbookId, std::nullopt, wb.workbook.name});
    return std::move(edges).take();
}

// Edges of a Sigma data model: from each warehouse table one of its elements reads.
inline std::vector<graph_edge> lineage_edges(extract::data_model_info const& dm) {
    detail::edge_set edges;
    graph_node to{node_kind::data_model, dm.dataModel.dataModelId, std::nullopt, dm.dataModel.name};
    for (auto const& el : dm.elements)
        for (auto const& s : el.sources)
            if (s.kind == extract::source_kind::table) edges.add(detail::table_node(s), to);
    return std::move(edges).take();
}

} // namespace sigma::openmetadata

#endif
