// A program that uses sigma-cpp the way a downstream project does.
#include <sigma/sigma.hpp>

#include <boost/describe.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace consumer {
struct workbook {
    std::string workbookId;
    std::string name;
    std::optional<std::vector<std::string>> tags;
};
BOOST_DESCRIBE_STRUCT(workbook, (), (workbookId, name, tags))
} // namespace consumer

int main() {
    auto ok = sigma::json::decode<std::vector<consumer::workbook>>(
        R"([{"workbookId":"wb-1","name":"Sales","tags":["finance"],"extra":1},{"workbookId":"wb-2","name":"Ops"}])");
    auto bad = sigma::json::decode<consumer::workbook>(R"({"workbookId":"wb-3","name":7})");
    if (!ok) {
        std::printf("unexpected error: %s\n", ok.error().what());
        return 1;
    }
    bool right = ok->size() == 2 && (*ok)[0].tags && (*ok)[0].tags->at(0) == "finance" && !(*ok)[1].tags &&
                 !bad && bad.error().message() == "/name: expected string, got number";
    std::printf("sigma-cpp %s: decoded %zu workbooks (%s, %s); bad input: %s\n", sigma::version_string, ok->size(),
                (*ok)[0].name.c_str(), (*ok)[1].name.c_str(), bad ? "accepted" : bad.error().what());
    return right ? 0 : 1;
}
