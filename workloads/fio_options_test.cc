// The option table against fio 3.33 itself: the names below are every option name and alias
// that `fio --parse-only` accepts in a job section (found by feeding it every identifier in
// /usr/bin/fio's strings; profile options included), so the table must know exactly these —
// plus engine options, which fio only knows under their engine. docs/FIO.md must list every
// option mdsim accepts without effect or rejects.
#include "workloads/fio_options.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "workloads/fio_job.h"
#include "workloads/fio_value.h"

namespace mdsim {
namespace {

constexpr const char* kFio333Names =
    "allow_file_create allow_mounted_write allrandrepeat atomic ba block "
    "block_error_percentiles blockalign blocksize blocksize_range blocksize_unaligned bs "
    "bs_is_seq_rand bs_unaligned bsrange bssplit buffer_compress_chunk "
    "buffer_compress_percentage buffer_pattern buffered bwavgtime cgroup cgroup_nodelete "
    "cgroup_weight clat_percentiles clocksource continue_on_error cpumask cpus_allowed "
    "cpus_allowed_policy create_fsync create_on_open create_only create_serialize "
    "dedupe_global dedupe_mode dedupe_percentage dedupe_working_set_percentage description "
    "device-names dir direct directory disable_bw disable_bw_measurement disable_clat "
    "disable_lat disable_slat disk_util do_verify end_fsync error_dump exec_postrun "
    "exec_prerun exit_what exitall exitall_on_error experimental_verify fadvise_hint fallocate "
    "fdatasync file_append file_service_type filename filename_format fileoffset filesize "
    "fill_device fill_fs flow flow_id flow_sleep flow_watermark fsync fsync_on_close gid "
    "group_reporting gtod_cpu gtod_reduce hugepage-size ignore_error ignore_zone_limits "
    "invalidate io_limit io_size io_submit_mode iodepth iodepth_batch iodepth_batch_complete "
    "iodepth_batch_complete_max iodepth_batch_complete_min iodepth_batch_submit iodepth_low "
    "ioengine iomem iomem_align iopsavgtime ioscheduler job_max_open_zones kb_base "
    "large-block-op-kbytes lat_percentiles latency_percentile latency_run latency_target "
    "latency_window load lockfile lockmem log_alternate_epoch log_alternate_epoch_clock_id "
    "log_avg_msec log_compression log_compression_cpus log_entries log_hist_coarseness "
    "log_hist_msec log_max_value log_offset log_prio log_store_compressed log_unix_epoch loops "
    "max_latency max_open_zones mem mem_align merge_blktrace_file merge_blktrace_iters "
    "merge_blktrace_scalars name new_group nice norandommap nr_files nrfiles numa_cpu_nodes "
    "numa_mem_policy number_ios numjobs numruns offset offset_align offset_increment opendir "
    "openfiles overwrite per_job_logs percentage_random percentage_sequential percentile_list "
    "pre_read prep prio prioclass profile ramp_time random_distribution random_generator "
    "randrepeat randseed rate rate_cycle rate_ignore_thinktime rate_iops rate_iops_min "
    "rate_min rate_process ratecycle ratemin read-req-num-512-blocks read_beyond_wp read_iolog "
    "read_iolog_chunked readwrite refill_buffers replay_align replay_no_stall replay_redirect "
    "replay_scale replay_skip replay_time_scale runtime rw rw_sequencer rwmixcycle rwmixread "
    "rwmixwrite scramble_buffers serialize_overlap significant_figures size slat_percentiles "
    "softrandommap ss ss_dur ss_ramp startdelay stats steadystate steadystate_duration "
    "steadystate_ramp_time stonewall sync sync_file_range test-duration thinktime "
    "thinktime_blocks thinktime_blocks_type thinktime_iotime thinktime_spin thread threads "
    "threads-per-queue time_based timeout trim_backlog trim_backlog_batch trim_percentage "
    "trim_verify_zero uid unified_rw_reporting unique_filename unit_base unlink "
    "unlink_each_loop verify verify_async verify_async_cpus verify_backlog "
    "verify_backlog_batch verify_dump verify_fatal verify_interval verify_offset verify_only "
    "verify_pattern verify_state_load verify_state_save verifysort verifysort_nr wait_for "
    "wait_for_previous write_barrier write_bw_log write_hint write_hist_log write_iolog "
    "write_iops_log write_lat_log zero_buffers zone_reset_frequency zone_reset_threshold "
    "zonecapacity zonemode zonerange zonesize zoneskip";

std::set<std::string> fio_names() {
  std::set<std::string> s;
  std::istringstream in(kFio333Names);
  for (std::string w; in >> w;) s.insert(w);
  return s;
}

TEST(FioOptions, TheTableKnowsExactlyTheOptionsFio333Knows) {
  std::set<std::string> fio = fio_names();
  ASSERT_EQ(fio.size(), 258u);
  std::set<std::string> table;
  for (const FioOptionSpec& s : fio_option_table()) {
    if (!s.engines.empty()) continue;
    EXPECT_TRUE(table.insert(std::string(s.name)).second) << "twice: " << s.name;
    if (!s.alias.empty()) {
      EXPECT_TRUE(table.insert(std::string(s.alias)).second) << s.alias;
    }
  }
  for (const std::string& n : fio) EXPECT_TRUE(table.count(n)) << "fio knows " << n;
  for (const std::string& n : table) EXPECT_TRUE(fio.count(n)) << "fio 3.33 has no " << n;
  // fio answers "Bad option" for these: engine options outside their engine, other engines'.
  for (const char* n : {"hipri", "userspace_reap", "cpuload", "inplace", "BS"}) {
    const FioOptionSpec* s = find_fio_option(n);
    EXPECT_TRUE(s == nullptr || !s->engines.empty()) << n;
  }
}

TEST(FioOptions, AliasesFindTheirOption) {
  EXPECT_EQ(find_fio_option("readwrite")->name, "rw");
  EXPECT_EQ(find_fio_option("blocksize")->name, "bs");
  EXPECT_EQ(find_fio_option("blockalign")->name, "ba");
  EXPECT_EQ(find_fio_option("blocksize_range")->name, "bsrange");
  EXPECT_EQ(find_fio_option("blocksize_unaligned")->name, "bs_unaligned");
  EXPECT_EQ(find_fio_option("timeout")->name, "runtime");
  EXPECT_EQ(find_fio_option("io_limit")->name, "io_size");
  EXPECT_EQ(find_fio_option("wait_for_previous")->name, "stonewall");
  EXPECT_EQ(find_fio_option("fileoffset")->name, "offset");
}

TEST(FioOptions, EveryModelledOptionHasAParser) {
  for (const FioOptionSpec& s : fio_option_table()) {
    if (s.cls != FioOptionClass::kModelled) continue;
    FioJob job;
    FioOption o{std::string(s.name), "1", true, "t.fio", 7};
    try {
      apply_modelled_fio_option(job, s.name, o);
    } catch (const FioJobError& e) {
      // A bad value for this option is fine; it must name the option and its line.
      EXPECT_NE(std::string(e.what()).find("t.fio:7: "), std::string::npos) << e.what();
    } catch (const std::logic_error& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

TEST(FioOptions, SuggestionsLikeFios) {
  EXPECT_EQ(suggest_fio_option("iodepht"), "iodepth");  // fio: "Did you mean iodepth?"
  EXPECT_EQ(suggest_fio_option("runtme"), "runtime");
  EXPECT_EQ(suggest_fio_option("xyzzyplugh"), "");
}

TEST(FioOptions, NeutralValuesEnginesAndValueChecks) {
  const FioOptionSpec& verify = *find_fio_option("verify");
  EXPECT_TRUE(fio_value_is_neutral(verify, " 0 "));
  EXPECT_FALSE(fio_value_is_neutral(verify, "md5"));
  const FioOptionSpec& hipri = *find_fio_option("hipri");
  EXPECT_TRUE(fio_option_fits_engine(hipri, "io_uring"));
  EXPECT_TRUE(fio_option_fits_engine(hipri, "pvsync2"));
  EXPECT_FALSE(fio_option_fits_engine(hipri, "libaio"));
  EXPECT_TRUE(fio_option_fits_engine(verify, "psync"));
  EXPECT_NO_THROW(check_fio_value(*find_fio_option("thread"), false, "", 1024));
  EXPECT_THROW(check_fio_value(*find_fio_option("stats"), false, "", 1024), FioValueError);
  EXPECT_THROW(check_fio_value(*find_fio_option("stats"), true, "2", 1024), FioValueError);
  EXPECT_NO_THROW(check_fio_value(*find_fio_option("clocksource"), true, "cpu", 1024));
  EXPECT_THROW(check_fio_value(*find_fio_option("clocksource"), true, "tsc", 1024), FioValueError);
  EXPECT_NO_THROW(check_fio_value(*find_fio_option("mem"), true, "mmaphuge:/hp/f", 1024));
  EXPECT_NO_THROW(check_fio_value(*find_fio_option("percentile_list"), true, "99:99.9", 1024));
  EXPECT_THROW(check_fio_value(*find_fio_option("percentile_list"), true, "99:x", 1024),
               FioValueError);
  EXPECT_TRUE(fio_engine_is_sync("psync"));
  EXPECT_FALSE(fio_engine_is_sync("libaio"));
  EXPECT_TRUE(fio_engine_is_simulated("io_uring"));
  EXPECT_FALSE(fio_engine_is_simulated("null"));
  EXPECT_TRUE(fio_engine_is_known("null"));
  EXPECT_FALSE(fio_engine_is_known("foo"));
}

TEST(FioOptions, DocsListEveryOptionAcceptedWithoutEffectOrRejected) {
  // $MDSIM_SOURCE_DIR (set by ctest), else this file's directory's parent.
  const char* src = std::getenv("MDSIM_SOURCE_DIR");
  std::string dir = src && *src ? src : std::string(__FILE__);
  if (!(src && *src)) {
    for (int i = 0; i < 2; ++i) dir = dir.substr(0, dir.find_last_of('/'));
  }
  std::ifstream in(dir + "/docs/FIO.md");
  ASSERT_TRUE(in) << dir << "/docs/FIO.md";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  for (const FioOptionSpec& s : fio_option_table()) {
    std::string quoted(1, '`');
    quoted.append(s.name).push_back('`');
    EXPECT_NE(doc.find(quoted), std::string::npos)
        << s.name << " is not in docs/FIO.md";
  }
}

}  // namespace
}  // namespace mdsim
