import BCClient
import BCController
import BCDashboard
import Foundation
import Logging

/// `bcctl controller --ui-listen`: the dashboard in the controller's process, reading the engine
/// the controller reconciles through the controller's own client, with the Sync page fed from the
/// controller's status (what `/api/status` serves). Its login is the controller's API token.
enum ControllerDashboard {
    static func start(controller: Controller, client: BatchComputeClient, apiToken: String, host: String, port: Int,
                      logger: Logger) -> Task<Void, Never> {
        let sync = DashboardSync(status: { await controller.status().json },
                                 reconcile: { await controller.trigger("requested") },
                                 readNeedsLogin: !ListenAddress.isLoopback(host))
        return Task {
            do {
                try await Dashboard.run(client: client, auth: DashboardAuth(apiToken: apiToken), sync: sync, host: host, port: port,
                                        logger: logger) { bound in
                    print("bcops dashboard listening on http://\(host):\(bound)/ui/ (actions need the controller's API token)")
                    fflush(nil)
                }
            } catch {
                // It does not stop the controller: reconciling matters more than its pages.
                print("bcops dashboard not started: could not listen on \(host):\(port): \(error)")
                fflush(nil)
                FileHandle.standardError.write(Data("Error: the dashboard could not listen on \(host):\(port): \(error)\n".utf8))
            }
        }
    }
}
