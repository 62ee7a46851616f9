// SPDX-License-Identifier: MIT
// From an element's lineage graph to its true sources: walk edges from the
// element's own `sheet` node towards sources, passing through join, union and
// other intermediate nodes. Pure: no I/O; tables are resolved later.
#ifndef SIGMA_EXTRACT_LINEAGE_WALK_HPP
#define SIGMA_EXTRACT_LINEAGE_WALK_HPP

#include <sigma/api/models/lineage.hpp>
#include <sigma/extract/inventory.hpp>

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sigma::extract {

namespace detail {

inline bool is_pass_through(api::lineage_node_type t) noexcept {
    return t == api::lineage_node_type::join || t == api::lineage_node_type::union_;
}

// A node named only by an edge: data models appear as `<dataModelUrlId>/<suffix>`.
inline lineage_source source_from_bare_id(std::string id) {
    lineage_source s;
    s.id = std::move(id);
    if (s.id.rfind("inode-", 0) == 0) {
        s.kind = source_kind::table; // resolved (or refuted) by /connections/paths
    } else if (auto slash = s.id.find('/'); slash != std::string::npos) {
        s.kind = source_kind::data_model;
        s.dataModelElementId = s.id.substr(slash + 1);
        s.id.resize(slash);
    }
    return s;
}

// Whether x1 + "|" + x2 == y1 + "|" + y2, without building either.
inline bool same_joined(std::string_view x1, std::string_view x2, std::string_view y1, std::string_view y2) noexcept {
    if (x1.size() + x2.size() != y1.size() + y2.size()) return false;
    if (x1.size() == y1.size()) return x1 == y1 && x2 == y2;
    auto at = [](std::string_view a, std::string_view b, std::size_t i) {
        return i < a.size() ? a[i] : i == a.size() ? '|' : b[i - a.size() - 1];
    };
    for (std::size_t i = 0, n = x1.size() + 1 + x2.size(); i < n; ++i)
        if (at(x1, x2, i) != at(y1, y2, i)) return false;
    return true;
}

// Sources are told apart by `id|dataModelElementId`. An element has few, so
// the output itself is searched while short (no key strings, no nodes);
// past that, a set of the keys.
class emitted_sources {
public:
    bool insert(std::vector<lineage_source> const& out, lineage_source const& s) {
        std::string_view const sub = s.dataModelElementId ? std::string_view(*s.dataModelElementId) : std::string_view();
        if (out.size() < linear_max) {
            for (auto const& o : out)
                if (same_joined(o.id, o.dataModelElementId ? std::string_view(*o.dataModelElementId) : std::string_view(),
                                s.id, sub))
                    return false;
            return true;
        }
        if (keys_.empty())
            for (auto const& o : out) keys_.insert(o.id + "|" + o.dataModelElementId.value_or(""));
        return keys_.insert(s.id + "|" + std::string(sub)).second;
    }

private:
    static constexpr std::size_t linear_max = 32;
    std::set<std::string> keys_;
};

// Node ids seen: searched linearly while few, a set past that.
class seen_nodes {
public:
    bool insert(std::string_view v) {
        if (many_.empty()) {
            for (std::size_t i = 0; i < count_; ++i)
                if (few_[i] == v) return false;
            if (count_ < few_.size()) {
                few_[count_++] = v;
                return true;
            }
            many_.insert(few_.begin(), few_.end());
        }
        return many_.insert(v).second;
    }

private:
    std::array<std::string_view, 16> few_{};
    std::size_t count_ = 0;
    std::set<std::string_view> many_;
};

// The walk; with a graph it may take apart (G not const), the sources' ids
// and names move out of it.
template <class G>
std::vector<lineage_source> walk_sources_in(G& g, std::string_view element_id) {
    constexpr bool take = !std::is_const_v<G>;
    std::vector<lineage_source> out;
    // Views into `g` (or element_id), which outlive the walk: no copy per node.
    std::string_view start;
    for (auto const& [id, node] : g.dependencies)
        if (node.type == api::lineage_node_type::sheet && node.elementId && *node.elementId == element_id) start = id;
    if (start.empty()) {
        // Some answers key the element's node by its element id.
        auto it = g.dependencies.find(std::string(element_id));
        start = it != g.dependencies.end() ? std::string_view(it->first) : element_id;
    }
    seen_nodes seen;
    seen.insert(start);
    emitted_sources emitted;
    std::vector<std::string_view> frontier{start};
    while (!frontier.empty()) {
        std::vector<std::string_view> next;
        for (auto const node_id : frontier) {
            // Keep the answer's edge order among one node's sources.
            for (auto const& e : g.edges) {
                if (e.target != node_id) continue;
                std::string const& src = e.source;
                if (!seen.insert(src)) continue;
                auto it = g.dependencies.find(src);
                if (it == g.dependencies.end()) {
                    auto s = source_from_bare_id(src);
                    if (emitted.insert(out, s)) out.push_back(std::move(s));
                    continue;
                }
                auto& n = it->second;
                if (is_pass_through(n.type)) {
                    next.push_back(src);
                    continue;
                }
                // Each node is reached once (seen), so what it holds can move.
                std::string id;
                std::optional<std::string> name;
                if (n.nodeId.empty()) id = src;
                else if constexpr (take) id = std::move(n.nodeId);
                else id = n.nodeId;
                if constexpr (take) name = std::move(n.name);
                else name = n.name;
                lineage_source s;
                switch (n.type) {
                case api::lineage_node_type::table: s.kind = source_kind::table; break;
                case api::lineage_node_type::dataset:
                case api::lineage_node_type::datasheet: s.kind = source_kind::dataset; break;
                case api::lineage_node_type::data_model:
                    s = source_from_bare_id(std::move(id));
                    s.kind = source_kind::data_model;
                    break;
                case api::lineage_node_type::sheet:
                    s.kind = source_kind::element;
                    if (n.elementId) id = *n.elementId;
                    break;
                case api::lineage_node_type::customSQL: s.kind = source_kind::custom_sql; break;
                default: s.kind = source_kind::unknown; break;
                }
                if (n.type != api::lineage_node_type::data_model) s.id = std::move(id);
                s.name = std::move(name);
                if (emitted.insert(out, s)) out.push_back(std::move(s));
            }
        }
        frontier = std::move(next);
    }
    return out;
}

} // namespace detail

// The true sources of `element_id`, in the order first reached (breadth first,
// edges in answer order), each once. Cycles are cut.
inline std::vector<lineage_source> walk_sources(api::element_lineage const& g, std::string_view element_id) {
    return detail::walk_sources_in(g, element_id);
}

// The same, moving the sources' ids and names out of `g` (left valid but unspecified).
inline std::vector<lineage_source> walk_sources(api::element_lineage&& g, std::string_view element_id) {
    return detail::walk_sources_in(g, element_id);
}

} // namespace sigma::extract

#endif
