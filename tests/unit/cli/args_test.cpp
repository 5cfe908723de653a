// Tests of command-line option parsing: forms of options, repetition, and the usage errors.
#include "args.hpp"
#include "run_cli.hpp"

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
    return std::string(e.what()) + " | " + e.hint().str(Lang::kEn);
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
  // In Chinese the placeholders are Chinese, and the help texts line up in a terminal (a Chinese
  // character takes two columns).
  EXPECT_EQ(options_help(kSpecs),
            "  -d, --data 文件      data\n"
            "      --param 名称=值  param\n"
            "  -v, --verbose        verbose\n"
            "  -q, --quiet          quiet\n"
            "      --format 格式    format\n");
  set_lang(Lang::kEn);
  EXPECT_EQ(options_help(kSpecs),
            "  -d, --data FILE         data\n"
            "      --param NAME=VALUE  param\n"
            "  -v, --verbose           verbose\n"
            "  -q, --quiet             quiet\n"
            "      --format FORMAT     format\n");
  set_lang(Lang::kZh);
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

// ---- the language of messages ----

TEST(Language, ChineseIsTheDefaultWhateverTheLocale) {
  const auto r = test_util::jixiao({"chek"}, nullptr);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "jixiao: 错误：没有 `chek` 这个命令 [usage]\n提示：是否应为 `check`？请运行 `jixiao --help` 查看全部命令\n");
}

TEST(Language, TheVariableChoosesAndTheFlagBeatsIt) {
  EXPECT_EQ(test_util::jixiao({"chek"}, "en").err.rfind("jixiao: error: unknown command `chek` [usage]\n", 0), 0u);
  EXPECT_EQ(test_util::jixiao({"chek", "--lang=zh"}, "en").err.rfind("jixiao: 错误：没有 `chek`", 0), 0u);
  EXPECT_EQ(test_util::jixiao({"chek", "--lang", "en"}, "zh").err.rfind("jixiao: error: unknown command", 0), 0u);
  EXPECT_EQ(test_util::jixiao({"chek", "--lang", "en"}, "").err.rfind("jixiao: error: unknown command", 0), 0u);
  // An empty variable is no choice: Chinese.
  EXPECT_EQ(test_util::jixiao({"chek"}, "").err.rfind("jixiao: 错误：", 0), 0u);
  // After `--`, `--lang` is a file name.
  EXPECT_EQ(test_util::jixiao({"chek", "--", "--lang=en"}, "zh").err.rfind("jixiao: 错误：", 0), 0u);
}

TEST(Language, AnUnknownLanguageIsAUsageError) {
  const auto flag = test_util::jixiao({"check", "p.jx", "--lang=fr"}, "en");
  EXPECT_EQ(flag.code, 2);
  EXPECT_EQ(flag.err, "jixiao: error: `--lang` is `fr` [usage]\nhint: write `--lang=zh` or `--lang=en`\n");
  const auto env = test_util::jixiao({"check", "p.jx"}, "zh_CN.UTF-8");
  EXPECT_EQ(env.code, 2);
  EXPECT_EQ(env.err,
            "jixiao: 错误：环境变量 `JIXIAO_LANG` 的值 `zh_CN.UTF-8` 无法识别 [usage]\n"
            "提示：请设为 `JIXIAO_LANG=zh`（中文，默认）或 `JIXIAO_LANG=en`（英文），或者不设\n");
  // The flag decides even when the variable is wrong.
  EXPECT_EQ(test_util::jixiao({"version", "--lang=en"}, "fr").code, 0);
}

TEST(Language, HelpIsInTheChosenLanguage) {
  EXPECT_NE(test_util::jixiao({"--help"}, "zh").out.find("用法：jixiao <命令> [选项]"), std::string::npos);
  EXPECT_NE(test_util::jixiao({"--help"}, "en").out.find("Usage: jixiao <command> [options]"), std::string::npos);
  EXPECT_NE(test_util::jixiao({"check", "--help"}, "zh").out.find("--lang 语言"), std::string::npos);
  EXPECT_NE(test_util::jixiao({"check", "--help"}, "en").out.find("--lang LANG"), std::string::npos);
  EXPECT_NE(test_util::jixiao({"check", "--help"}, "zh").out.find("显示本帮助"), std::string::npos);
}

}  // namespace
}  // namespace jixiao::cli
