// Fuzz target: the configuration readers. sigma::config_from_json + validate
// (the library's settings) and the tool's workflow reader over YAML and JSON.
// Nothing may crash or hang, every failure is a sigma::error, and a rejected
// configuration never repeats its client secret.
#include <sigma/config.hpp>

#include "../../tools/sigma-extract/workflow.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(bool ok, char const* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_config: %s\n", what);
        std::abort();
    }
}

// A secret long enough and not also part of another setting must not appear in the message.
void no_secret(std::string const& message, sigma::config const& c) {
    std::string const& s = c.clientSecret.reveal();
    if (s.size() < 12) return;
    if (c.hostPort.find(s) != std::string::npos || c.clientId.find(s) != std::string::npos ||
        c.apiVersion.find(s) != std::string::npos)
        return;
    check(message.find(s) == std::string::npos, "the client secret appears in an error");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view text(reinterpret_cast<char const*>(data) + 1, size - 1);
    switch (data[0] % 3) {
    case 0: {
        auto c = sigma::config_from_json(text);
        if (!c) {
            check(!c.error().message().empty(), "an empty error message");
            return 0;
        }
        auto v = sigma::validate(*c);
        if (!v) no_secret(v.error().message(), *c);
        break;
    }
    default: {
        bool const json = data[0] % 3 == 2;
        auto doc = sigma_tool::parse_document(text, "fuzz.yaml", json);
        if (!doc) {
            check(doc.error().message().rfind("fuzz.yaml", 0) == 0, "an error that does not name the file");
            return 0;
        }
        auto w = sigma_tool::read_workflow(*doc, "fuzz.yaml");
        if (!w) {
            check(w.error().message().rfind("fuzz.yaml", 0) == 0, "an error that does not name the file");
            check(w.error().code() == sigma::errc::config, "a workflow error that is not errc::config");
        }
        break;
    }
    }
    return 0;
}
