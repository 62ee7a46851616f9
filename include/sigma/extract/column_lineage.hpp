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

// fn(std::string_view) for each `[...]` reference of a formula, brackets
// removed, in order. `]]` inside a reference is an escaped `]`. A view into
// `f` unless the reference has an escape: no string per reference.
template <class Fn>
void for_each_formula_reference(std::string_view f, Fn&& fn) {
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
        auto const close = f.find(']', i + 1);
        if (close == std::string_view::npos) return; // unterminated: no reference, and nothing after it
        if (close + 1 < f.size() && f[close + 1] == ']') {
            auto ref = sigma::detail::read_formula_reference(f, i);
            if (ref.close < f.size() && !ref.text.empty()) fn(std::string_view(ref.text));
            i = ref.close;
            continue;
        }
        if (close > i + 1) fn(f.substr(i + 1, close - i - 1));
        i = close;
    }
}

// The `[...]` references of a formula, brackets removed, in order. `]]` inside
// a reference is an escaped `]`.
inline std::vector<std::string> formula_references(std::string_view f) {
    std::vector<std::string> out;
    for_each_formula_reference(f, [&](std::string_view ref) { out.emplace_back(ref); });
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
    r.edges.reserve(columns.size()); // about one edge per column
    // Views until an edge is kept: most references repeat or name nothing.
    auto add = [&](std::string_view from, std::string_view col, std::string const& to, column_match how) {
        for (auto const& e : r.edges)
            if (e.toColumn == to && e.fromColumn == col && e.fromSource == from) return; // likeliest to differ first
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
        for_each_formula_reference(*c.formula, [&](std::string_view ref) {
            auto slash = ref.find('/');
            if (slash == std::string_view::npos) return; // bare: below
            std::string_view src_name = ref.substr(0, slash);
            std::string_view col = ref.substr(slash + 1);
            for (auto const& s : sources) {
                if (s.name && detail::same_name(*s.name, src_name)) {
                    add(s.id, col, c.name, column_match::formula);
                    found = true;
                }
            }
        });
        // The bare references, read again only when they count (no list kept).
        if (!found && sources.size() == 1)
            for_each_formula_reference(*c.formula, [&](std::string_view ref) {
                if (ref.find('/') == std::string_view::npos) add(sources.front().id, ref, c.name, column_match::name);
            });
    }
    return r;
}

} // namespace sigma::extract

#endif
