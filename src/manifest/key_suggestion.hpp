// "unknown key 'modles' (did you mean 'models'?)": the closest allowed key,
// when one is close enough to be a likely typo.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gridbatch::manifest {

// The candidate within edit distance 2 of `word` (adjacent transpositions
// count as one edit), and closer than half its length; the first on ties.
std::optional<std::string_view> SuggestKey(std::string_view word,
                                           std::span<const std::string_view> candidates);

// " (did you mean 'x'?)" or "".
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace gridbatch::manifest
