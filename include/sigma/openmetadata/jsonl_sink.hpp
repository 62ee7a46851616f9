// SPDX-License-Identifier: MIT
// OpenMetadata records as JSON Lines: one request per line,
//
//     {"method":"PUT","path":"/api/v1/charts","body":{"name":"el-42",...}}
//
// in the order record_sink documents, so that replaying the file line by line
// against a server (curl -X PUT "$OM/api${path}" -d "$body" with a token, the
// references resolved) creates every entity before anything names it.
#ifndef SIGMA_OPENMETADATA_JSONL_SINK_HPP
#define SIGMA_OPENMETADATA_JSONL_SINK_HPP

#include <sigma/config.hpp>
#include <sigma/extract/sink.hpp>
#include <sigma/json/encode.hpp>
#include <sigma/openmetadata/mapping.hpp>
#include <sigma/openmetadata/record_sink.hpp>

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>

namespace sigma::openmetadata {

namespace detail {
struct jsonl_writer {
    std::ostream* os = nullptr;
    std::size_t lines = 0;
    std::optional<std::size_t> first_failed; // the 0-based line that could not be written
    void operator()(record const& r) {
        std::string line = sigma::json::encode(r);
        line += '\n';
        os->write(line.data(), static_cast<std::streamsize>(line.size()));
        if (!*os && !first_failed) first_failed = lines;
        ++lines;
    }
};
} // namespace detail

class jsonl_sink : public record_sink<detail::jsonl_writer> {
public:
    // The stream must outlive the sink.
    jsonl_sink(std::ostream& os, mapping m, std::optional<sigma::config> connection = std::nullopt)
        : record_sink<detail::jsonl_writer>(detail::jsonl_writer{&os, 0, std::nullopt}, std::move(m),
                                            std::move(connection)) {}

    void on_finish(extract::report const& r) {
        record_sink<detail::jsonl_writer>::on_finish(r);
        emitter().os->flush();
        if (!*emitter().os && !emitter().first_failed) emitter().first_failed = emitter().lines;
    }

    // False once a line could not be written (disk full, closed pipe): the
    // output is then incomplete and must not be replayed as a whole.
    [[nodiscard]] bool good() noexcept { return !emitter().first_failed; }
    [[nodiscard]] std::optional<std::size_t> first_failed_line() noexcept { return emitter().first_failed; }
};

static_assert(extract::sink<jsonl_sink>);

} // namespace sigma::openmetadata

#endif
