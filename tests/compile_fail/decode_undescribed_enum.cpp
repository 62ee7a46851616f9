// expect-error: T is an enum without a description
#include <sigma/json.hpp>

enum class colour { red, green };

int main() { return sigma::json::decode<colour>(R"("red")").has_value() ? 0 : 1; }
