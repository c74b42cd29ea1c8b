import BCManifest
import Foundation

/// The manifests a session plans from.
public enum ManifestInput: Sendable {
    /// Files being loaded: `load` loads and checks them, calling `loaded` once every file is
    /// read, before the set is checked (references, names). The session lowers, refreshes and
    /// diffs from that moment, while the set is checked, and keeps the plan only if the set is
    /// valid.
    case loading(@Sendable (_ loaded: @escaping @Sendable ([LoadedManifest], [String]) -> Void) async -> LoadResult)
    /// Manifests already loaded and checked (the controller's, read from a git tree). They are
    /// checked and lowered before the lock is asked for: a set known to be broken never takes
    /// it. `hashing`: the files the plan's manifests hash covers (none for a git tree: its
    /// revision names it).
    case loaded(LoadResult, hashing: [String])
}

/// Manifests loading (`ManifestInput.loading`) while the session takes the lock: the files
/// arrive before the set is checked.
struct ManifestArrival: Sendable {
    typealias Files = (manifests: [LoadedManifest], files: [String])
    private let loading: Task<LoadResult, Never>
    private let arrived: AsyncStream<Files>

    /// Starts loading. The problems of a set that fails its checks go to `problems` as soon as
    /// they are known (before anyone asks), as bcplan prints them.
    init(_ load: @escaping @Sendable (@escaping @Sendable ([LoadedManifest], [String]) -> Void) async -> LoadResult,
         problems: @escaping @Sendable ([String]) -> Void) {
        let (arrived, delivery) = AsyncStream.makeStream(of: Files.self, bufferingPolicy: .bufferingNewest(1))
        self.arrived = arrived
        loading = Task {
            let result = await load { manifests, files in
                delivery.yield((manifests, files))
                delivery.finish()
            }
            delivery.finish()
            if !result.isValid { problems(result.diagnostics.map(\.description)) }
            return result
        }
    }

    /// Every file's manifests, once read; nil when loading ended without them (a file could not
    /// be read or decoded: `checked` says why).
    func files() async -> Files? {
        for await files in arrived { return files }
        return nil
    }

    /// The set, checked.
    func checked() async -> LoadResult { await loading.value }
}
