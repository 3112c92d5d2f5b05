// Resolving fio job sections into FioJobs: see fio_job.h. Globals are applied as fio 3.33's
// parse_jobs_ini does: each [global] section is parsed on its own first (fio parses it into
// its default job, so a bad option there is an error even if no job follows), and every job
// starts from fio's defaults plus all [global] options seen before it, in order.
#include "workloads/fio_job.h"

#include "workloads/fio_options.h"
#include "workloads/fio_value.h"

namespace mdsim {

namespace {

std::string as_written(const FioOption& o) { return o.has_value ? o.name + "=" + o.value : o.name; }

[[noreturn]] void fail_at(const FioOption& o, const std::string& msg) {
  throw FioJobError(o.where() + ": " + msg);
}

// One job (or one [global] section) under construction.
class Builder {
 public:
  Builder(const std::string& name, const std::string& file, int line, bool global)
      : global_(global) {
    job_.name = name;
    job_.file = file;
    job_.line = line;
  }

  // Applies one option. `own`: from the section being built (recorded in its "job options"
  // list), not inherited from a [global] section, whose engine options were checked with it.
  void apply(const FioOption& o, bool own) {
    if (o.name == "include") {
      fail_at(o, "include takes its file after a space (include FILE), not '='");
    }
    const FioOptionSpec* spec = find_fio_option(o.name);
    if (spec == nullptr) {
      std::string msg =
          "bad option <" + as_written(o) + ">: fio 3.33 has no option '" + o.name + "'";
      std::string near = suggest_fio_option(o.name);
      if (!near.empty()) msg += "; did you mean '" + near + "'?";
      fail_at(o, msg);
    }
    job_.option_where[std::string(spec->name)] = o.where();
    if (own && o.has_value && !global_) job_.options.emplace_back(spec->name, o.value);
    switch (spec->cls) {
      case FioOptionClass::kDeprecated:
        fail_at(o, "option '" + o.name + "' is deprecated: " + std::string(spec->why));
      case FioOptionClass::kModelled:
        apply_modelled_fio_option(job_, spec->name, o);
        return;
      case FioOptionClass::kNoEffect:
      case FioOptionClass::kUnmodelled:
        break;
    }
    if (!o.has_value && spec->kind != FioValueKind::kFlag) {
      fail_at(o, "option '" + o.name + "' requires a value");
    }
    try {
      check_fio_value(*spec, o.has_value, o.value, job_.kb_base);
    } catch (const FioValueError& e) {
      fail_at(o, "bad value for '" + o.name + "': " + e.what());
    }
    if (!spec->engines.empty()) {
      if (own) engine_options_.push_back({&o, spec});  // checked once the engine is known
      return;
    }
    check_unmodelled(o, *spec);
    if (spec->name == "direct") job_.direct = parse_fio_bool(o.value);
    if (spec->name == "buffered") job_.direct = !parse_fio_bool(o.value);
  }

  // Engine options against the engine in effect; for a job, the whole-job checks too.
  FioJob finish(bool is_job) {
    for (const auto& [o, spec] : engine_options_) {
      if (!fio_option_fits_engine(*spec, job_.ioengine)) {
        fail_at(*o, "bad option <" + as_written(*o) + ">: '" + o->name +
                        "' is an option of ioengine " + std::string(spec->engines) + ", not of " +
                        job_.ioengine);
      }
      check_unmodelled(*o, *spec);
    }
    if (is_job && job_.time_based && job_.runtime == 0) {
      job_.fail("time_based", "time_based needs a runtime (fio 3.33 warns and ignores it)");
    }
    return std::move(job_);
  }

 private:
  void check_unmodelled(const FioOption& o, const FioOptionSpec& spec) const {
    if (spec.cls != FioOptionClass::kUnmodelled) return;
    if (o.has_value && fio_value_is_neutral(spec, o.value)) return;
    fail_at(o, "option '" + o.name + "' is not modelled by mdsim: " + std::string(spec.why));
  }

  bool global_;
  FioJob job_;
  std::vector<std::pair<const FioOption*, const FioOptionSpec*>> engine_options_;
};

FioJobFile resolve_checked(const std::vector<FioSection>& sections, const std::string& file) {
  FioJobFile out = resolve_fio_jobs(sections);
  if (out.jobs.empty()) throw FioJobError(file + ": no jobs defined (only [global] sections)");
  return out;
}

}  // namespace

const char* fio_op_name(FioOp op) {
  static constexpr const char* kNames[] = {"read", "write", "trim"};
  return kNames[static_cast<int>(op)];
}

bool fio_rw_is_random(FioRw rw) {
  return rw == FioRw::kRandRead || rw == FioRw::kRandWrite || rw == FioRw::kRandTrim ||
         rw == FioRw::kRandRW || rw == FioRw::kRandTrimWrite;
}

bool fio_rw_uses(FioRw rw, FioOp op) {
  switch (rw) {
    case FioRw::kRead:
    case FioRw::kRandRead:
      return op == FioOp::kRead;
    case FioRw::kWrite:
    case FioRw::kRandWrite:
      return op == FioOp::kWrite;
    case FioRw::kTrim:
    case FioRw::kRandTrim:
      return op == FioOp::kTrim;
    case FioRw::kReadWrite:
    case FioRw::kRandRW:
      return op != FioOp::kTrim;
    case FioRw::kTrimWrite:
    case FioRw::kRandTrimWrite:
      return op != FioOp::kRead;
  }
  return false;
}

uint32_t FioJob::effective_iodepth() const { return fio_engine_is_sync(ioengine) ? 1 : iodepth; }

std::string FioJob::where(std::string_view option) const {
  auto it = option_where.find(option);
  if (it != option_where.end()) return it->second;
  return file + ":" + std::to_string(line);
}

void FioJob::fail(std::string_view option, const std::string& message) const {
  throw FioJobError(where(option) + ": " + message);
}

FioJobFile resolve_fio_jobs(const std::vector<FioSection>& sections) {
  FioJobFile out;
  std::vector<const FioOption*> globals;
  for (const FioSection& s : sections) {
    Builder b(s.name, s.file, s.line, s.is_global());
    for (const FioOption* g : globals) b.apply(*g, false);
    for (const FioOption& o : s.options) b.apply(o, true);
    FioJob job = b.finish(!s.is_global());
    if (s.is_global()) {
      for (const FioOption& o : s.options) {
        globals.push_back(&o);
        if (o.has_value) out.global_options.emplace_back(find_fio_option(o.name)->name, o.value);
      }
    } else {
      out.jobs.push_back(std::move(job));
    }
  }
  return out;
}

FioJobFile parse_fio_jobs(const std::string& text, const std::string& file, const FioEnv& env) {
  return resolve_checked(parse_fio_jobfile(text, file, env), file);
}

FioJobFile load_fio_jobfile(const std::string& path, const FioEnv& env) {
  return resolve_checked(read_fio_jobfile(path, env), path);
}

std::vector<FioJob> load_fio_jobs(const std::string& path, const FioEnv& env) {
  return load_fio_jobfile(path, env).jobs;
}

}  // namespace mdsim
