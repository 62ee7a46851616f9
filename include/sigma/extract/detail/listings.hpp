// SPDX-License-Identifier: MIT
// The extraction's own views of the listings it reads most: the same requests
// as sigma::api's endpoints, decoded into only the members it uses. A key not
// described is skipped by the parser without being built, and these pages are
// mostly such keys: a column's raw `type` object (a boost::json::value: a DOM
// build and two allocations per column, then thrown away), an element's
// `columns` (display names the column listing gives again), a file's dates,
// path, owner and permission. They are skipped under json::key_policy::reject
// too (api::partial_entries).
#ifndef SIGMA_EXTRACT_DETAIL_LISTINGS_HPP
#define SIGMA_EXTRACT_DETAIL_LISTINGS_HPP

#include <sigma/api/endpoint.hpp>
#include <sigma/api/endpoints.hpp>
#include <sigma/api/models/file.hpp>

#include <boost/describe/class.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace sigma::extract::detail {

// A column of GET /workbooks/{id}/columns or /dataModels/{id}/columns.
struct column_fields {
    std::string columnId;
    std::optional<std::string> name;
    std::optional<std::string> label;
    std::string formula;
    std::string elementId;
};
BOOST_DESCRIBE_STRUCT(column_fields, (), (columnId, name, label, formula, elementId))

// An element of a page's or a data model's element listing.
struct element_fields {
    std::string elementId;
    std::optional<std::string> name;
    std::optional<std::string> type;
    std::optional<std::string> vizualizationType;
};
BOOST_DESCRIBE_STRUCT(element_fields, (), (elementId, name, type, vizualizationType))

// An entry of GET /workbooks/{id}/queries.
struct query_fields {
    std::string elementId;
    std::optional<std::string> sql;
};
BOOST_DESCRIBE_STRUCT(query_fields, (), (elementId, sql))

// An entry of GET /files: what places workbooks and data models in their
// workspaces, and their badge.
struct file_fields {
    std::string id;
    std::string name;
    api::file_type type = api::file_type::unknown;
    std::string parentId;
    std::optional<std::string> badge;
};
BOOST_DESCRIBE_STRUCT(file_fields, (), (id, name, type, parentId, badge))

struct list_files : api::endpoint<"/files", file_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
};
BOOST_DESCRIBE_STRUCT(list_files, (), ())

struct list_workbook_columns : api::endpoint<"/workbooks/{workbookId}/columns", column_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_columns, (), (workbookId))

struct list_page_elements
    : api::endpoint<"/workbooks/{workbookId}/pages/{pageId}/elements", element_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string workbookId;
    std::string pageId;
};
BOOST_DESCRIBE_STRUCT(list_page_elements, (), (workbookId, pageId))

struct list_workbook_queries : api::endpoint<"/workbooks/{workbookId}/queries", query_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_workbook_queries, (), (workbookId))

struct list_data_model_elements
    : api::endpoint<"/dataModels/{dataModelId}/elements", element_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_elements, (), (dataModelId))

struct list_data_model_columns : api::endpoint<"/dataModels/{dataModelId}/columns", column_fields, api::paging::a> {
    static constexpr bool partial_entries = true;
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(list_data_model_columns, (), (dataModelId))

// The same requests as the public endpoints, whatever they become.
template <class Mine, class Theirs>
constexpr bool same_request() {
    return Mine::path_template == Theirs::path_template && Mine::paging_style == Theirs::paging_style &&
           Mine::method == Theirs::method && Mine::fixed_version == Theirs::fixed_version &&
           Mine::soft.codes == Theirs::soft.codes &&
           Mine::soft.count == Theirs::soft.count && Mine::max_page_size == Theirs::max_page_size;
}
static_assert(same_request<list_files, api::list_files>());
static_assert(same_request<list_workbook_columns, api::list_workbook_columns>());
static_assert(same_request<list_page_elements, api::list_page_elements>());
static_assert(same_request<list_workbook_queries, api::list_workbook_queries>());
static_assert(same_request<list_data_model_elements, api::list_data_model_elements>());
static_assert(same_request<list_data_model_columns, api::list_data_model_columns>());

} // namespace sigma::extract::detail

#endif
