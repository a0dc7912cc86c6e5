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

/* Structure offsets per CPython minor version, generated from each version's headers by
 * src/test/c/pylayout.c (make check compares them with every installed interpreter). */
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
    int unicode_ascii_size;   /* sizeof(PyASCIIObject): where compact ASCII data starts */
    int unicode_compact_size; /* sizeof(PyCompactUnicodeObject) */
};

static const struct py_layout layouts[] = {
    {9, 24, -1, 0, 24, 32, 104, -1, LASTI_BYTES, 0, -1, 104, 112, 48, 72},
    {10, 24, -1, 0, 24, 32, 96, -1, LASTI_UNITS, 0, -1, 104, 112, 48, 72},
    {11, -1, 56, 8, 48, 32, 56, 69, INSTR_POINTER, 184, 168, 112, 120, 48, 72},
    {12, -1, 56, 0, 8, 0, 56, 70, INSTR_POINTER, 192, 176, 112, 120, 40, 56},
    {13, 72, -1, 0, 8, 0, 56, 70, INSTR_POINTER, 200, 184, 112, 120, 40, 56},
};

enum { OWNER_GENERATOR = 1, OWNER_CSTACK = 3 };
/* PyASCIIObject: ob_type at 8, length at 16, state bits at 32 (the same in 3.9 - 3.13). */
enum { OB_TYPE = 8, UNICODE_LENGTH = 16, UNICODE_STATE = 32 };

static const struct py_layout *layout;
static void *(*get_thread_state)(void);
static int (*is_initialized)(void);
static int (*addr_to_line)(void *code, int byte_offset);
static uintptr_t code_type, unicode_type;
static uintptr_t boundary;
static atomic_int enabled;

#define FIELD(base, offset, type) (*(type *)((uintptr_t)(base) + (unsigned)(offset)))

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
    for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++)
        if (layouts[i].minor == minor) layout = &layouts[i];
    if (!layout) {
        snprintf(reason, reason_size, "Python stacks are not supported on CPython 3.%d (supported: 3.9 to 3.13)", minor);
        return -1;
    }
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
    if (owner == OWNER_CSTACK) *skip = 1;
    else if (owner != OWNER_GENERATOR && offset < FIELD(code, layout->code_firsttraceable, int) * 2) *skip = 1;
    return offset;
}

int pystack_capture(struct py_ref *out, int max, int *status, int *truncated) {
    *truncated = 0;
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
        uintptr_t code = FIELD(frame, layout->frame_code, uintptr_t);
        if (!code || FIELD(code, OB_TYPE, uintptr_t) != code_type) continue;
        if (code == boundary) break;
        int skip;
        int32_t offset = instruction_offset(frame, code, &skip);
        if (skip) continue;
        if (n == max) {
            *truncated = 1;
            break;
        }
        out[n].code = code;
        out[n].byte_offset = offset;
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
        if (safe_word(fds, frame, layout->frame_code, &c) || safe_word(fds, c, OB_TYPE, &type)) break;
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
    int status, truncated;
    int n = pystack_capture(refs, 2, &status, &truncated);
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
