// "did you mean 'models'?": the closest of a few known words to one that is
// not known, when one is close enough to be a likely typo. Shared by the
// manifest (unknown keys) and the command line (unknown commands, options).
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace gridbatch {

// The candidate within edit distance 2 of `word` (adjacent transpositions
// count as one edit), and closer than half the longer one's length; the
// first on ties. Words longer than 64 bytes get no suggestion.
std::optional<std::string_view> SuggestClosest(std::string_view word,
                                               std::span<const std::string_view> candidates);

}  // namespace gridbatch
