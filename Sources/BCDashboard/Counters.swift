import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The header's three counters (running jobs, running nodes, waiting nodes).
extension Dashboard {

    func counters() async throws -> HTML.Counters {
        var c = HTML.Counters()
        for state in [JobState.running, .waiting] {
            for job in try await client.allJobs(JobFilter(state: state)) {
                if state == .running { c.runningJobs += 1 }
                c.runningNodes += job.instanceMetrics[.running]
                c.waitingNodes += job.instanceMetrics[.waiting]
            }
        }
        return c
    }
}
