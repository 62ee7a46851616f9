// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_MEMBER_HPP
#define SIGMA_API_MODELS_MEMBER_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace sigma::api {

// GET /v2.1/members (entries, paging A), GET /v2/members (a bare array when
// `limit` is absent) and GET /v2/members/{memberId}. Owners are matched by
// `email`. `memberType` (admin, creator, viewer, custom account types) and
// `userKind` stay strings.
struct member {
    std::optional<std::string> organizationId;
    std::string memberId;
    std::string memberType;
    std::string firstName;
    std::string lastName;
    std::string email;
    std::optional<std::string> profileImgUrl;
    std::optional<std::string> createdBy;
    std::optional<std::string> updatedBy;
    std::optional<std::string> createdAt;
    std::optional<std::string> updatedAt;
    std::optional<std::string> homeFolderId;
    std::string userKind;
    std::optional<bool> isArchived;
    std::optional<bool> isInactive;

    bool operator==(member const&) const = default;
};
BOOST_DESCRIBE_STRUCT(member, (),
                      (organizationId, memberId, memberType, firstName, lastName, email, profileImgUrl, createdBy,
                       updatedBy, createdAt, updatedAt, homeFolderId, userKind, isArchived, isInactive))

} // namespace sigma::api

#endif
