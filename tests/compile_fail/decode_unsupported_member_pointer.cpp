// expect-error: this type cannot be decoded or encoded
// expect-note: [with T = int*]
#include <sigma/json.hpp>

#include <boost/describe.hpp>

struct holder {
    int* member{};
};
BOOST_DESCRIBE_STRUCT(holder, (), (member))

int main() { return sigma::json::decode<holder>("{}").has_value() ? 0 : 1; }
