// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_COLUMN_HPP
#define SIGMA_API_MODELS_COLUMN_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sigma::api {

// GET /v2/workbooks/{workbookId}/columns and GET /v2/dataModels/{dataModelId}/columns
// (paging A). The display name comes as `name` or as `label`. `formula`
// references `[Source/Column]`; warehouse-backed column ids look like
// `inode-<tableUrlId>/<NATIVE_NAME>`. `type` is an object whose shape Sigma
// does not document, kept raw.
struct workbook_column {
    std::string columnId;
    std::optional<std::string> name;
    std::optional<std::string> label;
    std::string formula;
    std::string elementId;
    boost::json::value type;

    // `name`, else `label`, else empty.
    [[nodiscard]] std::string_view display_name() const noexcept {
        if (name) return *name;
        if (label) return *label;
        return {};
    }

    bool operator==(workbook_column const&) const = default;
};
BOOST_DESCRIBE_STRUCT(workbook_column, (), (columnId, name, label, formula, elementId, type))

// GET /v2/workbooks/{workbookId}/elements/{elementId}/columns (paging A).
struct element_column {
    std::string columnId;
    std::string label;
    std::string formula;
    boost::json::value type;

    bool operator==(element_column const&) const = default;
};
BOOST_DESCRIBE_STRUCT(element_column, (), (columnId, label, formula, type))

} // namespace sigma::api

#endif
