// SPDX-License-Identifier: MIT
// What the extraction knows about an organisation, in Sigma's terms: plain
// described structs, so that the typed inventory encodes to JSON as it is.
// The OpenMetadata mapping (sigma/openmetadata/) reads these; nothing here
// knows OpenMetadata.
#ifndef SIGMA_EXTRACT_INVENTORY_HPP
#define SIGMA_EXTRACT_INVENTORY_HPP

#include <sigma/api/models.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::extract {

// A warehouse table that lineage reaches, resolved to its connection.
struct table_ref {
    std::string inodeId;                    // inode-<urlId> as lineage names it
    std::optional<std::string> connectionId;
    std::optional<std::string> connectionName;
    std::optional<std::string> connectionType;   // Sigma's type: snowflake, bigQuery, ...
    std::optional<std::string> serviceType;      // OpenMetadata's database service type: Snowflake, BigQuery, ...
    std::vector<std::string> path;               // database, schema, table (as many as known)
    // "connection-path" (exact) or "files" (the folder path of /files) or "none".
    std::string resolvedBy = "none";
    bool operator==(table_ref const&) const = default;
};
BOOST_DESCRIBE_STRUCT(table_ref, (), (inodeId, connectionId, connectionName, connectionType, serviceType, path, resolvedBy))

enum class source_kind { table, dataset, data_model, element, custom_sql, unknown };
BOOST_DESCRIBE_ENUM(source_kind, table, dataset, data_model, element, custom_sql, unknown)

// One true source of an element, reached through join/union/intermediate nodes.
struct lineage_source {
    source_kind kind = source_kind::unknown;
    std::string id;                          // inodeId, dataModelId or urlId, elementId
    std::optional<std::string> name;
    std::optional<table_ref> table;          // for kind == table
    std::optional<std::string> dataModelElementId; // for a data model's element, when known
    std::optional<std::string> sql;          // for custom SQL
    bool operator==(lineage_source const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_source, (), (kind, id, name, table, dataModelElementId, sql))

// How a column edge was found: from a formula `[Source/Column]`, from a
// warehouse column id `inode-<urlId>/<COLUMN>`, or by matching names (a fallback).
enum class column_match { formula, warehouse_id, name };
BOOST_DESCRIBE_ENUM(column_match, formula, warehouse_id, name)

struct column_edge {
    std::string fromSource;   // lineage_source::id
    std::string fromColumn;
    std::string toColumn;     // the element's column (display name)
    column_match how = column_match::name;
    bool operator==(column_edge const&) const = default;
};
BOOST_DESCRIBE_STRUCT(column_edge, (), (fromSource, fromColumn, toColumn, how))

struct column_info {
    std::string columnId;
    std::string name;                        // `name`, else `label`
    std::optional<std::string> formula;
    bool operator==(column_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(column_info, (), (columnId, name, formula))

// Data elements have lineage; layout elements (text, image, control, divider,
// button) do not, and are kept flagged as such.
constexpr bool is_data_element_type(std::string_view type) noexcept {
    return type == "table" || type == "pivot-table" || type == "input-table" || type == "visualization";
}

struct element_info {
    std::string elementId;
    std::string workbookId;
    std::string pageId;
    std::optional<std::string> name;
    std::optional<std::string> type;
    std::optional<std::string> vizualizationType;
    bool dataElement = false;
    std::string url;                         // the element's own deep link
    std::vector<column_info> columns;
    std::optional<std::string> sql;
    std::vector<lineage_source> sources;
    std::vector<column_edge> columnLineage;
    bool operator==(element_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(element_info, (),
                      (elementId, workbookId, pageId, name, type, vizualizationType, dataElement, url, columns, sql,
                       sources, columnLineage))

struct page_info {
    std::string pageId;
    std::optional<std::string> name;
    std::optional<bool> hidden;
    std::vector<element_info> elements;
    bool operator==(page_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(page_info, (), (pageId, name, hidden, elements))

struct workbook_info {
    api::workbook workbook;
    std::optional<std::string> workspaceId;
    std::optional<std::string> workspaceName;  // the project; falls back to the path's first part
    std::optional<std::string> ownerEmail;
    std::optional<std::string> badge;          // Endorsed, Deprecated, Warning
    std::vector<std::string> tags;             // badge and version tag names
    bool archived = false;
    bool personal = false;                     // in a member's My Documents
    std::vector<page_info> pages;
    std::vector<std::string> dataModelIds;     // data models it reads (sources)
    bool operator==(workbook_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_info, (),
                      (workbook, workspaceId, workspaceName, ownerEmail, badge, tags, archived, personal, pages,
                       dataModelIds))

struct data_model_element_info {
    std::string elementId;
    std::optional<std::string> name;
    std::optional<std::string> type;
    std::vector<column_info> columns;
    std::optional<std::string> sql;            // custom SQL elements keep their SQL
    std::vector<lineage_source> sources;
    bool operator==(data_model_element_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_element_info, (), (elementId, name, type, columns, sql, sources))

struct data_model_info {
    api::data_model dataModel;
    std::optional<std::string> workspaceName;
    std::optional<std::string> ownerEmail;
    std::vector<std::string> tags;
    bool archived = false;
    std::vector<data_model_element_info> elements;
    bool operator==(data_model_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_info, (), (dataModel, workspaceName, ownerEmail, tags, archived, elements))

struct workspace_info {
    std::string workspaceId;
    std::string name;
    bool accessible = true;                   // false when /workspaces/{id} answered 403
    bool personal = false;                    // a member's My Documents
    std::optional<std::string> ownerEmail;
    bool operator==(workspace_info const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workspace_info, (), (workspaceId, name, accessible, personal, ownerEmail))

// A failure that did not stop the run.
struct failure {
    std::string entity;       // e.g. "workbook 3f0c... (Revenue)"
    std::string endpoint;     // e.g. "GET /v2/workbooks/3f0c.../pages"
    std::string error;
    bool operator==(failure const&) const = default;
};
BOOST_DESCRIBE_STRUCT(failure, (), (entity, endpoint, error))

struct filtered {
    std::string kind;         // workbook, element, data model, workspace
    std::string name;
    std::string pattern;      // which setting and which regex filtered it
    bool operator==(filtered const&) const = default;
};
BOOST_DESCRIBE_STRUCT(filtered, (), (kind, name, pattern))

// An entity a complete run no longer found (or no longer emits: filtered
// out, archived) although the last complete run did: a catalogue may delete it.
enum class entity_kind { workbook, element, data_model };
BOOST_DESCRIBE_ENUM(entity_kind, workbook, element, data_model)

struct deletion {
    entity_kind kind = entity_kind::workbook;
    std::string id;           // workbookId, elementId or dataModelId
    std::string name;         // as the last run saw it
    std::string workbookId;   // elements: the workbook it was in
    bool dataElement = false; // elements: a data element (also an element data model, when mapped so)
    std::string reason;       // "not in the listing", "not in the workbook any more", a filter
    bool operator==(deletion const&) const = default;
};
BOOST_DESCRIBE_STRUCT(deletion, (), (kind, id, name, workbookId, dataElement, reason))

struct report {
    // True when every organisation-wide listing succeeded: only then may a
    // catalogue delete what this run did not see.
    bool complete = false;
    std::string incompleteReason;
    std::uint64_t workspaces = 0;
    std::uint64_t workbooks = 0;
    std::uint64_t pages = 0;
    std::uint64_t elements = 0;
    std::uint64_t dataModels = 0;
    std::uint64_t lineageEdges = 0;
    std::uint64_t columnEdges = 0;
    std::uint64_t columnNameFallbacks = 0;   // column edges found only by matching names
    std::uint64_t requests = 0;
    std::uint64_t retries = 0;
    std::uint64_t rateLimited = 0;
    std::vector<std::string> warnings;
    std::vector<failure> failures;
    std::vector<filtered> filteredOut;
    // Incremental runs (sigma/extract/state.hpp): the workbooks and data
    // models handed on from the state without asking the API, what the run
    // found deleted, and what it did with the state (or why it did not).
    std::uint64_t reused = 0;
    std::uint64_t outOfScope = 0; // scoped runs: workbooks and data models not read
    std::vector<deletion> deletions;
    std::string stateNote;
    bool operator==(report const&) const = default;
};
BOOST_DESCRIBE_STRUCT(report, (),
                      (complete, incompleteReason, workspaces, workbooks, pages, elements, dataModels, lineageEdges,
                       columnEdges, columnNameFallbacks, requests, retries, rateLimited, warnings, failures,
                       filteredOut, reused, outOfScope, deletions, stateNote))

// The exit status of a finished run, as sigma-extract gives it: 0 clean; 1
// completed with entity failures; 2 the run failed (an organisation-wide
// listing failed: the run is incomplete). A run that never got a report
// (configuration, authentication) is exit_run_failed too.
inline constexpr int exit_clean = 0;
inline constexpr int exit_entity_failures = 1;
inline constexpr int exit_run_failed = 2;

[[nodiscard]] inline int exit_status(report const& r) noexcept {
    if (!r.complete) return exit_run_failed;
    return r.failures.empty() ? exit_clean : exit_entity_failures;
}

// Everything, collected (the alternative to streaming into a sink).
struct inventory {
    std::vector<workspace_info> workspaces;
    std::vector<api::connection> connections;
    std::vector<data_model_info> dataModels;
    std::vector<workbook_info> workbooks;
    report status;
    bool operator==(inventory const&) const = default;
};
BOOST_DESCRIBE_STRUCT(inventory, (), (workspaces, connections, dataModels, workbooks, status))

} // namespace sigma::extract

#endif
