// SPDX-License-Identifier: MIT
// What to extract: OpenMetadata's sourceConfig names, and sigma-cpp's switches.
#ifndef SIGMA_EXTRACT_OPTIONS_HPP
#define SIGMA_EXTRACT_OPTIONS_HPP

#include <sigma/detail/regex.hpp>
#include <sigma/error.hpp>
#include <sigma/result.hpp>

#include <boost/describe/class.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::extract {

// OpenMetadata's filterPattern: a name is kept when it matches one of
// `includes` (or there are none) and none of `excludes`. Like OpenMetadata's
// Python (re.match with IGNORECASE), a regex matches from the start of the
// name, case-insensitively.
struct filter_pattern {
    std::vector<std::string> includes;
    std::vector<std::string> excludes;
    bool operator==(filter_pattern const&) const = default;
};
BOOST_DESCRIBE_STRUCT(filter_pattern, (), (includes, excludes))

struct options {
    filter_pattern dashboardFilterPattern;  // workbook names
    filter_pattern chartFilterPattern;      // element names
    filter_pattern dataModelFilterPattern;  // data model names
    filter_pattern projectFilterPattern;    // workspace names
    bool includeOwners = true;
    bool includeDataModels = true;
    bool includeTags = true;
    bool includeLineage = true;
    bool includeArchived = false;           // archived workbooks and data models, marked
    bool includeColumns = true;             // /columns (column lineage)
    bool includeQueries = true;             // element SQL
    // Scoped runs (sigma-cpp's own): only the workbooks with these ids, and
    // those in these folders or workspaces (a path as Sigma writes it,
    // "Sales" or "Sales/Quarterly": the folder and everything under it).
    // Either list alone limits the run; both: what either names. With ids
    // alone no data model is read; with paths, the data models in them.
    // Nothing outside the scope is asked for, and a scoped run deletes nothing.
    std::vector<std::string> workbookIds;
    std::vector<std::string> paths;
    [[nodiscard]] bool scoped() const noexcept { return !workbookIds.empty() || !paths.empty(); }
    // OpenMetadata `dbServicePrefix` (`service.db.schema.table`, `*` wildcards):
    // where lineage looks for warehouse tables; used by the output.
    std::string dbServicePrefix;
};

namespace detail {

// libstdc++ up to GCC 12 reads the bounds of a quantifier ({n,m}) and the
// number of a back-reference (\n) into a long without an overflow check:
// `a{99999999999999999999}` is undefined behaviour (found by fuzz_config).
// No sane pattern has such a number of more than 9 digits; it is refused first.
inline bool has_huge_regex_number(std::string_view re) {
    auto digits_at = [&](std::size_t i) {
        std::size_t j = i;
        while (j < re.size() && re[j] >= '0' && re[j] <= '9') ++j;
        return j - i;
    };
    bool in_braces = false;
    for (std::size_t i = 0; i < re.size(); ++i) {
        char const c = re[i];
        if (c == '\\') {
            if (i + 1 < re.size() && digits_at(i + 1) > 9) return true;
            ++i; // the escaped character
        } else if (c == '{' || (c == ',' && in_braces)) {
            in_braces = true;
            if (digits_at(i + 1) > 9) return true;
        } else if (c == '}') {
            in_braces = false;
        }
    }
    return false;
}

} // namespace detail

// A filter_pattern compiled once; names the setting that filtered.
class compiled_filter {
public:
    compiled_filter() = default;

    // Fails with errc::config naming the setting, the list and the index.
    static result<compiled_filter> compile(std::string_view setting, filter_pattern const& p) {
        compiled_filter f;
        f.setting_ = setting;
        auto add = [&](std::vector<std::string> const& src, char const* list,
                       std::vector<entry>& out) -> std::optional<sigma::error> {
            for (std::size_t i = 0; i < src.size(); ++i) {
                if (detail::has_huge_regex_number(src[i]))
                    return sigma::error(errc::config, std::string(setting) + "." + list + "[" + std::to_string(i) +
                                                          "]: invalid regular expression \"" + src[i] +
                                                          "\": a repetition count or back-reference of more "
                                                          "than 9 digits");
                try {
                    out.push_back({std::regex(src[i], std::regex::ECMAScript | std::regex::icase), src[i]});
                } catch (std::regex_error const& e) {
                    return sigma::error(errc::config, std::string(setting) + "." + list + "[" + std::to_string(i) +
                                                          "]: invalid regular expression \"" + src[i] +
                                                          "\": " + e.what());
                }
            }
            return std::nullopt;
        };
        if (auto e = add(p.includes, "includes", f.includes_)) return std::move(*e);
        if (auto e = add(p.excludes, "excludes", f.excludes_)) return std::move(*e);
        return f;
    }

    // nullopt when `name` is kept; else why it is not, e.g.
    // `dashboardFilterPattern.excludes "^Tmp"`.
    [[nodiscard]] std::optional<std::string> rejects(std::string_view name) const {
        auto matches = [&](entry const& e) {
            return std::regex_search(name.begin(), name.end(), e.re, std::regex_constants::match_continuous);
        };
        for (auto const& e : excludes_)
            if (matches(e)) return setting_ + ".excludes \"" + e.source + "\"";
        if (includes_.empty()) return std::nullopt;
        for (auto const& e : includes_)
            if (matches(e)) return std::nullopt;
        return setting_ + ".includes (no match)";
    }

private:
    struct entry {
        std::regex re;
        std::string source;
    };
    std::string setting_;
    std::vector<entry> includes_;
    std::vector<entry> excludes_;
};

struct compiled_filters {
    compiled_filter dashboards, charts, data_models, projects;

    static result<compiled_filters> compile(options const& o) {
        compiled_filters f;
        auto d = compiled_filter::compile("dashboardFilterPattern", o.dashboardFilterPattern);
        if (!d) return std::move(d).error();
        auto c = compiled_filter::compile("chartFilterPattern", o.chartFilterPattern);
        if (!c) return std::move(c).error();
        auto m = compiled_filter::compile("dataModelFilterPattern", o.dataModelFilterPattern);
        if (!m) return std::move(m).error();
        auto p = compiled_filter::compile("projectFilterPattern", o.projectFilterPattern);
        if (!p) return std::move(p).error();
        f.dashboards = std::move(*d);
        f.charts = std::move(*c);
        f.data_models = std::move(*m);
        f.projects = std::move(*p);
        return f;
    }
};

} // namespace sigma::extract

#endif
