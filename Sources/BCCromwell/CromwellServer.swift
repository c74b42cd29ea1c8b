import BCAPI
import BCClient
import Foundation
import Hummingbird
import Logging

/// The Cromwell front-end's listener: a Hummingbird application beside the engine's, started
/// by `bcctl engine serve --cromwell-listen HOST:PORT`, and the queue's clock.
public enum CromwellServer {
    /// Reads the records back, then serves until the task is cancelled.
    public static func run(client: BatchComputeClient, settings: CromwellSettings, host: String, port: Int, logger: Logger,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let api = CromwellAPI(client: client, settings: settings, logger: logger)
        try await api.book.load()
        let names = ListenerNames(listenHost: host, remote: !ListenerNames.isLoopback(host))
        let app = Application(router: api.router(names: names),
                              configuration: .init(address: .hostname(host, port: port), serverName: "bcops-cromwell"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            group.addTask {
                // The queue's clock: a workflow that ended frees its place within one interval.
                while !Task.isCancelled {
                    await api.book.pass()
                    try await Task.sleep(for: settings.pollInterval)
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
