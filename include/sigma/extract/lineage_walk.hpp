// SPDX-License-Identifier: MIT
// From an element's lineage graph to its true sources: walk edges from the
// element's own `sheet` node towards sources, passing through join, union and
// other intermediate nodes. Pure: no I/O; tables are resolved later.
#ifndef SIGMA_EXTRACT_LINEAGE_WALK_HPP
#define SIGMA_EXTRACT_LINEAGE_WALK_HPP

#include <sigma/api/models/lineage.hpp>
#include <sigma/extract/inventory.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::extract {

namespace detail {

inline bool is_pass_through(api::lineage_node_type t) noexcept {
    return t == api::lineage_node_type::join || t == api::lineage_node_type::union_;
}

// A node named only by an edge: data models appear as `<dataModelUrlId>/<suffix>`.
inline lineage_source source_from_bare_id(std::string const& id) {
    lineage_source s;
    s.id = id;
    if (id.rfind("inode-", 0) == 0) {
        s.kind = source_kind::table; // resolved (or refuted) by /connections/paths
    } else if (auto slash = id.find('/'); slash != std::string::npos) {
        s.kind = source_kind::data_model;
        s.id = id.substr(0, slash);
        s.dataModelElementId = id.substr(slash + 1);
    }
    return s;
}

} // namespace detail

// The true sources of `element_id`, in the order first reached (breadth first,
// edges in answer order), each once. Cycles are cut.
inline std::vector<lineage_source> walk_sources(api::element_lineage const& g, std::string_view element_id) {
    std::vector<lineage_source> out;
    std::string start;
    for (auto const& [id, node] : g.dependencies)
        if (node.type == api::lineage_node_type::sheet && node.elementId && *node.elementId == element_id) start = id;
    if (start.empty()) {
        // Some answers key the element's node by its element id.
        auto it = g.dependencies.find(std::string(element_id));
        if (it != g.dependencies.end()) start = it->first;
        else start = std::string(element_id);
    }
    // Node ids as views into `g` and `start`, which outlive the walk: no copy per node.
    std::set<std::string_view> seen{start};
    std::set<std::string> emitted;
    std::vector<std::string_view> frontier{start};
    while (!frontier.empty()) {
        std::vector<std::string_view> next;
        for (auto const node_id : frontier) {
            // Keep the answer's edge order among one node's sources.
            for (auto const& e : g.edges) {
                if (e.target != node_id) continue;
                std::string const& src = e.source;
                if (!seen.insert(src).second) continue;
                auto it = g.dependencies.find(src);
                if (it == g.dependencies.end()) {
                    auto s = detail::source_from_bare_id(src);
                    if (emitted.insert(s.id + "|" + s.dataModelElementId.value_or("")).second) out.push_back(std::move(s));
                    continue;
                }
                auto const& n = it->second;
                if (detail::is_pass_through(n.type)) {
                    next.push_back(src);
                    continue;
                }
                lineage_source s;
                s.id = n.nodeId.empty() ? src : n.nodeId;
                s.name = n.name;
                switch (n.type) {
                case api::lineage_node_type::table: s.kind = source_kind::table; break;
                case api::lineage_node_type::dataset:
                case api::lineage_node_type::datasheet: s.kind = source_kind::dataset; break;
                case api::lineage_node_type::data_model: {
                    s = detail::source_from_bare_id(s.id);
                    s.kind = source_kind::data_model;
                    s.name = n.name;
                    break;
                }
                case api::lineage_node_type::sheet:
                    s.kind = source_kind::element;
                    s.id = n.elementId.value_or(s.id);
                    break;
                case api::lineage_node_type::customSQL: s.kind = source_kind::custom_sql; break;
                default: s.kind = source_kind::unknown; break;
                }
                if (emitted.insert(s.id + "|" + s.dataModelElementId.value_or("")).second) out.push_back(std::move(s));
            }
        }
        frontier = std::move(next);
    }
    return out;
}

} // namespace sigma::extract

#endif
