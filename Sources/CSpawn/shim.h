// glibc's posix_spawn_file_actions_addchdir_np (glibc ≥ 2.29) is only declared with
// _GNU_SOURCE, which Swift's Glibc module does not set (and setting it here would change
// shared struct definitions). Declaring the one function is enough. Starting an instance in
// its working directory this way saves an extra shell per instance.
#include <spawn.h>

extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);

static inline int bc_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

// posix_spawn_file_actions_addclosefrom_np (glibc ≥ 2.34): the child closes every descriptor
// from `from` up. Servers' sockets and epoll descriptors (swift-nio opens them without
// close-on-exec) must never reach a job: an instance holding the listener kept the port busy
// after the engine died, and could accept the controller's webhooks.
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

static inline int bc_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

// pidfd_open(2) (Linux ≥ 5.3) has no glibc wrapper before 2.36's headers expose it under
// _GNU_SOURCE. A pidfd lets one poll(2) wait for an instance's exit *or* its deadline, so a
// timeout needs no timer task of its own.
#include <sys/syscall.h>
#include <unistd.h>

static inline int bc_pidfd_open(int pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    return -1;
#endif
}
