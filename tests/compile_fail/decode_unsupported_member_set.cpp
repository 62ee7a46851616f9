// expect-error: this type cannot be decoded or encoded
// expect-note: [with T = std::set<int>]
#include <sigma/json.hpp>

#include <boost/describe.hpp>

#include <set>

struct holder {
    std::set<int> member;
};
BOOST_DESCRIBE_STRUCT(holder, (), (member))

int main() { return sigma::json::decode<holder>("{}").has_value() ? 0 : 1; }
