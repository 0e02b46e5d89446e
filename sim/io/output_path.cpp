#include "io/output_path.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "io/h5.hpp"

namespace cxsim {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTempMarker = ".cxsim-tmp-";
constexpr std::time_t kStaleSeconds = 24 * 3600;

std::string error_text(int error) {
  return std::strerror(error);
}

struct Split {
  std::string dir;   ///< "." when the path has no directory part
  std::string name;  ///< the last component
};

Split split(const std::string& path) {
  const fs::path p(path);
  Split s{p.parent_path().string(), p.filename().string()};
  if (s.dir.empty()) s.dir.push_back('.');
  return s;
}

std::string random_suffix() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char bytes[12] = {};
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("getrandom failed: " + error_text(errno));
    got += static_cast<std::size_t>(n);
  }
  std::string out;
  for (const unsigned char b : bytes) out += kChars[b % (sizeof kChars - 1)];
  return out;
}

std::string temp_prefix(const std::string& name) {
  return "." + name + kTempMarker;
}

/// Creates a new private directory next to `path`; returns false (errno set) on failure.
bool create_temp_dir(const Split& where, std::string& temp) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = where.dir + "/" + temp_prefix(where.name) + std::to_string(::getpid()) + "-" + random_suffix();
    if (::mkdir(temp.c_str(), 0700) == 0) return true;
    if (errno != EEXIST) return false;
  }
  errno = EEXIST;
  return false;
}

/// Removes a temporary directory of ours: the regular files in it (never following symlinks),
/// then the directory. Errors are ignored.
void remove_temp_dir(int parent_fd, const std::string& name) {
  const int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    if (DIR* dir = ::fdopendir(fd)) {
      while (const dirent* entry = ::readdir(dir)) {
        const std::string inner = entry->d_name;
        if (inner == "." || inner == "..") continue;
        struct stat st {};
        if (::fstatat(::dirfd(dir), inner.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
          ::unlinkat(::dirfd(dir), inner.c_str(), 0);
      }
      ::closedir(dir);
    } else {
      ::close(fd);
    }
  }
  ::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR);
}

/// Removes temporary directories of dead runs for `where.name`: directories of this user whose
/// process no longer exists, or older than a day. Never follows symlinks; errors are ignored.
void remove_stale_temps(const Split& where) {
  DIR* dir = ::opendir(where.dir.c_str());
  if (!dir) return;
  const std::string prefix = temp_prefix(where.name);
  const std::time_t now = std::time(nullptr);
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const auto dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || dash > 10) continue;
    long pid = 0;
    for (std::size_t i = 0; i < dash; ++i) {
      if (rest[i] < '0' || rest[i] > '9') {
        pid = -1;
        break;
      }
      pid = pid * 10 + (rest[i] - '0');
    }
    if (pid <= 0) continue;
    struct stat st {};
    if (::fstatat(::dirfd(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
    const bool dead = ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    const bool old = now - st.st_mtime > kStaleSeconds;
    if ((dead && pid != ::getpid()) || old) remove_temp_dir(::dirfd(dir), name);
  }
  ::closedir(dir);
}

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);  // best effort: some file systems refuse fsync on directories
  ::close(fd);
}

/// What a command writing `kind` may replace, for messages.
std::string kind_text(OutputKind kind) {
  switch (kind) {
    case OutputKind::sensitivity:
      return "a cxsim sensitivity file";
    case OutputKind::calibrated_scenario:
      return "a scenario written by cxsim calibrate";
    case OutputKind::results:
      break;
  }
  return "a cxsim results file";
}

/// Refuses an existing entry at `path` that must not be replaced; fills `target` for a file of
/// target.kind.
void check_existing(const std::string& path, const struct stat& st, Replace replace, OutputTarget& target) {
  const std::string what = kind_text(target.kind);
  if (S_ISLNK(st.st_mode))
    throw InputError(
        "refusing to write: the output path is a symbolic link (cxsim writes only to a new path or over " +
            what + ")",
        path);
  if (S_ISDIR(st.st_mode))
    throw InputError("refusing to write: the output path is a directory; give a file name", path);
  if (!S_ISREG(st.st_mode))
    throw InputError(
        "refusing to write: the output path is a special file (device, FIFO or socket), "
        "not a regular file",
        path);
  if (!is_cxsim_output(path, target.kind))
    throw InputError("refusing to replace a file that is not " + what + "; choose another output path", path);
  if (replace == Replace::never)
    throw InputError(target.kind == OutputKind::results
                         ? std::string("a results file exists already; use --force to replace it, or choose "
                                       "another output path (without -o, cxsim picks a new name)")
                         : what + " exists already; use --force to replace it, or choose another output path",
                     path);
  target.exists = true;
  target.mode = st.st_mode & 0777;
}

}  // namespace

bool is_temp_name(const std::string& name) {
  return !name.empty() && name[0] == '.' && name.find(kTempMarker) != std::string::npos;
}

bool is_cxsim_output(const std::string& path, OutputKind kind) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  try {
    if (kind == OutputKind::calibrated_scenario) {
      std::ifstream in(path, std::ios::binary);
      std::string first(kCalibratedHeader.size(), '\0');
      in.read(first.data(), static_cast<std::streamsize>(first.size()));
      return in && first == kCalibratedHeader;
    }
    if (!h5::is_hdf5(path)) return false;
    h5::File file;
    h5::verify_global_heaps(path, &file);
    const std::string_view format = kind == OutputKind::sensitivity ? kSensitivityFormat : kResultsFormat;
    return file.has_attr("format") && file.attr_type("format") == h5::AttrType::string &&
           file.read_attr<std::string>("format") == format;
  } catch (const std::exception&) {
    return false;
  }
}

OutputTarget check_output(const std::string& path, Replace replace, std::uint64_t estimated_bytes,
                          OutputKind kind) {
  if (path.empty()) throw InputError("the output path is empty");
  const Split where = split(path);
  if (where.name.empty() || where.name == "." || where.name == "..")
    throw InputError("the output path names a directory; give a file name", path);
  OutputTarget target;
  target.path = path;
  target.replace = replace;
  target.kind = kind;

  struct stat dir_st {};
  if (::stat(where.dir.c_str(), &dir_st) != 0)
    throw InputError("cannot write results: directory '" + where.dir + "': " + error_text(errno), path);
  if (!S_ISDIR(dir_st.st_mode))
    throw InputError("cannot write results: '" + where.dir + "' is not a directory", path);

  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0)
    check_existing(path, st, replace, target);
  else if (errno != ENOENT)
    throw InputError("cannot write results: " + error_text(errno), path);

  remove_stale_temps(where);
  // Writable? Create and remove a temporary file: this covers permissions, read-only mounts and
  // root, which access(2) does not.
  std::string probe;
  if (!create_temp_dir(where, probe))
    throw InputError("cannot write results in directory '" + where.dir + "': " + error_text(errno), path);
  const std::string probe_file = probe + "/probe";
  const int fd = ::open(probe_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  const int probe_error = errno;
  if (fd >= 0) ::close(fd), ::unlink(probe_file.c_str());
  ::rmdir(probe.c_str());
  if (fd < 0)
    throw InputError("cannot write results in directory '" + where.dir + "': " + error_text(probe_error),
                     path);

  struct statvfs fs_st {};
  if (::statvfs(where.dir.c_str(), &fs_st) == 0) {
    const auto free_bytes = static_cast<unsigned long long>(fs_st.f_bavail) * fs_st.f_frsize;
    if (estimated_bytes > free_bytes)
      throw InputError("not enough free space in '" + where.dir + "': the results need up to " +
                           std::to_string(estimated_bytes / (1024 * 1024) + 1) + " MB, " +
                           std::to_string(free_bytes / (1024 * 1024)) + " MB are free",
                       path);
  }
  return target;
}

std::string default_output_path(const std::string& scenario_file) {
  std::string stem = fs::path(scenario_file).stem().string();
  if (stem.empty() || stem[0] == '.') stem = "results" + stem;
  for (int n = 1; n < 100000; ++n) {
    const std::string candidate = n == 1 ? stem + ".h5" : stem + "-" + std::to_string(n) + ".h5";
    struct stat st {};
    if (::lstat(candidate.c_str(), &st) != 0 && errno == ENOENT) return candidate;
  }
  throw InputError("no free results name of the form " + stem + "-N.h5 here; give one with -o");
}

TempOutput::TempOutput(const OutputTarget& target) : target_(target) {
  const Split where = split(target.path);
  if (!create_temp_dir(where, dir_))
    throw InputError("cannot write results: " + error_text(errno), target.path);
  file_ = dir_ + "/" + where.name;
}

TempOutput::~TempOutput() {
  if (dir_.empty()) return;
  const Split where = split(dir_);
  const int parent = ::open(where.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent >= 0) {
    remove_temp_dir(parent, where.name);
    ::close(parent);
  }
}

void TempOutput::commit(const std::atomic<bool>* cancel) {
  const int fd = ::open(file_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw InputError("cannot write results: " + error_text(errno), target_.path);
  struct stat st {};
  if (target_.exists && ::lstat(target_.path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    ::fchmod(fd, st.st_mode & 0777);
    if (::geteuid() == 0) (void)!::fchown(fd, st.st_uid, st.st_gid);
  }
  const int synced = ::fsync(fd);
  const int sync_error = errno;
  ::close(fd);
  if (synced != 0) throw InputError("cannot write results: fsync: " + error_text(sync_error), target_.path);

  if (cancel && cancel->load()) throw Cancelled();
  // The commit: the target must still be what check_output() accepted.
  if (::lstat(target_.path.c_str(), &st) == 0) {
    OutputTarget again;
    again.kind = target_.kind;
    try {
      check_existing(target_.path, st, target_.replace, again);
    } catch (const InputError& e) {
      if (!target_.exists)
        throw InputError(
            "another process created this file while cxsim was running; it was left "
            "as it is and these results were not written (" +
                e.message() + ")",
            target_.path);
      throw;
    }
    if (::rename(file_.c_str(), target_.path.c_str()) != 0)
      throw InputError("cannot write results: " + error_text(errno), target_.path);
  } else {
    int status = ::renameat2(AT_FDCWD, file_.c_str(), AT_FDCWD, target_.path.c_str(), RENAME_NOREPLACE);
    if (status != 0 && (errno == EINVAL || errno == ENOSYS)) {  // file systems without NOREPLACE
      status = ::link(file_.c_str(), target_.path.c_str());
      if (status == 0) ::unlink(file_.c_str());
    }
    if (status != 0 && errno == EEXIST)
      throw InputError(
          "another process created this file while cxsim was running; it was left as "
          "it is and these results were not written",
          target_.path);
    if (status != 0) throw InputError("cannot write results: " + error_text(errno), target_.path);
  }
  sync_directory(split(target_.path).dir);
}

}  // namespace cxsim
