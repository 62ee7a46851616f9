// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_CONNECTION_HPP
#define SIGMA_API_MODELS_CONNECTION_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sigma::api {

// GET /v2/connections (entries, paging A) and GET /v2/connections/{connectionId}.
// `type` (snowflake, bigQuery, redshift, databricks, postgres, ...) stays a
// string: new warehouse types appear. Optional strings can be present and
// empty (`""`) where a value is missing. `host` is sent for host-based
// warehouses although the spec does not list it.
struct connection {
    std::optional<std::string> organizationId;
    std::string connectionId;
    std::optional<bool> isSample;
    std::optional<bool> isAuditLog;
    std::optional<std::string> lastActiveAt;
    std::string name;
    std::string type;
    std::optional<bool> useOauth;
    std::optional<std::string> createdBy;
    std::optional<std::string> updatedBy;
    std::optional<std::string> createdAt;
    std::optional<std::string> updatedAt;
    std::optional<bool> isArchived;
    std::optional<std::string> account;
    std::optional<std::string> host;
    std::optional<std::string> warehouse;
    std::optional<std::string> user;
    std::optional<std::string> role;

    bool operator==(connection const&) const = default;
};
BOOST_DESCRIBE_STRUCT(connection, (),
                      (organizationId, connectionId, isSample, isAuditLog, lastActiveAt, name, type, useOauth,
                       createdBy, updatedBy, createdAt, updatedAt, isArchived, account, host, warehouse, user, role))

// GET /v2/connections/paths/{inodeId}: where a table lives in its warehouse,
// `path` = ["DB", "SCHEMA", "TABLE"] (an error for non-tables). The entries of
// GET /v2/connections/paths (paging A, `total` unreliable) add `urlId`.
struct connection_path {
    std::string connectionId;
    std::vector<std::string> path;
    std::optional<std::string> urlId;

    bool operator==(connection_path const&) const = default;
};
BOOST_DESCRIBE_STRUCT(connection_path, (), (connectionId, path, urlId))

} // namespace sigma::api

#endif
