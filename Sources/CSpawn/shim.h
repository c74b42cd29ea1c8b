// glibc's posix_spawn_file_actions_addchdir_np (glibc ≥ 2.29) is only declared with
// _GNU_SOURCE, which Swift's Glibc module does not set (and setting it here would change
// shared struct definitions). Declaring the one function is enough. Starting an instance in
// its working directory this way saves an extra shell per instance.
#include <spawn.h>

extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);

static inline int bc_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}
