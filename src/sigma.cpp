// SPDX-License-Identifier: MIT
// The static library of the separate_compilation option: the one file that
// compiles what SIGMA_SEPARATE_COMPILATION takes out of the headers (the
// HTTPS transport, the extraction for sigma::client). See <sigma/src.hpp>.
#include <sigma/src.hpp>
