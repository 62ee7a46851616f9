// SPDX-License-Identifier: MIT
// Column-level lineage of one element from its columns: a warehouse-backed
// column id `inode-<tableUrlId>/<NATIVE_NAME>` names the table column exactly;
// a formula reference `[Source/Column]` names a source by its display name;
// failing both, a bare `[Column]` reference in an element with one source is
// matched by name, and counted, since display names often differ from
// warehouse names.
#ifndef SIGMA_EXTRACT_COLUMN_LINEAGE_HPP
#define SIGMA_EXTRACT_COLUMN_LINEAGE_HPP

#include <sigma/detail/formula.hpp>
#include <sigma/extract/inventory.hpp>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma::extract {

// The `[...]` references of a formula, brackets removed, in order. `]]` inside
// a reference is an escaped `]`.
inline std::vector<std::string> formula_references(std::string_view f) {
    std::vector<std::string> out;
    bool in_string = false;
    char quote = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
        char c = f[i];
        if (in_string) {
            if (c == quote) in_string = false;
            continue;
        }
        if (c == '"' || c == '\'') {
            in_string = true;
            quote = c;
            continue;
        }
        if (c != '[') continue;
        auto ref = sigma::detail::read_formula_reference(f, i);
        if (ref.close < f.size() && !ref.text.empty()) out.push_back(std::move(ref.text));
        i = ref.close;
    }
    return out;
}

namespace detail {
inline bool same_name(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}
} // namespace detail

struct column_lineage_result {
    std::vector<column_edge> edges;
    std::uint64_t name_fallbacks = 0;
};

inline column_lineage_result column_edges(std::vector<column_info> const& columns,
                                          std::vector<lineage_source> const& sources) {
    column_lineage_result r;
    // Views until an edge is kept: most references repeat or name nothing.
    auto add = [&](std::string_view from, std::string_view col, std::string const& to, column_match how) {
        for (auto const& e : r.edges)
            if (e.fromSource == from && e.fromColumn == col && e.toColumn == to) return;
        r.edges.push_back({std::string(from), std::string(col), to, how});
        if (how == column_match::name) ++r.name_fallbacks;
    };
    for (auto const& c : columns) {
        std::string_view id = c.columnId;
        if (id.rfind("inode-", 0) == 0) {
            if (auto slash = id.find('/'); slash != std::string_view::npos && slash + 1 < id.size()) {
                add(id.substr(0, slash), id.substr(slash + 1), c.name, column_match::warehouse_id);
                continue;
            }
        }
        if (!c.formula) continue;
        bool found = false;
        std::vector<std::string_view> bare; // into refs
        auto const refs = formula_references(*c.formula);
        for (auto const& ref : refs) {
            auto slash = ref.find('/');
            if (slash == std::string::npos) {
                bare.push_back(ref);
                continue;
            }
            std::string_view src_name = std::string_view(ref).substr(0, slash);
            std::string_view col = std::string_view(ref).substr(slash + 1);
            for (auto const& s : sources) {
                if (s.name && detail::same_name(*s.name, src_name)) {
                    add(s.id, col, c.name, column_match::formula);
                    found = true;
                }
            }
        }
        if (!found && sources.size() == 1)
            for (auto const& b : bare) add(sources.front().id, b, c.name, column_match::name);
    }
    return r;
}

} // namespace sigma::extract

#endif
