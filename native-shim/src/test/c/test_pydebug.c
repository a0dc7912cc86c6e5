/* pystack.c's reading of _Py_DebugOffsets, on made-up runtimes: what it accepts, and the reason it
 * gives for each thing it refuses (a wrong cookie or version, a free-threaded build, a layout it does
 * not know such as a future 3.16's, offsets outside their structs). */
#include "pystack.c"

#include <assert.h>
#include <stdlib.h>

static uint64_t runtime[128];

static void put(int at, uint64_t value) { runtime[at / 8] = value; }

/* A 3.15 runtime with the offsets the real 3.15.2 publishes. */
static void make_315(void) {
    memset(runtime, 0, sizeof runtime);
    memcpy(runtime, "xdebugpy", 8);
    put(DEBUG_VERSION, 0x030F02F0);
    const struct debug_layout *d = &debug_layouts[2];
    assert(d->minor == 15);
    put(d->thread_state + TSTATE_SIZE, 4000);
    put(d->thread_state + TSTATE_CURRENT_FRAME, 72);
    put(d->interpreter_frame + FRAME_SIZE, 80);
    put(d->interpreter_frame + FRAME_PREVIOUS, 8);
    put(d->interpreter_frame + FRAME_EXECUTABLE, 0);
    put(d->interpreter_frame + FRAME_INSTR_PTR, 56);
    put(d->interpreter_frame + FRAME_OWNER, 74);
    put(d->code_object + CODE_SIZE, 224);
    put(d->code_object + CODE_FILENAME, 112);
    put(d->code_object + CODE_NAME, 120);
    put(d->code_object + CODE_FIRSTLINENO, 68);
    put(d->code_object + CODE_ADAPTIVE, 208);
    put(d->pyobject + PYOBJECT_OB_TYPE, 8);
    put(d->unicode_object + UNICODE_STATE_AT, 32);
    put(d->unicode_object + UNICODE_LENGTH_AT, 16);
    put(d->unicode_object + UNICODE_ASCII_SIZE, 40);
    put(d->compact_unicode_size, 56);
}

static void expect_refused(int minor, const char *because) {
    struct py_layout l;
    char reason[256] = "";
    int result = layout_from_debug_offsets(runtime, minor, &l, reason, sizeof reason);
    if (result == 0 || !strstr(reason, because)) {
        printf("FAIL: expected a refusal containing '%s', got %d '%s'\n", because, result, reason);
        exit(1);
    }
    printf("refused: %s\n", reason);
}

int main(void) {
    struct py_layout l;
    char reason[256] = "";
    make_315();
    if (layout_from_debug_offsets(runtime, 15, &l, reason, sizeof reason) || l.tstate_frame != 72 || l.frame_owner != 74 ||
        l.code_adaptive != 208 || l.code_firsttraceable != 192 || l.code_firstlineno != 68 || l.unicode_compact_size != 56) {
        printf("FAIL: a valid 3.15 runtime: %s\n", reason);
        return 1;
    }
    expect_refused(14, "not CPython 3.14");
    memcpy(runtime, "xdebugpz", 8);
    expect_refused(15, "no 'xdebugpy' cookie");
    make_315();
    put(DEBUG_FREE_THREADED, 1);
    expect_refused(15, "free-threaded CPython: Python stacks are not supported yet");
    make_315();
    put(DEBUG_VERSION, 0x031000A1);
    expect_refused(16, "Python stacks are not supported on CPython 3.16: its debug offsets (_Py_DebugOffsets) are laid out in a form");
    make_315();
    put(debug_layouts[2].interpreter_frame + FRAME_OWNER, 80);
    expect_refused(15, "not valid (owner at 80 of 80 bytes)");
    make_315();
    put(debug_layouts[2].pyobject + PYOBJECT_OB_TYPE, 16);
    expect_refused(15, "object header is not the one");
    printf("test_pydebug: all passed\n");
    return 0;
}
