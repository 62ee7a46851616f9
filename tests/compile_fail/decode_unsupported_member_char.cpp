// expect-error: this type cannot be decoded or encoded
// expect-note: [with T = char]
#include <sigma/json.hpp>

#include <boost/describe.hpp>

struct holder {
    char member{};
};
BOOST_DESCRIBE_STRUCT(holder, (), (member))

int main() { return sigma::json::decode<holder>("{}").has_value() ? 0 : 1; }
