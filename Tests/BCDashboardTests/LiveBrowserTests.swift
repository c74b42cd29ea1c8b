import BCClient
import BCTestSupport
import Foundation
import Testing

/// Live updates in a real browser (issue 17): headless Chromium driven by Selenium
/// (browser/test_live.py) watches a running job's page and a node's page change without a
/// reload, then reads them with JavaScript off. Skipped, saying why, without Chromium.
@Suite(.serialized) struct LiveBrowserTests {
    @Test(.enabled(if: BrowserTests.haveChromium, "needs Debian's chromium and chromium-driver (scripts/test.sh installs them)"))
    func aRunningJobUpdatesWithoutAReload() async throws {
        let python = BrowserTests.python
        try #require(FileManager.default.isExecutableFile(atPath: python), "no \(python): scripts/test.sh makes .build-venv with Selenium")
        let live = try LiveEngine()
        defer { live.stop() }
        let gates = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-live-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: gates, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: gates) }

        // Node 0 prints a line, waits for the gate, prints Blender's last line; node 1 spins on the CPU until the gate.
        let job = try await live.client.createJob(try LiveEngine.job("live", """
            if [ "$BATCH_COMPUTE_DAG_INSTANCE_ID" = 0 ]; then echo 'Fra:1 start'; while [ ! -e \(gates)/job ]; do sleep 0.2; done; echo "Fra:1 | Saved: 'frame_0001.png'"; else while [ ! -e \(gates)/job ]; do :; done; fi
            """, instances: 2)).id
        let nodeJob = try await live.client.createJob(try LiveEngine.job("one-node", "while [ ! -e \(gates)/node ]; do sleep 0.2; done; echo 'node done'")).id
        defer { Task { [client = live.client] in for j in [job, nodeJob] { try? await client.stopJob(j) } } }
        try await LiveEngine.until("both jobs to run") {
            let running = try await live.client.job(job).instanceMetrics[.running], single = try await live.client.job(nodeJob).instanceMetrics[.running]
            return running == 2 && single == 1
        }

        let fixture: [String: Any] = ["job": job, "gate": "\(gates)/job", "nodeJob": nodeJob, "nodeGate": "\(gates)/node"]
        let (status, text) = try BrowserTests.runBrowserScript("test_live.py", ui: live.ui, fixture: fixture)
        #expect(status == 0, "\(text)")
        #expect(text.contains("live browser checks passed"), "\(text)")
        #expect(try await live.client.job(job).state == .finished)
    }
}
