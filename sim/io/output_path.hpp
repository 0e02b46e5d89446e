#pragma once
// Safe output files (docs/reliability.md): cxsim writes only to a new path or over a regular file
// that is a cxsim results file, checks the location before any work, and publishes a file
// atomically through an exclusively created temporary file in the same directory.
//
// The temporary file lives in a private directory created next to the target,
// ".<name>.cxsim-tmp-<pid>-<random>/" (recognisable, unpredictable, mode 0700, created by mkdir(2),
// which never follows a symlink or reuses an existing entry); HDF5 creates the file in it with
// O_EXCL. Nobody else can plant or swap anything in it. Those left behind by a killed run are
// removed by the next write to the same target once their process is gone (or after a day).

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cxsim {

/// What may happen to an existing file at the output path.
enum class Replace {
  never,    ///< any existing entry is refused (the CLI without --force)
  results,  ///< an existing file of the target's OutputKind (for `cxsim run` a cxsim results file) is
            ///< replaced, anything else refused (the CLI with --force)
};

/// What a command writes, and so what an existing file must be for it to be replaced: a file of
/// the same kind that cxsim wrote.
enum class OutputKind {
  results,              ///< HDF5, format "cxsim-results" (cxsim run)
  sensitivity,          ///< HDF5, format "cxsim-sensitivity" (cxsim sensitivity)
  calibrated_scenario,  ///< TOML whose first line is calibrate's header (cxsim calibrate)
};

/// The checked output path.
struct OutputTarget {
  std::string path;
  Replace replace = Replace::never;
  OutputKind kind = OutputKind::results;
  bool exists = false;  ///< a file of `kind` was there at the check
  unsigned mode = 0;    ///< its permission bits, kept on replacement
};

/// Checks `path` before any work: the directory exists, is a directory, is writable (a temporary
/// file is created and removed there) and has room for `estimated_bytes`; an existing entry must be a
/// regular file of `kind` that cxsim wrote (Replace::results allows that one) and `replace` must
/// allow it. Also removes stale temporary files of dead runs for this target. Takes milliseconds.
/// @throws InputError naming `path`, saying what is wrong (exit status 2)
OutputTarget check_output(const std::string& path, Replace replace, std::uint64_t estimated_bytes,
                          OutputKind kind = OutputKind::results);

/// A default results name in the current directory that does not exist yet: "<stem>.h5", else
/// "<stem>-2.h5", "<stem>-3.h5", ... so a second run never replaces the first one's results.
std::string default_output_path(const std::string& scenario_file);

/// The temporary file of one write: a new private directory next to target.path holding
/// file(). commit() publishes it atomically (a rename; when nothing was at the target, a rename that
/// refuses to replace a file another run created meanwhile) and keeps an overwritten file's
/// permissions. The destructor removes whatever was not committed.
class TempOutput {
 public:
  /// @throws InputError when the directory cannot be created
  explicit TempOutput(const OutputTarget& target);
  TempOutput(const TempOutput&) = delete;
  TempOutput& operator=(const TempOutput&) = delete;
  ~TempOutput();

  /// Where to write (does not exist yet).
  const std::string& file() const { return file_; }

  /// fsync, check `cancel` (may be null; set -> Cancelled, nothing published), re-check the target
  /// and rename. The rename is the commit point.
  /// @throws InputError when the target changed kind since the check or another run wrote it first
  /// @throws Cancelled when `cancel` was set before the commit
  void commit(const std::atomic<bool>* cancel);

 private:
  OutputTarget target_;
  std::string dir_;
  std::string file_;
};

/// True when `name` (a file name, no directory) is a cxsim temporary file.
bool is_temp_name(const std::string& name);

/// True when the regular file at `path` is one cxsim wrote as `kind`. Never throws.
bool is_cxsim_output(const std::string& path, OutputKind kind);

/// The root attribute `format` of the HDF5 files cxsim writes, by which is_cxsim_output() and the
/// results reader recognise them.
inline constexpr std::string_view kResultsFormat = "cxsim-results";
inline constexpr std::string_view kSensitivityFormat = "cxsim-sensitivity";
/// The first line of a scenario cxsim calibrate writes (what is_cxsim_output() recognises).
inline constexpr std::string_view kCalibratedHeader = "# Calibrated by cxsim calibrate from ";

}  // namespace cxsim
