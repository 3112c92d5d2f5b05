// `mdsim run --output-format`: parsing fio's format lists, the per-scenario check, and the
// layout of combined formats against what the real fio 3.33 printed for --output-format=
// normal,json+ (tests/data/fio/two-groups.{txt,json} are one such run cut at the JSON object).
#include "app/output_format.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "app/json_reader.h"
#include "results/fio_json.h"
#include "results/fio_test_support.h"
#include "results/fio_text.h"

namespace mdsim {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string error_of(const std::string& spec) {
  try {
    parse_output_formats(spec);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(OutputFormat, ParsesFioFormatLists) {
  EXPECT_EQ(parse_output_formats("json"), (OutputFormats{.json = true}));
  EXPECT_EQ(parse_output_formats("json+"), (OutputFormats{.json_plus = true}));
  EXPECT_EQ(parse_output_formats("normal"), (OutputFormats{.normal = true}));
  EXPECT_EQ(parse_output_formats("normal,json+"),
            (OutputFormats{.normal = true, .json_plus = true}));
  // Order and repeats do not matter, as in fio.
  EXPECT_EQ(parse_output_formats("json+,normal,normal"), parse_output_formats("normal,json+"));
  EXPECT_EQ(parse_output_formats("json,json+"), (OutputFormats{.json = true, .json_plus = true}));
  EXPECT_EQ(output_formats_name(parse_output_formats("json+,json,normal")), "normal,json,json+");
}

TEST(OutputFormat, RejectsWhatFioRejectsAndTerse) {
  EXPECT_NE(error_of("JSON").find("unknown format \"JSON\""), std::string::npos);  // case matters
  EXPECT_NE(error_of("xml").find("--output-format xml: unknown format \"xml\""),
            std::string::npos);
  EXPECT_NE(error_of("").find("empty format name"), std::string::npos);
  EXPECT_NE(error_of("json,").find("empty format name"), std::string::npos);
  EXPECT_NE(error_of("normal,,json").find("empty format name"), std::string::npos);
  EXPECT_NE(error_of("json, normal").find("unknown format \" normal\""), std::string::npos);
  EXPECT_NE(error_of("terse").find("terse (fio's CSV form) is not supported"), std::string::npos);
  EXPECT_NE(error_of("normal,terse").find("terse"), std::string::npos);
}

TEST(OutputFormat, OnlyTheFioScenarioWritesFioFormats) {
  for (const char* spec : {"json", "json+", "normal", "normal,json", "json,json+"}) {
    EXPECT_NO_THROW(check_output_formats(parse_output_formats(spec), "fio")) << spec;
  }
  for (const char* scenario : {"lock_loop", "bitmap_loop"}) {
    EXPECT_NO_THROW(check_output_formats(kMdsimJsonFormat, scenario));
    for (const char* spec : {"json+", "normal", "normal,json", "json,json+"}) {
      std::string err;
      try {
        check_output_formats(parse_output_formats(spec), scenario);
      } catch (const ConfigError& e) {
        err = e.what();
      }
      EXPECT_NE(err.find(std::string("scenario ") + scenario), std::string::npos) << err;
      EXPECT_NE(err.find("--output-format"), std::string::npos) << err;
    }
  }
}

class RenderFio : public testing::Test {
 protected:
  void SetUp() override {
    fio_json_ = fio_test::read_json("two-groups.json");
    run_ = fio_test::run_from_fio_json(fio_json_);
  }
  std::string render(const char* spec, const nlohmann::ordered_json& mdsim = nullptr) const {
    return render_fio_output(run_, parse_output_formats(spec), mdsim);
  }
  nlohmann::ordered_json fio_json_;
  FioRunResult run_;
};

TEST_F(RenderFio, SingleFormatsAreTheWritersOutput) {
  const std::string json = render("json");
  const std::string plus = render("json+");
  EXPECT_EQ(json, fio_json_string(run_, FioJsonFormat::kJson));
  EXPECT_EQ(plus, fio_json_string(run_, FioJsonFormat::kJsonPlus));
  EXPECT_EQ(json.find("\"bins\""), std::string::npos);
  EXPECT_NE(plus.find("\"bins\""), std::string::npos);
  EXPECT_EQ(render("json,json+"), plus);  // one document, the fuller one
  EXPECT_EQ(render("normal"), fio_text(run_));
  // fio's normal report opens with the job description lines.
  EXPECT_EQ(lines_of(render("normal"))[0],
            lines_of(fio_test::read_file(fio_test::fixture_path("two-groups.txt")))[0]);
}

TEST_F(RenderFio, NormalWithJsonIsLaidOutLikeFio) {
  const std::vector<std::string> fio_text_lines =
      lines_of(fio_test::read_file(fio_test::fixture_path("two-groups.txt")));
  const std::vector<std::string> fio_json_lines =
      lines_of(fio_test::read_file(fio_test::fixture_path("two-groups.json")));
  // fio's combined output: its preamble (the text lines up to the first blank line), the JSON
  // object, then the rest of the text.
  size_t preamble = 0;
  while (!fio_text_lines[preamble].empty()) ++preamble;
  ASSERT_EQ(preamble, 4u);  // two job lines, "fio-3.33", "Starting 2 processes"

  const std::string out = render("normal,json+");
  EXPECT_EQ(out, render("json+,normal"));
  const std::vector<std::string> ours = lines_of(out);
  ASSERT_EQ(ours.size(), fio_text_lines.size() + fio_json_lines.size());
  for (size_t i = 0; i < preamble; ++i) EXPECT_EQ(ours[i], fio_text_lines[i]) << i;
  const size_t close = preamble + fio_json_lines.size() - 1;
  EXPECT_EQ(ours[preamble], "{");
  EXPECT_EQ(ours[close], "}");
  EXPECT_EQ(ours[close + 1], "");
  EXPECT_EQ(ours[close + 2].rfind("a: (groupid=0, jobs=1): err= 0: pid=", 0), 0u)
      << ours[close + 2];
  EXPECT_EQ(ours.back(), fio_text_lines.back());
  // The JSON section is a whole json+ document.
  std::string json;
  for (size_t i = preamble; i <= close; ++i) json += ours[i] + "\n";
  EXPECT_EQ(json, fio_json_string(run_, FioJsonFormat::kJsonPlus));
}

TEST_F(RenderFio, MdsimSectionOnlyInTheJsonForms) {
  const nlohmann::ordered_json md = {{"seed", 7}};
  for (const char* spec : {"json", "json+"}) {
    auto doc = nlohmann::ordered_json::parse(render(spec, md));
    EXPECT_EQ(doc["mdsim"]["seed"], 7) << spec;
  }
  EXPECT_EQ(render("normal", md), render("normal"));
  const std::string both = render("normal,json", md);
  EXPECT_NE(both.find("\"mdsim\" : {"), std::string::npos);
  EXPECT_EQ(both.find("mdsim", both.find("\n}\n")), std::string::npos);
}

}  // namespace
}  // namespace mdsim
