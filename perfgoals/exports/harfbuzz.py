"""Just enough of HarfBuzz's subsetter to cut a face out of a font collection by code points.

WeasyPrint's own bindings cover subsetting by glyph of an already loaded face, not loading a
file, so the few calls needed are declared here. Same shared libraries WeasyPrint loads.
"""

from pathlib import Path

import cffi

ffi = cffi.FFI()
ffi.cdef(
    """
    typedef struct hb_blob_t hb_blob_t;
    typedef struct hb_face_t hb_face_t;
    typedef struct hb_set_t hb_set_t;
    typedef struct hb_subset_input_t hb_subset_input_t;
    typedef uint32_t hb_codepoint_t;

    hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
    void hb_blob_destroy (hb_blob_t *blob);
    const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
    unsigned int hb_face_count (hb_blob_t *blob);
    hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
    hb_blob_t *hb_face_reference_blob (hb_face_t *face);
    void hb_face_destroy (hb_face_t *face);
    void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);

    hb_subset_input_t *hb_subset_input_create_or_fail (void);
    void hb_subset_input_destroy (hb_subset_input_t *input);
    hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
    hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
    """
)


class SubsetError(RuntimeError):
    pass


def _open(*names):
    for name in names:
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    raise SubsetError(f"HarfBuzz library not found: {names[0]}")


_libs = None


def _libraries():
    global _libs
    if _libs is None:
        _libs = (
            _open("libharfbuzz.so.0", "harfbuzz", "libharfbuzz.0.dylib"),
            _open("libharfbuzz-subset.so.0", "harfbuzz-subset", "libharfbuzz-subset.0.dylib"),
        )
    return _libs


def subset_unicodes(path: Path, index: int, codepoints: list[int]) -> bytes:
    hb, hb_subset = _libraries()
    blob = ffi.gc(hb.hb_blob_create_from_file_or_fail(str(path).encode()), hb.hb_blob_destroy)
    if blob == ffi.NULL:
        raise SubsetError(f"cannot read {path}")
    if index >= hb.hb_face_count(blob):
        raise SubsetError(f"{path} has no face {index}")
    face = ffi.gc(hb.hb_face_create(blob, index), hb.hb_face_destroy)
    plan = ffi.gc(hb_subset.hb_subset_input_create_or_fail(), hb_subset.hb_subset_input_destroy)
    if plan == ffi.NULL:
        raise SubsetError("out of memory")
    unicodes = hb_subset.hb_subset_input_unicode_set(plan)
    for codepoint in codepoints:
        hb.hb_set_add(unicodes, codepoint)
    result = hb_subset.hb_subset_or_fail(face, plan)
    if result == ffi.NULL:
        raise SubsetError(f"HarfBuzz could not subset {path}#{index}")
    result = ffi.gc(result, hb.hb_face_destroy)
    data = ffi.gc(hb.hb_face_reference_blob(result), hb.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    pointer = hb.hb_blob_get_data(data, length)
    return bytes(ffi.buffer(pointer, length[0]))
