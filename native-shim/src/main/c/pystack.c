#include "pystack.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

enum instr_kind {
    LASTI_BYTES,   /* 3.9: int f_lasti, in bytes */
    LASTI_UNITS,   /* 3.10: int f_lasti, in 2-byte code units */
    INSTR_POINTER, /* 3.11+: pointer into the code object's co_code_adaptive */
};

/* The structure offsets the shim reads through. For 3.9 - 3.12 they are compiled in, generated from
 * each version's headers by src/test/c/pylayout.c (make check compares them with every installed
 * interpreter); from 3.13 on they are read from the interpreter itself (_Py_DebugOffsets, below). */
struct py_layout {
    int minor;
    int tstate_frame;  /* PyThreadState -> current frame, or -1 when it goes through cframe */
    int tstate_cframe; /* PyThreadState -> _PyCFrame* (3.11, 3.12) */
    int cframe_current;
    int frame_previous;
    int frame_code;
    int frame_instr;
    int frame_owner; /* -1: no owner field */
    enum instr_kind instr_kind;
    int code_adaptive;
    int code_firsttraceable; /* -1: no such field */
    int code_filename;
    int code_name;
    int code_firstlineno;
    int unicode_ascii_size;   /* sizeof(PyASCIIObject): where compact ASCII data starts */
    int unicode_compact_size; /* sizeof(PyCompactUnicodeObject) */
};

static const struct py_layout layouts[] = {
    {9, 24, -1, 0, 24, 32, 104, -1, LASTI_BYTES, 0, -1, 104, 112, 40, 48, 72},
    {10, 24, -1, 0, 24, 32, 96, -1, LASTI_UNITS, 0, -1, 104, 112, 40, 48, 72},
    {11, -1, 56, 8, 48, 32, 56, 69, INSTR_POINTER, 184, 168, 112, 120, 72, 48, 72},
    {12, -1, 56, 0, 8, 0, 56, 70, INSTR_POINTER, 192, 176, 112, 120, 68, 40, 56},
    /* 3.13 is read from the interpreter; this row is what its headers say, kept so that the run-time
     * offsets are checked against it (make check-pydebugoffsets) and refused when they differ. */
    {13, 72, -1, 0, 8, 0, 56, 70, INSTR_POINTER, 200, 184, 112, 120, 68, 40, 56},
};

/* Frames owned by the C stack or the interpreter itself (3.12: CSTACK = 3; 3.14: INTERPRETER = 3,
 * CSTACK = 4; 3.15: INTERPRETER = 3) run no user code. */
enum { OWNER_GENERATOR = 1, OWNER_FIRST_NOT_CODE = 3 };
/* PyObject and PyASCIIObject: ob_type at 8, length at 16, hash at 24, state bits at 32 (3.9 - 3.15). */
enum { OB_TYPE = 8, UNICODE_LENGTH = 16, UNICODE_HASH = 24, UNICODE_STATE = 32 };
/* 3.14+ tag the low bits of f_executable (a _PyStackRef); objects are 16-byte aligned, so masking
 * is harmless on the versions that store a plain pointer. */
#define CODE_POINTER_MASK (~(uintptr_t)3)

/* ---- 3.13+: _Py_DebugOffsets ----
 * The interpreter publishes the offsets of its structures at the start of _PyRuntime, for
 * out-of-process debuggers. The struct itself grows between minor versions, so where each offset
 * sits inside it is known per minor version: positions of the sub-structs we read (each begins with
 * its struct's size), checked against the real headers by check-pylayout. A minor version not
 * listed here gets no Python stacks, with the reason: nothing is read through an unknown layout. */
struct debug_layout {
    int minor;
    uint16_t thread_state, interpreter_frame, code_object, pyobject, unicode_object;
    uint16_t compact_unicode_size; /* 0: not published, sizeof(PyASCIIObject) + 16 */
};
static const struct debug_layout debug_layouts[] = {
    {13, 152, 224, 272, 352, 536, 0},
    {14, 176, 248, 312, 400, 616, 0},
    {15, 176, 312, 376, 464, 712, 744},
};
/* Field positions inside those sub-structs (the same in 3.13 - 3.15). */
enum {
    DEBUG_COOKIE = 0, DEBUG_VERSION = 8, DEBUG_FREE_THREADED = 16,
    TSTATE_SIZE = 0, TSTATE_CURRENT_FRAME = 32,
    FRAME_SIZE = 0, FRAME_PREVIOUS = 8, FRAME_EXECUTABLE = 16, FRAME_INSTR_PTR = 24, FRAME_OWNER = 40,
    CODE_SIZE = 0, CODE_FILENAME = 8, CODE_NAME = 16, CODE_FIRSTLINENO = 40, CODE_ADAPTIVE = 72,
    PYOBJECT_OB_TYPE = 8, UNICODE_STATE_AT = 8, UNICODE_LENGTH_AT = 16, UNICODE_ASCII_SIZE = 24,
    /* _co_firsttraceable is not published: it is the int 16 bytes before co_code_adaptive (3.13 - 3.15) */
    FIRSTTRACEABLE_BEFORE_ADAPTIVE = 16,
};

#define DEBUG_WORD(runtime, at) (*(const uint64_t *)((const char *)(runtime) + (at)))

static int published_field(const void *runtime, int base, int field, int width, char *reason, size_t reason_size,
                           const char *name) {
    uint64_t size = DEBUG_WORD(runtime, base), offset = DEBUG_WORD(runtime, base + field);
    if (offset + (uint64_t)width > size || size > 65536) {
        snprintf(reason, reason_size, "the interpreter's debug offsets are not valid (%s at %llu of %llu bytes)", name,
                 (unsigned long long)offset, (unsigned long long)size);
        return -1;
    }
    return (int)offset;
}

/* Builds a layout from the _Py_DebugOffsets at runtime for CPython 3.<minor>. 0, or -1 with reason. */
static int layout_from_debug_offsets(const void *runtime, int minor, struct py_layout *out, char *reason,
                                     size_t reason_size) {
    if (memcmp((const char *)runtime + DEBUG_COOKIE, "xdebugpy", 8) != 0) {
        snprintf(reason, reason_size, "CPython 3.%d does not publish its debug offsets (no 'xdebugpy' cookie in _PyRuntime)", minor);
        return -1;
    }
    uint64_t version = DEBUG_WORD(runtime, DEBUG_VERSION);
    if ((version >> 24) != 3 || (int)((version >> 16) & 0xff) != minor) {
        snprintf(reason, reason_size, "the interpreter's debug offsets are for version %llx, not CPython 3.%d",
                 (unsigned long long)version, minor);
        return -1;
    }
    if (DEBUG_WORD(runtime, DEBUG_FREE_THREADED)) {
        snprintf(reason, reason_size, "free-threaded CPython: Python stacks are not supported yet");
        return -1;
    }
    const struct debug_layout *d = NULL;
    for (size_t i = 0; i < sizeof debug_layouts / sizeof *debug_layouts; i++)
        if (debug_layouts[i].minor == minor) d = &debug_layouts[i];
    if (!d) {
        snprintf(reason, reason_size, "Python stacks are not supported on CPython 3.%d: its debug offsets (_Py_DebugOffsets) "
                 "are laid out in a form this NoNativeLeak does not know (known: 3.13 to 3.15)", minor);
        return -1;
    }
    if (DEBUG_WORD(runtime, d->pyobject + PYOBJECT_OB_TYPE) != OB_TYPE ||
        DEBUG_WORD(runtime, d->unicode_object + UNICODE_STATE_AT) != UNICODE_STATE ||
        DEBUG_WORD(runtime, d->unicode_object + UNICODE_LENGTH_AT) != UNICODE_LENGTH) {
        snprintf(reason, reason_size, "CPython 3.%d's object header is not the one NoNativeLeak reads", minor);
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->minor = minor;
    out->tstate_cframe = -1;
    out->instr_kind = INSTR_POINTER;
    int word = (int)sizeof(uintptr_t);
    if ((out->tstate_frame = published_field(runtime, d->thread_state, TSTATE_CURRENT_FRAME, word, reason, reason_size, "current_frame")) < 0 ||
        (out->frame_previous = published_field(runtime, d->interpreter_frame, FRAME_PREVIOUS, word, reason, reason_size, "previous")) < 0 ||
        (out->frame_code = published_field(runtime, d->interpreter_frame, FRAME_EXECUTABLE, word, reason, reason_size, "f_executable")) < 0 ||
        (out->frame_instr = published_field(runtime, d->interpreter_frame, FRAME_INSTR_PTR, word, reason, reason_size, "instr_ptr")) < 0 ||
        (out->frame_owner = published_field(runtime, d->interpreter_frame, FRAME_OWNER, 1, reason, reason_size, "owner")) < 0 ||
        (out->code_filename = published_field(runtime, d->code_object, CODE_FILENAME, word, reason, reason_size, "co_filename")) < 0 ||
        (out->code_name = published_field(runtime, d->code_object, CODE_NAME, word, reason, reason_size, "co_name")) < 0 ||
        (out->code_firstlineno = published_field(runtime, d->code_object, CODE_FIRSTLINENO, 4, reason, reason_size, "co_firstlineno")) < 0 ||
        (out->code_adaptive = published_field(runtime, d->code_object, CODE_ADAPTIVE, 2, reason, reason_size, "co_code_adaptive")) < 0)
        return -1;
    out->code_firsttraceable = out->code_adaptive - FIRSTTRACEABLE_BEFORE_ADAPTIVE;
    out->unicode_ascii_size = (int)DEBUG_WORD(runtime, d->unicode_object + UNICODE_ASCII_SIZE);
    out->unicode_compact_size = d->compact_unicode_size ? (int)DEBUG_WORD(runtime, d->compact_unicode_size)
                                                        : out->unicode_ascii_size + 16;
    if (out->code_firsttraceable < 0 || out->unicode_ascii_size < UNICODE_STATE + 4 || out->unicode_ascii_size > 64 ||
        out->unicode_compact_size < out->unicode_ascii_size || out->unicode_compact_size > 96) {
        snprintf(reason, reason_size, "the interpreter's debug offsets are not valid (str object sizes %d, %d)",
                 out->unicode_ascii_size, out->unicode_compact_size);
        return -1;
    }
    return 0;
}

static struct py_layout published; /* read from the interpreter (3.13+) */
static const struct py_layout *layout;
static void *(*get_thread_state)(void);
static int (*is_initialized)(void);
static int (*addr_to_line)(void *code, int byte_offset);
static uintptr_t code_type, unicode_type;
static uintptr_t boundary;
static atomic_int enabled;

#define FIELD(base, offset, type) (*(type *)((uintptr_t)(base) + (unsigned)(offset)))

static const struct py_layout *compiled_layout(int minor) {
    for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++)
        if (layouts[i].minor == minor) return &layouts[i];
    return NULL;
}

/* Where both exist, the published and the compiled layout must agree field by field. */
static int same_layout(const struct py_layout *a, const struct py_layout *b) {
    return a->tstate_frame == b->tstate_frame && a->frame_previous == b->frame_previous && a->frame_code == b->frame_code &&
           a->frame_instr == b->frame_instr && a->frame_owner == b->frame_owner && a->code_adaptive == b->code_adaptive &&
           a->code_firsttraceable == b->code_firsttraceable && a->code_filename == b->code_filename &&
           a->code_name == b->code_name && a->code_firstlineno == b->code_firstlineno &&
           a->unicode_ascii_size == b->unicode_ascii_size && a->unicode_compact_size == b->unicode_compact_size;
}

static int resolve_interpreter(char *reason, size_t reason_size) {
    const char *(*version)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "Py_GetVersion");
    get_thread_state = (void *(*)(void))dlsym(RTLD_DEFAULT, "PyGILState_GetThisThreadState");
    is_initialized = (int (*)(void))dlsym(RTLD_DEFAULT, "Py_IsInitialized");
    addr_to_line = (int (*)(void *, int))dlsym(RTLD_DEFAULT, "PyCode_Addr2Line");
    code_type = (uintptr_t)dlsym(RTLD_DEFAULT, "PyCode_Type");
    unicode_type = (uintptr_t)dlsym(RTLD_DEFAULT, "PyUnicode_Type");
    if (!version || !get_thread_state || !is_initialized || !addr_to_line || !code_type || !unicode_type) {
        snprintf(reason, reason_size, "this process runs no CPython");
        return -1;
    }
    int major = 0, minor = 0;
    if (sscanf(version(), "%d.%d", &major, &minor) != 2 || major != 3) {
        snprintf(reason, reason_size, "unrecognised CPython version '%.40s'", version());
        return -1;
    }
    if (minor < 13) {
        layout = compiled_layout(minor);
        if (!layout) snprintf(reason, reason_size, "Python stacks are not supported on CPython 3.%d (supported: 3.9 and newer)", minor);
        return layout ? 0 : -1;
    }
    const void *runtime = dlsym(RTLD_DEFAULT, "_PyRuntime");
    if (!runtime) {
        snprintf(reason, reason_size, "CPython 3.%d does not export _PyRuntime: its debug offsets cannot be read", minor);
        return -1;
    }
    if (layout_from_debug_offsets(runtime, minor, &published, reason, reason_size)) return -1;
    const struct py_layout *compiled = compiled_layout(minor);
    if (compiled && !same_layout(&published, compiled)) {
        snprintf(reason, reason_size, "CPython 3.%d's debug offsets differ from the layout compiled for it", minor);
        return -1;
    }
    layout = &published;
    return 0;
}

static uintptr_t current_frame(uintptr_t tstate) {
    if (layout->tstate_frame >= 0) return FIELD(tstate, layout->tstate_frame, uintptr_t);
    uintptr_t cframe = FIELD(tstate, layout->tstate_cframe, uintptr_t);
    return cframe ? FIELD(cframe, layout->cframe_current, uintptr_t) : 0;
}

/* The frame's instruction offset in bytes; sets *skip for frames that are not (yet) real. */
static int32_t instruction_offset(uintptr_t frame, uintptr_t code, int *skip) {
    *skip = 0;
    if (layout->instr_kind == LASTI_BYTES) return FIELD(frame, layout->frame_instr, int);
    if (layout->instr_kind == LASTI_UNITS) {
        int lasti = FIELD(frame, layout->frame_instr, int);
        return lasti < 0 ? lasti : lasti * 2;
    }
    int owner = FIELD(frame, layout->frame_owner, char);
    uintptr_t instr = FIELD(frame, layout->frame_instr, uintptr_t);
    int32_t offset = (int32_t)(instr - (code + (unsigned)layout->code_adaptive));
    /* Entry frames owned by the C stack, and frames not past their prologue, are not user code. */
    if (owner >= OWNER_FIRST_NOT_CODE) *skip = 1;
    else if (owner != OWNER_GENERATOR && offset < FIELD(code, layout->code_firsttraceable, int) * 2) *skip = 1;
    return offset;
}

/* What tells this code object from a later one at the same address: its first line and the cached
 * hashes (or lengths) of its name and file name. Four loads; a str's hash, once computed, never
 * changes, so one code object keeps one identity (at worst a hash computed meanwhile splits a site). */
static uint32_t code_identity(uintptr_t code) {
    uintptr_t name = FIELD(code, layout->code_name, uintptr_t), file = FIELD(code, layout->code_filename, uintptr_t);
    uint64_t h = (uint64_t)(uint32_t)FIELD(code, layout->code_firstlineno, int);
    if (name) h = h * 0x100000001b3ULL ^ (uint64_t)FIELD(name, UNICODE_HASH, int64_t) ^ (uint64_t)FIELD(name, UNICODE_LENGTH, int64_t) << 40;
    if (file) h = h * 0x100000001b3ULL ^ (uint64_t)FIELD(file, UNICODE_HASH, int64_t) ^ (uint64_t)FIELD(file, UNICODE_LENGTH, int64_t) << 40;
    return (uint32_t)(h ^ h >> 32);
}

int pystack_capture(struct py_ref *out, int max, int *status) {
    if (!atomic_load_explicit(&enabled, memory_order_relaxed)) {
        *status = PY_UNAVAILABLE;
        return 0;
    }
    uintptr_t tstate = is_initialized() ? (uintptr_t)get_thread_state() : 0;
    if (!tstate) {
        *status = PY_NO_PYTHON;
        return 0;
    }
    *status = PY_CAPTURED;
    int n = 0;
    for (uintptr_t frame = current_frame(tstate); frame; frame = FIELD(frame, layout->frame_previous, uintptr_t)) {
        uintptr_t code = FIELD(frame, layout->frame_code, uintptr_t) & CODE_POINTER_MASK;
        if (!code || FIELD(code, OB_TYPE, uintptr_t) != code_type) continue;
        if (code == boundary) break;
        int skip;
        int32_t offset = instruction_offset(frame, code, &skip);
        if (skip) continue;
        if (n == max) break;
        out[n].code = code;
        out[n].byte_offset = offset;
        out[n].identity = code_identity(code);
        n++;
    }
    return n;
}

int pystack_line(const struct py_ref *ref) { return addr_to_line((void *)ref->code, ref->byte_offset); }

static size_t put_utf8(char *out, size_t cap, size_t at, uint32_t cp) {
    char buf[4];
    size_t n;
    if (cp < 0x80) { buf[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { buf[0] = (char)(0xc0 | cp >> 6); buf[1] = (char)(0x80 | (cp & 0x3f)); n = 2; }
    else if (cp < 0x10000) {
        buf[0] = (char)(0xe0 | cp >> 12); buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        buf[2] = (char)(0x80 | (cp & 0x3f)); n = 3;
    } else {
        buf[0] = (char)(0xf0 | cp >> 18); buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); buf[3] = (char)(0x80 | (cp & 0x3f)); n = 4;
    }
    for (size_t i = 0; i < n; i++)
        if (out && at + i < cap) out[at + i] = buf[i];
    return at + n;
}

/* Copies a str object as UTF-8 without calling Python (which would cache an encoding: allocate). */
static size_t unicode_to_utf8(uintptr_t str, char *out, size_t cap) {
    if (!str || FIELD(str, OB_TYPE, uintptr_t) != unicode_type) return put_utf8(out, cap, 0, '?');
    uint32_t state = FIELD(str, UNICODE_STATE, uint32_t);
    if (!(state & 0x20)) return put_utf8(out, cap, 0, '?'); /* not compact: never a code object's name */
    unsigned kind = (state >> 2) & 7;
    int64_t length = FIELD(str, UNICODE_LENGTH, int64_t);
    uintptr_t data = str + (unsigned)((state & 0x40) ? layout->unicode_ascii_size : layout->unicode_compact_size);
    size_t at = 0;
    for (int64_t i = 0; i < length; i++) {
        uint32_t cp = kind == 1 ? ((const uint8_t *)data)[i]
                    : kind == 2 ? ((const uint16_t *)data)[i]
                                : ((const uint32_t *)data)[i];
        at = put_utf8(out, cap, at, cp);
    }
    return at;
}

size_t pystack_filename(const struct py_ref *ref, char *out, size_t cap) {
    return unicode_to_utf8(FIELD(ref->code, layout->code_filename, uintptr_t), out, cap);
}

size_t pystack_function(const struct py_ref *ref, char *out, size_t cap) {
    return unicode_to_utf8(FIELD(ref->code, layout->code_name, uintptr_t), out, cap);
}

/* ---- verification ---- */

/* Reads memory that may not be mapped: the kernel reports EFAULT instead of the process crashing. */
static int safe_read(int pipe_fds[2], uintptr_t address, void *into, size_t size) {
    if (write(pipe_fds[1], (const void *)address, size) != (ssize_t)size) return -1;
    return read(pipe_fds[0], into, size) == (ssize_t)size ? 0 : -1;
}

static int safe_word(int fds[2], uintptr_t base, int offset, uintptr_t *value) {
    return base && offset >= 0 ? safe_read(fds, base + (unsigned)offset, value, sizeof *value) : -1;
}

/* Walks the first two frames with safe reads only: a wrong layout yields an error, not a crash. */
static int check_layout(uintptr_t tstate, uintptr_t code[2], char *reason, size_t reason_size) {
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(reason, reason_size, "cannot verify the interpreter layout: pipe: %s", strerror(errno));
        return -1;
    }
    int found = 0;
    uintptr_t frame = 0, word;
    if (layout->tstate_frame >= 0) {
        if (safe_word(fds, tstate, layout->tstate_frame, &frame)) goto done;
    } else if (safe_word(fds, tstate, layout->tstate_cframe, &word) ||
               safe_word(fds, word, layout->cframe_current, &frame)) {
        goto done;
    }
    for (int guard = 0; frame && found < 2 && guard < 8; guard++) {
        uintptr_t c, type;
        if (safe_word(fds, frame, layout->frame_code, &c) || safe_word(fds, c & CODE_POINTER_MASK, OB_TYPE, &type)) break;
        c &= CODE_POINTER_MASK;
        if (type == code_type) code[found++] = c;
        if (safe_word(fds, frame, layout->frame_previous, &frame)) break;
    }
done:
    close(fds[0]);
    close(fds[1]);
    if (found < 2) snprintf(reason, reason_size, "the interpreter's frame layout is not the expected one");
    return found == 2 ? 0 : -1;
}

int pystack_verify_and_enable(uintptr_t code, int line, const char *filename, const char *function,
                              uintptr_t caller_code, char *reason, size_t reason_size) {
    if (!layout && resolve_interpreter(reason, reason_size)) return -1;
    uintptr_t tstate = (uintptr_t)get_thread_state();
    uintptr_t seen[2] = {0, 0};
    if (!tstate) {
        snprintf(reason, reason_size, "the verifying thread has no Python thread state");
        return -1;
    }
    if (check_layout(tstate, seen, reason, reason_size)) return -1;
    if (seen[0] != code || seen[1] != caller_code) {
        snprintf(reason, reason_size, "the interpreter's frame layout is not the expected one (code objects differ)");
        return -1;
    }
    atomic_store(&enabled, 1);
    struct py_ref refs[2];
    int status;
    int n = pystack_capture(refs, 2, &status);
    char file[1024], name[256];
    size_t file_len = n ? pystack_filename(&refs[0], file, sizeof file - 1) : 0;
    size_t name_len = n ? pystack_function(&refs[0], name, sizeof name - 1) : 0;
    file[file_len < sizeof file ? file_len : sizeof file - 1] = '\0';
    name[name_len < sizeof name ? name_len : sizeof name - 1] = '\0';
    int got_line = n ? pystack_line(&refs[0]) : -1;
    if (n != 2 || got_line != line || strcmp(file, filename) != 0 || strcmp(name, function) != 0) {
        atomic_store(&enabled, 0);
        snprintf(reason, reason_size, "Python frames read as %s:%d in %s, expected %s:%d in %s", file, got_line,
                 name, filename, line, function);
        return -1;
    }
    return 0;
}

void pystack_set_boundary(uintptr_t code) { boundary = code; }

void pystack_enable_if_verified(const char *verified_version, char *reason, size_t reason_size) {
    if (resolve_interpreter(reason, reason_size)) return;
    const char *(*version)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "Py_GetVersion");
    if (!verified_version || strcmp(version(), verified_version) != 0) {
        snprintf(reason, reason_size, "this interpreter (%.60s) was not verified by the runner", version());
        return;
    }
    atomic_store(&enabled, 1);
}

int pystack_enabled(void) { return atomic_load(&enabled); }
