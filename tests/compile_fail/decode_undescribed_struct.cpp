// expect-error: T is a class without a Boost.Describe description
#include <sigma/json.hpp>

#include <string>

struct plain {
    std::string name;
};

int main() { return sigma::json::decode<plain>("{}").has_value() ? 0 : 1; }
