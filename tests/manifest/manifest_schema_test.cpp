// schemas/manifest.schema.json documents exactly the keys the parser
// accepts, per kind of map (no JSON Schema validator is available here, so
// this keeps the two from drifting apart).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "manifest_keys.hpp"

namespace gridbatch::manifest {
namespace {

using Keys = std::vector<std::string>;

nlohmann::json LoadSchema() {
  std::ifstream in(std::string(GRIDBATCH_SOURCE_DIR) + "/schemas/manifest.schema.json");
  EXPECT_TRUE(in.good());
  return nlohmann::json::parse(in);
}

template <std::size_t N>
Keys Sorted(const std::array<std::string_view, N>& keys) {
  Keys out(keys.begin(), keys.end());
  std::sort(out.begin(), out.end());
  return out;
}

// The property names of `object` (nlohmann keeps them sorted).
Keys PropertiesOf(const nlohmann::json& object) {
  Keys out;
  for (const auto& [key, value] : object.at("properties").items()) {
    EXPECT_TRUE(value.contains("description")) << key << " has no description";
    out.push_back(key);
  }
  EXPECT_EQ(object.value("additionalProperties", true), false);
  return out;
}

class ManifestSchemaTest : public ::testing::Test {
 protected:
  nlohmann::json schema_ = LoadSchema();
};

TEST_F(ManifestSchemaTest, IsJsonSchemaDraft2020) {
  EXPECT_EQ(schema_.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
}

TEST_F(ManifestSchemaTest, TopLevelKeysMatchTheParser) {
  EXPECT_EQ(PropertiesOf(schema_), Sorted(kManifestKeys));
}

TEST_F(ManifestSchemaTest, PromptKeysMatchTheParser) {
  EXPECT_EQ(PropertiesOf(schema_.at("$defs").at("promptEntry")), Sorted(kPromptKeys));
}

TEST_F(ManifestSchemaTest, SweepKeysMatchTheParser) {
  EXPECT_EQ(PropertiesOf(schema_.at("$defs").at("sweep")), Sorted(kSweepKeys));
}

TEST_F(ManifestSchemaTest, PromptFileKeysMatchTheParser) {
  EXPECT_EQ(PropertiesOf(schema_.at("$defs").at("promptFile")), Sorted(kPromptFileKeys));
}

TEST_F(ManifestSchemaTest, RunKeysMatchTheParser) {
  EXPECT_EQ(PropertiesOf(schema_.at("$defs").at("runSettings")), Sorted(kRunKeys));
}

TEST_F(ManifestSchemaTest, JsonlRecordKeysMatchTheReader) {
  EXPECT_EQ(PropertiesOf(schema_.at("$defs").at("jsonlRecord")), Sorted(kJsonlRecordKeys));
}

TEST_F(ManifestSchemaTest, EveryReferenceResolves) {
  std::vector<std::string> broken;
  const auto visit = [&](const auto& self, const nlohmann::json& node) -> void {
    if (node.is_object() && node.contains("$ref")) {
      const std::string ref = node.at("$ref");
      if (!ref.starts_with("#/$defs/") || !schema_.at("$defs").contains(ref.substr(8))) {
        broken.push_back(ref);
      }
    }
    if (node.is_structured()) {
      for (const auto& child : node) self(self, child);
    }
  };
  visit(visit, schema_);
  EXPECT_EQ(broken, std::vector<std::string>{});
}

}  // namespace
}  // namespace gridbatch::manifest
