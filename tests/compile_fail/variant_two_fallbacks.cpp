// expect-error: may have at most one fallback alternative
#include <sigma/json.hpp>

#include <boost/describe.hpp>

#include <string>
#include <variant>

struct known {
    static constexpr sigma::json::tag json_tag{"type", "known"};
    int x = 0;
};
BOOST_DESCRIBE_STRUCT(known, (), (x))
struct other_a {
    static constexpr sigma::json::tag json_tag{"type"};
    std::string type;
};
BOOST_DESCRIBE_STRUCT(other_a, (), (type))
struct other_b {
    static constexpr sigma::json::tag json_tag{"type"};
    std::string type;
};
BOOST_DESCRIBE_STRUCT(other_b, (), (type))

int main() { return sigma::json::decode<std::variant<known, other_a, other_b>>("{}").has_value() ? 0 : 1; }
