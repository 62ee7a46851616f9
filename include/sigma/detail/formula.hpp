// SPDX-License-Identifier: MIT
// Reading a Sigma formula's `[Source/Column]` references: the extraction's
// column lineage and the snapshot anonymiser both take formulas apart, and
// must agree on where a reference ends (`]]` inside one is an escaped `]`).
#ifndef SIGMA_DETAIL_FORMULA_HPP
#define SIGMA_DETAIL_FORMULA_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace sigma::detail {

struct formula_reference {
    std::string text;      // between the brackets, `]]` read as `]`
    std::size_t close = 0; // index of the closing `]`, or f.size() when there is none
};

// The reference whose `[` is at f[open].
inline formula_reference read_formula_reference(std::string_view f, std::size_t open) {
    formula_reference r;
    std::size_t from = open + 1; // the start of the text not copied yet: copied in runs, not by character
    std::size_t j = from;
    for (; j < f.size(); ++j) {
        if (f[j] != ']') continue;
        r.text.append(f.substr(from, j - from));
        if (j + 1 < f.size() && f[j + 1] == ']') {
            r.text += ']';
            from = ++j + 1;
            continue;
        }
        r.close = j;
        return r;
    }
    r.text.append(f.substr(from, j - from));
    r.close = j;
    return r;
}

} // namespace sigma::detail

#endif
