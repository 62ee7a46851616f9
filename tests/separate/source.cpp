// SPDX-License-Identifier: MIT
// The program's one <sigma/src.hpp> file: it compiles the Beast transport and
// the extraction for sigma::client, which user.cpp only declares.
#include <sigma/src.hpp>
