import CGit2

/// The process-wide libgit2 set-up, done once before the first mirror touches libgit2.
enum LibGit2 {
    /// `git_libgit2_init` is reference-counted; one call that is never undone keeps the library
    /// ready for the life of the process (the controller never unloads it).
    private static let initialized: Bool = {
        let rc = git_libgit2_init()
        // The mirror directory belongs to the controller alone; if it was created by another uid
        // (a volume from another container), refusing to open it would only force a re-clone.
        _ = cgit2_set_owner_validation(0)
        return rc >= 0
    }()

    static func ensure() {
        _ = initialized
    }
}
