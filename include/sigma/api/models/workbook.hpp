// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_WORKBOOK_HPP
#define SIGMA_API_MODELS_WORKBOOK_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sigma::api {

// A version tag applied to a workbook: `tags` of GET /v2/workbooks and
// /v2/workbooks/{workbookId}; entries of GET /v2/workbooks/{workbookId}/tags.
struct workbook_tag {
    std::string versionTagId;
    std::string name;
    std::int64_t sourceWorkbookVersion = 0; // `number` in the spec, an integer in practice
    std::string taggedWorkbookId;
    std::string workbookTaggedAt;

    bool operator==(workbook_tag const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_tag, (), (versionTagId, name, sourceWorkbookVersion, taggedWorkbookId, workbookTaggedAt))

// GET /v2/workbooks (entries, paging A) and GET /v2/workbooks/{workbookId}.
// Timestamps are ISO-8601 strings. Owner is `ownerId`, not `createdBy`.
struct workbook {
    std::string workbookId;
    std::string workbookUrlId;
    std::string name;
    std::string url;
    std::string path;
    std::int64_t latestVersion = 0; // `number` in the spec, an integer in practice
    std::string ownerId;
    std::string createdBy;
    std::string updatedBy;
    std::string createdAt;
    std::string updatedAt;
    std::optional<bool> isArchived;
    std::optional<std::string> description;
    std::optional<std::vector<workbook_tag>> tags;
    std::optional<std::string> taggedSourceUrlId;

    bool operator==(workbook const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook, (),
                      (workbookId, workbookUrlId, name, url, path, latestVersion, ownerId, createdBy, updatedBy,
                       createdAt, updatedAt, isArchived, description, tags, taggedSourceUrlId))

// GET /v2/workbooks/{workbookId}/pages (entries, paging A).
struct workbook_page {
    std::string pageId;
    std::optional<std::string> name;
    std::optional<bool> hidden;

    bool operator==(workbook_page const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_page, (), (pageId, name, hidden))

// GET /v2/workbooks/{workbookId}/pages/{pageId}/elements and
// GET /v2/workbooks/{workbookId}/elements (entries, paging A); the same shape
// for GET /v2/dataModels/{dataModelId}/elements. Layout elements (`text`,
// `image`, `control`, ...) are often nameless. `type` and `vizualizationType`
// (Sigma's spelling) stay strings: new kinds appear without notice.
struct workbook_element {
    std::string elementId;
    std::optional<std::string> name;
    std::optional<std::string> type;
    std::optional<std::vector<std::string>> columns; // display names
    std::optional<std::string> vizualizationType;
    std::optional<std::string> error;

    bool operator==(workbook_element const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_element, (), (elementId, name, type, columns, vizualizationType, error))

} // namespace sigma::api

#endif
