/* The shared part of the lazy-loading trampolines: the library table, the loader, and the thunk the
   trampolines call on their first use. See include/LazyLibraries.h. */
#if !defined(__x86_64__) || !defined(__linux__)
#error "the lazy-loading trampolines are written for x86-64 Linux"
#endif

#include "lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lazy_mutex = PTHREAD_MUTEX_INITIALIZER;

static struct lazy_library *const lazy_libraries[] = {
    &collector_lazy_library_proton,
    &collector_lazy_library_rdkafka,
    &collector_lazy_library_xml2,
    &collector_lazy_library_archive,
};

/* dlopen + dlsym of every symbol, once; the slots are published only when all are found. */
static int lazy_resolve(struct lazy_library *library, char *error, size_t capacity) {
    int status = 0;
    pthread_mutex_lock(&lazy_mutex);
    if (!__atomic_load_n(&library->loaded, __ATOMIC_ACQUIRE)) {
        void *handle = library->handle ? library->handle : dlopen(library->file, RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            snprintf(error, capacity, "cannot load %s: %s", library->file, dlerror());
            status = -1;
        } else {
            library->handle = handle;
            for (size_t i = 0; i < library->count; i++) {
                void *address = dlsym(handle, library->symbols[i].name);
                if (!address) {
                    snprintf(error, capacity, "%s has no function %s", library->file, library->symbols[i].name);
                    status = -1;
                    break;
                }
                __atomic_store_n(library->symbols[i].slot, address, __ATOMIC_RELEASE);
            }
            if (status == 0) __atomic_store_n(&library->loaded, 1, __ATOMIC_RELEASE);
        }
    }
    pthread_mutex_unlock(&lazy_mutex);
    return status;
}

int collector_lazy_load(const char *name, char *error, size_t capacity) {
    for (size_t i = 0; i < sizeof lazy_libraries / sizeof lazy_libraries[0]; i++) {
        if (strcmp(lazy_libraries[i]->name, name) == 0) return lazy_resolve(lazy_libraries[i], error, capacity);
    }
    snprintf(error, capacity, "no lazily loaded library called %s", name);
    return -1;
}

/* Called by collector_lazy_thunk with the library in the first argument register. */
__attribute__((visibility("hidden"), used)) void collector_lazy_first_call(struct lazy_library *library) {
    char error[512];
    if (lazy_resolve(library, error, sizeof error) != 0) {
        fprintf(stderr, "collector: %s\n", error);
        abort();
    }
}

/* Saves the argument registers of the interrupted call (six integer, %rax for variadic calls, eight
   vector), calls collector_lazy_first_call(%r11), restores them and returns to the trampoline, which
   then jumps to the resolved function with the caller's arguments and stack untouched.
   On entry %rsp is 16-byte aligned (the trampoline was entered with %rsp = 8 mod 16 and called us). */
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".globl collector_lazy_thunk\n"
    ".hidden collector_lazy_thunk\n"
    ".type collector_lazy_thunk,@function\n"
    "collector_lazy_thunk:\n"
    "    subq $192, %rsp\n"
    "    movq %rdi, 0(%rsp)\n"
    "    movq %rsi, 8(%rsp)\n"
    "    movq %rdx, 16(%rsp)\n"
    "    movq %rcx, 24(%rsp)\n"
    "    movq %r8, 32(%rsp)\n"
    "    movq %r9, 40(%rsp)\n"
    "    movq %rax, 48(%rsp)\n"
    "    movdqu %xmm0, 64(%rsp)\n"
    "    movdqu %xmm1, 80(%rsp)\n"
    "    movdqu %xmm2, 96(%rsp)\n"
    "    movdqu %xmm3, 112(%rsp)\n"
    "    movdqu %xmm4, 128(%rsp)\n"
    "    movdqu %xmm5, 144(%rsp)\n"
    "    movdqu %xmm6, 160(%rsp)\n"
    "    movdqu %xmm7, 176(%rsp)\n"
    "    movq %r11, %rdi\n"
    "    call collector_lazy_first_call\n"
    "    movq 0(%rsp), %rdi\n"
    "    movq 8(%rsp), %rsi\n"
    "    movq 16(%rsp), %rdx\n"
    "    movq 24(%rsp), %rcx\n"
    "    movq 32(%rsp), %r8\n"
    "    movq 40(%rsp), %r9\n"
    "    movq 48(%rsp), %rax\n"
    "    movdqu 64(%rsp), %xmm0\n"
    "    movdqu 80(%rsp), %xmm1\n"
    "    movdqu 96(%rsp), %xmm2\n"
    "    movdqu 112(%rsp), %xmm3\n"
    "    movdqu 128(%rsp), %xmm4\n"
    "    movdqu 144(%rsp), %xmm5\n"
    "    movdqu 160(%rsp), %xmm6\n"
    "    movdqu 176(%rsp), %xmm7\n"
    "    addq $192, %rsp\n"
    "    ret\n"
    ".size collector_lazy_thunk, .-collector_lazy_thunk\n");
