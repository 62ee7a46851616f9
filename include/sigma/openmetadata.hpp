// SPDX-License-Identifier: MIT
// The OpenMetadata output: request bodies, the mapping from extracted Sigma
// entities, the JSON Lines writer, the Graphviz lineage graph, and the sink
// that pushes to a server over any sigma::transport (push_sink.hpp, the one
// that needs Asio; include the others one by one to stay without it).
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
#include <sigma/openmetadata/push_sink.hpp>

#endif
