// Every key the manifest format knows, per kind of map: the parser rejects
// any other, and a test checks that schemas/manifest.schema.json documents
// exactly these.
#pragma once

#include <array>
#include <string_view>

namespace gridbatch::manifest {

inline constexpr std::array<std::string_view, 10> kManifestKeys = {
    "name",   "app",     "hours",  "model",        "models",
    "repeat", "prompts", "sweeps", "prompt_files", "run"};

// The `run:` section: settings for `gridbatch run`, overridden by its flags.
inline constexpr std::array<std::string_view, 7> kRunKeys = {
    "rate", "burst", "max_attempts", "poll_interval", "poll_max", "poll", "hours"};

inline constexpr std::array<std::string_view, 5> kPromptKeys = {"id", "prompt", "model", "models",
                                                                "repeat"};

inline constexpr std::array<std::string_view, 7> kSweepKeys = {"id",    "template", "vars",  "zip",
                                                               "model", "models",   "repeat"};

inline constexpr std::array<std::string_view, 7> kPromptFileKeys = {
    "path", "format", "template", "id_prefix", "model", "models", "repeat"};

// The keys of one object in a JSONL prompt file.
inline constexpr std::array<std::string_view, 3> kJsonlRecordKeys = {"id", "prompt", "vars"};

}  // namespace gridbatch::manifest
