#include <sigma/api/endpoints.hpp>
#include <doctest/doctest.h>
