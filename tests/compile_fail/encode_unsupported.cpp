// expect-error: this type cannot be decoded or encoded
// expect-note: [with T = std::set<int>]
#include <sigma/json.hpp>

#include <set>

int main() { return sigma::json::encode(std::set<int>{1, 2}).empty() ? 1 : 0; }
