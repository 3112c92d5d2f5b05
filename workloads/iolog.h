// fio's I/O logs ("iologs"), versions 2 and 3, as fio 3.33 reads them (iolog.c init_iolog_read,
// read_iolog) and writes them (init_iolog_write, log_file, log_io_u); see fio's HOWTO "Trace
// file format". Version 1 ("rw, offset, length") is rejected, as fio does since 1.20.
//
// Version 2: the first line is "fio version 2 iolog", then one action per line:
//     FILE add|open|close
//     FILE read|write|trim|sync|datasync OFFSET LENGTH
//     FILE wait MS LENGTH
// Version 3: the first line is "fio version 3 iolog" and every line starts with a timestamp in
// microseconds since the job started (fio writes utime_since_now(io_log_start_time)):
//     USEC FILE add|open|close
//     USEC FILE read|write|trim|sync|datasync OFFSET LENGTH
// OFFSET and LENGTH are bytes. fio writes syncs as "sync OFFSET 0" with the offset of the
// last I/O; the fields are required for sync too (fio rejects a short sync line).
//
// Timing. v3: a record's t_ns is the time since the log's first line (file actions included),
// and the trace's timing is kGaps: fio 3.33 delays each line by its timestamp minus the
// previous line's (delay_since_ttime), measured from the previous issue (iolog_delay); a
// timestamp smaller than the previous one gives no delay, which is modelled by clamping each
// step at 0, so t_ns never decreases. v2: no timestamps; "wait" is the only timing. The HOWTO
// says it waits MS microseconds after the previous wait, but fio 3.33's read_iolog_get sleeps
// until MS *milliseconds after fio started* (mtime_since_genesis), and a wait for a time already
// past does nothing. Observed with fio 3.33: waits of 300, 300 and 600 put I/Os at 195, 195 and
// 495 ms after the job's start (fio starts the job ~100 ms after its own start). mdsim follows
// fio's behaviour, counting from the start of the replay: every record gets t_ns = the largest
// wait seen so far (0 before the first wait) and the trace's timing is kAbsolute.
//
// Files: each "add" gives the next file index; I/O needs a file that was added and is open.
// Strictness beyond fio (fio logs an error and skips such lines): any malformed line is a
// TraceError "file:line: message" — wrong field count, unknown action, bad number, zero-length
// read/write/trim, a wait in a v3 log, I/O to a file not added or not open, a second header
// (fio opens write_iolog files in append mode, so two runs leave two logs in one file). Blank
// lines are skipped. A log without any I/O is an error, as in fio.
//
// Left out: read_iolog_chunked (mdsim reads the whole log), fio's compensation for its own
// oversleeping (td->time_offset; simulated sleeps are exact), replay_* options (applied by
// workloads/trace_replay.h), blktrace binary files (use blkparse text instead).
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "workloads/trace.h"

namespace mdsim {

// Reads an iolog file.
Trace read_iolog(const std::string& path);
// Reads an iolog from a stream or text; `file` names it in errors.
Trace parse_iolog(std::istream& in, const std::string& file);
Trace parse_iolog(const std::string& text, const std::string& file);

// Writes `trace` as a version 3 iolog, as fio's write_iolog does: the header, "add" and "open"
// of every file at time 0, one line per record at its t_ns (truncated to microseconds), and
// "close" of every file at the last record's time. Flags other than kTraceDatasync cannot be
// expressed and are dropped. Reading the output back gives the same records (times truncated
// to whole microseconds) with kGaps timing. File names must be non-empty without whitespace
// (TraceError otherwise).
void write_iolog(std::ostream& out, const Trace& trace);
void write_iolog(const std::string& path, const Trace& trace);

}  // namespace mdsim
