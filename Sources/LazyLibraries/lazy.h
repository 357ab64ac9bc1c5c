/* Internal to the LazyLibraries target. */
#ifndef COLLECTOR_LAZY_H
#define COLLECTOR_LAZY_H

#include "LazyLibraries.h"

struct lazy_symbol {
    const char *name;
    void **slot;
};

struct lazy_library {
    const char *name;   /* what collector_lazy_load takes */
    const char *file;   /* the soname dlopen loads */
    const struct lazy_symbol *symbols;
    size_t count;
    void *handle;
    int loaded;
};

extern struct lazy_library collector_lazy_library_proton;
extern struct lazy_library collector_lazy_library_rdkafka;
extern struct lazy_library collector_lazy_library_xml2;
extern struct lazy_library collector_lazy_library_archive;

/* One trampoline: jumps through its slot once the library is loaded; before that, loads it through
   collector_lazy_thunk (which keeps the argument registers) and jumps. Hidden: the executable never
   exports them, so a loaded library's own calls never come back through here. */
#define LAZY_TRAMPOLINE(library, function)                                          \
    __asm__(".text\n"                                                                \
            ".p2align 4\n"                                                           \
            ".globl " #function "\n"                                                 \
            ".hidden " #function "\n"                                                \
            ".type " #function ",@function\n"                                        \
            #function ":\n"                                                          \
            "    movq collector_lazy_slot_" #function "(%rip), %r11\n"              \
            "    testq %r11, %r11\n"                                                 \
            "    jz 1f\n"                                                            \
            "    jmp *%r11\n"                                                        \
            "1:  leaq collector_lazy_library_" #library "(%rip), %r11\n"            \
            "    call collector_lazy_thunk\n"                                        \
            "    jmp *collector_lazy_slot_" #function "(%rip)\n"                     \
            ".size " #function ", .-" #function "\n");

#endif
