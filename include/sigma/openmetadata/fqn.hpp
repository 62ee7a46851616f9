// SPDX-License-Identifier: MIT
// OpenMetadata fully qualified names: how charts, data models and warehouse
// tables are named across entities, and the `dbServicePrefix` setting.
#ifndef SIGMA_OPENMETADATA_FQN_HPP
#define SIGMA_OPENMETADATA_FQN_HPP

#include <sigma/error.hpp>
#include <sigma/extract/inventory.hpp>
#include <sigma/result.hpp>

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::openmetadata {

// One part of an FQN as OpenMetadata writes it: a name containing '.' is
// wrapped in double quotes (`"v1.2"`), any other name is kept as is.
inline std::string quote_name(std::string_view name) {
    if (name.find('.') == std::string_view::npos || name.find('"') != std::string_view::npos) return std::string(name);
    std::string out;
    out.reserve(name.size() + 2);
    out += '"';
    out += name;
    out += '"';
    return out;
}

inline std::string build_fqn(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (auto p : parts) {
        if (!out.empty()) out += '.';
        out += quote_name(p);
    }
    return out;
}

// Splits an FQN at the dots outside double quotes; quotes are removed.
inline std::vector<std::string> split_fqn(std::string_view fqn) {
    std::vector<std::string> parts(1);
    bool quoted = false;
    for (char c : fqn) {
        if (c == '"') quoted = !quoted;
        else if (c == '.' && !quoted) parts.emplace_back();
        else parts.back() += c;
    }
    return parts;
}

// Names of the dashboard service's entities: charts are `<service>.<chart>`,
// dashboards `<service>.<dashboard>`, data models `<service>.model.<model>`.
inline std::string chart_fqn(std::string_view service, std::string_view chart) { return build_fqn({service, chart}); }
inline std::string dashboard_fqn(std::string_view service, std::string_view dashboard) {
    return build_fqn({service, dashboard});
}
inline std::string data_model_fqn(std::string_view service, std::string_view model) {
    return build_fqn({service, "model", model});
}
inline std::string column_fqn(std::string_view parent_fqn, std::string_view column) {
    return std::string(parent_fqn) + "." + quote_name(column);
}

// OpenMetadata's `dbServicePrefix`: `service[.database[.schema[.table]]]`,
// each part a name or `*`. The rule sigma-cpp applies to a lineage table:
// its FQN is `<service>.<database>.<schema>.<table>`, built from what Sigma
// knows (the connection's name as the service, the connection path for the
// rest), then every non-wildcard part of the prefix replaces the part in the
// same place. So `snowflake_prod` names the database service of every table,
// `snowflake_prod.ANALYTICS` also pins the database, and `*.*.PUBLIC` only
// the schema. A part that neither Sigma nor the prefix knows is written `*`,
// which a resolver reads as "any" (a search, as OpenMetadata's connector does).
struct db_service_prefix {
    std::array<std::optional<std::string>, 4> parts; // service, database, schema, table; nullopt = `*`

    static result<db_service_prefix> parse(std::string_view text) {
        db_service_prefix p;
        if (text.empty()) return p;
        auto split = split_fqn(text);
        if (split.size() > 4)
            return sigma::error(errc::config, "dbServicePrefix: \"" + std::string(text) +
                                                  "\" has more than 4 parts; expected service.database.schema.table");
        for (std::size_t i = 0; i < split.size(); ++i) {
            if (split[i].empty())
                return sigma::error(errc::config, "dbServicePrefix: \"" + std::string(text) + "\": part " +
                                                      std::to_string(i + 1) + " is empty (use * for any)");
            if (split[i] != "*") p.parts[i] = split[i];
        }
        return p;
    }
};

inline constexpr std::string_view any_part = "*";

// The FQN parts of a lineage table (service, database, schema, table). The
// connection path is aligned on the right: the table is its last part, the
// schema the one before, the database the one before that.
inline std::array<std::string, 4> table_fqn_parts(extract::table_ref const& t, db_service_prefix const& prefix) {
    std::array<std::string, 4> parts;
    if (t.connectionName && !t.connectionName->empty()) parts[0] = *t.connectionName;
    std::size_t const n = t.path.size() < 3 ? t.path.size() : 3;
    for (std::size_t i = 0; i < n; ++i) parts[3 - i] = t.path[t.path.size() - 1 - i];
    for (std::size_t i = 0; i < 4; ++i) {
        if (prefix.parts[i]) parts[i] = *prefix.parts[i];
        if (parts[i].empty()) parts[i] = any_part;
    }
    return parts;
}

inline std::string table_fqn(extract::table_ref const& t, db_service_prefix const& prefix) {
    auto p = table_fqn_parts(t, prefix);
    return build_fqn({p[0], p[1], p[2], p[3]});
}

} // namespace sigma::openmetadata

#endif
