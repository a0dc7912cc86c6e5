/* Checks pystack.c's hard-coded CPython layouts against a CPython's own headers.
 *
 * Compiled once per installed CPython (make check-pylayout), with that version's include directory
 * and Py_BUILD_CORE (the frame structures of 3.11+ are internal). It includes pystack.c itself, so
 * it compares with the very table the shim is built from, prints the row the headers give, and
 * exits non-zero when a field differs, when the version has no row, or when one of the constants
 * pystack.c relies on (object header, str state bits, frame owner values) is not what it assumes. */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#if PY_VERSION_HEX >= 0x030E0000
#include "internal/pycore_code.h"
#include "internal/pycore_debug_offsets.h"
#include "internal/pycore_interpframe_structs.h"
#include "internal/pycore_runtime.h"
#include "internal/pycore_stackref.h"
#elif PY_VERSION_HEX >= 0x030D0000
#include "internal/pycore_code.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_runtime.h"
#elif PY_VERSION_HEX >= 0x030B0000
#include "internal/pycore_code.h"
#include "internal/pycore_frame.h"
#else
#include <frameobject.h>
#endif

#include "pystack.c"

#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)

static int failures;

static void expect(const char *what, long expected_by_headers, long assumed) {
    if (expected_by_headers != assumed) {
        printf("  MISMATCH %s: the headers say %ld, pystack.c assumes %ld\n", what, expected_by_headers, assumed);
        failures++;
    }
}

#if PY_VERSION_HEX >= 0x030D0000
/* Where pystack.c reads each offset inside _Py_DebugOffsets, and what it derives, against the
 * headers; then the layout it builds from this build's own _Py_DebugOffsets_INIT against h. */
static void check_debug_offsets(const struct py_layout *h) {
    const struct debug_layout *d = NULL;
    for (size_t i = 0; i < sizeof debug_layouts / sizeof *debug_layouts; i++)
        if (debug_layouts[i].minor == PY_MINOR_VERSION) d = &debug_layouts[i];
    if (!d) {
        printf("  MISMATCH: pystack.c knows no _Py_DebugOffsets layout for CPython 3.%d\n", PY_MINOR_VERSION);
        failures++;
        return;
    }
#define AT(field) (long)offsetof(_Py_DebugOffsets, field)
    expect("debug: cookie", AT(cookie), DEBUG_COOKIE);
    expect("debug: version", AT(version), DEBUG_VERSION);
    expect("debug: free_threaded", AT(free_threaded), DEBUG_FREE_THREADED);
    expect("debug: thread_state", AT(thread_state), d->thread_state);
    expect("debug: thread_state.size", AT(thread_state.size) - AT(thread_state), TSTATE_SIZE);
    expect("debug: thread_state.current_frame", AT(thread_state.current_frame) - AT(thread_state), TSTATE_CURRENT_FRAME);
    expect("debug: interpreter_frame", AT(interpreter_frame), d->interpreter_frame);
    expect("debug: interpreter_frame.size", AT(interpreter_frame.size) - AT(interpreter_frame), FRAME_SIZE);
    expect("debug: interpreter_frame.previous", AT(interpreter_frame.previous) - AT(interpreter_frame), FRAME_PREVIOUS);
    expect("debug: interpreter_frame.executable", AT(interpreter_frame.executable) - AT(interpreter_frame), FRAME_EXECUTABLE);
    expect("debug: interpreter_frame.instr_ptr", AT(interpreter_frame.instr_ptr) - AT(interpreter_frame), FRAME_INSTR_PTR);
    expect("debug: interpreter_frame.owner", AT(interpreter_frame.owner) - AT(interpreter_frame), FRAME_OWNER);
    expect("debug: code_object", AT(code_object), d->code_object);
    expect("debug: code_object.size", AT(code_object.size) - AT(code_object), CODE_SIZE);
    expect("debug: code_object.filename", AT(code_object.filename) - AT(code_object), CODE_FILENAME);
    expect("debug: code_object.name", AT(code_object.name) - AT(code_object), CODE_NAME);
    expect("debug: code_object.firstlineno", AT(code_object.firstlineno) - AT(code_object), CODE_FIRSTLINENO);
    expect("debug: code_object.co_code_adaptive", AT(code_object.co_code_adaptive) - AT(code_object), CODE_ADAPTIVE);
    expect("debug: pyobject", AT(pyobject), d->pyobject);
    expect("debug: pyobject.ob_type", AT(pyobject.ob_type) - AT(pyobject), PYOBJECT_OB_TYPE);
    expect("debug: unicode_object", AT(unicode_object), d->unicode_object);
    expect("debug: unicode_object.state", AT(unicode_object.state) - AT(unicode_object), UNICODE_STATE_AT);
    expect("debug: unicode_object.length", AT(unicode_object.length) - AT(unicode_object), UNICODE_LENGTH_AT);
    expect("debug: unicode_object.asciiobject_size", AT(unicode_object.asciiobject_size) - AT(unicode_object), UNICODE_ASCII_SIZE);
#if PY_VERSION_HEX >= 0x030F0000
    expect("debug: unicode_object.compactunicodeobject_size", AT(unicode_object.compactunicodeobject_size), d->compact_unicode_size);
#else
    expect("debug: compact str size not published", d->compact_unicode_size, 0);
    expect("sizeof(PyCompactUnicodeObject) - sizeof(PyASCIIObject)", sizeof(PyCompactUnicodeObject) - sizeof(PyASCIIObject), 16);
#endif
    expect("co_code_adaptive - _co_firsttraceable", offsetof(PyCodeObject, co_code_adaptive) - offsetof(PyCodeObject, _co_firsttraceable),
           FIRSTTRACEABLE_BEFORE_ADAPTIVE);
#if PY_VERSION_HEX >= 0x030E0000 /* 3.13's initialiser is inside _PyRuntimeState_INIT: check-pydebugoffsets reads it live */
    /* The layout pystack.c builds from what this build publishes equals the one the headers give. */
    static const _Py_DebugOffsets published_here = _Py_DebugOffsets_INIT("xdebugpy");
    struct py_layout built;
    char reason[256];
    if (layout_from_debug_offsets(&published_here, PY_MINOR_VERSION, &built, reason, sizeof reason)) {
        printf("  MISMATCH: the debug offsets of these headers are refused: %s\n", reason);
        failures++;
    } else if (!same_layout(&built, h)) {
        printf("  MISMATCH: the layout built from these headers' debug offsets differs from the headers\n");
        failures++;
    }
#endif
}
#endif

int main(void) {
    struct py_layout h; /* the layout as this version's headers define it */
    memset(&h, 0, sizeof h);
    h.minor = PY_MINOR_VERSION;
#if PY_VERSION_HEX < 0x030B0000
    h.tstate_frame = offsetof(PyThreadState, frame);
    h.tstate_cframe = -1;
    h.cframe_current = 0;
    h.frame_previous = offsetof(PyFrameObject, f_back);
    h.frame_code = offsetof(PyFrameObject, f_code);
    h.frame_instr = offsetof(PyFrameObject, f_lasti);
    h.frame_owner = -1;
    /* 3.10 counts f_lasti in code units (bpo-27129); 3.9 in bytes */
    h.instr_kind = PY_VERSION_HEX >= 0x030A0000 ? LASTI_UNITS : LASTI_BYTES;
    h.code_adaptive = 0;
    h.code_firsttraceable = -1;
    expect("sizeof f_lasti", sizeof(int), FIELD_SIZE(PyFrameObject, f_lasti));
#else
#if PY_VERSION_HEX < 0x030D0000
    h.tstate_frame = -1;
    h.tstate_cframe = offsetof(PyThreadState, cframe);
    h.cframe_current = offsetof(_PyCFrame, current_frame);
    h.frame_code = offsetof(_PyInterpreterFrame, f_code);
    h.frame_instr = offsetof(_PyInterpreterFrame, prev_instr);
    expect("sizeof prev_instr", sizeof(uintptr_t), FIELD_SIZE(_PyInterpreterFrame, prev_instr));
#else
    h.tstate_frame = offsetof(PyThreadState, current_frame);
    h.tstate_cframe = -1;
    h.cframe_current = 0;
    h.frame_code = offsetof(_PyInterpreterFrame, f_executable);
    h.frame_instr = offsetof(_PyInterpreterFrame, instr_ptr);
    expect("sizeof instr_ptr", sizeof(uintptr_t), FIELD_SIZE(_PyInterpreterFrame, instr_ptr));
#endif
    h.frame_previous = offsetof(_PyInterpreterFrame, previous);
    h.frame_owner = offsetof(_PyInterpreterFrame, owner);
    h.instr_kind = INSTR_POINTER;
    h.code_adaptive = offsetof(PyCodeObject, co_code_adaptive);
    h.code_firsttraceable = offsetof(PyCodeObject, _co_firsttraceable);
    expect("sizeof owner", 1, FIELD_SIZE(_PyInterpreterFrame, owner));
    expect("sizeof _co_firsttraceable", sizeof(int), FIELD_SIZE(PyCodeObject, _co_firsttraceable));
    expect("sizeof(_Py_CODEUNIT)", 2, sizeof(_Py_CODEUNIT));
    expect("FRAME_OWNED_BY_GENERATOR", FRAME_OWNED_BY_GENERATOR, OWNER_GENERATOR);
    expect("FRAME_OWNED_BY_FRAME_OBJECT below the first owner that runs no code", (int)FRAME_OWNED_BY_FRAME_OBJECT < (int)OWNER_FIRST_NOT_CODE, 1);
#if PY_VERSION_HEX >= 0x030E0000
    expect("FRAME_OWNED_BY_INTERPRETER", FRAME_OWNED_BY_INTERPRETER, OWNER_FIRST_NOT_CODE);
    expect("the f_executable tag bits fit the mask", Py_TAG_BITS & ~3, 0);
#elif PY_VERSION_HEX >= 0x030C0000
    expect("FRAME_OWNED_BY_CSTACK", FRAME_OWNED_BY_CSTACK, OWNER_FIRST_NOT_CODE);
#endif
#if PY_VERSION_HEX == 0x030E0000 || (PY_VERSION_HEX > 0x030E0000 && PY_VERSION_HEX < 0x030F0000)
    expect("FRAME_OWNED_BY_CSTACK", FRAME_OWNED_BY_CSTACK, OWNER_FIRST_NOT_CODE + 1);
#endif
#endif
    h.code_filename = offsetof(PyCodeObject, co_filename);
    h.code_name = offsetof(PyCodeObject, co_name);
    h.code_firstlineno = offsetof(PyCodeObject, co_firstlineno);
    expect("sizeof co_firstlineno", sizeof(int), FIELD_SIZE(PyCodeObject, co_firstlineno));
    h.unicode_ascii_size = sizeof(PyASCIIObject);
    h.unicode_compact_size = sizeof(PyCompactUnicodeObject);

    /* The constants of pystack.c that are the same for every version. */
    expect("offsetof(PyObject, ob_type)", offsetof(PyObject, ob_type), OB_TYPE);
    expect("offsetof(PyASCIIObject, length)", offsetof(PyASCIIObject, length), UNICODE_LENGTH);
    expect("offsetof(PyASCIIObject, state)", offsetof(PyASCIIObject, state), UNICODE_STATE);
    expect("offsetof(PyASCIIObject, hash)", offsetof(PyASCIIObject, hash), UNICODE_HASH);
    PyASCIIObject o;
    unsigned int bits;
    memset(&o, 0, sizeof o);
    o.state.kind = 7;
    memcpy(&bits, &o.state, 4);
    expect("str state: kind bits", bits, 7u << 2);
    memset(&o, 0, sizeof o);
    o.state.compact = 1;
    memcpy(&bits, &o.state, 4);
    expect("str state: compact bit", bits, 0x20);
    memset(&o, 0, sizeof o);
    o.state.ascii = 1;
    memcpy(&bits, &o.state, 4);
    expect("str state: ascii bit", bits, 0x40);

    printf("CPython %d.%d (%s): {%d, %d, %d, %d, %d, %d, %d, %d, %s, %d, %d, %d, %d, %d, %d, %d}\n", PY_MAJOR_VERSION,
           PY_MINOR_VERSION, PY_VERSION, h.minor, h.tstate_frame, h.tstate_cframe, h.cframe_current, h.frame_previous,
           h.frame_code, h.frame_instr, h.frame_owner,
           h.instr_kind == LASTI_BYTES ? "LASTI_BYTES" : h.instr_kind == LASTI_UNITS ? "LASTI_UNITS" : "INSTR_POINTER",
           h.code_adaptive, h.code_firsttraceable, h.code_filename, h.code_name, h.code_firstlineno, h.unicode_ascii_size,
           h.unicode_compact_size);

#if PY_VERSION_HEX >= 0x030D0000
    check_debug_offsets(&h);
#endif
    const struct py_layout *row = compiled_layout(PY_MINOR_VERSION);
    if (!row && PY_MINOR_VERSION >= 13) {
        if (!failures) printf("  read at run time from _Py_DebugOffsets: where pystack.c reads them matches these headers\n");
        return failures ? 1 : 0;
    }
    if (!row) {
        printf("  MISMATCH: pystack.c has no layout for CPython 3.%d\n", PY_MINOR_VERSION);
        return 1;
    }
#define COMPARE(field) expect(#field, h.field, row->field)
    COMPARE(tstate_frame);
    COMPARE(tstate_cframe);
    COMPARE(cframe_current);
    COMPARE(frame_previous);
    COMPARE(frame_code);
    COMPARE(frame_instr);
    COMPARE(frame_owner);
    COMPARE(instr_kind);
    COMPARE(code_adaptive);
    COMPARE(code_firsttraceable);
    COMPARE(code_filename);
    COMPARE(code_name);
    COMPARE(code_firstlineno);
    COMPARE(unicode_ascii_size);
    COMPARE(unicode_compact_size);
    if (!failures) printf("  matches pystack.c\n");
    return failures ? 1 : 0;
}
