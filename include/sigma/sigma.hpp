// SPDX-License-Identifier: MIT
// sigma-cpp: a header-only C++20 client for Sigma Computing's REST API.
// This umbrella header includes the whole library but the helpers for tests
// (sigma::testing: fakes, servers, simulated organisations), which are in
// <sigma/testing.hpp>: a file that includes this one does not pay for their
// compilation.
#ifndef SIGMA_SIGMA_HPP
#define SIGMA_SIGMA_HPP

#include <sigma/version.hpp>
#include <sigma/error.hpp>
#include <sigma/result.hpp>
#include <sigma/secret.hpp>
#include <sigma/json.hpp>
#include <sigma/log.hpp>
#include <sigma/clock.hpp>
#include <sigma/config.hpp>

// HTTP
#include <sigma/transport/transport.hpp>
#include <sigma/transport/beast.hpp>
#include <sigma/transport/any.hpp>
#include <sigma/transport/snapshot.hpp>
#include <sigma/transport/recording.hpp>
#include <sigma/transport/replay.hpp>
#include <sigma/transport/anonymise.hpp>

// The API as types, and the client
#include <sigma/api/models.hpp>
#include <sigma/api/endpoint.hpp>
#include <sigma/api/endpoints.hpp>
#include <sigma/api/paging.hpp>
#include <sigma/client.hpp>

// The connector
#include <sigma/extract/inventory.hpp>
#include <sigma/extract/options.hpp>
#include <sigma/extract/sink.hpp>
#include <sigma/extract/lineage_walk.hpp>
#include <sigma/extract/column_lineage.hpp>
#include <sigma/extract/service_types.hpp>
#include <sigma/extract/extractor.hpp>

// OpenMetadata output
#include <sigma/openmetadata.hpp>

#endif
