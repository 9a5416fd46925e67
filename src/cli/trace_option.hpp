// `--trace FILE`, `--trace-body-max N` and `--trace-max-bytes N`, shared by
// `run` and `check`: every request and reply as JSONL (see trace_writer.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "gridbatch/api/trace_writer.hpp"
#include "gridbatch/http/http_client.hpp"

namespace gridbatch::cli {

struct TraceArgs {
  std::string path;  // empty: no trace
  std::uint64_t body_max = 4096;
  std::uint64_t max_bytes = std::uint64_t{100} << 20;
};

void AddTraceOptions(CLI::App* command, TraceArgs& args);

// With a path set: a writer that records every transfer of `http` (its
// observer is set here) and tells `warn` when it stops; otherwise null and
// `http` is left without an observer. The writer must outlive the use of
// `http`. Throws gridbatch::Error when the file cannot be created.
std::unique_ptr<api::TraceWriter> StartTrace(const TraceArgs& args, const std::string& token,
                                             http::Client& http, api::TraceWriter::Warn warn);

}  // namespace gridbatch::cli
