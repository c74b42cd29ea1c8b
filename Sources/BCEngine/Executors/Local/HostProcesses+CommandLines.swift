import CSpawn
import Foundation

/// Command lines as processes: what runs for one (the program itself, or `/bin/sh -c`), and
/// the engine's own spawn when there is no keeper.
extension HostProcesses {
    struct SpawnError: Error { var message: String }

    /// What runs for a command line: the program itself when the shell would only split the
    /// line into words, else `/bin/sh -c`.
    static func command(_ launch: ProcessLaunch) -> (program: String, arguments: [String]) {
        if let words = directWords(launch.commandLine), let path = resolve(words[0], path: launch.environment["PATH"], in: launch.workingDirectory) {
            return (path, words)  // nothing for a shell to do: skip it
        }
        return ("/bin/sh", ["/bin/sh", "-c", launch.commandLine])
    }

    /// Starts the command line in the working directory, in a new process group (the engine's
    /// own spawn, without a keeper).
    static func spawn(_ launch: ProcessLaunch) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, launch.stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, launch.stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        bc_spawn_addchdir(&actions, launch.workingDirectory)
        bc_spawn_addclosefrom(&actions, 3)  // nothing of the engine's but stdin, stdout and stderr
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default dispositions and an empty mask, as the keeper gives: the engine ignores
        // SIGTERM and SIGPIPE for its own shutdown, and an instance that inherited that would
        // outlive a stop's SIGTERM until the SIGKILL.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        let (program, arguments) = command(launch)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { (s: String) in strdup(s) } + [nil]
        let variables: [String] = launch.environment.map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { (s: String) in strdup(s) } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        return rc == 0 ? .success(pid) : .failure(SpawnError(message: String(cString: strerror(rc))))
    }

    /// The words of a command line that holds nothing a shell would interpret — no quotes,
    /// variables, globs, redirections, operators or escapes — so running it directly is what
    /// `sh -c` would do, one process fewer. nil otherwise.
    static func directWords(_ commandLine: String) -> [String]? {
        var words: [String] = []
        var word = ""
        for byte in commandLine.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                if !word.isEmpty { words.append(word); word = "" }
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ","), UInt8(ascii: ":"),
                 UInt8(ascii: "+"), UInt8(ascii: "@"), UInt8(ascii: "%"):
                word.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                return nil
            }
        }
        if !word.isEmpty { words.append(word) }
        // `a=b cmd` is an assignment, and keywords and builtins (`exit 3`, `cd dir`, `time …`)
        // mean something else to a shell than any program of that name: leave those to it.
        guard let first = words.first, !first.hasPrefix("-"), !first.utf8.contains(UInt8(ascii: "=")), !shellWords.contains(first) else { return nil }
        return words
    }

    static let shellWords: Set<String> = [
        "if", "then", "else", "elif", "fi", "case", "esac", "for", "while", "until", "do", "done", "in", "function", "time",
        "cd", "exit", "export", "set", "unset", "shift", "exec", "eval", ".", "source", "alias", "unalias", "read", "wait",
        "trap", "return", "break", "continue", "umask", "ulimit", "readonly", "local", "type", "command", "hash", "getopts",
        "jobs", "fg", "bg", "times",
    ]

    /// The file `sh` would run for `program`: as given when it names a path, else the first
    /// executable match on PATH. nil (and the shell reports it) when there is none.
    static func resolve(_ program: String, path: String?, in directory: String) -> String? {
        if program.utf8.contains(UInt8(ascii: "/")) {  // bytes: Foundation's contains(_: String) searched with ICU
            let full = program.hasPrefix("/") ? program : directory + "/" + program
            return access(full, X_OK) == 0 ? full : nil
        }
        for dir in (path ?? "/usr/bin:/bin").split(separator: ":") where dir.hasPrefix("/") {
            let full = dir + "/" + program
            var info = stat()
            if stat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(full, X_OK) == 0 { return full }
        }
        return nil
    }
}
