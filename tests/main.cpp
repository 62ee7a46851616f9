// doctest's main. With -Dboost_json_header_only=true this file also compiles
// Boost.JSON's and Boost.URL's sources (the library's SIGMA_IMPLEMENTATION).
#ifdef SIGMA_BOOST_JSON_HEADER_ONLY
#define SIGMA_IMPLEMENTATION
#include <sigma/detail/prelude.hpp>
#endif
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
