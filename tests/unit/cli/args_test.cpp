// Tests of command-line option parsing: forms of options, repetition, and the usage errors.
#include "args.hpp"

#include <gtest/gtest.h>

namespace jixiao::cli {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"data", 'd', "FILE", "data"},
    {"param", 0, "NAME=VALUE", "param", true},
    {"verbose", 'v', "", "verbose"},
    {"quiet", 'q', "", "quiet"},
    {"format", 0, "FORMAT", "format"},
};

ParsedArgs parse(std::vector<std::string> args) { return parse_args(args, 0, kSpecs, "eval"); }

std::string usage_error(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const UsageError& e) {
    return std::string(e.what()) + " | " + e.hint();
  }
  return "no error";
}

TEST(Args, LongShortAndEqualsForms) {
  const ParsedArgs a = parse({"policy.jx", "--data", "a.csv", "--format=json", "-vv", "-q"});
  EXPECT_EQ(a.positional, std::vector<std::string>{"policy.jx"});
  EXPECT_EQ(a.value("data"), "a.csv");
  EXPECT_EQ(a.value("format"), "json");
  EXPECT_EQ(a.count("verbose"), 2u);
  EXPECT_EQ(a.count("quiet"), 1u);
  EXPECT_FALSE(a.has("param"));
  const ParsedArgs b = parse({"-d", "b.csv"});
  EXPECT_EQ(b.value("data"), "b.csv");
}

TEST(Args, RepeatableOptionsKeepEveryValueInOrder) {
  const ParsedArgs a = parse({"--param", "资金池=5000万元", "--param=目标=80"});
  EXPECT_EQ(a.all("param"), (std::vector<std::string>{"资金池=5000万元", "目标=80"}));
}

TEST(Args, DoubleDashEndsOptions) {
  const ParsedArgs a = parse({"--", "--data", "-v"});
  EXPECT_EQ(a.positional, (std::vector<std::string>{"--data", "-v"}));
  EXPECT_FALSE(a.has("data"));
}

TEST(Args, UnknownOptionSuggestsTheClosest) {
  EXPECT_EQ(usage_error({"--fromat", "json"}),
            "unknown option `--fromat` for `jixiao eval` | did you mean `--format`? run `jixiao eval --help` to see the options");
  EXPECT_EQ(usage_error({"-x"}), "unknown option `-x` for `jixiao eval` | run `jixiao eval --help` to see the options");
}

TEST(Args, MissingValueAndRepeatedOption) {
  EXPECT_EQ(usage_error({"--data"}), "option `--data` needs a value | write `--data FILE`");
  EXPECT_EQ(usage_error({"--data", "a", "--data", "b"}),
            "option `--data` is given twice | give it once; run `jixiao eval --help` for usage");
  EXPECT_EQ(usage_error({"--verbose=yes"}), "option `--verbose` takes no value | write just `--verbose`");
}

TEST(Args, HelpListsEveryOption) {
  EXPECT_EQ(options_help(kSpecs),
            "  -d, --data FILE         data\n"
            "      --param NAME=VALUE  param\n"
            "  -v, --verbose           verbose\n"
            "  -q, --quiet             quiet\n"
            "      --format FORMAT     format\n");
}

TEST(Args, WholeNumberFlagsTakeDigitsInTheirRangeOnly) {
  EXPECT_EQ(whole_number_flag("threads", "2", 1, 256, "--threads 2"), 2u);
  EXPECT_EQ(whole_number_flag("threads", "256", 1, 256, "--threads 2"), 256u);
  for (const std::string bad : {"0", "257", "-1", "+2", " 2", "2 ", "2.0", "", "two", "99999999999999999999"}) {
    try {
      whole_number_flag("threads", bad, 1, 256, "--threads 2");
      ADD_FAILURE() << "accepted `" << bad << "`";
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()), "`--threads` is `" + bad + "`, not a whole number from 1 to 256");
      EXPECT_EQ(e.hint(), "write e.g. `--threads 2`");
    }
  }
}

}  // namespace
}  // namespace jixiao::cli
