#include "trace_option.hpp"

#include "gridbatch/clock.hpp"

namespace gridbatch::cli {

void AddTraceOptions(CLI::App* command, TraceArgs& args) {
  const char* group = "Trace";
  command
      ->add_option("--trace", args.path,
                   "Write every request and reply to FILE as JSON lines (never the token)")
      ->type_name("FILE")
      ->group(group);
  command
      ->add_option("--trace-body-max", args.body_max,
                   "Bytes of each request and reply body kept in the trace (4096, 64KB)")
      ->transform(CLI::AsSizeValue(true))
      ->capture_default_str()
      ->group(group);
  command
      ->add_option("--trace-max-bytes", args.max_bytes,
                   "Size cap of the trace file; past it a last line says so and tracing stops")
      ->transform(CLI::AsSizeValue(true))
      ->capture_default_str()
      ->group(group);
}

std::unique_ptr<api::TraceWriter> StartTrace(const TraceArgs& args, const std::string& token,
                                             http::Client& http, api::TraceWriter::Warn warn) {
  if (args.path.empty()) return nullptr;
  auto writer = std::make_unique<api::TraceWriter>(
      args.path,
      api::TraceOptions{.body_max = static_cast<std::size_t>(args.body_max),
                        .max_bytes = args.max_bytes},
      token, SystemClock::Instance(), std::move(warn));
  http.SetObserver(writer->Observer());
  return writer;
}

}  // namespace gridbatch::cli
