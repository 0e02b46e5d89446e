#include "io/h5.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

namespace cxsim::h5 {

namespace {

// --- errors -------------------------------------------------------------------------------------

// Walking downward visits the API call first and the innermost function last; the innermost
// message is the specific one ("truncated file: eof = ...", "errno = 2, No such file ...").
herr_t keep_innermost(unsigned, const H5E_error2_t* err, void* out) {
  if (err->desc && *err->desc) *static_cast<std::string*>(out) = err->desc;
  return 0;
}

std::string take_hdf5_message() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_innermost, &message);
  H5Eclear2(H5E_DEFAULT);
  return message;
}

[[noreturn]] void fail(std::string_view call, std::string_view name) {
  std::string text(call);
  if (!name.empty()) text += " '" + std::string(name) + "'";
  text += " failed";
  if (const auto detail = take_hdf5_message(); !detail.empty()) text += ": " + detail;
  throw Error(text);
}

hid_t check(hid_t id, std::string_view call, std::string_view name = {}) {
  if (id < 0) fail(call, name);
  return id;
}

// herr_t and htri_t are both int: one checker returning the value serves both.
int check_status(int status, std::string_view call, std::string_view name = {}) {
  if (status < 0) fail(call, name);
  return status;
}

// --- types --------------------------------------------------------------------------------------

// Memory types are the native ones; file types are fixed little-endian so files are identical
// on every machine.
template <class T>
hid_t mem_type();
template <>
hid_t mem_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
hid_t mem_type<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
hid_t mem_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
hid_t mem_type<std::int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
hid_t mem_type<std::uint8_t>() {
  return H5T_NATIVE_UINT8;
}

template <class T>
hid_t file_type();
template <>
hid_t file_type<double>() {
  return H5T_IEEE_F64LE;
}
template <>
hid_t file_type<float>() {
  return H5T_IEEE_F32LE;
}
template <>
hid_t file_type<std::int64_t>() {
  return H5T_STD_I64LE;
}
template <>
hid_t file_type<std::int32_t>() {
  return H5T_STD_I32LE;
}
template <>
hid_t file_type<std::uint8_t>() {
  return H5T_STD_U8LE;
}

std::string number_text(double value) {
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

bool is_bool_enum(hid_t type) {
  if (H5Tget_class(type) != H5T_ENUM || check_status(H5Tget_nmembers(type), "H5Tget_nmembers") != 2)
    return false;
  for (unsigned i = 0; i < 2; ++i) {
    char* name = H5Tget_member_name(type, i);
    const bool expected = name && std::strcmp(name, i == 0 ? "FALSE" : "TRUE") == 0;
    H5free_memory(name);
    if (!expected) return false;
  }
  return true;
}

// Links and attributes stay in the object headers (compact storage), which the latest format
// checksums; HDF5's dense storage keeps them in a fractal heap whose blocks are not checksummed, so
// a damaged one crashed inside the library. Readers refuse dense storage (check_compact).
void set_compact_attributes(hid_t ocpl) {
  check_status(H5Pset_attr_phase_change(ocpl, 65535, 65535), "H5Pset_attr_phase_change");
}
void set_compact_storage(hid_t gcpl) {
  check_status(H5Pset_link_phase_change(gcpl, 65535, 65535), "H5Pset_link_phase_change");
  set_compact_attributes(gcpl);
}

/// Refuses an object (group, dataset or file) whose links or attributes use dense storage.
void check_compact(hid_t object, std::string_view what) {
  H5O_info_t info{};
  check_status(H5Oget_info2(object, &info, H5O_INFO_BASIC | H5O_INFO_META_SIZE), "H5Oget_info2", what);
  const bool dense_attributes = info.meta_size.attr.heap_size > 0 || info.meta_size.attr.index_size > 0;
  bool dense_links = false;
  if (info.type == H5O_TYPE_GROUP) {
    H5G_info_t group{};
    check_status(H5Gget_info(object, &group), "H5Gget_info", what);
    dense_links = group.storage_type == H5G_STORAGE_TYPE_DENSE;
  }
  if (dense_attributes || dense_links)
    throw Error(std::string(what.empty() ? "an object" : "'" + std::string(what) + "'") +
                " uses HDF5's dense storage, which is not checksummed; cxsim writes compact storage "
                "(files from cxsim before this check: run the scenario again)");
}

// Text from a file may be anything: invalid UTF-8 becomes U+FFFD, so every consumer (h5py-like
// Python strings, terminals) gets valid text.
std::string valid_utf8(std::string text) {
  std::string out;
  std::size_t i = 0;
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  bool clean = true;
  while (i < text.size()) {
    const unsigned char c = byte(i);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (byte(i + k) & 0xC0) == 0x80;
    if (ok && len > 1) {
      std::uint32_t cp = c & (0x7F >> len);
      for (std::size_t k = 1; k < len; ++k) cp = cp << 6 | (byte(i + k) & 0x3F);
      ok = cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) &&
           cp >= (len == 2   ? 0x80u
                  : len == 3 ? 0x800u
                             : 0x10000u);
    }
    if (!ok) {
      if (clean) out.assign(text, 0, i), clean = false;
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (!clean) out.append(text, i, len);
    i += len;
  }
  return clean ? text : out;
}

thread_local std::uint64_t t_max_bytes = std::uint64_t{1} << 40;
thread_local std::uint64_t t_file_bytes = std::uint64_t{1} << 40;

}  // namespace

void set_read_limits(std::uint64_t max_bytes, std::uint64_t file_bytes) {
  t_max_bytes = max_bytes;
  t_file_bytes = file_bytes;
}

std::uint64_t read_limit_bytes() {
  return t_max_bytes;
}

namespace {

/// An open file descriptor, closed on scope exit.
struct Descriptor {
  int fd;
  explicit Descriptor(const std::string& path) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)) {
    if (fd < 0) throw Error("cannot open " + path);
  }
  ~Descriptor() { ::close(fd); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
};

/// scan_global_heaps() of the file open as `fd` (which the caller keeps open).
HeapScan scan_descriptor(int fd_in, const std::string& path) {
  const int fd = ::dup(fd_in);  // closed below, as the mapping is made
  if (fd < 0) throw Error("cannot read " + path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error("not a regular file: " + path);
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  struct Digest {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Digest() { EVP_MD_CTX_free(ctx); }
    std::string hex() {
      unsigned char digest[EVP_MAX_MD_SIZE];
      unsigned int n = 0;
      if (EVP_DigestFinal_ex(ctx, digest, &n) != 1) throw Error("SHA-256 failed (OpenSSL)");
      static constexpr char kHex[] = "0123456789abcdef";
      std::string out;
      for (unsigned int i = 0; i < n; ++i) out += {kHex[digest[i] >> 4], kHex[digest[i] & 0xf]};
      return out;
    }
  } digest;
  if (!digest.ctx || EVP_DigestInit_ex(digest.ctx, EVP_sha256(), nullptr) != 1) {
    ::close(fd);
    throw Error("SHA-256 failed (OpenSSL)");
  }
  if (size == 0) {
    ::close(fd);
    return {digest.hex(), {}};
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) throw Error("cannot map " + path);
  struct Unmap {
    void* p;
    std::uint64_t n;
    ~Unmap() { ::munmap(p, n); }
  } unmap{map, size};
  const auto* d = static_cast<const unsigned char*>(map);
  const auto u64 = [&](std::uint64_t at) {
    std::uint64_t v = 0;
    for (int k = 7; k >= 0; --k) v = v << 8 | d[at + static_cast<std::uint64_t>(k)];
    return v;
  };
  // Each "GCOL" signature found is checked; one that is not a sound collection is skipped and its
  // first problem kept: the same 8 bytes may be a number (a seed of 5575230279 is "GCOL" 1 0 0 0).
  // Whether a problem damns the file depends on the digest (verify_global_heaps()).
  HeapScan scan;
  static constexpr unsigned char kSig[8] = {'G', 'C', 'O', 'L', 1, 0, 0, 0};
  const auto collection_problem = [&](std::uint64_t start, std::uint64_t& end) -> std::string {
    const auto damaged = [&](std::uint64_t at, const char* what) {
      return "damaged global heap (variable-length strings) at byte " + std::to_string(at) + ": " + what;
    };
    if (start + 16 > size) return damaged(start, "truncated header");
    const std::uint64_t length = u64(start + 8);
    if (length < 4096 || length > size - start) return damaged(start, "collection size outside the file");
    end = start + length;
    std::uint64_t p = start + 16;
    unsigned expected = 1;
    while (p < end) {
      if (end - p < 16) break;  // too little left for an object: unused
      const unsigned index = d[p] | d[p + 1] << 8;
      const std::uint64_t object = u64(p + 8);
      if (index == 0) {  // free space: the rest of the collection
        if (object != end - p) return damaged(p, "free space does not fill the collection");
        break;
      }
      // cxsim writes each file once, so a collection's objects are numbered 1, 2, 3, ... in order;
      // an index used twice crashed HDF5, and one no reference finds gave another object's text.
      if (index != expected++) return damaged(p, "objects not numbered 1, 2, 3, ... in order");
      if (object > end - p - 16) return damaged(p, "object larger than its collection");
      const std::uint64_t padded = (object + 7) / 8 * 8;
      if (padded > end - p - 16) return damaged(p, "object larger than its collection");
      const unsigned char* data = d + p + 16;
      if (std::memchr(data, 0, object) != nullptr)
        return damaged(p,
                       "an object that is not text (a NUL byte): cxsim keeps only text there, and a virtual "
                       "dataset (data from other files, which cxsim never writes) keeps its mapping there");
      for (std::uint64_t k = object; k < padded; ++k)
        if (data[k] != 0) return damaged(p, "object size does not match its padding");
      p += 16 + padded;
    }
    return {};
  };
  std::uint64_t at = 0;
  while (at + 8 <= size) {
    const void* hit = ::memmem(d + at, size - at, kSig, sizeof kSig);
    if (!hit) break;
    const auto start = static_cast<std::uint64_t>(static_cast<const unsigned char*>(hit) - d);
    std::uint64_t end = start;
    if (std::string problem = collection_problem(start, end); !problem.empty()) {
      if (scan.problem.empty()) scan.problem = std::move(problem);
      at = start + 1;
      continue;
    }
    if (EVP_DigestUpdate(digest.ctx, d + start, end - start) != 1) throw Error("SHA-256 failed (OpenSSL)");
    at = end;
  }
  scan.digest = digest.hex();
  return scan;
}

}  // namespace

HeapScan scan_global_heaps(const std::string& path) {
  const Descriptor file(path);
  return scan_descriptor(file.fd, path);
}

void silence_errors() {
  check_status(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "H5Eset_auto2");
}

bool is_hdf5(const std::string& path) {
  silence_errors();
  return check_status(H5Fis_hdf5(path.c_str()), "H5Fis_hdf5", path) > 0;
}

// --- handles ------------------------------------------------------------------------------------

Handle::Handle(hid_t id, CloseFn close_fn) : id_(check(id, "HDF5 call")), close_(close_fn) {}

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    close_ = other.close_;
  }
  return *this;
}

void Handle::reset() noexcept {
  if (id_ >= 0) close_(id_);  // a failure here cannot be reported; close() exists for that
  id_ = H5I_INVALID_HID;
}

void Handle::close() {
  if (id_ < 0) return;
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  check_status(close_(id), "close");
}

Dataspace::Dataspace(hid_t id) : Handle(id, &H5Sclose) {}
Dataspace Dataspace::scalar() {
  return Dataspace(check(H5Screate(H5S_SCALAR), "H5Screate"));
}
Dataspace Dataspace::simple(std::span<const hsize_t> dims) {
  return Dataspace(
      check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "H5Screate_simple"));
}
std::vector<hsize_t> Dataspace::dims() const {
  const int rank = check_status(H5Sget_simple_extent_ndims(id()), "H5Sget_simple_extent_ndims");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check_status(H5Sget_simple_extent_dims(id(), dims.data(), nullptr), "H5Sget_simple_extent_dims");
  return dims;
}

PropertyList::PropertyList(hid_t id) : Handle(id, &H5Pclose) {}
PropertyList PropertyList::create(hid_t cls) {
  return PropertyList(check(H5Pcreate(cls), "H5Pcreate"));
}

Datatype::Datatype(hid_t id) : Handle(id, &H5Tclose) {}
Datatype Datatype::utf8_string() {
  Datatype type(check(H5Tcopy(H5T_C_S1), "H5Tcopy"));
  check_status(H5Tset_size(type.id(), H5T_VARIABLE), "H5Tset_size");
  check_status(H5Tset_cset(type.id(), H5T_CSET_UTF8), "H5Tset_cset");
  return type;
}
Datatype Datatype::boolean() {
  Datatype type(check(H5Tenum_create(H5T_NATIVE_INT8), "H5Tenum_create"));
  const std::int8_t no = 0, yes = 1;
  check_status(H5Tenum_insert(type.id(), "FALSE", &no), "H5Tenum_insert");
  check_status(H5Tenum_insert(type.id(), "TRUE", &yes), "H5Tenum_insert");
  return type;
}

Attribute::Attribute(hid_t id) : Handle(id, &H5Aclose) {}

// --- attributes ---------------------------------------------------------------------------------

namespace {

void write_scalar_attr(hid_t object, std::string_view name, hid_t file_type, hid_t mem_type,
                       const void* value) {
  const std::string n(name);
  if (check_status(H5Aexists(object, n.c_str()), "H5Aexists", n) > 0)
    check_status(H5Adelete(object, n.c_str()), "H5Adelete", n);
  const Dataspace space = Dataspace::scalar();
  const Attribute attr(
      check(H5Acreate2(object, n.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2", n));
  check_status(H5Awrite(attr.id(), mem_type, value), "H5Awrite", n);
}

herr_t collect_attr_name(hid_t, const char* name, const H5A_info_t*, void* out) {
  std::string text(name);
  if (valid_utf8(text) != text) return -1;  // cxsim writes UTF-8 names only: refused
  static_cast<std::vector<std::string>*>(out)->push_back(std::move(text));
  return 0;
}

}  // namespace

Attribute Object::open_attr(std::string_view name) const {
  const std::string n(name);
  check_compact(id(), {});
  Attribute attr(check(H5Aopen(id(), n.c_str(), H5P_DEFAULT), "H5Aopen", n));
  const Dataspace space(check(H5Aget_space(attr.id()), "H5Aget_space", n));
  if (check(H5Sget_simple_extent_npoints(space.id()), "H5Sget_simple_extent_npoints", n) != 1)
    throw Error("attribute '" + n + "' is not a scalar");
  return attr;
}

bool Object::has_attr(std::string_view name) const {
  check_compact(id(), {});
  return check_status(H5Aexists(id(), std::string(name).c_str()), "H5Aexists", name) > 0;
}

std::vector<std::string> Object::attr_names() const {
  check_compact(id(), {});
  std::vector<std::string> names;
  hsize_t index = 0;
  check_status(H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attr_name, &names),
               "H5Aiterate2");
  return names;
}

AttrType Object::attr_type(std::string_view name) const {
  const Attribute attr = open_attr(name);
  const Datatype type(check(H5Aget_type(attr.id()), "H5Aget_type", name));
  switch (H5Tget_class(type.id())) {
    case H5T_FLOAT:
      return AttrType::real;
    case H5T_INTEGER:
      return AttrType::integer;
    case H5T_ENUM:
      return is_bool_enum(type.id()) ? AttrType::boolean : AttrType::other;
    case H5T_STRING: {
      const bool variable = check_status(H5Tis_variable_str(type.id()), "H5Tis_variable_str") > 0;
      return variable && H5Tget_cset(type.id()) == H5T_CSET_UTF8 ? AttrType::string : AttrType::other_string;
    }
    default:
      return AttrType::other;
  }
}

void Object::write_attr(std::string_view name, double value) const {
  write_scalar_attr(id(), name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}
void Object::write_attr(std::string_view name, std::int64_t value) const {
  write_scalar_attr(id(), name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}
void Object::write_attr(std::string_view name, bool value) const {
  const Datatype type = Datatype::boolean();
  const std::int8_t stored = value ? 1 : 0;
  write_scalar_attr(id(), name, type.id(), type.id(), &stored);
}
void Object::write_attr(std::string_view name, std::string_view value) const {
  // A C string: the text must not contain NUL (scenario files and command lines do not).
  const std::string text(value);
  const char* pointer = text.c_str();
  const Datatype type = Datatype::utf8_string();
  write_scalar_attr(id(), name, type.id(), type.id(), &pointer);
}

namespace {

// What an attribute that should hold a number holds instead (text, or another type), or "".
std::string not_a_number(const Object& object, std::string_view name, AttrType type) {
  if (type == AttrType::real || type == AttrType::integer || type == AttrType::boolean) return "";
  if (type == AttrType::other) return "attribute '" + std::string(name) + "' is not a number";
  return "attribute '" + std::string(name) + "' holds text '" + object.read_attr_text(name) +
         "', not a number";
}

}  // namespace

template <>
double Object::read_attr<double>(std::string_view name) const {
  if (const std::string fault = not_a_number(*this, name, attr_type(name)); !fault.empty())
    throw Error(fault);
  double value = 0;
  check_status(H5Aread(open_attr(name).id(), H5T_NATIVE_DOUBLE, &value), "H5Aread", name);
  return value;
}

template <>
std::int64_t Object::read_attr<std::int64_t>(std::string_view name) const {
  // HDF5 would convert 20.5 to 20 without a word: a real is read only when it is a whole number.
  const AttrType type = attr_type(name);
  if (const std::string fault = not_a_number(*this, name, type); !fault.empty()) throw Error(fault);
  if (type == AttrType::real) {
    const double real = read_attr<double>(name);
    if (!(std::trunc(real) == real && std::abs(real) < 9.2e18))
      throw Error("attribute '" + std::string(name) + "' holds " + number_text(real) +
                  ", not a whole number");
    return static_cast<std::int64_t>(real);
  }
  std::int64_t value = 0;
  check_status(H5Aread(open_attr(name).id(), H5T_NATIVE_INT64, &value), "H5Aread", name);
  return value;
}

template <>
bool Object::read_attr<bool>(std::string_view name) const {
  if (attr_type(name) == AttrType::integer) return read_attr<std::int64_t>(name) != 0;
  // Enum to enum conversion matches members by name, so a non-boolean enum fails here.
  const Datatype type = Datatype::boolean();
  std::int8_t value = 0;
  check_status(H5Aread(open_attr(name).id(), type.id(), &value), "H5Aread", name);
  return value != 0;
}

template <>
std::string Object::read_attr<std::string>(std::string_view name) const {
  const Attribute attr = open_attr(name);
  const Datatype type(check(H5Aget_type(attr.id()), "H5Aget_type", name));
  if (H5Tget_class(type.id()) != H5T_STRING)
    throw Error("attribute '" + std::string(name) + "' is not a string");
  if (check_status(H5Tis_variable_str(type.id()), "H5Tis_variable_str") > 0) {
    char* pointer = nullptr;
    check_status(H5Aread(attr.id(), type.id(), &pointer), "H5Aread", name);
    std::string text = pointer ? pointer : "";
    H5free_memory(pointer);
    return valid_utf8(std::move(text));
  }
  const std::size_t size = H5Tget_size(type.id());
  if (size == 0 || size > t_max_bytes)
    throw Error("attribute '" + std::string(name) + "' declares a string of " + std::to_string(size) +
                " bytes");
  std::string text(size, '\0');
  check_status(H5Aread(attr.id(), type.id(), text.data()), "H5Aread", name);
  text.resize(std::min(text.find('\0'), text.size()));
  if (H5Tget_strpad(type.id()) == H5T_STR_SPACEPAD) text.erase(text.find_last_not_of(' ') + 1);
  return valid_utf8(std::move(text));
}

std::string Object::read_attr_text(std::string_view name) const {
  switch (attr_type(name)) {
    case AttrType::real:
      return number_text(read_attr<double>(name));
    case AttrType::integer:
      return std::to_string(read_attr<std::int64_t>(name));
    case AttrType::boolean:
      return read_attr<bool>(name) ? "true" : "false";
    case AttrType::string:
    case AttrType::other_string:
      return read_attr<std::string>(name);
    case AttrType::other:
      break;
  }
  return "(unsupported type)";
}

// --- datasets -----------------------------------------------------------------------------------

Dataset::Dataset(hid_t id) : Object(id, &H5Dclose) {}

std::vector<hsize_t> Dataset::dims() const {
  return Dataspace(check(H5Dget_space(id()), "H5Dget_space")).dims();
}

std::vector<hsize_t> Dataset::chunk() const {
  const PropertyList dcpl(check(H5Dget_create_plist(id()), "H5Dget_create_plist"));
  if (H5Pget_layout(dcpl.id()) != H5D_CHUNKED) return {};
  std::vector<hsize_t> chunk(dims().size());
  check_status(H5Pget_chunk(dcpl.id(), static_cast<int>(chunk.size()), chunk.data()), "H5Pget_chunk");
  return chunk;
}

ElementType Dataset::element_type() const {
  const Datatype type(check(H5Dget_type(id()), "H5Dget_type"));
  const std::size_t size = H5Tget_size(type.id());
  switch (H5Tget_class(type.id())) {
    case H5T_FLOAT:
      return size == 8 ? ElementType::float64 : size == 4 ? ElementType::float32 : ElementType::other;
    case H5T_INTEGER: {
      const bool is_signed = H5Tget_sign(type.id()) == H5T_SGN_2;
      if (is_signed && size == 8) return ElementType::int64;
      if (is_signed && size == 4) return ElementType::int32;
      if (!is_signed && size == 1) return ElementType::uint8;
      return ElementType::other;
    }
    default:
      return ElementType::other;
  }
}

std::uint64_t Dataset::checked_count(std::size_t element_size) const {
  const Dataspace space(check(H5Dget_space(id()), "H5Dget_space"));
  if (H5Sget_simple_extent_type(space.id()) != H5S_SIMPLE) throw Error("dataset is not a simple array");
  const int rank = check_status(H5Sget_simple_extent_ndims(space.id()), "H5Sget_simple_extent_ndims");
  if (rank < 1 || rank > 3) throw Error("dataset of rank " + std::to_string(rank) + " (cxsim writes 1 to 3)");
  const std::vector<hsize_t> shape = space.dims();
  std::uint64_t count = 1;
  for (const hsize_t d : shape)
    if (__builtin_mul_overflow(count, static_cast<std::uint64_t>(d), &count))
      throw Error("dataset dimensions overflow when multiplied");
  const PropertyList dcpl(check(H5Dget_create_plist(id()), "H5Dget_create_plist"));
  const H5D_layout_t layout = H5Pget_layout(dcpl.id());
  if (layout == H5D_VIRTUAL)
    throw Error("virtual dataset (it reads other files); cxsim does not write those");
  if (layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED && layout != H5D_COMPACT)
    throw Error("dataset of an unknown storage layout");
  if (layout == H5D_CHUNKED) {
    // The version-1 B-tree chunk index of older formats is not checksummed: not read.
    H5D_chunk_index_t index{};
    check_status(H5Dget_chunk_index_type(id(), &index), "H5Dget_chunk_index_type");
    if (index == H5D_CHUNK_IDX_BTREE)
      throw Error(
          "chunked dataset with an unchecksummed (version 1 B-tree) index; cxsim writes the latest format");
  }
  if (check_status(H5Pget_external_count(dcpl.id()), "H5Pget_external_count") > 0)
    throw Error("dataset with external storage (it reads other files); cxsim does not write those");
  const int filters = check_status(H5Pget_nfilters(dcpl.id()), "H5Pget_nfilters");
  for (int f = 0; f < filters; ++f) {
    unsigned flags = 0;
    std::size_t nvalues = 0;
    const H5Z_filter_t filter =
        H5Pget_filter2(dcpl.id(), static_cast<unsigned>(f), &flags, &nvalues, nullptr, 0, nullptr, nullptr);
    if (filter != H5Z_FILTER_DEFLATE && filter != H5Z_FILTER_SHUFFLE && filter != H5Z_FILTER_FLETCHER32)
      throw Error("dataset with a filter cxsim does not use");
  }
  std::uint64_t bytes = 0;
  if (__builtin_mul_overflow(count, static_cast<std::uint64_t>(std::max<std::size_t>(1, element_size)),
                             &bytes))
    throw Error("dataset size overflows");
  // Uncompressed data cannot be larger than the file; compressed data expands at most ~1000-fold.
  const std::uint64_t slack = 1 << 20;
  const std::uint64_t plausible =
      layout == H5D_CHUNKED && filters > 0
          ? (t_file_bytes > (UINT64_MAX - slack) / kMaxExpansion ? UINT64_MAX
                                                                 : t_file_bytes * kMaxExpansion + slack)
          : t_file_bytes + slack;
  if (bytes > plausible || bytes > t_max_bytes)
    throw Error("dataset declares " + std::to_string(count) + " elements (" + std::to_string(bytes) +
                " bytes), more than the file (" + std::to_string(t_file_bytes) +
                " bytes) can hold or memory allows");
  return count;
}

template <class T>
std::vector<T> Dataset::read() const {
  const Datatype type(check(H5Dget_type(id()), "H5Dget_type"));
  const H5T_class_t cls = H5Tget_class(type.id());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) throw Error("dataset does not hold numbers");
  const std::size_t count =
      static_cast<std::size_t>(checked_count(std::max(sizeof(T), H5Tget_size(type.id()))));
  std::vector<T> values(count);
  if (count > 0)
    check_status(H5Dread(id(), mem_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "H5Dread");
  return values;
}

template std::vector<double> Dataset::read<double>() const;
template std::vector<float> Dataset::read<float>() const;
template std::vector<std::int64_t> Dataset::read<std::int64_t>() const;
template std::vector<std::int32_t> Dataset::read<std::int32_t>() const;
template std::vector<std::uint8_t> Dataset::read<std::uint8_t>() const;

std::vector<std::string> Dataset::read_strings() const {
  const Datatype type(check(H5Dget_type(id()), "H5Dget_type"));
  if (H5Tget_class(type.id()) != H5T_STRING) throw Error("dataset does not hold strings");
  const bool variable = check_status(H5Tis_variable_str(type.id()), "H5Tis_variable_str") > 0;
  const std::size_t count = static_cast<std::size_t>(
      checked_count(variable ? sizeof(char*) + 16 : std::max<std::size_t>(1, H5Tget_size(type.id()))));
  std::vector<std::string> out;
  out.reserve(count);
  if (count == 0) return out;
  if (check_status(H5Tis_variable_str(type.id()), "H5Tis_variable_str") > 0) {
    std::vector<char*> pointers(count, nullptr);
    check_status(H5Dread(id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "H5Dread");
    for (char* p : pointers) out.push_back(valid_utf8(p ? p : ""));
    const Dataspace space(check(H5Dget_space(id()), "H5Dget_space"));
    check_status(H5Dvlen_reclaim(type.id(), space.id(), H5P_DEFAULT, pointers.data()), "H5Dvlen_reclaim");
    return out;
  }
  const std::size_t size = H5Tget_size(type.id());
  std::string buffer(size * count, '\0');
  check_status(H5Dread(id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), "H5Dread");
  for (std::size_t i = 0; i < count; ++i) {
    std::string text = buffer.substr(i * size, size);
    text.resize(std::min(text.find('\0'), text.size()));
    out.push_back(valid_utf8(std::move(text)));
  }
  return out;
}

std::vector<hsize_t> chunk_shape(std::span<const hsize_t> dims, std::size_t element_size) {
  hsize_t total = 1;
  for (const hsize_t d : dims) total *= d;
  if (dims.empty() || total < kMinChunkedElements) return {};
  // Fill the last (fastest) dimension first, then whole rows, up to about kChunkBytes.
  hsize_t budget = std::max<hsize_t>(1, kChunkBytes / std::max<std::size_t>(1, element_size));
  std::vector<hsize_t> chunk(dims.size());
  for (std::size_t i = dims.size(); i-- > 0;) {
    chunk[i] = std::clamp<hsize_t>(budget, 1, dims[i]);
    budget = std::max<hsize_t>(1, budget / chunk[i]);
  }
  return chunk;
}

// --- groups and files ---------------------------------------------------------------------------

namespace {

struct LinkNames {
  std::vector<std::string> names;
  bool foreign = false;   // a soft, external or user-defined link
  bool bad_name = false;  // not valid UTF-8
};

herr_t collect_link_name(hid_t, const char* name, const H5L_info_t* info, void* out) {
  auto* links = static_cast<LinkNames*>(out);
  if (info->type != H5L_TYPE_HARD) links->foreign = true;
  std::string text(name);
  if (valid_utf8(text) != text) links->bad_name = true;
  links->names.push_back(std::move(text));
  return 0;
}

// cxsim files hold only hard links: a soft link could loop or alias, an external link opens another
// file (and could read any local file or block on a FIFO). Each component of `path` is checked
// before HDF5 traverses it.
void check_hard_links(hid_t location, const std::string& path) {
  check_compact(location, {});
  std::size_t end = 0;
  while (end != std::string::npos) {
    end = path.find('/', end + 1);
    const std::string prefix = path.substr(0, end);
    if (prefix.empty()) continue;
    H5L_info_t info{};
    check_status(H5Lget_info(location, prefix.c_str(), &info, H5P_DEFAULT), "H5Lget_info", prefix);
    if (info.type != H5L_TYPE_HARD)
      throw Error("'" + prefix + "' is a soft or external link; cxsim files hold none");
    if (end != std::string::npos) {  // a group the next component is looked up in
      const Handle::CloseFn close = &H5Oclose;
      const hid_t inner = H5Oopen(location, prefix.c_str(), H5P_DEFAULT);
      if (inner < 0) fail("H5Oopen", prefix);
      try {
        check_compact(inner, prefix);
      } catch (...) {
        close(inner);
        throw;
      }
      close(inner);
    }
  }
}

}  // namespace

bool Location::has(std::string_view name) const {
  check_compact(id(), {});
  return check_status(H5Lexists(id(), std::string(name).c_str(), H5P_DEFAULT), "H5Lexists", name) > 0;
}

std::vector<std::string> Location::children() const {
  // "." opens the group itself, also when this is a file (its root group).
  const Group self(check(H5Gopen2(id(), ".", H5P_DEFAULT), "H5Gopen2"));
  check_compact(self.id(), {});
  const PropertyList gcpl(check(H5Gget_create_plist(self.id()), "H5Gget_create_plist"));
  unsigned order = 0;
  check_status(H5Pget_link_creation_order(gcpl.id(), &order), "H5Pget_link_creation_order");
  const auto index = (order & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  LinkNames links;
  hsize_t position = 0;
  check_status(H5Literate(self.id(), index, H5_ITER_INC, &position, collect_link_name, &links), "H5Literate");
  if (links.foreign) throw Error("a group holds soft or external links; cxsim files hold none");
  if (links.bad_name) throw Error("a group holds a name that is not valid UTF-8; cxsim writes UTF-8 names");
  return links.names;
}

Group Location::create_group(std::string_view name) const {
  const PropertyList gcpl = PropertyList::create(H5P_GROUP_CREATE);
  check_status(H5Pset_link_creation_order(gcpl.id(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
               "H5Pset_link_creation_order");
  set_compact_storage(gcpl.id());
  const std::string n(name);
  return Group(check(H5Gcreate2(id(), n.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT), "H5Gcreate2", n));
}

Group Location::open_group(std::string_view name) const {
  const std::string n(name);
  check_hard_links(id(), n);
  return Group(check(H5Gopen2(id(), n.c_str(), H5P_DEFAULT), "H5Gopen2", n));
}

template <class T>
Dataset Location::write_dataset(std::string_view name, std::span<const T> data,
                                std::span<const hsize_t> dims) const {
  const std::string n(name);
  hsize_t total = 1;
  for (const hsize_t d : dims) total *= d;
  if (dims.empty() || total != data.size())
    throw Error("dataset '" + n + "': shape does not match " + std::to_string(data.size()) + " values");
  const Dataspace space = Dataspace::simple(dims);
  const PropertyList dcpl = PropertyList::create(H5P_DATASET_CREATE);
  set_compact_attributes(dcpl.id());
  if (const auto chunk = chunk_shape(dims, sizeof(T)); !chunk.empty()) {
    check_status(H5Pset_chunk(dcpl.id(), static_cast<int>(chunk.size()), chunk.data()), "H5Pset_chunk", n);
    check_status(H5Pset_shuffle(dcpl.id()), "H5Pset_shuffle", n);
    check_status(H5Pset_deflate(dcpl.id(), 4), "H5Pset_deflate", n);
  } else if (total > 0) {  // small data as one chunk of the whole, so that it can carry the checksum
    check_status(H5Pset_chunk(dcpl.id(), static_cast<int>(dims.size()), dims.data()), "H5Pset_chunk", n);
  }
  // Every value carries a checksum that HDF5 verifies on each read: without one, a damaged byte in
  // a sensitivity file's points or outputs was read as a value.
  if (total > 0) check_status(H5Pset_fletcher32(dcpl.id()), "H5Pset_fletcher32", n);
  check_status(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time", n);
  Dataset dataset(
      check(H5Dcreate2(id(), n.c_str(), file_type<T>(), space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
            "H5Dcreate2", n));
  if (total > 0)
    check_status(H5Dwrite(dataset.id(), mem_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
                 "H5Dwrite", n);
  return dataset;
}

template Dataset Location::write_dataset<double>(std::string_view, std::span<const double>,
                                                 std::span<const hsize_t>) const;
template Dataset Location::write_dataset<float>(std::string_view, std::span<const float>,
                                                std::span<const hsize_t>) const;
template Dataset Location::write_dataset<std::int64_t>(std::string_view, std::span<const std::int64_t>,
                                                       std::span<const hsize_t>) const;
template Dataset Location::write_dataset<std::int32_t>(std::string_view, std::span<const std::int32_t>,
                                                       std::span<const hsize_t>) const;
template Dataset Location::write_dataset<std::uint8_t>(std::string_view, std::span<const std::uint8_t>,
                                                       std::span<const hsize_t>) const;

Dataset Location::write_strings(std::string_view name, std::span<const std::string> data) const {
  const std::string n(name);
  const std::array<hsize_t, 1> dims = {data.size()};
  const Dataspace space = Dataspace::simple(dims);
  const Datatype type = Datatype::utf8_string();
  const PropertyList dcpl = PropertyList::create(H5P_DATASET_CREATE);
  set_compact_attributes(dcpl.id());
  Dataset dataset(
      check(H5Dcreate2(id(), n.c_str(), type.id(), space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
            "H5Dcreate2", n));
  std::vector<const char*> pointers;
  pointers.reserve(data.size());
  for (const std::string& s : data) pointers.push_back(s.c_str());
  if (!data.empty())
    check_status(H5Dwrite(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
                 "H5Dwrite", n);
  return dataset;
}

Dataset Location::open_dataset(std::string_view name) const {
  const std::string n(name);
  check_hard_links(id(), n);
  return Dataset(check(H5Dopen2(id(), n.c_str(), H5P_DEFAULT), "H5Dopen2", n));
}

Group::Group(hid_t id) : Location(id, &H5Gclose) {}

File::File(hid_t id) : Location(id, &H5Fclose) {}

namespace {

PropertyList file_access() {
  PropertyList fapl = PropertyList::create(H5P_FILE_ACCESS);
  check_status(H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_SEMI), "H5Pset_fclose_degree");
#if (H5_VERSION_GE(1, 10, 7) && !H5_VERSION_GE(1, 12, 0)) || H5_VERSION_GE(1, 12, 1)
  // Lock as usual, but do not fail on file systems without locks (some NFS and container mounts).
  check_status(H5Pset_file_locking(fapl.id(), true, true), "H5Pset_file_locking");
#endif
  return fapl;
}

// The latest format this library writes (1.10: superblock v3, version-2 object headers, new chunk
// indexes): every metadata block carries a checksum, so corruption is detected instead of read.
void set_format(const PropertyList& fapl) {
  check_status(H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), "H5Pset_libver_bounds");
}

}  // namespace

File File::create(const std::string& path) {
  silence_errors();
  const PropertyList fcpl = PropertyList::create(H5P_FILE_CREATE);
  check_status(H5Pset_link_creation_order(fcpl.id(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
               "H5Pset_link_creation_order");
  set_compact_storage(fcpl.id());
  const PropertyList fapl = file_access();
  set_format(fapl);
  return File(check(H5Fcreate(path.c_str(), H5F_ACC_EXCL, fcpl.id(), fapl.id()), "H5Fcreate", path));
}

unsigned File::superblock_version() const {
  H5F_info2_t info{};
  check_status(H5Fget_info2(id(), &info), "H5Fget_info2");
  return info.super.version;
}

File File::open(const std::string& path) {
  silence_errors();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) throw Error("not a regular file: " + path);
  set_read_limits(t_max_bytes, static_cast<std::uint64_t>(st.st_size));
  const PropertyList fapl = file_access();
  return File(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.id()), "H5Fopen", path));
}

File File::open_for_update(const std::string& path) {
  silence_errors();
  const PropertyList fapl = file_access();
  set_format(fapl);
  return File(check(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.id()), "H5Fopen", path));
}

void seal_global_heaps(const std::string& path) {
  // A "problem" here is a number that looks like a signature (HDF5 writes sound heaps): the digest
  // of the sound collections is what readers recompute.
  const HeapScan scan = scan_global_heaps(path);
  {
    File file = File::open_for_update(path);
    const Datatype type(check(H5Tcopy(H5T_C_S1), "H5Tcopy"));
    check_status(H5Tset_size(type.id(), scan.digest.size()), "H5Tset_size");
    check_status(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "H5Tset_strpad");  // all 64 digits, no NUL
    write_scalar_attr(file.id(), "heaps_sha256", type.id(), type.id(), scan.digest.data());
    file.close();
  }
  // Writing the attribute must not have touched a heap.
  if (scan_global_heaps(path).digest != scan.digest) throw Error("sealing " + path + " changed its heaps");
}

namespace {

/// The scan against the digest the file records (or, without one, free of problems).
std::string check_digest(const File& file, const HeapScan& scan) {
  if (!file.has_attr("heaps_sha256")) {
    if (!scan.problem.empty()) throw Error(scan.problem);  // a file from before the digest: strict
    return scan.digest;
  }
  const AttrType type = file.attr_type("heaps_sha256");
  if (type != AttrType::other_string && type != AttrType::string)
    throw Error("attribute 'heaps_sha256' is not text");
  if (file.read_attr<std::string>("heaps_sha256") != scan.digest)
    throw Error(scan.problem.empty()
                    ? "its text (names, descriptions, the stored scenario: HDF5's heaps of strings) does not "
                      "match the checksum written with it (heaps_sha256)"
                    : scan.problem);
  return scan.digest;
}

}  // namespace

std::string verify_global_heaps(const std::string& path, File* opened) {
  // The scan and HDF5's open must see one file: a writer may rename another over the path between
  // them (concurrent --force runs). The descriptor kept open pins the scanned inode; when the path
  // still names it after HDF5's open, HDF5 opened it too.
  for (int attempt = 0;; ++attempt) {
    const Descriptor pinned(path);
    HeapScan scan = scan_descriptor(pinned.fd, path);
    // Only the superblock and the root's checksummed header are read here, never a heap.
    File file = File::open(path);
    struct stat scanned {
    }, now{};
    if (::fstat(pinned.fd, &scanned) == 0 && ::stat(path.c_str(), &now) == 0 &&
        scanned.st_dev == now.st_dev && scanned.st_ino == now.st_ino) {
      std::string digest = check_digest(file, scan);
      if (opened) *opened = std::move(file);  // the file verified, not the path opened again
      return digest;
    }
    if (attempt == 4) throw Error("the file was replaced again and again while it was read");
  }
}

}  // namespace cxsim::h5
