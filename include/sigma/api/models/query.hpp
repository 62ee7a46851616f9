// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_QUERY_HPP
#define SIGMA_API_MODELS_QUERY_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace sigma::api {

// GET /v2/workbooks/{workbookId}/elements/{elementId}/query (404 = the
// element has no query) and the entries of GET /v2/workbooks/{workbookId}/queries
// (paging A). `error` replaces `sql` when Sigma cannot compile the element.
struct element_query {
    std::string elementId;
    std::optional<std::string> name;
    std::optional<std::string> sql;
    std::optional<std::string> error;

    bool operator==(element_query const&) const = default;
};
BOOST_DESCRIBE_STRUCT(element_query, (), (elementId, name, sql, error))

using workbook_query = element_query;

} // namespace sigma::api

#endif
