// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_WORKSPACE_HPP
#define SIGMA_API_MODELS_WORKSPACE_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace sigma::api {

// GET /v2.1/workspaces (entries, paging A), GET /v2/workspaces (a bare array
// when `limit` is absent) and GET /v2/workspaces/{workspaceId} (403 when the
// credential cannot see it). `workspaceUrlId` is required by the spec, yet
// real answers can omit it.
struct workspace {
    std::string workspaceId;
    std::optional<std::string> workspaceUrlId;
    std::string name;
    std::string createdBy;
    std::string updatedBy;
    std::string createdAt;
    std::string updatedAt;

    bool operator==(workspace const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workspace, (), (workspaceId, workspaceUrlId, name, createdBy, updatedBy, createdAt, updatedAt))

} // namespace sigma::api

#endif
