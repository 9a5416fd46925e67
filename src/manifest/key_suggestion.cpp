#include "key_suggestion.hpp"

#include <string>

#include "gridbatch/util/suggestion.hpp"

namespace gridbatch::manifest {

std::optional<std::string_view> SuggestKey(std::string_view word,
                                           std::span<const std::string_view> candidates) {
  return SuggestClosest(word, candidates);
}

std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  const auto suggestion = SuggestKey(word, candidates);
  if (!suggestion) return "";
  return " (did you mean '" + std::string(*suggestion) + "'?)";
}

}  // namespace gridbatch::manifest
