// expect-error: T must be a plain value type
#include <sigma/json.hpp>

#include <boost/describe.hpp>

struct item {
    int x = 0;
};
BOOST_DESCRIBE_STRUCT(item, (), (x))

int main() { return sigma::json::decode<item&>("{}").has_value() ? 0 : 1; }
