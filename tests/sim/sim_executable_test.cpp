// The gridbatch-sim executable as a script uses it: start with --port 0,
// read the endpoint from the first line, stop it with a signal.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child Spawn(std::vector<std::string> args) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    args.insert(args.begin(), GRIDBATCH_SIM_EXECUTABLE);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return {pid, fdopen(fds[0], "r")};
}

std::string ReadLine(FILE* in) {
  std::string line;
  for (int c = std::fgetc(in); c != EOF && c != '\n'; c = std::fgetc(in))
    line += static_cast<char>(c);
  return line;
}

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(SimExecutableTest, PrintsEndpointThenPortAndStopsCleanlyOnSigterm) {
  Child child = Spawn({"--port", "0", "--token", "tok"});
  ASSERT_GT(child.pid, 0);
  const std::string first = ReadLine(child.out);
  const std::string second = ReadLine(child.out);
  const std::string prefix = "endpoint=http://127.0.0.1:";
  const std::string suffix = "/remotejobs/v2";
  ASSERT_EQ(first.rfind(prefix, 0), 0u) << first;
  ASSERT_GT(first.size(), prefix.size() + suffix.size()) << first;
  ASSERT_EQ(first.substr(first.size() - suffix.size()), suffix) << first;
  const std::string port =
      first.substr(prefix.size(), first.size() - prefix.size() - suffix.size());
  ASSERT_EQ(port.find_first_not_of("0123456789"), std::string::npos) << first;
  EXPECT_EQ(second, "port=" + port);

  httplib::Client client("127.0.0.1", std::stoi(port));
  client.set_default_headers({{"Authorization", "Bearer tok"}});
  auto res = client.Get("/remotejobs/v2/jobs/ab");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, R"({"success":true,"jobs":{}})");

  kill(child.pid, SIGTERM);
  EXPECT_EQ(WaitExit(child.pid), 0);
  EXPECT_EQ(ReadLine(child.out), "");  // nothing more on stdout
  std::fclose(child.out);
}

TEST(SimExecutableTest, SigintStopsItToo) {
  Child child = Spawn({"--port", "0"});
  ASSERT_EQ(ReadLine(child.out).rfind("endpoint=", 0), 0u);
  kill(child.pid, SIGINT);
  EXPECT_EQ(WaitExit(child.pid), 0);
  std::fclose(child.out);
}

TEST(SimExecutableTest, DurationMakesItExitByItself) {
  Child child = Spawn({"--port", "0", "--duration", "200ms"});
  ASSERT_EQ(ReadLine(child.out).rfind("endpoint=", 0), 0u);
  EXPECT_EQ(WaitExit(child.pid), 0);
  std::fclose(child.out);
}

TEST(SimExecutableTest, ABadFlagIsAUsageError) {
  Child child = Spawn({"--p429", "2"});
  EXPECT_EQ(ReadLine(child.out), "");
  EXPECT_NE(WaitExit(child.pid), 0);
  std::fclose(child.out);
}

TEST(SimExecutableTest, VersionPrintsTheVersionAndExitsZero) {
  for (const char* flag : {"--version", "-V"}) {
    Child child = Spawn({flag});
    EXPECT_EQ(ReadLine(child.out), "gridbatch-sim " GRIDBATCH_VERSION) << flag;
    EXPECT_EQ(WaitExit(child.pid), 0) << flag;
    std::fclose(child.out);
  }
}

}  // namespace
