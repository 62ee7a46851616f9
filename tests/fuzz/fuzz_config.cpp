// Fuzz target: the configuration readers. sigma::config_from_json + validate
// (the library's settings) and the tool's workflow reader over YAML and JSON.
// Nothing may crash or hang, every failure is a sigma::error, a rejected
// configuration never repeats its client secret, and workflow errors have no
// raw control characters.
#include <sigma/config.hpp>

#include "../../tools/sigma-extract/workflow.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
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

// Workflow errors echo keys and values but show control characters escaped:
// nothing in them can move a terminal's cursor or hide text.
bool printable(std::string const& message) {
    for (char ch : message) {
        auto const c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return false;
    }
    return true;
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
            check(printable(doc.error().message()), "a control character in an error");
            return 0;
        }
        auto w = sigma_tool::read_workflow(*doc, "fuzz.yaml");
        if (!w) {
            check(w.error().message().rfind("fuzz.yaml", 0) == 0, "an error that does not name the file");
            check(w.error().code() == sigma::errc::config, "a workflow error that is not errc::config");
            check(printable(w.error().message()), "a control character in an error");
        }
        break;
    }
    }
    return 0;
}
