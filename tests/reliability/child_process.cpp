#include "child_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace gridbatch::reliability {
namespace {

constexpr uid_t kNobody = 65534;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

bool Replaced(const std::string& entry, const ChildOptions& options) {
  for (const auto& [name, value] : options.env) {
    if (entry.starts_with(name + "=")) return true;
  }
  // A token or endpoint from the developer's shell must not leak into a test.
  return entry.starts_with("GRIDREPUBLIC_TOKEN=") || entry.starts_with("GRIDBATCH_ENDPOINT=");
}

// Built before fork: between fork and exec only async-signal-safe calls are
// allowed, and the test process may have threads (an in-process simulator).
std::vector<std::string> ChildEnvironment(const ChildOptions& options) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!Replaced(*e, options)) env.emplace_back(*e);
  }
  for (const auto& [name, value] : options.env) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

int OpenOutput(const std::filesystem::path& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + path.string() + ": " + strerror(errno));
  return fd;
}

[[noreturn]] void BecomeChild(const char* program, char* const* argv, char* const* envp, int out,
                              int err, const ChildOptions& options) {
  if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0) _exit(126);
  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
  if (options.address_space_limit > 0 && !kSanitized) {
    const rlimit limit{options.address_space_limit, options.address_space_limit};
    if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(126);
  }
  if (options.cpu_seconds_limit > 0) {
    const rlimit limit{options.cpu_seconds_limit, options.cpu_seconds_limit};
    if (setrlimit(RLIMIT_CPU, &limit) != 0) _exit(126);
  }
  if (options.unprivileged && geteuid() == 0) {
    if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0) _exit(126);
  }
  execve(program, argv, envp);
  _exit(127);
}

// Exit codes of children that ExitedWithin reaped, for WaitChild.
std::map<pid_t, int> reaped_children;

int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

StartedChild StartChild(const std::string& program, const ChildOptions& options,
                        const std::filesystem::path& io_dir) {
  static std::atomic<int> runs{0};
  const std::string n = std::to_string(runs++);
  StartedChild child;
  child.out_path = io_dir / ("child" + n + ".stdout");
  child.err_path = io_dir / ("child" + n + ".stderr");
  std::vector<std::string> args = {program};
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<std::string> env = ChildEnvironment(options);
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);
  const int out = OpenOutput(child.out_path);
  const int err = OpenOutput(child.err_path);
  const pid_t pid = fork();
  if (pid == 0) BecomeChild(program.c_str(), argv.data(), envp.data(), out, err, options);
  close(out);
  close(err);
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + strerror(errno));
  child.pid = pid;
  return child;
}

ChildResult WaitChild(const StartedChild& child) {
  ChildResult result;
  result.out_path = child.out_path;
  result.err_path = child.err_path;
  if (auto it = reaped_children.find(child.pid); it != reaped_children.end()) {
    result.exit_code = it->second;
    reaped_children.erase(it);
  } else {
    result.exit_code = Wait(child.pid);
  }
  result.out = ReadFile(result.out_path);
  result.err = ReadFile(result.err_path);
  return result;
}

bool ExitedWithin(const StartedChild& child, double seconds) {
  if (reaped_children.count(child.pid) > 0) return true;
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(child.pid, &status, WNOHANG);
    if (done == child.pid) {
      reaped_children[child.pid] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return true;
    }
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

ChildResult RunChild(const std::string& program, const ChildOptions& options,
                     const std::filesystem::path& io_dir) {
  return WaitChild(StartChild(program, options, io_dir));
}

bool IsRoot() {
  return geteuid() == 0;
}

}  // namespace gridbatch::reliability
