// SPDX-License-Identifier: MIT
// The OpenMetadata output: request bodies, the mapping from extracted Sigma
// entities, the JSON Lines writer and the Graphviz lineage graph. Needs no
// networking header.
#ifndef SIGMA_OPENMETADATA_HPP
#define SIGMA_OPENMETADATA_HPP

#include <sigma/openmetadata/requests.hpp>
#include <sigma/openmetadata/chart_types.hpp>
#include <sigma/openmetadata/fqn.hpp>
#include <sigma/openmetadata/graph.hpp>
#include <sigma/openmetadata/mapping.hpp>
#include <sigma/openmetadata/record_sink.hpp>
#include <sigma/openmetadata/jsonl_sink.hpp>
#include <sigma/openmetadata/dot.hpp>

#endif
