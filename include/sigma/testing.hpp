// SPDX-License-Identifier: MIT
// sigma-cpp's helpers for tests without a Sigma account (sigma::testing): the
// in-memory transport, a manual clock, generated organisations, a fake Sigma
// and a fake OpenMetadata served over loopback HTTP, a CONNECT proxy. With the
// whole library (<sigma/sigma.hpp>), which does not include these itself.
#ifndef SIGMA_TESTING_HPP
#define SIGMA_TESTING_HPP

#include <sigma/sigma.hpp>

#include <sigma/testing/manual_clock.hpp>
#include <sigma/testing/memory_transport.hpp>
#include <sigma/testing/simulated_org.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/http_server.hpp>
#include <sigma/testing/connect_proxy.hpp>
#include <sigma/testing/fake_openmetadata.hpp>

#endif
