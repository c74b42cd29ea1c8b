import BCAPI
import BCClient
import BCCommands
import Foundation

/// A front-end the engine serves beside its API (the dashboard, the Cromwell API): a client of
/// the engine signed with its key, on a listener of its own, in a task the engine cancels when
/// it stops. A front-end that cannot start says so on stdout too, where the "listening on"
/// lines are, so whoever waits for one learns it will not come.
final class FrontEndTask: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    /// How the front-end names itself in its messages ("dashboard", "cromwell API").
    let name: String

    init(name: String) { self.name = name }

    /// Starts `serve` with a client of the engine at `endpoint`; `address` is for the messages.
    func start(endpoint: String, credentials: Credentials, address: String,
               serve: @escaping @Sendable (BatchComputeClient) async throws -> Void) {
        let name = self.name
        let t = Task {
            do {
                let configuration = try ClientConfiguration(endpoint: endpoint, accessKeyId: credentials.accessKeyId,
                                                            accessKeySecret: credentials.accessKeySecret)
                try await serve(BatchComputeClient(configuration, maxConnections: 8))
            } catch is CancellationError {
            } catch {
                print("bcops \(name) not started on \(address): \(error)")
                fflush(nil)
                printError("Error: the \(name) could not start on \(address): \(error)")
            }
        }
        lock.withLock { task = t }
    }

    func cancel() { lock.withLock { task?.cancel() } }
}
