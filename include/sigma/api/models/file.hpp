// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_FILE_HPP
#define SIGMA_API_MODELS_FILE_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sigma::api {

// `type` of a file (an inode of Sigma's document tree). A data model occurs
// spelt both `data-model` and `dataModel`; they are kept apart so that
// encoding gives back what was read: test with is_data_model().
enum class file_type {
    unknown,
    workspace,
    folder,
    workbook,
    dataset,
    data_model, // "data-model"
    dataModel,
    sql,
    worksheet,
    dashboard,
    template_, // "template"
    table,
    symlink,
    report,
};
BOOST_DESCRIBE_ENUM(file_type, unknown, workspace, folder, workbook, dataset, data_model, dataModel, sql, worksheet,
                    dashboard, template_, table, symlink, report)

constexpr std::string_view sigma_json_enum_name(file_type t) noexcept {
    switch (t) {
    case file_type::data_model: return "data-model";
    case file_type::template_: return "template";
    default: return {};
    }
}

constexpr bool is_data_model(file_type t) noexcept {
    return t == file_type::data_model || t == file_type::dataModel;
}

// What the credential may do with a file.
enum class file_permission { unknown, create, annotate, organize, explore, view, edit, apply };
BOOST_DESCRIBE_ENUM(file_permission, unknown, create, annotate, organize, explore, view, edit, apply)

// GET /v2/files (entries, paging A; filters `typeFilters`, `parentId`,
// `permissionFilter`) and GET /v2/files/{inodeId} (the UUID or the urlId).
// `path` is the folder path (`Connection Root/DB/SCHEMA` for a table);
// `badge` is Endorsed, Deprecated, Warning or null.
struct file {
    std::string id;
    std::string urlId;
    std::string name;
    file_type type = file_type::unknown;
    std::string parentId;
    std::string parentUrlId;
    std::string path;
    std::optional<std::string> badge;
    file_permission permission = file_permission::unknown;
    bool isArchived = false;
    std::optional<std::string> ownerId;
    std::optional<std::string> description;
    std::optional<std::string> parentSourceUrlId;
    std::optional<std::string> createdBy;
    std::optional<std::string> updatedBy;
    std::optional<std::string> createdAt;
    std::optional<std::string> updatedAt;

    bool operator==(file const&) const = default;
};
BOOST_DESCRIBE_STRUCT(file, (),
                      (id, urlId, name, type, parentId, parentUrlId, path, badge, permission, isArchived, ownerId,
                       description, parentSourceUrlId, createdBy, updatedBy, createdAt, updatedAt))

} // namespace sigma::api

#endif
