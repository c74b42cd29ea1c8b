// Debian's libgit2 1.5.1 for BCGit. Swift cannot call C variadic functions such as
// git_libgit2_opts(), so the options BCGit needs are wrapped in static inline functions
// that clang compiles when the module is imported.
#ifndef BCOPS_CGIT2_SHIM_H
#define BCOPS_CGIT2_SHIM_H

#include <git2.h>

static inline int cgit2_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
static inline int cgit2_set_cache_max_size(ssize_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, bytes);
}
static inline int cgit2_get_cached_memory(ssize_t *current, ssize_t *allowed) {
    return git_libgit2_opts(GIT_OPT_GET_CACHED_MEMORY, current, allowed);
}
static inline int cgit2_enable_caching(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}

#endif
