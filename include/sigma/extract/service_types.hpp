// SPDX-License-Identifier: MIT
// Sigma connection types mapped to OpenMetadata database service types, so
// that lineage can name the warehouse table's service.
#ifndef SIGMA_EXTRACT_SERVICE_TYPES_HPP
#define SIGMA_EXTRACT_SERVICE_TYPES_HPP

#include <sigma/detail/prelude.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sigma::extract {

// Keys are compared without case and without '-', '_' and spaces, since Sigma
// spells them variously (bigQuery, big-query).
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 17> connection_service_types{{
    {"snowflake", "Snowflake"},
    {"bigquery", "BigQuery"},
    {"redshift", "Redshift"},
    {"databricks", "Databricks"},
    {"postgres", "Postgres"},
    {"postgresql", "Postgres"},
    {"alloydb", "Postgres"},
    {"mysql", "Mysql"},
    {"athena", "Athena"},
    {"trino", "Trino"},
    {"starburst", "Trino"},
    {"presto", "Presto"},
    {"sqlserver", "Mssql"},
    {"azuresql", "AzureSQL"},
    {"synapse", "Synapse"},
    {"oracle", "Oracle"},
    {"clickhouse", "Clickhouse"},
}};

// OpenMetadata's DatabaseServiceType for a Sigma connection type, or nullopt.
inline std::optional<std::string> service_type_for(std::string_view connection_type) {
    std::string key;
    for (char c : connection_type)
        if (c != '-' && c != '_' && c != ' ') key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto const& [k, v] : connection_service_types)
        if (k == key) return std::string(v);
    return std::nullopt;
}

} // namespace sigma::extract

#endif
