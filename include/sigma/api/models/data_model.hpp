// SPDX-License-Identifier: MIT
// Sigma data models (the successors of datasets) and what is read from them.
#ifndef SIGMA_API_MODELS_DATA_MODEL_HPP
#define SIGMA_API_MODELS_DATA_MODEL_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/api/models/column.hpp>
#include <sigma/api/models/lineage.hpp>
#include <sigma/api/models/workbook.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sigma::api {

// A version tag applied to a data model: `tags` of GET /v2/dataModels and
// /v2/dataModels/{dataModelId}. Named differently from a workbook's tag.
struct data_model_tag {
    std::string versionTagId;
    std::string tagName;
    std::int64_t sourceVersion = 0; // `number` in the spec, an integer in practice
    std::string taggedAt;

    bool operator==(data_model_tag const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_tag, (), (versionTagId, tagName, sourceVersion, taggedAt))

// GET /v2/dataModels (entries, paging A) and GET /v2/dataModels/{dataModelId}.
struct data_model {
    std::string dataModelId;
    std::string dataModelUrlId;
    std::string name;
    std::string url;
    std::string path;
    std::int64_t latestVersion = 0; // `number` in the spec, an integer in practice
    std::string ownerId;
    std::optional<std::string> createdBy;
    std::optional<std::string> updatedBy;
    std::optional<std::string> createdAt;
    std::optional<std::string> updatedAt;
    std::optional<std::string> description;
    std::optional<bool> isArchived;
    std::optional<std::vector<data_model_tag>> tags;

    bool operator==(data_model const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model, (),
                      (dataModelId, dataModelUrlId, name, url, path, latestVersion, ownerId, createdBy, updatedBy,
                       createdAt, updatedAt, description, isArchived, tags))

// GET /v2/dataModels/{dataModelId}/elements: the shape of a workbook element.
using data_model_element = workbook_element;
// GET /v2/dataModels/{dataModelId}/columns: the shape of a workbook column.
using data_model_column = workbook_column;
// GET /v2/dataModels/{dataModelId}/lineage entries (data_model_lineage_entry)
// are declared with the workbook's in lineage.hpp; their `element` entries'
// sourceIds name elements or `inode-<urlId>`.

} // namespace sigma::api

#endif
