// SPDX-License-Identifier: MIT
#ifndef SIGMA_CLIENT_HPP
#define SIGMA_CLIENT_HPP

#include <sigma/client/client.hpp>

#endif
