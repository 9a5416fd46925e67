// DescribeCommandLine reads a CLI11 app as completion needs it, and the
// writers turn that into scripts; these run in-process on small apps and on
// gridbatch's own (tests/install checks the installed scripts in a shell).
#include "completion_script.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"

namespace gridbatch::cli {
namespace {

// A small app with one of each kind of option.
class SmallApp : public ::testing::Test {
 protected:
  void SetUp() override {
    app_.add_flag("--top", flag_, "A flag of the program itself");
    CLI::App* sub = app_.add_subcommand("make", "Make things\nfor you. Second sentence.");
    sub->add_option("INPUT", text_, "What to read")->type_name("FILE");
    sub->add_option("-o,--output", text_, "Where to write")->type_name("FILE");
    sub->add_option("--format", text_, "How")->check(CLI::IsMember({"csv", "jsonl"}));
    sub->add_option("--tag", tags_, "Repeatable")->type_name("NAME");
    sub->add_flag("--dry-run", flag_, "Write nothing");
    sub->add_option("--secret", text_, "Hidden")->group("");
    app_.add_subcommand("hidden", "Not shown")->group("");
  }

  CLI::App app_{"small"};
  bool flag_ = false;
  std::string text_;
  std::vector<std::string> tags_;
};

const OptionDescription* Find(const CommandDescription& command, const std::string& name) {
  for (const auto& option : command.options) {
    for (const auto& n : option.names) {
      if (n == name) return &option;
    }
  }
  return nullptr;
}

TEST_F(SmallApp, DescribesCommandsOptionsAndValues) {
  const CommandDescription root = DescribeCommandLine(app_);
  ASSERT_EQ(root.commands.size(), 1u);  // "hidden" is left out
  const CommandDescription& make = root.commands[0];
  EXPECT_EQ(make.name, "make");
  EXPECT_EQ(make.help, "Make things for you");

  const OptionDescription* output = Find(make, "--output");
  ASSERT_NE(output, nullptr);
  EXPECT_EQ(output->names, (std::vector<std::string>{"-o", "--output"}));
  EXPECT_EQ(output->value, ValueKind::kFile);
  EXPECT_EQ(output->value_name, "FILE");
  EXPECT_FALSE(output->repeatable);

  const OptionDescription* format = Find(make, "--format");
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(format->value, ValueKind::kChoice);
  EXPECT_EQ(format->choices, (std::vector<std::string>{"csv", "jsonl"}));
  EXPECT_EQ(format->value_name, "FORMAT");

  const OptionDescription* tag = Find(make, "--tag");
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag->value, ValueKind::kOther);
  EXPECT_TRUE(tag->repeatable);

  const OptionDescription* dry_run = Find(make, "--dry-run");
  ASSERT_NE(dry_run, nullptr);
  EXPECT_EQ(dry_run->value, ValueKind::kNone);
  EXPECT_TRUE(dry_run->value_name.empty());

  EXPECT_EQ(Find(make, "--secret"), nullptr);
  ASSERT_EQ(make.positionals.size(), 1u);
  EXPECT_EQ(make.positionals[0].value, ValueKind::kFile);
  ASSERT_NE(Find(root, "--top"), nullptr);
}

TEST_F(SmallApp, BashScriptHasAnArmPerValueAndTheCommandList) {
  std::ostringstream out;
  WriteBashCompletion(DescribeCommandLine(app_), "small", out);
  const std::string script = out.str();
  EXPECT_NE(script.find("'make -o'|'make --output')\n      __gridbatch_files\n"), std::string::npos)
      << script;
  EXPECT_NE(script.find("'make --format')\n      __gridbatch_words 'csv jsonl'\n"),
            std::string::npos)
      << script;
  EXPECT_NE(
      script.find("'make') options='-h --help -o --output --format --tag --dry-run'; files=1"),
      std::string::npos)
      << script;
  EXPECT_EQ(script.find("secret"), std::string::npos);
  EXPECT_EQ(script.find("hidden"), std::string::npos);
  EXPECT_NE(script.find("complete -F _gridbatch small\n"), std::string::npos);
}

TEST_F(SmallApp, ZshScriptSpecsEscapeAndExclude) {
  std::ostringstream out;
  WriteZshCompletion(DescribeCommandLine(app_), "small", out);
  const std::string script = out.str();
  EXPECT_EQ(script.rfind("#compdef small\n", 0), 0u);
  EXPECT_NE(script.find("'(-o --output)'{-o,--output}'[Where to write]:FILE:_files'"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("--format'[How]:FORMAT:(csv jsonl)'"), std::string::npos) << script;
  EXPECT_NE(script.find("'*'--tag'[Repeatable]:NAME: '"), std::string::npos) << script;
  EXPECT_NE(script.find("'make:Make things for you'"), std::string::npos) << script;
  EXPECT_NE(script.find("'1:FILE:_files'"), std::string::npos) << script;
}

TEST(CompletionScript, QuotesQuotesAndBrackets) {
  CLI::App app{"quotes"};
  std::string text;
  app.add_subcommand("say", "It's [here]")->add_option("--what", text, "a ] and a ' in help");
  std::ostringstream zsh;
  WriteZshCompletion(DescribeCommandLine(app), "quotes", zsh);
  EXPECT_NE(zsh.str().find("'say:It'\\''s [here]'"), std::string::npos) << zsh.str();
  EXPECT_NE(zsh.str().find("--what'[a \\] and a '\\'' in help]:WHAT: '"), std::string::npos)
      << zsh.str();
}

TEST(CompletionScript, CommandListHasEveryGridbatchCommand) {
  CLI::App app{"gridbatch"};
  CommandContext context;
  AddCommands(app, context);
  std::ostringstream out;
  WriteCommandList(DescribeCommandLine(app), out);
  std::string expected;
  const CLI::App& shown = app;
  for (const CLI::App* command : shown.get_subcommands([](const CLI::App*) { return true; })) {
    expected += command->get_name() + "\t" + Summary(command->get_description()) + "\n";
  }
  EXPECT_EQ(out.str(), expected);
  EXPECT_NE(out.str().find("load\tValidate MANIFEST and add its jobs to the database"),
            std::string::npos);
}

}  // namespace
}  // namespace gridbatch::cli
