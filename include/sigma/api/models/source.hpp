// SPDX-License-Identifier: MIT
// What a workbook or a data model reads from, tagged by `type`.
#ifndef SIGMA_API_MODELS_SOURCE_HPP
#define SIGMA_API_MODELS_SOURCE_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sigma::api {

// A data model and the elements of it that are used; both tag spellings occur.
struct source_data_model {
    static constexpr sigma::json::tag json_tag{"type", "data-model", "dataModel"};
    std::string dataModelId;
    std::vector<std::string> elementIds;
    std::optional<std::string> versionTagId;

    bool operator==(source_data_model const&) const = default;
};
BOOST_DESCRIBE_STRUCT(source_data_model, (), (dataModelId, elementIds, versionTagId))

// Custom SQL: spelt `custom-sql` by the spec; `customSQL` and `customSql` occur too.
struct source_custom_sql {
    static constexpr sigma::json::tag json_tag{"type", "custom-sql", "customSQL", "customSql"};
    std::string connectionId;
    std::string definition;
    std::optional<std::string> customSqlId;

    bool operator==(source_custom_sql const&) const = default;
};
BOOST_DESCRIBE_STRUCT(source_custom_sql, (), (connectionId, definition, customSqlId))

// A kind of source not modelled here: kept with its tag.
struct source_other {
    static constexpr sigma::json::tag json_tag{"type"};
    std::string type;

    bool operator==(source_other const&) const = default;
};
BOOST_DESCRIBE_STRUCT(source_other, (), (type))

// A (retired) dataset read by a workbook.
struct workbook_source_dataset {
    static constexpr sigma::json::tag json_tag{"type", "dataset"};
    std::string inodeId;
    std::string url;

    bool operator==(workbook_source_dataset const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_source_dataset, (), (inodeId, url))

// A warehouse table read by a workbook.
struct workbook_source_table {
    static constexpr sigma::json::tag json_tag{"type", "table"};
    std::string inodeId;

    bool operator==(workbook_source_table const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_source_table, (), (inodeId))

// GET /v2/workbooks/{workbookId}/sources: a bare JSON array of these.
using workbook_source = std::variant<source_data_model, workbook_source_dataset, workbook_source_table,
                                     source_custom_sql, source_other>;

// A dataset read by a data model.
struct data_model_source_dataset {
    static constexpr sigma::json::tag json_tag{"type", "dataset"};
    std::string datasetId;

    bool operator==(data_model_source_dataset const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_source_dataset, (), (datasetId))

// A warehouse table read by a data model.
struct data_model_source_table {
    static constexpr sigma::json::tag json_tag{"type", "table"};
    std::string tableId;

    bool operator==(data_model_source_table const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_source_table, (), (tableId))

// GET /v2/dataModels/{dataModelId}/sources (entries, paging B).
using data_model_source = std::variant<source_data_model, data_model_source_dataset, data_model_source_table,
                                       source_custom_sql, source_other>;

} // namespace sigma::api

#endif
