// bcops-keeper ENGINE_PID [GRACE_MS]
//
// One per engine process, started once by the local executor (`Keeper` in
// Sources/BCEngine/Executors/Local) with one end of a Unix stream socket
// as descriptor 3, in a session of its own (a signal to the engine's process group never
// reaches it). ENGINE_PID is informational: it names whose keeper this is in `ps`.
// GRACE_MS (default 0) is how long an instance being ended has between SIGTERM and SIGKILL.
//
// The engine asks it to start each instance; it posix_spawns it exactly as the engine would
// (a new process group, stdin /dev/null, stdout and stderr on the given files, the working
// directory, no other descriptor, default signal dispositions and an empty signal mask).
// When the instance ends it tells the engine its status (the exit code, or 128 + the signal
// that ended it, as a shell reports it) and keeps it until the engine says it recorded it.
// If the engine goes away (end of file on descriptor 3: killed, or stopped and handing its
// instances over), it writes the status of every instance the engine did not record to that
// instance's status file, then keeps reaping and writing status files for the instances still
// running, and exits when none is left: a restarted engine adopts those instances through
// their pidfds and reads how they ended from the files. While the engine is there no file is
// written: the engine's own commit is the record, and a file per instance cost a create, a
// rename and an unlink on every instance's way out.
//
// Once the engine is gone, a status is written before its instance is reaped (waitid with
// WNOWAIT): whoever sees the instance's pid gone for good (a pidfd that no longer takes
// signals) finds its status.
//
// Requests (engine → keeper): a 4-byte little-endian length, then that many bytes of
// NUL-terminated fields, the first saying what the engine asks; several may come in one write:
//   S ID PROGRAM WORKDIR STDOUT STDERR STATUS ARGC ARGV… ENVC ENV…   start an instance
//   K ID…     end each one's process group (a deadline, a stopped job): SIGTERM (and SIGCONT,
//             for a stopped one) now, SIGKILL once GRACE_MS have passed (at once when 0), so
//             an instance can say how it ended (a workflow runner writes its metadata)
//   R ID…     the engine recorded these ends: forget them
// (STATUS may be empty: no file). Replies (keeper → engine), one line each:
//   F ID MESSAGE   could not start (strerror of posix_spawn's error)
//   X ID CODE      ended with CODE
// A start is not answered: an instance the engine asked for runs until its X (or its F).
//
// Its own environment is empty and it never carries `BCOPS_ENGINE_DATA`, so a restarted
// engine looking for what an earlier one left running (`HostProcesses.orphans`) only ever
// finds instances, never a keeper.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ENGINE 3
#define MAX_FRAME (64u << 20)

// Instances: running ones by pid (to reap them), and every one the engine has not recorded
// yet by id (to kill one, to forget it, or to write its status if the engine goes away).
struct child {
    pid_t pid;  // 0 once reaped
    int code;   // how it ended, once reaped
    char *id;
    char *status;
    struct child *next_pid;
    struct child *next_id;
};
#define BUCKETS 4096
static struct child *by_pid[BUCKETS];
static struct child *by_id[BUCKETS];
static size_t running;

static unsigned id_bucket(const char *id) {
    unsigned h = 2166136261u;
    for (; *id; id++) h = (h ^ (unsigned char)*id) * 16777619u;
    return h % BUCKETS;
}

static struct child **find_id(const char *id) {
    struct child **at = &by_id[id_bucket(id)];
    while (*at && strcmp((*at)->id, id) != 0) at = &(*at)->next_id;
    return at;
}

static void forget(struct child **at) {
    struct child *c = *at;
    *at = c->next_id;
    free(c->id);
    free(c->status);
    free(c);
}

static int engine_open = 1;
static char *in_buf;
static size_t in_len, in_cap;
static char *out_buf;
static size_t out_len, out_cap;

static void *grow(void *p, size_t *cap, size_t need) {
    if (need <= *cap) return p;
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    void *q = realloc(p, c);
    if (!q) {
        perror("bcops-keeper: realloc");
        _exit(70);
    }
    *cap = c;
    return q;
}

// STATUS.tmp, then a rename: a reader never sees half of it.
static void record(const char *path, int code) {
    size_t len = strlen(path);
    char *tmp = malloc(len + 5);
    if (!tmp) return;
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".tmp", 5);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        char line[16];
        int n = snprintf(line, sizeof line, "%d\n", code);
        ssize_t w = write(fd, line, (size_t)n);
        close(fd);
        if (w == n) rename(tmp, path);
    }
    free(tmp);
}

// The engine is gone: the ends it did not record go to their status files, for the next
// engine to find.
static void engine_gone(void) {
    if (!engine_open) return;
    engine_open = 0;
    close(ENGINE);
    out_len = 0;
    for (unsigned b = 0; b < BUCKETS; b++) {
        struct child **at = &by_id[b];
        while (*at) {
            if ((*at)->pid != 0) {
                at = &(*at)->next_id;
                continue;
            }
            if ((*at)->status[0]) record((*at)->status, (*at)->code);
            forget(at);
        }
    }
}

static void flush(void) {
    while (engine_open && out_len > 0) {
        ssize_t n = send(ENGINE, out_buf, out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            memmove(out_buf, out_buf + n, out_len - (size_t)n);
            out_len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;  // the rest when the socket takes it (POLLOUT)
        } else {
            engine_gone();
        }
    }
}

static void reply(const char *kind, const char *id, const char *text) {
    if (!engine_open) return;
    size_t need = strlen(kind) + strlen(id) + strlen(text) + 3;
    out_buf = grow(out_buf, &out_cap, out_len + need + 1);  // snprintf's NUL too
    int n = snprintf(out_buf + out_len, need + 1, "%s %s %s\n", kind, id, text);
    // A message must stay on its line.
    for (int i = 0; i < n - 1; i++) {
        if (out_buf[out_len + i] == '\n') out_buf[out_len + i] = ' ';
    }
    out_len += (size_t)n;  // sent once this turn's work is done: one write for all its replies
}

static char *next_field(char **p, char *end) {
    if (*p >= end) return NULL;
    char *s = *p;
    char *z = memchr(s, '\0', (size_t)(end - s));
    if (!z) return NULL;
    *p = z + 1;
    return s;
}

static int count_field(char **p, char *end, size_t *out) {
    char *s = next_field(p, end), *stop = NULL;
    if (!s || !*s) return 0;
    unsigned long v = strtoul(s, &stop, 10);
    if (*stop || v > (1u << 20)) return 0;
    *out = (size_t)v;
    return 1;
}

// S: starts an instance. Only a failure is answered.
static void start(char *p, char *end) {
    char *id = next_field(&p, end);
    char *program = next_field(&p, end);
    char *workdir = next_field(&p, end);
    char *out = next_field(&p, end);
    char *err = next_field(&p, end);
    char *status = next_field(&p, end);
    size_t argc = 0, envc = 0;
    char **argv = NULL, **envp = NULL;
    int ok = id && program && workdir && out && err && status && count_field(&p, end, &argc) && argc > 0;
    if (ok) ok = (argv = calloc(argc + 1, sizeof *argv)) != NULL;
    for (size_t i = 0; ok && i < argc; i++) ok = (argv[i] = next_field(&p, end)) != NULL;
    if (ok) ok = count_field(&p, end, &envc);
    if (ok) ok = (envp = calloc(envc + 1, sizeof *envp)) != NULL;
    for (size_t i = 0; ok && i < envc; i++) ok = (envp[i] = next_field(&p, end)) != NULL;
    if (!ok) {
        reply("F", id ? id : "0", "bcops-keeper: malformed request");
        free(argv);
        free(envp);
        return;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, workdir);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // nothing of the keeper's (nor the engine's)
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attributes, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);     // the keeper blocks SIGCHLD
    posix_spawnattr_setsigdefault(&attributes, &all);   // and ignores SIGPIPE
    pid_t pid = 0;
    int rc = posix_spawn(&pid, program, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    free(argv);
    free(envp);
    if (rc != 0) {
        reply("F", id, strerror(rc));
        return;
    }
    struct child *c = malloc(sizeof *c);
    char *cid = strdup(id), *cstatus = strdup(status);
    if (!c || !cid || !cstatus) {
        perror("bcops-keeper: malloc");
        _exit(70);
    }
    *c = (struct child){pid, 0, cid, cstatus, by_pid[(unsigned)pid % BUCKETS], by_id[id_bucket(id)]};
    by_pid[(unsigned)pid % BUCKETS] = c;
    by_id[id_bucket(id)] = c;
    running++;
}

// Process groups sent SIGTERM, each due its SIGKILL at `due` (CLOCK_MONOTONIC, ms). The
// SIGKILL goes to the group even when its leader has ended: a member that ignored SIGTERM is
// still in it, and a group id is not reused while any member lives.
struct pending_kill {
    pid_t group;
    long long due;
};
static struct pending_kill *pending;
static size_t pending_len, pending_bytes;
static long long grace_ms;

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// SIGKILLs the groups due by `at`; returns the poll timeout until the next one, or -1 when
// none is left. The keeper outlives its last instance until then: a straggler that ignored
// SIGTERM in a group whose leader ended still gets its SIGKILL.
static int kill_due(long long at) {
    long long next = -1;
    size_t kept = 0;
    for (size_t i = 0; i < pending_len; i++) {
        if (pending[i].due <= at) {
            kill(-pending[i].group, SIGKILL);
        } else {
            if (next < 0 || pending[i].due < next) next = pending[i].due;
            pending[kept++] = pending[i];
        }
    }
    pending_len = kept;
    if (next < 0) return -1;
    long long wait = next - now_ms();
    return wait < 0 ? 0 : wait > 60000 ? 60000 : (int)wait;
}

// K: ends the process groups of those instances still running. The keeper has not reaped
// them, so their pids cannot have been reused.
static void kill_groups(char *p, char *end) {
    for (char *id; (id = next_field(&p, end)) != NULL;) {
        struct child *c = *find_id(id);
        if (!c || c->pid == 0) continue;
        if (grace_ms <= 0) {
            kill(-c->pid, SIGKILL);
            continue;
        }
        kill(-c->pid, SIGTERM);
        kill(-c->pid, SIGCONT);
        pending = grow(pending, &pending_bytes, (pending_len + 1) * sizeof *pending);
        pending[pending_len++] = (struct pending_kill){c->pid, now_ms() + grace_ms};
    }
}

// R: the engine recorded these ends; they need no status file.
static void recorded(char *p, char *end) {
    for (char *id; (id = next_field(&p, end)) != NULL;) {
        struct child **at = find_id(id);
        if (*at && (*at)->pid == 0) forget(at);
    }
}

static void request(char *p, size_t n) {
    char *end = p + n;
    char *kind = next_field(&p, end);
    if (kind && strcmp(kind, "S") == 0) start(p, end);
    else if (kind && strcmp(kind, "K") == 0) kill_groups(p, end);
    else if (kind && strcmp(kind, "R") == 0) recorded(p, end);
    else fprintf(stderr, "bcops-keeper: a request of kind %s: not the engine's protocol\n", kind ? kind : "(none)");
}

static void receive(void) {
    int eof = 0;
    for (;;) {
        in_buf = grow(in_buf, &in_cap, in_len + 65536);
        ssize_t n = read(ENGINE, in_buf + in_len, in_cap - in_len);
        if (n > 0) {
            in_len += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        eof = 1;  // end of file, or an error: the engine is gone
        break;
    }
    // Whole requests are acted on, even those sent just before the engine died: it recorded
    // those instances as running, and the next engine adopts them.
    size_t at = 0;
    while (in_len - at >= 4) {
        uint32_t size;
        memcpy(&size, in_buf + at, 4);  // little-endian, as both ends are
        if (size > MAX_FRAME) {
            fprintf(stderr, "bcops-keeper: a request of %u bytes: not the engine's protocol\n", size);
            eof = 1;
            break;
        }
        if (in_len - at - 4 < size) break;
        request(in_buf + at + 4, size);
        at += 4 + size;
    }
    if (eof) {
        engine_gone();
        in_len = 0;
        return;
    }
    memmove(in_buf, in_buf + at, in_len - at);
    in_len -= at;
}

static void reap(void) {
    for (;;) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
            if (errno == EINTR) continue;
            return;  // ECHILD: none left
        }
        if (info.si_pid == 0) return;
        pid_t pid = info.si_pid;
        int code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
        struct child **at = &by_pid[(unsigned)pid % BUCKETS], *c = NULL;
        while (*at && (*at)->pid != pid) at = &(*at)->next_pid;
        if (*at) {
            c = *at;
            *at = c->next_pid;
        }
        // Without an engine, the status first, then the reap: once the pid is gone, the file is there.
        if (c && !engine_open && c->status[0]) record(c->status, code);
        int ignored;
        while (waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {}
        if (!c) continue;
        running--;
        c->pid = 0;
        c->code = code;
        if (engine_open) {
            char text[16];
            snprintf(text, sizeof text, "%d", code);
            reply("X", c->id, text);
        } else {
            forget(find_id(c->id));
        }
    }
}

int main(int argc, char **argv) {
    if (argc > 2) grace_ms = atoll(argv[2]);
    int flags = fcntl(ENGINE, F_GETFL);
    if (flags < 0) {
        fprintf(stderr, "bcops-keeper: descriptor 3 is not open: the engine starts this program\n");
        return 2;
    }
    fcntl(ENGINE, F_SETFL, flags | O_NONBLOCK);
    fcntl(ENGINE, F_SETFD, FD_CLOEXEC);
    signal(SIGPIPE, SIG_IGN);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        perror("bcops-keeper: signalfd");
        return 2;
    }
    for (;;) {
        // The SIGKILLs that fell due first: the last of them may leave nothing to wait for (an
        // instance that ended on its SIGTERM, then its group's SIGKILL), and a poll without an
        // engine, an instance or a timer would never return.
        int timeout = kill_due(now_ms());
        if (!engine_open && running == 0 && pending_len == 0) break;
        struct pollfd fds[2] = {
            {.fd = sfd, .events = POLLIN},
            {.fd = engine_open ? ENGINE : -1, .events = (short)(POLLIN | (out_len ? POLLOUT : 0))},
        };
        if (poll(fds, 2, timeout) < 0) {
            if (errno == EINTR) continue;
            perror("bcops-keeper: poll");
            return 1;
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si[16];
            while (read(sfd, si, sizeof si) > 0) {}
            reap();
            flush();  // the ends before any start: the engine works on them while this one spawns
        }
        if (engine_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) receive();
        flush();
    }
    return 0;
}
