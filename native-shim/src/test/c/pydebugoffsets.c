/* Reads the running CPython's _Py_DebugOffsets the way the shim does and checks the layout built
 * from them against the compiled table wherever both exist (3.13), field by field.
 *
 * Built as a library with pystack.c included and loaded into each interpreter by make
 * check-pydebugoffsets (ctypes.PyDLL); prints the layout read, exits non-zero on a refusal or a
 * mismatch. */
#include "pystack.c"

#define FIELD_COUNT 12

NNL_EXPORT int nnl_check_debug_offsets(int minor) {
    char reason[256];
    const void *runtime = dlsym(RTLD_DEFAULT, "_PyRuntime");
    struct py_layout read;
    if (!runtime) {
        printf("  MISMATCH: _PyRuntime is not exported\n");
        return 1;
    }
    if (layout_from_debug_offsets(runtime, minor, &read, reason, sizeof reason)) {
        printf("  MISMATCH: refused: %s\n", reason);
        return 1;
    }
    const int got[FIELD_COUNT] = {read.tstate_frame, read.frame_previous, read.frame_code, read.frame_instr,
                                  read.frame_owner, read.code_adaptive, read.code_firsttraceable, read.code_filename,
                                  read.code_name, read.code_firstlineno, read.unicode_ascii_size, read.unicode_compact_size};
    static const char *names[FIELD_COUNT] = {"tstate_frame", "frame_previous", "frame_code", "frame_instr",
                                             "frame_owner", "code_adaptive", "code_firsttraceable", "code_filename",
                                             "code_name", "code_firstlineno", "unicode_ascii_size", "unicode_compact_size"};
    printf("  read at run time:");
    for (int i = 0; i < FIELD_COUNT; i++) printf(" %s=%d", names[i], got[i]);
    printf("\n");
    const struct py_layout *c = compiled_layout(minor);
    if (!c) {
        printf("  no compiled table for 3.%d: the run-time offsets are the only source\n", minor);
        return 0;
    }
    const int want[FIELD_COUNT] = {c->tstate_frame, c->frame_previous, c->frame_code, c->frame_instr, c->frame_owner,
                                   c->code_adaptive, c->code_firsttraceable, c->code_filename, c->code_name,
                                   c->code_firstlineno, c->unicode_ascii_size, c->unicode_compact_size};
    int failures = 0;
    for (int i = 0; i < FIELD_COUNT; i++)
        if (got[i] != want[i]) {
            printf("  MISMATCH %s: read %d at run time, the compiled table has %d\n", names[i], got[i], want[i]);
            failures++;
        }
    if (!same_layout(&read, c)) failures++;
    if (!failures) printf("  equal to the compiled table for 3.%d\n", minor);
    return failures ? 1 : 0;
}
