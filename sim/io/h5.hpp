#pragma once
// A thin RAII layer over the HDF5 C API (docs/architecture.md; HighFive is the model): every handle
// closes itself, every call is checked, and a failure becomes an h5::Error carrying HDF5's own
// innermost message. HDF5's automatic printing of error stacks to stderr is switched off.
//
// Only what cxsim's results files need: files, groups, attributes (float64, int64, bool, UTF-8
// string) and 1-D/2-D datasets (float64, float32, int64, int32, uint8), chunked and compressed,
// and 1-D string datasets.
// The Debian library is built thread-safe, but calls are serialised inside it: keep HDF5 work on
// one thread and out of parallel phases.

#include <hdf5.h>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cxsim::h5 {

/// An HDF5 call failed: a bug, a damaged file or a full disk, not bad user input.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Turns off HDF5's printing of error stacks for the calling thread (the setting is per thread in
/// thread-safe builds). File::create and File::open call it, so users rarely need to.
void silence_errors();

/// True when `path` starts with an HDF5 signature.
/// @throws Error when the file cannot be read at all (missing, a directory, no permission)
bool is_hdf5(const std::string& path);

/// Owns one HDF5 identifier and releases it with the close function of its kind. Move-only.
class Handle {
 public:
  using CloseFn = herr_t (*)(hid_t);

  Handle() noexcept = default;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  ~Handle() { reset(); }

  hid_t id() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }

  /// Closes now and checks the result (destructors cannot report a failed close).
  /// @throws Error when HDF5 reports a failure
  void close();

 protected:
  /// Takes ownership of `id`, the result of a call that has been checked already.
  /// @throws Error when `id` is negative anyway
  Handle(hid_t id, CloseFn close_fn);

 private:
  void reset() noexcept;

  hid_t id_ = H5I_INVALID_HID;
  CloseFn close_ = nullptr;
};

class Dataspace : public Handle {
 public:
  Dataspace() = default;
  explicit Dataspace(hid_t id);
  static Dataspace scalar();
  static Dataspace simple(std::span<const hsize_t> dims);
  std::vector<hsize_t> dims() const;
};

class PropertyList : public Handle {
 public:
  PropertyList() = default;
  explicit PropertyList(hid_t id);
  /// A new list of class `cls` (H5P_FILE_CREATE, H5P_DATASET_CREATE, ...).
  static PropertyList create(hid_t cls);
};

class Datatype : public Handle {
 public:
  Datatype() = default;
  explicit Datatype(hid_t id);
  /// Variable-length UTF-8 string: h5py reads it as `str` (fixed-length ones come back as bytes).
  static Datatype utf8_string();
  /// Enum int8 {FALSE = 0, TRUE = 1}: the type h5py and NumPy read as `numpy.bool_`.
  static Datatype boolean();
};

class Attribute : public Handle {
 public:
  Attribute() = default;
  explicit Attribute(hid_t id);
};

/// What an attribute holds, as far as this layer is concerned.
/// `string` is a variable-length UTF-8 string; `other_string` any other string (fixed-length, ASCII).
enum class AttrType { real, integer, boolean, string, other_string, other };

/// Element type of a dataset.
enum class ElementType { float64, float32, int64, int32, uint8, other };

/// An object that carries attributes: a file (its root group), a group or a dataset.
class Object : public Handle {
 public:
  bool has_attr(std::string_view name) const;
  /// Names in the order HDF5 stores them (by name).
  std::vector<std::string> attr_names() const;
  AttrType attr_type(std::string_view name) const;

  /// Scalar attributes; an existing attribute of the same name is replaced.
  void write_attr(std::string_view name, double value) const;
  void write_attr(std::string_view name, std::int64_t value) const;
  void write_attr(std::string_view name, bool value) const;
  void write_attr(std::string_view name, std::string_view value) const;
  /// Without this overload a string literal would convert to bool.
  void write_attr(std::string_view name, const char* value) const {
    write_attr(name, std::string_view(value));
  }

  /// Reads a scalar attribute, converting numbers as HDF5 does (int64 -> double is fine).
  /// T is double, std::int64_t, bool or std::string (variable- or fixed-length).
  /// @throws Error when it is missing or of another kind
  template <class T>
  T read_attr(std::string_view name) const;

  /// Any scalar attribute as text: numbers in shortest round-trip form, booleans true/false.
  std::string read_attr_text(std::string_view name) const;

 protected:
  using Handle::Handle;
  Object() = default;

 private:
  Attribute open_attr(std::string_view name) const;
};

class Dataset : public Object {
 public:
  Dataset() = default;
  explicit Dataset(hid_t id);

  std::vector<hsize_t> dims() const;
  /// Chunk shape; empty when the layout is contiguous.
  std::vector<hsize_t> chunk() const;
  ElementType element_type() const;

  /// All elements, row-major; HDF5 converts from the stored type when it can.
  /// T is double, float, std::int64_t, std::int32_t or std::uint8_t.
  template <class T>
  std::vector<T> read() const;

  /// A 1-D dataset of strings (variable- or fixed-length) as text.
  /// @throws Error when it does not hold strings
  std::vector<std::string> read_strings() const;

  /// The number of elements, checked before anything is allocated: the layout must be one cxsim
  /// writes (contiguous, compact or chunked; no external storage, no virtual dataset), the element
  /// count must not overflow, and count x `element_size` bytes must be at most `max_bytes` and
  /// plausible for a file of `file_bytes` (read() and read_strings() check this with the limits
  /// set by set_read_limits()).
  /// @throws Error saying what is wrong
  std::uint64_t checked_count(std::size_t element_size) const;
};

class Group;

/// A file or a group: something that holds groups and datasets.
class Location : public Object {
 public:
  bool has(std::string_view name) const;
  /// Member names, in creation order when the group tracks it (cxsim's do), else by name.
  std::vector<std::string> children() const;

  /// A new group that tracks the creation order of its members.
  Group create_group(std::string_view name) const;
  Group open_group(std::string_view name) const;

  /// A new dataset of shape `dims` (1-D or 2-D, row-major `data`), chunked by chunk_shape()
  /// and compressed with shuffle + deflate(4). T is double, float, std::int64_t, std::int32_t or
  /// std::uint8_t.
  /// @throws Error when the product of `dims` is not data.size() or HDF5 fails
  template <class T>
  Dataset write_dataset(std::string_view name, std::span<const T> data, std::span<const hsize_t> dims) const;
  Dataset open_dataset(std::string_view name) const;

  /// A new 1-D dataset of variable-length UTF-8 strings (h5py reads them as `str` objects),
  /// contiguous and uncompressed. The strings must not contain NUL.
  Dataset write_strings(std::string_view name, std::span<const std::string> data) const;

 protected:
  using Object::Object;
  Location() = default;
};

class Group : public Location {
 public:
  Group() = default;
  explicit Group(hid_t id);
};

class File : public Location {
 public:
  File() = default;

  /// Creates `path`, which must not exist (O_EXCL: never opens or follows an existing entry). The file
  /// refuses to close while objects in it are open (H5F_CLOSE_SEMI), so a leaked handle is an error at
  /// close() instead of a silent late flush.
  /// @throws Error when the file cannot be created
  static File create(const std::string& path);
  /// Opens `path` read-only.
  /// @throws Error when it cannot be opened (missing, not HDF5, truncated)
  static File open(const std::string& path);
  /// Opens `path`, a file cxsim has just written and closed, for writing (seal_global_heaps()).
  /// @throws Error when it cannot be opened
  static File open_for_update(const std::string& path);

  /// The superblock version: 2 and later checksum the file's metadata (cxsim writes 2 or 3).
  unsigned superblock_version() const;

 private:
  explicit File(hid_t id);
};

/// The global heap collections ("GCOL", where HDF5 keeps variable-length strings) of the file at
/// `path`, read raw: HDF5 1.10 does not checksum them and copies an object of the size the heap
/// declares, so a damaged size would overrun memory inside the library. A sound collection lies
/// within the file, its objects tile it exactly, are numbered 1, 2, 3, ... in order, hold no NUL
/// (cxsim's hold text) and are zero-padded. Files cxsim writes always pass.
struct HeapScan {
  std::string digest;   ///< SHA-256 (hex) of the sound collections' bytes, in file order
  std::string problem;  ///< the first signature that is not a sound collection, or ""
};
/// A signature that is not a sound collection is skipped (its 8 bytes may be a number stored
/// elsewhere) and reported in `problem`.
HeapScan scan_global_heaps(const std::string& path);

/// Records the digest of a closed file's global heaps in its root attribute `heaps_sha256` (a
/// fixed-length string, kept in the checksummed object header, not in a heap): the text the
/// heaps hold (attributes, names, the stored scenario) has no checksum of its own in HDF5.
void seal_global_heaps(const std::string& path);

/// What readers run before HDF5 reads any text of the file: with `heaps_sha256`, the sound
/// collections must give that digest (a damaged collection is skipped by the scan, so the digest
/// differs; a number that looks like a signature is skipped alike and does no harm); without it
/// (files from before 2026-12-03), no signature may be unsound. Returns the digest.
/// @param opened when given, receives the file HDF5 opened for the check (read it through this,
///        not by opening the path again: another file may be renamed over it meanwhile)
/// @throws Error naming what is damaged
std::string verify_global_heaps(const std::string& path, File* opened = nullptr);

/// Limits for reading untrusted files (docs/reliability.md): the most bytes one dataset or
/// attribute may need in memory, and the size of the file being read (a compressed dataset
/// expands at most about 1000-fold with deflate, so a dataset declaring more than
/// kMaxExpansion x file size is refused). Per thread; File::open sets file_bytes.
inline constexpr std::uint64_t kMaxExpansion = 2048;
void set_read_limits(std::uint64_t max_bytes, std::uint64_t file_bytes);
std::uint64_t read_limit_bytes();

/// The chunk shape write_dataset uses for `dims` with elements of `element_size` bytes: about
/// 64 KiB per chunk (thousands of elements), whole rows first, never larger than the dataset.
/// Empty (contiguous, uncompressed) for datasets under kMinChunkedElements elements, where the
/// chunk index and filter overhead outweigh any gain and a chunk would be a handful of elements.
inline constexpr std::size_t kChunkBytes = 64 * 1024;
inline constexpr std::size_t kMinChunkedElements = 256;
std::vector<hsize_t> chunk_shape(std::span<const hsize_t> dims, std::size_t element_size);

}  // namespace cxsim::h5
