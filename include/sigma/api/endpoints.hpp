// SPDX-License-Identifier: MIT
// The Sigma endpoints the connector reads, each a described struct whose
// members are its parameters. Paths are relative to {hostPort}/{apiVersion}
// unless an endpoint fixes its version (the paginated /v2.1 listings).
#ifndef SIGMA_API_ENDPOINTS_HPP
#define SIGMA_API_ENDPOINTS_HPP

#include <sigma/api/endpoint.hpp>
#include <sigma/api/models.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace sigma::api {

// Lineage of a layout element, or of an element without lineage metadata,
// answers 400/403/409/500: read as "no lineage".
inline constexpr soft_statuses element_lineage_soft{400, 403, 409, 500};
// Workbooks and data models without a lineage graph answer 400/403/404.
inline constexpr soft_statuses lineage_soft{400, 403, 404};

struct get_whoami : endpoint<"/whoami", whoami> {};
BOOST_DESCRIBE_STRUCT(get_whoami, (), ())

// ---- workbooks -------------------------------------------------------------
struct list_workbooks : endpoint<"/workbooks", workbook, paging::a> {
    std::optional<bool> isArchived;
    std::optional<bool> excludeTags;
    std::optional<bool> skipPermissionCheck;
    std::optional<bool> excludeExplorations;
};
BOOST_DESCRIBE_STRUCT(list_workbooks, (), (isArchived, excludeTags, skipPermissionCheck, excludeExplorations))

struct get_workbook : endpoint<"/workbooks/{workbookId}", workbook, paging::none, soft_statuses{}> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(get_workbook, (), (workbookId))

struct list_workbook_pages : endpoint<"/workbooks/{workbookId}/pages", workbook_page, paging::a> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_pages, (), (workbookId))

struct list_page_elements
    : endpoint<"/workbooks/{workbookId}/pages/{pageId}/elements", workbook_element, paging::a> {
    std::string workbookId;
    std::string pageId;
};
BOOST_DESCRIBE_STRUCT(list_page_elements, (), (workbookId, pageId))

struct list_workbook_elements : endpoint<"/workbooks/{workbookId}/elements", workbook_element, paging::a> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_elements, (), (workbookId))

struct get_element_lineage : endpoint<"/workbooks/{workbookId}/lineage/elements/{elementId}", element_lineage,
                                      paging::none, element_lineage_soft> {
    std::string workbookId;
    std::string elementId;
};
BOOST_DESCRIBE_STRUCT(get_element_lineage, (), (workbookId, elementId))

struct list_workbook_lineage
    : endpoint<"/workbooks/{workbookId}/lineage", workbook_lineage_entry, paging::a, lineage_soft> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_lineage, (), (workbookId))

// 404: the element has no query.
struct get_element_query : endpoint<"/workbooks/{workbookId}/elements/{elementId}/query",
                                    std::optional<element_query>, paging::none, soft_statuses{404}> {
    std::string workbookId;
    std::string elementId;
};
BOOST_DESCRIBE_STRUCT(get_element_query, (), (workbookId, elementId))

struct list_workbook_queries : endpoint<"/workbooks/{workbookId}/queries", workbook_query, paging::a> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_queries, (), (workbookId))

struct list_workbook_columns : endpoint<"/workbooks/{workbookId}/columns", workbook_column, paging::a> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_columns, (), (workbookId))

struct list_workbook_sources : endpoint<"/workbooks/{workbookId}/sources", workbook_source, paging::bare_array> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_sources, (), (workbookId))

// ---- files, members, workspaces ------------------------------------------------
struct list_files : endpoint<"/files", file, paging::a> {
    std::optional<std::string> typeFilters;      // e.g. "workbook", "folder,workspace"
    std::optional<std::string> parentId;
    std::optional<std::string> permissionFilter;
};
BOOST_DESCRIBE_STRUCT(list_files, (), (typeFilters, parentId, permissionFilter))

// inodeId: the file's UUID or its urlId.
struct get_file : endpoint<"/files/{inodeId}", file> {
    std::string inodeId;
};
BOOST_DESCRIBE_STRUCT(get_file, (), (inodeId))

// /v2/members answers a bare array without `limit`; /v2.1 pages.
struct list_members : endpoint<"/members", member, paging::a_or_bare, soft_statuses{}, http_method::get, "v2.1"> {
    std::optional<bool> includeArchived;
    std::optional<bool> includeInactive;
};
BOOST_DESCRIBE_STRUCT(list_members, (), (includeArchived, includeInactive))

struct get_member : endpoint<"/members/{memberId}", member> {
    std::string memberId;
};
BOOST_DESCRIBE_STRUCT(get_member, (), (memberId))

struct list_workspaces
    : endpoint<"/workspaces", workspace, paging::a_or_bare, soft_statuses{}, http_method::get, "v2.1"> {};
BOOST_DESCRIBE_STRUCT(list_workspaces, (), ())

// 403: not accessible to this credential (the extraction falls back to the folder path).
struct get_workspace : endpoint<"/workspaces/{workspaceId}", workspace> {
    std::string workspaceId;
};
BOOST_DESCRIBE_STRUCT(get_workspace, (), (workspaceId))

// ---- data models ------------------------------------------------------------
struct list_data_models : endpoint<"/dataModels", data_model, paging::a> {
    std::optional<bool> excludeTags;
    std::optional<bool> skipPermissionCheck;
};
BOOST_DESCRIBE_STRUCT(list_data_models, (), (excludeTags, skipPermissionCheck))

struct get_data_model : endpoint<"/dataModels/{dataModelId}", data_model> {
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(get_data_model, (), (dataModelId))

struct list_data_model_elements : endpoint<"/dataModels/{dataModelId}/elements", data_model_element, paging::a> {
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_elements, (), (dataModelId))

struct list_data_model_columns : endpoint<"/dataModels/{dataModelId}/columns", data_model_column, paging::a> {
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_columns, (), (dataModelId))

struct list_data_model_lineage
    : endpoint<"/dataModels/{dataModelId}/lineage", data_model_lineage_entry, paging::a, lineage_soft> {
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_lineage, (), (dataModelId))

struct list_data_model_sources : endpoint<"/dataModels/{dataModelId}/sources", data_model_source, paging::b> {
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_sources, (), (dataModelId))

// ---- connections and tags -----------------------------------------------------
struct list_connections : endpoint<"/connections", connection, paging::a> {
    std::optional<bool> includeArchived;
};
BOOST_DESCRIBE_STRUCT(list_connections, (), (includeArchived))

struct get_connection : endpoint<"/connections/{connectionId}", connection> {
    std::string connectionId;
};
BOOST_DESCRIBE_STRUCT(get_connection, (), (connectionId))

// The exact warehouse location of a table inode; an error for non-tables.
struct get_connection_path : endpoint<"/connections/paths/{inodeId}", connection_path> {
    std::string inodeId;
};
BOOST_DESCRIBE_STRUCT(get_connection_path, (), (inodeId))

struct list_tags : endpoint<"/tags", version_tag, paging::a> {};
BOOST_DESCRIBE_STRUCT(list_tags, (), ())

} // namespace sigma::api

#endif
