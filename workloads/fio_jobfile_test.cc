// The fio job-file text layer: sections, options with file:line, comments, includes, ${VAR},
// and the errors fio itself gives for the same input (checked with `fio --parse-only`).
#include "workloads/fio_jobfile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace mdsim {
namespace {

FioEnv env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(FioJobfile, SectionsOptionsAndWhereEachCameFrom) {
  auto s = parse_fio_jobfile(
      "; a comment\n[global]\nioengine = libaio\n\n# another\n[seq-write]\nrw=write\n"
      "bs=4k # trailing\ntime_based\n[rand]\nrw=randwrite ; trailing\n",
      "jobs.fio", env_of({}));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_TRUE(s[0].is_global());
  EXPECT_EQ(s[0].options[0].name, "ioengine");
  EXPECT_EQ(s[0].options[0].value, "libaio");
  EXPECT_EQ(s[0].options[0].where(), "jobs.fio:3");
  EXPECT_EQ(s[1].name, "seq-write");
  EXPECT_EQ(s[1].line, 6);
  ASSERT_EQ(s[1].options.size(), 3u);
  EXPECT_EQ(s[1].options[1].value, "4k");
  EXPECT_EQ(s[1].options[2].name, "time_based");
  EXPECT_FALSE(s[1].options[2].has_value);
  EXPECT_EQ(s[2].options[0].value, "randwrite");
  EXPECT_EQ(s[2].options[0].line, 11);
}

TEST(FioJobfile, EnvironmentVariablesAreSubstituted) {
  auto s = parse_fio_jobfile("[j]\nsize=${SZ}\nfilename=/dev/${DEV}x\n", "j.fio",
                             env_of({{"SZ", "2m"}, {"DEV", "md"}}));
  EXPECT_EQ(s[0].options[0].value, "2m");
  EXPECT_EQ(s[0].options[1].value, "/dev/mdx");
}

TEST(FioJobfile, IncludesAreReadInPlaceRelativeToTheIncludingFile) {
  auto dir = std::filesystem::temp_directory_path() / "mdsim_fio_include_test";
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "main.fio") << "[global]\ninclude sub/common.fio\n[j]\nrw=read\n";
  std::ofstream(dir / "sub" / "common.fio") << "bs=8k\niodepth=32\n";
  auto s = read_fio_jobfile((dir / "main.fio").string(), env_of({}));
  ASSERT_EQ(s.size(), 2u);
  ASSERT_EQ(s[0].options.size(), 2u);
  EXPECT_EQ(s[0].options[1].name, "iodepth");
  EXPECT_EQ(s[0].options[1].where(), (dir / "sub" / "common.fio").string() + ":2");
  std::ofstream(dir / "loop.fio") << "[j]\ninclude loop.fio\n";
  try {
    read_fio_jobfile((dir / "loop.fio").string(), env_of({}));
    ADD_FAILURE() << "an include cycle was accepted";
  } catch (const FioJobError& e) {
    EXPECT_NE(std::string(e.what()).find("includes nested more than 16 deep"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(dir);
}

std::string error_of(const std::string& text) {
  try {
    parse_fio_jobfile(text, "bad.fio", env_of({}));
  } catch (const FioJobError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(FioJobfile, BadInputNamesFileAndLine) {
  EXPECT_EQ(error_of("bs=4k\n[j]\n"), "bad.fio:1: option <bs=4k> outside of [] job section");
  EXPECT_EQ(error_of("[j]\nsize=${NOPE}\n"), "bad.fio:2: environment variable NOPE is not set");
  EXPECT_EQ(error_of("[j]\nsize=${NOPE\n"), "bad.fio:2: unterminated ${ in \"size=${NOPE\"");
  EXPECT_EQ(error_of("\n[j\n"), "bad.fio:2: section header without ']': [j");
  EXPECT_EQ(error_of("[ ]\n"), "bad.fio:1: empty section name");
  EXPECT_EQ(error_of("[j]\n=4k\n"), "bad.fio:2: option without a name: =4k");
  EXPECT_EQ(error_of("[j]\ninclude nope.fio\n"), "bad.fio:2: cannot open included file nope.fio");
  try {
    read_fio_jobfile("/nonexistent/x.fio", env_of({}));
    ADD_FAILURE();
  } catch (const FioJobError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/x.fio: cannot open job file");
  }
}

}  // namespace
}  // namespace mdsim
