// SPDX-License-Identifier: MIT
// Every response model of the Sigma REST API that sigma-cpp reads. Only the
// schema engine is needed: no networking header comes in through here.
#ifndef SIGMA_API_MODELS_HPP
#define SIGMA_API_MODELS_HPP

#include <sigma/secret.hpp>
#include <sigma/api/models/common.hpp>
#include <sigma/api/models/auth.hpp>
#include <sigma/api/models/whoami.hpp>
#include <sigma/api/models/workbook.hpp>
#include <sigma/api/models/lineage.hpp>
#include <sigma/api/models/source.hpp>
#include <sigma/api/models/query.hpp>
#include <sigma/api/models/column.hpp>
#include <sigma/api/models/file.hpp>
#include <sigma/api/models/member.hpp>
#include <sigma/api/models/workspace.hpp>
#include <sigma/api/models/data_model.hpp>
#include <sigma/api/models/connection.hpp>
#include <sigma/api/models/version_tag.hpp>
#include <sigma/api/models/error_body.hpp>

#endif
