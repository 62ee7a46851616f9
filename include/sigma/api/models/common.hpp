// SPDX-License-Identifier: MIT
// The two paging envelopes of Sigma's list endpoints.
#ifndef SIGMA_API_MODELS_COMMON_HPP
#define SIGMA_API_MODELS_COMMON_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sigma::api {

// Style A: `limit` + `page` in, `{entries, nextPage, total, hasMore}` out
// (GET /v2/workbooks, /files, /v2.1/members, /dataModels, /connections, /tags, ...).
// `nextPage` is an opaque cursor, null or empty on the last page. `total` is
// not always right (/connections/paths). `hasMore` is deprecated and has been
// seen as the string "true", so it is kept raw and never relied on.
template <class T>
struct page_a {
    std::vector<T> entries;
    std::optional<std::string> nextPage;
    std::optional<std::int64_t> total;
    std::optional<boost::json::value> hasMore;

    bool operator==(page_a const&) const = default;
    BOOST_DESCRIBE_CLASS(page_a, (), (entries, nextPage, total, hasMore), (), ())
};

// Style B: `pageSize` + `pageToken` in, `{entries, nextPageToken}` out, the
// token absent on the last page (GET /v2/connections/tables/{tableId}/columns,
// /v2/dataModels/{id}/sources, /v2/dataModels/{id}/materializationSchedules, /v2/tenants).
template <class T>
struct page_b {
    std::vector<T> entries;
    std::optional<std::string> nextPageToken;

    bool operator==(page_b const&) const = default;
    BOOST_DESCRIBE_CLASS(page_b, (), (entries, nextPageToken), (), ())
};

} // namespace sigma::api

#endif
