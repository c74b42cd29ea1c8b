import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The header's three counters (running jobs, running nodes, waiting nodes).
extension Dashboard {

    /// One call (`/bcops/job-counts`), counted by the engine: the header is on every page, so it
    /// must not list every running and waiting job (a backlog of thousands) to sum three numbers.
    func counters() async throws -> HTML.Counters {
        let counts = try await client.jobCounts()
        var c = HTML.Counters()
        c.runningJobs = counts.jobs[.running]
        c.runningNodes = counts.activeJobInstances[.running]
        c.waitingNodes = counts.activeJobInstances[.waiting]
        return c
    }
}
