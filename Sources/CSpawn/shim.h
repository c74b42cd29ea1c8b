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

// pidfd_send_signal(2) (Linux ≥ 5.1) with signal 0: 0 while the process exists, a zombie
// included, and -1 (ESRCH) once it has been reaped. bcops-keeper writes an instance's status
// before it reaps it, so a restarted engine that adopted the instance reads the status once
// the pid is gone for good.
static inline int bc_pidfd_send_signal(int pidfd, int sig) {
#ifdef SYS_pidfd_send_signal
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, (void *)0, 0);
#else
    return -1;
#endif
}

// POSIX_SPAWN_SETSID (glibc ≥ 2.26) is only defined under _GNU_SOURCE: the engine starts
// bcops-keeper in a session of its own, so a signal to the engine's process group (a
// terminal's ^C, a supervisor's kill of the group) does not end it.
static inline short bc_spawn_setsid_flag(void) {
    return 0x80;
}
