// How the service's status strings map onto a job's life. Compared
// case-insensitively; configurable because only `running` is documented.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gridbatch::run {

class StatusMap {
 public:
  enum class Meaning { kRunning, kCompleted, kFailed, kUnknown };

  // Default: completed -> completed; failed, aborted, error, cancelled,
  // canceled, timeout -> failed; provisioning, downloading, running, queued,
  // pending, starting, submitted, uploading -> running.
  StatusMap();
  StatusMap(std::vector<std::string> completed, std::vector<std::string> failed,
            std::vector<std::string> running);

  Meaning Map(std::string_view status) const;

  // The lists, lower case, as given.
  const std::vector<std::string>& completed() const;
  const std::vector<std::string>& failed() const;
  const std::vector<std::string>& running() const;

  // Parses "a,b,c" into lower-case names (empty entries dropped).
  static std::vector<std::string> SplitList(std::string_view text);

 private:
  std::vector<std::string> completed_, failed_, running_;
};

}  // namespace gridbatch::run
