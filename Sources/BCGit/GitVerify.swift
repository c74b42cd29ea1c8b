import CGit2

extension GitMirror {
    /// Checks the object database: for each branch, that its commit and every tree under it can
    /// be read and every blob exists. The controller re-clones when this fails.
    ///
    /// It opens a fresh handle on the directory rather than using the mirror's own: that handle's
    /// object cache and already-mapped pack files would still answer for objects deleted on disk.
    public func verify() -> Bool {
        var fresh: OpaquePointer?
        guard git_repository_open_bare(&fresh, directory) == 0, let fresh else {
            git_repository_free(fresh)
            return false
        }
        defer { git_repository_free(fresh) }
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, fresh) == 0 else { return false }
        defer { git_odb_free(odb) }
        var iterator: OpaquePointer?
        guard git_reference_iterator_glob_new(&iterator, fresh, Self.branchPrefix + "*") == 0 else { return false }
        defer { git_reference_iterator_free(iterator) }

        var checkedTrees = Set<String>()
        while true {
            var reference: OpaquePointer?
            let rc = git_reference_next(&reference, iterator)
            if rc == GIT_ITEROVER.rawValue { return true }
            guard rc == 0 else { return false }
            defer { git_reference_free(reference) }
            guard let target = git_reference_target(reference) else { continue }  // symbolic, e.g. origin/HEAD
            var commit: OpaquePointer?
            guard git_commit_lookup(&commit, fresh, target) == 0 else { return false }
            defer { git_commit_free(commit) }
            var tree: OpaquePointer?
            guard git_commit_tree(&tree, commit) == 0 else { return false }
            defer { git_tree_free(tree) }
            guard Self.treeIsComplete(tree, repo: fresh, odb: odb, checked: &checkedTrees) else { return false }
        }
    }

    /// Reads every subtree and checks that every blob exists (without inflating blobs).
    private static func treeIsComplete(_ tree: OpaquePointer?, repo: OpaquePointer, odb: OpaquePointer?,
                                       checked: inout Set<String>) -> Bool {
        guard checked.insert(hex(git_tree_id(tree))).inserted else { return true }
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index) else { return false }
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE:
                var subtree: OpaquePointer?
                guard git_tree_lookup(&subtree, repo, git_tree_entry_id(entry)) == 0 else { return false }
                defer { git_tree_free(subtree) }
                guard treeIsComplete(subtree, repo: repo, odb: odb, checked: &checked) else { return false }
            case GIT_OBJECT_BLOB:
                guard git_odb_exists(odb, git_tree_entry_id(entry)) == 1 else { return false }
            default:
                continue
            }
        }
        return true
    }
}
