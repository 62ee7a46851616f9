// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_VERSION_TAG_HPP
#define SIGMA_API_MODELS_VERSION_TAG_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace sigma::api {

// GET /v2/tags (entries, paging A): the organisation's version tags. A tag
// applied to a workbook is a workbook_tag (workbook.hpp). `color` stays a
// string (cyan, grass, violet, plum, amber, bronze so far).
struct version_tag {
    std::string versionTagId;
    std::string name;
    std::optional<std::string> ownerId;
    std::optional<std::string> createdBy;
    std::optional<std::string> updatedBy;
    std::optional<std::string> createdAt;
    std::optional<std::string> updatedAt;
    std::optional<bool> isArchived;
    std::optional<std::string> description;
    std::optional<std::string> color;

    bool operator==(version_tag const&) const = default;
};
BOOST_DESCRIBE_STRUCT(version_tag, (),
                      (versionTagId, name, ownerId, createdBy, updatedBy, createdAt, updatedAt, isArchived,
                       description, color))

} // namespace sigma::api

#endif
