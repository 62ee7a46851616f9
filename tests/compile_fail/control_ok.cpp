// expect-ok
// The control: the same headers and a correct use compile, so the snippets
// below fail for their own reason, not for a broken include path or flag.
#include <sigma/json.hpp>

#include <boost/describe.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace control {
enum class kind { table, unknown };
BOOST_DESCRIBE_ENUM(kind, table, unknown)
struct a {
    static constexpr sigma::json::tag json_tag{"type", "a"};
    int x = 0;
};
BOOST_DESCRIBE_STRUCT(a, (), (x))
struct other {
    static constexpr sigma::json::tag json_tag{"type"};
    std::string type;
};
BOOST_DESCRIBE_STRUCT(other, (), (type))
struct doc {
    std::string name;
    std::optional<std::vector<kind>> kinds;
    std::variant<a, other> entry;
};
BOOST_DESCRIBE_STRUCT(doc, (), (name, kinds, entry))
} // namespace control

int main() {
    auto r = sigma::json::decode<control::doc>(R"({"name":"n","entry":{"type":"a","x":1}})");
    return r.has_value() && sigma::json::encode(*r).size() > 0 ? 0 : 1;
}
