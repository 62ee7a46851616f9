// The one translation unit that compiles Boost.JSON's and Boost.URL's sources
// (SIGMA_IMPLEMENTATION), so the program links without libboost_json/libboost_url.
#define SIGMA_IMPLEMENTATION
#include <sigma/sigma.hpp>
